// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hyper_dmabuf ioctls fed malformed input: one case per test, each
 * with every other field valid, so the errno names the one thing wrong.
 *
 * Errno choices the core must match (from the project's errno list):
 *   unknown ioctl nr, size or magic      ENOTTY
 *   non-zero reserved/pad, unknown flag  EINVAL
 *   EXPORT fd not open                   EBADF   (closed fd and -1)
 *   EXPORT fd not a dma-buf (pipe)       EINVAL
 *   EXPORT backend not registered        ENODEV  (defined-but-absent ids
 *                                                 and undefined ids < 8)
 *   EXPORT peer unknown on loopback (99) ENXIO
 *   EXPORT opaque_len > max_opaque       EMSGSIZE
 *   EXPORT opaque_ptr unreadable         EFAULT
 *   EXPORT nr_planes > 4, plane outside
 *          the buffer, unused plane != 0 EINVAL
 *   EXPORT size > max_size_mb            EFBIG
 *   IMPORT unknown or all-zero handle    ENOENT
 *   UNEXPORT of a handle this file did
 *          not export, or unknown        ENOENT
 *   QUERY unknown handle                 ENOENT  (chosen: not in the list)
 *   LIST handles_ptr unwritable          EFAULT  (chosen: not in the list)
 * GET_INFO: max_size == max_size_mb MiB, max_opaque/max_exports equal the
 * module parameters (read at the time of the call).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "hdmabuf_common.h"
#include "harness.h"

FIXTURE(ioctl) {
	struct hdm_ctx c;
	struct vgem_buf buf;	/* 64 KiB */
	bool have_buf;
};

FIXTURE_SETUP(ioctl)
{
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	if (self->c.card >= 0)
		self->have_buf = !vgem_alloc(self->c.card, KiB(64), &self->buf);
}

FIXTURE_TEARDOWN(ioctl)
{
	if (self->have_buf)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
	params_restore();
}

#define NEED_BUF() do { \
	if (!self->have_buf) \
		SKIP(return, "no vgem buffer (is vgem loaded?)"); \
} while (0)

/* An EXPORT argument that succeeds unless the test breaks one field. */
static void good_export(FIXTURE_DATA(ioctl) *self,
			struct hyper_dmabuf_export *e)
{
	hdm_export_init(e, self->buf.dmabuf);
}

static int do_export(FIXTURE_DATA(ioctl) *self, struct hyper_dmabuf_export *e)
{
	return hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_EXPORT, e);
}

/* ------------------------------------------------------------- GET_INFO */

TEST_F(ioctl, get_info)
{
	struct hyper_dmabuf_info info;
	const uint64_t feats = HYPER_DMABUF_FEAT_MMAP | HYPER_DMABUF_FEAT_VMAP |
		HYPER_DMABUF_FEAT_CPU_ACCESS | HYPER_DMABUF_FEAT_REVOKE |
		HYPER_DMABUF_FEAT_EVENTS | HYPER_DMABUF_FEAT_UEVENTS;
	long long max_size_mb, max_opaque, max_exports;
	unsigned int i, loopback = 0;

	ASSERT_EQ(0, hdm_get_info(self->c.exp, &info));
	EXPECT_EQ(HYPER_DMABUF_ABI_VERSION, (int)info.abi_version);
	EXPECT_EQ(feats, info.features & feats);
	ASSERT_GE(HYPER_DMABUF_MAX_BACKENDS, (int)info.nr_backends);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(0ULL, info.reserved[i]);
	for (i = 0; i < info.nr_backends; i++) {
		const struct hyper_dmabuf_backend_info *b = &info.backends[i];

		EXPECT_EQ(0U, b->flags);
		EXPECT_NE(NULL, memchr(b->name, 0, sizeof(b->name)));
		if (b->id != HYPER_DMABUF_BACKEND_LOOPBACK)
			continue;
		loopback++;
		EXPECT_EQ((__u64)HDM_LO_SELF, b->own_domid);
		EXPECT_STREQ("loopback", b->name);
	}
	EXPECT_EQ(1U, loopback);

	ASSERT_EQ(0, param_get("max_size_mb", &max_size_mb));
	ASSERT_EQ(0, param_get("max_opaque", &max_opaque));
	ASSERT_EQ(0, param_get("max_exports", &max_exports));
	EXPECT_EQ((uint64_t)max_size_mb << 20, info.max_size);
	EXPECT_EQ(max_opaque, info.max_opaque);
	EXPECT_GE(HYPER_DMABUF_MAX_OPAQUE, (int)info.max_opaque);
	EXPECT_EQ(max_exports, info.max_exports);
}

/* ------------------------------------------------ ioctl number and size */

