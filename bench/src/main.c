// SPDX-License-Identifier: GPL-2.0
/*
 * hdmabuf-bench: runs in two Xen domains of the lab (docs/performance.rst).
 *
 *   hdmabuf-bench export --peer DOMID [options]   the driver, prints results
 *   hdmabuf-bench import --peer DOMID [--xs PATH]  follows the exporter
 *
 * Options (exporter):
 *   --xs PATH          xenstore directory of the vchans (/lab/bench)
 *   --sizes LIST       latency sizes, e.g. 4K,64K,1M,8M,32M,256M
 *   --reps N           repetitions per size up to 32 MiB (7; 3N up to 1 MiB)
 *   --reps-large N     repetitions above 32 MiB (3)
 *   --methods LIST     copy,gnt,ours (all)
 *   --pagecost LIST    sizes of the per-page map cost of ours (1M,...)
 *   --scale LIST       live exports for the scale test (1,100,10000)
 *   --stream-size SZ   frame size of the sustained test (8M)
 *   --seconds S        duration of each sustained run (5)
 *   --timeout S        bound of every single wait for the peer (90)
 *   --budget S         no new step starts after S seconds (0: no limit);
 *                      the steps left out are reported as skipped
 * Exit status: 0 when every step ran (a size that does not fit the guest's
 * memory or grant limits is reported, not fatal), 1 on any error of
 * correctness (wrong bytes, protocol, timeout), 2 on usage errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hdmabuf_common.h"
#include "bench.h"

const char *const bench_method_name[M_NR] = {
	[M_COPY] = "copy", [M_GNT] = "gnt", [M_OURS] = "ours",
	[M_OURS_REIMPORT] = "ours-reimport",
};

#define MAX_LIST 16

struct plan {
	uint64_t sizes[MAX_LIST];
	int nr_sizes;
	uint64_t pagecost[MAX_LIST];
	int nr_pagecost;
	uint64_t scale[MAX_LIST];
	int nr_scale;
	int methods;			/* 1 << M_* */
	int reps, reps_large;
	uint64_t stream_size;
	double seconds;
	uint64_t deadline_ns;		/* 0: none */
};

/* A step may start: else it is reported as skipped (--budget). */
static int in_budget(const struct plan *p, const char *type, const char *method,
		     uint64_t size)
{
	if (!p->deadline_ns || now_ns() < p->deadline_ns)
		return 1;
	out_json("{\"type\":\"%s\",\"method\":\"%s\",\"size\":%llu,"
		 "\"error\":\"skipped (time budget)\"}",
		 type, method, (unsigned long long)size);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: " PROG " export|import --peer DOMID [--xs PATH] [--sizes LIST]\n"
		"       [--reps N] [--reps-large N] [--methods copy,gnt,ours]\n"
		"       [--pagecost LIST] [--scale LIST] [--stream-size SZ] [--seconds S]\n"
		"       [--timeout S] [--budget S]\n");
	exit(2);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	switch (*end) {
	case 'K': case 'k': v <<= 10; end++; break;
	case 'M': case 'm': v <<= 20; end++; break;
	case 'G': case 'g': v <<= 30; end++; break;
	}
	if (*end || !v) {
		fprintf(stderr, PROG ": bad size or count '%s'\n", s);
		exit(2);
	}
	return v;
}

static int parse_list(const char *arg, uint64_t *out)
{
	char buf[256], *tok, *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_LIST)
			usage();
		out[n++] = parse_size(tok);
	}
	return n;
}

static int parse_methods(const char *arg)
{
	char buf[128], *tok, *save = NULL;
	int m = 0, i, found;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0, found = 0; i < M_NR; i++)
			if (!strcmp(tok, bench_method_name[i])) {
				m |= 1 << i;
				found = 1;
			}
		if (!found)
			usage();
	}
	return m;
}

static const char *err_name(int err)
{
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s", strerror(err < 0 ? -err : err));
	return buf;
}

/* ------------------------------------------------------------- exporter */

