// SPDX-License-Identifier: GPL-2.0
/*
 * Sustained frame sharing: a producer and a consumer with two buffers
 * (double buffering).  The producer fills buffer k = frame % 2 once it is
 * free again, announces the frame, the consumer checks the frame number
 * stamped into the buffer's first and last 8 bytes and frees the buffer.
 * Rendering is outside the loop for every method (the producer's buffers
 * are filled once); what differs is what a frame costs to share:
 *   copy           8 MiB through the data vchan into the consumer's buffer
 *   gnt            8 MiB memcpy into pages shared once (gntalloc/gntdev)
 *   ours           nothing: the exported buffers are imported once
 *   ours-reimport  EXPORT + IMPORT + mmap + release + UNEXPORT per frame
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hdmabuf_common.h"
#include "bench.h"

static void stamp(uint8_t *p, uint64_t size, uint64_t f)
{
	memcpy(p, &f, 8);
	memcpy(p + size - 8, &f, 8);
}

static void check_stamp(const uint8_t *p, uint64_t size, uint64_t f,
			const char *what)
{
	uint64_t a, z;

	memcpy(&a, p, 8);
	memcpy(&z, p + size - 8, 8);
	if (a != f || z != f)
		bdie("stream %s: frame %llu: buffer holds frames %llu/%llu",
		     what, (unsigned long long)f, (unsigned long long)a,
		     (unsigned long long)z);
}

static uint8_t *anon(uint64_t size)
{
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

struct producer {
	uint8_t *src[2];		/* copy, gnt: the rendered frames */
	struct gshare sh[2];		/* gnt */
	struct sbuf sb[2];		/* ours */
	uint8_t handle[2][16];		/* ours */
	int exported[2];
};

static void producer_free(struct bench *b, enum bench_method method,
			  struct producer *p, uint64_t size)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (p->src[k])
			munmap(p->src[k], size);
		if (p->sh[k].count)
			gnt_unshare(b, &p->sh[k]);
		if (p->exported[k] && ours_unexport(b, b->hdm, p->handle[k]))
			bdie("stream: unexport failed");
		if (method >= M_OURS)
			sbuf_free(&p->sb[k]);
	}
}

static int producer_setup(struct bench *b, enum bench_method method,
			  struct producer *p, uint64_t size)
{
	struct bench_msg m;
	int k, ret = 0;

	memset(p, 0, sizeof(*p));
	for (k = 0; k < 2; k++)
		p->sb[k].dmabuf = p->sb[k].memfd = -1;
	for (k = 0; k < 2 && !ret; k++) {
		if (method == M_COPY || method == M_GNT) {
			p->src[k] = anon(size);
			if (!p->src[k])
				ret = -ENOMEM;
			else
				bpat_fill(p->src[k], size, (uint64_t)k);
		}
		if (!ret && method == M_GNT)
			ret = gnt_share(b, size, &p->sh[k]);
		if (!ret && method >= M_OURS) {
			ret = sbuf_alloc(b, size, &p->sb[k]);
			if (!ret)
				bpat_fill(p->sb[k].map, size, (uint64_t)k);
		}
		if (!ret && method == M_OURS) {
			ret = ours_export(b, b->hdm, p->sb[k].dmabuf, p->handle[k]);
			p->exported[k] = !ret;
		}
	}
	if (ret) {
		producer_free(b, method, p, size);
		return ret;
	}
	msg_send(b, BOP_STREAM, 0, size, method, NULL);
	for (k = 0; k < 2; k++) {
		if (method == M_GNT)
			gnt_send_refs(b, &p->sh[k], (uint64_t)k);
		if (method == M_OURS) {
			memset(&m, 0, sizeof(m));
			m.op = BOP_HANDLE;
			memcpy(m.handle, p->handle[k], 16);
			msg_send_m(b, &m);
		}
	}
	ret = msg_expect(b, BOP_READY, &m);
	if (ret)
		producer_free(b, method, p, size);
	return ret;
}

/* Wait for the consumer to free buffer(s); returns the freed index. */
static int wait_free(struct bench *b, enum bench_method method,
		     struct producer *p, int *busy)
{
	struct bench_msg m;
	int k;

	if (msg_expect(b, BOP_FREE, &m))
		bdie("stream: the consumer failed");
	k = (int)(m.val[0] & 1);
	busy[k] = 0;
	if (method == M_OURS_REIMPORT && p->exported[k]) {
		if (ours_unexport(b, b->hdm, p->handle[k]))
			bdie("stream: unexport of frame buffer %d failed", k);
		p->exported[k] = 0;
	}
	return k;
}

