#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs every hyper_dmabuf selftest binary (kselftest harness, TAP) and ends
# with the project's summary line "N passed, N failed, N skipped".  POSIX
# sh, for the lab's busybox guest; run as root.
#
# Binaries are looked for next to this script, then in ./build below it.
# Environment:
#   HDMABUF_MODDIR  directory holding hyper_dmabuf.ko and
#                   hyper_dmabuf_loopback.ko: used to load the modules when
#                   /dev/hyper_dmabuf is missing (unloaded again at the end)
#                   and by the rmmod test (skipped without it).
#   HDMABUF_TESTS   space-separated subset of the binaries to run.
#   HDMABUF_NO_LOAD=1  never load or unload modules nor mount debugfs
#                   (dry runs on a host).

here=$(cd "$(dirname "$0")" && pwd)
bindir=$here
[ -x "$bindir/frontend_ioctl" ] || bindir=$here/build
tests=${HDMABUF_TESTS:-"frontend_ioctl frontend_roundtrip frontend_events frontend_lifecycle frontend_exporters frontend_fence frontend_peer frontend_leak"}

passed=0
failed=0
skipped=0
loaded=""

find_ko() {
	for f in "$HDMABUF_MODDIR/$1.ko" "$HDMABUF_MODDIR/frontend/$1.ko" \
		 "$HDMABUF_MODDIR/backends/loopback/$1.ko"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# debugfs holds the stats and the loopback fault knobs.
[ "$HDMABUF_NO_LOAD" = 1 ] || [ -n "$(ls /sys/kernel/debug 2>/dev/null)" ] ||
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

[ "$HDMABUF_NO_LOAD" = 1 ] && HDMABUF_MODDIR_LOAD="" || HDMABUF_MODDIR_LOAD=$HDMABUF_MODDIR
if [ ! -e /dev/hyper_dmabuf ] && [ -n "$HDMABUF_MODDIR_LOAD" ]; then
	if ko=$(find_ko hyper_dmabuf) && insmod "$ko"; then
		loaded="hyper_dmabuf"
		if ko=$(find_ko hyper_dmabuf_loopback) && insmod "$ko"; then
			loaded="hyper_dmabuf_loopback $loaded"
		fi
	fi
	i=0
	while [ ! -e /dev/hyper_dmabuf ] && [ $i -lt 50 ]; do
		sleep 0.1 2>/dev/null || sleep 1
		i=$((i + 1))
	done
fi
if [ -e /sys/module/hyper_dmabuf ] && [ ! -e /sys/module/hyper_dmabuf_loopback ] &&
   [ -n "$HDMABUF_MODDIR_LOAD" ] && ko=$(find_ko hyper_dmabuf_loopback); then
	insmod "$ko" && loaded="hyper_dmabuf_loopback $loaded"
fi
[ -d /sys/module/vgem ] || [ "$HDMABUF_NO_LOAD" = 1 ] || modprobe vgem 2>/dev/null ||
	echo "# vgem could not be loaded: buffer tests will be skipped"

out=${TMPDIR:-/tmp}/hdmabuf_selftest.$$
for t in $tests; do
	echo "# selftest: $t"
	if [ ! -x "$bindir/$t" ]; then
		echo "# FAIL: $t: binary missing in $bindir"
		failed=$((failed + 1))
		continue
	fi
	"$bindir/$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	# ok / ok # SKIP / not ok lines, the plan, and tests that never reported.
	set -- $(awk '
		/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0 }
		/^ok [0-9]+ # SKIP/ { s++; next }
		/^ok [0-9]+/ { p++; next }
		/^not ok [0-9]+/ { f++; next }
		END { printf "%d %d %d %d\n", p, f, s, plan }' "$out")
	p=$1 f=$2 s=$3 plan=$4
	missing=$((plan - p - f - s))
	[ $missing -gt 0 ] || missing=0
	if [ $missing -gt 0 ]; then
		echo "# $t: $missing planned tests did not report (exit $rc)"
	elif [ $rc -ne 0 ] && [ $f -eq 0 ]; then
		echo "# $t: exited $rc without a failing test"
		missing=1
	fi
	passed=$((passed + p))
	failed=$((failed + f + missing))
	skipped=$((skipped + s))
	echo "# $t: $p passed, $((f + missing)) failed, $s skipped (exit $rc)"
done
rm -f "$out"

for m in $loaded; do
	rmmod "$m" 2>/dev/null || echo "# could not unload $m"
done

echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
