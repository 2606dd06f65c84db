// SPDX-License-Identifier: GPL-2.0
/*
 * Peer death and BYE: what a domain that dies, or says goodbye, leaves
 * behind.  The loopback knobs domain_down/domain_up ("N") kill and revive
 * pseudo-domain N as the Xen backend does when a guest dies: every other
 * domain hears hdmabuf_peer_down(N), and N forgets every peer.
 *
 * What the core must provide:
 *   - imports from the dead exporter are revoked: CPU mappings zapped
 *     (SIGBUS on the next touch), REVOKED for the handle and PEER_DOWN
 *     records, QUERY says REVOKED, IMPORT says ESTALE and
 *     DMA_BUF_IOCTL_SYNC says ENODEV;
 *   - exports to the dead importer are unshared: QUERY says REVOKED with
 *     no importer, the exporting file gets RELEASED, a pending
 *     UNEXPORT (wait) returns 0 at once, and UNEXPORT finishes it;
 *   - a request pending towards the dead peer fails with ECONNRESET at
 *     once, not after reply_timeout_ms; EXPORT to a dead peer fails with
 *     ENXIO;
 *   - after domain_up a fresh HELLO happens and a round trip works;
 *   - a received BYE acts like peer death (rx_bye counts it);
 *   - exports to a dead peer stay registered (REVOKED) but no longer
 *     count against max_exports: they do not block new exports;
 *   - a backend instance that unregisters while buffers live (loopback
 *     knob `unregister`, as a removed virtio device does) kills its peers
 *     like domain_down; its mapped imports get SIGBUS, exports to its
 *     peers QUERY as REVOKED, UNEXPORT and close() work afterwards, the
 *     counters return to their base, and the core never calls the gone
 *     backend again except to unmap (`late_calls` stays 0; with the lab's
 *     slub_debug poisoning a use of a freed peer oopses);
 *   - unloading the backend sends BYE to the peers it talked to (tx_bye,
 *     rx_bye: the loopback pseudo-domains hear each other's).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "hdmabuf_common.h"
#include "harness.h"

#define OP_BYE_HEX	"0x2"	/* HDMABUF_OP_BYE, protocol/hdmabuf_wire.h */
/* Much longer than anything the tests accept: a wait that hits it fails. */
#define LONG_TIMEOUT_MS	20000

FIXTURE(peer) {
	struct hdm_ctx c;
	struct vgem_buf buf;	/* 64 KiB, pattern seed 11 */
	bool have_buf;
	int imp_fd;
	void *map;
};

static int domain_knob(const char *knob, int n)
{
	char v[16];

	snprintf(v, sizeof(v), "%d\n", n);
	return lo_knob_write(knob, v);
}

FIXTURE_SETUP(peer)
{
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	self->imp_fd = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	if (self->c.card >= 0 &&
	    !vgem_alloc(self->c.card, KiB(64), &self->buf)) {
		self->have_buf = true;
		pattern_fill(self->buf.map, self->buf.size, 11);
	}
}

FIXTURE_TEARDOWN(peer)
{
	const char *dir = getenv("HDMABUF_MODDIR");
	char path[512];
	int i;

	if (self->map)
		munmap(self->map, self->buf.size);
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	if (self->have_buf)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
	lo_knobs_reset();
	for (i = 0; i < 3; i++)
		domain_knob("domain_up", i);
	params_restore();
	if (dir && !module_loaded(HDM_LO_MODULE)) {
		snprintf(path, sizeof(path), "%s/" HDM_LO_MODULE ".ko", dir);
		module_load(path, "");
	}
}

#define NEED_BUF() do { \
	if (!self->have_buf) \
		SKIP(return, "no vgem buffer (is vgem loaded?)"); \
} while (0)

/* Export to peer 1, import through c.imp, map and fault in every page. */
static int export_import_map(FIXTURE_DATA(peer) *self,
			     struct hyper_dmabuf_handle *h)
{
	int ret = hdm_export_simple(self->c.exp, self->c.imp, self->buf.dmabuf,
				    0, h);

	if (ret)
		return ret;
	ret = hdm_import(self->c.imp, h, 0, &self->imp_fd, NULL);
	if (ret)
		return ret;
	self->map = mmap(NULL, self->buf.size, PROT_READ, MAP_SHARED,
			 self->imp_fd, 0);
	if (self->map == MAP_FAILED) {
		self->map = NULL;
		return -errno;
	}
	if (pattern_check(self->map, self->buf.size, 11) != -1)
		return -EIO;
	return touch_in_child(self->map, self->buf.size) ? -EIO : 0;
}

