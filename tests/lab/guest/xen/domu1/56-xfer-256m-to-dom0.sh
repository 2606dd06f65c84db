# 256 MiB domu1 -> dom0, read-only (dom0/56-xfer-256m-from-domu1.sh is the
# other half): dom0 checks it through mmap, vmap and a vgem PRIME import.
. /lab/xen/xp.sh
xp_setup dom0 || exit 1
xp_need_exporter $LAB_ROLE
xp_need_mem 256 || { lab_kv_set xp/M/256M/handle none; exit 1; }
rc=0
if xp_export M/256M 0 256M 501 ro; then
	lab_ok "M domu1->dom0 256M read-only: exported, dom0 imported and released it, unexported"
else
	lab_notok "M domu1->dom0 256M: $(tr '\n' ' ' < /tmp/xp-M-256M.out)"; rc=1
fi
xp_clean "M 256M exporter" || rc=1
exit $rc
