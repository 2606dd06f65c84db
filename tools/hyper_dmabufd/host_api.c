// SPDX-License-Identifier: GPL-2.0
/*
 * host_api.c - the --host-socket of hyper_dmabufd (docs/host-api.rst): host
 * processes list the buffers guests offer to the host, get events, import
 * a buffer (handed over as a dma-buf from /dev/udmabuf, or as the guest's
 * memory files plus a list of runs, by SCM_RIGHTS) and release it.
 *
 * Clients are trusted no more than guests: every message is length- and
 * field-checked, nothing a client sends can make the daemon block (the
 * socket is non-blocking; a client that does not read its events is
 * dropped), and a client's imports are released when it goes away.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/udmabuf.h>

#include "daemon.h"
#include "host_api.h"
#include "pgdir_xlate.h"

#define MAX_CLIENTS		16
#define MAX_HOLDS		256	/* imports one client may hold */
#define MAX_BAD			8	/* malformed requests before a drop */
#define UDMABUF_LIST_MAX	1024	/* udmabuf's default list_limit */
#define LISTENER		(~0u)

struct hold {
	uint32_t domid;
	uint8_t handle[16];
};

struct client {
	int fd;			/* -1: slot free */
	uint32_t id;		/* slot | generation << 8 */
	bool hello, events, dead;
	unsigned int nbad;
	struct ev ev;
	unsigned int nholds;
	struct hold holds[MAX_HOLDS];
};

static struct {
	struct daemon *d;
	char path[108];
	int lfd;
	struct ev ev_listen;
	int udmabuf;		/* /dev/udmabuf, or -1 */
	uint32_t gen;
	struct client c[MAX_CLIENTS];
} H = { .lfd = -1, .udmabuf = -1 };

bool host_api_enabled(void)
{
	return H.lfd >= 0;
}

int host_api_init(struct daemon *d, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	unsigned int i;
	int err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	H.d = d;
	snprintf(H.path, sizeof(H.path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path));
	for (i = 0; i < MAX_CLIENTS; i++)
		H.c[i].fd = -1;
	H.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (H.lfd < 0)
		return -errno;
	unlink(path);
	old = umask(0077);	/* owner only; widen with chmod/ACLs */
	err = bind(H.lfd, (struct sockaddr *)&sa, sizeof(sa)) ? -errno : 0;
	umask(old);
	if (!err && chmod(path, 0600))
		err = -errno;
	if (!err && listen(H.lfd, 8))
		err = -errno;
	H.ev_listen = (struct ev){ EV_HOST, NULL, LISTENER };
	if (!err)
		err = ev_add(d, H.lfd, &H.ev_listen);
	if (err) {
		close(H.lfd);
		H.lfd = -1;
		return err;
	}
	H.udmabuf = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	logmsg(LOG_INFO, "host: API on %s; imports as %s", path,
	       H.udmabuf >= 0 ? "udmabuf dma-bufs" :
	       "memory files + runs (no /dev/udmabuf)");
	return 0;
}

/* ---- sending ---------------------------------------------------------- */

static int c_send(struct client *c, uint16_t type, uint32_t seq,
		  const void *pl, size_t len, const int *fds, unsigned int nfds)
{
	struct hdmh_hdr h = {
		.magic = HDMH_MAGIC, .version = HDMH_VERSION, .type = type,
		.len = (uint32_t)len, .seq = seq,
	};
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)pl, len } };
	char cbuf[CMSG_SPACE(HDMH_MAX_FDS * sizeof(int))];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	struct cmsghdr *cm;

	if (c->dead)
		return -ENOTCONN;
	if (nfds) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	if (sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof(h) + len)) {
		/* a client that does not read cannot make us queue or wait */
		logmsg(LOG_INFO, "host: client %#x: send failed (%s); dropping it",
		       c->id, strerror(errno));
		c->dead = true;
		return -EIO;
	}
	return 0;
}

static void c_status(struct client *c, uint16_t type, uint32_t seq, int status)
{
	struct hdmh_status st = { .status = status };

	c_send(c, type | HDMH_REPLY, seq, &st, sizeof(st), NULL, 0);
}

