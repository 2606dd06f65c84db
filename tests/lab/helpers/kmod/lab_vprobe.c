// SPDX-License-Identifier: GPL-2.0
/*
 * Lab helper module: binds the VIRTIO_ID_DMABUF (37) device, sets up two
 * virtqueues and sets DRIVER_OK, so that the vhost-user front-end in QEMU
 * starts the device and sends the memory table to the back-end. Reports the
 * shared-memory region 0 if the device has one. Used by the virtio self-test
 * until backends/virtio binds the device for real.
 */
#include <linux/module.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#ifndef VIRTIO_ID_DMABUF
#define VIRTIO_ID_DMABUF 37
#endif

static void lab_vprobe_cb(struct virtqueue *vq) { }

static int lab_vprobe_probe(struct virtio_device *vdev)
{
	struct virtqueue *vqs[2];
	struct virtio_shm_region r;
	int err;
#ifdef LAB_HAVE_VQ_INFO
	struct virtqueue_info info[2] = { { "tx", lab_vprobe_cb }, { "rx", lab_vprobe_cb } };

	err = virtio_find_vqs(vdev, 2, vqs, info, NULL);
#else
	vq_callback_t *cbs[2] = { lab_vprobe_cb, lab_vprobe_cb };
	const char * const names[2] = { "tx", "rx" };

	err = virtio_find_vqs(vdev, 2, vqs, cbs, names, NULL);
#endif
	if (err) {
		pr_err("lab_vprobe: find_vqs failed %d\n", err);
		return err;
	}
	if (virtio_get_shm_region(vdev, &r, 0))
		pr_info("lab_vprobe: shm region 0 addr=%#llx len=%#llx\n", r.addr, r.len);
	else
		pr_info("lab_vprobe: no shm region 0\n");
	virtio_device_ready(vdev);
	pr_info("lab_vprobe: device ready\n");
	return 0;
}

static void lab_vprobe_remove(struct virtio_device *vdev)
{
	virtio_reset_device(vdev);
	vdev->config->del_vqs(vdev);
}

static const struct virtio_device_id lab_vprobe_ids[] = {
	{ VIRTIO_ID_DMABUF, VIRTIO_DEV_ANY_ID },
	{ 0 },
};

static struct virtio_driver lab_vprobe_driver = {
	.driver.name = "lab_vprobe",
	.id_table = lab_vprobe_ids,
	.probe = lab_vprobe_probe,
	.remove = lab_vprobe_remove,
};
module_virtio_driver(lab_vprobe_driver);
MODULE_DEVICE_TABLE(virtio, lab_vprobe_ids);
MODULE_DESCRIPTION("hyper_dmabuf lab: virtio id 37 probe");
MODULE_LICENSE("GPL");
