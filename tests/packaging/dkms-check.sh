#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `dkms build` of this tree against every installed Debian amd64 kernel
# headers package, in a private dkms tree under build/dkms (nothing is
# installed into /usr/src or /lib/modules; dkms itself creates its module
# signing key in /var/lib/dkms on first use).  One OK/FAIL line per kernel
# with the modules dkms built; exit 1 on any failure.
#
#   tests/packaging/dkms-check.sh [KVER...]
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
d=$top/build/dkms
rm -rf "$d"
mkdir -p "$d/src/hyper_dmabuf-$ver" "$d/tree"
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='.*.cmd' \
	--exclude='*.mod*' --exclude=.probe --exclude=hdmabuf_compat_gen.h \
	--exclude=modules.order --exclude=Module.symvers \
	Makefile Kbuild Kbuild.include dkms.conf frontend backends protocol \
	compat uapi) | tar -xf - -C "$d/src/hyper_dmabuf-$ver"

dk() { dkms "$@" --dkmstree "$d/tree" --sourcetree "$d/src"; }
if ! dk add -m hyper_dmabuf -v "$ver" > "$d/add.log" 2>&1; then
	echo "FAIL dkms add (log: $d/add.log)"; exit 1
fi
kvers=${*:-$(ls -d /usr/src/linux-headers-*-amd64 | grep -v cloud | \
	sed 's|/usr/src/linux-headers-||' | sort -V)}
rc=0
for k in $kvers; do
	log=$d/build-$k.log
	if dk build -m hyper_dmabuf -v "$ver" -k "$k" > "$log" 2>&1; then
		mods=$(cd "$d/tree/hyper_dmabuf/$ver/$k" && find . -name '*.ko*' | \
			sed 's|.*/||' | sort | tr '\n' ' ')
		echo "OK   dkms $k ($mods)"
	else
		echo "FAIL dkms $k (log: $log)"; rc=1
	fi
done
exit $rc
