#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# run-tap.sh CMD... - run a TAP-producing test program, pass its output
# through and end with the project's summary line "N passed, M failed".
# A program that dies (sanitizer report, crash) counts as one failure
# even if it printed no "not ok" line.  Exit status is 0 only if nothing
# failed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
CMOCKA_MESSAGE_OUTPUT=TAP "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
pass=$(grep -c '^ok ' "$log")
fail=$(grep -c '^not ok ' "$log")
if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
	echo "# $1 exited with status $rc"
	fail=1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
