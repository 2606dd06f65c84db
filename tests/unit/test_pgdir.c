// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_pgdir.c - unit tests for protocol/hdmabuf_pgdir.h.
 *
 * The geometry is checked against a naive reference (plain division loop)
 * for both ref widths, at the wire page size and at the 1 KiB minimum,
 * around every rpp^k boundary, up to the 64 GiB limit.  Build + walk round
 * trips run on an in-memory "hypervisor" that hands out pages by ref.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "hdmabuf_pgdir.h"

/* Reference model: repeated ceiling division, no shifts, no shortcuts. */
struct ref_geom {
	int err;
	uint32_t levels;
	__u64 pages[HDMABUF_PGDIR_MAX_LEVELS + 1];
	__u64 total;
};

static struct ref_geom ref_geom(__u64 n, uint32_t ref, uint32_t psz)
{
	struct ref_geom r;
	__u64 rpp = psz / ref, p = n;

	memset(&r, 0, sizeof(r));
	if (n > HDMABUF_PGDIR_MAX_PAGES) {
		r.err = -ERANGE;
		return r;
	}
	r.pages[0] = n;
	do {
		p = (p + rpp - 1) / rpp;
		r.pages[++r.levels] = p;
		r.total += p;
	} while (p > 1);
	return r;
}

static __u64 ipow(__u64 b, unsigned int e)
{
	__u64 r = 1;

	while (e--)
		r *= b;
	return r;
}

/* Invariants every successful geometry must satisfy. */
static void check_geom(const struct hdmabuf_pgdir_geom *g, __u64 n,
		       uint32_t ref, uint32_t psz)
{
	struct ref_geom r = ref_geom(n, ref, psz);
	__u64 rpp = psz / ref, sum = 0, first;
	uint32_t i;

	assert_int_equal(r.err, 0);
	assert_int_equal(g->nr_pages, n);
	assert_int_equal(g->ref_size, ref);
	assert_int_equal(g->page_size, psz);
	assert_int_equal(g->refs_per_page, rpp);
	assert_int_equal(1ULL << g->rpp_shift, rpp);
	assert_int_equal(g->levels, r.levels);
	assert_true(g->levels >= 1 && g->levels <= HDMABUF_PGDIR_MAX_LEVELS);
	/* Smallest k with rpp^k >= n. */
	assert_true(ipow(rpp, g->levels) >= n);
	if (g->levels > 1)
		assert_true(ipow(rpp, g->levels - 1) < n);
	for (i = 0; i <= g->levels; i++)
		assert_int_equal(g->level_pages[i], r.pages[i]);
	for (; i <= HDMABUF_PGDIR_MAX_LEVELS; i++)
		assert_int_equal(g->level_pages[i], 0);
	assert_int_equal(g->level_pages[g->levels], 1);
	for (i = 1; i <= g->levels; i++)
		sum += g->level_pages[i];
	assert_int_equal(g->total_pages, sum);
	assert_int_equal(g->total_pages, r.total);
	/* Canonical order: root at 0, each level right after the one above. */
	assert_int_equal(g->level_first[g->levels], 0);
	first = 0;
	for (i = g->levels; i >= 1; i--) {
		assert_int_equal(g->level_first[i], first);
		first += g->level_pages[i];
	}
	assert_int_equal(first, g->total_pages);
	/*
	 * Overhead bound, see hdmabuf_pgdir.h:
	 * (total - levels) * (rpp - 1) <= n.
	 */
	assert_true((g->total_pages - g->levels) * (rpp - 1) <= n);
	/* The sharper leaves + levels bound holds up to two levels. */
	if (g->levels <= 2)
		assert_true(g->total_pages <= (n + rpp - 1) / rpp + g->levels);
	assert_int_equal(hdmabuf_pgdir_geom_check(g, g->levels,
						  g->total_pages), 0);
}

struct geom_case {
	__u64 n;
	uint32_t ref, psz;
};

static struct geom_case *geom_cases;
static size_t nr_geom_cases;

