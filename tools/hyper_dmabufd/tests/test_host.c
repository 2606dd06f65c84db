// SPDX-License-Identifier: GPL-2.0
/*
 * test_host.c - hyper_dmabufd's host-importer API end to end, without VMs:
 * one fake guest (the QEMU front-end and guest driver of test_e2e.c) speaks
 * the hyper_dmabuf protocol with the host (domain 0), and host clients use
 * tools/lib/hostapi.c: HELLO both ways, offers and events, IMPORT with the
 * bytes checked through the fds handed over, read-only enforcement,
 * RELEASE, refusals, the import timeout, REVOKE, a client that goes away,
 * the guest going away, and hostile clients that must not hurt the daemon.
 *
 *   usage: test_host PATH-TO-hyper_dmabufd
 *          test_host --hostile HOST-SOCKET SEED   (the lab: hostile clients
 *                                                  against a running daemon)
 */
#include <pthread.h>
#include <sys/stat.h>

/* the fake front-end and guest driver: everything of test_e2e.c but main */
#define main test_e2e_main
#include "test_e2e.c"
#undef main

#include "hostapi.h"

#define RXSLOTS 24

static unsigned int rx_posted;

static void g_rx_post(struct fe *f)
{
	struct seg s = { RXBUF(0, rx_posted % RXSLOTS), 4112, 1 };

	rx_posted++;
	fe_post(f, VIRTIO_DMABUF_VQ_RX, &s, 1, 0);
}

/*
 * Next rx event of the guest into @buf (header + payload), the buffer is
 * posted again.  Returns the payload length or -1.
 */
static int g_rx(struct fe *f, uint32_t *type, uint32_t *peer, uint8_t *buf, int ms)
{
	struct vring_desc *d = (struct vring_desc *)(f->mem + ring_off(1, 0));
	uint16_t *used = (uint16_t *)(f->mem + ring_off(1, 2));
	struct vring_used_elem e;
	struct virtio_dmabuf_hdr h;
	uint32_t len;
	uint64_t gpa;

	if (fe_wait_used(f, VIRTIO_DMABUF_VQ_RX, &len, ms))
		return -1;
	memcpy(&e, (struct vring_used_elem *)(used + 2) + (uint16_t)(f->used_seen[1] - 1) % QSZ,
	       sizeof(e));
	gpa = le64toh(d[le32toh(e.id) % QSZ].addr);
	g_rx_post(f);
	if (len < 16 || len > 4112)
		return -1;
	memcpy(&h, f->mem + gpa, 16);
	memcpy(buf, f->mem + gpa + 16, len - 16);
	*type = le32toh(h.type);
	*peer = le32toh(h.peer);
	return le32toh(h.len) == len - 16 ? (int)(len - 16) : -1;
}

/* Next hyper_dmabuf message from the host; its header in *h. */
static int g_msg(struct fe *f, struct hdmabuf_msg_hdr *h, uint8_t *buf, int ms)
{
	uint32_t type, peer;
	int n = g_rx(f, &type, &peer, buf, ms);

	if (n < (int)sizeof(*h) || type != VIRTIO_DMABUF_T_MSG || peer != 0)
		return -1;
	memcpy(h, buf, sizeof(*h));
	return n;
}

static int32_t g_send(struct fe *f, const void *msg, uint32_t len)
{
	int32_t st = -9999;
	uint64_t val;

	if (fe_tx(f, VIRTIO_DMABUF_T_MSG, 0, msg, len, &st, &val) != 16)
		return -9999;
	return st;
}

/* reply to @req with @status and an optional body */
static int32_t g_reply(struct fe *f, const struct hdmabuf_msg_hdr *req, int err,
		       const void *body, uint32_t blen)
{
	uint8_t m[4096];
	struct hdmabuf_msg_hdr h;
	struct hdmabuf_reply_hdr r;

	hdmabuf_msg_init_reply(&h, &r, req, err, blen);
	memcpy(m, &h, sizeof(h));
	memcpy(m + sizeof(h), &r, sizeof(r));
	if (!err && blen)
		memcpy(m + sizeof(h) + sizeof(r), body, blen);
	return g_send(f, m, (uint32_t)hdmabuf_msg_len(&h));
}

