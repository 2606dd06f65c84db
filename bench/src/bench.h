/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hdmabuf-bench: hyper_dmabuf against the copy (libxenvchan) and
 * userspace-grant (gntalloc/gntdev) baselines between two Xen domains.
 *
 * The exporter drives: it sends one command per measurement over the
 * control vchan and the importer follows.  Results are printed by the
 * exporter as "@@BENCH {json}" lines; docs/performance.rst describes them.
 */
#ifndef HDMABUF_BENCH_H
#define HDMABUF_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define PROG "hdmabuf-bench"

struct libxenvchan;

/* Control messages (exporter <-> importer, control vchan). */
enum bench_op {
	BOP_HELLO = 1,
	BOP_PING,		/* exporter: round trip of the control channel */
	BOP_PONG,
	BOP_READY,		/* importer: prepared for the announced step */
	BOP_DONE,		/* importer: has the bytes and read the last one */
	BOP_VERIFIED,		/* importer: val[0] = 0 or 1 + first bad offset */
	BOP_COPY,		/* latency, copy baseline */
	BOP_GNT,		/* latency, userspace-grant baseline */
	BOP_GNT_REFS,		/* size = refs following as raw u32 on ctl */
	BOP_OURS,		/* latency, hyper_dmabuf */
	BOP_HANDLE,		/* handle of a hyper_dmabuf export */
	BOP_COUNTERS,		/* size = bytes of JSON text following on ctl */
	BOP_RELEASED,		/* importer unmapped and released everything */
	BOP_PAGECOST,		/* importer-side import + map timing */
	BOP_STREAM,		/* sustained producer/consumer loop */
	BOP_FRAME,		/* arg = frame number, val[0] = buffer */
	BOP_FREE,		/* consumer done with buffer val[0] */
	BOP_ERROR,		/* val[0] = errno of the failed step */
	BOP_QUIT,
};

/* BOP_* flags */
#define BF_VERIFY	(1U << 0)	/* importer checks every byte afterwards */
#define BF_LAST		(1U << 1)	/* last frame of a stream */
#define BF_TOUCH	(1U << 2)	/* importer reads one byte of every page */

struct bench_msg {
	uint32_t op;
	uint32_t flags;
	uint64_t size;
	uint64_t arg;
	uint64_t val[4];
	uint8_t handle[16];
};

enum bench_method { M_COPY, M_GNT, M_OURS, M_OURS_REIMPORT, M_NR };
extern const char *const bench_method_name[M_NR];

struct bench {
	int exporter;			/* role */
	int peer;			/* the other domain's id */
	struct libxenvchan *ctl;	/* control (and gnt ref lists) */
	struct libxenvchan *data;	/* copy baseline payload */
	int hdm;			/* /dev/hyper_dmabuf, -1 if unavailable */
	int udmabuf;			/* /dev/udmabuf (exporter), -1 if unavailable */
	int gntalloc, gntdev;		/* /dev/xen/gnt*, -1 if unavailable */
	int timeout_ms;			/* bound of every single wait */
	double rtt_us;			/* median control round trip */
	uint64_t import_call_ns;	/* importer: the last IMPORT ioctl */
	uint64_t import_retries;	/* importer: IMPORTs before the offer came */
};

/* chan.c: vchans and control messages */
int chan_open(struct bench *b, const char *xs_base);
void chan_close(struct bench *b);
int vc_write_all(struct libxenvchan *c, const void *buf, size_t len, int timeout_ms);
int vc_read_all(struct libxenvchan *c, void *buf, size_t len, int timeout_ms);
int msg_send(struct bench *b, uint32_t op, uint32_t flags, uint64_t size,
	     uint64_t arg, const uint64_t *val);
int msg_send_m(struct bench *b, const struct bench_msg *m);
int msg_recv(struct bench *b, struct bench_msg *m);
int msg_expect(struct bench *b, uint32_t op, struct bench_msg *m);
int msg_error(struct bench *b, int err);

