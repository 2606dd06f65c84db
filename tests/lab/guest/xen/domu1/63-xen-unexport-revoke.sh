# Xen lifecycle, importer side of dom0/63-xen-unexport-revoke.sh.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
rc=0
rm -f /tmp/xl63*
xl_get 63/a /tmp/xl63a.h || exit 1
xlife -t 120 0 import /tmp/xl63a.h sync /tmp/xl63a.held event withdrawn \
	state withdrawn check wait /tmp/xl63a.go release > /tmp/xl63a.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl63a.held 60 $xp || { cat /tmp/xl63a.out; exit 1; }
lab_kv_set xl/63/a-held 1
# keep it until dom0's wait has timed out
lab_kv_wait xl/63/a-timedout 120 >/dev/null
touch /tmp/xl63a.go
wait $xp
xl_result 63 /tmp/xl63a.out $? "A: WITHDRAWN while imported, still readable, released after dom0's wait timed out" || rc=1
xl_get 63/c /tmp/xl63c.h || exit 1
xlife -t 120 0 import /tmp/xl63c.h sync /tmp/xl63c.held event withdrawn \
	release > /tmp/xl63c.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl63c.held 60 $xp || { cat /tmp/xl63c.out; exit 1; }
lab_kv_set xl/63/c-held 1
wait $xp
xl_result 63 /tmp/xl63c.out $? "C: released on WITHDRAWN (dom0's unexport --wait then succeeds)" || rc=1
xl_get 63/b /tmp/xl63b.h || exit 1
xlife -t 120 0 import /tmp/xl63b.h sync /tmp/xl63b.held event revoked \
	state revoked faults release > /tmp/xl63b.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl63b.held 60 $xp || { cat /tmp/xl63b.out; exit 1; }
lab_kv_set xl/63/b-held 1
wait $xp
xl_result 63 /tmp/xl63b.out $? "B: REVOKED while mapped; the mapping raises SIGBUS" || rc=1
lab_kv_wait xl/63/b-revoked 120 >/dev/null
xl_gauges_back "after unexport and revoke" || rc=1
lab_kv_set xl/63/done 1
exit $rc
