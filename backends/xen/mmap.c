// SPDX-License-Identifier: GPL-2.0
/*
 * CPU mappings of imported buffers in PV domains.
 *
 * A PV guest's page tables are validated by Xen: a foreign frame can enter
 * them only through a grant mapping of that very PTE (GNTMAP_contains_pte),
 * and Xen crashes a domain that clears such a PTE by a plain write.  So,
 * as gntdev does, a user mapping grant-maps every PTE of the VMA at mmap()
 * time and an mmu interval notifier unmaps the grants before the kernel
 * zaps the PTEs (munmap, exit, revoke's unmap_mapping_range, madvise,
 * mprotect).  After that the VMA faults with SIGBUS.  Likewise a kernel
 * vmap is a vmalloc area of placeholder (non-present) PTEs that are then
 * grant-mapped, as xenbus_map_ring_valloc() does for PV.
 *
 * Auto-translated guests (HVM, PVH) map granted frames like any other
 * page: the ops decline there and the core maps the pages itself.
 *
 * Lock order: mmap_lock -> the core's import lock -> xen_pg_map.lock ->
 * xen_pg_umap.lock.  The notifier runs under mmap_lock or i_mmap_rwsem
 * and takes only xen_pg_umap.lock.
 */
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/xen/hypercall.h>
#include <asm/xen/page.h>
#include <xen/features.h>
#include <xen/grant_table.h>

#include "hdmabuf_compat.h"
#include "xen_pages.h"

HDMABUF_IMPORT_NS(DMA_BUF);

#define XEN_PG_PTE_BATCH	512U

/**
 * struct xen_pg_ptes - grant mappings of PTEs that we wrote
 * @count: entries.
 * @pte_maddr: machine address of each PTE.
 * @handles: handle of each grant mapping, INVALID_GRANT_HANDLE if none.
 */
struct xen_pg_ptes {
	unsigned long count;
	u64 *pte_maddr;
	grant_handle_t *handles;
};

static int xen_pg_ptes_alloc(struct xen_pg_ptes *p, unsigned long count)
{
	unsigned long i;

	p->count = count;
	p->pte_maddr = kvcalloc(count, sizeof(*p->pte_maddr), GFP_KERNEL);
	p->handles = kvmalloc_array(count, sizeof(*p->handles), GFP_KERNEL);
	if (!p->pte_maddr || !p->handles)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		p->handles[i] = INVALID_GRANT_HANDLE;
	return 0;
}

static void xen_pg_ptes_free(struct xen_pg_ptes *p)
{
	kvfree(p->pte_maddr);
	kvfree(p->handles);
}

/*
 * Grant-maps refs @refs into every PTE of @p.  Returns 0, or an error with
 * the handles of the PTEs that did map saved (the caller unmaps them).
 */
static int xen_pg_ptes_map(struct xen_pg_ptes *p, domid_t peer,
			   const grant_ref_t *refs, u32 flags,
			   atomic64_t *gauge)
{
	struct gnttab_map_grant_ref *ops;
	unsigned long i, j, n;
	int err = 0;

	ops = kvmalloc_array(XEN_PG_PTE_BATCH, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;
	flags |= GNTMAP_host_map | GNTMAP_contains_pte;
	for (i = 0; i < p->count && !err; i += n) {
		n = min_t(unsigned long, XEN_PG_PTE_BATCH, p->count - i);
		for (j = 0; j < n; j++)
			gnttab_set_map_op(&ops[j], p->pte_maddr[i + j], flags,
					  refs[i + j], peer);
		/* Retries GNTST_eagain elements itself. */
		gnttab_batch_map(ops, n);
		atomic64_inc(&xen_pg_stats.pte_map_hypercalls);
		for (j = 0; j < n; j++) {
			if (ops[j].status == GNTST_okay) {
				p->handles[i + j] = ops[j].handle;
				atomic64_inc(gauge);
			} else if (!err) {
				err = ops[j].status > 0 ? -EIO :
				      xen_pg_gntst_errno(ops[j].status);
			}
		}
	}
	kvfree(ops);
	return err;
}

/* Unmaps @k grant PTEs (@ops, indices @idx into @p). */
static void xen_pg_ptes_unmap_batch(struct xen_pg_ptes *p,
				    struct gnttab_unmap_grant_ref *ops,
				    const unsigned long *idx, unsigned int k,
				    atomic64_t *gauge)
{
	unsigned int j;
	int ret;

	/* Xen clears each PTE and flushes the TLBs. */
	ret = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, ops, k);
	atomic64_inc(&xen_pg_stats.pte_unmap_hypercalls);
	for (j = 0; j < k; j++) {
		if (!ret && ops[j].status == GNTST_okay) {
			p->handles[idx[j]] = INVALID_GRANT_HANDLE;
			atomic64_dec(gauge);
		} else {
			pr_err_ratelimited("grant PTE unmap failed (%d, %d)\n",
					   ret, ops[j].status);
		}
	}
}

