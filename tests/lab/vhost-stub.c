/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhost-stub: minimal vhost-user back-end of the hyper_dmabuf lab.
 *
 *   usage: vhost-stub NAME=SOCKET [NAME=SOCKET...]
 *
 * Listens on each SOCKET (one per guest; QEMU connects with
 * -chardev socket,path=SOCKET + -device vhost-user-test-device-pci), answers
 * the vhost-user negotiation of a device with 2 virtqueues and one 64 MiB
 * VIRTIO shared-memory region (protocol features REPLY_ACK, BACKEND_REQ,
 * BACKEND_SEND_FD, SHMEM_MAP), and reports every SET_MEM_TABLE: region count
 * and sizes, after mmap()ing each region's fd to prove it is usable. Lines
 * meant for the lab harness start with "@@STUB". Exits when every connection
 * that was opened has been closed again (or on SIGTERM/SIGINT).
 * This is a test stub, not the hyper_dmabuf daemon: it never processes rings.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAXG 8
#define MAXFDS 16

enum {
	GET_FEATURES = 1, SET_FEATURES = 2, SET_OWNER = 3, RESET_OWNER = 4,
	SET_MEM_TABLE = 5, SET_VRING_NUM = 8, SET_VRING_ADDR = 9,
	SET_VRING_BASE = 10, GET_VRING_BASE = 11, SET_VRING_KICK = 12,
	SET_VRING_CALL = 13, SET_VRING_ERR = 14, GET_PROTOCOL_FEATURES = 15,
	SET_PROTOCOL_FEATURES = 16, GET_QUEUE_NUM = 17, SET_VRING_ENABLE = 18,
	SET_BACKEND_REQ_FD = 21, GET_CONFIG = 24, GET_STATUS = 41,
	GET_SHMEM_CONFIG = 44,
};
#define F_VERSION 0x1u
#define F_REPLY 0x4u
#define F_NEED_REPLY 0x8u
#define PF_REPLY_ACK 3
#define PF_BACKEND_REQ 5
#define PF_BACKEND_SEND_FD 10
#define PF_SHMEM_MAP 22
#define NUM_VQS 2
#define SHM_SIZE (64ull << 20)

struct hdr { uint32_t req, flags, size; } __attribute__((packed));
struct region { uint64_t gpa, size, uaddr, mmap_offset; };

struct guest {
	const char *name, *path;
	int lfd, cfd, backend_fd;
	int seen, closed, tables;
};
static struct guest g[MAXG];
static int ng;
static volatile sig_atomic_t stop;

static void on_sig(int s) { (void)s; stop = 1; }

static int readn(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r == 0 || (r < 0 && errno != EINTR))
			return -1;
		if (r > 0)
			got += r;
	}
	return 0;
}

static int reply(struct guest *x, uint32_t req, const void *pl, uint32_t size)
{
	char buf[sizeof(struct hdr) + 4096];
	struct hdr h = { req, F_VERSION | F_REPLY, size };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), pl, size);
	return write(x->cfd, buf, sizeof(h) + size) == (ssize_t)(sizeof(h) + size) ? 0 : -1;
}

static int reply_u64(struct guest *x, uint32_t req, uint64_t v) { return reply(x, req, &v, 8); }

static void mem_table(struct guest *x, const char *pl, uint32_t size, int *fds, int nfds)
{
	uint32_t n, i;
	uint64_t total = 0;
	int ok = 1;

	if (size < 8) { printf("@@STUB %s SET_MEM_TABLE short payload\n", x->name); return; }
	memcpy(&n, pl, 4);
	printf("vhost-stub[%s]: SET_MEM_TABLE: %u region(s), %d fd(s)\n", x->name, n, nfds);
	for (i = 0; i < n && 8 + (i + 1) * sizeof(struct region) <= size; i++) {
		struct region r;
		void *m;

		memcpy(&r, pl + 8 + i * sizeof(r), sizeof(r));
		m = (int)i < nfds ? mmap(NULL, r.size + r.mmap_offset, PROT_READ, MAP_SHARED, fds[i], 0) : MAP_FAILED;
		printf("vhost-stub[%s]:   region %u: gpa=%#llx size=%#llx (%llu MiB) uaddr=%#llx off=%#llx mmap=%s\n",
		       x->name, i, (unsigned long long)r.gpa, (unsigned long long)r.size,
		       (unsigned long long)(r.size >> 20), (unsigned long long)r.uaddr,
		       (unsigned long long)r.mmap_offset, m == MAP_FAILED ? "FAILED" : "ok");
		if (m == MAP_FAILED) {
			ok = 0;
		} else {
			volatile const char *c = (const char *)m + r.mmap_offset;
			(void)c[0];
			(void)c[r.size - 1];
			munmap(m, r.size + r.mmap_offset);
		}
		total += r.size;
	}
	x->tables++;
	printf("@@STUB %s memtable regions=%u total_mib=%llu mapped=%s\n", x->name, n,
	       (unsigned long long)(total >> 20), ok ? "ok" : "FAILED");
}

