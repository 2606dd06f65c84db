# Guest to guest through hyper_dmabufd: vm1 exports vgem buffers to vm2,
# which imports them through its shm region (hdm_virtio_xfer: read-only
# 4 KiB..128 MiB byte-exact, typed metadata and events, writes crossing in
# both directions without a message, UNEXPORT waiting for the importer,
# revoke, 1000 cycles with no region page left in use and no failed UNMAP).
. /lab/virtio/hvio.sh
hvio_load
peer=$(hvio_peer) || { echo "FAIL: unexpected domid $(hvio_info domid)"; hvio_unload; exit 1; }
# the first export is lost if the importer reloads its driver after it
hvio_barrier 120 || { lab_notok "virtio xfer: the other guest never came"; hvio_unload; exit 1; }
if [ "$LAB_ROLE" = vm1 ]; then
	lab_modprobe vgem || { hvio_unload; exit 1; }
	# The host maps at most 480 runs of contiguous pages per guest (QEMU's
	# vhost memory slots, docs/virtio-device.rst): a 64 MiB buffer of
	# scattered 4 KiB pages cannot be imported.  vgem's pages come from
	# shmem; "force" makes them 2 MiB huge pages (64 runs for 128 MiB).
	thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
	old=
	if [ -w $thp ]; then
		old=$(sed 's/.*\[\(.*\)\].*/\1/' $thp)
		echo force >$thp
	fi
	$XFER export $peer 1000; rc=$?
	[ -n "$old" ] && echo "$old" >$thp
else
	$XFER import $peer 1000; rc=$?
fi
cat $D/info
hvio_unload || rc=1
exit $rc
