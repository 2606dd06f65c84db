# Helpers for the Xen page-sharing tests (xen/*/5x-*.sh): buffers cross
# domains through tests/xen/xfer (see its header for the commands), and the
# roles meet on xenstore keys under /lab/xp/.
. /lab/xen/xch.sh
XP_DBG=/sys/kernel/debug/hyper_dmabuf_xen_pages
# sizes of the round trips in every direction (5[5-7]-*: 256M)
XP_SIZES="4K 64K 1M 8M 32M"

# xp_alloc: how we make the buffers we export: vgem in dom0; in a PV domU
# udmabuf over a memfd (writing a vgem buffer through its mmap loops on
# page faults in drm_gem_shmem_fault there), or tests/kmod's
# hdmabuf_testexp where the kernel has no udmabuf (6.1); prints nothing
# when neither is available
xp_alloc() {
	if [ "$LAB_ROLE" = dom0 ]; then echo vgem; return 0; fi
	[ -e /sys/class/misc/udmabuf ] && { echo udmabuf; return 0; }
	[ -f $LAB_KO/hdmabuf_testexp.ko ] || return 0
	[ -d /sys/module/hdmabuf_testexp ] || insmod $LAB_KO/hdmabuf_testexp.ko || return 0
	echo testexp
}
xp_domid() { if [ "$LAB_ROLE" = dom0 ]; then echo 0; else xenstore-read domid; fi; }
# xp_stat NAME: one counter of the backend's page sharing
xp_stat() { sed -n "s/^$1 //p" $XP_DBG/stats; }
xp_stats_line() { tr '\n' ' ' < $XP_DBG/stats; }
# xp_setup PEER_ROLE...: modules loaded, our domid published, channels up
xp_setup() {
	xch_load || { echo "xp: loading the modules failed"; return 1; }
	lab_modprobe vgem || { echo "xp: no vgem"; return 1; }
	[ -d $XP_DBG ] || { echo "xp: no $XP_DBG"; return 1; }
	XP_ALLOC=$(xp_alloc)
	# udmabuf refuses buffers above size_limit_mb (64 by default)
	_l=/sys/module/udmabuf/parameters/size_limit_mb
	[ "$XP_ALLOC" != udmabuf ] || [ "$(cat $_l)" -ge 512 ] || echo 512 > $_l
	lab_kv_set "xp/alloc/$LAB_ROLE" "${XP_ALLOC:-none}"
	lab_kv_set "xp/domid/$LAB_ROLE" "$(xp_domid)"
	for _r in "$@"; do
		_id=$(lab_kv_wait "xp/domid/$_r" 180) || { echo "xp: no domid from $_r"; return 1; }
		eval "xp_id_$_r=$_id"
		xch_wait_connected "$_id" 120 || { echo "xp: channel to $_r (dom$_id) not connected: $(xch_line $_id)"; return 1; }
	done
}

# xp_need_mem MIB: this domain has MIB MiB available, plus 32 (the lab
# gives dom0 768 MiB and each domU 512 MiB for the 256 MiB round trips)
xp_need_mem() {
	_a=$(sed -n 's/^MemAvailable: *\([0-9]*\) kB/\1/p' /proc/meminfo)
	[ "$_a" -ge $((($1 + 32) * 1024)) ] && return 0
	lab_notok "only $((_a / 1024)) MiB available here, $1 MiB buffers need $(($1 + 32))"
	return 1
}
# xp_need_exporter ROLE: SKIP (exit 77) when ROLE cannot make buffers to
# export (after xp_setup)
xp_need_exporter() {
	_a=$(lab_kv_wait "xp/alloc/$1" 180) || { echo "xp: $1 never said how it allocates"; exit 1; }
	[ "$_a" != none ] && return 0
	echo "xp: SKIP: $1 has neither udmabuf nor hdmabuf_testexp to make exportable buffers"
	exit 77
}

