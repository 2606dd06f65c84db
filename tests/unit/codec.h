/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * codec.h - test-only encoder/decoder between a CPU-order description of a
 * message (struct tmsg) and its wire bytes.
 *
 * Shared by the unit tests, the fuzz targets (round-trip assertions) and
 * the seed corpus generator.  The encoder writes every reserved field as
 * zero, so for any message the validator accepts,
 * encode(decode(bytes)) == bytes: that is the round-trip property the
 * fuzzer checks.
 */
#ifndef HDMABUF_TEST_CODEC_H
#define HDMABUF_TEST_CODEC_H

#include <stdint.h>
#include <string.h>

#include "hdmabuf_wire.h"

struct tdesc {
	uint8_t handle[HDMABUF_HANDLE_SIZE];
	uint64_t size;
	uint64_t nr_pages;
	uint32_t first_offset;
	uint32_t access;
	uint64_t dir_root;
	uint8_t dir_levels;
	uint8_t ref_size;
	uint8_t page_shift;
	uint32_t dir_pages;
	uint32_t fourcc;
	uint32_t nr_planes;
	uint64_t modifier;
	uint32_t width;
	uint32_t height;
	uint32_t plane_offset[HDMABUF_MAX_PLANES];
	uint32_t plane_stride[HDMABUF_MAX_PLANES];
	uint32_t opaque_len;
	uint8_t opaque[HDMABUF_MAX_OPAQUE];
};

struct tmsg {
	uint16_t opcode;
	uint32_t flags;
	uint64_t req_id;
	uint32_t status;	/* replies */
	/* HELLO request and reply */
	uint16_t vmin, vmax;
	uint64_t features;
	uint64_t sender_id;
	/* BYE */
	uint32_t reason;
	/* ERROR */
	uint32_t err_status;
	uint16_t bad_opcode;
	uint64_t bad_req_id;
	/* IMPORT, RELEASE, UNEXPORT, CPU_ACCESS, FENCE_* */
	uint8_t handle[HDMABUF_HANDLE_SIZE];
	uint32_t arg0;		/* IMPORT flags, UNEXPORT mode, CPU op, FENCE flags */
	uint32_t arg1;		/* CPU direction, FENCE status */
	uint64_t seqno;		/* FENCE */
	/* EXPORT_ANNOUNCE, IMPORT accept */
	struct tdesc desc;
};

static inline int tmsg_is_reply(const struct tmsg *m)
{
	return !!(m->flags & HDMABUF_MSG_F_REPLY);
}

static inline size_t tdesc_encode(const struct tdesc *t, uint8_t *p)
{
	struct hdmabuf_export_desc d;
	unsigned int i;

	memset(&d, 0, sizeof(d));
	memcpy(d.handle.bytes, t->handle, sizeof(t->handle));
	d.size = cpu_to_le64(t->size);
	d.nr_pages = cpu_to_le64(t->nr_pages);
	d.first_offset = cpu_to_le32(t->first_offset);
	d.access = cpu_to_le32(t->access);
	d.dir_root = cpu_to_le64(t->dir_root);
	d.dir_levels = t->dir_levels;
	d.ref_size = t->ref_size;
	d.page_shift = t->page_shift;
	d.dir_pages = cpu_to_le32(t->dir_pages);
	d.fourcc = cpu_to_le32(t->fourcc);
	d.nr_planes = cpu_to_le32(t->nr_planes);
	d.modifier = cpu_to_le64(t->modifier);
	d.width = cpu_to_le32(t->width);
	d.height = cpu_to_le32(t->height);
	for (i = 0; i < HDMABUF_MAX_PLANES; i++) {
		d.planes[i].offset = cpu_to_le32(t->plane_offset[i]);
		d.planes[i].stride = cpu_to_le32(t->plane_stride[i]);
	}
	d.opaque_len = cpu_to_le32(t->opaque_len);
	memcpy(p, &d, sizeof(d));
	/* The encoder trusts opaque_len; tests keep it <= 256. */
	memcpy(p + sizeof(d), t->opaque, t->opaque_len);
	return sizeof(d) + t->opaque_len;
}

static inline void tdesc_decode(const uint8_t *p, struct tdesc *t)
{
	struct hdmabuf_export_desc d;
	unsigned int i;

	memcpy(&d, p, sizeof(d));
	memset(t, 0, sizeof(*t));
	memcpy(t->handle, d.handle.bytes, sizeof(t->handle));
	t->size = le64_to_cpu(d.size);
	t->nr_pages = le64_to_cpu(d.nr_pages);
	t->first_offset = le32_to_cpu(d.first_offset);
	t->access = le32_to_cpu(d.access);
	t->dir_root = le64_to_cpu(d.dir_root);
	t->dir_levels = d.dir_levels;
	t->ref_size = d.ref_size;
	t->page_shift = d.page_shift;
	t->dir_pages = le32_to_cpu(d.dir_pages);
	t->fourcc = le32_to_cpu(d.fourcc);
	t->nr_planes = le32_to_cpu(d.nr_planes);
	t->modifier = le64_to_cpu(d.modifier);
	t->width = le32_to_cpu(d.width);
	t->height = le32_to_cpu(d.height);
	for (i = 0; i < HDMABUF_MAX_PLANES; i++) {
		t->plane_offset[i] = le32_to_cpu(d.planes[i].offset);
		t->plane_stride[i] = le32_to_cpu(d.planes[i].stride);
	}
	t->opaque_len = le32_to_cpu(d.opaque_len);
	if (t->opaque_len <= HDMABUF_MAX_OPAQUE)
		memcpy(t->opaque, p + sizeof(d), t->opaque_len);
}

