// SPDX-License-Identifier: GPL-2.0
/*
 * Time, statistics, the byte pattern every method moves, result output and
 * the debugfs counters of the driver.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "hdmabuf_pgdir.h"
#include "bench.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void series_add(struct series *s, double x)
{
	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		double *v = realloc(s->v, (size_t)cap * sizeof(*v));

		if (!v)
			bdie("out of memory");
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double series_median(struct series *s)
{
	if (!s->n)
		return 0;
	qsort(s->v, (size_t)s->n, sizeof(*s->v), cmp_double);
	return s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
}

double series_min(const struct series *s)
{
	double m = s->n ? s->v[0] : 0;
	int i;

	for (i = 1; i < s->n; i++)
		if (s->v[i] < m)
			m = s->v[i];
	return m;
}

double series_max(const struct series *s)
{
	double m = s->n ? s->v[0] : 0;
	int i;

	for (i = 1; i < s->n; i++)
		if (s->v[i] > m)
			m = s->v[i];
	return m;
}

void series_free(struct series *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * The payload: 64-bit words w * golden ratio ^ seed, little-endian, so a
 * misplaced page, a stale page or a short transfer is detected.
 */
static inline uint64_t pattern_word(uint64_t w, uint64_t seed)
{
	return (w * 0x9E3779B97F4A7C15ULL) ^ seed;
}

void bpat_fill(uint8_t *p, uint64_t size, uint64_t seed)
{
	uint64_t *q = (uint64_t *)p, w;

	for (w = 0; w < size / 8; w++)
		q[w] = pattern_word(w, seed);
}

uint8_t bpat_byte(uint64_t off, uint64_t seed)
{
	return (uint8_t)(pattern_word(off / 8, seed) >> (8 * (off % 8)));
}

/* 0 if all of @p matches, else 1 + the offset of the first bad word. */
uint64_t bpat_check(const uint8_t *p, uint64_t size, uint64_t seed)
{
	const uint64_t *q = (const uint64_t *)p;
	uint64_t w;

	for (w = 0; w < size / 8; w++)
		if (q[w] != pattern_word(w, seed))
			return 1 + w * 8;
	return 0;
}

/* Results go to stdout, one line each, for the host to collect. */
void out_json(const char *fmt, ...)
{
	va_list ap;

	fputs("@@BENCH ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void bwarn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void bdie(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void json_escape(char *dst, size_t cap, const char *src)
{
	size_t o = 0;

	for (; *src && o + 7 < cap; src++) {
		unsigned char c = (unsigned char)*src;

		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(dst + o, cap - o, "\\u%04x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = 0;
}

#define DEBUGFS "/sys/kernel/debug"

static void counters_add(struct counters *c, const char *dir, const char *file,
			 const char *key, const char *name, long long v)
{
	if (c->n == COUNTERS_MAX ||
	    snprintf(c->name[c->n], sizeof(c->name[0]), "%s/%s/%s%s%s", dir, file,
		     key, *key ? "/" : "", name) >= (int)sizeof(c->name[0]))
		return;
	c->val[c->n++] = v;
}

/*
 * Lines are "name value" (core stats) or "key ... name=value name=value"
 * (one line per channel, hyper_dmabuf_xen/channels); '#' starts a comment.
 */
static void counters_file(struct counters *c, const char *dir, const char *file)
{
	char path[512], line[1024], name[128], first[64], *tok, *save, *eq;
	long long v;
	FILE *f;

	if (snprintf(path, sizeof(path), DEBUGFS "/%s/%s", dir, file) >=
	    (int)sizeof(path))
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (line[0] == '#')
			continue;
		if (strchr(line, '=')) {
			first[0] = 0;
			for (tok = strtok_r(line, " \t\n", &save); tok;
			     tok = strtok_r(NULL, " \t\n", &save)) {
				eq = strchr(tok, '=');
				if (!eq) {
					if (!first[0])
						snprintf(first, sizeof(first), "%s", tok);
					continue;
				}
				*eq = 0;
				if (sscanf(eq + 1, "%lld", &v) == 1)
					counters_add(c, dir, file, first, tok, v);
			}
			continue;
		}
		if (colon)
			*colon = ' ';
		if (sscanf(line, "%127s %lld", name, &v) == 2)
			counters_add(c, dir, file, "", name, v);
	}
	fclose(f);
}

/* The files of debugfs directory @dir, and of its subdirectories. */
static void counters_dir(struct counters *c, const char *dir, int depth)
{
	char path[512], sub[256];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (snprintf(path, sizeof(path), DEBUGFS "/%s", dir) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' ||
		    snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
		    snprintf(path, sizeof(path), DEBUGFS "/%s", sub) >= (int)sizeof(path) ||
		    stat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 2)
				counters_dir(c, sub, depth + 1);
		} else if (!strcmp(e->d_name, "stats") ||
			   !strcmp(e->d_name, "channels") ||
			   !strncmp(e->d_name, "counters", 8)) {
			/* not the knobs: reading some of them acts */
			counters_file(c, dir, e->d_name);
		}
	}
	closedir(d);
}

/*
 * Every counter line of every file in the driver's debugfs directories:
 * hyper_dmabuf/stats (core) and those of the backends (hyper_dmabuf_xen*).
 */
void counters_read(struct counters *c)
{
	struct dirent *d;
	DIR *top;

	c->n = 0;
	top = opendir(DEBUGFS);
	if (!top)
		return;
	while ((d = readdir(top)))
		if (!strncmp(d->d_name, "hyper_dmabuf", 12))
			counters_dir(c, d->d_name, 1);
	closedir(top);
}

/*
 * {"dir/file/name":delta,...} of the counters that changed; "last_*"
 * values (about the last operation, not cumulative) are given as they are.
 */
int counters_delta_json(const struct counters *a, const struct counters *b,
			char *out, size_t cap)
{
	size_t o = 0;
	int i, j, first = 1;

	o += (size_t)snprintf(out, cap, "{");
	for (i = 0; i < b->n && o < cap; i++) {
		const char *base = strrchr(b->name[i], '/');
		int last = base && !strncmp(base + 1, "last_", 5);
		long long before = 0;

		for (j = 0; j < a->n && !last; j++)
			if (!strcmp(a->name[j], b->name[i]))
				before = a->val[j];
		if (b->val[i] == before)
			continue;
		o += (size_t)snprintf(out + o, cap - o, "%s\"%s\":%lld",
				      first ? "" : ",", b->name[i],
				      b->val[i] - before);
		first = 0;
	}
	if (o + 2 > cap)
		return -ENOSPC;
	snprintf(out + o, cap - o, "}");
	return 0;
}

/*
 * Directory pages of a buffer of @nr_pages data pages (protocol/
 * hdmabuf_pgdir.h, 4 KiB directory pages) and the ceil(n/rpp) + levels
 * bound the design promises; returns the bound.
 */
uint64_t dir_pages_bound(uint64_t nr_pages, uint32_t ref_size, uint32_t *levels,
			 uint64_t *total)
{
	struct hdmabuf_pgdir_geom g;

	if (hdmabuf_pgdir_geom_init(&g, nr_pages, ref_size, 4096)) {
		*levels = 0;
		*total = 0;
		return 0;
	}
	*levels = g.levels;
	*total = g.total_pages;
	return (nr_pages + g.refs_per_page - 1) / g.refs_per_page + g.levels;
}
