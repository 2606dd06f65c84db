// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl dispatch and argument checking.  The command must match one of
 * ours exactly (number, direction and size), so a caller built against a
 * different layout gets -ENOTTY rather than a misread structure.  Every
 * reserved field and unknown flag is rejected with -EINVAL; fds are
 * installed only after everything else, including the copy back to
 * userspace, has succeeded.
 */
#include <linux/dma-buf.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include "hdmabuf_compat.h"
#include "internal.h"

static bool hdmabuf_mem_is_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static int hdmabuf_check_meta(const struct hyper_dmabuf_meta *m, u64 size)
{
	unsigned int i;

	if (m->nr_planes > HYPER_DMABUF_MAX_PLANES)
		return -EINVAL;
	for (i = 0; i < HYPER_DMABUF_MAX_PLANES; i++) {
		const struct hyper_dmabuf_plane *p = &m->planes[i];

		if (i >= m->nr_planes) {
			if (p->offset || p->stride)
				return -EINVAL;
			continue;
		}
		/* The same rule the peer applies (protocol/hdmabuf_wire.h). */
		if (p->offset >= size ||
		    (m->height && (u64)p->offset +
				  (u64)p->stride * m->height > size))
			return -EINVAL;
	}
	return 0;
}

static int hdmabuf_ioctl_get_info(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_info *info = data;

	memset(info, 0, sizeof(*info));
	info->abi_version = HYPER_DMABUF_ABI_VERSION;
	info->features = HYPER_DMABUF_FEAT_MMAP | HYPER_DMABUF_FEAT_VMAP |
			 HYPER_DMABUF_FEAT_CPU_ACCESS |
			 HYPER_DMABUF_FEAT_REVOKE | HYPER_DMABUF_FEAT_EVENTS |
			 HYPER_DMABUF_FEAT_UEVENTS | HYPER_DMABUF_FEAT_FENCES |
			 HYPER_DMABUF_FEAT_FENCE_EVENTS;
	info->max_size = (u64)hdmabuf_max_size_mb << 20;
	info->max_opaque = min_t(u32, hdmabuf_max_opaque, HDMABUF_MAX_OPAQUE);
	info->max_exports = hdmabuf_max_exports;
	hdmabuf_fill_backend_info(info);
	return 0;
}

static int hdmabuf_ioctl_export(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_export *arg = data;
	u8 opaque[HDMABUF_MAX_OPAQUE];
	struct dma_buf *dmabuf;
	int ret;

	if (arg->flags & ~HYPER_DMABUF_EXPORT_VALID_FLAGS ||
	    !hdmabuf_mem_is_zero(arg->reserved, sizeof(arg->reserved)) ||
	    !hdmabuf_mem_is_zero(&arg->handle, sizeof(arg->handle)))
		return -EINVAL;
	if (arg->opaque_len > min_t(u32, hdmabuf_max_opaque,
				    HDMABUF_MAX_OPAQUE))
		return -EMSGSIZE;
	if (arg->opaque_len &&
	    copy_from_user(opaque, u64_to_user_ptr(arg->opaque_ptr),
			   arg->opaque_len))
		return -EFAULT;

	/* Metadata is checked against the buffer that is then shared. */
	dmabuf = dma_buf_get(arg->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = hdmabuf_check_meta(&arg->meta, dmabuf->size);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}
	return hdmabuf_export(file, dmabuf, arg, opaque);
}

