// SPDX-License-Identifier: GPL-2.0
/*
 * gen_corpus.c - seed inputs of fuzz_hdmabufd (layouts: fuzz_hdmabufd.c).
 *
 *   gen_corpus DIR
 *
 * tx seeds lay chains out in the fake guest like the Linux driver
 * (backends/virtio/vq.c) does: the header, the payload and the reply each
 * in a descriptor of their own; plus one-descriptor requests and hostile
 * chains.  Regenerate with "make corpus"; the files are committed.
 */
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vu_proto.h"

#define MEM	0x4000		/* the part of region 0 a tx seed sets */
#define R0_GPA	0x10000ull
#define R1_GPA	0x40000ull
#define DESC	0x0
#define AVAIL	0x1000
#define DATA	0x3000

static const char *dir;
static unsigned int nfiles;

static void put(const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	nfiles++;
}

/* ---- tx: [0] part 0, [1] log2 queue size, [2..] region 0 ---------------- */

static uint8_t tx[2 + MEM];
static unsigned int ndesc, navail;

static void tx_new(unsigned int log2num)
{
	memset(tx, 0, sizeof(tx));
	tx[0] = 0;
	tx[1] = (uint8_t)log2num;
	ndesc = navail = 0;
}

static uint8_t *mem(uint64_t off)
{
	return tx + 2 + off;
}

/* descriptor @i: gpa, len, flags, next */
static void desc(unsigned int i, uint64_t gpa, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	struct vring_desc d = { htole64(gpa), htole32(len), htole16(flags),
				htole16(next) };

	memcpy(mem(DESC + 16 * i), &d, sizeof(d));
}

static void avail(uint16_t head)
{
	uint16_t v = htole16(head);

	memcpy(mem(AVAIL + 4 + 2 * navail), &v, 2);
	navail++;
	v = htole16((uint16_t)navail);
	memcpy(mem(AVAIL + 2), &v, 2);
}

static void hdr_at(uint64_t off, uint32_t type, uint32_t peer, uint32_t len)
{
	struct virtio_dmabuf_hdr h = { htole32(type), htole32(peer), htole32(len), 0 };

	memcpy(mem(off), &h, sizeof(h));
}

/* the driver's layout: header, payload, reply in three descriptors */
static void linux_req(uint16_t first, uint64_t data, uint32_t type,
		      uint32_t peer, const void *pl, uint32_t len)
{
	hdr_at(data, type, peer, len);
	memcpy(mem(data + 0x100), pl, len);
	desc(first, R0_GPA + data, 16, VRING_DESC_F_NEXT, first + 1);
	desc(first + 1, R0_GPA + data + 0x100, len, VRING_DESC_F_NEXT, first + 2);
	desc(first + 2, R0_GPA + data + 0x200, 16, VRING_DESC_F_WRITE, 0);
	avail(first);
}

static void tx_put(const char *name)
{
	put(name, tx, sizeof(tx));
}

