# Cross-VM fences, many frames (domu1/78-fence-frames.sh is the importer):
# XF_FRAMES times, our producer takes a vgem write fence on the buffer
# domu1 imported, FENCE_ATTACH pushes it (seqnos strictly increasing), the
# frame number is written and the fence signalled.  Nothing may leak: our
# fence waits (live_fence_waits) return to where they were, and domu1 checks
# its proxies the same way.
. /lab/xen/xf.sh
xf_setup domu1 || { lab_kv_set f78/handle none; exit 1; }
rc=0
xf_start e 3
if ! { xf e 3 30 vgem 64K 31 && xf e 3 60 export $xp_id_domu1; }; then
	xp_fail "f78: export to domu1: $(xf_why e)"; lab_kv_set f78/handle none; xf_end e 3; exit 1
fi
lab_kv_set f78/handle "$(xf_val e handle)"
if lab_kv_wait f78/ready 180 >/dev/null; then
	w0=$(xf_stat live_fence_waits)
	if xf e 3 600 frames $XF_FRAMES; then
		last=$(xf_val e last-seqno)
		lab_kv_set f78/last "$last"
		lab_ok "f78: $(xf_val e 'info:')"
		if lab_wait_for 30 sh -c "[ \$(sed -n 's/^live_fence_waits //p' $XF_DBG/stats) -le $w0 ]"; then
			lab_ok "f78: live_fence_waits back to $w0 after $XF_FRAMES frames"
		else
			lab_notok "f78: live_fence_waits $(xf_stat live_fence_waits), baseline $w0"; rc=1
		fi
	else
		xp_fail "f78: frames: $(xf_why e)"; lab_kv_set f78/last fail; rc=1
	fi
else
	rc=1
fi
lab_kv_wait f78/released 300 >/dev/null || rc=1
xf e 3 60 unexport || { lab_notok "f78: unexport: $(xf_why e)"; rc=1; }
xf_end e 3
grep -v '^ok ' /tmp/xf-e.out
exit $rc
