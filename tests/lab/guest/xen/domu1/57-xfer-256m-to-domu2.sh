# 256 MiB domu1 -> domu2, read-write (domu2/57-xfer-256m-from-domu1.sh is
# the other half): domu2 checks it through mmap and writes a new pattern
# back; we verify it.
. /lab/xen/xp.sh
xp_setup domu2 || exit 1
xp_need_exporter $LAB_ROLE
xp_need_mem 256 || { lab_kv_set xp/N/256M/handle none; exit 1; }
rc=0
if xp_export N/256M $xp_id_domu2 256M 601 rw 1601; then
	lab_ok "N domu1->domu2 256M read-write: domu2 wrote it back, verified here"
else
	lab_notok "N domu1->domu2 256M: $(tr '\n' ' ' < /tmp/xp-N-256M.out)"; rc=1
fi
xp_clean "N 256M exporter" || rc=1
exit $rc
