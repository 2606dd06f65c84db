# Scenarios (sourced by run.sh). scen_<name> OUT MODE boots one scenario for
# the current kernel ($KVER, $KCACHE), writing into OUT:
#   console*.log  raw console output of each QEMU
#   <role>.log    console of each guest role (what the checks read)
# MODE=check: hard timeout, non-interactive; MODE=shell: interactive console.
# Sets ROLES (the roles that must report @@DONE) and, optionally, appends
# host-side results to OUT/host.tap.

QEMU_COMMON=(-accel tcg -nodefaults -display none -no-reboot -monitor none)
LAB_SKIP_ARG="$( [ -n "${LAB_SKIP:-}" ] && echo "lab.skip=$(echo $LAB_SKIP | tr ' ' :)") $( [ -n "${LAB_ONLY:-}" ] && echo "lab.only=$(echo "$LAB_ONLY" | tr ' ' :)")"
# LAB_GUEST_ARGS: extra kernel arguments for every guest (e.g. make demo's
# lab.demo=1 demo.frames=N); Xen domUs get them through dom0's domu.* args
GUEST_ARGS="console=ttyS0 quiet panic=-1 cryptomgr.notests $LAB_SKIP_ARG ${LAB_GUEST_ARGS:-}"

# run_qemu OUT NAME TIMEOUT MODE ARGS...: QEMU with its serial console on stdio
# (interactive in shell mode) or in OUT/console-NAME.log
run_qemu() {
	local out=$1 name=$2 t=$3 mode=$4 rc; shift 4
	printf '%q ' qemu-system-x86_64 "$@" >"$out/qemu-$name.cmd"
	if [ "$mode" = shell ]; then
		lab_qemu 0 "${QEMU_COMMON[@]}" -serial mon:stdio "$@"
		return 0
	fi
	# in the background + wait: a signal to run.sh is handled at once
	lab_qemu "$t" "${QEMU_COMMON[@]}" -serial stdio "$@" </dev/null >"$out/console-$name.log" 2>&1 &
	wait $!
	rc=$?
	if [ $rc = 124 ] || [ $rc = 137 ]; then
		echo "not ok - $name: hard timeout after ${t}s (QEMU killed), log $out/console-$name.log" >>"$out/host.tap"
	fi
	return $rc
}

# slub_debug: a use of freed core memory (kmalloc) oopses instead of
# passing silently (no KASAN in Debian's kernels).
scen_single() {
	local out=$1 mode=$2 img=$1/single.cpio d=$1/stage-single
	ROLES="vm"
	img_new "$d"
	img_add_kmods "$d" vgem
	img_add_project "$d"
	img_cpio "$d" "$img"; rm -rf "$d"
	run_qemu "$out" vm "${LAB_TIMEOUT_SINGLE:-240}" "$mode" \
		-machine q35 -cpu qemu64,+rdrand -m 1024 -smp 1 \
		-kernel "$KCACHE/vmlinux" -initrd "$img" \
		-append "$GUEST_ARGS slub_debug=FZP,kmalloc-* lab.scenario=single lab.role=vm lab.roles=vm $( [ "$mode" = shell ] && echo lab.shell=1)"
	[ "$mode" = shell ] || cp "$out/console-vm.log" "$out/vm.log"
}

# lab_selected NAME: would the guests run test NAME (no .sh) under
# LAB_ONLY / LAB_SKIP?  Host-side parts of a test follow the same choice.
lab_selected() {
	local p
	case " ${LAB_SKIP:-} " in *" $1 "*) return 1 ;; esac
	[ -n "${LAB_ONLY:-}" ] || return 0
	set -f
	for p in $LAB_ONLY; do
		# shellcheck disable=SC2254
		case $1 in $p) set +f; return 0 ;; esac
	done
	set +f
	return 1
}

