// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-VM fences over the loopback backend, with vgem's fence ioctls as
 * the producer (a fence that signals when the test says so).
 *
 * What the core must provide:
 *   - GET_INFO advertises HYPER_DMABUF_FEAT_FENCES;
 *   - exporter -> importer: after FENCE_ATTACH (fd -1, WRITE) of the
 *     exporter's pending vgem write fence, the import's poll(POLLIN) and
 *     DMA_BUF_IOCTL_EXPORT_SYNC_FILE wait until the producer signals (the
 *     wait lasts as long as the producer's delay) and then see the data
 *     it wrote before signalling; an import made while the fence is
 *     pending carries it too;
 *   - importer -> exporter: the importer's read fence (vgem, on the import
 *     PRIME-imported into vgem) attached with FENCE_ATTACH holds the
 *     exporter's writers: poll(POLLOUT) on the exported dma-buf waits for
 *     it and vgem refuses a write fence (EBUSY) meanwhile;
 *   - explicit: FENCE_ATTACH of a sync_file, FENCE_GET gives a sync_file
 *     that is active, then signalled (SYNC_IOC_FILE_INFO status 0 -> 1);
 *     with nothing pending, an already signalled one;
 *   - a peer that dies with fences pending: FENCE_GET's sync_file fails
 *     with ECONNRESET at once; a silent peer: ETIMEDOUT after
 *     fence_timeout_ms (fence_timeouts counts it);
 *   - argument errors: EINVAL (flags, fd < -1, seqno, reserved, not a
 *     sync_file, FENCE_GET fd), ENOENT (unknown handle), ENODEV (implicit
 *     fences of an offer without an import); nothing pending: seqno 0;
 *   - NR_FRAMES fenced frames, then live_fences and live_fence_waits are
 *     back to their baseline;
 *   - FENCE events (FEAT_FENCE_EVENTS), only for files that asked with
 *     EVENT_MASK: the importer's files get the exporter's write fence,
 *     only the exporting file gets the importer's read fence, each with
 *     the sender's seqno, once the proxy is in place;
 *   - tracepoints (tracefs events/hyper_dmabuf): both sides of an ATTACH
 *     and of its SIGNAL, a timeout and a peer going down show up in the
 *     trace with their seqnos and errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <drm/drm.h>
#include <drm/vgem_drm.h>

#include "hdmabuf_common.h"
#include "harness.h"
#include "hyperdmabuf.h"

#define NR_FRAMES	10000
#define DELAY_MS	400

static int vgem_fence(int card, uint32_t gem, int write, uint32_t *id)
{
	struct drm_vgem_fence_attach a;

	memset(&a, 0, sizeof(a));
	a.handle = gem;
	a.flags = write ? VGEM_FENCE_WRITE : 0;
	if (hdm_ioctl(card, DRM_IOCTL_VGEM_FENCE_ATTACH, &a))
		return -errno;
	*id = a.out_fence;
	return 0;
}

static int vgem_signal(int card, uint32_t id)
{
	struct drm_vgem_fence_signal s;

	memset(&s, 0, sizeof(s));
	s.fence = id;
	return hdm_ioctl(card, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

static int fence_get(int fd, const struct hyper_dmabuf_handle *h,
		     uint32_t flags, int *out)
{
	struct hyper_dmabuf_fence_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.handle = *h;
	g.flags = flags;
	ret = hdm_ioctl(fd, HYPER_DMABUF_IOCTL_FENCE_GET, &g);
	if (!ret)
		*out = g.fd;
	return ret;
}

/* SYNC_IOC_FILE_INFO status: 1 signalled, 0 active, < 0 error. */
static int sync_status(int fd)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -1000 - errno;
	return info.status;
}

/* poll() for @events; milliseconds it took, or -1 on timeout/error. */
static long long wait_ms(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	uint64_t t0 = now_ms();
	int ret;

	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret <= 0 || !(pfd.revents & events))
		return -1;
	return (long long)(now_ms() - t0);
}

static int ready_now(int fd, short events)
{
	return wait_ms(fd, events, 0) >= 0;
}

/* A producer that finishes its work DELAY_MS from now. */
struct producer {
	int card;
	uint32_t fence;
	void *map;		/* written before signalling, or NULL */
	size_t size;
	uint32_t seed;
	unsigned int delay_ms;
	uint64_t signalled_at;
	int ret;
};

