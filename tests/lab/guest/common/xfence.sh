# Sessions of xfence (tests/xen/fence.c), the cross-VM fence test helper,
# for the Xen (xen/xf.sh) and virtio (virtio/vm/45-virtio-fence.sh) tests:
# each side runs xfence fed through a FIFO.
XF_DBG=/sys/kernel/debug/hyper_dmabuf
XF_PARAM=/sys/module/hyper_dmabuf/parameters
# the producer's delay: the other domain must wait at least this long
XF_DELAY=1000
# fenced frames of the many-frames tests
XF_FRAMES=10000
# fence round trips between two domains
XF_PINGS=50

# xf_stat NAME: a core counter
xf_stat() { sed -n "s/^$1 //p" $XF_DBG/stats; }
# xf_rx BACKEND:DOMID: "LAST PENDING" of that peer's fence timeline towards us
xf_rx() {
	sed -n "s/^peer $1 own [0-9]*: rx context [0-9]* last \([0-9]*\) pending \([0-9]*\)\$/\1 \2/p" $XF_DBG/fences
}

# xf_timeout MS: set fence_timeout_ms (how long our proxies of a peer's
# fences may stay pending); the first call saves the value xf_restore puts back
xf_timeout() {
	[ -n "$XF_SAVED_TIMEOUT" ] || XF_SAVED_TIMEOUT=$(cat $XF_PARAM/fence_timeout_ms)
	echo "$1" > $XF_PARAM/fence_timeout_ms
}
xf_restore() { [ -z "$XF_SAVED_TIMEOUT" ] || echo "$XF_SAVED_TIMEOUT" > $XF_PARAM/fence_timeout_ms; }

# xf_start NAME FD: a background xfence reading commands from a FIFO
# written through file descriptor FD (3..9); output in /tmp/xf-NAME.out
xf_start() {
	trap '' PIPE	# a session that failed and exited must not kill us
	rm -f /tmp/xf-$1.in /tmp/xf-$1.out
	mkfifo /tmp/xf-$1.in || return 1
	xfence - < /tmp/xf-$1.in > /tmp/xf-$1.out 2>&1 &
	eval "xf_pid_$1=$!"
	eval "exec $2>/tmp/xf-$1.in"
}
xf_results() { grep -cE '^(ok|FAIL) ' /tmp/xf-$1.out; }
# xf_send NAME FD COMMAND...: send one command, do not wait for it
xf_send() {
	_n=$1; _fd=$2; shift 2
	eval "xf_c_$_n=$(xf_results $_n)"
	eval "xf_w_$_n=$(grep -c '^waiting$' /tmp/xf-$_n.out)"
	echo "$*" >&$_fd
}
# xf_waiting NAME SECS: the "wait" command sent last is polling now
xf_waiting() {
	eval "_w=\$xf_w_$1"
	lab_wait_for "$2" sh -c "[ \$(grep -c '^waiting\$' /tmp/xf-$1.out) -gt $_w ]"
}
# xf_done NAME SECS: wait for the result of the command sent last; fails
# on FAIL or timeout
xf_done() {
	_t=$(($2 * 5))
	eval "_c=\$xf_c_$1"
	eval "_p=\$xf_pid_$1"
	while [ "$(xf_results $1)" -le "$_c" ]; do
		_t=$((_t - 1))
		[ $_t -gt 0 ] || { echo "xf: '$1' got no answer within $2 s"; return 1; }
		kill -0 $_p 2>/dev/null || { echo "xf: '$1' exited"; return 1; }
		sleep 0.2
	done
	! grep -qE '^FAIL ' /tmp/xf-$1.out
}
# xf NAME FD SECS COMMAND...: run one command and wait for its result
xf() { _n=$1; _fd=$2; _s=$3; shift 3; xf_send $_n $_fd "$@"; xf_done $_n $_s; }
# xf_val NAME PREFIX: what follows PREFIX on the session's last such line
xf_val() { sed -n "s/^$2 //p" /tmp/xf-$1.out | tail -n 1; }
# xf_why NAME: the session's failure line, or its last lines
xf_why() { grep -m1 '^FAIL ' /tmp/xf-$1.out || tail -n 3 /tmp/xf-$1.out | tr '\n' ' '; }
# xf_end NAME FD: close the session's input and collect its status
xf_end() {
	eval "exec $2>&-"
	eval "wait \$xf_pid_$1"
}
