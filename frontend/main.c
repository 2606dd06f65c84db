// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf core: /dev/hyper_dmabuf, module parameters, init and exit.
 *
 * The core is hypervisor-agnostic: backends (loopback, Xen, virtio) are
 * separate modules that register with it; see hdmabuf_backend.h.
 */
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>

#include "hdmabuf_compat.h"
#include "internal.h"

unsigned int hdmabuf_reply_timeout_ms = 2000;
module_param_named(reply_timeout_ms, hdmabuf_reply_timeout_ms, uint, 0644);
MODULE_PARM_DESC(reply_timeout_ms,
		 "How long to wait for a peer's reply, in ms. Default 2000.");

unsigned int hdmabuf_max_size_mb = 1024;
module_param_named(max_size_mb, hdmabuf_max_size_mb, uint, 0644);
MODULE_PARM_DESC(max_size_mb,
		 "Largest buffer that can be exported, in MiB. Default 1024.");

unsigned int hdmabuf_max_exports = 1024;
module_param_named(max_exports, hdmabuf_max_exports, uint, 0644);
MODULE_PARM_DESC(max_exports,
		 "Live exports per open file, and offers accepted per peer. Default 1024.");

unsigned int hdmabuf_max_opaque = HDMABUF_MAX_OPAQUE;
module_param_named(max_opaque, hdmabuf_max_opaque, uint, 0644);
MODULE_PARM_DESC(max_opaque,
		 "Largest opaque metadata, in bytes (at most 256). Default 256.");

unsigned int hdmabuf_event_queue_depth = 64;
module_param_named(event_queue_depth, hdmabuf_event_queue_depth, uint, 0644);
MODULE_PARM_DESC(event_queue_depth,
		 "Event records queued per open file (read at open). Default 64.");

DEFINE_MUTEX(hdmabuf_lock);
DECLARE_WAIT_QUEUE_HEAD(hdmabuf_release_wq);
struct hdmabuf_stats hdmabuf_stats;

static int hdmabuf_open(struct inode *inode, struct file *filp)
{
	struct hdmabuf_file *file;
	int ret;

	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return -ENOMEM;
	INIT_LIST_HEAD(&file->exports);
	ret = hdmabuf_events_init(file);
	if (ret) {
		kfree(file);
		return ret;
	}
	mutex_lock(&hdmabuf_lock);
	list_add_tail(&file->node, &hdmabuf_files);
	mutex_unlock(&hdmabuf_lock);
	filp->private_data = file;
	return nonseekable_open(inode, filp);
}

static int hdmabuf_release(struct inode *inode, struct file *filp)
{
	struct hdmabuf_file *file = filp->private_data;

	mutex_lock(&hdmabuf_lock);
	list_del(&file->node);
	mutex_unlock(&hdmabuf_lock);
	hdmabuf_file_unexport_all(file);
	hdmabuf_events_free(file);
	kfree(file);
	return 0;
}

static ssize_t hdmabuf_read(struct file *filp, char __user *buf, size_t count,
			    loff_t *ppos)
{
	return hdmabuf_events_read(filp->private_data, buf, count,
				   filp->f_flags & O_NONBLOCK);
}

static __poll_t hdmabuf_poll(struct file *filp, poll_table *wait)
{
	return hdmabuf_events_poll(filp->private_data, filp, wait);
}

static const struct file_operations hdmabuf_fops = {
	.owner = THIS_MODULE,
	.open = hdmabuf_open,
	.release = hdmabuf_release,
	.read = hdmabuf_read,
	.poll = hdmabuf_poll,
	.unlocked_ioctl = hdmabuf_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

struct miscdevice hdmabuf_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hyper_dmabuf",
	.fops = &hdmabuf_fops,
};

static int __init hdmabuf_init(void)
{
	int ret;

	/* Wire pages are 4 KiB and map 1:1 onto kernel pages. */
	BUILD_BUG_ON(PAGE_SIZE != HDMABUF_WIRE_PAGE_SIZE);
	ret = init_srcu_struct(&hdmabuf_backend_srcu);
	if (ret)
		return ret;
	ret = misc_register(&hdmabuf_misc);
	if (ret)
		goto err_cleanup_srcu;
	/* We attach to exported dma-bufs with this device. */
	ret = dma_coerce_mask_and_coherent(hdmabuf_misc.this_device,
					   DMA_BIT_MASK(64));
	if (ret)
		goto err_deregister;
	hdmabuf_debugfs_init();
	return 0;

err_deregister:
	misc_deregister(&hdmabuf_misc);
err_cleanup_srcu:
	cleanup_srcu_struct(&hdmabuf_backend_srcu);
	return ret;
}

static void __exit hdmabuf_exit(void)
{
	/* Backends hold module references, so none is registered here. */
	hdmabuf_debugfs_exit();
	misc_deregister(&hdmabuf_misc);
	cleanup_srcu_struct(&hdmabuf_backend_srcu);
}

module_init(hdmabuf_init);
module_exit(hdmabuf_exit);

MODULE_DESCRIPTION("Share dma-bufs between virtual machines");
MODULE_LICENSE("GPL");
HDMABUF_IMPORT_NS(DMA_BUF);
