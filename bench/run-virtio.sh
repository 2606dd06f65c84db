#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The virtio phase of `make bench` (bench/run.sh runs it after the xen
# phase; `make bench BENCH_SCENARIOS=virtio` runs it alone): hyper_dmabuf's
# virtio backend guest to guest against the same bytes through a
# virtio-serial port relayed by the host, in the lab's virtio scenario
# (LAB_VIRTIO_BENCH=1). docs/performance.rst describes the method.
#
# Environment: BENCH_KERNEL (6.12), BENCH_QUICK=1, BENCH_VIRTIO_SIZES
#   (4K,64K,1M,8M,32M), BENCH_REPS (7), BENCH_REPS_LARGE (3, above 4 MiB),
#   BENCH_SECONDS (5, each 8 MiB stream), BENCH_WAIT (s, one wait, 90),
#   BENCH_VIRTIO_LAB_TIMEOUT (s, hard limit of the QEMU run, 300).
# Output: bench/results/virtio-<kernel>.json, .txt (virtio-<kernel>-quick.*
#   for BENCH_QUICK=1) and build/bench/virtio/ (the raw lab output).
#   Non-zero only when a run broke, never on slowness.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$TOP/bench/lib.sh"
tests/apt-install.sh python3 socat || exit 2

K=${BENCH_KERNEL:-6.12}
OUT=$TOP/build/bench/virtio
rm -rf "$OUT"
mkdir -p "$OUT/overlay" bench/results
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	sizes=${BENCH_VIRTIO_SIZES:-4K,1M,8M} reps=${BENCH_REPS:-2} reps_large=${BENCH_REPS_LARGE:-1}
	secs=${BENCH_SECONDS:-1} wait=${BENCH_WAIT:-30}
else
	sizes=${BENCH_VIRTIO_SIZES:-4K,64K,1M,8M,32M} reps=${BENCH_REPS:-7} reps_large=${BENCH_REPS_LARGE:-3}
	secs=${BENCH_SECONDS:-5} wait=${BENCH_WAIT:-90}
fi
lab_timeout=${BENCH_VIRTIO_LAB_TIMEOUT:-300}

# the bench scripts go over /lab/virtio/ of the image; every other virtio test is skipped
cp -a tests/lab/guest/bench/virtio "$OUT/overlay/"
cat >"$OUT/overlay/bench.conf" <<-EOF2
	VBENCH_EXPORT_ARGS="--sizes $sizes --reps $reps --reps-large $reps_large --seconds $secs --timeout $wait"
	VBENCH_IMPORT_ARGS="--timeout $wait"
EOF2
skip=$(bench_skip virtio)

export LAB_GUEST_OVERLAY=$OUT/overlay
export LAB_GUEST_MAKE=bench-vguest
export LAB_SKIP="$skip"
export LAB_VIRTIO_BENCH=1
export LAB_GUEST_ARGS="lab.timeout=$((lab_timeout - 40))"
export LAB_TIMEOUT_VIRTIO=$lab_timeout
echo "bench: lab run (virtio scenario, kernel $K): sizes $sizes, reps $reps/$reps_large, ${secs}s streams, QEMU limit ${lab_timeout}s"
bench_lab virtio "$OUT" vm1 vm2
bench_report vreport.py "$OUT" \
	"guest_mem_mb=512 sizes=$sizes reps=$reps/$reps_large stream_s=$secs quick=${BENCH_QUICK:-0}" virtio
rc=$?
if [ "$lab_rc" != 0 ]; then
	echo "bench: the lab run failed (logs $run_dir)" >&2
	exit 1
fi
exit $rc
