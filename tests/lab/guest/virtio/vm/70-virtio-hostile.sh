# A hostile guest through the driver's debugfs "request" file: vm1 announces
# page directories that point outside its memory or are malformed, and
# messages the device must refuse; vm2 asks the device to MAP them and sends
# MAP/UNMAP requests with malformed payloads, sizes and offsets.  Every one
# is refused with the device's errno (never a timeout), and both drivers end
# with no region page in use.  (Malformed descriptor chains, which the
# driver cannot produce, are covered by hyper_dmabufd's unit and fuzz tests.)
. /lab/virtio/hvio.sh
hvio_load
peer=$(hvio_peer) || { echo "FAIL: unexpected domid $(hvio_info domid)"; hvio_unload; exit 1; }
lab_modprobe vgem || { hvio_unload; exit 1; }
if [ "$LAB_ROLE" = vm1 ]; then
	$XFER forge $peer; rc=$?
else
	$XFER hostile $peer; rc=$?
fi
cat $D/info
hvio_unload || rc=1
exit $rc
