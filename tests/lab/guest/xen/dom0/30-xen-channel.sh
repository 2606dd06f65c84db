# Xen backend control channels, dom0 side (domu/30-xen-channel.sh is the
# other half): the module loads; the channel with every domU comes up by
# itself (debugfs state, XenbusState 4/4 in the store); dom0 then allows
# domu1<->domu2 the way `hyperdmabuf-ctl xen-allow` does; a corrupt ring
# from a domU makes dom0 drop and rebuild that channel; dom0 corrupts its
# own ring to domu2, which must do the same; domu2 unloading its module is
# seen as the peer leaving, and its reload reconnects.  Ends with every
# channel up, for the tests that follow.
. /lab/xen/xch.sh
rc=0
lab_tap "hyper_dmabuf_xen loads" xch_load || exit 1
domus=""
for d in $LAB_ROLES; do
	[ "$d" = dom0 ] && continue
	id=$(xl domid $d) || { lab_notok "no domid for $d"; exit 1; }
	domus="$domus $id"
	eval "id_$d=$id"
	lab_kv_set "xch/$d/domid" "$id"
done
for id in $domus; do
	if xch_wait_connected $id 90 && [ "$(xch_store_states $id 0)" = 4/4 ]; then
		lab_ok "channel dom0<->dom$id connected ($(xch_line $id))"
	else
		lab_notok "channel dom0<->dom$id not connected: '$(xch_line $id)' store $(xch_store_states $id 0)"; rc=1
	fi
done

# xen-allow domu1 domu2: pair directory in the higher domain's area,
# writable by the lower one, readable by both; then the allow keys.
lo=$id_domu1; hi=$id_domu2
[ "$lo" -lt "$hi" ] || { lo=$id_domu2; hi=$id_domu1; }
lab_kv_wait xch/unallowed-checked 120 >/dev/null || rc=1
p=/local/domain/$hi/data/hyper_dmabuf/$lo
xenstore-write $p "" && xenstore-chmod $p n$hi b$lo r$hi &&
	xenstore-write /local/domain/$lo/data/hyper_dmabuf/allow/$hi "" &&
	xenstore-write /local/domain/$hi/data/hyper_dmabuf/allow/$lo "" ||
	{ lab_notok "writing the allow nodes"; rc=1; }
lab_kv_set xch/allowed 1
if lab_wait_for 90 sh -c "[ \"\$(. /lab/xen/xch.sh; xch_store_states $hi $lo)\" = 4/4 ]"; then
	lab_ok "channel dom$lo<->dom$hi connected after xen-allow (store 4/4)"
else
	lab_notok "channel dom$lo<->dom$hi: store $(xch_store_states $hi $lo)"; rc=1
fi

# domu1 sends a message with an oversized length: we drop, then reconnect.
d1=$id_domu1
c0=$(xch_count $d1 connects)
lab_kv_set xch/dom0/bad-len-armed 1
lab_kv_wait xch/domu1/bad-len-sent 120 >/dev/null || rc=1
if xch_wait_count $d1 rx_bad 1 30 && xch_wait_count $d1 connects $((c0 + 1)) 60 &&
   xch_wait_connected $d1 30; then
	lab_ok "corrupt message from dom$d1 dropped the channel, then it reconnected ($(xch_line $d1))"
else
	lab_notok "corrupt message from dom$d1: $(xch_line $d1)"; rc=1
fi
lab_kv_set xch/dom0/bad-len-seen 1

# we publish an absurd producer index to domu2; it must drop and reconnect.
d2=$id_domu2
# (not while domu2's own storm to us is running: it counts every reply)
lab_kv_wait xch/domu2/storm-done 120 >/dev/null || rc=1
c0=$(xch_count $d2 connects)
echo 1 > $XCH_DBG/fault_bad_prod
echo "$d2 1" > $XCH_DBG/storm || { lab_notok "storm to dom$d2"; rc=1; }
if xch_wait_count $d2 connects $((c0 + 1)) 60 && xch_wait_connected $d2 30; then
	lab_ok "absurd index sent to dom$d2: it dropped the channel and it reconnected ($(xch_line $d2))"
else
	lab_notok "absurd index sent to dom$d2: $(xch_line $d2)"; rc=1
fi
# a core peer of domu2 (HELLO through an export), to see its PEER_DOWN
rm -f /tmp/xp-ready
xch_peer -t 150 $d2 export up sync /tmp/xp-ready down > /tmp/xp-down.out 2>&1 &
xp=$!
lab_wait_for 60 sh -c "test -e /tmp/xp-ready || ! kill -0 $xp"
lab_kv_set xch/dom0/bad-prod-sent 1

# domu2 unloads its backend: we see it leave, then come back.
lab_kv_wait xch/domu2/unloaded 120 >/dev/null || rc=1
if lab_wait_for 30 sh -c "! (. /lab/xen/xch.sh; xch_connected $d2)"; then
	lab_ok "dom$d2 unloading its module dropped the channel ($(xch_line $d2))"
else
	lab_notok "dom$d2 unloaded, channel still: $(xch_line $d2)"; rc=1
fi
lab_kv_set xch/dom0/saw-unload 1
wait $xp
case $? in
0) lab_ok "core: PEER_UP then PEER_DOWN from dom$d2 around its unload" ;;
77) lab_log "no dma-heap: core PEER_DOWN check skipped" ;;
*) lab_notok "core: PEER_UP/PEER_DOWN from dom$d2: $(tr '\n' ' ' < /tmp/xp-down.out)"; rc=1 ;;
esac
if xch_wait_connected $d2 90; then
	lab_ok "dom$d2 reloaded: channel reconnected ($(xch_line $d2))"
else
	lab_notok "dom$d2 reloaded, channel: $(xch_line $d2)"; rc=1
fi
lab_kv_wait xch/domu1/done 180 >/dev/null || rc=1
lab_kv_wait xch/domu2/done 180 >/dev/null || rc=1
# the modules stay loaded and every channel up: the tests that follow
# share pages over them (unloading is tested in domu2 above)
for id in $domus; do
	xch_wait_connected $id 90 || { lab_notok "at the end, channel with dom$id: $(xch_line $id)"; rc=1; }
done
cat $XCH_DBG/channels
exit $rc
