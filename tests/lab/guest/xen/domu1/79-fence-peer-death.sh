# Cross-VM fences whose producer's domain fails (dom0/79-fence-peer-death.sh
# is the waiting side).  A: we attach a fence and stay silent: dom0's
# waiters fail with ETIMEDOUT after its fence_timeout_ms; our late signal is
# ignored there.  B: with a fence still pending we unload our Xen backend
# (the peer dies as far as dom0 can tell): dom0's waiters fail with
# ECONNRESET at once, and our side forgets the fence (live_fence_waits back
# to the baseline).  Then the backend is reloaded for the tests that follow.
. /lab/xen/xf.sh
xf_setup dom0 || { lab_kv_set f79/handle none; exit 1; }
rc=0
d2=$(lab_kv_get xch/domu2/domid)
d2_up=0; [ -n "$d2" ] && xch_connected $d2 && d2_up=1
w0=$(xf_stat live_fence_waits)
xf_start e 3
# no SEED: nothing writes through the vgem mapping in a PV domU
if ! { xf e 3 30 vgem 64K && xf e 3 60 export 0; }; then
	lab_notok "f79: export to dom0: $(xf_why e)"; lab_kv_set f79/handle none; xf_end e 3; exit 1
fi
lab_kv_set f79/handle "$(xf_val e handle)"

# A: silent producer
if lab_kv_wait f79/a/ready 180 >/dev/null && xf e 3 30 fence w own && xf e 3 30 attach w; then
	lab_kv_set f79/a/attached "$(xf_val e seqno)"
	lab_kv_wait f79/a/seen 60 >/dev/null || rc=1
	xf e 3 30 signal || rc=1
else
	lab_notok "f79 A: fence + FENCE_ATTACH: $(xf_why e)"; lab_kv_set f79/a/attached fail; rc=1
fi
lab_kv_set f79/a/signalled 1

# B: we die with a fence pending
unloaded=0
if lab_kv_wait f79/b/ready 120 >/dev/null && xf e 3 30 fence w own && xf e 3 30 attach w; then
	lab_kv_set f79/b/attached "$(xf_val e seqno)"
	# dom0 took its sync_files and released the import: the backend
	# module is free to go once we unexport
	if lab_kv_wait f79/b/released 120 >/dev/null && xf e 3 60 wait-released 60 &&
	   xf e 3 60 unexport && lab_kv_wait f79/b/waiting 60 >/dev/null; then
		if rmmod hyper_dmabuf_xen; then
			unloaded=1
			lab_ok "f79 B: unloaded hyper_dmabuf_xen with fence $(xf_val e seqno) pending"
		else
			lab_notok "f79 B: rmmod hyper_dmabuf_xen failed"; rc=1
		fi
	else
		lab_notok "f79 B: $(xf_why e)"; rc=1
	fi
else
	lab_notok "f79 B: fence + FENCE_ATTACH: $(xf_why e)"; lab_kv_set f79/b/attached fail; rc=1
fi
lab_kv_set f79/b/unloaded $unloaded
lab_kv_wait f79/b/seen 90 >/dev/null || rc=1
if lab_wait_for 10 sh -c "[ \$(sed -n 's/^live_fence_waits //p' $XF_DBG/stats) -le $w0 ]"; then
	lab_ok "f79 B: the fence dom0 waited for is forgotten here (live_fence_waits $w0), though our producer is still pending"
else
	lab_notok "f79 B: live_fence_waits $(xf_stat live_fence_waits), baseline $w0"; rc=1
fi
xf e 3 30 signal || rc=1
xf_end e 3
cat /tmp/xf-e.out

# back to every channel up for the tests that follow
xch_load || { lab_notok "f79: reloading hyper_dmabuf_xen"; exit 1; }
if xch_wait_connected 0 120; then
	lab_ok "f79: backend reloaded, channel with dom0 up ($(xch_line 0))"
else
	lab_notok "f79: after the reload, channel with dom0: $(xch_line 0)"; rc=1
fi
if [ $d2_up = 1 ] && ! xch_wait_connected $d2 120; then
	lab_notok "f79: after the reload, channel with dom$d2: $(xch_line $d2)"; rc=1
fi
exit $rc