static void broadcast(uint16_t type, const void *pl, size_t len)
{
	unsigned int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (H.c[i].fd >= 0 && H.c[i].events && !H.c[i].dead)
			c_send(&H.c[i], type, 0, pl, len, NULL, 0);
}

void host_api_offer_event(const struct hdmh_offer *o)
{
	broadcast(HDMH_EV_OFFER, o, sizeof(*o));
}

void host_api_peer_event(uint32_t domid, bool up)
{
	struct hdmh_peer_ev e = { .domid = domid, .up = up };

	broadcast(HDMH_EV_PEER, &e, sizeof(e));
}

/* Drop every client's hold on (@domid, @handle), without releasing. */
void host_api_revoked(uint32_t domid, const uint8_t *handle, uint32_t reason)
{
	struct hdmh_revoked r = { .domid = domid, .reason = reason };
	unsigned int i, k;

	memcpy(r.handle, handle, 16);
	for (i = 0; i < MAX_CLIENTS; i++) {
		struct client *c = &H.c[i];

		if (c->fd < 0 || reason == HDMH_REVOKED_UNEXPORT)
			continue;	/* wait mode: holders release themselves */
		for (k = 0; k < c->nholds; k++)
			if (c->holds[k].domid == domid &&
			    !memcmp(c->holds[k].handle, handle, 16))
				c->holds[k--] = c->holds[--c->nholds];
	}
	broadcast(HDMH_EV_REVOKED, &r, sizeof(r));
}

/* ---- hand-over -------------------------------------------------------- */

static struct client *client_by_id(uint32_t id)
{
	struct client *c = &H.c[id & 0xff];

	if ((id & 0xff) >= MAX_CLIENTS || c->fd < 0 || c->id != id || c->dead)
		return NULL;
	return c;
}

/* One dma-buf over all runs, or -1 (the caller falls back to memfds). */
static int make_udmabuf(const struct guestmem *gm, const struct xlate_run *runs,
			size_t nruns)
{
	struct udmabuf_create_list *l;
	size_t i;
	int fd;

	if (H.udmabuf < 0 || nruns > UDMABUF_LIST_MAX)
		return -1;
	l = calloc(1, sizeof(*l) + nruns * sizeof(l->list[0]));
	if (!l)
		return -1;
	l->flags = UDMABUF_FLAGS_CLOEXEC;
	l->count = (uint32_t)nruns;
	for (i = 0; i < nruns; i++) {
		l->list[i].memfd = (uint32_t)gm->r[runs[i].region].fd;
		l->list[i].offset = runs[i].fd_offset;
		l->list[i].size = runs[i].npages * VIRTIO_DMABUF_PAGE_SIZE;
	}
	fd = ioctl(H.udmabuf, UDMABUF_CREATE_LIST, l);
	if (fd < 0)
		logmsg(LOG_INFO, "host: udmabuf refused the guest memory (%s); "
		       "handing over memory files", strerror(errno));
	free(l);
	return fd;
}

/* A descriptor of region @r's file, read-only unless @rw and writable. */
static int region_fd(const struct gm_region *r, bool rw)
{
	char p[64];

	if (rw && r->writable)
		return fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
	/* a new read-only open file description of the same memfd */
	snprintf(p, sizeof(p), "/proc/self/fd/%d", r->fd);
	return open(p, O_RDONLY | O_CLOEXEC);
}

static int handover(struct client *c, uint32_t seq, uint32_t flags,
		    struct guest *g, const struct hdmabuf_export_desc *d)
{
	struct hdmh_import_reply *rep = NULL;
	struct hdmh_run *out;
	struct xlate_run *runs = NULL;
	unsigned int region_slot[GM_MAX_REGIONS];
	int fds[HDMH_MAX_FDS];
	unsigned int nfds = 0, i;
	size_t nruns = 0, k, len;
	bool rw = le32toh(d->access) == HDMABUF_ACCESS_RW;
	int err, fd = -1;

