#!/bin/bash
# Build (or reuse) the lab root: a Debian trixie tree made by mmdebstrap that
# provides QEMU >= 11.1 (trixie-backports), the Xen 4.20 hypervisor and
# toolstack and busybox-static. Nothing from it is installed on the host: QEMU
# runs through the root's own dynamic loader (see lab_qemu in common.sh) and
# the guests' userland is copied out of it into initramfs images.
#   usage: rootfs.sh            -> prints the root directory on stdout
# The root lives in $LAB_CACHE/root-<key>, key = sha256(rootfs.packages + this
# script), so editing either rebuilds it; older roots are removed.
set -euo pipefail
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_CACHE=${LAB_CACHE:-/var/cache/hyper_dmabuf-lab}
MIRROR=${LAB_MIRROR:-http://deb.debian.org/debian}
key=$(cat "$LAB_DIR/rootfs.packages" "$LAB_DIR/lib/rootfs.sh" | sha256sum | cut -c1-16)
root=$LAB_CACHE/root-$key
if [ -f "$root/.lab-complete" ]; then echo "$root"; exit 0; fi

mkdir -p "$LAB_CACHE"
rm -rf "$root.tmp"
mapfile -t pkgs < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$LAB_DIR/rootfs.packages")
plain=() bpo=()
for p in "${pkgs[@]}"; do
	case $p in */trixie-backports) bpo+=("${p%/*}") ;; *) plain+=("$p") ;; esac
done
echo "lab: building trixie root $root (${#pkgs[@]} packages)" >&2
t0=$SECONDS
# Backports packages are installed in a hook with -t trixie-backports so that
# apt may also take their dependencies from backports (plain "pkg/release"
# only moves the named package).
mmdebstrap --mode=root --variant=apt --skip=cleanup/apt/lists \
	--aptopt='Acquire::Retries "3"' \
	--include="$(IFS=,; echo "${plain[*]}")" \
	${bpo:+--customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t trixie-backports ${bpo[*]}"} \
	--customize-hook='chroot "$1" apt-get clean' \
	trixie "$root.tmp" \
	"deb $MIRROR trixie main" "deb $MIRROR trixie-backports main" >&2
chroot "$root.tmp" dpkg-query -W -f '${Package} ${Version}\n' > "$root.tmp/.lab-packages"
touch "$root.tmp/.lab-complete"
for old in "$LAB_CACHE"/root-*; do
	[ "$old" = "$root.tmp" ] || [ ! -d "$old" ] || rm -rf "$old"
done
mv "$root.tmp" "$root"
echo "lab: root built in $((SECONDS - t0)) s" >&2
echo "$root"