static void gen_tx(void)
{
	struct virtio_dmabuf_map m = { htole64(0x13), htole32(1), 1, 8, 0, 0, htole64(4) };
	struct virtio_dmabuf_unmap u = { htole64(0x5221000), htole64(16) };
	uint8_t msg[24] = { 0 };
	unsigned int i;

	tx_new(6);
	linux_req(0, DATA, VIRTIO_DMABUF_T_MSG, 2, msg, sizeof(msg));
	tx_put("tx_linux_msg");

	tx_new(6);
	linux_req(0, DATA, VIRTIO_DMABUF_T_MAP, 1, &m, sizeof(m));
	tx_put("tx_linux_map");

	/* what hvio_unmap() sends */
	tx_new(6);
	linux_req(0, DATA, VIRTIO_DMABUF_T_UNMAP, 0, &u, sizeof(u));
	tx_put("tx_linux_unmap");

	/* MSG, MAP, UNMAP back to back, descriptors reused like the driver */
	tx_new(6);
	linux_req(0, DATA, VIRTIO_DMABUF_T_MSG, 2, msg, sizeof(msg));
	linux_req(3, DATA + 0x400, VIRTIO_DMABUF_T_MAP, 1, &m, sizeof(m));
	linux_req(6, DATA + 0x800, VIRTIO_DMABUF_T_UNMAP, 0, &u, sizeof(u));
	tx_put("tx_linux_three");

	/* header and payload in one descriptor, reply split in two */
	tx_new(4);
	hdr_at(DATA, VIRTIO_DMABUF_T_UNMAP, 0, 16);
	memcpy(mem(DATA + 16), &u, 16);
	desc(0, R0_GPA + DATA, 32, VRING_DESC_F_NEXT, 1);
	desc(1, R0_GPA + DATA + 0x200, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	desc(2, R0_GPA + DATA + 0x300, 8, VRING_DESC_F_WRITE, 0);
	avail(0);
	tx_put("tx_one_desc_split_reply");

	/* hostile: UNMAP naming a peer, MAP one byte short */
	tx_new(6);
	linux_req(0, DATA, VIRTIO_DMABUF_T_UNMAP, 1, &u, sizeof(u));
	linux_req(3, DATA + 0x400, VIRTIO_DMABUF_T_MAP, 1, &m, sizeof(m) - 1);
	tx_put("tx_bad_payloads");

	/* hostile: a descriptor loop */
	tx_new(3);
	hdr_at(DATA, VIRTIO_DMABUF_T_MSG, 2, 0);
	desc(0, R0_GPA + DATA, 16, VRING_DESC_F_NEXT, 1);
	desc(1, R0_GPA + DATA, 16, VRING_DESC_F_NEXT, 0);
	avail(0);
	tx_put("tx_loop");

	/* hostile: INDIRECT, readable after writable, next out of range */
	tx_new(4);
	desc(0, R0_GPA + DATA, 16, VRING_DESC_F_INDIRECT, 0);
	avail(0);
	desc(1, R0_GPA + DATA + 0x200, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	desc(2, R0_GPA + DATA, 16, 0, 0);
	avail(1);
	desc(3, R0_GPA + DATA, 16, VRING_DESC_F_NEXT, 99);
	avail(3);
	tx_put("tx_bad_flags");

	/* hostile: addresses in the hole, across a region end, wrapping */
	tx_new(4);
	desc(0, 0x30000, 16, VRING_DESC_F_NEXT, 1);
	desc(1, R0_GPA + DATA + 0x200, 16, VRING_DESC_F_WRITE, 0);
	avail(0);
	desc(2, R1_GPA - 8, 16, VRING_DESC_F_NEXT, 3);
	desc(3, ~0ull - 7, 16, VRING_DESC_F_WRITE, 0);
	avail(2);
	tx_put("tx_bad_addresses");

	/* hostile: a chain through all 64 descriptors and back; a MSG above
	 * 4096 bytes */
	tx_new(6);
	for (i = 0; i < 64; i++)
		desc(i, R0_GPA + DATA, 16, VRING_DESC_F_NEXT, (uint16_t)((i + 1) % 64));
	avail(0);
	tx_put("tx_long_chain");
	tx_new(6);
	hdr_at(DATA, VIRTIO_DMABUF_T_MSG, 2, 4097);
	desc(0, R0_GPA + DATA, 4113, VRING_DESC_F_NEXT, 1);
	desc(1, R0_GPA + DATA, 16, VRING_DESC_F_WRITE, 0);
	avail(0);
	tx_put("tx_msg_too_long");

	/* hostile: head out of range; the available index jumping ahead */
	tx_new(2);
	avail(9);
	tx_put("tx_bad_head");
	tx_new(2);
	mem(AVAIL + 2)[0] = 200;
	tx_put("tx_avail_jump");
}

/* ---- pgdir: [0] 1, root, nr - 1, levels, dir_pages, region 0 (+1) ------ */

static uint8_t pg[1 + 17 + 0x20000];

static void pg_new(uint64_t root, uint32_t nr, uint8_t levels, uint32_t dir_pages)
{
	uint64_t r = htole64(root);
	uint32_t n = htole32(nr - 1), d = htole32(dir_pages);

	memset(pg, 0, sizeof(pg));
	pg[0] = 1;
	memcpy(pg + 1, &r, 8);
	memcpy(pg + 9, &n, 4);
	pg[13] = levels;
	memcpy(pg + 14, &d, 4);
}

/* ref slot @i of the directory page at guest frame @gfn */
static void ref(uint64_t gfn, unsigned int i, uint64_t v)
{
	uint64_t off = (gfn << 12) - (gfn << 12 >= R1_GPA ? R1_GPA - 0x10000 : R0_GPA);

	v = htole64(v);
	memcpy(pg + 18 + off + 8 * i, &v, 8);
}

static void gen_pgdir(void)
{
	unsigned int i;

	/* 4 contiguous pages: one run */
	pg_new(0x13, 4, 1, 1);
	for (i = 0; i < 4; i++)
		ref(0x13, i, 0x14 + i);
	put("pgdir_contiguous", pg, 18 + 0x4000);

	/* scattered over both regions, one page twice */
	pg_new(0x13, 5, 1, 1);
	ref(0x13, 0, 0x1f);
	ref(0x13, 1, 0x40);
	ref(0x13, 2, 0x41);
	ref(0x13, 3, 0x15);
	ref(0x13, 4, 0x15);
	put("pgdir_scattered", pg, 18 + 0x20000);

	/* a data page in the hole between the regions: -EFAULT */
	pg_new(0x13, 2, 1, 1);
	ref(0x13, 0, 0x14);
	ref(0x13, 1, 0x30);
	put("pgdir_hole", pg, 18 + 0x4000);

	/* non-zero tail after the last ref: -EBADMSG */
	pg_new(0x13, 2, 1, 1);
	ref(0x13, 0, 0x14);
	ref(0x13, 1, 0x15);
	ref(0x13, 7, 0x16);
	put("pgdir_dirty_tail", pg, 18 + 0x4000);

	/* two levels: 600 pages, root + 2 leaves */
	pg_new(0x11, 600, 2, 3);
	ref(0x11, 0, 0x12);
	ref(0x11, 1, 0x13);
	for (i = 0; i < 600; i++)
		ref(i < 512 ? 0x12 : 0x13, i % 512, 0x14 + i % 12);
	put("pgdir_two_levels", pg, 18 + 0x10000);

	/* two levels, the same leaf twice: -EBADMSG */
	ref(0x11, 1, 0x12);
	put("pgdir_two_levels_dup_leaf", pg, 18 + 0x10000);

	/* geometry that does not match nr_pages: -EINVAL */
	pg_new(0x13, 600, 1, 1);
	put("pgdir_bad_geometry", pg, 18 + 0x4000);
}

/* ---- vhost-user payloads: [0] 2, which, nfds, payload ------------------- */

static void gen_vu(void)
{
	uint8_t b[3 + sizeof(struct vu_memory)];
	struct vu_memory m;
	struct vu_config c;
	struct vu_hdr h = { VU_BACKEND_SHMEM_MAP, VU_VERSION | VU_FLAG_REPLY, 8 };
	uint32_t v;

	memset(&m, 0, sizeof(m));
	m.nregions = 2;
	m.regions[0] = (struct vu_region){ 0, 0x100000, 0x7f0000000000, 0 };
	m.regions[1] = (struct vu_region){ 0x100000000, 0x100000, 0x7f0000100000, 0x100000 };
	b[0] = 2; b[1] = 0; b[2] = 2;
	memcpy(b + 3, &m, 8 + 2 * 32);
	put("vu_mem_table", b, 3 + 8 + 2 * 32);
	m.regions[1].gpa = 0x80000;
	memcpy(b + 3, &m, 8 + 2 * 32);
	put("vu_mem_table_overlap", b, 3 + 8 + 2 * 32);

	memset(&c, 0, sizeof(c));
	c.offset = 0;
	c.size = 16;
	b[1] = 1; b[2] = 0;
	memcpy(b + 3, &c, VU_CONFIG_HDR_SIZE + 16);
	put("vu_config", b, 3 + VU_CONFIG_HDR_SIZE + 16);
	c.offset = 250;
	memcpy(b + 3, &c, VU_CONFIG_HDR_SIZE + 16);
	put("vu_config_past_end", b, 3 + VU_CONFIG_HDR_SIZE + 16);

	b[1] = 2;
	memset(b + 3, 0x41, 40);
	put("vu_vring_addr", b, 3 + 40);

	b[1] = 3;
	memcpy(b + 3, &h, sizeof(h));
	v = VU_BACKEND_SHMEM_MAP;
	memcpy(b + 3 + sizeof(h), &v, 4);
	put("vu_backend_ack", b, 3 + sizeof(h) + 4);

	b[1] = 4;
	v = 256;
	memcpy(b + 3, &v, 4);
	put("vu_vring_num", b, 3 + 4);

	b[1] = 5;
	memset(b + 3, 0, 32);
	b[3] = VIRTIO_DMABUF_T_UNMAP;
	b[3 + 8] = 16;
	put("vu_request_unmap", b, 3 + 32);
}

/* ---- allocator: [0] 3, u16 pages, (op, count) pairs --------------------- */

static void gen_alloc(void)
{
	static const uint8_t seq[] = {
		3, 63, 0,	/* 64 pages */
		0, 15, 0, 15, 0, 15, 1, 0, 0, 15, 0, 15, 3, 0, 0, 31, 0, 0,
	};

	put("alloc_cycle", seq, sizeof(seq));
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	gen_tx();
	gen_pgdir();
	gen_vu();
	gen_alloc();
	printf("%u seeds in %s\n", nfiles, dir);
	return 0;
}
