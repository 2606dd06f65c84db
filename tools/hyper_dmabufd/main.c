// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabufd - host daemon of the hyper_dmabuf virtio device: a
 * vhost-user back-end serving VIRTIO_ID_DMABUF to many guests, one UNIX
 * socket each, routing hyper_dmabuf messages between them and mapping an
 * exporter's pages into an importer's shared-memory region.  See
 * hyper_dmabufd(8) and docs/virtio-device.rst.
 *
 * main.c: options, sockets, the epoll loop, logging.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "host_api.h"

#define PROG "hyper_dmabufd"
#define VERSION "0.1.0"

static int log_level = LOG_INFO;

void logmsg(int level, const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, PROG "[%ld.%03ld]: ", (long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ev_add(struct daemon *d, int fd, struct ev *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = ev };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e) ? -errno : 0;
}

void ev_del(struct daemon *d, int fd)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void guest_disconnect(struct guest *g)
{
	dev_stop(g, "front-end disconnected");
	bchan_reset(g);
	rings_reset(g);
	gm_clear(&g->mem);
	g->features = g->pfeatures = 0;
	g->config_served = 0;
	ev_del(g->d, g->cfd);
	close(g->cfd);
	g->cfd = -1;
	logmsg(LOG_INFO, "%s: front-end disconnected; waiting on %s", g->name,
	       g->path);
	if (ev_add(g->d, g->lfd, &g->ev_listen))
		logmsg(LOG_ERR, "%s: cannot listen again", g->name);
}

static void guest_accept(struct guest *g)
{
	struct timeval tv = { .tv_sec = 5 };
	int fd = accept4(g->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0) {
		logmsg(LOG_ERR, "%s: accept: %s", g->name, strerror(errno));
		return;
	}
	/* a front-end that stops mid-message cannot hang the daemon */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	g->cfd = fd;
	if (ev_add(g->d, fd, &g->ev_conn)) {
		close(fd);
		g->cfd = -1;
		return;
	}
	ev_del(g->d, g->lfd);	/* one front-end per socket */
	logmsg(LOG_INFO, "%s: front-end connected (domid %u)", g->name, g->domid);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10; end++; break;
	case 0: break;
	default: return -1;
	}
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int add_guest(struct daemon *d, const char *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *colon = strrchr(arg, ':');
	struct guest *g;
	unsigned long domid;
	char *end;
	size_t plen;

	if (!colon || colon == arg || d->nguests == HDMABUFD_MAX_GUESTS)
		return -1;
	errno = 0;
	domid = strtoul(colon + 1, &end, 0);
	plen = (size_t)(colon - arg);
	if (errno || *end || !domid || domid > 0x7fffffff ||
	    plen >= sizeof(sa.sun_path) || guest_by_domid(d, (uint32_t)domid))
		return -1;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -1;
	g->d = d;
	g->domid = (uint32_t)domid;
	memcpy(g->path, arg, plen);
	snprintf(g->name, sizeof(g->name), "dom%u", g->domid);
	g->cfd = g->bfd = -1;
	g->ev_listen = (struct ev){ EV_LISTEN, g, 0 };
	g->ev_conn = (struct ev){ EV_CONN, g, 0 };
	g->ev_backend = (struct ev){ EV_BACKEND, g, 0 };
	for (unsigned int q = 0; q < VIRTIO_DMABUF_NUM_VQS; q++) {
		g->ev_kick[q] = (struct ev){ EV_KICK, g, q };
		vring_init(&g->vq[q]);
	}
	gm_init(&g->mem);
	d->guests[d->nguests++] = g;
	return 0;
}

