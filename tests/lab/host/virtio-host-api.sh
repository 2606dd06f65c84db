#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host side of the virtio scenario's guest -> host test, run by
# scen_virtio (tests/lab/lib/scenarios.sh) next to hyper_dmabufd while the
# guests run; results as TAP lines ("ok - host: ...") in OUT/host-api.tap.
#
#   virtio-host-api.sh OUT SOCKET CTL HOSTILE DAEMON_PID TIMEOUT_S
#
# Each guest (virtio/vm/60-virtio-host.sh) exports 1 MiB of known bytes to
# domain 0.  Here hyperdmabuf-ctl --host waits for both offers, imports each
# one, verifies every byte through the descriptors the daemon handed over,
# and releases it (which ends the guest's export).  In between, HOSTILE
# (test_host --hostile) throws malformed clients at the daemon, which must
# keep serving.  A watcher records the events.
out=$1 sock=$2 ctl=$3 hostile=$4 dpid=$5 tmo=${6:-200}
tap=$out/host-api.tap
: >"$tap"
ok() { echo "ok - host: $*" >>"$tap"; }
notok() { echo "not ok - host: $*" >>"$tap"; }
c() { "$ctl" --host "$sock" "$@"; }

c info >"$out/host-api-info.txt" 2>&1 ||
	{ notok "hyperdmabuf-ctl --host info failed: $(head -c 200 "$out/host-api-info.txt")"; exit 0; }
c --json watch --timeout $((tmo * 1000)) >"$out/host-api-events.log" 2>&1 &
watcher=$!
end=$((SECONDS + tmo))
declare -A handle
while [ $SECONDS -lt $end ] && [ ! -e "$out/guests-done" ] &&
      { [ -z "${handle[1]}" ] || [ -z "${handle[2]}" ]; }; do
	c --json list >"$out/host-api-list.json" 2>&1
	for d in 1 2; do
		h=$(sed -n "s/.*\"handle\":\"\([0-9a-f]*\)\",\"peer\":$d,.*/\1/p" "$out/host-api-list.json" | head -n1)
		[ -n "$h" ] && handle[$d]=$h
	done
	sleep 0.5
done
for d in 1 2; do
	if [ -n "${handle[$d]}" ]; then
		ok "vm$d's buffer offered to the host (handle ${handle[$d]})"
	else
		notok "no offer from vm$d within ${tmo}s ($(tr '\n' ' ' <"$out/host-api-list.json" | head -c 200))"
	fi
done

# a malformed client must not hurt the daemon
if [ -x "$hostile" ]; then
	"$hostile" --hostile "$sock" 7 >"$out/host-api-hostile.log" 2>&1
	if kill -0 "$dpid" 2>/dev/null && c list >/dev/null 2>&1; then
		ok "hyper_dmabufd survives hostile clients ($(tail -n1 "$out/host-api-hostile.log")) and keeps serving"
	else
		notok "hyper_dmabufd did not survive hostile clients ($(tail -n1 "$out/host-api-hostile.log"))"
	fi
else
	notok "hostile client test program missing ($hostile)"
fi

for d in 1 2; do
	[ -n "${handle[$d]}" ] || continue
	awk -v r="vm$d" 'BEGIN { for (i = 0; i < 80000; i++) printf "%s to the host, line %d\n", r, i }' |
		head -c 1048576 >"$out/host-api-expect-vm$d"
	if c --json import "${handle[$d]}" --verify "$out/host-api-expect-vm$d" \
		>"$out/host-api-import-vm$d.json" 2>&1 &&
	   grep -q '"verified":true' "$out/host-api-import-vm$d.json"; then
		ok "vm$d -> host: 1 MiB imported and verified byte-exact through the fds received ($(tr -d '\n' <"$out/host-api-import-vm$d.json"))"
	else
		notok "vm$d -> host: import or verification failed: $(tr '\n' ' ' <"$out/host-api-import-vm$d.json" | head -c 300)"
	fi
done

sleep 1
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
n=$(grep -c '"event":"offer"' "$out/host-api-events.log")
if [ "$n" -ge 2 ] && grep -q '"event":"peer-up","peer":1' "$out/host-api-events.log"; then
	ok "events: peer-up and $n offer(s) seen by a watching client"
else
	notok "events: expected peer-up and 2 offers ($(tr '\n' ' ' <"$out/host-api-events.log" | head -c 300))"
fi
exit 0