/* handle one message; returns -1 when the connection is gone */
static int handle(struct guest *x)
{
	char pl[4096], cbuf[CMSG_SPACE(MAXFDS * sizeof(int))];
	int fds[MAXFDS], nfds = 0, i;
	struct hdr h;
	struct iovec iov = { &h, sizeof(h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t r;
	int keep_fds = 0;

	r = recvmsg(x->cfd, &mh, 0);
	if (r <= 0)
		return -1;
	if (r < (ssize_t)sizeof(h) && readn(x->cfd, (char *)&h + r, sizeof(h) - r))
		return -1;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
		}
	if (h.size > sizeof(pl) || readn(x->cfd, pl, h.size))
		return -1;

	switch (h.req) {
	case GET_FEATURES:
		reply_u64(x, h.req, (1ull << 32) /* VERSION_1 */ | (1ull << 30) /* PROTOCOL_FEATURES */);
		break;
	case GET_PROTOCOL_FEATURES:
		reply_u64(x, h.req, (1ull << PF_REPLY_ACK) | (1ull << PF_BACKEND_REQ) |
			  (1ull << PF_BACKEND_SEND_FD) | (1ull << PF_SHMEM_MAP));
		break;
	case GET_QUEUE_NUM:
		reply_u64(x, h.req, NUM_VQS);
		break;
	case GET_VRING_BASE: {
		uint32_t st[2] = { 0, 0 };
		if (h.size >= 4)
			memcpy(&st[0], pl, 4);
		reply(x, h.req, st, 8);
		break;
	}
	case GET_CONFIG:	/* echo the request: zeroed config space */
		if (h.size >= 12)
			memset(pl + 12, 0, h.size - 12);
		reply(x, h.req, pl, h.size);
		break;
	case GET_STATUS:
		reply_u64(x, h.req, 0);
		break;
	case GET_SHMEM_CONFIG: {
		uint32_t out[2 + 2 * 256] = { 1, 0 };
		uint64_t sz = SHM_SIZE;
		memcpy(&out[2], &sz, 8);
		reply(x, h.req, out, sizeof(out));
		break;
	}
	case SET_MEM_TABLE:
		mem_table(x, pl, h.size, fds, nfds);
		goto ack;
	case SET_BACKEND_REQ_FD:
		if (nfds > 0) {
			if (x->backend_fd >= 0)
				close(x->backend_fd);
			x->backend_fd = fds[0];
			keep_fds = 1;
		}
		goto ack;
	default:
	ack:
		if (h.flags & F_NEED_REPLY)
			reply_u64(x, h.req, 0);
		break;
	}
	if (!keep_fds)
		for (i = 0; i < nfds; i++)
			close(fds[i]);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	signal(SIGPIPE, SIG_IGN);
	for (i = 1; i < argc && ng < MAXG; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		char *eq = strchr(argv[i], '=');
		struct guest *x = &g[ng];

		if (!eq) { fprintf(stderr, "usage: %s NAME=SOCKET...\n", argv[0]); return 2; }
		*eq = 0;
		x->name = argv[i];
		x->path = eq + 1;
		x->cfd = x->backend_fd = -1;
		unlink(x->path);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", x->path);
		x->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (x->lfd < 0 || bind(x->lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(x->lfd, 1)) {
			perror(x->path);
			return 1;
		}
		printf("vhost-stub[%s]: listening on %s\n", x->name, x->path);
		ng++;
	}
	if (!ng) { fprintf(stderr, "usage: %s NAME=SOCKET...\n", argv[0]); return 2; }
	printf("@@STUB ready\n");
	while (!stop) {
		struct pollfd pf[MAXG];
		int open = 0, done = 1;

		for (i = 0; i < ng; i++) {
			pf[i].fd = g[i].cfd >= 0 ? g[i].cfd : g[i].closed ? -1 : g[i].lfd;
			pf[i].events = POLLIN;
			open += g[i].cfd >= 0;
			done &= g[i].closed;
		}
		if (done)
			break;
		if (poll(pf, ng, 1000) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (i = 0; i < ng; i++) {
			struct guest *x = &g[i];

			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (x->cfd < 0) {
				x->cfd = accept(x->lfd, NULL, NULL);
				if (x->cfd >= 0) {
					x->seen = 1;
					printf("@@STUB %s connected\n", x->name);
				}
			} else if (handle(x) < 0) {
				printf("@@STUB %s closed (mem tables received: %d)\n", x->name, x->tables);
				close(x->cfd);
				x->cfd = -1;
				x->closed = 1;
			}
		}
		(void)open;
	}
	for (i = 0; i < ng; i++) {
		printf("@@STUB summary %s connected=%d memtables=%d\n", g[i].name, g[i].seen, g[i].tables);
		unlink(g[i].path);
	}
	return 0;
}
