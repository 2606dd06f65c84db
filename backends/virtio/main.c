// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf virtio backend: the driver for VIRTIO_ID_DMABUF (37).
 *
 * One device is one local identity: its config space holds the domain id
 * the host assigned to this guest, and the host daemon behind the device
 * routes messages to the other guests and maps their pages into our
 * shared-memory region.  This file binds the device, sets it up and tears
 * it down (remove, freeze/restore), and registers it with the core;
 * vq.c moves requests and events, share.c exports, map.c imports.
 *
 * debugfs (hyper_dmabuf_virtio/<device>/): "info" shows the configuration
 * and counters; "request" (write "TYPE PEER [HEXPAYLOAD]") sends a raw
 * request, so tests can drive a device, or a daemon's parser, directly.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "hdmabuf_compat.h"
#include "hvio.h"
#include <linux/hyper_dmabuf.h>

#ifndef VIRTIO_ID_DMABUF
#define VIRTIO_ID_DMABUF	37
#endif

unsigned int hvio_timeout_ms = 10000;
module_param_named(timeout_ms, hvio_timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "How long a request waits for the device, ms. Default 10000.");

/* Runs the last part of every device's release (see hvio.h). */
static struct workqueue_struct *hvio_release_wq;
static struct dentry *hvio_debugfs;

/* ---------------------------------------------------------- lifetime */

static void hvio_release_work(struct work_struct *work)
{
	struct hvio_dev *hd = container_of(work, struct hvio_dev,
					   release_work);

	if (hd->registered)
		hdmabuf_backend_unregister(&hd->be);
	hvio_region_fini(hd);
	if (hd->wq)
		destroy_workqueue(hd->wq);
	xa_destroy(&hd->peers);
	put_device(hd->dev);
	kfree(hd);
}

static void hvio_release(struct kref *ref)
{
	struct hvio_dev *hd = container_of(ref, struct hvio_dev, ref);

	/* The last put may come from inside a core callback. */
	queue_work(hvio_release_wq, &hd->release_work);
}

void hvio_get(struct hvio_dev *hd)
{
	kref_get(&hd->ref);
}

void hvio_put(struct hvio_dev *hd)
{
	kref_put(&hd->ref, hvio_release);
}

/* -------------------------------------------------------------- ops */

static int hvio_send(struct hdmabuf_backend *be, u64 peer, const void *msg,
		     size_t len)
{
	if (peer > U32_MAX)
		return -ENOTCONN;
	return hvio_request(hvio_from_be(be), HVIO_T_MSG, peer, msg, len,
			    NULL);
}

static const struct hdmabuf_backend_ops hvio_ops = {
	.send = hvio_send,
	.share = hvio_share,
	.unshare = hvio_unshare,
	.map = hvio_map,
	.unmap = hvio_unmap,
};

/* ----------------------------------------------------------- device */

static void hvio_read_config(struct hvio_dev *hd, u32 *domid)
{
	u32 max_msg;

	virtio_cread_le(hd->vdev, struct hvio_config, domid, domid);
	virtio_cread_le(hd->vdev, struct hvio_config, max_msg, &max_msg);
	if (max_msg < sizeof(struct hvio_req_hdr) + HVIO_MSG_MAX)
		dev_warn(hd->dev, "device takes requests of %u bytes only\n",
			 max_msg);
	hd->max_msg = min_t(u32, max_msg,
			    sizeof(struct hvio_req_hdr) + HVIO_MSG_MAX);
}

static int hvio_find_vqs(struct hvio_dev *hd)
{
	struct virtqueue *vqs[HVIO_NR_VQS];
	int ret;
#ifdef HDMABUF_HAVE_VIRTQUEUE_INFO
	struct virtqueue_info info[HVIO_NR_VQS] = {
		[HVIO_VQ_TX] = { "tx", hvio_tx_done },
		[HVIO_VQ_RX] = { "rx", hvio_rx_done },
	};

	ret = virtio_find_vqs(hd->vdev, HVIO_NR_VQS, vqs, info, NULL);
#else
	vq_callback_t *cbs[HVIO_NR_VQS] = {
		[HVIO_VQ_TX] = hvio_tx_done,
		[HVIO_VQ_RX] = hvio_rx_done,
	};
	static const char * const names[HVIO_NR_VQS] = {
		[HVIO_VQ_TX] = "tx",
		[HVIO_VQ_RX] = "rx",
	};

	ret = virtio_find_vqs(hd->vdev, HVIO_NR_VQS, vqs, cbs, names, NULL);
#endif
	if (ret)
		return ret;
	hd->tx = vqs[HVIO_VQ_TX];
	hd->rx = vqs[HVIO_VQ_RX];
	return 0;
}

