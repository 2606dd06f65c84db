# hyperdmabuf-ctl across Xen domains, dom0 side (domu1/71-ctl-share.sh
# exports): import domu1's XRGB8888 image as raw bytes and as PNG; the
# bytes match domu1's checksum and the PNG decodes to the same pixels.
. /lab/common/ctl.sh
. /lab/xen/xch.sh
cd /tmp
xch_load || exit 1
d1=$(xl domid domu1) || exit 1
ctl_check "ctl: channel with domu1 connected" xch_wait_connected "$d1" 90
lab_kv_set ctl/dom0/ready 1
h=$(lab_kv_wait ctl/domu1/img 240) || exit 1
[ "$h" = skip ] && { echo "domu1 cannot export here (no /dev/udmabuf)"; exit 77; }
sum=$(lab_kv_get ctl/domu1/img-md5)
ctl_check "ctl: offer $h from dom$d1 arrives" ctl_wait_offer "$h"
timeout 30 $CTL query --json "$h" > q.json; cat q.json
ctl_check "ctl: query: importer of dom$d1's XR24 64x48" \
	grep -q "\"role\":\"importer\",\"state\":\"shared\",\"backend\":\"xen\",\"backend_id\":2,\"peer\":$d1,\"size\":12288.*\"fourcc\":\"XR24\".*\"width\":64,\"height\":48" q.json
ctl_check "ctl: import --out --png" timeout 60 $CTL import "$h" --out img.raw --png img.png
ctl_check "ctl: bytes equal domu1's image (md5 $sum)" \
	test "$(md5sum < img.raw | cut -d' ' -f1)" = "$sum"
ctl_check "ctl: PNG decodes to the image's pixels" pngcheck img.png img.raw 64 48 256
lab_kv_set ctl/dom0/imported 1
lab_kv_wait ctl/domu1/done 120 >/dev/null
exit $ctl_rc
