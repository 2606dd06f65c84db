# Guest kernels (sourced by run.sh). A kernel "spec" is 6.12 or 6.1: the
# Debian bookworm kernels, built by Debian with bookworm's gcc-12 like the host,
# so our modules are built on the host against the installed
# linux-headers-<kver> with the host compiler:
#   6.12 -> linux-headers-6.12-amd64 (bookworm-security)
#   6.1  -> linux-headers-amd64      (bookworm's default 6.1 ABI)
# The matching linux-image .deb is fetched with `apt-get download` and unpacked
# in $LAB_CACHE/kernels/<kver> (never installed on the host). Outputs:
#   <dir>/vmlinux       uncompressed ELF kernel (fast to boot under TCG: no xz)
#   <dir>/pkg/lib/modules/<kver>/...   Debian's modules

# kernel_meta SPEC -> headers meta package for that spec
kernel_meta() {
	case $1 in
	6.12) echo linux-headers-6.12-amd64 ;;
	6.1) echo linux-headers-amd64 ;;
	*) die "unknown kernel '$1' (known: 6.12 6.1)" ;;
	esac
}

# kernel_resolve SPEC: sets KVER (e.g. 6.12.117+deb12-amd64), KPKGVER, KDIR
# (headers tree) and KCACHE (cache dir); installs the headers when missing.
kernel_resolve() {
	local spec=$1 meta dep
	meta=$(kernel_meta "$spec")
	if ! dpkg-query -W -f '${Status}' "$meta" 2>/dev/null | grep -q 'ok installed'; then
		host_apt_install "$meta"
	fi
	dep=$(dpkg-query -W -f '${Depends}' "$meta" | tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ ]*\).*/\1/p' | head -n1)
	[ -n "$dep" ] || die "cannot resolve the kernel of $meta"
	KVER=$dep
	case $KVER in "$spec".*) ;; *) die "$meta points to $KVER, expected a $spec kernel" ;; esac
	KPKGVER=$(dpkg-query -W -f '${Version}' "linux-headers-$KVER")
	KDIR=/usr/src/linux-headers-$KVER
	[ -f "$KDIR/Makefile" ] || die "$KDIR missing"
	KCACHE=$LAB_CACHE/kernels/$KVER
}

# extract_vmlinux BZIMAGE OUT: unpack the ELF payload of an x86 bzImage
# (boot protocol: setup_sects at 0x1f1, payload_offset/length at 0x248).
extract_vmlinux() {
	local img=$1 out=$2 sects off len magic
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	[ "$sects" = 0 ] && sects=4
	off=$(od -An -tu4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -tu4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	off=$(( (sects + 1) * 512 + off ))
	magic=$(od -An -tx1 -j "$off" -N2 "$img" | tr -d ' ')
	case $magic in
	# (the payload ends with a size word after the compressed stream: ignore
	# the decompressors' complaints and check the result instead)
	fd37) tail -c +$((off + 1)) "$img" | head -c "$len" | xz -qdc >"$out.tmp" 2>/dev/null || true ;;
	1f8b) tail -c +$((off + 1)) "$img" | head -c "$len" | gzip -dc >"$out.tmp" 2>/dev/null || true ;;
	28b5) tail -c +$((off + 1)) "$img" | head -c "$len" | zstd -qdc >"$out.tmp" 2>/dev/null || true ;;
	*) die "$img: unknown kernel payload magic $magic" ;;
	esac
	[ "$(head -c4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "$img: payload is not ELF"
	mv "$out.tmp" "$out"
}

# kernel_prepare SPEC: resolve + download/unpack the image into $KCACHE.
kernel_prepare() {
	kernel_resolve "$1"
	[ -f "$KCACHE/.complete" ] && return 0
	log "kernel $KVER: fetching linux-image-$KVER=$KPKGVER"
	rm -rf "$KCACHE"
	mkdir -p "$KCACHE/deb"
	chmod 777 "$KCACHE/deb" # apt-get download runs as _apt
	if ! (cd "$KCACHE/deb" && apt-get download -q "linux-image-$KVER=$KPKGVER" >&2); then
		host_apt_update
		(cd "$KCACHE/deb" && apt-get download -q "linux-image-$KVER=$KPKGVER" >&2) ||
			die "cannot download linux-image-$KVER=$KPKGVER (headers and image must be the same version: apt-get install --only-upgrade $(kernel_meta "$1"))"
	fi
	dpkg-deb -x "$KCACHE"/deb/linux-image-*.deb "$KCACHE/pkg"
	extract_vmlinux "$KCACHE/pkg/boot/vmlinuz-$KVER" "$KCACHE/vmlinux"
	# the package does not ship modules.dep (its postinst runs depmod)
	depmod -b "$KCACHE/pkg" "$KVER" || die "depmod for $KVER failed"
	rm -rf "$KCACHE/deb"
	touch "$KCACHE/.complete"
}

# kmod_closure KVER NAME...: print the module files (relative to
# /lib/modules/KVER) to load, deps first, one "name file..." line per NAME.
kmod_closure() {
	local kver=$1 dep=$KCACHE/pkg/lib/modules/$1/modules.dep n; shift
	for n in "$@"; do
		awk -v want="$n" '
		{ f = $1; sub(":$", "", f); b = f; sub(".*/", "", b); sub("\\.ko.*$", "", b); gsub("-", "_", b)
		  w = want; gsub("-", "_", w)
		  if (b == w) { line = want; for (i = NF; i >= 2; i--) line = line " " $i; print line " " f; found = 1; exit } }
		END { if (!found) exit 1 }' "$dep" && continue
		# built into this kernel: nothing to load
		if grep -Eq "/${n//[-_]/[-_]}\.ko" "${dep%/*}/modules.builtin"; then echo "$n"; continue; fi
		warn "kernel $kver has no module $n"
	done
}
