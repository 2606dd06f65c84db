# Hostile page directories from domu1, dom0 side: see domu1/53-hostile-dir.sh.
# Each import fails with the errno below; nothing stays mapped, no oops.
. /lab/xen/xp.sh
xp_setup domu1 || exit 1
xp_need_exporter domu1
rc=0
for c in zero_ref:EBADMSG reserved_ref:EBADMSG ungranted_ref:EPERM \
	 ungranted_root:EPERM dir_tail:EBADMSG dup_dir:EBADMSG \
	 ro_grants:EPERM; do
	f=${c%%:*}; e=${c#*:}
	h=$(lab_kv_wait xp/hd/$f/handle 150)
	t=20; [ $e = ENOENT ] && t=5
	if xfer import-fails $h $e $t > /tmp/xp-hd.out 2>&1; then
		lab_ok "hostile $f: import refused with $e"
	else
		xp_fail "hostile $f: $(tr '\n' ' ' < /tmp/xp-hd.out)"; rc=1
	fi
	v=$(xp_stat live_map_pages)
	[ "$v" = 0 ] || { lab_notok "hostile $f: $v pages left mapped"; rc=1; }
	lab_kv_set xp/hd/$f/tried 1
done
dmesg | grep -qE "Oops|BUG:|general protection" && { lab_notok "hostile directories: kernel warnings in dmesg"; rc=1; }
lab_log "pages: $(xp_stats_line)"
exit $rc
