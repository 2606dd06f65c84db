// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl --host SOCKET: the same commands, on the host of virtio
 * guests, through hyper_dmabufd's host-importer API (tools/lib/hostapi.h,
 * docs/host-api.rst) instead of /dev/hyper_dmabuf: info, list, import,
 * watch.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "hostapi.h"

static int connect_or_err(struct hdmh_conn *c, bool events)
{
	int err = hdmh_connect(c, ctl_opts.host, events);

	if (err)
		print_err(-err, "--host %.64s", ctl_opts.host);
	return err;
}

static void fmt_handle(const uint8_t *b, char *hex)
{
	struct hyper_dmabuf_handle h;

	memcpy(h.bytes, b, 16);
	hdmabuf_handle_format(&h, hex);
}

static void print_offer(const struct hdmh_offer *o, const char *event)
{
	char hex[HDMABUF_HANDLE_STRLEN + 1], fcc[16];
	struct jw w;

	fmt_handle(o->handle, hex);
	hdmabuf_fourcc_format(o->fourcc, fcc);
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		if (event)
			jw_str(&w, "event", event);
		jw_str(&w, "handle", hex);
		jw_u64(&w, "peer", o->domid);
		jw_u64(&w, "size", o->size);
		jw_bool(&w, "rw", o->access == 1);
		jw_str(&w, "fourcc", o->fourcc ? fcc : "none");
		jw_u64(&w, "width", o->width);
		jw_u64(&w, "height", o->height);
		jw_bool(&w, "imported", o->imported);
		jw_end(&w);
		return;
	}
	printf("%s%s%s peer %u size %" PRIu64 " %s", event ? event : "",
	       event ? " " : "", hex, o->domid, o->size, o->access == 1 ? "rw" : "ro");
	if (o->fourcc || o->width)
		printf(" %ux%u %s", o->width, o->height, o->fourcc ? fcc : "");
	printf("%s\n", o->imported ? " imported" : "");
}

static int host_info(int argc, char **argv)
{
	struct hdmh_conn c;
	struct jw w;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("Usage: %s --host SOCKET info\n\nThe daemon's API version "
		       "and capabilities.\n", PROG_NAME);
		return EXIT_SUCCESS;
	}
	if (argc > 1)
		usage_error("info", "too many arguments");
	if (connect_or_err(&c, false))
		return EXIT_FAILURE;
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_u64(&w, "api_version", HDMH_VERSION);
		jw_u64(&w, "host_domid", c.host_domid);
		jw_bool(&w, "udmabuf", c.caps & HDMH_CAP_UDMABUF);
		jw_end(&w);
	} else {
		printf("host API: version %d, host domain id %u, imports as %s\n",
		       HDMH_VERSION, c.host_domid, c.caps & HDMH_CAP_UDMABUF ?
		       "dma-bufs (udmabuf)" : "memory files + runs");
	}
	hdmh_close(&c);
	return EXIT_SUCCESS;
}

static int host_list(int argc, char **argv)
{
	struct hdmh_offer *o = NULL;
	struct hdmh_conn c;
	size_t n, i;
	int err;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("Usage: %s --host SOCKET list\n\nThe buffers guests offer "
		       "to the host, one per line.\n", PROG_NAME);
		return EXIT_SUCCESS;
	}
	if (argc > 1)
		usage_error("list", "too many arguments");
	if (connect_or_err(&c, false))
		return EXIT_FAILURE;
	err = hdmh_list(&c, &o, &n);
	hdmh_close(&c);
	if (err) {
		print_err(-err, "list");
		return EXIT_FAILURE;
	}
	for (i = 0; i < n; i++)
		print_offer(&o[i], NULL);
	free(o);
	return EXIT_SUCCESS;
}

static void import_help(void)
{
	printf("Usage: %s --host SOCKET import HANDLE [OPTIONS]\n"
	       "\n"
	       "Import a buffer a guest offered to the host, map it, and write\n"
	       "or check its bytes; the import is released on exit.\n"
	       "\n"
	       "  -f, --from DOMID   the exporting guest (default: found with list)\n"
	       "  -o, --out FILE     write the buffer's bytes to FILE ('-': stdout)\n"
	       "      --verify FILE  compare the buffer with FILE's bytes (exit 1\n"
	       "                     on a difference)\n"
	       "      --memfd        ask for memory files + runs even when the\n"
	       "                     daemon could make a dma-buf\n"
	       "      --hold MS      keep the import MS ms before releasing it\n"
	       "  -j, --json         print the result as JSON\n", PROG_NAME);
}

static int find_domid(struct hdmh_conn *c, const uint8_t *handle,
		      uint32_t *domid)
{
	struct hdmh_offer *o;
	size_t n, i;
	int err = hdmh_list(c, &o, &n);

	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < n; i++)
		if (!memcmp(o[i].handle, handle, 16)) {
			*domid = o[i].domid;
			err = 0;
		}
	free(o);
	return err;
}

