# 256 MiB dom0 -> domu1, read-write (domu1/55-xfer-256m.sh is the other
# half): domu1 checks it through mmap and a vgem PRIME import and writes a
# new pattern back through mmap; we verify it.
. /lab/xen/xp.sh
xp_setup domu1 || { xp_fail "256M L: setup"; exit 1; }
xp_need_mem 256 || { lab_kv_set xp/L/256M/handle none; exit 1; }
rc=0
if xp_export L/256M $xp_id_domu1 256M 401 rw 1401; then
	lab_ok "L dom0->domu1 256M read-write: domu1 wrote it back, verified here"
else
	xp_fail "L dom0->domu1 256M: $(tr '\n' ' ' < /tmp/xp-L-256M.out)"; rc=1
fi
xp_clean "L 256M exporter" || rc=1
exit $rc
