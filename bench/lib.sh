# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# What the two phases of `make bench` (bench/run.sh: xen, bench/run-virtio.sh:
# virtio) share, sourced by both after they set TOP (the repository): the
# checks before a lab run, the lab run itself, collecting the @@BENCH
# records of its guests and turning them into bench/results/.
set -uo pipefail
cd "$TOP" || exit 2
[ "$(id -u)" = 0 ] || { echo "bench: the lab needs root" >&2; exit 2; }

# bench_skip SCENARIO: the names of SCENARIO's in-guest tests (for LAB_SKIP:
# only the bench scripts of the overlay run)
bench_skip() {
	ls tests/lab/guest/"$1"/*/*.sh 2>/dev/null | xargs -r -n1 basename | sed 's/\.sh$//' | sort -u | tr '\n' ' '
}

# bench_lab SCENARIO OUT ROLE...: runs the lab's SCENARIO on kernel $K (its
# output in OUT/lab.out), appends the @@BENCH records of each ROLE's console
# to OUT/raw.jsonl (each with "from": ROLE) and copies the consoles to OUT.
# Sets lab_rc (the lab's exit status) and run_dir; exits 1 when the lab run
# did not complete.
bench_lab() {
	local scen=$1 out=$2 log_dir r
	shift 2
	SCENARIOS=$scen KERNELS=$K tests/lab/run.sh check 2>&1 | tee "$out/lab.out"
	lab_rc=${PIPESTATUS[0]}

	run_dir=$(sed -n 's/^== hyper_dmabuf lab summary (run dir \([^ ,]*\).*/\1/p' "$out/lab.out" | tail -n1)
	if [ -z "$run_dir" ] || [ ! -d "$run_dir" ]; then
		echo "bench: the lab run did not complete (see $out/lab.out)" >&2
		exit 1
	fi
	log_dir=$(ls -d "$run_dir/$scen"-* 2>/dev/null | head -n1)
	for r in "$@"; do
		[ -f "$log_dir/$r.log" ] || continue
		tr -d '\r' <"$log_dir/$r.log" | sed -n "s/^.*@@BENCH //p" | sed "s/^{/{\"from\":\"$r\",/" >>"$out/raw.jsonl"
	done
	cp "$log_dir"/*.log "$out/" 2>/dev/null
}

# bench_report SCRIPT OUT CONFIG NAME: bench/SCRIPT turns OUT/raw.jsonl of
# the last bench_lab into bench/results/NAME-$K.* (NAME-$K-quick.* for
# BENCH_QUICK=1), CONFIG describing the settings; its exit status.
bench_report() {
	local root
	root=$(ls -d "${LAB_CACHE:-/var/cache/hyper_dmabuf-lab}"/root-* 2>/dev/null | head -n1)
	python3 "bench/$1" --raw "$2/raw.jsonl" --packages "$root/.lab-packages" \
		--kernel "$K" --lab-rc "$lab_rc" --run-dir "$run_dir" \
		--config "$3" \
		--out "bench/results/$4-$K$([ "${BENCH_QUICK:-0}" = 1 ] && echo -quick)"
}
