# Revocation while dom0 has the buffer mapped (dom0/52-revoke.sh is the
# other half): domu1 exports 1 MiB read-only, dom0 maps it, domu1 unexports
# with REVOKE.  dom0 then sees SIGBUS and its grant PTEs gone; we end our
# grants, some of them deferred while dom0 still maps the pages, and all of
# them reclaimed once dom0 released the import.
. /lab/xen/xp.sh
xp_setup dom0 || exit 1
xp_need_exporter $LAB_ROLE
rc=0
rec0=$(xp_stat reclaimed_total)
xp_session rv 7 || exit 1
xp_cmd rv 7 60 $XP_ALLOC 1M 77 && xp_cmd rv 7 60 export 0 ro ||
	{ lab_notok "revoke: export: $(tr '\n' ' ' < /tmp/xp-rv.out)"; lab_kv_set xp/rv/handle none; exit 1; }
lab_kv_set xp/rv/handle "$(sed -n 's/^handle //p' /tmp/xp-rv.out)"
lab_kv_wait xp/rv/held 180 > /dev/null || { lab_notok "revoke: dom0 never held a mapping"; rc=1; }
if xp_cmd rv 7 60 unexport revoke; then
	lab_ok "revoke: unexport with REVOKE while dom0 maps the buffer"
else
	lab_notok "revoke: unexport: $(tr '\n' ' ' < /tmp/xp-rv.out)"; rc=1
fi
lab_log "pages after revoke: $(xp_stats_line)"
lab_kv_set xp/rv/revoked 1
xp_end rv 7 || rc=1
lab_kv_wait xp/rv/released 180 > /dev/null || rc=1
if lab_wait_for 15 sh -c "[ \$(sed -n 's/^live_grants //p' $XP_DBG/stats) = 0 ] && [ \$(sed -n 's/^deferred //p' $XP_DBG/stats) = 0 ]"; then
	lab_ok "revoke: every grant ended after dom0 released (reclaimed later: $(($(xp_stat reclaimed_total) - rec0)))"
else
	lab_notok "revoke: grants left: $(xp_stats_line)"; rc=1
fi
exit $rc
