// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl import: turn an offer into a local dma-buf and write
 * its bytes to a file, or its pixels to a PNG when the (untrusted)
 * metadata describes an XRGB8888/ARGB8888 image inside the buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>

#include <linux/dma-buf.h>

#include "ctl.h"
#include "png.h"

struct import_args {
	struct hyper_dmabuf_handle h;
	const char *out;
	const char *png;
	bool hold;
	uint64_t hold_ms;	/* 0: until a signal or the exporter */
};

static void help(void)
{
	printf("Usage: %s import HANDLE [OPTIONS]\n"
	       "\n"
	       "Import a buffer offered to this VM.\n"
	       "\n"
	       "  -o, --out FILE   write the buffer's bytes to FILE ('-': stdout)\n"
	       "  -p, --png FILE   write the image to FILE as PNG (metadata must\n"
	       "                   say XRGB8888 or ARGB8888 with one plane)\n"
	       "      --hold[=MS]  keep the import open afterwards, until SIGINT/\n"
	       "                   SIGTERM or a revoke, and until the exporter\n"
	       "                   withdraws it (without MS) or for MS ms\n"
	       "  -j, --json       print the result as JSON\n", PROG_NAME);
}

static void parse_args(int argc, char **argv, struct import_args *a)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "png", required_argument, NULL, 'p' },
		{ "hold", optional_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = ctl_getopt(argc, argv, "o:p:jh", longopts)) != -1) {
		switch (c) {
		case 'o':
			a->out = optarg;
			break;
		case 'p':
			a->png = optarg;
			break;
		case 'H':
			a->hold = true;
			if (optarg && (parse_u64(optarg, UINT32_MAX,
						 &a->hold_ms) || !a->hold_ms))
				usage_error(cmd, "--hold: '%.64s' is not 1..%u ms",
					    optarg, UINT32_MAX);
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			help();
			exit(EXIT_SUCCESS);
		}
	}
	if (optind >= argc)
		usage_error(cmd, "no handle given");
	if (argc - optind > 1)
		usage_error(cmd, "unexpected argument '%.64s'",
			    argv[optind + 1]);
	parse_handle_or_die(cmd, argv[optind], &a->h);
	if (a->png && !strcmp(a->png, "-"))
		usage_error(cmd, "--png needs a file name");
	if (a->out && !strcmp(a->out, "-") && ctl_opts.json)
		usage_error(cmd, "--out - and --json both want stdout");
}

static int write_all(int fd, const uint8_t *p, uint64_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len > (1u << 30) ? (1u << 30) : len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (uint64_t)n;
	}
	return 0;
}

static int write_raw(const char *path, const uint8_t *p, uint64_t len)
{
	int fd, ret;

	if (!strcmp(path, "-"))
		fd = STDOUT_FILENO;
	else
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		print_err(errno, "%s", path);
		return -1;
	}
	ret = write_all(fd, p, len);
	if (fd != STDOUT_FILENO && close(fd) && !ret)
		ret = -errno;
	if (ret) {
		print_err(-ret, "%s", path);
		return -1;
	}
	return 0;
}

/*
 * The metadata comes from the peer: accept it only when every line of
 * the image lies inside the @size bytes we mapped.
 */