static void *producer_run(void *arg)
{
	struct producer *p = arg;

	sleep_ms(p->delay_ms);
	if (p->map)
		pattern_fill(p->map, p->size, p->seed);
	p->signalled_at = now_ms();
	p->ret = vgem_signal(p->card, p->fence);
	return NULL;
}

FIXTURE(fence) {
	struct hdm_ctx c;
	struct vgem_buf buf;	/* 64 KiB, the exported buffer */
	bool have_buf;
	struct hyper_dmabuf_handle h;
	int imp_fd;
	void *map;
	uint32_t pending;	/* a vgem fence to signal in teardown */
};

FIXTURE_SETUP(fence)
{
	struct hyper_dmabuf_info info;
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	self->imp_fd = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	ASSERT_EQ(0, hdm_get_info(self->c.exp, &info));
	ASSERT_NE(0ULL, (unsigned long long)(info.features &
					    HYPER_DMABUF_FEAT_FENCES));
	if (self->c.card >= 0 &&
	    !vgem_alloc(self->c.card, KiB(64), &self->buf)) {
		self->have_buf = true;
		pattern_fill(self->buf.map, self->buf.size, 1);
	}
}

FIXTURE_TEARDOWN(fence)
{
	int i;

	if (self->pending)
		vgem_signal(self->c.card, self->pending);
	if (self->map)
		munmap(self->map, self->buf.size);
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	if (self->have_buf)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
	lo_knobs_reset();
	for (i = 0; i < 3; i++) {
		char v[8];

		snprintf(v, sizeof(v), "%d\n", i);
		lo_knob_write("domain_up", v);
	}
	params_restore();
}

#define NEED_BUF() do { \
	if (!self->have_buf) \
		SKIP(return, "no vgem buffer (is vgem loaded?)"); \
} while (0)

static int share(FIXTURE_DATA(fence) *self, uint32_t flags, bool import)
{
	int ret = hdm_export_simple(self->c.exp, self->c.imp, self->buf.dmabuf,
				    flags, &self->h);

	if (ret || !import)
		return ret;
	ret = hdm_import(self->c.imp, &self->h, 0, &self->imp_fd, NULL);
	if (ret)
		return ret;
	self->map = mmap(NULL, self->buf.size, PROT_READ, MAP_SHARED,
			 self->imp_fd, 0);
	if (self->map == MAP_FAILED) {
		self->map = NULL;
		return -errno;
	}
	return 0;
}

/*
 * The exporter's producer signals DELAY_MS from now; the importer waits
 * with poll() on the import, or on the sync_file EXPORT_SYNC_FILE gives.
 */
static void exporter_to_importer(struct __test_metadata *_metadata,
				 FIXTURE_DATA(fence) *self, bool sync_file)
{
	struct producer prod = { .ret = 1 };
	struct dma_buf_export_sync_file es;
	uint64_t seqno = 0, woke;
	long long waited, bad;
	pthread_t t;
	int wfd;

	NEED_BUF();
	ASSERT_EQ(0, share(self, 0, true));
	ASSERT_EQ(-1, pattern_check(self->map, self->buf.size, 1));

	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &seqno));
	EXPECT_LT(0ULL, (unsigned long long)seqno);

	wfd = self->imp_fd;
	if (sync_file) {
		memset(&es, 0, sizeof(es));
		es.flags = DMA_BUF_SYNC_READ;
		ASSERT_EQ(0, hdm_ioctl(self->imp_fd,
				       DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es));
		wfd = es.fd;
	}
	EXPECT_FALSE(ready_now(wfd, POLLIN));

	prod.card = self->c.card;
	prod.fence = self->pending;
	prod.map = self->buf.map;
	prod.size = self->buf.size;
	prod.seed = 2;
	prod.delay_ms = DELAY_MS;
	ASSERT_EQ(0, pthread_create(&t, NULL, producer_run, &prod));
	waited = wait_ms(wfd, POLLIN, 5000);
	woke = now_ms();
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, prod.ret);
	self->pending = 0;
	if (sync_file)
		close(wfd);

	ASSERT_LE(0, waited) TH_LOG("the importer never saw the fence signal");
	TH_LOG("importer waited %lld ms for a %d ms producer; woke %llu ms after the signal",
	       waited, DELAY_MS,
	       (unsigned long long)(woke - prod.signalled_at));
	EXPECT_LE(DELAY_MS - 50, waited);
	bad = pattern_check(self->map, self->buf.size, 2);
	EXPECT_EQ(-1, bad) TH_LOG("incomplete data at byte %lld", bad);
}

