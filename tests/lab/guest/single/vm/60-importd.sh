# hyper_dmabuf-importd (loopback): imports the compositor's frames from
# pseudo-domain 0, writes one valid PNG per frame (checked pixel-exact
# against the pattern), releases every import, stops cleanly on SIGTERM.
. /lab/common/demo-lib.sh
demo_load loopback || exit 1
rc=0 out=/tmp/importd-png log=/tmp/importd.log
rm -rf $out
hyper_dmabuf-importd --help >/dev/null
lab_tap "importd: --help exits 0" test $? = 0 || rc=1
hyper_dmabuf-importd --outdir $out 2>/dev/null
lab_tap "importd: no --from is a usage error (2)" test $? = 2 || rc=1
hyper_dmabuf-importd --from xen 2>/dev/null
lab_tap "importd: a malformed source is a usage error (2)" test $? = 2 || rc=1
printf 'from = xen:7 # wrong\nbogus line\n' >/tmp/bad.conf
hyper_dmabuf-importd --config /tmp/bad.conf 2>/dev/null
lab_tap "importd: a malformed config file is a usage error (2)" test $? = 2 || rc=1
# the settings come from a config file this time
printf '# test\nfrom = loopback:0\noutdir = %s  # PNGs\n' $out >/tmp/importd.conf
demo_importd_start $log --config /tmp/importd.conf || { cat $log; demo_unload; exit 1; }
hyperdmabuf-compositor --to loopback:1 --frames 12 --timeout 20000 >/tmp/comp.out 2>&1
crc=$?
cat /tmp/comp.out
lab_tap "compositor: 12 frames exported, every one released by importd" \
	sh -c "[ $crc = 0 ] && grep -q 'frames sent 12, done by the importer 12,' /tmp/comp.out" || rc=1
lab_tap "importd: still running after the frames" kill -0 $IMPORTD_PID || rc=1
demo_importd_stop
st=$?
cat $log
lab_tap "importd: exits 0 on SIGTERM" test $st = 0 || rc=1
lab_tap "importd: 12 frames consumed, none rejected" grep -q '12 frames consumed, 0 rejected, 0 failed' $log || rc=1
lab_tap "importd: 12 PNGs, each pixel-exact (frame i in frame-i.png)" demo_check_pngs $out 12 || rc=1
ls -l $out | head -3
demo_unload
exit $rc
