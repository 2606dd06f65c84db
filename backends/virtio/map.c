// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf virtio backend: importing through shm region 0.
 *
 * The device maps an exporter's pages into this guest's VIRTIO
 * shared-memory region 0, a PCI BAR.  A BAR has no struct pages, but the
 * core's contract is a page array (sg tables from pages, vmap, pfn
 * inserts of page_to_pfn) and importers call sg_page() on what they get,
 * so the region is given struct pages once, at probe, with
 * memremap_pages(MEMORY_DEVICE_GENERIC) (ZONE_DEVICE, enabled in Debian's
 * 6.1 and 6.12 kernels).  docs/virtio.rst explains the choice against a
 * page-less (pfn or sg_set_dma_addr style) import.
 *
 * The device chooses where in the region a buffer lands.  Its answer is
 * checked against the region's bounds and against the pages live imports
 * use (@busy), so a buggy or hostile device cannot make two imports alias
 * or point one outside the region.
 */
#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "hvio.h"
#include "hdmabuf_pgdir.h"

static unsigned int max_shm_mb = 4096;
module_param(max_shm_mb, uint, 0444);
MODULE_PARM_DESC(max_shm_mb,
		 "Largest part of shm region 0 given struct pages, MiB (its memmap costs 1/64). Default 4096.");

#ifdef SUBSECTION_SIZE
#define HVIO_REGION_ALIGN	SUBSECTION_SIZE
#else
#define HVIO_REGION_ALIGN	PAGE_SIZE
#endif

/*
 * Regions with struct pages.  A device's region keeps its pages until its
 * last import is gone, possibly after the device was unbound; a rebind
 * meanwhile must not map the same range again (memremap_pages() warns).
 */
static LIST_HEAD(hvio_regions);
static DEFINE_MUTEX(hvio_regions_lock);	/* protects hvio_regions */

/**
 * struct hvio_map - one import mapped into region 0
 * @hd: the device (a reference).
 * @first: first region page.
 * @nr_pages: pages mapped.
 * @pages: their struct pages, handed to the core.
 */
struct hvio_map {
	struct hvio_dev *hd;
	unsigned long first;
	unsigned long nr_pages;
	struct page **pages;
};

/*
 * Gives region 0 struct pages.  Failing here only disables importing:
 * the device is still useful for exporting and messages.
 */
int hvio_region_init(struct hvio_dev *hd)
{
	struct hvio_region *r = &hd->region, *other;
	struct virtio_shm_region shm;
	unsigned long nr;
	void *addr;

	mutex_init(&r->lock);
	if (!virtio_get_shm_region(hd->vdev, &shm, HVIO_SHM_REGION_ID)) {
		dev_info(hd->dev, "no shared-memory region: importing disabled\n");
		return 0;
	}
	r->addr = shm.addr;
	r->len = min_t(u64, shm.len, (u64)max_shm_mb << 20);
	r->len = ALIGN_DOWN(r->len, HVIO_REGION_ALIGN);
	if (!IS_ALIGNED(r->addr, HVIO_REGION_ALIGN) || !r->len) {
		dev_warn(hd->dev, "shm region %#llx+%#llx is not %#lx aligned: importing disabled\n",
			 shm.addr, shm.len, (unsigned long)HVIO_REGION_ALIGN);
		return 0;
	}
	nr = r->len >> PAGE_SHIFT;
	r->busy = bitmap_zalloc(nr, GFP_KERNEL);
	r->leaked = bitmap_zalloc(nr, GFP_KERNEL);
	if (!r->busy || !r->leaked)
		goto err_free_bitmaps;

	mutex_lock(&hvio_regions_lock);
	list_for_each_entry(other, &hvio_regions, node) {
		if (other->addr < r->addr + r->len &&
		    r->addr < other->addr + other->len) {
			mutex_unlock(&hvio_regions_lock);
			dev_warn(hd->dev, "shm region %#llx+%#llx still used by imports of an earlier binding: importing disabled\n",
				 r->addr, r->len);
			goto err_free_bitmaps;
		}
	}

	r->pgmap.type = MEMORY_DEVICE_GENERIC;
	r->pgmap.range.start = r->addr;
	r->pgmap.range.end = r->addr + r->len - 1;
	r->pgmap.nr_range = 1;
	addr = memremap_pages(&r->pgmap, dev_to_node(hd->dev));
	if (IS_ERR(addr)) {
		mutex_unlock(&hvio_regions_lock);
		dev_warn(hd->dev, "memremap_pages of shm region %#llx+%#llx: %ld: importing disabled\n",
			 r->addr, r->len, PTR_ERR(addr));
		goto err_free_bitmaps;
	}
	r->mapped = true;
	list_add(&r->node, &hvio_regions);
	mutex_unlock(&hvio_regions_lock);
	dev_info(hd->dev, "shm region %#llx+%#llx (%llu MiB with struct pages)\n",
		 shm.addr, shm.len, r->len >> 20);
	return 0;

err_free_bitmaps:
	bitmap_free(r->busy);
	bitmap_free(r->leaked);
	r->busy = NULL;
	r->leaked = NULL;
	return 0;
}

/* The device was reset: it has no mappings, leaked ones are free again. */
void hvio_region_reset(struct hvio_dev *hd)
{
	struct hvio_region *r = &hd->region;

	if (!r->mapped)
		return;
	mutex_lock(&r->lock);
	bitmap_andnot(r->busy, r->busy, r->leaked, r->len >> PAGE_SHIFT);
	bitmap_zero(r->leaked, r->len >> PAGE_SHIFT);
	mutex_unlock(&r->lock);
}