	err = pgdir_translate(&g->mem, le64toh(d->dir_root), le64toh(d->nr_pages),
			      le32toh(d->dir_pages), d->dir_levels, &runs, &nruns);
	if (err) {
		logmsg(LOG_INFO, "host: directory of %s's buffer refused: %s",
		       g->name, strerror(-err));
		return err;
	}
	if (!(flags & HDMH_IMPORT_F_MEMFD))
		fd = make_udmabuf(&g->mem, runs, nruns);
	err = -E2BIG;
	if (fd < 0 && nruns > HDMH_MAX_RUNS)
		goto out;
	len = sizeof(*rep) + (fd >= 0 ? 1 : nruns) * sizeof(*out);
	err = -ENOMEM;
	rep = calloc(1, len);
	if (!rep)
		goto out;
	out = (struct hdmh_run *)(rep + 1);
	if (fd >= 0) {
		rep->kind = HDMH_KIND_DMABUF;
		fds[nfds++] = fd;
		rep->nruns = 1;
		out[0].len = le64toh(d->nr_pages) * VIRTIO_DMABUF_PAGE_SIZE;
	} else {
		rep->kind = HDMH_KIND_MEMFD;
		for (i = 0; i < GM_MAX_REGIONS; i++)
			region_slot[i] = ~0u;
		for (k = 0; k < nruns; k++) {
			unsigned int r = runs[k].region;

			if (region_slot[r] == ~0u) {
				err = -E2BIG;
				if (nfds == HDMH_MAX_FDS)
					goto out;
				fds[nfds] = region_fd(&g->mem.r[r], rw);
				err = -errno;
				if (fds[nfds] < 0)
					goto out;
				region_slot[r] = nfds++;
			}
			out[k].fd = region_slot[r];
			out[k].offset = runs[k].fd_offset;
			out[k].len = runs[k].npages * VIRTIO_DMABUF_PAGE_SIZE;
		}
		rep->nruns = (uint32_t)nruns;
	}
	rep->nfds = nfds;
	{
		struct hdmh_offer o;

		memset(&o, 0, sizeof(o));
		o.domid = g->domid;
		o.access = le32toh(d->access);
		memcpy(o.handle, d->handle.bytes, 16);
		o.size = le64toh(d->size);
		o.nr_pages = le64toh(d->nr_pages);
		o.first_offset = le32toh(d->first_offset);
		o.fourcc = le32toh(d->fourcc);
		o.modifier = le64toh(d->modifier);
		o.width = le32toh(d->width);
		o.height = le32toh(d->height);
		o.nr_planes = le32toh(d->nr_planes);
		o.imported = 1;
		for (i = 0; i < 4; i++) {
			o.planes[i].offset = le32toh(d->planes[i].offset);
			o.planes[i].stride = le32toh(d->planes[i].stride);
		}
		rep->offer = o;
	}
	err = c_send(c, HDMH_IMPORT | HDMH_REPLY, seq, rep, len, fds, nfds);
	if (!err)
		logmsg(LOG_INFO, "host: client %#x imported %llu page(s) of %s as %s "
		       "(%u run(s))", c->id, (unsigned long long)le64toh(d->nr_pages),
		       g->name, fd >= 0 ? "a dma-buf" : "memory files",
		       rep->nruns);
out:
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	free(rep);
	free(runs);
	return err;
}

int host_api_import_done(uint32_t client, uint32_t seq, uint32_t flags,
			 int status, struct guest *g,
			 const struct hdmabuf_export_desc *d)
{
	struct client *c = client_by_id(client);
	int err;

	if (!c)
		return -ENOTCONN;
	if (!status && c->nholds == MAX_HOLDS)
		status = -ENOSPC;
	if (!status) {
		err = handover(c, seq, flags, g, d);
		if (!err) {
			c->holds[c->nholds].domid = g->domid;
			memcpy(c->holds[c->nholds].handle, d->handle.bytes, 16);
			c->nholds++;
			return 0;
		}
		status = err;
	}
	c_status(c, HDMH_IMPORT, seq, status);
	return status;
}

