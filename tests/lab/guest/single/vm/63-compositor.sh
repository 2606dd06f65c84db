# hyperdmabuf-compositor recycles a buffer only after the importer released
# it: with nobody importing, it exports one frame per buffer of its ring and
# then waits (bounded) instead of drawing into a shared buffer.
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0
hyperdmabuf-compositor --help >/dev/null
lab_tap "compositor: --help exits 0" test $? = 0 || rc=1
hyperdmabuf-compositor --frames 3 2>/dev/null
lab_tap "compositor: no --to is a usage error (2)" test $? = 2 || rc=1
hyperdmabuf-compositor --to loopback:1 --buffers 1 2>/dev/null
lab_tap "compositor: a 1-buffer ring is a usage error (2)" test $? = 2 || rc=1
hyperdmabuf-compositor --to loopback:1 --frames 5 --buffers 3 --timeout 1500 >/tmp/noimp.out 2>&1
crc=$?
cat /tmp/noimp.out
lab_tap "compositor: without an importer, fails after the timeout (1)" test $crc = 1 || rc=1
lab_tap "compositor: without an importer, stops after one frame per buffer (3 of 5)" \
	grep -q 'frames exported 3, released by the importer 0,' /tmp/noimp.out || rc=1
lab_tap "compositor: reports the frame it waited for" grep -q 'frame 0 was not released within 1500 ms' /tmp/noimp.out || rc=1
# with importd: a 2-buffer ring serves 20 frames, each buffer reused 10 times
demo_importd_start /tmp/importd-ring.log --from loopback:0 --outdir /tmp/ring-png --keep 2 || { cat /tmp/importd-ring.log; exit 1; }
hyperdmabuf-compositor --to loopback:1 --frames 20 --fps 0 >/tmp/ring.out 2>&1
crc=$?
demo_importd_stop
cat /tmp/ring.out /tmp/importd-ring.log
lab_tap "compositor: 20 frames through 2 buffers, all released" \
	sh -c "[ $crc = 0 ] && grep -q 'frames exported 20, released by the importer 20,' /tmp/ring.out" || rc=1
lab_tap "importd --keep 2: only the 2 newest PNGs remain" \
	sh -c '[ "$(ls /tmp/ring-png)" = "$(printf "frame-00000018.png\nframe-00000019.png")" ]' || rc=1
lab_tap "importd: the last PNG is frame 19" hyperdmabuf-pattern-check 19 /tmp/ring-png/frame-00000019.png || rc=1
demo_unload
exit $rc
