// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf virtio backend: exporting.
 *
 * Sharing needs nothing from the device: the page directory
 * (protocol/hdmabuf_pgdir.h) is built in this guest's memory with 8-byte
 * refs that are guest frame numbers, and its root goes into the
 * announcement.  The device reads the directory from our memory when an
 * importer asks it to map the buffer, and it alone enforces read-only
 * sharing.  A guest frame number is page_to_pfn(): KVM guests without a
 * virtual IOMMU (VIRTIO_F_ACCESS_PLATFORM is not negotiated) see their
 * memory at the addresses the device sees.
 *
 * The directory pages stay allocated until unshare; the data pages are the
 * core's, which keeps them until unshare too.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "hvio.h"
#include "hdmabuf_pgdir.h"

/**
 * struct hvio_share - one shared buffer
 * @hd: the device (a reference).
 * @dir: the directory pages, canonical flat order.
 * @nr_dir: entries of @dir.
 */
struct hvio_share {
	struct hvio_dev *hd;
	struct page **dir;
	unsigned long nr_dir;
};

static void hvio_share_free(struct hvio_share *s)
{
	unsigned long i;

	for (i = 0; i < s->nr_dir; i++)
		if (s->dir[i])
			__free_page(s->dir[i]);
	kvfree(s->dir);
	hvio_put(s->hd);
	kfree(s);
}

void hvio_unshare(struct hdmabuf_backend *be, void *cookie)
{
	/*
	 * The device maps data pages only while an import is live, and the
	 * core unshares after the importer's RELEASE or a revoke.
	 */
	hvio_share_free(cookie);
}

int hvio_share(struct hdmabuf_backend *be, u64 peer, struct page **pages,
	       unsigned long nr_pages, bool rw,
	       struct hdmabuf_share_info *info, void **cookie)
{
	struct hvio_dev *hd = hvio_from_be(be);
	u64 *data_refs = NULL, *dir_refs = NULL;
	struct hdmabuf_pgdir_geom g;
	void **dir_va = NULL;
	struct hvio_share *s;
	unsigned long i;
	int ret;

	ret = hdmabuf_pgdir_geom_init(&g, nr_pages, 8, PAGE_SIZE);
	if (ret)
		return ret;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	hvio_get(hd);
	s->hd = hd;
	s->dir = kvcalloc(g.total_pages, sizeof(*s->dir), GFP_KERNEL);
	dir_va = kvcalloc(g.total_pages, sizeof(*dir_va), GFP_KERNEL);
	dir_refs = kvcalloc(g.total_pages, sizeof(*dir_refs), GFP_KERNEL);
	data_refs = kvcalloc(nr_pages, sizeof(*data_refs), GFP_KERNEL);
	if (!s->dir || !dir_va || !dir_refs || !data_refs) {
		ret = -ENOMEM;
		goto err_free_share;
	}
	s->nr_dir = g.total_pages;
	for (i = 0; i < g.total_pages; i++) {
		/* Zeroed: the directory's tail is checked by the reader. */
		s->dir[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!s->dir[i]) {
			ret = -ENOMEM;
			goto err_free_share;
		}
		dir_va[i] = page_address(s->dir[i]);
		dir_refs[i] = page_to_pfn(s->dir[i]);
	}
	for (i = 0; i < nr_pages; i++)
		data_refs[i] = page_to_pfn(pages[i]);
	ret = hdmabuf_pgdir_build(&g, dir_va, dir_refs, data_refs);
	if (ret)
		goto err_free_share;

	info->dir_root = dir_refs[0];
	info->dir_pages = g.total_pages;
	info->dir_levels = g.levels;
	info->ref_size = 8;
	*cookie = s;
	goto out_free;

err_free_share:
	hvio_share_free(s);
out_free:
	kvfree(data_refs);
	kvfree(dir_refs);
	kvfree(dir_va);
	return ret;
}