static void test_geom_case(void **state)
{
	const struct geom_case *c = *state;
	struct hdmabuf_pgdir_geom g;
	int ret;

	ret = hdmabuf_pgdir_geom_init(&g, c->n, c->ref, c->psz);
	if (c->n > HDMABUF_PGDIR_MAX_PAGES) {
		assert_int_equal(ret, -ERANGE);
		assert_int_equal(g.levels, 0);
		assert_int_equal(g.total_pages, 0);
		return;
	}
	assert_int_equal(ret, 0);
	check_geom(&g, c->n, c->ref, c->psz);
}

static void add_geom_case(__u64 n, uint32_t ref, uint32_t psz)
{
	struct geom_case *c;

	geom_cases = realloc(geom_cases,
			     (nr_geom_cases + 1) * sizeof(*geom_cases));
	if (!geom_cases)
		abort();
	c = &geom_cases[nr_geom_cases++];
	c->n = n;
	c->ref = ref;
	c->psz = psz;
}

/* Sweep: many sizes, same invariants. */
static void test_geom_sweep(void **state)
{
	const struct geom_case *c = *state;	/* n unused: sweep */
	struct hdmabuf_pgdir_geom g;
	__u64 n;
	int b;

	for (n = 1; n <= 5000; n++) {
		assert_int_equal(hdmabuf_pgdir_geom_init(&g, n, c->ref,
							 c->psz), 0);
		check_geom(&g, n, c->ref, c->psz);
	}
	for (b = 12; b <= 24; b++) {
		for (n = (1ULL << b) - 3; n <= (1ULL << b) + 3; n++) {
			if (n > HDMABUF_PGDIR_MAX_PAGES)
				break;
			assert_int_equal(hdmabuf_pgdir_geom_init(&g, n, c->ref,
								 c->psz), 0);
			check_geom(&g, n, c->ref, c->psz);
		}
	}
	for (n = 7; n <= HDMABUF_PGDIR_MAX_PAGES; n = n * 3 + 1) {
		assert_int_equal(hdmabuf_pgdir_geom_init(&g, n, c->ref,
							 c->psz), 0);
		check_geom(&g, n, c->ref, c->psz);
	}
}

static void test_geom_invalid(void **state)
{
	static const uint32_t bad_psz[] = {
		0, 1, 512, 1000, 1023, 1025, 3000, 4095, 4097, 131072,
		0x80000000U, 0xffffffffU,
	};
	static const uint32_t bad_ref[] = { 0, 1, 2, 3, 5, 7, 16, 4096 };
	struct hdmabuf_pgdir_geom g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_psz) / sizeof(bad_psz[0]); i++)
		assert_int_equal(hdmabuf_pgdir_geom_init(&g, 1, 4, bad_psz[i]),
				 -EINVAL);
	for (i = 0; i < sizeof(bad_ref) / sizeof(bad_ref[0]); i++)
		assert_int_equal(hdmabuf_pgdir_geom_init(&g, 1, bad_ref[i],
							 4096), -EINVAL);
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 0, 4, 4096), -EINVAL);
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, HDMABUF_PGDIR_MAX_PAGES + 1,
						 8, 4096), -ERANGE);
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, HDMABUF_U64_MAX, 8, 4096),
			 -ERANGE);
	/* Zeroed on failure, so a stale geometry cannot be used by mistake. */
	assert_int_equal(g.levels, 0);
	assert_int_equal(g.nr_pages, 0);
	assert_int_not_equal(hdmabuf_pgdir_geom_check(&g, 0, 0), 0);
	/* Every power of two in range is fine. */
	for (i = 1024; i <= 65536; i *= 2)
		assert_int_equal(hdmabuf_pgdir_geom_init(&g, 1, 8,
							 (uint32_t)i), 0);
}

