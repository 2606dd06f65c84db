// SPDX-License-Identifier: GPL-2.0
/*
 * The two libxenvchan channels between exporter (server) and importer
 * (client): "ctl" carries the control messages of every method, "data"
 * carries the payload of the copy baseline.  The vchans are non-blocking
 * and every wait is a poll() bounded by b->timeout_ms, so a dead peer
 * makes the run fail instead of hanging.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxenvchan.h>

#include "bench.h"

#define CTL_RING	(64 * 1024)

/* Wait until the vchan's state changed (data, space, or close). */
static int vc_wait(struct libxenvchan *c, int timeout_ms)
{
	struct pollfd p = { .fd = libxenvchan_fd_for_select(c), .events = POLLIN };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (!r)
		return -ETIMEDOUT;
	return libxenvchan_wait(c) < 0 ? -EIO : 0;
}

int vc_write_all(struct libxenvchan *c, const void *buf, size_t len, int timeout_ms)
{
	const char *p = buf;
	int n, r;

	while (len) {
		n = libxenvchan_write(c, p, len > INT_MAX ? INT_MAX : len);
		if (n < 0)
			return -EPIPE;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (!libxenvchan_is_open(c))
			return -EPIPE;
		r = vc_wait(c, timeout_ms);
		if (r)
			return r;
	}
	return 0;
}

int vc_read_all(struct libxenvchan *c, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;
	int n, r;

	while (len) {
		n = libxenvchan_read(c, p, len > INT_MAX ? INT_MAX : len);
		if (n < 0)
			return -EPIPE;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (!libxenvchan_is_open(c))
			return -EPIPE;
		r = vc_wait(c, timeout_ms);
		if (r)
			return r;
	}
	return 0;
}

/* The largest data ring libxenvchan grants us, from 1 MiB down. */
static struct libxenvchan *server_data(struct bench *b, const char *path,
				       size_t *ring)
{
	struct libxenvchan *c;
	size_t sz;

	for (sz = 1 << 20; sz >= 4096; sz >>= 1) {
		c = libxenvchan_server_init(NULL, b->peer, path, 4096, sz);
		if (c) {
			*ring = sz;
			return c;
		}
	}
	return NULL;
}

static struct libxenvchan *client_connect(struct bench *b, const char *path)
{
	uint64_t end = now_ns() + (uint64_t)b->timeout_ms * 1000000ULL;
	struct libxenvchan *c;

	for (;;) {
		c = libxenvchan_client_init(NULL, b->peer, path);
		if (c || now_ns() > end)
			return c;
		usleep(100 * 1000);
	}
}

int chan_open(struct bench *b, const char *xs_base)
{
	char ctl[256], data[256];
	struct bench_msg m;
	size_t ring = 0;
	int ret;

	snprintf(ctl, sizeof(ctl), "%s/ctl", xs_base);
	snprintf(data, sizeof(data), "%s/data", xs_base);
	if (b->exporter) {
		b->ctl = libxenvchan_server_init(NULL, b->peer, ctl, CTL_RING, CTL_RING);
		if (!b->ctl) {
			bwarn("libxenvchan_server_init %s (peer %d): %s", ctl,
			      b->peer, strerror(errno));
			return -EIO;
		}
		b->data = server_data(b, data, &ring);
		if (!b->data) {
			bwarn("libxenvchan_server_init %s: %s", data, strerror(errno));
			return -EIO;
		}
		ret = msg_expect(b, BOP_HELLO, &m);
		if (ret)
			return ret;
		out_json("{\"type\":\"vchan\",\"data_ring_bytes\":%zu,\"ctl_ring_bytes\":%d}",
			 ring, CTL_RING);
		return 0;
	}
	b->ctl = client_connect(b, ctl);
	if (!b->ctl) {
		bwarn("libxenvchan_client_init %s (peer %d): %s", ctl, b->peer,
		      strerror(errno));
		return -EIO;
	}
	b->data = client_connect(b, data);
	if (!b->data) {
		bwarn("libxenvchan_client_init %s: %s", data, strerror(errno));
		return -EIO;
	}
	return msg_send(b, BOP_HELLO, 0, 0, 0, NULL);
}

void chan_close(struct bench *b)
{
	if (b->data)
		libxenvchan_close(b->data);
	if (b->ctl)
		libxenvchan_close(b->ctl);
	b->data = b->ctl = NULL;
}

/*
 * A broken control channel ends the run: both sides die with a message
 * (the lab reports the failed test) instead of guessing the peer's state.
 */
int msg_send_m(struct bench *b, const struct bench_msg *m)
{
	int ret = vc_write_all(b->ctl, m, sizeof(*m), b->timeout_ms);

	if (ret)
		bdie("control channel: sending message %u: %s", m->op, strerror(-ret));
	return 0;
}

int msg_send(struct bench *b, uint32_t op, uint32_t flags, uint64_t size,
	     uint64_t arg, const uint64_t *val)
{
	struct bench_msg m;

	memset(&m, 0, sizeof(m));
	m.op = op;
	m.flags = flags;
	m.size = size;
	m.arg = arg;
	if (val)
		memcpy(m.val, val, sizeof(m.val));
	return msg_send_m(b, &m);
}

int msg_recv(struct bench *b, struct bench_msg *m)
{
	int ret = vc_read_all(b->ctl, m, sizeof(*m), b->timeout_ms);

	if (ret)
		bdie("control channel: receiving: %s", strerror(-ret));
	return 0;
}

/*
 * Receive the next message, which must be @op: 0.  BOP_ERROR from the peer
 * (a step that failed for lack of resources) returns the peer's -errno,
 * with m->op == BOP_ERROR.  Anything else is a protocol error and fatal.
 */
int msg_expect(struct bench *b, uint32_t op, struct bench_msg *m)
{
	msg_recv(b, m);
	if (m->op == op)
		return 0;
	if (m->op == BOP_ERROR)
		return m->val[0] && m->val[0] < 4096 ? -(int)m->val[0] : -EIO;
	bdie("control channel: expected message %u, got %u", op, m->op);
}

int msg_error(struct bench *b, int err)
{
	uint64_t val[4] = { (uint64_t)(err < 0 ? -err : err) };

	return msg_send(b, BOP_ERROR, 0, 0, 0, val);
}
