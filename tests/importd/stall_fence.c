// SPDX-License-Identifier: GPL-2.0
/*
 * stall_fence: a hostile exporter for hyper_dmabuf-importd --sync fences.
 * It offers a one-buffer pool, announces a frame whose write fence it
 * never signals (a hung or lying producer), then a good frame.  The
 * importer must take the stalled frame (its read fence arrives), give it
 * up once the module fails the proxy after fence_timeout_ms (its read
 * fence then signals and our buffer is free), consume the good frame, and
 * let go of the buffer when it is withdrawn.  Runs in the lab's single
 * guest (loopback); TAP output.
 *
 *   stall_fence loopback:DOMID FENCE_TIMEOUT_MS
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/hyper_dmabuf.h>

#include "guest_tap.h"
#include "hyperdmabuf.h"
#include "pattern.h"

#define WAIT_MS		10000

/* The importer's read fence on @h arrived (a FENCE event): 0 or -errno. */
static int wait_taken(int dev, const struct hyper_dmabuf_handle *h,
		      uint64_t peer)
{
	uint64_t end = tap_now_ms() + WAIT_MS;
	struct hyper_dmabuf_event ev;
	int ret;

	while (tap_now_ms() < end) {
		ret = hdmabuf_read_event(dev, &ev, (int)(end - tap_now_ms()));
		if (ret < 0 && ret != -EINTR)
			return ret;
		if (ret == 1 && ev.type == HYPER_DMABUF_EVENT_FENCE &&
		    ev.peer == peer && !(ev.flags & HYPER_DMABUF_FENCE_WRITE) &&
		    hdmabuf_handle_eq(&ev.handle, h))
			return 0;
	}
	return -ETIMEDOUT;
}

/*
 * Milliseconds until the importer's pending fences on @h have signalled
 * (FENCE_GET: its proxies only, not our own write fence), -errno.
 */
static long long wait_read_done(int dev, const struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_fence_get g;
	struct pollfd pfd = { .events = POLLIN };
	uint64_t t0 = tap_now_ms();
	int ret;

	memset(&g, 0, sizeof(g));
	g.handle = *h;
	ret = hdmabuf_ioctl(dev, HYPER_DMABUF_IOCTL_FENCE_GET, &g);
	if (ret)
		return ret;
	pfd.fd = g.fd;
	do {
		ret = poll(&pfd, 1, WAIT_MS);
	} while (ret < 0 && errno == EINTR);
	close(g.fd);
	if (ret <= 0)
		return ret ? -errno : -ETIMEDOUT;
	return (long long)(tap_now_ms() - t0);
}

static int imported(int dev, const struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_query q;
	uint64_t end = tap_now_ms() + WAIT_MS;

	while (tap_now_ms() < end) {
		if (hdmabuf_query(dev, h, &q, NULL, 0))
			return 0;
		if (q.importers)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* A write fence, announced; 0 or -errno.  *@fence: the vgem fence id. */
static int announce(int dev, int card, const struct hdmabuf_vgem_buf *fb,
		    const struct hyper_dmabuf_handle *h, uint32_t *fence)
{
	uint64_t seqno = 0;
	int ret;

	ret = hdmabuf_vgem_fence_attach(card, fb->gem, 1, fence);
	if (ret)
		return ret;
	ret = hdmabuf_fence_attach(dev, h, -1, HYPER_DMABUF_FENCE_WRITE,
				   &seqno);
	if (!ret && !seqno)
		ret = -EPROTO;
	if (ret)
		hdmabuf_vgem_fence_signal(card, *fence);
	return ret;
}

int main(int argc, char **argv)
{
	struct hyper_dmabuf_export e;
	struct hdmabuf_vgem_buf fb;
	unsigned long long peer;
	long long waited;
	uint64_t t0;
	uint32_t fence, y;
	int dev, card, ret, timeout;
	char detail[96];

	timeout = argc == 3 ? atoi(argv[2]) : 0;
	if (timeout <= 0 || sscanf(argv[1], "loopback:%llu", &peer) != 1) {
		fprintf(stderr, "usage: stall_fence loopback:DOMID FENCE_TIMEOUT_MS\n");
		return 2;
	}
	dev = hdmabuf_open(0);
	card = hdmabuf_vgem_open();
	/* the importer's read fences arrive as FENCE events */
	if (dev < 0 || card < 0 ||
	    hdmabuf_event_mask(dev, HYPER_DMABUF_EVENT_MASK_DEFAULT |
			       HYPER_DMABUF_EVENT_BIT(HYPER_DMABUF_EVENT_FENCE),
			       NULL) ||
	    hdmabuf_vgem_alloc(card, PATTERN_WIDTH, PATTERN_HEIGHT, 32, &fb)) {
		fprintf(stderr, "stall_fence: no /dev/hyper_dmabuf, vgem or buffer\n");
		return 1;
	}
	memset(&e, 0, sizeof(e));
	e.fd = fb.dmabuf;
	e.backend = HYPER_DMABUF_BACKEND_LOOPBACK;
	e.peer = peer;
	e.meta.fourcc = HDMABUF_FMT_XRGB8888;
	e.meta.nr_planes = 1;
	e.meta.width = fb.width;
	e.meta.height = fb.height;
	e.meta.planes[0].stride = fb.pitch;
	ret = hdmabuf_export(dev, &e);
	tap_result(!ret && imported(dev, &e.handle),
	       "the pool buffer is offered and imported", NULL);

	/* A frame whose producer never finishes. */
	t0 = tap_now_ms();	/* the write proxy's clock starts about now */
	ret = announce(dev, card, &fb, &e.handle, &fence);
	snprintf(detail, sizeof(detail), "%d", ret);
	tap_result(!ret, "stalled frame announced", ret ? detail : NULL);
	ret = ret ? ret : wait_taken(dev, &e.handle, peer);
	snprintf(detail, sizeof(detail), "%d", ret);
	tap_result(!ret, "the importer took the stalled frame (read fence)",
	       ret ? detail : NULL);
	waited = ret ? ret : wait_read_done(dev, &e.handle);
	if (waited >= 0)
		waited = (long long)(tap_now_ms() - t0);
	snprintf(detail, sizeof(detail), "after %lld ms, fence timeout %d ms",
		 waited, timeout);
	/* not before the proxy failed: the importer did wait for our fence */
	tap_result(waited >= timeout * 9 / 10,
	       "the importer gave the stalled frame up after the fence timeout",
	       detail);
	hdmabuf_vgem_fence_signal(card, fence);	/* too late */

	/* A good frame: pattern frame 0, the importer's first PNG. */
	ret = announce(dev, card, &fb, &e.handle, &fence);
	if (!ret) {
		for (y = 0; y < PATTERN_HEIGHT; y++)
			pattern_row(0, y, (uint32_t *)((char *)fb.map +
						       (size_t)y * fb.pitch));
		__sync_synchronize();
		ret = hdmabuf_vgem_fence_signal(card, fence);
	}
	ret = ret ? ret : wait_taken(dev, &e.handle, peer);
	waited = ret ? ret : wait_read_done(dev, &e.handle);
	snprintf(detail, sizeof(detail), "%lld", waited);
	tap_result(waited >= 0, "the importer took and read the good frame",
	       waited < 0 ? detail : NULL);

	ret = hdmabuf_unexport(dev, &e.handle, 0, WAIT_MS);
	snprintf(detail, sizeof(detail), "%d", ret);
	tap_result(!ret, "the importer let go of the withdrawn buffer",
	       ret ? detail : NULL);
	close(dev);
	hdmabuf_vgem_free(&fb);
	close(card);
	return tap_end();
}