/* Sets up the vqs and starts the device (probe and restore). */
static int hvio_start(struct hvio_dev *hd)
{
	int ret;

	ret = hvio_find_vqs(hd);
	if (ret)
		return ret;
	ret = hvio_rx_fill(hd);
	if (ret) {
		hd->vdev->config->del_vqs(hd->vdev);
		return ret;
	}
	hvio_tx_start(hd);
	WRITE_ONCE(hd->rx_live, true);
	virtio_device_ready(hd->vdev);
	virtqueue_kick(hd->rx);
	return 0;
}

/*
 * Stops the device (remove and freeze): the peers go down first, while
 * the device can still take the UNMAPs that revoking imports causes; then
 * the device is reset and every request it held fails.
 */
static void hvio_stop(struct hvio_dev *hd)
{
	WRITE_ONCE(hd->rx_live, false);
	flush_workqueue(hd->wq);
	hvio_peers_down(hd);
	hvio_tx_stop(hd);
	virtio_reset_device(hd->vdev);
	hvio_tx_drain(hd);
	hvio_rx_free(hd);
	hd->vdev->config->del_vqs(hd->vdev);
	hvio_region_reset(hd);
}

/* ---------------------------------------------------------- debugfs */

static int hvio_info_show(struct seq_file *m, void *unused)
{
	struct hvio_dev *hd = m->private;
	struct hvio_region *r = &hd->region;
	unsigned long busy = 0, leaked = 0;

	if (r->mapped) {
		mutex_lock(&r->lock);
		busy = bitmap_weight(r->busy, r->len >> PAGE_SHIFT);
		leaked = bitmap_weight(r->leaked, r->len >> PAGE_SHIFT);
		mutex_unlock(&r->lock);
	}
	seq_printf(m, "domid %llu\n", hd->be.own_domid);
	seq_printf(m, "max_msg %u\n", hd->max_msg);
	seq_printf(m, "shm_map %d\n", hd->shm_map);
	seq_printf(m, "region %#llx %#llx %s\n", r->addr, r->len,
		   r->mapped ? "pages" : "none");
	seq_printf(m, "region_busy_pages %lu\n", busy);
	seq_printf(m, "region_leaked_pages %lu\n", leaked);
	seq_printf(m, "requests %lld\n", atomic64_read(&hd->stats.requests));
	seq_printf(m, "timeouts %lld\n", atomic64_read(&hd->stats.timeouts));
	seq_printf(m, "failed %lld\n", atomic64_read(&hd->stats.failed));
	seq_printf(m, "bad_used_len %lld\n",
		   atomic64_read(&hd->stats.bad_used_len));
	seq_printf(m, "rx_msgs %lld\n", atomic64_read(&hd->stats.rx_msgs));
	seq_printf(m, "rx_dropped %lld\n",
		   atomic64_read(&hd->stats.rx_dropped));
	seq_printf(m, "bad_map_reply %lld\n",
		   atomic64_read(&hd->stats.bad_map_reply));
	seq_printf(m, "unmap_failed %lld\n",
		   atomic64_read(&hd->stats.unmap_failed));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hvio_info);

/* "TYPE PEER [HEXPAYLOAD]": the write fails with the request's status. */
static ssize_t hvio_request_write(struct file *f, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	struct hvio_dev *hd = file_inode(f)->i_private;
	size_t len = 0;
	char *buf, *hex;
	u8 *payload;
	u32 type, peer;
	int pos = 0, ret;

	if (count > 64 + 2 * HVIO_MSG_MAX)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, count);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	payload = kzalloc(HVIO_MSG_MAX, GFP_KERNEL);
	if (!payload) {
		ret = -ENOMEM;
		goto out_free;
	}
	ret = -EINVAL;
	if (sscanf(buf, "%u %u %n", &type, &peer, &pos) != 2)
		goto out_free;
	hex = strim(buf + pos);
	len = strlen(hex) / 2;
	if (strlen(hex) % 2 || len > HVIO_MSG_MAX ||
	    hex2bin(payload, hex, len))
		goto out_free;
	ret = hvio_request(hd, type, peer, payload, len, NULL);
out_free:
	kfree(payload);
	kfree(buf);
	return ret ?: count;
}

static const struct file_operations hvio_request_fops = {
	.owner = THIS_MODULE,
	.write = hvio_request_write,
};

static void hvio_debugfs_init(struct hvio_dev *hd)
{
	hd->debugfs = debugfs_create_dir(dev_name(hd->dev), hvio_debugfs);
	debugfs_create_file("info", 0400, hd->debugfs, hd, &hvio_info_fops);
	debugfs_create_file("request", 0200, hd->debugfs, hd,
			    &hvio_request_fops);
}

/* ------------------------------------------------------------ driver */

