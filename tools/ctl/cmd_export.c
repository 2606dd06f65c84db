// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl export: share a dma-buf with a peer and keep it shared.
 *
 * The buffer comes from a file's contents (copied into a new vgem dumb
 * buffer), from a new vgem buffer of a given geometry, or from an
 * inherited dma-buf fd.  An export lives as long as the open file that
 * made it, so this process stays: in the foreground (or in the
 * background with --background) until SIGINT/SIGTERM/SIGHUP (the export
 * is revoked), until `hyperdmabuf-ctl unexport` asks it through its
 * control socket, until the peer released it (--until-released), or for
 * --wait-ms milliseconds.
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
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ctl.h"

enum { SRC_NONE, SRC_FILE, SRC_VGEM, SRC_FD };

struct export_args {
	int src;
	const char *file;		/* SRC_FILE */
	uint32_t vw, vh, vfourcc;	/* SRC_VGEM */
	int in_fd;			/* SRC_FD */
	bool zero_fill;
	uint32_t backend;
	uint64_t peer;
	bool rw;
	bool have_fourcc, have_size, have_modifier;
	uint32_t fourcc, width, height;
	uint64_t modifier;
	uint32_t nr_planes;
	struct hyper_dmabuf_plane planes[HYPER_DMABUF_MAX_PLANES];
	const char *opaque_file;
	bool background;
	const char *pidfile;
	bool until_released;
	uint64_t wait_ms;		/* 0: no limit */
};

enum {
	OPT_FD = 256, OPT_RO, OPT_RW, OPT_FOURCC, OPT_MODIFIER, OPT_SIZE,
	OPT_PLANE, OPT_OPAQUE, OPT_FILL, OPT_PIDFILE, OPT_UNTIL_RELEASED,
	OPT_WAIT_MS,
};

static void help(void)
{
	printf("Usage: %s export SOURCE --to BACKEND:DOMID [OPTIONS]\n"
	       "\n"
	       "Share a buffer with domain DOMID on BACKEND (loopback, xen,\n"
	       "virtio or a number), print its handle and keep it shared.\n"
	       "\n"
	       "Source (exactly one):\n"
	       "  -f, --file PATH        a new vgem buffer holding PATH's bytes\n"
	       "                         (size rounded up to whole pages)\n"
	       "  -g, --vgem WxH[:FOURCC] a new vgem buffer (default XRGB8888),\n"
	       "                         with the geometry as metadata\n"
	       "      --fd N             the dma-buf open on inherited fd N\n"
	       "      --fill pattern|zero  content of a --vgem buffer (pattern)\n"
	       "\n"
	       "Sharing:\n"
	       "  -t, --to BACKEND:DOMID the importing domain (required)\n"
	       "      --ro               read-only for the peer (default)\n"
	       "      --rw               the peer may write\n"
	       "\n"
	       "Metadata (override what --vgem sets):\n"
	       "      --fourcc F         DRM format: XRGB8888, XR24, 0x34325258\n"
	       "      --modifier M       DRM format modifier (number)\n"
	       "      --size WxH         width and height in pixels\n"
	       "      --plane OFF:STRIDE a plane (repeat, up to %d)\n"
	       "      --opaque-file F    up to %d bytes of opaque metadata\n"
	       "\n"
	       "Lifetime (the export ends with this process):\n"
	       "  -b, --background       detach once shared (prints the handle)\n"
	       "      --pidfile FILE     write the serving process id to FILE\n"
	       "      --until-released   end once the peer released its import\n"
	       "      --wait-ms MS       end after MS ms (with --until-released:\n"
	       "                         fail if not released by then)\n"
	       "  -j, --json             print the result as JSON\n"
	       "\n"
	       "SIGINT, SIGTERM and SIGHUP revoke the export and end the process\n"
	       "with status 0; so does '%s unexport HANDLE'.\n",
	       PROG_NAME, HYPER_DMABUF_MAX_PLANES, HYPER_DMABUF_MAX_OPAQUE,
	       PROG_NAME);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void parse_to(const char *cmd, const char *s, struct export_args *a)
{
	char buf[32], *colon;

	if (strlen(s) >= sizeof(buf))
		usage_error(cmd, "--to: '%.64s' is not BACKEND:DOMID", s);
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon)
		usage_error(cmd, "--to: '%s' is not BACKEND:DOMID", s);
	*colon = '\0';
	if (hdmabuf_backend_parse(buf, &a->backend))
		usage_error(cmd, "--to: unknown backend '%s'", buf);
	if (parse_u64(colon + 1, UINT64_MAX, &a->peer))
		usage_error(cmd, "--to: '%s' is not a domain id", colon + 1);
}