static void rtt(struct bench *b)
{
	struct series s = { 0 };
	struct bench_msg m;
	uint64_t t0;
	int i;

	for (i = 0; i < 200; i++) {
		t0 = now_ns();
		msg_send(b, BOP_PING, 0, 0, (uint64_t)i, NULL);
		msg_expect(b, BOP_PONG, &m);
		if (m.arg != (uint64_t)i)
			bdie("ping %d answered as %llu", i, (unsigned long long)m.arg);
		series_add(&s, (double)(now_ns() - t0) / 1000.0);
	}
	b->rtt_us = series_median(&s);
	out_json("{\"type\":\"rtt\",\"reps\":%d,\"median_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f}",
		 s.n, b->rtt_us, series_min(&s), series_max(&s));
	series_free(&s);
}

static void out_latency(struct bench *b, const char *method, uint64_t size,
			struct series *s, const char *extra)
{
	double half = b->rtt_us / 2, med = series_median(s);

	/* the importer's DONE crossed the control channel once: take it off */
	out_json("{\"type\":\"latency\",\"method\":\"%s\",\"size\":%llu,\"reps\":%d,"
		 "\"median_us\":%.1f,\"min_us\":%.1f,\"max_us\":%.1f,"
		 "\"raw_median_us\":%.1f,\"verified\":true%s}",
		 method, (unsigned long long)size, s->n, med - half,
		 series_min(s) - half, series_max(s) - half, med, extra);
}

static void out_error(const char *type, const char *method, uint64_t size, int err)
{
	out_json("{\"type\":\"%s\",\"method\":\"%s\",\"size\":%llu,\"error\":\"%s\"}",
		 type, method, (unsigned long long)size, err_name(err));
}

/* small sizes are cheap and noisy under TCG: three times the repetitions */
static int reps_for(const struct plan *p, uint64_t size)
{
	if (size > (32ULL << 20))
		return p->reps_large;
	return size <= (1ULL << 20) ? 3 * p->reps : p->reps;
}

/* progress on stderr: the console shows where a slow run is */
static void step(const char *what, uint64_t n)
{
	fprintf(stderr, PROG ": %s %llu\n", what, (unsigned long long)n);
}

static void latency_baselines(struct bench *b, const struct plan *p, uint64_t size)
{
	struct series s = { 0 };
	uint64_t seed = size ^ 0x5eed;
	uint8_t *src;
	int m, r, ret;
	double us;

	src = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (src == MAP_FAILED) {
		ret = -errno;
		for (m = M_COPY; m <= M_GNT; m++)
			if (p->methods & (1 << m))
				out_error("latency", bench_method_name[m], size, ret);
		return;
	}
	bpat_fill(src, size, seed);
	for (m = M_COPY; m <= M_GNT; m++) {
		if (!(p->methods & (1 << m)) ||
		    !in_budget(p, "latency", bench_method_name[m], size))
			continue;
		ret = 0;
		for (r = 0; r < reps_for(p, size) && !ret; r++) {
			if (m == M_COPY)
				ret = copy_latency(b, size, r == 0, src, seed, &us);
			else
				ret = gnt_latency(b, size, r == 0, src, seed, &us);
			if (!ret)
				series_add(&s, us);
		}
		if (ret)
			out_error("latency", bench_method_name[m], size, ret);
		else
			out_latency(b, bench_method_name[m], size, &s, "");
		series_free(&s);
	}
	munmap(src, size);
}

static void latency_ours(struct bench *b, const struct plan *p, uint64_t size,
			 struct ours_result *res)
{
	struct series s = { 0 }, si = { 0 }, sm = { 0 }, se = { 0 }, sc = { 0 };
	uint64_t seed = size ^ 0x0c5, retries = 0;
	uint64_t nr = size / 4096, dir_total;
	char extra[6144];
	struct sbuf sb;
	uint32_t levels;
	uint64_t bound;
	int r, ret;