static int32_t g_notify(struct fe *f, uint16_t op, uint32_t flags, uint64_t req,
			const void *pl, uint32_t len)
{
	uint8_t m[4096];
	struct hdmabuf_msg_hdr h;

	hdmabuf_msg_init_hdr(&h, op, flags, len, req);
	memcpy(m, &h, sizeof(h));
	memcpy(m + sizeof(h), pl, len);
	return g_send(f, m, (uint32_t)sizeof(h) + len);
}

/* a client import running while the main thread plays the guest */
struct bg_import {
	pthread_t t;
	struct hdmh_conn *c;
	uint8_t handle[16];
	struct hdmh_buffer b;
	int err;
};

static void *bg_import_fn(void *arg)
{
	struct bg_import *bi = arg;

	bi->err = hdmh_import(bi->c, 1, bi->handle, 0, &bi->b);
	return NULL;
}

static void bg_start(struct bg_import *bi, struct hdmh_conn *c, const uint8_t *handle)
{
	memset(bi, 0, sizeof(*bi));
	bi->c = c;
	memcpy(bi->handle, handle, 16);
	pthread_create(&bi->t, NULL, bg_import_fn, bi);
}

/* the guest answers the host's IMPORT of @d: accept (err 0) or refuse */
static int g_answer_import(struct fe *f, const struct hdmabuf_export_desc *d, int err)
{
	struct hdmabuf_msg_hdr h;
	struct hdmabuf_msg_import im;
	uint8_t buf[4200];

	if (g_msg(f, &h, buf, 3000) < (int)(sizeof(h) + sizeof(im)) ||
	    le16toh(h.opcode) != HDMABUF_OP_IMPORT ||
	    !(le32toh(h.flags) & HDMABUF_MSG_F_NEED_REPLY))
		return -1;
	memcpy(&im, buf + sizeof(h), sizeof(im));
	if (memcmp(im.handle.bytes, d->handle.bytes, 16))
		return -1;
	return g_reply(f, &h, err, d, sizeof(*d)) == 0 ? 0 : -1;
}

