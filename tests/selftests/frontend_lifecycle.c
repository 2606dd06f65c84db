// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer lifetime: UNEXPORT waiting and revoking, the exporter closing
 * under a live import, the loopback fault knobs, many cycles without
 * leaks, and unloading the backend module with and without live buffers.
 *
 * Errno choices (from the project's list):
 *   UNEXPORT wait, importer still holds the buffer   ETIMEDOUT
 *   IMPORT of a withdrawn (or revoked) offer          ESTALE
 *   IMPORT whose request is lost (drop_next)          ETIMEDOUT
 *   delete_module(loopback, O_NONBLOCK) while an
 *   export exists                                     EWOULDBLOCK or EBUSY
 *
 * What the core must provide beyond the errno list:
 *   - UNEXPORT without REVOKE and without importer returns 0 at once;
 *     after ETIMEDOUT the export and the importer's offer both QUERY as
 *     WITHDRAWN, the importer's files get a WITHDRAWN record, and a later
 *     UNEXPORT returns 0 once the import is gone;
 *   - UNEXPORT with REVOKE returns 0 after the importer's CPU mappings are
 *     zapped (pages touched before fault again and get SIGBUS) and the
 *     REVOKED record is queued; closing the exporting file does the same;
 *   - live_exports and live_imports in debugfs stats drop back to their
 *     value before the test (0 in a quiet guest) once every fd and mapping
 *     is gone;
 *   - `timeouts` counts the lost IMPORT reply; a magic-corrupted
 *     EXPORT_ANNOUNCE adds exactly 1 to rx_rejected and produces no OFFER;
 *     a RELEASE injected from pseudo-domain 2 for an export to domain 1
 *     adds 1 to rx_foreign_peer and changes nothing (the loopback
 *     `inject` knob parses OPCODE as hex and introduces FROM with a HELLO
 *     first);
 *   - a live export pins hyper_dmabuf_loopback.ko; open files of
 *     /dev/hyper_dmabuf without buffers do not.
 * The module is reloaded with default parameters (nr_domains=3).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "hdmabuf_common.h"
#include "harness.h"

#define OP_RELEASE_HEX	"0x12"	/* HDMABUF_OP_RELEASE, protocol/hdmabuf_wire.h */
#define NR_CYCLES	1000

FIXTURE(lc) {
	struct hdm_ctx c;
	struct vgem_buf buf;	/* 64 KiB, pattern seed 7 */
	bool have_buf;
	int exp2;		/* an exporter file the test closes */
	int imp2;		/* a second importer file */
	int imp_fd;
	void *map;
	long long base_exports, base_imports;
};

/* Let what earlier tests released settle; remember what is left. */
static void settle(FIXTURE_DATA(lc) *self)
{
	self->base_exports = self->base_imports = 0;
	stat_wait_le("live_exports", 0, HDM_ASYNC_MS, &self->base_exports);
	stat_wait_le("live_imports", 0, HDM_ASYNC_MS, &self->base_imports);
}

FIXTURE_SETUP(lc)
{
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	self->exp2 = self->imp2 = self->imp_fd = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	if (self->c.card >= 0 &&
	    !vgem_alloc(self->c.card, KiB(64), &self->buf)) {
		self->have_buf = true;
		pattern_fill(self->buf.map, self->buf.size, 7);
	}
}

FIXTURE_TEARDOWN(lc)
{
	const char *dir = getenv("HDMABUF_MODDIR");
	char path[512];

	if (self->map)
		munmap(self->map, self->buf.size);
	if (self->imp_fd >= 0)
		close(self->imp_fd);
	if (self->imp2 >= 0)
		close(self->imp2);
	if (self->exp2 >= 0)
		close(self->exp2);
	if (self->have_buf)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
	lo_knobs_reset();
	params_restore();
	/* Never leave the guest without the backend. */
	if (dir && !module_loaded(HDM_LO_MODULE)) {
		snprintf(path, sizeof(path), "%s/" HDM_LO_MODULE ".ko", dir);
		module_load(path, "");
	}
}

#define NEED_BUF() do { \
	if (!self->have_buf) \
		SKIP(return, "no vgem buffer (is vgem loaded?)"); \
} while (0)

