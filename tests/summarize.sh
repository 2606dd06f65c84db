#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Adds up the "N passed, N failed" lines of the suites in a log and prints
# the total as the final line.
awk '/^[0-9]+ passed, [0-9]+ failed/ { p += $1; f += $3 }
     END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' "$1"
