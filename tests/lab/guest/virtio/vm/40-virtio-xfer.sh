# Guest to guest through hyper_dmabufd: vm1 exports vgem buffers to vm2,
# which imports them through its shm region (hdm_virtio_xfer: read-only
# 4 KiB..64 MiB byte-exact, writes crossing in both directions without a
# message, revoke, 100 cycles with no region page left in use).
bin=/opt/hdmabuf/bin/hdm_virtio_xfer
[ -x $bin ] || { echo "hdm_virtio_xfer not built: skip"; exit 77; }
[ -f $LAB_KO/hyper_dmabuf_virtio.ko ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
lab_modprobe virtio_pci || exit 1
[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
insmod $LAB_KO/hyper_dmabuf.ko || exit 1
insmod $LAB_KO/hyper_dmabuf_virtio.ko || { rmmod hyper_dmabuf; exit 1; }
D=$(ls -d /sys/kernel/debug/hyper_dmabuf_virtio/*/ 2>/dev/null | head -1)
lab_wait_for 10 test -r "$D/info" || { echo "FAIL: no device bound"; exit 1; }
info() { sed -n "s/^$1 //p" $D/info; }
cleanup() { rmmod hyper_dmabuf_virtio; rmmod hyper_dmabuf; }
if [ "$(info shm_map)" != 1 ]; then
	echo "the device has no SHM_MAP (vhost-stub, not hyper_dmabufd): skip"
	cleanup; exit 77
fi
own=$(info domid)
case $own in 1) peer=2 ;; 2) peer=1 ;; *) echo "FAIL: unexpected domid $own"; cleanup; exit 1 ;; esac
if [ "$LAB_ROLE" = vm1 ]; then
	lab_modprobe vgem || { cleanup; exit 1; }
	# The host maps at most 480 runs of contiguous pages per guest (QEMU's
	# vhost memory slots, docs/virtio-device.rst): a 64 MiB buffer of
	# scattered 4 KiB pages cannot be imported.  vgem's pages come from
	# shmem; "force" makes them 2 MiB huge pages (32 runs for 64 MiB).
	thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
	old=
	if [ -w $thp ]; then
		old=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
		echo force >$thp
	fi
	$bin export $peer 100; rc=$?
	[ -n "$old" ] && echo "$old" >$thp
else
	$bin import $peer 100; rc=$?
fi
cat $D/info
cleanup || rc=1
exit $rc
