# Cross-VM fences, many frames, importer side (see dom0/78-fence-frames.sh):
# every one of dom0's FENCE_ATTACHes became a proxy here (our rx timeline
# with dom0 ends at dom0's last seqno, nothing pending, none rejected or
# timed out), the import shows the last frame's number, and once the import
# is closed our proxies are all freed (live_fences back to the baseline).
. /lab/xen/xf.sh
xf_setup dom0 || exit 1
h=$(lab_kv_wait f78/handle 180) || exit 1
[ "$h" != none ] || { echo "dom0 could not export"; exit 1; }
xf_timeout 30000
rc=0
xf_start i 3
if ! xf i 3 90 import $h; then
	lab_notok "f78: import: $(xf_why i)"; lab_kv_set f78/ready fail; lab_kv_set f78/released 1; xf_end i 3; xf_restore; exit 1
fi
f0=$(xf_stat live_fences) to0=$(xf_stat fence_timeouts) rej0=$(xf_stat rx_rejected)
lab_kv_set f78/ready 1
last=$(lab_kv_wait f78/last 600)
if [ -n "$last" ] && [ "$last" != fail ]; then
	if lab_wait_for 30 sh -c "[ \"\$(. /lab/common/xfence.sh; xf_rx xen:0)\" = '$last 0' ]"; then
		lab_ok "f78: all of dom0's fences arrived in order (rx timeline last seqno $last, 0 pending)"
	else
		lab_notok "f78: rx timeline with dom0 '$(xf_rx xen:0)', expected last $last, 0 pending"; rc=1
	fi
	lab_tap "f78: the import shows the last frame's number" \
		xf i 3 30 check-word $((XF_FRAMES - 1)) || rc=1
	to1=$(xf_stat fence_timeouts) rej1=$(xf_stat rx_rejected)
	lab_tap "f78: no fence timed out ($to0 -> $to1) or was rejected ($rej0 -> $rej1)" \
		test "$to0/$rej0" = "$to1/$rej1" || rc=1
else
	lab_notok "f78: dom0's frames failed"; rc=1
fi
xf i 3 30 release || rc=1
if lab_wait_for 30 sh -c "[ \$(sed -n 's/^live_fences //p' $XF_DBG/stats) -le $f0 ]"; then
	lab_ok "f78: live_fences back to $f0 once the import is closed"
else
	lab_notok "f78: live_fences $(xf_stat live_fences), baseline $f0"; rc=1
fi
lab_kv_set f78/released 1
xf_end i 3
xf_restore
grep -v '^ok ' /tmp/xf-i.out
exit $rc
