# hyper_dmabuf-importd --sync fences against an exporter whose write fence
# never signals: the importer takes the frame (its read fence arrives),
# gives it up when the module fails the proxy after fence_timeout_ms (one
# failed frame, its read fence signalled so the exporter's buffer is free),
# keeps running, consumes the next, good frame and lets go of the pool
# buffer when it is withdrawn.
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0 out=/tmp/stall-png log=/tmp/importd-stall.log
param=/sys/module/hyper_dmabuf/parameters/fence_timeout_ms
old=$(cat $param)
echo 1000 >$param
rm -rf $out
demo_importd_start $log --from loopback:0 --outdir $out --sync fences -v ||
	{ cat $log; echo $old >$param; demo_unload; exit 1; }
demo_tap_prog stall_fence $DEMO_TESTS/stall_fence loopback:1 1000 || rc=1
lab_tap "importd: alive after the stalled frame" kill -0 $IMPORTD_PID || rc=1
demo_importd_stop
st=$?
echo $old >$param
cat $log
lab_tap "importd: exits 0 on SIGTERM" test $st = 0 || rc=1
lab_tap "importd: the stalled frame failed with ETIMEDOUT" grep -q 'Connection timed out' $log || rc=1
lab_tap "importd: 1 frame consumed, 1 failed" grep -q '1 frames consumed, 0 rejected, 1 failed' $log || rc=1
lab_tap "importd: the good frame is a pixel-exact PNG" demo_check_pngs $out 1 || rc=1
demo_unload
exit $rc
