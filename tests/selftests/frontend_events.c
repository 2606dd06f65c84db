// SPDX-License-Identifier: GPL-2.0
/*
 * Event records read() from /dev/hyper_dmabuf, poll(), queue overflow, the
 * exporter's RELEASED record, and the KOBJ_CHANGE uevent of an offer.
 *
 * Errno choices: read() with a buffer smaller than one record -> EINVAL
 * (even with records queued, and the record is not lost); non-blocking
 * read() of an empty queue -> EAGAIN.
 *
 * What the core must provide beyond the errno list:
 *   - every open file of the device gets its own copy of every offer
 *     (OFFER records are broadcast), so a second file listens;
 *   - a freshly opened file has nothing queued (no POLLIN);
 *   - event_queue_depth is read when a file is opened; with depth D a file
 *     keeps at most D records (OFFERs, oldest first), followed by one
 *     OVERFLOW record whose size is the number of records dropped:
 *     kept OFFERs + dropped == offers posted;
 *   - seq grows by one per record of a file;
 *   - RELEASED (handle, backend loopback, peer 1) reaches the exporting
 *     file once the importer closed every fd and mapping, not before;
 *   - the offer uevent: ACTION=change, HYPER_DMABUF_EVENT=offer,
 *     HYPER_DMABUF_HANDLE=<32 lower-case hex>, HYPER_DMABUF_SIZE=<bytes>,
 *     HYPER_DMABUF_FOURCC=<decimal or 0x hex>, HYPER_DMABUF_PEER=<the same
 *     domain as the OFFER record's peer, i.e. 0 on loopback: the exporting
 *     pseudo-domain>.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "hdmabuf_common.h"
#include "harness.h"

#define NR_OVERFLOW_OFFERS	10
#define SMALL_DEPTH		4

FIXTURE(ev) {
	struct hdm_ctx c;
	struct vgem_buf buf[NR_OVERFLOW_OFFERS];	/* 4 KiB each */
	int nr_buf;
	int extra;		/* another file, opened by the test */
	int imp_fd;
	void *map;
	int sock;
};

FIXTURE_SETUP(ev)
{
	int ret = hdm_ctx_open(&self->c), i;

	for (i = 0; i < NR_OVERFLOW_OFFERS; i++)
		self->buf[i].dmabuf = -1;
	self->extra = self->imp_fd = self->sock = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	if (self->c.card >= 0 &&
	    !vgem_alloc(self->c.card, KiB(4), &self->buf[0]))
		self->nr_buf = 1;
}

FIXTURE_TEARDOWN(ev)
{
	int i;

	if (self->map)
		munmap(self->map, KiB(4));
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	if (self->extra >= 0)
		close(self->extra);
	if (self->sock >= 0)
		close(self->sock);
	for (i = 0; i < self->nr_buf; i++)
		vgem_free(&self->buf[i]);
	hdm_ctx_close(&self->c);
	params_restore();
}

#define NEED_BUF() do { \
	if (!self->nr_buf) \
		SKIP(return, "no vgem buffer (is vgem loaded?)"); \
} while (0)

TEST_F(ev, offer_record)
{
	struct hyper_dmabuf_handle h1, h2;
	struct hyper_dmabuf_event ev1, ev2;
	struct pollfd pfd;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf[0].dmabuf, 0, &h1));
	pfd.fd = self->c.imp;
	pfd.events = POLLIN;
	pfd.revents = 0;
	ASSERT_EQ(1, poll(&pfd, 1, HDM_ASYNC_MS));
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_OFFER, &h1,
				    HDM_ASYNC_MS, &ev1));
	EXPECT_EQ(0U, ev1.flags);
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, ev1.backend);
	EXPECT_EQ((__u64)HDM_LO_SELF, ev1.peer);
	EXPECT_EQ(self->buf[0].size, ev1.size);
	EXPECT_EQ(0ULL, ev1.reserved);

	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf[0].dmabuf,
				HYPER_DMABUF_EXPORT_RW, &h2));
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_OFFER, &h2,
				    HDM_ASYNC_MS, &ev2));
	EXPECT_EQ((__u32)HYPER_DMABUF_EXPORT_RW, ev2.flags);
	EXPECT_LT(ev1.seq, ev2.seq);
}

