// SPDX-License-Identifier: GPL-2.0
/*
 * Exporter side: pinning a local dma-buf, sharing it with one peer,
 * answering that peer's IMPORT/RELEASE/CPU_ACCESS, and unexporting.
 *
 * Obtaining the pages: we attach to the dma-buf with our own device, map
 * the attachment and take the struct pages behind the sg_table.  That only
 * works for exporters whose buffers are made of ordinary pages (vgem,
 * udmabuf, the system dma-heap, shmem-backed GEM objects); a buffer whose
 * sg_table has no page behind an entry, or entries that are not whole
 * pages, is refused with -EOPNOTSUPP before anything is shared.
 * docs/design.rst discusses the alternatives.
 */
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/random.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "hdmabuf_compat.h"
#include "internal.h"

static DEFINE_XARRAY(hdmabuf_exports);	/* under hdmabuf_lock */
static LIST_HEAD(hdmabuf_sources);	/* under hdmabuf_lock */

unsigned long hdmabuf_handle_key(const u8 *handle)
{
	unsigned long key;

	memcpy(&key, handle, sizeof(key));
	return key;
}

/*
 * Copies the handles of the objects in @xa (each holding its handle at
 * @handle_off) to @out, at most @cap; returns how many there are.
 */
u32 hdmabuf_registry_handles(struct xarray *xa, size_t handle_off,
			     struct hyper_dmabuf_handle *out, u32 cap)
{
	unsigned long idx;
	void *entry;
	u32 n = 0;

	lockdep_assert_held(&hdmabuf_lock);
	xa_for_each(xa, idx, entry) {
		if (n < cap)
			memcpy(&out[n], entry + handle_off, sizeof(*out));
		n++;
	}
	return n;
}

/* ------------------------------------------------------------ sources */

/* kref_put_mutex() release: called with hdmabuf_lock held, drops it. */
static void hdmabuf_source_unlink(struct kref *ref)
{
	struct hdmabuf_source *src = container_of(ref, struct hdmabuf_source,
						  ref);

	list_del(&src->node);
	mutex_unlock(&hdmabuf_lock);
}

static int hdmabuf_source_collect_pages(struct hdmabuf_source *src)
{
	struct scatterlist *sg;
	unsigned long n = 0;
	unsigned int i, j;

	src->nr_pages = src->dmabuf->size >> PAGE_SHIFT;
	if (!src->nr_pages || src->dmabuf->size & ~PAGE_MASK)
		return -EOPNOTSUPP;
	src->pages = kvcalloc(src->nr_pages, sizeof(*src->pages), GFP_KERNEL);
	if (!src->pages)
		return -ENOMEM;

	for_each_sgtable_sg(src->sgt, sg, i) {
		struct page *page = sg_page(sg);

		if (!page || sg->offset || sg->length & ~PAGE_MASK)
			return -EOPNOTSUPP;
		for (j = 0; j < sg->length >> PAGE_SHIFT; j++) {
			if (n == src->nr_pages ||
			    !pfn_valid(page_to_pfn(page) + j))
				return -EOPNOTSUPP;
			src->pages[n++] = nth_page(page, j);
		}
	}
	return n == src->nr_pages ? 0 : -EOPNOTSUPP;
}

/* Finds or pins the source for @dmabuf; consumes the caller's reference. */
static struct hdmabuf_source *hdmabuf_source_get(struct dma_buf *dmabuf)
{
	struct hdmabuf_source *src;
	int ret;

	mutex_lock(&hdmabuf_lock);
	list_for_each_entry(src, &hdmabuf_sources, node) {
		if (src->dmabuf == dmabuf) {
			kref_get(&src->ref);
			mutex_unlock(&hdmabuf_lock);
			dma_buf_put(dmabuf);
			return src;
		}
	}
	mutex_unlock(&hdmabuf_lock);

