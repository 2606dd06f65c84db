# domu1 -> dom0, read-only, dom0 side: see domu1/50-xfer-to-dom0.sh.
. /lab/xen/xp.sh
xp_setup domu1 || { xp_fail "A: setup: $(xch_line 1)"; exit 1; }
xp_need_exporter domu1
rc=0
seed=100
for s in $XP_SIZES; do
	seed=$((seed + 1))
	h=$(lab_kv_wait xp/A/$s/handle 150) || { xp_fail "A domu1->dom0 $s: no handle"; exit 1; }
	if xfer import $h : mmap-check $seed : vmap-check $seed : prime-refused : \
		rw-refused : write-faults : release > /tmp/xp-A.out 2>&1; then
		lab_ok "A domu1->dom0 $s read-only: mmap and vmap show the data; vgem PRIME import (device writes) and writable mmap refused; a write faults"
	else
		xp_fail "A domu1->dom0 $s: $(tr '\n' ' ' < /tmp/xp-A.out)"; rc=1
	fi
	xp_info /tmp/xp-A.out
done
xp_clean "A domu1->dom0 importer" || rc=1
exit $rc
