// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-compositor: the demo's guest compositor.  It renders the
 * animated test pattern (pattern.h) into a ring of vgem dumb buffers, the
 * way a compositor fills its scanout buffers, and shares every finished
 * frame with another domain through /dev/hyper_dmabuf, with typed
 * metadata (XRGB8888, width, height, stride).
 *
 * Two ways to know when a buffer may be drawn into again (--sync):
 *  - release (default): every frame is a new export; the buffer is reused
 *    once the importer has released it (a RELEASED event) and it is
 *    unexported;
 *  - fences: every buffer is exported once.  A frame is a write
 *    fence (vgem's, standing in for a GPU's rendering fence) attached with
 *    FENCE_ATTACH before drawing and signalled after it; the importer
 *    takes the frame by attaching its read fence to the buffer (a FENCE
 *    event here), and the buffer is drawn into again once that fence has
 *    signalled (poll() POLLOUT on the dma-buf, i.e. implicit sync).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/hyper_dmabuf.h>

#include "hyperdmabuf.h"
#include "pattern.h"

#define PROG		"hyperdmabuf-compositor"
#define VERSION		"0.1.0"
#define DEFAULT_DEV	"/dev/hyper_dmabuf"
#define MAX_BUFFERS	8
#define EXIT_USAGE	2
#define FMT_XRGB8888	(0x34325258u)	/* 'X' 'R' '2' '4' */

/* A scanout buffer: a vgem dumb buffer or a udmabuf (tools/lib). */
struct fb {
	struct hdmabuf_vgem_buf vgem;
	struct hdmabuf_udmabuf udma;
	int dmabuf;		/* the one in use, not owned */
	void *map;
	uint32_t width, height, pitch;
};

struct fb_slot {
	struct fb fb;
	struct hyper_dmabuf_handle handle;
	int exported;		/* handle is a live export of ours */
	int released;		/* the importer has let go of it */
	uint32_t frame;		/* frame shown in it */
	/* --sync fences */
	uint32_t gem;		/* vgem handle of the buffer, for fences */
	int shown;		/* a frame was announced in it */
	int taken;		/* ... and the importer's read fence came */
};

struct compositor {
	int dev;
	uint32_t backend;
	uint64_t peer;
	unsigned int nr_bufs;
	unsigned int timeout_ms;
	int verbose;
	int fences;		/* --sync fences */
	int card;		/* vgem, or -1 */
	struct fb_slot slot[MAX_BUFFERS];
	unsigned long long released;	/* frames the importer is done with */
	unsigned long long max_wait_ms;	/* longest wait for a free buffer */
};

