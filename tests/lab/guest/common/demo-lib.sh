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

# demo_args: the demo's kernel arguments (make demo passes them through
# LAB_GUEST_ARGS): DEMO_MODE=1 under make demo (PNGs are sent to the host),
# DEMO_FRAMES (default 10 under make check), DEMO_FPS (0: unpaced),
# DEMO_SYNCS: the --sync modes to run, one after the other (make demo: the
# one DEMO_SYNC names; make check: both, release first, to compare them;
# demo.sync=fences:release picks the order; no commas: they separate
# the modules of a Xen boot).
demo_args() {
	DEMO_MODE=0 DEMO_FRAMES=10 DEMO_FPS=0 DEMO_SYNCS="release fences"
	for _w in $(cat /proc/cmdline); do
		case $_w in
		lab.demo=*) DEMO_MODE=${_w#*=} ;;
		demo.frames=*) DEMO_FRAMES=${_w#*=} ;;
		demo.fps=*) DEMO_FPS=${_w#*=} ;;
		demo.sync=*) DEMO_SYNCS=$(echo "${_w#*=}" | tr : ' ') ;;
		esac
	done
}

# demo_send_files FILE...: each file to the host on the console, base64
# between "@@FILE-BEGIN name size sha256" and "@@FILE-END name" (the host
# checks size and hash). A pause every 200 lines lets a slow console
# (Xen's serial) drain.
demo_send_files() {
	for _f in "$@"; do
		_b=$(basename "$_f")
		echo "@@FILE-BEGIN $_b $(wc -c <"$_f") $(sha256sum "$_f" | cut -d' ' -f1)"
		base64 "$_f" | {
			_i=0
			while read -r _l; do
				echo "$_l"
				_i=$((_i + 1))
				[ $((_i % 200)) = 0 ] && sleep 0.05
			done
		}
		echo "@@FILE-END $_b"
	done
}

# demo_result KEY VALUE...: one "@@DEMO key value" line for make demo
demo_result() { _k=$1; shift; echo "@@DEMO $_k $*"; }

# demo_load_xen: the core module and the Xen backend module(s)
# (hyper_dmabuf_xen*.ko); 77 (skip) when the backend is not built.
demo_load_xen() {
	DEMO_LOADED=
	ls $LAB_KO/hyper_dmabuf_xen*.ko >/dev/null 2>&1 || { echo "Xen backend not built: skip"; return 77; }
	if [ ! -d /sys/module/hyper_dmabuf ]; then
		insmod $LAB_KO/hyper_dmabuf.ko || return 1
		DEMO_LOADED=hyper_dmabuf
	fi
	for _ko in $LAB_KO/hyper_dmabuf_xen*.ko; do
		_n=$(basename "$_ko" .ko)
		[ -d /sys/module/$_n ] && continue
		insmod "$_ko" || return 1
		DEMO_LOADED="$_n $DEMO_LOADED"
	done
	lab_wait_for 5 test -c /dev/hyper_dmabuf
}

# demo_check_pngs_any DIR N: N PNGs in DIR that are frames 0..N-1 of the
# pattern in any order, each frame once (a start-up scan finds waiting
# offers in LIST order, which is not the order they were made in)
demo_check_pngs_any() {
	_n=$(ls "$1"/*.png 2>/dev/null | wc -l)
	[ "$_n" = "$2" ] || { echo "demo_check_pngs_any: $_n PNGs in $1, expected $2"; return 1; }
	_seen=" "
	for _f in "$1"/*.png; do
		_i=0
		while [ $_i -lt "$2" ]; do
			case "$_seen" in *" $_i "*) ;; *)
				hyperdmabuf-pattern-check $_i "$_f" >/dev/null 2>&1 && { _seen="$_seen$_i "; break; } ;;
			esac
			_i=$((_i + 1))
		done
		[ $_i -lt "$2" ] || { echo "demo_check_pngs_any: $_f is none of the frames left"; return 1; }
	done
}

# demo_check_importd WHAT LOG STATUS DIR N: importd (log LOG, exit status
# STATUS) consumed N frames, none rejected or failed, and DIR holds N
# PNGs, frame i pixel-exact in frame-i.png
demo_check_importd() {
	_r=0
	lab_tap "$1: importd consumed $5 frames, exit 0" \
		sh -c "[ $3 = 0 ] && grep -q '$5 frames consumed, 0 rejected, 0 failed' $2" || _r=1
	lab_tap "$1: $5 PNGs, frame i in frame-i.png, each pixel-exact" \
		demo_check_pngs "$4" "$5" || _r=1
	return $_r
}

# demo_tap_prog NAME CMD...: runs a TAP test program, relays each of its
# results as a lab result "NAME: ..."; returns its exit status
demo_tap_prog() {
	_n=$1; shift
	"$@" >/tmp/$_n.tap 2>&1
	_s=$?
	cat /tmp/$_n.tap
	sed -n "s/^ok [0-9]* - /$_n: /p" /tmp/$_n.tap | while read -r _l; do lab_ok "$_l"; done
	sed -n "s/^not ok [0-9]* - /$_n: /p" /tmp/$_n.tap | while read -r _l; do lab_notok "$_l"; done
	return $_s
}
