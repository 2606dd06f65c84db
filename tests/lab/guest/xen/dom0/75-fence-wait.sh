# Cross-VM fences, exporter -> importer, exporter side (domu1/75-fence-wait.sh
# is the importer): we export a vgem buffer to domu1 and, twice, push the
# pending write fence of our producer with FENCE_ATTACH (fd -1); once domu1
# waits (poll() on its import, then on its EXPORT_SYNC_FILE), the producer
# takes XF_DELAY ms, writes a new pattern and signals.  Then domu1 exports
# a buffer back and we measure fence round trips (pingpong in fence.c):
# our signal wakes domu1, whose signal wakes us.
. /lab/xen/xf.sh
xf_setup domu1 || { lab_kv_set f75/handle none; exit 1; }
rc=0
xf_start e 3
if ! { xf e 3 30 vgem 1M 1 && xf e 3 60 export $xp_id_domu1; }; then
	xp_fail "f75: export to domu1: $(xf_why e)"; lab_kv_set f75/handle none; xf_end e 3; exit 1
fi
lab_kv_set f75/handle "$(xf_val e handle)"
seed=1
for how in imp sync; do
	seed=$((seed + 1))
	lab_kv_wait f75/$how/ready 120 >/dev/null || { rc=1; break; }
	if xf e 3 30 fence w own && xf e 3 30 attach w; then
		lab_kv_set f75/$how/attached "$(xf_val e seqno)"
	else
		xp_fail "f75 $how: fence + FENCE_ATTACH: $(xf_why e)"; lab_kv_set f75/$how/attached fail; rc=1; break
	fi
	lab_kv_wait f75/$how/waiting 120 >/dev/null || { rc=1; break; }
	if xf e 3 30 signal $XF_DELAY $seed; then
		lab_kv_set f75/$how/signalled "$(xf_val e 'info: signalled at')"
	else
		xp_fail "f75 $how: signal: $(xf_why e)"; lab_kv_set f75/$how/signalled fail; rc=1; break
	fi
done
hb=$(lab_kv_wait f75/pp/handle 120)
if [ -n "$hb" ] && [ "$hb" != none ] && xf e 3 90 import $hb; then
	lab_kv_set f75/pp/ready 1
	if xf e 3 120 pingpong $XF_PINGS lead; then
		lab_ok "f75: $(xf_val e 'info:')"
	else
		xp_fail "f75: fence round trips with domu1: $(xf_why e)"; rc=1
	fi
	xf e 3 30 release || rc=1
else
	lab_kv_set f75/pp/ready fail
	xp_fail "f75: importing domu1's buffer for the round trips: $(xf_why e)"; rc=1
fi
lab_kv_set f75/pp/done 1
lab_kv_wait f75/released 180 >/dev/null || rc=1
xf e 3 60 unexport || { lab_notok "f75: unexport: $(xf_why e)"; rc=1; }
xf_end e 3
cat /tmp/xf-e.out
exit $rc
