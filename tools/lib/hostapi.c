// SPDX-License-Identifier: GPL-2.0
/*
 * hostapi.c - client of hyper_dmabufd's host-importer API (hostapi.h).
 * The daemon is checked like any peer: every length, count and fd index
 * it sends is validated before use, and fds that come with a message we
 * do not accept are closed.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "hostapi.h"

#define PAGE	4096u

struct rx {
	struct hdmh_hdr h;
	uint8_t *pl;		/* h.len bytes */
	int fds[HDMH_MAX_FDS];
	unsigned int nfds;
};

static void rx_close_fds(struct rx *m)
{
	while (m->nfds)
		close(m->fds[--m->nfds]);
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One message into @buf (HDMH_MAX_MSG bytes); -ETIMEDOUT, -EPIPE, -EBADMSG. */
static int rx_one(struct hdmh_conn *c, int timeout_ms, uint8_t *buf,
		  struct rx *m)
{
	char cbuf[CMSG_SPACE(HDMH_MAX_FDS * sizeof(int))];
	struct iovec iov = { buf, HDMH_MAX_MSG };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;
	int r;

	m->nfds = 0;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (!r)
		return -ETIMEDOUT;
	n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	if (!n)
		return -EPIPE;	/* the daemon went away */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t nf, i;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nf = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nf; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (m->nfds < HDMH_MAX_FDS)
				m->fds[m->nfds++] = fd;
			else
				close(fd);
		}
	}
	if ((size_t)n < sizeof(m->h) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		goto bad;
	memcpy(&m->h, buf, sizeof(m->h));
	if (m->h.magic != HDMH_MAGIC || m->h.version != HDMH_VERSION ||
	    m->h.len != (size_t)n - sizeof(m->h))
		goto bad;
	m->pl = buf + sizeof(m->h);
	return 0;
bad:
	rx_close_fds(m);
	return -EBADMSG;
}

static void ev_queue(struct hdmh_conn *c, const struct rx *m)
{
	struct hdmh_event *e;
	size_t want;

	switch (m->h.type) {
	case HDMH_EV_OFFER:
		want = sizeof(e->u.offer);
		break;
	case HDMH_EV_REVOKED:
		want = sizeof(e->u.revoked);
		break;
	case HDMH_EV_PEER:
		want = sizeof(e->u.peer);
		break;
	default:
		return;		/* unknown event: newer daemon, ignored */
	}
	if (m->h.len != want)
		return;
	if (c->evq_len == HDMH_EVQ) {
		c->evq_lost = true;
		return;
	}
	e = &c->evq[(c->evq_head + c->evq_len++) % HDMH_EVQ];
	memset(e, 0, sizeof(*e));
	e->type = m->h.type;
	memcpy(&e->u, m->pl, want);
}

/*
 * Send request @type with @pl and wait for its reply (events meanwhile are
 * queued).  The reply lands in @buf/@m with status 0 in its header, or the
 * reply's status is returned.
 */
static int request(struct hdmh_conn *c, uint16_t type, const void *pl,
		   uint32_t len, uint8_t *buf, struct rx *m, size_t min_len)
{
	uint8_t out[HDMH_MAX_REQ];
	struct hdmh_hdr h = {
		.magic = HDMH_MAGIC, .version = HDMH_VERSION, .type = type,
		.len = len, .seq = ++c->seq,
	};
	int64_t end = ms_now() + HDMH_CLIENT_TIMEOUT_MS;
	struct hdmh_status st;
	int err;

	if (c->fd < 0)
		return -ENOTCONN;
	if (!h.seq)
		h.seq = ++c->seq;
	memcpy(out, &h, sizeof(h));
	memcpy(out + sizeof(h), pl, len);
	if (send(c->fd, out, sizeof(h) + len, MSG_NOSIGNAL) != (ssize_t)(sizeof(h) + len))
		return -errno;
	for (;;) {
		int64_t left = end - ms_now();

		err = rx_one(c, left > 0 ? (int)left : 0, buf, m);
		if (err)
			return err;
		if (!m->h.seq && !(m->h.type & HDMH_REPLY)) {
			ev_queue(c, m);
			rx_close_fds(m);
			continue;
		}
		if (m->h.seq != h.seq || m->h.type != (type | HDMH_REPLY) ||
		    m->h.len < sizeof(st)) {
			rx_close_fds(m);	/* stale or foreign: dropped */
			continue;
		}
		memcpy(&st, m->pl, sizeof(st));
		if (st.status > 0 || st.status < -4095) {
			rx_close_fds(m);
			return -EBADMSG;
		}
		if (st.status) {
			rx_close_fds(m);
			return st.status;
		}
		if (m->h.len < min_len) {
			rx_close_fds(m);
			return -EBADMSG;
		}
		return 0;
	}
}

