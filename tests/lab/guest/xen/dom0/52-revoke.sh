# Revocation while mapped, dom0 side: see domu1/52-revoke.sh.
. /lab/xen/xp.sh
xp_setup domu1 || exit 1
xp_need_exporter domu1
rc=0
h=$(lab_kv_wait xp/rv/handle 150) || { xp_fail "revoke: no handle"; exit 1; }
xp_session rv 8 || exit 1
if xp_cmd rv 8 60 import $h && xp_cmd rv 8 60 hold && xp_cmd rv 8 60 held-check 77; then
	lab_ok "revoke: imported and mapped ($(xp_stat live_umap_pages) grant PTEs in our page tables)"
else
	xp_fail "revoke: import+map: $(tr '\n' ' ' < /tmp/xp-rv.out)"; rc=1
fi
lab_kv_set xp/rv/held 1
lab_kv_wait xp/rv/revoked 180 > /dev/null || rc=1
# the REVOKE message may still be on its way
lab_wait_for 10 sh -c "[ \$(sed -n 's/^live_umap_pages //p' $XP_DBG/stats) = 0 ]"
if xp_cmd rv 8 30 held-faults; then
	lab_ok "revoke: the mapping now raises SIGBUS"
else
	lab_notok "revoke: after revocation: $(tr '\n' ' ' < /tmp/xp-rv.out)"; rc=1
fi
v=$(xp_stat live_umap_pages)
[ "$v" = 0 ] && lab_ok "revoke: grant PTEs torn down" ||
	{ lab_notok "revoke: $v grant PTEs still mapped"; rc=1; }
xp_cmd rv 8 30 release || rc=1
xp_end rv 8 || rc=1
v=$(xp_stat live_map_pages)
[ "$v" = 0 ] && lab_ok "revoke: released, nothing left mapped" ||
	{ lab_notok "revoke: $v pages still mapped after release"; rc=1; }
lab_kv_set xp/rv/released 1
exit $rc
