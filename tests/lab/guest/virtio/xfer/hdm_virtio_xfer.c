// SPDX-License-Identifier: GPL-2.0
/*
 * hdm_virtio_xfer: guest-to-guest transfers through the virtio backend.
 *
 *   hdm_virtio_xfer export PEER [CYCLES]   (one guest)
 *   hdm_virtio_xfer import PEER [CYCLES]   (the other guest)
 *
 * Both sides walk the same list of cases in lockstep, synchronised only
 * through hyper_dmabuf itself: the importer finds each offer with LIST and
 * QUERY, the exporter waits until its export is released (RELEASED state
 * reached through QUERY) before the next case.  Where a case needs the
 * exporter to act after the importer verified the contents, the importer
 * writes a flag word into the (read-write) buffer and the exporter polls
 * for it: that write crossing the VM boundary is itself checked.
 *
 * Cases: read-only buffers of 4 KiB .. 64 MiB verified byte for byte
 * through mmap (and not mappable writable); a read-write buffer written
 * by both sides after the import (each sees the other's write without a
 * message); a revoke while the importer holds a mapping (its next access
 * faults with SIGBUS); CYCLES export/import/release cycles after which the
 * importer's shm region has no page in use.
 *
 * The run stops at the first failed check (the sides would fall out of
 * step).  Prints one "@@TAP ok|not ok - ROLE: ..." line per check (ROLE from
 * $LAB_ROLE) and import latencies by size; exits 0 when every check
 * passed, 1 otherwise, 2 on usage errors.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "hdmabuf_common.h"

#define PROG		"hdm_virtio_xfer"
#define STEP_MS		60000	/* one side waiting for the other */
#define FLAG_WORD	0x600df1a9U
#define REGION_INFO	"/sys/kernel/debug/hyper_dmabuf_virtio"

enum kind { RO, LIVE, REVOKE, CYCLE };

struct xcase {
	enum kind kind;
	uint64_t size;
};

static const struct xcase cases[] = {
	{ RO, KiB(4) }, { RO, KiB(64) }, { RO, MiB(1) }, { RO, MiB(16) },
	{ RO, MiB(64) }, { LIVE, MiB(1) }, { REVOKE, KiB(64) },
};

static const char *role = "vm";
static unsigned int passed, failed;
static uint64_t peer;

static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("@@TAP %s - %s: virtio xfer: ", ok ? "ok" : "not ok", role);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static const char *kind_name(enum kind k)
{
	static const char *const names[] = { "ro", "live", "revoke", "cycle" };

	return names[k];
}

static uint32_t case_seed(unsigned int i)
{
	return 0x5eed0000U + i;
}

/* --------------------------------------------------------------- export */

/* EXPORT, retrying while the peer is not up yet. */
static int export_to_peer(int fd, int dmabuf, int rw,
			  struct hyper_dmabuf_handle *h)
{
	uint64_t deadline = now_ms() + STEP_MS;
	struct hyper_dmabuf_export e;
	int ret;

	for (;;) {
		memset(&e, 0, sizeof(e));
		e.fd = dmabuf;
		e.flags = rw ? HYPER_DMABUF_EXPORT_RW : 0;
		e.backend = HYPER_DMABUF_BACKEND_VIRTIO;
		e.peer = peer;
		ret = hdm_ioctl(fd, HYPER_DMABUF_IOCTL_EXPORT, &e);
		if (!ret) {
			*h = e.handle;
			return 0;
		}
		/* -ENXIO: the peer is not up (yet, or again after a reset). */
		if ((ret != -ENXIO && ret != -ENOTCONN && ret != -ECONNRESET &&
		     ret != -ETIMEDOUT) || now_ms() > deadline)
			return ret;
		sleep_ms(100);
	}
}

