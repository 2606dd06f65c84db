// SPDX-License-Identifier: GPL-2.0
/*
 * hostile_export: offers vgem buffers with bad image metadata to a peer,
 * then one good frame, and checks that the importer (hyper_dmabuf-importd
 * in the lab) imported the good one and none of the bad ones.  Runs in the
 * lab's single guest (loopback); TAP output.
 *
 *   hostile_export BACKEND:DOMID TIMEOUT_MS
 *
 * Metadata the kernel itself refuses (offset + stride * height > size) is
 * checked to fail at EXPORT; importd's own checks of it are unit-tested.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/hyper_dmabuf.h>

#include "pattern.h"
#include "guest_tap.h"
#include "hyperdmabuf.h"

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | \
	 ((uint32_t)(d) << 24))

struct bad_case {
	const char *name;
	void (*mangle)(struct hyper_dmabuf_meta *m);
};

static void m_fourcc(struct hyper_dmabuf_meta *m) { m->fourcc = FOURCC('N', 'V', '1', '2'); }
static void m_overrun(struct hyper_dmabuf_meta *m) { m->width = 2048; }
static void m_planes(struct hyper_dmabuf_meta *m) { m->nr_planes = 2; m->planes[1] = m->planes[0]; }
static void m_modifier(struct hyper_dmabuf_meta *m) { m->modifier = (1ULL << 56) | 1; }
static void m_unaligned(struct hyper_dmabuf_meta *m) { m->planes[0].stride += 2; m->height -= 1; }
static void m_empty(struct hyper_dmabuf_meta *m) { m->width = 0; }

static const struct bad_case cases[] = {
	{ "unknown fourcc NV12", m_fourcc },
	{ "width * 4 > stride (lines overrun the buffer)", m_overrun },
	{ "two planes for XRGB8888", m_planes },
	{ "tiled modifier", m_modifier },
	{ "stride not a multiple of 4", m_unaligned },
	{ "width 0", m_empty },
};
#define NR_CASES (int)(sizeof(cases) / sizeof(cases[0]))

static void meta_init(struct hyper_dmabuf_meta *m, const struct hdmabuf_vgem_buf *fb)
{
	memset(m, 0, sizeof(*m));
	m->fourcc = FOURCC('X', 'R', '2', '4');
	m->nr_planes = 1;
	m->width = fb->width;
	m->height = fb->height;
	m->planes[0].stride = fb->pitch;
}

static int do_export(int dev, const struct hdmabuf_vgem_buf *fb, uint32_t backend,
		     uint64_t peer, const struct hyper_dmabuf_meta *m,
		     struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_export e;

	memset(&e, 0, sizeof(e));
	e.fd = fb->dmabuf;
	e.backend = backend;
	e.peer = peer;
	e.meta = *m;
	if (ioctl(dev, HYPER_DMABUF_IOCTL_EXPORT, &e))
		return -errno;
	*h = e.handle;
	return 0;
}

static int importers(int dev, const struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_query q;

	memset(&q, 0, sizeof(q));
	q.handle = *h;
	if (ioctl(dev, HYPER_DMABUF_IOCTL_QUERY, &q))
		return -errno;
	return (int)q.importers;
}

static int wait_released(int dev, const struct hyper_dmabuf_handle *h,
			 int timeout_ms)
{
	uint64_t end = tap_now_ms() + (uint64_t)timeout_ms;
	struct hyper_dmabuf_event ev;

	while (tap_now_ms() < end) {
		struct pollfd p = { .fd = dev, .events = POLLIN };

		if (poll(&p, 1, (int)(end - tap_now_ms())) <= 0)
			continue;
		if (read(dev, &ev, sizeof(ev)) != sizeof(ev))
			continue;
		if (ev.type == HYPER_DMABUF_EVENT_RELEASED &&
		    !memcmp(&ev.handle, h, sizeof(*h)))
			return 0;
	}
	return -ETIMEDOUT;
}

int main(int argc, char **argv)
{
	struct hyper_dmabuf_handle h[NR_CASES], good;
	struct hdmabuf_vgem_buf fb[NR_CASES + 2];
	struct hyper_dmabuf_meta m;
	uint32_t backend;
	uint64_t peer;
	int dev, card, i, ret, timeout;
	char detail[96];
	uint32_t y;

	if (argc != 3 || sscanf(argv[1], "loopback:%llu",
				(unsigned long long *)&peer) != 1) {
		fprintf(stderr, "usage: hostile_export loopback:DOMID TIMEOUT_MS\n");
		return 2;
	}
	backend = HYPER_DMABUF_BACKEND_LOOPBACK;
	timeout = atoi(argv[2]);
	dev = open("/dev/hyper_dmabuf", O_RDWR | O_CLOEXEC);
	card = hdmabuf_vgem_open();
	if (dev < 0 || card < 0) {
		perror("hostile_export: /dev/hyper_dmabuf or vgem");
		return 1;
	}
	for (i = 0; i < NR_CASES + 2; i++) {
		ret = hdmabuf_vgem_alloc(card, PATTERN_WIDTH, PATTERN_HEIGHT,
					 32, &fb[i]);
		if (ret) {
			errno = -ret;
			perror("hostile_export: vgem buffer");
			return 1;
		}
	}

	/* the kernel refuses what does not fit the buffer at all */
	meta_init(&m, &fb[0]);
	m.height += 1;
	ret = do_export(dev, &fb[0], backend, peer, &m, &good);
	snprintf(detail, sizeof(detail), "EXPORT returned %d", ret);
	tap_result(ret == -EINVAL, "stride * height > size is refused at EXPORT",
	       detail);

	for (i = 0; i < NR_CASES; i++) {
		meta_init(&m, &fb[i]);
		cases[i].mangle(&m);
		ret = do_export(dev, &fb[i], backend, peer, &m, &h[i]);
		snprintf(detail, sizeof(detail), "EXPORT returned %d", ret);
		tap_result(!ret, cases[i].name, ret ? detail : "offered");
		if (ret)
			memset(&h[i], 0, sizeof(h[i]));
	}
	/* a good frame last: once it is released, the bad ones were judged */
	for (y = 0; y < PATTERN_HEIGHT; y++)
		pattern_row(0, y, (uint32_t *)((char *)fb[NR_CASES].map +
					       (size_t)y * fb[NR_CASES].pitch));
	meta_init(&m, &fb[NR_CASES]);
	ret = do_export(dev, &fb[NR_CASES], backend, peer, &m, &good);
	tap_result(!ret, "good frame offered", NULL);
	ret = ret ? ret : wait_released(dev, &good, timeout);
	snprintf(detail, sizeof(detail), "%d", ret);
	tap_result(!ret, "good frame imported and released by the importer",
	       ret ? detail : NULL);
	for (i = 0; i < NR_CASES; i++) {
		ret = importers(dev, &h[i]);
		snprintf(detail, sizeof(detail), "importers %d", ret);
		tap_result(ret == 0, cases[i].name, ret ? detail : "not imported");
	}
	close(dev);	/* revokes every export */
	for (i = 0; i < NR_CASES + 2; i++)
		hdmabuf_vgem_free(&fb[i]);
	close(card);
	return tap_end();
}
