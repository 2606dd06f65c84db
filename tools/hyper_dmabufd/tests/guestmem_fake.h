/* SPDX-License-Identifier: GPL-2.0 */
/* guestmem_fake.h - a guest memory of memfd regions for the tests. */
#ifndef HDMABUFD_GUESTMEM_FAKE_H
#define HDMABUFD_GUESTMEM_FAKE_H

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guestmem.h"

/* one region [gpa, gpa + size) backed by a memfd; *rw = writable view */
static inline int fake_mem(struct guestmem *gm, uint64_t gpa, uint64_t size,
			   uint64_t uaddr, uint8_t **rw)
{
	struct vu_region r = { gpa, size, uaddr, 0 };
	int fd = memfd_create("fake-guest", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, (off_t)size))
		return -1;
	*rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*rw == MAP_FAILED)
		return -1;
	gm_init(gm);
	if (gm_set(gm, &r, 1, &fd)) {
		close(fd);
		return -1;
	}
	return 0;
}

#endif