TEST_F(ioctl, unknown_nr)
{
	struct hyper_dmabuf_export e;

	memset(&e, 0, sizeof(e));
	EXPECT_EQ(-ENOTTY, hdm_ioctl(self->c.exp,
		_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x3f, struct hyper_dmabuf_export),
		&e));
	EXPECT_EQ(-ENOTTY, hdm_ioctl(self->c.exp,
		_IO(HYPER_DMABUF_IOC_MAGIC, 0x06), NULL));
}

TEST_F(ioctl, foreign_magic)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START |
					   DMA_BUF_SYNC_READ };

	EXPECT_EQ(-ENOTTY, hdm_ioctl(self->c.exp, DMA_BUF_IOCTL_SYNC, &s));
}

TEST_F(ioctl, export_size_smaller)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	EXPECT_EQ(-ENOTTY, hdm_ioctl(self->c.exp,
		_IOC(_IOC_READ | _IOC_WRITE, HYPER_DMABUF_IOC_MAGIC, 0x01,
		     sizeof(e) - 8), &e));
}

TEST_F(ioctl, export_size_larger)
{
	struct {
		struct hyper_dmabuf_export e;
		__u64 extra;
	} big;

	NEED_BUF();
	good_export(self, &big.e);
	big.extra = 0;
	EXPECT_EQ(-ENOTTY, hdm_ioctl(self->c.exp,
		_IOC(_IOC_READ | _IOC_WRITE, HYPER_DMABUF_IOC_MAGIC, 0x01,
		     sizeof(big)), &big));
}

TEST_F(ioctl, get_info_size_smaller)
{
	struct hyper_dmabuf_info info;

	memset(&info, 0, sizeof(info));
	EXPECT_EQ(-ENOTTY, hdm_ioctl(self->c.exp,
		_IOC(_IOC_READ, HYPER_DMABUF_IOC_MAGIC, 0x00,
		     offsetof(struct hyper_dmabuf_info, backends)), &info));
}

/* ------------------------------------------------------------- EXPORT */

TEST_F(ioctl, export_ok)
{
	struct hyper_dmabuf_export e1, e2;

	NEED_BUF();
	good_export(self, &e1);
	ASSERT_EQ(0, do_export(self, &e1));
	EXPECT_FALSE(hdm_handle_is_zero(&e1.handle));
	/* The same dma-buf exported twice: two exports, two handles. */
	good_export(self, &e2);
	ASSERT_EQ(0, do_export(self, &e2));
	EXPECT_FALSE(hdm_handle_eq(&e1.handle, &e2.handle));
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &e1.handle, 0, 1000));
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &e2.handle, 0, 1000));
}

TEST_F(ioctl, export_reserved_nonzero)
{
	struct hyper_dmabuf_export e;
	int i;

	NEED_BUF();
	for (i = 0; i < 4; i++) {
		good_export(self, &e);
		e.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, do_export(self, &e)) TH_LOG("reserved[%d]", i);
	}
}

TEST_F(ioctl, export_unknown_flags)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	e.flags = HYPER_DMABUF_EXPORT_VALID_FLAGS + 1;
	ASSERT_EQ(0U, HYPER_DMABUF_EXPORT_VALID_FLAGS & e.flags);
	EXPECT_EQ(-EINVAL, do_export(self, &e));
	good_export(self, &e);
	e.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, do_export(self, &e));
}

TEST_F(ioctl, export_closed_fd)
{
	struct hyper_dmabuf_export e;
	int fd;

	NEED_BUF();
	fd = dup(self->buf.dmabuf);
	ASSERT_LE(0, fd);
	close(fd);
	good_export(self, &e);
	e.fd = fd;
	EXPECT_EQ(-EBADF, do_export(self, &e));
}

TEST_F(ioctl, export_negative_fd)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	e.fd = -1;
	EXPECT_EQ(-EBADF, do_export(self, &e));
}

TEST_F(ioctl, export_not_dmabuf)
{
	struct hyper_dmabuf_export e;
	int p[2];

	NEED_BUF();
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	good_export(self, &e);
	e.fd = p[0];
	EXPECT_EQ(-EINVAL, do_export(self, &e));
	close(p[0]);
	close(p[1]);
}

TEST_F(ioctl, export_unknown_backend)
{
	static const __u32 ids[] = {
		HYPER_DMABUF_BACKEND_XEN, HYPER_DMABUF_BACKEND_VIRTIO, 7,
	};
	struct hyper_dmabuf_export e;
	struct hyper_dmabuf_info info;
	unsigned int i, j, tried = 0;

	NEED_BUF();
	ASSERT_EQ(0, hdm_get_info(self->c.exp, &info));
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		bool registered = false;

		for (j = 0; j < info.nr_backends && j < 8; j++)
			registered |= info.backends[j].id == ids[i];
		if (registered)
			continue;
		good_export(self, &e);
		e.backend = ids[i];
		EXPECT_EQ(-ENODEV, do_export(self, &e)) TH_LOG("backend %u", ids[i]);
		tried++;
	}
	EXPECT_LT(0U, tried);
}