TEST_F_TIMEOUT(fence, exporter_to_importer_poll, 60)
{
	exporter_to_importer(_metadata, self, false);
}

TEST_F_TIMEOUT(fence, exporter_to_importer_export_sync_file, 60)
{
	exporter_to_importer(_metadata, self, true);
}

TEST_F_TIMEOUT(fence, importer_holds_exporter_writer, 60)
{
	struct producer prod = { .ret = 1 };
	struct drm_prime_handle prime;
	struct drm_gem_close gc = { 0 };
	uint32_t id = 0;
	uint64_t seqno = 0;
	long long waited;
	pthread_t t;

	NEED_BUF();
	ASSERT_EQ(0, share(self, HYPER_DMABUF_EXPORT_RW, true));
	/* The importer's reader: the import, PRIME-imported into vgem. */
	memset(&prime, 0, sizeof(prime));
	prime.fd = self->imp_fd;
	ASSERT_EQ(0, hdm_ioctl(self->c.card, DRM_IOCTL_PRIME_FD_TO_HANDLE,
			       &prime));
	ASSERT_EQ(0, vgem_fence(self->c.card, prime.handle, 0,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.imp, &self->h, -1, 0, &seqno));
	EXPECT_LT(0ULL, (unsigned long long)seqno);

	/* The exporter's writers must wait for the peer's read. */
	EXPECT_FALSE(ready_now(self->buf.dmabuf, POLLOUT));
	EXPECT_EQ(-EBUSY, vgem_fence(self->c.card, self->buf.gem, 1, &id));
	/* Readers need not. */
	EXPECT_TRUE(ready_now(self->buf.dmabuf, POLLIN));

	prod.card = self->c.card;
	prod.fence = self->pending;
	prod.delay_ms = DELAY_MS;
	ASSERT_EQ(0, pthread_create(&t, NULL, producer_run, &prod));
	waited = wait_ms(self->buf.dmabuf, POLLOUT, 5000);
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_EQ(0, prod.ret);
	self->pending = 0;
	ASSERT_LE(0, waited) TH_LOG("the exporter's writer was never released");
	TH_LOG("exporter's writer waited %lld ms for a %d ms reader", waited,
	       DELAY_MS);
	EXPECT_LE(DELAY_MS - 50, waited);
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1, &id));
	EXPECT_EQ(0, vgem_signal(self->c.card, id));
	gc.handle = prime.handle;
	ioctl(self->c.card, DRM_IOCTL_GEM_CLOSE, &gc);
}

/* The next FENCE record on @fd from domain @peer; 0 or -errno. */
static int next_fence_event(int fd, uint64_t peer,
			    struct hyper_dmabuf_event *ev)
{
	int ret;

	do {
		ret = hdm_wait_event(fd, HYPER_DMABUF_EVENT_FENCE, NULL,
				     HDM_ASYNC_MS, ev);
	} while (!ret && ev->peer != peer);
	return ret;
}

/*
 * Whether @fd has a record of @type (for FENCE: from @peer, or from any
 * peer if @peer is ANY_PEER) queued now; drains the queue.
 */
#define ANY_PEER	UINT64_MAX
static bool has_event(int fd, uint32_t type, uint64_t peer)
{
	struct hyper_dmabuf_event ev;
	bool found = false;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 0) != 1 ||
		    read(fd, &ev, sizeof(ev)) != (ssize_t)sizeof(ev))
			return found;
		if (ev.type == type &&
		    (type != HYPER_DMABUF_EVENT_FENCE || peer == ANY_PEER ||
		     ev.peer == peer))
			found = true;
	}
}

static int event_mask(int fd, uint64_t mask, uint64_t old, uint64_t res0,
		      uint64_t *was)
{
	struct hyper_dmabuf_event_mask m;
	int ret;

	memset(&m, 0, sizeof(m));
	m.mask = mask;
	m.old_mask = old;
	m.reserved[0] = res0;
	ret = hdm_ioctl(fd, HYPER_DMABUF_IOCTL_EVENT_MASK, &m);
	if (!ret && was)
		*was = m.old_mask;
	return ret;
}

