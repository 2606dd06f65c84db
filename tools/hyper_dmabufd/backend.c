// SPDX-License-Identifier: GPL-2.0
/*
 * backend.c - the back-end channel of one guest (VHOST_USER_SET_BACKEND_REQ_FD):
 * SHMEM_MAP / SHMEM_UNMAP requests, each with NEED_REPLY, sent without
 * blocking and at most HDMABUFD_BCHAN_WINDOW unacknowledged at a time.
 * QEMU handles them in order and acks each (non-zero when it refused the
 * request); the ack completes the request for its tx operation.  The
 * daemon validates everything before sending; a lost channel (QEMU gone,
 * or a reply we cannot parse) fails every queued request and all later
 * mappings (bdead).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "vu_parse.h"

static void breq_free(struct breq *r)
{
	free(r);
}

int bchan_queue(struct guest *g, uint32_t request, const struct vu_mmap *mm,
		int fd, struct txop *op, int run)
{
	struct breq *r;

	if (g->bfd < 0 || g->bdead)
		return -EIO;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->request = request;
	r->mm = *mm;
	r->op = op;
	r->run = run;
	r->fd = fd;
	if (op)
		op->outstanding++;
	if (g->bq_tail)
		g->bq_tail->next = r;
	else
		g->bq_head = r;
	g->bq_tail = r;
	return 0;
}

static int bchan_send(struct guest *g, struct breq *r)
{
	struct {
		struct vu_hdr h;
		struct vu_mmap mm;
	} __attribute__((packed)) m = {
		{ r->request, VU_VERSION | VU_FLAG_NEED_REPLY, sizeof(r->mm) },
		r->mm,
	};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (r->fd >= 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &r->fd, sizeof(int));
	}
	do {
		n = sendmsg(g->bfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -EAGAIN;
	return n == (ssize_t)sizeof(m) ? 0 : -EIO;
}

/* fail everything queued or in flight (channel gone or reset) */
static void bchan_fail_all(struct guest *g)
{
	struct breq *lists[2] = { g->bs_head, g->bq_head };
	unsigned int i;

	g->bs_head = g->bs_tail = g->bq_head = g->bq_tail = NULL;
	g->b_inflight = 0;
	for (i = 0; i < 2; i++) {
		while (lists[i]) {
			struct breq *r = lists[i];

			lists[i] = r->next;
			if (r->op)
				dev_op_acked(g, r->op, -EIO, r->run);
			breq_free(r);
		}
	}
}

static void bchan_lost(struct guest *g, const char *why)
{
	if (g->bfd >= 0) {
		logmsg(LOG_ERR, "%s: back-end channel lost (%s): no more mappings "
		       "for this guest until its device is reset", g->name, why);
		ev_del(g->d, g->bfd);
		close(g->bfd);
		g->bfd = -1;
	}
	g->bdead = true;
	bchan_fail_all(g);
}

void bchan_reset(struct guest *g)
{
	if (g->bfd >= 0) {
		ev_del(g->d, g->bfd);
		close(g->bfd);
		g->bfd = -1;
	}
	g->bdead = false;
	bchan_fail_all(g);
}

/* a stopped device sends nothing: drop what is not on the wire yet */
void bchan_drop_unsent(struct guest *g)
{
	struct breq *r = g->bq_head;

	g->bq_head = g->bq_tail = NULL;
	while (r) {
		struct breq *next = r->next;

		if (r->op)
			dev_op_acked(g, r->op, -ECANCELED, r->run);
		breq_free(r);
		r = next;
	}
}

void bchan_flush(struct guest *g)
{
	if (!g->running)
		return;
	while (g->bq_head && g->b_inflight < HDMABUFD_BCHAN_WINDOW) {
		struct breq *r = g->bq_head;
		int err = bchan_send(g, r);

		if (err == -EAGAIN)
			return;		/* retried on the next ack */
		if (err) {
			bchan_lost(g, "send failed");
			return;
		}
		g->bq_head = r->next;
		if (!g->bq_head)
			g->bq_tail = NULL;
		r->next = NULL;
		if (g->bs_tail)
			g->bs_tail->next = r;
		else
			g->bs_head = r;
		g->bs_tail = r;
		g->b_inflight++;
	}
}

void bchan_handle(struct guest *g)
{
	struct {
		struct vu_hdr h;
		uint64_t v;
	} __attribute__((packed)) m;
	ssize_t n;

	for (;;) {
		struct breq *r;

		n = recv(g->bfd, &m, sizeof(m), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n <= 0) {
			bchan_lost(g, n ? strerror(errno) : "closed by QEMU");
			return;
		}
		r = g->bs_head;
		/* a stream socket: a short read means framing we do not trust */
		if (n != (ssize_t)sizeof(m) || !r ||
		    vu_parse_backend_ack(&m.h, r->request)) {
			bchan_lost(g, "unexpected reply");
			return;
		}
		g->bs_head = r->next;
		if (!g->bs_head)
			g->bs_tail = NULL;
		g->b_inflight--;
		if (m.v)
			logmsg(LOG_ERR, "%s: QEMU refused %s at %#llx+%#llx", g->name,
			       r->request == VU_BACKEND_SHMEM_MAP ? "SHMEM_MAP" :
			       "SHMEM_UNMAP", (unsigned long long)r->mm.shm_offset,
			       (unsigned long long)r->mm.len);
		else if (r->request == VU_BACKEND_SHMEM_MAP)
			g->st_shmem_maps++;
		else
			g->st_shmem_unmaps++;
		if (r->op)
			dev_op_acked(g, r->op, m.v ? -EIO : 0, r->run);
		breq_free(r);
	}
	bchan_flush(g);
}
