# Helpers of the bench mode of the virtio scenario (`make bench`'s virtio
# phase, bench/run.sh; docs/performance.rst). bench/run.sh copies virtio/
# of this directory over /lab/virtio/ of the guest image and writes
# /lab/bench.conf; normal lab runs never run these scripts.
[ -f /lab/bench.conf ] && . /lab/bench.conf
. /lab/virtio/hvio.sh

# bench_info ROLE: one result line describing this guest
bench_info() {
	echo "@@BENCH {\"type\":\"guest\",\"role\":\"$1\",\"kernel\":\"$(uname -r)\",\"mem_total_kb\":$(awk '/^MemTotal/ { print $2 }' /proc/meminfo),\"cpus\":$(grep -c ^processor /proc/cpuinfo)}"
}

# vbench_port: the character device of the port named hdmabuf.bench
vbench_port() {
	for n in /sys/class/virtio-ports/vport*/name; do
		[ "$(cat "$n" 2>/dev/null)" = hdmabuf.bench ] || continue
		n=${n%/name}
		echo "/dev/${n##*/}"
		return 0
	done
	return 1
}

# vbench_setup: the virtio backend (hvio_load, sets D), $peer and $port
vbench_setup() {
	lab_modprobe virtio_console || return 1
	hvio_load
	peer=$(hvio_peer) || { echo "bench: unexpected domid $(hvio_info domid)"; return 1; }
	lab_wait_for 10 vbench_port >/dev/null || { echo "bench: no virtio-serial port hdmabuf.bench"; return 1; }
	port=$(vbench_port)
	lab_wait_for 5 test -c "$port" || { echo "bench: $port is not a device"; return 1; }
}
