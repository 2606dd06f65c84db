# Self-test: our core module loads, creates /dev/hyper_dmabuf, unloads, and the
# node disappears. Shared by all scenarios (sourced by the per-role tests).
ko=$LAB_KO/hyper_dmabuf.ko
[ -f "$ko" ] || { echo "FAIL: hyper_dmabuf.ko was not built (see the build log)"; exit 1; }
insmod "$ko" || { echo "FAIL: insmod $ko"; exit 1; }
lab_wait_for 5 test -c /dev/hyper_dmabuf || { echo "FAIL: /dev/hyper_dmabuf did not appear"; ls -l /dev | head -50; exit 1; }
ls -l /dev/hyper_dmabuf
rmmod hyper_dmabuf || { echo "FAIL: rmmod hyper_dmabuf"; exit 1; }
lab_wait_for 5 test ! -e /dev/hyper_dmabuf || { echo "FAIL: /dev/hyper_dmabuf still present after rmmod"; exit 1; }
echo "core module insmod/rmmod OK"
