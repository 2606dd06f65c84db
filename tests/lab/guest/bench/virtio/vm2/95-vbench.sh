# Bench mode only (`make bench`, the virtio phase): vm2 imports for
# hdmabuf-vbench (vm1 drives it over the virtio-serial port).
. /lab/bench/vbench-lib.sh
vbench_setup || exit 1
bench_info "$LAB_ROLE"
# shellcheck disable=SC2086
hdmabuf-vbench import --peer "$peer" --port "$port" $VBENCH_IMPORT_ARGS
rc=$?
hvio_unload
exit $rc