static inline size_t thello_encode(const struct tmsg *m, uint8_t *p)
{
	struct hdmabuf_msg_hello h;

	memset(&h, 0, sizeof(h));
	h.version_min = cpu_to_le16(m->vmin);
	h.version_max = cpu_to_le16(m->vmax);
	h.features = cpu_to_le64(m->features);
	h.sender_id = cpu_to_le64(m->sender_id);
	memcpy(p, &h, sizeof(h));
	return sizeof(h);
}

static inline void thello_decode(const uint8_t *p, struct tmsg *m)
{
	struct hdmabuf_msg_hello h;

	memcpy(&h, p, sizeof(h));
	m->vmin = le16_to_cpu(h.version_min);
	m->vmax = le16_to_cpu(h.version_max);
	m->features = le64_to_cpu(h.features);
	m->sender_id = le64_to_cpu(h.sender_id);
}

/* Writes the whole message to @buf (>= HDMABUF_MSG_MAX_SIZE bytes). */
static inline size_t tmsg_encode(const struct tmsg *m, uint8_t *buf)
{
	struct hdmabuf_msg_hdr hdr;
	uint8_t *p = buf + sizeof(hdr);
	size_t n = 0;

	memset(buf, 0, HDMABUF_MSG_MAX_SIZE);
	if (tmsg_is_reply(m)) {
		struct hdmabuf_reply_hdr r = {
			.status = cpu_to_le32(m->status),
		};

		memcpy(p, &r, sizeof(r));
		n = sizeof(r);
		if (!m->status) {
			if (m->opcode == HDMABUF_OP_HELLO)
				n += thello_encode(m, p + n);
			else if (m->opcode == HDMABUF_OP_IMPORT)
				n += tdesc_encode(&m->desc, p + n);
		}
	} else {
		switch (m->opcode) {
		case HDMABUF_OP_HELLO:
			n = thello_encode(m, p);
			break;
		case HDMABUF_OP_BYE: {
			struct hdmabuf_msg_bye b = {
				.reason = cpu_to_le32(m->reason),
			};

			memcpy(p, &b, sizeof(b));
			n = sizeof(b);
			break;
		}
		case HDMABUF_OP_ERROR: {
			struct hdmabuf_msg_err e = {
				.status = cpu_to_le32(m->err_status),
				.bad_opcode = cpu_to_le16(m->bad_opcode),
				.bad_req_id = cpu_to_le64(m->bad_req_id),
			};

			memcpy(p, &e, sizeof(e));
			n = sizeof(e);
			break;
		}
		case HDMABUF_OP_EXPORT_ANNOUNCE:
			n = tdesc_encode(&m->desc, p);
			break;
		case HDMABUF_OP_IMPORT:
		case HDMABUF_OP_UNEXPORT:
		case HDMABUF_OP_CPU_ACCESS:
		case HDMABUF_OP_RELEASE: {
			/* All four share handle + two 32-bit words. */
			struct hdmabuf_msg_cpu_access c;

			memset(&c, 0, sizeof(c));
			memcpy(c.handle.bytes, m->handle, sizeof(m->handle));
			if (m->opcode != HDMABUF_OP_RELEASE)
				c.op = cpu_to_le32(m->arg0);
			if (m->opcode == HDMABUF_OP_CPU_ACCESS)
				c.direction = cpu_to_le32(m->arg1);
			memcpy(p, &c, sizeof(c));
			n = sizeof(c);
			break;
		}
		case HDMABUF_OP_FENCE_ATTACH:
		case HDMABUF_OP_FENCE_SIGNAL: {
			struct hdmabuf_msg_fence f;

			memset(&f, 0, sizeof(f));
			memcpy(f.handle.bytes, m->handle, sizeof(m->handle));
			f.seqno = cpu_to_le64(m->seqno);
			f.flags = cpu_to_le32(m->arg0);
			f.status = cpu_to_le32(m->arg1);
			memcpy(p, &f, sizeof(f));
			n = sizeof(f);
			break;
		}
		default:
			break;
		}
	}
	hdmabuf_msg_init_hdr(&hdr, m->opcode, m->flags, (uint32_t)n, m->req_id);
	memcpy(buf, &hdr, sizeof(hdr));
	return sizeof(hdr) + n;
}

