// SPDX-License-Identifier: GPL-2.0
/*
 * vgem dumb buffers; see vgem.h.  The DRM uapi headers come from
 * tests/selftests/include (Debian ships them only in libdrm-dev).
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

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <linux/udmabuf.h>

#include "vgem.h"

/*
 * Opens the character device @dev, or, without devtmpfs, a private node
 * made from the "MAJ:MIN" in @sysfs_dev.  Returns an fd or -errno.
 */
static int open_chrdev(const char *dev, const char *sysfs_dev)
{
	char path[64], buf[32];
	unsigned int maj, min;
	int fd, n, sfd;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	sfd = open(sysfs_dev, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		return -ENODEV;
	n = (int)read(sfd, buf, sizeof(buf) - 1);
	close(sfd);
	if (n <= 0)
		return -ENODEV;
	buf[n] = 0;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -ENODEV;
	snprintf(path, sizeof(path), "/tmp/.hdmabuf-chrdev.%d", (int)getpid());
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)))
		return -errno;
	fd = open(path, O_RDWR | O_CLOEXEC);
	n = errno;
	unlink(path);
	return fd < 0 ? -n : fd;
}

int vgem_open(void)
{
	char path[64], sysfs[64], name[32];
	int i;

	for (i = 0; i < 64; i++) {
		struct drm_version v;
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		snprintf(sysfs, sizeof(sysfs), "/sys/class/drm/card%d/dev", i);
		fd = open_chrdev(path, sysfs);
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

int vgem_fb_create(int card, uint32_t width, uint32_t height,
		   struct vgem_fb *fb)
{
	struct drm_mode_create_dumb create;
	struct drm_prime_handle prime;
	struct drm_mode_map_dumb map;
	int ret;

	memset(fb, 0, sizeof(*fb));
	fb->card = card;
	fb->dmabuf = -1;
	fb->memfd = -1;
	memset(&create, 0, sizeof(create));
	create.width = width;
	create.height = height;
	create.bpp = 32;
	if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &create))
		return -errno;
	fb->gem = create.handle;
	fb->width = width;
	fb->height = height;
	fb->pitch = create.pitch;
	fb->size = create.size;

	memset(&prime, 0, sizeof(prime));
	prime.handle = fb->gem;
	prime.flags = DRM_CLOEXEC | DRM_RDWR;
	prime.fd = -1;
	if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime)) {
		ret = -errno;
		goto fail;
	}
	fb->dmabuf = prime.fd;

	memset(&map, 0, sizeof(map));
	map.handle = fb->gem;
	if (ioctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		ret = -errno;
		goto fail;
	}
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       card, (off_t)map.offset);
	if (fb->map == MAP_FAILED) {
		fb->map = NULL;
		ret = -errno;
		goto fail;
	}
	return 0;
fail:
	vgem_fb_destroy(fb);
	return ret;
}

int udmabuf_fb_create(uint32_t width, uint32_t height, struct vgem_fb *fb)
{
	struct udmabuf_create create;
	long page = sysconf(_SC_PAGESIZE);
	int dev, ret;

	memset(fb, 0, sizeof(*fb));
	fb->card = -1;
	fb->dmabuf = -1;
	fb->memfd = -1;
	fb->width = width;
	fb->height = height;
	fb->pitch = width * 4;
	fb->size = ((uint64_t)fb->pitch * height + page - 1) / page * page;

	dev = open_chrdev("/dev/udmabuf", "/sys/class/misc/udmabuf/dev");
	if (dev < 0)
		return dev;
	fb->memfd = memfd_create("hdmabuf-fb", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fb->memfd < 0 || ftruncate(fb->memfd, (off_t)fb->size) ||
	    fcntl(fb->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		goto fail;
	}
	memset(&create, 0, sizeof(create));
	create.memfd = (uint32_t)fb->memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.size = fb->size;
	fb->dmabuf = ioctl(dev, UDMABUF_CREATE, &create);
	if (fb->dmabuf < 0) {
		ret = -errno;
		goto fail;
	}
	fb->map = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fb->memfd, 0);
	if (fb->map == MAP_FAILED) {
		fb->map = NULL;
		ret = -errno;
		goto fail;
	}
	close(dev);
	return 0;
fail:
	close(dev);
	vgem_fb_destroy(fb);
	return ret;
}

void vgem_fb_destroy(struct vgem_fb *fb)
{
	if (fb->map)
		munmap(fb->map, fb->size);
	fb->map = NULL;
	if (fb->dmabuf >= 0)
		close(fb->dmabuf);
	fb->dmabuf = -1;
	if (fb->gem) {
		struct drm_gem_close gc = { .handle = fb->gem };

		ioctl(fb->card, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	fb->gem = 0;
	if (fb->memfd >= 0)
		close(fb->memfd);
	fb->memfd = -1;
}