/* Unmaps the grant PTEs [first, first + n) of @p that are mapped. */
static void xen_pg_ptes_unmap(struct xen_pg_ptes *p, unsigned long first,
			      unsigned long n, atomic64_t *gauge)
{
	struct gnttab_unmap_grant_ref ops[16];
	unsigned long idx[16];
	unsigned long i;
	unsigned int k = 0;

	for (i = first; i < first + n && i < p->count; i++) {
		if (p->handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&ops[k], p->pte_maddr[i],
				    GNTMAP_host_map | GNTMAP_contains_pte,
				    p->handles[i]);
		ops[k].status = 1;
		idx[k++] = i;
		if (k == ARRAY_SIZE(ops)) {
			xen_pg_ptes_unmap_batch(p, ops, idx, k, gauge);
			k = 0;
		}
	}
	if (k)
		xen_pg_ptes_unmap_batch(p, ops, idx, k, gauge);
}

static int xen_pg_find_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct xen_pg_ptes *p = data;

	/* Filled in address order, one call per PTE. */
	p->pte_maddr[p->count++] = arbitrary_virt_to_machine(pte).maddr;
	return 0;
}

/* Collects the PTE machine addresses of [addr, addr + count pages) of @mm. */
static int xen_pg_ptes_find(struct xen_pg_ptes *p, struct mm_struct *mm,
			    unsigned long addr)
{
	unsigned long count = p->count;
	int ret;

	p->count = 0;
	ret = apply_to_page_range(mm, addr, count << PAGE_SHIFT,
				  xen_pg_find_pte, p);
	if (!ret && p->count != count)
		ret = -EFAULT;
	p->count = count;
	return ret;
}

/* ------------------------------------------------------ user mmap */

/**
 * struct xen_pg_umap - grant PTEs of one user mapping
 * @node: entry in @m->umaps, under @m->lock.
 * @m: the import.
 * @users: VMAs using it (mremap duplicates the VMA before closing the old).
 * @notifier: unmaps the grants before the PTEs are zapped.
 * @lock: protects @ptes.handles.
 * @start: user address of the first page.
 * @pgoff: buffer page mapped at @start.
 * @ptes: the grant PTEs.
 */
struct xen_pg_umap {
	struct list_head node;
	struct xen_pg_map *m;
	refcount_t users;
	struct mmu_interval_notifier notifier;
	struct mutex lock;
	unsigned long start;
	unsigned long pgoff;
	struct xen_pg_ptes ptes;
};

static bool xen_pg_umap_invalidate(struct mmu_interval_notifier *mn,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq)
{
	struct xen_pg_umap *um = container_of(mn, struct xen_pg_umap,
					      notifier);
	unsigned long end = um->start + (um->ptes.count << PAGE_SHIFT);
	unsigned long s, e;

	if (!mmu_notifier_range_blockable(range))
		return false;
	s = max(range->start, um->start);
	e = min(range->end, end);
	mutex_lock(&um->lock);
	mmu_interval_set_seq(mn, cur_seq);
	if (s < e)
		xen_pg_ptes_unmap(&um->ptes, (s - um->start) >> PAGE_SHIFT,
				  (e - s + PAGE_SIZE - 1) >> PAGE_SHIFT,
				  &xen_pg_stats.live_umap_pages);
	mutex_unlock(&um->lock);
	return true;
}

static const struct mmu_interval_notifier_ops xen_pg_umap_mn_ops = {
	.invalidate = xen_pg_umap_invalidate,
};

static void xen_pg_umap_free(struct xen_pg_umap *um)
{
	xen_pg_ptes_free(&um->ptes);
	kfree(um);
}

