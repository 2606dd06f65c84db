# The demo across VMs (make demo; under make check with 10 frames): domu1's
# hyperdmabuf-compositor exports its frames to dom0 over the Xen backend,
# dom0's hyper_dmabuf-importd writes them as PNGs and the last one is
# checked pixel-exact; under make demo the PNGs go to the host.
# Coordination through xenstore: /lab/demo/{domid,ready,done}.
. /lab/common/demo-lib.sh
demo_args
demo_load_xen
r=$?; [ $r = 0 ] || { lab_kv_set demo/ready skip; exit $r; }
rc=0 out=/tmp/demo-png log=/tmp/demo-importd.log
domid=$(xl domid domu1) || { lab_kv_set demo/ready skip; demo_unload; exit 1; }
rm -rf $out
demo_importd_start $log --from xen:$domid --outdir $out ||
	{ cat $log; lab_kv_set demo/ready skip; demo_unload; exit 1; }
lab_kv_set demo/ready 1
# the compositor's deadline (frames * 1 s + 60 s at most) bounds this wait
res=$(lab_kv_wait demo/done $((DEMO_FRAMES + 90)))
demo_importd_stop
st=$?
cat $log
[ "$res" = skip ] && { echo "the Xen backend cannot share pages yet: skip"; demo_unload; exit 77; }
demo_result importd "$(tail -n 1 $log)"
demo_result pngs "$(ls $out | wc -l)"
lab_tap "demo: domu1's compositor finished ($res)" test "$res" = 0 || rc=1
lab_tap "demo: importd consumed $DEMO_FRAMES frames from xen:$domid, exit 0" \
	sh -c "[ $st = 0 ] && grep -q '$DEMO_FRAMES frames consumed, 0 rejected, 0 failed' $log" || rc=1
last=$(printf 'frame-%08d.png' $((DEMO_FRAMES - 1)))
lab_tap "demo: last PNG ($last) is frame $((DEMO_FRAMES - 1)), pixel-exact" \
	hyperdmabuf-pattern-check $((DEMO_FRAMES - 1)) $out/$last || rc=1
[ "$DEMO_MODE" = 1 ] && demo_send_files $out/*.png
demo_unload
exit $rc
