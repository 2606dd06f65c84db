// SPDX-License-Identifier: GPL-2.0
/*
 * test_units.c - hyper_dmabufd's parsers against crafted hostile input:
 * memory tables, guest address translation, descriptor chains, page
 * directories, the region allocator and the message payload checks.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "guestmem_fake.h"
/* the guest driver's view of the protocol, checked against ours */
#include "../../../backends/virtio/hvio_proto.h"
#include "hdmabuf_pgdir.h"
#include "pgdir_xlate.h"
#include "shm_alloc.h"
#include "tap.h"
#include "vring.h"
#include "vu_parse.h"

#define MiB (1ull << 20)

static void test_mem_table(void)
{
	struct vu_region out[VU_MAX_REGIONS];
	struct vu_memory m;

	memset(&m, 0, sizeof(m));
	m.nregions = 2;
	m.regions[0] = (struct vu_region){ 0, 16 * MiB, 0x7f0000000000, 0 };
	m.regions[1] = (struct vu_region){ 1ull << 32, 16 * MiB, 0x7f1000000000, 16 * MiB };
	CHECK(gm_parse_table(&m, 8 + 2 * 32, 2, out) == 2, "mem table: 2 regions accepted");
	CHECK(gm_parse_table(&m, 8 + 2 * 32, 1, out) == -EINVAL, "mem table: fd count != region count");
	CHECK(gm_parse_table(&m, 8 + 32, 2, out) == -EINVAL, "mem table: payload shorter than the regions");
	CHECK(gm_parse_table(&m, 4, 2, out) == -EINVAL, "mem table: payload shorter than the header");
	CHECK(gm_parse_table(&m, sizeof(m) + 8, 2, out) == -EINVAL, "mem table: oversized payload");
	m.nregions = 0;
	CHECK(gm_parse_table(&m, 8, 0, out) == -EINVAL, "mem table: 0 regions");
	m.nregions = 9;
	CHECK(gm_parse_table(&m, sizeof(m), 9, out) == -EINVAL, "mem table: 9 regions");
	m.nregions = 2;
	m.regions[1].gpa = 8 * MiB;
	CHECK(gm_parse_table(&m, 8 + 64, 2, out) == -EINVAL, "mem table: overlapping guest addresses");
	m.regions[1].gpa = 1ull << 32;
	m.regions[1].uaddr = m.regions[0].uaddr + 4096;
	CHECK(gm_parse_table(&m, 8 + 64, 2, out) == -EINVAL, "mem table: overlapping user addresses");
	m.regions[1].uaddr = 0x7f1000000000;
	m.regions[1].gpa = ~0ull - 4095;
	CHECK(gm_parse_table(&m, 8 + 64, 2, out) == -EINVAL, "mem table: region wraps around");
	m.regions[1].gpa = (1ull << 32) + 512;
	CHECK(gm_parse_table(&m, 8 + 64, 2, out) == -EINVAL, "mem table: unaligned region");
	m.regions[1].gpa = 1ull << 32;
	m.regions[1].size = 0;
	CHECK(gm_parse_table(&m, 8 + 64, 2, out) == -EINVAL, "mem table: empty region");
	m.regions[1].size = 16 * MiB;
	m.regions[1].mmap_offset = ~0ull - 4095;
	CHECK(gm_parse_table(&m, 8 + 64, 2, out) == -EINVAL, "mem table: mmap offset wraps");
}