/* Compare @len bytes at @p with @path; 0 equal, 1 different, -1 error. */
static int verify(const uint8_t *p, uint64_t len, const char *path,
		  uint64_t *bad_at)
{
	uint8_t buf[65536];
	uint64_t at = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0) {
		print_err(errno, "%.200s", path);
		return -1;
	}
	while (at < len) {
		size_t want = len - at < sizeof(buf) ? (size_t)(len - at) : sizeof(buf);
		ssize_t i;

		n = read(fd, buf, want);
		if (n <= 0) {	/* the file is shorter than the buffer */
			*bad_at = at;
			ret = 1;
			break;
		}
		for (i = 0; i < n; i++)
			if (buf[i] != p[at + i]) {
				*bad_at = at + i;
				ret = 1;
				goto out;
			}
		at += n;
	}
	if (!ret && read(fd, buf, 1) > 0) {	/* the file is longer */
		*bad_at = len;
		ret = 1;
	}
out:
	close(fd);
	return ret;
}

static int write_out(const uint8_t *p, uint64_t len, const char *path)
{
	int fd = strcmp(path, "-") ?
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : 1;
	uint64_t at = 0;

	if (fd < 0) {
		print_err(errno, "%.200s", path);
		return -1;
	}
	while (at < len) {
		ssize_t n = write(fd, p + at, len - at);

		if (n <= 0) {
			print_err(n < 0 ? errno : EIO, "%.200s", path);
			break;
		}
		at += (uint64_t)n;
	}
	if (fd != 1 && close(fd) && at == len) {
		print_err(errno, "%.200s", path);
		return -1;
	}
	return at == len ? 0 : -1;
}

static int host_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "verify", required_argument, NULL, 'v' },
		{ "memfd", no_argument, NULL, 'm' },
		{ "hold", required_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *check = NULL;
	struct hyper_dmabuf_handle h;
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	uint64_t v, hold = 0, bad_at = 0;
	uint32_t domid = 0, flags = 0;
	bool have_domid = false;
	struct hdmh_buffer b;
	struct hdmh_conn c;
	int o, err, rc = EXIT_FAILURE, cmp = 0;

	while ((o = ctl_getopt(argc, argv, "f:o:jh", opts)) != -1) {
		switch (o) {
		case 'f':
			if (parse_u64(optarg, 0x7fffffff, &v))
				usage_error("import", "--from: '%.64s' is not a domain id",
					    optarg);
			domid = (uint32_t)v;
			have_domid = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'v':
			check = optarg;
			break;
		case 'm':
			flags |= HDMH_IMPORT_F_MEMFD;
			break;
		case 'H':
			if (parse_u64(optarg, 3600000, &hold))
				usage_error("import", "--hold: '%.64s' is not 0..3600000 ms",
					    optarg);
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			import_help();
			return EXIT_SUCCESS;
		}
	}
	if (optind != argc - 1)
		usage_error("import", optind >= argc ? "no handle given" :
			    "too many arguments");
	parse_handle_or_die("import", argv[optind], &h);
	if (connect_or_err(&c, false))
		return EXIT_FAILURE;
	if (!have_domid) {
		err = find_domid(&c, h.bytes, &domid);
		if (err) {
			print_err(-err, "no offer %.64s", argv[optind]);
			goto close;
		}
	}
	err = hdmh_import(&c, domid, h.bytes, flags, &b);
	if (err) {
		print_err(-err, "import %.64s from domain %u", argv[optind], domid);
		goto close;
	}
	err = hdmh_buffer_map(&b, false);
	if (err) {
		print_err(-err, "mmap of the imported buffer");
		goto release;
	}
	if (out && write_out((uint8_t *)b.map + b.offer.first_offset,
			     b.offer.size, out))
		goto release;
	if (check) {
		cmp = verify((uint8_t *)b.map + b.offer.first_offset, b.offer.size,
			     check, &bad_at);
		if (cmp < 0)
			goto release;
	}
	fmt_handle(b.offer.handle, hex);
	if (ctl_opts.json) {
		struct jw w;

		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "handle", hex);
		jw_u64(&w, "peer", domid);
		jw_u64(&w, "size", b.offer.size);
		jw_str(&w, "kind", b.kind == HDMH_KIND_DMABUF ? "dmabuf" : "memfd");
		jw_u64(&w, "fds", b.nfds);
		jw_u64(&w, "runs", b.nruns);
		if (check)
			jw_bool(&w, "verified", !cmp);
		jw_end(&w);
	} else if (!out || strcmp(out, "-")) {
		printf("imported %s from domain %u: %" PRIu64 " bytes as %s "
		       "(%u fd(s), %u run(s))%s\n", hex, domid, b.offer.size,
		       b.kind == HDMH_KIND_DMABUF ? "a dma-buf" : "memory files",
		       b.nfds, b.nruns, check ? (cmp ? ", DIFFERENT" : ", verified") : "");
	}
	if (cmp)
		print_msg("byte %" PRIu64 " differs from %.200s", bad_at, check);
	else
		rc = EXIT_SUCCESS;
	if (hold) {
		struct timespec ts = { (time_t)(hold / 1000),
				       (long)(hold % 1000) * 1000000 };

		nanosleep(&ts, NULL);
	}