static int hdmabuf_ioctl_unexport(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_unexport *arg = data;

	if (arg->flags & ~HYPER_DMABUF_UNEXPORT_VALID_FLAGS ||
	    !hdmabuf_mem_is_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	return hdmabuf_unexport(file, arg->handle.bytes, arg->flags,
				arg->timeout_ms);
}

/* The QUERY answer for an export or an offer; under hdmabuf_lock. */
void hdmabuf_query_fill(struct hyper_dmabuf_query *q, void *opaque,
			const struct hdmabuf_peer *peer, u32 role, u32 state,
			bool rw, u64 size, u32 importers,
			const struct hdmabuf_meta_blob *md)
{
	lockdep_assert_held(&hdmabuf_lock);
	q->size = size;
	q->peer = peer->domid;
	q->backend = peer->type;
	q->role = role;
	q->state = state;
	q->flags = rw ? HYPER_DMABUF_EXPORT_RW : 0;
	q->importers = importers;
	q->meta = md->meta;
	q->opaque_len = md->opaque_len;
	memcpy(opaque, md->opaque, md->opaque_len);
}

static int hdmabuf_ioctl_query(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_query *q = data;
	u8 opaque[HDMABUF_MAX_OPAQUE];
	int ret;

	if (q->opaque_len || q->size || q->peer || q->backend || q->role ||
	    q->state || q->flags || q->importers || q->pad ||
	    !hdmabuf_mem_is_zero(&q->meta, sizeof(q->meta)) ||
	    !hdmabuf_mem_is_zero(q->reserved, sizeof(q->reserved)))
		return -EINVAL;

	/* This file's own export first, else what a peer offered us. */
	ret = hdmabuf_export_query(file, q, opaque);
	if (ret == -ENOENT)
		ret = hdmabuf_offer_query(q, opaque);
	if (ret)
		return ret;
	if (q->opaque_ptr &&
	    copy_to_user(u64_to_user_ptr(q->opaque_ptr), opaque,
			 min(q->opaque_cap, q->opaque_len)))
		return -EFAULT;
	return 0;
}

static int hdmabuf_ioctl_list(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_list *arg = data;
	struct hyper_dmabuf_handle *handles = NULL;
	u32 cap = arg->handles_ptr ? arg->capacity : 0;
	u32 n;
	int ret = 0;

	if (arg->count ||
	    !hdmabuf_mem_is_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	/* Bounded by what can exist: exports and offers are both limited. */
	cap = min_t(u32, cap, 65536);
	if (cap) {
		handles = kvcalloc(cap, sizeof(*handles), GFP_KERNEL);
		if (!handles)
			return -ENOMEM;
	}
	mutex_lock(&hdmabuf_lock);
	n = hdmabuf_exports_list(handles, cap);
	n += hdmabuf_offers_list(handles ? handles + min(n, cap) : NULL,
				 cap - min(n, cap));
	mutex_unlock(&hdmabuf_lock);
	arg->count = n;
	if (cap && copy_to_user(u64_to_user_ptr(arg->handles_ptr), handles,
				min(n, cap) * sizeof(*handles)))
		ret = -EFAULT;
	kvfree(handles);
	return ret;
}

/* IMPORT installs an fd, so it copies out itself; see hdmabuf_ioctl(). */
static int hdmabuf_ioctl_import(struct hdmabuf_file *file,
				struct hyper_dmabuf_import *arg,
				void __user *uarg)
{
	struct dma_buf *dmabuf;
	int fd, ret;

	if (arg->flags & ~HYPER_DMABUF_IMPORT_VALID_FLAGS || arg->fd ||
	    arg->size ||
	    !hdmabuf_mem_is_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;

	fd = get_unused_fd_flags(arg->flags & HYPER_DMABUF_IMPORT_NO_CLOEXEC ?
				 0 : O_CLOEXEC);
	if (fd < 0)
		return fd;
	dmabuf = hdmabuf_import(arg->handle.bytes);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_put_fd;
	}
	arg->fd = fd;
	arg->size = READ_ONCE(((struct hdmabuf_import *)dmabuf->priv)->offer->size);
	if (copy_to_user(uarg, arg, sizeof(*arg))) {
		ret = -EFAULT;
		goto err_put_dmabuf;
	}
	/* Consumes our dma-buf reference. */
	fd_install(fd, dmabuf->file);
	return 0;

err_put_dmabuf:
	dma_buf_put(dmabuf);
err_put_fd:
	put_unused_fd(fd);
	return ret;
}

static int hdmabuf_ioctl_fence_attach(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_fence_attach *arg = data;

	if (arg->flags & ~HYPER_DMABUF_FENCE_VALID_FLAGS || arg->fd < -1 ||
	    arg->seqno ||
	    !hdmabuf_mem_is_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	return hdmabuf_fence_attach(file, arg);
}

/* FENCE_GET installs an fd, so it copies out itself, like IMPORT. */
static int hdmabuf_ioctl_fence_get(struct hdmabuf_file *file,
				   struct hyper_dmabuf_fence_get *arg,
				   void __user *uarg)
{
	struct sync_file *sync;
	int fd, ret;

	if (arg->flags & ~HYPER_DMABUF_FENCE_GET_VALID_FLAGS || arg->fd ||
	    arg->reserved ||
	    ((arg->flags & HYPER_DMABUF_FENCE_SEQNO) ?
	     !arg->seqno || arg->flags & HYPER_DMABUF_FENCE_WRITE :
	     arg->seqno))
		return -EINVAL;
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	ret = hdmabuf_fence_get(file, arg, &sync);
	if (ret)
		goto err_put_fd;
	arg->fd = fd;
	if (copy_to_user(uarg, arg, sizeof(*arg))) {
		ret = -EFAULT;
		fput(sync->file);
		goto err_put_fd;
	}
	fd_install(fd, sync->file);
	return 0;

err_put_fd:
	put_unused_fd(fd);
	return ret;
}

static int hdmabuf_ioctl_event_mask(struct hdmabuf_file *file, void *data)
{
	struct hyper_dmabuf_event_mask *arg = data;

	if (arg->mask & ~HYPER_DMABUF_EVENT_MASK_ALL || arg->old_mask ||
	    !hdmabuf_mem_is_zero(arg->reserved, sizeof(arg->reserved)))
		return -EINVAL;
	arg->old_mask = hdmabuf_events_set_mask(file, arg->mask);
	return 0;
}

typedef int (*hdmabuf_ioctl_fn)(struct hdmabuf_file *file, void *data);

static const struct {
	unsigned int cmd;
	hdmabuf_ioctl_fn fn;
} hdmabuf_ioctls[] = {
	{ HYPER_DMABUF_IOCTL_GET_INFO, hdmabuf_ioctl_get_info },
	{ HYPER_DMABUF_IOCTL_EXPORT, hdmabuf_ioctl_export },
	{ HYPER_DMABUF_IOCTL_IMPORT, NULL },
	{ HYPER_DMABUF_IOCTL_UNEXPORT, hdmabuf_ioctl_unexport },
	{ HYPER_DMABUF_IOCTL_QUERY, hdmabuf_ioctl_query },
	{ HYPER_DMABUF_IOCTL_LIST, hdmabuf_ioctl_list },
	{ HYPER_DMABUF_IOCTL_FENCE_ATTACH, hdmabuf_ioctl_fence_attach },
	{ HYPER_DMABUF_IOCTL_FENCE_GET, NULL },
	{ HYPER_DMABUF_IOCTL_EVENT_MASK, hdmabuf_ioctl_event_mask },
};

long hdmabuf_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct hdmabuf_file *file = filp->private_data;
	void __user *uarg = (void __user *)arg;
	union {
		struct hyper_dmabuf_info info;
		struct hyper_dmabuf_export export;
		struct hyper_dmabuf_import import;
		struct hyper_dmabuf_unexport unexport;
		struct hyper_dmabuf_query query;
		struct hyper_dmabuf_list list;
		struct hyper_dmabuf_fence_attach fence_attach;
		struct hyper_dmabuf_fence_get fence_get;
		struct hyper_dmabuf_event_mask event_mask;
	} *data;
	unsigned int nr = _IOC_NR(cmd);
	unsigned int size = _IOC_SIZE(cmd);
	int ret;

	if (_IOC_TYPE(cmd) != HYPER_DMABUF_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(hdmabuf_ioctls))
		return -ENOTTY;
	nr = array_index_nospec(nr, ARRAY_SIZE(hdmabuf_ioctls));
	/* Direction and size are part of the command: no guessing. */
	if (cmd != hdmabuf_ioctls[nr].cmd)
		return -ENOTTY;

	data = kzalloc(sizeof(*data), GFP_KERNEL);
	if (!data)
		return -ENOMEM;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(data, uarg, size)) {
		ret = -EFAULT;
		goto out;
	}

	if (cmd == HYPER_DMABUF_IOCTL_IMPORT) {
		ret = hdmabuf_ioctl_import(file, &data->import, uarg);
		goto out;
	}
	if (cmd == HYPER_DMABUF_IOCTL_FENCE_GET) {
		ret = hdmabuf_ioctl_fence_get(file, &data->fence_get, uarg);
		goto out;
	}
	ret = hdmabuf_ioctls[nr].fn(file, data);
	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, data, size)) {
		ret = -EFAULT;
		/* Nobody learnt the handle: take the export back. */
		if (cmd == HYPER_DMABUF_IOCTL_EXPORT)
			hdmabuf_unexport(file, data->export.handle.bytes,
					 HYPER_DMABUF_UNEXPORT_REVOKE, 0);
	}
out:
	kfree(data);
	return ret;
}
