// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_wire.c - unit tests for protocol/hdmabuf_wire.h.
 *
 * Layout:
 *  - a set of valid base messages, one or more per opcode and direction;
 *  - each base message must validate and round-trip;
 *  - a table of corruptions, each changing exactly one field of one base
 *    message, with the reason and errno the validator must report;
 *  - a meta test that every enum hdmabuf_msg_error reason is exercised;
 *  - error-code mapping, HELLO negotiation and builder helpers.
 *
 * Every validate call runs on an exact-size heap copy of the message, so
 * AddressSanitizer catches any read past the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "codec.h"

#define HSZ	((size_t)sizeof(struct hdmabuf_msg_hdr))
#define RSZ	((size_t)sizeof(struct hdmabuf_reply_hdr))
#define DSZ	((size_t)sizeof(struct hdmabuf_export_desc))

/* Byte offsets of fields inside an encoded message. */
#define HDR(f)		offsetof(struct hdmabuf_msg_hdr, f)
#define PL(t, f)	(HSZ + offsetof(struct t, f))
#define RH(f)		(HSZ + offsetof(struct hdmabuf_reply_hdr, f))
#define RB(t, f)	(HSZ + RSZ + offsetof(struct t, f))


static int validate_exact(const uint8_t *msg, size_t len, uint64_t feat,
			  enum hdmabuf_msg_error *why)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, msg, len);
	ret = hdmabuf_msg_validate(copy, len, feat, why);
	free(copy);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Valid base messages                                                */
/* ------------------------------------------------------------------ */

enum base {
	B_HELLO_REQ,
	B_HELLO_REPLY,
	B_HELLO_REFUSE,
	B_BYE,
	B_ERROR,
	B_ANNOUNCE,
	B_ANNOUNCE_MIN,
	B_IMPORT_REQ,
	B_IMPORT_ACCEPT,
	B_IMPORT_REFUSE,
	B_RELEASE,
	B_UNEXPORT_WAIT,
	B_UNEXPORT_REVOKE,
	B_UNEXPORT_REPLY,
	B_CPU_BEGIN,
	B_CPU_END,
	B_CPU_REPLY,
	B_CPU_REFUSE,
	B_FENCE_ATTACH,
	B_FENCE_SIGNAL,
	B_FENCE_ATTACH_NR,
	B_FENCE_ATTACH_REPLY,
	B_FENCE_SIGNAL_ERR,
	B_COUNT
};

static const char *const base_name[B_COUNT] = {
	[B_HELLO_REQ] = "hello_req",
	[B_HELLO_REPLY] = "hello_reply",
	[B_HELLO_REFUSE] = "hello_refuse",
	[B_BYE] = "bye",
	[B_ERROR] = "error",
	[B_ANNOUNCE] = "announce",
	[B_ANNOUNCE_MIN] = "announce_min",
	[B_IMPORT_REQ] = "import_req",
	[B_IMPORT_ACCEPT] = "import_accept",
	[B_IMPORT_REFUSE] = "import_refuse",
	[B_RELEASE] = "release",
	[B_UNEXPORT_WAIT] = "unexport_wait",
	[B_UNEXPORT_REVOKE] = "unexport_revoke",
	[B_UNEXPORT_REPLY] = "unexport_reply",
	[B_CPU_BEGIN] = "cpu_begin",
	[B_CPU_END] = "cpu_end",
	[B_CPU_REPLY] = "cpu_reply",
	[B_CPU_REFUSE] = "cpu_refuse",
	[B_FENCE_ATTACH] = "fence_attach",
	[B_FENCE_SIGNAL] = "fence_signal",
	[B_FENCE_ATTACH_NR] = "fence_attach_nr",
	[B_FENCE_ATTACH_REPLY] = "fence_attach_reply",
	[B_FENCE_SIGNAL_ERR] = "fence_signal_err",
};

static void fill_handle(uint8_t *h, uint8_t seed)
{
	unsigned int i;

	for (i = 0; i < HDMABUF_HANDLE_SIZE; i++)
		h[i] = (uint8_t)(seed + 17 * i);
}

/*
 * A 1920x1080 two-plane buffer (Y 4 bytes/px, then a half-stride plane of
 * full height so both planes satisfy offset + stride * height <= size),
 * starting 100 bytes into its first page, with 4-byte refs: 3038 pages,
 * 2 directory levels, 3 leaves + 1 root.
 */
static void base_desc(struct tdesc *t, int minimal)
{
	struct hdmabuf_export_desc d;
	struct hdmabuf_pgdir_geom g;
	uint64_t size;
	uint32_t first;
	uint8_t ref;

	memset(t, 0, sizeof(*t));
	fill_handle(t->handle, 1);
	if (minimal) {
		/* Untyped one-page buffer, 8-byte refs, no metadata. */
		size = 1;
		first = 0;
		ref = 8;
	} else {
		size = 7680ULL * 1080 + 3840ULL * 1080;
		first = 100;
		ref = 4;
		t->access = HDMABUF_ACCESS_RW;
		t->fourcc = 0x34325258;	/* XR24 */
		t->nr_planes = 2;
		t->modifier = 0x0100000000000001ULL;
		t->width = 1920;
		t->height = 1080;
		t->plane_offset[0] = 0;
		t->plane_stride[0] = 7680;
		t->plane_offset[1] = 7680 * 1080;
		t->plane_stride[1] = 3840;
		t->opaque_len = 5;
		memcpy(t->opaque, "meta!", 5);
	}
	memset(&d, 0, sizeof(d));
	if (hdmabuf_export_desc_set_layout(&d, size, first, ref, 0x1234, &g))
		abort();
	t->size = le64_to_cpu(d.size);
	t->nr_pages = le64_to_cpu(d.nr_pages);
	t->first_offset = le32_to_cpu(d.first_offset);
	t->dir_root = le64_to_cpu(d.dir_root);
	t->dir_levels = d.dir_levels;
	t->ref_size = d.ref_size;
	t->page_shift = d.page_shift;
	t->dir_pages = le32_to_cpu(d.dir_pages);
}