TEST_F(ev, poll_wakes_on_offer)
{
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_handle h;
	struct pollfd pfd;

	NEED_BUF();
	self->extra = hdm_open(0);
	ASSERT_LE(0, self->extra);
	pfd.fd = self->extra;
	pfd.events = POLLIN;
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0)) TH_LOG("a new file has events queued");

	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf[0].dmabuf, 0, &h));
	pfd.revents = 0;
	ASSERT_EQ(1, poll(&pfd, 1, HDM_ASYNC_MS));
	EXPECT_TRUE(pfd.revents & POLLIN);
	ASSERT_EQ((ssize_t)sizeof(ev), read(self->extra, &ev, sizeof(ev)));
	EXPECT_EQ((__u32)HYPER_DMABUF_EVENT_OFFER, ev.type);
	EXPECT_TRUE(hdm_handle_eq(&h, &ev.handle));
}

TEST_F(ev, read_short_buffer)
{
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_handle h;
	char small[sizeof(ev) - 1];

	NEED_BUF();
	self->extra = hdm_open(O_NONBLOCK);
	ASSERT_LE(0, self->extra);
	EXPECT_EQ(-1, read(self->extra, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);

	/* With a record queued too; the record survives. */
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf[0].dmabuf, 0, &h));
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_OFFER, &h,
				    HDM_ASYNC_MS, NULL));
	EXPECT_EQ(-1, read(self->extra, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->extra, small, 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, hdm_wait_event(self->extra, HYPER_DMABUF_EVENT_OFFER, &h,
				    HDM_ASYNC_MS, NULL));
}

TEST_F(ev, read_nonblock_empty)
{
	struct hyper_dmabuf_event ev;

	self->extra = hdm_open(O_NONBLOCK);
	ASSERT_LE(0, self->extra);
	EXPECT_EQ(-1, read(self->extra, &ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(ev, read_whole_records)
{
	struct hyper_dmabuf_handle h1, h2;
	struct hyper_dmabuf_event evs[4];
	ssize_t n;

	NEED_BUF();
	self->extra = hdm_open(O_NONBLOCK);
	ASSERT_LE(0, self->extra);
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf[0].dmabuf, 0, &h1));
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf[0].dmabuf, 0, &h2));
	/* Room for three records and a half: two whole records come back. */
	n = read(self->extra, evs, sizeof(evs) - sizeof(evs[0]) / 2);
	ASSERT_LE(0, n);
	EXPECT_EQ(0, n % (ssize_t)sizeof(evs[0]));
	ASSERT_LE((ssize_t)(2 * sizeof(evs[0])), n);
	EXPECT_TRUE(hdm_handle_eq(&h1, &evs[0].handle));
	EXPECT_TRUE(hdm_handle_eq(&h2, &evs[1].handle));
	EXPECT_EQ(evs[0].seq + 1, evs[1].seq);
}

TEST_F(ev, overflow)
{
	struct hyper_dmabuf_handle h[NR_OVERFLOW_OFFERS];
	struct hyper_dmabuf_event ev;
	unsigned int offers = 0, overflows = 0, others = 0, records = 0;
	unsigned long long lost = 0;
	int i;

	NEED_BUF();
	for (i = 1; i < NR_OVERFLOW_OFFERS; i++) {
		ASSERT_EQ(0, vgem_alloc(self->c.card, KiB(4), &self->buf[i]));
		self->nr_buf++;
	}
	/* The depth is taken when a file is opened. */
	ASSERT_EQ(0, param_push("event_queue_depth", SMALL_DEPTH));
	self->extra = hdm_open(O_NONBLOCK);
	ASSERT_LE(0, self->extra);
	params_restore();

	for (i = 0; i < NR_OVERFLOW_OFFERS; i++)
		ASSERT_EQ(0, hdm_export(self->c.exp, self->buf[i].dmabuf, 0,
					&h[i]));
	/* c.imp has the default depth: once it saw all ten, so did extra. */
	for (i = 0; i < NR_OVERFLOW_OFFERS; i++)
		ASSERT_EQ(0, hdm_wait_event(self->c.imp,
					    HYPER_DMABUF_EVENT_OFFER, &h[i],
					    HDM_ASYNC_MS, NULL)) TH_LOG("offer %d", i);

	while (read(self->extra, &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
		records++;
		if (ev.type == HYPER_DMABUF_EVENT_OFFER) {
			/* Oldest kept: the first exports, in order. */
			if (offers < NR_OVERFLOW_OFFERS)
				EXPECT_TRUE(hdm_handle_eq(&h[offers],
							  &ev.handle));
			offers++;
		} else if (ev.type == HYPER_DMABUF_EVENT_OVERFLOW) {
			overflows++;
			lost += ev.size;
			EXPECT_TRUE(hdm_handle_is_zero(&ev.handle));
		} else {
			others++;
		}
		ASSERT_GE(64U, records);
	}
	EXPECT_EQ(EAGAIN, errno);
	TH_LOG("%u offers, %u overflow records (%llu lost), %u others",
	       offers, overflows, lost, others);
	EXPECT_EQ(0U, others);
	EXPECT_LE(offers, (unsigned int)SMALL_DEPTH);
	EXPECT_LT(0U, offers);
	EXPECT_EQ(1U, overflows);
	EXPECT_EQ((unsigned long long)NR_OVERFLOW_OFFERS, offers + lost);

	/* The queue works normally afterwards. */
	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf[0].dmabuf, 0, &h[0]));
	EXPECT_EQ(0, hdm_wait_event(self->extra, HYPER_DMABUF_EVENT_OFFER,
				    &h[0], HDM_ASYNC_MS, NULL));
}