static void test_geom_check(void **state)
{
	struct hdmabuf_pgdir_geom g;

	(void)state;
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 2048, 4, 4096), 0);
	assert_int_equal(hdmabuf_pgdir_geom_check(&g, 2, 3), 0);
	assert_int_equal(hdmabuf_pgdir_geom_check(&g, 1, 3), -EINVAL);
	assert_int_equal(hdmabuf_pgdir_geom_check(&g, 3, 3), -EINVAL);
	assert_int_equal(hdmabuf_pgdir_geom_check(&g, 2, 2), -EINVAL);
	assert_int_equal(hdmabuf_pgdir_geom_check(&g, 2, 4), -EINVAL);
	assert_int_equal(hdmabuf_pgdir_geom_check(&g, 2, 3 + (1ULL << 32)),
			 -EINVAL);
}

/* docs/protocol.rst worked example: 8 MiB, 4-byte refs. */
static void test_worked_example(void **state)
{
	struct hdmabuf_pgdir_geom g;

	(void)state;
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, (8 << 20) / 4096, 4,
						 4096), 0);
	assert_int_equal(g.nr_pages, 2048);
	assert_int_equal(g.refs_per_page, 1024);
	assert_int_equal(g.levels, 2);
	assert_int_equal(g.level_pages[1], 2);
	assert_int_equal(g.level_pages[2], 1);
	assert_int_equal(g.total_pages, 3);
	/* Root at 0, then leaves 1 and 2. */
	assert_int_equal(hdmabuf_pgdir_flat_index(&g, 2, 0), 0);
	assert_int_equal(hdmabuf_pgdir_flat_index(&g, 1, 0), 1);
	assert_int_equal(hdmabuf_pgdir_flat_index(&g, 1, 1), 2);
	/* Same buffer with 8-byte refs: 4 leaves + 1 root. */
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 2048, 8, 4096), 0);
	assert_int_equal(g.levels, 2);
	assert_int_equal(g.total_pages, 5);
}

static void test_64gib(void **state)
{
	struct hdmabuf_pgdir_geom g;

	(void)state;
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 1ULL << 24, 4, 4096), 0);
	assert_int_equal(g.levels, 3);
	assert_int_equal(g.level_pages[1], 16384);
	assert_int_equal(g.level_pages[2], 16);
	assert_int_equal(g.total_pages, 16401);
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 1ULL << 24, 8, 4096), 0);
	assert_int_equal(g.levels, 3);
	assert_int_equal(g.level_pages[1], 32768);
	assert_int_equal(g.level_pages[2], 64);
	assert_int_equal(g.total_pages, 32833);
	/* At the 1 KiB minimum page size, 8-byte refs need all 4 levels. */
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 1ULL << 24, 8, 1024), 0);
	assert_int_equal(g.levels, 4);
	assert_int_equal(g.total_pages, 131072 + 1024 + 8 + 1);
}

/*
 * The "leaves + levels" bound does not hold past two levels; the bound we
 * document does.  n = rpp^3 with 1 KiB pages and 4-byte refs (rpp = 256).
 */
static void test_overhead_bound(void **state)
{
	struct hdmabuf_pgdir_geom g;
	__u64 n = 256ULL * 256 * 256, rpp = 256;

	(void)state;
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, n, 4, 1024), 0);
	assert_int_equal(g.levels, 3);
	assert_int_equal(g.total_pages, 65536 + 256 + 1);
	assert_true(g.total_pages > n / rpp + g.levels);
	assert_true((g.total_pages - g.levels) * (rpp - 1) <= n);
	/* Two levels: leaves + levels holds (tight when n = rpp^2). */
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, rpp * rpp, 4, 1024), 0);
	assert_true(g.total_pages <= rpp + g.levels);
}

static void test_page_entries(void **state)
{
	struct hdmabuf_pgdir_geom g;
	__u64 first;
	uint32_t count;

	(void)state;
	/* 1024-byte pages, 4-byte refs: rpp 256; 256*3 + 5 = 773 pages. */
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 773, 4, 1024), 0);
	assert_int_equal(g.levels, 2);
	assert_int_equal(g.level_pages[1], 4);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 1, 0, &first, &count),
			 0);
	assert_int_equal(first, 0);
	assert_int_equal(count, 256);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 1, 3, &first, &count),
			 0);
	assert_int_equal(first, 768);
	assert_int_equal(count, 5);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 2, 0, &first, &count),
			 0);
	assert_int_equal(first, 0);
	assert_int_equal(count, 4);
	/* NULL outputs are allowed. */
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 2, 0, NULL, NULL), 0);
	/* Non-existent pages. */
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 0, 0, &first, &count),
			 -EINVAL);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 3, 0, &first, &count),
			 -EINVAL);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 1, 4, &first, &count),
			 -EINVAL);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 2, 1, &first, &count),
			 -EINVAL);
	assert_int_equal(hdmabuf_pgdir_page_entries(&g, 1, HDMABUF_U64_MAX,
						    &first, &count), -EINVAL);
}

