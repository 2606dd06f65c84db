# hyperdmabuf-ctl xen-allow against the Xen backend: 30-xen-channel.sh
# allowed domu1<->domu2 by hand; xen-allow writes the same nodes and
# permissions (docs/xen.rst), --remove takes them away (the domUs' channel
# goes), and allowing again brings the channel back (store 4/4).
. /lab/common/ctl.sh
. /lab/xen/xch.sh
d1=$(xl domid domu1 2>/dev/null) && d2=$(xl domid domu2 2>/dev/null) ||
	{ echo "FAIL: domu1/domu2 not running"; exit 1; }
lo=$d1; hi=$d2
[ "$lo" -lt "$hi" ] || { lo=$d2; hi=$d1; }
pair=/local/domain/$hi/data/hyper_dmabuf/$lo
allow_lo=/local/domain/$lo/data/hyper_dmabuf/allow/$hi
allow_hi=/local/domain/$hi/data/hyper_dmabuf/allow/$lo
connected() { [ "$(xch_store_states $hi $lo)" = 4/4 ]; }
# the domUs' own tests end with the channel up (30-xen-channel.sh)
lab_kv_wait xch/domu1/done 180 >/dev/null
lab_kv_wait xch/domu2/done 180 >/dev/null

ctl_check "ctl: xen-allow $hi $lo (either order)" $CTL xen-allow "$hi" "$lo"
xenstore-ls -p /local/domain/$hi/data/hyper_dmabuf | grep -v '^  '
ctl_check "ctl: pair directory $pair is nB bA rB" \
	sh -c "xenstore-ls -p /local/domain/$hi/data/hyper_dmabuf | grep -q '^$lo = \"\" .*(n$hi,b$lo,r$hi)'"
ctl_check "ctl: allow keys exist" sh -c "xenstore-exists $allow_lo && xenstore-exists $allow_hi"
ctl_check "ctl: channel dom$lo<->dom$hi still connected" lab_wait_for 30 connected

ctl_check "ctl: xen-allow --remove" $CTL xen-allow --remove "$d1" "$d2"
ctl_check "ctl: allow keys and pair directory gone" \
	sh -c "! xenstore-exists $allow_lo && ! xenstore-exists $allow_hi && ! xenstore-exists $pair/state"
ctl_check "ctl: --remove again succeeds" $CTL xen-allow --remove "$d1" "$d2"

$CTL xen-allow --json "$d1" "$d2" > xa.json
ctl_check "ctl: xen-allow --json is JSON" jsoncheck < xa.json
ctl_check "ctl: channel dom$lo<->dom$hi reconnects after xen-allow" lab_wait_for 90 connected
ctl_status 2 "ctl: xen-allow with dom0" $CTL xen-allow 0 "$d1"
lab_kv_set ctl/allowed 1
exit $ctl_rc
