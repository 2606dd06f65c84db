// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf-importd: imports the buffers that configured domains offer
 * to this VM and hands each one to a consumer: a PNG file per frame
 * (default), or the dma-buf fd itself to a UNIX-socket client.
 *
 * It learns about offers from the event records of /dev/hyper_dmabuf
 * (poll + read), and at start-up from LIST, so offers made before it ran
 * (e.g. the one whose uevent made udev start it) are not lost.  Every
 * field of the metadata is validated before the buffer is touched; a bad
 * frame is logged and skipped, the daemon keeps running.
 *
 * With --sync release (the default) every offer is one frame: the import
 * is released (its fd closed) as soon as the frame has been copied out,
 * so the exporter can recycle the buffer.  With --sync fences the offers
 * are the exporter's buffer pool, imported once (pool.h); a frame is the
 * exporter's write fence on one of them (a FENCE event), and the exporter
 * may draw into the buffer again once our read fence has signalled.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <linux/dma-buf.h>
#include <linux/hyper_dmabuf.h>

#include "frame.h"
#include "hyper_dmabuf-importd.h"
#include "png.h"
#include "pool.h"

#define PROG		"hyper_dmabuf-importd"
#define VERSION		"0.1.0"
#define DEFAULT_DEV	"/dev/hyper_dmabuf"
#define DEFAULT_OUTDIR	"/var/lib/hyper_dmabuf/frames"
#define MAX_SOURCES	32
#define RECENT		64	/* consumed handles remembered */
#define EXIT_USAGE	2
/*
 * Backstop for a write fence (the module fails it after fence_timeout_ms,
 * 5 s by default); below vgem's 10 s, after which vgem signals our read
 * fence by itself and the exporter could draw while we still copy.
 */
#define WRITE_WAIT_MS	9000

struct source {
	uint32_t backend;
	uint64_t domid;
};

struct importd {
	const char *dev_path;
	const char *outdir;
	const char *sock_path;
	struct source from[MAX_SOURCES];
	unsigned int nr_from;
	unsigned long long keep;	/* PNGs kept, 0 = all */
	unsigned long long max_frames;	/* exit after this many, 0 = never */
	int png_level;
	int verbose;
	int fences;			/* --sync fences */
	const char *oneshot;		/* --handle: PNG named after it */
	struct pool pool;		/* --sync fences */

	int dev;
	int listen_fd;
	int client_fd;
	unsigned long long frames;	/* consumed */
	unsigned long long rejected;	/* bad metadata or refused */
	unsigned long long failed;	/* import or consumer errors */
	/*
	 * Handles consumed lately: an exporter unexports a released buffer
	 * only when it gets round to it, and a rescan (start-up, overflow)
	 * must not take the same frame twice.
	 */
	struct hyper_dmabuf_handle recent[RECENT];
	unsigned int recent_next;
};

static volatile sig_atomic_t stop;

/* --------------------------------------------------------------- helpers */

static const struct {
	const char *name;
	uint32_t id;
} backend_names[] = {
	{ "loopback", HYPER_DMABUF_BACKEND_LOOPBACK },
	{ "xen", HYPER_DMABUF_BACKEND_XEN },
	{ "virtio", HYPER_DMABUF_BACKEND_VIRTIO },
};

static const char *backend_name(uint32_t id)
{
	unsigned int i;

	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++)
		if (backend_names[i].id == id)
			return backend_names[i].name;
	return "unknown";
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "xen:1", "loopback:0", "2:5" -> source; -1 on a malformed string */
static int parse_source(const char *s, struct source *out)
{
	const char *colon = strchr(s, ':');
	uint64_t id;
	size_t n;
	unsigned int i;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++)
		if (strlen(backend_names[i].name) == n &&
		    !strncmp(backend_names[i].name, s, n))
			break;
	if (i < sizeof(backend_names) / sizeof(backend_names[0])) {
		out->backend = backend_names[i].id;
	} else {
		char num[16];

		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, s, n);
		num[n] = 0;
		if (parse_u64(num, HYPER_DMABUF_MAX_BACKENDS, &id) || !id)
			return -1;
		out->backend = (uint32_t)id;
	}
	return parse_u64(colon + 1, UINT64_MAX, &out->domid);
}

