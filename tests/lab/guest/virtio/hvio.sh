# Helpers of the virtio scenario's tests (sourced, not a test itself).
#   hvio_load [ARGS]  virtio_pci, hyper_dmabuf and the virtio backend
#                     (ARGS for hyper_dmabuf_virtio.ko); sets D to its
#                     debugfs directory; skips (77) without the driver or
#                     without a SHM_MAP device (the lab's vhost-stub)
#   hvio_info NAME    a counter of $D/info
#   hvio_peer         the other guest's domain id (1 <-> 2)
#   hvio_unload       both modules
XFER=/opt/hdmabuf/bin/hdm_virtio_xfer
hvio_info() { sed -n "s/^$1 //p" $D/info; }
hvio_unload() { rmmod hyper_dmabuf_virtio && rmmod hyper_dmabuf; }
hvio_load() {
	[ -x $XFER ] || { echo "hdm_virtio_xfer not built: skip"; exit 77; }
	[ -f $LAB_KO/hyper_dmabuf_virtio.ko ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
	lab_modprobe virtio_pci || exit 1
	[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
	# a fresh driver (an earlier test may have left it loaded)
	[ -d /sys/module/hyper_dmabuf_virtio ] && { rmmod hyper_dmabuf_virtio || exit 1; }
	[ -d /sys/module/hyper_dmabuf ] && { rmmod hyper_dmabuf || exit 1; }
	insmod $LAB_KO/hyper_dmabuf.ko || exit 1
	insmod $LAB_KO/hyper_dmabuf_virtio.ko "$@" || { rmmod hyper_dmabuf; exit 1; }
	D=$(ls -d /sys/kernel/debug/hyper_dmabuf_virtio/*/ 2>/dev/null | head -1)
	lab_wait_for 10 test -r "$D/info" || { echo "FAIL: no device bound"; exit 1; }
	if [ "$(hvio_info shm_map)" != 1 ]; then
		echo "the device has no SHM_MAP (vhost-stub, not hyper_dmabufd): skip"
		hvio_unload; exit 77
	fi
}
hvio_peer() {
	case $(hvio_info domid) in 1) echo 2 ;; 2) echo 1 ;; *) return 1 ;; esac
}
