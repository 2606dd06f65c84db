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
# core module (room for 10,000 live exports and 1 GiB buffers) and the Xen
# backend if it was built; on the exporter, let udmabuf (built into 6.12;
# the exporter's buffers, see bench/src/buf.c) make 1 GiB buffers. A
# missing backend or udmabuf is not an error: hdmabuf-bench then reports
# "ours" as not available.
bench_load() {
	echo 1048576 >/sys/module/xen_gntalloc/parameters/limit || return 1
	[ -w /sys/module/xen_gntdev/parameters/limit ] &&
		echo 1048576 >/sys/module/xen_gntdev/parameters/limit
	if [ "$1" = exporter ]; then
		if [ -w /sys/module/udmabuf/parameters/size_limit_mb ]; then
			echo 2048 >/sys/module/udmabuf/parameters/size_limit_mb
		else
			echo "bench: no udmabuf in $(uname -r): ours will be reported as not available"
		fi
	fi
	[ -f "$LAB_KO/hyper_dmabuf.ko" ] || { echo "bench: hyper_dmabuf.ko was not built"; return 1; }
	insmod "$LAB_KO/hyper_dmabuf.ko" max_exports=16384 max_size_mb=2048 || return 1
	lab_wait_for 5 test -c /dev/hyper_dmabuf || return 1
	if [ -f "$BENCH_XEN_KO" ]; then
		insmod "$BENCH_XEN_KO" || echo "bench: insmod $BENCH_XEN_KO failed: ours will be reported as not available"
	fi
	return 0
}

BENCH_XEN_KO=$LAB_KO/hyper_dmabuf_xen.ko
BENCH_XEN_DBG=/sys/kernel/debug/hyper_dmabuf_xen

# bench_xen_connected PEER: our backend's channel with domain PEER is up
bench_xen_connected() {
	grep -q "^$1 .* connected " "$BENCH_XEN_DBG/channels" 2>/dev/null
}

# bench_xen_allow ID1 ID2 (dom0): let two domUs talk to each other, as
# `hyperdmabuf-ctl xen-allow` does: the pair directory in the higher
# domain's area, writable by the lower one, then both allow keys.
bench_xen_allow() {
	_lo=$1 _hi=$2
	[ "$_lo" -lt "$_hi" ] || { _lo=$2; _hi=$1; }
	_p=/local/domain/$_hi/data/hyper_dmabuf/$_lo
	xenstore-write "$_p" "" && xenstore-chmod "$_p" "n$_hi" "b$_lo" "r$_hi" &&
		xenstore-write "/local/domain/$_lo/data/hyper_dmabuf/allow/$_hi" "" &&
		xenstore-write "/local/domain/$_hi/data/hyper_dmabuf/allow/$_lo" ""
}

# bench_xen_pair PEER: wait (90 s at most) for the channel with PEER when
# the backend is loaded; its state is logged either way
bench_xen_pair() {
	[ -d /sys/module/hyper_dmabuf_xen ] || return 0
	lab_wait_for 90 bench_xen_connected "$1" ||
		echo "bench: no hyper_dmabuf_xen channel with dom$1: ours will fail or be reported as not available"
	cat "$BENCH_XEN_DBG/channels" 2>/dev/null
	return 0
}