static void test_translate(void)
{
	struct guestmem gm;
	uint8_t *rw;
	uint64_t gpa;
	struct vu_region r = { 0, 1 * MiB, 0x1000000, 0 };
	int fd;

	CHECK(!fake_mem(&gm, 1 * MiB, 1 * MiB, 0x5000000, &rw), "fake guest memory");
	CHECK(gm_ptr(&gm, 1 * MiB, 1 * MiB) != NULL, "translate: whole region");
	CHECK(gm_ptr(&gm, 2 * MiB - 1, 1) != NULL, "translate: last byte");
	CHECK(gm_ptr(&gm, 2 * MiB - 1, 2) == NULL, "translate: one byte past the end");
	CHECK(gm_ptr(&gm, 1 * MiB - 1, 2) == NULL, "translate: one byte before the start");
	CHECK(gm_ptr(&gm, 1 * MiB, 0) == NULL, "translate: zero length");
	CHECK(gm_ptr(&gm, ~0ull, 2) == NULL, "translate: wrapping range");
	CHECK(gm_ptr(&gm, 1 * MiB + 8, ~0ull) == NULL, "translate: huge length");
	CHECK(!gm_uaddr_to_gpa(&gm, 0x5000000 + 4096, 4096, &gpa) && gpa == 1 * MiB + 4096,
	      "user address -> guest physical");
	CHECK(gm_uaddr_to_gpa(&gm, 0x5000000 + MiB - 8, 16, &gpa) == -EFAULT,
	      "user address range crossing the end refused");
	CHECK(!gm_write(&gm, 1 * MiB + 100, "abc", 3) && !memcmp(rw + 100, "abc", 3),
	      "write lands in guest memory");
	CHECK(gm_write(&gm, 2 * MiB - 2, "abc", 3) == -EFAULT, "write past the end refused");
	{
		struct vu_region add = { 8 * MiB, 64 * 1024, 0x9000000, 0 };
		int f2 = memfd_create("add", MFD_CLOEXEC);

		CHECK(f2 >= 0 && !ftruncate(f2, 64 * 1024), "memfd for ADD_MEM_REG");
		CHECK(!gm_add(&gm, &add, f2) && gm.n == 2 && gm_ptr(&gm, 8 * MiB + 4096, 4096),
		      "ADD_MEM_REG: region added and translated");
		add.gpa = 8 * MiB + 4096;
		add.uaddr = 0xa000000;
		CHECK(gm_add(&gm, &add, f2) == -EINVAL, "ADD_MEM_REG overlapping guest addresses refused");
		add.gpa = 16 * MiB;
		add.uaddr = 0x9000000 + 4096;
		CHECK(gm_add(&gm, &add, f2) == -EINVAL, "ADD_MEM_REG overlapping user addresses refused");
		add.uaddr = 0x9000000;
		CHECK(gm_remove(&gm, &add) == -ENOENT, "REM_MEM_REG of an unknown region refused");
		add.gpa = 8 * MiB;
		CHECK(!gm_remove(&gm, &add) && gm.n == 1 && !gm_ptr(&gm, 8 * MiB, 1),
		      "REM_MEM_REG: region gone");
	}
	gm_clear(&gm);
	/* a file shorter than the region it claims to back */
	fd = memfd_create("short", MFD_CLOEXEC);
	CHECK(fd >= 0 && !ftruncate(fd, 4096) && gm_set(&gm, &r, 1, &fd) == -EINVAL,
	      "region larger than its file refused (would SIGBUS)");
	close(fd);
}

/* ring layout in a 1 MiB guest at gpa 0, user address = gpa + UA */
#define UA 0x10000000ull
#define DESC 0x1000
#define AVAIL 0x2000
#define USED 0x3000
#define NUM 8

struct ringenv {
	struct guestmem gm;
	uint8_t *mem;
	struct vring vr;
	uint16_t avail_idx;
};

static struct vring_desc *desc(struct ringenv *e, unsigned int i)
{
	return (struct vring_desc *)(e->mem + DESC) + i;
}

static void setd(struct ringenv *e, unsigned int i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	*desc(e, i) = (struct vring_desc){ htole64(addr), htole32(len),
					   htole16(flags), htole16(next) };
}

static void post(struct ringenv *e, uint16_t head)
{
	uint16_t *avail = (uint16_t *)(e->mem + AVAIL);

	avail[2 + e->avail_idx % NUM] = htole16(head);
	e->avail_idx++;
	avail[1] = htole16(e->avail_idx);
}

