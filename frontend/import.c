// SPDX-License-Identifier: GPL-2.0
/*
 * Importer side: offers received from peers and the dma-bufs made from
 * them.  The dma_buf_ops work on the pages the backend mapped: device
 * mappings are sg tables over them, CPU mappings insert their pfns on
 * fault (so a revocation can zap them and later faults raise SIGBUS), vmap
 * maps them into the kernel, and begin/end_cpu_access are forwarded to the
 * exporter, which runs them on the original buffer before we return.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "hdmabuf_compat.h"
#include "internal.h"

static DEFINE_XARRAY(hdmabuf_offers);	/* under hdmabuf_lock */

static void hdmabuf_offer_release(struct kref *ref)
{
	struct hdmabuf_offer *offer = container_of(ref, struct hdmabuf_offer,
						   ref);

	hdmabuf_peer_put(offer->peer);
	kfree(offer);
	atomic64_dec(&hdmabuf_stats.live_offers);
}

void hdmabuf_offer_put(struct hdmabuf_offer *offer)
{
	kref_put(&offer->ref, hdmabuf_offer_release);
}

/* Returns a referenced offer, or NULL. */
struct hdmabuf_offer *hdmabuf_offer_lookup(const u8 *handle)
{
	struct hdmabuf_offer *offer;

	lockdep_assert_held(&hdmabuf_lock);
	offer = xa_load(&hdmabuf_offers, hdmabuf_handle_key(handle));
	if (!offer || memcmp(offer->handle.bytes, handle, HDMABUF_HANDLE_SIZE))
		return NULL;
	kref_get(&offer->ref);
	return offer;
}

/* Drops the registry's reference if @offer is still registered. */
static void hdmabuf_offer_unlink_locked(struct hdmabuf_offer *offer)
{
	unsigned long key = hdmabuf_handle_key(offer->handle.bytes);

	lockdep_assert_held(&hdmabuf_lock);
	if (xa_load(&hdmabuf_offers, key) != offer)
		return;
	xa_erase(&hdmabuf_offers, key);
	offer->peer->nr_offers--;
	/* The caller holds a reference too, so this never frees. */
	hdmabuf_offer_put(offer);
}

/* Takes a file reference on the live import of @offer, if there is one. */
struct dma_buf *hdmabuf_offer_get_dmabuf(struct hdmabuf_offer *offer)
{
	struct dma_buf *dmabuf = offer->dmabuf;

	lockdep_assert_held(&hdmabuf_lock);
	/* Its release may already be under way: then it is not ours. */
	if (dmabuf && !hdmabuf_get_file_unless_zero(dmabuf->file))
		dmabuf = NULL;
	return dmabuf;
}

/* ------------------------------------------------------ dma_buf_ops */

static int hdmabuf_imp_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attach)
{
	struct hdmabuf_import *imp = dmabuf->priv;

	return READ_ONCE(imp->revoked) ? -ENODEV : 0;
}

static struct sg_table *hdmabuf_imp_map(struct dma_buf_attachment *attach,
					enum dma_data_direction dir)
{
	struct hdmabuf_import *imp = attach->dmabuf->priv;
	unsigned long n = imp->offer->nr_pages;
	struct sg_table *sgt;
	int ret;

	if (READ_ONCE(imp->revoked))
		return ERR_PTR(-ENODEV);
	/* A device may not write what the exporter shared read-only. */
	if (!imp->offer->rw && dir != DMA_TO_DEVICE)
		return ERR_PTR(-EACCES);
	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	/*
	 * One page per entry: pages that are contiguous for us need not be
	 * for the device (in a Xen PV domain they are foreign frames behind
	 * grant mappings), and xen-swiotlb would bounce a merged entry.
	 */
	ret = sg_alloc_table_from_pages_segment(sgt, imp->pages, n, 0,
						n << PAGE_SHIFT, PAGE_SIZE,
						GFP_KERNEL);
	if (ret)
		goto err_free_sgt;
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_free_table;
	return sgt;

err_free_table:
	sg_free_table(sgt);
err_free_sgt:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void hdmabuf_imp_unmap(struct dma_buf_attachment *attach,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static vm_fault_t hdmabuf_imp_fault(struct vm_fault *vmf)
{
	struct hdmabuf_import *imp = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&imp->lock);
	if (!imp->revoked && vmf->pgoff < imp->offer->nr_pages)
		ret = vmf_insert_pfn(vmf->vma, vmf->address,
				     page_to_pfn(imp->pages[vmf->pgoff]));
	mutex_unlock(&imp->lock);
	return ret;
}

static const struct vm_operations_struct hdmabuf_imp_vm_ops = {
	.fault = hdmabuf_imp_fault,
};

static int hdmabuf_imp_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct hdmabuf_import *imp = dmabuf->priv;
	struct hdmabuf_backend *be = imp->offer->peer->be;
	int ret;

