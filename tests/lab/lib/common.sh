# Shared helpers of the lab scripts (sourced by run.sh).
log() { echo "lab: $*" >&2; }
warn() { echo "lab: warning: $*" >&2; }
die() { echo "lab: error: $*" >&2; exit 2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

host_apt_update() {
	[ -n "${_LAB_APT_UPDATED:-}" ] && return 0
	log "apt-get update"
	apt-get update -q >&2 || warn "apt-get update failed"
	_LAB_APT_UPDATED=1
}
host_apt_install() {
	log "installing on the host: $*"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 && return 0
	host_apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
		die "apt-get install $* failed"
}

# host_deps: install the host tools the lab needs (fresh-machine safe).
host_deps() {
	[ "$(id -u)" = 0 ] || die "the lab must run as root (mmdebstrap, chroot, unshare)"
	local need=() c p
	for c in mmdebstrap:mmdebstrap cpio:cpio xz:xz-utils zstd:zstd rsync:rsync gcc:gcc make:make readelf:binutils \
		modinfo:kmod pgrep:procps unshare:util-linux flock:util-linux dpkg-deb:dpkg apt-get:apt; do
		command -v "${c%%:*}" >/dev/null 2>&1 || need+=("${c#*:}")
	done
	[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || need+=(libc6-dev)
	[ -f /usr/include/xen/gntalloc.h ] || need+=(linux-libc-dev)
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
	[ ${#need[@]} = 0 ] || host_apt_install $(printf '%s\n' "${need[@]}" | sort -u)
}

# lab_qemu TIMEOUT ARGS...: run the lab root's qemu-system-x86_64 (QEMU 11.1
# from trixie-backports) chrooted into $LAB_ROOT inside a private mount
# namespace, with $LAB_CACHE bind-mounted at the same path (so every path under
# the cache is valid inside and outside). TIMEOUT=0: no timeout (lab-shell).
lab_qemu() {
	local t=$1; shift
	local pre=()
	[ "$t" = 0 ] || pre=(timeout -k 5 "$t")
	"${pre[@]}" unshare --mount --propagation private -- /bin/sh -c '
		r=$1; c=$2; shift 2
		mount -t proc proc "$r/proc" && mount --rbind /dev "$r/dev" &&
			mkdir -p "$r$c" && mount --bind "$c" "$r$c" || exit 125
		exec chroot "$r" qemu-system-x86_64 "$@"' sh "$LAB_ROOT" "$LAB_CACHE" "$@"
}