#define WITH_FENCE	(HYPER_DMABUF_EVENT_MASK_DEFAULT | \
			 HYPER_DMABUF_EVENT_BIT(HYPER_DMABUF_EVENT_FENCE))

/*
 * FENCE events, for the files that asked (EVENT_MASK): the importing side
 * hears of the exporter's write fence (every such file, like OFFER), the
 * exporting file of the importer's read fence (that file only, like
 * RELEASED), each after the proxy is in place, with the seqno
 * FENCE_ATTACH returned on the other side.  A file that did not ask gets
 * none; EVENT_MASK rejects unknown bits and non-zero out/reserved fields.
 */
TEST_F_TIMEOUT(fence, events, 60)
{
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_info info;
	struct drm_prime_handle prime;
	struct drm_gem_close gc = { 0 };
	uint64_t seqno = 0, was = 0;
	int quiet;

	NEED_BUF();
	ASSERT_EQ(0, hdm_get_info(self->c.exp, &info));
	ASSERT_NE(0ULL, (unsigned long long)(info.features &
					    HYPER_DMABUF_FEAT_FENCE_EVENTS));
	EXPECT_EQ(-EINVAL, event_mask(self->c.imp, 1ULL << 9, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, event_mask(self->c.imp, 1ULL, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, event_mask(self->c.imp, WITH_FENCE, 1, 0, NULL));
	EXPECT_EQ(-EINVAL, event_mask(self->c.imp, WITH_FENCE, 0, 1, NULL));
	ASSERT_EQ(0, event_mask(self->c.imp, WITH_FENCE, 0, 0, &was));
	EXPECT_EQ((uint64_t)HYPER_DMABUF_EVENT_MASK_DEFAULT, was);
	ASSERT_EQ(0, event_mask(self->c.exp, WITH_FENCE, 0, 0, NULL));
	quiet = hdm_open(0);	/* the default mask: no FENCE */
	ASSERT_LE(0, quiet);
	ASSERT_EQ(0, share(self, HYPER_DMABUF_EXPORT_RW, true));
	hdm_drain_events(self->c.exp);
	hdm_drain_events(self->c.imp);

	/* Exporter (domain 0) -> importer (domain HDM_LO_PEER). */
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &seqno));
	ASSERT_EQ(0, next_fence_event(self->c.imp, 0, &ev));
	EXPECT_TRUE(hdm_handle_eq(&ev.handle, &self->h));
	EXPECT_EQ((uint32_t)HYPER_DMABUF_FENCE_WRITE, ev.flags);
	EXPECT_EQ((uint32_t)HYPER_DMABUF_BACKEND_LOOPBACK, ev.backend);
	EXPECT_EQ(seqno, ev.size);
	/* Posted once the proxy guards the import. */
	EXPECT_FALSE(ready_now(self->imp_fd, POLLIN));
	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	EXPECT_LE(0, wait_ms(self->imp_fd, POLLIN, 5000));

	/* Importer -> exporter: a read fence on the import. */
	memset(&prime, 0, sizeof(prime));
	prime.fd = self->imp_fd;
	ASSERT_EQ(0, hdm_ioctl(self->c.card, DRM_IOCTL_PRIME_FD_TO_HANDLE,
			       &prime));
	gc.handle = prime.handle;
	ASSERT_EQ(0, vgem_fence(self->c.card, prime.handle, 0,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.imp, &self->h, -1, 0, &seqno));
	ASSERT_EQ(0, next_fence_event(self->c.exp, HDM_LO_PEER, &ev));
	EXPECT_TRUE(hdm_handle_eq(&ev.handle, &self->h));
	EXPECT_EQ(0U, ev.flags);
	EXPECT_EQ(seqno, ev.size);
	EXPECT_FALSE(ready_now(self->buf.dmabuf, POLLOUT));
	/* Only the exporting file hears of it. */
	EXPECT_FALSE(has_event(self->c.imp, HYPER_DMABUF_EVENT_FENCE,
			       HDM_LO_PEER));
	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	EXPECT_LE(0, wait_ms(self->buf.dmabuf, POLLOUT, 5000));
	ioctl(self->c.card, DRM_IOCTL_GEM_CLOSE, &gc);
	/*
	 * Nothing for the file that did not ask, though it got the OFFER
	 * (checked first: the drain would lose it).
	 */
	EXPECT_EQ(0, hdm_wait_event(quiet, HYPER_DMABUF_EVENT_OFFER, &self->h,
				    HDM_ASYNC_MS, NULL));
	EXPECT_FALSE(has_event(quiet, HYPER_DMABUF_EVENT_FENCE, ANY_PEER));
	close(quiet);
}