static const struct {
	const char *name;
	uint32_t id;
} backend_names[] = {
	{ "loopback", HYPER_DMABUF_BACKEND_LOOPBACK },
	{ "xen", HYPER_DMABUF_BACKEND_XEN },
	{ "virtio", HYPER_DMABUF_BACKEND_VIRTIO },
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
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

static int parse_target(const char *s, uint32_t *backend, uint64_t *domid)
{
	const char *colon = strchr(s, ':');
	unsigned int i;
	uint64_t id;
	char num[16];
	size_t n;

	if (!colon)
		return -1;
	n = (size_t)(colon - s);
	for (i = 0; i < sizeof(backend_names) / sizeof(backend_names[0]); i++)
		if (strlen(backend_names[i].name) == n &&
		    !strncmp(backend_names[i].name, s, n)) {
			*backend = backend_names[i].id;
			return parse_u64(colon + 1, UINT64_MAX, domid);
		}
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = 0;
	if (parse_u64(num, HYPER_DMABUF_MAX_BACKENDS, &id) || !id)
		return -1;
	*backend = (uint32_t)id;
	return parse_u64(colon + 1, UINT64_MAX, domid);
}

/* ---------------------------------------------------------------- buffers */

/* A @width x @height 32 bpp buffer, exported and mapped; 0 or -errno. */
static int fb_create(int card, int udmabuf, uint32_t width, uint32_t height,
		     struct fb *fb)
{
	int ret;

	memset(fb, 0, sizeof(*fb));
	fb->vgem.dmabuf = -1;
	fb->udma.memfd = -1;
	fb->udma.dmabuf = -1;
	fb->width = width;
	fb->height = height;
	if (udmabuf) {
		fb->pitch = width * 4;
		ret = hdmabuf_udmabuf_alloc((uint64_t)fb->pitch * height,
					    &fb->udma);
		fb->dmabuf = fb->udma.dmabuf;
		fb->map = fb->udma.map;
	} else {
		ret = hdmabuf_vgem_alloc(card, width, height, 32, &fb->vgem);
		fb->pitch = fb->vgem.pitch;
		fb->dmabuf = fb->vgem.dmabuf;
		fb->map = fb->vgem.map;
	}
	return ret;
}

static void fb_destroy(struct fb *fb)
{
	hdmabuf_vgem_free(&fb->vgem);
	hdmabuf_udmabuf_free(&fb->udma);
	fb->dmabuf = -1;
	fb->map = NULL;
}

/* ---------------------------------------------------------------- events */

/* Mark the slot whose export @ev is about; -1 when the peer went away. */
static int handle_event(struct compositor *c,
			const struct hyper_dmabuf_event *ev)
{
	unsigned int i;

	if (ev->type == HYPER_DMABUF_EVENT_PEER_DOWN &&
	    ev->backend == c->backend && ev->peer == c->peer) {
		warnx("the importing domain went down");
		return -1;
	}
	/* In fences mode: the importer's read fence on a frame of ours. */
	if (ev->type == HYPER_DMABUF_EVENT_FENCE && c->fences &&
	    ev->backend == c->backend && ev->peer == c->peer &&
	    !(ev->flags & HYPER_DMABUF_FENCE_WRITE)) {
		for (i = 0; i < c->nr_bufs; i++) {
			struct fb_slot *s = &c->slot[i];

			if (s->shown && !s->taken &&
			    hdmabuf_handle_eq(&s->handle, &ev->handle))
				s->taken = 1;
		}
		return 0;
	}
	if (ev->type != HYPER_DMABUF_EVENT_RELEASED)
		return 0;
	for (i = 0; i < c->nr_bufs; i++) {
		struct fb_slot *s = &c->slot[i];

		if (s->exported && !s->released &&
		    hdmabuf_handle_eq(&s->handle, &ev->handle)) {
			s->released = 1;
			if (!c->fences)
				c->released++;
		}
	}
	return 0;
}

/*
 * Read events until *@flag (a field of slot @s that handle_event() sets)
 * is set, at most c->timeout_ms; @what names it in the error message.
 */
static int wait_flag(struct compositor *c, struct fb_slot *s, int *flag,
		     const char *what)
{
	uint64_t start = now_us(), deadline = start + c->timeout_ms * 1000ULL;
	struct hyper_dmabuf_event ev[16];

	while (!*flag) {
		struct pollfd pfd = { .fd = c->dev, .events = POLLIN };
		uint64_t now = now_us();
		ssize_t n, i;
		int ret;

		if (now >= deadline) {
			warnx("frame %u was not %s within %u ms", s->frame,
			      what, c->timeout_ms);
			return -1;
		}
		ret = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
		if (ret < 0 && errno != EINTR) {
			warn("poll");
			return -1;
		}
		if (ret <= 0)
			continue;
		n = read(c->dev, ev, sizeof(ev));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			warn("read events");
			return -1;
		}
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++)
			if (handle_event(c, &ev[i]))
				return -1;
	}
	return 0;
}

static void account_wait(struct compositor *c, uint64_t start)
{
	uint64_t ms = (now_us() - start) / 1000;

	if (ms > c->max_wait_ms)
		c->max_wait_ms = ms;
}

/* The buffer is free again: drop the (released) export. */
static int recycle(struct compositor *c, struct fb_slot *s)
{
	struct hyper_dmabuf_unexport u;
	uint64_t start = now_us();

	if (!s->exported)
		return 0;
	if (wait_flag(c, s, &s->released, "released by the importer"))
		return -1;
	account_wait(c, start);
	memset(&u, 0, sizeof(u));
	u.handle = s->handle;
	u.timeout_ms = 0;	/* released: returns at once */
	if (hdmabuf_ioctl(c->dev, HYPER_DMABUF_IOCTL_UNEXPORT, &u)) {
		warn("unexport of frame %u", s->frame);
		return -1;
	}
	s->exported = 0;
	return 0;
}

