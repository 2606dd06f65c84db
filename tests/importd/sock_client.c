// SPDX-License-Identifier: GPL-2.0
/*
 * sock_client: a consumer of hyper_dmabuf-importd --socket.  Receives N
 * frames, checks each header, maps each dma-buf and compares it with
 * frame SEQ of the demo pattern (the compositor's frame numbers start at
 * 0 like importd's sequence), then closes the fd (which releases the
 * import).  TAP output; runs in the lab's single guest.
 *
 *   sock_client SOCKET N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <linux/dma-buf.h>

#include "hyper_dmabuf-importd.h"
#include "pattern.h"

static int check_frame(const struct hdmabuf_importd_frame *fr, int fd)
{
	struct dma_buf_sync s = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	const uint8_t *map;
	uint32_t x, y, bad = 0;

	if (fr->magic != HDMABUF_IMPORTD_MAGIC ||
	    fr->version != HDMABUF_IMPORTD_VERSION ||
	    fr->width != PATTERN_WIDTH || fr->height != PATTERN_HEIGHT ||
	    (uint64_t)fr->stride * fr->height + fr->offset > fr->size) {
		printf("# bad header: magic %x version %u %ux%u stride %u size %llu\n",
		       fr->magic, fr->version, fr->width, fr->height,
		       fr->stride, (unsigned long long)fr->size);
		return -1;
	}
	map = mmap(NULL, fr->size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("# mmap");
		return -1;
	}
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	for (y = 0; y < fr->height; y++) {
		const uint32_t *row = (const uint32_t *)(map + fr->offset +
						       (size_t)y * fr->stride);

		for (x = 0; x < fr->width; x++)
			bad += (row[x] & 0xffffff) !=
			       (pattern_pixel((uint32_t)fr->seq, x, y) & 0xffffff);
	}
	s.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	munmap((void *)map, fr->size);
	if (bad)
		printf("# frame %llu: %u pixels differ\n",
		       (unsigned long long)fr->seq, bad);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, i, n, failures = 0;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: sock_client SOCKET N\n");
		return 2;
	}
	n = atoi(argv[2]);
	strcpy(sa.sun_path, argv[1]);
	s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("sock_client: connect");
		return 1;
	}
	printf("# connected\n");
	fflush(stdout);
	for (i = 0; i < n; i++) {
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
		ssize_t len;
		int fd = -1, good;

		len = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
		if (len <= 0) {
			printf("not ok %d - frame %d: connection closed (%s)\n",
			       i + 1, i, len < 0 ? strerror(errno) : "EOF");
			failures++;
			break;
		}
		c = CMSG_FIRSTHDR(&msg);
		if (c && c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(c), sizeof(int));
		good = len == (ssize_t)sizeof(fr) && fd >= 0 &&
		       fr.seq == (uint64_t)i && !check_frame(&fr, fd);
		printf("%s %d - frame %d received with its dma-buf, pixel-exact\n",
		       good ? "ok" : "not ok", i + 1, i);
		failures += !good;
		if (fd >= 0)
			close(fd);	/* releases the import */
	}
	printf("1..%d\n", n);
	close(s);
	return failures ? 1 : 0;
}