static void xen_pg_umap_put(struct xen_pg_umap *um)
{
	struct xen_pg_map *m = um->m;

	if (!refcount_dec_and_test(&um->users))
		return;
	mutex_lock(&m->lock);
	list_del(&um->node);
	mutex_unlock(&m->lock);
	mmu_interval_notifier_remove(&um->notifier);
	/* The zap before close unmapped them all; this is a safety net. */
	mutex_lock(&um->lock);
	xen_pg_ptes_unmap(&um->ptes, 0, um->ptes.count,
			  &xen_pg_stats.live_umap_pages);
	mutex_unlock(&um->lock);
	xen_pg_umap_free(um);
}

static void xen_pg_umap_open(struct vm_area_struct *vma)
{
	struct xen_pg_umap *um = vma->vm_private_data;

	refcount_inc(&um->users);
}

static void xen_pg_umap_close(struct vm_area_struct *vma)
{
	xen_pg_umap_put(vma->vm_private_data);
}

/* The grant PTEs were torn down (revoke, munmap of a part, mprotect). */
static vm_fault_t xen_pg_umap_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

/* Partial unmaps would leave the notifier covering foreign ranges. */
static int xen_pg_umap_may_split(struct vm_area_struct *vma,
				 unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct xen_pg_umap_vm_ops = {
	.open = xen_pg_umap_open,
	.close = xen_pg_umap_close,
	.fault = xen_pg_umap_fault,
	.may_split = xen_pg_umap_may_split,
};

int hdmabuf_xen_mmap(struct hdmabuf_backend *be, void *cookie,
		     struct vm_area_struct *vma)
{
	struct xen_pg_map *m = cookie;
	unsigned long count = vma_pages(vma);
	struct xen_pg_umap *um;
	u32 flags;
	int ret;

	if (xen_feature(XENFEAT_auto_translated_physmap))
		return -EOPNOTSUPP;
	if (vma->vm_pgoff >= m->nr_pages ||
	    count > m->nr_pages - vma->vm_pgoff)
		return -EINVAL;
	/* Read-only grant PTEs cannot become writable later. */
	if (!(vma->vm_flags & VM_WRITE))
		vm_flags_clear(vma, VM_MAYWRITE);
	else if (!m->rw)
		return -EACCES;

	um = kzalloc(sizeof(*um), GFP_KERNEL);
	if (!um)
		return -ENOMEM;
	um->m = m;
	refcount_set(&um->users, 1);
	mutex_init(&um->lock);
	um->start = vma->vm_start;
	um->pgoff = vma->vm_pgoff;
	ret = xen_pg_ptes_alloc(&um->ptes, count);
	if (ret)
		goto err_free;

	mutex_lock(&m->lock);
	ret = m->revoked ? -ENODEV : 0;
	mutex_unlock(&m->lock);
	if (ret)
		goto err_free;

	ret = mmu_interval_notifier_insert_locked(&um->notifier, vma->vm_mm,
						  vma->vm_start,
						  count << PAGE_SHIFT,
						  &xen_pg_umap_mn_ops);
	if (ret)
		goto err_free;
	/* mmap_lock is held for writing: nothing can zap the range now. */
	ret = xen_pg_ptes_find(&um->ptes, vma->vm_mm, vma->vm_start);
	if (ret)
		goto err_remove;

	flags = GNTMAP_application_map | (1 << _GNTMAP_guest_avail0);
	if (!(vma->vm_flags & VM_WRITE))
		flags |= GNTMAP_readonly;
	mutex_lock(&um->lock);
	ret = xen_pg_ptes_map(&um->ptes, m->peer, m->refs + um->pgoff, flags,
			      &xen_pg_stats.live_umap_pages);
	if (ret)
		xen_pg_ptes_unmap(&um->ptes, 0, count,
				  &xen_pg_stats.live_umap_pages);
	mutex_unlock(&um->lock);
	if (ret)
		goto err_remove;

	/*
	 * _GNTMAP_guest_avail0 sets the PTEs' special bit: with VM_PFNMAP
	 * the mm never takes them for normal pages.  No fork copies them.
	 */
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
		     VM_DONTCOPY);
	vma->vm_ops = &xen_pg_umap_vm_ops;
	vma->vm_private_data = um;
	mutex_lock(&m->lock);
	list_add(&um->node, &m->umaps);
	mutex_unlock(&m->lock);
	return 0;

err_remove:
	mmu_interval_notifier_remove(&um->notifier);
err_free:
	xen_pg_umap_free(um);
	return ret;
}

/* ------------------------------------------------------------ vmap */

