/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hyperdmabuf-ctl: declarations shared by the subcommands.
 */
#ifndef HDMABUF_CTL_H
#define HDMABUF_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hyperdmabuf.h"

#define PROG_NAME	"hyperdmabuf-ctl"

#define EXIT_USAGE	2

#define NORETURN	__attribute__((noreturn))
#define PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Global options, set by main() before the subcommand runs. */
struct ctl_opts {
	bool json;
	const char *host;	/* --host SOCKET: talk to the virtio daemon */
};
extern struct ctl_opts ctl_opts;

/* One subcommand: name, handler, one-line synopsis for the global help. */
struct ctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;
};

int cmd_info(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_unexport(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_xen_allow(int argc, char **argv);
/* --host SOCKET: @cmd through hyper_dmabufd's host API (cmd_host.c) */
int host_run(const char *cmd, int argc, char **argv);

/* ------------------------------------------------- errors (stderr) */

/* "hyperdmabuf-ctl: <msg>: <strerror(err)>" (err is a positive errno). */
void print_err(int err, const char *fmt, ...) PRINTF(2, 3);
/* "hyperdmabuf-ctl: <msg>" */
void print_msg(const char *fmt, ...) PRINTF(1, 2);
/* Usage error of subcommand @cmd (NULL: global): message, hint, exit 2. */
void NORETURN usage_error(const char *cmd, const char *fmt, ...) PRINTF(2, 3);

/*
 * getopt_long() for a subcommand: reports unknown options and missing
 * arguments through usage_error().  @argv[0] is the subcommand name.
 */
struct option;
int ctl_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* ------------------------------------------------- argument parsing */

/* Decimal/hex unsigned integer <= @max; 0 or -EINVAL/-ERANGE. */
int parse_u64(const char *s, uint64_t max, uint64_t *out);
/* "WxH" with both in 1..@max. */
int parse_wxh(const char *s, uint32_t max, uint32_t *w, uint32_t *h);
/* A handle or usage_error(@cmd). */
void parse_handle_or_die(const char *cmd, const char *s,
			 struct hyper_dmabuf_handle *h);

/* Opens /dev/hyper_dmabuf or prints why and returns -1. */
int open_device(void);

/* ------------------------------------------------- JSON writer */

/*
 * Compact JSON on one line: objects and arrays nest, keys are NULL inside
 * arrays, strings are escaped.  jw_end() of the outermost value writes
 * a newline and flushes, so streams are JSON lines.
 */
struct jw {
	FILE *f;
	int depth;
	bool first[8];		/* nothing written yet at this depth */
	char close[8];		/* '}' or ']' of each open value */
};

void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *val);
void jw_u64(struct jw *w, const char *key, uint64_t val);
void jw_i64(struct jw *w, const char *key, int64_t val);
void jw_bool(struct jw *w, const char *key, bool val);
void jw_null(struct jw *w, const char *key);

/* Shared by query/list/export: one buffer description (keys inline). */
void jw_query(struct jw *w, const struct hyper_dmabuf_query *q,
	      const void *opaque, uint32_t opaque_len);
void print_query_text(const struct hyper_dmabuf_query *q,
		      const void *opaque, uint32_t opaque_len);

/* ------------------------------------------------- control sockets */

/*
 * An `export` process keeps its export alive and owns the only file
 * descriptor UNEXPORT works on; it listens on the abstract UNIX socket
 * "@hyperdmabuf-ctl/<handle>" so that `unexport`, `query` and `list`
 * (run by the same user or root) can reach it.
 */
#define CTL_SOCK_MAGIC		0x48444d43	/* "HDMC" */
#define CTL_OP_QUERY		1
#define CTL_OP_UNEXPORT		2

struct ctl_req {
	uint32_t magic;
	uint32_t op;
	uint32_t flags;		/* UNEXPORT: HYPER_DMABUF_UNEXPORT_* */
	uint32_t timeout_ms;	/* UNEXPORT: wait for importers */
};

struct ctl_reply {
	uint32_t magic;
	int32_t err;		/* 0 or a positive errno */
	uint32_t pid;		/* the export process */
	uint32_t opaque_len;	/* valid bytes in @opaque */
	struct hyper_dmabuf_query q;
	uint8_t opaque[HYPER_DMABUF_MAX_OPAQUE];
};

/* Listening socket for @h: fd or -errno (-EADDRINUSE: already owned). */
int ctl_listen(const struct hyper_dmabuf_handle *h);
/*
 * Send @req to the owner of @h and wait for its reply.  0 and *rep
 * filled (rep->err may be non-zero), -ESRCH when no process owns @h, or
 * another -errno.
 */
int ctl_call(const struct hyper_dmabuf_handle *h, const struct ctl_req *req,
	     struct ctl_reply *rep);
/* Accept one client on @lfd and check it may talk to us: fd or -errno. */
int ctl_accept(int lfd);

#endif /* HDMABUF_CTL_H */
