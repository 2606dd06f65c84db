# Xen lifecycle, importer side of dom0/64-xen-cycles.sh: import every
# offer dom0 makes, map it, check it, release it; our mapped pages and
# grant PTEs must not grow.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
rc=0
n=${XL_CYCLES:-1000}
before=$(xl_counts)
rm -f /tmp/xl64.ready
xlife -t 60 0 sync /tmp/xl64.ready import-cycles $n > /tmp/xl64.out 2>&1 &
xp=$!
xl_wait_file /tmp/xl64.ready 30 $xp || { cat /tmp/xl64.out; exit 1; }
lab_kv_set xl/64/ready 1
wait $xp
xrc=$?
grep -E '^(counts|ok|FAIL)' /tmp/xl64.out
xl_result 64 /tmp/xl64.out $xrc "$(sed -n 's/^ok import-cycles/imported, mapped, checked and released/p' /tmp/xl64.out)" || rc=1
m=$(sed -n 's/^counts after [0-9]* cycles: .* live_map_pages=\([0-9]*\) live_umap_pages=\([0-9]*\) .*/\1 \2/p' /tmp/xl64.out | tr ' ' '\n' | sort -n | tail -n 1)
if [ -n "$m" ] && [ "$m" = 0 ]; then
	lab_ok "mapped pages and grant PTEs after every 100 cycles: 0"
else
	lab_notok "mapped pages or grant PTEs left between cycles: highest $m"; rc=1
fi
echo "before: $before"
xl_gauges_back "after $n cycles (before: $before)" || rc=1
lab_kv_set xl/64/done 1
exit $rc