static void make_base(enum base b, struct tmsg *m)
{
	memset(m, 0, sizeof(*m));
	m->req_id = 0x1122334455667788ULL;
	fill_handle(m->handle, 9);
	switch (b) {
	case B_HELLO_REQ:
	case B_HELLO_REPLY:
	case B_HELLO_REFUSE:
		m->opcode = HDMABUF_OP_HELLO;
		m->flags = b == B_HELLO_REQ ? HDMABUF_MSG_F_NEED_REPLY :
					      HDMABUF_MSG_F_REPLY;
		m->status = b == B_HELLO_REFUSE ? HDMABUF_ERR_EPROTO : 0;
		if (b != B_HELLO_REFUSE) {
			m->vmin = 1;
			m->vmax = 1;
			m->features = HDMABUF_FEAT_SUPPORTED;
			m->sender_id = 7;
		}
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_BYE:
		m->opcode = HDMABUF_OP_BYE;
		m->reason = HDMABUF_BYE_RESTART;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_ERROR:
		m->opcode = HDMABUF_OP_ERROR;
		m->err_status = HDMABUF_ERR_EOPNOTSUPP;
		m->bad_opcode = 0x0040;
		m->bad_req_id = 99;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_ANNOUNCE:
	case B_ANNOUNCE_MIN:
		m->opcode = HDMABUF_OP_EXPORT_ANNOUNCE;
		base_desc(&m->desc, b == B_ANNOUNCE_MIN);
		if (b == B_ANNOUNCE_MIN)
			m->req_id = 0;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_IMPORT_REQ:
		m->opcode = HDMABUF_OP_IMPORT;
		m->flags = HDMABUF_MSG_F_NEED_REPLY;
		break;
	case B_IMPORT_ACCEPT:
	case B_IMPORT_REFUSE:
		m->opcode = HDMABUF_OP_IMPORT;
		m->flags = HDMABUF_MSG_F_REPLY;
		if (b == B_IMPORT_ACCEPT)
			base_desc(&m->desc, 0);
		else
			m->status = HDMABUF_ERR_ENOENT;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_RELEASE:
		m->opcode = HDMABUF_OP_RELEASE;
		break;
	case B_UNEXPORT_WAIT:
		m->opcode = HDMABUF_OP_UNEXPORT;
		m->arg0 = HDMABUF_UNEXPORT_WAIT;
		break;
	case B_UNEXPORT_REVOKE:
		m->opcode = HDMABUF_OP_UNEXPORT;
		m->flags = HDMABUF_MSG_F_NEED_REPLY;
		m->arg0 = HDMABUF_UNEXPORT_REVOKE;
		break;
	case B_UNEXPORT_REPLY:
		m->opcode = HDMABUF_OP_UNEXPORT;
		m->flags = HDMABUF_MSG_F_REPLY;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_CPU_BEGIN:
	case B_CPU_END:
		m->opcode = HDMABUF_OP_CPU_ACCESS;
		m->flags = HDMABUF_MSG_F_NEED_REPLY;
		m->arg0 = b == B_CPU_BEGIN ? HDMABUF_CPU_ACCESS_BEGIN :
					     HDMABUF_CPU_ACCESS_END;
		m->arg1 = b == B_CPU_BEGIN ? HDMABUF_DIR_READ :
					     HDMABUF_DIR_BIDIRECTIONAL;
		break;
	case B_CPU_REPLY:
	case B_CPU_REFUSE:
		m->opcode = HDMABUF_OP_CPU_ACCESS;
		m->flags = HDMABUF_MSG_F_REPLY;
		m->status = b == B_CPU_REFUSE ? HDMABUF_ERR_ETIMEDOUT : 0;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_FENCE_ATTACH:
	case B_FENCE_SIGNAL:
		m->opcode = b == B_FENCE_ATTACH ? HDMABUF_OP_FENCE_ATTACH :
						  HDMABUF_OP_FENCE_SIGNAL;
		m->seqno = 42;
		m->arg0 = b == B_FENCE_ATTACH ? HDMABUF_FENCE_F_WRITE : 0;
		break;
	case B_FENCE_ATTACH_NR:
		m->opcode = HDMABUF_OP_FENCE_ATTACH;
		m->flags = HDMABUF_MSG_F_NEED_REPLY;
		m->seqno = 1;
		break;
	case B_FENCE_ATTACH_REPLY:
		m->opcode = HDMABUF_OP_FENCE_ATTACH;
		m->flags = HDMABUF_MSG_F_REPLY;
		m->status = HDMABUF_ERR_ENOENT;
		memset(m->handle, 0, sizeof(m->handle));
		break;
	case B_FENCE_SIGNAL_ERR:
		m->opcode = HDMABUF_OP_FENCE_SIGNAL;
		m->seqno = UINT64_MAX;
		m->arg1 = HDMABUF_ERR_ETIMEDOUT;
		break;
	case B_COUNT:
		abort();
	}
}

static void test_base_valid(void **state)
{
	enum base b = (enum base)(uintptr_t)*state;
	enum hdmabuf_msg_error why = HDMABUF_MSGE_COUNT;
	uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	struct tmsg m;
	size_t len;

	make_base(b, &m);
	len = tmsg_encode(&m, buf);
	assert_int_equal(validate_exact(buf, len, HDMABUF_FEAT_ALL, &why), 0);
	assert_int_equal(why, HDMABUF_MSGE_OK);
	/* @why is optional. */
	assert_int_equal(validate_exact(buf, len, HDMABUF_FEAT_ALL, NULL), 0);
}

static void test_base_roundtrip(void **state)
{
	enum base b = (enum base)(uintptr_t)*state;
	uint8_t buf[HDMABUF_MSG_MAX_SIZE], buf2[HDMABUF_MSG_MAX_SIZE];
	struct tmsg m, m2;
	size_t len, len2;

	make_base(b, &m);
	len = tmsg_encode(&m, buf);
	assert_int_equal(validate_exact(buf, len, HDMABUF_FEAT_ALL, NULL), 0);
	tmsg_decode(buf, &m2);
	assert_true(tmsg_equal(&m, &m2));
	len2 = tmsg_encode(&m2, buf2);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
}

/* Every strict prefix of a valid message is rejected. */
static void test_base_truncated(void **state)
{
	enum base b = (enum base)(uintptr_t)*state;
	uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	enum hdmabuf_msg_error why;
	struct tmsg m;
	size_t len, l;

	make_base(b, &m);
	len = tmsg_encode(&m, buf);
	for (l = 0; l < len; l++) {
		assert_int_not_equal(validate_exact(buf, l, HDMABUF_FEAT_ALL,
						    &why), 0);
		assert_int_equal(why, l < HSZ ? HDMABUF_MSGE_TOO_SHORT :
						HDMABUF_MSGE_LEN_MISMATCH);
	}
}

/* ------------------------------------------------------------------ */
/* Single-field corruptions                                           */
/* ------------------------------------------------------------------ */

enum mut {
	M_SET,		/* write @val (@width bytes, LE) at @off */
	M_ZERO,		/* zero @width bytes at @off */
	M_LEN,		/* hand the validator @val bytes (zero-extended) */
	M_LEN_ADD,	/* hand it len + (int)@val bytes */
	M_PLEN,		/* payload_len = @val and len = header + @val */
};

struct ccase {
	const char *name;
	enum base base;
	enum mut mut;
	size_t off;
	unsigned int width;
	uint64_t val;
	int feat_set;
	uint64_t feat;
	enum hdmabuf_msg_error why;
	int err;
};

#define SET(b, o, w, v)		.base = b, .mut = M_SET, .off = o, .width = w, .val = v
#define ZERO(b, o, w)		.base = b, .mut = M_ZERO, .off = o, .width = w
#define LEN(b, v)		.base = b, .mut = M_LEN, .val = v
#define LEN_ADD(b, v)		.base = b, .mut = M_LEN_ADD, .val = (uint64_t)(v)
#define PLEN(b, v)		.base = b, .mut = M_PLEN, .val = v
#define FEAT(x)			.feat_set = 1, .feat = (x)
#define WHY(r, e)		.why = HDMABUF_MSGE_##r, .err = e

#define F_NR	HDMABUF_MSG_F_NEED_REPLY
#define F_R	HDMABUF_MSG_F_REPLY
#define OFF_IMP(f)	PL(hdmabuf_msg_import, f)
#define OFF_DESC(f)	PL(hdmabuf_export_desc, f)
#define OFF_ACC(f)	RB(hdmabuf_export_desc, f)
#define ANN_SIZE	(7680ULL * 1080 + 3840ULL * 1080)