TEST_F_TIMEOUT(fence, explicit_sync_file, 60)
{
	struct dma_buf_export_sync_file es;
	uint64_t seqno = 0;
	int gfd = -1, wfd = -1, ret;

	NEED_BUF();
	/* Offered, not imported yet. */
	ASSERT_EQ(0, share(self, 0, false));
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	memset(&es, 0, sizeof(es));
	es.flags = DMA_BUF_SYNC_WRITE;
	ASSERT_EQ(0, hdm_ioctl(self->buf.dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
			       &es));
	ret = hdmabuf_fence_attach(self->c.exp, &self->h, es.fd,
			   HYPER_DMABUF_FENCE_WRITE, &seqno);
	close(es.fd);
	ASSERT_EQ(0, ret);
	EXPECT_LT(0ULL, (unsigned long long)seqno);

	ASSERT_EQ(0, fence_get(self->c.imp, &self->h, 0, &gfd));
	EXPECT_EQ(0, sync_status(gfd));
	EXPECT_FALSE(ready_now(gfd, POLLIN));
	/* It is a write fence: FENCE_WRITE selects it too. */
	ASSERT_EQ(0, fence_get(self->c.imp, &self->h, HYPER_DMABUF_FENCE_WRITE,
			       &wfd));
	EXPECT_EQ(0, sync_status(wfd));
	close(wfd);
	/* An import made now carries the pending fence. */
	ASSERT_EQ(0, hdm_import(self->c.imp, &self->h, 0, &self->imp_fd,
				NULL));
	EXPECT_FALSE(ready_now(self->imp_fd, POLLIN));

	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	EXPECT_LE(0, wait_ms(gfd, POLLIN, 5000));
	EXPECT_EQ(1, sync_status(gfd));
	EXPECT_LE(0, wait_ms(self->imp_fd, POLLIN, 5000));
	close(gfd);

	/* Nothing pending: already signalled. */
	ASSERT_EQ(0, fence_get(self->c.imp, &self->h, 0, &gfd));
	EXPECT_EQ(1, sync_status(gfd));
	close(gfd);
	/* Nothing pending on our side either: nothing is sent. */
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &seqno));
	EXPECT_EQ(0ULL, (unsigned long long)seqno);
}

TEST_F_TIMEOUT(fence, peer_death_fails_fences, 60)
{
	long long waits0 = 0, v;
	uint64_t seqno = 0;
	long long waited;
	int gfd = -1, st;

	NEED_BUF();
	stat_wait_le("live_fence_waits", 0, HDM_ASYNC_MS, &waits0);
	ASSERT_EQ(0, share(self, 0, true));
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &seqno));
	ASSERT_EQ(0, fence_get(self->c.imp, &self->h, 0, &gfd));
	EXPECT_EQ(0, sync_status(gfd));

	ASSERT_EQ(0, lo_knob_write("domain_down", "0\n"));
	waited = wait_ms(gfd, POLLIN, 1000);
	EXPECT_LE(0, waited) TH_LOG("waiters still blocked 1 s after the peer died");
	st = sync_status(gfd);
	EXPECT_EQ(-ECONNRESET, st);
	EXPECT_TRUE(ready_now(self->imp_fd, POLLIN));
	close(gfd);
	/* The dead exporter's side forgot the fence it was waiting for. */
	EXPECT_EQ(0, stat_wait_le("live_fence_waits", waits0, HDM_ASYNC_MS,
				  &v)) TH_LOG("live_fence_waits %lld (was %lld)",
					      v, waits0);
	ASSERT_EQ(0, lo_knob_write("domain_up", "0\n"));
}

