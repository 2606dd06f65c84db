# Cross-VM fences of a failing peer, waiting side (see domu1/79-fence-peer-
# death.sh): we import domu1's buffer and hold its fences (FENCE_GET's
# sync_file and the import's EXPORT_SYNC_FILE).  A: domu1 stays silent:
# both fail with ETIMEDOUT after fence_timeout_ms (5000), fence_timeouts
# counts it, and domu1's late SIGNAL is ignored (rx_unmatched).  B: domu1
# unloads its backend with a fence pending: both fail with ECONNRESET long
# before fence_timeout_ms (60000 for this part).  Our proxies are all freed
# afterwards (live_fences back to the baseline).
. /lab/xen/xf.sh
h=$(lab_kv_wait f79/handle 240) || exit 1
[ "$h" != none ] || { echo "domu1 could not export"; exit 1; }
xf_setup domu1 || exit 1
d1=$xp_id_domu1
rc=0
f0=$(xf_stat live_fences) to0=$(xf_stat fence_timeouts) um0=$(xf_stat rx_unmatched)
xf_timeout 5000
xf_start i 3
xf i 3 90 import $h || { xp_fail "f79: import from domu1: $(xf_why i)"; rc=1; }

# A: silent peer
lab_kv_set f79/a/ready 1
s=$(lab_kv_wait f79/a/attached 120) && [ "$s" != fail ] || s=
if [ -n "$s" ] && xf i 3 30 hold && xf i 3 30 wait-error ETIMEDOUT 15000; then
	to1=$(xf_stat fence_timeouts)
	lab_tap "f79 A: domu1 silent: FENCE_GET and EXPORT_SYNC_FILE waiters failed with ETIMEDOUT $(xf_val i 'ok wait-error ETIMEDOUT') after we took them (fence_timeout_ms 5000; fence_timeouts $to0 -> $to1)" \
		test "$to1" -gt "$to0" || rc=1
else
	xp_fail "f79 A: $(xf_why i)"; rc=1
fi
lab_kv_set f79/a/seen 1
lab_kv_wait f79/a/signalled 60 >/dev/null || rc=1
if lab_wait_for 10 sh -c "[ \$(sed -n 's/^rx_unmatched //p' $XF_DBG/stats) -gt $um0 ]"; then
	lab_ok "f79 A: domu1's late SIGNAL was ignored (rx_unmatched $um0 -> $(xf_stat rx_unmatched))"
else
	lab_notok "f79 A: late SIGNAL not seen (rx_unmatched $(xf_stat rx_unmatched))"; rc=1
fi

# B: the peer dies
xf_timeout 60000
lab_kv_set f79/b/ready 1
s=$(lab_kv_wait f79/b/attached 120) && [ "$s" != fail ] || s=
if [ -n "$s" ] && xf i 3 30 hold && xf i 3 30 release; then
	lab_kv_set f79/b/released 1
	xf_send i 3 wait-error ECONNRESET 30000
	lab_kv_set f79/b/waiting 1
	ok=1
	xf_done i 60 || ok=0
	if [ $ok = 1 ]; then
		lab_ok "f79 B: domu1 unloaded its backend with fence $s pending: both waiters failed with ECONNRESET $(xf_val i 'ok wait-error ECONNRESET') after we started waiting, the unload included (fence_timeout_ms 60000)"
	else
		xp_fail "f79 B: $(xf_why i)"; rc=1
	fi
else
	xp_fail "f79 B: $(xf_why i)"; lab_kv_set f79/b/released 1; lab_kv_set f79/b/waiting 1; rc=1
fi
lab_kv_wait f79/b/unloaded 60 >/dev/null
lab_kv_set f79/b/seen 1
xf_end i 3
xf_restore
cat /tmp/xf-i.out
if lab_wait_for 15 sh -c "[ \$(sed -n 's/^live_fences //p' $XF_DBG/stats) -le $f0 ]"; then
	lab_ok "f79: every proxy freed (live_fences back to $f0)"
else
	lab_notok "f79: live_fences $(xf_stat live_fences), baseline $f0"; rc=1
fi
# domu1 reloads its backend: the channel comes back for the tests that follow
if xch_wait_connected $d1 150; then
	lab_ok "f79: channel with dom$d1 up again after its reload"
else
	lab_notok "f79: channel with dom$d1: $(xch_line $d1)"; rc=1
fi
exit $rc