	src = kzalloc(sizeof(*src), GFP_KERNEL);
	if (!src) {
		ret = -ENOMEM;
		goto err_put_dmabuf;
	}
	src->dmabuf = dmabuf;
	src->attach = dma_buf_attach(dmabuf, hdmabuf_misc.this_device);
	if (IS_ERR(src->attach)) {
		ret = PTR_ERR(src->attach);
		goto err_free_src;
	}
	src->sgt = dma_buf_map_attachment_unlocked(src->attach,
						   DMA_BIDIRECTIONAL);
	if (IS_ERR(src->sgt)) {
		ret = PTR_ERR(src->sgt);
		goto err_detach;
	}
	ret = hdmabuf_source_collect_pages(src);
	if (ret)
		goto err_unmap;

	kref_init(&src->ref);
	mutex_lock(&hdmabuf_lock);
	list_add(&src->node, &hdmabuf_sources);
	mutex_unlock(&hdmabuf_lock);
	atomic64_inc(&hdmabuf_stats.live_sources);
	return src;

err_unmap:
	kvfree(src->pages);
	dma_buf_unmap_attachment_unlocked(src->attach, src->sgt,
					  DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dmabuf, src->attach);
err_free_src:
	kfree(src);
err_put_dmabuf:
	dma_buf_put(dmabuf);
	return ERR_PTR(ret);
}

static void hdmabuf_source_put(struct hdmabuf_source *src)
{
	/* The exporter's unmap and detach run without our lock held. */
	if (!kref_put_mutex(&src->ref, hdmabuf_source_unlink, &hdmabuf_lock))
		return;
	dma_buf_unmap_attachment_unlocked(src->attach, src->sgt,
					  DMA_BIDIRECTIONAL);
	dma_buf_detach(src->dmabuf, src->attach);
	dma_buf_put(src->dmabuf);
	kvfree(src->pages);
	kfree(src);
	atomic64_dec(&hdmabuf_stats.live_sources);
}

/* ------------------------------------------------------------ exports */

static void hdmabuf_export_release(struct kref *ref)
{
	struct hdmabuf_export *exp = container_of(ref, struct hdmabuf_export,
						  ref);
	struct hdmabuf_peer *peer = exp->peer;
	struct module *owner = peer->owner;
	void *cookie;
	int idx;

	/*
	 * A cookie no teardown took: the backend is registered, and stays
	 * so until our read section ends (hdmabuf_backend_unregister()).
	 */
	idx = srcu_read_lock(&hdmabuf_backend_srcu);
	mutex_lock(&hdmabuf_lock);
	cookie = exp->share_cookie;
	exp->share_cookie = NULL;
	list_del_init(&exp->share_node);
	mutex_unlock(&hdmabuf_lock);
	if (cookie)
		peer->be->ops->unshare(peer->be, cookie);
	srcu_read_unlock(&hdmabuf_backend_srcu, idx);

	hdmabuf_source_put(exp->src);
	kfree(exp);
	atomic64_dec(&hdmabuf_stats.live_exports);
	hdmabuf_peer_put(peer);
	module_put(owner);
}

void hdmabuf_export_put(struct hdmabuf_export *exp)
{
	kref_put(&exp->ref, hdmabuf_export_release);
}

/* Returns a referenced export, or NULL. */
struct hdmabuf_export *hdmabuf_export_lookup(const u8 *handle)
{
	struct hdmabuf_export *exp;

	lockdep_assert_held(&hdmabuf_lock);
	exp = xa_load(&hdmabuf_exports, hdmabuf_handle_key(handle));
	if (!exp || memcmp(exp->handle.bytes, handle, HDMABUF_HANDLE_SIZE))
		return NULL;
	kref_get(&exp->ref);
	return exp;
}

void hdmabuf_export_fill_desc(const struct hdmabuf_export *exp,
			      struct hdmabuf_export_desc *desc)
{
	struct hdmabuf_pgdir_geom g;
	unsigned int i;

