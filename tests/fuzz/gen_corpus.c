// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gen_corpus.c - write the seed corpora for fuzz_msg and fuzz_pgdir.
 *
 *   gen_corpus OUTDIR     (writes OUTDIR/fuzz_msg/ and OUTDIR/fuzz_pgdir/)
 *
 * fuzz_msg seeds: one valid message per opcode and direction plus a few
 * classic near-misses, each prefixed by the feature selector byte.
 * fuzz_pgdir seeds: real directories built with hdmabuf_pgdir_build(),
 * with identical pages stored once in the pool (refs differ only above
 * bit 16, see fuzz_pgdir.c), so even 3-level trees are a few KiB.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codec.h"

static const char *outdir;

static void write_file(const char *target, const char *name,
		       const void *a, size_t alen, const void *b, size_t blen)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s/%s", outdir, target, name) < 0)
		abort();
	f = fopen(path, "wb");
	if (!f || fwrite(a, 1, alen, f) != alen ||
	    (blen && fwrite(b, 1, blen, f) != blen) || fclose(f)) {
		perror(path);
		exit(1);
	}
	free(path);
}

/* ---- fuzz_msg ---- */

static void handle(uint8_t *h, uint8_t seed)
{
	int i;

	for (i = 0; i < HDMABUF_HANDLE_SIZE; i++)
		h[i] = (uint8_t)(seed * 31 + i);
}

static void desc(struct tdesc *t, uint64_t size, uint32_t first, uint8_t ref,
		 int typed)
{
	struct hdmabuf_export_desc d;
	struct hdmabuf_pgdir_geom g;

	memset(t, 0, sizeof(*t));
	memset(&d, 0, sizeof(d));
	if (hdmabuf_export_desc_set_layout(&d, size, first, ref, 0x42, &g))
		abort();
	handle(t->handle, 3);
	t->size = size;
	t->first_offset = first;
	t->ref_size = ref;
	t->nr_pages = le64_to_cpu(d.nr_pages);
	t->dir_root = 0x42;
	t->dir_levels = d.dir_levels;
	t->page_shift = d.page_shift;
	t->dir_pages = le32_to_cpu(d.dir_pages);
	if (typed) {
		t->access = HDMABUF_ACCESS_RW;
		t->fourcc = 0x3231564e;	/* NV12 */
		t->nr_planes = 2;
		t->width = 64;
		t->height = 32;
		t->plane_stride[0] = 64;
		t->plane_offset[1] = 64 * 32;
		t->plane_stride[1] = 64;
		t->opaque_len = 8;
		memcpy(t->opaque, "opaque!!", 8);
	}
}

static void msg(const char *name, uint8_t feat, const struct tmsg *m)
{
	uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	size_t len = tmsg_encode(m, buf);

	if (hdmabuf_msg_validate(buf, len, HDMABUF_FEAT_ALL, NULL) &&
	    !strstr(name, "bad")) {
		fprintf(stderr, "seed %s does not validate\n", name);
		exit(1);
	}
	write_file("fuzz_msg", name, &feat, 1, buf, len);
}

static void gen_msg(void)
{
	struct tmsg m;

#define NEW(op, fl, id)	do { memset(&m, 0, sizeof(m)); m.opcode = op; \
			     m.flags = fl; m.req_id = id; } while (0)
	NEW(HDMABUF_OP_HELLO, HDMABUF_MSG_F_NEED_REPLY, 1);
	m.vmin = 1; m.vmax = 1; m.features = HDMABUF_FEAT_SUPPORTED;
	m.sender_id = 1;
	msg("hello_req", 0, &m);
	m.flags = HDMABUF_MSG_F_REPLY;
	msg("hello_reply", 0, &m);
	NEW(HDMABUF_OP_HELLO, HDMABUF_MSG_F_REPLY, 1);
	m.status = HDMABUF_ERR_EPROTO;
	msg("hello_refuse", 0, &m);
	NEW(HDMABUF_OP_BYE, 0, 0);
	m.reason = HDMABUF_BYE_SHUTDOWN;
	msg("bye", 0, &m);
	NEW(HDMABUF_OP_ERROR, 0, 0);
	m.err_status = HDMABUF_ERR_EOPNOTSUPP;
	m.bad_opcode = 0x8000;
	m.bad_req_id = 5;
	msg("error", 0, &m);
	NEW(HDMABUF_OP_EXPORT_ANNOUNCE, 0, 0);
	desc(&m.desc, 64 * 32 * 2, 0, 4, 1);
	msg("announce_typed", 0, &m);
	desc(&m.desc, 8 << 20, 0, 4, 0);
	msg("announce_8mib", 0, &m);
	desc(&m.desc, 1ULL << 36, 0, 8, 0);
	msg("announce_64gib", 0, &m);
	desc(&m.desc, 5000, 4000, 8, 0);
	msg("announce_offset", 0, &m);
	NEW(HDMABUF_OP_IMPORT, HDMABUF_MSG_F_NEED_REPLY, 7);
	handle(m.handle, 3);
	msg("import_req", 0, &m);
	NEW(HDMABUF_OP_IMPORT, HDMABUF_MSG_F_REPLY, 7);
	desc(&m.desc, 64 * 32 * 2, 100, 4, 1);
	msg("import_accept", 0, &m);
	NEW(HDMABUF_OP_IMPORT, HDMABUF_MSG_F_REPLY, 7);
	m.status = HDMABUF_ERR_ENOENT;
	msg("import_refuse", 0, &m);
	NEW(HDMABUF_OP_RELEASE, 0, 0);
	handle(m.handle, 3);
	msg("release", 0, &m);
	NEW(HDMABUF_OP_UNEXPORT, 0, 0);
	handle(m.handle, 3);
	m.arg0 = HDMABUF_UNEXPORT_WAIT;
	msg("unexport_wait", 0, &m);
	m.flags = HDMABUF_MSG_F_NEED_REPLY;
	m.req_id = 9;
	m.arg0 = HDMABUF_UNEXPORT_REVOKE;
	msg("unexport_revoke", HDMABUF_FEAT_REVOKE, &m);
	NEW(HDMABUF_OP_UNEXPORT, HDMABUF_MSG_F_REPLY, 9);
	msg("unexport_reply", 0, &m);
	NEW(HDMABUF_OP_CPU_ACCESS, HDMABUF_MSG_F_NEED_REPLY, 11);
	handle(m.handle, 3);
	m.arg0 = HDMABUF_CPU_ACCESS_BEGIN;
	m.arg1 = HDMABUF_DIR_BIDIRECTIONAL;
	msg("cpu_begin", HDMABUF_FEAT_CPU_ACCESS, &m);
	NEW(HDMABUF_OP_CPU_ACCESS, HDMABUF_MSG_F_REPLY, 11);
	msg("cpu_reply", HDMABUF_FEAT_CPU_ACCESS | 0x80, &m);
	NEW(HDMABUF_OP_FENCE_ATTACH, 0, 0);
	handle(m.handle, 3);
	m.seqno = 1;
	msg("fence_attach", 7, &m);
	m.opcode = HDMABUF_OP_FENCE_SIGNAL;
	msg("fence_signal_not_negotiated_bad", 3, &m);
	NEW(HDMABUF_OP_BYE, HDMABUF_MSG_F_NEED_REPLY, 0);
	msg("bye_need_reply_bad", 0, &m);
