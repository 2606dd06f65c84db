# Xen lifecycle: a hostile peer cannot make dom0 set up rings in a tight
# loop (dom0/65-xen-reconnect-storm.sh counts).  With our module unloaded
# we play a hostile hi by hand: for 8 s we flip our pair directory with
# dom0 between Initialising and Initialised, each time offering a new
# instance of a ring dom0 cannot map.  Then the module comes back and the
# channel must recover.
. /lab/xen/xl.sh
xl_setup dom0 || exit 1
me=$(xch_domid)
dir=/local/domain/$me/data/hyper_dmabuf/0
# dom0 is done with the tests that need our channels
lab_kv_wait xl/65/go 200 >/dev/null || exit 1
rmmod hyper_dmabuf_xen || { echo "rmmod failed"; exit 1; }
lab_kv_set xl/65/unloaded 1
lab_kv_wait xl/65/start 60 >/dev/null || exit 1
t0=$(lab_uptime)
end=$(( $(cut -d. -f1 /proc/uptime) + 8 ))
i=0
while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	i=$((i + 1))
	xenstore-write $dir/state 1
	sleep 0.05
	xenstore-write $dir/ring-ref 12345 $dir/ring-page-order 0 \
		$dir/event-channel 7 $dir/instance $i $dir/state 3
	sleep 0.05
done
secs=$(echo "$(lab_uptime) $t0" | awk '{ printf "%d", $1 - $2 + 0.999 }')
lab_log "offered $i bogus rings in $secs s"
lab_kv_set xl/65/secs "$secs"
lab_kv_set xl/65/flips "$i"
lab_kv_wait xl/65/counted 60 >/dev/null
xenstore-write $dir/state 6
insmod $XCH_KO || { echo "insmod failed"; exit 1; }
if xch_wait_connected 0 60; then
	lab_ok "channel with dom0 recovers after the storm ($(xch_line 0))"
else
	lab_notok "channel with dom0 after the storm: $(xch_line 0) store $(xch_store_states $me 0)"; exit 1
fi
lab_kv_set xl/65/done 1