static void drop_import(FIXTURE_DATA(peer) *self)
{
	if (self->map)
		munmap(self->map, self->buf.size);
	self->map = NULL;
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	self->imp_fd = -1;
}

/* A whole export/import/compare/unexport cycle, after a revival. */
static int round_trip(FIXTURE_DATA(peer) *self)
{
	struct hyper_dmabuf_handle h;
	int ret = export_import_map(self, &h);

	drop_import(self);
	if (ret)
		return ret;
	return hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS);
}

/* Waits for PEER_DOWN (or PEER_UP) about domain @peer on @fd. */
static int wait_peer_event(int fd, uint32_t type, uint64_t peer)
{
	uint64_t deadline = now_ms() + HDM_ASYNC_MS;
	struct hyper_dmabuf_event ev;
	int ret;

	do {
		ret = hdm_wait_event(fd, type, NULL,
				     (int)(deadline - now_ms()), &ev);
		if (!ret && ev.peer == peer &&
		    ev.backend == HYPER_DMABUF_BACKEND_LOOPBACK)
			return 0;
	} while (!ret && now_ms() < deadline);
	return ret ? ret : -ETIMEDOUT;
}

TEST_F_TIMEOUT(peer, exporter_dies_import_revoked, 60)
{
	struct hyper_dmabuf_handle h;
	struct hyper_dmabuf_query q;
	long long downs0, downs1;
	int fd = -1, sig;

	NEED_BUF();
	ASSERT_EQ(0, export_import_map(self, &h));
	ASSERT_EQ(0, stat_get("peer_downs", &downs0));

	ASSERT_EQ(0, domain_knob("domain_down", HDM_LO_SELF));

	/* The importing side (domain 1) lost its exporter (domain 0). */
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_REVOKED,
				    &h, HDM_ASYNC_MS, NULL));
	EXPECT_EQ(0, wait_peer_event(self->c.imp, HYPER_DMABUF_EVENT_PEER_DOWN,
				     HDM_LO_SELF));
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);
	ASSERT_EQ(0, hdm_query(self->c.imp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_IMPORTER, q.role);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_REVOKED, q.state);
	EXPECT_EQ(-ESTALE, hdm_import(self->c.imp, &h, 0, &fd, NULL));
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(-ENODEV, dmabuf_sync(self->imp_fd,
				       DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));

	/* Domain 0's own export to 1 died with it. */
	ASSERT_EQ(0, hdm_wait_event(self->c.exp, HYPER_DMABUF_EVENT_RELEASED,
				    &h, HDM_ASYNC_MS, NULL));
	ASSERT_EQ(0, hdm_query(self->c.exp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_EXPORTER, q.role);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_REVOKED, q.state);
	EXPECT_EQ(0U, q.importers);
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 0));
	EXPECT_EQ(-ENXIO, hdm_export(self->c.exp, self->buf.dmabuf, 0, NULL));
	ASSERT_EQ(0, stat_get("peer_downs", &downs1));
	EXPECT_LT(downs0, downs1);

	/* The old import stays revoked when the domain comes back. */
	drop_import(self);
	ASSERT_EQ(0, domain_knob("domain_up", HDM_LO_SELF));
	hdm_drain_events(self->c.exp);
	EXPECT_EQ(0, round_trip(self));
	/* Domain 0's fresh HELLO to 1 was answered. */
	EXPECT_EQ(0, wait_peer_event(self->c.exp, HYPER_DMABUF_EVENT_PEER_UP,
				     HDM_LO_PEER));
}

struct unexport_job {
	int fd;
	struct hyper_dmabuf_handle h;
	int ret;
	uint64_t ms;
};

static void *unexport_thread(void *arg)
{
	struct unexport_job *j = arg;
	uint64_t t0 = now_ms();

	j->ret = hdm_unexport(j->fd, &j->h, 0, LONG_TIMEOUT_MS);
	j->ms = now_ms() - t0;
	return NULL;
}

