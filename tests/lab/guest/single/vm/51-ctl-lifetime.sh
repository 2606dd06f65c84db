# hyperdmabuf-ctl export lifetimes over the loopback backend: unexport
# with and without --wait while imported, --revoke, --until-released,
# --wait-ms, SIGTERM of a foreground export.
. /lab/common/ctl.sh
trap ctl_cleanup EXIT
ctl_load_loopback || { echo "FAIL: modules"; exit 1; }
cd /tmp

# --- unexport --wait lets an importer that reacts to WITHDRAWN go ------------
h=$($CTL export --vgem 64x64 --to loopback:1 -b --pidfile e1.pid)
ctl_bg "$(cat e1.pid)"
ctl_wait_offer "$h"
$CTL import "$h" --hold > hold.out 2>&1 &
ipid=$!; ctl_bg $ipid
ctl_check "ctl: import --hold holds" lab_wait_for 10 grep -q imported hold.out
ctl_check "ctl: exporter sees 1 importer" sh -c "$CTL query --role exporter $h | grep -q '^importers: 1'"
ctl_check "ctl: unexport --wait: importer releases on WITHDRAWN" $CTL unexport --wait=10000 "$h"
wait $ipid; irc=$?
ctl_check "ctl: holding importer ends with 0 (rc=$irc)" test $irc = 0

# --- --revoke tears an import down ---------------------------------------------
h=$($CTL export --vgem 64x64 --to loopback:1 -b)
ctl_wait_offer "$h"
$CTL import "$h" --hold > hold2.out 2>&1 &
ipid=$!; ctl_bg $ipid
lab_wait_for 10 grep -q imported hold2.out
$CTL unexport --revoke --json "$h" > rev.json
ctl_check "ctl: unexport --revoke (rc=$?)" test $? = 0
cat rev.json
ctl_check "ctl: unexport --json is JSON" jsoncheck < rev.json
wait $ipid; irc=$?
ctl_check "ctl: importer ends on REVOKED (rc=$irc)" test $irc = 0

# --- --wait that times out leaves it withdrawn; the release finishes it ------
h=$($CTL export --vgem 64x64 --to loopback:1 -b --pidfile e3.pid)
epid=$(cat e3.pid); ctl_bg $epid
ctl_wait_offer "$h"
# --hold=MS keeps the import for MS ms whatever the exporter asks
$CTL import "$h" --hold=5000 > hold3.out 2>&1 &
ipid=$!; ctl_bg $ipid
lab_wait_for 10 grep -q imported hold3.out
ctl_status 1 "ctl: unexport (no --wait) refused while imported" $CTL unexport "$h"
ctl_status 1 "ctl: unexport --wait=200 times out while imported" $CTL unexport --wait=200 "$h"
ctl_check "ctl: withdrawn export still listed" sh -c "$CTL list | grep -q '^$h exporter withdrawn'"
wait $ipid
ctl_check "ctl: the release ends the withdrawn export's process" \
	lab_wait_for 10 sh -c "! kill -0 $epid 2>/dev/null"
ctl_check "ctl: and the buffer is gone" sh -c "! $CTL list | grep -q $h"

# --- --until-released ----------------------------------------------------------
$CTL export --vgem 16x16 --to loopback:1 --until-released --wait-ms 30000 > ur.out 2>&1 &
upid=$!; ctl_bg $upid
lab_wait_for 10 sh -c 'test -s ur.out'
h=$(head -n 1 ur.out)
ctl_check "ctl: --until-released export ($h)" is_handle "$h"
ctl_wait_offer "$h"
ctl_check "ctl: import (and release)" $CTL import "$h" --out /dev/null
wait $upid; urc=$?
ctl_check "ctl: export --until-released ends with 0 after the release (rc=$urc)" test $urc = 0
ctl_status 1 "ctl: --until-released --wait-ms without a release" \
	$CTL export --vgem 16x16 --to loopback:1 --until-released --wait-ms 500
ctl_status 0 "ctl: --wait-ms alone ends with 0" \
	$CTL export --vgem 16x16 --to loopback:1 --wait-ms 300

# --- SIGTERM of a foreground export revokes it ----------------------------------
$CTL export --vgem 16x16 --to loopback:1 > fg.out 2>&1 &
fpid=$!; ctl_bg $fpid
lab_wait_for 10 sh -c 'test -s fg.out'
h=$(head -n 1 fg.out)
ctl_wait_offer "$h"
kill -TERM $fpid
wait $fpid; frc=$?
ctl_check "ctl: SIGTERM ends a foreground export with 0 (rc=$frc)" test $frc = 0
ctl_check "ctl: the buffer is gone" lab_wait_for 5 sh -c "! $CTL list | grep -q $h"
exit $ctl_rc
