// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_pgdir.c - libFuzzer target for protocol/hdmabuf_pgdir.h.
 *
 * Input layout (little-endian):
 *
 *   0       u8   cfg: bit 0 = 8-byte refs, bit 1 = 2048-byte pages
 *                (else 1024), bit 2 = HDMABUF_PGDIR_WALK_NO_ZERO_REFS
 *   1       u32  nr_pages = 1 + value % FUZZ_MAX_PAGES
 *   5       u64  root ref
 *   13      u8   level selector and 14..15 u16 index for the per-page check
 *   16      ...  pool: up to FUZZ_MAX_POOL pages of page_size bytes
 *
 * The fake hypervisor maps ref r to pool page (r & 0xffff), failing with
 * -ENOENT past the pool; the upper bits are free, so many distinct refs can
 * show the same page content.  This lets small inputs describe deep trees
 * (see gen_corpus.c).
 *
 * Checked: geometry invariants for raw and constrained parameters; the
 * walk never touches memory outside the pages it mapped; every map is
 * unmapped; and when the walk succeeds, rebuilding the directory from the
 * refs it returned reproduces every mapped page byte for byte (so the walk
 * read every used slot correctly and the tail really was zero), the
 * directory refs are pairwise distinct and, with NO_ZERO_REFS, non-zero.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hdmabuf_pgdir.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

#define FUZZ_MAX_PAGES	70000U
#define FUZZ_MAX_POOL	64U
#define FUZZ_HDR	16U
/* Enough directory pages for FUZZ_MAX_PAGES at rpp >= 128. */
#define FUZZ_MAX_DIR	600U

struct pool {
	uint8_t *pages;
	__u32 page_size;
	__u32 npool;
	__u64 maps, unmaps;
};

static int pool_map(void *ctx, __u64 ref, const void **page)
{
	struct pool *p = ctx;
	__u64 idx = ref & 0xffff;

	if (idx >= p->npool)
		return -ENOENT;
	*page = p->pages + idx * p->page_size;
	p->maps++;
	return 0;
}

static void pool_unmap(void *ctx, __u64 ref, const void *page)
{
	struct pool *p = ctx;

	CHECK(page == p->pages + (ref & 0xffff) * p->page_size);
	p->unmaps++;
}

static const struct hdmabuf_pgdir_walk_ops pool_ops = {
	.map = pool_map,
	.unmap = pool_unmap,
};

