# Helpers of the hyperdmabuf-ctl tests (sourced, not run): module loading,
# one TAP line per check, and clean-up of background processes.
CTL=hyperdmabuf-ctl
command -v $CTL >/dev/null || { echo "FAIL: $CTL is not in the image (see /opt/hdmabuf/MISSING)"; exit 1; }
ctl_rc=0
ctl_pids=""
ctl_loaded=""

# ctl_check DESC CMD...: one result; the script fails if any check fails
ctl_check() { lab_tap "$@" || ctl_rc=1; }
# ctl_status WANT DESC CMD...: CMD must exit with status WANT
ctl_status() {
	_want=$1 _desc=$2; shift 2
	"$@" >/tmp/ctl_status.out 2>&1
	_got=$?
	if [ $_got = "$_want" ]; then lab_ok "$_desc (exit $_got)"; return 0; fi
	cat /tmp/ctl_status.out
	lab_notok "$_desc (exit $_got, expected $_want)"; ctl_rc=1; return 1
}
ctl_bg() { ctl_pids="$ctl_pids $1"; }
ctl_cleanup() {
	for _p in $ctl_pids; do kill "$_p" 2>/dev/null; done
	sleep 0.2
	for _m in $ctl_loaded; do rmmod "$_m" 2>/dev/null; done
}
# ctl_load_loopback: core + loopback backend (+ vgem), unloaded by ctl_cleanup
ctl_load_loopback() {
	if [ ! -d /sys/module/hyper_dmabuf ]; then
		insmod $LAB_KO/hyper_dmabuf.ko || return 1
		ctl_loaded="hyper_dmabuf"
	fi
	if [ ! -d /sys/module/hyper_dmabuf_loopback ]; then
		insmod $LAB_KO/hyper_dmabuf_loopback.ko || return 1
		ctl_loaded="hyper_dmabuf_loopback $ctl_loaded"
	fi
	lab_modprobe vgem || return 1
	lab_wait_for 5 test -c /dev/hyper_dmabuf
}
# ctl_wait_offer HANDLE: offers arrive asynchronously after EXPORT
ctl_wait_offer() { lab_wait_for 10 $CTL query --role importer "$1" >/dev/null; }
# ctl_wait_dev PID: PID has /dev/hyper_dmabuf open (a watcher is ready)
ctl_wait_dev() { lab_wait_for 10 sh -c "ls -l /proc/$1/fd 2>/dev/null | grep -q hyper_dmabuf"; }
# ctl_json_field KEY FILE: the first numeric or string value of KEY
ctl_json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p" "$2" | head -n 1; }
is_handle() { echo "$1" | grep -qE '^[0-9a-f]{32}$'; }
