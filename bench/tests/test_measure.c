// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hdmabuf-bench's pure helpers (bench/src/measure.c): the
 * statistics, the byte pattern every method moves and checks, the debugfs
 * counter deltas and the directory-page bound the results are compared
 * with.  TAP, then "N passed, N failed".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int passed, failed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", passed + failed + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (cond)
		passed++;
	else
		failed++;
}

static void test_series(void)
{
	struct series s = { 0 };
	const double odd[] = { 5, 1, 4, 2, 3 };
	unsigned int i;

	for (i = 0; i < 5; i++)
		series_add(&s, odd[i]);
	ok(series_median(&s) == 3 && series_min(&s) == 1 && series_max(&s) == 5,
	   "series: median/min/max of 5 values");
	series_add(&s, 100);
	ok(series_median(&s) == 3.5, "series: median of an even count is the mean of the middle two");
	series_free(&s);
	ok(s.n == 0 && !s.v && series_median(&s) == 0, "series: empty after free, median 0");
	for (i = 0; i < 1000; i++)
		series_add(&s, (double)(999 - i));
	ok(s.n == 1000 && series_median(&s) == 499.5, "series: grows past its first allocation");
	series_free(&s);
}

static void test_pattern(void)
{
	const uint64_t size = 3 * 4096, seed = 0x5eed;
	uint8_t *p = malloc(size);
	uint64_t off;
	int same = 1;

	if (!p)
		exit(1);
	bpat_fill(p, size, seed);
	ok(bpat_check(p, size, seed) == 0, "pattern: a filled buffer checks clean");
	for (off = 0; off < size; off += 997)
		same &= p[off] == bpat_byte(off, seed);
	ok(same && p[size - 1] == bpat_byte(size - 1, seed),
	   "pattern: bpat_byte() predicts every byte, the last one included");
	ok(bpat_check(p, size, seed + 1) == 1, "pattern: another seed fails at offset 0");
	p[4096 + 13] ^= 0x40;
	ok(bpat_check(p, size, seed) == 1 + 4096 + 8,
	   "pattern: a flipped byte is reported with its word's offset");
	p[4096 + 13] ^= 0x40;
	memcpy(p + 4096, p, 4096);	/* a misplaced page */
	ok(bpat_check(p, size, seed) == 1 + 4096, "pattern: a page at the wrong place is detected");
	free(p);
}

static void set(struct counters *c, const char *name, long long v)
{
	snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
	c->val[c->n++] = v;
}

static void test_counters(void)
{
	struct counters *a = calloc(2, sizeof(*a)), *b;
	char out[512], tiny[8];

	if (!a)
		exit(1);
	b = a + 1;
	set(a, "hyper_dmabuf/stats/tx", 10);
	set(a, "hyper_dmabuf/stats/rx", 4);
	set(a, "hyper_dmabuf_xen_pages/stats/last_map_pages", 7);
	set(b, "hyper_dmabuf/stats/tx", 12);
	set(b, "hyper_dmabuf/stats/rx", 4);
	set(b, "hyper_dmabuf_xen_pages/stats/last_map_pages", 7);
	set(b, "hyper_dmabuf_xen/channels/2/tx_msgs", 3);
	ok(!counters_delta_json(a, b, out, sizeof(out)) &&
	   !strcmp(out, "{\"hyper_dmabuf/stats/tx\":2,"
			"\"hyper_dmabuf_xen_pages/stats/last_map_pages\":7,"
			"\"hyper_dmabuf_xen/channels/2/tx_msgs\":3}"),
	   "counters: deltas of changed counters, last_* as they are, new ones from 0 (%s)", out);
	ok(counters_delta_json(a, b, tiny, sizeof(tiny)) == -ENOSPC,
	   "counters: a buffer too small is -ENOSPC");
	ok(!counters_delta_json(a, a, out, sizeof(out)) &&
	   !strcmp(out, "{\"hyper_dmabuf_xen_pages/stats/last_map_pages\":7}"),
	   "counters: no change leaves only the last_* values");
	free(a);
}

static void test_dir_bound(void)
{
	static const struct {
		uint64_t pages;
		uint32_t levels;
		uint64_t total, bound;
	} t[] = {
		{ 1, 1, 1, 2 },			/* 4 KiB */
		{ 256, 1, 1, 2 },		/* 1 MiB */
		{ 1024, 1, 1, 2 },		/* 4 MiB: one full leaf */
		{ 1025, 2, 3, 4 },
		{ 2048, 2, 3, 4 },		/* 8 MiB */
		{ 65536, 2, 65, 66 },		/* 256 MiB */
		{ 262144, 2, 257, 258 },	/* 1 GiB */
	};
	uint64_t n, total, bound;
	uint32_t levels, i;
	int within = 1;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bound = dir_pages_bound(t[i].pages, 4, &levels, &total);
		ok(levels == t[i].levels && total == t[i].total && bound == t[i].bound,
		   "directory: %llu pages: %u levels, %llu pages, bound %llu",
		   (unsigned long long)t[i].pages, levels,
		   (unsigned long long)total, (unsigned long long)bound);
	}
	for (n = 1; n <= 300000; n += 997) {
		bound = dir_pages_bound(n, 4, &levels, &total);
		within &= total <= bound && total >= (n + 1023) / 1024;
	}
	ok(within, "directory: ceil(n/1024) <= pages <= bound for 1..300000 data pages");
}

int main(void)
{
	test_series();
	test_pattern();
	test_counters();
	test_dir_bound();
	printf("1..%d\n%d passed, %d failed\n", passed + failed, passed, failed);
	return failed != 0;
}
