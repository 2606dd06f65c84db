// SPDX-License-Identifier: GPL-2.0
/*
 * xch_peer: drive the hyper_dmabuf core towards one Xen peer and watch its
 * peer events, for the Xen lab tests.
 *
 * usage: xch_peer [-t SECONDS] PEER STEP...
 * Steps, run in order on one open of /dev/hyper_dmabuf:
 *   export     export a 4 KiB dma-heap buffer to PEER over the Xen backend
 *              (this makes the core say HELLO) and, if that worked,
 *              revoke it; prints the outcomes, never fails the run (page
 *              sharing may be refused)
 *   up         wait for a PEER_UP event from PEER
 *   down       wait for a PEER_DOWN event from PEER
 *   sync FILE  create FILE (tells a test script we are ready)
 * Exit: 0 when every wait succeeded, 1 otherwise, 2 usage, 77 when there is
 * no dma-heap to allocate from.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-heap.h>
#include <linux/hyper_dmabuf.h>

static const char *prog = "xch_peer";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_export(int dev, unsigned long long peer)
{
	struct dma_heap_allocation_data a = { .len = 4096 };
	struct hyper_dmabuf_export e;
	int heap, ret;

	heap = open("/dev/dma_heap/system", O_RDWR | O_CLOEXEC);
	if (heap < 0) {
		fprintf(stderr, "%s: /dev/dma_heap/system: %s\n", prog,
			strerror(errno));
		return 77;
	}
	a.fd_flags = O_RDWR | O_CLOEXEC;
	ret = ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a);
	close(heap);
	if (ret) {
		fprintf(stderr, "%s: dma-heap alloc: %s\n", prog, strerror(errno));
		return 77;
	}
	memset(&e, 0, sizeof(e));
	e.fd = a.fd;
	e.backend = HYPER_DMABUF_BACKEND_XEN;
	e.peer = peer;
	ret = ioctl(dev, HYPER_DMABUF_IOCTL_EXPORT, &e);
	printf("export to %llu: %s\n", peer, ret ? strerror(errno) : "OK");
	close(a.fd);
	if (!ret) {
		/* Only the HELLO mattered: take the buffer back at once. */
		struct hyper_dmabuf_unexport u = { .handle = e.handle,
				.flags = HYPER_DMABUF_UNEXPORT_REVOKE };

		ret = ioctl(dev, HYPER_DMABUF_IOCTL_UNEXPORT, &u);
		printf("unexport: %s\n", ret ? strerror(errno) : "OK");
	}
	return 0;
}

static int wait_event(int dev, unsigned long long peer, unsigned int type,
		      double deadline)
{
	struct hyper_dmabuf_event ev;
	struct pollfd p = { .fd = dev, .events = POLLIN };
	double left;

	for (;;) {
		left = deadline - now();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(left * 1000) + 1) < 0)
			return -errno;
		if (!(p.revents & POLLIN))
			continue;
		if (read(dev, &ev, sizeof(ev)) != sizeof(ev))
			return -errno;
		printf("event type %u backend %u peer %llu\n", ev.type,
		       ev.backend, (unsigned long long)ev.peer);
		if (ev.type == type && ev.backend == HYPER_DMABUF_BACKEND_XEN &&
		    ev.peer == peer)
			return 0;
	}
}

int main(int argc, char **argv)
{
	unsigned long long peer;
	double timeout = 60;
	int dev, i, ret, fd, rc = 0;

	if (argc > 2 && !strcmp(argv[1], "-t")) {
		timeout = atof(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: %s [-t SECONDS] PEER export|up|down|sync FILE...\n",
			prog);
		return 2;
	}
	peer = strtoull(argv[1], NULL, 10);
	dev = open("/dev/hyper_dmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		fprintf(stderr, "%s: /dev/hyper_dmabuf: %s\n", prog,
			strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "export")) {
			ret = do_export(dev, peer);
			if (ret)
				return ret;
		} else if (!strcmp(argv[i], "up") || !strcmp(argv[i], "down")) {
			ret = wait_event(dev, peer, argv[i][0] == 'u' ?
					 HYPER_DMABUF_EVENT_PEER_UP :
					 HYPER_DMABUF_EVENT_PEER_DOWN,
					 now() + timeout);
			printf("wait %s from %llu: %s\n", argv[i], peer,
			       ret ? strerror(-ret) : "OK");
			if (ret)
				rc = 1;
		} else if (!strcmp(argv[i], "sync") && i + 1 < argc) {
			fd = open(argv[++i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			if (fd < 0) {
				fprintf(stderr, "%s: %s: %s\n", prog, argv[i],
					strerror(errno));
				return 1;
			}
			close(fd);
		} else {
			fprintf(stderr, "%s: unknown step %s\n", prog, argv[i]);
			return 2;
		}
	}
	close(dev);
	return rc;
}
