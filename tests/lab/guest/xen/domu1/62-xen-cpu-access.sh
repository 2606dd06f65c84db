# Xen lifecycle, importer side of dom0/62-xen-cpu-access.sh: 50 read-write
# SYNC pairs on the read-write import, 20 read pairs on the read-only one,
# where a write SYNC is refused by the exporter with EACCES.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
rc=0
xl_get 62/rw /tmp/xl62rw.h || exit 1
xl_get 62/ro /tmp/xl62ro.h || exit 1
xlife -t 60 0 import /tmp/xl62rw.h cpu 50 rw check release > /tmp/xl62rw.out 2>&1
xl_result 62 /tmp/xl62rw.out $? "read-write import: 50 SYNC START/END pairs forwarded ($(sed -n 's/^ok cpu //p' /tmp/xl62rw.out))" || rc=1
xlife -t 60 0 import /tmp/xl62ro.h cpu 20 read cpu-fails write EACCES release > /tmp/xl62ro.out 2>&1
xl_result 62 /tmp/xl62ro.out $? "read-only import: 20 read pairs forwarded, a write SYNC refused by the exporter (EACCES)" || rc=1
lab_kv_set xl/62/synced 1
exit $rc
