# hyper_dmabuf-importd --socket: every frame's dma-buf reaches a UNIX-socket
# client with its header (SCM_RIGHTS); the client checks the pixels through
# its own mapping and its close() releases the import.
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0 sock=/tmp/frames.sock
demo_importd_start /tmp/importd-sock.log --from loopback:0 --socket $sock || { cat /tmp/importd-sock.log; exit 1; }
$DEMO_TESTS/sock_client $sock 5 >/tmp/client.tap 2>&1 &
clpid=$!
lab_wait_for 10 grep -q connected /tmp/client.tap || rc=1
hyperdmabuf-compositor --to loopback:1 --frames 5 --timeout 20000 >/tmp/sock-comp.out 2>&1
crc=$?
wait $clpid
clrc=$?
demo_importd_stop
st=$?
cat /tmp/sock-comp.out /tmp/client.tap /tmp/importd-sock.log
sed -n 's/^ok [0-9]* - /sock_client: /p' /tmp/client.tap | while read -r l; do lab_ok "$l"; done
sed -n 's/^not ok [0-9]* - /sock_client: /p' /tmp/client.tap | while read -r l; do lab_notok "$l"; done
lab_tap "socket client: 5 frames, pixel-exact" test $clrc = 0 || rc=1
lab_tap "compositor: 5 frames released after the client closed them" test $crc = 0 || rc=1
lab_tap "importd --socket: 5 frames consumed, exit 0" \
	sh -c "[ $st = 0 ] && grep -q '5 frames consumed, 0 rejected, 0 failed' /tmp/importd-sock.log" || rc=1
lab_tap "importd --socket: socket removed on exit" test ! -e $sock || rc=1
demo_unload
exit $rc
