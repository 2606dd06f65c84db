// SPDX-License-Identifier: GPL-2.0
/*
 * hdmabuf_testexp: a test-only exporter of page-backed dma-bufs.
 *
 * The lab's Xen domUs need buffers they can fill through mmap and then
 * export.  vgem cannot serve (in a PV domU, writing a vgem buffer through
 * its mmap loops on faults in drm_gem_shmem_fault) and Debian's 6.1 has no
 * udmabuf, so this misc device makes dma-bufs of ordinary pages instead:
 * mmap inserts every page up front (vm_map_pages(), no fault path), vmap
 * uses vmap(), map_dma_buf gives the attacher an sg table of the pages,
 * and CPU access syncs every mapped attachment.  It is not part of the
 * driver: the lab loads it, tests/xen/xfer uses it.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "hdmabuf_compat.h"
#include "hdmabuf_testexp.h"

HDMABUF_IMPORT_NS(DMA_BUF);

static unsigned int max_mb = 512;
module_param(max_mb, uint, 0644);
MODULE_PARM_DESC(max_mb, "largest buffer in MiB (default 512)");

/**
 * struct testexp_buf - one exported buffer
 * @nr_pages: pages in @pages.
 * @pages: the buffer, page by page.
 * @lock: protects @attachments and their @sgt.
 * @attachments: every struct testexp_attach of the buffer.
 */
struct testexp_buf {
	unsigned long nr_pages;
	struct page **pages;
	struct mutex lock;
	struct list_head attachments;
};

/**
 * struct testexp_attach - one attachment
 * @node: entry in @buf->attachments.
 * @dev: the attached device.
 * @sgt: its mapping while mapped, else NULL.
 * @dir: direction of @sgt.
 */
struct testexp_attach {
	struct list_head node;
	struct device *dev;
	struct sg_table *sgt;
	enum dma_data_direction dir;
};

static void testexp_free_pages(struct testexp_buf *buf, unsigned long n)
{
	while (n--)
		__free_page(buf->pages[n]);
	kvfree(buf->pages);
	kfree(buf);
}

static int testexp_attach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	struct testexp_buf *buf = dmabuf->priv;
	struct testexp_attach *a;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->dev = attach->dev;
	attach->priv = a;
	mutex_lock(&buf->lock);
	list_add(&a->node, &buf->attachments);
	mutex_unlock(&buf->lock);
	return 0;
}

static void testexp_detach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	struct testexp_buf *buf = dmabuf->priv;
	struct testexp_attach *a = attach->priv;

	mutex_lock(&buf->lock);
	list_del(&a->node);
	mutex_unlock(&buf->lock);
	kfree(a);
}

static struct sg_table *testexp_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct testexp_buf *buf = attach->dmabuf->priv;
	struct testexp_attach *a = attach->priv;
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table_from_pages(sgt, buf->pages, buf->nr_pages, 0,
					buf->nr_pages << PAGE_SHIFT,
					GFP_KERNEL);
	if (ret)
		goto err_free_sgt;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_free_table;
	mutex_lock(&buf->lock);
	a->sgt = sgt;
	a->dir = dir;
	mutex_unlock(&buf->lock);
	return sgt;

err_free_table:
	sg_free_table(sgt);
err_free_sgt:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void testexp_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
	struct testexp_buf *buf = attach->dmabuf->priv;
	struct testexp_attach *a = attach->priv;

	mutex_lock(&buf->lock);
	if (a->sgt == sgt)
		a->sgt = NULL;
	mutex_unlock(&buf->lock);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void testexp_release(struct dma_buf *dmabuf)
{
	struct testexp_buf *buf = dmabuf->priv;

	testexp_free_pages(buf, buf->nr_pages);
}

/* All pages go in now: the VMA never faults. */
static int testexp_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct testexp_buf *buf = dmabuf->priv;

	return vm_map_pages(vma, buf->pages, buf->nr_pages);
}

