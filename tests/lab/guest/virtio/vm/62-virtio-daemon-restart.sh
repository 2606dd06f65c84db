# Daemon restart (docs/host-api.rst, Lifecycle): after the guest -> host
# imports of 60-virtio-host.sh, the lab host (virtio-host-api.sh) stops
# hyper_dmabufd and starts it again; QEMU reconnects (chardev
# reconnect-ms=1000, as docs/backends.rst says).  This guest keeps
# exporting 64 KiB of known bytes to domain 0 until the restarted daemon's
# client imported and released one: an export made before the restart is
# revoked when the driver sees domain 0 come up again, and the next one
# must work.  The host side checks the reconnect and the bytes.
ko=$LAB_KO/hyper_dmabuf_virtio.ko
[ -f "$ko" ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
lab_modprobe virtio_pci vgem || exit 1
[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
[ -d /sys/module/hyper_dmabuf ] || insmod $LAB_KO/hyper_dmabuf.ko || exit 1
[ -d /sys/module/hyper_dmabuf_virtio ] || insmod "$ko" || exit 1
F=/tmp/restart-pattern
awk -v r="$LAB_ROLE" 'BEGIN { for (i = 0; i < 8000; i++) printf "%s after the restart, line %d\n", r, i }' |
	head -c 65536 >$F
t0=$(cut -d. -f1 /proc/uptime)
n=0 ok=0
while [ $(($(cut -d. -f1 /proc/uptime) - t0)) -lt 150 ]; do
	n=$((n + 1))
	if hyperdmabuf-ctl export --file $F --to virtio:0 --until-released --wait-ms 30000 \
		>/tmp/restart-export.out 2>/tmp/restart-export.err; then
		ok=1
		break
	fi
	lab_log "export $n to domain 0 ended without release: $(head -c 160 /tmp/restart-export.err)"
	sleep 1
done
cat /tmp/restart-export.out
rmmod hyper_dmabuf_virtio
rmmod hyper_dmabuf
if [ $ok = 1 ]; then
	lab_ok "restart: 64 KiB exported to domain 0 imported and released by the host (attempt $n)"
else
	lab_notok "restart: no export to domain 0 was released within 150 s ($n attempts)"
	exit 1
fi