	ret = sbuf_alloc(b, size, &sb);
	if (ret) {
		out_error("latency", "ours", size, ret);
		return;
	}
	bpat_fill(sb.map, size, seed);
	for (r = 0; r < reps_for(p, size) && !ret; r++) {
		ret = ours_latency(b, &sb, size, r == 0 ? BF_VERIFY : 0, seed, res);
		if (!ret) {
			series_add(&s, res->us);
			series_add(&si, res->imp_import_us);
			series_add(&sm, res->imp_map_us);
			series_add(&se, res->exp_export_us);
			series_add(&sc, res->imp_call_us);
			retries += res->imp_retries;
		}
	}
	sbuf_free(&sb);
	if (ret) {
		out_error("latency", "ours", size, ret);
		goto out;
	}
	bound = dir_pages_bound(nr, 4, &levels, &dir_total);
	snprintf(extra, sizeof(extra),
		 ",\"exp_export_us\":%.1f,\"imp_import_us\":%.1f,\"imp_import_call_us\":%.1f,"
		 "\"imp_import_retries\":%llu,\"imp_map_read_us\":%.1f,"
		 "\"dir\":{\"data_pages\":%llu,\"ref_size\":4,\"levels\":%u,"
		 "\"dir_pages\":%llu,\"bound\":%llu},"
		 "\"counters\":{\"exporter\":%s,\"importer\":%s}",
		 series_median(&se), series_median(&si), series_median(&sc),
		 (unsigned long long)retries, series_median(&sm),
		 (unsigned long long)nr,
		 levels, (unsigned long long)dir_total, (unsigned long long)bound,
		 res->exp_counters, res->imp_counters);
	out_latency(b, "ours", size, &s, extra);
out:
	series_free(&s);
	series_free(&si);
	series_free(&sm);
	series_free(&se);
	series_free(&sc);
}

static void pagecost(struct bench *b, const struct plan *p, uint64_t size,
		     struct ours_result *res)
{
	struct series si = { 0 }, sm = { 0 }, st = { 0 };
	uint64_t pages = size / 4096, seed = size ^ 0xbad;
	struct sbuf sb;
	int r, ret;

	ret = sbuf_alloc(b, size, &sb);
	if (ret) {
		out_error("pagecost", "ours", size, ret);
		return;
	}
	bpat_fill(sb.map, size, seed);
	for (r = 0; r < p->reps_large && !ret; r++) {
		ret = ours_latency(b, &sb, size, BF_TOUCH, seed, res);
		if (!ret) {
			series_add(&si, res->imp_import_us);
			series_add(&sm, res->imp_map_us);
			series_add(&st, res->imp_import_us + res->imp_map_us);
		}
	}
	sbuf_free(&sb);
	if (ret) {
		out_error("pagecost", "ours", size, ret);
	} else {
		double tot = series_median(&st);

		out_json("{\"type\":\"pagecost\",\"method\":\"ours\",\"size\":%llu,"
			 "\"pages\":%llu,\"reps\":%d,\"import_us\":%.1f,"
			 "\"map_touch_us\":%.1f,\"total_us\":%.1f,"
			 "\"min_total_us\":%.1f,\"max_total_us\":%.1f,"
			 "\"per_page_ns\":%.1f,\"counters\":{\"exporter\":%s,\"importer\":%s}}",
			 (unsigned long long)size, (unsigned long long)pages,
			 st.n, series_median(&si), series_median(&sm), tot,
			 series_min(&st), series_max(&st),
			 tot * 1000.0 / (double)pages, res->exp_counters,
			 res->imp_counters);
	}
	series_free(&si);
	series_free(&sm);
	series_free(&st);
}

static void scale(struct bench *b, const struct plan *p, uint64_t live,
		  struct ours_result *res)
{
	uint64_t size = 1ULL << 20, seed = live;
	struct series s = { 0 };
	struct sbuf sb;
	int hdm2, made = 0, r, ret = 0;
	uint64_t t0 = now_ns();
	double setup_s;

	hdm2 = hdm_open(0);
	if (hdm2 < 0) {
		out_error("scale", "ours", live, hdm2);
		return;
	}
	if (live > 1)
		made = ours_add_live(b, hdm2, (int)(live - 1));
	if (made < 0 || (uint64_t)made + 1 < live) {
		out_json("{\"type\":\"scale\",\"method\":\"ours\",\"live\":%llu,"
			 "\"error\":\"only %d extra exports: %s\"}",
			 (unsigned long long)live, made < 0 ? 0 : made,
			 made < 0 ? err_name(made) : "limit");
		close(hdm2);
		return;
	}
	setup_s = (double)(now_ns() - t0) / 1e9;

