// SPDX-License-Identifier: GPL-2.0
/*
 * libhyperdmabuf: udmabuf buffers (a sealed memfd turned into a dma-buf) as
 * a source of page-backed dma-bufs where vgem's CPU mappings do not work
 * (a Xen PV domU).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/udmabuf.h>

#include "hyperdmabuf.h"

int hdmabuf_udmabuf_alloc(uint64_t size, struct hdmabuf_udmabuf *b)
{
	struct udmabuf_create create;
	long page = sysconf(_SC_PAGESIZE);
	int dev, ret;

	memset(b, 0, sizeof(*b));
	b->memfd = -1;
	b->dmabuf = -1;
	if (!size || page <= 0)
		return -EINVAL;
	b->size = (size + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;

	dev = hdmabuf_open_chrdev("/dev/udmabuf", "/sys/class/misc/udmabuf/dev");
	if (dev < 0)
		return dev;
	/* udmabuf wants the memfd sealed against shrinking. */
	b->memfd = memfd_create("hyperdmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (b->memfd < 0 || ftruncate(b->memfd, (off_t)b->size) ||
	    fcntl(b->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto fail;
	}
	memset(&create, 0, sizeof(create));
	create.memfd = (uint32_t)b->memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.size = b->size;
	b->dmabuf = ioctl(dev, UDMABUF_CREATE, &create);
	if (b->dmabuf < 0) {
		ret = -errno;
		goto fail;
	}
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->memfd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		ret = -errno;
		goto fail;
	}
	close(dev);
	return 0;
fail:
	close(dev);
	hdmabuf_udmabuf_free(b);
	return ret;
}

void hdmabuf_udmabuf_free(struct hdmabuf_udmabuf *b)
{
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	b->dmabuf = -1;
	if (b->memfd >= 0)
		close(b->memfd);
	b->memfd = -1;
}