static int guest_listen(struct guest *g)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memcpy(sa.sun_path, g->path, strlen(g->path));
	unlink(g->path);
	g->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g->lfd < 0 || bind(g->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(g->lfd, 1) || ev_add(g->d, g->lfd, &g->ev_listen)) {
		fprintf(stderr, PROG ": %s: %s\n", g->path, strerror(errno));
		return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [options] --guest SOCKET:DOMID [--guest SOCKET:DOMID ...]\n"
"\n"
"vhost-user back-end of the hyper_dmabuf virtio device (VIRTIO_ID_DMABUF, 37):\n"
"one UNIX socket per guest; QEMU >= 11.1 connects with\n"
"  -chardev socket,id=c,path=SOCKET\n"
"  -device vhost-user-test-device-pci,chardev=c,virtio-id=37,num_vqs=2,config_size=16\n"
"(guest memory must be a shared memfd: -object memory-backend-memfd,share=on).\n"
"\n"
"  -g, --guest SOCKET:DOMID  serve the guest connecting to SOCKET as domain\n"
"                            DOMID (1..2147483647, unique); repeatable\n"
"  -s, --shm-size SIZE       shared-memory region per guest (K/M/G suffix;\n"
"                            default 256M, multiple of 4K)\n"
"  -H, --host-socket PATH    be domain 0 for the guests and serve host\n"
"                            importers on PATH (docs/host-api.rst)\n"
"  -v, --verbose             more logging (repeat for debug)\n"
"  -q, --quiet               errors only\n"
"  -h, --help                this help\n"
"  -V, --version             print the version\n"
"\n"
"Logs go to stderr.  SIGTERM/SIGINT: clean exit.  See hyper_dmabufd(8).\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "shm-size", required_argument, NULL, 's' },
		{ "host-socket", required_argument, NULL, 'H' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = { .epfd = -1, .shm_size = 256ull << 20 };
	struct ev ev_sig = { EV_LISTEN, NULL, 0 };
	struct epoll_event evs[16];
	struct rlimit rl;
	sigset_t mask;
	unsigned int i;
	const char *host_socket = NULL;
	int c, sfd, running = 1;

	while ((c = getopt_long(argc, argv, "g:s:H:vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (add_guest(&d, optarg)) {
				fprintf(stderr, PROG ": bad --guest '%s' (SOCKET:DOMID, "
					"unique DOMID in 1..2147483647, at most %d)\n",
					optarg, HDMABUFD_MAX_GUESTS);
				return 2;
			}
			break;
		case 's':
			if (parse_size(optarg, &d.shm_size) || !d.shm_size ||
			    d.shm_size % VIRTIO_DMABUF_PAGE_SIZE ||
			    d.shm_size > (64ull << 30)) {
				fprintf(stderr, PROG ": bad --shm-size '%s'\n", optarg);
				return 2;
			}
			break;
		case 'H':
			host_socket = optarg;
			break;
		case 'v':
			log_level++;
			break;
		case 'q':
			log_level = LOG_ERR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf(PROG " " VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !d.nguests) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* each guest memory region is a file descriptor (up to 512 a guest) */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || d.epfd < 0 || ev_add(&d, sfd, &ev_sig)) {
		fprintf(stderr, PROG ": setup: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < d.nguests; i++) {
		if (shm_alloc_init(&d.guests[i]->shm, d.shm_size / VIRTIO_DMABUF_PAGE_SIZE) ||
		    guest_listen(d.guests[i]))
			return 1;
		logmsg(LOG_INFO, "%s: listening on %s", d.guests[i]->name,
		       d.guests[i]->path);
	}
	if (host_socket) {
		int err = host_api_init(&d, host_socket);

		if (err) {
			fprintf(stderr, PROG ": %s: %s\n", host_socket, strerror(-err));
			return 1;
		}
	}
	logmsg(LOG_INFO, "ready: %u guest socket(s), shared-memory region %llu MiB",
	       d.nguests, (unsigned long long)(d.shm_size >> 20));
	while (running) {
		int n, timeout = -1;

		for (i = 0; i < d.nguests; i++)
			if (d.guests[i]->tx_more)
				timeout = 0;
		if (timeout < 0)
			timeout = host_api_timeout();
		n = epoll_wait(d.epfd, evs, 16, timeout);
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, PROG ": epoll_wait: %s\n", strerror(errno));
			return 1;
		}
		for (c = 0; c < n; c++) {
			struct ev *ev = evs[c].data.ptr;
			struct guest *g = ev->g;

			if (ev == &ev_sig) {
				running = 0;
				break;
			}
			switch (ev->kind) {
			case EV_LISTEN:
				guest_accept(g);
				break;
			case EV_CONN:
				/* the fd may have been closed by an earlier event */
				if (g->cfd >= 0 && vu_handle(g))
					guest_disconnect(g);
				break;
			case EV_BACKEND:
				if (g->bfd >= 0)
					bchan_handle(g);
				break;
			case EV_KICK:
				if (g->vq[ev->q].kick_fd >= 0)
					dev_kick(g, ev->q);
				break;
			case EV_HOST:
				host_api_event(ev);
				break;
			}
		}
		dev_poll(&d);
		host_api_poll();
	}
	logmsg(LOG_INFO, "exiting");
	for (i = 0; i < d.nguests; i++) {
		struct guest *g = d.guests[i];

		if (g->cfd >= 0)
			guest_disconnect(g);
		unlink(g->path);
	}
	host_api_fini();
	for (i = 0; i < d.nguests; i++) {
		struct guest *g = d.guests[i];

		close(g->lfd);
		shm_alloc_fini(&g->shm);
		free(g->exports);
		free(g);
	}
	close(d.epfd);
	close(sfd);
	return 0;
}
