// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf Xen backend: module setup and the backend operations.
 *
 * Messages travel over one control channel per pair of domains
 * (discovery.c finds the peers, handshake.c brings each channel up through
 * xenstore, ring.c moves the bytes); pages are shared with grants
 * (share.c, map.c).  docs/xen.rst describes the xenstore layout, the
 * handshake and the recovery flow.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

#include <xen/xen.h>
#include <xen/xenbus.h>

#include "hdmabuf_compat.h"
#include "xen_chan.h"
#include "xen_pages.h"
#include <linux/hyper_dmabuf.h>

unsigned int hdmabuf_xen_send_timeout_ms = 5000;
module_param_named(send_timeout_ms, hdmabuf_xen_send_timeout_ms, uint, 0644);
MODULE_PARM_DESC(send_timeout_ms,
		 "Longest wait for ring space when sending, in ms. Default 5000.");

domid_t hdmabuf_xen_own;
struct workqueue_struct *hdmabuf_xen_wq;

static int hdmabuf_xen_send(struct hdmabuf_backend *be, u64 peer,
			    const void *msg, size_t len)
{
	struct xch *ch;
	int ret;

	if (peer >= DOMID_FIRST_RESERVED)
		return -ENOTCONN;
	ch = xch_get(peer);
	if (!ch)
		return -ENOTCONN;	/* not a peer we may talk to */
	ret = xch_send(ch, msg, len);
	xch_put(ch);
	return ret;
}

static int hdmabuf_xen_share_op(struct hdmabuf_backend *be, u64 peer,
				struct page **pages, unsigned long nr_pages,
				bool rw, struct hdmabuf_share_info *info,
				void **cookie)
{
	if (peer >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	return hdmabuf_xen_share(peer, pages, nr_pages, rw, info, cookie);
}

static void hdmabuf_xen_unshare_op(struct hdmabuf_backend *be, void *cookie)
{
	hdmabuf_xen_unshare(cookie);
}

static int hdmabuf_xen_map_op(struct hdmabuf_backend *be, u64 peer,
			      const struct hdmabuf_share_info *info,
			      unsigned long nr_pages, bool rw,
			      struct page ***pages, void **cookie)
{
	if (peer >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	return hdmabuf_xen_map(peer, info, nr_pages, rw, pages, cookie);
}

static void hdmabuf_xen_unmap_op(struct hdmabuf_backend *be, void *cookie)
{
	hdmabuf_xen_unmap(cookie);
}

static const struct hdmabuf_backend_ops hdmabuf_xen_ops = {
	.send = hdmabuf_xen_send,
	.share = hdmabuf_xen_share_op,
	.unshare = hdmabuf_xen_unshare_op,
	.map = hdmabuf_xen_map_op,
	.unmap = hdmabuf_xen_unmap_op,
	HDMABUF_XEN_PAGES_CPU_OPS,
};

struct hdmabuf_backend hdmabuf_xen_be = {
	.ops = &hdmabuf_xen_ops,
	.owner = THIS_MODULE,
	.type = HYPER_DMABUF_BACKEND_XEN,
	.name = "xen",
};

/* Our domid as the store knows it ("domid" in our home directory). */
static int hdmabuf_xen_read_domid(void)
{
	unsigned int id;

	if (xenbus_scanf(XBT_NIL, "domid", "", "%u", &id) != 1) {
		if (!xen_initial_domain())
			return -ENOENT;
		id = 0;
	}
	if (id >= DOMID_FIRST_RESERVED)
		return -EINVAL;
	hdmabuf_xen_own = id;
	return 0;
}

static int __init hdmabuf_xen_init(void)
{
	int ret;

	if (!xen_domain())
		return -ENODEV;
	ret = hdmabuf_xen_read_domid();
	if (ret) {
		pr_err("cannot read our domid from xenstore (%d)\n", ret);
		return ret;
	}
	ret = hdmabuf_xen_pages_init();
	if (ret)
		return ret;
	hdmabuf_xen_wq = alloc_workqueue("hdmabuf_xen", 0, 0);
	if (!hdmabuf_xen_wq) {
		ret = -ENOMEM;
		goto err_pages;
	}
	hdmabuf_xen_be.own_domid = hdmabuf_xen_own;
	ret = hdmabuf_backend_register(&hdmabuf_xen_be);
	if (ret)
		goto err_wq;
	xch_debugfs_init();
	ret = xch_discovery_start();
	if (ret)
		goto err_unregister;
	pr_info("domain %u ready\n", hdmabuf_xen_own);
	return 0;

err_unregister:
	xch_debugfs_exit();
	hdmabuf_backend_unregister(&hdmabuf_xen_be);
err_wq:
	destroy_workqueue(hdmabuf_xen_wq);
err_pages:
	hdmabuf_xen_pages_exit();
	return ret;
}

static void __exit hdmabuf_xen_exit(void)
{
	xch_debugfs_exit();
	xch_discovery_stop();
	hdmabuf_backend_unregister(&hdmabuf_xen_be);
	destroy_workqueue(hdmabuf_xen_wq);
	hdmabuf_xen_pages_exit();
}

module_init(hdmabuf_xen_init);
module_exit(hdmabuf_xen_exit);

MODULE_DESCRIPTION("hyper_dmabuf Xen backend (grant tables, event channels, xenstore)");
MODULE_LICENSE("GPL");
HDMABUF_IMPORT_NS(HYPER_DMABUF);
