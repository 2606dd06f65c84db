# Xen lifecycle: import 100 of dom0's buffers, map them all and keep them
# in a background process, so that dom0/90-xen-domu-destroy.sh destroys us
# while we hold them.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
xl_get 90/handles /tmp/xl90.h 240 || exit 1
rm -f /tmp/xl90.held
xlife -t 200 0 import /tmp/xl90.h sync /tmp/xl90.held pause </dev/null >/tmp/xl90.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl90.held 200 $xp || { cat /tmp/xl90.out; exit 1; }
lab_ok "holding $(wc -l < /tmp/xl90.h) imports, all mapped: $(sed -n 's/^ok import //p' /tmp/xl90.out) ($(xl_counts))"
lab_kv_set xl/90/held 1