/* the guest expects a RELEASE of @handle from the host */
static int g_expect_release(struct fe *f, const uint8_t *handle, int ms)
{
	struct hdmabuf_msg_hdr h;
	struct hdmabuf_msg_release r;
	uint8_t buf[4200];

	if (g_msg(f, &h, buf, ms) != (int)(sizeof(h) + sizeof(r)) ||
	    le16toh(h.opcode) != HDMABUF_OP_RELEASE)
		return -1;
	memcpy(&r, buf + sizeof(h), sizeof(r));
	return memcmp(r.handle.bytes, handle, 16) ? -1 : 0;
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* hostile clients: garbage, lies, fds, floods; returns how many sent */
static unsigned int hostile_clients(const char *path, unsigned int seed)
{
	unsigned int sent = 0, i, k;
	int fds[20];

	srand(seed);
	for (k = 0; k < 20; k++) {	/* more clients than the daemon takes */
		fds[k] = raw_connect(path);
	}
	for (i = 0; i < 2000; i++) {
		uint8_t m[400];
		struct hdmh_hdr h = { HDMH_MAGIC, HDMH_VERSION, 0, 0, (uint32_t)i };
		size_t len = (size_t)(rand() % (int)sizeof(m));
		int fd = fds[rand() % 20];

		for (k = 0; k < len; k++)
			m[k] = (uint8_t)rand();
		switch (rand() % 6) {
		case 0:		/* pure garbage */
			break;
		case 1:		/* a plausible header, random type and length */
		case 2:
			h.type = (uint16_t)(rand() % 6 == 0 ? rand() : rand() % 6);
			h.len = rand() % 3 ? (uint32_t)(len - sizeof(h)) : (uint32_t)rand();
			if (len >= sizeof(h))
				memcpy(m, &h, sizeof(h));
			break;
		case 3: {	/* a correct HELLO, then anything */
			struct hdmh_hello he = { 1, 1, HDMH_HELLO_F_EVENTS };

			h.type = HDMH_HELLO;
			h.len = sizeof(he);
			memcpy(m, &h, sizeof(h));
			memcpy(m + sizeof(h), &he, sizeof(he));
			len = sizeof(h) + sizeof(he);
			break;
		}
		case 4: {	/* IMPORT / RELEASE of random handles and domains */
			struct hdmh_import im;

			h.type = rand() % 2 ? HDMH_IMPORT : HDMH_RELEASE;
			h.len = sizeof(im);
			memcpy(&im, m + 100, sizeof(im));
			im.domid = (uint32_t)(rand() % 3);
			im.flags = (uint32_t)(rand() % 3);
			memcpy(m, &h, sizeof(h));
			memcpy(m + sizeof(h), &im, sizeof(im));
			len = sizeof(h) + sizeof(im);
			break;
		}
		case 5: {	/* a LIST with an fd attached */
			char cbuf[CMSG_SPACE(sizeof(int))];
			struct hdmh_list l = { (uint32_t)rand(), 0 };
			struct iovec iov = { m, sizeof(h) + sizeof(l) };
			struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
					     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			int one = 0;	/* stdin */

			h.type = HDMH_LIST;
			h.len = sizeof(l);
			memcpy(m, &h, sizeof(h));
			memcpy(m + sizeof(h), &l, sizeof(l));
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &one, sizeof(int));
			if (fd >= 0 && sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
				sent++;
			continue;
		}
		}
		if (fd >= 0 && send(fd, m, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			sent++;
		if (i % 100 == 99) {	/* some go away, others come */
			k = (unsigned int)rand() % 20;
			if (fds[k] >= 0)
				close(fds[k]);
			fds[k] = raw_connect(path);
		}
	}
	for (k = 0; k < 20; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	return sent;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hdmabufd-host-XXXXXX", pa[256], ph[256], logp[256], arg_a[300];
	struct fe A = { .name = "guest", .bsock = -1, .last_map_fd = -1 };
	struct hdmabuf_export_desc d;
	struct hdmabuf_msg_hdr h;
	struct hdmh_conn c1, c2;
	struct hdmh_event ev;
	struct hdmh_offer *offers = NULL;
	struct bg_import bi;
	uint8_t msg[24 + sizeof(d)], buf[4200];
	uint64_t gfns[4] = { 0x200, 0x201, 0x202, 0x280 };
	uint32_t type, peer;
	size_t n;
	pid_t pid;
	int i, status, ok, err;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "--hostile")) {
		i = (int)hostile_clients(argv[2], (unsigned int)atoi(argv[3]));
		printf("%d hostile messages sent on %s\n", i, argv[2]);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s HYPER_DMABUFD | --hostile SOCKET SEED\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(dir))
		return 1;
	snprintf(pa, sizeof(pa), "%s/a.sock", dir);
	snprintf(ph, sizeof(ph), "%s/host.sock", dir);
	snprintf(logp, sizeof(logp), "%s/daemon.log", dir);
	snprintf(arg_a, sizeof(arg_a), "%s:1", pa);
	pid = fork();
	if (!pid) {
		int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 2);
		execl(argv[1], argv[1], "-v", "--shm-size", "4M", "--guest", arg_a,
		      "--host-socket", ph, (char *)NULL);
		_exit(127);
	}
	daemon_pid = pid;
	atexit(kill_daemon);
	all[0] = &A;

	for (i = 0; i < 100 && access(ph, F_OK); i++)
		usleep(50000);
	err = hdmh_connect(&c1, ph, true);
	CHECK(!err, "client 1 connects and says HELLO (%d)", err);
	{
		struct stat st;

		CHECK(!stat(ph, &st) && (st.st_mode & 0777) == 0600,
		      "the host socket is owner-only (mode %o)", st.st_mode & 0777);
	}
	CHECK(c1.host_domid == 0, "the host is domain 0; udmabuf %s",
	      c1.caps & HDMH_CAP_UDMABUF ? "available" : "not available (memfd hand-over)");

	/* hostile clients before anything is shared, and again later */
	i = (int)hostile_clients(ph, 1);
	CHECK(kill(pid, 0) == 0 && !hdmh_list(&c1, &offers, &n) && n == 0,
	      "%d hostile client messages: daemon alive, client 1 still served", i);
	free(offers);

	/* the guest starts: PEER_UP of the host, HELLO both ways */
	CHECK(!fe_connect(&A, pa) && !fe_negotiate(&A, 1), "guest negotiated");
	for (i = 0; i < 12; i++)
		g_rx_post(&A);
	CHECK(g_rx(&A, &type, &peer, buf, 3000) == 0 && type == VIRTIO_DMABUF_T_PEER_UP && peer == 0,
	      "guest gets PEER_UP of domain 0");
	ok = g_msg(&A, &h, buf, 3000) == 24 + (int)sizeof(struct hdmabuf_msg_hello) &&
	     le16toh(h.opcode) == HDMABUF_OP_HELLO && (le32toh(h.flags) & HDMABUF_MSG_F_NEED_REPLY);
	CHECK(ok, "the host sends HELLO");
	{
		struct hdmabuf_msg_hello mine = {
			.version_min = htole16(1), .version_max = htole16(1),
			.features = htole64(HDMABUF_FEAT_ALL), .sender_id = htole64(1),
		};
		struct hdmabuf_reply_hdr r;

		CHECK(ok && g_reply(&A, &h, 0, &mine, sizeof(mine)) == 0, "guest answers it");
		CHECK(g_notify(&A, HDMABUF_OP_HELLO, HDMABUF_MSG_F_NEED_REPLY, 1, &mine,
			       sizeof(mine)) == 0, "guest sends its HELLO to domain 0");
		ok = g_msg(&A, &h, buf, 3000) == 24 + 8 + (int)sizeof(mine) &&
		     le16toh(h.opcode) == HDMABUF_OP_HELLO &&
		     (le32toh(h.flags) & HDMABUF_MSG_F_REPLY) && le64toh(h.req_id) == 1;
		memcpy(&r, buf + 24, sizeof(r));
		CHECK(ok && r.status == 0, "the host accepts it");
	}
	CHECK(!hdmh_next_event(&c1, 3000, &ev) && ev.type == HDMH_EV_PEER &&
	      ev.u.peer.domid == 1 && ev.u.peer.up, "client 1: event peer 1 up");

	/* an announcement to the host */
	build_export(&A, &d, msg, 0x100, gfns, 4, 0);
	d.first_offset = htole32(0);
	CHECK(g_send(&A, msg, sizeof(msg)) == 0, "guest announces 4 pages to domain 0");
	CHECK(!hdmh_next_event(&c1, 3000, &ev) && ev.type == HDMH_EV_OFFER &&
	      ev.u.offer.domid == 1 && !memcmp(ev.u.offer.handle, d.handle.bytes, 16) &&
	      ev.u.offer.size == 4 * 4096 && ev.u.offer.access == 0 && !ev.u.offer.imported,
	      "client 1: offer event with the guest's handle, size and access");
	CHECK(!hdmh_list(&c1, &offers, &n) && n == 1 && offers[0].domid == 1,
	      "LIST: one offer");
	free(offers);

	/* import: the guest accepts, the bytes arrive through the fds */
	bg_start(&bi, &c1, d.handle.bytes);
	CHECK(!g_answer_import(&A, &d, 0), "the host sends IMPORT; the guest accepts");
	pthread_join(bi.t, NULL);
	CHECK(!bi.err, "client 1 imports the buffer (%d)", bi.err);
	if (!bi.err) {
		struct hdmh_buffer *b = &bi.b;

		CHECK(b->kind == (c1.caps & HDMH_CAP_UDMABUF ? HDMH_KIND_DMABUF : HDMH_KIND_MEMFD) &&
		      (b->kind == HDMH_KIND_DMABUF ? b->nruns == 1 : b->nruns == 2),
		      "handed over as %s with %u run(s)",
		      b->kind == HDMH_KIND_DMABUF ? "a dma-buf" : "a memfd", b->nruns);
		CHECK(!hdmh_buffer_map(b, false), "client maps it");
		ok = b->map != NULL;
		for (i = 0; ok && i < 4; i++)
			ok = !memcmp((uint8_t *)b->map + i * 4096, A.mem + gfns[i] * 4096, 4096);
		CHECK(ok, "all 4 pages byte-exact");
		memcpy(A.mem + 0x201 * 4096 + 100, "guest write after the import", 29);
		CHECK(b->map && !memcmp((uint8_t *)b->map + 4096 + 100,
					"guest write after the import", 29),
		      "a guest write after the import is visible to the host (zero-copy)");
		if (b->kind == HDMH_KIND_MEMFD) {
			struct hdmh_buffer w = *b;

			w.map = NULL;
			CHECK(hdmh_buffer_map(&w, true) == -EACCES,
			      "read-only export: the files cannot be mapped writable");
		}
	}
	{
		struct hdmh_buffer again;

		CHECK(hdmh_import(&c1, 1, d.handle.bytes, 0, &again) == -EEXIST,
		      "importing it twice: -EEXIST");
	}
	CHECK(!hdmh_list(&c1, &offers, &n) && n == 1 && offers[0].imported,
	      "LIST says imported");
	free(offers);
	CHECK(!hdmh_release(&c1, 1, d.handle.bytes), "client 1 releases");
	hdmh_buffer_free(&bi.b);
	CHECK(!g_expect_release(&A, d.handle.bytes, 3000), "the guest gets RELEASE");
	CHECK(hdmh_release(&c1, 1, d.handle.bytes) == -ENOENT, "second release: -ENOENT");

	/* refusals and timeouts */
	bg_start(&bi, &c1, d.handle.bytes);
	CHECK(!g_answer_import(&A, &d, -ESTALE), "the guest refuses an IMPORT with ESTALE");
	pthread_join(bi.t, NULL);
	CHECK(bi.err == -ESTALE, "client gets -ESTALE (%d)", bi.err);
	{
		uint8_t bogus[16] = { 1 };

		struct hdmh_buffer none;

		CHECK(hdmh_import(&c1, 1, bogus, 0, &none) == -ENOENT, "unknown handle: -ENOENT");
		CHECK(hdmh_import(&c1, 7, d.handle.bytes, 0, &none) == -ENOENT,
		      "unknown domain: -ENOENT");
	}
	bg_start(&bi, &c1, d.handle.bytes);
	ok = g_msg(&A, &h, buf, 3000) > 0 && le16toh(h.opcode) == HDMABUF_OP_IMPORT;
	pthread_join(bi.t, NULL);	/* the guest stays silent */
	CHECK(ok && bi.err == -ETIMEDOUT, "a guest that never answers: -ETIMEDOUT (%d)", bi.err);
	CHECK(!g_expect_release(&A, d.handle.bytes, 3000),
	      "and the host releases in case the guest accepts late");
	CHECK(g_reply(&A, &h, 0, &d, sizeof(d)) == 0, "the late accept is dropped");

	/* REVOKE while a client holds it */
	bg_start(&bi, &c1, d.handle.bytes);
	CHECK(!g_answer_import(&A, &d, 0), "imported again");
	pthread_join(bi.t, NULL);
	{
		struct hdmabuf_msg_unexport u = { .mode = htole32(HDMABUF_UNEXPORT_REVOKE) };
		struct hdmabuf_reply_hdr r;

		memcpy(u.handle.bytes, d.handle.bytes, 16);
		CHECK(!bi.err && g_notify(&A, HDMABUF_OP_UNEXPORT, HDMABUF_MSG_F_NEED_REPLY, 2, &u,
					  sizeof(u)) == 0, "the guest revokes it");
		ok = g_msg(&A, &h, buf, 3000) == 32 && le16toh(h.opcode) == HDMABUF_OP_UNEXPORT &&
		     (le32toh(h.flags) & HDMABUF_MSG_F_REPLY) && le64toh(h.req_id) == 2;
		memcpy(&r, buf + 24, sizeof(r));
		CHECK(ok && !r.status, "the host confirms the revoke");
	}
	do
		err = hdmh_next_event(&c1, 3000, &ev);
	while (!err && ev.type == HDMH_EV_OFFER);
	CHECK(!err && ev.type == HDMH_EV_REVOKED && ev.u.revoked.reason == HDMH_REVOKED_REVOKE &&
	      !memcmp(ev.u.revoked.handle, d.handle.bytes, 16), "client 1: revoked event");
	CHECK(hdmh_release(&c1, 1, d.handle.bytes) == -ENOENT, "its hold is gone (-ENOENT)");
	hdmh_buffer_free(&bi.b);
	CHECK(!hdmh_list(&c1, &offers, &n) && n == 0, "LIST: empty");
	free(offers);

	/* a client that goes away releases what it holds */
	d.handle.bytes[0] ^= 0x55;
	memcpy(msg + 24, &d, sizeof(d));
	CHECK(g_send(&A, msg, sizeof(msg)) == 0, "a second buffer announced");
	CHECK(!hdmh_connect(&c2, ph, false), "client 2 connects");
	bg_start(&bi, &c2, d.handle.bytes);
	CHECK(!g_answer_import(&A, &d, 0), "client 2 imports it");
	pthread_join(bi.t, NULL);
	hdmh_buffer_free(&bi.b);
	hdmh_close(&c2);
	CHECK(!bi.err && !g_expect_release(&A, d.handle.bytes, 3000),
	      "client 2 exits: the guest gets RELEASE");

	i = (int)hostile_clients(ph, 2);
	CHECK(kill(pid, 0) == 0 && !hdmh_list(&c1, &offers, &n) && n == 1,
	      "%d more hostile messages with a guest connected: daemon fine", i);
	free(offers);

	/* hostile guest: 4-byte refs are refused with ERROR */
	{
		struct hdmabuf_export_desc bad = d;
		uint8_t m2[sizeof(msg)];

		bad.handle.bytes[0] ^= 0x11;
		bad.ref_size = 4;
		bad.dir_levels = 1;
		memcpy(m2, msg, 24);
		memcpy(m2 + 24, &bad, sizeof(bad));
		CHECK(g_send(&A, m2, sizeof(m2)) == 0 &&
		      g_msg(&A, &h, buf, 3000) > 0 && le16toh(h.opcode) == HDMABUF_OP_ERROR,
		      "an announcement with 4-byte refs: ERROR from the host");
		memset(&h, 0, sizeof(h));
		{
			struct hdmabuf_msg_import im = { 0 };

			im.handle.bytes[3] = 9;
			CHECK(g_notify(&A, HDMABUF_OP_IMPORT, HDMABUF_MSG_F_NEED_REPLY, 3, &im,
				       sizeof(im)) == 0 &&
			      g_msg(&A, &h, buf, 3000) == 32 && (le32toh(h.flags) & HDMABUF_MSG_F_REPLY),
			      "the guest's IMPORT from the host: refused (the host exports nothing)");
		}
	}

	/* the guest goes away while client 1 holds its buffer */
	bg_start(&bi, &c1, d.handle.bytes);
	CHECK(!g_answer_import(&A, &d, 0), "client 1 imports the second buffer");
	pthread_join(bi.t, NULL);
	close(A.sock);
	A.sock = -1;
	ok = 0;
	for (i = 0; i < 4 && ok != 3 && !hdmh_next_event(&c1, 3000, &ev); i++)
		if (ev.type == HDMH_EV_REVOKED && ev.u.revoked.reason == HDMH_REVOKED_PEER_DOWN)
			ok |= 1;
		else if (ev.type == HDMH_EV_PEER && !ev.u.peer.up)
			ok |= 2;
	CHECK(ok == 3, "guest disconnects: client 1 gets revoked (peer-down) and peer 1 down");
	CHECK(hdmh_release(&c1, 1, d.handle.bytes) == -ENOENT && !hdmh_list(&c1, &offers, &n) &&
	      n == 0, "nothing left held or offered");
	free(offers);
	hdmh_buffer_free(&bi.b);
	hdmh_close(&c1);

	kill(pid, SIGTERM);
	daemon_pid = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "daemon exits 0 on SIGTERM (status %#x)", status);
	CHECK(access(ph, F_OK), "and removes its host socket");
	if (tap_fail) {
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "grep -v 'host: client 0x' %s | sed 's/^/# /' | tail -80", logp);
		fflush(stdout);
		status = system(cmd);
	}
	unlink(logp);
	unlink(pa);
	rmdir(dir);
	return tap_done();
}