static void test_ref_endianness(void **state)
{
	__u64 page[4];
	uint8_t *b = (uint8_t *)page;

	(void)state;
	memset(page, 0, sizeof(page));
	hdmabuf_pgdir_set_ref(page, 1, 8, 0x0102030405060708ULL);
	assert_int_equal(b[8], 0x08);
	assert_int_equal(b[15], 0x01);
	assert_int_equal(hdmabuf_pgdir_get_ref(page, 1, 8),
			 0x0102030405060708ULL);
	hdmabuf_pgdir_set_ref(page, 1, 4, 0xa1b2c3d4);
	assert_int_equal(b[4], 0xd4);
	assert_int_equal(b[7], 0xa1);
	assert_int_equal(hdmabuf_pgdir_get_ref(page, 1, 4), 0xa1b2c3d4);
	/* 4-byte refs are zero-extended. */
	hdmabuf_pgdir_set_ref(page, 0, 4, 0xffffffff);
	assert_int_equal(hdmabuf_pgdir_get_ref(page, 0, 4), 0xffffffffULL);
}

static void test_fill_page_range(void **state)
{
	struct hdmabuf_pgdir_geom g;
	__u64 refs[2] = { 1, 1ULL << 32 };
	uint8_t page[1024], before[1024];

	(void)state;
	memset(page, 0x5a, sizeof(page));
	memcpy(before, page, sizeof(page));
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 2, 4, 1024), 0);
	assert_int_equal(hdmabuf_pgdir_fill_page(&g, 1, 0, page, refs),
			 -ERANGE);
	/* Nothing written on error. */
	assert_memory_equal(page, before, sizeof(page));
	refs[1] = 0xffffffff;
	assert_int_equal(hdmabuf_pgdir_fill_page(&g, 1, 0, page, refs), 0);
	assert_int_equal(hdmabuf_pgdir_check_page(&g, 1, 0, page), 0);
	/* 8-byte refs take anything. */
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 2, 8, 1024), 0);
	refs[1] = HDMABUF_U64_MAX;
	assert_int_equal(hdmabuf_pgdir_fill_page(&g, 1, 0, page, refs), 0);
	assert_int_equal(hdmabuf_pgdir_get_ref(page, 1, 8), HDMABUF_U64_MAX);
	assert_int_equal(hdmabuf_pgdir_fill_page(&g, 2, 0, page, refs),
			 -EINVAL);
}

