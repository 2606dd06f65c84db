# 256 MiB dom0 -> domu1, domu1 side: see dom0/55-xfer-256m.sh.
. /lab/xen/xp.sh
xp_setup dom0 || exit 1
rc=0
h=$(lab_kv_wait xp/L/256M/handle 240) || { lab_notok "L 256M: no handle"; exit 1; }
if xfer import $h : mmap-check 401 : prime-import : mmap-fill 1401 : release > /tmp/xp-L.out 2>&1; then
	lab_ok "L dom0->domu1 256M: mmap and vgem PRIME import show the data; wrote it back"
else
	lab_notok "L dom0->domu1 256M: $(tr '\n' ' ' < /tmp/xp-L.out)"; rc=1
fi
xp_info /tmp/xp-L.out
xp_clean "L 256M importer" || rc=1
exit $rc