static int ring_setup(struct ringenv *e)
{
	memset(e, 0, sizeof(*e));
	if (fake_mem(&e->gm, 0, 1 * MiB, UA, &e->mem))
		return -1;
	vring_init(&e->vr);
	e->vr.num = NUM;
	e->vr.desc_ua = UA + DESC;
	e->vr.avail_ua = UA + AVAIL;
	e->vr.used_ua = UA + USED;
	e->vr.addr_set = true;
	return vring_attach(&e->vr, &e->gm);
}

static int pop_walk(struct ringenv *e, struct vchain *c, uint64_t max_rd)
{
	uint16_t head;
	int r = vring_pop(&e->vr, &e->gm, &head);

	if (r != 1)
		return r < 0 ? r : -ENOENT;
	return vring_walk(&e->vr, &e->gm, head, max_rd, c);
}

static void test_vring(void)
{
	struct ringenv e;
	struct vchain c;
	uint8_t buf[64];
	uint16_t head;

	CHECK(!ring_setup(&e), "vring: attach inside guest memory");
	/* a good chain: 2 readable + 1 writable */
	setd(&e, 0, 0x10000, 16, VRING_DESC_F_NEXT, 5);
	setd(&e, 5, 0x20000, 8, VRING_DESC_F_NEXT, 2);
	setd(&e, 2, 0x30000, 16, VRING_DESC_F_WRITE, 0);
	memcpy(e.mem + 0x10000, "0123456789abcdef", 16);
	memcpy(e.mem + 0x20000, "ABCDEFGH", 8);
	post(&e, 0);
	CHECK(!pop_walk(&e, &c, 4112) && c.nrd == 2 && c.rd_len == 24 && c.nwr == 1 &&
	      c.wr_len == 16, "vring: chain split into readable and writable parts");
	CHECK(!vchain_read(&e.gm, &c, buf, sizeof(buf)) &&
	      !memcmp(buf, "0123456789abcdefABCDEFGH", 24), "vring: readable part copied in order");
	CHECK(vchain_write(&e.gm, &c, buf, 17) == -ENOSPC, "vring: write beyond the writable part refused");
	CHECK(!vchain_write(&e.gm, &c, "reply-reply-1234", 16) &&
	      !memcmp(e.mem + 0x30000, "reply-reply-1234", 16), "vring: reply written");
	CHECK(!vring_push(&e.vr, &e.gm, 0, 16) &&
	      le16toh(((uint16_t *)(e.mem + USED))[1]) == 1 &&
	      le32toh(((uint32_t *)(e.mem + USED + 4))[0]) == 0 &&
	      le32toh(((uint32_t *)(e.mem + USED + 4))[1]) == 16, "vring: used element and index");

	setd(&e, 1, 0x10000, 16, VRING_DESC_F_NEXT, 1);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: self-loop refused");
	setd(&e, 1, 0x10000, 16, VRING_DESC_F_NEXT, 3);
	setd(&e, 3, 0x10000, 16, VRING_DESC_F_NEXT, 1);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 1 << 20) == -EINVAL, "vring: two-descriptor loop refused");
	setd(&e, 1, 0x10000, 16, VRING_DESC_F_NEXT, NUM);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: next index out of range refused");
	setd(&e, 1, 0x10000, 16, VRING_DESC_F_INDIRECT, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: indirect descriptor refused");
	setd(&e, 1, 0x30000, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
	setd(&e, 3, 0x10000, 16, 0, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: readable after writable refused");
	setd(&e, 1, 1 * MiB - 8, 16, 0, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: buffer crossing the end of memory refused");
	setd(&e, 1, 64 * MiB, 16, VRING_DESC_F_WRITE, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: buffer outside guest memory refused");
	setd(&e, 1, ~0ull - 7, 16, 0, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: wrapping buffer address refused");
	setd(&e, 1, 0x10000, 4113, 0, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: readable part above the limit refused");
	setd(&e, 1, 0x10000, 0xffffffff, VRING_DESC_F_WRITE, 0);
	post(&e, 1);
	CHECK(pop_walk(&e, &c, 4112) == -EINVAL, "vring: 4 GiB descriptor refused");

	/* the head itself out of range: the ring is broken from then on */
	post(&e, NUM + 3);
	CHECK(vring_pop(&e.vr, &e.gm, &head) == -EPROTO, "vring: head index out of range breaks the ring");
	CHECK(vring_pop(&e.vr, &e.gm, &head) == -EPROTO, "vring: a broken ring stays broken");
	CHECK(!vring_attach(&e.vr, &e.gm), "vring: re-attach clears broken");
	e.vr.last_avail = e.avail_idx;
	((uint16_t *)(e.mem + AVAIL))[1] = htole16(e.avail_idx + NUM + 1);
	CHECK(vring_pop(&e.vr, &e.gm, &head) == -EPROTO, "vring: avail index jumping by > size breaks the ring");

	/* ring addresses outside memory or misaligned */
	e.vr.used_ua = UA + 1 * MiB - 8;
	CHECK(vring_attach(&e.vr, &e.gm) == -EFAULT, "vring: used ring crossing the end of memory refused");
	e.vr.used_ua = UA + USED + 2;
	CHECK(vring_attach(&e.vr, &e.gm) == -EINVAL, "vring: misaligned used ring refused");
	e.vr.used_ua = 0x1234000;
	CHECK(vring_attach(&e.vr, &e.gm) == -EFAULT, "vring: ring at an unknown user address refused");
	gm_clear(&e.gm);
}

/* page directories: data and directory pages at GFNs in a 16 MiB guest */
static void put_ref(uint8_t *mem, uint64_t page_gfn, unsigned int slot, uint64_t ref)
{
	uint64_t v = htole64(ref);

	memcpy(mem + page_gfn * 4096 + slot * 8, &v, 8);
}

static void test_pgdir(void)
{
	struct guestmem gm;
	struct xlate_run *runs;
	size_t n;
	uint8_t *mem;
	unsigned int i;
	int ok;

	CHECK(!fake_mem(&gm, 0, 16 * MiB, 0x40000000, &mem), "pgdir: fake exporter memory");
	/* 1 level, 4 pages: 100,101,102 contiguous then 200 */
	put_ref(mem, 10, 0, 100);
	put_ref(mem, 10, 1, 101);
	put_ref(mem, 10, 2, 102);
	put_ref(mem, 10, 3, 200);
	CHECK(!pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) && n == 2 &&
	      runs[0].fd_offset == 100 * 4096 && runs[0].npages == 3 && runs[0].page == 0 &&
	      runs[1].fd_offset == 200 * 4096 && runs[1].npages == 1 && runs[1].page == 3,
	      "pgdir: 4 pages -> 2 coalesced runs");
	free(runs);
	CHECK(pgdir_translate(&gm, 10, 4, 1, 2, &runs, &n) == -EINVAL, "pgdir: wrong level count refused");
	CHECK(pgdir_translate(&gm, 10, 4, 2, 1, &runs, &n) == -EINVAL, "pgdir: wrong directory page count refused");
	CHECK(pgdir_translate(&gm, 10, 0, 1, 1, &runs, &n) == -EINVAL, "pgdir: 0 pages refused");
	put_ref(mem, 10, 4, 300);
	CHECK(pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) == -EBADMSG, "pgdir: non-zero tail refused");
	put_ref(mem, 10, 4, 0);
	put_ref(mem, 10, 2, 0);
	CHECK(pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) == -EBADMSG, "pgdir: zero data ref refused");
	put_ref(mem, 10, 2, 16 * MiB / 4096);
	CHECK(pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) == -EFAULT, "pgdir: data GFN past guest memory refused");
	put_ref(mem, 10, 2, 1ull << 60);
	CHECK(pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) == -EFAULT, "pgdir: GFN overflowing 64 bits refused");
	put_ref(mem, 10, 2, 102);
	CHECK(pgdir_translate(&gm, 16 * MiB / 4096, 4, 1, 1, &runs, &n) == -EFAULT, "pgdir: root outside guest memory refused");
	CHECK(pgdir_translate(&gm, 0, 4, 1, 1, &runs, &n) == -EBADMSG, "pgdir: zero root refused");

	/* 2 levels: 600 pages at GFN 1000.. contiguous -> 1 run */
	put_ref(mem, 20, 0, 21);
	put_ref(mem, 20, 1, 22);
	for (i = 0; i < 600; i++)
		put_ref(mem, i < 512 ? 21 : 22, i % 512, 1000 + i);
	ok = !pgdir_translate(&gm, 20, 600, 3, 2, &runs, &n) && n == 1 &&
	     runs[0].npages == 600 && runs[0].fd_offset == 1000ull * 4096;
	CHECK(ok, "pgdir: 2-level directory of 600 contiguous pages -> 1 run");
	if (ok)
		free(runs);
	/* a leaf listed twice (directory cycle) */
	put_ref(mem, 20, 1, 21);
	CHECK(pgdir_translate(&gm, 20, 600, 3, 2, &runs, &n) == -EBADMSG,
	      "pgdir: duplicate directory page refused");
	/* the root pointing at itself as a leaf */
	put_ref(mem, 20, 1, 20);
	CHECK(pgdir_translate(&gm, 20, 600, 3, 2, &runs, &n) == -EBADMSG,
	      "pgdir: root reused as a leaf refused");
	/*
	 * Pages another guest's memory mapped into this guest's shm region
	 * (a region added while the device ran) cannot be exported again.
	 */
	put_ref(mem, 10, 2, 102);
	CHECK(!pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n), "pgdir: own pages translate");
	free(runs);
	gm.r[0].shm = 1;
	CHECK(pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) == -EFAULT,
	      "pgdir: directory in a mapped (shm) region refused");
	gm.r[0].shm = 0;
	{
		struct vu_region shm = { 64 * MiB, 1 * MiB, 0x80000000, 0 };
		int fd = memfd_create("shm-mapping", MFD_CLOEXEC);

		CHECK(fd >= 0 && !ftruncate(fd, 1 * MiB) && !gm_add(&gm, &shm, fd),
		      "pgdir: a mapping added to the table");
		gm.r[gm.n - 1].shm = 1;
		put_ref(mem, 10, 3, 64 * MiB / 4096);
		CHECK(pgdir_translate(&gm, 10, 4, 1, 1, &runs, &n) == -EFAULT,
		      "pgdir: data page in a mapped (shm) region refused");
	}
	gm_clear(&gm);
}

