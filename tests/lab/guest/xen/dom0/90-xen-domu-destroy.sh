# Xen backend, peer death: once domu1 finished its tests, `xl destroy` it
# while dom0's core is connected to it.  dom0 must report PEER_DOWN, forget
# the domain on @releaseDomain, withdraw what it was allowed (domu2 then
# drops its channel with it: domu2/95-xen-peer-destroyed.sh), and unmap
# domu1's ring so that Xen can free the domain (a dom0 that kept a grant
# mapping would leave a zombie domain behind, listed by `xl list`).  Runs
# last: the lab's teardown then finds domu1 gone.
. /lab/xen/xch.sh
[ -d /sys/module/hyper_dmabuf_xen ] || xch_load || exit 1
d1=$(xl domid domu1) || { echo "domu1 is not running"; exit 1; }
d2=$(xl domid domu2) || { echo "domu2 is not running"; exit 1; }
xch_wait_connected $d1 60 || { echo "no channel with dom$d1: $(xch_line $d1)"; exit 1; }
# its tests and log are complete once its console says @@END
# (poll slowly: dom0 shares the CPUs with the domUs)
n=240
until grep -q "^@@END domu1" /var/log/xen/console/guest-domu1.log 2>/dev/null; do
	n=$((n - 1)); [ $n -gt 0 ] || { echo "domu1 did not finish"; exit 1; }
	sleep 1
done
rc=0
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
cat $XCH_DBG/channels
exit $rc
