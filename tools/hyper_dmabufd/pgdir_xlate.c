// SPDX-License-Identifier: GPL-2.0
/*
 * pgdir_xlate.c - page directory walk over guest memory (pgdir_xlate.h).
 * The walk itself, with its checks, is the protocol's
 * hdmabuf_pgdir_walk(); this file supplies page access and the
 * GFN -> memory file translation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hdmabuf_pgdir.h"
#include "pgdir_xlate.h"

#define GFN_MAX (UINT64_MAX >> VIRTIO_DMABUF_PAGE_SHIFT)

struct walk_ctx {
	const struct guestmem *gm;
	uint8_t page[VIRTIO_DMABUF_PAGE_SIZE] __attribute__((aligned(8)));
};

/*
 * The region of the exporter's own memory holding page @gfn, or NULL.
 * Pages mapped into its shared-memory region are another guest's memory:
 * exporting them again would outlive that guest's revocation, so they
 * are refused like pages outside its memory.
 */
static const struct gm_region *own_page(const struct guestmem *gm, __u64 gfn)
{
	const struct gm_region *r;

	if (gfn > GFN_MAX)
		return NULL;
	r = gm_find(gm, gfn << VIRTIO_DMABUF_PAGE_SHIFT, VIRTIO_DMABUF_PAGE_SIZE);
	return r && !r->shm ? r : NULL;
}

/* copy the page out: the exporter may rewrite it while we parse it */
static int walk_map(void *ctx, __u64 gfn, const void **page)
{
	struct walk_ctx *w = ctx;
	const struct gm_region *r = own_page(w->gm, gfn);

	if (!r)
		return -EFAULT;
	memcpy(w->page, r->base + ((gfn << VIRTIO_DMABUF_PAGE_SHIFT) - r->gpa),
	       sizeof(w->page));
	*page = w->page;
	return 0;
}

static const struct hdmabuf_pgdir_walk_ops walk_ops = {
	.map = walk_map,
};

int pgdir_translate(const struct guestmem *gm, uint64_t root,
		    uint64_t nr_pages, uint32_t dir_pages, uint8_t levels,
		    struct xlate_run **runs, size_t *nruns)
{
	struct hdmabuf_pgdir_geom g;
	struct xlate_run *out = NULL;
	__u64 *dir_refs = NULL, *data = NULL, *scratch = NULL;
	struct walk_ctx *w = NULL;
	size_t n = 0;
	uint64_t i;
	int err;

	if (hdmabuf_pgdir_geom_init(&g, nr_pages, 8, VIRTIO_DMABUF_PAGE_SIZE) ||
	    hdmabuf_pgdir_geom_check(&g, levels, dir_pages))
		return -EINVAL;
	err = -ENOMEM;
	dir_refs = calloc(g.total_pages, sizeof(*dir_refs));
	scratch = calloc(g.total_pages, sizeof(*scratch));
	data = calloc(nr_pages, sizeof(*data));
	w = malloc(sizeof(*w));
	if (!dir_refs || !scratch || !data || !w)
		goto out;
	w->gm = gm;
	err = hdmabuf_pgdir_walk(&g, root, &walk_ops, w,
				 HDMABUF_PGDIR_WALK_NO_ZERO_REFS, dir_refs, data,
				 scratch);
	if (err)
		goto out;
	err = -ENOMEM;
	out = calloc(nr_pages, sizeof(*out));	/* worst case: no coalescing */
	if (!out)
		goto out;
	for (i = 0; i < nr_pages; i++) {
		const struct gm_region *r;
		uint64_t gpa, off;

		err = -EFAULT;
		r = own_page(gm, data[i]);
		if (!r)
			goto out;
		gpa = data[i] << VIRTIO_DMABUF_PAGE_SHIFT;
		off = r->mmap_offset + (gpa - r->gpa);
		if (n && out[n - 1].region == (unsigned int)(r - gm->r) &&
		    out[n - 1].fd_offset +
		    out[n - 1].npages * VIRTIO_DMABUF_PAGE_SIZE == off) {
			out[n - 1].npages++;
			continue;
		}
		out[n].region = (unsigned int)(r - gm->r);
		out[n].fd_offset = off;
		out[n].page = i;
		out[n].npages = 1;
		n++;
	}
	err = 0;
	*runs = out;
	*nruns = n;
	out = NULL;
out:
	free(out);
	free(w);
	free(data);
	free(scratch);
	free(dir_refs);
	return err;
}
