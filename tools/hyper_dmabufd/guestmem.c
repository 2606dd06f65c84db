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

		if (!r->size || (r->size | r->gpa | r->mmap_offset) & (GM_PAGE - 1))
			return -EINVAL;
		if (r->gpa + r->size < r->gpa || r->uaddr + r->size < r->uaddr ||
		    r->mmap_offset + r->size < r->mmap_offset)
			return -EINVAL;
		/* mmap() takes an off_t */
		if (r->mmap_offset + r->size > (uint64_t)INT64_MAX)
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
	memset(gm, 0, sizeof(*gm));
}

void gm_clear(struct guestmem *gm)
{
	unsigned int i;

	for (i = 0; i < gm->n; i++) {
		struct gm_region *r = &gm->r[i];

		if (r->map)
			munmap(r->map, r->map_len);
		close(r->fd);
		if (r->ro_fd >= 0)
			close(r->ro_fd);
	}
	gm_init(gm);
}

int gm_set(struct guestmem *gm, const struct vu_region *regs, unsigned int n,
	   const int *fds)
{
	struct guestmem tmp;
	unsigned int i;
	int err;

	gm_init(&tmp);
	for (i = 0; i < n; i++) {
		struct gm_region *r = &tmp.r[i];
		char path[64];
		struct stat st;

		if (fstat(fds[i], &st) < 0) {
			err = -errno;
			goto unmap;
		}
		/* a shorter file would SIGBUS us on access */
		if (!S_ISREG(st.st_mode) ||
		    (uint64_t)st.st_size < regs[i].mmap_offset + regs[i].size) {
			err = -EINVAL;
			goto unmap;
		}
		r->map_len = regs[i].size;
		r->map = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED | MAP_NORESERVE,
			      fds[i], (off_t)regs[i].mmap_offset);
		if (r->map == MAP_FAILED) {
			r->map = NULL;
			err = -errno;
			goto unmap;
		}
		r->base = r->map;
		r->gpa = regs[i].gpa;
		r->size = regs[i].size;
		r->uaddr = regs[i].uaddr;
		r->mmap_offset = regs[i].mmap_offset;
		/* a read-only open file description for read-only SHMEM_MAPs */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[i]);
		r->ro_fd = open(path, O_RDONLY | O_CLOEXEC);
		r->fd = fds[i];
		tmp.n = i + 1;
	}
	gm_clear(gm);
	*gm = tmp;
	return 0;
unmap:
	/* the fds stay the caller's */
	for (i = 0; i < tmp.n; i++) {
		munmap(tmp.r[i].map, tmp.r[i].map_len);
		if (tmp.r[i].ro_fd >= 0)
			close(tmp.r[i].ro_fd);
	}
	return err;
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
