# The demo pipeline on the loopback backend (make demo DEMO=single; under
# make check with 10 frames): hyperdmabuf-compositor exports its frames from
# pseudo-domain 0 to 1, hyper_dmabuf-importd writes them as PNGs, the last
# one is checked pixel-exact; under make demo the PNGs go to the host.
. /lab/common/demo-lib.sh
demo_args
demo_load loopback || exit 1
rc=0 out=/tmp/demo-png log=/tmp/demo-importd.log
rm -rf $out
demo_importd_start $log --from loopback:0 --outdir $out || { cat $log; demo_unload; exit 1; }
hyperdmabuf-compositor --to loopback:1 --frames "$DEMO_FRAMES" --fps "$DEMO_FPS" >/tmp/demo-comp.out 2>&1
crc=$?
demo_importd_stop
st=$?
cat /tmp/demo-comp.out $log
demo_result compositor "$(tail -n 1 /tmp/demo-comp.out)"
demo_result importd "$(tail -n 1 $log)"
demo_result pngs "$(ls $out | wc -l)"
lab_tap "demo: compositor sent $DEMO_FRAMES frames, all released" test $crc = 0 || rc=1
lab_tap "demo: importd consumed $DEMO_FRAMES frames, exit 0" \
	sh -c "[ $st = 0 ] && grep -q '$DEMO_FRAMES frames consumed, 0 rejected, 0 failed' $log" || rc=1
last=$(printf 'frame-%08d.png' $((DEMO_FRAMES - 1)))
lab_tap "demo: last PNG ($last) is frame $((DEMO_FRAMES - 1)), pixel-exact" \
	hyperdmabuf-pattern-check $((DEMO_FRAMES - 1)) $out/$last || rc=1
[ "$DEMO_MODE" = 1 ] && demo_send_files $out/*.png
demo_unload
exit $rc
