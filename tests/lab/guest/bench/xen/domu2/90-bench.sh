# Bench mode only (`make bench`): domu2 is the importer of hdmabuf-bench.
. /lab/bench/bench-lib.sh
bench_load importer || exit 1
bench_info "$LAB_ROLE"
lab_kv_set bench/importer-domid "$(xenstore-read domid)"
peer=$(lab_kv_wait bench/exporter-domid 300) || exit 1
lab_kv_wait bench/allowed 300 >/dev/null || exit 1
bench_xen_pair "$peer"
# shellcheck disable=SC2086
hdmabuf-bench import --peer "$peer" --xs /lab/bench/chan $BENCH_IMPORT_ARGS