static void test_refs_unique(void **state)
{
	__u64 a[8] = { 5, 3, 9, 1, 7, 2, 8, 6 };
	__u64 d[6] = { 4, 1, 4, 2, 3, 0 };
	__u64 e[2] = { HDMABUF_U64_MAX, HDMABUF_U64_MAX };
	__u64 big[1000];
	size_t i;

	(void)state;
	assert_int_equal(hdmabuf_pgdir_refs_unique(a, 0), 0);
	assert_int_equal(hdmabuf_pgdir_refs_unique(a, 1), 0);
	assert_int_equal(hdmabuf_pgdir_refs_unique(a, 8), 0);
	for (i = 1; i < 8; i++)
		assert_true(a[i - 1] < a[i]);
	assert_int_equal(hdmabuf_pgdir_refs_unique(d, 6), -EBADMSG);
	assert_int_equal(hdmabuf_pgdir_refs_unique(e, 2), -EBADMSG);
	for (i = 0; i < 1000; i++)
		big[i] = (i * 7919) % 1000;	/* a permutation */
	assert_int_equal(hdmabuf_pgdir_refs_unique(big, 1000), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(big[i], i);
	big[500] = 501;
	assert_int_equal(hdmabuf_pgdir_refs_unique(big, 1000), -EBADMSG);
}

/* ------------------------------------------------------------------ */
/* Build + walk                                                       */
/* ------------------------------------------------------------------ */

/*
 * The fake hypervisor: directory page i is shared under ref
 * base + i * step; data page j under dbase + j * step.
 */
struct pool {
	struct hdmabuf_pgdir_geom g;
	uint8_t *mem;
	void **pages;
	__u64 *dir_refs, *data_refs;
	__u64 base, dbase, step;
	__u64 maps, unmaps;
	int fail_ref_set;
	__u64 fail_ref;
};

static int pool_map(void *ctx, __u64 ref, const void **page)
{
	struct pool *p = ctx;
	__u64 i;

	if (p->fail_ref_set && ref == p->fail_ref)
		return -ENOENT;
	if (ref < p->base || (ref - p->base) % p->step)
		return -EFAULT;
	i = (ref - p->base) / p->step;
	if (i >= p->g.total_pages)
		return -EFAULT;
	*page = p->pages[i];
	p->maps++;
	return 0;
}

static void pool_unmap(void *ctx, __u64 ref, const void *page)
{
	struct pool *p = ctx;

	(void)ref;
	(void)page;
	p->unmaps++;
}

static const struct hdmabuf_pgdir_walk_ops pool_ops = {
	.map = pool_map,
	.unmap = pool_unmap,
};

static void pool_init(struct pool *p, __u64 n, uint32_t ref, uint32_t psz)
{
	__u64 i;

	memset(p, 0, sizeof(*p));
	assert_int_equal(hdmabuf_pgdir_geom_init(&p->g, n, ref, psz), 0);
	p->mem = aligned_alloc(psz, p->g.total_pages * psz);
	assert_non_null(p->mem);
	memset(p->mem, 0xee, p->g.total_pages * psz);	/* dirty */
	p->pages = calloc(p->g.total_pages, sizeof(*p->pages));
	p->dir_refs = calloc(p->g.total_pages, sizeof(*p->dir_refs));
	p->data_refs = calloc(n, sizeof(*p->data_refs));
	assert_non_null(p->pages);
	assert_non_null(p->dir_refs);
	assert_non_null(p->data_refs);
	/* 8-byte refs exercise the high half; 4-byte refs stay below 2^32. */
	p->step = 3;
	p->base = ref == 8 ? 0x7000000000000000ULL : 0x10000000;
	p->dbase = ref == 8 ? 0x1000000000ULL : 0x40000000;
	for (i = 0; i < p->g.total_pages; i++) {
		p->pages[i] = p->mem + i * psz;
		p->dir_refs[i] = p->base + i * p->step;
	}
	for (i = 0; i < n; i++)
		p->data_refs[i] = p->dbase + i * p->step;
	assert_int_equal(hdmabuf_pgdir_build(&p->g, p->pages, p->dir_refs,
					     p->data_refs), 0);
}

static void pool_free(struct pool *p)
{
	free(p->mem);
	free(p->pages);
	free(p->dir_refs);
	free(p->data_refs);
}

static int pool_walk(struct pool *p, uint32_t flags, __u64 *dir_out,
		     __u64 *data_out)
{
	__u64 *scratch = calloc(p->g.total_pages, sizeof(*scratch));
	int ret;

	assert_non_null(scratch);
	p->maps = p->unmaps = 0;
	ret = hdmabuf_pgdir_walk(&p->g, p->dir_refs[0], &pool_ops, p, flags,
				 dir_out, data_out, scratch);
	free(scratch);
	assert_int_equal(p->maps, p->unmaps);
	return ret;
}

/* The importer's loop in the kernel: one page at a time, per-page API. */
static void kernel_style_walk(struct pool *p, __u64 *data_out)
{
	const struct hdmabuf_pgdir_geom *g = &p->g;
	__u64 *dir = calloc(g->total_pages, sizeof(*dir));
	__u64 idx, first, *out;
	const void *page;
	uint32_t level, count;
	int n;

	assert_non_null(dir);
	dir[0] = p->dir_refs[0];
	for (level = g->levels; level >= 1; level--) {
		for (idx = 0; idx < g->level_pages[level]; idx++) {
			assert_int_equal(hdmabuf_pgdir_page_entries(g, level,
					 idx, &first, &count), 0);
			out = level == 1 ? data_out + first :
			      dir + g->level_first[level - 1] + first;
			assert_int_equal(pool_map(p,
				dir[hdmabuf_pgdir_flat_index(g, level, idx)],
				&page), 0);
			assert_int_equal(hdmabuf_pgdir_check_page(g, level, idx,
								  page), 0);
			n = hdmabuf_pgdir_read_refs(g, level, idx, page, out);
			assert_int_equal(n, count);
		}
	}
	assert_memory_equal(dir, p->dir_refs,
			    g->total_pages * sizeof(*dir));
	free(dir);
}

static struct geom_case *rt_cases;
static size_t nr_rt_cases;

static void test_roundtrip(void **state)
{
	const struct geom_case *c = *state;
	__u64 *dir_out, *data_out;
	struct pool p;
	__u64 i;

	pool_init(&p, c->n, c->ref, c->psz);
	dir_out = calloc(p.g.total_pages, sizeof(*dir_out));
	data_out = calloc(c->n, sizeof(*data_out));
	assert_non_null(dir_out);
	assert_non_null(data_out);

	assert_int_equal(pool_walk(&p, HDMABUF_PGDIR_WALK_NO_ZERO_REFS,
				   dir_out, data_out), 0);
	assert_int_equal(p.maps, p.g.total_pages);
	assert_memory_equal(dir_out, p.dir_refs,
			    p.g.total_pages * sizeof(*dir_out));
	assert_memory_equal(data_out, p.data_refs, c->n * sizeof(*data_out));

	/* Every page checks out individually, too. */
	for (i = 0; i < p.g.total_pages; i++) {
		uint32_t level = 1;

		while (level < p.g.levels && i < p.g.level_first[level])
			level++;
		assert_int_equal(hdmabuf_pgdir_check_page(&p.g, level,
				 i - p.g.level_first[level], p.pages[i]), 0);
	}

	memset(data_out, 0, c->n * sizeof(*data_out));
	kernel_style_walk(&p, data_out);
	assert_memory_equal(data_out, p.data_refs, c->n * sizeof(*data_out));

	free(dir_out);
	free(data_out);
	pool_free(&p);
}

static void add_rt_case(__u64 n, uint32_t ref, uint32_t psz)
{
	rt_cases = realloc(rt_cases, (nr_rt_cases + 1) * sizeof(*rt_cases));
	if (!rt_cases)
		abort();
	rt_cases[nr_rt_cases].n = n;
	rt_cases[nr_rt_cases].ref = ref;
	rt_cases[nr_rt_cases].psz = psz;
	nr_rt_cases++;
}

/* Poke a non-zero byte into the unused tail of a page: rejected. */
static void test_tail_not_zero(void **state)
{
	__u64 dir_out[8], data_out[600];
	uint8_t *leaf, *root;
	struct pool p;
	uint32_t count;

	(void)state;
	/* 1 KiB pages, 4-byte refs: 600 pages = 3 leaves (256, 256, 88). */
	pool_init(&p, 600, 4, 1024);
	assert_int_equal(p.g.total_pages, 4);
	leaf = p.pages[3];
	root = p.pages[0];
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), 0);

	/* Last byte of the last (partial) leaf. */
	leaf[1023] = 1;
	assert_int_equal(hdmabuf_pgdir_check_page(&p.g, 1, 2, leaf), -EBADMSG);
	assert_int_equal(hdmabuf_pgdir_read_refs(&p.g, 1, 2, leaf, data_out),
			 -EBADMSG);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -EBADMSG);
	leaf[1023] = 0;

	/* First unused slot. */
	assert_int_equal(hdmabuf_pgdir_page_entries(&p.g, 1, 2, NULL, &count),
			 0);
	assert_int_equal(count, 88);
	hdmabuf_pgdir_set_ref(leaf, count, 4, 0x100);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -EBADMSG);
	hdmabuf_pgdir_set_ref(leaf, count, 4, 0);
	/* The last used slot is data, not tail. */
	hdmabuf_pgdir_set_ref(leaf, count - 1, 4, 0x12345);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), 0);
	assert_int_equal(data_out[599], 0x12345);

	/* Root tail (3 used slots). */
	root[3 * 4] = 0x80;
	assert_int_equal(hdmabuf_pgdir_check_page(&p.g, 2, 0, root), -EBADMSG);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -EBADMSG);
	pool_free(&p);
}