	memset(desc, 0, sizeof(*desc));
	memcpy(desc->handle.bytes, exp->handle.bytes, HDMABUF_HANDLE_SIZE);
	/* Cannot fail: the same layout was accepted at export time. */
	hdmabuf_export_desc_set_layout(desc, exp->size, 0, exp->info.ref_size,
				       exp->info.dir_root, &g);
	desc->access = cpu_to_le32(exp->rw ? HDMABUF_ACCESS_RW :
					     HDMABUF_ACCESS_RO);
	desc->fourcc = cpu_to_le32(exp->md.meta.fourcc);
	desc->nr_planes = cpu_to_le32(exp->md.meta.nr_planes);
	desc->modifier = cpu_to_le64(exp->md.meta.modifier);
	desc->width = cpu_to_le32(exp->md.meta.width);
	desc->height = cpu_to_le32(exp->md.meta.height);
	for (i = 0; i < HDMABUF_MAX_PLANES; i++) {
		desc->planes[i].offset =
			cpu_to_le32(exp->md.meta.planes[i].offset);
		desc->planes[i].stride =
			cpu_to_le32(exp->md.meta.planes[i].stride);
	}
	desc->opaque_len = cpu_to_le32(exp->md.opaque_len);
}

static int hdmabuf_export_announce(struct hdmabuf_export *exp)
{
	struct hdmabuf_export_desc *desc;
	size_t len = sizeof(*desc) + exp->md.opaque_len;
	enum hdmabuf_msg_error why;
	int ret;

	desc = kmalloc(len, GFP_KERNEL);
	if (!desc)
		return -ENOMEM;
	hdmabuf_export_fill_desc(exp, desc);
	memcpy(desc + 1, exp->md.opaque, exp->md.opaque_len);
	/* Refuse locally what the peer would refuse, with the reason. */
	ret = hdmabuf_export_desc_validate(desc, &why);
	if (ret)
		pr_debug("export rejected: %s\n", hdmabuf_msg_error_str(why));
	else
		ret = hdmabuf_send(exp->peer, HDMABUF_OP_EXPORT_ANNOUNCE, 0, 0,
				   desc, len);
	kfree(desc);
	return ret;
}

static int hdmabuf_export_insert(struct hdmabuf_export *exp)
{
	int tries, ret = -EBUSY;

	lockdep_assert_held(&hdmabuf_lock);
	for (tries = 0; tries < 8 && ret == -EBUSY; tries++) {
		get_random_bytes(exp->handle.bytes, HDMABUF_HANDLE_SIZE);
		if (!memchr_inv(exp->handle.bytes, 0, HDMABUF_HANDLE_SIZE))
			continue;
		ret = xa_insert(&hdmabuf_exports,
				hdmabuf_handle_key(exp->handle.bytes), exp,
				GFP_KERNEL);
	}
	return ret;
}

/* Drops @exp's claim on its owner's max_exports. */
static void hdmabuf_export_uncount_locked(struct hdmabuf_export *exp)
{
	lockdep_assert_held(&hdmabuf_lock);
	if (exp->owner && exp->counted)
		exp->owner->nr_exports--;
	exp->counted = false;
}

/* Consumes the caller's reference on @dmabuf. */
int hdmabuf_export(struct hdmabuf_file *file, struct dma_buf *dmabuf,
		   struct hyper_dmabuf_export *arg, const void *opaque)
{
	struct hdmabuf_backend *be;
	struct hdmabuf_export *exp;
	struct hdmabuf_peer *peer;
	int idx, ret;

	if (dmabuf->size > (u64)hdmabuf_max_size_mb << 20) {
		dma_buf_put(dmabuf);
		return -EFBIG;
	}

