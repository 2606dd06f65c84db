# The demo across VMs (make demo; under make check with 10 frames, once per
# --sync mode): domu1's hyperdmabuf-compositor exports its frames to dom0
# over the Xen backend, dom0's hyper_dmabuf-importd writes them as PNGs and
# every one is checked pixel-exact; under make demo the PNGs go to the host.
# Coordination through xenstore: /lab/demo/{ready,done}-MODE.
. /lab/common/demo-lib.sh
demo_args
demo_load_xen
r=$?
[ $r = 0 ] || { for sync in $DEMO_SYNCS; do lab_kv_set demo/ready-$sync skip; done; exit $r; }
lab_modprobe vgem || { for sync in $DEMO_SYNCS; do lab_kv_set demo/ready-$sync skip; done; demo_unload; exit 1; }
rc=0 skipped=0
domid=$(xl domid domu1) || { for sync in $DEMO_SYNCS; do lab_kv_set demo/ready-$sync skip; done; demo_unload; exit 1; }
for sync in $DEMO_SYNCS; do
	out=/tmp/demo-png-$sync log=/tmp/demo-importd-$sync.log
	rm -rf $out
	demo_importd_start $log --from xen:$domid --outdir $out --sync $sync -v ||
		{ cat $log; lab_kv_set demo/ready-$sync skip; rc=1; continue; }
	lab_kv_set demo/ready-$sync 1
	# the compositor's deadline (frames * 1 s + 60 s at most) bounds this wait
	res=$(lab_kv_wait demo/done-$sync $((DEMO_FRAMES + 90)))
	demo_importd_stop
	st=$?
	cat $log
	if [ "$res" = skip ]; then
		echo "domu1 cannot run the compositor ($sync): skip"
		skipped=1
		continue
	fi
	demo_result importd "$(tail -n 1 $log)"
	demo_result pngs "$(ls $out | wc -l)"
	lab_tap "demo ($sync): domu1's compositor finished ($res)" test "$res" = 0 || rc=1
	demo_check_importd "demo ($sync) from xen:$domid" $log $st $out "$DEMO_FRAMES" || rc=1
	[ "$DEMO_MODE" = 1 ] && demo_send_files $out/*.png
done
demo_unload
[ $rc = 0 ] && [ $skipped = 1 ] && exit 77
exit $rc
