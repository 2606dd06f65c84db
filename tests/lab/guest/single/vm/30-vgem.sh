# vgem (the test exporter of later suites) loads and registers a DRM device.
lab_modprobe vgem || exit 1
lab_wait_for 5 test -d /sys/module/vgem || exit 1
ls /sys/class/drm/ 2>/dev/null
ls /sys/devices/platform | grep -q vgem || { echo "FAIL: no vgem platform device"; exit 1; }
echo "vgem OK"
