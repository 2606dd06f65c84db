# hyperdmabuf-compositor draws into a buffer again only when the importer is
# done with it: after a RELEASED event (--sync release) or once the
# importer's read fence came and signalled (--sync fences).  With nobody
# importing, --sync release exports one frame per buffer of its ring and
# then waits (bounded) instead of drawing into a shared buffer; --sync
# fences sends no frame at all until the importer has every buffer (its
# frames are FENCE events, which only a listening importer gets).
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0
hyperdmabuf-compositor --help >/dev/null
lab_tap "compositor: --help exits 0" test $? = 0 || rc=1
hyperdmabuf-compositor --frames 3 2>/dev/null
lab_tap "compositor: no --to is a usage error (2)" test $? = 2 || rc=1
hyperdmabuf-compositor --to loopback:1 --buffers 1 2>/dev/null
lab_tap "compositor: a 1-buffer ring is a usage error (2)" test $? = 2 || rc=1
hyperdmabuf-compositor --to loopback:1 --sync never 2>/dev/null
lab_tap "compositor: an unknown --sync mode is a usage error (2)" test $? = 2 || rc=1
hyper_dmabuf-importd --from loopback:0 --sync fences --socket /tmp/x.sock 2>/dev/null
lab_tap "importd: --sync fences with --socket is a usage error (2)" test $? = 2 || rc=1
for sync in release fences; do
	case $sync in
	release) sent=3 what="frame 0 was not released by the importer" ;;
	fences) sent=0 what="buffer 0 was not imported" ;;
	esac
	hyperdmabuf-compositor --to loopback:1 --frames 5 --buffers 3 --timeout 1500 \
		--sync $sync >/tmp/noimp.out 2>&1
	crc=$?
	cat /tmp/noimp.out
	lab_tap "compositor ($sync): without an importer, fails after the timeout (1)" test $crc = 1 || rc=1
	lab_tap "compositor ($sync): without an importer, stops after $sent of 5 frames" \
		grep -q "frames sent $sent, done by the importer 0," /tmp/noimp.out || rc=1
	lab_tap "compositor ($sync): reports what it waited for" \
		grep -q "$what within 1500 ms" /tmp/noimp.out || rc=1
	# with importd: a 2-buffer ring serves 20 frames, each buffer reused 10 times
	rm -rf /tmp/ring-png
	demo_importd_start /tmp/importd-ring.log --from loopback:0 --outdir /tmp/ring-png \
		--keep 2 --sync $sync -v || { cat /tmp/importd-ring.log; exit 1; }
	hyperdmabuf-compositor --to loopback:1 --frames 20 --fps 0 --sync $sync >/tmp/ring.out 2>&1
	crc=$?
	demo_importd_stop
	cat /tmp/ring.out /tmp/importd-ring.log
	lab_tap "compositor ($sync): 20 frames through 2 buffers, the importer done with all" \
		sh -c "[ $crc = 0 ] && grep -q 'frames sent 20, done by the importer 20,' /tmp/ring.out" || rc=1
	lab_tap "importd --keep 2 ($sync): only the 2 newest PNGs remain" \
		sh -c '[ "$(ls /tmp/ring-png)" = "$(printf "frame-00000018.png\nframe-00000019.png")" ]' || rc=1
	lab_tap "importd ($sync): the last two PNGs are frames 18 and 19, pixel-exact" \
		sh -c 'hyperdmabuf-pattern-check 18 /tmp/ring-png/frame-00000018.png &&
		       hyperdmabuf-pattern-check 19 /tmp/ring-png/frame-00000019.png' || rc=1
done
# fences: the two buffers were imported once, not once per frame
lab_tap "importd (fences): 2 imports for 20 frames" \
	sh -c '[ "$(grep -c "in the pool" /tmp/importd-ring.log)" = 2 ]' || rc=1
demo_unload
exit $rc