release:
	hdmh_buffer_free(&b);
	err = hdmh_release(&c, domid, h.bytes);
	if (err) {
		print_err(-err, "release");
		rc = EXIT_FAILURE;
	}
close:
	hdmh_close(&c);
	return rc;
}

static const char *revoke_reason(uint32_t r)
{
	switch (r) {
	case HDMH_REVOKED_UNEXPORT:
		return "withdrawn";
	case HDMH_REVOKED_REVOKE:
		return "revoked";
	case HDMH_REVOKED_PEER_DOWN:
		return "peer-down";
	}
	return "revoked";
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int host_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t count = 0, timeout = 0, seen = 0, end = 0;
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	struct hdmh_event ev;
	struct hdmh_conn c;
	int o, err;

	while ((o = ctl_getopt(argc, argv, "n:t:jh", opts)) != -1) {
		switch (o) {
		case 'n':
			if (parse_u64(optarg, UINT32_MAX, &count) || !count)
				usage_error("watch", "--count: '%.64s' is not 1..%u",
					    optarg, UINT32_MAX);
			break;
		case 't':
			if (parse_u64(optarg, 86400000, &timeout) || !timeout)
				usage_error("watch", "--timeout: '%.64s' is not 1..86400000 ms",
					    optarg);
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			printf("Usage: %s --host SOCKET watch [--count N] [--timeout MS] "
			       "[--json]\n\nPrint the daemon's events (offer, withdrawn, "
			       "revoked, peer-down, peer-up) until\nSIGINT/"
			       "SIGTERM.  --count N: stop after N (status 1 if\n--timeout "
			       "MS ends the watch first).\n", PROG_NAME);
			return EXIT_SUCCESS;
		}
	}
	if (optind != argc)
		usage_error("watch", "too many arguments");
	if (connect_or_err(&c, true))
		return EXIT_FAILURE;
	if (timeout)
		end = now_ms() + timeout;
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		int ms = -1;

		if (end) {
			uint64_t t = now_ms();

			ms = t >= end ? 0 : (int)(end - t);
		}
		err = hdmh_next_event(&c, ms, &ev);
		if (err == -ETIMEDOUT) {
			hdmh_close(&c);
			return count ? EXIT_FAILURE : EXIT_SUCCESS;
		}
		if (err) {
			print_err(-err, "events from %.64s", ctl_opts.host);
			hdmh_close(&c);
			return EXIT_FAILURE;
		}
		switch (ev.type) {
		case HDMH_EV_OFFER:
			print_offer(&ev.u.offer, "offer");
			break;
		case HDMH_EV_REVOKED:
			fmt_handle(ev.u.revoked.handle, hex);
			if (ctl_opts.json) {
				struct jw w;

				jw_init(&w, stdout);
				jw_obj(&w, NULL);
				jw_str(&w, "event", revoke_reason(ev.u.revoked.reason));
				jw_str(&w, "handle", hex);
				jw_u64(&w, "peer", ev.u.revoked.domid);
				jw_end(&w);
			} else {
				printf("%s %s peer %u\n",
				       revoke_reason(ev.u.revoked.reason), hex,
				       ev.u.revoked.domid);
			}
			break;
		case HDMH_EV_PEER:
			if (ctl_opts.json) {
				struct jw w;

				jw_init(&w, stdout);
				jw_obj(&w, NULL);
				jw_str(&w, "event", ev.u.peer.up ? "peer-up" : "peer-down");
				jw_u64(&w, "peer", ev.u.peer.domid);
				jw_end(&w);
			} else {
				printf("%s peer %u\n", ev.u.peer.up ? "peer-up" :
				       "peer-down", ev.u.peer.domid);
			}
			break;
		}
		if (count && ++seen == count)
			break;
	}
	hdmh_close(&c);
	return EXIT_SUCCESS;
}

int host_run(const char *cmd, int argc, char **argv)
{
	if (!strcmp(cmd, "info"))
		return host_info(argc, argv);
	if (!strcmp(cmd, "list"))
		return host_list(argc, argv);
	if (!strcmp(cmd, "import"))
		return host_import(argc, argv);
	if (!strcmp(cmd, "watch"))
		return host_watch(argc, argv);
	print_err(EOPNOTSUPP, "%s with --host (info, list, import, watch only)",
		  cmd);
	return EXIT_FAILURE;
}
