# Helpers of the bench mode of the xen scenario (`make bench`, bench/run.sh;
# docs/performance.rst). bench/run.sh copies xen/ of this directory over
# /lab/xen/ of the guest images and writes /lab/bench.conf; normal lab runs
# never run these scripts.
[ -f /lab/bench.conf ] && . /lab/bench.conf

# bench_info ROLE: one result line describing this guest
bench_info() {
	echo "@@BENCH {\"type\":\"guest\",\"role\":\"$1\",\"kernel\":\"$(uname -r)\",\"mem_total_kb\":$(awk '/^MemTotal/ { print $2 }' /proc/meminfo),\"cpus\":$(grep -c ^processor /proc/cpuinfo)}"
}

# bench_load exporter|importer: raise the userspace grant limits, load our
# core module (room for 10,000 live exports and 1 GiB buffers), the Xen
# backend if it was built, and vgem on the exporter. A missing backend is
# not an error: hdmabuf-bench then reports "ours" as not available.
bench_load() {
	echo 1048576 >/sys/module/xen_gntalloc/parameters/limit || return 1
	[ -w /sys/module/xen_gntdev/parameters/limit ] &&
		echo 1048576 >/sys/module/xen_gntdev/parameters/limit
	if [ "$1" = exporter ]; then
		lab_modprobe vgem || return 1
	fi
	[ -f "$LAB_KO/hyper_dmabuf.ko" ] || { echo "bench: hyper_dmabuf.ko was not built"; return 1; }
	insmod "$LAB_KO/hyper_dmabuf.ko" max_exports=16384 max_size_mb=2048 || return 1
	lab_wait_for 5 test -c /dev/hyper_dmabuf || return 1
	for ko in "$LAB_KO"/hyper_dmabuf_xen*.ko "$LAB_KO"/hdmabuf_xen*.ko; do
		[ -f "$ko" ] || continue
		insmod "$ko" || echo "bench: insmod $ko failed: ours will be reported as not available"
	done
	return 0
}