/**
 * struct xen_pg_vmap - grant PTEs of one kernel mapping
 * @node: entry in @m->vmaps, under @m->lock.
 * @vaddr: the vmalloc address.
 * @ptes: the grant PTEs.
 */
struct xen_pg_vmap {
	struct list_head node;
	void *vaddr;
	struct xen_pg_ptes ptes;
};

static int xen_pg_find_kpte(struct xen_pg_ptes *p, void *vaddr)
{
	unsigned long i;
	unsigned int level;
	pte_t *pte;

	for (i = 0; i < p->count; i++) {
		pte = lookup_address((unsigned long)vaddr + (i << PAGE_SHIFT),
				     &level);
		if (!pte || level != PG_LEVEL_4K)
			return -EFAULT;
		p->pte_maddr[i] = arbitrary_virt_to_machine(pte).maddr;
	}
	return 0;
}

static void xen_pg_vmap_destroy(struct xen_pg_vmap *v)
{
	xen_pg_ptes_unmap(&v->ptes, 0, v->ptes.count,
			  &xen_pg_stats.live_vmap_pages);
	vunmap(v->vaddr);
	xen_pg_ptes_free(&v->ptes);
	kfree(v);
}

int hdmabuf_xen_vmap(struct hdmabuf_backend *be, void *cookie, void **vaddr)
{
	struct xen_pg_map *m = cookie;
	struct xen_pg_vmap *v;
	struct page **zp;
	unsigned long i;
	int ret;

	if (xen_feature(XENFEAT_auto_translated_physmap))
		return -EOPNOTSUPP;
	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	ret = xen_pg_ptes_alloc(&v->ptes, m->nr_pages);
	if (ret)
		goto err_free;

	/*
	 * Reserve the area with non-present (PAGE_NONE) PTEs: no TLB can
	 * hold them, and the grant maps below replace them in place.
	 */
	zp = kvmalloc_array(m->nr_pages, sizeof(*zp), GFP_KERNEL);
	if (!zp) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < m->nr_pages; i++)
		zp[i] = ZERO_PAGE(0);
	v->vaddr = vmap(zp, m->nr_pages, VM_MAP, PAGE_NONE);
	kvfree(zp);
	if (!v->vaddr) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = xen_pg_find_kpte(&v->ptes, v->vaddr);
	if (ret)
		goto err_destroy;

	mutex_lock(&m->lock);
	ret = m->revoked ? -ENODEV :
	      xen_pg_ptes_map(&v->ptes, m->peer, m->refs,
			      m->rw ? 0 : GNTMAP_readonly,
			      &xen_pg_stats.live_vmap_pages);
	if (!ret)
		list_add(&v->node, &m->vmaps);
	mutex_unlock(&m->lock);
	if (ret)
		goto err_destroy;
	*vaddr = v->vaddr;
	return 0;

err_destroy:
	xen_pg_vmap_destroy(v);
	return ret;
err_free:
	xen_pg_ptes_free(&v->ptes);
	kfree(v);
	return ret;
}

void hdmabuf_xen_vunmap(struct hdmabuf_backend *be, void *cookie,
			void *vaddr)
{
	struct xen_pg_map *m = cookie;
	struct xen_pg_vmap *v, *found = NULL;

	mutex_lock(&m->lock);
	list_for_each_entry(v, &m->vmaps, node) {
		if (v->vaddr == vaddr) {
			list_del(&v->node);
			found = v;
			break;
		}
	}
	mutex_unlock(&m->lock);
	if (!WARN_ON(!found))
		xen_pg_vmap_destroy(found);
}

/* --------------------------------------------------------- revoke */

void hdmabuf_xen_revoke(struct hdmabuf_backend *be, void *cookie)
{
	struct xen_pg_map *m = cookie;
	struct xen_pg_umap *um;

	/*
	 * The core zapped every VMA it could find (our notifier unmapped
	 * their grants); one still being set up by mmap() is not findable
	 * yet, so unmap every user mapping we know of.  Kernel vmaps stay
	 * until their user vunmaps them, as documented by the core.
	 */
	mutex_lock(&m->lock);
	m->revoked = true;
	list_for_each_entry(um, &m->umaps, node) {
		mutex_lock(&um->lock);
		xen_pg_ptes_unmap(&um->ptes, 0, um->ptes.count,
				  &xen_pg_stats.live_umap_pages);
		mutex_unlock(&um->lock);
	}
	mutex_unlock(&m->lock);
}

