# The demo between two QEMU guests (make demo DEMO=virtio; under make check
# with 10 frames, once per --sync mode): vm1's hyperdmabuf-compositor
# exports its frames to vm2 through hyper_dmabufd, vm2's
# hyper_dmabuf-importd writes them as PNGs, every one checked pixel-exact;
# under make demo the PNGs go to the host.
#
# The guests share no xenstore: they meet at hvio_barrier (hvio.sh), per
# mode once vm2's importer is ready, and at the end once vm2 is done, so
# both leave together and the next test's handshakes start in step.
. /lab/virtio/hvio.sh
. /lab/common/demo-lib.sh
demo_args
hvio_load
peer=$(hvio_peer) || { echo "FAIL: unexpected domid $(hvio_info domid)"; hvio_unload; exit 1; }
lab_modprobe vgem || { hvio_unload; exit 1; }
rc=0

if [ "$LAB_ROLE" = vm1 ]; then
	# contiguous runs: the host maps at most 480 runs per guest
	# (docs/virtio-device.rst); vgem's shmem pages as 2 MiB huge pages
	thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
	old=
	if [ -w $thp ]; then
		old=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
		echo force >$thp
	fi
	for sync in $DEMO_SYNCS; do
		if ! hvio_barrier 180; then
			lab_notok "demo ($sync): vm2's importer never said it was ready"; rc=1; break
		fi
		comp=/tmp/demo-comp-$sync.out
		hyperdmabuf-compositor --to virtio:$peer --frames "$DEMO_FRAMES" --fps "$DEMO_FPS" \
			--sync $sync --timeout 60000 -v >$comp 2>&1
		crc=$?
		cat $comp
		demo_result compositor "$(tail -n 1 $comp)"
		lab_tap "demo ($sync): compositor sent $DEMO_FRAMES frames to vm2, the importer is done with all" \
			sh -c "[ $crc = 0 ] && grep -q 'frames sent $DEMO_FRAMES, done by the importer $DEMO_FRAMES,' $comp" || rc=1
	done
	[ -n "$old" ] && echo "$old" >$thp
	# vm2 checks (and under make demo sends) the PNGs first
	hvio_barrier $((DEMO_FRAMES * 10 + 180)) || { lab_notok "demo: vm2 never said it was done"; rc=1; }
else
	for sync in $DEMO_SYNCS; do
		out=/tmp/demo-png-$sync log=/tmp/demo-importd-$sync.log
		rm -rf $out
		demo_importd_start $log --from virtio:$peer --outdir $out --sync $sync \
			--frames "$DEMO_FRAMES" -v || { cat $log; rc=1; break; }
		hvio_barrier 180 || { lab_notok "demo ($sync): vm1 never came"; rc=1; demo_importd_stop; break; }
		# importd exits after the frames (its summary line); the
		# compositor's deadline bounds this
		lab_wait_for $((DEMO_FRAMES + 90)) grep -q 'frames consumed' $log
		demo_importd_stop
		st=$?
		cat $log
		demo_result importd "$(tail -n 1 $log)"
		demo_result pngs "$(ls $out | wc -l)"
		demo_check_importd "demo ($sync) from virtio:$peer" $log $st $out "$DEMO_FRAMES" || rc=1
		[ "$DEMO_MODE" = 1 ] && demo_send_files $out/*.png
	done
	hvio_barrier 180 || { lab_notok "demo: vm1 never took the last token"; rc=1; }
fi
hvio_unload || rc=1
exit $rc
