# Helpers for the Xen lifecycle tests (xen/*/6x-*.sh, 8x-*.sh, 9x-*.sh):
# buffers cross domains through tests/xen/xlife (see its header for the
# steps); the roles meet on xenstore keys under /lab/xl/.
. /lab/xen/xch.sh
XL_PAGES=/sys/kernel/debug/hyper_dmabuf_xen_pages/stats
XL_CORE=/sys/kernel/debug/hyper_dmabuf/stats

# xl_pstat NAME / xl_cstat NAME: a counter of the backend's page sharing /
# of the core
xl_pstat() { sed -n "s/^$1 //p" $XL_PAGES; }
xl_cstat() { sed -n "s/^$1 //p" $XL_CORE; }
# xl_counts: the counters that must come back after a test, on one line
xl_counts() {
	echo "live_grants=$(xl_pstat live_grants) deferred=$(xl_pstat deferred) live_map_pages=$(xl_pstat live_map_pages) live_umap_pages=$(xl_pstat live_umap_pages) live_exports=$(xl_cstat live_exports) live_imports=$(xl_cstat live_imports) live_offers=$(xl_cstat live_offers) live_sources=$(xl_cstat live_sources)"
}
# xl_id ROLE: the domid of a role
xl_id() {
	case $1 in
	dom0) echo 0 ;;
	*) if [ "$LAB_ROLE" = dom0 ]; then xl domid "$1"; else lab_kv_wait "xch/$1/domid" 120; fi ;;
	esac
}
# xl_setup PEER_ROLE: modules loaded, the channel with PEER_ROLE up; sets $peer
xl_setup() {
	xch_load || { echo "xl: loading the modules failed"; return 1; }
	[ "$LAB_ROLE" = dom0 ] && { lab_modprobe vgem || { echo "xl: no vgem"; return 1; }; }
	peer=$(xl_id "$1") || { echo "xl: no domid for $1"; return 1; }
	xch_wait_connected "$peer" 90 || { echo "xl: channel with $1 (dom$peer) not up: $(xch_line $peer)"; return 1; }
}
# xl_wait_file FILE SECONDS PID: until FILE exists (fails if PID exits first)
xl_wait_file() {
	lab_wait_for "$2" sh -c "test -e $1 || ! kill -0 $3" && test -e "$1"
}
# xl_put KEY FILE: publish the handles of FILE (one line, space separated)
xl_put() { lab_kv_set "xl/$1" "$(tr '\n' ' ' < "$2")"; }
# xl_get KEY FILE [SECONDS]: the handles published at KEY, one per line
xl_get() {
	_v=$(lab_kv_wait "xl/$1" "${3:-120}") || return 1
	echo $_v | tr ' ' '\n' | grep . > "$2"
}
# xl_result NAME OUT RC DESC: one result from an xlife run and its output
xl_result() {
	if [ "$3" = 0 ]; then
		lab_ok "$4"
	else
		lab_notok "$4 (rc=$3): $(grep -E '^FAIL' "$2" | head -n 3 | tr '\n' ' ')"
		cat "$2"
		return 1
	fi
}
# xl_gauges_back CONTEXT: the page-sharing gauges return to 0 (the deferred
# reclaim retries every second)
xl_gauges_back() {
	lab_wait_for 30 sh -c "[ \$(sed -n 's/^live_grants //p' $XL_PAGES) = 0 ] && [ \$(sed -n 's/^deferred //p' $XL_PAGES) = 0 ] && [ \$(sed -n 's/^live_map_pages //p' $XL_PAGES) = 0 ] && [ \$(sed -n 's/^live_umap_pages //p' $XL_PAGES) = 0 ]"
	_r=$?
	if [ $_r = 0 ]; then lab_ok "$1: $(xl_counts)"; else lab_notok "$1: $(xl_counts)"; fi
	return $_r
}
