// SPDX-License-Identifier: GPL-2.0
/*
 * Importer side of the Xen page sharing: read the exporter's grant-ref
 * directory and map its data pages into this domain.
 *
 * Everything the peer wrote is hostile.  The geometry is recomputed from
 * nr_pages (which the core bounded by its size limit) and compared with the
 * peer's claim before any ref is used; each directory page is mapped
 * read-only, its refs copied out once and its unused tail checked, and it
 * is unmapped before the data pages are mapped; directory refs must be
 * distinct, and no ref may be 0, reserved or INVALID_GRANT_REF.  The
 * hypervisor itself refuses refs the peer did not grant to us (or granted
 * read-only when we map for writing).  Mapping is batched; every element's
 * status is checked and every handle saved, so a partial failure unmaps
 * exactly what was mapped (the CVE-2021-26932 bug class).
 *
 * Data pages come from gnttab_alloc_pages() and are mapped at their kernel
 * address: in a PV domain that also points their p2m entry at the foreign
 * frame, so page_to_phys()/DMA through xen-swiotlb reach the right memory.
 * User and vmalloc mappings are separate grant mappings (mmap.c).
 */
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <xen/grant_table.h>
#include <xen/page.h>

#include "hdmabuf_pgdir.h"
#include "xen_pages.h"

/* Grant operations per hypercall, and directory pages mapped at a time. */
#define XEN_PG_MAP_BATCH	512U
#define XEN_PG_DIR_BATCH	16U

