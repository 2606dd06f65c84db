# dom0 -> domu1, read-write, domu1 side: see dom0/51-xfer-to-domu1.sh.
. /lab/xen/xp.sh
xp_setup dom0 || exit 1
rc=0
seed=200
for s in $XP_SIZES; do
	seed=$((seed + 1))
	h=$(lab_kv_wait xp/B/$s/handle 150) || { lab_notok "B dom0->domu1 $s: no handle"; exit 1; }
	fill=vmap-fill; [ $s = 4K ] && fill=mmap-fill
	if xfer import $h : mmap-check $seed : vmap-check $seed : prime-import : \
		$fill $((seed + 1000)) : release > /tmp/xp-B.out 2>&1; then
		lab_ok "B dom0->domu1 $s read-write: mmap, vmap and vgem PRIME import show the data; wrote it back ($fill)"
	else
		lab_notok "B dom0->domu1 $s: $(tr '\n' ' ' < /tmp/xp-B.out)"; rc=1
	fi
	xp_info /tmp/xp-B.out
done
xp_clean "B dom0->domu1 importer" || rc=1
exit $rc
