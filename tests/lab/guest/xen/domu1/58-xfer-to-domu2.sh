# domu1 -> domu2, read-write (domu2/58-xfer-from-domu1.sh is the other
# half; dom0 allowed the pair in 30-xen-channel): domu2 checks the data
# and writes a new pattern back through mmap; we verify it.
. /lab/xen/xp.sh
xp_setup domu2 || exit 1
xp_need_exporter $LAB_ROLE
rc=0
seed=300
for s in $XP_SIZES; do
	seed=$((seed + 1))
	if xp_export C/$s $xp_id_domu2 $s $seed rw $((seed + 1000)); then
		lab_ok "C domu1->domu2 $s read-write: domu2 wrote it back, verified here"
	else
		lab_notok "C domu1->domu2 $s: $(tr '\n' ' ' < /tmp/xp-C-$s.out)"; rc=1
	fi
done
xp_clean "C domu1->domu2 exporter" || rc=1
exit $rc
