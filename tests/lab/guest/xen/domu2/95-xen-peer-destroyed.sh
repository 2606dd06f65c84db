# Xen backend, peer death seen by the survivor (see dom0/90-xen-domu-destroy.sh):
# dom0 destroys domu1, the lower domid of our pair, so nothing of it that we
# can read disappears except what dom0 withdraws; we must drop the channel
# (our ring granted to it ends, the core sees the peer go).
. /lab/xen/xl.sh
[ -d /sys/module/hyper_dmabuf_xen ] || { echo "hyper_dmabuf_xen not loaded"; exit 1; }
d1=$(lab_kv_get xch/domu1/domid) || exit 1
xch_wait_connected $d1 60 || { echo "no channel with dom$d1 before: $(xch_line $d1)"; exit 1; }
lab_kv_wait xch/domu1/destroyed 280 >/dev/null || { echo "dom0 did not destroy domu1"; exit 1; }
if lab_wait_for 30 sh -c "[ -z \"\$(. /lab/xen/xl.sh; xch_line $d1)\" ]"; then
	echo "channel with dom$d1 dropped"
else
	echo "channel with dom$d1 still: $(xch_line $d1)"; exit 1
fi
cat $XCH_DBG/channels
# dom0 survived the destroy: its next buffer for us works
xl_get 90/health /tmp/xl90h.h 240 || exit 1
xlife -t 60 0 import /tmp/xl90h.h check release > /tmp/xl90h.out 2>&1
xl_result 95 /tmp/xl90h.out $? "dom0's buffer after domu1's destroy imported, checked, released"