/* ---- requests --------------------------------------------------------- */

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static int do_hello(struct client *c, const struct hdmh_hdr *h,
		    const uint8_t *pl)
{
	struct hdmh_hello_reply r = { 0 };
	struct hdmh_hello m;

	if (h->len != sizeof(m))
		return -EBADMSG;
	memcpy(&m, pl, sizeof(m));
	if (c->hello || m.flags & ~HDMH_HELLO_F_EVENTS)
		return -EINVAL;
	if (!m.version_min || m.version_min > HDMH_VERSION ||
	    m.version_max < HDMH_VERSION)
		return -EPROTO;
	c->hello = true;
	c->events = m.flags & HDMH_HELLO_F_EVENTS;
	r.version = HDMH_VERSION;
	r.caps = H.udmabuf >= 0 ? HDMH_CAP_UDMABUF : 0;
	r.host_domid = HDMH_HOST_DOMID;
	c_send(c, HDMH_HELLO | HDMH_REPLY, h->seq, &r, sizeof(r), NULL, 0);
	return 0;
}

static int do_list(struct client *c, const struct hdmh_hdr *h,
		   const uint8_t *pl)
{
	struct {
		struct hdmh_list_reply r;
		struct hdmh_offer o[HDMH_LIST_MAX];
	} *rep;
	struct hdmh_list m;
	uint32_t total;

	if (h->len != sizeof(m))
		return -EBADMSG;
	memcpy(&m, pl, sizeof(m));
	if (m.reserved)
		return -EINVAL;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	rep->r.count = host_peer_list(m.start, rep->o, HDMH_LIST_MAX, &total);
	rep->r.total = total;
	c_send(c, HDMH_LIST | HDMH_REPLY, h->seq, rep,
	       sizeof(rep->r) + rep->r.count * sizeof(rep->o[0]), NULL, 0);
	free(rep);
	return 0;
}

static int do_import(struct client *c, const struct hdmh_hdr *h,
		     const uint8_t *pl)
{
	struct hdmh_import m;
	unsigned int k;

	if (h->len != sizeof(m))
		return -EBADMSG;
	memcpy(&m, pl, sizeof(m));
	if (m.flags & ~HDMH_IMPORT_F_MEMFD || zero(m.handle, 16))
		return -EINVAL;
	for (k = 0; k < c->nholds; k++)
		if (c->holds[k].domid == m.domid &&
		    !memcmp(c->holds[k].handle, m.handle, 16))
			return -EEXIST;
	if (c->nholds == MAX_HOLDS)
		return -ENOSPC;
	/* answered now or when the guest replies (host_api_import_done) */
	return host_peer_import(m.domid, m.handle, c->id, h->seq, m.flags);
}

static int do_release(struct client *c, const struct hdmh_hdr *h,
		      const uint8_t *pl)
{
	struct hdmh_release m;
	unsigned int k;

	if (h->len != sizeof(m))
		return -EBADMSG;
	memcpy(&m, pl, sizeof(m));
	if (m.reserved)
		return -EINVAL;
	for (k = 0; k < c->nholds; k++)
		if (c->holds[k].domid == m.domid &&
		    !memcmp(c->holds[k].handle, m.handle, 16))
			break;
	if (k == c->nholds)
		return -ENOENT;
	c->holds[k] = c->holds[--c->nholds];
	host_peer_release(m.domid, m.handle);
	c_status(c, HDMH_RELEASE, h->seq, 0);
	return 0;
}

static void client_drop(struct client *c)
{
	unsigned int k;

	ev_del(H.d, c->fd);
	close(c->fd);
	c->fd = -1;
	for (k = 0; k < c->nholds; k++)
		host_peer_release(c->holds[k].domid, c->holds[k].handle);
	logmsg(LOG_INFO, "host: client %#x gone (%u import(s) released)",
	       c->id, c->nholds);
	c->nholds = 0;
}

