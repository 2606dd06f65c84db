// SPDX-License-Identifier: GPL-2.0
/*
 * Exporters other than vgem: udmabuf (a memfd's pages) and the system
 * dma-heap.  Each buffer is filled by its owner, exported to loopback
 * peer 1, imported, mapped and compared byte for byte; a read-write export
 * then carries the importer's writes back to the owner.  Skipped where the
 * kernel lacks the exporter (Debian's 6.1 has neither).
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
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "hdmabuf_common.h"
#include "harness.h"

/* Opens @dev, or a private node made from @sysfs_dev without devtmpfs. */
static int open_dev(const char *dev, const char *sysfs_dev)
{
	char path[64], buf[32];
	unsigned int maj, min;
	int fd, sfd, n;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd < 0 ? -errno : fd;
	sfd = open(sysfs_dev, O_RDONLY | O_CLOEXEC);
	if (sfd < 0)
		return -ENOENT;
	n = (int)read(sfd, buf, sizeof(buf) - 1);
	close(sfd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = 0;
	if (sscanf(buf, "%u:%u", &maj, &min) != 2)
		return -ENOENT;
	snprintf(path, sizeof(path), "/tmp/hdmabuf-exp.%d", (int)getpid());
	if (mknod(path, S_IFCHR | 0600, makedev(maj, min)))
		return -errno;
	fd = open(path, O_RDWR | O_CLOEXEC);
	n = errno;
	unlink(path);
	return fd < 0 ? -n : fd;
}

FIXTURE(exporter) {
	struct hdm_ctx c;
	int dmabuf;		/* the exporter's dma-buf */
	void *src;		/* the owner's view of the buffer */
	int memfd;
	int imp_fd;
	void *map;
};

FIXTURE_VARIANT(exporter) {
	bool heap;		/* else udmabuf */
	uint64_t bytes;
};

FIXTURE_VARIANT_ADD(exporter, udmabuf_64k) { .heap = false, .bytes = KiB(64) };
FIXTURE_VARIANT_ADD(exporter, udmabuf_4m)  { .heap = false, .bytes = MiB(4) };
FIXTURE_VARIANT_ADD(exporter, heap_64k)    { .heap = true, .bytes = KiB(64) };
FIXTURE_VARIANT_ADD(exporter, heap_4m)     { .heap = true, .bytes = MiB(4) };

static int udmabuf_alloc(FIXTURE_DATA(exporter) *self, uint64_t bytes)
{
	struct udmabuf_create create;
	int dev, ret;

	dev = open_dev("/dev/udmabuf", "/sys/class/misc/udmabuf/dev");
	if (dev < 0)
		return dev;
	self->memfd = memfd_create("hdmabuf-udmabuf", MFD_ALLOW_SEALING);
	if (self->memfd < 0 || ftruncate(self->memfd, (off_t)bytes) ||
	    fcntl(self->memfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		ret = -errno;
		close(dev);
		return ret;
	}
	memset(&create, 0, sizeof(create));
	create.memfd = (__u32)self->memfd;
	create.flags = UDMABUF_FLAGS_CLOEXEC;
	create.size = bytes;
	self->dmabuf = ioctl(dev, UDMABUF_CREATE, &create);
	ret = self->dmabuf < 0 ? -errno : 0;
	close(dev);
	if (ret)
		return ret;
	self->src = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->memfd, 0);
	if (self->src == MAP_FAILED) {
		self->src = NULL;
		return -errno;
	}
	return 0;
}

static int heap_alloc(FIXTURE_DATA(exporter) *self, uint64_t bytes)
{
	struct dma_heap_allocation_data a;
	int heap, ret;

	heap = open_dev("/dev/dma_heap/system",
			"/sys/class/dma_heap/system/dev");
	if (heap < 0)
		return heap;
	memset(&a, 0, sizeof(a));
	a.len = bytes;
	a.fd_flags = O_RDWR | O_CLOEXEC;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a) ? -errno : 0;
	close(heap);
	if (ret)
		return ret;
	self->dmabuf = (int)a.fd;
	self->src = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->dmabuf, 0);
	if (self->src == MAP_FAILED) {
		self->src = NULL;
		return -errno;
	}
	return 0;
}

FIXTURE_SETUP(exporter)
{
	int ret = hdm_ctx_open(&self->c);

	self->dmabuf = self->memfd = self->imp_fd = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
}

FIXTURE_TEARDOWN(exporter)
{
	if (self->map)
		munmap(self->map, variant->bytes);
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	if (self->src)
		munmap(self->src, variant->bytes);
	if (self->dmabuf >= 0)
		close(self->dmabuf);
	if (self->memfd >= 0)
		close(self->memfd);
	hdm_ctx_close(&self->c);
}

/* The owner writes through its own view, bracketed like a CPU writer. */
static void owner_fill(FIXTURE_DATA(exporter) *self, uint64_t bytes,
		       uint32_t seed)
{
	dmabuf_sync(self->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	pattern_fill(self->src, bytes, seed);
	dmabuf_sync(self->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

TEST_F_TIMEOUT(exporter, round_trip_and_write_back, 120)
{
	struct hyper_dmabuf_handle h;
	uint64_t size = 0;
	long long bad;
	int ret;

	ret = variant->heap ? heap_alloc(self, variant->bytes) :
			      udmabuf_alloc(self, variant->bytes);
	if (ret == -ENOENT || ret == -ENODEV || ret == -ENOTTY)
		SKIP(return, "%s not available: %s",
		     variant->heap ? "system dma-heap" : "udmabuf",
		     strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("allocation: %s", strerror(-ret));
	owner_fill(self, variant->bytes, 0xabc00001);

	ret = hdm_export_simple(self->c.exp, self->c.imp, self->dmabuf,
				HYPER_DMABUF_EXPORT_RW, &h);
	ASSERT_EQ(0, ret) TH_LOG("EXPORT: %s", strerror(-ret));
	ASSERT_EQ(0, hdm_import(self->c.imp, &h, 0, &self->imp_fd, &size));
	ASSERT_EQ(variant->bytes, size);
	self->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->imp_fd, 0);
	ASSERT_NE(MAP_FAILED, self->map) self->map = NULL;

	/* Owner -> importer, byte exact. */
	ASSERT_EQ(0, dmabuf_sync(self->imp_fd,
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	bad = pattern_check(self->map, size, 0xabc00001);
	EXPECT_EQ(-1, bad) TH_LOG("importer differs at byte %lld", bad);
	ASSERT_EQ(0, dmabuf_sync(self->imp_fd,
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* Importer -> owner: the same pages. */
	ASSERT_EQ(0, dmabuf_sync(self->imp_fd,
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	pattern_fill(self->map, size, 0xabc00002);
	ASSERT_EQ(0, dmabuf_sync(self->imp_fd,
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	dmabuf_sync(self->dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	bad = pattern_check(self->src, size, 0xabc00002);
	dmabuf_sync(self->dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	EXPECT_EQ(-1, bad) TH_LOG("owner differs at byte %lld", bad);

	munmap(self->map, size);
	self->map = NULL;
	close(self->imp_fd);
	self->imp_fd = -1;
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS));
}

TEST_HARNESS_MAIN