scen_virtio() {
	local out=$1 mode=$2 img=$1/virtio.cpio d=$1/stage-virtio vm pids=() stub pid relay=
	ROLES="vm1 vm2"
	img_new "$d"
	img_add_kmods "$d" virtio_pci vgem	# virtio_pci: a module in 6.1, built in in 6.12
	img_add_project "$d"
	# bench mode (bench/run.sh, LAB_VIRTIO_BENCH=1): a virtio-serial port per
	# guest, relayed by the host (virtio_vbench_relay), and the bench scripts
	if [ "${LAB_VIRTIO_BENCH:-0}" = 1 ]; then
		img_add_kmods "$d" virtio_console
		[ -z "${LAB_GUEST_OVERLAY:-}" ] || cp -a "$LAB_GUEST_OVERLAY/." "$d/lab/"
	fi
	img_cpio "$d" "$img"; rm -rf "$d"
	# the device: hyper_dmabufd (tools/hyper_dmabufd), one socket per guest
	local daemon=$BUILD_SRC/tools/hyper_dmabufd/build/hyper_dmabufd
	make -C "$BUILD_SRC/tools/hyper_dmabufd" >"$out/hyper_dmabufd-build.log" 2>&1 ||
		echo "not ok - virtio: hyper_dmabufd did not build (log $out/hyper_dmabufd-build.log)" >>"$out/host.tap"
	# host importers (docs/host-api.rst): hyperdmabuf-ctl --host and the
	# hostile-client program run next to the daemon (virtio-host-api.sh)
	make -C "$BUILD_SRC/tools/ctl" >"$out/ctl-build.log" 2>&1 &&
		make -C "$BUILD_SRC/tools/hyper_dmabufd/tests" build/test_host >>"$out/ctl-build.log" 2>&1 ||
		echo "not ok - virtio: host-side test tools did not build (log $out/ctl-build.log)" >>"$out/host.tap"
	local dargs=(-v --guest "$out/vm1.sock:1" --guest "$out/vm2.sock:2" --host-socket "$out/host.sock")
	"$daemon" "${dargs[@]}" >"$out/hyper_dmabufd.log" 2>&1 &
	stub=$!
	lab_wait_for_file 10 "$out/hyper_dmabufd.log" 'ready:' || echo "not ok - virtio: hyper_dmabufd did not start" >>"$out/host.tap"
	# the host side of virtio/vm/60-virtio-host.sh
	local hostapi=
	if [ "$mode" != shell ] && lab_selected 60-virtio-host; then
		"$REPO/tests/lab/host/virtio-host-api.sh" "$out" "$out/host.sock" \
			"$BUILD_SRC/tools/ctl/build/hyperdmabuf-ctl" \
			"$BUILD_SRC/tools/hyper_dmabufd/tests/build/test_host" "$stub" \
			$(( ${LAB_TIMEOUT_VIRTIO:-240} - 30 )) >"$out/host-api.log" 2>&1 &
		hostapi=$!
	fi
	for vm in vm1 vm2; do
		local args=(-machine q35,memory-backend=mem -cpu qemu64,+rdrand -m 512 -smp 1
			-object memory-backend-memfd,id=mem,size=512M,share=on
			-chardev socket,id=vu,path="$out/$vm.sock"
			-device vhost-user-test-device-pci,chardev=vu,virtio-id=37,num_vqs=2,config_size=16
			-kernel "$KCACHE/vmlinux" -initrd "$img"
			-append "$GUEST_ARGS lab.scenario=virtio lab.role=$vm lab.roles=vm1:vm2")
		if [ "${LAB_VIRTIO_BENCH:-0}" = 1 ]; then
			args+=(-device virtio-serial-pci
				-chardev socket,id=ser,path="$out/$vm-ser.sock",server=on,wait=off
				-device virtserialport,chardev=ser,name=hdmabuf.bench)
		fi
		if [ "$mode" = shell ] && [ $vm = vm1 ]; then
			# vm2 runs in the background; vm1 gets the terminal
			continue
		fi
		run_qemu "$out" $vm "${LAB_TIMEOUT_VIRTIO:-240}" check "${args[@]}" &
		pids+=($!)
	done
	if [ "$mode" = shell ]; then
		run_qemu "$out" vm1 0 shell -machine q35,memory-backend=mem -cpu qemu64,+rdrand -m 512 -smp 1 \
			-object memory-backend-memfd,id=mem,size=512M,share=on \
			-chardev socket,id=vu,path="$out/vm1.sock" \
			-device vhost-user-test-device-pci,chardev=vu,virtio-id=37,num_vqs=2,config_size=16 \
			-kernel "$KCACHE/vmlinux" -initrd "$img" \
			-append "$GUEST_ARGS lab.scenario=virtio lab.role=vm1 lab.roles=vm1:vm2 lab.shell=1"
	fi
	if [ "${LAB_VIRTIO_BENCH:-0}" = 1 ]; then
		virtio_vbench_relay "$out" &
		relay=$!
	fi
	for pid in "${pids[@]}"; do wait "$pid"; done
	touch "$out/guests-done"	# virtio-host-api.sh stops waiting
	if [ -n "$hostapi" ]; then
		for pid in 1 2 3 4 5 6 7 8 9 10; do kill -0 $hostapi 2>/dev/null && sleep 1; done
		kill $hostapi 2>/dev/null && echo "not ok - host: virtio-host-api.sh still running after the guests ended (killed)" >>"$out/host.tap"
		wait $hostapi 2>/dev/null
		cat "$out/host-api.tap" >>"$out/host.tap" 2>/dev/null
	fi
	[ -z "$relay" ] || { kill "$relay" 2>/dev/null; wait "$relay"; }
	kill "$stub" 2>/dev/null; wait "$stub"
	[ $? = 0 ] || echo "not ok - host: hyper_dmabufd did not exit cleanly on SIGTERM (log $out/hyper_dmabufd.log)" >>"$out/host.tap"
	for vm in vm1 vm2; do
		[ -f "$out/console-$vm.log" ] && cp "$out/console-$vm.log" "$out/$vm.log"
	done
	virtio_host_checks "$out"
}