	ret = sbuf_alloc(b, size, &sb);
	if (!ret) {
		bpat_fill(sb.map, size, seed);
		for (r = 0; r < p->reps && !ret; r++) {
			ret = ours_latency(b, &sb, size, 0, seed, res);
			if (!ret)
				series_add(&s, res->us);
		}
		sbuf_free(&sb);
	}
	if (ret) {
		out_error("scale", "ours", live, ret);
	} else {
		out_json("{\"type\":\"scale\",\"method\":\"ours\",\"live\":%llu,"
			 "\"size\":%llu,\"reps\":%d,\"median_us\":%.1f,"
			 "\"min_us\":%.1f,\"max_us\":%.1f,\"setup_s\":%.2f}",
			 (unsigned long long)live, (unsigned long long)size, s.n,
			 series_median(&s) - b->rtt_us / 2,
			 series_min(&s) - b->rtt_us / 2,
			 series_max(&s) - b->rtt_us / 2, setup_s);
	}
	series_free(&s);
	close(hdm2);		/* ends the extra exports */
}

static void run_exporter(struct bench *b, const struct plan *p)
{
	struct ours_result *res = calloc(1, sizeof(*res));
	int ours = (p->methods & (1 << M_OURS)) && ours_available(b) && b->udmabuf >= 0;
	uint64_t frames;
	double el;
	int i, m, ret;

	if (!res)
		bdie("out of memory");
	out_json("{\"type\":\"exporter\",\"ours_available\":%s,\"udmabuf\":%s,\"gntalloc\":%s}",
		 ours ? "true" : "false", b->udmabuf >= 0 ? "true" : "false",
		 b->gntalloc >= 0 ? "true" : "false");
	rtt(b);
	for (i = 0; i < p->nr_sizes; i++) {
		step("latency copy+gnt", p->sizes[i]);
		latency_baselines(b, p, p->sizes[i]);
		step("latency ours", p->sizes[i]);
		if (ours && in_budget(p, "latency", "ours", p->sizes[i]))
			latency_ours(b, p, p->sizes[i], res);
		else if (p->methods & (1 << M_OURS))
			out_json("{\"type\":\"latency\",\"method\":\"ours\",\"size\":%llu,"
				 "\"error\":\"not available\"}",
				 (unsigned long long)p->sizes[i]);
	}
	for (m = M_COPY; m < M_NR; m++) {
		int want = m == M_OURS_REIMPORT ? M_OURS : m;

		if (!(p->methods & (1 << want)))
			continue;
		if (want == M_OURS && !ours) {
			out_json("{\"type\":\"stream\",\"method\":\"%s\",\"error\":\"not available\"}",
				 bench_method_name[m]);
			continue;
		}
		if (!in_budget(p, "stream", bench_method_name[m], p->stream_size))
			continue;
		step(bench_method_name[m], (uint64_t)m);
		ret = stream_run(b, (enum bench_method)m, p->stream_size, p->seconds,
				 &frames, &el);
		if (ret)
			out_error("stream", bench_method_name[m], p->stream_size, ret);
		else
			out_json("{\"type\":\"stream\",\"method\":\"%s\",\"size\":%llu,"
				 "\"frames\":%llu,\"seconds\":%.3f,\"fps\":%.2f}",
				 bench_method_name[m],
				 (unsigned long long)p->stream_size,
				 (unsigned long long)frames, el, (double)frames / el);
	}
	/* the largest page-cost sizes last: the budget cuts them first */
	for (i = 0; ours && i < p->nr_scale; i++) {
		if (!in_budget(p, "scale", "ours", p->scale[i]))
			continue;
		step("scale", p->scale[i]);
		scale(b, p, p->scale[i], res);
	}
	for (i = 0; ours && i < p->nr_pagecost; i++) {
		if (!in_budget(p, "pagecost", "ours", p->pagecost[i]))
			continue;
		step("pagecost", p->pagecost[i]);
		pagecost(b, p, p->pagecost[i], res);
	}
	msg_send(b, BOP_QUIT, 0, 0, 0, NULL);
	free(res);
}

/* ------------------------------------------------------------- importer */

