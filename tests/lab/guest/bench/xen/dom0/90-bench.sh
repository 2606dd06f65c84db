# Bench mode only (`make bench`): dom0 describes the host (Xen version,
# memory) and waits for the exporter to finish the benchmark.
. /lab/bench/bench-lib.sh
xl info >/tmp/xl-info 2>&1
field() { sed -n "s/^$1[[:space:]]*: *//p" /tmp/xl-info | head -n1; }
echo "@@BENCH {\"type\":\"xen\",\"xen_version\":\"$(field xen_version)\",\"xen_extra\":\"$(field xen_extra)\",\"nr_cpus\":\"$(field nr_cpus)\",\"total_memory_mb\":\"$(field total_memory)\",\"xen_commandline\":\"$(field xen_commandline)\",\"dom0_kernel\":\"$(uname -r)\"}"
xl list
rc=$(lab_kv_wait bench/done "${BENCH_TIMEOUT:-1500}") || { echo "bench: the exporter did not finish"; exit 1; }
echo "bench: exporter finished with status $rc"
[ "$rc" = 0 ]