# virtio_vbench_relay OUT: bench mode: once both QEMUs listen on their
# virtio-serial sockets, socat carries the bytes between them (the
# "virtio-serial relayed by the host" baseline of docs/performance.rst);
# it ends when a QEMU closes its side
virtio_vbench_relay() {
	local out=$1 n=0
	while [ ! -S "$out/vm1-ser.sock" ] || [ ! -S "$out/vm2-ser.sock" ]; do
		n=$((n + 1)); [ $n -lt 300 ] || { echo "not ok - virtio bench: no virtio-serial sockets" >>"$out/host.tap"; return 1; }
		sleep 0.2
	done
	exec socat -b 1048576 UNIX-CONNECT:"$out/vm1-ser.sock" UNIX-CONNECT:"$out/vm2-ser.sock" 2>"$out/relay.log"
}

# virtio_host_checks OUT: what hyper_dmabufd saw of each guest -> OUT/host.tap
virtio_host_checks() {
	local out=$1 vm dom l=$1/hyper_dmabufd.log
	for vm in vm1 vm2; do
		dom=dom${vm#vm}
		if grep -q "^hyper_dmabufd.*: $dom: memory region 0: gpa [0-9a-fx]* size [1-9]" "$l" &&
		   grep -q "^hyper_dmabufd.*: $dom: GET_SHMEM_CONFIG: region 0 of [1-9]" "$l" &&
		   grep -q "^hyper_dmabufd.*: $dom: device started (domid ${vm#vm}," "$l"; then
			echo "ok - host: hyper_dmabufd negotiated with $vm (memory table mapped, shm config served, rings started as domid ${vm#vm})" >>"$out/host.tap"
		else
			echo "not ok - host: hyper_dmabufd did not start the device of $vm (log $l)" >>"$out/host.tap"
		fi
		if grep -q "^hyper_dmabufd.*: $dom: \(bad vhost-user message\|vhost-user request [0-9]*: \|.*broken\|QEMU refused\|back-end channel lost\)" "$l"; then
			echo "not ok - host: hyper_dmabufd protocol errors with $vm: $(grep -m1 "$dom: \(bad vhost\|vhost-user request [0-9]*: \|.*broken\|QEMU refused\|back-end channel lost\)" "$l")" >>"$out/host.tap"
		fi
	done
	# SHMEM_MAP calls per imported buffer (for the record, not a test)
	sed -n 's/.*: \(dom[0-9]*\): MAP \([0-9]*\) page(s) .*: \([0-9]*\) SHMEM_MAP call(s)/\1 \2 \3/p' "$l" >"$out/shmem-map-calls.txt"
	[ -s "$out/shmem-map-calls.txt" ] && awk '{ n++; p += $2; c += $3 } END {
		printf "# hyper_dmabufd: %d MAPs, %d pages, %d SHMEM_MAP calls (%.2f pages per call)\n", n, p, c, p / c }' \
		"$out/shmem-map-calls.txt" >>"$out/host.tap"
	# host-side MAP latency (directory walk + SHMEM_MAPs acked) by size
	sed -n 's/.*: \(dom[0-9]*\): MAP of \([0-9]*\) page(s) done in \([0-9]*\) us.*/\1 \2 \3/p' "$l" >"$out/map-latency-us.txt"
	virtio_mapping_checks "$out"
	virtio_kill_checks "$out"
	virtio_latency_table "$out"
	return 0
}

