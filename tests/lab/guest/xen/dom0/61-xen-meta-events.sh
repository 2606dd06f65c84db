# Xen lifecycle: typed metadata, events and uevents reach the importer in
# another domain.  dom0 exports a 64x48 XRGB8888 vgem image with 8 bytes of
# opaque metadata to domu1, withdraws it (unexport --wait), then exports
# and revokes a second buffer; domu1/61-xen-meta-events.sh checks QUERY,
# its event stream and its uevents.
. /lab/xen/xl.sh
. /lab/common/ctl.sh
trap ctl_cleanup EXIT
cd /tmp
xl_setup domu1 || exit 1
lab_kv_wait xl/61/ready 120 >/dev/null || { echo "domu1 not ready"; exit 1; }
printf 'xen-meta' > /tmp/xl61.op
h=$(timeout 60 $CTL export --vgem 64x48 --opaque-file /tmp/xl61.op --to xen:$peer -b --pidfile /tmp/xl61a.pid)
ctl_check "export 64x48 XRGB8888 with opaque metadata to xen:$peer ($h)" is_handle "$h" || exit 1
ctl_bg "$(cat /tmp/xl61a.pid)"
lab_kv_set xl/61/h1 "$h"
lab_kv_set xl/61/opaque 78656e2d6d657461
lab_kv_wait xl/61/queried 120 >/dev/null || { echo "domu1 did not query"; exit 1; }
ctl_check "unexport --wait of the unimported offer" timeout 30 $CTL unexport --wait=10000 "$h"
h2=$(timeout 60 $CTL export --vgem 32x16 --to xen:$peer -b --pidfile /tmp/xl61b.pid)
ctl_check "second export to xen:$peer ($h2)" is_handle "$h2" || exit 1
ctl_bg "$(cat /tmp/xl61b.pid)"
lab_kv_set xl/61/h2 "$h2"
lab_kv_wait xl/61/seen2 120 >/dev/null || { echo "domu1 did not see the second offer"; exit 1; }
ctl_check "unexport --revoke of the second" timeout 30 $CTL unexport --revoke "$h2"
lab_kv_wait xl/61/done 120 >/dev/null
exit $ctl_rc
