# The guest driver hyper_dmabuf_virtio.ko on the device: probe, config space,
# vqs, shm region 0 with struct pages (memremap_pages), bounded requests,
# unbind with requests in flight, rebind, suspend/resume (freeze/restore),
# unload, and no kernel warning on the way.
#
# Behind a device that never answers (the lab's vhost-stub: no SHM_MAP
# feature) every request must fail with ETIMEDOUT after timeout_ms, also
# when the ring is full; the abandoned requests are reclaimed at unbind.
# Behind the real daemon (SHM_MAP offered), a request of an unknown type
# must be rejected instead.
ko=$LAB_KO/hyper_dmabuf_virtio.ko
[ -f "$ko" ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
lab_modprobe virtio_pci || exit 1
[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
v=
for p in /sys/bus/virtio/devices/*; do
	[ "$(cat $p/device)" = 0x0025 ] && v=${p##*/}
done
[ -n "$v" ] || { echo "FAIL: no virtio device with id 0x0025"; exit 1; }
drv=/sys/bus/virtio/drivers/hyper_dmabuf_virtio
D=/sys/kernel/debug/hyper_dmabuf_virtio/$v
fails=0
check() { lab_tap "$@" || fails=$((fails + 1)); }
info() { sed -n "s/^$1 //p" $D/info; }
bound() { [ "$(basename "$(readlink /sys/bus/virtio/devices/$v/driver)")" = hyper_dmabuf_virtio ]; }
# req TYPE PEER [HEX]: one raw request; prints the error message, if any
req() { echo "$@" 2>&1 >$D/request | sed 's/.*: //'; }
dmesg -c >/dev/null

insmod $LAB_KO/hyper_dmabuf.ko || exit 1
insmod "$ko" timeout_ms=1000 || { rmmod hyper_dmabuf; exit 1; }
check "virtio: driver bound to $v" lab_wait_for 10 bound
check "virtio: debugfs info" test -r $D/info
cat $D/info
dmesg | grep -i hyper_dmabuf_virtio
check "virtio: max_msg clamped to header + 4096" test "$(info max_msg)" -le 4112
# the stub offers a 64 MiB region: it must have struct pages now
has_pages() { info region | grep -q ' pages$'; }
check "virtio: shm region 0 has struct pages (ZONE_DEVICE)" has_pages

if [ "$(info shm_map)" = 0 ]; then
	# --- a device that never answers ---
	t0=$(lab_uptime)
	e=$(req 1 1 00)
	echo "request: '$e' after $(awk "BEGIN { print $(lab_uptime) - $t0 }") s (timeout_ms=1000)"
	check "virtio: unanswered request fails with ETIMEDOUT" sh -c "echo '$e' | grep -q 'timed out'"
	check "virtio: timeouts counted" test "$(info timeouts)" = 1
	# 40 at once: more than the 64-entry ring holds (3 descriptors each),
	# so some wait for ring space; all of them must time out
	mkdir -p /tmp/vq
	i=0; while [ $i -lt 40 ]; do
		(req 1 1 0102 >/tmp/vq/$i) & i=$((i + 1))
	done
	wait
	n=$(cat /tmp/vq/* | grep -c 'timed out')
	check "virtio: 40 concurrent requests on a full ring all time out ($n/40)" test "$n" = 40
	echo "queued $(info requests) of 41 requests, the rest waited for ring space"
	cat $D/info
	# a waiter is failed by unbind at once, and unbind reclaims the
	# abandoned requests the device still holds
	echo 30000 >/sys/module/hyper_dmabuf_virtio/parameters/timeout_ms
	(req 1 1 00 >/tmp/vq/inflight) &
	w=$!
	sleep 1
	echo $v >$drv/unbind
	wait $w
	check "virtio: in-flight request fails with ENOTCONN on unbind ($(cat /tmp/vq/inflight))" grep -q 'not connected' /tmp/vq/inflight
	echo 1000 >/sys/module/hyper_dmabuf_virtio/parameters/timeout_ms
else
	# --- the hyper_dmabuf daemon ---
	e=$(req 99 1)
	check "virtio: unknown request type rejected by the device ($e)" sh -c "[ -n '$e' ] && ! echo '$e' | grep -q 'timed out'"
	echo $v >$drv/unbind
fi
check "virtio: unbound" sh -c "! test -e /sys/bus/virtio/devices/$v/driver"
check "virtio: debugfs directory removed" test ! -e $D

# rebind: probe again on the same device (the region's pages are recreated)
echo $v >$drv/bind
check "virtio: rebound" lab_wait_for 10 bound
check "virtio: shm region 0 has struct pages after rebind" has_pages

# suspend (s2idle with pm_test=devices): freeze and restore the device
if [ -w /sys/power/pm_test ] && grep -q freeze /sys/power/state; then
	[ -w /sys/module/suspend/parameters/pm_test_delay ] && echo 0 >/sys/module/suspend/parameters/pm_test_delay
	echo devices >/sys/power/pm_test
	check "virtio: suspend/resume cycle" sh -c 'echo freeze >/sys/power/state'
	echo none >/sys/power/pm_test
	check "virtio: bound after resume" bound
	if [ "$(info shm_map)" = 0 ]; then
		e=$(req 1 1 00)
		check "virtio: requests reach the device after resume ($e)" sh -c "echo '$e' | grep -q 'timed out'"
	fi
else
	lab_ok "virtio: suspend/resume cycle # SKIP no pm_test"
fi

check "virtio: rmmod hyper_dmabuf_virtio" rmmod hyper_dmabuf_virtio
check "virtio: rmmod hyper_dmabuf" rmmod hyper_dmabuf
if dmesg | grep -E 'WARNING|BUG|Oops|general protection|Call Trace'; then
	lab_notok "virtio: no kernel warnings"; fails=$((fails + 1))
else
	lab_ok "virtio: no kernel warnings"
fi
dmesg | grep -i virtio
[ $fails = 0 ]