# virtio_mapping_checks OUT: no mapping survives a device stop, and QEMU
# acknowledged as many SHMEM_UNMAPs as SHMEM_MAPs (no growth, no leak)
virtio_mapping_checks() {
	local out=$1 dom l bad n
	# the daemon, and the one virtio/vm/62-* restarted (counters start again)
	for l in "$out"/hyper_dmabufd.log "$out"/hyper_dmabufd-restarted.log; do
	[ -f "$l" ] || continue
	for dom in dom1 dom2; do
		n=$(grep -c ": $dom: live mappings " "$l")
		[ "$n" -gt 0 ] || continue
		bad=$(sed -n "s/.*: $dom: live mappings \([0-9]*\) .*SHMEM_MAP acked \([0-9]*\), SHMEM_UNMAP acked \([0-9]*\);.*/\1 \2 \3/p" "$l" |
			awk '$1 != 0 || $2 != $3' | head -n1)
		if [ -z "$bad" ]; then
			echo "ok - host: ${l##*/} $dom: no mapping left at any of $n device stops, every SHMEM_MAP unmapped again ($(grep ": $dom: live mappings " "$l" | tail -n1 | sed 's/.*: live mappings [0-9]* ([0-9]* runs), //'))" >>"$out/host.tap"
		else
			echo "not ok - host: hyper_dmabufd $dom: mappings left at a device stop (live, SHMEM_MAP acked, SHMEM_UNMAP acked: $bad; log $l)" >>"$out/host.tap"
		fi
	done
	done
}

# virtio_kill_checks OUT: vm1 was killed holding an export mapped by vm2
# (vm1/90-virtio-killed.sh): the daemon revoked vm2's mapping and served
# vm2's next device start
virtio_kill_checks() {
	local out=$1 l=$1/hyper_dmabufd.log
	# the daemon serving the guests at the end (see virtio/vm/62-*)
	[ -f "$out/hyper_dmabufd-restarted.log" ] && l=$out/hyper_dmabufd-restarted.log
	grep -q "@@TAP ok - vm1: virtio xfer: hold: the importer mapped" "$out/vm1.log" 2>/dev/null || return 0
	# a start of vm2 after vm1's last disconnect (no early-exit pipe:
	# run.sh has pipefail)
	if awk '/: dom1: front-end disconnected/ { d = 1; s = 0 }
		d && /: dom2: device started/ { s = 1 } END { exit !s }' "$l"; then
		echo "ok - host: hyper_dmabufd: vm1 killed (connection lost), vm2's device started again afterwards" >>"$out/host.tap"
	else
		echo "not ok - host: hyper_dmabufd: no disconnect of vm1 or no later start of vm2 (log $l)" >>"$out/host.tap"
	fi
	if grep -q ": dom2: [0-9]* mapping(s) of domain 1 revoked (exporter stopped)" "$l"; then
		echo "ok - host: hyper_dmabufd: vm2's mapping of the killed vm1 revoked" >>"$out/host.tap"
	else
		echo "not ok - host: hyper_dmabufd: vm2's mapping of the killed vm1 not revoked (log $l)" >>"$out/host.tap"
	fi
}

