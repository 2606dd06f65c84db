# guest -> host through hyper_dmabufd's host API (docs/host-api.rst): this
# guest exports a 1 MiB buffer of known bytes to domain 0, the host; the
# lab host's client (tests/lab/host/virtio-host-api.sh, hyperdmabuf-ctl
# --host) imports it, verifies every byte through the fds the daemon handed
# over and releases it, which ends the export here.  The host side reports
# its own results (host: lines of the run summary).
ko=$LAB_KO/hyper_dmabuf_virtio.ko
[ -f "$ko" ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
lab_modprobe virtio_pci vgem || exit 1
[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
[ -d /sys/module/hyper_dmabuf ] || insmod $LAB_KO/hyper_dmabuf.ko || exit 1
[ -d /sys/module/hyper_dmabuf_virtio ] || insmod "$ko" || exit 1
F=/tmp/host-pattern
# the same generator runs on the host (virtio-host-api.sh)
awk -v r="$LAB_ROLE" 'BEGIN { for (i = 0; i < 80000; i++) printf "%s to the host, line %d\n", r, i }' |
	head -c 1048576 >$F
[ "$(wc -c <$F)" = 1048576 ] || { echo "FAIL: pattern file"; exit 1; }
fails=0
n=0
# domain 0 comes up when the daemon's PEER_UP(0) and HELLO have been seen
while :; do
	hyperdmabuf-ctl export --file $F --to virtio:0 --until-released --wait-ms 200000 \
		>/tmp/host-export.out 2>/tmp/host-export.err && break
	rc=$?
	n=$((n + 1))
	if [ $n -lt 20 ] && grep -q "No such device or address" /tmp/host-export.err; then
		sleep 0.5
		continue
	fi
	cat /tmp/host-export.err
	lab_notok "host: export of 1 MiB to domain 0 failed or was not released in 200 s (rc=$rc)"
	fails=1
	break
done
[ $fails = 0 ] && lab_ok "host: 1 MiB exported to domain 0 (the host), imported and released by the host's client"
cat /tmp/host-export.out
rmmod hyper_dmabuf_virtio
rmmod hyper_dmabuf
[ $fails = 0 ]