#undef NEW
}

/* ---- fuzz_pgdir ---- */

#define PG_MAX_POOL	64

static uint8_t pool[PG_MAX_POOL][2048] __attribute__((aligned(8)));

/*
 * Build the directory bottom-up, storing each distinct page content once.
 * @tail_poke: if set, dirty the tail of the last pool page (invalid seed).
 */
static void pgdir_seed(const char *name, uint8_t cfg, uint64_t n,
		       int distinct_data, int tail_poke)
{
	uint32_t ref = (cfg & 1) ? 8 : 4, psz = (cfg & 2) ? 2048 : 1024;
	struct hdmabuf_pgdir_geom g;
	uint8_t hdr[16], page[2048];
	__u64 *data, *dir, idx, first;
	unsigned int npool = 0, p, counter = 1;
	uint32_t level;
	int i;

	if (hdmabuf_pgdir_geom_init(&g, n, ref, psz))
		abort();
	data = calloc(n, sizeof(*data));
	dir = calloc(g.total_pages, sizeof(*dir));
	if (!data || !dir)
		abort();
	for (idx = 0; idx < n; idx++)
		data[idx] = distinct_data ? 0x1000 + idx : 0x1234;

	for (level = 1; level <= g.levels; level++) {
		for (idx = 0; idx < g.level_pages[level]; idx++) {
			first = idx << g.rpp_shift;
			if (hdmabuf_pgdir_fill_page(&g, level, idx, page,
				level == 1 ? data + first :
				dir + g.level_first[level - 1] + first))
				abort();
			for (p = 0; p < npool; p++)
				if (!memcmp(pool[p], page, psz))
					break;
			if (p == npool) {
				if (npool == PG_MAX_POOL)
					abort();
				memcpy(pool[npool++], page, psz);
			}
			dir[hdmabuf_pgdir_flat_index(&g, level, idx)] =
				p | (__u64)counter++ << 16;
		}
	}
	if (tail_poke)
		pool[npool - 1][psz - 1] = 1;

	memset(hdr, 0, sizeof(hdr));
	hdr[0] = cfg;
	for (i = 0; i < 4; i++)
		hdr[1 + i] = (uint8_t)((n - 1) >> (8 * i));
	for (i = 0; i < 8; i++)
		hdr[5 + i] = (uint8_t)(dir[0] >> (8 * i));
	hdr[13] = 1;	/* per-page check: a leaf */
	/* Pack the pool: pages are psz apart in the input. */
	for (p = 1; p < npool; p++)
		memmove((uint8_t *)pool + p * psz, pool[p], psz);
	write_file("fuzz_pgdir", name, hdr, sizeof(hdr), pool, npool * psz);
	free(data);
	free(dir);
}

static void gen_pgdir(void)
{
	pgdir_seed("one_page_r4", 0, 1, 1, 0);
	pgdir_seed("two_level_r4_600", 0, 600, 1, 0);
	pgdir_seed("two_level_r8_p2048_300", 3, 300, 1, 0);
	pgdir_seed("three_level_r8_16385", 1, 16385, 0, 0);
	pgdir_seed("three_level_r4_65537", 0, 65537, 0, 0);
	pgdir_seed("three_level_r8_p2048_nozero_70000", 7, 70000, 0, 0);
	pgdir_seed("two_level_r4_tail_bad", 0, 300, 1, 1);
}

int main(int argc, char **argv)
{
	char *d;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	if (asprintf(&d, "%s/fuzz_msg", outdir) < 0)
		return 1;
	mkdir(d, 0755);
	free(d);
	if (asprintf(&d, "%s/fuzz_pgdir", outdir) < 0)
		return 1;
	mkdir(d, 0755);
	free(d);
	gen_msg();
	gen_pgdir();
	return 0;
}