/* measure.c: time, statistics, output, counters */
uint64_t now_ns(void);
struct series {
	double *v;
	int n, cap;
};
void series_add(struct series *s, double x);
double series_median(struct series *s);
double series_min(const struct series *s);
double series_max(const struct series *s);
void series_free(struct series *s);
void bpat_fill(uint8_t *p, uint64_t size, uint64_t seed);
uint8_t bpat_byte(uint64_t off, uint64_t seed);
uint64_t bpat_check(const uint8_t *p, uint64_t size, uint64_t seed);
void out_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bwarn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bdie(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void json_escape(char *dst, size_t cap, const char *src);
#define COUNTERS_MAX 128
struct counters {
	int n;
	char name[COUNTERS_MAX][96];
	long long val[COUNTERS_MAX];
};
void counters_read(struct counters *c);
int counters_delta_json(const struct counters *a, const struct counters *b,
			char *out, size_t cap);
uint64_t dir_pages_bound(uint64_t nr_pages, uint32_t ref_size, uint32_t *levels,
			 uint64_t *total);

/* buf.c: the exporter's dma-bufs (udmabuf over a memfd) */
struct sbuf {
	int memfd;			/* -1 when none */
	int dmabuf;			/* -1 when none */
	uint8_t *map;			/* the memfd, read-write */
	uint64_t size;
};
int sbuf_dev_open(void);
int sbuf_alloc(struct bench *b, uint64_t size, struct sbuf *sb);
void sbuf_free(struct sbuf *sb);

/* copy.c, gnt.c, ours.c: one function per role and measurement */
int copy_latency(struct bench *b, uint64_t size, int verify, uint8_t *src,
		 uint64_t seed, double *us);
int copy_latency_peer(struct bench *b, const struct bench_msg *m);
struct gshare {			/* exporter: pages granted to the peer */
	uint8_t *map;
	uint64_t size, index;
	uint32_t count;
	uint32_t *refs;
};
struct gmap {			/* importer: the peer's grants, mapped */
	uint8_t *map;
	uint64_t size, index;
	uint32_t count;
};
int gnt_share(struct bench *b, uint64_t size, struct gshare *g);
void gnt_unshare(struct bench *b, struct gshare *g);
void gnt_send_refs(struct bench *b, const struct gshare *g, uint64_t arg);
int gnt_map_recv(struct bench *b, const struct bench_msg *m, uint64_t size,
		 struct gmap *g);
void gnt_unmap(struct bench *b, struct gmap *g);
int gnt_latency(struct bench *b, uint64_t size, int verify, const uint8_t *src,
		uint64_t seed, double *us);
int gnt_latency_peer(struct bench *b, const struct bench_msg *m);
struct ours_result {
	double us;			/* exporter: EXPORT .. importer's DONE */
	double exp_export_us;		/* exporter: EXPORT ioctl */
	double imp_import_us;		/* importer: IMPORT ioctl(s), with retries */
	double imp_call_us;		/* importer: the successful IMPORT ioctl */
	uint64_t imp_retries;		/* importer: -ENOENT retries */
	double imp_map_us;		/* importer: mmap + reads */
	char exp_counters[2048];	/* debugfs deltas, JSON objects */
	char imp_counters[2048];
	struct counters c0, c1;		/* scratch */
};
int ours_available(struct bench *b);
int ours_export(struct bench *b, int hdm, int dmabuf_fd, uint8_t handle[16]);
int ours_unexport(struct bench *b, int hdm, const uint8_t handle[16]);
int ours_import(struct bench *b, const uint8_t handle[16], int *fd, uint64_t *size);
int ours_latency(struct bench *b, struct sbuf *sb, uint64_t size,
		 uint32_t flags, uint64_t seed, struct ours_result *r);
int ours_latency_peer(struct bench *b, const struct bench_msg *m);
int ours_add_live(struct bench *b, int hdm, int n);

/* stream.c: sustained double-buffered frames */
int stream_run(struct bench *b, enum bench_method m, uint64_t size,
	       double seconds, uint64_t *frames, double *elapsed_s);
int stream_peer(struct bench *b, const struct bench_msg *m);

#endif