# virtio_latency_table OUT: vm2's import latency (guest, IMPORT ioctl) next
# to the daemon's SHMEM_MAP calls and MAP time of the same buffers (the
# first MAPs of dom2 are the transfer test's cases, in order): for the record
virtio_latency_table() {
	local out=$1
	tr -d '\r' <"$out/vm2.log" 2>/dev/null |
		sed -n 's/^import latency \([a-z]*\) \([0-9]*\) KiB: \([0-9]*\) us$/\1 \2 \3/p' >"$out/import-latency.txt"
	[ -s "$out/import-latency.txt" ] || return 0
	grep '^dom2 ' "$out/shmem-map-calls.txt" | head -n "$(wc -l <"$out/import-latency.txt")" >"$out/.calls"
	grep '^dom2 ' "$out/map-latency-us.txt" | head -n "$(wc -l <"$out/import-latency.txt")" >"$out/.maplat"
	paste -d' ' "$out/import-latency.txt" "$out/.calls" "$out/.maplat" |
		awk '{ printf "# virtio import %s %d KiB: %d us in the importer; %s SHMEM_MAP call(s), %s us in hyper_dmabufd\n", $1, $2, $3, $6, $9 }' >>"$out/host.tap"
	rm -f "$out/.calls" "$out/.maplat"
}

scen_xen() {
	local out=$1 mode=$2 du=$1/stage-domu d0=$1/stage-dom0 xen r b i roles
	local n=${LAB_XEN_DOMUS:-2}
	ROLES="dom0"; for i in $(seq 1 "$n"); do ROLES="$ROLES domu$i"; done
	roles=$(echo $ROLES | tr ' ' :)
	xen=$LAB_ROOT/boot/xen.bin
	[ -f "$xen" ] || zcat "$LAB_ROOT"/boot/xen-4.*-amd64.gz >"$xen"
	# domU image: busybox, xenstore client, modules, tests
	img_new "$du"
	img_add_kmods "$du" xen-evtchn xen-gntdev xen-gntalloc vgem ${LAB_XEN_KMODS:-}
	img_add_project "$du"
	# bench mode (bench/run.sh): extra scripts over /lab/, more memory and grants
	[ -z "${LAB_GUEST_OVERLAY:-}" ] || cp -a "$LAB_GUEST_OVERLAY/." "$du/lab/"
	img_add_bin "$du" "$LAB_ROOT/usr/bin/xenstore" /usr/bin/xenstore
	for b in read write ls exists rm list chmod watch; do ln -sf xenstore "$du/usr/bin/xenstore-$b"; done
	# dom0 image: the same plus the toolstack, the domU kernel and image
	cp -a "$du" "$d0"
	img_cpio "$du" "$d0/boot/domu.cpio"; rm -rf "$du"
	img_add_kmods "$d0" xen-privcmd xenfs
	r=$(cd "$LAB_ROOT" && ls -d usr/lib/xen-4.*/bin | head -n1)
	for b in xl xenstored xenconsoled xen-init-dom0 xenconsole libxl-save-helper xenstore-control; do
		img_add_bin "$d0" "$LAB_ROOT/$r/$b" "/$r/$b"
	done
	mkdir -p "$d0/etc/xen"
	cp "$LAB_ROOT/etc/xen/xl.conf" "$d0/etc/xen/"
	cat >"$d0/etc/xen/domu.cfg" <<-CFG
	# PV domU of the lab; name, uuid and extra come from xl create's command line
	type = "pv"
	kernel = "/boot/vmlinux"
	ramdisk = "/boot/domu.cpio"
	memory = ${LAB_DOMU_MEM:-512}
	${LAB_XEN_DOMU_CFG:-}
	vcpus = 1
	on_poweroff = "destroy"
	on_crash = "preserve"
	CFG
	cp "$KCACHE/vmlinux" "$d0/boot/vmlinux"
	img_cpio "$d0" "$out/dom0.cpio"; rm -rf "$d0"
	local xargs="console=com1 com1=115200,8n1 dom0_mem=${LAB_DOM0_MEM:-768M},max:${LAB_DOM0_MEM:-768M} dom0_max_vcpus=1 bootscrub=false gnttab_max_frames=256 ${LAB_XEN_ARGS:-}"
	local kargs="console=hvc0 earlyprintk=xen quiet panic=-1 cryptomgr.notests domu.cryptomgr.notests lab.scenario=xen lab.role=dom0 lab.roles=$roles $LAB_SKIP_ARG ${LAB_XEN_DOM0_ARGS:-} ${LAB_GUEST_ARGS:-} $(for w in ${LAB_GUEST_ARGS:-}; do printf 'domu.%s ' "$w"; done)"
	[ "$mode" = shell ] && kargs="$kargs lab.shell=1"
	run_qemu "$out" xen "${LAB_TIMEOUT_XEN:-900}" "$mode" \
		-cpu qemu64,+svm,+rdrand -m "${LAB_XEN_MEM:-2560}" -smp 2 \
		-kernel "$xen" -append "$xargs" \
		-initrd "$KCACHE/vmlinux $kargs,$out/dom0.cpio"
	[ "$mode" = shell ] && return 0
	# split the console: dom0 lines, and each domU's log (dumped by dom0)
	tr -d '\r' <"$out/console-xen.log" | awk -v out="$out" '
		/^@@GUESTLOG-BEGIN / { f = out "/" $2 ".log"; next }
		/^@@GUESTLOG-END / { close(f); f = ""; next }
		{ if (f) print > f; else print > (out "/dom0.log") }'

}