/* Last reference: no import uses the region's pages any more. */
void hvio_region_fini(struct hvio_dev *hd)
{
	struct hvio_region *r = &hd->region;

	if (r->mapped) {
		mutex_lock(&hvio_regions_lock);
		memunmap_pages(&r->pgmap);
		list_del(&r->node);
		mutex_unlock(&hvio_regions_lock);
	}
	r->mapped = false;
	bitmap_free(r->busy);
	bitmap_free(r->leaked);
}

/* Claims region pages [first, first + nr) if the device's answer is sane. */
static int hvio_region_claim(struct hvio_region *r, u64 offset,
			     unsigned long nr)
{
	unsigned long first = offset >> PAGE_SHIFT;
	int ret = 0;

	if (!PAGE_ALIGNED(offset) || offset >= r->len ||
	    nr > (r->len - offset) >> PAGE_SHIFT)
		return -ERANGE;
	mutex_lock(&r->lock);
	if (find_next_bit(r->busy, first + nr, first) < first + nr)
		ret = -EBUSY;
	else
		bitmap_set(r->busy, first, nr);
	mutex_unlock(&r->lock);
	return ret;
}

/* -ENOENT: the device already removed it (revocation): the range is free. */
static int hvio_send_unmap(struct hvio_dev *hd, u64 offset, u64 nr_pages)
{
	struct hvio_unmap_req req = {
		.shm_offset = cpu_to_le64(offset),
		.nr_pages = cpu_to_le64(nr_pages),
	};

	int ret;

	ret = hvio_request(hd, HVIO_T_UNMAP, 0, &req, sizeof(req), NULL);
	return ret == -ENOENT ? 0 : ret;
}

void hvio_unmap(struct hdmabuf_backend *be, void *cookie)
{
	struct hvio_map *m = cookie;
	struct hvio_dev *hd = m->hd;
	struct hvio_region *r = &hd->region;
	int ret;

	ret = hvio_send_unmap(hd, (u64)m->first << PAGE_SHIFT, m->nr_pages);
	mutex_lock(&r->lock);
	if (ret) {
		/*
		 * The device may still map something there: keep the pages
		 * busy until it is reset, so no later import lands on them.
		 */
		bitmap_set(r->leaked, m->first, m->nr_pages);
		atomic64_inc(&hd->stats.unmap_failed);
		dev_warn_ratelimited(hd->dev, "UNMAP of %lu pages at page %lu: %d\n",
				     m->nr_pages, m->first, ret);
	} else {
		bitmap_clear(r->busy, m->first, m->nr_pages);
	}
	mutex_unlock(&r->lock);
	kvfree(m->pages);
	kfree(m);
	hvio_put(hd);
}

int hvio_map(struct hdmabuf_backend *be, u64 peer,
	     const struct hdmabuf_share_info *info, unsigned long nr_pages,
	     bool rw, struct page ***pages, void **cookie)
{
	struct hvio_dev *hd = hvio_from_be(be);
	struct hvio_region *r = &hd->region;
	struct hdmabuf_pgdir_geom g;
	struct hvio_map_req req;
	struct hvio_map *m;
	unsigned long i, pfn;
	u64 offset;
	int ret;

	if (!hd->shm_map || !r->mapped)
		return -EOPNOTSUPP;
	/* Our exporters use guest frame numbers; 4-byte refs are grants. */
	if (peer > U32_MAX || info->ref_size != 8)
		return -EINVAL;
	ret = hdmabuf_pgdir_geom_init(&g, nr_pages, 8, PAGE_SIZE);
	if (ret)
		return ret;
	ret = hdmabuf_pgdir_geom_check(&g, info->dir_levels, info->dir_pages);
	if (ret)
		return ret;
	if (nr_pages > r->len >> PAGE_SHIFT)
		return -ENOSPC;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	m->pages = kvcalloc(nr_pages, sizeof(*m->pages), GFP_KERNEL);
	if (!m->pages) {
		ret = -ENOMEM;
		goto err_free_map;
	}

	req = (struct hvio_map_req) {
		.dir_root = cpu_to_le64(info->dir_root),
		.dir_pages = cpu_to_le32(info->dir_pages),
		.levels = info->dir_levels,
		.ref_size = info->ref_size,
		.rw = rw,
		.nr_pages = cpu_to_le64(nr_pages),
	};
	ret = hvio_request(hd, HVIO_T_MAP, peer, &req, sizeof(req), &offset);
	if (ret)
		goto err_free_map;
	ret = hvio_region_claim(r, offset, nr_pages);
	if (ret) {
		atomic64_inc(&hd->stats.bad_map_reply);
		dev_warn_ratelimited(hd->dev, "device mapped %lu pages at bad offset %#llx (%d)\n",
				     nr_pages, offset, ret);
		/* In the region but overlapping: the device thinks it free. */
		if (ret == -EBUSY)
			hvio_send_unmap(hd, offset, nr_pages);
		ret = -EIO;
		goto err_free_map;
	}

	m->first = offset >> PAGE_SHIFT;
	pfn = PHYS_PFN(r->addr) + m->first;
	for (i = 0; i < nr_pages; i++)
		m->pages[i] = pfn_to_page(pfn + i);
	m->nr_pages = nr_pages;
	hvio_get(hd);
	m->hd = hd;
	*pages = m->pages;
	*cookie = m;
	return 0;

err_free_map:
	kvfree(m->pages);
	kfree(m);
	return ret;
}
