# 256 MiB domu1 -> dom0, read-only, dom0 side: see domu1/56-xfer-256m-to-dom0.sh.
. /lab/xen/xp.sh
xp_setup domu1 || { xp_fail "256M M: setup"; exit 1; }
xp_need_exporter domu1
rc=0
h=$(lab_kv_wait xp/M/256M/handle 240) || { xp_fail "M 256M: no handle"; exit 1; }
if xfer import $h : mmap-check 501 : vmap-check 501 : prime-refused : \
	rw-refused : release > /tmp/xp-M.out 2>&1; then
	lab_ok "M domu1->dom0 256M read-only: mmap and vmap show the data; vgem PRIME import (a device that may write) and writable mmap refused"
else
	xp_fail "M domu1->dom0 256M: $(tr '\n' ' ' < /tmp/xp-M.out)"; rc=1
fi
xp_info /tmp/xp-M.out
xp_clean "M 256M importer" || rc=1
exit $rc
