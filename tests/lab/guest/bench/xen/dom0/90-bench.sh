# Bench mode only (`make bench`): dom0 describes the host (Xen version,
# memory), loads the Xen backend and allows domu1<->domu2 when the backend
# was built, then waits for the exporter to finish the benchmark.
. /lab/bench/bench-lib.sh
xl info >/tmp/xl-info 2>&1
field() { sed -n "s/^$1[[:space:]]*: *//p" /tmp/xl-info | head -n1; }
echo "@@BENCH {\"type\":\"xen\",\"xen_version\":\"$(field xen_version)\",\"xen_extra\":\"$(field xen_extra)\",\"nr_cpus\":\"$(field nr_cpus)\",\"total_memory_mb\":\"$(field total_memory)\",\"xen_commandline\":\"$(field xen_commandline)\",\"dom0_kernel\":\"$(uname -r)\"}"
xl list
if [ -f "$BENCH_XEN_KO" ]; then
	insmod "$LAB_KO/hyper_dmabuf.ko" && insmod "$BENCH_XEN_KO" || echo "bench: dom0 could not load the Xen backend"
	bench_xen_allow "$(xl domid domu1)" "$(xl domid domu2)" || echo "bench: xen-allow domu1 domu2 failed"
fi
lab_kv_set bench/allowed 1
# relay the domUs' consoles live (a slow or killed run still shows where it
# was); "@@" is defused so the host neither counts nor collects them twice
for d in domu1 domu2; do
	sh -c 'echo $$ >/tmp/relay-$1.pid; exec tail -f /var/log/xen/console/guest-$1.log' sh $d 2>/dev/null |
		sed "s/@@/@-@/g; s/^/live $d: /" &
done
rc=$(lab_kv_wait bench/done "${BENCH_TIMEOUT:-1500}") || { echo "bench: the exporter did not finish"; rc=1; }
sleep 1
kill $(cat /tmp/relay-*.pid) 2>/dev/null
wait
echo "bench: exporter finished with status $rc"
cat "$BENCH_XEN_DBG/channels" 2>/dev/null
[ "$rc" = 0 ]
