/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pgdir_xlate.h - read an exporter's page directory (8-byte GFN refs,
 * protocol/hdmabuf_pgdir.h) in its memory and translate the data pages
 * into runs of its memory files, contiguous pages coalesced.
 */
#ifndef HDMABUFD_PGDIR_XLATE_H
#define HDMABUFD_PGDIR_XLATE_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"

/* pages [page, page + npages) of the buffer are at region's fd_offset */
struct xlate_run {
	unsigned int region;	/* index in the exporter's guestmem */
	uint64_t fd_offset;	/* in that region's file, page aligned */
	uint64_t page;		/* first buffer page of the run */
	uint64_t npages;
};

/*
 * Validate the geometry (@nr_pages, @dir_pages, @levels with 8-byte refs),
 * walk the directory rooted at GFN @root in @gm (every page read once into
 * private memory; zero tails, no zero and no duplicate directory refs) and
 * translate every data GFN.  On success *@runs (malloc'ed, caller frees)
 * holds *@nruns runs covering the buffer in order.
 * Returns 0, -EINVAL (geometry), -EBADMSG (malformed directory), -EFAULT
 * (a GFN outside @gm, or in a region of @gm marked shm: another guest's
 * pages mapped into this one's shared-memory region) or -ENOMEM.
 */
int pgdir_translate(const struct guestmem *gm, uint64_t root,
		    uint64_t nr_pages, uint32_t dir_pages, uint8_t levels,
		    struct xlate_run **runs, size_t *nruns);

#endif /* HDMABUFD_PGDIR_XLATE_H */
