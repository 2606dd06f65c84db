# Cross-VM fences from a domU exporter (see domu1/76-fence-wait-udmabuf.sh):
# domu1's udmabuf producer fences its buffer; our import is not ready until
# it signals XF_DELAY ms after we started waiting, then shows its new data.
. /lab/xen/xf.sh
h=$(lab_kv_wait f76/handle 240) || exit 1
[ "$h" = skip ] && { echo "domu1 has no udmabuf: skip"; exit 77; }
[ "$h" != none ] || { echo "domu1 could not export"; exit 1; }
xf_setup domu1 || exit 1
xf_timeout 30000
rc=0
xf_start i 3
if ! { xf i 3 90 import $h && xf i 3 30 check 11; }; then
	xp_fail "f76: import from domu1: $(xf_why i)"; rc=1
	lab_kv_set f76/ready fail; lab_kv_set f76/waiting fail
else
	lab_kv_set f76/ready 1
	s=$(lab_kv_wait f76/attached 120) && [ "$s" != fail ] || { lab_notok "f76: domu1 attached no fence"; rc=1; }
	if [ $rc = 0 ]; then
		xf i 3 30 busy imp in || { lab_notok "f76: import ready while domu1's fence $s is pending: $(xf_why i)"; rc=1; }
		xf_send i 3 wait imp in $((XF_DELAY - 100)) $((XF_DELAY + 10000))
		xf_waiting i 30
		lab_kv_set f76/waiting 1
		ok=1
		xf_done i 30 || ok=0
		lab_kv_wait f76/signalled 60 >/dev/null
		if [ $ok = 1 ] && xf i 3 30 check 12; then
			lab_ok "f76: fence domu1 (udmabuf)->dom0 (seqno $s), poll() on the import waited $(xf_val i 'ok wait' | cut -d' ' -f1) ms for a $XF_DELAY ms producer, data complete"
		else
			xp_fail "f76: $(xf_why i)"; rc=1
		fi
	fi
fi
xf i 3 30 release || rc=1
lab_kv_set f76/released 1
xf_end i 3
xf_restore
cat /tmp/xf-i.out
exit $rc
