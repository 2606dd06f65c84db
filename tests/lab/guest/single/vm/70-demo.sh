# The demo pipeline on the loopback backend (make demo DEMO=single; under
# make check with 10 frames, once per --sync mode): hyperdmabuf-compositor
# exports its frames from pseudo-domain 0 to 1, hyper_dmabuf-importd writes
# them as PNGs, every one is checked pixel-exact (a frame drawn over while
# the importer copied it would not be); under make demo the PNGs go to the
# host.
. /lab/common/demo-lib.sh
demo_args
demo_load loopback || exit 1
rc=0
for sync in $DEMO_SYNCS; do
	out=/tmp/demo-png-$sync log=/tmp/demo-importd-$sync.log comp=/tmp/demo-comp-$sync.out
	rm -rf $out
	demo_importd_start $log --from loopback:0 --outdir $out --sync $sync -v ||
		{ cat $log; demo_unload; exit 1; }
	hyperdmabuf-compositor --to loopback:1 --frames "$DEMO_FRAMES" --fps "$DEMO_FPS" \
		--sync $sync -v >$comp 2>&1
	crc=$?
	demo_importd_stop
	st=$?
	cat $comp $log
	demo_result compositor "$(tail -n 1 $comp)"
	demo_result importd "$(tail -n 1 $log)"
	demo_result pngs "$(ls $out | wc -l)"
	lab_tap "demo ($sync): compositor sent $DEMO_FRAMES frames, the importer is done with all" \
		sh -c "[ $crc = 0 ] && grep -q 'frames sent $DEMO_FRAMES, done by the importer $DEMO_FRAMES,' $comp" || rc=1
	demo_check_importd "demo ($sync)" $log $st $out "$DEMO_FRAMES" || rc=1
	[ "$DEMO_MODE" = 1 ] && demo_send_files $out/*.png
done
demo_unload
exit $rc
