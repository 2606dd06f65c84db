# hyper_dmabuf-importd never trusts metadata: offers with an unknown fourcc,
# lines longer than the stride, two planes, a tiled modifier, an unaligned
# stride or width 0 are rejected with a log line each (not imported), the
# daemon keeps running and still imports the good frame that follows.
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0 out=/tmp/hostile-png log=/tmp/importd-hostile.log
rm -rf $out
demo_importd_start $log --from loopback:0 --outdir $out || { cat $log; demo_unload; exit 1; }
demo_tap_prog hostile_export $DEMO_TESTS/hostile_export loopback:1 20000 || rc=1
lab_tap "importd: alive after the hostile offers" kill -0 $IMPORTD_PID || rc=1
demo_importd_stop
st=$?
cat $log
lab_tap "importd: exits 0 on SIGTERM" test $st = 0 || rc=1
lab_tap "importd: 6 rejection log lines" test "$(grep -c 'rejecting frame' $log)" = 6 || rc=1
lab_tap "importd: 1 frame consumed, 6 rejected" grep -q '1 frames consumed, 6 rejected, 0 failed' $log || rc=1
lab_tap "importd: the good frame is a pixel-exact PNG" demo_check_pngs $out 1 || rc=1
demo_unload
exit $rc
