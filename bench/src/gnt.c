// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace-grant baseline, what is done today without a driver: the
 * exporter allocates grant pages with /dev/xen/gntalloc, copies its buffer
 * into them and sends the grant references over the control channel; the
 * importer maps them with /dev/xen/gntdev (IOCTL_GNTDEV_MAP_GRANT_REF +
 * mmap) and reads the last byte.  Allocation, copy, reference transfer and
 * mapping are all inside the measured time.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* the uapi xen headers use these kernel-internal typedefs */
typedef uint16_t domid_t;
typedef uint32_t grant_ref_t;
#include <xen/gntalloc.h>
#include <xen/gntdev.h>

#include "bench.h"

#define PAGE 4096ULL

/* Exporter: grant @size bytes of fresh pages to the peer, mapped at g->map. */
int gnt_share(struct bench *b, uint64_t size, struct gshare *g)
{
	struct ioctl_gntalloc_alloc_gref *a;
	uint64_t count = size / PAGE;
	int ret;

	memset(g, 0, sizeof(*g));
	if (b->gntalloc < 0)
		return -ENODEV;
	if (!count || count > UINT32_MAX)
		return -EINVAL;
	a = calloc(1, sizeof(*a) + (count - 1) * sizeof(a->gref_ids[0]));
	if (!a)
		return -ENOMEM;
	a->domid = (uint16_t)b->peer;
	a->flags = 0;			/* the peer maps read-only */
	a->count = (uint32_t)count;
	if (ioctl(b->gntalloc, IOCTL_GNTALLOC_ALLOC_GREF, a)) {
		ret = -errno;
		free(a);
		return ret;
	}
	g->index = a->index;
	g->count = (uint32_t)count;
	g->size = size;
	g->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      b->gntalloc, (off_t)a->index);
	if (g->map == MAP_FAILED) {
		struct ioctl_gntalloc_dealloc_gref d = {
			.index = a->index, .count = (uint32_t)count,
		};

		ret = -errno;
		ioctl(b->gntalloc, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
		free(a);
		g->map = NULL;
		return ret;
	}
	g->refs = malloc(count * sizeof(uint32_t));
	if (!g->refs) {
		gnt_unshare(b, g);
		free(a);
		return -ENOMEM;
	}
	memcpy(g->refs, a->gref_ids, count * sizeof(uint32_t));
	free(a);
	return 0;
}

/* Exporter: the grants end when the peer no longer maps them. */
void gnt_unshare(struct bench *b, struct gshare *g)
{
	struct ioctl_gntalloc_dealloc_gref d = { .index = g->index, .count = g->count };

	if (g->map)
		munmap(g->map, g->size);
	if (g->count && ioctl(b->gntalloc, IOCTL_GNTALLOC_DEALLOC_GREF, &d))
		bwarn("IOCTL_GNTALLOC_DEALLOC_GREF: %s", strerror(errno));
	free(g->refs);
	memset(g, 0, sizeof(*g));
}

void gnt_send_refs(struct bench *b, const struct gshare *g, uint64_t arg)
{
	int ret;

	msg_send(b, BOP_GNT_REFS, 0, g->count, arg, NULL);
	ret = vc_write_all(b->ctl, g->refs, (size_t)g->count * sizeof(uint32_t),
			   b->timeout_ms);
	if (ret)
		bdie("gnt: sending %u grant refs: %s", g->count, strerror(-ret));
}

/*
 * Importer: receive the refs announced by @m (BOP_GNT_REFS) and map them
 * read-only.  The refs are always consumed from the channel, so a failed
 * mapping leaves the channel in step.
 */
int gnt_map_recv(struct bench *b, const struct bench_msg *m, uint64_t size,
		 struct gmap *g)
{
	struct ioctl_gntdev_map_grant_ref *mg;
	uint64_t count = m->size, i;
	uint32_t *refs;
	int ret;

