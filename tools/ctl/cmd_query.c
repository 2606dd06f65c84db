// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl query and list: describe buffers.
 *
 * QUERY on our own open file sees offers to this VM; exports belong to
 * the open file that made them, so for buffers exported by a
 * `hyperdmabuf-ctl export` process we ask that process (control.c).
 * Exports of other programs are listed by handle only.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

/* One view of a buffer: from the owning export process or from QUERY. */
struct view {
	struct hyper_dmabuf_query q;
	uint8_t opaque[HYPER_DMABUF_MAX_OPAQUE];
	uint32_t opaque_len;
	uint32_t pid;		/* owning export process, 0 for QUERY */
};

/* The exporter's view from its process: 0, -ESRCH, or -errno. */
static int view_owner(const struct hyper_dmabuf_handle *h, struct view *v)
{
	struct ctl_req req = { .magic = CTL_SOCK_MAGIC, .op = CTL_OP_QUERY };
	struct ctl_reply *rep;
	int ret;

	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	ret = ctl_call(h, &req, rep);
	if (!ret && rep->err)
		ret = -rep->err;
	if (!ret) {
		v->q = rep->q;
		v->opaque_len = rep->opaque_len;
		memcpy(v->opaque, rep->opaque, rep->opaque_len);
		v->pid = rep->pid;
	}
	free(rep);
	return ret;
}

static int view_local(int fd, const struct hyper_dmabuf_handle *h,
		      struct view *v)
{
	int ret = hdmabuf_query(fd, h, &v->q, v->opaque, sizeof(v->opaque));

	v->pid = 0;
	v->opaque_len = ret ? 0 : v->q.opaque_len < sizeof(v->opaque) ?
		v->q.opaque_len : sizeof(v->opaque);
	return ret;
}

static void view_json(struct jw *w, const struct view *v)
{
	jw_obj(w, NULL);
	jw_query(w, &v->q, v->opaque, v->opaque_len);
	if (v->pid)
		jw_u64(w, "owner_pid", v->pid);
	jw_end(w);
}

/* ------------------------------------------------- query */

static void query_help(void)
{
	printf("Usage: %s query HANDLE [--role exporter|importer] [--json]\n"
	       "\n"
	       "Describe a buffer: role, state, peer, size, access, importers,\n"
	       "metadata.  An export is described by the '%s export' process\n"
	       "that holds it, an offer by the device; --role picks one when\n"
	       "both exist (loopback).\n", PROG_NAME, PROG_NAME);
}

int cmd_query(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	struct hyper_dmabuf_handle h;
	const char *cmd = argv[0];
	int c, fd, ret = -ENOENT;
	uint32_t role = 0;
	struct view *v;
	struct jw w;

	while ((c = ctl_getopt(argc, argv, "r:jh", longopts)) != -1) {
		switch (c) {
		case 'r':
			if (!strcmp(optarg, "exporter"))
				role = HYPER_DMABUF_ROLE_EXPORTER;
			else if (!strcmp(optarg, "importer"))
				role = HYPER_DMABUF_ROLE_IMPORTER;
			else
				usage_error(cmd, "--role: '%.64s' is not exporter or importer",
					    optarg);
			break;
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			query_help();
			return EXIT_SUCCESS;
		}
	}
	if (optind >= argc)
		usage_error(cmd, "no handle given");
	if (argc - optind > 1)
		usage_error(cmd, "unexpected argument '%.64s'",
			    argv[optind + 1]);
	parse_handle_or_die(cmd, argv[optind], &h);
	hdmabuf_handle_format(&h, hex);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	v = calloc(1, sizeof(*v));
	if (!v) {
		print_err(ENOMEM, "query");
		close(fd);
		return EXIT_FAILURE;
	}
	if (role != HYPER_DMABUF_ROLE_IMPORTER)
		ret = view_owner(&h, v);
	if (ret && role != HYPER_DMABUF_ROLE_EXPORTER)
		ret = view_local(fd, &h, v);
	if (!ret && role && v->q.role != role)
		ret = -ENOENT;
	close(fd);
	if (ret) {
		print_err(ret == -ESRCH ? ENOENT : -ret, "%s", hex);
		free(v);
		return EXIT_FAILURE;
	}
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		view_json(&w, v);
	} else {
		print_query_text(&v->q, v->opaque, v->opaque_len);
		if (v->pid)
			printf("owner:     pid %u\n", v->pid);
	}
	free(v);
	return EXIT_SUCCESS;
}