TEST_F_TIMEOUT(peer, importer_dies_unexport_wait_completes, 60)
{
	struct unexport_job job = { .ret = 1 };
	struct hyper_dmabuf_handle h;
	long long base_exports = 0, v;
	pthread_t t;
	int sig;

	NEED_BUF();
	stat_wait_le("live_exports", 0, HDM_ASYNC_MS, &base_exports);
	ASSERT_EQ(0, export_import_map(self, &h));

	job.fd = self->c.exp;
	job.h = h;
	ASSERT_EQ(0, pthread_create(&t, NULL, unexport_thread, &job));
	sleep_ms(300);
	ASSERT_EQ(0, domain_knob("domain_down", HDM_LO_PEER));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret) TH_LOG("UNEXPORT: %s", strerror(-job.ret));
	TH_LOG("UNEXPORT returned after %llu ms (killed at ~300 ms)",
	       (unsigned long long)job.ms);
	EXPECT_GT((uint64_t)HDM_ASYNC_MS, job.ms);
	EXPECT_EQ(0, hdm_wait_event(self->c.exp, HYPER_DMABUF_EVENT_RELEASED,
				    &h, HDM_ASYNC_MS, NULL));
	EXPECT_EQ(0, wait_peer_event(self->c.exp, HYPER_DMABUF_EVENT_PEER_DOWN,
				     HDM_LO_PEER));
	/* Domain 1's import died with it. */
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);
	drop_import(self);
	EXPECT_EQ(0, stat_wait_le("live_exports", base_exports, HDM_ASYNC_MS,
				  &v)) TH_LOG("live_exports %lld (was %lld)", v,
					      base_exports);

	ASSERT_EQ(0, domain_knob("domain_up", HDM_LO_PEER));
	EXPECT_EQ(0, round_trip(self));
}

struct import_job {
	int fd;
	struct hyper_dmabuf_handle h;
	int ret;
	int imp_fd;
	uint64_t ms;
};

static void *import_thread(void *arg)
{
	struct import_job *j = arg;
	uint64_t t0 = now_ms();

	j->imp_fd = -1;
	j->ret = hdm_import(j->fd, &j->h, 0, &j->imp_fd, NULL);
	j->ms = now_ms() - t0;
	return NULL;
}

TEST_F_TIMEOUT(peer, pending_request_fails_at_once, 60)
{
	struct import_job job = { .ret = 1 };
	struct hyper_dmabuf_handle h;
	pthread_t t;

	NEED_BUF();
	/* Connected both ways first, so the pending request is IMPORT. */
	ASSERT_EQ(0, export_import_map(self, &h));
	drop_import(self);
	ASSERT_EQ(0, stat_wait_le("live_imports", 0, HDM_ASYNC_MS, NULL));

	ASSERT_EQ(0, param_push("reply_timeout_ms", LONG_TIMEOUT_MS));
	ASSERT_EQ(0, lo_knob_write("delay_ms", "2000"));
	job.fd = self->c.imp;
	job.h = h;
	ASSERT_EQ(0, pthread_create(&t, NULL, import_thread, &job));
	sleep_ms(300);
	ASSERT_EQ(0, domain_knob("domain_down", HDM_LO_SELF));
	ASSERT_EQ(0, pthread_join(t, NULL));
	if (job.imp_fd >= 0 && !job.ret)
		close(job.imp_fd);
	EXPECT_EQ(-ECONNRESET, job.ret) TH_LOG("IMPORT: %s",
					       strerror(-job.ret));
	TH_LOG("IMPORT failed after %llu ms (killed at ~300 ms, delay 2000 ms)",
	       (unsigned long long)job.ms);
	EXPECT_GT(1500ULL, (unsigned long long)job.ms);

	ASSERT_EQ(0, lo_knob_write("delay_ms", "0"));
	ASSERT_EQ(0, domain_knob("domain_up", HDM_LO_SELF));
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 0));
	EXPECT_EQ(0, round_trip(self));
}

TEST_F_TIMEOUT(peer, received_bye_is_peer_down, 60)
{
	struct hyper_dmabuf_handle h;
	long long bye0, bye1;
	char cmd[96], hex[33];
	int sig;

	NEED_BUF();
	ASSERT_EQ(0, export_import_map(self, &h));
	ASSERT_EQ(0, stat_get("rx_bye", &bye0));

	/* Domain 1 hears BYE from domain 0 (the handle is not sent). */
	hdm_handle_hex(&h, hex);
	snprintf(cmd, sizeof(cmd), "%d %d " OP_BYE_HEX " %s\n", HDM_LO_SELF,
		 HDM_LO_PEER, hex);
	ASSERT_EQ(0, lo_knob_write("inject", cmd));
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_REVOKED,
				    &h, HDM_ASYNC_MS, NULL));
	EXPECT_EQ(0, wait_peer_event(self->c.imp, HYPER_DMABUF_EVENT_PEER_DOWN,
				     HDM_LO_SELF));
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);
	ASSERT_EQ(0, stat_get("rx_bye", &bye1));
	EXPECT_EQ(bye0 + 1, bye1);
	drop_import(self);

	/* Domain 0 did not really leave: restart it to resync both views. */
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h,
				  HYPER_DMABUF_UNEXPORT_REVOKE, 0));
	ASSERT_EQ(0, domain_knob("domain_down", HDM_LO_SELF));
	ASSERT_EQ(0, domain_knob("domain_up", HDM_LO_SELF));
	EXPECT_EQ(0, round_trip(self));
}

