# hyperdmabuf-ctl across Xen domains, importer side (domu1/71-ctl-share.sh
# exports): import domu1's file with the CLI and compare its checksum.
. /lab/common/ctl.sh
. /lab/xen/xch.sh
cd /tmp
xch_load || exit 1
lab_kv_set ctl/domid/domu2 "$(xenstore-read domid)"
h=$(lab_kv_wait ctl/domu1/data 240) || exit 1
[ "$h" = skip ] && { echo "domu1 cannot export here (no /dev/udmabuf)"; exit 77; }
sum=$(lab_kv_get ctl/domu1/data-md5)
ctl_check "ctl: offer $h from domu1 arrives" ctl_wait_offer "$h"
timeout 30 $CTL query "$h"
ctl_check "ctl: import --out" timeout 60 $CTL import "$h" --out data.bin
ctl_check "ctl: 10 pages imported" test "$(wc -c < data.bin)" = 40960
ctl_check "ctl: bytes equal domu1's file (md5 $sum)" \
	test "$(head -c 37000 data.bin | md5sum | cut -d' ' -f1)" = "$sum"
lab_kv_set ctl/domu2/imported 1
lab_kv_wait ctl/domu1/done 120 >/dev/null
ctl_check "ctl: offer gone after domu1's unexport" \
	lab_wait_for 20 sh -c "! $CTL list | grep -q $h"
exit $ctl_rc
