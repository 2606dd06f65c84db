# domu1 -> domu2, domu2 side: see domu1/58-xfer-to-domu2.sh.
. /lab/xen/xp.sh
xp_setup domu1 || exit 1
xp_need_exporter domu1
rc=0
seed=300
for s in $XP_SIZES; do
	seed=$((seed + 1))
	h=$(lab_kv_wait xp/C/$s/handle 240) || { lab_notok "C domu1->domu2 $s: no handle"; exit 1; }
	if xfer import $h : mmap-check $seed : vmap-check $seed : \
		mmap-fill $((seed + 1000)) : release > /tmp/xp-C.out 2>&1; then
		lab_ok "C domu1->domu2 $s: mmap and vmap show the data; wrote it back"
	else
		lab_notok "C domu1->domu2 $s: $(tr '\n' ' ' < /tmp/xp-C.out)"; rc=1
	fi
	xp_info /tmp/xp-C.out
done
xp_clean "C domu1->domu2 importer" || rc=1
exit $rc