/* EXPORT of the fixture's buffer to loopback peer @to; 0 or -errno. */
static int export_to(FIXTURE_DATA(peer) *self, int fd, uint64_t to,
		     struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_export e;
	int ret;

	hdm_export_init(&e, self->buf.dmabuf);
	e.peer = to;
	ret = hdm_ioctl(fd, HYPER_DMABUF_IOCTL_EXPORT, &e);
	if (!ret)
		*h = e.handle;
	return ret;
}

TEST_F_TIMEOUT(peer, dead_peer_exports_do_not_count, 60)
{
	struct hyper_dmabuf_handle h[3], extra;
	struct hyper_dmabuf_query q;
	int fd, i;

	NEED_BUF();
	fd = hdm_open(0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, param_push("max_exports", 2));
	ASSERT_EQ(0, export_to(self, fd, HDM_LO_PEER, &h[0]));
	ASSERT_EQ(0, export_to(self, fd, HDM_LO_PEER, &h[1]));
	/* The cap holds while the peer lives. */
	EXPECT_EQ(-ENOSPC, export_to(self, fd, HDM_LO_OTHER, &extra));

	ASSERT_EQ(0, domain_knob("domain_down", HDM_LO_PEER));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, hdm_query(fd, &h[i], &q, NULL, 0));
		EXPECT_EQ((__u32)HYPER_DMABUF_STATE_REVOKED, q.state);
	}
	/* Both are dead weight now: two new exports fit, a third does not. */
	EXPECT_EQ(0, export_to(self, fd, HDM_LO_OTHER, &h[2]));
	EXPECT_EQ(0, export_to(self, fd, HDM_LO_OTHER, &extra));
	EXPECT_EQ(-ENOSPC, export_to(self, fd, HDM_LO_OTHER, &extra));

	/* Unexporting the dead ones gives nothing back twice. */
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, hdm_unexport(fd, &h[i], 0, 0));
	EXPECT_EQ(-ENOSPC, export_to(self, fd, HDM_LO_OTHER, &extra));
	EXPECT_EQ(0, hdm_unexport(fd, &h[2], HYPER_DMABUF_UNEXPORT_REVOKE, 0));
	EXPECT_EQ(0, export_to(self, fd, HDM_LO_OTHER, &h[2]));
	close(fd);

	ASSERT_EQ(0, domain_knob("domain_up", HDM_LO_PEER));
	EXPECT_EQ(0, round_trip(self));
}

/* Unloads the backend (every buffer must be gone) and loads it again. */
static int reload_backend(const char *path)
{
	uint64_t deadline = now_ms() + HDM_ASYNC_MS;
	int ret;

	do {
		ret = module_delete(HDM_LO_MODULE, O_NONBLOCK);
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			break;
		sleep_ms(50);
	} while (now_ms() < deadline);
	return ret ? ret : module_load(path, "");
}

