# Xen lifecycle, the intended importer (see dom0/60-xen-foreign-handle.sh):
# after domu2 failed with the handle, we import it and see the data.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
xl_get 60/handle /tmp/xl60.h || exit 1
lab_kv_wait xl/60/domu1-go 180 >/dev/null || exit 1
xlife -t 60 0 import /tmp/xl60.h check release > /tmp/xl60.out 2>&1
xl_result 60 /tmp/xl60.out $? "imported dom0's buffer after domu2 was refused; data checked"