/* ---------------------------------------------------------------- frames */

static void draw(struct fb_slot *s, uint32_t frame)
{
	uint32_t y;

	for (y = 0; y < PATTERN_HEIGHT; y++)
		pattern_row(frame, y,
			    (uint32_t *)((char *)s->fb.map +
					 (size_t)y * s->fb.pitch));
	s->frame = frame;
}

static int render(struct fb_slot *s, uint32_t frame)
{
	if (hdmabuf_dmabuf_sync(s->fb.dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE)) {
		warn("DMA_BUF_IOCTL_SYNC start");
		return -1;
	}
	draw(s, frame);
	if (hdmabuf_dmabuf_sync(s->fb.dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE)) {
		warn("DMA_BUF_IOCTL_SYNC end");
		return -1;
	}
	return 0;
}

/* Export @s; its opaque metadata is "@label=@value" ("frame=7"). */
static int export_frame(struct compositor *c, struct fb_slot *s,
			const char *label, unsigned int value)
{
	struct hyper_dmabuf_export e;
	char opaque[32];
	int n;

	n = snprintf(opaque, sizeof(opaque), "%s=%u", label, value);
	memset(&e, 0, sizeof(e));
	e.fd = s->fb.dmabuf;
	e.backend = c->backend;
	e.peer = c->peer;
	e.opaque_ptr = (uintptr_t)opaque;
	e.opaque_len = (uint32_t)n;
	e.meta.fourcc = FMT_XRGB8888;
	e.meta.nr_planes = 1;
	e.meta.modifier = 0;	/* DRM_FORMAT_MOD_LINEAR */
	e.meta.width = s->fb.width;
	e.meta.height = s->fb.height;
	e.meta.planes[0].offset = 0;
	e.meta.planes[0].stride = s->fb.pitch;
	if (hdmabuf_ioctl(c->dev, HYPER_DMABUF_IOCTL_EXPORT, &e)) {
		warn("export of %s %u", label, value);
		return -1;
	}
	s->handle = e.handle;
	s->exported = 1;
	s->released = 0;
	return 0;
}

/* ------------------------------------------------------- --sync fences */

/* Every buffer exported once, with a vgem handle for its fences. */
static int pool_export(struct compositor *c)
{
	unsigned int i;
	int ret;

	for (i = 0; i < c->nr_bufs; i++) {
		struct fb_slot *s = &c->slot[i];

		if (s->fb.vgem.gem) {
			s->gem = s->fb.vgem.gem;
		} else {
			/* vgem shares the udmabuf's reservation object */
			ret = hdmabuf_prime_import(c->card, s->fb.dmabuf,
						   &s->gem);
			if (ret) {
				errno = -ret;
				warn("PRIME import of buffer %u into vgem", i);
				return -1;
			}
		}
		if (export_frame(c, s, "buffer", i))
			return -1;
	}
	return 0;
}

/*
 * Frames are announced by FENCE events, which reach only an importer that
 * is already listening: wait until every buffer is imported (QUERY), at
 * most c->timeout_ms.
 */
static int pool_wait_imported(struct compositor *c)
{
	uint64_t deadline = now_us() + c->timeout_ms * 1000ULL;
	struct hyper_dmabuf_query q;
	unsigned int i = 0;
	int ret;

	while (i < c->nr_bufs) {
		ret = hdmabuf_query(c->dev, &c->slot[i].handle, &q, NULL, 0);
		if (ret) {
			errno = -ret;
			warn("QUERY of buffer %u", i);
			return -1;
		}
		if (q.importers) {
			i++;
			continue;
		}
		if (now_us() >= deadline) {
			warnx("buffer %u was not imported within %u ms", i,
			      c->timeout_ms);
			return -1;
		}
		usleep(20000);
	}
	return 0;
}

