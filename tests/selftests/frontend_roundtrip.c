// SPDX-License-Identifier: GPL-2.0
/*
 * Data and metadata travel intact from an exporter to an importer over the
 * loopback backend: vgem dumb buffers exported to pseudo-domain 1 and
 * imported back through a second open file of the same device.
 *
 * What the core must provide beyond the errno list:
 *   - an import is readable right after IMPORT returns (mmap PROT_READ,
 *     MAP_SHARED), DMA_BUF_IOCTL_SYNC begin/end succeed on it, and a
 *     read-write one can be imported into vgem (attach + map_dma_buf);
 *   - a read-only import refuses device mappings that let the device
 *     write (DMA_FROM_DEVICE, DMA_BIDIRECTIONAL) with EACCES, so the
 *     PRIME import into vgem (which maps bidirectionally) fails;
 *   - IMPORT's fd is O_CLOEXEC unless IMPORT_NO_CLOEXEC, O_RDONLY for a
 *     read-only export (so mmap(PROT_WRITE, MAP_SHARED) and a later
 *     mprotect(PROT_WRITE) fail with EACCES), O_RDWR for EXPORT_RW;
 *   - importing one handle twice gives the same dma-buf (same inode), and
 *     the importer's QUERY then says importers == 1;
 *   - the OFFER record and QUERY carry the export's fourcc, size, flags,
 *     typed metadata and opaque bytes; the importer sees peer 0 (loopback
 *     exports leave from pseudo-domain 0), the exporter sees peer 1;
 *   - QUERY copies min(opaque_cap, opaque_len) bytes, reports the full
 *     opaque_len.
 * IMPORT is only attempted after the OFFER record was seen: offers arrive
 * asynchronously.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <drm/drm.h>

#include "hdmabuf_common.h"
#include "harness.h"

/* ------------------------------------------------- data, per size */

FIXTURE(size) {
	struct hdm_ctx c;
	struct vgem_buf buf;
	int imp_fd;
	void *imp_map;
	uint64_t imp_size;
};

FIXTURE_VARIANT(size) {
	uint64_t bytes;
};

FIXTURE_VARIANT_ADD(size, s4k)   { .bytes = KiB(4) };
FIXTURE_VARIANT_ADD(size, s64k)  { .bytes = KiB(64) };
FIXTURE_VARIANT_ADD(size, s1m)   { .bytes = MiB(1) };
FIXTURE_VARIANT_ADD(size, s8m)   { .bytes = MiB(8) };
FIXTURE_VARIANT_ADD(size, s32m)  { .bytes = MiB(32) };
FIXTURE_VARIANT_ADD(size, s256m) { .bytes = MiB(256) };

FIXTURE_SETUP(size)
{
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	self->imp_fd = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
}

FIXTURE_TEARDOWN(size)
{
	if (self->imp_map)
		munmap(self->imp_map, self->imp_size);
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	if (self->buf.gem)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
	params_restore();
}