	/*
	 * Private copies of foreign pages make no sense.  (A MAP_SHARED
	 * mapping of an O_RDONLY file has VM_MAYSHARE but not VM_SHARED.)
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (!imp->offer->rw) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	/*
	 * Under the lock: a revoke waits until the VMA is known, and a
	 * revoked import's backend may have unregistered.
	 */
	mutex_lock(&imp->lock);
	ret = imp->revoked ? -ENODEV : be->ops->mmap ?
	      be->ops->mmap(be, imp->map_cookie, vma) : -EOPNOTSUPP;
	mutex_unlock(&imp->lock);
	if (ret != -EOPNOTSUPP)
		return ret;
	/* pfn mappings: no struct page refcounting, zapped on revoke. */
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &hdmabuf_imp_vm_ops;
	vma->vm_private_data = imp;
	return 0;
}

static int hdmabuf_imp_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct hdmabuf_import *imp = dmabuf->priv;
	struct hdmabuf_backend *be = imp->offer->peer->be;
	int ret = 0;

	mutex_lock(&imp->lock);
	if (imp->revoked) {
		ret = -ENODEV;
		goto out;
	}
	if (!imp->vmap_count) {
		ret = be->ops->vmap ? be->ops->vmap(be, imp->map_cookie,
						     &imp->vaddr) : -EOPNOTSUPP;
		imp->be_vmap = !ret;
		if (ret == -EOPNOTSUPP) {
			imp->vaddr = vmap(imp->pages, imp->offer->nr_pages,
					  VM_MAP, imp->offer->rw ? PAGE_KERNEL :
					  PAGE_KERNEL_RO);
			ret = imp->vaddr ? 0 : -ENOMEM;
		}
		if (ret)
			goto out;
	}
	imp->vmap_count++;
	iosys_map_set_vaddr(map, imp->vaddr);
out:
	mutex_unlock(&imp->lock);
	return ret;
}

static void hdmabuf_imp_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct hdmabuf_import *imp = dmabuf->priv;
	struct hdmabuf_backend *be = imp->offer->peer->be;

	mutex_lock(&imp->lock);
	if (!WARN_ON(!imp->vmap_count) && !--imp->vmap_count) {
		if (imp->be_vmap)
			be->ops->vunmap(be, imp->map_cookie, imp->vaddr);
		else
			vunmap(imp->vaddr);
		imp->vaddr = NULL;
	}
	mutex_unlock(&imp->lock);
}

static int hdmabuf_imp_cpu_access(struct dma_buf *dmabuf,
				  enum dma_data_direction dir, u32 op)
{
	struct hdmabuf_import *imp = dmabuf->priv;
	struct hdmabuf_msg_cpu_access msg = { };
	u32 wire_dir;

	if (READ_ONCE(imp->revoked))
		return -ENODEV;
	switch (dir) {
	case DMA_FROM_DEVICE:
		wire_dir = HDMABUF_DIR_READ;
		break;
	case DMA_TO_DEVICE:
		wire_dir = HDMABUF_DIR_WRITE;
		break;
	default:
		wire_dir = HDMABUF_DIR_BIDIRECTIONAL;
		break;
	}
	memcpy(msg.handle.bytes, imp->offer->handle.bytes, HDMABUF_HANDLE_SIZE);
	msg.op = cpu_to_le32(op);
	msg.direction = cpu_to_le32(wire_dir);
	/* Synchronous: the exporter has done it when this returns 0. */
	return hdmabuf_request(imp->offer->peer, HDMABUF_OP_CPU_ACCESS, &msg,
			       sizeof(msg), NULL, 0, NULL);
}

