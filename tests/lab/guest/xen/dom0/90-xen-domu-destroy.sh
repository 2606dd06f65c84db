# Xen backend, peer death: once domu1 finished its tests, `xl destroy` it
# while dom0's core is connected to it and domu1 holds 100 of our buffers
# imported and mapped (domu1/89-xen-hold-for-destroy.sh).  dom0 must report PEER_DOWN, forget
# the domain on @releaseDomain, withdraw what it was allowed (domu2 then
# drops its channel with it: domu2/95-xen-peer-destroyed.sh), and unmap
# domu1's ring so that Xen can free the domain (a dom0 that kept a grant
# mapping would leave a zombie domain behind, listed by `xl list`); the 100
# exports must be revoked and every grant and page of them come back
# (counts printed before and after), and dom0 must stay healthy (no kernel
# warning; a new export to domu2 works: domu2/95-xen-peer-destroyed.sh).
# Runs last: the lab's teardown then finds domu1 gone.
. /lab/xen/xl.sh
[ -d /sys/module/hyper_dmabuf_xen ] || xch_load || exit 1
d1=$(xl domid domu1) || { echo "domu1 is not running"; exit 1; }
d2=$(xl domid domu2) || { echo "domu2 is not running"; exit 1; }
xch_wait_connected $d1 60 || { echo "no channel with dom$d1: $(xch_line $d1)"; exit 1; }
lab_modprobe vgem || exit 1
rc=0
rm -f /tmp/xl90*
# Its 100 exports each get a RELEASED event when domu1 dies, before the
# PEER_DOWN: more than the default event queue (64) holds, and a full
# queue turns later events into one OVERFLOW record (docs/uapi.rst).  The
# test is about the PEER_DOWN, so this file gets a deeper queue.
qd=/sys/module/hyper_dmabuf/parameters/event_queue_depth
qd0=$(cat $qd)
echo 512 > $qd
xlife -t 280 $d1 export 100 64K /tmp/xl90.h event peer-down state revoked > /tmp/xl90.out 2>&1 &
xh=$!
xl_wait_file /tmp/xl90.h 120 $xh || { cat /tmp/xl90.out; exit 1; }
echo "$qd0" > $qd	# (read when the file was opened)
xl_put 90/handles /tmp/xl90.h
if lab_kv_wait xl/90/held 240 >/dev/null; then
	lab_ok "domu1 holds 100 imports of 64 KiB: $(sed -n 's/^ok //p' /tmp/xl90.out)"
else
	lab_notok "domu1 did not import the 100 buffers"; rc=1
fi
before=$(xl_counts)
mem0=$(sed -n 's/^MemFree: *//p' /proc/meminfo)
# its tests and log are complete once its console says @@END
# (poll slowly: dom0 shares the CPUs with the domUs)
n=240
until grep -q "^@@END domu1" /var/log/xen/console/guest-domu1.log 2>/dev/null; do
	n=$((n - 1)); [ $n -gt 0 ] || { echo "domu1 did not finish"; exit 1; }
	sleep 1
done
rm -f /tmp/xd-ready
# (earlier tests may have connected the core to it already: no PEER_UP then)
xch_peer -t 120 $d1 export sync /tmp/xd-ready down > /tmp/xd.out 2>&1 &
xp=$!
lab_wait_for 60 sh -c "test -e /tmp/xd-ready || ! kill -0 $xp"
t0=$(lab_uptime)
xl destroy domu1 || { echo "xl destroy failed"; exit 1; }
if lab_wait_for 60 sh -c "[ -z \"\$(. /lab/xen/xch.sh; xch_line $d1)\" ]"; then
	lab_ok "destroyed dom$d1: channel removed after $(echo "$(lab_uptime) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
else
	lab_notok "destroyed dom$d1: channel still $(xch_line $d1)"; rc=1
fi
wait $xp
case $? in
0) lab_ok "core: PEER_DOWN from destroyed dom$d1" ;;
77) lab_log "no dma-heap: core PEER_DOWN check skipped" ;;
*) lab_notok "core: PEER_DOWN from destroyed dom$d1: $(tr '\n' ' ' < /tmp/xd.out)"; rc=1 ;;
esac
if lab_wait_for 30 sh -c "! xenstore-exists /local/domain/$d2/data/hyper_dmabuf/allow/$d1 && ! xenstore-exists /local/domain/$d2/data/hyper_dmabuf/$d1"; then
	lab_ok "dom$d1's allowance withdrawn in dom$d2's area"
else
	lab_notok "dom$d1's allowance still in dom$d2's area: $(xenstore-ls /local/domain/$d2/data/hyper_dmabuf 2>&1 | tr '\n' ' ')"; rc=1
fi
lab_kv_set xch/domu1/destroyed 1
# no zombie: Xen frees the domain only when nobody maps its pages any more
if lab_wait_for 30 sh -c "! xl list | awk '{ print \$2 }' | grep -qx $d1"; then
	lab_ok "dom$d1 fully gone (no zombie: its ring is unmapped)"
else
	lab_notok "dom$d1 still listed after destroy: $(xl list | awk -v d=$d1 '$2 == d')"; rc=1
fi
wait $xh
xl_result 90 /tmp/xl90.out $? "PEER_DOWN; our 100 exports to dom$d1 revoked" || rc=1
lab_log "before destroy: $before MemFree: $mem0"
xl_gauges_back "grants and pages of the 100 exports reclaimed (before destroy: $before)" || rc=1
lab_log "after: $(xl_counts) deferred_total=$(xl_pstat deferred_total) reclaimed_total=$(xl_pstat reclaimed_total) MemFree: $(sed -n 's/^MemFree: *//p' /proc/meminfo)"
if [ "$(xl_cstat live_exports)" = 0 ] && [ "$(xl_cstat live_sources)" = 0 ]; then
	lab_ok "no export or pinned source left (core)"
else
	lab_notok "core still holds: $(xl_counts)"; rc=1
fi
if dmesg | grep -qE 'BUG:|WARNING: CPU|Oops|general protection fault|refcount_t:'; then
	lab_notok "kernel warnings: $(dmesg | grep -E 'BUG:|WARNING: CPU|Oops|general protection fault|refcount_t:' | head -n 3 | tr '\n' ' ')"; rc=1
else
	lab_ok "no kernel warning in dom0's log"
fi
# healthy: a new buffer for domu2 is imported and released
xlife -t 120 $d2 export 1 64K /tmp/xl90h.h released 1 unexport > /tmp/xl90h.out 2>&1 &
xh=$!
xl_wait_file /tmp/xl90h.h 60 $xh || { cat /tmp/xl90h.out; exit 1; }
xl_put 90/health /tmp/xl90h.h
wait $xh
xl_result 90 /tmp/xl90h.out $? "after the destroy, a new export to dom$d2 was imported and released" || rc=1
cat $XCH_DBG/channels
exit $rc