TEST_F_TIMEOUT(size, data_matches, 300)
{
	struct hyper_dmabuf_handle h;
	long long max_mb, bad;
	uint64_t avail;
	int ret;

	if (self->c.card < 0)
		SKIP(return, "vgem not available");
	avail = mem_available();
	/* The buffer, plus headroom for the rest of the guest. */
	if (avail && avail < variant->bytes + MiB(96))
		SKIP(return, "MemAvailable %llu MiB too small for %llu MiB",
		     (unsigned long long)(avail >> 20),
		     (unsigned long long)(variant->bytes >> 20));
	ASSERT_EQ(0, param_get("max_size_mb", &max_mb));
	if ((uint64_t)max_mb << 20 < variant->bytes)
		ASSERT_EQ(0, param_push("max_size_mb",
					(long long)(variant->bytes >> 20)));

	ret = vgem_alloc(self->c.card, variant->bytes, &self->buf);
	if (ret == -ENOMEM || ret == -ENOSPC)
		SKIP(return, "vgem allocation: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("vgem_alloc: %s", strerror(-ret));
	ASSERT_EQ(variant->bytes, self->buf.size);
	pattern_fill(self->buf.map, self->buf.size, 0x5eed0001);

	ret = hdm_export_simple(self->c.exp, self->c.imp, self->buf.dmabuf, 0,
				&h);
	if (ret == -ENOMEM)
		SKIP(return, "EXPORT: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("EXPORT: %s", strerror(-ret));

	ret = hdm_import(self->c.imp, &h, 0, &self->imp_fd, &self->imp_size);
	if (ret == -ENOMEM)
		SKIP(return, "IMPORT: %s", strerror(-ret));
	ASSERT_EQ(0, ret) TH_LOG("IMPORT: %s", strerror(-ret));
	ASSERT_EQ(self->buf.size, self->imp_size);

	self->imp_map = mmap(NULL, self->imp_size, PROT_READ, MAP_SHARED,
			     self->imp_fd, 0);
	ASSERT_NE(MAP_FAILED, self->imp_map) self->imp_map = NULL;
	ASSERT_EQ(0, dmabuf_sync(self->imp_fd,
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	bad = pattern_check(self->imp_map, self->imp_size, 0x5eed0001);
	EXPECT_EQ(-1, bad) TH_LOG("first mismatch at byte %lld", bad);
	ASSERT_EQ(0, dmabuf_sync(self->imp_fd,
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));

	/* All released: the exporter may now withdraw without waiting. */
	munmap(self->imp_map, self->imp_size);
	self->imp_map = NULL;
	close(self->imp_fd);
	self->imp_fd = -1;
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS));
}

/* ------------------------------------------------- one 64 KiB buffer */

FIXTURE(rt) {
	struct hdm_ctx c;
	struct vgem_buf buf;	/* 64 KiB, pattern seed 1 */
	bool have_buf;
	int fd[2];		/* imports */
	void *map;
};

FIXTURE_SETUP(rt)
{
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	self->fd[0] = self->fd[1] = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	if (self->c.card >= 0 &&
	    !vgem_alloc(self->c.card, KiB(64), &self->buf)) {
		self->have_buf = true;
		pattern_fill(self->buf.map, self->buf.size, 1);
	}
}

FIXTURE_TEARDOWN(rt)
{
	if (self->map)
		munmap(self->map, self->buf.size);
	if (self->fd[0] >= 0)
		close(self->fd[0]);
	if (self->fd[1] >= 0)
		close(self->fd[1]);
	if (self->have_buf)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
	params_restore();
}

#define NEED_BUF() do { \
	if (!self->have_buf) \
		SKIP(return, "no vgem buffer (is vgem loaded?)"); \
} while (0)

/* Export (with @flags) and import once into self->fd[0]. */
static int export_import(FIXTURE_DATA(rt) *self, uint32_t eflags,
			 uint32_t iflags, struct hyper_dmabuf_handle *h)
{
	int ret = hdm_export_simple(self->c.exp, self->c.imp, self->buf.dmabuf,
				    eflags, h);

	if (ret)
		return ret;
	return hdm_import(self->c.imp, h, iflags, &self->fd[0], NULL);
}

TEST_F(rt, sync_begin_end)
{
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, 0, 0, &h));
	EXPECT_EQ(0, dmabuf_sync(self->fd[0],
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, dmabuf_sync(self->fd[0],
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
}

TEST_F(rt, sync_begin_end_rw)
{
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, HYPER_DMABUF_EXPORT_RW, 0, &h));
	EXPECT_EQ(0, dmabuf_sync(self->fd[0],
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0, dmabuf_sync(self->fd[0],
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
}

TEST_F(rt, prime_import_into_vgem)
{
	struct drm_prime_handle prime;
	struct drm_gem_close gc;
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, HYPER_DMABUF_EXPORT_RW, 0, &h));
	memset(&prime, 0, sizeof(prime));
	prime.fd = self->fd[0];
	ASSERT_EQ(0, hdm_ioctl(self->c.card, DRM_IOCTL_PRIME_FD_TO_HANDLE,
			       &prime));
	EXPECT_NE(0U, prime.handle);
	memset(&gc, 0, sizeof(gc));
	gc.handle = prime.handle;
	EXPECT_EQ(0, hdm_ioctl(self->c.card, DRM_IOCTL_GEM_CLOSE, &gc));
}

TEST_F(rt, prime_import_read_only_refused)
{
	struct drm_prime_handle prime;
	struct drm_gem_close gc;
	struct hyper_dmabuf_handle h;
	int ret;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, 0, 0, &h));
	memset(&prime, 0, sizeof(prime));
	prime.fd = self->fd[0];
	ret = hdm_ioctl(self->c.card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime);
	EXPECT_EQ(-EACCES, ret) TH_LOG("PRIME import: %s", strerror(-ret));
	if (!ret) {
		memset(&gc, 0, sizeof(gc));
		gc.handle = prime.handle;
		hdm_ioctl(self->c.card, DRM_IOCTL_GEM_CLOSE, &gc);
	}
	/* The CPU may still read it. */
	self->map = mmap(NULL, self->buf.size, PROT_READ, MAP_SHARED,
			 self->fd[0], 0);
	ASSERT_NE(MAP_FAILED, self->map) self->map = NULL;
	EXPECT_EQ(-1, pattern_check(self->map, self->buf.size, 1));
}

