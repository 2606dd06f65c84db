# Xen scenario: dom0 brings up the toolstack and creates the domUs listed in
# lab.roles; every domain loads the Xen device modules. Coordination through
# xenstore under /lab (writable by every domain), see lab_kv_* in lib.sh.
XENBIN=$(ls -d /usr/lib/xen-*/bin 2>/dev/null | head -n1)
[ -n "$XENBIN" ] && export PATH=$XENBIN:$PATH
CONSOLE_DIR=/var/log/xen/console

lab_setup() {
	lab_modprobe xen-evtchn xen-gntdev xen-gntalloc || lab_log "xen module load failed"
	[ "$LAB_ROLE" = dom0 ] || return 0
	lab_modprobe xen-privcmd xenfs
	mount -t xenfs xenfs /proc/xen || { echo "@@FAIL dom0: mount xenfs"; return 1; }
	mkdir -p /run/xenstored /run/xen /var/lib/xen /var/lib/xenstored $CONSOLE_DIR
	export XENSTORED_ROOTDIR=/run/xenstored
	xenstored --pid-file /run/xenstored.pid || echo "@@FAIL dom0: xenstored"
	lab_wait_for 30 xenstore-read -s / >/dev/null || echo "@@FAIL dom0: xenstored not answering"
	xen-init-dom0 >/dev/null || echo "@@FAIL dom0: xen-init-dom0"
	xenconsoled --pid-file /run/xenconsoled.pid --log=guest --log-dir=$CONSOLE_DIR || echo "@@FAIL dom0: xenconsoled"
	xenstore-write /lab/ready 1 && xenstore-chmod /lab b0
	lab_log "toolstack up"
	# dom0 kernel args "domu.X" are passed to the domUs as "X"
	dx=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^domu\.//p' | tr '\n' ' ')
	roles=$(echo $LAB_ROLES | tr ' ' :)
	for d in $LAB_ROLES; do
		[ "$d" = dom0 ] && continue
		# uuid= avoids libuuid stalling while the dom0 CRNG is not initialised
		xl create /etc/xen/domu.cfg "name=\"$d\"" "uuid=\"$(cat /proc/sys/kernel/random/uuid)\"" \
			"extra=\"console=hvc0 quiet lab.scenario=xen lab.role=$d lab.roles=$roles lab.timeout=$LAB_TEST_TIMEOUT lab.shell=$LAB_SHELL lab.skip=$(echo $LAB_SKIP | tr ' ' :) lab.only=$(echo "$LAB_ONLY" | tr ' ' :) $dx\"" ||
			echo "@@FAIL dom0: xl create $d"
		lab_log "created $d (domid $(xl domid $d 2>/dev/null))"
	done
}

lab_teardown() {
	[ "$LAB_ROLE" = dom0 ] || return 0
	# wait for each domU to finish (its /init prints @@END), then hand its
	# console log to the host between markers and destroy it
	# one deadline for all domUs; poll slowly (dom0 shares the CPUs with them)
	end=$(( $(cut -d. -f1 /proc/uptime) + ${LAB_DOMU_WAIT:-150} ))
	for d in $LAB_ROLES; do
		[ "$d" = dom0 ] && continue
		until grep -q "^@@END $d" $CONSOLE_DIR/guest-$d.log 2>/dev/null; do
			[ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ] || { lab_log "$d did not finish (no @@END in its console log)"; break; }
			sleep 0.5
		done
	done
	xl list
	for d in $LAB_ROLES; do
		[ "$d" = dom0 ] && continue
		echo "@@GUESTLOG-BEGIN $d"
		cat $CONSOLE_DIR/guest-$d.log 2>/dev/null | tr -d '\r'
		echo "@@GUESTLOG-END $d"
		[ "$LAB_SHELL" = 1 ] || xl destroy $d
	done
}