int hdmh_connect(struct hdmh_conn *c, const char *path, bool events)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct hdmh_hello m = {
		.version_min = HDMH_VERSION, .version_max = HDMH_VERSION,
		.flags = events ? HDMH_HELLO_F_EVENTS : 0,
	};
	struct hdmh_hello_reply r;
	uint8_t *buf;
	struct rx rx;
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -errno;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		goto fail;
	}
	buf = malloc(HDMH_MAX_MSG);
	if (!buf) {
		err = -ENOMEM;
		goto fail;
	}
	err = request(c, HDMH_HELLO, &m, sizeof(m), buf, &rx, sizeof(r));
	if (!err) {
		rx_close_fds(&rx);
		memcpy(&r, rx.pl, sizeof(r));
		if (r.version != HDMH_VERSION)
			err = -EPROTO;
		c->caps = r.caps;
		c->host_domid = r.host_domid;
	}
	free(buf);
	if (!err)
		return 0;
fail:
	close(c->fd);
	c->fd = -1;
	return err;
}

void hdmh_close(struct hdmh_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int hdmh_list(struct hdmh_conn *c, struct hdmh_offer **offers, size_t *n)
{
	struct hdmh_list m = { 0 };
	struct hdmh_list_reply r;
	struct hdmh_offer *all = NULL, *tmp;
	size_t have = 0;
	uint8_t *buf = malloc(HDMH_MAX_MSG);
	struct rx rx;
	int err = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		m.start = (uint32_t)have;
		err = request(c, HDMH_LIST, &m, sizeof(m), buf, &rx, sizeof(r));
		if (err)
			break;
		rx_close_fds(&rx);
		memcpy(&r, rx.pl, sizeof(r));
		if (r.count > HDMH_LIST_MAX ||
		    rx.h.len != sizeof(r) + r.count * sizeof(**offers)) {
			err = -EBADMSG;
			break;
		}
		if (!r.count)
			break;
		tmp = realloc(all, (have + r.count) * sizeof(*all));
		if (!tmp) {
			err = -ENOMEM;
			break;
		}
		all = tmp;
		memcpy(all + have, rx.pl + sizeof(r), r.count * sizeof(*all));
		have += r.count;
		if (have >= r.total)
			break;
	}
	free(buf);
	if (err) {
		free(all);
		return err;
	}
	*offers = all;
	*n = have;
	return 0;
}

int hdmh_import(struct hdmh_conn *c, uint32_t domid, const uint8_t *handle,
		uint32_t flags, struct hdmh_buffer *b)
{
	struct hdmh_import m = { .domid = domid, .flags = flags };
	struct hdmh_import_reply r;
	uint8_t *buf = malloc(HDMH_MAX_MSG);
	uint64_t total = 0;
	struct rx rx;
	unsigned int i;
	int err;

	memset(b, 0, sizeof(*b));
	if (!buf)
		return -ENOMEM;
	memcpy(m.handle, handle, 16);
	err = request(c, HDMH_IMPORT, &m, sizeof(m), buf, &rx, sizeof(r));
	if (err)
		goto out;
	memcpy(&r, rx.pl, sizeof(r));
	err = -EBADMSG;
	if ((r.kind != HDMH_KIND_DMABUF && r.kind != HDMH_KIND_MEMFD) ||
	    !r.nfds || r.nfds != rx.nfds || !r.nruns || r.nruns > HDMH_MAX_RUNS ||
	    rx.h.len != sizeof(r) + (size_t)r.nruns * sizeof(*b->runs) ||
	    (r.kind == HDMH_KIND_DMABUF && (r.nfds != 1 || r.nruns != 1)) ||
	    r.offer.domid != domid || memcmp(r.offer.handle, handle, 16) ||
	    !r.offer.nr_pages || r.offer.nr_pages > (1ull << 24))
		goto bad;
	b->runs = malloc(r.nruns * sizeof(*b->runs));
	if (!b->runs) {
		err = -ENOMEM;
		goto bad;
	}
	memcpy(b->runs, rx.pl + sizeof(r), r.nruns * sizeof(*b->runs));
	for (i = 0; i < r.nruns; i++) {
		const struct hdmh_run *x = &b->runs[i];

		if (x->fd >= r.nfds || x->reserved || !x->len ||
		    (x->len | x->offset) % PAGE || x->len > (1ull << 36) ||
		    x->offset > (1ull << 48))
			goto bad;
		total += x->len;
	}
	if (total != r.offer.nr_pages * PAGE)
		goto bad;
	b->offer = r.offer;
	b->kind = r.kind;
	b->nruns = r.nruns;
	b->nfds = rx.nfds;
	memcpy(b->fds, rx.fds, rx.nfds * sizeof(int));
	free(buf);
	return 0;
bad:
	free(b->runs);
	b->runs = NULL;
	rx_close_fds(&rx);
	/* the daemon counts it as imported: give it back */
	hdmh_release(c, domid, handle);
out:
	free(buf);
	return err;
}

