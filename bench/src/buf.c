// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's dma-bufs: udmabuf over a sealed memfd, filled through the
 * memfd's own mapping.  Not vgem: in a PV domU, writing a vgem dumb buffer
 * through its mmap loops forever in drm_gem_shmem_fault (a vgem/PV
 * problem, not ours); a memfd is ordinary shmem.  udmabuf is built into
 * Debian's 6.12 kernels, which is what the benchmark runs on; its
 * size_limit_mb parameter (64 by default) is raised by bench-lib.sh.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/udmabuf.h>

#include "bench.h"

int sbuf_dev_open(void)
{
	int fd = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int sbuf_alloc(struct bench *b, uint64_t size, struct sbuf *sb)
{
	struct udmabuf_create create;
	int ret;

	memset(sb, 0, sizeof(*sb));
	sb->dmabuf = -1;
	sb->size = size;
	if (b->udmabuf < 0)
		return -ENODEV;
	if (!size || size % 4096)
		return -EINVAL;
	sb->memfd = memfd_create("hdmabuf-bench", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (sb->memfd < 0) {
		ret = -errno;
		sb->memfd = -1;
		return ret;
	}
	/* udmabuf wants the memfd unshrinkable */
	if (ftruncate(sb->memfd, (off_t)size) ||
	    fcntl(sb->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto fail;
	}
	memset(&create, 0, sizeof(create));
	create.memfd = (uint32_t)sb->memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.size = size;
	sb->dmabuf = ioctl(b->udmabuf, UDMABUF_CREATE, &create);
	if (sb->dmabuf < 0) {
		ret = -errno;
		sb->dmabuf = -1;
		goto fail;
	}
	/*
	 * Populated at once: in a PV guest every user page fault bounces
	 * through Xen, which makes filling 1 GiB by faults very slow.
	 */
	sb->map = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, sb->memfd, 0);
	if (sb->map == MAP_FAILED) {
		ret = -errno;
		sb->map = NULL;
		goto fail;
	}
	return 0;
fail:
	sbuf_free(sb);
	return ret;
}

/* The memfd and its mapping only; an export keeps holding the dma-buf. */
void sbuf_free(struct sbuf *sb)
{
	if (sb->map)
		munmap(sb->map, sb->size);
	sb->map = NULL;
	if (sb->dmabuf >= 0)
		close(sb->dmabuf);
	sb->dmabuf = -1;
	if (sb->memfd >= 0)
		close(sb->memfd);
	sb->memfd = -1;
}
