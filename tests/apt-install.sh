#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Installs the Debian packages named on the command line that are missing.
# Used by the Makefiles so that `make check` and friends work on a fresh
# Debian 12 machine; only Debian's own archive is needed.
set -e
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "apt-install: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "apt-install: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
}