/* Export from @exp_fd, import through c.imp, map the import read-only. */
static int export_import_map(FIXTURE_DATA(lc) *self, int exp_fd,
			     struct hyper_dmabuf_handle *h)
{
	int ret = hdm_export_simple(exp_fd, self->c.imp, self->buf.dmabuf, 0,
				    h);

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
	return 0;
}

TEST_F(lc, unexport_without_importer_is_immediate)
{
	struct hyper_dmabuf_handle h;
	uint64_t t0, dt;

	NEED_BUF();
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h));
	t0 = now_ms();
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, 10000));
	dt = now_ms() - t0;
	EXPECT_GT(5000ULL, (unsigned long long)dt) TH_LOG("took %llu ms",
						     (unsigned long long)dt);
	/* The handle is gone for its owner. */
	EXPECT_EQ(-ENOENT, hdm_unexport(self->c.exp, &h, 0, 0));
}

TEST_F(lc, unexport_wait_times_out_then_succeeds)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_handle h;
	uint64_t t0, dt;
	int fd = -1;

	NEED_BUF();
	ASSERT_EQ(0, export_import_map(self, self->c.exp, &h));
	munmap(self->map, self->buf.size);
	self->map = NULL;

	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, hdm_unexport(self->c.exp, &h, 0, 200));
	dt = now_ms() - t0;
	EXPECT_LE(150ULL, (unsigned long long)dt);
	EXPECT_GT(5000ULL, (unsigned long long)dt);
	TH_LOG("UNEXPORT waited %llu ms", (unsigned long long)dt);

	ASSERT_EQ(0, hdm_query(self->c.exp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_EXPORTER, q.role);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_WITHDRAWN, q.state);

	/* The importer is asked to let go... */
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_WITHDRAWN,
				    &h, HDM_ASYNC_MS, NULL));
	ASSERT_EQ(0, hdm_query(self->c.imp, &h, &q, NULL, 0));
	EXPECT_EQ((__u32)HYPER_DMABUF_ROLE_IMPORTER, q.role);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_WITHDRAWN, q.state);

	/* ...and nobody may start using it. */
	self->imp2 = hdm_open(0);
	ASSERT_LE(0, self->imp2);
	EXPECT_EQ(-ESTALE, hdm_import(self->imp2, &h, 0, &fd, NULL));
	if (fd >= 0)
		close(fd);

	/* The old import still reads the data. */
	self->map = mmap(NULL, self->buf.size, PROT_READ, MAP_SHARED,
			 self->imp_fd, 0);
	ASSERT_NE(MAP_FAILED, self->map) self->map = NULL;
	EXPECT_EQ(-1, pattern_check(self->map, self->buf.size, 7));
	munmap(self->map, self->buf.size);
	self->map = NULL;

	close(self->imp_fd);
	self->imp_fd = -1;
	EXPECT_EQ(0, hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS));
}

TEST_F(lc, revoke_while_mapped_sigbus)
{
	struct hyper_dmabuf_handle h;
	int fd = -1, sig;

	NEED_BUF();
	ASSERT_EQ(0, export_import_map(self, self->c.exp, &h));
	/* Fault every page in first: revocation must zap them. */
	ASSERT_EQ(-1, pattern_check(self->map, self->buf.size, 7));
	ASSERT_EQ(0, touch_in_child(self->map, self->buf.size));

	ASSERT_EQ(0, hdm_unexport(self->c.exp, &h,
				  HYPER_DMABUF_UNEXPORT_REVOKE, 0));
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_REVOKED,
				    &h, HDM_ASYNC_MS, NULL));
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);

	self->imp2 = hdm_open(0);
	ASSERT_LE(0, self->imp2);
	EXPECT_NE(0, hdm_import(self->imp2, &h, 0, &fd, NULL));
	if (fd >= 0)
		close(fd);
}

