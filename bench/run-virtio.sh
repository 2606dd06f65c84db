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
set -uo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$TOP" || exit 2
[ "$(id -u)" = 0 ] || { echo "bench: the lab needs root" >&2; exit 2; }
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
skip=$(ls tests/lab/guest/virtio/*/*.sh 2>/dev/null | xargs -r -n1 basename | sed 's/\.sh$//' | sort -u | tr '\n' ' ')

export LAB_GUEST_OVERLAY=$OUT/overlay
export LAB_GUEST_MAKE=bench-vguest
export LAB_SKIP="$skip"
export LAB_VIRTIO_BENCH=1
export LAB_GUEST_ARGS="lab.timeout=$((lab_timeout - 40))"
export LAB_TIMEOUT_VIRTIO=$lab_timeout
echo "bench: lab run (virtio scenario, kernel $K): sizes $sizes, reps $reps/$reps_large, ${secs}s streams, QEMU limit ${lab_timeout}s"
SCENARIOS=virtio KERNELS=$K tests/lab/run.sh check 2>&1 | tee "$OUT/lab.out"
lab_rc=${PIPESTATUS[0]}

run_dir=$(sed -n 's/^== hyper_dmabuf lab summary (run dir \([^ ,]*\).*/\1/p' "$OUT/lab.out" | tail -n1)
if [ -z "$run_dir" ] || [ ! -d "$run_dir" ]; then
	echo "bench: the lab run did not complete (see $OUT/lab.out)" >&2
	exit 1
fi
log_dir=$(ls -d "$run_dir"/virtio-* 2>/dev/null | head -n1)
for r in vm1 vm2; do
	[ -f "$log_dir/$r.log" ] || continue
	tr -d '\r' <"$log_dir/$r.log" | sed -n "s/^.*@@BENCH //p" | sed "s/^{/{\"from\":\"$r\",/" >>"$OUT/raw.jsonl"
done
cp "$log_dir"/*.log "$OUT/" 2>/dev/null
root=$(ls -d "${LAB_CACHE:-/var/cache/hyper_dmabuf-lab}"/root-* 2>/dev/null | head -n1)
python3 bench/vreport.py --raw "$OUT/raw.jsonl" --packages "$root/.lab-packages" \
	--kernel "$K" --lab-rc "$lab_rc" --run-dir "$run_dir" \
	--config "guest_mem_mb=512 sizes=$sizes reps=$reps/$reps_large stream_s=$secs quick=${BENCH_QUICK:-0}" \
	--out "bench/results/virtio-$K$([ "${BENCH_QUICK:-0}" = 1 ] && echo -quick)"
rc=$?
if [ "$lab_rc" != 0 ]; then
	echo "bench: the lab run failed (logs $run_dir)" >&2
	exit 1
fi
exit $rc
