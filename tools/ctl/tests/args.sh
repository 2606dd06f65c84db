#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# hyperdmabuf-ctl argument handling, on the build host (no module needed,
# /dev/hyper_dmabuf is absent or, if present, not used for the checks that
# need a specific status).  Every subcommand gets missing, garbage and
# overlong arguments: the status must be 0, 1 or 2 with a message on
# stderr for 1 and 2, never a signal.  Usage errors must give exactly 2.
# TAP output, then "N passed, N failed".
#
#   args.sh CTL JSONCHECK
CTL=$1
JSONCHECK=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
n=0

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }

# run EXPECT ARGS...: EXPECT is a status, "12" (1 or 2), "any" (0, 1 or 2)
run() {
	_exp=$1; shift
	"$CTL" "$@" >"$T/out" 2>"$T/err" </dev/null
	_rc=$?
	_d=$(printf '%s ' "$@" | cut -c1-60)
	if [ $_rc -ge 128 ]; then
		notok "[$_d] killed by signal $((_rc - 128))"; return
	fi
	case $_exp:$_rc in
	any:[012] | 12:1 | 12:2 | "$_rc:$_rc") ;;
	*) notok "[$_d] exit $_rc, expected $_exp"; sed 's/^/# /' "$T/err" | head -3; return ;;
	esac
	if [ $_rc -ne 0 ] && ! grep -q '^hyperdmabuf-ctl: ' "$T/err"; then
		notok "[$_d] exit $_rc without a 'hyperdmabuf-ctl: ' message"; return
	fi
	if [ $_rc -eq 2 ] && ! grep -q "^Try 'hyperdmabuf-ctl" "$T/err"; then
		notok "[$_d] usage error without a --help hint"; return
	fi
	ok "[$_d] exit $_rc"
}

HANDLE=0123456789abcdef0123456789abcdef
LONG=$(awk 'BEGIN { while (i++ < 20000) printf "x" }')
LONGNUM=$(awk 'BEGIN { while (i++ < 5000) printf "9" }')
LONGHEX=$(awk 'BEGIN { while (i++ < 4096) printf "ab" }')
GARBAGE="x - -- --bogus -Z 0 -1 +1 ' ' %s%n%x 0x 99999999999999999999999 \
	0123456789ABCDEF0123456789ABCDEG 0123456789abcdef0123456789abcde \
	0123456789abcdef0123456789abcdef0 00000000000000000000000000000000 \
	1x1 0x0 x: :x : ::: loopback: :1 xen:-1 xen:1:2 65536x1 1x65536 \
	=== --=x"
OPTGARBAGE="x - -- -1 0 99999999999999999999999 %s%n 1x1 0x0 x: :x : xen:-1 \
	0123456789abcdef0123456789abcdef0"

# --- exact expectations ----------------------------------------------------
run 2
run 0 --help
run 0 -h
run 0 --version
run 0 -V
run 0 help
run 0 help export
run 2 help nosuchcommand
run 2 help export import
run 2 nosuchcommand
run 2 --bogus
run 2 --host
run 2 ''
for c in info export import unexport query list watch xen-allow; do
	run 0 "$c" --help
	run 0 help "$c"
	run 2 "$c" --bogus-option
	run 2 "$c" -Z
done
run 2 export
run 2 export --to loopback:1
run 2 export --vgem 64x64
run 2 export --vgem 64x64 --file /etc/hostname --to loopback:1
run 2 export --vgem 64x64 --fd 3 --to loopback:1
run 2 export --vgem 0x64 --to loopback:1
run 2 export --vgem 64x64:NOPE --to loopback:1
run 2 export --vgem 64x64:NV12 --to loopback:1
run 2 export --vgem 99999x1 --to loopback:1
run 2 export --vgem 64x64 --to nosuch:1
run 2 export --vgem 64x64 --to loopback
run 2 export --vgem 64x64 --to loopback:x
run 2 export --vgem 64x64 --to loopback:1 --plane 1
run 2 export --vgem 64x64 --to loopback:1 --plane 1:2:3
run 2 export --vgem 64x64 --to loopback:1 --plane 0:1 --plane 0:1 --plane 0:1 --plane 0:1 --plane 0:1
run 2 export --vgem 64x64 --to loopback:1 --size 1
run 2 export --vgem 64x64 --to loopback:1 --modifier x
run 2 export --vgem 64x64 --to loopback:1 --fourcc ''
run 2 export --vgem 64x64 --to loopback:1 --fourcc TOOLONG
run 2 export --vgem 64x64 --to loopback:1 --wait-ms 0
run 2 export --vgem 64x64 --to loopback:1 --wait-ms 4294967296
run 2 export --file /etc/hostname --to loopback:1 --fill zero
run 2 export --vgem 64x64 --to loopback:1 --fill nope
run 2 export --vgem 64x64 --to loopback:1 extra
run 2 import
run 2 import "$HANDLE" "$HANDLE"
run 2 import 00000000000000000000000000000000
run 2 import "$HANDLE" --png -
run 2 import "$HANDLE" --hold=0
run 2 import "$HANDLE" --hold=x
run 2 --json import "$HANDLE" --out -
run 2 unexport
run 2 unexport "$HANDLE" --wait=5 --revoke
run 2 unexport "$HANDLE" --wait=x
run 2 unexport nothex
run 2 query
run 2 query "$HANDLE" --role nobody
run 2 list extra
run 2 info extra
run 2 watch --count 0
run 2 watch --timeout -5
run 2 watch extra
run 2 xen-allow
run 2 xen-allow 1
run 2 xen-allow 1 1
run 2 xen-allow 0 3
run 2 xen-allow 1 2 3
run 2 xen-allow 1 32752
run 2 xen-allow -- -1 2

