#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: hyper_dmabuf against the copy (libxenvchan) and the
# userspace-grant (gntalloc/gntdev) baselines, in the lab's xen scenario.
# docs/performance.rst describes the method and the output.
#
#   bench/run.sh                 full run (one kernel, at most ~10 min of lab)
#   BENCH_QUICK=1 bench/run.sh   fewer sizes and repetitions (a smoke run)
#
# Environment: BENCH_KERNEL (6.12), BENCH_REPS (7), BENCH_REPS_LARGE (3),
#   BENCH_SECONDS (5), BENCH_SIZES, BENCH_PAGECOST, BENCH_SCALE,
#   BENCH_LAB_TIMEOUT (s, hard limit of the QEMU run, 480; 300 quick),
#   BENCH_BUDGET (s, no new measurement starts after it, BENCH_LAB_TIMEOUT - 150),
#   BENCH_WAIT (s, one wait, 90; 20 quick),
#   BENCH_XEN_MEM (4096 MiB for QEMU), BENCH_DOMU_MEM (1600 MiB per domU),
#   LAB_CACHE (the lab's).
# Output: bench/results/xen-<kernel>.json, .png, .txt (the latest run;
#   xen-<kernel>-quick.* for BENCH_QUICK=1) and
#   build/bench/ (the raw lab output). Benchmarks never fail on slowness;
#   the exit status is non-zero only when a run broke (a wrong byte, a
#   protocol error, a timeout, a failed lab boot or build).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$TOP/bench/lib.sh"
# BENCH_SCENARIOS ("xen virtio": the virtio phase, bench/run-virtio.sh,
# is a second lab run after the xen one; "xen" or "virtio" runs one half)
scens=" ${BENCH_SCENARIOS:-xen virtio} "
case $scens in *" xen "*) ;; *" virtio "*) exec bench/run-virtio.sh ;; *)
	echo "bench: BENCH_SCENARIOS=$scens: neither xen nor virtio" >&2; exit 2 ;; esac
tests/apt-install.sh python3 gnuplot-nox || exit 2

K=${BENCH_KERNEL:-6.12}
OUT=$TOP/build/bench
mkdir -p "$OUT" bench/results
rm -rf "$OUT/overlay" "$OUT"/*.jsonl
# BENCH_LAB_TIMEOUT: hard limit of the lab boot (s); one wait of
# hdmabuf-bench is bounded by BENCH_WAIT (s)
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	sizes=${BENCH_SIZES:-4K,1M,8M} reps=${BENCH_REPS:-2} reps_large=${BENCH_REPS_LARGE:-1}
	pagecost=${BENCH_PAGECOST:-1M,8M} scale=${BENCH_SCALE:-1,100} secs=${BENCH_SECONDS:-1}
	lab_timeout=${BENCH_LAB_TIMEOUT:-300} wait=${BENCH_WAIT:-20}
else
	sizes=${BENCH_SIZES:-4K,64K,1M,8M,32M,256M} reps=${BENCH_REPS:-7} reps_large=${BENCH_REPS_LARGE:-3}
	pagecost=${BENCH_PAGECOST:-1M,8M,64M,256M,1G} scale=${BENCH_SCALE:-1,100,10000} secs=${BENCH_SECONDS:-5}
	lab_timeout=${BENCH_LAB_TIMEOUT:-480} wait=${BENCH_WAIT:-90}
fi
# the guests boot in ~1 min; the steps still running at the end of the
# budget finish, those after it are reported as skipped
budget=${BENCH_BUDGET:-$((lab_timeout - 150))}

# the bench scripts go over /lab/xen/ of the images; every other xen test is skipped
mkdir -p "$OUT/overlay"
cp -a tests/lab/guest/bench/xen "$OUT/overlay/"
cat >"$OUT/overlay/bench.conf" <<-EOF
	BENCH_EXPORT_ARGS="--sizes $sizes --reps $reps --reps-large $reps_large --pagecost $pagecost --scale $scale --seconds $secs --timeout $wait --budget $budget"
	BENCH_IMPORT_ARGS="--timeout $wait"
	BENCH_TIMEOUT=$((lab_timeout - 60))
EOF
skip=$(bench_skip xen)

export LAB_GUEST_OVERLAY=$OUT/overlay
export LAB_GUEST_MAKE=bench-guest
export LAB_SKIP="$skip"
export LAB_XEN_MEM=${BENCH_XEN_MEM:-4096}
export LAB_DOMU_MEM=${BENCH_DOMU_MEM:-1600}
# grant table and maptrack room for 1 GiB buffers (262144 grants)
export LAB_XEN_ARGS="gnttab_max_frames=1024 gnttab_max_maptrack_frames=4096"
export LAB_XEN_DOMU_CFG=$'max_grant_frames = 1024\nmax_maptrack_frames = 4096'
export LAB_XEN_DOM0_ARGS="lab.timeout=$((lab_timeout - 40))"
export LAB_TIMEOUT_XEN=$lab_timeout
echo "bench: lab run (xen scenario, kernel $K): sizes $sizes, reps $reps/$reps_large, pagecost $pagecost, scale $scale, ${secs}s streams, budget ${budget}s, QEMU limit ${lab_timeout}s"
bench_lab xen "$OUT" dom0 domu1 domu2
# what the lab gave dom0 (tests/lab/lib/scenarios.sh: LAB_DOM0_MEM, in M)
dom0_mb=${LAB_DOM0_MEM:-768M}
dom0_mb=${dom0_mb%M}
bench_report report.py "$OUT" \
	"xen_mem_mb=$LAB_XEN_MEM domu_mem_mb=$LAB_DOMU_MEM dom0_mem_mb=$dom0_mb $LAB_XEN_ARGS quick=${BENCH_QUICK:-0}" xen
rc=$?
if [ "$lab_rc" != 0 ]; then
	echo "bench: the lab run failed (logs $run_dir)" >&2
	rc=1
fi
case $scens in *" virtio "*) bench/run-virtio.sh || rc=1 ;; esac
exit $rc
