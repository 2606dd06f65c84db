// SPDX-License-Identifier: GPL-2.0
/*
 * libhyperdmabuf: vgem dumb buffers as a source of page-backed dma-bufs,
 * vgem fences, and character devices without devtmpfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/dma-buf.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>

#include "hyperdmabuf.h"

int hdmabuf_open_chrdev(const char *dev, const char *sysfs_dev)
{
	char path[64], buf[32];
	unsigned int maj, min;
	int fd, sfd, err;
	ssize_t n;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	sfd = open(sysfs_dev, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		return -ENODEV;
	n = read(sfd, buf, sizeof(buf) - 1);
	close(sfd);
	if (n <= 0)
		return -ENODEV;
	buf[n] = '\0';
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -ENODEV;
	snprintf(path, sizeof(path), "/tmp/.hyperdmabuf-chrdev.%d",
		 (int)getpid());
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)))
		return -errno;
	fd = open(path, O_RDWR | O_CLOEXEC);
	err = errno;
	unlink(path);
	return fd < 0 ? -err : fd;
}

int hdmabuf_vgem_open(void)
{
	char path[64], sysfs[64], name[32];
	int i;

	for (i = 0; i < 64; i++) {
		struct drm_version v;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		snprintf(sysfs, sizeof(sysfs), "/sys/class/drm/card%d/dev", i);
		fd = hdmabuf_open_chrdev(path, sysfs);
		if (fd < 0)
			continue;
		memset(&v, 0, sizeof(v));
		memset(name, 0, sizeof(name));
		v.name = name;
		v.name_len = sizeof(name) - 1;
		if (!ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, "vgem"))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

int hdmabuf_vgem_alloc(int card, uint32_t width, uint32_t height,
		       uint32_t bpp, struct hdmabuf_vgem_buf *b)
{
	struct drm_mode_create_dumb create;
	struct drm_prime_handle prime;
	struct drm_mode_map_dumb map;
	int ret;

	memset(b, 0, sizeof(*b));
	b->card = card;
	b->dmabuf = -1;
	if (!width || !height || !bpp || bpp % 8)
		return -EINVAL;

	memset(&create, 0, sizeof(create));
	create.width = width;
	create.height = height;
	create.bpp = bpp;
	if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	b->gem = create.handle;
	b->width = width;
	b->height = height;
	b->bpp = bpp;
	b->pitch = create.pitch;
	b->size = create.size;

	memset(&prime, 0, sizeof(prime));
	prime.handle = b->gem;
	prime.flags = DRM_CLOEXEC | DRM_RDWR;
	prime.fd = -1;
	if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime)) {
		ret = -errno;
		goto fail;
	}
	b->dmabuf = prime.fd;

	memset(&map, 0, sizeof(map));
	map.handle = b->gem;
	if (ioctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		ret = -errno;
		goto fail;
	}
	b->map = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, card,
		      (off_t)map.offset);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	hdmabuf_vgem_free(b);
	return ret;
}

int hdmabuf_vgem_alloc_size(int card, uint64_t size,
			    struct hdmabuf_vgem_buf *b)
{
	uint64_t lines = (size + 4095) / 4096;

	if (!size || lines > UINT32_MAX) {
		memset(b, 0, sizeof(*b));
		b->dmabuf = -1;
		return -EINVAL;
	}
	/* 1024 pixels at 32 bpp: 4096-byte lines, so size = lines pages. */
	return hdmabuf_vgem_alloc(card, 1024, (uint32_t)lines, 32, b);
}

void hdmabuf_vgem_free(struct hdmabuf_vgem_buf *b)
{
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	b->dmabuf = -1;
	if (b->gem) {
		struct drm_gem_close cl = { .handle = b->gem };

		ioctl(b->card, DRM_IOCTL_GEM_CLOSE, &cl);
		b->gem = 0;
	}
}

int hdmabuf_dmabuf_sync(int dmabuf_fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };
	int ret;

	do {
		ret = ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

int hdmabuf_vgem_fence_attach(int card, uint32_t gem, int write,
			      uint32_t *fence)
{
	struct drm_vgem_fence_attach a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.handle = gem;
	a.flags = write ? VGEM_FENCE_WRITE : 0;
	ret = hdmabuf_ioctl(card, DRM_IOCTL_VGEM_FENCE_ATTACH, &a);
	if (!ret)
		*fence = a.out_fence;
	return ret;
}

int hdmabuf_vgem_fence_signal(int card, uint32_t fence)
{
	struct drm_vgem_fence_signal s;

	memset(&s, 0, sizeof(s));
	s.fence = fence;
	return hdmabuf_ioctl(card, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

int hdmabuf_prime_import(int card, int dmabuf_fd, uint32_t *gem)
{
	struct drm_prime_handle p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.fd = dmabuf_fd;
	ret = hdmabuf_ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);
	if (!ret)
		*gem = p.handle;
	return ret;
}

void hdmabuf_gem_close(int card, uint32_t gem)
{
	struct drm_gem_close cl = { .handle = gem };

	if (gem)
		ioctl(card, DRM_IOCTL_GEM_CLOSE, &cl);
}