TEST_F_TIMEOUT(fence, silent_peer_times_out, 60)
{
	long long t0, t1;
	uint64_t seqno = 0;
	long long waited;
	int gfd = -1;

	NEED_BUF();
	ASSERT_EQ(0, param_push("fence_timeout_ms", 500));
	ASSERT_EQ(0, share(self, 0, true));
	ASSERT_EQ(0, stat_get("fence_timeouts", &t0));
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &seqno));
	ASSERT_EQ(0, fence_get(self->c.imp, &self->h, 0, &gfd));
	waited = wait_ms(gfd, POLLIN, 5000);
	ASSERT_LE(0, waited);
	TH_LOG("timed out after %lld ms (fence_timeout_ms 500)", waited);
	EXPECT_LE(400, waited);
	EXPECT_EQ(-ETIMEDOUT, sync_status(gfd));
	close(gfd);
	ASSERT_EQ(0, stat_get("fence_timeouts", &t1));
	EXPECT_EQ(t0 + 1, t1);
	EXPECT_TRUE(ready_now(self->imp_fd, POLLIN));
}

/*
 * FENCE_GET with FENCE_SEQNO: the one proxy, pending or completed, so
 * that its outcome is known after the fact (the import's own
 * EXPORT_SYNC_FILE leaves out signalled fences): a fence that timed out
 * reads -ETIMEDOUT, one the exporter signalled reads 1, an unknown seqno
 * (or that of another buffer) is ENOENT.
 */
TEST_F_TIMEOUT(fence, get_by_seqno, 60)
{
	struct dma_buf_export_sync_file es;
	uint64_t late = 0, good = 0;
	int gfd;

	NEED_BUF();
	ASSERT_EQ(0, param_push("fence_timeout_ms", 300));
	ASSERT_EQ(0, share(self, 0, true));
	/* A write fence that times out, then one that is signalled. */
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
					  HYPER_DMABUF_FENCE_WRITE, &late));
	gfd = hdmabuf_fence_get_seqno(self->c.imp, &self->h, late);
	ASSERT_LE(0, gfd);
	EXPECT_LE(0, wait_ms(gfd, POLLIN, 5000));
	close(gfd);
	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
					  HYPER_DMABUF_FENCE_WRITE, &good));
	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	ASSERT_LE(0, wait_ms(self->imp_fd, POLLIN, 5000));

	/* Both completed: the import no longer shows how. */
	memset(&es, 0, sizeof(es));
	es.flags = DMA_BUF_SYNC_READ;
	ASSERT_EQ(0, hdm_ioctl(self->imp_fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
			       &es));
	EXPECT_EQ(1, sync_status(es.fd));
	close(es.fd);
	gfd = hdmabuf_fence_get_seqno(self->c.imp, &self->h, late);
	ASSERT_LE(0, gfd) TH_LOG("FENCE_GET seqno %llu: %s",
				 (unsigned long long)late, strerror(-gfd));
	EXPECT_EQ(-ETIMEDOUT, sync_status(gfd));
	close(gfd);
	gfd = hdmabuf_fence_get_seqno(self->c.imp, &self->h, good);
	ASSERT_LE(0, gfd);
	EXPECT_EQ(1, sync_status(gfd));
	close(gfd);
	EXPECT_EQ(-ENOENT, hdmabuf_fence_get_seqno(self->c.imp, &self->h,
						   good + 1000));
}

