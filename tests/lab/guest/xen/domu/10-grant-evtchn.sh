# Self-test (domU side): grant a page to dom0 through /dev/xen/gntalloc and
# open an unbound event channel for it; publish both under /lab/<role>/ in
# xenstore; dom0 maps the page (gntdev), checks it, replies and pings us.
# gntshare holds the grant until its stdin closes: when dom0 says "unmapped"
(lab_kv_wait "$LAB_ROLE/unmapped" 180 >/dev/null) | gntshare 0 "$LAB_ROLE" >/tmp/gs.out 2>&1 &
pid=$!
lab_wait_for 30 grep -q '^gref=' /tmp/gs.out || { cat /tmp/gs.out; exit 1; }
set -- $(sed -n 's/^gref=\([0-9]*\) port=\([0-9]*\)/\1 \2/p' /tmp/gs.out)
lab_kv_set "$LAB_ROLE/domid" "$(xenstore-read domid)"
lab_kv_set "$LAB_ROLE/port" "$2"
lab_kv_set "$LAB_ROLE/gref" "$1"
lab_log "published gref=$1 port=$2"
wait $pid
rc=$?
cat /tmp/gs.out
exit $rc
