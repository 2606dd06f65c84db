# hyperdmabuf-ctl over the loopback backend: info, watch, export (file,
# vgem, opaque metadata), list, query, import (raw bytes and PNG), JSON
# validity of every --json output (jsoncheck), exit codes.
. /lab/common/ctl.sh
trap ctl_cleanup EXIT
ctl_load_loopback || { echo "FAIL: modules"; exit 1; }
cd /tmp

# --- info, version ----------------------------------------------------------
ctl_check "ctl: info" $CTL info
$CTL info --json > info.json
ctl_check "ctl: info --json is JSON" jsoncheck < info.json
ctl_check "ctl: info lists loopback with own domid 0" \
	grep -q '{"id":1,"name":"loopback","own_domid":0}' info.json
ctl_check "ctl: --version reports kernel ABI 1" \
	sh -c "$CTL --version | grep -q 'kernel module: ABI 1\$'"
$CTL --json --version > version.json
ctl_check "ctl: --json --version" sh -c 'jsoncheck < version.json && grep -q "\"kernel_abi\":1" version.json'

# --- watch sees the offer of a file export ----------------------------------
$CTL watch --json --type offer --count 1 --timeout 20000 > watch.json 2> watch.err &
wpid=$!; ctl_bg $wpid
ctl_wait_dev $wpid || lab_notok "ctl: watch opened the device"

dd if=/dev/urandom of=data.bin bs=1000 count=37 2>/dev/null	# 37000 bytes
h=$($CTL export --file data.bin --to loopback:1 --background --pidfile exp.pid)
ctl_check "ctl: export --file --background prints a handle ($h)" is_handle "$h"
epid=$(cat exp.pid); ctl_bg "$epid"
ctl_check "ctl: export process $epid alive" kill -0 "$epid"
ctl_check "ctl: offer arrives" ctl_wait_offer "$h"

wait $wpid; wrc=$?
cat watch.json watch.err
ctl_check "ctl: watch --count 1 exits 0 (rc=$wrc)" test $wrc = 0
ctl_check "ctl: watch --json is JSON lines" jsoncheck -l < watch.json
ctl_check "ctl: watch shows the offer of $h" \
	grep -q "\"event\":\"offer\",\"handle\":\"$h\",\"backend\":\"loopback\",\"peer\":0,\"size\":40960" watch.json

# --- list, query --------------------------------------------------------------
$CTL list > list.txt; cat list.txt
ctl_check "ctl: list shows the export" grep -q "^$h exporter shared *loopback:1 *40960 ro" list.txt
ctl_check "ctl: list shows the offer" grep -q "^$h importer shared *loopback:0 *40960 ro" list.txt
$CTL list --json > list.json; cat list.json
ctl_check "ctl: list --json is JSON" jsoncheck < list.json
ctl_check "ctl: list --json names the export process" grep -q "\"owner_pid\":$epid" list.json
$CTL query "$h" --json > q.json
ctl_check "ctl: query --json is JSON" jsoncheck < q.json
ctl_check "ctl: query prefers the exporter's view" grep -q '"role":"exporter"' q.json
ctl_check "ctl: query --role importer" sh -c "$CTL query --role importer $h | grep -q '^role: *importer'"
ctl_status 1 "ctl: query of an unknown handle" $CTL query 0123456789abcdef0123456789abcdef
ctl_status 1 "ctl: import of an unknown handle" $CTL import 0123456789abcdef0123456789abcdef

# --- import: bytes identical ----------------------------------------------------
ctl_check "ctl: import --out" $CTL import "$h" --out out.bin
ctl_check "ctl: imported size is 10 pages" test "$(wc -c < out.bin)" = 40960
ctl_check "ctl: imported bytes equal the file" sh -c 'head -c 37000 out.bin | cmp - data.bin'
ctl_check "ctl: page tail is zero" sh -c 'test "$(tail -c 3960 out.bin | tr -d "\000" | wc -c)" = 0'
$CTL import "$h" --out - > out2.bin
ctl_check "ctl: import --out - writes stdout" cmp out.bin out2.bin
$CTL import "$h" --json > imp.json
ctl_check "ctl: import --json is JSON" jsoncheck < imp.json
ctl_status 1 "ctl: --png of a buffer without image metadata" $CTL import "$h" --png no.png