int hdmh_release(struct hdmh_conn *c, uint32_t domid, const uint8_t *handle)
{
	struct hdmh_release m = { .domid = domid };
	uint8_t *buf = malloc(HDMH_MAX_MSG);
	struct rx rx;
	int err;

	if (!buf)
		return -ENOMEM;
	memcpy(m.handle, handle, 16);
	err = request(c, HDMH_RELEASE, &m, sizeof(m), buf, &rx,
		      sizeof(struct hdmh_status));
	if (!err)
		rx_close_fds(&rx);
	free(buf);
	return err;
}

int hdmh_buffer_map(struct hdmh_buffer *b, bool write)
{
	int prot = PROT_READ | (write ? PROT_WRITE : 0);
	size_t len = (size_t)b->offer.nr_pages * PAGE, at = 0;
	uint8_t *base;
	unsigned int i;

	if (b->map)
		return 0;
	if (b->kind == HDMH_KIND_DMABUF) {
		base = mmap(NULL, len, prot, MAP_SHARED, b->fds[0], 0);
		if (base == MAP_FAILED)
			return -errno;
		b->map = base;
		b->map_len = len;
		return 0;
	}
	/* reserve the whole range, then place every run in it */
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (i = 0; i < b->nruns; i++) {
		const struct hdmh_run *x = &b->runs[i];

		if (mmap(base + at, x->len, prot, MAP_SHARED | MAP_FIXED,
			 b->fds[x->fd], (off_t)x->offset) == MAP_FAILED) {
			int err = -errno;

			munmap(base, len);
			return err;
		}
		at += x->len;
	}
	b->map = base;
	b->map_len = len;
	return 0;
}

void hdmh_buffer_free(struct hdmh_buffer *b)
{
	if (b->map)
		munmap(b->map, b->map_len);
	while (b->nfds)
		close(b->fds[--b->nfds]);
	free(b->runs);
	memset(b, 0, sizeof(*b));
}

int hdmh_next_event(struct hdmh_conn *c, int timeout_ms, struct hdmh_event *ev)
{
	int64_t end = ms_now() + timeout_ms;
	uint8_t *buf;
	struct rx rx;
	int err;

	if (c->evq_len) {
		*ev = c->evq[c->evq_head];
		c->evq_head = (c->evq_head + 1) % HDMH_EVQ;
		c->evq_len--;
		return 0;
	}
	if (c->fd < 0)
		return -ENOTCONN;
	buf = malloc(HDMH_MAX_MSG);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		int64_t left = end - ms_now();

		err = rx_one(c, timeout_ms < 0 ? -1 : left > 0 ? (int)left : 0,
			     buf, &rx);
		if (err)
			break;
		rx_close_fds(&rx);
		if (rx.h.seq || (rx.h.type & HDMH_REPLY))
			continue;	/* a reply nobody waits for */
		ev_queue(c, &rx);
		if (c->evq_len) {
			*ev = c->evq[c->evq_head];
			c->evq_head = (c->evq_head + 1) % HDMH_EVQ;
			c->evq_len--;
			break;
		}
	}
	free(buf);
	return err;
}
