# hyperdmabuf-ctl across Xen domains, exporter side: after dom0's
# xen-allow (dom0/70-ctl-xen-allow.sh), domu1 exports a file to domu2 and an
# XRGB8888 image to dom0 with the CLI; they import and check the bytes
# against the checksums published here (domu2/71-ctl-share.sh,
# dom0/71-ctl-share.sh), then domu1 unexports both.  The buffers are
# udmabufs (tests/xen/udmabuf_run hands one to `export --fd`): writing a
# vgem buffer through mmap never finishes in a PV domU.  Without
# /dev/udmabuf (Debian 6.1) the three scripts skip.
. /lab/common/ctl.sh
. /lab/xen/xch.sh
trap ctl_cleanup EXIT
cd /tmp
xch_load || exit 1
if [ ! -c /dev/udmabuf ]; then
	echo "no /dev/udmabuf in this kernel: a PV domU cannot fill an exportable buffer"
	lab_kv_set ctl/domu1/data skip
	lab_kv_set ctl/domu1/img skip
	exit 77
fi
lab_kv_wait ctl/allowed 240 >/dev/null || exit 1
d2=$(lab_kv_wait ctl/domid/domu2 120) || exit 1
lab_kv_wait ctl/dom0/ready 120 >/dev/null || exit 1
ctl_check "ctl: channels with dom0 and dom$d2 connected" \
	lab_wait_for 90 sh -c ". /lab/lib.sh; . /lab/xen/xch.sh; xch_connected 0 && xch_connected $d2"
timeout 30 $CTL info
ctl_check "ctl: info shows xen with our domid" \
	sh -c "$CTL info --json | grep -q '\"name\":\"xen\",\"own_domid\":$(xenstore-read domid)}'"

# test data: bytes of our own binary (no entropy needed early in a domU)
src=$(command -v $CTL)
lab_log "ctl: making test data"
head -c 37000 "$src" > data.bin
lab_kv_set ctl/domu1/data-md5 "$(md5sum < data.bin | cut -d' ' -f1)"
lab_log "ctl: export to dom$d2"
h=$(timeout 60 udmabuf_run data.bin 3 $CTL export --fd 3 --to "xen:$d2" -b --pidfile e1.pid)
ctl_check "ctl: export --fd (udmabuf of a file) to xen:$d2 ($h)" is_handle "$h"
ctl_bg "$(cat e1.pid)"
lab_kv_set ctl/domu1/data "$h"

tail -c 12288 "$src" > img.bin	# 64x48 XRGB8888
lab_kv_set ctl/domu1/img-md5 "$(md5sum < img.bin | cut -d' ' -f1)"
lab_log "ctl: export to dom0"
h0=$(timeout 60 udmabuf_run img.bin 3 $CTL export --fd 3 --fourcc XRGB8888 --size 64x48 --to xen:0 -b --pidfile e0.pid)
ctl_check "ctl: export image to xen:0 ($h0)" is_handle "$h0"
ctl_bg "$(cat e0.pid)"
lab_kv_set ctl/domu1/img "$h0"
$CTL list

lab_kv_set ctl/domu1/exported 1
ctl_check "ctl: domu2 imported" lab_kv_wait ctl/domu2/imported 120
ctl_check "ctl: dom0 imported" lab_kv_wait ctl/dom0/imported 120
$CTL list --json > list.json; cat list.json
ctl_check "ctl: list --json is JSON" jsoncheck < list.json
ctl_check "ctl: unexport $h" timeout 60 $CTL unexport --wait=5000 "$h"
ctl_check "ctl: unexport $h0" timeout 60 $CTL unexport --wait=5000 "$h0"
lab_kv_set ctl/domu1/done 1
exit $ctl_rc
