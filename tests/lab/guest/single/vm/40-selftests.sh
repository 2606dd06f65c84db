# The frontend suite (tests/selftests, kselftest harness) against the core
# module + loopback backend. Every kselftest result becomes one @@TAP line.
d=/opt/hdmabuf/selftests
[ -f $d/run.sh ] || { echo "FAIL: tests/selftests was not built into the image"; exit 1; }
lab_modprobe vgem || echo "vgem not available"
HDMABUF_MODDIR=$LAB_KO sh $d/run.sh >/tmp/selftests.out 2>&1
rc=$?
cat /tmp/selftests.out
awk -v role="$LAB_ROLE" '
	/^# selftest: / { bin = $3 }
	/^ok [0-9]+ / { $1 = ""; $2 = ""; sub(/^ +/, ""); print "@@TAP ok - " role ": " bin ": " $0 }
	/^not ok [0-9]+ / { $1 = ""; $2 = ""; $3 = ""; sub(/^ +/, ""); print "@@TAP not ok - " role ": " bin ": " $0 }
' /tmp/selftests.out
exit $rc
