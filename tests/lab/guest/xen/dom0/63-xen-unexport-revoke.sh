# Xen lifecycle: unexport --wait and revoke across domains.  Buffer A:
# domu1 imports and holds it; unexport with a 2 s wait times out
# (ETIMEDOUT) and leaves it withdrawn; domu1 gets WITHDRAWN, keeps it until
# we say so, releases, we get RELEASED and the unexport completes.
# Buffer C: domu1 releases as soon as it gets WITHDRAWN, so an unexport
# with a 20 s wait succeeds.  Buffer B: domu1 holds a mapping; a revoke
# returns at once, domu1 gets REVOKED and its mapping faults
# (domu1/63-xen-unexport-revoke.sh).
. /lab/xen/xl.sh
xl_setup domu1 || exit 1
rc=0
rm -f /tmp/xl63*
xlife -t 120 $peer export 1 64K /tmp/xl63a.h wait /tmp/xl63a.held \
	unexport-fails ETIMEDOUT wait 2000 state withdrawn sync /tmp/xl63a.wd \
	released 1 unexport \
	export 1 64K /tmp/xl63c.h wait /tmp/xl63c.held unexport wait 20000 \
	export 1 64K /tmp/xl63b.h wait /tmp/xl63b.held unexport revoke stats \
	> /tmp/xl63.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl63a.h 30 $xp || { cat /tmp/xl63.out; exit 1; }
xl_put 63/a /tmp/xl63a.h
lab_kv_wait xl/63/a-held 120 >/dev/null || { kill $xp; exit 1; }
touch /tmp/xl63a.held
xl_wait_file /tmp/xl63a.wd 60 $xp || { cat /tmp/xl63.out; exit 1; }
lab_kv_set xl/63/a-timedout 1
xl_wait_file /tmp/xl63c.h 60 $xp || { cat /tmp/xl63.out; exit 1; }
xl_put 63/c /tmp/xl63c.h
lab_kv_wait xl/63/c-held 120 >/dev/null || { kill $xp; exit 1; }
touch /tmp/xl63c.held
xl_wait_file /tmp/xl63b.h 60 $xp || { cat /tmp/xl63.out; exit 1; }
xl_put 63/b /tmp/xl63b.h
lab_kv_wait xl/63/b-held 120 >/dev/null || { kill $xp; exit 1; }
touch /tmp/xl63b.held
wait $xp
xl_result 63 /tmp/xl63.out $? "A: unexport --wait timed out while imported ($(sed -n 's/^ok unexport-fails //p' /tmp/xl63.out)), withdrawn, finished after RELEASED; C: unexport --wait succeeded once domu1 released; B: revoked while mapped" || rc=1
lab_kv_set xl/63/b-revoked 1
lab_kv_wait xl/63/done 120 >/dev/null
xl_gauges_back "after unexport and revoke" || rc=1
exit $rc
