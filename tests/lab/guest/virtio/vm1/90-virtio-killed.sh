# vm1's last test: export a read-write buffer to vm2 and keep it (in the
# background) until vm2 has it mapped; then this VM is killed without any
# shutdown (sysrq "b" after the results are out, see ../setup.sh), so the
# daemon sees the vhost-user connection drop.  vm2/90-virtio-peer-killed.sh
# checks the other side.
. /lab/virtio/hvio.sh
hvio_load
peer=$(hvio_peer) || { echo "FAIL: unexpected domid $(hvio_info domid)"; hvio_unload; exit 1; }
lab_modprobe vgem || exit 1
$XFER hold $peer || exit 1
# the modules stay loaded: the buffer is exported when the VM dies
touch /tmp/lab-virtio-kill