static void test_shm_alloc(void)
{
	struct shm_alloc a;
	int64_t x, y, z;

	CHECK(!shm_alloc_init(&a, 16), "shm: 16-page region");
	x = shm_alloc_get(&a, 4);
	y = shm_alloc_get(&a, 8);
	CHECK(x == 0 && y == 4, "shm: consecutive allocations");
	CHECK(shm_alloc_get(&a, 5) == -ENOSPC, "shm: exhaustion refused");
	CHECK(!shm_alloc_put(&a, (uint64_t)x, 4), "shm: free");
	CHECK(shm_alloc_put(&a, (uint64_t)x, 4) == -EINVAL, "shm: double free refused");
	CHECK(shm_alloc_put(&a, 14, 4) == -EINVAL, "shm: free past the end refused");
	z = shm_alloc_get(&a, 4);
	CHECK(z == 12, "shm: next fit (freed range reused late)");
	CHECK(shm_alloc_get(&a, 4) == 0, "shm: wraps around to the freed range");
	CHECK(shm_alloc_get(&a, 0) == -ENOSPC, "shm: 0 pages refused");
	shm_alloc_reset(&a);
	CHECK(shm_alloc_get(&a, 16) == 0, "shm: reset frees everything");
	shm_alloc_fini(&a);
}

