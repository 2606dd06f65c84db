// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl unexport: stop sharing a buffer.
 *
 * UNEXPORT only works on the open file that exported, which belongs to
 * the `export` process; this command asks that process through its
 * control socket (see control.c).  Buffers exported by other programs
 * are unexported by those programs (or by closing them).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define DEFAULT_WAIT_MS	10000

static void help(void)
{
	printf("Usage: %s unexport HANDLE [--wait[=MS] | --revoke]\n"
	       "\n"
	       "Ask the '%s export' process holding HANDLE to unexport it;\n"
	       "that process ends when the buffer is gone.\n"
	       "\n"
	       "  (default)       succeed only if the peer holds no import\n"
	       "  -w, --wait[=MS] withdraw the buffer and wait up to MS ms\n"
	       "                  (default %d) for the peer to release it; if it\n"
	       "                  does not, the buffer stays withdrawn and goes\n"
	       "                  away when the peer releases it\n"
	       "  -r, --revoke    tear the peer's import down now\n"
	       "  -j, --json      print the result as JSON\n",
	       PROG_NAME, PROG_NAME, DEFAULT_WAIT_MS);
}

/* Whether LIST knows @h at all: 1, 0, or -errno. */
static int handle_listed(const struct hyper_dmabuf_handle *h)
{
	struct hyper_dmabuf_handle *hs;
	int fd, n, i, found = 0;

	fd = hdmabuf_open(0);
	if (fd < 0)
		return fd;
	n = hdmabuf_list(fd, &hs);
	close(fd);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		found |= hdmabuf_handle_eq(&hs[i], h);
	free(hs);
	return found;
}

int cmd_unexport(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "wait", optional_argument, NULL, 'w' },
		{ "revoke", no_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	struct hyper_dmabuf_handle h;
	struct ctl_reply *rep;
	struct ctl_req req;
	bool wait = false;
	const char *cmd = argv[0];
	uint64_t ms = 0;
	int c, ret;
	struct jw w;

	memset(&req, 0, sizeof(req));
	while ((c = ctl_getopt(argc, argv, "w::rjh", longopts)) != -1) {
		switch (c) {
		case 'w':
			wait = true;
			ms = DEFAULT_WAIT_MS;
			if (optarg && parse_u64(optarg, UINT32_MAX, &ms))
				usage_error(cmd, "--wait: '%.64s' is not 0..%u ms",
					    optarg, UINT32_MAX);
			break;
		case 'r':
			req.flags = HYPER_DMABUF_UNEXPORT_REVOKE;
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		}
	}
	if (optind >= argc)
		usage_error(cmd, "no handle given");
	if (argc - optind > 1)
		usage_error(cmd, "unexpected argument '%.64s'",
			    argv[optind + 1]);
	if (wait && req.flags)
		usage_error(cmd, "--wait and --revoke exclude each other");
	parse_handle_or_die(cmd, argv[optind], &h);
	hdmabuf_handle_format(&h, hex);

	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		print_err(ENOMEM, "unexport");
		return EXIT_FAILURE;
	}
	req.magic = CTL_SOCK_MAGIC;
	req.op = CTL_OP_UNEXPORT;
	req.timeout_ms = (uint32_t)ms;
	ret = ctl_call(&h, &req, rep);
	if (ret == -ESRCH) {
		ret = handle_listed(&h);
		if (ret < 0)
			print_err(-ret, "%s", HDMABUF_DEV);
		else if (!ret)
			print_err(ENOENT, "%s", hex);
		else
			print_err(ESRCH, "%s: not exported by a %s process (only the exporting program can unexport it)",
				  hex, PROG_NAME);
		free(rep);
		return EXIT_FAILURE;
	}
	if (ret) {
		print_err(-ret, "%s: export process", hex);
		free(rep);
		return EXIT_FAILURE;
	}
	if (rep->err) {
		if (rep->err == ETIMEDOUT)
			print_err(rep->err, "%s: still imported by the peer%s",
				  hex, wait ? " (withdrawn; it goes away once released)" :
				  " (use --wait or --revoke)");
		else
			print_err(rep->err, "UNEXPORT %s", hex);
		free(rep);
		return EXIT_FAILURE;
	}
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_str(&w, "handle", hex);
		jw_bool(&w, "unexported", true);
		jw_bool(&w, "revoked", req.flags & HYPER_DMABUF_UNEXPORT_REVOKE);
		jw_u64(&w, "pid", rep->pid);
		jw_end(&w);
	}
	free(rep);
	return EXIT_SUCCESS;
}