static int write_png(const char *path, const struct hyper_dmabuf_meta *m,
		     const uint8_t *p, uint64_t size)
{
	uint64_t stride, offset, line, end;
	char fcc[16];
	int alpha;

	if (m->fourcc == HDMABUF_FMT_XRGB8888) {
		alpha = 0;
	} else if (m->fourcc == HDMABUF_FMT_ARGB8888) {
		alpha = 1;
	} else {
		hdmabuf_fourcc_format(m->fourcc, fcc);
		print_err(EMEDIUMTYPE, "--png: format %s is not XRGB8888 or ARGB8888",
			  m->fourcc ? fcc : "none");
		return -1;
	}
	if (!m->width || !m->height || m->nr_planes > 1 ||
	    m->width > 65536 || m->height > 65536) {
		print_err(EINVAL, "--png: bad geometry %ux%u, %u planes",
			  m->width, m->height, m->nr_planes);
		return -1;
	}
	line = (uint64_t)m->width * 4;
	stride = m->nr_planes ? m->planes[0].stride : line;
	offset = m->nr_planes ? m->planes[0].offset : 0;
	end = offset + stride * (m->height - 1) + line;	/* < 2^50 */
	if (stride < line || end > size) {
		print_err(ERANGE, "--png: %ux%u image (offset %" PRIu64
			  ", stride %" PRIu64 ") does not fit in %" PRIu64
			  " bytes", m->width, m->height, offset, stride, size);
		return -1;
	}
	return png_write_xrgb(path, p + offset, m->width, m->height,
			      (uint32_t)stride, alpha) ? -1 : 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Keep the import (its fd stays open in the caller) until a signal, or:
 * with @ms 0 until the exporter withdraws or revokes @h; else for @ms
 * milliseconds unless it is revoked (a withdrawal is ignored, as a slow
 * importer would).
 */
static void hold(int fd, const struct hyper_dmabuf_handle *h, uint64_t ms)
{
	uint64_t deadline = ms ? now_ms() + ms : 0;
	struct hyper_dmabuf_event ev;
	struct pollfd pfd[2];
	sigset_t mask;
	int sfd, ret, timeout;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		print_err(errno, "signalfd");
		return;
	}
	pfd[0].fd = sfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = fd;
	pfd[1].events = POLLIN;
	for (;;) {
		timeout = -1;
		if (deadline) {
			uint64_t now = now_ms();

			if (now >= deadline)
				break;
			timeout = deadline - now > INT32_MAX ? INT32_MAX :
				(int)(deadline - now);
		}
		ret = poll(pfd, 2, timeout);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0 || pfd[0].revents)
			break;
		if (pfd[1].revents && hdmabuf_read_event(fd, &ev, 0) == 1 &&
		    hdmabuf_handle_eq(&ev.handle, h) &&
		    ((ev.type == HYPER_DMABUF_EVENT_WITHDRAWN && !ms) ||
		     ev.type == HYPER_DMABUF_EVENT_REVOKED))
			break;
	}
	close(sfd);
}

int cmd_import(int argc, char **argv)
{
	uint8_t opaque[HYPER_DMABUF_MAX_OPAQUE];
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	struct hyper_dmabuf_query q;
	struct import_args a;
	int fd, dfd = -1, ret;
	int status = EXIT_FAILURE;
	uint8_t *map = NULL;
	uint64_t size = 0;
	struct jw w;

	parse_args(argc, argv, &a);
	hdmabuf_handle_format(&a.h, hex);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	ret = hdmabuf_query(fd, &a.h, &q, opaque, sizeof(opaque));
	if (ret) {
		print_err(-ret, "%s", hex);
		goto out;
	}
	ret = hdmabuf_import(fd, &a.h, 0, &size);
	if (ret < 0) {
		print_err(-ret, "IMPORT %s", hex);
		goto out;
	}
	dfd = ret;
	if (a.out || a.png) {
		map = mmap(NULL, size, PROT_READ, MAP_SHARED, dfd, 0);
		if (map == MAP_FAILED) {
			map = NULL;
			print_err(errno, "mmap %s", hex);
			goto out;
		}
		ret = hdmabuf_dmabuf_sync(dfd, DMA_BUF_SYNC_START |
					  DMA_BUF_SYNC_READ);
		if (ret) {
			print_err(-ret, "DMA_BUF_IOCTL_SYNC %s", hex);
			goto out;
		}
		if (a.out && write_raw(a.out, map, size))
			goto out_sync;
		if (a.png && write_png(a.png, &q.meta, map, size))
			goto out_sync;
		hdmabuf_dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	}
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_query(&w, &q, opaque, sizeof(opaque));
		jw_u64(&w, "imported_size", size);
		if (a.out)
			jw_str(&w, "out", a.out);
		if (a.png)
			jw_str(&w, "png", a.png);
		jw_end(&w);
	} else if (!a.out || strcmp(a.out, "-")) {
		printf("%s: imported %" PRIu64 " bytes from %s:%" PRIu64 "\n",
		       hex, size, hdmabuf_backend_name(q.backend) ?: "?",
		       (uint64_t)q.peer);
		fflush(stdout);
	}
	if (a.hold)
		hold(fd, &a.h, a.hold_ms);
	status = EXIT_SUCCESS;
	goto out;
out_sync:
	hdmabuf_dmabuf_sync(dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
out:
	if (map)
		munmap(map, size);
	if (dfd >= 0)
		close(dfd);
	close(fd);
	return status;
}
