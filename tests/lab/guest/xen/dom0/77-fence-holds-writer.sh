# Cross-VM fences, importer -> exporter, exporter side (domu1/77-fence-holds-
# writer.sh is the importer): domu1 reads our buffer under a vgem read fence
# and pushes it to us with FENCE_ATTACH; until it signals, our writers wait
# (poll(POLLOUT) on our dma-buf is not ready, vgem refuses a write fence
# with EBUSY) while readers need not (POLLIN ready); POLLOUT then waits as
# long as domu1's reader takes (XF_DELAY ms), and a writer is accepted.
. /lab/xen/xf.sh
xf_setup domu1 || { lab_kv_set f77/handle none; exit 1; }
xf_timeout 30000
rc=0
xf_start e 3
if ! { xf e 3 30 vgem 64K 21 && xf e 3 60 export $xp_id_domu1 rw; }; then
	xp_fail "f77: export to domu1: $(xf_why e)"; lab_kv_set f77/handle none; xf_end e 3; xf_restore; exit 1
fi
lab_kv_set f77/handle "$(xf_val e handle)"
s=$(lab_kv_wait f77/attached 180) && [ "$s" != fail ] || { lab_notok "f77: domu1 attached no read fence"; s=; rc=1; }
if [ -n "$s" ]; then
	if xf e 3 30 busy own out && xf e 3 30 vgem-busy && xf e 3 30 idle own in; then
		lab_ok "f77: domu1's read fence (seqno $s) holds our writers (POLLOUT not ready, vgem write fence EBUSY), not our readers"
	else
		xp_fail "f77: while domu1 reads: $(xf_why e)"; rc=1
	fi
	xf_send e 3 wait own out $((XF_DELAY - 100)) $((XF_DELAY + 10000))
	xf_waiting e 30
	lab_kv_set f77/waiting 1
	ok=1
	xf_done e 30 || ok=0
	lab_kv_wait f77/signalled 60 >/dev/null
	if [ $ok = 1 ] && xf e 3 30 fence w own && xf e 3 30 signal; then
		lab_ok "f77: our writer waited $(xf_val e 'ok wait' | cut -d' ' -f1) ms for domu1's $XF_DELAY ms reader, then vgem accepted a write fence"
	else
		xp_fail "f77: $(xf_why e)"; rc=1
	fi
else
	lab_kv_set f77/waiting fail
fi
lab_kv_wait f77/released 180 >/dev/null || rc=1
xf e 3 60 unexport || { lab_notok "f77: unexport: $(xf_why e)"; rc=1; }
xf_end e 3
xf_restore
cat /tmp/xf-e.out
exit $rc
