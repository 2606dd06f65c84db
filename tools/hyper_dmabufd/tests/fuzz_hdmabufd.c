// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_hdmabufd.c - libFuzzer target for what hyper_dmabufd parses from a
 * guest or a front-end: tx descriptor chains and device requests (vring.c,
 * vu_parse.c), page directories (pgdir_xlate.c), vhost-user payloads and
 * memory tables (vu_parse.c, guestmem.c) and the region allocator
 * (shm_alloc.c).  check-unit replays the seed corpus with gcc and a plain
 * main() (replay_main.c); "make -C tools/hyper_dmabufd/tests fuzz" runs
 * libFuzzer when clang is installed.
 *
 * Input: byte 0 selects the part (value % 4), the rest is that part's
 * input (see each function).  Every invariant is checked with abort():
 * nothing a guest writes may make a parser accept something outside guest
 * memory, outside the protocol's bounds, or read past its input.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guestmem.h"
#include "hdmabuf_pgdir.h"
#include "pgdir_xlate.h"
#include "shm_alloc.h"
#include "vring.h"
#include "vu_parse.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define PAGE		4096u

/*
 * The fake guest: two 64 KiB regions with a hole between them, so chains
 * and directories can point into, across and outside regions.
 */
#define R0_GPA		0x10000ull
#define R1_GPA		0x40000ull
#define R_SIZE		0x10000ull
#define R0_UA		0x7f0000000000ull
#define R1_UA		0x7f0000100000ull
#define R1_FDOFF	0x20000ull

static struct guestmem gm;
static uint8_t *r0, *r1;	/* writable views of the regions */

static void fake_guest(void)
{
	struct vu_region regs[2] = {
		{ R0_GPA, R_SIZE, R0_UA, 0 },
		{ R1_GPA, R_SIZE, R1_UA, R1_FDOFF },
	};
	int fds[2], i;

	if (gm.n)
		return;
	for (i = 0; i < 2; i++) {
		fds[i] = memfd_create("fuzz-guest", MFD_CLOEXEC);
		CHECK(fds[i] >= 0 && !ftruncate(fds[i], 0x40000));
	}
	r0 = mmap(NULL, R_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[0], 0);
	r1 = mmap(NULL, R_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[1],
		  R1_FDOFF);
	CHECK(r0 != MAP_FAILED && r1 != MAP_FAILED);
	gm_init(&gm);
	CHECK(!gm_set(&gm, regs, 2, fds));
}

/* Guest memory = @data (region 0, then region 1), zero beyond it. */
static void fill_guest(const uint8_t *data, size_t size)
{
	size_t n0 = size < R_SIZE ? size : R_SIZE;

	memset(r0, 0, R_SIZE);
	memset(r1, 0, R_SIZE);
	memcpy(r0, data, n0);
	if (size > R_SIZE)
		memcpy(r1, data + R_SIZE, size - R_SIZE < R_SIZE ?
		       size - R_SIZE : R_SIZE);
}

static int in_guest(uint64_t gpa, uint64_t len)
{
	return (gpa >= R0_GPA && gpa - R0_GPA < R_SIZE &&
		len <= R_SIZE - (gpa - R0_GPA)) ||
	       (gpa >= R1_GPA && gpa - R1_GPA < R_SIZE &&
		len <= R_SIZE - (gpa - R1_GPA));
}

/*
 * Part 0: the tx path up to the request handlers.  Input: u8 log2 of the
 * queue size (0..6), then guest memory contents.  The descriptor table is
 * at R0_GPA, the available ring at R0_GPA + 0x1000 and the used ring at
 * R0_GPA + 0x2000, so the input writes descriptors and heads directly.
 */