# --- PNG from typed metadata -------------------------------------------------------
dd if=/dev/urandom of=img.bin bs=256 count=32 2>/dev/null	# 64x32 XRGB8888
h2=$($CTL export --file img.bin --fourcc XRGB8888 --size 64x32 --to loopback:1 -b)
ctl_check "ctl: export XRGB8888 image" ctl_wait_offer "$h2"
ctl_check "ctl: import --out --png" $CTL import "$h2" --out img.raw --png img.png
ctl_check "ctl: raw image equals the source" cmp img.raw img.bin
ctl_check "ctl: PNG decodes to the source pixels (XRGB)" pngcheck img.png img.bin 64 32 256

h3=$($CTL export --file img.bin --fourcc AR24 --size 32x32 --plane 4096:128 --to loopback:1 -b)
ctl_wait_offer "$h3"
ctl_check "ctl: import --png (ARGB, plane offset)" $CTL import "$h3" --png argb.png
tail -c 4096 img.bin > img.hi
ctl_check "ctl: PNG decodes to the source pixels (ARGB)" pngcheck argb.png img.hi 32 32 128 alpha

h4=$($CTL export --vgem 100x50 --to loopback:1 -b --json | sed -n 's/.*"handle":"\([0-9a-f]*\)".*/\1/p')
ctl_check "ctl: export --vgem --json" is_handle "$h4"
ctl_wait_offer "$h4"
$CTL query --role importer --json "$h4" > q4.json; cat q4.json
stride=$(ctl_json_field stride q4.json)
ctl_check "ctl: vgem metadata XR24 100x50" grep -q '"fourcc":"XR24","modifier":"0x0000000000000000","width":100,"height":50' q4.json
ctl_check "ctl: import vgem buffer" $CTL import "$h4" --out vgem.raw --png vgem.png
ctl_check "ctl: vgem pattern is not blank" sh -c 'test "$(tr -d "\000" < vgem.raw | wc -c)" -gt 10000'
ctl_check "ctl: vgem PNG decodes to the buffer's pixels" pngcheck vgem.png vgem.raw 100 50 "$stride"

# --- opaque metadata, rw -------------------------------------------------------------
printf 'hello' > opaque.bin
h5=$($CTL export --vgem 8x8 --fill zero --rw --opaque-file opaque.bin --to loopback:1 -b)
ctl_wait_offer "$h5"
$CTL query --role importer --json "$h5" > q5.json
ctl_check "ctl: opaque metadata and rw travel" grep -q '"rw":true.*"opaque_len":5,"opaque":"68656c6c6f"' q5.json
ctl_status 1 "ctl: EXPORT of a non-dma-buf fd fails" $CTL export --fd 0 --to loopback:1 --wait-ms 100
ctl_status 1 "ctl: EXPORT to a missing peer fails" $CTL export --vgem 8x8 --to loopback:7 --wait-ms 100
ctl_status 2 "ctl: usage error" $CTL export --vgem 8x8

# --- unexport via the export processes -----------------------------------------------
for x in "$h" "$h2" "$h3" "$h4" "$h5"; do
	ctl_check "ctl: unexport $x" $CTL unexport "$x"
done
ctl_check "ctl: export process exits after unexport" lab_wait_for 5 sh -c "! kill -0 $epid 2>/dev/null"
ctl_status 1 "ctl: unexport of a gone handle" $CTL unexport "$h"
ctl_check "ctl: list is empty" sh -c "test -z \"\$($CTL list)\""
ctl_check "ctl: list --json of nothing is []" sh -c "test \"\$($CTL list --json)\" = '[]'"
exit $ctl_rc
