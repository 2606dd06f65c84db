# The demo's exporting side (see xen/dom0/70-demo.sh): renders and exports
# DEMO_FRAMES frames to dom0 once dom0's importer is ready.
. /lab/common/demo-lib.sh
demo_args
ready=$(lab_kv_wait demo/ready 120) || exit 1
[ "$ready" = 1 ] || { echo "dom0 is not running the demo ($ready)"; exit 77; }
demo_load_xen || { lab_kv_set demo/done 1; exit 1; }
# udmabuf, not vgem: writing a vgem dumb buffer through its mmap loops on
# page faults in a PV domU (drm_gem_shmem_fault), so the frames come from
# memfds; kernels without udmabuf (Debian 6.1) skip the demo (6.12 has it
# built in)
if [ ! -e /sys/class/misc/udmabuf ]; then
	echo "no udmabuf in this kernel: skip"; lab_kv_set demo/done skip; demo_unload; exit 77
fi
# exports to dom0 need the backend's channel with it (docs/xen.rst)
if ! lab_wait_for 90 grep -q '^0 [a-z]* connected ' /sys/kernel/debug/hyper_dmabuf_xen/channels; then
	cat /sys/kernel/debug/hyper_dmabuf_xen/channels
	lab_notok "demo: no channel with dom0"; lab_kv_set demo/done 1; demo_unload; exit 1
fi
hyperdmabuf-compositor --udmabuf --to xen:0 --frames "$DEMO_FRAMES" --fps "$DEMO_FPS" \
	--timeout 60000 >/tmp/demo-comp.out 2>&1
crc=$?
cat /tmp/demo-comp.out
# until the backend shares pages, EXPORT says EOPNOTSUPP: nothing to demo
if [ $crc != 0 ] && grep -q 'export of frame 0: Operation not supported' /tmp/demo-comp.out; then
	lab_kv_set demo/done skip; demo_unload; exit 77
fi
demo_result compositor "$(tail -n 1 /tmp/demo-comp.out)"
lab_kv_set demo/done $crc
lab_tap "demo: compositor sent $DEMO_FRAMES frames to dom0, all released" test $crc = 0
r=$?
demo_unload
exit $r
