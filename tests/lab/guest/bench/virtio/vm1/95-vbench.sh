# Bench mode only (`make bench`, the virtio phase): vm1 exports and drives
# hdmabuf-vbench against vm2 over the virtio-serial port the host relays;
# its "@@BENCH {json}" lines are the results the host collects.
. /lab/bench/vbench-lib.sh
vbench_setup || exit 1
bench_info "$LAB_ROLE"
lab_modprobe vgem || exit 1
# vgem's shmem pages as 2 MiB huge pages: the host maps at most 480 runs
# per guest (docs/virtio-device.rst); 32 MiB of 4 KiB pages would not map
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
[ -w $thp ] && echo force >$thp
# shellcheck disable=SC2086
hdmabuf-vbench export --peer "$peer" --port "$port" $VBENCH_EXPORT_ARGS
rc=$?
hvio_unload
exit $rc
