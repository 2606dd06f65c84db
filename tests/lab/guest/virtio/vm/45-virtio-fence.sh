# Cross-VM fences between the two guests through hyper_dmabufd (the Xen
# tests xen/*/7[5-9]-fence-*.sh do the same between Xen domains).  vm1
# exports a read-write vgem buffer to vm2; the guests talk through a
# mailbox in that buffer (xfence mbox-*; slot 0 written by vm2, slot 1 by
# vm1, slot 2 a value).  In order:
#  A  vm1's producer signals XF_DELAY ms after vm2 started waiting: vm2's
#     poll() on the import waits that long, then sees the new data;
#  B  vm2's read fence, attached as a sync_file, holds vm1's writers
#     (POLLOUT, vgem EBUSY), not its readers, for XF_DELAY ms;
#  C  XF_FRAMES fenced frames: every one reaches vm2 in order, nothing
#     times out or leaks (live_fence_waits, live_fences back);
#  D  vm1 stays silent: vm2's waiters fail with ETIMEDOUT;
#  E  vm1 unloads its virtio backend with a fence pending: vm2's waiters
#     fail with ECONNRESET long before fence_timeout_ms (60000 then).
. /lab/common/xfence.sh
ko=$LAB_KO/hyper_dmabuf_virtio.ko
[ -f $ko ] || { echo "hyper_dmabuf_virtio.ko not built: skip"; exit 77; }
command -v xfence >/dev/null || { echo "FAIL: xfence not in the image"; exit 1; }
lab_modprobe virtio_pci vgem || exit 1
[ -d /sys/module/lab_vprobe ] && { rmmod lab_vprobe || exit 1; }
[ -d /sys/module/hyper_dmabuf ] || insmod $LAB_KO/hyper_dmabuf.ko || exit 1
[ -d /sys/module/hyper_dmabuf_virtio ] || insmod $ko || { rmmod hyper_dmabuf; exit 1; }
D=$(ls -d /sys/kernel/debug/hyper_dmabuf_virtio/*/ 2>/dev/null | head -1)
lab_wait_for 10 test -r "$D/info" || { echo "FAIL: no device bound"; exit 1; }
info() { sed -n "s/^$1 //p" $D/info; }
cleanup() {
	[ -d /sys/module/hyper_dmabuf_virtio ] && rmmod hyper_dmabuf_virtio
	rmmod hyper_dmabuf
}
if [ "$(info shm_map)" != 1 ]; then
	echo "the device has no SHM_MAP (vhost-stub, not hyper_dmabufd): skip"
	cleanup; exit 77
fi
own=$(info domid)
case $own in 1) peer=2 ;; 2) peer=1 ;; *) echo "FAIL: unexpected domid $own"; cleanup; exit 1 ;; esac
rc=0
bad() { lab_notok "$*"; rc=1; }
xf_start s 3
xf s 3 10 backend virtio || bad "xfence: $(xf_why s)"

if [ "$LAB_ROLE" = vm1 ]; then
	w0=$(xf_stat live_fence_waits)
	xf s 3 30 vgem 1M 1 && xf s 3 60 export $peer rw || bad "export to vm2: $(xf_why s)"
	# A
	if xf s 3 120 mbox-wait 0 1 120 && xf s 3 10 fence w own && xf s 3 10 attach w &&
	   xf s 3 10 mbox-put 1 1 && xf s 3 60 mbox-wait 0 2 60 && xf s 3 30 signal $XF_DELAY 2; then
		:
	else
		bad "A: producer: $(xf_why s)"
	fi
	# B
	if xf s 3 60 mbox-wait 0 3 60; then
		if xf s 3 10 busy own out && xf s 3 10 vgem-busy && xf s 3 10 idle own in; then
			lab_ok "B: vm2's read fence holds our writers (POLLOUT not ready, vgem write fence EBUSY), not our readers"
		else
			bad "B: while vm2 reads: $(xf_why s)"
		fi
		if xf s 3 30 wait own out $((XF_DELAY - 100)) $((XF_DELAY + 10000)) mbox 1 2 &&
		   xf s 3 10 fence w own && xf s 3 10 signal; then
			lab_ok "B: our writer waited $(xf_val s 'ok wait' | cut -d' ' -f1) ms for vm2's $XF_DELAY ms reader, then vgem accepted a write fence"
		else
			bad "B: $(xf_why s)"
		fi
	else
		bad "B: vm2 attached no read fence: $(xf_why s)"
	fi
	# C
	if xf s 3 60 mbox-wait 0 4 60 && xf s 3 280 frames $XF_FRAMES; then
		lab_ok "C: $(xf_val s 'info:')"
		xf s 3 10 mbox-put 2 "$(xf_val s last-seqno)" && xf s 3 10 mbox-put 1 3
		if lab_wait_for 30 sh -c "[ \$(sed -n 's/^live_fence_waits //p' $XF_DBG/stats) -le $w0 ]"; then
			lab_ok "C: live_fence_waits back to $w0 after $XF_FRAMES frames"
		else
			bad "C: live_fence_waits $(xf_stat live_fence_waits), baseline $w0"
		fi
	else
		bad "C: frames: $(xf_why s)"; xf s 3 10 mbox-put 1 3
	fi
	# D: a fence we signal only after vm2 saw it time out
	xf s 3 60 mbox-wait 0 5 60 && xf s 3 10 fence w own && xf s 3 10 attach w &&
		xf s 3 10 mbox-put 1 4 && xf s 3 60 mbox-wait 0 6 60 && xf s 3 10 signal ||
		bad "D: silent producer: $(xf_why s)"
	# E: we go away with a fence pending
	if xf s 3 60 mbox-wait 0 7 60 && xf s 3 10 fence w own && xf s 3 10 attach w &&
	   xf s 3 10 mbox-put 1 5 && xf s 3 60 mbox-wait 0 8 60 &&
	   xf s 3 60 wait-released 60 && xf s 3 60 unexport; then
		if rmmod hyper_dmabuf_virtio; then
			lab_ok "E: unloaded hyper_dmabuf_virtio with fence $(xf_val s seqno) pending"
		else
			bad "E: rmmod hyper_dmabuf_virtio"
		fi
		if lab_wait_for 10 sh -c "[ \$(sed -n 's/^live_fence_waits //p' $XF_DBG/stats) -le $w0 ]"; then
			lab_ok "E: the fence vm2 waited for is forgotten here (live_fence_waits $w0), though our producer is still pending"
		else
			bad "E: live_fence_waits $(xf_stat live_fence_waits), baseline $w0"
		fi
		xf s 3 10 signal || rc=1
	else
		bad "E: $(xf_why s)"
	fi
else
	f0=$(xf_stat live_fences)
	xf_timeout 30000
	xf s 3 120 import-from $peer 120 && xf s 3 30 check 1 || bad "import from vm1: $(xf_why s)"
	# A
	xf s 3 10 mbox-put 0 1
	if xf s 3 60 mbox-wait 1 1 60 && xf s 3 10 busy imp in &&
	   xf s 3 30 wait imp in $((XF_DELAY - 100)) $((XF_DELAY + 10000)) mbox 0 2 && xf s 3 30 check 2; then
		lab_ok "A: fence vm1->vm2, poll() on the import waited $(xf_val s 'ok wait' | cut -d' ' -f1) ms for a $XF_DELAY ms producer, then the new data was complete"
	else
		bad "A: $(xf_why s)"
	fi
	# B
	# the reader's fence, given explicitly as a sync_file (the Xen tests
	# take it implicitly from the import PRIME-imported into vgem)
	if xf s 3 10 fence r scratch && xf s 3 10 attach r imp scratch &&
	   xf s 3 10 mbox-put 0 3 && xf s 3 60 mbox-wait 1 2 60 && xf s 3 30 signal $XF_DELAY; then
		:
	else
		bad "B: reader: $(xf_why s)"; xf s 3 10 mbox-put 0 3
	fi
	# C
	to0=$(xf_stat fence_timeouts) rej0=$(xf_stat rx_rejected)
	xf s 3 10 mbox-put 0 4
	if xf s 3 290 mbox-wait 1 3 280 && xf s 3 10 mbox-get 2; then
		last=$(xf_val s mbox)
		if lab_wait_for 30 sh -c "[ \"\$(. /lab/common/xfence.sh; xf_rx virtio:$peer)\" = '$last 0' ]"; then
			lab_ok "C: all of vm1's fences arrived in order (rx timeline last seqno $last, 0 pending)"
		else
			bad "C: rx timeline with vm1 '$(xf_rx virtio:$peer)', expected last $last, 0 pending"
		fi
		lab_tap "C: the import shows the last frame's number" \
			xf s 3 10 check-word $((XF_FRAMES - 1)) || rc=1
		to1=$(xf_stat fence_timeouts) rej1=$(xf_stat rx_rejected)
		lab_tap "C: no fence timed out ($to0 -> $to1) or was rejected ($rej0 -> $rej1)" \
			test "$to0/$rej0" = "$to1/$rej1" || rc=1
	else
		bad "C: vm1's frames: $(xf_why s)"
	fi
	# D
	xf_timeout 5000
	to0=$(xf_stat fence_timeouts)
	xf s 3 10 mbox-put 0 5
	if xf s 3 60 mbox-wait 1 4 60 && xf s 3 10 hold && xf s 3 30 wait-error ETIMEDOUT 15000; then
		to1=$(xf_stat fence_timeouts)
		lab_tap "D: vm1 silent: FENCE_GET and EXPORT_SYNC_FILE waiters failed with ETIMEDOUT $(xf_val s 'ok wait-error ETIMEDOUT') after we took them (fence_timeout_ms 5000; fence_timeouts $to0 -> $to1)" \
			test "$to1" -gt "$to0" || rc=1
	else
		bad "D: $(xf_why s)"
	fi
	xf s 3 10 mbox-put 0 6
	# E
	xf_timeout 60000
	xf s 3 10 mbox-put 0 7
	if xf s 3 60 mbox-wait 1 5 60 && xf s 3 10 hold && xf s 3 10 mbox-put 0 8 &&
	   xf s 3 10 release && xf s 3 60 wait-error ECONNRESET 30000; then
		lab_ok "E: vm1 unloaded its backend with a fence pending: both waiters failed with ECONNRESET $(xf_val s 'ok wait-error ECONNRESET') after we started waiting, the unload included (fence_timeout_ms 60000)"
	else
		bad "E: $(xf_why s)"
	fi
fi
xf_end s 3
xf_restore
grep -v '^ok ' /tmp/xf-s.out
if [ "$LAB_ROLE" = vm2 ]; then
	if lab_wait_for 15 sh -c "[ \$(sed -n 's/^live_fences //p' $XF_DBG/stats) -le $f0 ]"; then
		lab_ok "every proxy freed (live_fences back to $f0)"
	else
		bad "live_fences $(xf_stat live_fences), baseline $f0"
	fi
fi
cleanup || rc=1
exit $rc
