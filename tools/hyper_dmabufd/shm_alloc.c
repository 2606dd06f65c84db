// SPDX-License-Identifier: GPL-2.0
/* shm_alloc.c - bitmap page allocator of a shared-memory region. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shm_alloc.h"

static int test_bit(const struct shm_alloc *a, uint64_t i)
{
	return (a->bits[i / 64] >> (i % 64)) & 1;
}

static void set_bits(struct shm_alloc *a, uint64_t first, uint64_t n, int v)
{
	uint64_t i;

	for (i = first; i < first + n; i++) {
		if (v)
			a->bits[i / 64] |= 1ull << (i % 64);
		else
			a->bits[i / 64] &= ~(1ull << (i % 64));
	}
}

int shm_alloc_init(struct shm_alloc *a, uint64_t npages)
{
	memset(a, 0, sizeof(*a));
	a->bits = calloc((npages + 63) / 64 + 1, sizeof(uint64_t));
	if (!a->bits)
		return -ENOMEM;
	a->npages = npages;
	return 0;
}

void shm_alloc_fini(struct shm_alloc *a)
{
	free(a->bits);
	memset(a, 0, sizeof(*a));
}

void shm_alloc_reset(struct shm_alloc *a)
{
	if (a->bits)
		memset(a->bits, 0, ((a->npages + 63) / 64 + 1) * sizeof(uint64_t));
	a->used = 0;
	a->cursor = 0;
}

/* first-fit over [from, to) */
static int64_t scan(struct shm_alloc *a, uint64_t from, uint64_t to,
		    uint64_t n)
{
	uint64_t i = from, run = 0;

	while (i < to) {
		if (test_bit(a, i)) {
			run = 0;
			i++;
			continue;
		}
		if (++run == n)
			return (int64_t)(i + 1 - n);
		i++;
	}
	return -ENOSPC;
}

int64_t shm_alloc_get(struct shm_alloc *a, uint64_t n)
{
	int64_t first;

	if (!n || n > a->npages - a->used)
		return -ENOSPC;
	first = scan(a, a->cursor, a->npages, n);
	if (first < 0)
		first = scan(a, 0, a->npages, n);
	if (first < 0)
		return -ENOSPC;
	set_bits(a, (uint64_t)first, n, 1);
	a->used += n;
	a->cursor = (uint64_t)first + n;
	if (a->cursor >= a->npages)
		a->cursor = 0;
	return first;
}

int shm_alloc_put(struct shm_alloc *a, uint64_t first, uint64_t n)
{
	uint64_t i;

	if (!n || first >= a->npages || n > a->npages - first)
		return -EINVAL;
	for (i = first; i < first + n; i++)
		if (!test_bit(a, i))
			return -EINVAL;
	set_bits(a, first, n, 0);
	a->used -= n;
	return 0;
}
