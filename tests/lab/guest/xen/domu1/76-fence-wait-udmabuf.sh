# Cross-VM fences, domU exporter (dom0/76-fence-wait-udmabuf.sh is the
# importer): our buffer is a udmabuf (in a PV domU, writing a vgem mapping
# loops on faults), PRIME-imported into vgem so that vgem's fences land in
# its reservation object; FENCE_ATTACH (fd -1) pushes the pending write
# fence to dom0, whose poll() on the import waits for our XF_DELAY ms
# producer.  Kernels without udmabuf (Debian 6.1) skip.
. /lab/xen/xf.sh
if [ ! -e /sys/class/misc/udmabuf ]; then
	echo "no udmabuf in this kernel: skip"; lab_kv_set f76/handle skip; exit 77
fi
xf_setup dom0 || { lab_kv_set f76/handle none; exit 1; }
rc=0
xf_start e 3
if ! { xf e 3 30 udmabuf 64K 11 && xf e 3 60 export 0; }; then
	lab_notok "f76: udmabuf export to dom0: $(xf_why e)"; lab_kv_set f76/handle none; xf_end e 3; exit 1
fi
lab_kv_set f76/handle "$(xf_val e handle)"
if lab_kv_wait f76/ready 120 >/dev/null && xf e 3 30 fence w own && xf e 3 30 attach w; then
	lab_kv_set f76/attached "$(xf_val e seqno)"
	if lab_kv_wait f76/waiting 120 >/dev/null && xf e 3 30 signal $XF_DELAY 12; then
		lab_kv_set f76/signalled "$(xf_val e 'info: signalled at')"
	else
		lab_notok "f76: signal: $(xf_why e)"; lab_kv_set f76/signalled fail; rc=1
	fi
else
	lab_notok "f76: fence + FENCE_ATTACH: $(xf_why e)"; lab_kv_set f76/attached fail; rc=1
fi
lab_kv_wait f76/released 180 >/dev/null || rc=1
xf e 3 60 unexport || { lab_notok "f76: unexport: $(xf_why e)"; rc=1; }
xf_end e 3
cat /tmp/xf-e.out
exit $rc