# The export source is read before the device is opened: a missing file
# or an unreadable opaque blob fails with status 1 on any machine.
run 1 export --file "$T/nonexistent" --to loopback:1
run 1 export --vgem 8x8 --to loopback:1 --opaque-file "$T/nonexistent"
awk 'BEGIN { while (i++ < 257) printf "o" }' > "$T/opaque"
run 1 export --vgem 8x8 --to loopback:1 --opaque-file "$T/opaque"
run 1 export --file "$T" --to loopback:1
# --host: hyper_dmabufd's host API (no daemon here: status 1 once the
# arguments are fine; usage errors first)
run 1 --host /nonexistent info
run 1 --host /nonexistent list
run 1 --host /nonexistent import "$HANDLE"
run 1 --host /nonexistent import "$HANDLE" --from 1 --verify /etc/hostname --memfd
run 1 --host /nonexistent watch --count 1 --timeout 10
run 1 --host "$LONG" list
run 1 --host /nonexistent export --vgem 8x8 --to virtio:0
run 0 --host /nonexistent import --help
run 0 --host /nonexistent watch --help
run 2 --host /nonexistent import
run 2 --host /nonexistent import nothex
run 2 --host /nonexistent import "$HANDLE" --from x
run 2 --host /nonexistent import "$HANDLE" --from 1 extra
run 2 --host /nonexistent import "$HANDLE" --hold x
run 2 --host /nonexistent import "$HANDLE" --bogus
run 2 --host /nonexistent watch --count 0
run 2 --host /nonexistent watch extra
run 2 --host /nonexistent list extra
run 2 --host /nonexistent info extra
for o in --from --out --verify --hold; do
	for g in $OPTGARBAGE; do
		run any --host /nonexistent import "$HANDLE" "$o" "$g"
	done
done

# --- every subcommand x every option x garbage ------------------------------
opts_of() {
	"$CTL" "$1" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u
}
for c in info export import unexport query list watch xen-allow; do
	for g in $GARBAGE "$LONG" "$LONGNUM" "$LONGHEX"; do
		run any "$c" "$g"
		run any "$c" "$HANDLE" "$g"
	done
	for o in $(opts_of "$c"); do
		[ "$o" = --help ] && continue
		for g in "" $OPTGARBAGE "$LONG" "$LONGNUM"; do
			run any "$c" "$o" "$g"
		done
		run any "$c" "$o=$LONG"
		run any "$c" "$o="
	done
done

# --- JSON form of what works without the module -----------------------------
"$CTL" --json --version > "$T/v.json" 2>&1
if "$JSONCHECK" < "$T/v.json" >/dev/null; then ok "--json --version is JSON"; else notok "--json --version is JSON"; fi
printf '{"a":[1,2.5e3,-0,true,null,"\\u00e9\\n"],"b":{}}\n[]\n' | "$JSONCHECK" -l >/dev/null &&
	ok "jsoncheck accepts valid JSON lines" || notok "jsoncheck accepts valid JSON lines"
bad=0
for j in '{' '{"a":1,}' '[1,]' '{"a" 1}' '01' '"\x"' "'a'" '{"a":1}x' '1.' 'tru' '"a' '[1 2]' '{1:2}'; do
	printf '%s\n' "$j" | "$JSONCHECK" >/dev/null 2>&1 && { bad=1; echo "# jsoncheck accepted: $j"; }
done
[ $bad = 0 ] && ok "jsoncheck rejects 13 invalid documents" || notok "jsoncheck rejects invalid documents"

# --- bash completion (bash-completion's _init_completion stubbed) -----------
COMPL=$(dirname "$0")/../hyperdmabuf-ctl.bash-completion
complete_words() {
	bash -c '_init_completion() { words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; }
		compopt() { :; }; _filedir() { :; }
		. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_hyperdmabuf_ctl; echo "${COMPREPLY[*]}"' sh "$COMPL" "$@"
}
if command -v bash >/dev/null; then
	[ "$(complete_words hyperdmabuf-ctl ex)" = export ] &&
		ok "completion: command names" || notok "completion: command names"
	[ "$(complete_words hyperdmabuf-ctl --json export --until)" = --until-released ] &&
		ok "completion: export options" || notok "completion: export options"
	[ "$(complete_words hyperdmabuf-ctl query --role i)" = importer ] &&
		ok "completion: option values" || notok "completion: option values"
fi

echo "1..$n"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
