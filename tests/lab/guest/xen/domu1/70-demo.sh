# The demo's exporting side (see xen/dom0/70-demo.sh): renders and exports
# DEMO_FRAMES frames to dom0 once dom0's importer is ready, once per --sync
# mode.
. /lab/common/demo-lib.sh
demo_args
skip_all() { for _s in $DEMO_SYNCS; do lab_kv_set demo/done-$_s "$1"; done; }
# udmabuf, not vgem: writing a vgem dumb buffer through its mmap loops on
# page faults in a PV domU (drm_gem_shmem_fault), so the frames come from
# memfds; kernels without udmabuf (Debian 6.1) skip the demo (6.12 has it
# built in).  vgem gives the write fences of --sync fences (on the
# udmabuf, PRIME-imported), which involves no CPU mapping of vgem's.
if [ ! -e /sys/class/misc/udmabuf ]; then
	echo "no udmabuf in this kernel: skip"; skip_all skip; exit 77
fi
demo_load_xen || { skip_all 1; exit 1; }
lab_modprobe vgem || { skip_all 1; demo_unload; exit 1; }
# exports to dom0 need the backend's channel with it (docs/xen.rst)
if ! lab_wait_for 90 grep -q '^0 [a-z]* connected ' /sys/kernel/debug/hyper_dmabuf_xen/channels; then
	cat /sys/kernel/debug/hyper_dmabuf_xen/channels
	lab_notok "demo: no channel with dom0"; skip_all 1; demo_unload; exit 1
fi
rc=0
for sync in $DEMO_SYNCS; do
	ready=$(lab_kv_wait demo/ready-$sync 120) || { rc=1; continue; }
	[ "$ready" = 1 ] || { echo "dom0 is not running the demo ($sync: $ready)"; continue; }
	hyperdmabuf-compositor --udmabuf --to xen:0 --frames "$DEMO_FRAMES" --fps "$DEMO_FPS" \
		--sync $sync --timeout 60000 -v >/tmp/demo-comp-$sync.out 2>&1
	crc=$?
	cat /tmp/demo-comp-$sync.out
	demo_result compositor "$(tail -n 1 /tmp/demo-comp-$sync.out)"
	lab_kv_set demo/done-$sync $crc
	lab_tap "demo ($sync): compositor sent $DEMO_FRAMES frames to dom0, the importer is done with all" \
		sh -c "[ $crc = 0 ] && grep -q 'frames sent $DEMO_FRAMES, done by the importer $DEMO_FRAMES,' /tmp/demo-comp-$sync.out" || rc=1
done
demo_unload
exit $rc