/* ------------------------------------------------- list */

static void list_help(void)
{
	printf("Usage: %s list [--json]\n"
	       "\n"
	       "Every buffer this VM exports or is offered (LIST), one per\n"
	       "line: handle, role, state, peer, size, access, importers,\n"
	       "format.  Exports of programs other than '%s export' show\n"
	       "their handle only.  --json prints one array.\n",
	       PROG_NAME, PROG_NAME);
}

static void list_text_line(const struct view *v)
{
	const struct hyper_dmabuf_query *q = &v->q;
	char hex[HDMABUF_HANDLE_STRLEN + 1], fcc[16], peer[40];
	const char *s;

	hdmabuf_handle_format(&q->handle, hex);
	hdmabuf_fourcc_format(q->meta.fourcc, fcc);
	s = hdmabuf_backend_name(q->backend);
	snprintf(peer, sizeof(peer), "%s:%" PRIu64, s ? s : "?",
		 (uint64_t)q->peer);
	s = hdmabuf_state_name(q->state);
	printf("%s %-8s %-9s %-12s %10" PRIu64 " %s %u %s",
	       hex, hdmabuf_role_name(q->role) ?: "?", s ? s : "?", peer,
	       (uint64_t)q->size, q->flags & HYPER_DMABUF_EXPORT_RW ? "rw" :
	       "ro", q->importers, q->meta.fourcc ? fcc : "-");
	if (q->meta.width)
		printf(" %ux%u", q->meta.width, q->meta.height);
	printf("\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hyper_dmabuf_handle *hs = NULL;
	enum { USED_OWNER = 1, USED_LOCAL = 2, USED_OTHER = 4 };
	int c, fd, n, i, j, prev, status = EXIT_SUCCESS;
	int *used;
	char hex[HDMABUF_HANDLE_STRLEN + 1];
	struct view *v;
	struct jw w;

	while ((c = ctl_getopt(argc, argv, "jh", longopts)) != -1) {
		switch (c) {
		case 'j':
			ctl_opts.json = true;
			break;
		case 'h':
			list_help();
			return EXIT_SUCCESS;
		}
	}
	if (optind < argc)
		usage_error(argv[0], "unexpected argument '%.64s'",
			    argv[optind]);

	fd = open_device();
	if (fd < 0)
		return EXIT_FAILURE;
	n = hdmabuf_list(fd, &hs);
	if (n < 0) {
		print_err(-n, "LIST");
		close(fd);
		return EXIT_FAILURE;
	}
	v = calloc(1, sizeof(*v));
	if (!v) {
		print_err(ENOMEM, "list");
		free(hs);
		close(fd);
		return EXIT_FAILURE;
	}
	if (ctl_opts.json) {
		jw_init(&w, stdout);
		jw_arr(&w, NULL);
	}
	used = calloc((size_t)n + 1, sizeof(*used));
	for (i = 0; used && i < n; i++) {
		/*
		 * LIST gives exports first, then offers; with loopback a
		 * handle can be both.  Each occurrence gets a view no
		 * earlier occurrence used: the export process's, then the
		 * device's (an offer), else it is another program's export.
		 */
		for (prev = 0, j = 0; j < i; j++)
			if (hdmabuf_handle_eq(&hs[j], &hs[i]))
				prev |= used[j];
		if (!(prev & USED_OWNER) && !view_owner(&hs[i], v)) {
			used[i] = USED_OWNER;
		} else if (!(prev & USED_LOCAL) && !view_local(fd, &hs[i], v)) {
			used[i] = USED_LOCAL;
		} else if (!prev) {
			used[i] = USED_OTHER;
			hdmabuf_handle_format(&hs[i], hex);
			if (ctl_opts.json) {
				jw_obj(&w, NULL);
				jw_str(&w, "handle", hex);
				jw_str(&w, "role", "exporter");
				jw_str(&w, "owner", "other");
				jw_end(&w);
			} else {
				printf("%s exporter (held by another program)\n",
				       hex);
			}
			continue;
		} else {
			continue;
		}
		if (ctl_opts.json)
			view_json(&w, v);
		else
			list_text_line(v);
	}
	if (!used) {
		print_err(ENOMEM, "list");
		status = EXIT_FAILURE;
	}
	free(used);
	if (ctl_opts.json)
		jw_end(&w);
	free(v);
	free(hs);
	close(fd);
	return status;
}
