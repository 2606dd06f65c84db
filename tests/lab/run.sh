#!/bin/bash
# hyper_dmabuf lab: boots real guests (QEMU TCG; Xen; vhost-user) and runs the
# in-guest tests. See docs/testing.rst.
#
#   tests/lab/run.sh [check]              run SCENARIOS x KERNELS, print a summary
#   tests/lab/run.sh shell SCENARIO [KERNEL]   boot one scenario with an interactive console
#
# Environment: SCENARIOS ("single xen virtio"), KERNELS ("6.12 6.1"),
#   LAB_CACHE (/var/cache/hyper_dmabuf-lab), LAB_GUEST_MAKE (extra make targets
#   for guest binaries), LAB_TIMEOUT_{SINGLE,XEN,VIRTIO} (hard timeouts, s),
#   LAB_XEN_DOMUS (2), LAB_KEEP_RUNS (10), LAB_SKIP (in-guest test names to skip),
#   LAB_ONLY (globs: run only matching in-guest tests, e.g. "1* 2* 5*-xfer*").
# Exit status: 0 iff every result passed; 1 on any failure; 2 on setup errors.
set -uo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
LAB_CACHE=${LAB_CACHE:-/var/cache/hyper_dmabuf-lab}
export LAB_CACHE=$(realpath -m "$LAB_CACHE")
SCENARIOS=${SCENARIOS:-single xen virtio}
KERNELS=${KERNELS:-6.12 6.1}
. "$LAB_DIR/lib/common.sh"
. "$LAB_DIR/lib/kernel.sh"
. "$LAB_DIR/lib/build.sh"
. "$LAB_DIR/lib/image.sh"
. "$LAB_DIR/lib/scenarios.sh"

mode=check
case ${1:-check} in
check) ;;
shell)
	mode=shell
	SCENARIOS=${2:-${SCENARIO:-}}
	[ -n "$SCENARIOS" ] || die "usage: run.sh shell SCENARIO [KERNEL]"
	KERNELS=${3:-${KERNEL:-${KERNELS%% *}}}
	KERNELS=${KERNELS%% *}
	;;
*) die "usage: run.sh [check] | run.sh shell SCENARIO [KERNEL]" ;;
esac
for s in $SCENARIOS; do
	case $s in single | xen | virtio) ;; *) die "unknown scenario '$s' (single xen virtio)" ;; esac
done

T0=$(now)
mkdir -p "$LAB_CACHE"
# One run at a time, first come first served: flock alone lets a late
# waiter overtake earlier ones, so runs queue by arrival in $LAB_CACHE/queue
# (entries of dead runs are dropped) and then take the lock.
LAB_QUEUE=$LAB_CACHE/queue
mkdir -p "$LAB_QUEUE"
LAB_TICKET=$(date +%s%N)-$$
: >"$LAB_QUEUE/$LAB_TICKET"
lab_queue_head() {
	local t
	for t in $(ls "$LAB_QUEUE" | sort -n); do
		if kill -0 "${t##*-}" 2>/dev/null; then echo "$t"; return; fi
		rm -f "$LAB_QUEUE/$t"
	done
}
waited=0
until [ "$(lab_queue_head)" = "$LAB_TICKET" ]; do
	[ $waited = 1 ] || log "other lab runs are queued before this one; waiting"
	waited=1
	sleep 1
done
exec 9>"$LAB_CACHE/.lock"
flock -n 9 || { log "another lab run holds $LAB_CACHE/.lock; waiting"; flock 9; }
RUN_DIR=$LAB_CACHE/runs/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$RUN_DIR"
# keep the last LAB_KEEP_RUNS passed runs and as many failed ones
for kind in passed failed; do
	for r in "$LAB_CACHE"/runs/*/; do
		[ -d "$r" ] && [ "$r" != "$RUN_DIR/" ] || continue
		if [ -e "$r/FAILED" ]; then [ $kind = failed ] && echo "$r"; else [ $kind = passed ] && echo "$r"; fi
	done | sort | head -n -"${LAB_KEEP_RUNS:-10}" | xargs -r rm -rf
done

# never leave a background helper (vhost-stub, QEMU) behind on ^C or errors
kill_tree() { local c; for c in $(pgrep -P "$1"); do kill_tree "$c"; done; kill "$1" 2>/dev/null; }
trap 'for j in $(jobs -p); do kill_tree "$j"; done; rm -f "$LAB_QUEUE/$LAB_TICKET"' EXIT
trap 'exit 130' INT TERM

host_deps
# drop cached kernels/builds whose headers are gone (the ABI moved on)
for kd in "$LAB_CACHE"/kernels/* "$LAB_CACHE"/build/*; do
	[ -d "$kd" ] && [ ! -d "/usr/src/linux-headers-${kd##*/}" ] && rm -rf "$kd"
done
LAB_ROOT=$("$LAB_DIR/lib/rootfs.sh") || die "building the lab root failed"
export LAB_ROOT	# bench/Makefile builds hdmabuf-bench against it (LAB_GUEST_MAKE=bench-guest)
[ -x "$LAB_ROOT/usr/bin/qemu-system-x86_64" ] || die "no QEMU in $LAB_ROOT"
build_helpers
log "setup done in $(elapsed "$T0") s (root $LAB_ROOT, run dir $RUN_DIR)"

summary=()
total_pass=0 total_fail=0 any_fail=0
for k in $KERNELS; do
	kernel_prepare "$k"
	build_for_kernel
	for s in $SCENARIOS; do
		out=$RUN_DIR/$s-$k
		mkdir -p "$out"
		: >"$out/host.tap"
		if [ "$BUILD_OK" != 1 ]; then
			echo "not ok - build of the project for $KVER failed, log $BUILD_LOG" >>"$out/host.tap"
		fi
		log "=== scenario $s, kernel $KVER ==="
		ts=$(now)
		"scen_$s" "$out" "$mode"
		[ "$mode" = shell ] && exit 0
		check_roles "$out"
		wall=$(elapsed "$ts")
		p=$(grep -c '^ok' "$out/results.tap")
		f=$(grep -c '^not ok' "$out/results.tap")
		sk=$(grep -c '^ok.*# SKIP' "$out/results.tap")
		total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
		sed 's/^/    /' "$out/results.tap"
		if [ "$f" = 0 ]; then
			st=PASS
		else
			st=FAIL any_fail=1
		fi
		summary+=("$(printf '%-7s %-6s %-4s %3d passed %3d failed %2d skipped %7s s  %s' "$s" "$k" "$st" "$p" "$f" "$sk" "$wall" "$([ "$st" = FAIL ] && echo "logs: $out")")")
		log "scenario $s/$k: $st in $wall s"
	done
done
echo
echo "== hyper_dmabuf lab summary (run dir $RUN_DIR, total $(elapsed "$T0") s) =="
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed"
[ $any_fail = 0 ] && [ $total_fail = 0 ] && exit 0
touch "$RUN_DIR/FAILED"
exit 1