static int testexp_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct testexp_buf *buf = dmabuf->priv;
	void *vaddr;

	if (buf->nr_pages > UINT_MAX)
		return -E2BIG;
	vaddr = vmap(buf->pages, buf->nr_pages, VM_MAP, PAGE_KERNEL);
	if (!vaddr)
		return -ENOMEM;
	iosys_map_set_vaddr(map, vaddr);
	return 0;
}

static void testexp_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	vunmap(map->vaddr);
}

/* The CPU takes the buffer back from every device that has it mapped. */
static int testexp_begin_cpu_access(struct dma_buf *dmabuf,
				    enum dma_data_direction dir)
{
	struct testexp_buf *buf = dmabuf->priv;
	struct testexp_attach *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->sgt)
			dma_sync_sgtable_for_cpu(a->dev, a->sgt, a->dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static int testexp_end_cpu_access(struct dma_buf *dmabuf,
				  enum dma_data_direction dir)
{
	struct testexp_buf *buf = dmabuf->priv;
	struct testexp_attach *a;

	mutex_lock(&buf->lock);
	list_for_each_entry(a, &buf->attachments, node)
		if (a->sgt)
			dma_sync_sgtable_for_device(a->dev, a->sgt, a->dir);
	mutex_unlock(&buf->lock);
	return 0;
}

static const struct dma_buf_ops testexp_dmabuf_ops = {
	.attach = testexp_attach,
	.detach = testexp_detach,
	.map_dma_buf = testexp_map,
	.unmap_dma_buf = testexp_unmap,
	.release = testexp_release,
	.mmap = testexp_mmap,
	.vmap = testexp_vmap,
	.vunmap = testexp_vunmap,
	.begin_cpu_access = testexp_begin_cpu_access,
	.end_cpu_access = testexp_end_cpu_access,
};

static struct testexp_buf *testexp_alloc(unsigned long nr_pages)
{
	struct testexp_buf *buf;
	unsigned long i;

	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->nr_pages = nr_pages;
	mutex_init(&buf->lock);
	INIT_LIST_HEAD(&buf->attachments);
	buf->pages = kvmalloc_array(nr_pages, sizeof(*buf->pages), GFP_KERNEL);
	if (!buf->pages) {
		kfree(buf);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < nr_pages; i++) {
		/* Fail rather than wake the OOM killer for a test buffer. */
		buf->pages[i] = alloc_page(GFP_HIGHUSER | __GFP_ZERO |
					   __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
		if (!buf->pages[i] || fatal_signal_pending(current)) {
			if (buf->pages[i])
				__free_page(buf->pages[i]);
			testexp_free_pages(buf, i);
			return ERR_PTR(-ENOMEM);
		}
		cond_resched();
	}
	return buf;
}

static long testexp_create(struct hdmabuf_testexp_create __user *uarg)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct hdmabuf_testexp_create arg;
	struct testexp_buf *buf;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.flags || !arg.size || !PAGE_ALIGNED(arg.size))
		return -EINVAL;
	if (arg.size > (u64)max_mb << 20)
		return -E2BIG;

	buf = testexp_alloc(arg.size >> PAGE_SHIFT);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	exp_info.ops = &testexp_dmabuf_ops;
	exp_info.size = arg.size;
	exp_info.flags = O_RDWR;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		testexp_free_pages(buf, buf->nr_pages);
		return PTR_ERR(dmabuf);
	}
	/* From here on the dma-buf's release frees @buf. */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_dmabuf;
	}
	arg.fd = fd;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		ret = -EFAULT;
		goto err_put_fd;
	}
	fd_install(fd, dmabuf->file);
	return 0;

err_put_fd:
	put_unused_fd(fd);
err_put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

static long testexp_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	switch (cmd) {
	case HDMABUF_TESTEXP_CREATE:
		return testexp_create((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations testexp_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = testexp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice testexp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = HDMABUF_TESTEXP_NAME,
	.fops = &testexp_fops,
};

module_misc_device(testexp_misc);

MODULE_DESCRIPTION("hyper_dmabuf lab: test exporter of page-backed dma-bufs");
MODULE_LICENSE("GPL");