static void test_parse(void)
{
	struct vu_config c;
	struct virtio_dmabuf_hdr h;
	struct virtio_dmabuf_map m, mp;
	struct virtio_dmabuf_unmap u;
	uint8_t buf[4200];
	struct vu_hdr vh;
	uint64_t v;

	memset(&c, 0, sizeof(c));
	c.size = 16;
	CHECK(!vu_parse_config_req(&c, 12 + 16, &c), "config: offset 0 size 16");
	c.size = 16;
	CHECK(vu_parse_config_req(&c, 12 + 15, &c) == -EINVAL, "config: size field != payload refused");
	c.offset = 250;
	c.size = 16;
	CHECK(vu_parse_config_req(&c, 12 + 16, &c) == -EINVAL, "config: offset + size > 256 refused");
	c.offset = 0xfffffff0;
	CHECK(vu_parse_config_req(&c, 12 + 16, &c) == -EINVAL, "config: wrapping offset refused");
	CHECK(vu_parse_config_req(&c, 8, &c) == -EINVAL, "config: short header refused");
	CHECK(vu_parse_u64(&v, 7, &v) == -EINVAL, "u64 payload of 7 bytes refused");
	CHECK(!vu_check_vring_num(256) && vu_check_vring_num(0) && vu_check_vring_num(3) &&
	      vu_check_vring_num(65536), "vring sizes: power of two in [1, 32768]");
	vh = (struct vu_hdr){ VU_BACKEND_SHMEM_MAP, VU_VERSION | VU_FLAG_REPLY, 8 };
	CHECK(!vu_parse_backend_ack(&vh, VU_BACKEND_SHMEM_MAP), "backend ack accepted");
	CHECK(vu_parse_backend_ack(&vh, VU_BACKEND_SHMEM_UNMAP) == -EINVAL, "backend ack for another request refused");
	vh.flags = VU_VERSION;
	CHECK(vu_parse_backend_ack(&vh, VU_BACKEND_SHMEM_MAP) == -EINVAL, "backend ack without REPLY refused");

	memset(buf, 0, sizeof(buf));
	h = (struct virtio_dmabuf_hdr){ htole32(VIRTIO_DMABUF_T_MSG), htole32(2), htole32(24), 0 };
	memcpy(buf, &h, 16);
	CHECK(vdev_parse_req(buf, 40, &h) == VIRTIO_DMABUF_T_MSG && h.peer == 2, "request: MSG");
	CHECK(vdev_parse_req(buf, 41, &h) == -EINVAL, "request: len != bytes received refused");
	CHECK(vdev_parse_req(buf, 12, &h) == -EINVAL, "request: shorter than the header refused");
	((uint32_t *)buf)[3] = htole32(1);
	CHECK(vdev_parse_req(buf, 40, &h) == -EINVAL, "request: reserved != 0 refused");
	((uint32_t *)buf)[3] = 0;
	((uint32_t *)buf)[2] = htole32(4097);
	CHECK(vdev_parse_req(buf, 16 + 4097, &h) == -EINVAL, "request: MSG above 4096 bytes refused");
	((uint32_t *)buf)[2] = 0;
	CHECK(vdev_parse_req(buf, 16, &h) == -EINVAL, "request: empty MSG refused");
	((uint32_t *)buf)[0] = htole32(9);
	((uint32_t *)buf)[2] = htole32(24);
	CHECK(vdev_parse_req(buf, 40, &h) == -EINVAL, "request: unknown type refused");
	((uint32_t *)buf)[0] = htole32(VIRTIO_DMABUF_T_UNMAP);
	((uint32_t *)buf)[2] = htole32(16);
	CHECK(vdev_parse_req(buf, 32, &h) == -EINVAL, "request: UNMAP naming a peer refused");
	((uint32_t *)buf)[1] = 0;
	CHECK(vdev_parse_req(buf, 32, &h) == VIRTIO_DMABUF_T_UNMAP && h.len == 16,
	      "request: UNMAP with peer 0 accepted");
	CHECK(vdev_parse_req(buf, 40, &h) == -EINVAL, "request: UNMAP with 24 payload bytes refused");

	m = (struct virtio_dmabuf_map){ htole64(10), htole32(1), 1, 8, 1, 0, htole64(4) };
	CHECK(!vdev_parse_map(&m, sizeof(m), 100, &mp) && mp.nr_pages == 4 && mp.dir_root == 10,
	      "map payload accepted");
	mp = m; mp.ref_size = 4;
	CHECK(vdev_parse_map(&mp, sizeof(mp), 100, &mp) == -EINVAL, "map: 4-byte refs refused");
	mp = m; mp.rw = 2;
	CHECK(vdev_parse_map(&mp, sizeof(mp), 100, &mp) == -EINVAL, "map: rw = 2 refused");
	mp = m; mp.pad = 1;
	CHECK(vdev_parse_map(&mp, sizeof(mp), 100, &mp) == -EINVAL, "map: pad != 0 refused");
	mp = m; mp.nr_pages = htole64(101);
	CHECK(vdev_parse_map(&mp, sizeof(mp), 100, &mp) == -EINVAL, "map: more pages than the region refused");
	mp = m; mp.nr_pages = 0;
	CHECK(vdev_parse_map(&mp, sizeof(mp), 100, &mp) == -EINVAL, "map: 0 pages refused");
	u = (struct virtio_dmabuf_unmap){ htole64(4097), htole64(1) };
	CHECK(vdev_parse_unmap(&u, sizeof(u), &u) == -EINVAL, "unmap: unaligned offset refused");
}