static int hdmabuf_imp_begin_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	return hdmabuf_imp_cpu_access(dmabuf, dir, HDMABUF_CPU_ACCESS_BEGIN);
}

static int hdmabuf_imp_end_cpu_access(struct dma_buf *dmabuf,
				      enum dma_data_direction dir)
{
	return hdmabuf_imp_cpu_access(dmabuf, dir, HDMABUF_CPU_ACCESS_END);
}

static void hdmabuf_imp_release(struct dma_buf *dmabuf)
{
	struct hdmabuf_import *imp = dmabuf->priv;
	struct hdmabuf_offer *offer = imp->offer;
	struct hdmabuf_backend *be = offer->peer->be;
	struct module *owner = offer->peer->owner;
	struct hdmabuf_msg_release msg = { };

	/* Even if the backend unregistered: it keeps @be for this. */
	be->ops->unmap(be, imp->map_cookie);

	mutex_lock(&hdmabuf_lock);
	if (offer->dmabuf == dmabuf)
		offer->dmabuf = NULL;
	if (offer->state != HYPER_DMABUF_STATE_SHARED)
		hdmabuf_offer_unlink_locked(offer);
	mutex_unlock(&hdmabuf_lock);

	/* After the unmap: RELEASE promises the pages are no longer used. */
	memcpy(msg.handle.bytes, offer->handle.bytes, HDMABUF_HANDLE_SIZE);
	hdmabuf_send(offer->peer, HDMABUF_OP_RELEASE, 0, 0, &msg, sizeof(msg));

	hdmabuf_offer_put(offer);
	kfree(imp);
	atomic64_dec(&hdmabuf_stats.live_imports);
	module_put(owner);
}

static const struct dma_buf_ops hdmabuf_import_ops = {
	.attach = hdmabuf_imp_attach,
	.map_dma_buf = hdmabuf_imp_map,
	.unmap_dma_buf = hdmabuf_imp_unmap,
	.release = hdmabuf_imp_release,
	.mmap = hdmabuf_imp_mmap,
	.vmap = hdmabuf_imp_vmap,
	.vunmap = hdmabuf_imp_vunmap,
	.begin_cpu_access = hdmabuf_imp_begin_cpu_access,
	.end_cpu_access = hdmabuf_imp_end_cpu_access,
};

/* ---------------------------------------------------------- import */

/* Checks that the exporter's accept reply describes what it announced. */
static int hdmabuf_offer_check_accept(struct hdmabuf_offer *offer,
				      const struct hdmabuf_export_desc *d)
{
	if (memcmp(d->handle.bytes, offer->handle.bytes, HDMABUF_HANDLE_SIZE) ||
	    le64_to_cpu(d->size) != offer->size ||
	    le64_to_cpu(d->nr_pages) != offer->nr_pages ||
	    le64_to_cpu(d->dir_root) != offer->info.dir_root ||
	    d->dir_levels != offer->info.dir_levels ||
	    d->ref_size != offer->info.ref_size ||
	    (le32_to_cpu(d->access) == HDMABUF_ACCESS_RW) != offer->rw)
		return -EPROTO;
	return 0;
}