/* It unloads and reloads the backend. */
TEST_F_TIMEOUT(peer, unregister_with_live_buffers, 60)
{
	const char *dir = getenv("HDMABUF_MODDIR");
	long long base_exports = 0, base_imports = 0, base_offers = 0;
	long long late, v;
	struct hyper_dmabuf_handle h, h2;
	struct hyper_dmabuf_query q;
	char path[512];
	int sig;

	if (!dir || !*dir)
		SKIP(return, "HDMABUF_MODDIR not set");
	NEED_BUF();
	snprintf(path, sizeof(path), "%s/" HDM_LO_MODULE ".ko", dir);
	ASSERT_EQ(0, access(path, R_OK)) TH_LOG("%s: %s", path, strerror(errno));
	stat_wait_le("live_exports", 0, HDM_ASYNC_MS, &base_exports);
	stat_wait_le("live_imports", 0, HDM_ASYNC_MS, &base_imports);
	stat_wait_le("live_offers", 0, HDM_ASYNC_MS, &base_offers);

	/* An import mapped on domain 1, a second export not imported. */
	ASSERT_EQ(0, export_import_map(self, &h));
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h2));

	/* The importer's backend instance goes: its peers die with it. */
	ASSERT_EQ(0, domain_knob("unregister", HDM_LO_PEER));
	EXPECT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_REVOKED,
				    &h, HDM_ASYNC_MS, NULL));
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);
	ASSERT_EQ(0, hdm_query(self->c.imp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_REVOKED, q.state);
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, q.backend);
	EXPECT_EQ((__u64)HDM_LO_SELF, q.peer);

	/* Then the exporter's: its exports point to peers of a gone backend. */
	ASSERT_EQ(0, domain_knob("unregister", HDM_LO_SELF));
	ASSERT_EQ(0, hdm_query(self->c.exp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_REVOKED, q.state);
	EXPECT_EQ((__u32)HYPER_DMABUF_BACKEND_LOOPBACK, q.backend);
	EXPECT_EQ((__u64)HDM_LO_PEER, q.peer);
	EXPECT_EQ(0U, q.importers);
	ASSERT_EQ(0, hdm_query(self->c.exp, &h2, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_REVOKED, q.state);
	/* A pending UNEXPORT has nothing to wait for; REVOKE asks nobody. */
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, LONG_TIMEOUT_MS));
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h2,
				  HYPER_DMABUF_UNEXPORT_REVOKE, 0));

	/* The import is released after both backends went. */
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);
	EXPECT_EQ(0, munmap(self->map, self->buf.size));
	self->map = NULL;
	EXPECT_EQ(0, close(self->imp_fd));
	self->imp_fd = -1;
	EXPECT_EQ(0, stat_wait_le("live_exports", base_exports, HDM_ASYNC_MS,
				  &v)) TH_LOG("live_exports %lld (was %lld)", v,
					      base_exports);
	EXPECT_EQ(0, stat_wait_le("live_imports", base_imports, HDM_ASYNC_MS,
				  &v)) TH_LOG("live_imports %lld (was %lld)", v,
					      base_imports);
	EXPECT_EQ(0, stat_wait_le("live_offers", base_offers, HDM_ASYNC_MS,
				  &v)) TH_LOG("live_offers %lld (was %lld)", v,
					      base_offers);

	/* Only unmap may reach an unregistered backend. */
	ASSERT_EQ(0, lo_knob_get("late_calls", &late));
	EXPECT_EQ(0, late);

	vgem_free(&self->buf);
	self->have_buf = false;
	hdm_ctx_close(&self->c);
	EXPECT_EQ(0, reload_backend(path));
}

/* Last: it unloads and reloads the backend. */
TEST_F_TIMEOUT(peer, unload_sends_bye, 60)
{
	const char *dir = getenv("HDMABUF_MODDIR");
	long long tx0, tx1, rx0, rx1;
	uint64_t deadline;
	char path[512];
	int ret;

	if (!dir || !*dir)
		SKIP(return, "HDMABUF_MODDIR not set");
	NEED_BUF();
	snprintf(path, sizeof(path), "%s/" HDM_LO_MODULE ".ko", dir);
	ASSERT_EQ(0, access(path, R_OK)) TH_LOG("%s: %s", path, strerror(errno));
	/* Domains 0 and 1 have exchanged HELLOs. */
	ASSERT_EQ(0, round_trip(self));
	vgem_free(&self->buf);
	self->have_buf = false;
	hdm_ctx_close(&self->c);
	ASSERT_EQ(0, stat_get("tx_bye", &tx0));
	ASSERT_EQ(0, stat_get("rx_bye", &rx0));

	deadline = now_ms() + HDM_ASYNC_MS;
	do {
		ret = module_delete(HDM_LO_MODULE, O_NONBLOCK);
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			break;
		sleep_ms(50);
	} while (now_ms() < deadline);
	ASSERT_EQ(0, ret) TH_LOG("delete_module: %s", strerror(-ret));
	ASSERT_EQ(0, stat_get("tx_bye", &tx1));
	ASSERT_EQ(0, stat_get("rx_bye", &rx1));
	TH_LOG("unload: tx_bye +%lld, rx_bye +%lld", tx1 - tx0, rx1 - rx0);
	/* Domain 0 said BYE to 1 at least, and 1 (still there) heard it. */
	EXPECT_LE(tx0 + 1, tx1);
	EXPECT_LE(rx0 + 1, rx1);
	ASSERT_EQ(0, module_load(path, ""));
}

TEST_HARNESS_MAIN
