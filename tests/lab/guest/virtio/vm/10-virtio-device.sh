# Self-test: the guest sees the vhost-user-test-device-pci as a virtio device
# of id 37 (PCI 1af4:1065); the lab probe driver binds it and sets DRIVER_OK,
# which makes QEMU start the vhost-user device (the host checks that the
# vhost-stub received this guest's memory table).
dev=
for p in /sys/bus/pci/devices/*; do
	[ "$(cat $p/vendor)" = 0x1af4 ] && [ "$(cat $p/device)" = 0x1065 ] && dev=$p
done
[ -n "$dev" ] || { echo "FAIL: no PCI device 1af4:1065"; grep . /sys/bus/pci/devices/*/device; exit 1; }
lab_ok "PCI device 1af4:1065 (virtio id 37) at ${dev##*/}"
lab_modprobe virtio_pci || exit 1
lab_modprobe $(cat /opt/lab/modules/lab_vprobe.deps) || exit 1
insmod /opt/lab/modules/lab_vprobe.ko || exit 1
v=
for p in /sys/bus/virtio/devices/*; do
	[ "$(cat $p/device)" = 0x0025 ] && v=$p
done
[ -n "$v" ] || { echo "FAIL: no virtio device with id 0x0025"; exit 1; }
lab_wait_for 10 test -e $v/driver || { echo "FAIL: lab_vprobe did not bind ${v##*/}"; exit 1; }
lab_wait_for 10 sh -c 'dmesg | grep -q "lab_vprobe: device ready"' || { dmesg | grep lab_vprobe; exit 1; }
dmesg | grep lab_vprobe
echo "virtio id 37 device ${v##*/} bound to $(basename $(readlink $v/driver)), status $(cat $v/status)"