static struct dma_buf *hdmabuf_import_new(struct hdmabuf_offer *offer)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct hdmabuf_peer *peer = offer->peer;
	struct hdmabuf_backend *be = peer->be;
	struct hdmabuf_msg_import req = { };
	struct hdmabuf_export_desc *accept;
	struct hdmabuf_import *imp;
	struct dma_buf *dmabuf;
	size_t len = 0;
	int idx, ret;

	if (!try_module_get(peer->owner))
		return ERR_PTR(-ENODEV);
	/* Mapping needs the backend: it stays registered until we unlock. */
	idx = srcu_read_lock(&hdmabuf_backend_srcu);
	ret = hdmabuf_peer_dead(peer) ? -ENXIO : hdmabuf_peer_connect(peer);
	if (ret)
		goto err_unlock_srcu;

	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	accept = kmalloc(sizeof(*accept) + HDMABUF_MAX_OPAQUE, GFP_KERNEL);
	if (!imp || !accept) {
		ret = -ENOMEM;
		goto err_free;
	}
	mutex_init(&imp->lock);
	imp->offer = offer;

	memcpy(req.handle.bytes, offer->handle.bytes, HDMABUF_HANDLE_SIZE);
	ret = hdmabuf_request(peer, HDMABUF_OP_IMPORT, &req, sizeof(req),
			      accept, sizeof(*accept) + HDMABUF_MAX_OPAQUE,
			      &len);
	if (ret)
		goto err_free;
	/* From here on the exporter counts us as an importer. */
	ret = hdmabuf_offer_check_accept(offer, accept);
	if (ret)
		goto err_release;

	ret = be->ops->map(be, peer->domid, &offer->info, offer->nr_pages,
			   offer->rw, &imp->pages, &imp->map_cookie);
	if (ret)
		goto err_release;

	exp_info.ops = &hdmabuf_import_ops;
	exp_info.size = offer->nr_pages << PAGE_SHIFT;
	exp_info.flags = offer->rw ? O_RDWR : O_RDONLY;
	exp_info.priv = imp;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_unmap;
	}
	imp->dmabuf = dmabuf;
	kref_get(&offer->ref);	/* put by hdmabuf_imp_release() */
	atomic64_inc(&hdmabuf_stats.live_imports);
	kfree(accept);
	srcu_read_unlock(&hdmabuf_backend_srcu, idx);
	return dmabuf;

err_unmap:
	be->ops->unmap(be, imp->map_cookie);
err_release:
	{
		struct hdmabuf_msg_release rel = { };

		memcpy(rel.handle.bytes, offer->handle.bytes,
		       HDMABUF_HANDLE_SIZE);
		hdmabuf_send(peer, HDMABUF_OP_RELEASE, 0, 0, &rel, sizeof(rel));
	}
err_free:
	kfree(accept);
	kfree(imp);
err_unlock_srcu:
	srcu_read_unlock(&hdmabuf_backend_srcu, idx);
	module_put(peer->owner);
	return ERR_PTR(ret);
}

/*
 * Returns a referenced dma-buf for the offer named @handle: the live one
 * if there is one (importing twice gives the same buffer), else a new one.
 */
struct dma_buf *hdmabuf_import(const u8 *handle)
{
	struct hdmabuf_offer *offer;
	struct dma_buf *dmabuf;

	mutex_lock(&hdmabuf_lock);
	offer = hdmabuf_offer_lookup(handle);
	mutex_unlock(&hdmabuf_lock);
	if (!offer)
		return ERR_PTR(-ENOENT);

	mutex_lock(&offer->import_lock);
	mutex_lock(&hdmabuf_lock);
	if (offer->state != HYPER_DMABUF_STATE_SHARED)
		dmabuf = ERR_PTR(-ESTALE);
	else
		dmabuf = hdmabuf_offer_get_dmabuf(offer);
	mutex_unlock(&hdmabuf_lock);

	if (!dmabuf) {
		dmabuf = hdmabuf_import_new(offer);
		if (!IS_ERR(dmabuf)) {
			struct hdmabuf_import *imp = dmabuf->priv;

			mutex_lock(&hdmabuf_lock);
			offer->dmabuf = dmabuf;
			/* A revoke that came while we built it found nothing. */
			if (offer->state == HYPER_DMABUF_STATE_REVOKED)
				WRITE_ONCE(imp->revoked, true);
			mutex_unlock(&hdmabuf_lock);
			/* The exporter's pending work guards it too. */
			hdmabuf_fence_import_created(offer, dmabuf);
		}
	}
	mutex_unlock(&offer->import_lock);
	hdmabuf_offer_put(offer);
	return dmabuf;
}

/* ------------------------------------------------- peer messages */

static void hdmabuf_offer_event(struct hdmabuf_offer *offer, u32 type)
{
	struct hyper_dmabuf_event ev = {
		.type = type,
		.flags = offer->rw ? HYPER_DMABUF_EXPORT_RW : 0,
		.handle = offer->handle,
		.backend = offer->peer->type,
		.fourcc = offer->md.meta.fourcc,
		.peer = offer->peer->domid,
		.size = offer->size,
	};

	hdmabuf_event_broadcast(&ev);
}

