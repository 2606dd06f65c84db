// SPDX-License-Identifier: GPL-2.0
/*
 * Leak baseline: NR_CYCLES export / import / mmap / fault / munmap /
 * close / UNEXPORT cycles, then the live_* gauges must be back to their
 * values before the loop exactly, and the slab allocator must hold no
 * more objects than before in any cache, within a tolerance.
 *
 * Slab measurement: /proc/slabinfo active objects per cache, after
 * writing 1 to every /sys/kernel/slab/<cache>/shrink (flushes the per-cpu
 * slabs, whose free objects slabinfo would count as active) and letting
 * RCU-deferred frees run.  The baseline is taken after a warm-up of the
 * same cycle.  A leak of one object per cycle in any cache shows up as
 * NR_CYCLES objects; the tolerance is NR_CYCLES / 10 per cache, so any
 * leak of at least one object every ten cycles fails, while unrelated
 * guest activity (a few hundred objects at most in the idle lab guest)
 * does not.  /proc/meminfo SUnreclaim is reported alongside.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "hdmabuf_common.h"
#include "harness.h"

#define NR_CYCLES	10000
#define NR_WARMUP	200
#define MAX_CACHES	512

struct slab_count {
	char name[64];
	long long active;
};

struct slab_snap {
	int n;
	struct slab_count c[MAX_CACHES];
	long long sunreclaim_kb;
};

static void slab_shrink_all(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[512];
	int fd;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (write(fd, "1", 1) < 0) {
			/* Not every cache can be shrunk; that is fine. */
		}
		close(fd);
	}
	closedir(d);
}

static int slab_snapshot(struct slab_snap *s)
{
	char line[512], name[64];
	long long active, kb;
	FILE *f;

	/* RCU-deferred frees (files, dentries) first, then the per-cpu slabs. */
	sleep_ms(1000);
	slab_shrink_all();
	s->n = 0;
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && s->n < MAX_CACHES) {
		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%63s %lld", name, &active) != 2)
			continue;
		snprintf(s->c[s->n].name, sizeof(s->c[s->n].name), "%s", name);
		s->c[s->n].active = active;
		s->n++;
	}
	fclose(f);
	s->sunreclaim_kb = -1;
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "SUnreclaim: %lld kB", &kb) == 1)
				s->sunreclaim_kb = kb;
		fclose(f);
	}
	return s->n ? 0 : -ENODATA;
}

static long long slab_active(const struct slab_snap *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->c[i].name, name))
			return s->c[i].active;
	return 0;
}

FIXTURE(leak) {
	struct hdm_ctx c;
	struct vgem_buf buf;
	bool have_buf;
};

FIXTURE_SETUP(leak)
{
	int ret = hdm_ctx_open(&self->c);

	self->buf.dmabuf = -1;
	ASSERT_EQ(0, ret) TH_LOG("open " HDM_DEV ": %s", strerror(-ret));
	if (self->c.card >= 0 &&
	    !vgem_alloc(self->c.card, KiB(16), &self->buf)) {
		self->have_buf = true;
		pattern_fill(self->buf.map, self->buf.size, 3);
	}
}

FIXTURE_TEARDOWN(leak)
{
	if (self->have_buf)
		vgem_free(&self->buf);
	hdm_ctx_close(&self->c);
}

static int one_cycle(FIXTURE_DATA(leak) *self, int i)
{
	struct hyper_dmabuf_handle h;
	volatile const uint32_t *p;
	int fd = -1, ret;
	size_t off;
	void *map;

	ret = hdm_export_simple(self->c.exp, self->c.imp, self->buf.dmabuf, 0,
				&h);
	if (ret)
		return ret;
	ret = hdm_import(self->c.imp, &h, 0, &fd, NULL);
	if (ret)
		return ret;
	map = mmap(NULL, self->buf.size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* Fault one page in (a different one each time) and check it. */
	off = (size_t)i % (self->buf.size / 4096) * 4096 / sizeof(*p);
	p = map;
	ret = p[off] == ((const uint32_t *)self->buf.map)[off] ? 0 : -EIO;
	munmap(map, self->buf.size);
	close(fd);
	if (ret)
		return ret;
	return hdm_unexport(self->c.exp, &h, 0, HDM_ASYNC_MS);
}

static const char *const gauges[] = {
	"live_exports", "live_imports", "live_offers", "live_sources",
};
#define NR_GAUGES (int)(sizeof(gauges) / sizeof(gauges[0]))

TEST_F_TIMEOUT(leak, cycles_back_to_baseline, 900)
{
	static struct slab_snap before, after;
	long long g0[NR_GAUGES], g1 = 0, d, worst = 0;
	const char *worst_name = "-";
	uint64_t t0, ms;
	int i, ret;

	if (!self->have_buf)
		SKIP(return, "no vgem buffer (is vgem loaded?)");
	if (access("/proc/slabinfo", R_OK))
		SKIP(return, "no /proc/slabinfo");
	for (i = 0; i < NR_WARMUP; i++) {
		ret = one_cycle(self, i);
		ASSERT_EQ(0, ret) TH_LOG("warm-up %d: %s", i, strerror(-ret));
	}
	hdm_drain_events(self->c.exp);
	hdm_drain_events(self->c.imp);
	for (i = 0; i < NR_GAUGES; i++)
		ASSERT_EQ(0, stat_get(gauges[i], &g0[i]));
	ASSERT_EQ(0, slab_snapshot(&before));

	t0 = now_ms();
	for (i = 0; i < NR_CYCLES; i++) {
		ret = one_cycle(self, i);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: %s", i, strerror(-ret));
		/* Keep the event rings from overflowing into noise. */
		if (i % 16 == 0) {
			hdm_drain_events(self->c.exp);
			hdm_drain_events(self->c.imp);
		}
	}
	ms = now_ms() - t0;
	hdm_drain_events(self->c.exp);
	hdm_drain_events(self->c.imp);
	TH_LOG("%d cycles in %llu ms (%.2f ms per cycle)", NR_CYCLES,
	       (unsigned long long)ms, (double)ms / NR_CYCLES);

	for (i = 0; i < NR_GAUGES; i++) {
		EXPECT_EQ(0, stat_wait_le(gauges[i], g0[i], HDM_ASYNC_MS, &g1));
		EXPECT_EQ(g0[i], g1) TH_LOG("%s %lld, baseline %lld", gauges[i],
					    g1, g0[i]);
	}
	ASSERT_EQ(0, slab_snapshot(&after));
	for (i = 0; i < after.n; i++) {
		d = after.c[i].active - slab_active(&before, after.c[i].name);
		if (d > worst) {
			worst = d;
			worst_name = after.c[i].name;
		}
		if (d >= NR_CYCLES / 10)
			TH_LOG("slab %s: %lld -> %lld active objects",
			       after.c[i].name,
			       slab_active(&before, after.c[i].name),
			       after.c[i].active);
	}
	TH_LOG("%d caches; largest growth: %s +%lld objects; kmalloc-64 %lld -> %lld, kmalloc-512 %lld -> %lld; SUnreclaim %lld -> %lld kB",
	       after.n, worst_name, worst,
	       slab_active(&before, "kmalloc-64"),
	       slab_active(&after, "kmalloc-64"),
	       slab_active(&before, "kmalloc-512"),
	       slab_active(&after, "kmalloc-512"),
	       before.sunreclaim_kb, after.sunreclaim_kb);
	EXPECT_GT(NR_CYCLES / 10, worst);
}

TEST_HARNESS_MAIN