/*
 * Slot @s may be drawn into once the importer took its last frame (its
 * read fence came) and that read is over: poll() POLLOUT on the dma-buf
 * waits for every fence on it, the importer's proxy included.
 */
static int pool_wait_free(struct compositor *c, struct fb_slot *s)
{
	struct pollfd pfd = { .fd = s->fb.dmabuf, .events = POLLOUT };
	uint64_t start = now_us();
	int ret;

	if (!s->shown)
		return 0;
	if (wait_flag(c, s, &s->taken, "taken by the importer"))
		return -1;
	do {
		ret = poll(&pfd, 1, (int)c->timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		warn("poll on buffer of frame %u", s->frame);
		return -1;
	}
	if (!ret) {
		warnx("the importer's read of frame %u did not end within %u ms",
		      s->frame, c->timeout_ms);
		return -1;
	}
	account_wait(c, start);
	s->shown = 0;
	c->released++;
	return 0;
}

/* Frame @frame in @s: a write fence, announced to the importer, drawn. */
static int pool_frame(struct compositor *c, struct fb_slot *s,
		      uint32_t frame)
{
	uint64_t seqno = 0, deadline = now_us() + c->timeout_ms * 1000ULL;
	uint32_t id;
	int ret;

	/*
	 * EBUSY: a fence came after POLLOUT (one of another process of the
	 * importing VM, say): wait for the buffer again.
	 */
	while ((ret = hdmabuf_vgem_fence_attach(c->card, s->gem, 1, &id)) ==
	       -EBUSY && now_us() < deadline) {
		struct pollfd pfd = { .fd = s->fb.dmabuf, .events = POLLOUT };

		poll(&pfd, 1, 100);
	}
	if (ret) {
		errno = -ret;
		warn("frame %u: vgem write fence", frame);
		return -1;
	}
	ret = hdmabuf_fence_attach(c->dev, &s->handle, -1,
				   HYPER_DMABUF_FENCE_WRITE, &seqno);
	if (ret || !seqno) {
		hdmabuf_vgem_fence_signal(c->card, id);
		errno = ret ? -ret : EPROTO;
		warn("frame %u: FENCE_ATTACH", frame);
		return -1;
	}
	/*
	 * No DMA_BUF_IOCTL_SYNC: it would wait for the fence we are about
	 * to signal.  The fence orders our writes, as it would a GPU's; the
	 * barrier drains write-combined stores before it signals.
	 */
	draw(s, frame);
	__sync_synchronize();
	ret = hdmabuf_vgem_fence_signal(c->card, id);
	if (ret) {
		errno = -ret;
		warn("frame %u: signalling the write fence", frame);
		return -1;
	}
	s->shown = 1;
	s->taken = 0;
	return 0;
}

/* The importer lets go when asked (WITHDRAWN), or has already. */
static int pool_unexport(struct compositor *c)
{
	unsigned int i;
	int ret;

	for (i = 0; i < c->nr_bufs; i++) {
		struct fb_slot *s = &c->slot[i];

		if (!s->exported)
			continue;
		ret = hdmabuf_unexport(c->dev, &s->handle, 0, c->timeout_ms);
		if (ret) {
			errno = -ret;
			warn("unexport of buffer %u", i);
			return -1;
		}
		s->exported = 0;
	}
	return 0;
}

static void sleep_until(uint64_t t_us)
{
	uint64_t now = now_us();
	struct timespec ts;

	if (now >= t_us)
		return;
	ts.tv_sec = (time_t)((t_us - now) / 1000000);
	ts.tv_nsec = (long)((t_us - now) % 1000000) * 1000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: %s [OPTIONS] --to BACKEND:DOMID\n"
"Render an animated %ux%u XRGB8888 test pattern into vgem scanout buffers\n"
"and share every frame with another domain through hyper_dmabuf.\n"
"\n"
"  -t, --to BACKEND:DOMID  the importing domain (BACKEND: loopback, xen,\n"
"                          virtio or a number)\n"
"  -n, --frames N          frames to send (default 60)\n"
"  -r, --fps F             frames per second to aim for (default 0: as fast\n"
"                          as the importer releases the buffers)\n"
"  -b, --buffers N         buffers in the ring, 2..%d (default 2: double\n"
"                          buffering)\n"
"  -T, --timeout MS        longest wait for the importer to release a\n"
"                          buffer (default 30000)\n"
"  -d, --device PATH       the hyper_dmabuf device (default " DEFAULT_DEV ")\n"
"  -u, --udmabuf           buffers from udmabuf (a sealed memfd) instead of\n"
"                          vgem dumb buffers\n"
"  -s, --sync MODE         when a buffer is free again: 'release' (default:\n"
"                          a new export per frame; free when the importer\n"
"                          has released it) or 'fences' (exported once,\n"
"                          each frame a write fence; free when the\n"
"                          importer's read fence has signalled; the\n"
"                          importer must use --sync fences too)\n"
"  -v, --verbose           print every frame\n"
"  -h, --help              this text\n"
"  -V, --version           print the version\n"
"\n"
"Fences need the module's fence events and vgem (modprobe vgem) for the\n"
"write fences.  Prints the frames sent, the frames the importer is done\n"
"with and the frame rate.  Exit status: 0 when the importer is done with\n"
"every frame, 1 on errors, 2 on usage errors.\n",
		PROG, PATTERN_WIDTH, PATTERN_HEIGHT, MAX_BUFFERS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "frames", required_argument, NULL, 'n' },
		{ "fps", required_argument, NULL, 'r' },
		{ "buffers", required_argument, NULL, 'b' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "device", required_argument, NULL, 'd' },
		{ "udmabuf", no_argument, NULL, 'u' },
		{ "sync", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct compositor c = { .dev = -1, .nr_bufs = 2, .timeout_ms = 30000,
				.card = -1 };
	const char *dev_path = DEFAULT_DEV, *to = NULL;
	uint64_t frames = 60, fps = 0, v, t0, t_export = 0, t_end = 0;
	struct hyper_dmabuf_info info;
	unsigned int i;
	uint32_t f;
	int card = -1, opt, use_udmabuf = 0, ret = EXIT_FAILURE;
	double secs;

	while ((opt = getopt_long(argc, argv, "+t:n:r:b:T:d:us:vhV", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 't':
			to = optarg;
			if (parse_target(optarg, &c.backend, &c.peer)) {
				warnx("bad target '%s' (expected BACKEND:DOMID)",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_u64(optarg, UINT32_MAX, &frames) || !frames) {
				warnx("bad frame count '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (parse_u64(optarg, 1000, &fps)) {
				warnx("bad rate '%s' (0..1000)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			if (parse_u64(optarg, MAX_BUFFERS, &v) || v < 2) {
				warnx("bad buffer count '%s' (2..%d)", optarg,
				      MAX_BUFFERS);
				return EXIT_USAGE;
			}
			c.nr_bufs = (unsigned int)v;
			break;
		case 'T':
			if (parse_u64(optarg, 3600000, &v) || !v) {
				warnx("bad timeout '%s'", optarg);
				return EXIT_USAGE;
			}
			c.timeout_ms = (unsigned int)v;
			break;
		case 'd':
			dev_path = optarg;
			break;
		case 'u':
			use_udmabuf = 1;
			break;
		case 's':
			if (strcmp(optarg, "fences") && strcmp(optarg, "release")) {
				warnx("bad sync mode '%s' (fences, release)",
				      optarg);
				return EXIT_USAGE;
			}
			c.fences = !strcmp(optarg, "fences");
			break;
		case 'v':
			c.verbose = 1;
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
	if (!to) {
		warnx("no target: give --to BACKEND:DOMID");
		return EXIT_USAGE;
	}

	c.dev = open(dev_path, O_RDWR | O_CLOEXEC);
	if (c.dev < 0)
		err(EXIT_FAILURE, "%s", dev_path);
	memset(&info, 0, sizeof(info));
	if (hdmabuf_ioctl(c.dev, HYPER_DMABUF_IOCTL_GET_INFO, &info))
		err(EXIT_FAILURE, "GET_INFO on %s", dev_path);
	if (info.abi_version != HYPER_DMABUF_ABI_VERSION ||
	    !(info.features & HYPER_DMABUF_FEAT_EVENTS))
		errx(EXIT_FAILURE, "%s: unsupported ABI %u", dev_path,
		     info.abi_version);
	if (c.fences && !(info.features & HYPER_DMABUF_FEAT_FENCE_EVENTS))
		errx(EXIT_FAILURE, "%s: no fence events in this module: use --sync release",
		     dev_path);
	/* the importer's read fences arrive as FENCE events */
	if (c.fences) {
		int r = hdmabuf_event_mask(c.dev, HYPER_DMABUF_EVENT_MASK_DEFAULT |
				HYPER_DMABUF_EVENT_BIT(HYPER_DMABUF_EVENT_FENCE),
				NULL);

		if (r) {
			errno = -r;
			err(EXIT_FAILURE, "EVENT_MASK on %s", dev_path);
		}
	}
	if (!use_udmabuf || c.fences)
		card = hdmabuf_vgem_open();
	if ((!use_udmabuf || c.fences) && card < 0) {
		errno = -card;
		err(EXIT_FAILURE, "no vgem card (modprobe vgem)");
	}
	c.card = card;
	for (i = 0; i < c.nr_bufs; i++) {
		int r = fb_create(card, use_udmabuf, PATTERN_WIDTH,
				  PATTERN_HEIGHT, &c.slot[i].fb);

		if (r) {
			errno = -r;
			warn("%s buffer %ux%u", use_udmabuf ? "udmabuf" : "vgem dumb",
			     PATTERN_WIDTH,
			     PATTERN_HEIGHT);
			goto out;
		}
	}

	t0 = now_us();
	f = 0;
	if (c.fences && (pool_export(&c) || pool_wait_imported(&c)))
		goto report;
	for (; f < frames; f++) {
		struct fb_slot *s = &c.slot[f % c.nr_bufs];
		uint64_t t_free, t_wait = now_us();

		if (c.fences ? pool_wait_free(&c, s) : recycle(&c, s))
			goto report;
		t_free = now_us();
		if (c.fences ? pool_frame(&c, s, f) :
			       render(s, f) || export_frame(&c, s, "frame", f))
			goto report;
		if (c.verbose)
			printf("frame %u sent (buffer %u; %.1f ms waiting for it, %.1f ms drawing and sending)\n",
			       f, f % c.nr_bufs, (t_free - t_wait) / 1e3,
			       (now_us() - t_free) / 1e3);
		if (fps)
			sleep_until(t0 + (f + 1) * 1000000ULL / fps);
	}
	t_export = now_us();
	/* the last frames count once the importer is done with them */
	for (i = 0; i < c.nr_bufs; i++)
		if (c.fences ? pool_wait_free(&c, &c.slot[i]) :
			       recycle(&c, &c.slot[i]))
			goto report;
	t_end = now_us();
	if (c.fences && pool_unexport(&c))
		goto report;
	ret = EXIT_SUCCESS;
report:
	if (!t_end)
		t_end = now_us();
	if (!t_export)
		t_export = t_end;
	secs = (double)(t_end - t0) / 1e6;
	printf("%s: frames sent %u, done by the importer %llu, %.2f s, "
	       "%.2f fps (sync %s; sending %.2f s; longest wait for a free "
	       "buffer %llu ms)\n", PROG, f, c.released, secs,
	       secs > 0 ? (double)c.released / secs : 0.0,
	       c.fences ? "fences" : "release",
	       (double)(t_export - t0) / 1e6, c.max_wait_ms);
out:
	/* closing the device revokes whatever is still exported */
	close(c.dev);
	for (i = 0; i < c.nr_bufs; i++) {
		if (!c.slot[i].fb.vgem.gem)	/* a PRIME import of a udmabuf */
			hdmabuf_gem_close(card, c.slot[i].gem);
		fb_destroy(&c.slot[i].fb);
	}
	if (card >= 0)
		close(card);
	return ret;
}