TEST_F(rt, cloexec_default)
{
	struct hyper_dmabuf_handle h;
	int fl;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, 0, 0, &h));
	fl = fcntl(self->fd[0], F_GETFD);
	ASSERT_LE(0, fl);
	EXPECT_TRUE(fl & FD_CLOEXEC);
}

TEST_F(rt, no_cloexec)
{
	struct hyper_dmabuf_handle h;
	int fl;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, 0, HYPER_DMABUF_IMPORT_NO_CLOEXEC,
				   &h));
	fl = fcntl(self->fd[0], F_GETFD);
	ASSERT_LE(0, fl);
	EXPECT_FALSE(fl & FD_CLOEXEC);
}

TEST_F(rt, readonly_default)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_handle h;
	void *p;
	int fl;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, 0, 0, &h));
	fl = fcntl(self->fd[0], F_GETFL);
	ASSERT_LE(0, fl);
	EXPECT_EQ(O_RDONLY, fl & O_ACCMODE);
	ASSERT_EQ(0, hdm_query(self->c.imp, &h, &q, NULL, 0));
	EXPECT_EQ(0U, q.flags & HYPER_DMABUF_EXPORT_RW);

	p = mmap(NULL, self->buf.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd[0], 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	if (p != MAP_FAILED)
		munmap(p, self->buf.size);

	/* A read-only mapping cannot be upgraded either. */
	self->map = mmap(NULL, self->buf.size, PROT_READ, MAP_SHARED,
			 self->fd[0], 0);
	ASSERT_NE(MAP_FAILED, self->map) self->map = NULL;
	EXPECT_EQ(-1, pattern_check(self->map, self->buf.size, 1));
	EXPECT_EQ(-1, mprotect(self->map, self->buf.size,
			       PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
}

TEST_F(rt, readwrite_visible_to_exporter)
{
	struct hyper_dmabuf_handle h;
	long long bad;
	int fl;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, HYPER_DMABUF_EXPORT_RW, 0, &h));
	fl = fcntl(self->fd[0], F_GETFL);
	ASSERT_LE(0, fl);
	EXPECT_EQ(O_RDWR, fl & O_ACCMODE);

	self->map = mmap(NULL, self->buf.size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->fd[0], 0);
	ASSERT_NE(MAP_FAILED, self->map) self->map = NULL;
	ASSERT_EQ(0, dmabuf_sync(self->fd[0],
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	pattern_fill(self->map, self->buf.size, 0xabcdef);
	ASSERT_EQ(0, dmabuf_sync(self->fd[0],
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));

	ASSERT_EQ(0, dmabuf_sync(self->buf.dmabuf,
				 DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	bad = pattern_check(self->buf.map, self->buf.size, 0xabcdef);
	EXPECT_EQ(-1, bad) TH_LOG("first mismatch at byte %lld", bad);
	ASSERT_EQ(0, dmabuf_sync(self->buf.dmabuf,
				 DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
}

TEST_F(rt, import_twice_same_dmabuf)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_handle h;
	struct stat st0, st1;

	NEED_BUF();
	ASSERT_EQ(0, export_import(self, 0, 0, &h));
	ASSERT_EQ(0, hdm_import(self->c.imp, &h, 0, &self->fd[1], NULL));
	EXPECT_NE(self->fd[0], self->fd[1]);
	ASSERT_EQ(0, fstat(self->fd[0], &st0));
	ASSERT_EQ(0, fstat(self->fd[1], &st1));
	EXPECT_EQ(st0.st_ino, st1.st_ino);
	ASSERT_EQ(0, hdm_query(self->c.imp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_IMPORTER, q.role);
	EXPECT_EQ(1U, q.importers);
}

static const struct hyper_dmabuf_meta test_meta = {
	.fourcc = HDM_FMT_XRGB8888,
	.nr_planes = 1,
	.modifier = 0,		/* DRM_FORMAT_MOD_LINEAR */
	.width = 1024,
	.height = 16,
	.planes = { { .offset = 0, .stride = 4096 } },
};

TEST_F(rt, metadata_roundtrip)
{
	struct hyper_dmabuf_export e;
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_query q;
	unsigned char opaque[100], got[HYPER_DMABUF_MAX_OPAQUE];
	unsigned int i;

	NEED_BUF();
	for (i = 0; i < sizeof(opaque); i++)
		opaque[i] = (unsigned char)(i * 7 + 3);
	hdm_export_init(&e, self->buf.dmabuf);
	e.flags = HYPER_DMABUF_EXPORT_RW;
	e.meta = test_meta;
	e.opaque_ptr = (uintptr_t)opaque;
	e.opaque_len = sizeof(opaque);
	ASSERT_EQ(0, hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_EXPORT, &e));

	/* The OFFER record. */
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_OFFER,
				    &e.handle, HDM_ASYNC_MS, &ev));
	EXPECT_EQ((__u32)HYPER_DMABUF_EXPORT_RW, ev.flags);
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, ev.backend);
	EXPECT_EQ(test_meta.fourcc, ev.fourcc);
	EXPECT_EQ((__u64)HDM_LO_SELF, ev.peer);
	EXPECT_EQ(self->buf.size, ev.size);

	/* The importer's view of the offer. */
	memset(got, 0xee, sizeof(got));
	ASSERT_EQ(0, hdm_query(self->c.imp, &e.handle, &q, got, sizeof(got)));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_IMPORTER, q.role);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_SHARED, q.state);
	EXPECT_EQ(self->buf.size, q.size);
	EXPECT_EQ((__u64)HDM_LO_SELF, q.peer);
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, q.backend);
	EXPECT_EQ((__u32)HYPER_DMABUF_EXPORT_RW, q.flags);
	EXPECT_EQ(0U, q.importers);
	EXPECT_EQ(0, memcmp(&test_meta, &q.meta, sizeof(q.meta)));
	EXPECT_EQ(sizeof(opaque), q.opaque_len);
	EXPECT_EQ(0, memcmp(opaque, got, sizeof(opaque)));
	EXPECT_EQ(0xee, got[sizeof(opaque)]);

	/* The exporter's view of its export. */
	memset(got, 0xee, sizeof(got));
	ASSERT_EQ(0, hdm_query(self->c.exp, &e.handle, &q, got, sizeof(got)));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_EXPORTER, q.role);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_SHARED, q.state);
	EXPECT_EQ(self->buf.size, q.size);
	EXPECT_EQ((__u64)HDM_LO_PEER, q.peer);
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, q.backend);
	EXPECT_EQ((__u32)HYPER_DMABUF_EXPORT_RW, q.flags);
	EXPECT_EQ(0U, q.importers);
	EXPECT_EQ(0, memcmp(&test_meta, &q.meta, sizeof(q.meta)));
	EXPECT_EQ(sizeof(opaque), q.opaque_len);
	EXPECT_EQ(0, memcmp(opaque, got, sizeof(opaque)));

	/* A short opaque buffer: full length reported, cap bytes copied. */
	memset(got, 0xee, sizeof(got));
	ASSERT_EQ(0, hdm_query(self->c.imp, &e.handle, &q, got, 10));
	EXPECT_EQ(sizeof(opaque), q.opaque_len);
	EXPECT_EQ(0, memcmp(opaque, got, 10));
	EXPECT_EQ(0xee, got[10]);

	/* Once imported, both views count the import. */
	ASSERT_EQ(0, hdm_import(self->c.imp, &e.handle, 0, &self->fd[0], NULL));
	ASSERT_EQ(0, hdm_query(self->c.imp, &e.handle, &q, NULL, 0));
	EXPECT_EQ(1U, q.importers);
	ASSERT_EQ(0, hdm_query(self->c.exp, &e.handle, &q, NULL, 0));
	EXPECT_EQ(1U, q.importers);
}

TEST_F(rt, no_metadata_roundtrip)
{
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_meta zero;
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	memset(&zero, 0, sizeof(zero));
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_OFFER, &h,
				    HDM_ASYNC_MS, &ev));
	EXPECT_EQ(0U, ev.flags);
	EXPECT_EQ(0U, ev.fourcc);
	ASSERT_EQ(0, hdm_query(self->c.imp, &h, &q, NULL, 0));
	EXPECT_EQ(0U, q.opaque_len);
	EXPECT_EQ(0U, q.flags);
	EXPECT_EQ(0, memcmp(&zero, &q.meta, sizeof(q.meta)));
}

TEST_HARNESS_MAIN