/* Producer: frames shared in @seconds (plus the frames still in flight). */
int stream_run(struct bench *b, enum bench_method method, uint64_t size,
	       double seconds, uint64_t *frames, double *elapsed_s)
{
	uint64_t f = 0, t_start, t_end, limit = (uint64_t)(seconds * 1e9);
	int busy[2] = { 0, 0 }, k, last, ret;
	struct producer p;
	struct bench_msg m;

	ret = producer_setup(b, method, &p, size);
	if (ret)
		return ret;
	t_start = now_ns();
	do {
		k = (int)(f & 1);
		while (busy[k])
			wait_free(b, method, &p, busy);
		last = now_ns() - t_start >= limit;
		memset(&m, 0, sizeof(m));
		m.op = BOP_FRAME;
		m.flags = last ? BF_LAST : 0;
		m.arg = f;
		m.val[0] = (uint64_t)k;
		switch (method) {
		case M_COPY:
			stamp(p.src[k], size, f);
			msg_send_m(b, &m);
			ret = vc_write_all(b->data, p.src[k], size, b->timeout_ms);
			if (ret)
				bdie("stream copy: %s", strerror(-ret));
			break;
		case M_GNT:
			memcpy(p.sh[k].map, p.src[k], size);
			stamp(p.sh[k].map, size, f);
			msg_send_m(b, &m);
			break;
		case M_OURS:
			stamp(p.sb[k].map, size, f);
			msg_send_m(b, &m);
			break;
		case M_OURS_REIMPORT:
			stamp(p.sb[k].map, size, f);
			ret = ours_export(b, b->hdm, p.sb[k].dmabuf, p.handle[k]);
			if (ret)
				bdie("stream: EXPORT of frame %llu: %s",
				     (unsigned long long)f, strerror(-ret));
			p.exported[k] = 1;
			memcpy(m.handle, p.handle[k], 16);
			msg_send_m(b, &m);
			break;
		default:
			bdie("stream: bad method %d", method);
		}
		busy[k] = 1;
		f++;
	} while (!last);
	while (busy[0] || busy[1])
		wait_free(b, method, &p, busy);
	t_end = now_ns();
	if (method == M_GNT || method == M_OURS)
		msg_expect(b, BOP_RELEASED, &m);
	producer_free(b, method, &p, size);
	*frames = f;
	*elapsed_s = (double)(t_end - t_start) / 1e9;
	return 0;
}

struct consumer {
	uint8_t *rx[2];			/* copy */
	struct gmap gm[2];		/* gnt */
	int fd[2];			/* ours */
	uint8_t *map[2];		/* ours */
};

static void consumer_free(struct bench *b, struct consumer *c, uint64_t size)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (c->rx[k])
			munmap(c->rx[k], size);
		if (c->gm[k].count)
			gnt_unmap(b, &c->gm[k]);
		if (c->map[k])
			munmap(c->map[k], size);
		if (c->fd[k] >= 0)
			close(c->fd[k]);
	}
}

static int ours_map(struct bench *b, const uint8_t *handle, uint64_t size,
		    int *fd, uint8_t **map)
{
	uint64_t got = 0;
	int ret;

	ret = ours_import(b, handle, fd, &got);
	if (ret)
		return ret;
	if (got != size)
		bdie("stream: imported %llu bytes, expected %llu",
		     (unsigned long long)got, (unsigned long long)size);
	*map = mmap(NULL, size, PROT_READ, MAP_SHARED, *fd, 0);
	if (*map == MAP_FAILED) {
		ret = -errno;
		*map = NULL;
		close(*fd);
		*fd = -1;
	}
	return ret;
}

/* Consumer side of stream_run(). */
int stream_peer(struct bench *b, const struct bench_msg *cmd)
{
	enum bench_method method = (enum bench_method)cmd->arg;
	uint64_t size = cmd->size;
	struct consumer c;
	struct bench_msg m;
	int k, ret = 0;
	uint8_t *p;

	memset(&c, 0, sizeof(c));
	c.fd[0] = c.fd[1] = -1;
	if (size < 16 || method >= M_NR)
		bdie("stream: bad command (size %llu, method %d)",
		     (unsigned long long)size, method);
	for (k = 0; k < 2; k++) {
		if (method == M_COPY && !ret) {
			c.rx[k] = anon(size);
			if (!c.rx[k])
				ret = -ENOMEM;
		}
		if (method == M_GNT) {
			if (msg_expect(b, BOP_GNT_REFS, &m))
				bdie("stream: expected grant refs");
			if (!ret)
				ret = gnt_map_recv(b, &m, size, &c.gm[k]);
		}
		if (method == M_OURS) {
			if (msg_expect(b, BOP_HANDLE, &m))
				bdie("stream: expected a handle");
			if (!ret)
				ret = ours_map(b, m.handle, size, &c.fd[k], &c.map[k]);
		}
	}
	if (ret) {
		consumer_free(b, &c, size);
		return msg_error(b, ret);
	}
	msg_send(b, BOP_READY, 0, 0, 0, NULL);
	do {
		if (msg_expect(b, BOP_FRAME, &m))
			bdie("stream: the producer failed");
		k = (int)(m.val[0] & 1);
		switch (method) {
		case M_COPY:
			ret = vc_read_all(b->data, c.rx[k], size, b->timeout_ms);
			if (ret)
				bdie("stream copy: %s", strerror(-ret));
			p = c.rx[k];
			break;
		case M_GNT:
			p = c.gm[k].map;
			break;
		case M_OURS:
			p = c.map[k];
			break;
		default:	/* M_OURS_REIMPORT */
			ret = ours_map(b, m.handle, size, &c.fd[k], &c.map[k]);
			if (ret)
				bdie("stream: import of frame %llu: %s",
				     (unsigned long long)m.arg, strerror(-ret));
			p = c.map[k];
			break;
		}
		check_stamp(p, size, m.arg, bench_method_name[method]);
		if (method == M_OURS_REIMPORT) {
			munmap(c.map[k], size);
			close(c.fd[k]);
			c.map[k] = NULL;
			c.fd[k] = -1;
		}
		msg_send(b, BOP_FREE, 0, 0, 0, m.val);
	} while (!(m.flags & BF_LAST));
	consumer_free(b, &c, size);
	if (method == M_GNT || method == M_OURS)
		msg_send(b, BOP_RELEASED, 0, 0, 0, NULL);
	return 0;
}
