# The host API's dma-buf hand-over (docs/host-api.rst), which needs
# /dev/udmabuf where hyper_dmabufd runs: the lab host has none, the 6.12
# guests have it built in.  So this guest plays the host: it runs
# hyper_dmabufd and test_host (a fake guest + the client library, the same
# program make check-unit runs) and requires that imports came as udmabuf
# dma-bufs, byte-exact through their mmap.  Skipped without udmabuf (6.1).
[ "$LAB_ROLE" = vm1 ] || { echo "one guest is enough: skip"; exit 77; }
[ -c /dev/udmabuf ] || { echo "no /dev/udmabuf in this kernel: skip"; exit 77; }
t=$(command -v test_host) && d=$(command -v hyper_dmabufd) ||
	{ echo "FAIL: test_host or hyper_dmabufd missing"; exit 1; }
"$t" "$d" >/tmp/test_host.out 2>&1
rc=$?
cat /tmp/test_host.out
grep -q 'udmabuf available' /tmp/test_host.out &&
	grep -q 'handed over as a dma-buf with 1 run' /tmp/test_host.out &&
	grep -q '^ok .* all 4 pages byte-exact' /tmp/test_host.out ||
	{ echo "FAIL: the imports were not udmabuf dma-bufs"; exit 1; }
lab_ok "host API: $(grep -c '^ok' /tmp/test_host.out) checks with udmabuf dma-bufs (test_host)"
[ $rc = 0 ]
