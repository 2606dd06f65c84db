# Xen backend, peer death: once domu2 finished its tests, `xl destroy` it
# while dom0's core is connected to it.  dom0 must report PEER_DOWN, forget
# the domain on @releaseDomain, and unmap domu2's ring so that Xen can free
# the domain (a dom0 that kept a grant mapping would leave a zombie domain
# behind, listed by `xl list` forever).  Runs last: the lab's teardown then
# finds domu2 gone.
. /lab/xen/xch.sh
[ -d /sys/module/hyper_dmabuf_xen ] || xch_load || exit 1
d2=$(xl domid domu2) || { echo "domu2 is not running"; exit 1; }
xch_wait_connected $d2 60 || { echo "no channel with dom$d2: $(xch_line $d2)"; exit 1; }
# its tests and log are complete once its console says @@END
# (poll slowly: dom0 shares the CPUs with the domUs)
n=240
until grep -q "^@@END domu2" /var/log/xen/console/guest-domu2.log 2>/dev/null; do
	n=$((n - 1)); [ $n -gt 0 ] || { echo "domu2 did not finish"; exit 1; }
	sleep 1
done
rc=0
rm -f /tmp/xd-ready
xch_peer -t 120 $d2 export up sync /tmp/xd-ready down > /tmp/xd.out 2>&1 &
xp=$!
lab_wait_for 60 sh -c "test -e /tmp/xd-ready || ! kill -0 $xp"
t0=$(lab_uptime)
xl destroy domu2 || { echo "xl destroy failed"; exit 1; }
if lab_wait_for 60 sh -c "[ -z \"\$(. /lab/xen/xch.sh; xch_line $d2)\" ]"; then
	lab_ok "destroyed dom$d2: channel removed after $(echo "$(lab_uptime) $t0" | awk '{ printf "%.1f", $1 - $2 }') s"
else
	lab_notok "destroyed dom$d2: channel still $(xch_line $d2)"; rc=1
fi
wait $xp
case $? in
0) lab_ok "core: PEER_DOWN from destroyed dom$d2" ;;
77) lab_log "no dma-heap: core PEER_DOWN check skipped" ;;
*) lab_notok "core: PEER_DOWN from destroyed dom$d2: $(tr '\n' ' ' < /tmp/xd.out)"; rc=1 ;;
esac
# no zombie: Xen frees the domain only when nobody maps its pages any more
if lab_wait_for 30 sh -c "! xl list | awk '{ print \$2 }' | grep -qx $d2"; then
	lab_ok "dom$d2 fully gone (no zombie: its ring is unmapped)"
else
	lab_notok "dom$d2 still listed after destroy: $(xl list | awk -v d=$d2 '$2 == d')"; rc=1
fi
cat $XCH_DBG/channels
exit $rc
