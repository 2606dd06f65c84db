# Helpers for the lab guests (busybox sh), sourced by /init and by tests.
# Tests are plain sh scripts; they may use anything below.
#
# Results: every test script produces one TAP line "@@TAP ok|not ok - <role>/<name>"
# from its exit status (0 pass, 77 skip, anything else fail). A script may print
# extra results with lab_tap / lab_ok / lab_notok; the host counts all @@TAP lines.

lab_uptime() { cut -d' ' -f1 /proc/uptime; }
lab_log() { echo "[$LAB_ROLE $(lab_uptime)] $*"; }

lab_ok() { echo "@@TAP ok - $LAB_ROLE: $*"; }
lab_notok() { echo "@@TAP not ok - $LAB_ROLE: $*"; }
# lab_tap "description" command...: run a command, report it as one result
lab_tap() {
	_d=$1; shift
	"$@" && { lab_ok "$_d"; return 0; }
	_rc=$?; lab_notok "$_d (rc=$_rc)"; return $_rc
}

# lab_modprobe NAME...: load Debian kernel modules (and their dependencies)
# copied into the image; the list is in /lib/modules/lab.dep ("name file...").
lab_modprobe() {
	for _m in "$@"; do
		_line=$(grep -E "^$_m( |\$)" /lib/modules/lab.dep) || { echo "lab_modprobe: $_m not in the image" >&2; return 1; }
		for _f in $(echo "$_line" | cut -s -d' ' -f2-); do
			_n=$(basename "$_f" .ko | tr - _)
			[ -d /sys/module/$_n ] && continue
			insmod /lib/modules/"$_f" || { echo "lab_modprobe: insmod $_f failed" >&2; return 1; }
		done
	done
}

# lab_wait_for SECONDS command...: retry a command every 0.1 s until it succeeds
lab_wait_for() {
	_n=$(($1 * 10)); shift
	while ! "$@" 2>/dev/null; do
		_n=$((_n - 1)); [ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}

# Project binaries/modules: /opt/hdmabuf/bin (guest-bins.list), /opt/hdmabuf/modules/*.ko
LAB_KO=/opt/hdmabuf/modules

# --- coordination between guests (xen scenario: xenstore under /lab) --------
# lab_kv_set KEY VALUE / lab_kv_get KEY / lab_kv_wait KEY [SECONDS]
lab_kv_set() { xenstore-write "/lab/$1" "$2"; }
lab_kv_get() { xenstore-read "/lab/$1" 2>/dev/null; }
lab_kv_wait() {
	# sleep in xenstore-watch (woken by any change under the key) instead of
	# polling: fork+exec is slow under TCG and steals the other domains' CPU
	_end=$(( $(cut -d. -f1 /proc/uptime) + ${2:-120} ))
	until xenstore-exists "/lab/$1" 2>/dev/null; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$_end" ] || { echo "lab_kv_wait: timeout on /lab/$1" >&2; return 1; }
		timeout 1 xenstore-watch -n 2 "/lab/$1" >/dev/null 2>&1
	done
	lab_kv_get "$1"
}
# lab_barrier NAME [SECONDS]: wait until every role in $LAB_ROLES reached it
lab_barrier() {
	lab_kv_set "barrier/$1/$LAB_ROLE" 1
	for _r in $LAB_ROLES; do
		lab_kv_wait "barrier/$1/$_r" "${2:-120}" >/dev/null || return 1
	done
}

# --- test runner ------------------------------------------------------------
# Runs /lab/<scenario>/<role class>/*.sh and /lab/<scenario>/<role>/*.sh in
# name order (e.g. xen/domu/10-x.sh and xen/domu1/15-y.sh in domu1).
lab_run_tests() {
	_list=$(for _d in /lab/$LAB_SCENARIO/$LAB_ROLE_CLASS /lab/$LAB_SCENARIO/$LAB_ROLE; do
		[ -d "$_d" ] && ls "$_d"/*.sh 2>/dev/null
	done | awk -F/ '{ print $NF " " $0 }' | sort -u | cut -d' ' -f2)
	set -- $_list
	echo "@@PLAN $LAB_ROLE $#"
	for _t in $_list; do
		_name=$(basename "$_t" .sh)
		case " $LAB_SKIP " in *" $_name "*)
			echo "@@TAP ok - $LAB_ROLE/$_name # SKIP (LAB_SKIP)"; continue ;;
		esac
		if [ -n "$LAB_ONLY" ]; then
			_hit=0
			set -f
			for _p in $LAB_ONLY; do
				case $_name in $_p) _hit=1 ;; esac
			done
			set +f
			[ $_hit = 1 ] || { echo "@@TAP ok - $LAB_ROLE/$_name # SKIP (LAB_ONLY)"; continue; }
		fi
		echo "@@RUN $LAB_ROLE $_name uptime=$(lab_uptime)"
		(cd /tmp && timeout "$LAB_TEST_TIMEOUT" sh -c '. /lab/lib.sh && . "$1"' sh "$_t")
		_rc=$?
		case $_rc in
		0) echo "@@TAP ok - $LAB_ROLE/$_name" ;;
		77) echo "@@TAP ok - $LAB_ROLE/$_name # SKIP" ;;
		*) echo "@@TAP not ok - $LAB_ROLE/$_name (rc=$_rc)" ;;
		esac
	done
	echo "@@DONE $LAB_ROLE uptime=$(lab_uptime)"
}

lab_finish() {
	echo "@@DMESG-BEGIN $LAB_ROLE"
	dmesg
	echo "@@DMESG-END $LAB_ROLE"
	echo "@@END $LAB_ROLE uptime=$(lab_uptime)"
	if [ "$LAB_SHELL" = 1 ]; then
		echo "lab-shell: tests done; 'poweroff -f' to leave"
		while :; do setsid cttyhack sh -l; done
	fi
	case $LAB_ROLE_CLASS in
	domu) while :; do sleep 1000; done ;;	# dom0 collects the console log, then destroys us
	*) sync; poweroff -f ;;
	esac
}
