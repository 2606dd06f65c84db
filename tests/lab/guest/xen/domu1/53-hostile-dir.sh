# Hostile page directories (dom0/53-hostile-dir.sh is the other half): for
# each fault of the debugfs fault_next knob we export a buffer whose
# directory or grants are corrupt; dom0's import must fail with a clean
# errno.  Afterwards no grant of ours is left.
. /lab/xen/xp.sh
xp_setup dom0 || exit 1
xp_need_exporter $LAB_ROLE
rc=0
for c in zero_ref:1M:ro reserved_ref:1M:ro ungranted_ref:1M:ro \
	 ungranted_root:1M:ro dir_tail:1M:ro dup_dir:8M:ro \
	 ro_grants:1M:rw; do
	f=${c%%:*}; r=${c#*:}; s=${r%%:*}; m=${r#*:}
	xp_session hd 7 || exit 1
	if xp_cmd hd 7 60 $XP_ALLOC $s 9 && echo $f > $XP_DBG/fault_next && xp_cmd hd 7 60 export 0 $m; then
		lab_kv_set xp/hd/$f/handle "$(sed -n 's/^handle //p' /tmp/xp-hd.out)"
	else
		lab_notok "hostile $f: export: $(tr '\n' ' ' < /tmp/xp-hd.out)"; rc=1
		lab_kv_set xp/hd/$f/handle none
	fi
	lab_kv_wait xp/hd/$f/tried 120 > /dev/null || rc=1
	xp_cmd hd 7 60 unexport || rc=1
	xp_end hd 7 || rc=1
done
if lab_wait_for 15 sh -c "[ \$(sed -n 's/^live_grants //p' $XP_DBG/stats) = 0 ]"; then
	lab_ok "hostile directories: every grant ended ($(xp_stats_line))"
else
	lab_notok "hostile directories: grants left: $(xp_stats_line)"; rc=1
fi
exit $rc