/*
 * The driver (backends/virtio/hvio_proto.h) and the daemon (vu_proto.h)
 * each have their copy of the device protocol: the layouts must agree.
 */
#define SAME_FIELD(a, fa, b, fb) \
	_Static_assert(offsetof(struct a, fa) == offsetof(struct b, fb) && \
		       sizeof(((struct a *)0)->fa) == sizeof(((struct b *)0)->fb), \
		       #a "." #fa)
SAME_FIELD(hvio_req_hdr, type, virtio_dmabuf_hdr, type);
SAME_FIELD(hvio_req_hdr, peer, virtio_dmabuf_hdr, peer);
SAME_FIELD(hvio_req_hdr, len, virtio_dmabuf_hdr, len);
SAME_FIELD(hvio_req_hdr, reserved, virtio_dmabuf_hdr, reserved);
SAME_FIELD(hvio_resp, status, virtio_dmabuf_reply, status);
SAME_FIELD(hvio_resp, value, virtio_dmabuf_reply, value);
SAME_FIELD(hvio_map_req, dir_root, virtio_dmabuf_map, dir_root);
SAME_FIELD(hvio_map_req, dir_pages, virtio_dmabuf_map, dir_pages);
SAME_FIELD(hvio_map_req, levels, virtio_dmabuf_map, levels);
SAME_FIELD(hvio_map_req, ref_size, virtio_dmabuf_map, ref_size);
SAME_FIELD(hvio_map_req, rw, virtio_dmabuf_map, rw);
SAME_FIELD(hvio_map_req, pad, virtio_dmabuf_map, pad);
SAME_FIELD(hvio_map_req, nr_pages, virtio_dmabuf_map, nr_pages);
SAME_FIELD(hvio_unmap_req, shm_offset, virtio_dmabuf_unmap, shm_offset);
SAME_FIELD(hvio_unmap_req, nr_pages, virtio_dmabuf_unmap, nr_pages);
SAME_FIELD(hvio_config, domid, virtio_dmabuf_config, domid);
SAME_FIELD(hvio_config, max_msg, virtio_dmabuf_config, max_msg);
SAME_FIELD(hvio_config, shm_size, virtio_dmabuf_config, shm_size);
_Static_assert(sizeof(struct hvio_map_req) == sizeof(struct virtio_dmabuf_map) &&
	       sizeof(struct hvio_unmap_req) == sizeof(struct virtio_dmabuf_unmap) &&
	       HVIO_T_MSG == VIRTIO_DMABUF_T_MSG && HVIO_T_MAP == VIRTIO_DMABUF_T_MAP &&
	       HVIO_T_UNMAP == VIRTIO_DMABUF_T_UNMAP &&
	       HVIO_T_PEER_UP == VIRTIO_DMABUF_T_PEER_UP &&
	       HVIO_T_PEER_DOWN == VIRTIO_DMABUF_T_PEER_DOWN &&
	       HVIO_VQ_TX == VIRTIO_DMABUF_VQ_TX && HVIO_VQ_RX == VIRTIO_DMABUF_VQ_RX &&
	       HVIO_NR_VQS == VIRTIO_DMABUF_NUM_VQS &&
	       VIRTIO_DMABUF_F_SHM_MAP == 0 &&
	       HVIO_RX_BUF_SIZE == VIRTIO_DMABUF_MAX_CHAIN_IN, "driver/daemon constants");

/*
 * Queue one request the way hvio_request() does (header, payload and
 * reply in three descriptors from @d) and parse it as tx_process() does.
 */
static int driver_req(struct ringenv *e, unsigned int d, uint32_t type,
		      uint32_t peer, const void *pl, uint32_t len,
		      struct virtio_dmabuf_hdr *h)
{
	struct hvio_req_hdr rh = { htole32(type), htole32(peer), htole32(len), 0 };
	uint8_t buf[VIRTIO_DMABUF_MAX_CHAIN_IN];
	uint64_t at = 0x40000 + d * 0x1000;
	struct vchain c;
	int r;

	memcpy(e->mem + at, &rh, sizeof(rh));
	memcpy(e->mem + at + 0x100, pl, len);
	setd(e, d, at, sizeof(rh), VRING_DESC_F_NEXT, d + 1);
	setd(e, d + 1, at + 0x100, len, VRING_DESC_F_NEXT, d + 2);
	setd(e, d + 2, at + 0x200, sizeof(struct hvio_resp), VRING_DESC_F_WRITE, 0);
	post(e, d);
	r = pop_walk(e, &c, sizeof(buf));
	if (r)
		return r;
	if (c.wr_len < sizeof(struct virtio_dmabuf_reply) ||
	    vchain_read(&e->gm, &c, buf, sizeof(buf)))
		return -EIO;
	return vdev_parse_req(buf, c.rd_len, h);
}

static void test_driver_wire(void)
{
	struct hvio_map_req m = { htole64(0x4d12), htole32(1), 1, 8, 0, 0, htole64(16) };
	/* what hvio_unmap() sends for a 64 KiB import at region page 0x5221 */
	struct hvio_unmap_req u = { htole64(0x5221000), htole64(16) };
	struct virtio_dmabuf_unmap du;
	struct virtio_dmabuf_hdr h;
	uint8_t msg[24] = { 0 };
	struct ringenv e;

	CHECK(!ring_setup(&e), "driver wire: ring");
	CHECK(driver_req(&e, 0, HVIO_T_MSG, 2, msg, sizeof(msg), &h) == VIRTIO_DMABUF_T_MSG &&
	      h.peer == 2 && h.len == 24, "driver wire: the driver's MSG chain parses");
	CHECK(driver_req(&e, 3, HVIO_T_MAP, 1, &m, sizeof(m), &h) == VIRTIO_DMABUF_T_MAP &&
	      h.peer == 1, "driver wire: the driver's MAP chain parses");
	CHECK(driver_req(&e, 0, HVIO_T_UNMAP, 0, &u, sizeof(u), &h) == VIRTIO_DMABUF_T_UNMAP &&
	      !vdev_parse_unmap(e.mem + 0x40000 + 0x100, h.len, &du) &&
	      du.shm_offset == 0x5221000 && du.nr_pages == 16,
	      "driver wire: the driver's UNMAP chain (peer 0) parses, offset and pages intact");
	/*
	 * Before the protocol said "peer 0", the driver named the exporter
	 * in UNMAP; a module built from that source (a stale object in the
	 * lab's build cache) had every UNMAP refused as malformed.
	 */
	CHECK(driver_req(&e, 3, HVIO_T_UNMAP, 1, &u, sizeof(u), &h) == -EINVAL,
	      "driver wire: UNMAP naming the exporter refused (the pre-v0 driver's layout)");
	gm_clear(&e.gm);
}

int main(void)
{
	test_mem_table();
	test_translate();
	test_vring();
	test_pgdir();
	test_shm_alloc();
	test_parse();
	test_driver_wire();
	return tap_done();
}
