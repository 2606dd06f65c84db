# domu1 -> dom0, read-only (dom0/50-xfer-from-domu1.sh is the other half):
# for each size we export a vgem buffer with a known pattern; dom0 checks it
# through mmap, vmap and a vgem PRIME import, checks that it cannot write,
# and releases it; then we unexport.
. /lab/xen/xp.sh
xp_setup dom0 || exit 1
xp_need_exporter $LAB_ROLE
rc=0
seed=100
for s in $XP_SIZES; do
	seed=$((seed + 1))
	lab_log "exporting $s to dom0"
	if xp_export A/$s 0 $s $seed ro; then
		lab_ok "A domu1->dom0 $s read-only: exported, dom0 imported and released it, unexported"
	else
		lab_notok "A domu1->dom0 $s: $(tr '\n' ' ' < /tmp/xp-A-$s.out)"; rc=1
	fi
done
xp_clean "A domu1->dom0 exporter" || rc=1
exit $rc