/* Two parents naming the same child, or a child naming the root. */
static void test_duplicate_refs(void **state)
{
	__u64 dir_out[8], data_out[768];
	struct pool p;

	(void)state;
	/* 3 full leaves, so a repeated leaf still passes its tail check. */
	pool_init(&p, 768, 4, 1024);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), 0);
	hdmabuf_pgdir_set_ref(p.pages[0], 2, 4, p.dir_refs[1]);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -EBADMSG);
	/* Leaf pointing "up" at the root: read as a leaf, then rejected. */
	hdmabuf_pgdir_set_ref(p.pages[0], 2, 4, p.dir_refs[0]);
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -EBADMSG);
	assert_int_equal(p.maps, p.g.total_pages);	/* no loop */
	pool_free(&p);
}

static void test_zero_refs(void **state)
{
	__u64 dir_out[8], data_out[300], scratch[8];
	struct pool p;

	(void)state;
	pool_init(&p, 300, 8, 1024);	/* rpp 128: 3 leaves + root */
	hdmabuf_pgdir_set_ref(p.pages[2], 5, 8, 0);	/* data page 133 */
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), 0);
	assert_int_equal(data_out[133], 0);
	assert_int_equal(pool_walk(&p, HDMABUF_PGDIR_WALK_NO_ZERO_REFS,
				   dir_out, data_out), -EBADMSG);
	assert_int_equal(pool_walk(&p, 1U << 5, dir_out, data_out), -EINVAL);
	/* A zero root ref is refused before it is mapped. */
	p.maps = 0;
	assert_int_equal(hdmabuf_pgdir_walk(&p.g, 0, &pool_ops, &p,
				HDMABUF_PGDIR_WALK_NO_ZERO_REFS, dir_out,
				data_out, scratch), -EBADMSG);
	assert_int_equal(p.maps, 0);
	pool_free(&p);
}