TEST_F(ioctl, export_unknown_peer)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	e.peer = 99;
	EXPECT_EQ(-ENXIO, do_export(self, &e));
}

TEST_F(ioctl, export_opaque_too_long)
{
	struct hyper_dmabuf_info info;
	struct hyper_dmabuf_export e;
	static char blob[4096];

	NEED_BUF();
	ASSERT_EQ(0, hdm_get_info(self->c.exp, &info));
	ASSERT_GT(sizeof(blob), info.max_opaque + 1);
	good_export(self, &e);
	e.opaque_ptr = (uintptr_t)blob;
	e.opaque_len = info.max_opaque + 1;
	EXPECT_EQ(-EMSGSIZE, do_export(self, &e));
	/* The limit itself is fine. */
	good_export(self, &e);
	e.opaque_ptr = (uintptr_t)blob;
	e.opaque_len = info.max_opaque;
	ASSERT_EQ(0, do_export(self, &e));
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &e.handle, 0, 1000));
}

TEST_F(ioctl, export_opaque_bad_ptr)
{
	struct hyper_dmabuf_export e;
	void *hole;

	NEED_BUF();
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, 4096);
	good_export(self, &e);
	e.opaque_ptr = (uintptr_t)hole;
	e.opaque_len = 16;
	EXPECT_EQ(-EFAULT, do_export(self, &e));
}

TEST_F(ioctl, export_too_many_planes)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	e.meta.fourcc = HDM_FMT_XRGB8888;
	e.meta.width = 1024;
	e.meta.height = 1;
	e.meta.nr_planes = HYPER_DMABUF_MAX_PLANES + 1;
	EXPECT_EQ(-EINVAL, do_export(self, &e));
}

TEST_F(ioctl, export_plane_outside)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	e.meta.fourcc = HDM_FMT_XRGB8888;
	e.meta.width = 1024;
	e.meta.height = 1;
	e.meta.nr_planes = 1;
	e.meta.planes[0].offset = (__u32)self->buf.size;
	e.meta.planes[0].stride = 4096;
	EXPECT_EQ(-EINVAL, do_export(self, &e));
	/* stride * height past the end. */
	good_export(self, &e);
	e.meta.fourcc = HDM_FMT_XRGB8888;
	e.meta.width = 1024;
	e.meta.height = (__u32)(self->buf.size / 4096) + 1;
	e.meta.nr_planes = 1;
	e.meta.planes[0].stride = 4096;
	EXPECT_EQ(-EINVAL, do_export(self, &e));
}

TEST_F(ioctl, export_unused_plane_nonzero)
{
	struct hyper_dmabuf_export e;

	NEED_BUF();
	good_export(self, &e);
	e.meta.fourcc = HDM_FMT_XRGB8888;
	e.meta.width = 1024;
	e.meta.height = 1;
	e.meta.nr_planes = 1;
	e.meta.planes[0].stride = 4096;
	e.meta.planes[2].offset = 4096;
	EXPECT_EQ(-EINVAL, do_export(self, &e));
	good_export(self, &e);
	e.meta.planes[0].stride = 4096;	/* nr_planes == 0 */
	EXPECT_EQ(-EINVAL, do_export(self, &e));
}

TEST_F(ioctl, export_too_big)
{
	struct hyper_dmabuf_export e;
	struct vgem_buf big;
	int ret;

	NEED_BUF();
	ret = vgem_alloc(self->c.card, MiB(2), &big);
	if (ret)
		SKIP(return, "vgem 2 MiB: %s", strerror(-ret));
	ASSERT_EQ(0, param_push("max_size_mb", 1));
	hdm_export_init(&e, big.dmabuf);
	EXPECT_EQ(-EFBIG, do_export(self, &e));
	/* 64 KiB still fits. */
	good_export(self, &e);
	EXPECT_EQ(0, do_export(self, &e));
	vgem_free(&big);
}

/* ------------------------------------------------------------- IMPORT */

TEST_F(ioctl, import_unknown_handle)
{
	struct hyper_dmabuf_handle h;
	int fd = -1;

	hdm_handle_random(&h);
	EXPECT_EQ(-ENOENT, hdm_import(self->c.imp, &h, 0, &fd, NULL));
	EXPECT_EQ(-1, fd);
}

TEST_F(ioctl, import_zero_handle)
{
	struct hyper_dmabuf_handle h;
	int fd = -1;

	memset(&h, 0, sizeof(h));
	EXPECT_EQ(-ENOENT, hdm_import(self->c.imp, &h, 0, &fd, NULL));
	EXPECT_EQ(-1, fd);
}

