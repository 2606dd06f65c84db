# Xen lifecycle: reload our module while we hold dom0's buffers (see
# dom0/80-xen-peer-reload.sh): rmmod is refused while an import lives (it
# holds the backend module); once released, rmmod tears down the offers
# and the channel; insmod brings the channel back.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
rc=0
rm -f /tmp/xl80*
xl_get 80/h /tmp/xl80.h || exit 1
head -n 1 /tmp/xl80.h > /tmp/xl80a.h
xlife -t 150 0 import /tmp/xl80a.h sync /tmp/xl80.held pause check release > /tmp/xl80.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl80.held 60 $xp || { cat /tmp/xl80.out; exit 1; }
lab_wait_for 30 sh -c "$(command -v hyperdmabuf-ctl) list | grep -q $(tail -n 1 /tmp/xl80.h)"
if rmmod hyper_dmabuf_xen 2>/tmp/xl80.rm; then
	lab_notok "rmmod succeeded while an import was held"; rc=1
else
	lab_ok "rmmod refused while an import is held ($(tr '\n' ' ' < /tmp/xl80.rm))"
fi
if xch_connected 0; then
	lab_ok "channel with dom0 untouched by the refused rmmod"
else
	lab_notok "channel with dom0 after the refused rmmod: $(xch_line 0)"; rc=1
fi
kill -TERM $xp
wait $xp
xl_result 80 /tmp/xl80.out $? "held import still correct after the refused rmmod, released" || rc=1
echo "before unload: $(xl_counts)"
if rmmod hyper_dmabuf_xen; then
	lab_ok "rmmod hyper_dmabuf_xen with one unimported offer left"
else
	lab_notok "rmmod failed after the release"; exit 1
fi
if [ "$(xl_cstat live_offers)" = 0 ] && [ "$(xl_cstat live_imports)" = 0 ]; then
	lab_ok "offers and imports from dom0 torn down ($(xl_counts | sed 's/.*live_exports/live_exports/'))"
else
	lab_notok "left after unload: $(xl_counts)"; rc=1
fi
sleep 1
insmod $XCH_KO || { echo "insmod failed"; exit 1; }
if xch_wait_connected 0 60; then
	lab_ok "channel with dom0 re-established after insmod ($(xch_line 0))"
else
	lab_notok "channel with dom0 after insmod: $(xch_line 0)"; rc=1
fi
lab_kv_set xl/80/reloaded 1
xl_get 80/h2 /tmp/xl80b.h || exit 1
xlife -t 60 0 import /tmp/xl80b.h check release > /tmp/xl80b.out 2>&1
xl_result 80 /tmp/xl80b.out $? "imported dom0's new buffer after the reload" || rc=1
exit $rc