static void hdmabuf_offer_add(struct hdmabuf_peer *peer,
			      const struct hdmabuf_export_desc *d)
{
	struct hdmabuf_offer *offer;
	unsigned int i;
	int ret;

	offer = kzalloc(sizeof(*offer), GFP_KERNEL);
	if (!offer)
		return;
	kref_init(&offer->ref);
	mutex_init(&offer->import_lock);
	memcpy(offer->handle.bytes, d->handle.bytes, HDMABUF_HANDLE_SIZE);
	offer->peer = peer;
	offer->rw = le32_to_cpu(d->access) == HDMABUF_ACCESS_RW;
	offer->state = HYPER_DMABUF_STATE_SHARED;
	offer->size = le64_to_cpu(d->size);
	offer->nr_pages = le64_to_cpu(d->nr_pages);
	offer->info.dir_root = le64_to_cpu(d->dir_root);
	offer->info.dir_pages = le32_to_cpu(d->dir_pages);
	offer->info.dir_levels = d->dir_levels;
	offer->info.ref_size = d->ref_size;
	offer->md.meta.fourcc = le32_to_cpu(d->fourcc);
	offer->md.meta.nr_planes = le32_to_cpu(d->nr_planes);
	offer->md.meta.modifier = le64_to_cpu(d->modifier);
	offer->md.meta.width = le32_to_cpu(d->width);
	offer->md.meta.height = le32_to_cpu(d->height);
	for (i = 0; i < HDMABUF_MAX_PLANES; i++) {
		offer->md.meta.planes[i].offset =
			le32_to_cpu(d->planes[i].offset);
		offer->md.meta.planes[i].stride =
			le32_to_cpu(d->planes[i].stride);
	}
	/* The validator checked opaque_len against the payload length. */
	offer->md.opaque_len = le32_to_cpu(d->opaque_len);
	memcpy(offer->md.opaque, d + 1, offer->md.opaque_len);

	/* Only whole-page buffers starting at offset 0 can become a dma-buf. */
	ret = le32_to_cpu(d->first_offset) ? -EOPNOTSUPP : 0;
	mutex_lock(&hdmabuf_lock);
	/* A teardown since the receive check: hdmabuf_peer_teardown(). */
	if (!ret && !peer->remote_hello)
		ret = -ECONNRESET;
	if (!ret && peer->nr_offers >= hdmabuf_max_exports)
		ret = -ENOSPC;
	if (!ret)
		ret = xa_insert(&hdmabuf_offers,
				hdmabuf_handle_key(offer->handle.bytes), offer,
				GFP_KERNEL);
	if (!ret) {
		peer->nr_offers++;
		hdmabuf_peer_get(peer);	/* put by hdmabuf_offer_release() */
	}
	mutex_unlock(&hdmabuf_lock);
	if (ret) {
		atomic64_inc(&hdmabuf_stats.rx_rejected);
		kfree(offer);
		return;
	}
	atomic64_inc(&hdmabuf_stats.live_offers);
	hdmabuf_offer_event(offer, HYPER_DMABUF_EVENT_OFFER);
	hdmabuf_uevent_offer(offer);
}

/* Zaps every CPU mapping of the live import and fails later accesses. */
static void hdmabuf_offer_revoke(struct hdmabuf_offer *offer)
{
	struct hdmabuf_backend *be;
	struct hdmabuf_import *imp;
	struct dma_buf *dmabuf;

	mutex_lock(&hdmabuf_lock);
	offer->state = HYPER_DMABUF_STATE_REVOKED;
	dmabuf = hdmabuf_offer_get_dmabuf(offer);
	if (!dmabuf)
		hdmabuf_offer_unlink_locked(offer);
	mutex_unlock(&hdmabuf_lock);
	if (!dmabuf)
		return;

	imp = dmabuf->priv;
	be = offer->peer->be;
	mutex_lock(&imp->lock);
	imp->revoked = true;
	unmap_mapping_range(dmabuf->file->f_mapping, 0, 0, 1);
	if (be->ops->revoke)
		be->ops->revoke(be, imp->map_cookie);
	mutex_unlock(&imp->lock);
	/*
	 * Device mappings made before the revocation stay until their
	 * importer unmaps them; the pages stay valid meanwhile because the
	 * backend mapping lives until the dma-buf is released.
	 */
	dma_buf_put(dmabuf);
}

