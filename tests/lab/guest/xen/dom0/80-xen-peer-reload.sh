# Xen lifecycle: the peer's module is reloaded (domu1/80-xen-peer-reload.sh).
# We export two buffers to domu1, which imports one and holds it: its
# rmmod is refused while the import lives; after it released and unloaded,
# we see PEER_DOWN, both exports are revoked and their grants end; when it
# loads the module again the channel comes back and a new export works.
. /lab/xen/xl.sh
xl_setup domu1 || exit 1
rc=0
c0=$(xch_count $peer connects)
before=$(xl_counts)
rm -f /tmp/xl80*
xlife -t 150 $peer export 2 64K /tmp/xl80.h event peer-down state revoked stats > /tmp/xl80.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl80.h 30 $xp || { cat /tmp/xl80.out; exit 1; }
xl_put 80/h /tmp/xl80.h
wait $xp
xl_result 80 /tmp/xl80.out $? "domu1 unloaded: PEER_DOWN, both exports revoked ($(sed -n 's/^counts now: //p' /tmp/xl80.out))" || rc=1
xl_gauges_back "grants of the revoked exports ended (before: $before)" || rc=1
lab_kv_wait xl/80/reloaded 120 >/dev/null || { echo "domu1 did not reload"; exit 1; }
if xch_wait_connected $peer 60 && [ "$(xch_count $peer connects)" -gt "$c0" ]; then
	lab_ok "channel with dom$peer back after its reload ($(xch_line $peer))"
else
	lab_notok "channel with dom$peer after its reload: $(xch_line $peer)"; rc=1
fi
xlife -t 120 $peer export 1 64K /tmp/xl80b.h released 1 unexport > /tmp/xl80b.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl80b.h 60 $xp || { cat /tmp/xl80b.out; exit 1; }
xl_put 80/h2 /tmp/xl80b.h
wait $xp
xl_result 80 /tmp/xl80b.out $? "new export to the reloaded domu1 imported and released" || rc=1
exit $rc