	mutex_lock(&hdmabuf_lock);
	be = hdmabuf_backend_find(arg->backend);
	peer = be ? hdmabuf_peer_find(be, arg->peer) : NULL;
	ret = !be ? -ENODEV : !peer ? -ENXIO : 0;
	if (!ret && file->nr_exports >= hdmabuf_max_exports)
		ret = -ENOSPC;
	if (!ret && !try_module_get(be->owner))
		ret = -ENODEV;
	if (!ret) {
		file->nr_exports++;	/* reserved; given back on failure */
		hdmabuf_peer_get(peer);
	}
	mutex_unlock(&hdmabuf_lock);
	if (ret) {
		dma_buf_put(dmabuf);
		return ret;
	}

	ret = hdmabuf_peer_connect(peer);
	if (ret)
		goto err_put_module;

	exp = kzalloc(sizeof(*exp), GFP_KERNEL);
	if (!exp) {
		ret = -ENOMEM;
		goto err_put_module;
	}
	kref_init(&exp->ref);
	exp->peer = peer;
	exp->rw = arg->flags & HYPER_DMABUF_EXPORT_RW;
	exp->state = HYPER_DMABUF_STATE_SHARED;
	exp->size = dmabuf->size;
	exp->md.meta = arg->meta;
	exp->md.opaque_len = arg->opaque_len;
	memcpy(exp->md.opaque, opaque, arg->opaque_len);
	INIT_LIST_HEAD(&exp->file_node);
	INIT_LIST_HEAD(&exp->share_node);
	atomic64_inc(&hdmabuf_stats.live_exports);

	/* The source, peer and module references are release's now. */
	exp->src = hdmabuf_source_get(dmabuf);
	if (IS_ERR(exp->src)) {
		ret = PTR_ERR(exp->src);
		atomic64_dec(&hdmabuf_stats.live_exports);
		kfree(exp);
		hdmabuf_peer_put(peer);
		module_put(be->owner);
		goto err_unreserve;
	}

	/* Until the export is registered or gone: see the release. */
	idx = srcu_read_lock(&hdmabuf_backend_srcu);
	if (hdmabuf_peer_dead(peer)) {
		ret = -ENXIO;
		goto err_put_export;
	}
	ret = be->ops->share(be, peer->domid, exp->src->pages,
			     exp->src->nr_pages, exp->rw, &exp->info,
			     &exp->share_cookie);
	if (ret) {
		exp->share_cookie = NULL;
		goto err_put_export;
	}

	mutex_lock(&hdmabuf_lock);
	/*
	 * A peer teardown clears @connected before it sweeps @peer->shares:
	 * either it finds this one or we see it gone.
	 */
	ret = peer->connected ? hdmabuf_export_insert(exp) : -ECONNRESET;
	if (!ret) {
		exp->owner = file;
		exp->counted = true;	/* takes over the reservation */
		list_add_tail(&exp->file_node, &file->exports);
		list_add_tail(&exp->share_node, &peer->shares);
	}
	mutex_unlock(&hdmabuf_lock);
	if (ret)
		goto err_put_export;

	ret = hdmabuf_export_announce(exp);
	if (ret) {
		mutex_lock(&hdmabuf_lock);
		xa_erase(&hdmabuf_exports, hdmabuf_handle_key(exp->handle.bytes));
		list_del_init(&exp->file_node);
		/* A teardown meanwhile may have given the reservation back. */
		hdmabuf_export_uncount_locked(exp);
		exp->owner = NULL;
		mutex_unlock(&hdmabuf_lock);
		hdmabuf_export_put(exp);
		srcu_read_unlock(&hdmabuf_backend_srcu, idx);
		return ret;
	}
	srcu_read_unlock(&hdmabuf_backend_srcu, idx);
	memcpy(arg->handle.bytes, exp->handle.bytes, HDMABUF_HANDLE_SIZE);
	return 0;

err_put_export:
	hdmabuf_export_put(exp);
	srcu_read_unlock(&hdmabuf_backend_srcu, idx);
	goto err_unreserve;
err_put_module:
	hdmabuf_peer_put(peer);
	module_put(be->owner);
	dma_buf_put(dmabuf);
err_unreserve:
	mutex_lock(&hdmabuf_lock);
	file->nr_exports--;
	mutex_unlock(&hdmabuf_lock);
	return ret;
}

