# The uevent paths of hyper_dmabuf-importd, without udev/systemd:
# - started after offers were made (as udev starts it on the first offer's
#   uevent), the daemon finds them with LIST, then follows the events;
# - one-shot --handle per uevent (busybox uevent runs a handler with the
#   uevent's environment, as a udev RUN rule would).
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0
# late start: the compositor's first two frames are offered before importd runs
rm -rf /tmp/late-png
hyperdmabuf-compositor --to loopback:1 --frames 4 --timeout 30000 >/tmp/late.out 2>&1 &
cpid=$!
sleep 1
hyper_dmabuf-importd --from loopback:0 --outdir /tmp/late-png --frames 4 >/tmp/late.log 2>&1
irc=$?
wait $cpid
crc=$?
cat /tmp/late.out /tmp/late.log
lab_tap "importd started late: picks up the waiting offers, exits after --frames 4" test $irc = 0 || rc=1
lab_tap "compositor: all 4 frames released" test $crc = 0 || rc=1
lab_tap "importd started late: 4 PNGs, frames 0-3 each pixel-exact (any order)" demo_check_pngs_any /tmp/late-png 4 || rc=1

# one import per uevent
cat >/tmp/on-uevent.sh <<'EOS'
[ "$ACTION" = change ] && [ "$HYPER_DMABUF_EVENT" = offer ] || exit 0
echo "uevent: offer $HYPER_DMABUF_HANDLE from $HYPER_DMABUF_BACKEND:$HYPER_DMABUF_PEER size $HYPER_DMABUF_SIZE fourcc $HYPER_DMABUF_FOURCC"
hyper_dmabuf-importd --from "$HYPER_DMABUF_BACKEND:$HYPER_DMABUF_PEER" --handle "$HYPER_DMABUF_HANDLE" --outdir /tmp/uevent-png
EOS
rm -rf /tmp/uevent-png
uevent sh /tmp/on-uevent.sh >/tmp/uevent.log 2>&1 &
upid=$!
sleep 0.5
hyperdmabuf-compositor --to loopback:1 --frames 3 --timeout 30000 >/tmp/ue.out 2>&1
crc=$?
# a handler releases the import before it encodes the PNG: wait for the files
lab_wait_for 20 sh -c '[ "$(ls /tmp/uevent-png/*.png 2>/dev/null | wc -l)" = 3 ]'
kill $upid 2>/dev/null; wait $upid 2>/dev/null
cat /tmp/ue.out /tmp/uevent.log
lab_tap "uevent one-shot: compositor's 3 frames imported and released" test $crc = 0 || rc=1
lab_tap "uevent one-shot: 3 offers seen with backend, peer, size and fourcc" \
	test "$(grep -c 'from loopback:0 size 3686400 fourcc 875713112' /tmp/uevent.log)" = 3 || rc=1
lab_tap "uevent one-shot: 3 PNGs named after the handles, frames 0-2 pixel-exact" \
	demo_check_pngs_any /tmp/uevent-png 3 || rc=1
demo_unload
exit $rc