TEST_F_TIMEOUT(lc, close_exporter_while_mapped, 60)
{
	struct hyper_dmabuf_handle h;
	long long v;
	int sig;

	NEED_BUF();
	settle(self);
	self->exp2 = hdm_open(0);
	ASSERT_LE(0, self->exp2);
	ASSERT_EQ(0, export_import_map(self, self->exp2, &h));
	ASSERT_EQ(-1, pattern_check(self->map, self->buf.size, 7));

	close(self->exp2);
	self->exp2 = -1;
	ASSERT_EQ(0, hdm_wait_event(self->c.imp, HYPER_DMABUF_EVENT_REVOKED,
				    &h, HDM_ASYNC_MS, NULL));
	sig = touch_in_child(self->map, self->buf.size);
	EXPECT_EQ(SIGBUS, sig) TH_LOG("reader ended with %d", sig);

	munmap(self->map, self->buf.size);
	self->map = NULL;
	close(self->imp_fd);
	self->imp_fd = -1;
	EXPECT_EQ(0, stat_wait_le("live_exports", self->base_exports,
				  HDM_ASYNC_MS, &v)) TH_LOG("live_exports %lld (was %lld)",
						      v, self->base_exports);
	EXPECT_EQ(0, stat_wait_le("live_imports", self->base_imports,
				  HDM_ASYNC_MS, &v)) TH_LOG("live_imports %lld (was %lld)",
						      v, self->base_imports);
}

TEST_F_TIMEOUT(lc, drop_import_request_times_out, 60)
{
	struct hyper_dmabuf_handle h;
	long long before, after;
	uint64_t t0, dt;
	int fd = -1;

	NEED_BUF();
	settle(self);
	ASSERT_EQ(0, param_push("reply_timeout_ms", 500));
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h));
	ASSERT_EQ(0, stat_get("timeouts", &before));
	ASSERT_EQ(0, lo_knob_write("drop_next", "1"));
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, hdm_import(self->c.imp, &h, 0, &fd, NULL));
	dt = now_ms() - t0;
	if (fd >= 0)
		close(fd);
	TH_LOG("IMPORT gave up after %llu ms", (unsigned long long)dt);
	EXPECT_LE(250ULL, (unsigned long long)dt);
	EXPECT_GT(3500ULL, (unsigned long long)dt);
	ASSERT_EQ(0, stat_get("timeouts", &after));
	EXPECT_LT(before, after);
}

TEST_F_TIMEOUT(lc, corrupt_announce_rejected, 60)
{
	struct hyper_dmabuf_handle h;
	long long before, after;
	int ret;

	NEED_BUF();
	ASSERT_EQ(0, param_push("reply_timeout_ms", 500));
	/* Make sure the peers already said HELLO: only the announce goes. */
	ASSERT_EQ(0, hdm_export_simple(self->c.exp, self->c.imp,
				       self->buf.dmabuf, 0, &h));
	ASSERT_EQ(0, hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS));
	settle(self);
	hdm_drain_events(self->c.imp);

	ASSERT_EQ(0, stat_get("rx_rejected", &before));
	ASSERT_EQ(0, lo_knob_write("corrupt_next", "1"));
	ret = hdm_export(self->c.exp, self->buf.dmabuf, 0, &h);
	EXPECT_TRUE(ret == 0 || ret == -ETIMEDOUT) TH_LOG("EXPORT: %s",
							  strerror(-ret));
	EXPECT_EQ(-ETIMEDOUT, hdm_wait_event(self->c.imp,
					     HYPER_DMABUF_EVENT_OFFER, NULL,
					     1000, NULL));
	EXPECT_EQ(0, stat_wait_ge("rx_rejected", before + 1, HDM_ASYNC_MS,
				  &after));
	sleep_ms(200);
	ASSERT_EQ(0, stat_get("rx_rejected", &after));
	EXPECT_EQ(before + 1, after);
}

TEST_F(lc, foreign_release_ignored)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_handle h;
	long long before, after, early0, early1;
	char cmd[96], hex[33];

	NEED_BUF();
	ASSERT_EQ(0, export_import_map(self, self->c.exp, &h));
	ASSERT_EQ(0, hdm_query(self->c.exp, &h, &q, NULL, 0));
	ASSERT_EQ(1U, q.importers);

	ASSERT_EQ(0, stat_get("rx_foreign_peer", &before));
	ASSERT_EQ(0, stat_get("rx_early", &early0));
	hdm_handle_hex(&h, hex);
	snprintf(cmd, sizeof(cmd), "%d %d " OP_RELEASE_HEX " %s\n",
		 HDM_LO_OTHER, HDM_LO_SELF, hex);
	ASSERT_EQ(0, lo_knob_write("inject", cmd));
	EXPECT_EQ(0, stat_wait_ge("rx_foreign_peer", before + 1, HDM_ASYNC_MS,
				  &after)) {
		stat_get("rx_early", &early1);
		TH_LOG("rx_foreign_peer %lld -> %lld, rx_early %lld -> %lld",
		       before, after, early0, early1);
	}
	EXPECT_EQ(-ETIMEDOUT, hdm_wait_event(self->c.exp,
					     HYPER_DMABUF_EVENT_RELEASED, &h,
					     300, NULL));
	ASSERT_EQ(0, hdm_query(self->c.exp, &h, &q, NULL, 0));
	EXPECT_EQ(1U, q.importers);
	EXPECT_EQ((__u32)HYPER_DMABUF_STATE_SHARED, q.state);
	EXPECT_EQ(-1, pattern_check(self->map, self->buf.size, 7));
	EXPECT_EQ(0, touch_in_child(self->map, self->buf.size));
}

