#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: a guest compositor's frames on the host (docs/demo.rst).
#
# Boots a lab scenario (tests/lab/run.sh) in which hyperdmabuf-compositor
# renders the test pattern into vgem scanout buffers and exports every
# frame, and hyper_dmabuf-importd imports them and writes PNGs; the PNGs
# come back over the console, are verified (size, sha256) and the last one
# is compared pixel by pixel with the pattern on the host.
#
# Environment (make variables of the same names):
#   DEMO         xen (default), single (the loopback backend in one VM)
#                or virtio (two QEMU guests through hyper_dmabufd)
#   DEMO_FRAMES  frames to send (60)
#   DEMO_FPS     pacing of the compositor, 0 = as fast as released (0)
#   DEMO_SYNC    fences (default: the compositor reuses a buffer once the
#                importer's read fence has signalled) or release (once the
#                importer has released its import)
#   DEMO_KERNEL  guest kernel, 6.12 or 6.1 (6.12)
#   DEMO_OUT     output directory (build/demo)
# Exit status: 0 when every frame crossed and the last PNG is exact.
set -uo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LAB_DIR/../.." && pwd)
OUT=${DEMO_OUT:-$REPO/build/demo}
FRAMES=${DEMO_FRAMES:-60}
FPS=${DEMO_FPS:-0}
SYNC=${DEMO_SYNC:-fences}
KERNEL=${DEMO_KERNEL:-6.12}
DEMO=${DEMO:-}

die() { echo "make demo: $*" >&2; exit 1; }
have_backend() { compgen -G "$REPO/backends/$1/*.c" >/dev/null; }

# the Xen demo needs the backend's page sharing (backends/xen/share.c)
xen_shares() { have_backend xen && ! grep -q 'sharing is refused' "$REPO/backends/xen/share.c" 2>/dev/null; }
# Default: across Xen domains (domu1's compositor -> dom0's importer);
# DEMO=single runs the same pipeline on the loopback backend in one VM.
[ -n "$DEMO" ] || DEMO=xen
case $DEMO in
xen)
	xen_shares || die "DEMO=xen: the Xen backend (backends/xen) cannot share pages in this tree yet; DEMO=single runs the same pipeline on the loopback backend"
	scen=xen imp=dom0 exp=domu1 path="domu1 -> dom0 over Xen grant tables"
	export LAB_XEN_DOMUS=1
	;;
single | loopback)
	DEMO=single scen=single imp=vm exp=vm path="pseudo-domain 0 -> 1 over the loopback backend, one VM"
	;;
virtio)
	scen=virtio imp=vm2 exp=vm1 path="vm1 -> vm2 over the virtio device (hyper_dmabufd), two QEMU guests"
	;;
*) die "unknown DEMO '$DEMO' (xen, single, virtio)" ;;
esac
[[ $FRAMES =~ ^[1-9][0-9]{0,5}$ ]] || die "DEMO_FRAMES must be a number from 1 to 999999"
[[ $FPS =~ ^[0-9]{1,3}$ ]] || die "DEMO_FPS must be a number from 0 to 999"
[[ $SYNC =~ ^(fences|release)$ ]] || die "DEMO_SYNC must be fences or release"
[ "$(id -u)" = 0 ] || die "the lab needs root (mmdebstrap, chroot, namespaces); run as root"

# the host-side checker (and its build dependencies on a fresh machine)
"$REPO/tests/apt-install.sh" gcc make libc6-dev zlib1g-dev || die "cannot install gcc/zlib1g-dev"
CHECK=$REPO/tools/compositor/build/host/hyperdmabuf-pattern-check
make -s -C "$REPO/tools/compositor" B=build/host build/host/hyperdmabuf-pattern-check ||
	die "cannot build the pattern checker"

