# 256 MiB domu1 -> domu2, domu2 side: see domu1/57-xfer-256m-to-domu2.sh.
. /lab/xen/xp.sh
xp_setup domu1 || exit 1
xp_need_exporter domu1
rc=0
h=$(lab_kv_wait xp/N/256M/handle 280) || { lab_notok "N 256M: no handle"; exit 1; }
if xfer import $h : mmap-check 601 : mmap-fill 1601 : release > /tmp/xp-N.out 2>&1; then
	lab_ok "N domu1->domu2 256M: mmap shows the data; wrote it back"
else
	lab_notok "N domu1->domu2 256M: $(tr '\n' ' ' < /tmp/xp-N.out)"; rc=1
fi
xp_info /tmp/xp-N.out
xp_clean "N 256M importer" || rc=1
exit $rc
