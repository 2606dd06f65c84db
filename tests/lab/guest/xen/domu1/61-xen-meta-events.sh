# Xen lifecycle, importer side of dom0/61-xen-meta-events.sh: the offer's
# metadata as QUERY reports it, the events (offer, withdrawn, offer,
# revoked) and one uevent per offer with backend, peer, size and fourcc.
. /lab/xen/xl.sh
. /lab/common/ctl.sh
trap ctl_cleanup EXIT
cd /tmp
xl_setup dom0 || exit 1
command -v uevent >/dev/null || { echo "no busybox uevent in the image"; exit 1; }
cat > /tmp/xl61-ue.sh <<'EOS'
[ "$ACTION" = change ] && [ "$HYPER_DMABUF_EVENT" = offer ] || exit 0
echo "uevent: offer $HYPER_DMABUF_HANDLE backend $HYPER_DMABUF_BACKEND peer $HYPER_DMABUF_PEER size $HYPER_DMABUF_SIZE fourcc $HYPER_DMABUF_FOURCC"
EOS
$CTL watch --type offer,withdrawn,revoked --count 4 --timeout 150000 > /tmp/xl61.w 2>&1 &
wp=$!
uevent sh /tmp/xl61-ue.sh > /tmp/xl61.ue 2>&1 &
up=$!
ctl_bg $up
ctl_wait_dev $wp || { echo "watch did not open the device"; exit 1; }
sleep 0.5
lab_kv_set xl/61/ready 1
h=$(lab_kv_wait xl/61/h1 120) || exit 1
op=$(lab_kv_get xl/61/opaque)
ctl_check "offer $h from dom0 arrives" lab_wait_for 30 $CTL query --role importer "$h"
timeout 30 $CTL query --json --role importer "$h" > /tmp/xl61.q; cat /tmp/xl61.q
ctl_check "query: importer, shared, xen:0, 12288 bytes, read-only" \
	grep -q '"role":"importer","state":"shared","backend":"xen","backend_id":2,"peer":0,"size":12288,"rw":false' /tmp/xl61.q
ctl_check "query: XR24 64x48, one plane" grep -q '"fourcc":"XR24".*"width":64,"height":48,"planes":\[{"offset":0,"stride":[0-9]*}\]' /tmp/xl61.q
ctl_check "query: 8 bytes of opaque metadata, byte-exact" grep -q "\"opaque_len\":8,\"opaque\":\"$op\"" /tmp/xl61.q
lab_kv_set xl/61/queried 1
h2=$(lab_kv_wait xl/61/h2 120) || exit 1
ctl_check "second offer $h2 arrives" lab_wait_for 30 $CTL query --role importer "$h2"
lab_kv_set xl/61/seen2 1
wait $wp
wrc=$?
cat /tmp/xl61.w
ctl_check "watch: 4 events (rc $wrc)" test $wrc = 0
ctl_check "events: offer $h from xen:0, 12288 bytes, XR24, ro" grep -q "^[0-9]* offer $h peer=xen:0 size=12288 fourcc=XR24 ro" /tmp/xl61.w
ctl_check "events: withdrawn $h" grep -q "^[0-9]* withdrawn $h peer=xen:0" /tmp/xl61.w
ctl_check "events: offer $h2" grep -q "^[0-9]* offer $h2 peer=xen:0" /tmp/xl61.w
ctl_check "events: revoked $h2" grep -q "^[0-9]* revoked $h2 peer=xen:0" /tmp/xl61.w
ctl_check "events in order" test "$(sed 's/^[0-9]* //' /tmp/xl61.w | cut -d' ' -f1-2 | tr '\n' ' ')" = "offer $h withdrawn $h offer $h2 revoked $h2 "
lab_wait_for 10 sh -c "[ \$(grep -c '^uevent: offer' /tmp/xl61.ue) -ge 2 ]"
cat /tmp/xl61.ue
ctl_check "uevent: offer $h, backend xen, peer 0, size 12288, fourcc XR24" \
	grep -q "^uevent: offer $h backend xen peer 0 size 12288 fourcc 875713112$" /tmp/xl61.ue
ctl_check "uevent: offer $h2" grep -q "^uevent: offer $h2 backend xen peer 0 " /tmp/xl61.ue
ctl_check "offers gone after withdraw and revoke" lab_wait_for 20 sh -c "! $CTL list | grep -qE '$h|$h2'"
lab_kv_set xl/61/done 1
exit $ctl_rc
