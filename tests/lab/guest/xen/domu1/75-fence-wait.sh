# Cross-VM fences, exporter -> importer, importer side (see
# dom0/75-fence-wait.sh): when dom0's FENCE_ATTACH returns, our import
# carries a proxy of its producer's write fence: poll(POLLIN) on the import
# (then on its DMA_BUF_IOCTL_EXPORT_SYNC_FILE) is not ready, waits as long
# as the producer takes (XF_DELAY ms) and then shows the whole new pattern.
# Then we export a buffer to dom0 and follow its fence round trips.
. /lab/xen/xf.sh
xf_setup dom0 || exit 1
h=$(lab_kv_wait f75/handle 180) || exit 1
[ "$h" != none ] || { echo "dom0 could not export"; exit 1; }
# our proxies must not time out while the domains coordinate
xf_timeout 30000
rc=0
xf_start i 3
if ! { xf i 3 90 import $h && xf i 3 30 check 1; }; then
	lab_notok "f75: import from dom0: $(xf_why i)"; lab_kv_set f75/imp/ready 1; xf_end i 3; xf_restore; exit 1
fi
seed=1
for how in imp sync; do
	seed=$((seed + 1))
	case $how in imp) what="poll() on the import" ;; *) what="EXPORT_SYNC_FILE of the import" ;; esac
	lab_kv_set f75/$how/ready 1
	s=$(lab_kv_wait f75/$how/attached 120) && [ "$s" != fail ] || { lab_notok "f75 $how: dom0 attached no fence"; rc=1; break; }
	if ! xf i 3 30 busy $how in; then
		lab_notok "f75 $how: $what ready while dom0's fence $s is pending: $(xf_why i)"; rc=1
	fi
	xf_send i 3 wait $how in $((XF_DELAY - 100)) $((XF_DELAY + 10000))
	xf_waiting i 30
	lab_kv_set f75/$how/waiting 1
	ok=1
	xf_done i 30 || ok=0
	lab_kv_wait f75/$how/signalled 60 >/dev/null
	waited=$(xf_val i 'ok wait' | cut -d' ' -f1)
	# (the wait includes dom0 noticing our "waiting" key through xenstore)
	if [ $ok = 1 ] && xf i 3 30 check $seed; then
		lab_ok "f75: fence dom0->domu1 (seqno $s), $what waited $waited ms for a $XF_DELAY ms producer, then the new data was complete"
	else
		lab_notok "f75 $how: $(xf_why i)"; rc=1
	fi
done
# round trips: a vgem buffer of ours (never written here) for dom0
if xf i 3 30 vgem 64K && xf i 3 60 export 0; then
	lab_kv_set f75/pp/handle "$(xf_val i handle)"
	r=$(lab_kv_wait f75/pp/ready 120)
	if [ "$r" = 1 ] && ! xf i 3 120 pingpong $XF_PINGS follow; then
		lab_notok "f75: following dom0's fence round trips: $(xf_why i)"; rc=1
	fi
	lab_kv_wait f75/pp/done 180 >/dev/null || rc=1
	xf i 3 60 wait-released 60 && xf i 3 60 unexport || { lab_notok "f75: unexport: $(xf_why i)"; rc=1; }
else
	lab_kv_set f75/pp/handle none
	lab_notok "f75: export to dom0: $(xf_why i)"; rc=1
fi
xf i 3 30 release || rc=1
lab_kv_set f75/released 1
xf_end i 3
xf_restore
cat /tmp/xf-i.out
exit $rc
