# Xen lifecycle, the third domain (see dom0/60-xen-foreign-handle.sh): a
# handle dom0 made for domu1 is useless to us, through the device and
# through a forged IMPORT on the channel.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
rc=0
xl_get 60/handle /tmp/xl60.h || exit 1
h=$(head -n 1 /tmp/xl60.h)
xlife -t 5 0 import-fails /tmp/xl60.h ENOENT > /tmp/xl60.out 2>&1
xl_result 60 /tmp/xl60.out $? "IMPORT of domu1's handle: ENOENT for 5 s (no offer here)" || rc=1
# forge it: HELLO, then IMPORT with the handle, as a hostile kernel would
echo "0 11 $h" > $XCH_DBG/inject || { echo "inject failed"; rc=1; }
if lab_wait_for 20 grep -q "^opcode 0x0011 status 2$" $XCH_DBG/inject; then
	lab_ok "forged IMPORT over the channel: dom0 answered status 2 (ENOENT)"
else
	lab_notok "forged IMPORT: $(cat $XCH_DBG/inject)"; rc=1
fi
lab_kv_set xl/60/domu2-done 1
exit $rc
