# The loopback backend loads on top of the core module (skipped while it is not built).
[ -f $LAB_KO/hyper_dmabuf_loopback.ko ] || { echo "hyper_dmabuf_loopback.ko not built: skip"; exit 77; }
insmod $LAB_KO/hyper_dmabuf.ko || exit 1
insmod $LAB_KO/hyper_dmabuf_loopback.ko || { rmmod hyper_dmabuf; exit 1; }
lab_wait_for 5 test -c /dev/hyper_dmabuf || exit 1
rmmod hyper_dmabuf_loopback && rmmod hyper_dmabuf