static void parse_vgem(const char *cmd, const char *s, struct export_args *a)
{
	char buf[64], *colon;

	if (strlen(s) >= sizeof(buf))
		usage_error(cmd, "--vgem: '%.64s' is not WxH[:FOURCC]", s);
	strcpy(buf, s);
	a->vfourcc = HDMABUF_FMT_XRGB8888;
	colon = strchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (hdmabuf_fourcc_parse(colon + 1, &a->vfourcc) ||
		    !hdmabuf_fourcc_bpp(a->vfourcc))
			usage_error(cmd, "--vgem: unsupported format '%s'",
				    colon + 1);
	}
	if (parse_wxh(buf, 16384, &a->vw, &a->vh))
		usage_error(cmd, "--vgem: '%s' is not WxH (1..16384)", buf);
}

static void set_source(const char *cmd, struct export_args *a, int src)
{
	if (a->src != SRC_NONE)
		usage_error(cmd, "give exactly one of --file, --vgem, --fd");
	a->src = src;
}

static void parse_args(int argc, char **argv, struct export_args *a)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "vgem", required_argument, NULL, 'g' },
		{ "fd", required_argument, NULL, OPT_FD },
		{ "fill", required_argument, NULL, OPT_FILL },
		{ "to", required_argument, NULL, 't' },
		{ "ro", no_argument, NULL, OPT_RO },
		{ "rw", no_argument, NULL, OPT_RW },
		{ "fourcc", required_argument, NULL, OPT_FOURCC },
		{ "modifier", required_argument, NULL, OPT_MODIFIER },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "plane", required_argument, NULL, OPT_PLANE },
		{ "opaque-file", required_argument, NULL, OPT_OPAQUE },
		{ "background", no_argument, NULL, 'b' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "until-released", no_argument, NULL, OPT_UNTIL_RELEASED },
		{ "wait-ms", required_argument, NULL, OPT_WAIT_MS },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = argv[0];
	bool have_to = false;
	char *colon, buf[48];
	uint64_t v, off;
	int c;

	memset(a, 0, sizeof(*a));
	a->in_fd = -1;
	while ((c = ctl_getopt(argc, argv, "f:g:t:bjh", longopts)) != -1) {
		switch (c) {
		case 'f':
			set_source(cmd, a, SRC_FILE);
			a->file = optarg;
			break;
		case 'g':
			set_source(cmd, a, SRC_VGEM);
			parse_vgem(cmd, optarg, a);
			break;
		case OPT_FD:
			set_source(cmd, a, SRC_FD);
			if (parse_u64(optarg, INT32_MAX, &v))
				usage_error(cmd, "--fd: '%.64s' is not an fd",
					    optarg);
			a->in_fd = (int)v;
			break;
		case OPT_FILL:
			if (!strcmp(optarg, "zero"))
				a->zero_fill = true;
			else if (strcmp(optarg, "pattern"))
				usage_error(cmd, "--fill: '%.64s' is not pattern or zero",
					    optarg);
			break;
		case 't':
			parse_to(cmd, optarg, a);
			have_to = true;
			break;
		case OPT_RO:
			a->rw = false;
			break;
		case OPT_RW:
			a->rw = true;
			break;
		case OPT_FOURCC:
			if (hdmabuf_fourcc_parse(optarg, &a->fourcc))
				usage_error(cmd, "--fourcc: '%.64s' is not a format",
					    optarg);
			a->have_fourcc = true;
			break;
		case OPT_MODIFIER:
			if (parse_u64(optarg, UINT64_MAX, &a->modifier))
				usage_error(cmd, "--modifier: '%.64s' is not a number",
					    optarg);
			a->have_modifier = true;
			break;
		case OPT_SIZE:
			if (parse_wxh(optarg, UINT32_MAX, &a->width,
				      &a->height))
				usage_error(cmd, "--size: '%.64s' is not WxH",
					    optarg);
			a->have_size = true;
			break;
		case OPT_PLANE:
			if (a->nr_planes == HYPER_DMABUF_MAX_PLANES)
				usage_error(cmd, "at most %d --plane options",
					    HYPER_DMABUF_MAX_PLANES);
			if (strlen(optarg) >= sizeof(buf) ||
			    !(colon = strchr(strcpy(buf, optarg), ':')))
				usage_error(cmd, "--plane: '%.64s' is not OFF:STRIDE",
					    optarg);
			*colon = '\0';
			if (parse_u64(buf, UINT32_MAX, &off) ||
			    parse_u64(colon + 1, UINT32_MAX, &v))
				usage_error(cmd, "--plane: '%.64s' is not OFF:STRIDE",
					    optarg);
			a->planes[a->nr_planes].offset = (uint32_t)off;
			a->planes[a->nr_planes].stride = (uint32_t)v;
			a->nr_planes++;
			break;
		case OPT_OPAQUE:
			a->opaque_file = optarg;
			break;
		case 'b':
			a->background = true;
			break;
		case OPT_PIDFILE:
			a->pidfile = optarg;
			break;
		case OPT_UNTIL_RELEASED:
			a->until_released = true;
			break;
		case OPT_WAIT_MS:
			if (parse_u64(optarg, UINT32_MAX, &a->wait_ms) ||
			    !a->wait_ms)
				usage_error(cmd, "--wait-ms: '%.64s' is not 1..%u",
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
	if (optind < argc)
		usage_error(cmd, "unexpected argument '%.64s'", argv[optind]);
	if (a->src == SRC_NONE)
		usage_error(cmd, "no source: give --file, --vgem or --fd");
	if (!have_to)
		usage_error(cmd, "no peer: give --to BACKEND:DOMID");
	if (a->zero_fill && a->src != SRC_VGEM)
		usage_error(cmd, "--fill only applies to --vgem");
}

/* Deterministic test pattern: gradients plus an XOR texture. */
static void fill_pattern(struct hdmabuf_vgem_buf *b)
{
	uint32_t x, y, Bpp = b->bpp / 8;

	for (y = 0; y < b->height; y++) {
		uint8_t *row = (uint8_t *)b->map + (size_t)y * b->pitch;

		for (x = 0; x < b->width; x++) {
			uint32_t px = 0xff000000u |
				((x * 255 / b->width) & 0xff) << 16 |
				((y * 255 / b->height) & 0xff) << 8 |
				((x ^ y) & 0xff);

			memcpy(row + (size_t)x * Bpp, &px, Bpp);
		}
	}
}

/* Copy @path into a new vgem buffer. */
static int load_file(const char *path, int card, struct hdmabuf_vgem_buf *b)
{
	struct stat st;
	uint64_t done = 0;
	int fd, ret;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno;
		print_err(ret, "%s", path);
		return -ret;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		ret = errno ? errno : EINVAL;
		print_msg("%s: not a non-empty regular file", path);
		close(fd);
		return -ret;
	}
	ret = hdmabuf_vgem_alloc_size(card, (uint64_t)st.st_size, b);
	if (ret) {
		print_err(-ret, "vgem buffer of %lld bytes",
			  (long long)st.st_size);
		close(fd);
		return ret;
	}
	while (done < (uint64_t)st.st_size) {
		n = read(fd, (char *)b->map + done, (uint64_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n ? errno : EIO;
			print_err(ret, "%s: read", path);
			close(fd);
			hdmabuf_vgem_free(b);
			return -ret;
		}
		done += (uint64_t)n;
	}
	close(fd);
	return 0;
}

static int load_opaque(const char *path, uint8_t *buf, uint32_t *len)
{
	ssize_t n;
	size_t done = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		print_err(err, "%s", path);
		return -err;
	}
	/* Read one byte more than allowed to detect oversized files. */
	while (done <= HYPER_DMABUF_MAX_OPAQUE) {
		n = read(fd, buf + done, HYPER_DMABUF_MAX_OPAQUE + 1 - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			print_err(err, "%s: read", path);
			close(fd);
			return -err;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	if (done > HYPER_DMABUF_MAX_OPAQUE) {
		print_err(EMSGSIZE, "%s: more than %d bytes", path,
			  HYPER_DMABUF_MAX_OPAQUE);
		return -EMSGSIZE;
	}
	*len = (uint32_t)done;
	return 0;
}

static void fill_meta(const struct export_args *a,
		      const struct hdmabuf_vgem_buf *b,
		      struct hyper_dmabuf_meta *m)
{
	unsigned int bpp;

	if (a->src == SRC_VGEM) {
		m->fourcc = a->vfourcc;
		m->width = b->width;
		m->height = b->height;
		m->nr_planes = 1;
		m->planes[0].stride = b->pitch;
	}
	if (a->have_fourcc)
		m->fourcc = a->fourcc;
	if (a->have_modifier)
		m->modifier = a->modifier;
	if (a->have_size) {
		m->width = a->width;
		m->height = a->height;
		bpp = hdmabuf_fourcc_bpp(m->fourcc);
		if (a->src != SRC_VGEM && !a->nr_planes && bpp) {
			m->nr_planes = 1;
			m->planes[0].offset = 0;
			m->planes[0].stride = (uint32_t)((uint64_t)a->width *
							 bpp / 8);
		}
	}
	if (a->nr_planes) {
		memset(m->planes, 0, sizeof(m->planes));
		memcpy(m->planes, a->planes, sizeof(a->planes));
		m->nr_planes = a->nr_planes;
	}
}

static void revoke_export(int fd, const struct hyper_dmabuf_handle *h)
{
	int ret = hdmabuf_unexport(fd, h, HYPER_DMABUF_UNEXPORT_REVOKE, 0);

	if (ret && ret != -ENOENT)
		print_err(-ret, "revoke");
}

/* Serve one control-socket client; true when the export is gone. */
static bool serve_client(int cfd, int fd, const struct hyper_dmabuf_handle *h,
			 bool *withdrawn)
{
	struct pollfd pfd = { .fd = cfd, .events = POLLIN };
	struct ctl_reply *rep;
	struct ctl_req req;
	bool gone = false;
	ssize_t n;
	int ret;

	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return false;
	/* The client sends its request right after connecting. */
	if (poll(&pfd, 1, 2000) != 1)
		goto out;
	n = recv(cfd, &req, sizeof(req), 0);
	rep->magic = CTL_SOCK_MAGIC;
	rep->pid = (uint32_t)getpid();
	if (n != (ssize_t)sizeof(req) || req.magic != CTL_SOCK_MAGIC) {
		rep->err = EPROTO;
	} else if (req.op == CTL_OP_QUERY) {
		ret = hdmabuf_query(fd, h, &rep->q, rep->opaque,
				    sizeof(rep->opaque));
		rep->err = -ret;
		if (!ret)
			rep->opaque_len = rep->q.opaque_len < sizeof(rep->opaque) ?
				rep->q.opaque_len : sizeof(rep->opaque);
	} else if (req.op == CTL_OP_UNEXPORT &&
		   !(req.flags & ~HYPER_DMABUF_UNEXPORT_VALID_FLAGS)) {
		ret = hdmabuf_unexport(fd, h, req.flags, req.timeout_ms);
		rep->err = -ret;
		if (!ret)
			gone = true;
		else if (ret == -ETIMEDOUT)
			*withdrawn = true;
	} else {
		rep->err = EINVAL;
	}
	send(cfd, rep, sizeof(*rep), MSG_NOSIGNAL);
out:
	free(rep);
	return gone;
}

/* The export's life after it was printed; returns the exit status. */
static int serve(const struct export_args *a, int fd, int sfd, int lfd,
		 const struct hyper_dmabuf_handle *h)
{
	uint64_t deadline = a->wait_ms ? now_ms() + a->wait_ms : 0;
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	bool withdrawn = false;

	hdmabuf_handle_format(h, hex);
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = lfd, .events = POLLIN },
			{ .fd = fd, .events = POLLIN },
		};
		struct hyper_dmabuf_event ev;
		int timeout = -1, ret, cfd;

		if (deadline) {
			uint64_t now = now_ms();

			timeout = now >= deadline ? 0 :
				(int)(deadline - now > INT32_MAX ? INT32_MAX :
				      deadline - now);
		}
		ret = poll(pfd, 3, timeout);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			print_err(errno, "poll");
			revoke_export(fd, h);
			return EXIT_FAILURE;
		}
		if (ret == 0) {
			revoke_export(fd, h);
			if (a->until_released) {
				print_msg("%s: not released within %" PRIu64
					  " ms, revoked", hex, a->wait_ms);
				return EXIT_FAILURE;
			}
			return EXIT_SUCCESS;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) > 0) {
				revoke_export(fd, h);
				return EXIT_SUCCESS;
			}
		}
		if (pfd[1].revents & POLLIN) {
			cfd = ctl_accept(lfd);
			if (cfd >= 0) {
				bool gone = serve_client(cfd, fd, h,
							 &withdrawn);

				close(cfd);
				if (gone)
					return EXIT_SUCCESS;
			}
		}
		while (pfd[2].revents & POLLIN &&
		       hdmabuf_read_event(fd, &ev, 0) == 1) {
			if (ev.type != HYPER_DMABUF_EVENT_RELEASED ||
			    !hdmabuf_handle_eq(&ev.handle, h))
				continue;
			/* Finish a withdrawal, or end on request. */
			if (!withdrawn && !a->until_released)
				continue;
			if (!hdmabuf_unexport(fd, h, 0, 0))
				return EXIT_SUCCESS;
		}
	}
}