/*
 * Removes @exp from the registry and its file; the caller holds a
 * reference and must have set the final state.  Drops the registry's.
 */
static void hdmabuf_export_unlink(struct hdmabuf_export *exp)
{
	bool linked;

	mutex_lock(&hdmabuf_lock);
	linked = xa_load(&hdmabuf_exports,
			 hdmabuf_handle_key(exp->handle.bytes)) == exp;
	if (linked)
		xa_erase(&hdmabuf_exports, hdmabuf_handle_key(exp->handle.bytes));
	if (exp->owner) {
		list_del_init(&exp->file_node);
		hdmabuf_export_uncount_locked(exp);
		exp->owner = NULL;
	}
	mutex_unlock(&hdmabuf_lock);
	if (linked)
		hdmabuf_export_put(exp);
}

static void hdmabuf_export_revoke(struct hdmabuf_export *exp)
{
	struct hdmabuf_msg_unexport msg = { };
	bool imported;
	int ret;

	mutex_lock(&hdmabuf_lock);
	exp->state = HYPER_DMABUF_STATE_REVOKED;
	imported = exp->imported;
	mutex_unlock(&hdmabuf_lock);

	memcpy(msg.handle.bytes, exp->handle.bytes, HDMABUF_HANDLE_SIZE);
	msg.mode = cpu_to_le32(HDMABUF_UNEXPORT_REVOKE);
	/*
	 * The reply means the importer has zapped its mappings.  Without one
	 * (peer gone or silent) the backend's unshare still ends the sharing;
	 * pages the peer keeps mapped are reclaimed by the backend later.
	 */
	ret = hdmabuf_request(exp->peer, HDMABUF_OP_UNEXPORT, &msg,
			      sizeof(msg), NULL, 0, NULL);
	if (ret && imported)
		pr_debug("revoke: peer %llu did not confirm (%d)\n",
			 exp->peer->domid, ret);

	mutex_lock(&hdmabuf_lock);
	exp->imported = false;
	mutex_unlock(&hdmabuf_lock);
	wake_up_all(&hdmabuf_release_wq);
	hdmabuf_export_unlink(exp);
}

static bool hdmabuf_export_idle(struct hdmabuf_export *exp)
{
	bool idle;

	mutex_lock(&hdmabuf_lock);
	idle = !exp->imported;
	mutex_unlock(&hdmabuf_lock);
	return idle;
}

int hdmabuf_unexport(struct hdmabuf_file *file, const u8 *handle, u32 flags,
		     u32 timeout_ms)
{
	struct hdmabuf_msg_unexport msg = { };
	struct hdmabuf_export *exp;
	bool first;
	long left;

	mutex_lock(&hdmabuf_lock);
	exp = hdmabuf_export_lookup(handle);
	if (exp && exp->owner != file) {
		hdmabuf_export_put(exp);
		exp = NULL;
	}
	first = exp && exp->state == HYPER_DMABUF_STATE_SHARED;
	if (first)
		exp->state = HYPER_DMABUF_STATE_WITHDRAWN;
	mutex_unlock(&hdmabuf_lock);
	if (!exp)
		return -ENOENT;

	if (flags & HYPER_DMABUF_UNEXPORT_REVOKE) {
		hdmabuf_export_revoke(exp);
		hdmabuf_export_put(exp);
		return 0;
	}

	if (first) {
		memcpy(msg.handle.bytes, handle, HDMABUF_HANDLE_SIZE);
		msg.mode = cpu_to_le32(HDMABUF_UNEXPORT_WAIT);
		/* A lost notice only delays the importer's release. */
		hdmabuf_send(exp->peer, HDMABUF_OP_UNEXPORT, 0, 0, &msg,
			     sizeof(msg));
	}

	left = wait_event_interruptible_timeout(hdmabuf_release_wq,
						hdmabuf_export_idle(exp),
						msecs_to_jiffies(timeout_ms));
	if (left < 0) {
		hdmabuf_export_put(exp);
		return left;
	}
	if (!hdmabuf_export_idle(exp)) {
		hdmabuf_export_put(exp);
		return -ETIMEDOUT;
	}
	hdmabuf_export_unlink(exp);
	hdmabuf_export_put(exp);
	return 0;
}