static void fuzz_tx(const uint8_t *data, size_t size)
{
	uint8_t buf[VIRTIO_DMABUF_MAX_CHAIN_IN];
	struct virtio_dmabuf_unmap u;
	struct virtio_dmabuf_map m;
	struct virtio_dmabuf_hdr h;
	struct vring vr;
	struct vchain c;
	unsigned int k, n;
	uint64_t rd, wr;
	uint16_t head;
	int type, r;

	if (size < 1)
		return;
	vring_init(&vr);
	vr.num = 1u << (data[0] % 7);
	vr.desc_ua = R0_UA;
	vr.avail_ua = R0_UA + 0x1000;
	vr.used_ua = R0_UA + 0x2000;
	vr.addr_set = true;
	fill_guest(data + 1, size - 1);
	if (vring_attach(&vr, &gm))
		return;
	for (n = 0; n < 2 * vr.num + 2; n++) {
		r = vring_pop(&vr, &gm, &head);
		if (r <= 0)
			break;
		CHECK(head < vr.num);
		if (vring_walk(&vr, &gm, head, sizeof(buf), &c))
			continue;
		CHECK(c.head == head);
		CHECK(c.nrd <= VCHAIN_MAX_SEGS && c.nwr <= VCHAIN_MAX_SEGS);
		CHECK(c.nrd + c.nwr <= vr.num);
		CHECK(c.rd_len <= sizeof(buf));
		for (k = 0, rd = 0; k < c.nrd; k++) {
			CHECK(!c.rd[k].len || in_guest(c.rd[k].gpa, c.rd[k].len));
			rd += c.rd[k].len;
		}
		for (k = 0, wr = 0; k < c.nwr; k++) {
			CHECK(!c.wr[k].len || in_guest(c.wr[k].gpa, c.wr[k].len));
			wr += c.wr[k].len;
		}
		CHECK(rd == c.rd_len && wr == c.wr_len);
		CHECK(!vchain_read(&gm, &c, buf, sizeof(buf)));
		type = vdev_parse_req(buf, c.rd_len, &h);
		if (type < 0)
			continue;
		CHECK(type == (int)h.type && !h.reserved);
		CHECK(h.len + sizeof(h) == c.rd_len);
		switch (type) {
		case VIRTIO_DMABUF_T_MSG:
			CHECK(h.len >= 1 && h.len <= VIRTIO_DMABUF_MAX_PAYLOAD);
			break;
		case VIRTIO_DMABUF_T_MAP:
			CHECK(h.len == sizeof(m));
			if (!vdev_parse_map(buf + sizeof(h), h.len, 65536, &m))
				CHECK(m.ref_size == 8 && m.rw <= 1 && !m.pad &&
				      m.nr_pages >= 1 && m.nr_pages <= 65536);
			break;
		case VIRTIO_DMABUF_T_UNMAP:
			CHECK(h.len == sizeof(u) && !h.peer);
			if (!vdev_parse_unmap(buf + sizeof(h), h.len, &u))
				CHECK(u.nr_pages && !(u.shm_offset % PAGE));
			break;
		default:
			CHECK(0);
		}
		/* the reply, as the device writes it */
		if (c.wr_len >= sizeof(struct virtio_dmabuf_reply)) {
			struct virtio_dmabuf_reply rep = { .status = -EINVAL };

			CHECK(!vchain_write(&gm, &c, &rep, sizeof(rep)));
		}
		CHECK(!vring_push(&vr, &gm, head, 16));
	}
}

/*
 * Part 1: MAP's directory walk.  Input: le64 root GFN, le32 nr_pages
 * (1..4096 used), u8 levels, le32 dir_pages, then guest memory contents.
 */
static void fuzz_pgdir(const uint8_t *data, size_t size)
{
	struct xlate_run *runs = NULL;
	uint64_t root, next = 0, nr;
	uint32_t dir_pages, v32;
	size_t nruns = 0, i;
	uint8_t levels;
	int err;

	if (size < 17)
		return;
	memcpy(&root, data, 8);
	memcpy(&v32, data + 8, 4);
	levels = data[12];
	memcpy(&dir_pages, data + 13, 4);
	root = le64toh(root);
	nr = 1 + le32toh(v32) % 4096;
	dir_pages = le32toh(dir_pages);
	fill_guest(data + 17, size - 17);
	err = pgdir_translate(&gm, root, nr, dir_pages, levels, &runs, &nruns);
	if (err) {
		CHECK(err == -EINVAL || err == -EBADMSG || err == -EFAULT ||
		      err == -ENOMEM);
		return;
	}
	CHECK(nruns >= 1 && nruns <= nr);
	for (i = 0; i < nruns; i++) {
		const struct gm_region *r;

		CHECK(runs[i].region < gm.n);
		r = &gm.r[runs[i].region];
		CHECK(runs[i].page == next && runs[i].npages >= 1);
		CHECK(!(runs[i].fd_offset % PAGE));
		CHECK(runs[i].fd_offset >= r->mmap_offset);
		CHECK(runs[i].fd_offset - r->mmap_offset + runs[i].npages * PAGE <=
		      r->size);
		next += runs[i].npages;
	}
	CHECK(next == nr);
	free(runs);
}

/*
 * Part 2: vhost-user payloads from the front-end.  Input: u8 which, u8
 * nfds, then the payload.
 */
