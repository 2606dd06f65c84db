# Helpers of the virtio scenario's tests (sourced, not a test itself).
#   hvio_load [ARGS]  virtio_pci, hyper_dmabuf and the virtio backend
#                     (ARGS for hyper_dmabuf_virtio.ko); sets D to its
#                     debugfs directory; skips (77) without the driver or
#                     without a SHM_MAP device (the lab's vhost-stub)
#   hvio_info NAME    a counter of $D/info
#   hvio_peer         the other guest's domain id (1 <-> 2)
#   hvio_barrier SECS both guests are here with their drivers loaded
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

# hvio_barrier SECS: returns 0 once both guests reached it with their
# drivers loaded.  Each guest reloads its driver on its own schedule and an
# offer made to a guest that is reloading is lost, so vm2 offers vm1 64x64
# token buffers (vgem) again until vm1 has imported and released one; vm1
# polls LIST twice a second (every fork+exec under TCG costs the other
# guest).  1 after SECS seconds.
hvio_barrier() {
	_end=$(( $(cut -d. -f1 /proc/uptime) + $1 ))
	_p=$(hvio_peer) || return 1
	[ "$LAB_ROLE" = vm2 ] && { lab_modprobe vgem || return 1; }
	while [ "$(cut -d. -f1 /proc/uptime)" -lt $_end ]; do
		if [ "$LAB_ROLE" = vm2 ]; then
			hyperdmabuf-ctl export --vgem 64x64 --to virtio:$_p --until-released \
				--wait-ms 10000 >/dev/null 2>&1 && return 0
			sleep 1	# (an export to a guest that is not up fails at once)
		else
			_h=$(hyperdmabuf-ctl list | awk -v p="virtio:$_p" \
				'$2 == "importer" && $3 == "shared" && $4 == p { print $1; exit }')
			[ -n "$_h" ] && hyperdmabuf-ctl import "$_h" --out /dev/null 2>/dev/null &&
				return 0
			sleep 0.5
		fi
	done
	echo "hvio_barrier: the other guest never came" >&2
	return 1
}