/* Closing the file that exported buffers revokes them. */
void hdmabuf_file_unexport_all(struct hdmabuf_file *file)
{
	struct hdmabuf_export *exp;

	for (;;) {
		mutex_lock(&hdmabuf_lock);
		exp = list_first_entry_or_null(&file->exports,
					       struct hdmabuf_export,
					       file_node);
		if (exp) {
			kref_get(&exp->ref);
			list_del_init(&exp->file_node);
			hdmabuf_export_uncount_locked(exp);
			exp->owner = NULL;
		}
		mutex_unlock(&hdmabuf_lock);
		if (!exp)
			break;
		hdmabuf_export_revoke(exp);
		hdmabuf_export_put(exp);
	}
}

/* The peer let go of @exp: clear @imported and tell the exporting file. */
static void hdmabuf_export_released_locked(struct hdmabuf_export *exp)
{
	struct hyper_dmabuf_event ev = {
		.type = HYPER_DMABUF_EVENT_RELEASED,
		.handle = exp->handle,
		.backend = exp->peer->type,
		.peer = exp->peer->domid,
		.size = exp->size,
	};

	lockdep_assert_held(&hdmabuf_lock);
	if (!exp->imported)
		return;
	exp->imported = false;
	if (exp->owner)
		hdmabuf_event_post(exp->owner, &ev);
}

/*
 * The peer died, said BYE or lost its backend: it holds nothing of ours
 * any more.  Each of its exports is REVOKED and unshared now (the backend
 * reclaims pages the dead peer still maps, per the unshare contract); an
 * import it held counts as released, so UNEXPORT waiters finish.  The
 * exports stay registered until their owner unexports them or closes the
 * file, but no longer count against its max_exports.
 */
void hdmabuf_exports_peer_down(struct hdmabuf_peer *peer)
{
	struct hdmabuf_backend *be = peer->be;
	struct hdmabuf_export *exp;
	void *cookie = NULL;

	for (;;) {
		mutex_lock(&hdmabuf_lock);
		exp = list_first_entry_or_null(&peer->shares,
					       struct hdmabuf_export,
					       share_node);
		if (exp) {
			/* Its release no longer touches the backend. */
			list_del_init(&exp->share_node);
			cookie = exp->share_cookie;
			exp->share_cookie = NULL;
			exp->state = HYPER_DMABUF_STATE_REVOKED;
			hdmabuf_export_released_locked(exp);
			hdmabuf_export_uncount_locked(exp);
		}
		mutex_unlock(&hdmabuf_lock);
		if (!exp)
			break;
		be->ops->unshare(be, cookie);
	}
	wake_up_all(&hdmabuf_release_wq);
}

static int hdmabuf_export_cpu_access(struct hdmabuf_export *exp,
				     const struct hdmabuf_msg_cpu_access *m)
{
	static const enum dma_data_direction dirs[] = {
		[HDMABUF_DIR_READ] = DMA_FROM_DEVICE,
		[HDMABUF_DIR_WRITE] = DMA_TO_DEVICE,
		[HDMABUF_DIR_BIDIRECTIONAL] = DMA_BIDIRECTIONAL,
	};
	/* The validator restricted direction to 1..3 and op to 0..1. */
	enum dma_data_direction dir = dirs[le32_to_cpu(m->direction) & 3];

	if (!exp->rw && dir != DMA_FROM_DEVICE)
		return -EACCES;
	if (le32_to_cpu(m->op) == HDMABUF_CPU_ACCESS_BEGIN)
		return dma_buf_begin_cpu_access(exp->src->dmabuf, dir);
	return dma_buf_end_cpu_access(exp->src->dmabuf, dir);
}