mkdir -p "$OUT"
# only the demo runs: every other test of the scenario is skipped
skip=$(ls "$LAB_DIR"/guest/$scen/*/*.sh | xargs -n1 basename | sed 's/\.sh$//' |
	grep -vx 70-demo | sort -u | tr '\n' ' ')
echo "== make demo: $DEMO, $FRAMES frames, sync $SYNC, kernel $KERNEL (lab log: $OUT/lab.log) =="
SCENARIOS=$scen KERNELS=$KERNEL LAB_SKIP="$skip" \
	LAB_GUEST_ARGS="lab.demo=1 demo.frames=$FRAMES demo.fps=$FPS demo.sync=$SYNC" \
	"$LAB_DIR/run.sh" check 2>&1 | tee "$OUT/lab.log"
lab_rc=${PIPESTATUS[0]}
run_dir=$(sed -n 's/^== hyper_dmabuf lab summary (run dir \([^,]*\),.*/\1/p' "$OUT/lab.log")
logs=$run_dir/$scen-$KERNEL
[ -n "$run_dir" ] && [ -f "$logs/$imp.log" ] || die "the lab run produced no console log (see $OUT/lab.log)"

# the PNGs: base64 between @@FILE markers in the importer's console log
rm -rf "$OUT/png"
mkdir -p "$OUT/png"
tr -d '\r' <"$logs/$imp.log" | awk -v dir="$OUT/png" -v man="$OUT/manifest" '
	/@@FILE-BEGIN / { sub(/.*@@FILE-BEGIN /, ""); cur = dir "/" $1 ".b64";
			  print $1, $2, $3 > man; printf "" > cur; next }
	/@@FILE-END / { close(cur); cur = ""; next }
	cur { print > cur }'
bad=0 n=0
if [ -f "$OUT/manifest" ]; then
	while read -r name size sum; do
		f=$OUT/png/$name
		base64 -d <"$f.b64" >"$f" 2>/dev/null
		rm -f "$f.b64"
		if [ "$(stat -c %s "$f")" != "$size" ] || [ "$(sha256sum <"$f" | cut -d' ' -f1)" != "$sum" ]; then
			echo "make demo: $name was damaged on the way (size/sha256 mismatch)" >&2
			bad=$((bad + 1))
		fi
		n=$((n + 1))
	done <"$OUT/manifest"
	rm -f "$OUT/manifest"
fi

comp=$(tr -d '\r' <"$logs/$exp.log" | sed -n 's/.*@@DEMO compositor //p' | tail -n 1)
crossed=$(sed -n 's/.*done by the importer \([0-9]*\),.*/\1/p' <<<"$comp")
fps=$(sed -n 's/.*, \([0-9.]*\) fps.*/\1/p' <<<"$comp")
secs=$(sed -n 's/.*importer [0-9]*, \([0-9.]*\) s,.*/\1/p' <<<"$comp")
last=$OUT/png/$(printf 'frame-%08d.png' $((FRAMES - 1)))

echo
echo "== make demo ($DEMO, kernel $KERNEL): $path =="
rc=0
if [ -n "$crossed" ]; then
	if [ "$SYNC" = fences ]; then
		how="2 buffers exported once; each frame a write fence, taken with the importer's read fence"
	else
		how="each frame exported, imported and released"
	fi
	echo "frames crossed:    $crossed of $FRAMES (hyperdmabuf-compositor -> hyper_dmabuf-importd, sync $SYNC: $how)"
	echo "frames per second: $fps ($crossed frames in $secs s, first frame to the importer's last copy, PNG encoding included; QEMU TCG)"
else
	echo "frames crossed:    unknown (no compositor report in $logs/$exp.log)"
	rc=1
fi
[ "$crossed" = "$FRAMES" ] || rc=1
echo "PNGs:              $n in $OUT/png/ ($((n - bad)) intact)"
[ "$n" = "$FRAMES" ] && [ $bad = 0 ] || rc=1
if [ -f "$last" ] && res=$("$CHECK" $((FRAMES - 1)) "$last" 2>&1); then
	echo "last PNG:          $last"
	echo "                   sha256 $(sha256sum <"$last" | cut -d' ' -f1), $(stat -c %s "$last") bytes"
	echo "                   frame $((FRAMES - 1)) of the pattern, pixel-exact (checked on the host)"
else
	echo "last PNG:          $last: ${res:-missing}"
	rc=1
fi
if [ $rc = 0 ] && [ "$lab_rc" = 0 ]; then
	echo "make demo: OK"
else
	echo "make demo: FAILED (lab exit $lab_rc; logs in $logs)"
	rc=1
fi
exit $rc
