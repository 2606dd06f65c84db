# Guest initramfs images (sourced by run.sh). An image is a staging directory
# turned into an uncompressed newc cpio (Linux unpacks it without gunzip:
# faster under TCG). Contents:
#   /init, /lab/...            tests/lab/guest/ (init, lib.sh, scenario tests)
#   busybox (+ applet links)   from the lab root (busybox-static)
#   /lib/modules/*.ko + lab.dep  Debian modules asked for (decompressed), deps first
#   /opt/hdmabuf/modules/*.ko  our modules built for this kernel
#   /opt/hdmabuf/bin/*         binaries of guest-bins.list / build/lab-guest-bin
#   /opt/lab/bin, /opt/lab/modules  lab helpers
# Dynamic binaries get their shared-library closure, resolved in the trixie
# lab root first (its glibc is the guest's), then on the host.

img_new() {
	local d=$1 a
	rm -rf "$d"
	mkdir -p "$d"/{usr/bin,usr/sbin,usr/lib/x86_64-linux-gnu,lib/modules,proc,sys,dev,tmp,run,etc,root,var/log,var/lib,boot,opt/lab/bin,opt/lab/modules,opt/hdmabuf/bin,opt/hdmabuf/modules}
	ln -s usr/bin "$d/bin"; ln -s usr/sbin "$d/sbin"; ln -s usr/lib "$d/lib64"
	mv "$d/lib/modules" "$d/usr/lib/modules"; rmdir "$d/lib"; ln -s usr/lib "$d/lib"
	ln -s /run "$d/var/run"
	cp "$LAB_ROOT/usr/bin/busybox" "$d/usr/bin/busybox"
	for a in $("$d/usr/bin/busybox" --list); do
		[ -e "$d/usr/bin/$a" ] || ln -s busybox "$d/usr/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$d/etc/passwd"
	echo "root:x:0:" >"$d/etc/group"
	: >"$d/usr/lib/modules/lab.dep"
	cp "$LAB_DIR/guest/init" "$d/init"
	mkdir -p "$d/lab"
	(cd "$LAB_DIR/guest" && tar --exclude=./init -cf - .) | tar -xf - -C "$d/lab"
}

# img_add_bin DIR SRC DEST: copy an executable and its library closure
img_add_bin() {
	local d=$1 s=$2 dst=$3 lib path
	mkdir -p "$d/$(dirname "$dst")"
	cp -L "$s" "$d/$dst"
	# static binaries and scripts: nothing more to copy
	LC_ALL=C readelf -l "$s" 2>/dev/null | grep -q 'program interpreter' || return 0
	"$LAB_ROOT/lib64/ld-linux-x86-64.so.2" --library-path "$LAB_ROOT/usr/lib/x86_64-linux-gnu" --list "$s" 2>/dev/null |
		awk '/=>/ { print $1, $3 }' | while read -r lib path; do
		case $path in
		/*) ;;
		*) path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }') ;;
		esac
		[ -n "$path" ] && [ -e "$path" ] || { warn "$s: library $lib not found"; continue; }
		case $lib in */*) lib=$(basename "$lib") ;; esac
		[ -e "$d/usr/lib/x86_64-linux-gnu/$lib" ] || cp -L "$path" "$d/usr/lib/x86_64-linux-gnu/$lib"
	done
	# glibc dlopen()s libgcc_s for pthread_cancel: ldd does not show it
	if [ ! -e "$d/usr/lib/x86_64-linux-gnu/libgcc_s.so.1" ] && [ -e "$d/usr/lib/x86_64-linux-gnu/libc.so.6" ]; then
		cp -L "$LAB_ROOT/usr/lib/x86_64-linux-gnu/libgcc_s.so.1" "$d/usr/lib/x86_64-linux-gnu/"
	fi
	if [ -e "$d/usr/lib/x86_64-linux-gnu/libc.so.6" ] && [ ! -e "$d/usr/lib/ld-linux-x86-64.so.2" ]; then
		cp -L "$LAB_ROOT/lib64/ld-linux-x86-64.so.2" "$d/usr/lib/ld-linux-x86-64.so.2"
	fi
}

# img_add_kmods DIR NAME...: Debian modules of $KVER with their dependencies
img_add_kmods() {
	local d=$1 line name f b files; shift
	[ $# -gt 0 ] || return 0
	kmod_closure "$KVER" "$@" | while read -r name line; do
		files=
		for f in $line; do
			b=$(basename "$f"); b=${b%.xz}; b=${b%.zst}
			files="$files $b"
			[ -e "$d/usr/lib/modules/$b" ] && continue
			case $f in
			*.xz) xz -dc "$KCACHE/pkg/lib/modules/$KVER/$f" ;;
			*.zst) zstd -qdc "$KCACHE/pkg/lib/modules/$KVER/$f" ;;
			*) cat "$KCACHE/pkg/lib/modules/$KVER/$f" ;;
			esac >"$d/usr/lib/modules/$b"
		done
		echo "$name$files" >>"$d/usr/lib/modules/lab.dep"	# "name" alone: built in
	done
}

# img_add_project DIR: our modules (+ the Debian modules they depend on),
# guest binaries, lab helpers
img_add_project() {
	local d=$1 ko deps=() l f
	for ko in "${LAB_KOS[@]}"; do
		cp "$ko" "$d/opt/hdmabuf/modules/"
		for l in $(modinfo -F depends "$ko" | tr , ' '); do deps+=("$l"); done
	done
	# dependencies that are not our own modules come from the kernel package
	for l in "${deps[@]}"; do
		ls "$d/opt/hdmabuf/modules/$l.ko" >/dev/null 2>&1 || img_add_kmods "$d" "$l"
	done
	if [ -n "$LAB_VPROBE" ]; then
		cp "$LAB_VPROBE" "$d/opt/lab/modules/"
		modinfo -F depends "$LAB_VPROBE" | tr , ' ' >"$d/opt/lab/modules/lab_vprobe.deps"
		img_add_kmods "$d" $(cat "$d/opt/lab/modules/lab_vprobe.deps")
	fi
	for f in "$HELPERS"/*; do
		[ "$(basename "$f")" = vhost-stub ] || cp "$f" "$d/opt/lab/bin/"
	done
	# project binaries: guest-bins.list ("GLOB [DEST]", GLOB relative to the
	# build tree, DEST relative to /opt/hdmabuf, default bin) and build/lab-guest-bin/*
	{
		sed -e 's/#.*//' -e '/^@/d' -e '/^[[:space:]]*$/d' "$LAB_DIR/guest-bins.list" 2>/dev/null | while read -r l dest; do
			(cd "$BUILD_SRC" && for f in $l; do
				[ -f "$f" ] && echo "${dest:-bin} $BUILD_SRC/$f" || echo "MISSING $l"; done)
		done
		find "$BUILD_SRC/build/lab-guest-bin" -maxdepth 1 -type f -perm -u+x 2>/dev/null | sed 's/^/bin /'
	} | sort -u | while read -r dest f; do
		case $dest in
		MISSING) warn "guest-bins.list: $f not built"; echo "$f" >>"$d/opt/hdmabuf/MISSING" ;;
		*) img_add_bin "$d" "$f" "/opt/hdmabuf/$dest/$(basename "$f")" ;;
		esac
	done
}

img_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2"
}
