// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_msg.c - libFuzzer target for hdmabuf_msg_validate().
 *
 * Input: byte 0 selects the negotiated feature mask (bits 0-2 map to the
 * three defined features, bit 7 adds every undefined bit as well), the
 * rest is the received message, of exactly that length.
 *
 * Properties checked on every input:
 *  - no out-of-bounds read (ASan; the message ends exactly at the end of
 *    the fuzzer's allocation) and no UB (UBSan);
 *  - the result is 0 or exactly hdmabuf_msg_error_errno(why), a wire
 *    error code, and is the same with and without @why;
 *  - more negotiated features never turn a valid message invalid;
 * and on every accepted message:
 *  - decode + encode reproduces the input byte for byte (so every
 *    reserved field was zero and no field was misread), and the
 *    re-encoded message validates;
 *  - a carried export descriptor matches the layout the protocol helper
 *    computes from its size, first_offset and ref_size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static void check_desc(const struct tdesc *t)
{
	struct hdmabuf_export_desc d;
	struct hdmabuf_pgdir_geom g;

	memset(&d, 0, sizeof(d));
	CHECK(hdmabuf_export_desc_set_layout(&d, t->size, t->first_offset,
					     t->ref_size, t->dir_root, &g) == 0);
	CHECK(le64_to_cpu(d.nr_pages) == t->nr_pages);
	CHECK(d.dir_levels == t->dir_levels);
	CHECK(le32_to_cpu(d.dir_pages) == t->dir_pages);
	CHECK(hdmabuf_pgdir_geom_check(&g, t->dir_levels, t->dir_pages) == 0);
	CHECK(t->nr_pages >= 1 && t->nr_pages <= HDMABUF_MAX_PAGES);
	CHECK(t->opaque_len <= HDMABUF_MAX_OPAQUE);
}

static void check_valid(const uint8_t *msg, size_t len, uint64_t feat)
{
	static uint8_t buf[HDMABUF_MSG_MAX_SIZE];
	struct hdmabuf_msg_hdr hdr;
	struct tmsg m;
	size_t len2;

	CHECK(len >= sizeof(hdr) && len <= HDMABUF_MSG_MAX_SIZE);
	memcpy(&hdr, msg, sizeof(hdr));
	CHECK(hdmabuf_msg_len(&hdr) == len);

	tmsg_decode(msg, &m);
	len2 = tmsg_encode(&m, buf);
	CHECK(len2 == len);
	CHECK(memcmp(buf, msg, len) == 0);
	CHECK(hdmabuf_msg_validate(buf, len2, feat, NULL) == 0);
	CHECK(hdmabuf_msg_validate(buf, len2, HDMABUF_U64_MAX, NULL) == 0);

	if (tmsg_is_reply(&m))
		CHECK(hdmabuf_err_wire_known(m.status));
	if (m.opcode == HDMABUF_OP_EXPORT_ANNOUNCE ||
	    (m.opcode == HDMABUF_OP_IMPORT && tmsg_is_reply(&m) && !m.status))
		check_desc(&m.desc);
	if (m.opcode == HDMABUF_OP_HELLO && !m.status) {
		struct hdmabuf_msg_hello h;
		__u16 ver;
		__u64 f;

		memcpy(&h, msg + sizeof(hdr) +
		       (tmsg_is_reply(&m) ? sizeof(struct hdmabuf_reply_hdr) :
					    0), sizeof(h));
		/* A valid HELLO always negotiates with a peer covering it. */
		CHECK(hdmabuf_hello_negotiate(1, 0xffff, HDMABUF_U64_MAX, &h,
					      &ver, &f) == 0);
		CHECK(ver == m.vmax);
		CHECK(f == (m.features & HDMABUF_FEAT_ALL));
	}
}

static void check_errmap(const uint8_t *data, size_t size)
{
	__u32 v = 0;
	int e;

	memcpy(&v, data, size < 4 ? size : 4);
	e = hdmabuf_err_from_wire(v);
	CHECK(e <= 0);
	if (hdmabuf_err_wire_known(v))
		CHECK(hdmabuf_err_to_wire(e) == v);
	else
		CHECK(e == -EPROTO);
	CHECK(hdmabuf_err_wire_known(hdmabuf_err_to_wire(-(int)(v & 0xff))));
}

static void check_negotiate(const uint8_t *data, size_t size)
{
	struct hdmabuf_msg_hello h;
	__u16 lmin, lmax, ver = 0;
	__u64 f = 0;
	int ret;

	if (size < sizeof(h) + 4)
		return;
	memcpy(&h, data, sizeof(h));
	lmin = (__u16)(data[sizeof(h)] | data[sizeof(h) + 1] << 8);
	lmax = (__u16)(data[sizeof(h) + 2] | data[sizeof(h) + 3] << 8);
	ret = hdmabuf_hello_negotiate(lmin, lmax, HDMABUF_FEAT_SUPPORTED, &h,
				      &ver, &f);
	if (ret) {
		CHECK(ret == -EPROTO);
		return;
	}
	CHECK(ver >= lmin && ver <= lmax);
	CHECK(ver >= le16_to_cpu(h.version_min));
	CHECK(ver <= le16_to_cpu(h.version_max));
	/* Highest common: either bound is one of the maxima. */
	CHECK(ver == lmax || ver == le16_to_cpu(h.version_max));
	CHECK(!(f & ~HDMABUF_FEAT_SUPPORTED));
	CHECK(!(f & ~le64_to_cpu(h.features)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum hdmabuf_msg_error why = HDMABUF_MSGE_COUNT;
	const uint8_t *msg;
	uint64_t feat;
	size_t len;
	int ret;

	if (!size)
		return 0;
	feat = data[0] & 7;
	if (data[0] & 0x80)
		feat |= ~(uint64_t)HDMABUF_FEAT_ALL;
	msg = data + 1;
	len = size - 1;

	ret = hdmabuf_msg_validate(msg, len, feat, &why);
	CHECK(hdmabuf_msg_validate(msg, len, feat, NULL) == ret);
	if (ret) {
		CHECK(ret < 0);
		CHECK(why > HDMABUF_MSGE_OK && why < HDMABUF_MSGE_COUNT);
		CHECK(ret == hdmabuf_msg_error_errno(why));
		CHECK(hdmabuf_err_from_wire(hdmabuf_err_to_wire(ret)) == ret);
		CHECK(strcmp(hdmabuf_msg_error_str(why), "unknown reason"));
	} else {
		CHECK(why == HDMABUF_MSGE_OK);
		check_valid(msg, len, feat);
		/* More features never reject what fewer features accept. */
		CHECK(hdmabuf_msg_validate(msg, len, feat | HDMABUF_FEAT_ALL,
					   NULL) == 0);
	}

	check_errmap(msg, len);
	check_negotiate(msg, len);
	return 0;
}