# xp_export KEY PEER_ID SIZE SEED MODE [VERIFY_SEED]: export a buffer of ours
# ($XP_ALLOC)
# with the pattern of SEED, publish its handle at xp/KEY/handle, wait until
# the importer released it, check it holds VERIFY_SEED's pattern (if
# given), unexport.  Output in /tmp/xp-KEY.out; returns xfer's status.
xp_export() {
	_k=$1; _out=/tmp/xp-$(echo "$1" | tr / -).out
	set -- $XP_ALLOC "$3" "$4" : export "$2" "$5" : wait-released 240 \
		${6:+: verify $6} : unexport
	xfer "$@" > "$_out" 2>&1 &
	_p=$!
	_h=""
	while kill -0 $_p 2>/dev/null; do
		_h=$(sed -n 's/^handle //p' "$_out")
		[ -n "$_h" ] && break
		sleep 0.2
	done
	[ -n "$_h" ] || _h=$(sed -n 's/^handle //p' "$_out")
	lab_kv_set "xp/$_k/handle" "${_h:-none}"
	wait $_p
}
# xp_info FILE: the xfer info lines, prefixed
xp_info() { sed -n 's/^info: /  /p' "$1"; }

# xp_session NAME FD: a background xfer reading commands from a FIFO
# written through file descriptor FD (3..9); output in /tmp/xp-NAME.out
xp_session() {
	rm -f /tmp/xp-$1.in /tmp/xp-$1.out
	mkfifo /tmp/xp-$1.in || return 1
	xfer - < /tmp/xp-$1.in > /tmp/xp-$1.out 2>&1 &
	eval "xp_pid_$1=$!"
	eval "exec $2>/tmp/xp-$1.in"
}
# xp_cmd NAME FD SECS COMMAND...: run one command in the session and wait
# for its result line; fails on FAIL or timeout
xp_cmd() {
	_n=$1; _fd=$2; _t=$(($3 * 5)); shift 3
	_c=$(grep -cE '^(ok|FAIL) ' /tmp/xp-$_n.out)
	echo "$*" >&$_fd
	while [ "$(grep -cE '^(ok|FAIL) ' /tmp/xp-$_n.out)" -le "$_c" ]; do
		_t=$((_t - 1))
		[ $_t -gt 0 ] || { echo "xp: '$*' got no answer"; return 1; }
		sleep 0.2
	done
	! grep -qE '^FAIL ' /tmp/xp-$_n.out
}
# xp_end NAME FD: close the session's input and collect its status
xp_end() {
	eval "exec $2>&-"
	eval "wait \$xp_pid_$1"
}

# xp_fail MESSAGE: a failed result; in dom0 also the tail of each domU's
# console (their own logs only reach the host at the end of the run)
xp_fail() {
	lab_notok "$*"
	[ "$LAB_ROLE" = dom0 ] || return 0
	for _d in $LAB_ROLES; do
		[ "$_d" = dom0 ] && continue
		echo "--- tail of $_d's console"
		tail -n 25 /var/log/xen/console/guest-$_d.log 2>/dev/null | tr -d '\r'
	done
}
# xp_clean CONTEXT: every page-sharing gauge is back to 0 (grants end once
# the peer unmapped: the deferred reclaim gets a few seconds)
xp_clean() {
	lab_wait_for 15 sh -c "[ \$(sed -n 's/^live_grants //p' $XP_DBG/stats) = 0 ] && [ \$(sed -n 's/^live_map_pages //p' $XP_DBG/stats) = 0 ]"
	_bad=""
	for _c in live_grants deferred live_map_pages live_umap_pages live_vmap_pages; do
		_v=$(xp_stat $_c)
		[ "$_v" = 0 ] || _bad="$_bad $_c=$_v"
	done
	if [ -z "$_bad" ]; then
		lab_ok "$1: no grant, mapping or page left"
	else
		lab_notok "$1: left:$_bad"; return 1
	fi
}