static int hvio_probe(struct virtio_device *vdev)
{
	struct hvio_dev *hd;
	u32 domid;
	int ret;

	if (!virtio_has_feature(vdev, VIRTIO_F_VERSION_1))
		return -ENODEV;
	/* A previous binding's region pages must be gone (rebind). */
	flush_workqueue(hvio_release_wq);
	hd = kzalloc(sizeof(*hd), GFP_KERNEL);
	if (!hd)
		return -ENOMEM;
	kref_init(&hd->ref);
	spin_lock_init(&hd->tx_lock);
	init_waitqueue_head(&hd->tx_space);
	INIT_WORK(&hd->rx_work, hvio_rx_work);
	INIT_WORK(&hd->release_work, hvio_release_work);
	xa_init(&hd->peers);
	hd->vdev = vdev;
	hd->dev = get_device(&vdev->dev);
	vdev->priv = hd;
	hd->shm_map = virtio_has_feature(vdev, VIRTIO_DMABUF_F_SHM_MAP);

	hd->wq = alloc_ordered_workqueue("hdmabuf_virtio%u", 0, vdev->index);
	if (!hd->wq) {
		ret = -ENOMEM;
		goto err_put;
	}
	hvio_read_config(hd, &domid);
	hvio_region_init(hd);

	hd->be.ops = &hvio_ops;
	hd->be.owner = THIS_MODULE;
	hd->be.type = HYPER_DMABUF_BACKEND_VIRTIO;
	strscpy(hd->be.name, "virtio", sizeof(hd->be.name));
	hd->be.own_domid = domid;
	/* Before the device starts: events may come at once. */
	ret = hdmabuf_backend_register(&hd->be);
	if (ret)
		goto err_put;
	hd->registered = true;

	ret = hvio_start(hd);
	if (ret)
		goto err_put;
	hvio_debugfs_init(hd);
	dev_info(hd->dev, "domain %u, requests up to %u bytes, %s\n", domid,
		 hd->max_msg, hd->shm_map ? "importing through shm region" :
		 "no SHM_MAP: exporting only");
	return 0;

err_put:
	/* The device never started: nothing was queued, no peer is up. */
	hvio_put(hd);
	return ret;
}

static void hvio_remove(struct virtio_device *vdev)
{
	struct hvio_dev *hd = vdev->priv;

	/* Stop first: a request written through debugfs then fails at once. */
	hvio_stop(hd);
	debugfs_remove_recursive(hd->debugfs);
	hd->vdev = NULL;
	/* Buffers may outlive the device; see hvio.h. */
	hvio_put(hd);
}

#ifdef CONFIG_PM_SLEEP
static int hvio_freeze(struct virtio_device *vdev)
{
	hvio_stop(vdev->priv);
	return 0;
}

static int hvio_restore(struct virtio_device *vdev)
{
	struct hvio_dev *hd = vdev->priv;
	u32 domid;

	hvio_read_config(hd, &domid);
	if (domid != hd->be.own_domid) {
		/* Every peer is down, so nobody holds the old identity. */
		dev_info(hd->dev, "domain id %llu -> %u after resume\n",
			 hd->be.own_domid, domid);
		WRITE_ONCE(hd->be.own_domid, domid);
	}
	return hvio_start(hd);
}
#endif

static unsigned int hvio_features[] = {
	VIRTIO_DMABUF_F_SHM_MAP,
};

static const struct virtio_device_id hvio_id_table[] = {
	{ VIRTIO_ID_DMABUF, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, hvio_id_table);

static struct virtio_driver hvio_driver = {
	.driver.name = KBUILD_MODNAME,
	.id_table = hvio_id_table,
	.feature_table = hvio_features,
	.feature_table_size = ARRAY_SIZE(hvio_features),
	.probe = hvio_probe,
	.remove = hvio_remove,
#ifdef CONFIG_PM_SLEEP
	.freeze = hvio_freeze,
	.restore = hvio_restore,
#endif
};

static int __init hvio_init(void)
{
	int ret;

	hvio_release_wq = alloc_workqueue("hdmabuf_virtio_release", 0, 0);
	if (!hvio_release_wq)
		return -ENOMEM;
	hvio_debugfs = debugfs_create_dir("hyper_dmabuf_virtio", NULL);
	ret = register_virtio_driver(&hvio_driver);
	if (ret) {
		debugfs_remove_recursive(hvio_debugfs);
		destroy_workqueue(hvio_release_wq);
	}
	return ret;
}

static void __exit hvio_exit(void)
{
	unregister_virtio_driver(&hvio_driver);
	/* Runs the releases still queued; no buffer can be live here. */
	destroy_workqueue(hvio_release_wq);
	debugfs_remove_recursive(hvio_debugfs);
}

module_init(hvio_init);
module_exit(hvio_exit);

MODULE_DESCRIPTION("hyper_dmabuf virtio backend (VIRTIO_ID_DMABUF)");
MODULE_LICENSE("GPL");
HDMABUF_IMPORT_NS(HYPER_DMABUF);