static void fuzz_vu(const uint8_t *data, size_t size)
{
	struct vu_region regs[VU_MAX_REGIONS];
	struct vu_vring_state st;
	struct vu_vring_addr addr;
	struct vu_config cfg;
	uint64_t v64;
	struct virtio_dmabuf_hdr dh;
	struct vu_hdr vh;
	uint32_t v32;
	int n, i, j;

	if (size < 2)
		return;
	switch (data[0] % 6) {
	case 0:
		n = gm_parse_table(data + 2, size - 2, data[1], regs);
		if (n < 0)
			break;
		CHECK(n >= 1 && n <= VU_MAX_REGIONS && n == data[1]);
		for (i = 0; i < n; i++) {
			CHECK(regs[i].size && !(regs[i].gpa % PAGE) &&
			      !(regs[i].size % PAGE));
			CHECK(regs[i].gpa + regs[i].size > regs[i].gpa);
			for (j = 0; j < i; j++)
				CHECK(regs[i].gpa >= regs[j].gpa + regs[j].size ||
				      regs[j].gpa >= regs[i].gpa + regs[i].size);
		}
		break;
	case 1:
		if (!vu_parse_config_req(data + 2, size - 2, &cfg))
			CHECK(cfg.size <= VU_MAX_CONFIG &&
			      cfg.offset + cfg.size <= VU_MAX_CONFIG &&
			      cfg.size + VU_CONFIG_HDR_SIZE == size - 2);
		break;
	case 2:
		if (!vu_parse_vring_state(data + 2, size - 2, &st))
			CHECK(size - 2 == sizeof(st));
		if (!vu_parse_vring_addr(data + 2, size - 2, &addr))
			CHECK(size - 2 == sizeof(addr));
		if (!vu_parse_u64(data + 2, size - 2, &v64))
			CHECK(size - 2 == sizeof(v64));
		break;
	case 3:
		if (size < 2 + sizeof(vh) + 4)
			break;
		memcpy(&vh, data + 2, sizeof(vh));
		memcpy(&v32, data + 2 + sizeof(vh), 4);
		if (!vu_parse_backend_ack(&vh, v32))
			CHECK(vh.request == v32 && (vh.flags & VU_FLAG_REPLY) &&
			      vh.size == 8);
		break;
	case 4:
		if (size < 6)
			break;
		memcpy(&v32, data + 2, 4);
		if (!vu_check_vring_num(v32))
			CHECK(v32 >= 1 && v32 <= 32768 && !(v32 & (v32 - 1)));
		break;
	default:
		/* a device request outside a ring: the same parser */
		if (vdev_parse_req(data + 2, size - 2, &dh) >= 0)
			CHECK(size - 2 == sizeof(dh) + dh.len);
		break;
	}
}

/*
 * Part 3: the region allocator.  Input: u16 region pages, then pairs of
 * (op, count) bytes: even op allocates count + 1 pages, odd op frees the
 * allocation op / 2 modulo the live ones.
 */
static void fuzz_alloc(const uint8_t *data, size_t size)
{
	struct { int64_t first; uint64_t n; } live[64];
	unsigned int nlive = 0, k, j;
	struct shm_alloc a;
	uint64_t npages, used = 0;
	uint16_t v;
	size_t i;

	if (size < 2)
		return;
	memcpy(&v, data, 2);
	npages = 1 + le16toh(v) % 4096;
	CHECK(!shm_alloc_init(&a, npages));
	for (i = 2; i + 1 < size; i += 2) {
		if (!(data[i] & 1) && nlive < 64) {
			uint64_t n = 1 + data[i + 1];
			int64_t f = shm_alloc_get(&a, n);

			if (f < 0) {
				CHECK(f == -ENOSPC);
				continue;
			}
			CHECK((uint64_t)f + n <= npages);
			for (k = 0; k < nlive; k++)
				CHECK((uint64_t)f >= live[k].first + live[k].n ||
				      (uint64_t)live[k].first >= (uint64_t)f + n);
			live[nlive].first = f;
			live[nlive++].n = n;
			used += n;
		} else if (nlive) {
			k = (data[i] >> 1) % nlive;
			CHECK(!shm_alloc_put(&a, (uint64_t)live[k].first, live[k].n));
			/* a second free of the same range is refused */
			CHECK(shm_alloc_put(&a, (uint64_t)live[k].first, live[k].n) == -EINVAL);
			used -= live[k].n;
			for (j = k; j + 1 < nlive; j++)
				live[j] = live[j + 1];
			nlive--;
		}
		CHECK(a.used == used);
	}
	shm_alloc_fini(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	fake_guest();
	switch (data[0] % 4) {
	case 0:
		fuzz_tx(data + 1, size - 1);
		break;
	case 1:
		fuzz_pgdir(data + 1, size - 1);
		break;
	case 2:
		fuzz_vu(data + 1, size - 1);
		break;
	default:
		fuzz_alloc(data + 1, size - 1);
		break;
	}
	return 0;
}
