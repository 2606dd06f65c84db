#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ensure-deps.sh PKG... - install the Debian packages that are missing.
# Used by tests/unit/Makefile and tests/fuzz/Makefile.
missing=
for p in "$@"; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
sudo=
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo=sudo
echo "installing:$missing"
# Try without a package list refresh first; refresh only if that fails.
$sudo apt-get install -y $missing || {
	$sudo apt-get update && $sudo apt-get install -y $missing
}
