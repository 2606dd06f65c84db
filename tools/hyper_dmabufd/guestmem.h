/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guestmem.h - one guest's memory table (VHOST_USER_SET_MEM_TABLE): the
 * regions are mapped read-only; every guest-physical or front-end address
 * is translated through here, and only whole ranges inside one region are
 * ever accepted.  Writes go through pwrite() on the region's file.
 */
#ifndef HDMABUFD_GUESTMEM_H
#define HDMABUFD_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

#include "vu_proto.h"

/*
 * With VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS the table grows one region
 * per ADD_MEM_REG: QEMU also adds every SHMEM_MAP mapping of the guest's
 * shared-memory region as a region of its own.
 */
#define GM_MAX_REGIONS	512

struct gm_region {
	uint64_t gpa;		/* guest physical base */
	uint64_t size;
	uint64_t uaddr;		/* front-end (QEMU) virtual base */
	uint64_t mmap_offset;	/* offset of gpa in fd */
	int fd;			/* as received */
	int writable;		/* fd was opened for writing */
	/*
	 * Added while the device ran: a SHMEM_MAP mapping (another guest's
	 * memory) in this guest's shared-memory region, not its own RAM.
	 * Never part of what this guest may export (pgdir_xlate.c).
	 */
	int shm;
	const uint8_t *base;	/* read-only view of [gpa, gpa + size) */
	void *map;		/* what munmap() takes */
	size_t map_len;
};

struct guestmem {
	unsigned int n;
	struct gm_region r[GM_MAX_REGIONS];
};

/*
 * Validate a SET_MEM_TABLE payload of @size bytes with @nfds descriptors:
 * region count in [1, VU_MAX_REGIONS] and equal to @nfds, payload big
 * enough, every region non-empty, page aligned, without wrap-around and
 * without overlap (guest-physical or user addresses).  Copies the regions
 * to @out.  Returns the region count or -EINVAL.
 */
int gm_parse_table(const void *payload, size_t size, int nfds,
		   struct vu_region *out);

/*
 * Map @n validated regions read-only; on success the guestmem owns @fds.
 * Each file must be at least mmap_offset + size bytes long.
 * Returns 0 or -errno (nothing owned on error).
 */
int gm_set(struct guestmem *gm, const struct vu_region *regs, unsigned int n,
	   const int *fds);
void gm_init(struct guestmem *gm);
void gm_clear(struct guestmem *gm);
/*
 * ADD_MEM_REG: validate @reg like a table entry, refuse overlap with the
 * regions present, map it; on success the guestmem owns @fd.
 */
int gm_add(struct guestmem *gm, const struct vu_region *reg, int fd);
/* REM_MEM_REG: remove the region with this gpa, size and user address. */
int gm_remove(struct guestmem *gm, const struct vu_region *reg);


/* Region holding all of [gpa, gpa + len), len >= 1, or NULL. */
const struct gm_region *gm_find(const struct guestmem *gm, uint64_t gpa,
				uint64_t len);
/* Read-only pointer to [gpa, gpa + len), or NULL if not in one region. */
const void *gm_ptr(const struct guestmem *gm, uint64_t gpa, uint64_t len);
/* Front-end address range -> guest-physical address; 0 or -EFAULT. */
int gm_uaddr_to_gpa(const struct guestmem *gm, uint64_t uaddr, uint64_t len,
		    uint64_t *gpa);
/* Write @len bytes at @gpa (inside one region); 0 or -EFAULT / -EIO. */
int gm_write(const struct guestmem *gm, uint64_t gpa, const void *buf,
	     size_t len);

#endif /* HDMABUFD_GUESTMEM_H */
