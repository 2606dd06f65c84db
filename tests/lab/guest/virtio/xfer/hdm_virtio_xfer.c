// SPDX-License-Identifier: GPL-2.0
/*
 * hdm_virtio_xfer: guest-to-guest transfers through the virtio backend.
 *
 *   hdm_virtio_xfer export PEER [CYCLES]   (one guest)
 *   hdm_virtio_xfer import PEER [CYCLES]   (the other guest)
 *   hdm_virtio_xfer hold PEER              (exporter that will be killed)
 *   hdm_virtio_xfer held PEER              (importer of a killed exporter)
 *   hdm_virtio_xfer forge PEER             (hostile exporter)
 *   hdm_virtio_xfer hostile PEER           (hostile importer)
 *
 * export/import: both sides walk the same list of cases in lockstep,
 * synchronised only through hyper_dmabuf itself: the importer finds each
 * offer with LIST and QUERY (or its OFFER event), the exporter waits until
 * its export is released (RELEASED event) before the next case.  Where a
 * case needs the exporter to act after the importer verified the contents,
 * the importer writes a flag word into the (read-write) buffer and the
 * exporter polls for it: that write crossing the VM boundary is itself
 * checked.
 *
 * Cases: read-only buffers of 4 KiB .. 128 MiB verified byte for byte
 * through mmap (and not mappable writable); typed metadata and opaque
 * bytes seen in the OFFER event and QUERY; a read-write buffer written by
 * both sides after the import (each sees the other's write without a
 * message); UNEXPORT waiting for the importer (times out while it holds
 * the buffer, the importer sees WITHDRAWN and its mapping stays valid,
 * then completes once it released); a revoke while the importer holds a
 * mapping (its next access faults with SIGBUS); CYCLES (default 1000)
 * export/import/release cycles after which the importer's shm region has
 * no page in use and its driver counted no failed UNMAP.
 *
 * hold/held: the exporter shares a read-write buffer and stays alive (in
 * the background) after the importer confirmed its mapping; the test
 * script then kills the exporter's VM.  The importer waits for the
 * revocation and checks that its mapping faults with SIGBUS.
 *
 * forge/hostile: the hostile exporter announces buffers whose page
 * directories point outside its memory or are malformed, with raw MSG
 * requests written to the driver's debugfs "request" file, and a message
 * the device must refuse; the hostile importer asks the device, through
 * the same file, to MAP them (refused with EFAULT / EBADMSG), and sends
 * MAP and UNMAP requests with malformed payloads, out-of-range sizes and
 * offsets (refused with EINVAL, EACCES, ENOENT).  Nothing may time out.
 * The importer then exports a small buffer to the forger: that OFFER tells
 * the forger it may exit (its directory pages must stay put until then).
 *
 * The run stops at the first failed check (the sides would fall out of
 * step).  Prints one "@@TAP ok|not ok - ROLE: ..." line per check (ROLE from
 * $LAB_ROLE) and import latencies by size; exits 0 when every check
 * passed, 1 otherwise, 2 on usage errors.
 */
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "hdmabuf_common.h"
#include "hdmabuf_wire.h"

#define PROG		"hdm_virtio_xfer"
#define STEP_MS		60000	/* one side waiting for the other */
#define FLAG_WORD	0x600df1a9U
#define REGION_INFO	"/sys/kernel/debug/hyper_dmabuf_virtio"

enum kind { RO, META, LIVE, WAIT, REVOKE, CYCLE };

struct xcase {
	enum kind kind;
	uint64_t size;
};

static const struct xcase cases[] = {
	{ RO, KiB(4) }, { RO, KiB(64) }, { RO, MiB(1) }, { RO, MiB(8) },
	{ RO, MiB(32) }, { RO, MiB(64) }, { RO, MiB(128) },
	{ META, MiB(1) }, { LIVE, MiB(1) }, { WAIT, KiB(64) },
	{ REVOKE, KiB(64) },
};

/* META: a 512x512 XRGB8888 image, one plane, and opaque bytes */
#define META_FOURCC	0x34325258U	/* 'XR24' */
#define META_W		512
#define META_H		512
static const char meta_opaque[] = "hdm_virtio_xfer: opaque metadata";

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
	static const char *const names[] = {
		"ro", "meta", "live", "wait", "revoke", "cycle",
	};

	return names[k];
}