static __u64 get_le(const uint8_t *p, unsigned int n)
{
	__u64 v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void check_geom(const struct hdmabuf_pgdir_geom *g)
{
	__u64 sum = 0, rpp = g->refs_per_page, pw = 1;
	__u32 i;

	CHECK(g->levels >= 1 && g->levels <= HDMABUF_PGDIR_MAX_LEVELS);
	CHECK(g->level_pages[0] == g->nr_pages);
	CHECK(g->level_pages[g->levels] == 1);
	for (i = 1; i <= g->levels; i++) {
		CHECK(g->level_pages[i] ==
		      (g->level_pages[i - 1] + rpp - 1) / rpp);
		sum += g->level_pages[i];
		pw *= rpp;
	}
	CHECK(pw >= g->nr_pages);
	CHECK(g->total_pages == sum);
	CHECK((g->total_pages - g->levels) * (rpp - 1) <= g->nr_pages);
	CHECK(g->level_first[g->levels] == 0);
	CHECK(g->level_first[1] + g->level_pages[1] == g->total_pages);
}

/* Raw parameters: must be rejected cleanly or give a sane geometry. */
static void fuzz_geom_raw(const uint8_t *data, size_t size)
{
	struct hdmabuf_pgdir_geom g;
	uint8_t b[16] = { 0 };
	int ret;

	memcpy(b, data, size < sizeof(b) ? size : sizeof(b));
	ret = hdmabuf_pgdir_geom_init(&g, get_le(b, 8), (__u32)get_le(b + 8, 4),
				      (__u32)get_le(b + 12, 4));
	if (ret) {
		CHECK(ret == -EINVAL || ret == -ERANGE);
		CHECK(g.levels == 0 && g.total_pages == 0);
		return;
	}
	check_geom(&g);
}

static uint8_t pool_mem[FUZZ_MAX_POOL * 2048] __attribute__((aligned(64)));
static uint8_t rebuilt[FUZZ_MAX_DIR * 2048] __attribute__((aligned(64)));
static void *rebuilt_ptrs[FUZZ_MAX_DIR];
static __u64 dir_refs[FUZZ_MAX_DIR], scratch[FUZZ_MAX_DIR];
static __u64 data_refs[FUZZ_MAX_PAGES];
static __u64 page_refs[1024];

/* Per-page API on one pool page: check_page and read_refs agree. */
static void fuzz_one_page(const struct hdmabuf_pgdir_geom *g, struct pool *p,
			  __u32 level, __u64 index)
{
	__u32 count;
	int a, b;

	if (!p->npool)
		return;
	a = hdmabuf_pgdir_check_page(g, level, index, p->pages);
	b = hdmabuf_pgdir_read_refs(g, level, index, p->pages, page_refs);
	if (hdmabuf_pgdir_page_entries(g, level, index, NULL, &count)) {
		CHECK(a == -EINVAL && b == -EINVAL);
		return;
	}
	CHECK(count >= 1 && count <= g->refs_per_page);
	if (a) {
		CHECK(a == -EBADMSG && b == -EBADMSG);
	} else {
		CHECK(b == (int)count);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdmabuf_pgdir_geom g;
	struct pool p;
	__u32 cfg, ref_size, flags;
	__u64 n, root, i;
	int ret;

	fuzz_geom_raw(data, size);
	if (size < FUZZ_HDR)
		return 0;

	cfg = data[0];
	ref_size = (cfg & 1) ? 8 : 4;
	memset(&p, 0, sizeof(p));
	p.page_size = (cfg & 2) ? 2048 : 1024;
	flags = (cfg & 4) ? HDMABUF_PGDIR_WALK_NO_ZERO_REFS : 0;
	n = 1 + get_le(data + 1, 4) % FUZZ_MAX_PAGES;
	root = get_le(data + 5, 8);

	CHECK(hdmabuf_pgdir_geom_init(&g, n, ref_size, p.page_size) == 0);
	check_geom(&g);
	CHECK(g.total_pages <= FUZZ_MAX_DIR);

	p.npool = (__u32)((size - FUZZ_HDR) / p.page_size);
	if (p.npool > FUZZ_MAX_POOL)
		p.npool = FUZZ_MAX_POOL;
	memcpy(pool_mem, data + FUZZ_HDR, (size_t)p.npool * p.page_size);
	p.pages = pool_mem;

	fuzz_one_page(&g, &p, data[13] % (HDMABUF_PGDIR_MAX_LEVELS + 2),
		      get_le(data + 14, 2));

	ret = hdmabuf_pgdir_walk(&g, root, &pool_ops, &p, flags, dir_refs,
				 data_refs, scratch);
	CHECK(p.maps == p.unmaps);
	CHECK(p.maps <= g.total_pages);
	if (ret) {
		CHECK(ret == -ENOENT || ret == -EBADMSG);
		return 0;
	}
	CHECK(p.maps == g.total_pages);
	CHECK(dir_refs[0] == root);

	/* Distinct directory refs (scratch holds them sorted). */
	for (i = 1; i < g.total_pages; i++)
		CHECK(scratch[i - 1] < scratch[i]);
	if (flags) {
		for (i = 0; i < g.total_pages; i++)
			CHECK(dir_refs[i]);
		for (i = 0; i < n; i++)
			CHECK(data_refs[i]);
	}

	/* Rebuild from what the walk returned: must match the pool. */
	for (i = 0; i < g.total_pages; i++)
		rebuilt_ptrs[i] = rebuilt + i * p.page_size;
	CHECK(hdmabuf_pgdir_build(&g, rebuilt_ptrs, dir_refs, data_refs) == 0);
	for (i = 0; i < g.total_pages; i++)
		CHECK(!memcmp(rebuilt_ptrs[i],
			      p.pages + (dir_refs[i] & 0xffff) * p.page_size,
			      p.page_size));
	return 0;
}