static void run_importer(struct bench *b)
{
	struct bench_msg m;

	for (;;) {
		/*
		 * Between commands the exporter may be filling a buffer of up
		 * to 1 GiB, which takes long under TCG: a longer bound here.
		 */
		int ret = vc_read_all(b->ctl, &m, sizeof(m), 4 * b->timeout_ms);

		if (ret)
			bdie("control channel: waiting for a command: %s", strerror(-ret));
		switch (m.op) {
		case BOP_PING:
			msg_send(b, BOP_PONG, 0, 0, m.arg, NULL);
			break;
		case BOP_COPY:
			copy_latency_peer(b, &m);
			break;
		case BOP_GNT:
			gnt_latency_peer(b, &m);
			break;
		case BOP_OURS:
			ours_latency_peer(b, &m);
			break;
		case BOP_STREAM:
			stream_peer(b, &m);
			break;
		case BOP_QUIT:
			return;
		default:
			bdie("unexpected message %u", m.op);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "peer", required_argument, NULL, 'p' },
		{ "xs", required_argument, NULL, 'x' },
		{ "sizes", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "reps-large", required_argument, NULL, 'R' },
		{ "methods", required_argument, NULL, 'm' },
		{ "pagecost", required_argument, NULL, 'P' },
		{ "scale", required_argument, NULL, 'S' },
		{ "stream-size", required_argument, NULL, 'z' },
		{ "seconds", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "budget", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	struct plan p = {
		.methods = (1 << M_COPY) | (1 << M_GNT) | (1 << M_OURS),
		.reps = 7, .reps_large = 3, .stream_size = 8ULL << 20, .seconds = 5,
	};
	struct bench b = { .peer = -1, .hdm = -1, .udmabuf = -1, .gntalloc = -1,
			   .gntdev = -1, .timeout_ms = 90000 };
	const char *xs = "/lab/bench";
	struct rlimit rl = { 65536, 65536 };
	double budget = 0;
	int c, i;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "export"))
		b.exporter = 1;
	else if (strcmp(argv[1], "import"))
		usage();
	p.nr_sizes = parse_list("4K,64K,1M,8M,32M,256M", p.sizes);
	p.nr_pagecost = parse_list("1M,8M,64M,256M,1G", p.pagecost);
	p.nr_scale = parse_list("1,100,10000", p.scale);
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': b.peer = atoi(optarg); break;
		case 'x': xs = optarg; break;
		case 's': p.nr_sizes = parse_list(optarg, p.sizes); break;
		case 'r': p.reps = atoi(optarg); break;
		case 'R': p.reps_large = atoi(optarg); break;
		case 'm': p.methods = parse_methods(optarg); break;
		case 'P': p.nr_pagecost = parse_list(optarg, p.pagecost); break;
		case 'S': p.nr_scale = parse_list(optarg, p.scale); break;
		case 'z': p.stream_size = parse_size(optarg); break;
		case 't': p.seconds = atof(optarg); break;
		case 'T': b.timeout_ms = atoi(optarg) * 1000; break;
		case 'B': budget = atof(optarg); break;
		default: usage();
		}
	}
	if (b.peer < 0 || b.timeout_ms < 1000 || p.reps < 1 || p.reps_large < 1 || p.seconds <= 0 ||
	    p.stream_size < 4096)
		usage();
	for (i = 0; i < p.nr_sizes; i++)
		if (p.sizes[i] % 4096)
			usage();
	if (budget < 0)
		usage();
	if (budget > 0)
		p.deadline_ns = now_ns() + (uint64_t)(budget * 1e9);

	/* the scale test holds one dma-buf per live export for a moment */
	setrlimit(RLIMIT_NOFILE, &rl);
	b.hdm = open(HDM_DEV, O_RDWR | O_CLOEXEC);
	if (b.exporter) {
		b.gntalloc = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
		b.udmabuf = sbuf_dev_open();
		if (b.udmabuf < 0) {
			bwarn("open /dev/udmabuf: %s (ours needs it)", strerror(-b.udmabuf));
			b.udmabuf = -1;
		}
	} else {
		b.gntdev = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
		if (b.gntdev < 0)
			bwarn("open /dev/xen/gntdev: %s", strerror(errno));
	}
	if (chan_open(&b, xs))
		bdie("no vchan with domain %d at %s", b.peer, xs);
	if (b.exporter)
		run_exporter(&b, &p);
	else
		run_importer(&b);
	chan_close(&b);
	return 0;
}