/* Poll QUERY until @pred holds; 0 or -ETIMEDOUT / -errno. */
static int wait_query(int fd, const struct hyper_dmabuf_handle *h,
		      int (*pred)(const struct hyper_dmabuf_query *),
		      int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	struct hyper_dmabuf_query q;
	int ret;

	for (;;) {
		ret = hdm_query(fd, h, &q, NULL, 0);
		if (ret)
			return ret;
		if (pred(&q))
			return 0;
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

/* Poll word @idx of @p until it equals @want. */
static int wait_word(volatile const uint32_t *p, size_t idx, uint32_t want,
		     int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;

	while (p[idx] != want) {
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(5);
	}
	return 0;
}

static void export_case(int fd, int card, unsigned int i, const struct xcase *c)
{
	int rw = c->kind != RO && c->kind != CYCLE;
	size_t last = c->size / 4 - 1;
	struct hyper_dmabuf_handle h;
	struct vgem_buf b;
	long long bad;
	int ret;

	ret = vgem_alloc(card, c->size, &b);
	if (ret) {
		result(0, "case %u: vgem buffer of %llu bytes: %s", i,
		       (unsigned long long)c->size, strerror(-ret));
		return;
	}
	pattern_fill(b.map, c->size, case_seed(i));
	ret = export_to_peer(fd, b.dmabuf, rw, &h);
	if (ret) {
		result(0, "case %u: export %s %llu bytes to %llu: %s", i,
		       kind_name(c->kind), (unsigned long long)c->size,
		       (unsigned long long)peer, strerror(-ret));
		goto out_free;
	}

	switch (c->kind) {
	case RO:
	case CYCLE:
		break;
	case LIVE:
		/* The importer verified and says so by writing a flag. */
		ret = wait_word(b.map, last, FLAG_WORD, STEP_MS);
		result(!ret, "case %u: importer's write visible in the exporter", i);
		if (ret)
			break;
		/* Now the other way: a new pattern, no message. */
		pattern_fill(b.map, c->size, case_seed(i) ^ 0xffffffffU);
		break;
	case REVOKE:
		ret = wait_word(b.map, last, FLAG_WORD, STEP_MS);
		result(!ret, "case %u: importer holds a verified mapping", i);
		ret = hdm_unexport(fd, &h, HYPER_DMABUF_UNEXPORT_REVOKE, 0);
		result(!ret, "case %u: UNEXPORT REVOKE with a live import: %s",
		       i, strerror(-ret));
		goto out_free;
	}
	/* The importer releases when it is done; then withdraw. */
	ret = hdm_wait_event(fd, HYPER_DMABUF_EVENT_RELEASED, &h, STEP_MS, NULL);
	if (c->kind != CYCLE || ret)
		result(!ret, "case %u: importer imported and released: %s", i,
		       strerror(-ret));
	if (c->kind == LIVE) {
		/* The last word is the importer's flag again (see import). */
		bad = pattern_check(b.map, c->size - 4,
				    case_seed(i) ^ 0xffffffffU);
		result(bad < 0, "case %u: exporter's buffer intact after import (bad offset %lld)",
		       i, bad);
	}
	ret = hdm_unexport(fd, &h, 0, 5000);
	if (ret || c->kind != CYCLE)
		result(!ret, "case %u: unexport: %s", i, strerror(-ret));
out_free:
	vgem_free(&b);
}

/* --------------------------------------------------------------- import */

static struct hyper_dmabuf_handle last_handle;

/* The next offer from the peer of @size bytes, found through LIST. */
static int find_offer(int fd, uint64_t size, struct hyper_dmabuf_handle *out,
		      struct hyper_dmabuf_query *q)
{
	uint64_t deadline = now_ms() + STEP_MS;
	struct hyper_dmabuf_handle hs[64];
	struct hyper_dmabuf_list l;
	unsigned int i;
	int ret;

	for (;;) {
		memset(&l, 0, sizeof(l));
		l.handles_ptr = (uintptr_t)hs;
		l.capacity = 64;
		ret = hdm_ioctl(fd, HYPER_DMABUF_IOCTL_LIST, &l);
		if (ret)
			return ret;
		for (i = 0; i < l.count && i < 64; i++) {
			if (hdm_query(fd, &hs[i], q, NULL, 0))
				continue;
			/* The last case's offer may not be withdrawn yet. */
			if (hdm_handle_eq(&hs[i], &last_handle))
				continue;
			if (q->role == HYPER_DMABUF_ROLE_IMPORTER &&
			    q->state == HYPER_DMABUF_STATE_SHARED &&
			    q->peer == peer && !q->importers &&
			    q->size == size) {
				*out = hs[i];
				last_handle = hs[i];
				return 0;
			}
		}
		if (now_ms() > deadline)
			return -ETIMEDOUT;
		sleep_ms(20);
	}
}

static int q_revoked(const struct hyper_dmabuf_query *q)
{
	return q->state == HYPER_DMABUF_STATE_REVOKED;
}

static void import_case(int fd, unsigned int i, const struct xcase *c)
{
	int rw = c->kind != RO && c->kind != CYCLE;
	size_t last = c->size / 4 - 1;
	struct hyper_dmabuf_handle h;
	struct hyper_dmabuf_query q;
	uint64_t size = 0, t0, t1;
	int ret, dfd, sig;
	long long bad;
	uint32_t *p;
	void *w;

	ret = find_offer(fd, c->size, &h, &q);
	if (ret) {
		result(0, "case %u: offer of %llu bytes from %llu: %s", i,
		       (unsigned long long)c->size, (unsigned long long)peer,
		       strerror(-ret));
		return;
	}
	if (!!(q.flags & HYPER_DMABUF_EXPORT_RW) != rw)
		result(0, "case %u: offer is %s, expected %s", i,
		       q.flags ? "rw" : "ro", rw ? "rw" : "ro");
	t0 = now_ms();
	ret = hdm_import(fd, &h, 0, &dfd, &size);
	t1 = now_ms();
	if (ret || size != c->size) {
		result(0, "case %u: import %llu bytes: %s (size %llu)", i,
		       (unsigned long long)c->size, strerror(-ret),
		       (unsigned long long)size);
		return;
	}
	if (c->kind != CYCLE)
		printf("import latency %s %llu KiB: %llu ms\n",
		       kind_name(c->kind), (unsigned long long)(c->size >> 10),
		       (unsigned long long)(t1 - t0));
	p = mmap(NULL, c->size, PROT_READ | (rw ? PROT_WRITE : 0), MAP_SHARED,
		 dfd, 0);
	if (p == MAP_FAILED) {
		result(0, "case %u: mmap %s: %s", i, rw ? "rw" : "ro",
		       strerror(errno));
		close(dfd);
		return;
	}
	bad = pattern_check(p, c->size, case_seed(i));
	if (c->kind != CYCLE || bad >= 0)
		result(bad < 0, "case %u: %s %llu KiB byte-exact through mmap (bad offset %lld)",
		       i, kind_name(c->kind),
		       (unsigned long long)(c->size >> 10), bad);

	switch (c->kind) {
	case RO:
		w = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 dfd, 0);
		result(w == MAP_FAILED, "case %u: read-only import not mappable writable (%s)",
		       i, w == MAP_FAILED ? strerror(errno) : "mapped");
		if (w != MAP_FAILED)
			munmap(w, c->size);
		break;
	case CYCLE:
		break;
	case LIVE:
		p[last] = FLAG_WORD;
		/* Wait for the exporter's new pattern (all but the flag). */
		t0 = now_ms();
		while ((bad = pattern_check(p, c->size - 4,
					    case_seed(i) ^ 0xffffffffU)) >= 0 &&
		       now_ms() - t0 < STEP_MS)
			sleep_ms(20);
		result(bad < 0, "case %u: exporter's write after import visible in the importer (bad offset %lld)",
		       i, bad);
		p[last] = FLAG_WORD;
		break;
	case REVOKE:
		p[last] = FLAG_WORD;
		ret = wait_query(fd, &h, q_revoked, STEP_MS);
		result(!ret, "case %u: import revoked by the exporter: %s", i,
		       strerror(-ret));
		sig = touch_in_child(p, c->size);
		result(sig == SIGBUS, "case %u: access after revoke faults with SIGBUS (got %d)",
		       i, sig);
		break;
	}
	munmap(p, c->size);
	close(dfd);
}

/* Sum of region_busy_pages over the virtio devices' debugfs info. */
static int region_busy_pages(long long *busy)
{
	char path[512], line[128];
	struct dirent *de;
	long long v;
	int ret = -ENOENT;
	DIR *d;
	FILE *f;

	d = opendir(REGION_INFO);
	if (!d)
		return -errno;
	*busy = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/info", REGION_INFO,
			 de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "region_busy_pages %lld", &v) == 1) {
				*busy += v;
				ret = 0;
			}
		fclose(f);
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int i, n, cycles = 100;
	struct xcase cyc = { CYCLE, KiB(64) };
	int fd, card = -1, exporter;
	long long busy = -1;
	uint64_t t0;

	if (argc < 3 || (strcmp(argv[1], "export") && strcmp(argv[1], "import"))) {
		fprintf(stderr, "usage: %s export|import PEER [CYCLES]\n", PROG);
		return 2;
	}
	exporter = !strcmp(argv[1], "export");
	peer = strtoull(argv[2], NULL, 0);
	if (argc > 3)
		cycles = strtoul(argv[3], NULL, 0);
	if (getenv("LAB_ROLE"))
		role = getenv("LAB_ROLE");

	fd = hdm_open(0);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, HDM_DEV, strerror(-fd));
		return 1;
	}
	if (exporter) {
		card = vgem_open();
		if (card < 0) {
			fprintf(stderr, "%s: vgem: %s\n", PROG, strerror(-card));
			return 1;
		}
	}
	n = sizeof(cases) / sizeof(cases[0]);
	/* The sides would fall out of step after a failure: stop there. */
	for (i = 0; i < n && !failed; i++) {
		if (exporter)
			export_case(fd, card, i, &cases[i]);
		else
			import_case(fd, i, &cases[i]);
	}
	t0 = now_ms();
	for (i = 0; i < cycles && !failed; i++) {
		unsigned int before = failed;

		if (exporter)
			export_case(fd, card, n + i, &cyc);
		else
			import_case(fd, n + i, &cyc);
		if (failed != before)
			break;
	}
	if (!failed)
		result(1, "%u export/import/release cycles of 64 KiB (%llu ms)",
		       cycles, (unsigned long long)(now_ms() - t0));
	if (!exporter) {
		int ret = region_busy_pages(&busy);

		result(!ret && busy == 0, "no region pages in use after the cycles (%lld): %s",
		       busy, strerror(-ret));
	}
	close(fd);
	if (card >= 0)
		close(card);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
