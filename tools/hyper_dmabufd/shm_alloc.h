/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shm_alloc.h - page allocator for one guest's shared-memory region:
 * a bitmap, next-fit, so a freed range is reused as late as possible.
 */
#ifndef HDMABUFD_SHM_ALLOC_H
#define HDMABUFD_SHM_ALLOC_H

#include <stdint.h>

struct shm_alloc {
	uint64_t npages;
	uint64_t used;
	uint64_t cursor;
	uint64_t *bits;
};

int shm_alloc_init(struct shm_alloc *a, uint64_t npages);
void shm_alloc_fini(struct shm_alloc *a);
/* Forget every allocation. */
void shm_alloc_reset(struct shm_alloc *a);
/* First page of a free run of @n pages (now allocated), or -ENOSPC. */
int64_t shm_alloc_get(struct shm_alloc *a, uint64_t n);
/* Free [first, first + n); -EINVAL if any page was not allocated. */
int shm_alloc_put(struct shm_alloc *a, uint64_t first, uint64_t n);

#endif /* HDMABUFD_SHM_ALLOC_H */
