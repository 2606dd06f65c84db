# Xen lifecycle: a handle is bound to the domain it was made for.  dom0
# exports a buffer to domu1; domu2, given the handle, cannot import it:
# its own device has no such offer (ENOENT), and an IMPORT it forges over
# its channel with dom0 is answered ENOENT (rx_foreign_peer counts it);
# domu1 then imports it normally (domu2/60-*, domu1/60-*).
. /lab/xen/xl.sh
xl_setup domu1 || exit 1
d2=$(xl_id domu2) || exit 1
xch_wait_connected "$d2" 60 || { echo "no channel with domu2"; exit 1; }
rc=0
rm -f /tmp/xl60.h
xlife -t 120 $peer export 1 64K /tmp/xl60.h released 1 unexport > /tmp/xl60.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl60.h 30 $xp || { cat /tmp/xl60.out; exit 1; }
fp0=$(xl_cstat rx_foreign_peer)
xl_put 60/handle /tmp/xl60.h
lab_kv_wait xl/60/domu2-done 120 >/dev/null || { echo "domu2 did not finish"; kill $xp; exit 1; }
fp1=$(xl_cstat rx_foreign_peer)
if [ "$fp1" -gt "$fp0" ]; then
	lab_ok "domu2's forged IMPORT of domu1's handle refused (rx_foreign_peer $fp0 -> $fp1)"
else
	lab_notok "rx_foreign_peer did not grow ($fp0 -> $fp1)"; rc=1
fi
lab_kv_set xl/60/domu1-go 1
wait $xp
xl_result 60 /tmp/xl60.out $? "domu1 imported and released the buffer; unexported" || rc=1
exit $rc