TEST_F_TIMEOUT(lc, cycles_no_leak, 600)
{
	struct hyper_dmabuf_handle h;
	long long v, offers;
	int i, fd, ret;

	NEED_BUF();
	settle(self);
	for (i = 0; i < NR_CYCLES; i++) {
		ret = hdm_export_simple(self->c.exp, self->c.imp,
					self->buf.dmabuf, 0, &h);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d EXPORT: %s", i,
					 strerror(-ret));
		fd = -1;
		ret = hdm_import(self->c.imp, &h, 0, &fd, NULL);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d IMPORT: %s", i,
					 strerror(-ret));
		close(fd);
		ret = hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d UNEXPORT: %s", i,
					 strerror(-ret));
	}
	EXPECT_EQ(0, stat_wait_le("live_exports", self->base_exports,
				  HDM_ASYNC_MS, &v)) TH_LOG("live_exports %lld (was %lld)",
						      v, self->base_exports);
	EXPECT_EQ(0, stat_wait_le("live_imports", self->base_imports,
				  HDM_ASYNC_MS, &v)) TH_LOG("live_imports %lld (was %lld)",
						      v, self->base_imports);
	if (!stat_get("live_offers", &offers))
		TH_LOG("live_offers %lld after %d cycles", offers, NR_CYCLES);
}

/* Last: it unloads and reloads the backend. */
TEST_F_TIMEOUT(lc, rmmod_with_live_export, 60)
{
	const char *dir = getenv("HDMABUF_MODDIR");
	struct hyper_dmabuf_info info;
	struct hyper_dmabuf_handle h;
	uint64_t deadline;
	char path[512];
	unsigned int i;
	bool listed = false;
	int ret, fd;

	if (!dir || !*dir)
		SKIP(return, "HDMABUF_MODDIR not set");
	NEED_BUF();
	snprintf(path, sizeof(path), "%s/" HDM_LO_MODULE ".ko", dir);
	ASSERT_EQ(0, access(path, R_OK)) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_TRUE(module_loaded(HDM_LO_MODULE));

	ASSERT_EQ(0, hdm_export(self->c.exp, self->buf.dmabuf, 0, &h));
	ret = module_delete(HDM_LO_MODULE, O_NONBLOCK);
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY)
		TH_LOG("delete_module with a live export: %s", strerror(-ret));
	ASSERT_TRUE(module_loaded(HDM_LO_MODULE));

	/* Close everything: buffers, files, the vgem card. */
	vgem_free(&self->buf);
	self->have_buf = false;
	hdm_ctx_close(&self->c);

	deadline = now_ms() + HDM_ASYNC_MS;
	do {
		ret = module_delete(HDM_LO_MODULE, O_NONBLOCK);
		if (ret != -EWOULDBLOCK && ret != -EBUSY)
			break;
		sleep_ms(50);
	} while (now_ms() < deadline);
	EXPECT_EQ(0, ret) TH_LOG("delete_module after close: %s",
				 strerror(-ret));

	ret = module_load(path, "");
	ASSERT_EQ(0, ret) TH_LOG("finit_module %s: %s", path, strerror(-ret));
	fd = hdm_open(0);
	ASSERT_LE(0, fd);
	ret = hdm_get_info(fd, &info);
	close(fd);
	ASSERT_EQ(0, ret);
	for (i = 0; i < info.nr_backends && i < HYPER_DMABUF_MAX_BACKENDS; i++)
		listed |= info.backends[i].id == HYPER_DMABUF_BACKEND_LOOPBACK;
	EXPECT_TRUE(listed);
}

TEST_HARNESS_MAIN