static void client_read(struct client *c)
{
	uint8_t buf[HDMH_MAX_REQ + 1];
	char cbuf[CMSG_SPACE(16 * sizeof(int))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct hdmh_hdr h;
	bool had_fds = false;
	ssize_t n;
	int err;

	n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		c->dead = true;
		return;
	}
	/* clients have no business sending descriptors: close them */
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			size_t nf = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fd;

			while (nf--) {
				memcpy(&fd, CMSG_DATA(cm) + nf * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
		had_fds = true;
	}
	if ((size_t)n < sizeof(h)) {
		c->dead = true;	/* no header to answer to */
		return;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != HDMH_MAGIC || h.version != HDMH_VERSION) {
		c->dead = true;	/* not speaking this API at all */
		return;
	}
	if (had_fds || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n > HDMH_MAX_REQ || h.len != (size_t)n - sizeof(h) ||
	    (h.type & HDMH_REPLY))
		err = -EBADMSG;
	else if (!c->hello && h.type != HDMH_HELLO)
		err = -EPROTO;
	else
		switch (h.type) {
		case HDMH_HELLO:
			err = do_hello(c, &h, buf + sizeof(h));
			break;
		case HDMH_LIST:
			err = do_list(c, &h, buf + sizeof(h));
			break;
		case HDMH_IMPORT:
			err = do_import(c, &h, buf + sizeof(h));
			break;
		case HDMH_RELEASE:
			err = do_release(c, &h, buf + sizeof(h));
			break;
		default:
			err = -EOPNOTSUPP;
			break;
		}
	if (!err)
		return;
	if (err == -EBADMSG || err == -EINVAL || err == -EOPNOTSUPP ||
	    err == -EPROTO) {
		logmsg(LOG_INFO, "host: client %#x: bad request %#x: %s", c->id,
		       h.type, strerror(-err));
		if (++c->nbad >= MAX_BAD)
			c->dead = true;
	}
	c_status(c, h.type & ~HDMH_REPLY, h.seq, err);
}

static void client_accept(void)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	int fd, sz = 1 << 20;
	unsigned int i;

	fd = accept4(H.lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS && H.c[i].fd >= 0; i++)
		;
	if (i == MAX_CLIENTS) {
		logmsg(LOG_ERR, "host: more than %d clients; refusing one",
		       MAX_CLIENTS);
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&H.c[i], 0, sizeof(H.c[i]));
	H.c[i].fd = fd;
	H.c[i].id = i | (++H.gen << 8);
	H.c[i].ev = (struct ev){ EV_HOST, NULL, i };
	if (ev_add(H.d, fd, &H.c[i].ev)) {
		close(fd);
		H.c[i].fd = -1;
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl))
		cr.pid = 0, cr.uid = 0;
	logmsg(LOG_INFO, "host: client %#x connected (pid %d, uid %u)",
	       H.c[i].id, (int)cr.pid, (unsigned int)cr.uid);
}

void host_api_event(struct ev *ev)
{
	if (ev->q == LISTENER) {
		client_accept();
		return;
	}
	if (ev->q < MAX_CLIENTS && H.c[ev->q].fd >= 0 && !H.c[ev->q].dead)
		client_read(&H.c[ev->q]);
}

int host_api_timeout(void)
{
	return host_peer_waiting() ? 100 : -1;
}

void host_api_poll(void)
{
	struct timespec ts;
	unsigned int i;

	if (H.lfd < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	host_peer_timeouts((uint64_t)ts.tv_sec * 1000000000ull +
			   (uint64_t)ts.tv_nsec);
	for (i = 0; i < MAX_CLIENTS; i++)
		if (H.c[i].fd >= 0 && H.c[i].dead)
			client_drop(&H.c[i]);
}

void host_api_fini(void)
{
	unsigned int i;

	if (H.lfd < 0)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (H.c[i].fd >= 0)
			client_drop(&H.c[i]);
	ev_del(H.d, H.lfd);
	close(H.lfd);
	H.lfd = -1;
	unlink(H.path);
	if (H.udmabuf >= 0)
		close(H.udmabuf);
}