	memset(g, 0, sizeof(*g));
	if (!count || count != size / PAGE)
		bdie("gnt: peer announced %llu refs for %llu bytes",
		     (unsigned long long)count, (unsigned long long)size);
	refs = malloc(count * sizeof(*refs));
	mg = calloc(1, sizeof(*mg) + (count - 1) * sizeof(mg->refs[0]));
	if (!refs || !mg)
		bdie("gnt: out of memory for %llu refs", (unsigned long long)count);
	ret = vc_read_all(b->ctl, refs, count * sizeof(*refs), b->timeout_ms);
	if (ret)
		bdie("gnt: receiving %llu refs: %s", (unsigned long long)count,
		     strerror(-ret));
	if (b->gntdev < 0) {
		ret = -ENODEV;
		goto out;
	}
	mg->count = (uint32_t)count;
	for (i = 0; i < count; i++) {
		mg->refs[i].domid = (uint32_t)b->peer;
		mg->refs[i].ref = refs[i];
	}
	if (ioctl(b->gntdev, IOCTL_GNTDEV_MAP_GRANT_REF, mg)) {
		ret = -errno;
		goto out;
	}
	g->index = mg->index;
	g->count = (uint32_t)count;
	g->size = size;
	g->map = mmap(NULL, size, PROT_READ, MAP_SHARED, b->gntdev, (off_t)mg->index);
	if (g->map == MAP_FAILED) {
		ret = -errno;
		g->map = NULL;
		gnt_unmap(b, g);
		goto out;
	}
	ret = 0;
out:
	free(mg);
	free(refs);
	return ret;
}

void gnt_unmap(struct bench *b, struct gmap *g)
{
	struct ioctl_gntdev_unmap_grant_ref u = { .index = g->index, .count = g->count };

	if (g->map)
		munmap(g->map, g->size);
	if (g->count && ioctl(b->gntdev, IOCTL_GNTDEV_UNMAP_GRANT_REF, &u))
		bwarn("IOCTL_GNTDEV_UNMAP_GRANT_REF: %s", strerror(errno));
	memset(g, 0, sizeof(*g));
}

/* Exporter: one measurement. */
int gnt_latency(struct bench *b, uint64_t size, int verify, const uint8_t *src,
		uint64_t seed, double *us)
{
	struct bench_msg m;
	struct gshare g;
	uint64_t t0, t1;
	int ret;

	msg_send(b, BOP_GNT, verify ? BF_VERIFY : 0, size, seed, NULL);
	ret = msg_expect(b, BOP_READY, &m);
	if (ret)
		return ret;
	t0 = now_ns();
	ret = gnt_share(b, size, &g);
	if (ret) {
		msg_error(b, ret);
		return ret;
	}
	memcpy(g.map, src, size);
	gnt_send_refs(b, &g, seed);
	ret = msg_expect(b, BOP_DONE, &m);
	t1 = now_ns();
	if (ret) {
		gnt_unshare(b, &g);
		return ret;
	}
	if (m.val[0] != bpat_byte(size - 1, seed))
		bdie("gnt %llu: importer read last byte 0x%02llx, wrote 0x%02x",
		     (unsigned long long)size, (unsigned long long)m.val[0],
		     bpat_byte(size - 1, seed));
	if (verify) {
		msg_expect(b, BOP_VERIFIED, &m);
		if (m.val[0])
			bdie("gnt %llu: importer saw wrong bytes at offset %llu",
			     (unsigned long long)size,
			     (unsigned long long)m.val[0] - 1);
	}
	msg_expect(b, BOP_RELEASED, &m);
	gnt_unshare(b, &g);
	*us = (double)(t1 - t0) / 1000.0;
	return 0;
}

/* Importer side of gnt_latency(). */
int gnt_latency_peer(struct bench *b, const struct bench_msg *cmd)
{
	uint64_t val[4] = { 0 };
	struct bench_msg m;
	struct gmap g;
	int ret;

	msg_send(b, BOP_READY, 0, 0, 0, NULL);
	if (msg_expect(b, BOP_GNT_REFS, &m))
		return 0;			/* the exporter failed */
	ret = gnt_map_recv(b, &m, cmd->size, &g);
	if (ret)
		return msg_error(b, ret);
	val[0] = g.map[cmd->size - 1];
	msg_send(b, BOP_DONE, 0, 0, 0, val);
	if (cmd->flags & BF_VERIFY) {
		val[0] = bpat_check((const uint8_t *)g.map, cmd->size, cmd->arg);
		msg_send(b, BOP_VERIFIED, 0, 0, 0, val);
	}
	gnt_unmap(b, &g);
	msg_send(b, BOP_RELEASED, 0, 0, 0, NULL);
	return 0;
}
