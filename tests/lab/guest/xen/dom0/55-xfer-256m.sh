# 256 MiB dom0 -> domu1, read-write (domu1/55-xfer-256m.sh is the other
# half): domu1 checks it through mmap (vmap() refuses areas larger than
# its 256 MiB of RAM) and writes a new pattern back; we verify it.
. /lab/xen/xp.sh
xp_setup domu1 || { xp_fail "256M: setup"; exit 1; }
rc=0
if xp_export L/256M $xp_id_domu1 256M 401 rw 1401; then
	lab_ok "dom0->domu1 256M read-write: domu1 wrote it back, verified here"
else
	xp_fail "dom0->domu1 256M: $(tr '\n' ' ' < /tmp/xp-L-256M.out)"; rc=1
fi
xp_clean "256M exporter" || rc=1
exit $rc
