# Xen lifecycle: 1000 export/import/release cycles dom0 -> domu1 (a new
# 4 KiB vgem buffer each time: export, domu1 imports on the OFFER event,
# maps, checks, releases, we unexport on RELEASED) without growth in
# grant usage: the counters every 100 cycles must not grow, and all come
# back to 0 (domu1/64-xen-cycles.sh checks its side).
. /lab/xen/xl.sh
xl_setup domu1 || exit 1
rc=0
n=${XL_CYCLES:-1000}
before=$(xl_counts)
lab_kv_wait xl/64/ready 120 >/dev/null || { echo "domu1 not ready"; exit 1; }
xlife -t 60 $peer cycles $n 4K > /tmp/xl64.out 2>&1
xrc=$?
grep -E '^(counts|ok|FAIL)' /tmp/xl64.out
xl_result 64 /tmp/xl64.out $xrc "$(sed -n 's/^ok //p' /tmp/xl64.out)" || rc=1
# the grants of each cycle end at its unexport: the count never grows
g=$(sed -n 's/^counts after [0-9]* cycles: live_grants=\([0-9]*\) .*/\1/p' /tmp/xl64.out | sort -n | tail -n 1)
g0=$(sed -n 's/^counts before cycles: live_grants=\([0-9]*\) .*/\1/p' /tmp/xl64.out)
if [ -n "$g" ] && [ -n "$g0" ] && [ "$g" -le "$g0" ]; then
	lab_ok "live grants before the cycles: $g0, highest after a multiple of 100 cycles: $g"
else
	lab_notok "live grants grew: before $g0, highest after a multiple of 100 cycles: $g"; rc=1
fi
echo "before: $before"
xl_gauges_back "after $n cycles (before: $before)" || rc=1
lab_kv_wait xl/64/done 120 >/dev/null
exit $rc