TEST_F(ioctl, import_reserved_nonzero)
{
	struct hyper_dmabuf_import im;
	struct hyper_dmabuf_handle h;
	int i;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h));
	for (i = 0; i < 4; i++) {
		memset(&im, 0, sizeof(im));
		im.handle = h;
		im.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp,
					     HYPER_DMABUF_IOCTL_IMPORT, &im))
			TH_LOG("reserved[%d]", i);
	}
}

TEST_F(ioctl, import_unknown_flags)
{
	struct hyper_dmabuf_import im;
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h));
	memset(&im, 0, sizeof(im));
	im.handle = h;
	im.flags = HYPER_DMABUF_IMPORT_VALID_FLAGS + 1;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_IMPORT,
				     &im));
}

/* ------------------------------------------------------------- UNEXPORT */

TEST_F(ioctl, unexport_unknown)
{
	struct hyper_dmabuf_handle h;

	hdm_handle_random(&h);
	EXPECT_EQ(-ENOENT, hdm_unexport(self->c.exp, &h, 0, 0));
	EXPECT_EQ(-ENOENT, hdm_unexport(self->c.exp, &h,
					HYPER_DMABUF_UNEXPORT_REVOKE, 0));
}

TEST_F(ioctl, unexport_not_mine)
{
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h));
	EXPECT_EQ(-ENOENT, hdm_unexport(self->c.imp, &h, 0, 0));
	EXPECT_EQ(-ENOENT, hdm_unexport(self->c.imp, &h,
					HYPER_DMABUF_UNEXPORT_REVOKE, 0));
	/* The export is untouched: its owner can still withdraw it. */
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 1000));
}

TEST_F(ioctl, unexport_reserved_nonzero)
{
	struct hyper_dmabuf_unexport u;
	struct hyper_dmabuf_handle h;
	int i;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	for (i = 0; i < 2; i++) {
		memset(&u, 0, sizeof(u));
		u.handle = h;
		u.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
					     HYPER_DMABUF_IOCTL_UNEXPORT, &u))
			TH_LOG("reserved[%d]", i);
	}
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 1000));
}

TEST_F(ioctl, unexport_unknown_flags)
{
	struct hyper_dmabuf_handle h;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	EXPECT_EQ(-EINVAL, hdm_unexport(self->c.exp, &h,
			HYPER_DMABUF_UNEXPORT_VALID_FLAGS + 1, 0));
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 1000));
}

/* ------------------------------------------------------------- QUERY */

TEST_F(ioctl, query_unknown)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_handle h;

	hdm_handle_random(&h);
	EXPECT_EQ(-ENOENT, hdm_query(self->c.exp, &h, &q, NULL, 0));
}

TEST_F(ioctl, query_pad_reserved_nonzero)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_handle h;
	int i;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	ASSERT_EQ(0, hdm_query(self->c.exp, &h, &q, NULL, 0));
	memset(&q, 0, sizeof(q));
	q.handle = h;
	q.pad = 1;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_QUERY, &q));
	for (i = 0; i < 4; i++) {
		memset(&q, 0, sizeof(q));
		q.handle = h;
		q.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
					     HYPER_DMABUF_IOCTL_QUERY, &q))
			TH_LOG("reserved[%d]", i);
	}
}

/* ------------------------------------------------------------- LIST */

TEST_F(ioctl, list_finds_export)
{
	struct hyper_dmabuf_handle h, got[64];
	struct hyper_dmabuf_list l;
	unsigned int i, n;
	bool found = false;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_LIST, &l));
	EXPECT_LE(1U, l.count);
	memset(&l, 0, sizeof(l));
	memset(got, 0, sizeof(got));
	l.handles_ptr = (uintptr_t)got;
	l.capacity = 64;
	ASSERT_EQ(0, hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_LIST, &l));
	n = l.count < 64 ? l.count : 64;
	for (i = 0; i < n; i++)
		found |= hdm_handle_eq(&got[i], &h);
	if (l.count <= 64)
		EXPECT_TRUE(found);
}

TEST_F(ioctl, list_reserved_nonzero)
{
	struct hyper_dmabuf_list l;
	int i;

	for (i = 0; i < 2; i++) {
		memset(&l, 0, sizeof(l));
		l.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
					     HYPER_DMABUF_IOCTL_LIST, &l))
			TH_LOG("reserved[%d]", i);
	}
}

TEST_F(ioctl, list_bad_ptr)
{
	struct hyper_dmabuf_handle h;
	struct hyper_dmabuf_list l;
	void *hole;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	munmap(hole, 4096);
	memset(&l, 0, sizeof(l));
	l.handles_ptr = (uintptr_t)hole;
	l.capacity = 4;
	EXPECT_EQ(-EFAULT, hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_LIST, &l));
}

TEST_HARNESS_MAIN