static void test_map_failure(void **state)
{
	__u64 dir_out[8], data_out[300];
	struct pool p;

	(void)state;
	pool_init(&p, 300, 8, 1024);
	p.fail_ref_set = 1;
	p.fail_ref = p.dir_refs[2];
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -ENOENT);
	assert_int_equal(p.maps, 2);	/* root and leaf 0, both unmapped */
	p.fail_ref = p.dir_refs[0];
	assert_int_equal(pool_walk(&p, 0, dir_out, data_out), -ENOENT);
	assert_int_equal(p.maps, 0);
	pool_free(&p);
}

/* read_refs copies each ref once, into out, and only the used slots. */
static void test_read_refs(void **state)
{
	struct hdmabuf_pgdir_geom g;
	__u64 refs[3] = { 10, 20, 30 }, out[256];
	uint8_t page[1024];
	int i;

	(void)state;
	assert_int_equal(hdmabuf_pgdir_geom_init(&g, 3, 4, 1024), 0);
	assert_int_equal(g.levels, 1);
	assert_int_equal(hdmabuf_pgdir_fill_page(&g, 1, 0, page, refs), 0);
	for (i = 0; i < 256; i++)
		out[i] = 0xdead;
	assert_int_equal(hdmabuf_pgdir_read_refs(&g, 1, 0, page, out), 3);
	assert_int_equal(out[0], 10);
	assert_int_equal(out[2], 30);
	assert_int_equal(out[3], 0xdead);
	assert_int_equal(hdmabuf_pgdir_read_refs(&g, 2, 0, page, out),
			 -EINVAL);
}

