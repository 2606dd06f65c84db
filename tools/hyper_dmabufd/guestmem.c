// SPDX-License-Identifier: GPL-2.0
/*
 * guestmem.c - guest memory table: validation, read-only mappings, address
 * translation and writes (see guestmem.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestmem.h"

#define GM_PAGE 4096ull

/* [a, a + alen) and [b, b + blen) intersect; neither wraps (checked). */
static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* one region on its own: non-empty, aligned, no wrap-around */
static int region_check(const struct vu_region *r)
{
	if (!r->size || (r->size | r->gpa | r->mmap_offset) & (GM_PAGE - 1))
		return -EINVAL;
	if (r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr ||
	    r->mmap_offset + r->size < r->mmap_offset)
		return -EINVAL;
	/* mmap() takes an off_t */
	if (r->mmap_offset + r->size > (uint64_t)INT64_MAX)
		return -EINVAL;
	return 0;
}

int gm_parse_table(const void *payload, size_t size, int nfds,
		   struct vu_region *out)
{
	uint32_t n, i, j;

	if (size < 8)
		return -EINVAL;
	memcpy(&n, payload, sizeof(n));
	if (n < 1 || n > VU_MAX_REGIONS || (int)n != nfds)
		return -EINVAL;
	if (size < 8 + (size_t)n * sizeof(struct vu_region) ||
	    size > sizeof(struct vu_memory))
		return -EINVAL;
	memcpy(out, (const uint8_t *)payload + 8, n * sizeof(*out));
	for (i = 0; i < n; i++) {
		const struct vu_region *r = &out[i];

		if (region_check(r))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (overlaps(r->gpa, r->size, out[j].gpa, out[j].size) ||
			    overlaps(r->uaddr, r->size, out[j].uaddr, out[j].size))
				return -EINVAL;
	}
	return (int)n;
}

void gm_init(struct guestmem *gm)
{
	gm->n = 0;
}

void gm_clear(struct guestmem *gm)
{
	unsigned int i;

	for (i = 0; i < gm->n; i++) {
		struct gm_region *r = &gm->r[i];

		if (r->map)
			munmap(r->map, r->map_len);
		close(r->fd);
	}
	gm->n = 0;
}

/* map one validated region read-only; @fd stays the caller's on error */
static int map_region(struct gm_region *r, const struct vu_region *reg, int fd)
{
	struct stat st;
	int fl;

	if (fstat(fd, &st) < 0)
		return -errno;
	/* a shorter file would SIGBUS us on access */
	if (!S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size < reg->mmap_offset + reg->size)
		return -EINVAL;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	memset(r, 0, sizeof(*r));
	r->map_len = reg->size;
	r->map = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED | MAP_NORESERVE,
		      fd, (off_t)reg->mmap_offset);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return -errno;
	}
	r->base = r->map;
	r->gpa = reg->gpa;
	r->size = reg->size;
	r->uaddr = reg->uaddr;
	r->mmap_offset = reg->mmap_offset;
	r->fd = fd;
	r->writable = (fl & O_ACCMODE) != O_RDONLY;
	return 0;
}

int gm_set(struct guestmem *gm, const struct vu_region *regs, unsigned int n,
	   const int *fds)
{
	static struct guestmem tmp;	/* large; single-threaded daemon */
	unsigned int i;
	int err;

	gm_init(&tmp);
	for (i = 0; i < n; i++) {
		err = map_region(&tmp.r[i], &regs[i], fds[i]);
		if (err)
			goto unmap;
		tmp.n = i + 1;
	}
	gm_clear(gm);
	memcpy(gm, &tmp, sizeof(tmp));
	return 0;
unmap:
	/* the fds stay the caller's */
	for (i = 0; i < tmp.n; i++)
		munmap(tmp.r[i].map, tmp.r[i].map_len);
	return err;
}

int gm_add(struct guestmem *gm, const struct vu_region *reg, int fd)
{
	unsigned int i;
	int err;

	if (region_check(reg) || gm->n == GM_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < gm->n; i++)
		if (overlaps(reg->gpa, reg->size, gm->r[i].gpa, gm->r[i].size) ||
		    overlaps(reg->uaddr, reg->size, gm->r[i].uaddr, gm->r[i].size))
			return -EINVAL;
	err = map_region(&gm->r[gm->n], reg, fd);
	if (err)
		return err;
	gm->n++;
	return 0;
}

int gm_remove(struct guestmem *gm, const struct vu_region *reg)
{
	unsigned int i;

	for (i = 0; i < gm->n; i++) {
		struct gm_region *r = &gm->r[i];

		if (r->gpa != reg->gpa || r->size != reg->size ||
		    r->uaddr != reg->uaddr)
			continue;
		munmap(r->map, r->map_len);
		close(r->fd);
		/* keep the order: region indices only matter within one call */
		memmove(r, r + 1, (gm->n - i - 1) * sizeof(*r));
		gm->n--;
		return 0;
	}
	return -ENOENT;
}

const struct gm_region *gm_find(const struct guestmem *gm, uint64_t gpa,
				uint64_t len)
{
	unsigned int i;

	if (!len || gpa + len < gpa)
		return NULL;
	for (i = 0; i < gm->n; i++) {
		const struct gm_region *r = &gm->r[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

const void *gm_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len)
{
	const struct gm_region *r = gm_find(gm, gpa, len);

	return r ? r->base + (gpa - r->gpa) : NULL;
}

int gm_uaddr_to_gpa(const struct guestmem *gm, uint64_t uaddr, uint64_t len,
		    uint64_t *gpa)
{
	unsigned int i;

	if (!len || uaddr + len < uaddr)
		return -EFAULT;
	for (i = 0; i < gm->n; i++) {
		const struct gm_region *r = &gm->r[i];

		if (uaddr >= r->uaddr && uaddr - r->uaddr < r->size &&
		    len <= r->size - (uaddr - r->uaddr)) {
			*gpa = r->gpa + (uaddr - r->uaddr);
			return 0;
		}
	}
	return -EFAULT;
}

int gm_write(const struct guestmem *gm, uint64_t gpa, const void *buf,
	     size_t len)
{
	const struct gm_region *r = gm_find(gm, gpa, len);
	off_t off;
	ssize_t n;

	if (!r)
		return -EFAULT;
	off = (off_t)(r->mmap_offset + (gpa - r->gpa));
	do {
		n = pwrite(r->fd, buf, len, off);
	} while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -EIO;
}