TEST_F(ev, released_after_last_close)
{
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_handle h;
	int dupfd;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf[0].dmabuf, 0, &h));
	ASSERT_EQ(0, hdm_import(self->c.imp, &h, 0, &self->imp_fd, NULL));
	self->map = mmap(NULL, KiB(4), PROT_READ, MAP_SHARED, self->imp_fd, 0);
	ASSERT_NE(MAP_FAILED, self->map) self->map = NULL;
	dupfd = dup(self->imp_fd);
	ASSERT_LE(0, dupfd);
	close(self->imp_fd);
	self->imp_fd = -1;
	close(dupfd);

	/* The mapping still holds the import. */
	EXPECT_EQ(-ETIMEDOUT, hdm_wait_event(self->c.exp,
					     HYPER_DMABUF_EVENT_RELEASED, &h,
					     300, NULL));
	munmap(self->map, KiB(4));
	self->map = NULL;
	ASSERT_EQ(0, hdm_wait_event(self->c.exp, HYPER_DMABUF_EVENT_RELEASED,
				    &h, HDM_ASYNC_MS, &ev));
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, ev.backend);
	EXPECT_EQ((__u64)HDM_LO_PEER, ev.peer);
	/* Nobody imports it any more: UNEXPORT does not wait. */
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 1000));
}

TEST_F(ev, uevent_offer)
{
	struct hyper_dmabuf_export e;
	struct hyper_dmabuf_event ev;
	char hex[33], msg[8192];
	const char *v;
	int len;

	NEED_BUF();
	self->sock = uevent_open();
	ASSERT_LE(0, self->sock) TH_LOG("uevent socket: %s",
					strerror(-self->sock));
	hdm_export_init(&e, self->buf[0].dmabuf);
	e.meta.fourcc = HDM_FMT_XRGB8888;
	e.meta.width = 1024;
	e.meta.height = 1;
	e.meta.nr_planes = 1;
	e.meta.planes[0].stride = 4096;
	ASSERT_EQ(0, hdm_ioctl(self->c.exp, HYPER_DMABUF_IOCTL_EXPORT, &e));
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_OFFER,
				    &e.handle, HDM_ASYNC_MS, &ev));
	hdm_handle_hex(&e.handle, hex);
	len = uevent_wait(self->sock, "offer", hex, HDM_ASYNC_MS, msg,
			  sizeof(msg));
	ASSERT_LT(0, len) TH_LOG("no offer uevent for %s: %s", hex,
				 strerror(-len));
	EXPECT_EQ(0, strncmp(msg, "change@", 7)) TH_LOG("header %s", msg);
	v = uevent_get(msg, (size_t)len, "ACTION");
	ASSERT_NE(NULL, v);
	EXPECT_STREQ("change", v);
	v = uevent_get(msg, (size_t)len, "HYPER_DMABUF_SIZE");
	ASSERT_NE(NULL, v);
	EXPECT_EQ(self->buf[0].size, strtoull(v, NULL, 0));
	v = uevent_get(msg, (size_t)len, "HYPER_DMABUF_FOURCC");
	ASSERT_NE(NULL, v);
	EXPECT_EQ((unsigned long long)HDM_FMT_XRGB8888, strtoull(v, NULL, 0));
	v = uevent_get(msg, (size_t)len, "HYPER_DMABUF_PEER");
	ASSERT_NE(NULL, v);
	/* The same domain as the OFFER record's: the exporting one. */
	EXPECT_EQ((unsigned long long)ev.peer, strtoull(v, NULL, 0));
	EXPECT_EQ((unsigned long long)HDM_LO_SELF, strtoull(v, NULL, 0));
}

TEST_HARNESS_MAIN
