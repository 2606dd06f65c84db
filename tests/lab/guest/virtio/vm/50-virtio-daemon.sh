# hyper_dmabufd seen from a guest: the configuration space the daemon
# serves (this guest's domain id as given by --guest SOCKET:DOMID, the
# 4112-byte message limit, the 256 MiB shared-memory region of SHM_MAP) and
# its answers to bad requests: a message to an unknown domain, a MAP with a
# malformed payload, a MAP of a directory nobody announced (all refused
# with the device's errno, never a timeout).
ko=$LAB_KO/hyper_dmabuf_virtio.ko
[ -f "$ko" ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
lab_modprobe virtio_pci || exit 1
[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
v=
for p in /sys/bus/virtio/devices/*; do
	[ "$(cat $p/device)" = 0x0025 ] && v=${p##*/}
done
[ -n "$v" ] || { echo "FAIL: no virtio device with id 0x0025"; exit 1; }
D=/sys/kernel/debug/hyper_dmabuf_virtio/$v
fails=0
check() { lab_tap "$@" || fails=$((fails + 1)); }
info() { sed -n "s/^$1 //p" $D/info; }
req() { echo "$@" 2>&1 >$D/request | sed 's/.*: //'; }
[ -d /sys/module/hyper_dmabuf ] || insmod $LAB_KO/hyper_dmabuf.ko || exit 1
[ -d /sys/module/hyper_dmabuf_virtio ] || insmod "$ko" timeout_ms=5000 || exit 1
lab_wait_for 10 test -r $D/info || { echo "FAIL: driver did not bind $v"; exit 1; }
cat $D/info
want=${LAB_ROLE#vm}
check "daemon: config domid is $want, as assigned by hyper_dmabufd ($(info domid))" test "$(info domid)" = "$want"
check "daemon: config max_msg 4112 ($(info max_msg))" test "$(info max_msg)" = 4112
check "daemon: SHM_MAP negotiated" test "$(info shm_map)" = 1
r=$(info region)
check "daemon: shm region 0 of 256 MiB ($r)" test "$(echo $r | cut -d' ' -f2)" = 0x10000000
e=$(req 1 99 00)
check "daemon: message to unknown domain 99 refused: $e" sh -c "echo '$e' | grep -qi 'not connected'"
e=$(req 2 $((3 - want)))
check "daemon: MAP with an empty payload refused: $e" sh -c "echo '$e' | grep -qi 'invalid argument'"
# root gfn 0x1234, 1 directory page, 1 level, 8-byte refs, ro, 1 page
e=$(req 2 $((3 - want)) 341200000000000001000000010800000100000000000000)
check "daemon: MAP of a directory never announced refused: $e" sh -c "echo '$e' | grep -qiE 'permission denied|not connected'"
check "daemon: no request timed out ($(info timeouts))" test "$(info timeouts)" = 0
rmmod hyper_dmabuf_virtio
rmmod hyper_dmabuf
[ $fails = 0 ]
