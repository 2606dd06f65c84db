# Builds for one guest kernel (sourced by run.sh; needs kernel_resolve first).
# The working tree of the repository (tracked and untracked files, minus
# .git and what .gitignore ignores) is copied with rsync into
# $LAB_CACHE/build/<kver>/src, so every kernel has its own object files and
# the developer's tree is never touched; only files whose content changed
# are copied (and get a new mtime), so rebuilds are incremental. Then:
#   - our modules: `make -C src modules KDIR=<headers>` (top-level Makefile),
#     or plain Kbuild `make -C <headers> M=src` while no Makefile exists;
#   - the "@make DIR" lines of guest-bins.list and the top-level targets in
#     $LAB_GUEST_MAKE (binaries for the guests);
#   - the lab's own test module (helpers/kmod) and C helpers.
# Sets BUILD_OK (1/0), BUILD_LOG, BUILD_SRC, LAB_KOS (array), LAB_VPROBE.

build_for_kernel() {
	local bd=$LAB_CACHE/build/$KVER rc=0 db
	BUILD_SRC=$bd/src
	BUILD_LOG=$RUN_DIR/build-$KVER.log
	mkdir -p "$BUILD_SRC" "$bd/labkmod"
	# by content, stamped with the copy time: the cache is shared by every
	# tree, and objects built from another tree may be newer than our
	# sources' own mtimes
	rsync -a --no-times --checksum --delete --exclude=/.git \
		--filter=':- .gitignore' "$REPO/" "$BUILD_SRC/"
	# no stale modules from an earlier build when this one fails
	find "$BUILD_SRC" -name '*.ko' -delete
	{
		echo "# build of $REPO for $KVER ($(gcc --version | head -n1))"
		db=$(make -C "$BUILD_SRC" -pRrq : 2>/dev/null || true)	# make's rule database
		if grep -q '^modules:' <<<"$db"; then
			echo "+ make -C $BUILD_SRC modules KDIR=$KDIR"
			make -C "$BUILD_SRC" modules KDIR="$KDIR" -j"$(nproc)" || rc=$?
		elif [ -f "$BUILD_SRC/Kbuild" ]; then
			echo "+ (no 'modules' target in the top-level Makefile) make -C $KDIR M=$BUILD_SRC modules"
			make -C "$KDIR" M="$BUILD_SRC" modules -j"$(nproc)" || rc=$?
		else
			echo "no top-level Makefile 'modules' target and no Kbuild: nothing to build"
			rc=1
		fi
		# "@make DIR [TARGET...]" lines of guest-bins.list
		sed -n 's/^@make[[:space:]]\+//p' "$LAB_DIR/guest-bins.list" | while read -r dir targets; do
			echo "+ make -C $BUILD_SRC/$dir $targets"
			make -C "$BUILD_SRC/$dir" $targets -j"$(nproc)" || exit 1
		done || rc=1
		if [ -n "${LAB_GUEST_MAKE:-}" ]; then
			echo "+ make -C $BUILD_SRC $LAB_GUEST_MAKE"
			make -C "$BUILD_SRC" $LAB_GUEST_MAKE KDIR="$KDIR" -j"$(nproc)" || rc=$?
		fi
		echo "+ lab helper module (helpers/kmod)"
		rsync -a "$LAB_DIR/helpers/kmod/" "$bd/labkmod/"
		make -C "$KDIR" M="$bd/labkmod" modules || rc=$?
	} >"$BUILD_LOG" 2>&1
	BUILD_OK=$([ $rc = 0 ] && echo 1 || echo 0)
	mapfile -t LAB_KOS < <(find "$BUILD_SRC" -name '*.ko' -not -path '*/tests/lab/*' | sort)
	LAB_VPROBE=$bd/labkmod/lab_vprobe.ko
	[ -f "$LAB_VPROBE" ] || LAB_VPROBE=
	log "build for $KVER: $([ "$BUILD_OK" = 1 ] && echo ok || echo FAILED) (${#LAB_KOS[@]} modules: $(printf '%s ' "${LAB_KOS[@]##*/}")) log: $BUILD_LOG"
}

# build_helpers: the lab's C helpers (kernel independent): static guest
# programs and the host-side vhost-user stub. Rebuilt when a source changes.
build_helpers() {
	HELPERS=$LAB_CACHE/helpers
	mkdir -p "$HELPERS"
	local s o
	for s in "$LAB_DIR"/helpers/*.c "$LAB_DIR/vhost-stub.c"; do
		o=$HELPERS/$(basename "$s" .c)
		[ "$o" -nt "$s" ] && continue
		case $s in
		*/vhost-stub.c) gcc -O2 -Wall -o "$o" "$s" ;;
		*) gcc -O2 -Wall -static -o "$o" "$s" ;;
		esac || die "cannot build $s"
	done
}
