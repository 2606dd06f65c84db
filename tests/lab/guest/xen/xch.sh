# Helpers for the Xen backend channel tests (sourced by xen/*/3x-*.sh).
# Channel state comes from debugfs hyper_dmabuf_xen/channels, one line per
# peer: "PEER ROLE STATE INSTANCE tx_msgs=N ... connects=N resets=N".
XCH_DBG=/sys/kernel/debug/hyper_dmabuf_xen
XCH_KO=$LAB_KO/hyper_dmabuf_xen.ko

xch_load() {
	[ -f "$XCH_KO" ] || { echo "hyper_dmabuf_xen.ko was not built"; return 1; }
	[ -d /sys/module/hyper_dmabuf ] || insmod $LAB_KO/hyper_dmabuf.ko || return 1
	[ -d /sys/module/hyper_dmabuf_xen ] || insmod "$XCH_KO"
}
xch_line() { grep "^$1 " $XCH_DBG/channels 2>/dev/null; }
xch_state() { xch_line "$1" | cut -d' ' -f3; }
xch_instance() { xch_line "$1" | cut -d' ' -f4; }
xch_connected() { [ "$(xch_state "$1")" = connected ]; }
# xch_count PEER NAME: one counter of the channel with PEER
xch_count() { xch_line "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
# xch_wait_connected PEER SECONDS
xch_wait_connected() { lab_wait_for "$2" xch_connected "$1"; }
# xch_wait_count PEER NAME MIN SECONDS: until the counter reaches MIN
xch_count_ge() { [ "$(xch_count "$1" "$2")" -ge "$3" ] 2>/dev/null; }
xch_wait_count() { lab_wait_for "$4" xch_count_ge "$1" "$2" "$3"; }
# the xenstore state keys of the pair (hi writes state, lo backend-state)
xch_store_states() {
	_hi=$1; _lo=$2
	echo "$(xenstore-read /local/domain/$_hi/data/hyper_dmabuf/$_lo/state 2>/dev/null)/$(xenstore-read /local/domain/$_hi/data/hyper_dmabuf/$_lo/backend-state 2>/dev/null)"
}
xch_domid() { xenstore-read domid; }
