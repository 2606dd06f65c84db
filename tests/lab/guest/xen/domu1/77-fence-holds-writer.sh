# Cross-VM fences, importer -> exporter, importer side (see
# dom0/77-fence-holds-writer.sh): our import, PRIME-imported into vgem,
# gets a pending vgem read fence that FENCE_ATTACH (fd -1) pushes to dom0;
# the reader signals XF_DELAY ms after dom0's writer started waiting.
. /lab/xen/xf.sh
xf_setup dom0 || exit 1
h=$(lab_kv_wait f77/handle 180) || exit 1
[ "$h" != none ] || { echo "dom0 could not export"; exit 1; }
rc=0
xf_start i 3
if xf i 3 90 import $h && xf i 3 30 check 21 && xf i 3 30 prime &&
   xf i 3 30 fence r imp && xf i 3 30 attach r; then
	lab_kv_set f77/attached "$(xf_val i seqno)"
	if w=$(lab_kv_wait f77/waiting 120) && [ "$w" != fail ] && xf i 3 30 signal $XF_DELAY; then
		lab_kv_set f77/signalled "$(xf_val i 'info: signalled at')"
	else
		lab_notok "f77: reader signal: $(xf_why i)"; lab_kv_set f77/signalled fail; rc=1
	fi
else
	lab_notok "f77: import + read fence + FENCE_ATTACH: $(xf_why i)"; lab_kv_set f77/attached fail; rc=1
fi
xf i 3 30 release || rc=1
lab_kv_set f77/released 1
xf_end i 3
cat /tmp/xf-i.out
exit $rc