static uint32_t case_seed(unsigned int i)
{
	return 0x5eed0000U + i;
}

/* --------------------------------------------------------------- export */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void meta_fill(struct hyper_dmabuf_export *e)
{
	e->meta.fourcc = META_FOURCC;
	e->meta.nr_planes = 1;
	e->meta.width = META_W;
	e->meta.height = META_H;
	e->meta.planes[0].stride = META_W * 4;
	e->opaque_ptr = (uintptr_t)meta_opaque;
	e->opaque_len = sizeof(meta_opaque);
}

/* EXPORT, retrying while the peer is not up yet. */
static int export_to_peer(int fd, int dmabuf, int rw, int meta,
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
		if (meta)
			meta_fill(&e);
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

static int q_revoked(const struct hyper_dmabuf_query *q)
{
	return q->state == HYPER_DMABUF_STATE_REVOKED;
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

static int q_imported(const struct hyper_dmabuf_query *q)
{
	return q->importers > 0;
}

static int q_withdrawn(const struct hyper_dmabuf_query *q)
{
	return q->state == HYPER_DMABUF_STATE_WITHDRAWN;
}

static void export_case(int fd, int card, unsigned int i, const struct xcase *c)
{
	int rw = c->kind == LIVE || c->kind == REVOKE;
	size_t last = c->size / 4 - 1;
	struct hyper_dmabuf_handle h;
	struct hyper_dmabuf_query q;
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
	ret = export_to_peer(fd, b.dmabuf, rw, c->kind == META, &h);
	if (ret) {
		result(0, "case %u: export %s %llu bytes to %llu: %s", i,
		       kind_name(c->kind), (unsigned long long)c->size,
		       (unsigned long long)peer, strerror(-ret));
		goto out_free;
	}

	switch (c->kind) {
	case RO:
	case META:
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
	case WAIT:
		ret = wait_query(fd, &h, q_imported, STEP_MS);
		result(!ret, "case %u: importer holds the buffer: %s", i,
		       strerror(-ret));
		if (ret)
			goto out_free;
		/* It holds on until our flag word (below): this times out. */
		ret = hdm_unexport(fd, &h, 0, 500);
		result(ret == -ETIMEDOUT, "case %u: UNEXPORT waiting 500 ms for a holding importer: %s",
		       i, strerror(-ret));
		ret = hdm_query(fd, &h, &q, NULL, 0);
		result(!ret && q_withdrawn(&q) && q.importers == 1,
		       "case %u: withdrawn, still imported (state %u, importers %u)",
		       i, q.state, q.importers);
		/* The importer releases once it sees the flag: completes. */
		((volatile uint32_t *)b.map)[last] = FLAG_WORD;
		ret = hdm_unexport(fd, &h, 0, STEP_MS);
		result(!ret, "case %u: UNEXPORT waiting for the release: %s", i,
		       strerror(-ret));
		goto out_free;
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
		result(!ret, "case %u: importer imported and released (RELEASED event): %s",
		       i, strerror(-ret));
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

/* META: the OFFER event of the image buffer, then QUERY's metadata. */
static int check_meta(int fd, unsigned int i, const struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_query q;
	char opaque[256];
	int ret, ok;

	memset(opaque, 0, sizeof(opaque));
	ret = hdm_query(fd, h, &q, opaque, sizeof(opaque));
	ok = !ret && q.meta.fourcc == META_FOURCC && q.meta.nr_planes == 1 &&
	     q.meta.width == META_W && q.meta.height == META_H &&
	     q.meta.planes[0].offset == 0 && q.meta.planes[0].stride == META_W * 4 &&
	     !q.meta.modifier && q.opaque_len == sizeof(meta_opaque) &&
	     !memcmp(opaque, meta_opaque, sizeof(meta_opaque));
	result(ok, "case %u: QUERY: typed metadata %#x %ux%u stride %u, %u opaque bytes intact (%s)",
	       i, q.meta.fourcc, q.meta.width, q.meta.height,
	       q.meta.planes[0].stride, q.opaque_len, strerror(-ret));
	return ok ? 0 : -EPROTO;
}

/* The OFFER event of a @size-byte image buffer from the peer. */
static int wait_meta_offer(int fd, uint64_t size, struct hyper_dmabuf_event *ev)
{
	uint64_t deadline = now_ms() + STEP_MS;
	int ret;

	do {
		ret = hdm_wait_event(fd, HYPER_DMABUF_EVENT_OFFER, NULL,
				     STEP_MS, ev);
		if (ret)
			return ret;
		/* older offers (fourcc 0) are still queued: skip them */
		if (ev->fourcc == META_FOURCC && ev->size == size &&
		    ev->peer == peer)
			return 0;
	} while (now_ms() < deadline);
	return -ETIMEDOUT;
}

static void import_case(int fd, unsigned int i, const struct xcase *c)
{
	int rw = c->kind == LIVE || c->kind == REVOKE;
	size_t last = c->size / 4 - 1;
	struct hyper_dmabuf_handle h;
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_event ev;
	uint64_t size = 0, t0, t1;
	int ret, dfd, sig;
	long long bad;
	uint32_t *p;
	void *w;

	if (c->kind == META) {
		ret = wait_meta_offer(fd, c->size, &ev);
		result(!ret && !ev.flags && ev.backend == HYPER_DMABUF_BACKEND_VIRTIO,
		       "case %u: OFFER event with typed metadata (fourcc %#x, %llu bytes, flags %#x): %s",
		       i, ev.fourcc, (unsigned long long)ev.size, ev.flags,
		       strerror(-ret));
		if (ret)
			return;
	}
	if (c->kind == META) {
		/* the offer the event announced */
		h = ev.handle;
		last_handle = h;
		ret = hdm_query(fd, &h, &q, NULL, 0);
	} else {
		ret = find_offer(fd, c->size, &h, &q);
	}
	if (ret) {
		result(0, "case %u: offer of %llu bytes from %llu: %s", i,
		       (unsigned long long)c->size, (unsigned long long)peer,
		       strerror(-ret));
		return;
	}
	if (!!(q.flags & HYPER_DMABUF_EXPORT_RW) != rw)
		result(0, "case %u: offer is %s, expected %s", i,
		       q.flags ? "rw" : "ro", rw ? "rw" : "ro");
	if (c->kind == META && check_meta(fd, i, &h))
		return;
	t0 = now_us();
	ret = hdm_import(fd, &h, 0, &dfd, &size);
	t1 = now_us();
	if (ret || size != c->size) {
		result(0, "case %u: import %llu bytes: %s (size %llu)", i,
		       (unsigned long long)c->size, strerror(-ret),
		       (unsigned long long)size);
		return;
	}
	if (c->kind != CYCLE)
		printf("import latency %s %llu KiB: %llu us\n",
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
	case META:
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
	case WAIT:
		ret = hdm_wait_event(fd, HYPER_DMABUF_EVENT_WITHDRAWN, &h,
				     STEP_MS, NULL);
		result(!ret, "case %u: WITHDRAWN event while holding the import: %s",
		       i, strerror(-ret));
		/* the exporter may have written its flag into the last word */
		bad = pattern_check(p, c->size - 4, case_seed(i));
		result(bad < 0, "case %u: mapping still valid after WITHDRAWN (bad offset %lld)",
		       i, bad);
		/* hold on until the exporter's waiting UNEXPORT timed out */
		ret = wait_word(p, last, FLAG_WORD, STEP_MS);
		result(!ret, "case %u: exporter's flag after its UNEXPORT timed out: %s",
		       i, strerror(-ret));
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

/* The first virtio dma-buf device's debugfs directory. */
static int dev_dir(char *out, size_t cap)
{
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d;

	d = opendir(REGION_INFO);
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(out, cap, "%s/%s", REGION_INFO, de->d_name);
			ret = 0;
			break;
		}
	closedir(d);
	return ret;
}

/* Counter @name of the device's debugfs info. */
static int info_get(const char *name, long long *val)
{
	char dir[300], path[320], line[128], key[64];
	long long v;
	int ret;
	FILE *f;

	ret = dev_dir(dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/info", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	ret = -ENOENT;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name)) {
			*val = v;
			ret = 0;
		}
	fclose(f);
	return ret;
}

/* These driver counters must be 0 (after the import side is done). */
static void check_counters(const char *when)
{
	static const char *const zero[] = {
		"region_busy_pages", "region_leaked_pages", "unmap_failed",
		"bad_map_reply", "timeouts", "bad_used_len",
	};
	unsigned int k;
	long long v;
	int ret;

	for (k = 0; k < sizeof(zero) / sizeof(zero[0]); k++) {
		v = -1;
		ret = info_get(zero[k], &v);
		result(!ret && !v, "%s: driver counter %s is 0 (%lld)", when,
		       zero[k], v);
	}
}

/* ---------------------------------------------- hold / held (peer killed) */

#define HOLD_SIZE	MiB(1)
#define HOLD_SEED	0x4b111ed0U

static int do_hold(int fd, int card)
{
	struct hyper_dmabuf_handle h;
	struct vgem_buf b;
	int ret;

	ret = vgem_alloc(card, HOLD_SIZE, &b);
	if (ret) {
		result(0, "hold: vgem buffer: %s", strerror(-ret));
		return 1;
	}
	pattern_fill(b.map, HOLD_SIZE, HOLD_SEED);
	ret = export_to_peer(fd, b.dmabuf, 1, 0, &h);
	result(!ret, "hold: read-write export to %llu: %s",
	       (unsigned long long)peer, strerror(-ret));
	if (ret)
		return 1;
	ret = wait_word(b.map, HOLD_SIZE / 4 - 1, FLAG_WORD, STEP_MS);
	result(!ret, "hold: the importer mapped and verified the buffer");
	if (ret)
		return 1;
	/* Keep the export alive in the background until the VM is killed. */
	fflush(stdout);
	if (fork())
		_exit(0);
	setsid();
	for (;;)
		pause();
}

static int do_held(int fd)
{
	struct hyper_dmabuf_handle h;
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_event ev;
	uint64_t size = 0;
	long long bad;
	uint32_t *p;
	int ret, dfd, sig;

	ret = find_offer(fd, HOLD_SIZE, &h, &q);
	if (!ret)
		ret = hdm_import(fd, &h, 0, &dfd, &size);
	result(!ret && size == HOLD_SIZE, "held: import of the exporter's buffer: %s",
	       strerror(-ret));
	if (ret)
		return 1;
	p = mmap(NULL, HOLD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	if (p == MAP_FAILED) {
		result(0, "held: mmap: %s", strerror(errno));
		return 1;
	}
	bad = pattern_check(p, HOLD_SIZE, HOLD_SEED);
	result(bad < 0, "held: byte-exact through mmap (bad offset %lld)", bad);
	hdm_drain_events(fd);
	p[HOLD_SIZE / 4 - 1] = FLAG_WORD;
	/* Now the exporter's VM is killed. */
	ret = hdm_wait_event(fd, HYPER_DMABUF_EVENT_PEER_DOWN, NULL, 120000, &ev);
	result(!ret && ev.peer == peer, "held: PEER_DOWN of the killed exporter (%llu): %s",
	       (unsigned long long)ev.peer, strerror(-ret));
	ret = wait_query(fd, &h, q_revoked, STEP_MS);
	result(!ret || ret == -ENOENT, "held: import revoked: %s", strerror(-ret));
	sig = touch_in_child(p, HOLD_SIZE);
	result(sig == SIGBUS, "held: access to the killed exporter's pages faults with SIGBUS (got %d)",
	       sig);
	munmap(p, HOLD_SIZE);
	close(dfd);
	check_counters("held: after the release");
	return failed ? 1 : 0;
}

/* ------------------------------------------------ forge / hostile (peer) */

/*
 * Forged announcements.  The handle tells the importer what it is: byte 0
 * = enum forge, bytes 1..7 = 0xf0, bytes 8..15 = the directory root (le64).
 */
enum forge { F_FAR_ROOT = 1, F_FAR_DATA, F_DIRTY_TAIL, F_NR };
#define F_FAR_GFN	0x7ffffff00ull	/* far beyond a 512 MiB guest */

static void forged_desc(struct hdmabuf_export_desc *d, enum forge which,
			uint64_t root)
{
	uint64_t r = htole64(root);

	memset(d, 0, sizeof(*d));
	memset(d->handle.bytes, 0xf0, 8);
	d->handle.bytes[0] = (uint8_t)which;
	memcpy(d->handle.bytes + 8, &r, 8);
	d->size = htole64(4096);
	d->nr_pages = htole64(1);
	d->access = htole32(HDMABUF_ACCESS_RO);
	d->dir_root = htole64(root);
	d->dir_levels = 1;
	d->ref_size = 8;
	d->page_shift = 12;
	d->dir_pages = htole32(1);
}

/* One raw request through the driver's debugfs file: 0 or -errno. */
static int raw_request(unsigned int type, unsigned int to, const void *pl,
		       size_t len)
{
	char dir[300], path[320], *cmd, *q;
	const uint8_t *b = pl;
	ssize_t n;
	size_t k;
	int fd, ret;

	ret = dev_dir(dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/request", dir);
	cmd = malloc(64 + 2 * len);
	if (!cmd)
		return -ENOMEM;
	q = cmd + sprintf(cmd, "%u %u ", type, to);
	for (k = 0; k < len; k++)
		q += sprintf(q, "%02x", b[k]);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		free(cmd);
		return -errno;
	}
	n = write(fd, cmd, strlen(cmd));
	ret = n < 0 ? -errno : 0;
	close(fd);
	free(cmd);
	return ret;
}

/* An EXPORT_ANNOUNCE message around @d (levels replaced if non-zero). */
static int announce(unsigned int to, const struct hdmabuf_export_desc *d,
		    uint8_t levels)
{
	struct {
		struct hdmabuf_msg_hdr h;
		struct hdmabuf_export_desc d;
	} __attribute__((packed)) m;

	memset(&m, 0, sizeof(m));
	m.h.magic = htole32(HDMABUF_MSG_MAGIC);
	m.h.version = htole16(HDMABUF_PROTO_VERSION);
	m.h.opcode = htole16(HDMABUF_OP_EXPORT_ANNOUNCE);
	m.h.payload_len = htole32(sizeof(m.d));
	m.d = *d;
	if (levels)
		m.d.dir_levels = levels;
	return raw_request(1, to, &m, sizeof(m));
}

/* Guest frame number of the page at @p (root can read pagemap). */
static int gfn_of(void *p, uint64_t *gfn)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)p / 4096 * 8)) != 8) {
		close(fd);
		return -EIO;
	}
	close(fd);
	if (!(e & (1ull << 63)) || !(e & ((1ull << 55) - 1)))
		return -ENOENT;
	*gfn = e & ((1ull << 55) - 1);
	return 0;
}

static int do_forge(int fd, int card)
{
	struct hdmabuf_export_desc d;
	struct hyper_dmabuf_event ev;
	struct hyper_dmabuf_handle h;
	uint64_t *dir, gfn[2];
	struct vgem_buf b;
	uint8_t bad[24];
	int ret;

	/*
	 * A real export first: it returns once the peer is up and its core
	 * talks to ours, so the forged messages are not lost on the way.
	 */
	ret = vgem_alloc(card, KiB(4), &b);
	if (!ret)
		ret = export_to_peer(fd, b.dmabuf, 0, 0, &h);
	result(!ret, "forge: a real export reaches the peer first: %s",
	       strerror(-ret));
	if (ret)
		return 1;

	/* two locked directory pages whose refs the importer's MAP reads */
	dir = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (dir == MAP_FAILED) {
		result(0, "forge: directory pages: %s", strerror(errno));
		return 1;
	}
	memset(dir, 0, 8192);
	dir[0] = htole64(F_FAR_GFN);		/* data page outside memory */
	dir[512] = htole64(0x100);		/* a fine data page ... */
	dir[512 + 7] = htole64(0x101);		/* ... and a non-zero tail */
	ret = gfn_of(dir, &gfn[0]);
	if (!ret)
		ret = gfn_of(dir + 512, &gfn[1]);
	if (ret) {
		result(0, "forge: guest frame numbers of the directory pages: %s",
		       strerror(-ret));
		return 1;
	}
	hdm_drain_events(fd);
	forged_desc(&d, F_FAR_ROOT, F_FAR_GFN);
	ret = announce((unsigned int)peer, &d, 0);
	result(!ret, "forge: announce a directory root outside our memory: %s",
	       strerror(-ret));
	forged_desc(&d, F_FAR_DATA, gfn[0]);
	ret = announce((unsigned int)peer, &d, 0);
	result(!ret, "forge: announce a directory naming a data page outside our memory: %s",
	       strerror(-ret));
	forged_desc(&d, F_DIRTY_TAIL, gfn[1]);
	ret = announce((unsigned int)peer, &d, 0);
	result(!ret, "forge: announce a directory with a non-zero tail: %s",
	       strerror(-ret));
	/* the device validates messages as the peer would */
	ret = announce((unsigned int)peer, &d, 2);
	result(ret && ret != -ETIMEDOUT,
	       "forge: announcement with impossible directory levels refused by the device: %s",
	       strerror(-ret));
	memset(bad, 0, sizeof(bad));
	ret = raw_request(1, (unsigned int)peer, bad, sizeof(bad));
	result(ret == -EBADMSG, "forge: message without the magic refused by the device: %s",
	       strerror(-ret));
	ret = raw_request(1, (unsigned int)peer, bad, 0);
	result(ret == -EINVAL, "forge: empty message refused by the device: %s",
	       strerror(-ret));
	/* the hostile importer is done when it offers us something */
	ret = hdm_wait_event(fd, HYPER_DMABUF_EVENT_OFFER, NULL, 2 * STEP_MS, &ev);
	result(!ret && ev.peer == peer, "forge: the importer finished (its OFFER): %s",
	       strerror(-ret));
	munmap(dir, 8192);
	hdm_unexport(fd, &h, HYPER_DMABUF_UNEXPORT_REVOKE, 0);
	vgem_free(&b);
	check_counters("forge");
	return failed ? 1 : 0;
}

/* The payload of a MAP request (docs/virtio-device.rst). */
struct map_req {
	uint64_t dir_root;
	uint32_t dir_pages;
	uint8_t levels, ref_size, rw, pad;
	uint64_t nr_pages;
} __attribute__((packed));

static struct map_req map_req(uint64_t root, uint64_t nr)
{
	return (struct map_req){ htole64(root), htole32(1), 1, 8, 0, 0, htole64(nr) };
}

/* The roots of the forged offers, from their handles (LIST). */
static int forged_roots(int fd, uint64_t *roots)
{
	struct hyper_dmabuf_handle hs[64];
	struct hyper_dmabuf_list l;
	unsigned int i, k, n = 0;
	uint8_t which;

	memset(&l, 0, sizeof(l));
	l.handles_ptr = (uintptr_t)hs;
	l.capacity = 64;
	if (hdm_ioctl(fd, HYPER_DMABUF_IOCTL_LIST, &l))
		return 0;
	for (i = 0; i < l.count && i < 64; i++) {
		which = hs[i].bytes[0];
		for (k = 1; k < 8 && hs[i].bytes[k] == 0xf0; k++)
			;
		if (k < 8 || which < F_FAR_ROOT || which >= F_NR || roots[which])
			continue;
		memcpy(&roots[which], hs[i].bytes + 8, 8);
		roots[which] = le64toh(roots[which]);
		n++;
	}
	return (int)n;
}

static int do_hostile(int fd, int card)
{
	static const char *const what[F_NR] = {
		[F_FAR_ROOT] = "directory root outside the exporter's memory",
		[F_FAR_DATA] = "directory naming a data page outside the exporter's memory",
		[F_DIRTY_TAIL] = "directory with a non-zero tail",
	};
	static const int want[F_NR] = {
		[F_FAR_ROOT] = -EFAULT, [F_FAR_DATA] = -EFAULT,
		[F_DIRTY_TAIL] = -EBADMSG,
	};
	uint64_t deadline = now_ms() + 2 * STEP_MS, roots[F_NR] = { 0 };
	struct { uint64_t off, nr; } __attribute__((packed)) um;
	struct hyper_dmabuf_handle h;
	struct map_req m;
	struct vgem_buf b;
	int ret, k, n = 0;

	while ((n += forged_roots(fd, roots)) < F_NR - 1 && now_ms() < deadline)
		sleep_ms(20);
	result(n == F_NR - 1, "hostile: the forged offers arrived (%d)", n);
	if (n != F_NR - 1)
		return 1;
	for (k = F_FAR_ROOT; k < F_NR; k++) {
		m = map_req(roots[k], 1);
		ret = raw_request(2, (unsigned int)peer, &m, sizeof(m));
		result(ret == want[k], "hostile: MAP of a %s refused: %s", what[k],
		       strerror(-ret));
	}
	m = map_req(roots[F_FAR_ROOT], 2);
	ret = raw_request(2, (unsigned int)peer, &m, sizeof(m));
	result(ret == -EACCES, "hostile: MAP with another size than announced refused: %s",
	       strerror(-ret));
	m = map_req(roots[F_FAR_ROOT], 1);
	m.rw = 2;
	ret = raw_request(2, (unsigned int)peer, &m, sizeof(m));
	result(ret == -EINVAL, "hostile: MAP with rw = 2 refused: %s", strerror(-ret));
	m.rw = 0;
	m.ref_size = 4;
	ret = raw_request(2, (unsigned int)peer, &m, sizeof(m));
	result(ret == -EINVAL, "hostile: MAP with 4-byte refs refused: %s", strerror(-ret));
	m = map_req(roots[F_FAR_ROOT], (256ull << 20) / 4096 + 1);
	ret = raw_request(2, (unsigned int)peer, &m, sizeof(m));
	result(ret == -EINVAL, "hostile: MAP of more pages than the shm region refused: %s",
	       strerror(-ret));
	ret = raw_request(2, (unsigned int)peer, &m, sizeof(m) - 1);
	result(ret == -EINVAL, "hostile: MAP with a short payload refused: %s",
	       strerror(-ret));
	m = map_req(roots[F_FAR_ROOT], 1);
	ret = raw_request(2, 99, &m, sizeof(m));
	result(ret == -ENOTCONN, "hostile: MAP naming an unknown exporter refused: %s",
	       strerror(-ret));
	um.off = htole64(0x1000);
	um.nr = htole64(1);
	ret = raw_request(3, 0, &um, sizeof(um));
	result(ret == -ENOENT, "hostile: UNMAP of nothing mapped: %s", strerror(-ret));
	ret = raw_request(3, (unsigned int)peer, &um, sizeof(um));
	result(ret == -EINVAL, "hostile: UNMAP naming a peer refused: %s", strerror(-ret));
	um.off = htole64(0x1001);
	ret = raw_request(3, 0, &um, sizeof(um));
	result(ret == -EINVAL, "hostile: UNMAP at an unaligned offset refused: %s",
	       strerror(-ret));
	um.off = htole64(~0ull & ~4095ull);
	um.nr = htole64(~0ull);
	ret = raw_request(3, 0, &um, sizeof(um));
	result(ret == -ENOENT, "hostile: UNMAP of a wrapping range: %s", strerror(-ret));
	ret = raw_request(0, 0, &um, sizeof(um));
	result(ret == -EINVAL, "hostile: request of type 0 refused: %s", strerror(-ret));
	ret = raw_request(1, 0, &um, sizeof(um));
	result(ret && ret != -ETIMEDOUT, "hostile: message to domain 0 (the host) refused: %s",
	       strerror(-ret));
	check_counters("hostile");

	/* tell the forger we are done: a small offer */
	ret = vgem_alloc(card, KiB(4), &b);
	if (!ret) {
		ret = export_to_peer(fd, b.dmabuf, 0, 0, &h);
		/* the OFFER is delivered before the withdrawal, in order */
		if (!ret)
			ret = hdm_unexport(fd, &h, HYPER_DMABUF_UNEXPORT_REVOKE, 0);
		vgem_free(&b);
	}
	result(!ret, "hostile: done-offer to the forger: %s", strerror(-ret));
	return failed ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: %s export|import PEER [CYCLES]\n"
		"       %s hold|held|forge|hostile PEER\n", PROG, PROG);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int i, n, cycles = 1000;
	struct xcase cyc = { CYCLE, KiB(64) };
	int fd, card = -1, exporter, rc;
	const char *mode;
	long long busy = -1;
	uint64_t t0;

	if (argc < 3)
		return usage();
	mode = argv[1];
	exporter = !strcmp(mode, "export") || !strcmp(mode, "hold") ||
		   !strcmp(mode, "hostile") || !strcmp(mode, "forge");
	if (!exporter && strcmp(mode, "import") && strcmp(mode, "held"))
		return usage();
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
	if (!strcmp(mode, "hold") || !strcmp(mode, "held") ||
	    !strcmp(mode, "forge") || !strcmp(mode, "hostile")) {
		if (!strcmp(mode, "hold"))
			rc = do_hold(fd, card);
		else if (!strcmp(mode, "held"))
			rc = do_held(fd);
		else if (!strcmp(mode, "forge"))
			rc = do_forge(fd, card);
		else
			rc = do_hostile(fd, card);
		printf("%u passed, %u failed\n", passed, failed);
		return rc;
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
		/* every release's UNMAP confirmed: nothing left in the region */
		info_get("region_busy_pages", &busy);
		result(busy == 0, "no region pages in use after the cycles (%lld)", busy);
		check_counters("after the cycles");
	}
	close(fd);
	if (card >= 0)
		close(card);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