TEST_F(fence, bad_arguments)
{
	struct hyper_dmabuf_fence_attach a;
	struct hyper_dmabuf_fence_get g;
	struct hyper_dmabuf_handle unknown;
	uint64_t seqno = 1;
	int fd = -1, null_fd;

	NEED_BUF();
	ASSERT_EQ(0, share(self, 0, false));
	memset(&a, 0, sizeof(a));
	a.handle = self->h;
	a.fd = -1;
	a.flags = 2;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
				     HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a));
	a.flags = 0;
	a.fd = -2;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
				     HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a));
	a.fd = -1;
	a.seqno = 1;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
				     HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a));
	a.seqno = 0;
	a.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.exp,
				     HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a));
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, null_fd);
	EXPECT_EQ(-EINVAL, hdmabuf_fence_attach(self->c.exp, &self->h, null_fd, 0,
					NULL));
	close(null_fd);
	hdm_handle_random(&unknown);
	EXPECT_EQ(-ENOENT, hdmabuf_fence_attach(self->c.exp, &unknown, -1, 0, NULL));
	EXPECT_EQ(-ENOENT, fence_get(self->c.exp, &unknown, 0, &fd));
	/* An offer's implicit fences are its import's: there is none. */
	EXPECT_EQ(-ENODEV, hdmabuf_fence_attach(self->c.imp, &self->h, -1, 0, NULL));
	/* Nothing pending on the export: nothing sent. */
	EXPECT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1, 0, &seqno));
	EXPECT_EQ(0ULL, (unsigned long long)seqno);

	memset(&g, 0, sizeof(g));
	g.handle = self->h;
	g.fd = 3;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET,
				     &g));
	g.fd = 0;
	g.flags = 4;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET,
				     &g));
	g.flags = 0;
	g.reserved = 1;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET,
				     &g));
	g.reserved = 0;
	g.seqno = 1;		/* without FENCE_SEQNO */
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET,
				     &g));
	g.flags = HYPER_DMABUF_FENCE_SEQNO | HYPER_DMABUF_FENCE_WRITE;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET,
				     &g));
	g.flags = HYPER_DMABUF_FENCE_SEQNO;
	g.seqno = 0;
	EXPECT_EQ(-EINVAL, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET,
				     &g));
	g.flags = 0;
	/* FENCE_SEQNO is FENCE_GET's only */
	EXPECT_EQ(-EINVAL, hdmabuf_fence_attach(self->c.imp, &self->h, -1,
						HYPER_DMABUF_FENCE_SEQNO,
						NULL));
	ASSERT_EQ(0, hdm_ioctl(self->c.imp, HYPER_DMABUF_IOCTL_FENCE_GET, &g));
	EXPECT_TRUE(fcntl(g.fd, F_GETFD) & FD_CLOEXEC);
	close(g.fd);
}

TEST_F_TIMEOUT(fence, frames_no_leak, 900)
{
	long long f0, w0, to0, f1, w1, to1;
	uint64_t t0, total, sig_to_wake = 0, seqno, last = 0, t;
	long long waited;
	int i, ret;

	NEED_BUF();
	ASSERT_EQ(0, share(self, 0, true));
	stat_wait_le("live_fences", 0, HDM_ASYNC_MS, &f0);
	ASSERT_EQ(0, stat_get("live_fence_waits", &w0));
	ASSERT_EQ(0, stat_get("fence_timeouts", &to0));

	t0 = now_ms();
	for (i = 0; i < NR_FRAMES; i++) {
		ret = vgem_fence(self->c.card, self->buf.gem, 1,
				 &self->pending);
		ASSERT_EQ(0, ret) TH_LOG("frame %d: vgem fence: %s", i,
					 strerror(-ret));
		ret = hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				   HYPER_DMABUF_FENCE_WRITE, &seqno);
		ASSERT_EQ(0, ret) TH_LOG("frame %d: FENCE_ATTACH: %s", i,
					 strerror(-ret));
		ASSERT_LT(last, seqno);
		last = seqno;
		ASSERT_FALSE(ready_now(self->imp_fd, POLLIN))
			TH_LOG("frame %d: importer not fenced", i);
		((volatile uint32_t *)self->buf.map)[0] = (uint32_t)i;
		t = now_ms();
		ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
		self->pending = 0;
		waited = wait_ms(self->imp_fd, POLLIN, 5000);
		ASSERT_LE(0, waited) TH_LOG("frame %d never signalled", i);
		sig_to_wake += now_ms() - t;
		ASSERT_EQ((uint32_t)i, ((volatile uint32_t *)self->map)[0]);
	}
	total = now_ms() - t0;
	TH_LOG("%d fenced frames in %llu ms: %.0f frames/s, signal -> importer wake %.3f ms on average",
	       NR_FRAMES, (unsigned long long)total,
	       total ? NR_FRAMES * 1000.0 / (double)total : 0.0,
	       (double)sig_to_wake / NR_FRAMES);

	/* The import's dma_resv keeps the last proxy until it goes. */
	munmap(self->map, self->buf.size);
	self->map = NULL;
	close(self->imp_fd);
	self->imp_fd = -1;
	EXPECT_EQ(0, stat_wait_le("live_fences", f0, HDM_ASYNC_MS, &f1))
		TH_LOG("live_fences %lld, baseline %lld", f1, f0);
	EXPECT_EQ(0, stat_wait_le("live_fence_waits", w0, HDM_ASYNC_MS, &w1))
		TH_LOG("live_fence_waits %lld, baseline %lld", w1, w0);
	ASSERT_EQ(0, stat_get("fence_timeouts", &to1));
	EXPECT_EQ(to0, to1);
}

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_MAX	(4 << 20)