void hdmabuf_export_handle_msg(struct hdmabuf_peer *peer,
			       const struct hdmabuf_msg_hdr *hdr,
			       const void *payload)
{
	/* Every buffer message starts with the handle. */
	const struct hdmabuf_wire_handle *handle = payload;
	u16 op = le16_to_cpu(hdr->opcode);
	u64 req_id = le64_to_cpu(hdr->req_id);
	struct hdmabuf_export_desc *desc = NULL;
	struct hdmabuf_export *exp;
	size_t len = 0;
	int ret = 0;

	mutex_lock(&hdmabuf_lock);
	exp = hdmabuf_export_lookup(handle->bytes);
	if (exp && exp->peer != peer) {
		/* A handle is honoured only from the peer it was made for. */
		atomic64_inc(&hdmabuf_stats.rx_foreign_peer);
		hdmabuf_export_put(exp);
		exp = NULL;
	}
	if (!exp) {
		mutex_unlock(&hdmabuf_lock);
		ret = -ENOENT;
		goto reply;
	}

	switch (op) {
	case HDMABUF_OP_IMPORT:
		if (exp->state != HYPER_DMABUF_STATE_SHARED) {
			ret = -ESTALE;
			break;
		}
		exp->imported = true;
		break;
	case HDMABUF_OP_RELEASE:
		hdmabuf_export_released_locked(exp);
		break;
	}
	mutex_unlock(&hdmabuf_lock);

	switch (op) {
	case HDMABUF_OP_IMPORT:
		if (ret)
			break;
		len = sizeof(*desc) + exp->md.opaque_len;
		desc = kmalloc(len, GFP_KERNEL);
		if (!desc) {
			ret = -ENOMEM;
			mutex_lock(&hdmabuf_lock);
			exp->imported = false;
			mutex_unlock(&hdmabuf_lock);
			break;
		}
		hdmabuf_export_fill_desc(exp, desc);
		memcpy(desc + 1, exp->md.opaque, exp->md.opaque_len);
		break;
	case HDMABUF_OP_RELEASE:
		wake_up_all(&hdmabuf_release_wq);
		break;
	case HDMABUF_OP_CPU_ACCESS:
		ret = hdmabuf_export_cpu_access(exp, payload);
		break;
	}
	hdmabuf_export_put(exp);
reply:
	if (le32_to_cpu(hdr->flags) & HDMABUF_MSG_F_NEED_REPLY)
		hdmabuf_reply(peer, op, req_id, ret, desc, len);
	kfree(desc);
}

int hdmabuf_export_query(struct hdmabuf_file *file,
			 struct hyper_dmabuf_query *q, void *opaque)
{
	struct hdmabuf_export *exp;

	mutex_lock(&hdmabuf_lock);
	exp = hdmabuf_export_lookup(q->handle.bytes);
	/* Another file's export is visible as the peer would see it. */
	if (exp && exp->owner != file) {
		hdmabuf_export_put(exp);
		exp = NULL;
	}
	if (exp)
		hdmabuf_query_fill(q, opaque, exp->peer,
				   HYPER_DMABUF_ROLE_EXPORTER, exp->state,
				   exp->rw, exp->size, exp->imported, &exp->md);
	mutex_unlock(&hdmabuf_lock);
	if (!exp)
		return -ENOENT;
	hdmabuf_export_put(exp);
	return 0;
}

u32 hdmabuf_exports_list(struct hyper_dmabuf_handle *out, u32 cap)
{
	return hdmabuf_registry_handles(&hdmabuf_exports,
					offsetof(struct hdmabuf_export, handle),
					out, cap);
}
