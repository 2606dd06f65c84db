# Self-test (dom0 side): for every domU, map the page it granted us through
# /dev/xen/gntdev, check the bytes, reply, and ping it over an interdomain
# event channel (gntmap); one TAP line per domU.
rc=0
for d in $LAB_ROLES; do
	[ "$d" = dom0 ] && continue
	gref=$(lab_kv_wait "$d/gref" 120) || { lab_notok "grant+evtchn with $d: nothing published"; rc=1; continue; }
	port=$(lab_kv_get "$d/port"); domid=$(lab_kv_get "$d/domid")
	lab_tap "grant map + event channel ping with $d (dom$domid gref=$gref port=$port)" \
		gntmap "$domid" "$gref" "$port" "$d" || rc=1
	lab_kv_set "$d/unmapped" 1
done
exit $rc