static int tracefs_write(const char *rel, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", rel);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -EIO;
}

/* The trace buffer's text, NUL-terminated (free() it), or NULL. */
static char *tracefs_read_trace(void)
{
	char *buf = malloc(TRACE_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (len < TRACE_MAX &&
	       (n = read(fd, buf + len, TRACE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* A line of @trace with event @event that contains @what. */
static int trace_has(const char *trace, const char *event, const char *what)
{
	const char *line = trace, *end;
	char ev[64];

	snprintf(ev, sizeof(ev), " %s: ", event);
	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (memmem(line, (size_t)(end - line), ev, strlen(ev)) &&
		    memmem(line, (size_t)(end - line), what, strlen(what)))
			return 1;
	}
	return 0;
}

TEST_F_TIMEOUT(fence, tracepoints, 60)
{
	uint64_t s1 = 0, s2 = 0, s3 = 0;
	long long timeout_ms = 0;
	char want[64], *trace;
	int gfd = -1;

	NEED_BUF();
	/* The single guest has no tracefs mounted. */
	if (access(TRACEFS "/events", F_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events/hyper_dmabuf/enable", F_OK))
		SKIP(return, "no tracefs events/hyper_dmabuf (kernel without tracing?)");
	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write("tracing_on", "1"));
	ASSERT_EQ(0, tracefs_write("events/hyper_dmabuf/enable", "1"));
	ASSERT_EQ(0, param_get("fence_timeout_ms", &timeout_ms));
	ASSERT_EQ(0, share(self, 0, true));

	/* s1: attached and signalled */
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &s1));
	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	ASSERT_LE(0, wait_ms(self->imp_fd, POLLIN, 5000));
	/* s2: the peer stays silent until the proxy timed out */
	ASSERT_EQ(0, param_push("fence_timeout_ms", 300));
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &s2));
	ASSERT_EQ(0, fence_get(self->c.imp, &self->h, 0, &gfd));
	EXPECT_LE(0, wait_ms(gfd, POLLIN, 5000));
	EXPECT_EQ(-ETIMEDOUT, sync_status(gfd));
	close(gfd);
	ASSERT_EQ(0, param_set("fence_timeout_ms", timeout_ms));
	ASSERT_EQ(0, vgem_signal(self->c.card, self->pending));
	self->pending = 0;
	/* s3: pending when the exporter's domain goes down */
	ASSERT_EQ(0, vgem_fence(self->c.card, self->buf.gem, 1,
				&self->pending));
	ASSERT_EQ(0, hdmabuf_fence_attach(self->c.exp, &self->h, -1,
				  HYPER_DMABUF_FENCE_WRITE, &s3));
	ASSERT_EQ(0, lo_knob_write("domain_down", "0\n"));
	EXPECT_LE(0, wait_ms(self->imp_fd, POLLIN, 5000));
	ASSERT_EQ(0, lo_knob_write("domain_up", "0\n"));
	ASSERT_EQ(0, tracefs_write("events/hyper_dmabuf/enable", "0"));

	trace = tracefs_read_trace();
	ASSERT_NE(NULL, trace);
	snprintf(want, sizeof(want), " seqno=%llu write", (unsigned long long)s1);
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_tx_attach", want));
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_rx_attach", want));
	snprintf(want, sizeof(want), " seqno=%llu status=0", (unsigned long long)s1);
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_tx_signal", want));
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_rx_signal", want));
	snprintf(want, sizeof(want), " seqno=%llu status=%d",
		 (unsigned long long)s2, -ETIMEDOUT);
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_timeout", want));
	snprintf(want, sizeof(want), " seqno=%llu write", (unsigned long long)s3);
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_rx_attach", want));
	snprintf(want, sizeof(want), " err=%d rx_failed=1 ", -ECONNRESET);
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_peer_down", want));
	EXPECT_TRUE(trace_has(trace, "hdmabuf_fence_peer_down", " tx_dropped=1"));
	if (!_metadata->passed) {
		char *tail = trace + strlen(trace);
		int lines = 0;

		while (tail > trace && lines < 30)
			if (*--tail == '\n')
				lines++;
		TH_LOG("trace (end):\n%s", tail);
	}
	free(trace);
}

TEST_HARNESS_MAIN
