# Xen lifecycle: ring setups are rate limited per channel (a burst of 5,
# then one per second; docs/backends.rst).  domu2 plays a hostile hi that
# offers a new unmappable ring every ~0.1 s for 8 s
# (domu2/65-xen-reconnect-storm.sh); we must not have tried more than the
# budget allows, and the limiter must have held back the rest.
. /lab/xen/xl.sh
xl_setup domu2 || exit 1
rc=0
lab_kv_set xl/65/go 1
lab_kv_wait xl/65/unloaded 60 >/dev/null || { echo "domu2 did not unload"; exit 1; }
s0=$(xch_count $peer setups); t0=$(xch_count $peer throttled)
lab_kv_set xl/65/start 1
flips=$(lab_kv_wait xl/65/flips 120) || exit 1
secs=$(lab_kv_get xl/65/secs)
sleep 1
s1=$(xch_count $peer setups); t1=$(xch_count $peer throttled)
lab_kv_set xl/65/counted 1
ds=$((s1 - s0)); dt=$((t1 - t0))
max=$((5 + secs + 2))
lab_log "domu2 offered $flips rings in $secs s: we tried $ds setups, throttled $dt steps"
if [ $ds -ge 5 ] && [ $ds -le $max ]; then
	lab_ok "$flips hostile ring offers in $secs s cost $ds ring setups (budget: 5 + 1/s = at most $max)"
else
	lab_notok "$flips hostile ring offers in $secs s cost $ds ring setups (expected 5..$max)"; rc=1
fi
if [ $dt -gt 0 ]; then
	lab_ok "the limiter held back $dt handshake steps"
else
	lab_notok "no handshake step was throttled"; rc=1
fi
lab_log "kernel log lines about dom$peer's ring: $(dmesg | grep -c "dom$peer: mapping the ring failed")"
lab_kv_wait xl/65/done 120 >/dev/null || { echo "domu2 did not recover"; rc=1; }
if xch_wait_connected $peer 60; then
	lab_ok "channel with dom$peer connected again ($(xch_line $peer))"
else
	lab_notok "channel with dom$peer: $(xch_line $peer)"; rc=1
fi
exit $rc