static const struct ccase ccases[] = {
	/* framing */
	{ "too_short_0", LEN(B_HELLO_REQ, 0), WHY(TOO_SHORT, -EBADMSG) },
	{ "too_short_23", LEN(B_HELLO_REQ, 23), WHY(TOO_SHORT, -EBADMSG) },
	{ "bad_magic", SET(B_HELLO_REQ, HDR(magic), 4, 0x424d4449), WHY(BAD_MAGIC, -EBADMSG) },
	{ "bad_magic_byteswapped", SET(B_BYE, HDR(magic), 4, 0x48444d42), WHY(BAD_MAGIC, -EBADMSG) },
	{ "bad_version_0", SET(B_HELLO_REQ, HDR(version), 2, 0), WHY(BAD_VERSION, -EPROTO) },
	{ "bad_version_2", SET(B_IMPORT_REQ, HDR(version), 2, 2), WHY(BAD_VERSION, -EPROTO) },
	{ "payload_too_big", PLEN(B_BYE, HDMABUF_MSG_MAX_PAYLOAD + 1), WHY(PAYLOAD_TOO_BIG, -EMSGSIZE) },
	{ "payload_too_big_field", SET(B_BYE, HDR(payload_len), 4, 0xffffffff), WHY(PAYLOAD_TOO_BIG, -EMSGSIZE) },
	{ "len_mismatch_long", LEN_ADD(B_RELEASE, 1), WHY(LEN_MISMATCH, -EMSGSIZE) },
	{ "len_mismatch_short", LEN_ADD(B_RELEASE, -1), WHY(LEN_MISMATCH, -EMSGSIZE) },
	{ "len_mismatch_field", SET(B_HELLO_REQ, HDR(payload_len), 4, 25), WHY(LEN_MISMATCH, -EMSGSIZE) },
	/* opcodes */
	{ "opcode_zero", SET(B_BYE, HDR(opcode), 2, 0), WHY(OPCODE_ZERO, -EBADMSG) },
	{ "opcode_0004", SET(B_BYE, HDR(opcode), 2, 0x0004), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_000f", SET(B_BYE, HDR(opcode), 2, 0x000f), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_0015", SET(B_RELEASE, HDR(opcode), 2, 0x0015), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_002f", SET(B_RELEASE, HDR(opcode), 2, 0x002f), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_0032", SET(B_FENCE_SIGNAL, HDR(opcode), 2, 0x0032), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_003f", SET(B_FENCE_SIGNAL, HDR(opcode), 2, 0x003f), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_0040", SET(B_BYE, HDR(opcode), 2, 0x0040), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_7fff", SET(B_BYE, HDR(opcode), 2, 0x7fff), WHY(OPCODE_RESERVED, -EOPNOTSUPP) },
	{ "opcode_vendor_8000", SET(B_BYE, HDR(opcode), 2, 0x8000), WHY(OPCODE_VENDOR, -EOPNOTSUPP) },
	{ "opcode_vendor_ffff", SET(B_BYE, HDR(opcode), 2, 0xffff), WHY(OPCODE_VENDOR, -EOPNOTSUPP) },
	/* features */
	{ "fence_attach_not_negotiated", SET(B_FENCE_ATTACH, HDR(magic), 4, HDMABUF_MSG_MAGIC), FEAT(HDMABUF_FEAT_CPU_ACCESS | HDMABUF_FEAT_REVOKE), WHY(NOT_NEGOTIATED, -EOPNOTSUPP) },
	{ "fence_reply_not_negotiated", SET(B_FENCE_ATTACH_REPLY, HDR(magic), 4, HDMABUF_MSG_MAGIC), FEAT(HDMABUF_FEAT_CPU_ACCESS), WHY(NOT_NEGOTIATED, -EOPNOTSUPP) },
	{ "fence_signal_not_negotiated", SET(B_FENCE_SIGNAL, HDR(magic), 4, HDMABUF_MSG_MAGIC), FEAT(0), WHY(NOT_NEGOTIATED, -EOPNOTSUPP) },
	{ "cpu_not_negotiated", SET(B_CPU_BEGIN, HDR(magic), 4, HDMABUF_MSG_MAGIC), FEAT(HDMABUF_FEAT_REVOKE), WHY(NOT_NEGOTIATED, -EOPNOTSUPP) },
	{ "cpu_reply_not_negotiated", SET(B_CPU_REPLY, HDR(magic), 4, HDMABUF_MSG_MAGIC), FEAT(0), WHY(NOT_NEGOTIATED, -EOPNOTSUPP) },
	{ "revoke_not_negotiated", SET(B_UNEXPORT_REVOKE, HDR(magic), 4, HDMABUF_MSG_MAGIC), FEAT(HDMABUF_FEAT_CPU_ACCESS), WHY(NOT_NEGOTIATED, -EOPNOTSUPP) },
	/* flags */
	{ "flags_unknown_bit2", SET(B_HELLO_REQ, HDR(flags), 4, F_NR | 4), WHY(FLAGS_UNKNOWN, -EINVAL) },
	{ "flags_unknown_bit31", SET(B_BYE, HDR(flags), 4, 0x80000000), WHY(FLAGS_UNKNOWN, -EINVAL) },
	{ "flags_conflict_req", SET(B_IMPORT_REQ, HDR(flags), 4, F_NR | F_R), WHY(FLAGS_CONFLICT, -EINVAL) },
	{ "flags_conflict_reply", SET(B_HELLO_REPLY, HDR(flags), 4, F_NR | F_R), WHY(FLAGS_CONFLICT, -EINVAL) },
	{ "req_id_zero_hello", SET(B_HELLO_REQ, HDR(req_id), 8, 0), WHY(REQ_ID_ZERO, -EINVAL) },
	{ "req_id_zero_import", SET(B_IMPORT_REQ, HDR(req_id), 8, 0), WHY(REQ_ID_ZERO, -EINVAL) },
	{ "req_id_zero_reply", SET(B_IMPORT_ACCEPT, HDR(req_id), 8, 0), WHY(REQ_ID_ZERO, -EINVAL) },
	{ "need_reply_missing_hello", SET(B_HELLO_REQ, HDR(flags), 4, 0), WHY(NEED_REPLY_MISSING, -EINVAL) },
	{ "need_reply_missing_import", SET(B_IMPORT_REQ, HDR(flags), 4, 0), WHY(NEED_REPLY_MISSING, -EINVAL) },
	{ "need_reply_missing_cpu", SET(B_CPU_END, HDR(flags), 4, 0), WHY(NEED_REPLY_MISSING, -EINVAL) },
	{ "need_reply_missing_revoke", SET(B_UNEXPORT_REVOKE, HDR(flags), 4, 0), WHY(NEED_REPLY_MISSING, -EINVAL) },
	{ "need_reply_missing_wait_to_revoke", SET(B_UNEXPORT_WAIT, PL(hdmabuf_msg_unexport, mode), 4, HDMABUF_UNEXPORT_REVOKE), WHY(NEED_REPLY_MISSING, -EINVAL) },
	{ "need_reply_unexpected_bye", SET(B_BYE, HDR(flags), 4, F_NR), WHY(NEED_REPLY_UNEXPECTED, -EINVAL) },
	{ "need_reply_unexpected_error", SET(B_ERROR, HDR(flags), 4, F_NR), WHY(NEED_REPLY_UNEXPECTED, -EINVAL) },
	{ "need_reply_unexpected_announce", SET(B_ANNOUNCE, HDR(flags), 4, F_NR), WHY(NEED_REPLY_UNEXPECTED, -EINVAL) },
	{ "need_reply_unexpected_release", SET(B_RELEASE, HDR(flags), 4, F_NR), WHY(NEED_REPLY_UNEXPECTED, -EINVAL) },
	{ "need_reply_unexpected_unexport_wait", SET(B_UNEXPORT_WAIT, HDR(flags), 4, F_NR), WHY(NEED_REPLY_UNEXPECTED, -EINVAL) },
	{ "need_reply_unexpected_fence", SET(B_FENCE_SIGNAL, HDR(flags), 4, F_NR), WHY(NEED_REPLY_UNEXPECTED, -EINVAL) },
	{ "reply_unexpected_bye", SET(B_BYE, HDR(flags), 4, F_R), WHY(REPLY_UNEXPECTED, -EINVAL) },
	{ "reply_unexpected_error", SET(B_ERROR, HDR(flags), 4, F_R), WHY(REPLY_UNEXPECTED, -EINVAL) },
	{ "reply_unexpected_announce", SET(B_ANNOUNCE, HDR(flags), 4, F_R), WHY(REPLY_UNEXPECTED, -EINVAL) },
	{ "reply_unexpected_release", SET(B_RELEASE, HDR(flags), 4, F_R), WHY(REPLY_UNEXPECTED, -EINVAL) },
	{ "reply_unexpected_fence", SET(B_FENCE_SIGNAL, HDR(flags), 4, F_R), WHY(REPLY_UNEXPECTED, -EINVAL) },
	/* payload sizes */
	{ "size_hello_short", PLEN(B_HELLO_REQ, 23), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_hello_long", PLEN(B_HELLO_REQ, 25), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_bye_short", PLEN(B_BYE, 7), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_bye_long", PLEN(B_BYE, 16), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_error_short", PLEN(B_ERROR, 15), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_error_empty", PLEN(B_ERROR, 0), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_announce_short", PLEN(B_ANNOUNCE, DSZ - 1), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_import_short", PLEN(B_IMPORT_REQ, 23), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_import_long", PLEN(B_IMPORT_REQ, 32), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_release_short", PLEN(B_RELEASE, 16), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_unexport_long", PLEN(B_UNEXPORT_WAIT, 25), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_cpu_short", PLEN(B_CPU_BEGIN, 20), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_fence_short", PLEN(B_FENCE_ATTACH, 24), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_reply_no_hdr", PLEN(B_CPU_REPLY, 7), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_reply_empty", PLEN(B_UNEXPORT_REPLY, 0), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_reply_extra", PLEN(B_CPU_REPLY, 9), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_unexport_reply_extra", PLEN(B_UNEXPORT_REPLY, 16), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_refuse_with_body", PLEN(B_IMPORT_REFUSE, RSZ + DSZ), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_hello_reply_short", PLEN(B_HELLO_REPLY, RSZ + 23), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_hello_reply_no_body", PLEN(B_HELLO_REPLY, RSZ), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "size_import_accept_short", PLEN(B_IMPORT_ACCEPT, RSZ + DSZ - 8), WHY(PAYLOAD_SIZE, -EBADMSG) },
	/* reserved fields */
	{ "reserved_hello", SET(B_HELLO_REQ, PL(hdmabuf_msg_hello, reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_hello_reply_body", SET(B_HELLO_REPLY, RB(hdmabuf_msg_hello, reserved), 4, 0x80000000), WHY(RESERVED, -EINVAL) },
	{ "reserved_reply_hdr", SET(B_HELLO_REPLY, RH(reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_refuse_hdr", SET(B_IMPORT_REFUSE, RH(reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_cpu_reply_hdr", SET(B_CPU_REPLY, RH(reserved), 4, 0x100), WHY(RESERVED, -EINVAL) },
	{ "reserved_bye", SET(B_BYE, PL(hdmabuf_msg_bye, reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_error", SET(B_ERROR, PL(hdmabuf_msg_err, reserved), 2, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_import", SET(B_IMPORT_REQ, OFF_IMP(reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_release_0", SET(B_RELEASE, PL(hdmabuf_msg_release, reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_release_1", SET(B_RELEASE, PL(hdmabuf_msg_release, reserved) + 4, 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_unexport", SET(B_UNEXPORT_WAIT, PL(hdmabuf_msg_unexport, reserved), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "fence_attach_status", SET(B_FENCE_ATTACH, PL(hdmabuf_msg_fence, status), 4, HDMABUF_ERR_EIO), WHY(RESERVED, -EINVAL) },
	{ "fence_attach_flag_unknown", SET(B_FENCE_ATTACH, PL(hdmabuf_msg_fence, flags), 4, 2), WHY(FENCE_FLAGS, -EINVAL) },
	{ "fence_attach_flag_high", SET(B_FENCE_ATTACH_NR, PL(hdmabuf_msg_fence, flags), 4, 0x80000000), WHY(FENCE_FLAGS, -EINVAL) },
	{ "fence_signal_flags", SET(B_FENCE_SIGNAL, PL(hdmabuf_msg_fence, flags), 4, HDMABUF_FENCE_F_WRITE), WHY(FENCE_FLAGS, -EINVAL) },
	{ "fence_signal_status_unknown", SET(B_FENCE_SIGNAL_ERR, PL(hdmabuf_msg_fence, status), 4, 0x7fff), WHY(BAD_STATUS, -EPROTO) },
	{ "fence_attach_seqno_zero", ZERO(B_FENCE_ATTACH, PL(hdmabuf_msg_fence, seqno), 8), WHY(FENCE_SEQNO, -EINVAL) },
	{ "fence_signal_seqno_zero", ZERO(B_FENCE_SIGNAL_ERR, PL(hdmabuf_msg_fence, seqno), 8), WHY(FENCE_SEQNO, -EINVAL) },
	{ "fence_attach_reply_body", PLEN(B_FENCE_ATTACH_REPLY, 16), WHY(PAYLOAD_SIZE, -EBADMSG) },
	{ "reserved_desc_0", SET(B_ANNOUNCE, OFF_DESC(reserved0), 1, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_desc_1", SET(B_ANNOUNCE, OFF_DESC(reserved1), 4, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_desc_2a", SET(B_ANNOUNCE, OFF_DESC(reserved2), 8, 1), WHY(RESERVED, -EINVAL) },
	{ "reserved_desc_2b", SET(B_ANNOUNCE_MIN, OFF_DESC(reserved2) + 8, 8, 1ULL << 63), WHY(RESERVED, -EINVAL) },
	{ "reserved_accept_desc", SET(B_IMPORT_ACCEPT, OFF_ACC(reserved1), 4, 1), WHY(RESERVED, -EINVAL) },
	/* status codes */
	{ "status_unknown_reply", SET(B_HELLO_REPLY, RH(status), 4, 9999), WHY(BAD_STATUS, -EPROTO) },
	{ "status_unknown_3", SET(B_IMPORT_REFUSE, RH(status), 4, 3), WHY(BAD_STATUS, -EPROTO) },
	{ "status_unknown_max", SET(B_CPU_REFUSE, RH(status), 4, 0xffffffff), WHY(BAD_STATUS, -EPROTO) },
	{ "status_error_zero", SET(B_ERROR, PL(hdmabuf_msg_err, status), 4, 0), WHY(BAD_STATUS, -EPROTO) },
	{ "status_error_unknown", SET(B_ERROR, PL(hdmabuf_msg_err, status), 4, 200), WHY(BAD_STATUS, -EPROTO) },
	/* handles */
	{ "handle_zero_import", ZERO(B_IMPORT_REQ, OFF_IMP(handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	{ "handle_zero_release", ZERO(B_RELEASE, PL(hdmabuf_msg_release, handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	{ "handle_zero_unexport", ZERO(B_UNEXPORT_REVOKE, PL(hdmabuf_msg_unexport, handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	{ "handle_zero_cpu", ZERO(B_CPU_BEGIN, PL(hdmabuf_msg_cpu_access, handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	{ "handle_zero_fence", ZERO(B_FENCE_SIGNAL, PL(hdmabuf_msg_fence, handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	{ "handle_zero_announce", ZERO(B_ANNOUNCE, OFF_DESC(handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	{ "handle_zero_accept", ZERO(B_IMPORT_ACCEPT, OFF_ACC(handle), 16), WHY(HANDLE_ZERO, -EINVAL) },
	/* enums */
	{ "hello_min_zero", SET(B_HELLO_REQ, PL(hdmabuf_msg_hello, version_min), 2, 0), WHY(HELLO_VERSIONS, -EINVAL) },
	{ "hello_min_above_max", SET(B_HELLO_REQ, PL(hdmabuf_msg_hello, version_min), 2, 2), WHY(HELLO_VERSIONS, -EINVAL) },
	{ "hello_reply_max_zero", SET(B_HELLO_REPLY, RB(hdmabuf_msg_hello, version_max), 2, 0), WHY(HELLO_VERSIONS, -EINVAL) },
	{ "bye_reason_3", SET(B_BYE, PL(hdmabuf_msg_bye, reason), 4, 3), WHY(BYE_REASON, -EINVAL) },
	{ "bye_reason_max", SET(B_BYE, PL(hdmabuf_msg_bye, reason), 4, 0xffffffff), WHY(BYE_REASON, -EINVAL) },
	{ "import_flags", SET(B_IMPORT_REQ, OFF_IMP(flags), 4, 1), WHY(IMPORT_FLAGS, -EINVAL) },
	{ "unexport_mode_2", SET(B_UNEXPORT_WAIT, PL(hdmabuf_msg_unexport, mode), 4, 2), WHY(UNEXPORT_MODE, -EINVAL) },
	{ "unexport_mode_max", SET(B_UNEXPORT_REVOKE, PL(hdmabuf_msg_unexport, mode), 4, 0xffffffff), WHY(UNEXPORT_MODE, -EINVAL) },
	{ "cpu_op_2", SET(B_CPU_BEGIN, PL(hdmabuf_msg_cpu_access, op), 4, 2), WHY(CPU_OP, -EINVAL) },
	{ "cpu_direction_0", SET(B_CPU_BEGIN, PL(hdmabuf_msg_cpu_access, direction), 4, 0), WHY(CPU_DIRECTION, -EINVAL) },
	{ "cpu_direction_4", SET(B_CPU_END, PL(hdmabuf_msg_cpu_access, direction), 4, 4), WHY(CPU_DIRECTION, -EINVAL) },
	/* export descriptor */
	{ "desc_size_zero", SET(B_ANNOUNCE, OFF_DESC(size), 8, 0), WHY(SIZE_ZERO, -EINVAL) },
	{ "desc_page_shift_13", SET(B_ANNOUNCE, OFF_DESC(page_shift), 1, 13), WHY(PAGE_SHIFT, -EINVAL) },
	{ "desc_page_shift_0", SET(B_ANNOUNCE_MIN, OFF_DESC(page_shift), 1, 0), WHY(PAGE_SHIFT, -EINVAL) },
	{ "desc_first_offset_4096", SET(B_ANNOUNCE, OFF_DESC(first_offset), 4, 4096), WHY(FIRST_OFFSET, -EINVAL) },
	{ "desc_first_offset_max", SET(B_ANNOUNCE, OFF_DESC(first_offset), 4, 0xffffffff), WHY(FIRST_OFFSET, -EINVAL) },
	{ "desc_size_overflow", SET(B_ANNOUNCE, OFF_DESC(size), 8, HDMABUF_U64_MAX), WHY(SIZE_OVERFLOW, -EOVERFLOW) },
	{ "desc_size_overflow_edge", SET(B_ANNOUNCE, OFF_DESC(size), 8, HDMABUF_U64_MAX - 99), WHY(SIZE_OVERFLOW, -EOVERFLOW) },
	{ "desc_too_many_pages", SET(B_ANNOUNCE, OFF_DESC(nr_pages), 8, HDMABUF_MAX_PAGES + 1), WHY(TOO_MANY_PAGES, -ERANGE) },
	{ "desc_too_many_pages_max", SET(B_ANNOUNCE_MIN, OFF_DESC(nr_pages), 8, HDMABUF_U64_MAX), WHY(TOO_MANY_PAGES, -ERANGE) },
	{ "desc_nr_pages_plus1", SET(B_ANNOUNCE, OFF_DESC(nr_pages), 8, 3039), WHY(NR_PAGES, -EINVAL) },
	{ "desc_nr_pages_zero", SET(B_ANNOUNCE_MIN, OFF_DESC(nr_pages), 8, 0), WHY(NR_PAGES, -EINVAL) },
	{ "desc_size_grows", SET(B_ANNOUNCE, OFF_DESC(size), 8, ANN_SIZE + 4096), WHY(NR_PAGES, -EINVAL) },
	{ "desc_size_huge", SET(B_ANNOUNCE, OFF_DESC(size), 8, 1ULL << 62), WHY(NR_PAGES, -EINVAL) },
	{ "desc_first_offset_shifts_pages", SET(B_ANNOUNCE, OFF_DESC(first_offset), 4, 4095), WHY(NR_PAGES, -EINVAL) },
	{ "desc_ref_size_0", SET(B_ANNOUNCE, OFF_DESC(ref_size), 1, 0), WHY(REF_SIZE, -EINVAL) },
	{ "desc_ref_size_2", SET(B_ANNOUNCE, OFF_DESC(ref_size), 1, 2), WHY(REF_SIZE, -EINVAL) },
	{ "desc_ref_size_16", SET(B_ANNOUNCE_MIN, OFF_DESC(ref_size), 1, 16), WHY(REF_SIZE, -EINVAL) },
	{ "desc_ref_size_swapped", SET(B_ANNOUNCE, OFF_DESC(ref_size), 1, 8), WHY(DIR_PAGES, -EINVAL) },
	{ "desc_dir_levels_3", SET(B_ANNOUNCE, OFF_DESC(dir_levels), 1, 3), WHY(DIR_LEVELS, -EINVAL) },
	{ "desc_dir_levels_0", SET(B_ANNOUNCE_MIN, OFF_DESC(dir_levels), 1, 0), WHY(DIR_LEVELS, -EINVAL) },
	{ "desc_dir_pages_5", SET(B_ANNOUNCE, OFF_DESC(dir_pages), 4, 5), WHY(DIR_PAGES, -EINVAL) },
	{ "desc_dir_pages_0", SET(B_ANNOUNCE_MIN, OFF_DESC(dir_pages), 4, 0), WHY(DIR_PAGES, -EINVAL) },
	{ "desc_access_2", SET(B_ANNOUNCE, OFF_DESC(access), 4, 2), WHY(ACCESS, -EINVAL) },
	{ "desc_nr_planes_5", SET(B_ANNOUNCE, OFF_DESC(nr_planes), 4, 5), WHY(NR_PLANES, -EINVAL) },
	{ "desc_nr_planes_max", SET(B_ANNOUNCE_MIN, OFF_DESC(nr_planes), 4, 0xffffffff), WHY(NR_PLANES, -EINVAL) },
	{ "desc_plane_unused_shrunk", SET(B_ANNOUNCE, OFF_DESC(nr_planes), 4, 1), WHY(PLANE_UNUSED, -EINVAL) },
	{ "desc_plane_unused_stride", SET(B_ANNOUNCE, OFF_DESC(planes[3].stride), 4, 1), WHY(PLANE_UNUSED, -EINVAL) },
	{ "desc_plane_unused_offset", SET(B_ANNOUNCE_MIN, OFF_DESC(planes[0].offset), 4, 1), WHY(PLANE_UNUSED, -EINVAL) },
	{ "desc_plane_offset_eq_size", SET(B_ANNOUNCE, OFF_DESC(planes[1].offset), 4, ANN_SIZE), WHY(PLANE_RANGE, -ERANGE) },
	{ "desc_plane_stride_plus1", SET(B_ANNOUNCE, OFF_DESC(planes[1].stride), 4, 3841), WHY(PLANE_RANGE, -ERANGE) },
	{ "desc_plane_stride_max", SET(B_ANNOUNCE, OFF_DESC(planes[0].stride), 4, 0xffffffff), WHY(PLANE_RANGE, -ERANGE) },
	{ "desc_height_plus1", SET(B_ANNOUNCE, OFF_DESC(height), 4, 1081), WHY(PLANE_RANGE, -ERANGE) },
	{ "desc_height_max", SET(B_ANNOUNCE, OFF_DESC(height), 4, 0xffffffff), WHY(PLANE_RANGE, -ERANGE) },
	{ "desc_opaque_too_long", SET(B_ANNOUNCE, OFF_DESC(opaque_len), 4, HDMABUF_MAX_OPAQUE + 1), WHY(OPAQUE_TOO_LONG, -EMSGSIZE) },
	{ "desc_opaque_len_max", SET(B_ANNOUNCE_MIN, OFF_DESC(opaque_len), 4, 0xffffffff), WHY(OPAQUE_TOO_LONG, -EMSGSIZE) },
	{ "desc_opaque_len_short", SET(B_ANNOUNCE, OFF_DESC(opaque_len), 4, 4), WHY(OPAQUE_LEN, -EMSGSIZE) },
	{ "desc_opaque_len_long", SET(B_ANNOUNCE_MIN, OFF_DESC(opaque_len), 4, 1), WHY(OPAQUE_LEN, -EMSGSIZE) },
	{ "announce_trailing_byte", PLEN(B_ANNOUNCE, DSZ + 6), WHY(OPAQUE_LEN, -EMSGSIZE) },
	{ "announce_padded_to_8", PLEN(B_ANNOUNCE, DSZ + 8), WHY(OPAQUE_LEN, -EMSGSIZE) },
	{ "accept_size_zero", SET(B_IMPORT_ACCEPT, OFF_ACC(size), 8, 0), WHY(SIZE_ZERO, -EINVAL) },
	{ "accept_dir_levels", SET(B_IMPORT_ACCEPT, OFF_ACC(dir_levels), 1, 1), WHY(DIR_LEVELS, -EINVAL) },
	{ "accept_opaque_len", SET(B_IMPORT_ACCEPT, OFF_ACC(opaque_len), 4, 6), WHY(OPAQUE_LEN, -EMSGSIZE) },
	{ "accept_trailing_byte", PLEN(B_IMPORT_ACCEPT, RSZ + DSZ + 6), WHY(OPAQUE_LEN, -EMSGSIZE) },
};

static void put_le(uint8_t *p, unsigned int width, uint64_t v)
{
	unsigned int i;

	for (i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void test_corruption(void **state)
{
	const struct ccase *c = *state;
	static uint8_t buf[2 * HDMABUF_MSG_MAX_SIZE];
	enum hdmabuf_msg_error why = HDMABUF_MSGE_OK;
	uint64_t feat = c->feat_set ? c->feat : HDMABUF_FEAT_ALL;
	struct tmsg m;
	size_t len;
	int ret;

	memset(buf, 0, sizeof(buf));
	make_base(c->base, &m);
	len = tmsg_encode(&m, buf);
	/* The unmodified base must be valid, so the corruption is the cause. */
	assert_int_equal(validate_exact(buf, len, HDMABUF_FEAT_ALL, NULL), 0);

	switch (c->mut) {
	case M_SET:
		assert_true(c->off + c->width <= len);
		put_le(buf + c->off, c->width, c->val);
		break;
	case M_ZERO:
		assert_true(c->off + c->width <= len);
		memset(buf + c->off, 0, c->width);
		break;
	case M_LEN:
		len = (size_t)c->val;
		break;
	case M_LEN_ADD:
		len += (size_t)(int64_t)c->val;
		break;
	case M_PLEN:
		put_le(buf + HDR(payload_len), 4, c->val);
		len = HSZ + (size_t)c->val;
		break;
	}
	assert_true(len <= sizeof(buf));
	ret = validate_exact(buf, len, feat, &why);
	if (why != c->why)
		print_error("reason %d (%s), expected %d (%s)\n", why,
			    hdmabuf_msg_error_str(why), c->why,
			    hdmabuf_msg_error_str(c->why));
	assert_int_equal(why, c->why);
	assert_int_equal(ret, c->err);
	assert_int_equal(ret, hdmabuf_msg_error_errno(c->why));
	/* Same answer without @why. */
	assert_int_equal(validate_exact(buf, len, feat, NULL), c->err);
}

/* Every failure class has at least one corruption case. */
static void test_all_reasons_covered(void **state)
{
	int seen[HDMABUF_MSGE_COUNT] = { 0 };
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++)
		seen[ccases[i].why] = 1;
	for (r = 1; r < HDMABUF_MSGE_COUNT; r++) {
		if (!seen[r])
			print_error("reason %d (%s) has no test\n", r,
				    hdmabuf_msg_error_str(r));
		assert_true(seen[r]);
	}
}

/* Each reason has its own string, and its errno is a wire error code. */
static void test_reason_strings(void **state)
{
	const char *s[HDMABUF_MSGE_COUNT];
	int r, q, e;

	(void)state;
	for (r = 0; r < HDMABUF_MSGE_COUNT; r++) {
		s[r] = hdmabuf_msg_error_str(r);
		assert_non_null(s[r]);
		assert_string_not_equal(s[r], "unknown reason");
		for (q = 0; q < r; q++)
			assert_string_not_equal(s[r], s[q]);
		e = hdmabuf_msg_error_errno(r);
		if (r == HDMABUF_MSGE_OK) {
			assert_int_equal(e, 0);
			continue;
		}
		assert_true(e < 0);
		assert_int_equal(hdmabuf_err_from_wire(hdmabuf_err_to_wire(e)),
				 e);
	}
	assert_string_equal(hdmabuf_msg_error_str(HDMABUF_MSGE_COUNT),
			    "unknown reason");
}

/* ------------------------------------------------------------------ */
/* Valid edge cases                                                   */
/* ------------------------------------------------------------------ */

static void encode_desc_msg(const struct tdesc *t, uint8_t *buf, size_t *len)
{
	struct tmsg m;

	memset(&m, 0, sizeof(m));
	m.opcode = HDMABUF_OP_EXPORT_ANNOUNCE;
	m.desc = *t;
	*len = tmsg_encode(&m, buf);
}

static void set_layout(struct tdesc *t, uint64_t size, uint32_t first,
		       uint8_t ref)
{
	struct hdmabuf_export_desc d;
	struct hdmabuf_pgdir_geom g;

	memset(&d, 0, sizeof(d));
	assert_int_equal(hdmabuf_export_desc_set_layout(&d, size, first, ref,
							5, &g), 0);
	t->size = size;
	t->first_offset = first;
	t->ref_size = ref;
	t->nr_pages = le64_to_cpu(d.nr_pages);
	t->dir_levels = d.dir_levels;
	t->page_shift = d.page_shift;
	t->dir_pages = le32_to_cpu(d.dir_pages);
	t->dir_root = 5;
}

static void test_desc_edges(void **state)
{
	uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	enum hdmabuf_msg_error why;
	struct tdesc t;
	size_t len;

	(void)state;
	base_desc(&t, 1);

	/* 64 GiB exactly: 2^24 pages, 3 levels for both ref sizes. */
	set_layout(&t, 1ULL << 36, 0, 4);
	assert_int_equal(t.nr_pages, 1ULL << 24);
	assert_int_equal(t.dir_levels, 3);
	assert_int_equal(t.dir_pages, 16384 + 16 + 1);
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);
	set_layout(&t, 1ULL << 36, 0, 8);
	assert_int_equal(t.dir_pages, 32768 + 64 + 1);
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);

	/* One byte more, or an offset, needs page 2^24 + 1. */
	{
		struct hdmabuf_export_desc d;
		struct hdmabuf_pgdir_geom g;

		assert_int_equal(hdmabuf_export_desc_set_layout(&d,
				 (1ULL << 36) + 1, 0, 4, 5, &g), -ERANGE);
		assert_int_equal(hdmabuf_export_desc_set_layout(&d,
				 1ULL << 36, 1, 4, 5, &g), -ERANGE);
		assert_int_equal(hdmabuf_export_desc_set_layout(&d, 0, 0, 4,
				 5, &g), -EINVAL);
		assert_int_equal(hdmabuf_export_desc_set_layout(&d, 1, 4096, 4,
				 5, &g), -EINVAL);
		assert_int_equal(hdmabuf_export_desc_set_layout(&d, 1, 0, 2,
				 5, &g), -EINVAL);
		assert_int_equal(hdmabuf_export_desc_set_layout(&d,
				 HDMABUF_U64_MAX, 1, 4, 5, &g), -ERANGE);
	}
	t.nr_pages = (1ULL << 24) + 1;
	t.first_offset = 1;
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), -ERANGE);
	assert_int_equal(why, HDMABUF_MSGE_TOO_MANY_PAGES);

	/* Last byte of the first page. */
	base_desc(&t, 1);
	set_layout(&t, 1, 4095, 4);
	assert_int_equal(t.nr_pages, 1);
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);
	/* Crossing into the second page. */
	set_layout(&t, 2, 4095, 4);
	assert_int_equal(t.nr_pages, 2);
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);

	/* Height 0: only offset < size is checked, stride is free. */
	base_desc(&t, 0);
	t.height = 0;
	t.plane_stride[0] = 0xffffffff;
	t.plane_offset[1] = (uint32_t)t.size - 1;
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);

	/* Plane ending exactly at the end of the buffer. */
	base_desc(&t, 0);
	t.nr_planes = 1;
	t.plane_offset[1] = t.plane_stride[1] = 0;
	t.plane_offset[0] = 10;
	t.plane_stride[0] = (uint32_t)((t.size - 10) / t.height);
	t.size = 10 + (uint64_t)t.plane_stride[0] * t.height;
	set_layout(&t, t.size, 100, 4);
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);
	t.plane_offset[0] = 11;
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), -ERANGE);
	assert_int_equal(why, HDMABUF_MSGE_PLANE_RANGE);

	/* Four planes, maximal opaque metadata, read-only. */
	base_desc(&t, 0);
	t.access = HDMABUF_ACCESS_RO;
	t.nr_planes = 4;
	t.height = 1;
	t.plane_offset[2] = 1;
	t.plane_stride[2] = 1;
	t.plane_offset[3] = (uint32_t)t.size - 1;
	t.plane_stride[3] = 1;
	t.opaque_len = HDMABUF_MAX_OPAQUE;
	memset(t.opaque, 0xa5, sizeof(t.opaque));
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(len, HSZ + DSZ + HDMABUF_MAX_OPAQUE);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);

	/* Untyped metadata is not interpreted when nr_planes == 0. */
	base_desc(&t, 1);
	t.width = 0xffffffff;
	t.height = 0xffffffff;
	t.fourcc = 0xdeadbeef;
	t.modifier = HDMABUF_U64_MAX;
	encode_desc_msg(&t, buf, &len);
	assert_int_equal(validate_exact(buf, len, 0, &why), 0);
}

/* A message filling the whole slot is accepted by the framing checks. */
static void test_max_payload_framing(void **state)
{
	static uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	enum hdmabuf_msg_error why;
	struct hdmabuf_msg_hdr h;

	(void)state;
	memset(buf, 0, sizeof(buf));
	hdmabuf_msg_init_hdr(&h, HDMABUF_OP_BYE, 0, HDMABUF_MSG_MAX_PAYLOAD, 0);
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(validate_exact(buf, sizeof(buf), 0, &why), -EBADMSG);
	/* Gets past framing: fails on the BYE size, not on the length. */
	assert_int_equal(why, HDMABUF_MSGE_PAYLOAD_SIZE);
}

/* Unaligned buffers are fine: the validator copies before reading. */
static void test_unaligned(void **state)
{
	uint8_t buf[HDMABUF_MSG_MAX_SIZE], *odd;
	struct tmsg m;
	size_t len;
	int b;

	(void)state;
	odd = malloc(HDMABUF_MSG_MAX_SIZE + 1);
	assert_non_null(odd);
	for (b = 0; b < B_COUNT; b++) {
		make_base(b, &m);
		len = tmsg_encode(&m, buf);
		memcpy(odd + 1, buf, len);
		assert_int_equal(hdmabuf_msg_validate(odd + 1, len,
						      HDMABUF_FEAT_ALL, NULL), 0);
	}
	free(odd);
}

/* ------------------------------------------------------------------ */
/* Error codes                                                        */
/* ------------------------------------------------------------------ */

static const struct {
	int err;
	uint32_t wire;
} errmap[] = {
	{ EPERM, 1 }, { ENOENT, 2 }, { EIO, 5 }, { ENOMEM, 12 },
	{ EACCES, 13 }, { EBUSY, 16 }, { EEXIST, 17 }, { EINVAL, 22 },
	{ ENOSPC, 28 }, { ERANGE, 34 }, { ENOSYS, 38 }, { EPROTO, 71 },
	{ EBADMSG, 74 }, { EOVERFLOW, 75 }, { EMSGSIZE, 90 },
	{ EOPNOTSUPP, 95 }, { ETIMEDOUT, 110 }, { ESTALE, 116 },
	{ ECANCELED, 125 },
};

static void test_err_map(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(sizeof(errmap) / sizeof(errmap[0]), 19);
	for (i = 0; i < sizeof(errmap) / sizeof(errmap[0]); i++) {
		assert_int_equal(hdmabuf_err_to_wire(-errmap[i].err),
				 errmap[i].wire);
		assert_int_equal(hdmabuf_err_from_wire(errmap[i].wire),
				 -errmap[i].err);
		assert_true(hdmabuf_err_wire_known(errmap[i].wire));
	}
	/* The published numbers, independent of the local errno values. */
	assert_int_equal(HDMABUF_ERR_EPERM, 1);
	assert_int_equal(HDMABUF_ERR_EPROTO, 71);
	assert_int_equal(HDMABUF_ERR_EBADMSG, 74);
	assert_int_equal(HDMABUF_ERR_EOPNOTSUPP, 95);
	assert_int_equal(HDMABUF_ERR_ECANCELED, 125);
}

static void test_err_map_unknown(void **state)
{
	static const int unknown_local[] = {
		-EAGAIN, -EINTR, -ENOTTY, -12345, 1, 22, -(1 << 30),
	};
	static const uint32_t unknown_wire[] = {
		3, 4, 11, 23, 126, 1000, 0x80000000U, 0xffffffffU,
	};
	size_t i;

	(void)state;
	assert_int_equal(hdmabuf_err_to_wire(0), 0);
	assert_int_equal(hdmabuf_err_from_wire(0), 0);
	assert_true(hdmabuf_err_wire_known(0));
	for (i = 0; i < sizeof(unknown_local) / sizeof(unknown_local[0]); i++)
		assert_int_equal(hdmabuf_err_to_wire(unknown_local[i]),
				 HDMABUF_ERR_EIO);
	for (i = 0; i < sizeof(unknown_wire) / sizeof(unknown_wire[0]); i++) {
		assert_int_equal(hdmabuf_err_from_wire(unknown_wire[i]),
				 -EPROTO);
		assert_false(hdmabuf_err_wire_known(unknown_wire[i]));
	}
}

/* Exactly the 19 published codes (plus 0) are known among 0..65535. */
static void test_err_known_set(void **state)
{
	uint32_t v;
	int n = 0;

	(void)state;
	for (v = 0; v < 65536; v++)
		n += hdmabuf_err_wire_known(v);
	assert_int_equal(n, 20);
}

/* ------------------------------------------------------------------ */
/* HELLO negotiation                                                  */
/* ------------------------------------------------------------------ */

static struct hdmabuf_msg_hello mk_hello(uint16_t vmin, uint16_t vmax,
					 uint64_t feat)
{
	struct hdmabuf_msg_hello h;

	memset(&h, 0, sizeof(h));
	h.version_min = cpu_to_le16(vmin);
	h.version_max = cpu_to_le16(vmax);
	h.features = cpu_to_le64(feat);
	h.sender_id = cpu_to_le64(3);
	return h;
}

static void test_negotiate(void **state)
{
	struct hdmabuf_msg_hello r;
	__u16 ver = 0;
	__u64 feat = 0;

	(void)state;
	/* Same single version. */
	r = mk_hello(1, 1, HDMABUF_FEAT_SUPPORTED);
	assert_int_equal(hdmabuf_hello_negotiate(1, 1, HDMABUF_FEAT_SUPPORTED,
						 &r, &ver, &feat), 0);
	assert_int_equal(ver, 1);
	assert_int_equal(feat, HDMABUF_FEAT_SUPPORTED);

	/* Overlap: highest common version wins. */
	r = mk_hello(2, 5, HDMABUF_FEAT_CPU_ACCESS);
	assert_int_equal(hdmabuf_hello_negotiate(1, 3, HDMABUF_FEAT_SUPPORTED,
						 &r, &ver, &feat), 0);
	assert_int_equal(ver, 3);
	assert_int_equal(feat, HDMABUF_FEAT_CPU_ACCESS);
	r = mk_hello(1, 2, 0);
	assert_int_equal(hdmabuf_hello_negotiate(2, 9, HDMABUF_FEAT_ALL,
						 &r, &ver, &feat), 0);
	assert_int_equal(ver, 2);
	assert_int_equal(feat, 0);

	/* Unknown remote bits are ignored, not an error. */
	r = mk_hello(1, 1, HDMABUF_FEAT_REVOKE | (1ULL << 40) | (1ULL << 63));
	assert_int_equal(hdmabuf_hello_negotiate(1, 1, HDMABUF_U64_MAX,
						 &r, &ver, &feat), 0);
	assert_int_equal(feat, HDMABUF_FEAT_REVOKE);

	/* Disjoint ranges: -EPROTO, outputs untouched. */
	ver = 77;
	feat = 77;
	r = mk_hello(2, 3, HDMABUF_FEAT_ALL);
	assert_int_equal(hdmabuf_hello_negotiate(1, 1, HDMABUF_FEAT_ALL,
						 &r, &ver, &feat), -EPROTO);
	r = mk_hello(1, 1, HDMABUF_FEAT_ALL);
	assert_int_equal(hdmabuf_hello_negotiate(2, 4, HDMABUF_FEAT_ALL,
						 &r, &ver, &feat), -EPROTO);
	assert_int_equal(ver, 77);
	assert_int_equal(feat, 77);

	/* Malformed ranges on either side. */
	r = mk_hello(0, 1, 0);
	assert_int_equal(hdmabuf_hello_negotiate(1, 1, 0, &r, &ver, &feat),
			 -EPROTO);
	r = mk_hello(3, 2, 0);
	assert_int_equal(hdmabuf_hello_negotiate(1, 5, 0, &r, &ver, &feat),
			 -EPROTO);
	r = mk_hello(1, 1, 0);
	assert_int_equal(hdmabuf_hello_negotiate(0, 1, 0, &r, &ver, &feat),
			 -EPROTO);
	assert_int_equal(hdmabuf_hello_negotiate(2, 1, 0, &r, &ver, &feat),
			 -EPROTO);
}

/* Unknown feature bits in a HELLO are not a validation error either. */
static void test_hello_unknown_features_valid(void **state)
{
	uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	struct tmsg m;
	size_t len;

	(void)state;
	make_base(B_HELLO_REQ, &m);
	m.features = HDMABUF_U64_MAX;
	m.vmax = 7;
	len = tmsg_encode(&m, buf);
	assert_int_equal(validate_exact(buf, len, 0, NULL), 0);
}

/* ------------------------------------------------------------------ */
/* Builders                                                           */
/* ------------------------------------------------------------------ */

static void test_init_hdr(void **state)
{
	static const uint8_t expect[24] = {
		'H', 'D', 'M', 'B',		/* magic */
		1, 0,				/* version */
		0x11, 0,			/* opcode IMPORT */
		1, 0, 0, 0,			/* NEED_REPLY */
		24, 0, 0, 0,			/* payload_len */
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
	};
	struct hdmabuf_msg_hdr h;

	(void)state;
	hdmabuf_msg_init_hdr(&h, HDMABUF_OP_IMPORT, HDMABUF_MSG_F_NEED_REPLY,
			     24, 0x0102030405060708ULL);
	assert_memory_equal(&h, expect, sizeof(expect));
	assert_int_equal(hdmabuf_msg_len(&h), 48);
}

static void test_init_reply(void **state)
{
	uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	struct hdmabuf_msg_hdr req, rep;
	struct hdmabuf_reply_hdr rh;
	struct tmsg m;

	(void)state;
	hdmabuf_msg_init_hdr(&req, HDMABUF_OP_CPU_ACCESS,
			     HDMABUF_MSG_F_NEED_REPLY, 24, 0xabcdef);

	/* Success, no body. */
	hdmabuf_msg_init_reply(&rep, &rh, &req, 0, 0);
	memcpy(buf, &rep, sizeof(rep));
	memcpy(buf + sizeof(rep), &rh, sizeof(rh));
	assert_int_equal(hdmabuf_msg_len(&rep), HSZ + RSZ);
	assert_int_equal(validate_exact(buf, hdmabuf_msg_len(&rep),
					HDMABUF_FEAT_ALL, NULL), 0);
	tmsg_decode(buf, &m);
	assert_int_equal(m.opcode, HDMABUF_OP_CPU_ACCESS);
	assert_int_equal(m.flags, HDMABUF_MSG_F_REPLY);
	assert_int_equal(m.req_id, 0xabcdef);
	assert_int_equal(m.status, 0);

	/* Refusal: the body length is ignored, status mapped. */
	hdmabuf_msg_init_reply(&rep, &rh, &req, -EBUSY, 100);
	memcpy(buf, &rep, sizeof(rep));
	memcpy(buf + sizeof(rep), &rh, sizeof(rh));
	assert_int_equal(hdmabuf_msg_len(&rep), HSZ + RSZ);
	assert_int_equal(validate_exact(buf, hdmabuf_msg_len(&rep),
					HDMABUF_FEAT_ALL, NULL), 0);
	tmsg_decode(buf, &m);
	assert_int_equal(m.status, HDMABUF_ERR_EBUSY);
	assert_int_equal(hdmabuf_err_from_wire(m.status), -EBUSY);

	/* Unknown local errors go out as EIO. */
	hdmabuf_msg_init_reply(&rep, &rh, &req, -EAGAIN, 0);
	assert_int_equal(le32_to_cpu(rh.status), HDMABUF_ERR_EIO);
}

static void test_handle_zero(void **state)
{
	struct hdmabuf_wire_handle h;
	unsigned int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_true(hdmabuf_handle_is_zero(&h));
	for (i = 0; i < sizeof(h.bytes); i++) {
		memset(&h, 0, sizeof(h));
		h.bytes[i] = 0x80;
		assert_false(hdmabuf_handle_is_zero(&h));
	}
}

/* The documented sizes (docs/protocol.rst tables). */
static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct hdmabuf_msg_hdr), 24);
	assert_int_equal(sizeof(struct hdmabuf_reply_hdr), 8);
	assert_int_equal(sizeof(struct hdmabuf_msg_hello), 24);
	assert_int_equal(sizeof(struct hdmabuf_msg_bye), 8);
	assert_int_equal(sizeof(struct hdmabuf_msg_err), 16);
	assert_int_equal(sizeof(struct hdmabuf_export_desc), 136);
	assert_int_equal(sizeof(struct hdmabuf_msg_import), 24);
	assert_int_equal(sizeof(struct hdmabuf_msg_release), 24);
	assert_int_equal(sizeof(struct hdmabuf_msg_unexport), 24);
	assert_int_equal(sizeof(struct hdmabuf_msg_cpu_access), 24);
	assert_int_equal(sizeof(struct hdmabuf_msg_fence), 32);
	assert_int_equal(HDMABUF_MSG_MAX_PAYLOAD, 4072);
	assert_int_equal(HDMABUF_MSG_MAGIC, 0x424d4448);
}

void register_wire_tests(void)
{
	size_t i;
	int b;

	for (b = 0; b < B_COUNT; b++) {
		t_add(test_base_valid, (void *)(uintptr_t)b, "wire/valid/%s",
		      base_name[b]);
		t_add(test_base_roundtrip, (void *)(uintptr_t)b,
		      "wire/roundtrip/%s", base_name[b]);
		t_add(test_base_truncated, (void *)(uintptr_t)b,
		      "wire/truncated/%s", base_name[b]);
	}
	for (i = 0; i < sizeof(ccases) / sizeof(ccases[0]); i++)
		t_add(test_corruption, (void *)&ccases[i], "wire/reject/%s",
		      ccases[i].name);
	t_add(test_all_reasons_covered, NULL, "wire/all_reasons_covered");
	t_add(test_reason_strings, NULL, "wire/reason_strings");
	t_add(test_desc_edges, NULL, "wire/desc_edges");
	t_add(test_max_payload_framing, NULL, "wire/max_payload_framing");
	t_add(test_unaligned, NULL, "wire/unaligned");
	t_add(test_err_map, NULL, "wire/err_map");
	t_add(test_err_map_unknown, NULL, "wire/err_map_unknown");
	t_add(test_err_known_set, NULL, "wire/err_known_set");
	t_add(test_negotiate, NULL, "wire/hello_negotiate");
	t_add(test_hello_unknown_features_valid, NULL,
	      "wire/hello_unknown_features_valid");
	t_add(test_init_hdr, NULL, "wire/init_hdr");
	t_add(test_init_reply, NULL, "wire/init_reply");
	t_add(test_handle_zero, NULL, "wire/handle_zero");
	t_add(test_sizes, NULL, "wire/sizes");
}