static void print_result(const struct hyper_dmabuf_export *e,
			 uint64_t size, pid_t pid)
{
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	const char *bn = hdmabuf_backend_name(e->backend);
	struct jw w;

	hdmabuf_handle_format(&e->handle, hex);
	if (!ctl_opts.json) {
		printf("%s\n", hex);
		fflush(stdout);
		return;
	}
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "handle", hex);
	jw_str(&w, "backend", bn ? bn : "unknown");
	jw_u64(&w, "peer", e->peer);
	jw_u64(&w, "size", size);
	jw_bool(&w, "rw", e->flags & HYPER_DMABUF_EXPORT_RW);
	jw_i64(&w, "pid", pid);
	jw_end(&w);
}

static int write_pidfile(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f)) {
		print_err(errno, "%s", path);
		return -1;
	}
	return 0;
}

static void detach_stdio(void)
{
	int nul = open("/dev/null", O_RDWR);

	if (nul < 0)
		return;
	dup2(nul, STDIN_FILENO);
	dup2(nul, STDOUT_FILENO);
	dup2(nul, STDERR_FILENO);
	if (nul > STDERR_FILENO)
		close(nul);
}

int cmd_export(int argc, char **argv)
{
	struct hdmabuf_vgem_buf buf = { .dmabuf = -1 };
	uint8_t opaque[HYPER_DMABUF_MAX_OPAQUE + 1];
	struct hyper_dmabuf_export e;
	int fd = -1, card = -1, sfd = -1, lfd = -1, ret;
	int status = EXIT_FAILURE;
	uint32_t opaque_len = 0;
	struct export_args a;
	uint64_t size = 0;
	sigset_t mask;
	struct stat st;
	off_t off;
	pid_t pid;

	parse_args(argc, argv, &a);

	/* Signals are handled in the serving loop, from the start. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		print_err(errno, "signalfd");
		return EXIT_FAILURE;
	}

	if (a.opaque_file && load_opaque(a.opaque_file, opaque, &opaque_len))
		goto out;
	fd = open_device();
	if (fd < 0)
		goto out;

	memset(&e, 0, sizeof(e));
	if (a.src == SRC_FD) {
		if (fstat(a.in_fd, &st)) {
			print_err(errno, "--fd %d", a.in_fd);
			goto out;
		}
		e.fd = a.in_fd;
		/* dma-bufs report their size through SEEK_END. */
		off = lseek(a.in_fd, 0, SEEK_END);
		size = off > 0 ? (uint64_t)off : 0;
	} else {
		card = hdmabuf_vgem_open();
		if (card < 0) {
			print_err(-card, "vgem device (is the vgem module loaded?)");
			goto out;
		}
		if (a.src == SRC_FILE) {
			if (load_file(a.file, card, &buf))
				goto out;
		} else {
			ret = hdmabuf_vgem_alloc(card, a.vw, a.vh,
					hdmabuf_fourcc_bpp(a.vfourcc), &buf);
			if (ret) {
				print_err(-ret, "vgem buffer %ux%u", a.vw, a.vh);
				goto out;
			}
			if (!a.zero_fill)
				fill_pattern(&buf);
		}
		e.fd = buf.dmabuf;
		size = buf.size;
	}
	fill_meta(&a, &buf, &e.meta);
	e.flags = a.rw ? HYPER_DMABUF_EXPORT_RW : 0;
	e.backend = a.backend;
	e.peer = a.peer;
	if (opaque_len) {
		e.opaque_ptr = (uintptr_t)opaque;
		e.opaque_len = opaque_len;
	}
	ret = hdmabuf_export(fd, &e);
	if (ret) {
		print_err(-ret, "EXPORT to %s:%" PRIu64,
			  hdmabuf_backend_name(a.backend) ?: "?", a.peer);
		goto out;
	}

	/*
	 * The dma-buf stays alive through the export; our own references
	 * (vgem mapping, GEM handle, fds) are not needed any more.
	 */
	hdmabuf_vgem_free(&buf);
	if (card >= 0)
		close(card);
	card = -1;

	lfd = ctl_listen(&e.handle);
	if (lfd < 0) {
		print_err(-lfd, "control socket");
		revoke_export(fd, &e.handle);
		goto out;
	}

	fflush(stdout);
	pid = getpid();
	if (a.background) {
		pid = fork();
		if (pid < 0) {
			print_err(errno, "fork");
			revoke_export(fd, &e.handle);
			goto out;
		}
		if (pid > 0) {
			/* Parent: report and leave the export to the child. */
			if (a.pidfile && write_pidfile(a.pidfile, pid)) {
				kill(pid, SIGTERM);
				return EXIT_FAILURE;
			}
			print_result(&e, size, pid);
			_exit(EXIT_SUCCESS);
		}
		setsid();
		detach_stdio();
	} else {
		if (a.pidfile && write_pidfile(a.pidfile, pid)) {
			revoke_export(fd, &e.handle);
			goto out;
		}
		print_result(&e, size, pid);
	}
	status = serve(&a, fd, sfd, lfd, &e.handle);
	if (a.pidfile)
		unlink(a.pidfile);
out:
	hdmabuf_vgem_free(&buf);
	if (card >= 0)
		close(card);
	if (lfd >= 0)
		close(lfd);
	if (fd >= 0)
		close(fd);
	close(sfd);
	return status;
}