void register_pgdir_tests(void)
{
	static const uint32_t psz[] = { 4096, 1024 };
	static const uint32_t refsz[] = { 4, 8 };
	static struct geom_case sweep[4];
	unsigned int pi, ri, k;
	__u64 rpp, b;
	size_t i, ns = 0;

	for (pi = 0; pi < 2; pi++) {
		for (ri = 0; ri < 2; ri++) {
			rpp = psz[pi] / refsz[ri];
			add_geom_case(1, refsz[ri], psz[pi]);
			for (k = 1; k <= 4; k++) {
				b = ipow(rpp, k);
				if (b - 1 > HDMABUF_PGDIR_MAX_PAGES + 1)
					break;
				add_geom_case(b - 1, refsz[ri], psz[pi]);
				add_geom_case(b, refsz[ri], psz[pi]);
				add_geom_case(b + 1, refsz[ri], psz[pi]);
			}
			add_geom_case(HDMABUF_PGDIR_MAX_PAGES, refsz[ri],
				      psz[pi]);
			add_geom_case(HDMABUF_PGDIR_MAX_PAGES + 1, refsz[ri],
				      psz[pi]);
			sweep[ns].ref = refsz[ri];
			sweep[ns].psz = psz[pi];
			ns++;
		}
	}
	for (i = 0; i < nr_geom_cases; i++)
		t_add(test_geom_case, &geom_cases[i], "pgdir/geom/p%u/r%u/n%llu",
		      geom_cases[i].psz, geom_cases[i].ref,
		      (unsigned long long)geom_cases[i].n);
	for (i = 0; i < ns; i++)
		t_add(test_geom_sweep, &sweep[i], "pgdir/geom_sweep/p%u/r%u",
		      sweep[i].psz, sweep[i].ref);

	/* Build + walk: small pages for deep trees, 4096 for real sizes. */
	add_rt_case(1, 4, 1024);
	add_rt_case(1, 8, 4096);
	add_rt_case(256, 4, 1024);
	add_rt_case(257, 4, 1024);
	add_rt_case(128 * 128, 8, 1024);
	add_rt_case(128 * 128 + 1, 8, 1024);
	add_rt_case(256 * 256 + 1, 4, 1024);
	add_rt_case(2 * 128 * 128 + 3, 8, 1024);
	add_rt_case(128 * 128 * 128 + 1, 8, 1024);	/* 4 levels */
	add_rt_case(2048, 4, 4096);			/* worked example */
	add_rt_case(3038, 8, 4096);
	add_rt_case(1024 * 1024 + 1, 4, 4096);		/* 3 levels */
	add_rt_case(512 * 512 + 1, 8, 4096);		/* 3 levels */
	for (i = 0; i < nr_rt_cases; i++)
		t_add(test_roundtrip, &rt_cases[i],
		      "pgdir/build_walk/p%u/r%u/n%llu", rt_cases[i].psz,
		      rt_cases[i].ref, (unsigned long long)rt_cases[i].n);

	t_add(test_geom_invalid, NULL, "pgdir/geom_invalid");
	t_add(test_geom_check, NULL, "pgdir/geom_check_mismatch");
	t_add(test_worked_example, NULL, "pgdir/worked_example_8mib");
	t_add(test_64gib, NULL, "pgdir/geom_64gib");
	t_add(test_overhead_bound, NULL, "pgdir/overhead_bound");
	t_add(test_page_entries, NULL, "pgdir/page_entries");
	t_add(test_ref_endianness, NULL, "pgdir/ref_endianness");
	t_add(test_fill_page_range, NULL, "pgdir/fill_page_range");
	t_add(test_refs_unique, NULL, "pgdir/refs_unique");
	t_add(test_read_refs, NULL, "pgdir/read_refs");
	t_add(test_tail_not_zero, NULL, "pgdir/tail_not_zero");
	t_add(test_duplicate_refs, NULL, "pgdir/duplicate_refs");
	t_add(test_zero_refs, NULL, "pgdir/zero_refs");
	t_add(test_map_failure, NULL, "pgdir/map_failure");
}
