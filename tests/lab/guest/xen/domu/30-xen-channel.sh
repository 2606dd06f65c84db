# Xen backend control channels, domU side (see dom0/30-xen-channel.sh):
# our channel with dom0 comes up; the other domU is refused until dom0
# allows the pair, then that channel comes up; a storm of requests to dom0
# (more than the ring holds) is answered in full; domu1 sends a corrupt
# message to dom0, domu2 survives an absurd index from dom0 and unloads and
# reloads its module.
. /lab/xen/xch.sh
rc=0
lab_tap "hyper_dmabuf_xen loads" xch_load || exit 1
me=$(xch_domid)
if xch_wait_connected 0 90 && [ "$(xch_store_states $me 0)" = 4/4 ]; then
	lab_ok "channel with dom0 connected ($(xch_line 0))"
else
	lab_notok "channel with dom0: '$(xch_line 0)' store $(xch_store_states $me 0)"; rc=1
fi
# through the core: an export to dom0 makes it say HELLO over the channel
xch_peer -t 60 0 export up > /tmp/xp-up.out 2>&1
case $? in
0) lab_ok "core: PEER_UP from dom0 after an export ($(grep '^export' /tmp/xp-up.out))" ;;
77) lab_log "no dma-heap: core PEER_UP check skipped" ;;
*) lab_notok "core: no PEER_UP from dom0: $(tr '\n' ' ' < /tmp/xp-up.out)"; rc=1 ;;
esac
case $LAB_ROLE in domu1) other=domu2 ;; *) other=domu1 ;; esac
od=$(lab_kv_wait xch/$other/domid 120) || exit 1

# not allowed yet: no channel, sending is refused
if [ -z "$(xch_line $od)" ] && ! echo "$od 1" > $XCH_DBG/storm 2>/dev/null; then
	lab_ok "dom$od not allowed: no channel, sending refused"
else
	lab_notok "dom$od not allowed but: '$(xch_line $od)'"; rc=1
fi
lab_kv_set xch/$LAB_ROLE/unallowed 1
[ $LAB_ROLE = domu1 ] && { lab_kv_wait xch/domu2/unallowed 120 >/dev/null; lab_kv_set xch/unallowed-checked 1; }
lab_kv_wait xch/allowed 180 >/dev/null || exit 1
if xch_wait_connected $od 90; then
	lab_ok "channel with dom$od connected after xen-allow ($(xch_line $od))"
else
	lab_notok "channel with dom$od after xen-allow: '$(xch_line $od)'"; rc=1
fi

# both domUs storm each other at once: each side's receive work answers
# requests while its own sender waits for room (no deadlock, nothing lost)
n=2000
r0=$(xch_count $od rx_msgs)
lab_kv_set xch/cross/$LAB_ROLE 1
lab_kv_wait xch/cross/$other 120 >/dev/null || rc=1
t0=$(lab_uptime)
if echo "$od $n" > $XCH_DBG/storm && xch_wait_count $od rx_msgs $((r0 + 2 * n)) 60; then
	lab_ok "cross storm with dom$od: $n requests each way, all answered in $(echo "$(lab_uptime) $t0" | awk '{ printf "%.2f", $1 - $2 }') s ($(xch_line $od))"
else
	lab_notok "cross storm with dom$od: $(xch_line $od), expected rx_msgs >= $((r0 + 2 * n))"; rc=1
fi
lab_kv_set xch/cross-done/$LAB_ROLE 1
lab_kv_wait xch/cross-done/$other 120 >/dev/null || rc=1

# storm: N requests back to back, more than fit in the 32 KiB ring
n=2000
r0=$(xch_count 0 rx_msgs)
t0=$(lab_uptime)
if echo "0 $n" > $XCH_DBG/storm && xch_wait_count 0 rx_msgs $((r0 + n)) 60; then
	lab_ok "storm: $n requests to dom0 all answered in $(echo "$(lab_uptime) $t0" | awk '{ printf "%.2f", $1 - $2 }') s ($(xch_line 0))"
else
	lab_notok "storm: $(xch_line 0), expected rx_msgs >= $((r0 + n))"; rc=1
fi
# (dom0 corrupts domu2's ring only after this storm)
lab_kv_set xch/$LAB_ROLE/storm-done 1

if [ $LAB_ROLE = domu1 ]; then
	lab_kv_wait xch/dom0/bad-len-armed 120 >/dev/null || rc=1
	c0=$(xch_count 0 connects)
	echo 1 > $XCH_DBG/fault_bad_len
	echo "0 1" > $XCH_DBG/storm
	lab_kv_set xch/domu1/bad-len-sent 1
	if xch_wait_count 0 connects $((c0 + 1)) 60 && xch_wait_connected 0 30; then
		lab_ok "after our corrupt message dom0 dropped the channel, reconnected ($(xch_line 0))"
	else
		lab_notok "after our corrupt message: $(xch_line 0)"; rc=1
	fi
else
	lab_kv_wait xch/dom0/bad-prod-sent 180 >/dev/null || rc=1
	if xch_wait_count 0 rx_bad 1 30 && xch_wait_connected 0 60; then
		lab_ok "absurd index from dom0 detected, channel rebuilt ($(xch_line 0))"
	else
		lab_notok "absurd index from dom0: $(xch_line 0)"; rc=1
	fi
	rmmod hyper_dmabuf_xen || { lab_notok "rmmod hyper_dmabuf_xen"; rc=1; }
	st=$(xenstore-read /local/domain/$me/data/hyper_dmabuf/0/state)
	[ "$st" = 6 ] && lab_ok "unloaded: our state is Closed (6)" || { lab_notok "unloaded: state '$st'"; rc=1; }
	lab_kv_set xch/domu2/unloaded 1
	lab_kv_wait xch/dom0/saw-unload 120 >/dev/null || rc=1
	insmod $XCH_KO || { lab_notok "reload"; rc=1; }
	if xch_wait_connected 0 90; then
		lab_ok "reloaded: channel with dom0 connected again ($(xch_line 0))"
	else
		lab_notok "reloaded: $(xch_line 0)"; rc=1
	fi
fi
lab_kv_set xch/$LAB_ROLE/done 1
# end with every channel up (domu2's reload restarted ours with it): the
# tests that follow share pages over them
lab_kv_wait xch/$other/done 180 >/dev/null || rc=1
if xch_wait_connected 0 90 && xch_wait_connected $od 90; then
	lab_ok "channels with dom0 and dom$od up at the end"
else
	lab_notok "at the end: dom0 '$(xch_line 0)', dom$od '$(xch_line $od)'"; rc=1
fi
cat $XCH_DBG/channels
exit $rc