/* Decodes a message hdmabuf_msg_validate() accepted. */
static inline void tmsg_decode(const uint8_t *buf, struct tmsg *m)
{
	struct hdmabuf_msg_hdr hdr;
	const uint8_t *p = buf + sizeof(hdr);

	memset(m, 0, sizeof(*m));
	memcpy(&hdr, buf, sizeof(hdr));
	m->opcode = le16_to_cpu(hdr.opcode);
	m->flags = le32_to_cpu(hdr.flags);
	m->req_id = le64_to_cpu(hdr.req_id);
	if (tmsg_is_reply(m)) {
		struct hdmabuf_reply_hdr r;

		memcpy(&r, p, sizeof(r));
		m->status = le32_to_cpu(r.status);
		p += sizeof(r);
		if (!m->status) {
			if (m->opcode == HDMABUF_OP_HELLO)
				thello_decode(p, m);
			else if (m->opcode == HDMABUF_OP_IMPORT)
				tdesc_decode(p, &m->desc);
		}
		return;
	}
	switch (m->opcode) {
	case HDMABUF_OP_HELLO:
		thello_decode(p, m);
		break;
	case HDMABUF_OP_BYE: {
		struct hdmabuf_msg_bye b;

		memcpy(&b, p, sizeof(b));
		m->reason = le32_to_cpu(b.reason);
		break;
	}
	case HDMABUF_OP_ERROR: {
		struct hdmabuf_msg_err e;

		memcpy(&e, p, sizeof(e));
		m->err_status = le32_to_cpu(e.status);
		m->bad_opcode = le16_to_cpu(e.bad_opcode);
		m->bad_req_id = le64_to_cpu(e.bad_req_id);
		break;
	}
	case HDMABUF_OP_EXPORT_ANNOUNCE:
		tdesc_decode(p, &m->desc);
		break;
	case HDMABUF_OP_IMPORT:
	case HDMABUF_OP_UNEXPORT:
	case HDMABUF_OP_CPU_ACCESS:
	case HDMABUF_OP_RELEASE: {
		struct hdmabuf_msg_cpu_access c;

		memcpy(&c, p, sizeof(c));
		memcpy(m->handle, c.handle.bytes, sizeof(m->handle));
		if (m->opcode != HDMABUF_OP_RELEASE)
			m->arg0 = le32_to_cpu(c.op);
		if (m->opcode == HDMABUF_OP_CPU_ACCESS)
			m->arg1 = le32_to_cpu(c.direction);
		break;
	}
	case HDMABUF_OP_FENCE_ATTACH:
	case HDMABUF_OP_FENCE_SIGNAL: {
		struct hdmabuf_msg_fence f;

		memcpy(&f, p, sizeof(f));
		memcpy(m->handle, f.handle.bytes, sizeof(m->handle));
		m->seqno = le64_to_cpu(f.seqno);
		m->arg0 = le32_to_cpu(f.flags);
		m->arg1 = le32_to_cpu(f.status);
		break;
	}
	default:
		break;
	}
}

/* Field-by-field equality (struct padding makes memcmp unreliable). */
static inline int tdesc_equal(const struct tdesc *a, const struct tdesc *b)
{
	unsigned int i;

	if (memcmp(a->handle, b->handle, sizeof(a->handle)) ||
	    a->size != b->size || a->nr_pages != b->nr_pages ||
	    a->first_offset != b->first_offset || a->access != b->access ||
	    a->dir_root != b->dir_root || a->dir_levels != b->dir_levels ||
	    a->ref_size != b->ref_size || a->page_shift != b->page_shift ||
	    a->dir_pages != b->dir_pages || a->fourcc != b->fourcc ||
	    a->nr_planes != b->nr_planes || a->modifier != b->modifier ||
	    a->width != b->width || a->height != b->height ||
	    a->opaque_len != b->opaque_len)
		return 0;
	for (i = 0; i < HDMABUF_MAX_PLANES; i++)
		if (a->plane_offset[i] != b->plane_offset[i] ||
		    a->plane_stride[i] != b->plane_stride[i])
			return 0;
	return a->opaque_len > HDMABUF_MAX_OPAQUE ||
	       !memcmp(a->opaque, b->opaque, a->opaque_len);
}

static inline int tmsg_equal(const struct tmsg *a, const struct tmsg *b)
{
	return a->opcode == b->opcode && a->flags == b->flags &&
	       a->req_id == b->req_id && a->status == b->status &&
	       a->vmin == b->vmin && a->vmax == b->vmax &&
	       a->features == b->features && a->sender_id == b->sender_id &&
	       a->reason == b->reason && a->err_status == b->err_status &&
	       a->bad_opcode == b->bad_opcode &&
	       a->bad_req_id == b->bad_req_id &&
	       !memcmp(a->handle, b->handle, sizeof(a->handle)) &&
	       a->arg0 == b->arg0 && a->arg1 == b->arg1 &&
	       a->seqno == b->seqno && tdesc_equal(&a->desc, &b->desc);
}

#endif /* HDMABUF_TEST_CODEC_H */
