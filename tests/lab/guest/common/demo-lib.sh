# Helpers of the importd / compositor / demo tests (sourced; busybox sh).
DEMO_TESTS=/opt/hdmabuf/demo-tests

# demo_load [loopback]: the core module (+ loopback backend) and vgem;
# DEMO_LOADED lists what demo_unload removes again.
demo_load() {
	DEMO_LOADED=
	if [ ! -d /sys/module/hyper_dmabuf ]; then
		insmod $LAB_KO/hyper_dmabuf.ko || return 1
		DEMO_LOADED=hyper_dmabuf
	fi
	if [ "$1" = loopback ] && [ ! -d /sys/module/hyper_dmabuf_loopback ]; then
		insmod $LAB_KO/hyper_dmabuf_loopback.ko || return 1
		DEMO_LOADED="hyper_dmabuf_loopback $DEMO_LOADED"
	fi
	lab_modprobe vgem || return 1
	lab_wait_for 5 test -c /dev/hyper_dmabuf
}

demo_unload() {
	for _m in $DEMO_LOADED; do rmmod $_m || echo "demo_unload: rmmod $_m failed"; done
	DEMO_LOADED=
}

# demo_importd_start LOG ARGS...: the daemon in the background; returns
# once it has scanned the existing offers (its "ready" line).
demo_importd_start() {
	_log=$1; shift
	hyper_dmabuf-importd "$@" >"$_log" 2>&1 &
	IMPORTD_PID=$!
	lab_wait_for 10 grep -q ': ready:' "$_log"
}

# demo_importd_stop: SIGTERM; returns the daemon's exit status
demo_importd_stop() {
	kill "$IMPORTD_PID" 2>/dev/null
	wait "$IMPORTD_PID"
}

# demo_check_pngs DIR N: N files frame-*.png in DIR, file i pixel-exact frame i
demo_check_pngs() {
	_n=$(ls "$1"/frame-*.png 2>/dev/null | wc -l)
	[ "$_n" = "$2" ] || { echo "demo_check_pngs: $_n PNGs in $1, expected $2"; return 1; }
	_i=0 _bad=0
	for _f in "$1"/frame-*.png; do
		hyperdmabuf-pattern-check $_i "$_f" >/dev/null || _bad=$((_bad + 1))
		_i=$((_i + 1))
	done
	[ $_bad = 0 ] || { echo "demo_check_pngs: $_bad of $2 PNGs differ from the pattern"; return 1; }
}