int xen_pg_gntst_errno(int16_t status)
{
	switch (status) {
	case GNTST_okay:
		return 0;
	case GNTST_general_error:	/* e.g. the ref is not granted */
	case GNTST_bad_domain:
	case GNTST_bad_gntref:
	case GNTST_bad_page:
		return -EPERM;
	case GNTST_permission_denied:	/* read-only grant, writable map */
		return -EACCES;
	case GNTST_no_device_space:	/* maptrack table full */
		return -ENOSPC;
	case GNTST_eagain:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

/* A ref a well-behaved exporter can have handed out. */
static bool xen_pg_ref_ok(u64 ref)
{
	return ref >= GNTTAB_NR_RESERVED_ENTRIES && ref < INVALID_GRANT_REF;
}

static unsigned long xen_pg_kaddr(struct page *page)
{
	return (unsigned long)pfn_to_kaddr(page_to_pfn(page));
}

/*
 * Maps @n refs of @peer at the kernel addresses of @pages.  Returns 0 with
 * every handle in @handles, or an error with the handles of the elements
 * that did map (the others INVALID_GRANT_HANDLE): the caller unmaps those.
 */
static int xen_pg_kmap(domid_t peer, const grant_ref_t *refs,
		       struct page **pages, grant_handle_t *handles,
		       unsigned int n, bool readonly,
		       struct gnttab_map_grant_ref *ops)
{
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	unsigned int i;
	int ret, err = 0;

	for (i = 0; i < n; i++) {
		gnttab_set_map_op(&ops[i], xen_pg_kaddr(pages[i]), flags,
				  refs[i], peer);
		handles[i] = INVALID_GRANT_HANDLE;
	}
	ret = gnttab_map_refs(ops, NULL, pages, n);
	atomic64_inc(&xen_pg_stats.map_hypercalls);
	/* Even if the call failed: some elements may have been done. */
	for (i = 0; i < n; i++) {
		if (ops[i].status == GNTST_okay) {
			handles[i] = ops[i].handle;
			continue;
		}
		if (!err)
			err = ops[i].status > 0 ? -EIO :
			      xen_pg_gntst_errno(ops[i].status);
	}
	return ret ?: err;
}

/*
 * Unmaps the mapped ones of @n kernel mappings; a page whose unmap failed
 * is still the peer's frame and must not be reused: its slot in @pages is
 * set to NULL so the caller leaks it rather than freeing it.
 */
static void xen_pg_kunmap(struct page **pages, grant_handle_t *handles,
			  unsigned int n, bool readonly,
			  struct gnttab_unmap_grant_ref *ops,
			  struct page **tmp)
{
	u32 flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0);
	unsigned int i, k = 0;
	int ret;

	for (i = 0; i < n; i++) {
		if (handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&ops[k], xen_pg_kaddr(pages[i]), flags,
				    handles[i]);
		ops[k].status = 1;
		tmp[k++] = pages[i];
	}
	if (!k)
		return;
	ret = gnttab_unmap_refs(ops, NULL, tmp, k);
	atomic64_inc(&xen_pg_stats.unmap_hypercalls);
	for (i = 0, k = 0; i < n; i++) {
		if (handles[i] == INVALID_GRANT_HANDLE)
			continue;
		if (ops[k].status != GNTST_okay) {
			pr_err("unmapping a grant failed (%d, call %d): page leaked\n",
			       ops[k].status, ret);
			pages[i] = NULL;
		} else {
			handles[i] = INVALID_GRANT_HANDLE;
		}
		k++;
	}
}

/* Returns @pages (@n entries) to the grant page pool, skipping leaked ones. */
static void xen_pg_free_pages(struct page **pages, unsigned long n)
{
	unsigned long i, k = 0;

	for (i = 0; i < n; i++)
		if (pages[i])
			pages[k++] = pages[i];
	if (k)
		gnttab_free_pages(k, pages);
}

/* ---------------------------------------------------- directory walk */

/**
 * struct xen_pg_walk - state of one directory walk
 * @peer: the exporter.
 * @g: the geometry, computed locally.
 * @pages: pages the directory pages are mapped at, XEN_PG_DIR_BATCH.
 * @handles: their handles.
 * @map: grant map ops, XEN_PG_DIR_BATCH.
 * @unmap: grant unmap ops, XEN_PG_DIR_BATCH.
 * @tmp: scratch page pointers for unmapping, XEN_PG_DIR_BATCH.
 * @refs: refs of one directory page as read, refs_per_page entries.
 * @dir_refs: refs of every directory page, canonical order.
 * @sorted: scratch for the duplicate check, total_pages entries.
 */
struct xen_pg_walk {
	domid_t peer;
	struct hdmabuf_pgdir_geom g;
	struct page *pages[XEN_PG_DIR_BATCH];
	grant_handle_t handles[XEN_PG_DIR_BATCH];
	struct gnttab_map_grant_ref map[XEN_PG_DIR_BATCH];
	struct gnttab_unmap_grant_ref unmap[XEN_PG_DIR_BATCH];
	struct page *tmp[XEN_PG_DIR_BATCH];
	u64 *refs;
	u64 *dir_refs;
	u64 *sorted;
};

/*
 * Maps, reads and unmaps directory pages [first, first + n) of @level;
 * their children's refs go to the next level's slots of w->dir_refs or,
 * for leaves, to @data_refs.
 */
static int xen_pg_walk_batch(struct xen_pg_walk *w, u32 level, u64 first,
			     unsigned int n, grant_ref_t *data_refs)
{
	const struct hdmabuf_pgdir_geom *g = &w->g;
	grant_ref_t refs[XEN_PG_DIR_BATCH];
	unsigned int i, j;
	int ret, cnt;

	for (i = 0; i < n; i++) {
		u64 ref = w->dir_refs[hdmabuf_pgdir_flat_index(g, level,
							       first + i)];

		if (!xen_pg_ref_ok(ref))
			return -EBADMSG;
		refs[i] = ref;
	}
	ret = xen_pg_kmap(w->peer, refs, w->pages, w->handles, n, true,
			  w->map);
	atomic64_add(n, &xen_pg_stats.map_dir_pages);
	for (i = 0; !ret && i < n; i++) {
		u64 child = (first + i) << g->rpp_shift;

		cnt = hdmabuf_pgdir_read_refs(g, level, first + i,
					      page_address(w->pages[i]),
					      w->refs);
		if (cnt < 0) {
			ret = cnt;
			break;
		}
		for (j = 0; j < cnt; j++) {
			if (!xen_pg_ref_ok(w->refs[j])) {
				ret = -EBADMSG;
				break;
			}
			if (level == 1)
				data_refs[child + j] = w->refs[j];
			else
				w->dir_refs[g->level_first[level - 1] +
					    child + j] = w->refs[j];
		}
	}
	xen_pg_kunmap(w->pages, w->handles, n, true, w->unmap, w->tmp);
	for (i = 0; i < n; i++)
		if (!w->pages[i])
			return ret ?: -EIO;	/* leaked: cannot reuse it */
	return ret;
}

/* Reads the whole directory into @data_refs (nr_pages entries). */
static int xen_pg_walk(struct xen_pg_walk *w, u64 root,
		       grant_ref_t *data_refs)
{
	const struct hdmabuf_pgdir_geom *g = &w->g;
	u64 idx, seen;
	u32 level;
	int ret;

	w->dir_refs[0] = root;
	for (level = g->levels; level >= 1; level--) {
		for (idx = 0; idx < g->level_pages[level];
		     idx += XEN_PG_DIR_BATCH) {
			ret = xen_pg_walk_batch(w, level, idx,
				min_t(u64, XEN_PG_DIR_BATCH,
				      g->level_pages[level] - idx),
				data_refs);
			if (ret)
				return ret;
		}
		if (level == 1)
			break;
		/* The pages about to be mapped must be distinct. */
		seen = g->level_first[level - 1] + g->level_pages[level - 1];
		memcpy(w->sorted, w->dir_refs, seen * sizeof(u64));
		ret = hdmabuf_pgdir_refs_unique(w->sorted, seen);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------- map */

void hdmabuf_xen_unmap(void *cookie)
{
	struct xen_pg_map *m = cookie;
	struct gnttab_unmap_grant_ref *ops;
	struct page **tmp;
	unsigned long i, n;

	if (WARN_ON(!list_empty(&m->umaps) || !list_empty(&m->vmaps)))
		xen_pg_cpu_unmap_all(m);
	ops = kvmalloc_array(XEN_PG_MAP_BATCH, sizeof(*ops), GFP_KERNEL);
	tmp = kvmalloc_array(XEN_PG_MAP_BATCH, sizeof(*tmp), GFP_KERNEL | __GFP_NOFAIL);
	for (i = 0; m->handles && i < m->nr_pages; i += n) {
		n = min_t(unsigned long, XEN_PG_MAP_BATCH, m->nr_pages - i);
		if (!ops) {
			/* Out of memory: unmap one at a time from the stack. */
			struct gnttab_unmap_grant_ref op;

			n = 1;
			xen_pg_kunmap(m->pages + i, m->handles + i, 1, !m->rw,
				      &op, tmp);
			continue;
		}
		xen_pg_kunmap(m->pages + i, m->handles + i, n, !m->rw, ops,
			      tmp);
	}
	if (m->pages) {
		atomic64_sub(m->nr_pages, &xen_pg_stats.live_map_pages);
		xen_pg_free_pages(m->pages, m->nr_pages);
	}
	kvfree(tmp);
	kvfree(ops);
	kvfree(m->handles);
	kvfree(m->refs);
	kvfree(m->pages);
	kfree(m);
}

int hdmabuf_xen_map(domid_t peer, const struct hdmabuf_share_info *info,
		    unsigned long nr_pages, bool rw, struct page ***pages,
		    void **cookie)
{
	struct gnttab_map_grant_ref *ops = NULL;
	struct xen_pg_walk *w;
	struct xen_pg_map *m;
	unsigned long i, n;
	u64 t0, t1;
	int ret;

	/* Validate the peer's claims before anything is allocated. */
	if (peer >= DOMID_FIRST_RESERVED || info->ref_size != 4 ||
	    !xen_pg_ref_ok(info->dir_root) || nr_pages > INT_MAX)
		return -EINVAL;
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	w->peer = peer;
	ret = hdmabuf_pgdir_geom_init(&w->g, nr_pages, 4, PAGE_SIZE);
	if (!ret)
		ret = hdmabuf_pgdir_geom_check(&w->g, info->dir_levels,
					       info->dir_pages);
	if (ret)
		goto err_free_walk;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		ret = -ENOMEM;
		goto err_free_walk;
	}
	m->peer = peer;
	m->rw = rw;
	mutex_init(&m->lock);
	INIT_LIST_HEAD(&m->umaps);
	INIT_LIST_HEAD(&m->vmaps);
	m->refs = kvcalloc(nr_pages, sizeof(*m->refs), GFP_KERNEL);
	w->refs = kvcalloc(w->g.refs_per_page, sizeof(u64), GFP_KERNEL);
	w->dir_refs = kvcalloc(w->g.total_pages, sizeof(u64), GFP_KERNEL);
	w->sorted = kvcalloc(w->g.total_pages, sizeof(u64), GFP_KERNEL);
	if (!m->refs || !w->refs || !w->dir_refs || !w->sorted) {
		ret = -ENOMEM;
		goto err_unmap;
	}

	t0 = ktime_get_ns();
	ret = gnttab_alloc_pages(XEN_PG_DIR_BATCH, w->pages);
	if (ret)
		goto err_unmap;
	ret = xen_pg_walk(w, info->dir_root, m->refs);
	xen_pg_free_pages(w->pages, XEN_PG_DIR_BATCH);
	if (ret)
		goto err_unmap;
	t1 = ktime_get_ns();

	m->pages = kvcalloc(nr_pages, sizeof(*m->pages), GFP_KERNEL);
	m->handles = kvmalloc_array(nr_pages, sizeof(*m->handles), GFP_KERNEL);
	ops = kvmalloc_array(XEN_PG_MAP_BATCH, sizeof(*ops), GFP_KERNEL);
	if (!m->pages || !m->handles || !ops) {
		kvfree(m->pages);	/* nothing allocated into it yet */
		m->pages = NULL;
		ret = -ENOMEM;
		goto err_unmap;
	}
	for (i = 0; i < nr_pages; i++)
		m->handles[i] = INVALID_GRANT_HANDLE;
	ret = gnttab_alloc_pages(nr_pages, m->pages);
	if (ret) {
		kvfree(m->pages);
		m->pages = NULL;
		goto err_unmap;
	}
	atomic64_add(nr_pages, &xen_pg_stats.live_map_pages);
	m->nr_pages = nr_pages;
	for (i = 0; i < nr_pages; i += n) {
		n = min_t(unsigned long, XEN_PG_MAP_BATCH, nr_pages - i);
		ret = xen_pg_kmap(peer, m->refs + i, m->pages + i,
				  m->handles + i, n, !rw, ops);
		if (ret)
			goto err_unmap;
	}
	atomic64_set(&xen_pg_stats.last_map_pages, nr_pages);
	atomic64_set(&xen_pg_stats.last_map_dir_ns, t1 - t0);
	atomic64_set(&xen_pg_stats.last_map_data_ns, ktime_get_ns() - t1);
	atomic64_inc(&xen_pg_stats.map_ok);
	kvfree(ops);
	kvfree(w->sorted);
	kvfree(w->dir_refs);
	kvfree(w->refs);
	kfree(w);
	*pages = m->pages;
	*cookie = m;
	return 0;

err_unmap:
	kvfree(ops);
	kvfree(w->sorted);
	kvfree(w->dir_refs);
	kvfree(w->refs);
	hdmabuf_xen_unmap(m);
err_free_walk:
	kfree(w);
	atomic64_inc(&xen_pg_stats.map_fail);
	pr_debug("import of %lu pages from dom%u failed: %d\n", nr_pages,
		 peer, ret);
	return ret;
}