lab_wait_for_file() {
	local n=$(($1 * 10))
	until grep -q "$3" "$2" 2>/dev/null; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1
		sleep 0.1
	done
}

# check_roles OUT: results of every role -> OUT/results.tap
OOPS_RE='BUG:|Oops|WARNING:|general protection|Kernel panic|Call Trace'
check_roles() {
	local out=$1 r f
	: >"$out/results.tap"
	for r in $ROLES; do
		f=$out/$r.log
		if [ ! -s "$f" ]; then
			echo "not ok - $r: no console log (missing result)" >>"$out/results.tap"
			continue
		fi
		tr -d '\r' <"$f" | sed -n 's/.*@@TAP //p' >>"$out/results.tap"
		grep -q "@@DONE $r" "$f" ||
			echo "not ok - $r: tests did not complete (no @@DONE, missing result), log $f" >>"$out/results.tap"
		# kernel log: the dmesg dump, plus printk lines on the console (panics)
		awk -v r="$r" '
			$0 ~ "@@DMESG-BEGIN " r { d = 1; next }
			$0 ~ "@@DMESG-END " r { d = 0; next }
			d || /^\[ *[0-9]+\.[0-9]+\] / { print }' "$f" >"$out/$r.kernel.log"
		if grep -Eq "$OOPS_RE" "$out/$r.kernel.log"; then
			echo "not ok - $r: kernel log has a crash/warning: $(grep -Em1 "$OOPS_RE" "$out/$r.kernel.log" | cut -c1-120)" >>"$out/results.tap"
		elif grep -q "@@DMESG-END $r" "$f"; then
			echo "ok - $r: kernel log clean (no BUG/Oops/WARNING/panic/Call Trace)" >>"$out/results.tap"
		fi
	done
	[ -f "$out/host.tap" ] && cat "$out/host.tap" >>"$out/results.tap"
	return 0
}