/* Called from unmap if the core left CPU mappings behind (a bug). */
void xen_pg_cpu_unmap_all(struct xen_pg_map *m)
{
	struct xen_pg_vmap *v, *tmp;

	hdmabuf_xen_revoke(NULL, m);
	list_for_each_entry_safe(v, tmp, &m->vmaps, node) {
		list_del(&v->node);
		xen_pg_vmap_destroy(v);
	}
}

/* ---------------------------------------------- debugfs vmap probe */

/*
 * vmap_probe: write "FD hash" or "FD fill SEED" (FD: a dma-buf of the
 * writing process); the buffer is vmapped through dma_buf_vmap(), hashed
 * (FNV-1a over little-endian 64-bit words) or filled with the test pattern
 * word i = SEED * 0x9e3779b97f4a7c15 ^ i * 0xbf58476d1ce4e5b9, and the
 * result is read back as "hash=%016llx ns=%llu size=%zu".  Tests use it
 * to check kernel mappings of imported buffers byte for byte.
 */
static DEFINE_MUTEX(xen_pg_probe_lock);	/* protects xen_pg_probe_result */
static char xen_pg_probe_result[96];

static int xen_pg_probe_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef HDMABUF_HAVE_DMA_BUF_VMAP_UNLOCKED
	return dma_buf_vmap_unlocked(dmabuf, map);
#else
	return dma_buf_vmap(dmabuf, map);
#endif
}

static void xen_pg_probe_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
#ifdef HDMABUF_HAVE_DMA_BUF_VMAP_UNLOCKED
	dma_buf_vunmap_unlocked(dmabuf, map);
#else
	dma_buf_vunmap(dmabuf, map);
#endif
}

static ssize_t xen_pg_probe_write(struct file *file, const char __user *ubuf,
				  size_t count, loff_t *ppos)
{
	u64 h = 0xcbf29ce484222325ULL, seed = 0, t0;
	struct iosys_map map = { };
	struct dma_buf *dmabuf;
	char buf[64], op[8];
	size_t i, words;
	int fd, ret;
	__le64 *p;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = sscanf(buf, "%d %7s %llu", &fd, op, &seed);
	if (ret < 2 || (strcmp(op, "hash") && strcmp(op, "fill")) ||
	    (!strcmp(op, "fill") && ret != 3))
		return -EINVAL;
	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	t0 = ktime_get_ns();
	ret = xen_pg_probe_vmap(dmabuf, &map);
	if (ret)
		goto out_put;
	if (map.is_iomem) {
		ret = -EOPNOTSUPP;
		goto out_vunmap;
	}
	p = map.vaddr;
	words = dmabuf->size / sizeof(u64);
	if (!strcmp(op, "fill")) {
		for (i = 0; i < words; i++) {
			p[i] = cpu_to_le64(seed * 0x9e3779b97f4a7c15ULL ^
					   (u64)i * 0xbf58476d1ce4e5b9ULL);
			if (!(i & 0xffff))
				cond_resched();
		}
	}
	for (i = 0; i < words; i++) {
		h ^= le64_to_cpu(READ_ONCE(p[i]));
		h *= 0x100000001b3ULL;
		if (!(i & 0xffff))
			cond_resched();
	}
	mutex_lock(&xen_pg_probe_lock);
	snprintf(xen_pg_probe_result, sizeof(xen_pg_probe_result),
		 "hash=%016llx ns=%llu size=%zu\n", h, ktime_get_ns() - t0,
		 dmabuf->size);
	mutex_unlock(&xen_pg_probe_lock);
	ret = count;
out_vunmap:
	xen_pg_probe_vunmap(dmabuf, &map);
out_put:
	dma_buf_put(dmabuf);
	return ret;
}

static ssize_t xen_pg_probe_read(struct file *file, char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	char buf[sizeof(xen_pg_probe_result)];

	mutex_lock(&xen_pg_probe_lock);
	memcpy(buf, xen_pg_probe_result, sizeof(buf));
	mutex_unlock(&xen_pg_probe_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

static const struct file_operations xen_pg_probe_fops = {
	.owner = THIS_MODULE,
	.read = xen_pg_probe_read,
	.write = xen_pg_probe_write,
	.llseek = default_llseek,
};

void xen_pg_debugfs_vmap_init(struct dentry *dir)
{
	debugfs_create_file("vmap_probe", 0600, dir, NULL, &xen_pg_probe_fops);
}
