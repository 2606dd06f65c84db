// SPDX-License-Identifier: GPL-2.0
/*
 * vring.c - split virtqueue, device side (see vring.h).  Guest memory is
 * read through the read-only mapping with single loads (each field is
 * copied once and then only the copy is used) and written with
 * gm_write().
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "vring.h"

void vring_init(struct vring *vr)
{
	memset(vr, 0, sizeof(*vr));
	vr->kick_fd = -1;
	vr->call_fd = -1;
}

static uint64_t desc_bytes(unsigned int num)
{
	return 16ull * num;
}

static uint64_t avail_bytes(unsigned int num)
{
	return 4 + 2ull * num + 2;	/* flags, idx, ring[], used_event */
}

static uint64_t used_bytes(unsigned int num)
{
	return 4 + 8ull * num + 2;	/* flags, idx, ring[], avail_event */
}

int vring_translate(struct vring *vr, const struct guestmem *gm)
{
	vr->attached = false;
	if (!vr->num || !vr->addr_set)
		return -EINVAL;
	/* natural alignment (virtio 1.x 2.7): 16, 2, 4 */
	if ((vr->desc_ua & 15) || (vr->avail_ua & 1) || (vr->used_ua & 3))
		return -EINVAL;
	if (gm_uaddr_to_gpa(gm, vr->desc_ua, desc_bytes(vr->num), &vr->desc_gpa) ||
	    gm_uaddr_to_gpa(gm, vr->avail_ua, avail_bytes(vr->num), &vr->avail_gpa) ||
	    gm_uaddr_to_gpa(gm, vr->used_ua, used_bytes(vr->num), &vr->used_gpa))
		return -EFAULT;
	vr->attached = true;
	return 0;
}

int vring_attach(struct vring *vr, const struct guestmem *gm)
{
	const uint16_t *used;
	int err;

	err = vring_translate(vr, gm);
	if (err)
		return err;
	vr->attached = false;
	used = gm_ptr(gm, vr->used_gpa, used_bytes(vr->num));
	if (!used)
		return -EFAULT;
	vr->used_idx = le16toh(__atomic_load_n(&used[1], __ATOMIC_ACQUIRE));
	vr->attached = true;
	vr->broken = false;
	return 0;
}

int vring_pop(struct vring *vr, const struct guestmem *gm, uint16_t *head)
{
	const uint16_t *avail;
	uint16_t idx, h;

	if (!vr->attached || vr->broken)
		return vr->broken ? -EPROTO : 0;
	avail = gm_ptr(gm, vr->avail_gpa, avail_bytes(vr->num));
	if (!avail) {
		vr->broken = true;
		return -EPROTO;
	}
	idx = le16toh(__atomic_load_n(&avail[1], __ATOMIC_ACQUIRE));
	if (idx == vr->last_avail)
		return 0;
	if ((uint16_t)(idx - vr->last_avail) > vr->num) {
		vr->broken = true;
		return -EPROTO;
	}
	h = le16toh(__atomic_load_n(&avail[2 + vr->last_avail % vr->num],
				    __ATOMIC_RELAXED));
	if (h >= vr->num) {
		vr->broken = true;
		return -EPROTO;
	}
	vr->last_avail++;
	*head = h;
	return 1;
}

int vring_walk(const struct vring *vr, const struct guestmem *gm,
	       uint16_t head, uint64_t max_rd, struct vchain *c)
{
	const struct vring_desc *table;
	unsigned int steps = 0;
	uint16_t i = head;

	memset(c, 0, offsetof(struct vchain, rd));
	c->head = head;
	table = gm_ptr(gm, vr->desc_gpa, desc_bytes(vr->num));
	if (!table || head >= vr->num)
		return -EINVAL;
	for (;;) {
		struct vring_desc d;
		uint16_t flags;
		uint32_t len;
		uint64_t addr;

		if (++steps > vr->num || steps > VCHAIN_MAX_SEGS)
			return -EINVAL;
		/* one copy of the descriptor; only the copy is used */
		memcpy(&d, &table[i], sizeof(d));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		flags = le16toh(d.flags);
		len = le32toh(d.len);
		addr = le64toh(d.addr);
		if (flags & VRING_DESC_F_INDIRECT)
			return -EINVAL;
		if (len && !gm_find(gm, addr, len))
			return -EINVAL;
		if (flags & VRING_DESC_F_WRITE) {
			c->wr[c->nwr].gpa = addr;
			c->wr[c->nwr].len = len;
			c->nwr++;
			c->wr_len += len;
		} else {
			if (c->nwr)	/* readable after writable */
				return -EINVAL;
			c->rd[c->nrd].gpa = addr;
			c->rd[c->nrd].len = len;
			c->nrd++;
			c->rd_len += len;
			if (c->rd_len > max_rd)
				return -EINVAL;
		}
		if (!(flags & VRING_DESC_F_NEXT))
			return 0;
		i = le16toh(d.next);
		if (i >= vr->num)
			return -EINVAL;
	}
}

int vchain_read(const struct guestmem *gm, const struct vchain *c, void *buf,
		uint64_t cap)
{
	uint64_t off = 0;
	unsigned int k;

	for (k = 0; k < c->nrd; k++) {
		const void *p;

		if (!c->rd[k].len)
			continue;
		if (c->rd[k].len > cap - off)
			return -ENOSPC;
		p = gm_ptr(gm, c->rd[k].gpa, c->rd[k].len);
		if (!p)
			return -EFAULT;
		memcpy((uint8_t *)buf + off, p, c->rd[k].len);
		off += c->rd[k].len;
	}
	return 0;
}

int vchain_write(const struct guestmem *gm, const struct vchain *c,
		 const void *buf, uint64_t len)
{
	uint64_t off = 0;
	unsigned int k;

	if (len > c->wr_len)
		return -ENOSPC;
	for (k = 0; k < c->nwr && off < len; k++) {
		uint64_t n = c->wr[k].len;
		int err;

		if (n > len - off)
			n = len - off;
		if (!n)
			continue;
		err = gm_write(gm, c->wr[k].gpa, (const uint8_t *)buf + off, n);
		if (err)
			return err;
		off += n;
	}
	return 0;
}

int vring_push(struct vring *vr, const struct guestmem *gm, uint16_t head,
	       uint32_t len)
{
	struct vring_used_elem e = { htole32(head), htole32(len) };
	uint16_t idx;
	int err;

	if (!vr->attached)
		return -EINVAL;
	err = gm_write(gm, vr->used_gpa + 4 + 8ull * (vr->used_idx % vr->num),
		       &e, sizeof(e));
	if (err)
		return err;
	/* the element must be visible before the index that publishes it */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vr->used_idx++;
	idx = htole16(vr->used_idx);
	return gm_write(gm, vr->used_gpa + 2, &idx, sizeof(idx));
}

bool vring_want_notify(const struct vring *vr, const struct guestmem *gm)
{
	const uint16_t *avail;

	if (!vr->attached)
		return false;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail = gm_ptr(gm, vr->avail_gpa, 4);
	return !avail ||
	       !(le16toh(__atomic_load_n(&avail[0], __ATOMIC_RELAXED)) &
		 VRING_AVAIL_F_NO_INTERRUPT);
}
