# Bench mode only (`make bench`): domu1 is the exporter and drives
# hdmabuf-bench; its "@@BENCH {json}" lines are the results the host collects.
. /lab/bench/bench-lib.sh
bench_load exporter || exit 1
bench_info "$LAB_ROLE"
lab_kv_set bench/exporter-domid "$(xenstore-read domid)"
peer=$(lab_kv_wait bench/importer-domid 300) || exit 1
lab_kv_wait bench/allowed 300 >/dev/null || exit 1
bench_xen_pair "$peer"
# shellcheck disable=SC2086
hdmabuf-bench export --peer "$peer" --xs /lab/bench/chan $BENCH_EXPORT_ARGS
rc=$?
lab_kv_set bench/done "$rc"
exit $rc