static void handle_hex(const struct hyper_dmabuf_handle *h, char out[33])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = digits[h->bytes[i] >> 4];
		out[2 * i + 1] = digits[h->bytes[i] & 15];
	}
	out[32] = 0;
}

static int parse_handle(const char *s, struct hyper_dmabuf_handle *h)
{
	int i, hi, lo;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		hi = s[2 * i];
		lo = s[2 * i + 1];
		hi = hi >= '0' && hi <= '9' ? hi - '0' :
		     hi >= 'a' && hi <= 'f' ? hi - 'a' + 10 : -1;
		lo = lo >= '0' && lo <= '9' ? lo - '0' :
		     lo >= 'a' && lo <= 'f' ? lo - 'a' + 10 : -1;
		if (hi < 0 || lo < 0)
			return -1;
		h->bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void vlog(const struct importd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vlog(const struct importd *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", PROG);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---------------------------------------------------- reading a buffer */

/*
 * The exporter can revoke the buffer while we copy it out; its pages are
 * then unmapped and the copy faults with SIGBUS.  The copy runs under
 * this jump buffer so that costs one frame, not the daemon.
 */
static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_sigbus(int sig)
{
	if (!bus_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	siglongjmp(bus_jmp, 1);
}

static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return xioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

/*
 * Copy the image out of the dma-buf @fd, mapped at @map, into a packed
 * private buffer (*@out, width * 4 bytes per line), inside
 * begin/end_cpu_access.  0 or -errno.
 */
static int copy_frame(int fd, const uint8_t *map, const struct frame_layout *l,
		      uint8_t **out)
{
	size_t line = (size_t)l->width * 4;
	volatile int ret = 0;
	uint8_t *img;
	uint32_t y;

	img = malloc(line * l->height);
	if (!img)
		return -ENOMEM;
	if (dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
		ret = -errno;
		free(img);
		return ret;
	}
	if (sigsetjmp(bus_jmp, 1)) {
		bus_armed = 0;
		ret = -ENODEV;		/* revoked under us */
	} else {
		bus_armed = 1;
		for (y = 0; y < l->height; y++)
			memcpy(img + (size_t)y * line,
			       map + l->offset + (size_t)y * l->stride, line);
		bus_armed = 0;
	}
	if (dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) && !ret)
		ret = -errno;
	if (ret) {
		free(img);
		return ret;
	}
	*out = img;
	return 0;
}

/* copy_frame() of the dma-buf @fd of @size bytes, mapped for the copy. */
static int snapshot(int fd, uint64_t size, const struct frame_layout *l,
		    uint8_t **out)
{
	uint8_t *map;
	int ret;

	if (size > SIZE_MAX)
		return -EFBIG;
	map = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	ret = copy_frame(fd, map, l, out);
	munmap(map, (size_t)size);
	return ret;
}

/* ----------------------------------------------------------- consumers */

static int png_path(const struct importd *d, unsigned long long seq,
		    char *buf, size_t len)
{
	int n = d->oneshot ?
		snprintf(buf, len, "%s/%s.png", d->outdir, d->oneshot) :
		snprintf(buf, len, "%s/frame-%08llu.png", d->outdir, seq);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Write @img as outdir/frame-<seq>.png (atomically, via rename). */
static int write_png(struct importd *d, const uint8_t *img,
		     const struct frame_layout *l)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;
	int ret;

	ret = png_path(d, d->frames, path, sizeof(path));
	if (ret)
		return ret;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	ret = png_write(f, l, img, (size_t)l->width * 4, d->png_level);
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return ret;
	}
	vlog(d, "wrote %s", path);
	if (d->keep && d->frames >= d->keep &&
	    !png_path(d, d->frames - d->keep, path, sizeof(path)))
		unlink(path);
	return 0;
}

/* *@t_copied: when the pixels were copied and the import released. */
static int consume_png(struct importd *d, int fd, uint64_t size,
		       const struct frame_layout *l, double *t_copied)
{
	uint8_t *img;
	int ret;

	ret = snapshot(fd, size, l, &img);
	/* the pixels are ours now: let the exporter have its buffer back */
	close(fd);
	*t_copied = mono_ms();
	if (ret)
		return ret;
	ret = write_png(d, img, l);
	free(img);
	return ret;
}

static int consume_socket(struct importd *d, int fd, uint64_t size,
			  const struct frame_layout *l,
			  const struct hyper_dmabuf_query *q)
{
	struct hdmabuf_importd_frame fr;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &fr, .iov_len = sizeof(fr) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int ret = 0;

	memset(&fr, 0, sizeof(fr));
	fr.magic = HDMABUF_IMPORTD_MAGIC;
	fr.version = HDMABUF_IMPORTD_VERSION;
	fr.seq = d->frames;
	memcpy(fr.handle, q->handle.bytes, sizeof(fr.handle));
	fr.backend = q->backend;
	fr.fourcc = l->fourcc;
	fr.peer = q->peer;
	fr.size = size;
	fr.width = l->width;
	fr.height = l->height;
	fr.stride = l->stride;
	fr.offset = l->offset;

	memset(u.buf, 0, sizeof(u.buf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do {
		n = sendmsg(d->client_fd, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		ret = -errno;
		warnx("consumer went away (%s)", strerror(errno));
		close(d->client_fd);
		d->client_fd = -1;
	}
	close(fd);	/* the client holds the buffer now */
	return ret;
}

/* ---------------------------------------------------------------- offers */

static int source_allowed(const struct importd *d, uint32_t backend,
			  uint64_t peer)
{
	unsigned int i;

	for (i = 0; i < d->nr_from; i++)
		if (d->from[i].backend == backend && d->from[i].domid == peer)
			return 1;
	return 0;
}

static void remember(struct importd *d, const struct hyper_dmabuf_handle *h)
{
	d->recent[d->recent_next] = *h;
	d->recent_next = (d->recent_next + 1) % RECENT;
}

/*
 * Import and consume one offer.  @backend and @peer are what the event
 * (or LIST + QUERY) said; QUERY must agree.  Returns 0 when the frame was
 * consumed or deliberately skipped.
 */
static int process_offer(struct importd *d,
			 const struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_query q;
	struct hyper_dmabuf_import im;
	struct frame_layout l;
	const char *why;
	char hex[33], fcc[5];
	unsigned int i;
	double t0, t_imported, t_copied = 0;
	int ret;

	for (i = 0; i < RECENT; i++)
		if (!memcmp(&d->recent[i], h, sizeof(*h)))
			return 0;
	handle_hex(h, hex);
	memset(&q, 0, sizeof(q));
	q.handle = *h;
	if (xioctl(d->dev, HYPER_DMABUF_IOCTL_QUERY, &q)) {
		/* withdrawn before we got to it: nothing to do */
		vlog(d, "offer %s is gone (%s)", hex, strerror(errno));
		return 0;
	}
	if (q.role != HYPER_DMABUF_ROLE_IMPORTER ||
	    q.state != HYPER_DMABUF_STATE_SHARED)
		return 0;
	if (!source_allowed(d, q.backend, q.peer)) {
		vlog(d, "ignoring offer %s from %s:%llu (not a configured source)",
		     hex, backend_name(q.backend), (unsigned long long)q.peer);
		return 0;
	}
	if (q.importers) {
		vlog(d, "offer %s already imported here", hex);
		return 0;
	}
	if (frame_validate(&q.meta, q.size, &l, &why)) {
		remember(d, h);		/* one log line per bad frame */
		d->rejected++;
		warnx("rejecting frame %s from %s:%llu: %s (fourcc %s 0x%08x, %ux%u, %u planes, stride %u, offset %u, modifier 0x%llx, size %llu)",
		      hex, backend_name(q.backend), (unsigned long long)q.peer,
		      why, frame_fourcc_str(q.meta.fourcc, fcc), q.meta.fourcc,
		      q.meta.width, q.meta.height, q.meta.nr_planes,
		      q.meta.planes[0].stride, q.meta.planes[0].offset,
		      (unsigned long long)q.meta.modifier,
		      (unsigned long long)q.size);
		return 0;
	}
	if (d->sock_path && d->client_fd < 0) {
		vlog(d, "no consumer connected: offer %s left alone", hex);
		return 0;
	}

	memset(&im, 0, sizeof(im));
	im.handle = *h;
	t0 = mono_ms();
	if (xioctl(d->dev, HYPER_DMABUF_IOCTL_IMPORT, &im)) {
		d->failed++;
		warn("import of %s from %s:%llu", hex,
		     backend_name(q.backend), (unsigned long long)q.peer);
		return -1;
	}
	t_imported = mono_ms();
	/* the size we will map is the one the kernel gave us; it must match */
	if (im.size != q.size) {
		d->rejected++;
		warnx("rejecting frame %s: imported size %llu != announced %llu",
		      hex, (unsigned long long)im.size,
		      (unsigned long long)q.size);
		close(im.fd);
		return 0;
	}
	remember(d, h);
	if (d->fences) {
		ret = pool_add(&d->pool, h, im.fd, im.size, &l, q.backend,
			       q.peer);
		if (ret) {
			d->failed++;
			errno = -ret;
			warn("buffer %s from %s:%llu", hex,
			     backend_name(q.backend), (unsigned long long)q.peer);
			return -1;
		}
		vlog(d, "buffer %s from %s:%llu in the pool, %ux%u %s", hex,
		     backend_name(q.backend), (unsigned long long)q.peer,
		     l.width, l.height, frame_fourcc_str(l.fourcc, fcc));
		return 0;
	}
	if (d->sock_path)
		ret = consume_socket(d, im.fd, im.size, &l, &q);
	else
		ret = consume_png(d, im.fd, im.size, &l, &t_copied);
	if (ret) {
		d->failed++;
		errno = -ret;
		warn("frame %s from %s:%llu", hex, backend_name(q.backend),
		     (unsigned long long)q.peer);
		return -1;
	}
	if (d->sock_path)
		vlog(d, "frame %llu: %s from %s:%llu, %ux%u %s (ms: import %.1f)",
		     d->frames, hex, backend_name(q.backend),
		     (unsigned long long)q.peer, l.width, l.height,
		     frame_fourcc_str(l.fourcc, fcc), t_imported - t0);
	else
		vlog(d, "frame %llu: %s from %s:%llu, %ux%u %s (ms: import %.1f, copy and release %.1f, png %.1f)",
		     d->frames, hex, backend_name(q.backend),
		     (unsigned long long)q.peer, l.width, l.height,
		     frame_fourcc_str(l.fourcc, fcc), t_imported - t0,
		     t_copied - t_imported, mono_ms() - t_copied);
	d->frames++;
	if (d->max_frames && d->frames >= d->max_frames)
		stop = 1;
	return 0;
}

/*
 * A frame in pool buffer @b (the exporter's write fence @seqno came): take it
 * with our read fence, wait for the writes, copy it out, end the read so
 * the exporter can draw again, then encode it.
 */
static int pool_frame(struct importd *d, struct pool_buf *b, uint64_t seqno)
{
	double t0 = mono_ms(), t_fence, t_written, t_copied;
	uint8_t *img = NULL;
	uint32_t fence;
	char hex[33];
	int ret;

	handle_hex(&b->handle, hex);
	ret = pool_read_begin(&d->pool, d->dev, b, &fence);
	t_fence = mono_ms();
	if (ret) {
		errno = -ret;
		warn("frame in %s: attaching our read fence", hex);
		d->failed++;
		return -1;
	}
	ret = pool_wait_written(d->dev, b, seqno, WRITE_WAIT_MS);
	t_written = mono_ms();
	if (!ret)
		ret = copy_frame(b->fd, b->map, &b->layout, &img);
	pool_read_end(&d->pool, fence);
	t_copied = mono_ms();
	if (!ret) {
		ret = write_png(d, img, &b->layout);
		free(img);
	}
	if (ret) {
		d->failed++;
		errno = -ret;
		warn("frame in %s from %s:%llu", hex, backend_name(b->backend),
		     (unsigned long long)b->peer);
		return -1;
	}
	vlog(d, "frame %llu: in %s from %s:%llu (ms: read fence %.1f, writes %.1f, copy %.1f, png %.1f)",
	     d->frames, hex, backend_name(b->backend),
	     (unsigned long long)b->peer, t_fence - t0, t_written - t_fence,
	     t_copied - t_written, mono_ms() - t_copied);
	d->frames++;
	if (d->max_frames && d->frames >= d->max_frames)
		stop = 1;
	return 0;
}

/* A pool buffer's event: a frame, or the exporter wants it back. */
static void pool_event(struct importd *d, const struct hyper_dmabuf_event *ev)
{
	struct pool_buf *b = pool_find(&d->pool, &ev->handle);

	if (!b || b->backend != ev->backend || b->peer != ev->peer)
		return;
	if (ev->type == HYPER_DMABUF_EVENT_FENCE &&
	    (ev->flags & HYPER_DMABUF_FENCE_WRITE))
		pool_frame(d, b, ev->size);	/* the write fence's seqno */
	else if (ev->type == HYPER_DMABUF_EVENT_WITHDRAWN ||
		 ev->type == HYPER_DMABUF_EVENT_REVOKED)
		pool_remove(&d->pool, b);
}

/* Offers that are already registered (made before we opened the device). */
static int scan_offers(struct importd *d)
{
	struct hyper_dmabuf_handle *hs = NULL;
	struct hyper_dmabuf_list ls;
	uint32_t i, n;

	memset(&ls, 0, sizeof(ls));
	if (xioctl(d->dev, HYPER_DMABUF_IOCTL_LIST, &ls)) {
		warn("LIST");
		return -1;
	}
	n = ls.count;
	if (!n)
		return 0;
	hs = calloc(n, sizeof(*hs));
	if (!hs) {
		warnx("out of memory");
		return -1;
	}
	memset(&ls, 0, sizeof(ls));
	ls.handles_ptr = (uintptr_t)hs;
	ls.capacity = n;
	if (xioctl(d->dev, HYPER_DMABUF_IOCTL_LIST, &ls)) {
		warn("LIST");
		free(hs);
		return -1;
	}
	if (ls.count < n)
		n = ls.count;
	for (i = 0; i < n && !stop; i++)
		process_offer(d, &hs[i]);
	free(hs);
	return 0;
}

static void handle_events(struct importd *d)
{
	struct hyper_dmabuf_event ev[16];
	ssize_t n;
	size_t i;

	n = read(d->dev, ev, sizeof(ev));
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			warn("read %s", d->dev_path);
		return;
	}
	for (i = 0; i < (size_t)n / sizeof(ev[0]) && !stop; i++) {
		switch (ev[i].type) {
		case HYPER_DMABUF_EVENT_OFFER:
			if (source_allowed(d, ev[i].backend, ev[i].peer))
				process_offer(d, &ev[i].handle);
			break;
		case HYPER_DMABUF_EVENT_OVERFLOW:
			warnx("%llu events lost: rescanning the offers",
			      (unsigned long long)ev[i].size);
			scan_offers(d);
			break;
		case HYPER_DMABUF_EVENT_PEER_DOWN:
			vlog(d, "peer %s:%llu down", backend_name(ev[i].backend),
			     (unsigned long long)ev[i].peer);
			break;
		case HYPER_DMABUF_EVENT_FENCE:
		case HYPER_DMABUF_EVENT_WITHDRAWN:
		case HYPER_DMABUF_EVENT_REVOKED:
			if (d->fences)
				pool_event(d, &ev[i]);
			break;
		default:
			break;
		}
	}
}

/* ---------------------------------------------------------------- socket */

static int socket_listen(struct importd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(d->sock_path) >= sizeof(sa.sun_path)) {
		warnx("%s: socket path too long", d->sock_path);
		return -1;
	}
	strcpy(sa.sun_path, d->sock_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		warn("socket");
		return -1;
	}
	unlink(d->sock_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(d->sock_path, 0660) || listen(fd, 4)) {
		warn("%s", d->sock_path);
		close(fd);
		return -1;
	}
	d->listen_fd = fd;
	return 0;
}

static void socket_accept(struct importd *d)
{
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (d->client_fd >= 0) {
		warnx("a consumer is already connected: refusing another");
		close(fd);
		return;
	}
	d->client_fd = fd;
	vlog(d, "consumer connected");
	/* offers that waited for a consumer */
	scan_offers(d);
}

/* ---------------------------------------------------------------- config */

static int add_source(struct importd *d, const char *s)
{
	struct source src;

	if (parse_source(s, &src)) {
		warnx("bad source '%s' (expected BACKEND:DOMID, e.g. xen:1)", s);
		return -1;
	}
	if (d->nr_from == MAX_SOURCES) {
		warnx("too many sources (max %d)", MAX_SOURCES);
		return -1;
	}
	d->from[d->nr_from++] = src;
	return 0;
}

static int set_option(struct importd *d, const char *key, const char *val)
{
	uint64_t v;

	if (!strcmp(key, "from"))
		return add_source(d, val);
	if (!strcmp(key, "outdir")) {
		d->outdir = strdup(val);
		return d->outdir ? 0 : -1;
	}
	if (!strcmp(key, "socket")) {
		d->sock_path = strdup(val);
		return d->sock_path ? 0 : -1;
	}
	if (!strcmp(key, "sync")) {
		if (strcmp(val, "fences") && strcmp(val, "release")) {
			warnx("bad sync mode '%s' (fences, release)", val);
			return -1;
		}
		d->fences = !strcmp(val, "fences");
		return 0;
	}
	if (!strcmp(key, "keep") || !strcmp(key, "frames") ||
	    !strcmp(key, "png-level")) {
		if (parse_u64(val, !strcmp(key, "png-level") ? 9 : UINT64_MAX,
			      &v)) {
			warnx("bad value '%s' for %s", val, key);
			return -1;
		}
		if (!strcmp(key, "keep"))
			d->keep = v;
		else if (!strcmp(key, "frames"))
			d->max_frames = v;
		else
			d->png_level = (int)v;
		return 0;
	}
	warnx("unknown setting '%s'", key);
	return -1;
}

/* "key = value" lines; '#' starts a comment. */
static int read_config(struct importd *d, const char *path)
{
	char line[512];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f) {
		warn("%s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *key, *val, *e;

		lineno++;
		p[strcspn(p, "#\n")] = 0;
		key = p + strspn(p, " \t");
		if (!*key)
			continue;
		e = strchr(key, '=');
		if (!e) {
			warnx("%s:%u: expected 'key = value'", path, lineno);
			ret = -1;
			continue;
		}
		val = e + 1;
		while (e > key && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		val += strspn(val, " \t");
		e = val + strlen(val);
		while (e > val && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (set_option(d, key, val)) {
			warnx("%s:%u: invalid line", path, lineno);
			ret = -1;
		}
	}
	fclose(f);
	return ret;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s [OPTIONS] --from BACKEND:DOMID...\n"
"Import the buffers that the given domains offer to this VM and write each\n"
"frame as a PNG (default) or pass its dma-buf to a UNIX-socket client.\n"
"\n"
"  -f, --from BACKEND:DOMID  accept offers from this domain (repeatable);\n"
"                            BACKEND is loopback, xen, virtio or a number\n"
"  -o, --outdir DIR          write frame-NNNNNNNN.png files here\n"
"                            (default " DEFAULT_OUTDIR ")\n"
"  -s, --socket PATH         hand the dma-bufs to the client of this\n"
"                            SOCK_SEQPACKET socket instead of writing PNGs\n"
"  -S, --sync MODE           'release' (default): every offer is a frame,\n"
"                            released once copied; 'fences': the offers are\n"
"                            a buffer pool imported once, a frame is the\n"
"                            exporter's write fence on one of them, taken\n"
"                            with our read fence (needs vgem)\n"
"  -k, --keep N              keep only the N newest PNGs (default: all)\n"
"  -n, --frames N            exit after N frames (default: run until signalled)\n"
"  -H, --handle HEX          import this one offer (32 hex digits, as in the\n"
"                            HYPER_DMABUF_HANDLE uevent key) and exit\n"
"  -l, --png-level N         zlib compression level 0-9 (default 1)\n"
"  -c, --config FILE         read settings (from, outdir, socket, sync, keep,\n"
"                            frames, png-level: 'key = value' lines) before\n"
"                            the options\n"
"  -d, --device PATH         the hyper_dmabuf device (default " DEFAULT_DEV ")\n"
"  -v, --verbose             log every frame\n"
"  -h, --help                this text\n"
"  -V, --version             print the version\n"
"\n"
"Exit status: 0 on success or a clean stop (SIGTERM/SIGINT), 1 on errors,\n"
"2 on usage errors.\n", PROG);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "outdir", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 's' },
		{ "sync", required_argument, NULL, 'S' },
		{ "keep", required_argument, NULL, 'k' },
		{ "frames", required_argument, NULL, 'n' },
		{ "handle", required_argument, NULL, 'H' },
		{ "png-level", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct importd d = {
		.dev_path = DEFAULT_DEV, .outdir = DEFAULT_OUTDIR,
		.png_level = 1, .dev = -1, .listen_fd = -1, .client_fd = -1,
	};
	struct hyper_dmabuf_handle one;
	struct hyper_dmabuf_info info;
	struct sigaction sa;
	const char *handle_arg = NULL;
	sigset_t mask, old;
	int c, i, ret = EXIT_SUCCESS;

	/* the config file first, so that options given on the command line win */
	for (i = 1; i < argc; i++) {
		const char *file = NULL;

		if (!strcmp(argv[i], "--"))
			break;
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) &&
		    i + 1 < argc)
			file = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
		else if (!strncmp(argv[i], "-c", 2) && argv[i][2])
			file = argv[i] + 2;
		if (file && read_config(&d, file))
			return EXIT_USAGE;
	}
	while ((c = getopt_long(argc, argv, "+f:o:s:S:k:n:H:l:c:d:vhV", longopts,
				NULL)) != -1) {
		char key[16];

		switch (c) {
		case 'f': case 'o': case 's': case 'S': case 'k': case 'n':
		case 'l':
			snprintf(key, sizeof(key), "%s",
				 c == 'f' ? "from" : c == 'o' ? "outdir" :
				 c == 's' ? "socket" : c == 'S' ? "sync" :
				 c == 'k' ? "keep" : c == 'n' ? "frames" :
				 "png-level");
			if (set_option(&d, key, optarg))
				return EXIT_USAGE;
			break;
		case 'H':
			handle_arg = optarg;
			break;
		case 'c':
			break;	/* read above */
		case 'd':
			d.dev_path = optarg;
			break;
		case 'v':
			d.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s (hyper_dmabuf ABI %d)\n", PROG, VERSION,
			       HYPER_DMABUF_ABI_VERSION);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s --help'.\n", PROG);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (!d.nr_from) {
		warnx("no source domain: give --from BACKEND:DOMID");
		return EXIT_USAGE;
	}
	if (handle_arg && (parse_handle(handle_arg, &one) ||
			   !memcmp(&one, &(struct hyper_dmabuf_handle){ 0 },
				   sizeof(one)))) {
		warnx("bad handle '%s' (32 lower-case hex digits)", handle_arg);
		return EXIT_USAGE;
	}
	if (handle_arg && d.sock_path) {
		warnx("--handle and --socket cannot be combined");
		return EXIT_USAGE;
	}
	if (d.fences && (handle_arg || d.sock_path)) {
		warnx("--sync fences writes PNGs: no --handle or --socket");
		return EXIT_USAGE;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);

	d.dev = open(d.dev_path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (d.dev < 0)
		err(EXIT_FAILURE, "%s", d.dev_path);
	memset(&info, 0, sizeof(info));
	if (xioctl(d.dev, HYPER_DMABUF_IOCTL_GET_INFO, &info))
		err(EXIT_FAILURE, "GET_INFO on %s", d.dev_path);
	if (info.abi_version != HYPER_DMABUF_ABI_VERSION ||
	    !(info.features & HYPER_DMABUF_FEAT_EVENTS) ||
	    !(info.features & HYPER_DMABUF_FEAT_MMAP))
		errx(EXIT_FAILURE, "%s: unsupported ABI %u (features 0x%llx)",
		     d.dev_path, info.abi_version,
		     (unsigned long long)info.features);
	if (!d.sock_path && mkdir(d.outdir, 0755) && errno != EEXIST)
		err(EXIT_FAILURE, "%s", d.outdir);
	if (d.fences) {
		if (!(info.features & HYPER_DMABUF_FEAT_FENCE_EVENTS))
			errx(EXIT_FAILURE, "%s: no fence events in this module: use --sync release",
			     d.dev_path);
		/* frames arrive as the exporter's FENCE events */
		c = hdmabuf_event_mask(d.dev, HYPER_DMABUF_EVENT_MASK_DEFAULT |
				       HYPER_DMABUF_EVENT_BIT(HYPER_DMABUF_EVENT_FENCE),
				       NULL);
		if (c) {
			errno = -c;
			err(EXIT_FAILURE, "EVENT_MASK on %s", d.dev_path);
		}
		c = pool_init(&d.pool);
		if (c) {
			errno = -c;
			err(EXIT_FAILURE, "--sync fences: no vgem for our read fences (modprobe vgem)");
		}
	}

	if (handle_arg) {
		unsigned long long before = d.frames;

		d.oneshot = handle_arg;
		process_offer(&d, &one);
		close(d.dev);
		return d.frames > before ? EXIT_SUCCESS : EXIT_FAILURE;
	}

	/* SIGTERM/SIGINT are only delivered inside ppoll(): no lost wake-ups */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &old);
	if (d.sock_path && socket_listen(&d))
		return EXIT_FAILURE;

	fprintf(stderr, "%s: ready: %u source(s), %s %s\n", PROG, d.nr_from,
		d.sock_path ? "consumer socket" : "PNGs to",
		d.sock_path ? d.sock_path : d.outdir);
	scan_offers(&d);
	while (!stop) {
		struct pollfd pfd[3] = {
			{ .fd = d.dev, .events = POLLIN },
			{ .fd = d.listen_fd, .events = POLLIN },
			{ .fd = d.client_fd, .events = POLLIN },
		};

		if (ppoll(pfd, 3, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			warn("poll");
			ret = EXIT_FAILURE;
			break;
		}
		if (pfd[0].revents & (POLLERR | POLLNVAL)) {
			warnx("%s: device error", d.dev_path);
			ret = EXIT_FAILURE;
			break;
		}
		if (pfd[2].revents) {
			char b;
			ssize_t n;

			/* the client only ever disconnects; data is dropped */
			n = recv(d.client_fd, &b, 1, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN &&
				       errno != EINTR)) {
				vlog(&d, "consumer disconnected");
				close(d.client_fd);
				d.client_fd = -1;
			}
		}
		if (pfd[1].revents & POLLIN)
			socket_accept(&d);
		if (pfd[0].revents & POLLIN)
			handle_events(&d);
	}
	fprintf(stderr, "%s: %llu frames consumed, %llu rejected, %llu failed\n",
		PROG, d.frames, d.rejected, d.failed);
	if (d.listen_fd >= 0) {
		close(d.listen_fd);
		unlink(d.sock_path);
	}
	if (d.client_fd >= 0)
		close(d.client_fd);
	if (d.fences)
		pool_fini(&d.pool);
	close(d.dev);
	return ret;
}