static void hdmabuf_offer_unexport(struct hdmabuf_peer *peer,
				   const struct hdmabuf_msg_hdr *hdr,
				   const struct hdmabuf_msg_unexport *m)
{
	bool revoke = le32_to_cpu(m->mode) == HDMABUF_UNEXPORT_REVOKE;
	struct hdmabuf_offer *offer;
	int ret = 0;

	mutex_lock(&hdmabuf_lock);
	offer = hdmabuf_offer_lookup(m->handle.bytes);
	if (offer && offer->peer != peer) {
		atomic64_inc(&hdmabuf_stats.rx_foreign_peer);
		hdmabuf_offer_put(offer);
		offer = NULL;
	}
	if (offer && !revoke) {
		if (offer->state == HYPER_DMABUF_STATE_SHARED)
			offer->state = HYPER_DMABUF_STATE_WITHDRAWN;
		if (!offer->dmabuf)
			hdmabuf_offer_unlink_locked(offer);
	}
	mutex_unlock(&hdmabuf_lock);

	if (!offer) {
		ret = -ENOENT;
	} else {
		if (revoke)
			hdmabuf_offer_revoke(offer);
		hdmabuf_offer_event(offer, revoke ?
				    HYPER_DMABUF_EVENT_REVOKED :
				    HYPER_DMABUF_EVENT_WITHDRAWN);
		hdmabuf_offer_put(offer);
	}
	if (le32_to_cpu(hdr->flags) & HDMABUF_MSG_F_NEED_REPLY)
		hdmabuf_reply(peer, HDMABUF_OP_UNEXPORT,
			      le64_to_cpu(hdr->req_id), ret, NULL, 0);
}

void hdmabuf_import_handle_msg(struct hdmabuf_peer *peer,
			       const struct hdmabuf_msg_hdr *hdr,
			       const void *payload, size_t len)
{
	switch (le16_to_cpu(hdr->opcode)) {
	case HDMABUF_OP_EXPORT_ANNOUNCE:
		hdmabuf_offer_add(peer, payload);
		break;
	case HDMABUF_OP_UNEXPORT:
		hdmabuf_offer_unexport(peer, hdr, payload);
		break;
	}
}

void hdmabuf_offers_peer_down(struct hdmabuf_peer *peer)
{
	struct hdmabuf_offer *offer;
	unsigned long idx;

	for (;;) {
		mutex_lock(&hdmabuf_lock);
		offer = NULL;
		xa_for_each(&hdmabuf_offers, idx, offer) {
			if (offer->peer == peer &&
			    offer->state != HYPER_DMABUF_STATE_REVOKED) {
				kref_get(&offer->ref);
				break;
			}
		}
		if (offer && (offer->peer != peer ||
			      offer->state == HYPER_DMABUF_STATE_REVOKED))
			offer = NULL;
		mutex_unlock(&hdmabuf_lock);
		if (!offer)
			break;
		hdmabuf_offer_revoke(offer);
		hdmabuf_offer_event(offer, HYPER_DMABUF_EVENT_REVOKED);
		hdmabuf_offer_put(offer);
	}
}

int hdmabuf_offer_query(struct hyper_dmabuf_query *q, void *opaque)
{
	struct hdmabuf_offer *offer;

	mutex_lock(&hdmabuf_lock);
	offer = hdmabuf_offer_lookup(q->handle.bytes);
	if (offer)
		hdmabuf_query_fill(q, opaque, offer->peer,
				   HYPER_DMABUF_ROLE_IMPORTER, offer->state,
				   offer->rw, offer->size, !!offer->dmabuf,
				   &offer->md);
	mutex_unlock(&hdmabuf_lock);
	if (!offer)
		return -ENOENT;
	hdmabuf_offer_put(offer);
	return 0;
}

u32 hdmabuf_offers_list(struct hyper_dmabuf_handle *out, u32 cap)
{
	return hdmabuf_registry_handles(&hdmabuf_offers,
					offsetof(struct hdmabuf_offer, handle),
					out, cap);
}
