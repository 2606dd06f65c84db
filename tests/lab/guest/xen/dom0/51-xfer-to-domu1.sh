# dom0 -> domu1, read-write (domu1/51-xfer-from-dom0.sh is the other half):
# domu1 checks the data through mmap and vmap and writes a new pattern back
# through vmap (mmap for 4K); we verify it after domu1 released the buffer.
. /lab/xen/xp.sh
xp_setup domu1 || { xp_fail "B: setup"; exit 1; }
rc=0
seed=200
for s in $XP_SIZES; do
	seed=$((seed + 1))
	if xp_export B/$s $xp_id_domu1 $s $seed rw $((seed + 1000)); then
		lab_ok "B dom0->domu1 $s read-write: domu1 wrote it back, verified here"
	else
		xp_fail "B dom0->domu1 $s: $(tr '\n' ' ' < /tmp/xp-B-$s.out)"; rc=1
	fi
done
xp_clean "B dom0->domu1 exporter" || rc=1
exit $rc
