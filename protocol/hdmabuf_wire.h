/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hdmabuf_wire.h - hyper_dmabuf peer-to-peer wire protocol.
 *
 * The normative description, with byte-offset tables, state diagram and
 * recovery rules, is docs/protocol.rst; this header is its executable form.
 *
 * Rules that hold for every message:
 *
 * - All integers are little-endian and of fixed width.  Every structure has
 *   explicit padding, is a multiple of 8 bytes and its layout is pinned by
 *   HDMABUF_STATIC_ASSERT below.
 * - Reserved and padding fields must be zero; receivers reject non-zero.
 * - A message is a 24-byte header followed by payload_len bytes and always
 *   fits one 4 KiB ring slot (HDMABUF_MSG_MAX_SIZE).
 * - Receivers copy a message out of shared memory into private memory
 *   first, validate the copy with hdmabuf_msg_validate() and then only use
 *   the copy: the peer may rewrite shared memory at any time.
 *
 * Every negative errno returned by the validators is one of the published
 * wire error codes (EBADMSG, EPROTO, EOPNOTSUPP, EINVAL, EMSGSIZE, ERANGE,
 * EOVERFLOW), so it can be sent back unchanged through
 * hdmabuf_err_to_wire().
 */
#ifndef _HDMABUF_WIRE_H
#define _HDMABUF_WIRE_H

#include "hdmabuf_types.h"
#include "hdmabuf_pgdir.h"

/* --------------------------------------------------------------------- */
/* Framing                                                               */
/* --------------------------------------------------------------------- */

/* "HDMB" in memory: 48 44 4d 42. */
#define HDMABUF_MSG_MAGIC		0x424d4448U
/*
 * Major protocol version.  HELLO, its reply, ERROR and BYE have a layout
 * that is frozen for all versions and always carry version 1 in the
 * header, so peers of any version can negotiate; every other message
 * carries the negotiated version.
 */
#define HDMABUF_PROTO_VERSION		1
#define HDMABUF_PROTO_VERSION_MIN	1
#define HDMABUF_PROTO_VERSION_MAX	1

#define HDMABUF_MSG_SLOT_SIZE		4096U
#define HDMABUF_MSG_HDR_SIZE		24U
#define HDMABUF_MSG_MAX_PAYLOAD		(HDMABUF_MSG_SLOT_SIZE - HDMABUF_MSG_HDR_SIZE)
#define HDMABUF_MSG_MAX_SIZE		HDMABUF_MSG_SLOT_SIZE

/* Header flags. */
#define HDMABUF_MSG_F_NEED_REPLY	(1U << 0)
#define HDMABUF_MSG_F_REPLY		(1U << 1)
#define HDMABUF_MSG_VALID_FLAGS		(HDMABUF_MSG_F_NEED_REPLY | \
					 HDMABUF_MSG_F_REPLY)

/* Opcodes. */
#define HDMABUF_OP_INVALID		0x0000
/* 0x0001 - 0x000f: connection */
#define HDMABUF_OP_HELLO		0x0001
#define HDMABUF_OP_BYE			0x0002
#define HDMABUF_OP_ERROR		0x0003
/* 0x0010 - 0x002f: buffer lifecycle (0x0015 - 0x002f reserved) */
#define HDMABUF_OP_EXPORT_ANNOUNCE	0x0010
#define HDMABUF_OP_IMPORT		0x0011
#define HDMABUF_OP_RELEASE		0x0012
#define HDMABUF_OP_UNEXPORT		0x0013
#define HDMABUF_OP_CPU_ACCESS		0x0014
/* 0x0030 - 0x003f: fences, only with HDMABUF_FEAT_FENCES (0x0032 - reserved) */
#define HDMABUF_OP_FENCE_ATTACH		0x0030
#define HDMABUF_OP_FENCE_SIGNAL		0x0031
/* 0x0040 - 0x7fff: reserved for future versions */
/* 0x8000 - 0xffff: vendor/experimental, always rejected */
#define HDMABUF_OP_VENDOR_FIRST		0x8000

/**
 * struct hdmabuf_msg_hdr - header of every message (24 bytes)
 * @magic:       HDMABUF_MSG_MAGIC
 * @version:     HDMABUF_PROTO_VERSION (see above for HELLO/ERROR/BYE)
 * @opcode:      HDMABUF_OP_*
 * @flags:       HDMABUF_MSG_F_*; REPLY and NEED_REPLY are exclusive
 * @payload_len: bytes following the header, <= HDMABUF_MSG_MAX_PAYLOAD
 * @req_id:      chosen by the requester, echoed in the reply; must be
 *               non-zero when NEED_REPLY or REPLY is set
 */
struct hdmabuf_msg_hdr {
	__le32 magic;
	__le16 version;
	__le16 opcode;
	__le32 flags;
	__le32 payload_len;
	__le64 req_id;
};

/**
 * struct hdmabuf_reply_hdr - first 8 bytes of every reply payload
 * @status:   0 or an HDMABUF_ERR_* code; the op-specific reply body
 *            follows only when status == 0
 * @reserved: must be 0
 */
struct hdmabuf_reply_hdr {
	__le32 status;
	__le32 reserved;
};

/* --------------------------------------------------------------------- */
/* Wire error codes: the asm-generic errno numbers, fixed on the wire    */
/* whatever the local architecture numbers them.                         */
/* --------------------------------------------------------------------- */

#define HDMABUF_ERR_OK		0
#define HDMABUF_ERR_EPERM	1
#define HDMABUF_ERR_ENOENT	2
#define HDMABUF_ERR_EIO		5
#define HDMABUF_ERR_ENOMEM	12
#define HDMABUF_ERR_EACCES	13
#define HDMABUF_ERR_EBUSY	16
#define HDMABUF_ERR_EEXIST	17
#define HDMABUF_ERR_EINVAL	22
#define HDMABUF_ERR_ENOSPC	28
#define HDMABUF_ERR_ERANGE	34
#define HDMABUF_ERR_ENOSYS	38
#define HDMABUF_ERR_EPROTO	71
#define HDMABUF_ERR_EBADMSG	74
#define HDMABUF_ERR_EOVERFLOW	75
#define HDMABUF_ERR_EMSGSIZE	90
#define HDMABUF_ERR_EOPNOTSUPP	95
#define HDMABUF_ERR_ETIMEDOUT	110
#define HDMABUF_ERR_ESTALE	116
#define HDMABUF_ERR_ECANCELED	125

/* Sender side: 0 or -errno -> wire code; unknown errnos become EIO. */
static inline __u32 hdmabuf_err_to_wire(int err)
{
	switch (err) {
	case 0:			return HDMABUF_ERR_OK;
	case -EPERM:		return HDMABUF_ERR_EPERM;
	case -ENOENT:		return HDMABUF_ERR_ENOENT;
	case -EIO:		return HDMABUF_ERR_EIO;
	case -ENOMEM:		return HDMABUF_ERR_ENOMEM;
	case -EACCES:		return HDMABUF_ERR_EACCES;
	case -EBUSY:		return HDMABUF_ERR_EBUSY;
	case -EEXIST:		return HDMABUF_ERR_EEXIST;
	case -EINVAL:		return HDMABUF_ERR_EINVAL;
	case -ENOSPC:		return HDMABUF_ERR_ENOSPC;
	case -ERANGE:		return HDMABUF_ERR_ERANGE;
	case -ENOSYS:		return HDMABUF_ERR_ENOSYS;
	case -EPROTO:		return HDMABUF_ERR_EPROTO;
	case -EBADMSG:		return HDMABUF_ERR_EBADMSG;
	case -EOVERFLOW:	return HDMABUF_ERR_EOVERFLOW;
	case -EMSGSIZE:		return HDMABUF_ERR_EMSGSIZE;
	case -EOPNOTSUPP:	return HDMABUF_ERR_EOPNOTSUPP;
	case -ETIMEDOUT:	return HDMABUF_ERR_ETIMEDOUT;
	case -ESTALE:		return HDMABUF_ERR_ESTALE;
	case -ECANCELED:	return HDMABUF_ERR_ECANCELED;
	default:		return HDMABUF_ERR_EIO;
	}
}

/* Receiver side: wire code -> 0 or -errno; unknown codes become -EPROTO. */
static inline int hdmabuf_err_from_wire(__u32 status)
{
	switch (status) {
	case HDMABUF_ERR_OK:		return 0;
	case HDMABUF_ERR_EPERM:		return -EPERM;
	case HDMABUF_ERR_ENOENT:	return -ENOENT;
	case HDMABUF_ERR_EIO:		return -EIO;
	case HDMABUF_ERR_ENOMEM:	return -ENOMEM;
	case HDMABUF_ERR_EACCES:	return -EACCES;
	case HDMABUF_ERR_EBUSY:		return -EBUSY;
	case HDMABUF_ERR_EEXIST:	return -EEXIST;
	case HDMABUF_ERR_EINVAL:	return -EINVAL;
	case HDMABUF_ERR_ENOSPC:	return -ENOSPC;
	case HDMABUF_ERR_ERANGE:	return -ERANGE;
	case HDMABUF_ERR_ENOSYS:	return -ENOSYS;
	case HDMABUF_ERR_EPROTO:	return -EPROTO;
	case HDMABUF_ERR_EBADMSG:	return -EBADMSG;
	case HDMABUF_ERR_EOVERFLOW:	return -EOVERFLOW;
	case HDMABUF_ERR_EMSGSIZE:	return -EMSGSIZE;
	case HDMABUF_ERR_EOPNOTSUPP:	return -EOPNOTSUPP;
	case HDMABUF_ERR_ETIMEDOUT:	return -ETIMEDOUT;
	case HDMABUF_ERR_ESTALE:	return -ESTALE;
	case HDMABUF_ERR_ECANCELED:	return -ECANCELED;
	default:			return -EPROTO;
	}
}

/* 1 if @status is 0 or a published HDMABUF_ERR_* code. */
static inline int hdmabuf_err_wire_known(__u32 status)
{
	return status == HDMABUF_ERR_OK ||
	       hdmabuf_err_from_wire(status) != -EPROTO ||
	       status == HDMABUF_ERR_EPROTO;
}

/* --------------------------------------------------------------------- */
/* Connection messages                                                   */
/* --------------------------------------------------------------------- */

/* Feature bits, exchanged in HELLO and negotiated as the intersection. */
#define HDMABUF_FEAT_CPU_ACCESS		(1ULL << 0)	/* CPU_ACCESS op */
#define HDMABUF_FEAT_REVOKE		(1ULL << 1)	/* UNEXPORT_REVOKE */
#define HDMABUF_FEAT_FENCES		(1ULL << 2)	/* FENCE_ATTACH/SIGNAL */
/* Every bit this version of the protocol defines. */
#define HDMABUF_FEAT_ALL		(HDMABUF_FEAT_CPU_ACCESS | \
					 HDMABUF_FEAT_REVOKE | \
					 HDMABUF_FEAT_FENCES)
/* What an implementation of this version may offer: everything. */
#define HDMABUF_FEAT_SUPPORTED		HDMABUF_FEAT_ALL

/**
 * struct hdmabuf_msg_hello - HELLO request body and HELLO reply body
 * @version_min: lowest version the sender speaks, >= 1
 * @version_max: highest version the sender speaks, >= version_min
 * @reserved:    must be 0
 * @features:    HDMABUF_FEAT_* the sender offers; unknown bits are
 *               ignored (not rejected) so newer peers can offer more
 * @sender_id:   the sender's domain id as seen by the backend;
 *               informative only, never trusted
 */
struct hdmabuf_msg_hello {
	__le16 version_min;
	__le16 version_max;
	__le32 reserved;
	__le64 features;
	__le64 sender_id;
};

/* BYE reasons. */
#define HDMABUF_BYE_SHUTDOWN		0	/* orderly close */
#define HDMABUF_BYE_PROTOCOL_ERROR	1	/* the peer broke the protocol */
#define HDMABUF_BYE_RESTART		2	/* sender reconnects soon */
#define HDMABUF_BYE_REASON_MAX		HDMABUF_BYE_RESTART

/**
 * struct hdmabuf_msg_bye - BYE body; no reply, sender closes afterwards
 * @reason:   HDMABUF_BYE_*
 * @reserved: must be 0
 */
struct hdmabuf_msg_bye {
	__le32 reason;
	__le32 reserved;
};

/**
 * struct hdmabuf_msg_err - ERROR body; sent without NEED_REPLY when a
 * message could not be handled at all (bad version, unknown opcode,
 * failed validation of a message that cannot get a refusal reply)
 * @status:     HDMABUF_ERR_* code, not 0
 * @bad_opcode: opcode of the offending message, as received
 * @reserved:   must be 0
 * @bad_req_id: req_id of the offending message, as received
 */
struct hdmabuf_msg_err {
	__le32 status;
	__le16 bad_opcode;
	__le16 reserved;
	__le64 bad_req_id;
};

/* --------------------------------------------------------------------- */
/* Buffer lifecycle                                                      */
/* --------------------------------------------------------------------- */

#define HDMABUF_HANDLE_SIZE		16

/* 128 random bits naming one export; all-zero is invalid. */
struct hdmabuf_wire_handle {
	__u8 bytes[HDMABUF_HANDLE_SIZE];
};

#define HDMABUF_ACCESS_RO		0
#define HDMABUF_ACCESS_RW		1

#define HDMABUF_MAX_PLANES		4
#define HDMABUF_MAX_OPAQUE		256
#define HDMABUF_MAX_PAGES		HDMABUF_PGDIR_MAX_PAGES	/* 64 GiB */
#define HDMABUF_WIRE_PAGE_SHIFT		12
#define HDMABUF_WIRE_PAGE_SIZE		(1U << HDMABUF_WIRE_PAGE_SHIFT)

/**
 * struct hdmabuf_plane - one plane of the typed metadata
 * @offset: byte offset of the plane in the buffer
 * @stride: bytes per row
 */
struct hdmabuf_plane {
	__le32 offset;
	__le32 stride;
};

/**
 * struct hdmabuf_export_desc - everything needed to import a buffer
 * (136 bytes); payload of EXPORT_ANNOUNCE and body of the IMPORT accept
 * reply, followed in both by exactly @opaque_len bytes of opaque metadata
 * @handle:       export handle, not all-zero
 * @size:         buffer size in bytes, > 0
 * @nr_pages:     DIV_ROUND_UP(first_offset + size, 4096), <= 2^24
 * @first_offset: offset of the first byte in the first page, < 4096
 * @access:       HDMABUF_ACCESS_RO or HDMABUF_ACCESS_RW
 * @dir_root:     ref of the root directory page
 * @dir_levels:   directory levels, must match the geometry of nr_pages
 * @ref_size:     4 (grant refs) or 8 (frame numbers)
 * @page_shift:   HDMABUF_WIRE_PAGE_SHIFT (12)
 * @reserved0:    must be 0
 * @dir_pages:    total directory pages, must match the geometry
 * @fourcc:       DRM fourcc or 0 (not interpreted by the protocol)
 * @nr_planes:    0..HDMABUF_MAX_PLANES; planes[nr_planes..] are all zero
 * @modifier:     DRM format modifier (not interpreted)
 * @width:        pixels (not interpreted)
 * @height:       rows; when > 0, every used plane must satisfy
 *                offset + stride * height <= size
 * @planes:       plane layout
 * @opaque_len:   bytes of opaque metadata after the descriptor, <= 256
 * @reserved1:    must be 0
 * @reserved2:    must be 0
 */
struct hdmabuf_export_desc {
	struct hdmabuf_wire_handle handle;
	__le64 size;
	__le64 nr_pages;
	__le32 first_offset;
	__le32 access;
	__le64 dir_root;
	__u8 dir_levels;
	__u8 ref_size;
	__u8 page_shift;
	__u8 reserved0;
	__le32 dir_pages;
	__le32 fourcc;
	__le32 nr_planes;
	__le64 modifier;
	__le32 width;
	__le32 height;
	struct hdmabuf_plane planes[HDMABUF_MAX_PLANES];
	__le32 opaque_len;
	__le32 reserved1;
	__le64 reserved2[2];
};

/**
 * struct hdmabuf_msg_import - IMPORT request body (NEED_REPLY).  The reply
 * is the "accept" (status 0, body: export descriptor + opaque metadata) or
 * the "refuse" (status != 0, no body).
 * @handle:   export to import
 * @flags:    must be 0 (no flags defined yet)
 * @reserved: must be 0
 */
struct hdmabuf_msg_import {
	struct hdmabuf_wire_handle handle;
	__le32 flags;
	__le32 reserved;
};

/**
 * struct hdmabuf_msg_release - RELEASE body; no reply.  The importer has
 * dropped its last use of the buffer and unmapped every page.
 * @handle:   released export
 * @reserved: must be 0
 */
struct hdmabuf_msg_release {
	struct hdmabuf_wire_handle handle;
	__le32 reserved[2];
};

#define HDMABUF_UNEXPORT_WAIT		0	/* no reply; wait for RELEASE */
#define HDMABUF_UNEXPORT_REVOKE		1	/* NEED_REPLY; needs FEAT_REVOKE */

/**
 * struct hdmabuf_msg_unexport - UNEXPORT body
 * @handle:   export being withdrawn
 * @mode:     HDMABUF_UNEXPORT_*; REVOKE requires NEED_REPLY and the reply
 *            means the importer has torn down all its mappings; WAIT must
 *            not have NEED_REPLY
 * @reserved: must be 0
 */
struct hdmabuf_msg_unexport {
	struct hdmabuf_wire_handle handle;
	__le32 mode;
	__le32 reserved;
};

#define HDMABUF_CPU_ACCESS_BEGIN	0
#define HDMABUF_CPU_ACCESS_END		1

#define HDMABUF_DIR_READ		1
#define HDMABUF_DIR_WRITE		2
#define HDMABUF_DIR_BIDIRECTIONAL	3

/**
 * struct hdmabuf_msg_cpu_access - CPU_ACCESS body (NEED_REPLY, needs
 * HDMABUF_FEAT_CPU_ACCESS); the reply has no body
 * @handle:    buffer
 * @op:        HDMABUF_CPU_ACCESS_BEGIN or _END
 * @direction: HDMABUF_DIR_*
 */
struct hdmabuf_msg_cpu_access {
	struct hdmabuf_wire_handle handle;
	__le32 op;
	__le32 direction;
};

/* FENCE_ATTACH flags. */
#define HDMABUF_FENCE_F_WRITE		(1U << 0)	/* the work writes */
#define HDMABUF_FENCE_VALID_FLAGS	HDMABUF_FENCE_F_WRITE

/**
 * struct hdmabuf_msg_fence - FENCE_ATTACH / FENCE_SIGNAL body (32 bytes)
 *
 * Each sender numbers the fences it announces to one receiver on one
 * timeline per connection.  ATTACH: work of the sender on @handle is
 * pending as fence @seqno (NEED_REPLY optional; the reply has no body).
 * SIGNAL: every fence of the timeline up to @seqno has completed, with
 * @status.  A sender sends SIGNALs in seqno order (never for a fence
 * before the earlier ones completed), so a receiver's proxy fences, one
 * fence context per connection, signal in order as dma_fence requires.
 *
 * @handle: the buffer (ATTACH: the one the fence guards; SIGNAL: the one
 *          of fence @seqno, informative)
 * @seqno:  >= 1; in ATTACH greater than every earlier ATTACH seqno of
 *          the connection
 * @flags:  ATTACH: HDMABUF_FENCE_F_WRITE when the work writes the buffer
 *          (the receiver's readers and writers wait), else only the
 *          receiver's writers wait; SIGNAL: 0
 * @status: ATTACH: 0; SIGNAL: 0 or the HDMABUF_ERR_* code the fences
 *          failed with
 */
struct hdmabuf_msg_fence {
	struct hdmabuf_wire_handle handle;
	__le64 seqno;
	__le32 flags;
	__le32 status;
};

/* --------------------------------------------------------------------- */
/* Layout pins                                                           */
/* --------------------------------------------------------------------- */

#define __HDMABUF_OFF(t, f, o)	HDMABUF_STATIC_ASSERT(offsetof(t, f) == (o))

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_hdr) == HDMABUF_MSG_HDR_SIZE);
__HDMABUF_OFF(struct hdmabuf_msg_hdr, magic, 0);
__HDMABUF_OFF(struct hdmabuf_msg_hdr, version, 4);
__HDMABUF_OFF(struct hdmabuf_msg_hdr, opcode, 6);
__HDMABUF_OFF(struct hdmabuf_msg_hdr, flags, 8);
__HDMABUF_OFF(struct hdmabuf_msg_hdr, payload_len, 12);
__HDMABUF_OFF(struct hdmabuf_msg_hdr, req_id, 16);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_reply_hdr) == 8);
__HDMABUF_OFF(struct hdmabuf_reply_hdr, reserved, 4);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_hello) == 24);
__HDMABUF_OFF(struct hdmabuf_msg_hello, version_max, 2);
__HDMABUF_OFF(struct hdmabuf_msg_hello, reserved, 4);
__HDMABUF_OFF(struct hdmabuf_msg_hello, features, 8);
__HDMABUF_OFF(struct hdmabuf_msg_hello, sender_id, 16);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_bye) == 8);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_err) == 16);
__HDMABUF_OFF(struct hdmabuf_msg_err, bad_opcode, 4);
__HDMABUF_OFF(struct hdmabuf_msg_err, reserved, 6);
__HDMABUF_OFF(struct hdmabuf_msg_err, bad_req_id, 8);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_wire_handle) == 16);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_export_desc) == 136);
__HDMABUF_OFF(struct hdmabuf_export_desc, size, 16);
__HDMABUF_OFF(struct hdmabuf_export_desc, nr_pages, 24);
__HDMABUF_OFF(struct hdmabuf_export_desc, first_offset, 32);
__HDMABUF_OFF(struct hdmabuf_export_desc, access, 36);
__HDMABUF_OFF(struct hdmabuf_export_desc, dir_root, 40);
__HDMABUF_OFF(struct hdmabuf_export_desc, dir_levels, 48);
__HDMABUF_OFF(struct hdmabuf_export_desc, ref_size, 49);
__HDMABUF_OFF(struct hdmabuf_export_desc, page_shift, 50);
__HDMABUF_OFF(struct hdmabuf_export_desc, reserved0, 51);
__HDMABUF_OFF(struct hdmabuf_export_desc, dir_pages, 52);
__HDMABUF_OFF(struct hdmabuf_export_desc, fourcc, 56);
__HDMABUF_OFF(struct hdmabuf_export_desc, nr_planes, 60);
__HDMABUF_OFF(struct hdmabuf_export_desc, modifier, 64);
__HDMABUF_OFF(struct hdmabuf_export_desc, width, 72);
__HDMABUF_OFF(struct hdmabuf_export_desc, height, 76);
__HDMABUF_OFF(struct hdmabuf_export_desc, planes, 80);
__HDMABUF_OFF(struct hdmabuf_export_desc, opaque_len, 112);
__HDMABUF_OFF(struct hdmabuf_export_desc, reserved1, 116);
__HDMABUF_OFF(struct hdmabuf_export_desc, reserved2, 120);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_import) == 24);
__HDMABUF_OFF(struct hdmabuf_msg_import, flags, 16);
HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_release) == 24);
HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_unexport) == 24);
__HDMABUF_OFF(struct hdmabuf_msg_unexport, mode, 16);
HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_cpu_access) == 24);
__HDMABUF_OFF(struct hdmabuf_msg_cpu_access, direction, 20);
HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_msg_fence) == 32);
__HDMABUF_OFF(struct hdmabuf_msg_fence, seqno, 16);
__HDMABUF_OFF(struct hdmabuf_msg_fence, flags, 24);
__HDMABUF_OFF(struct hdmabuf_msg_fence, status, 28);

HDMABUF_STATIC_ASSERT(sizeof(struct hdmabuf_export_desc) +
		      HDMABUF_MAX_OPAQUE + sizeof(struct hdmabuf_reply_hdr) <=
		      HDMABUF_MSG_MAX_PAYLOAD);

/* --------------------------------------------------------------------- */
/* Validation                                                            */
/* --------------------------------------------------------------------- */

/*
 * One reason per failure class, so that tests (and logs) can tell them
 * apart.  Append only; the numbers are not on the wire but appear in logs.
 */
enum hdmabuf_msg_error {
	HDMABUF_MSGE_OK = 0,
	/* framing */
	HDMABUF_MSGE_TOO_SHORT,		/* len < header */
	HDMABUF_MSGE_BAD_MAGIC,
	HDMABUF_MSGE_BAD_VERSION,
	HDMABUF_MSGE_PAYLOAD_TOO_BIG,	/* payload_len > MAX_PAYLOAD */
	HDMABUF_MSGE_LEN_MISMATCH,	/* payload_len != len - header */
	/* opcode */
	HDMABUF_MSGE_OPCODE_ZERO,
	HDMABUF_MSGE_OPCODE_RESERVED,	/* unassigned or reserved range */
	HDMABUF_MSGE_OPCODE_VENDOR,	/* 0x8000 - 0xffff */
	HDMABUF_MSGE_NOT_NEGOTIATED,	/* op or mode needs a feature */
	/* flags / request-reply */
	HDMABUF_MSGE_FLAGS_UNKNOWN,
	HDMABUF_MSGE_FLAGS_CONFLICT,	/* REPLY together with NEED_REPLY */
	HDMABUF_MSGE_REQ_ID_ZERO,	/* NEED_REPLY/REPLY with req_id 0 */
	HDMABUF_MSGE_NEED_REPLY_MISSING,
	HDMABUF_MSGE_NEED_REPLY_UNEXPECTED,
	HDMABUF_MSGE_REPLY_UNEXPECTED,	/* REPLY for an op without replies */
	/* payload */
	HDMABUF_MSGE_PAYLOAD_SIZE,	/* wrong payload_len for the opcode */
	HDMABUF_MSGE_RESERVED,		/* reserved or padding not zero */
	HDMABUF_MSGE_BAD_STATUS,	/* unknown wire error / 0 in ERROR */
	HDMABUF_MSGE_HANDLE_ZERO,
	HDMABUF_MSGE_HELLO_VERSIONS,	/* min 0 or min > max */
	HDMABUF_MSGE_BYE_REASON,
	HDMABUF_MSGE_IMPORT_FLAGS,
	HDMABUF_MSGE_UNEXPORT_MODE,
	HDMABUF_MSGE_CPU_OP,
	HDMABUF_MSGE_CPU_DIRECTION,
	/* export descriptor */
	HDMABUF_MSGE_SIZE_ZERO,
	HDMABUF_MSGE_PAGE_SHIFT,
	HDMABUF_MSGE_FIRST_OFFSET,	/* >= page size */
	HDMABUF_MSGE_SIZE_OVERFLOW,	/* first_offset + size wraps */
	HDMABUF_MSGE_TOO_MANY_PAGES,	/* nr_pages > HDMABUF_MAX_PAGES */
	HDMABUF_MSGE_NR_PAGES,		/* nr_pages inconsistent with size */
	HDMABUF_MSGE_REF_SIZE,
	HDMABUF_MSGE_DIR_LEVELS,	/* dir_levels != geometry */
	HDMABUF_MSGE_DIR_PAGES,		/* dir_pages != geometry */
	HDMABUF_MSGE_ACCESS,
	HDMABUF_MSGE_NR_PLANES,
	HDMABUF_MSGE_PLANE_UNUSED,	/* planes[>= nr_planes] not zero */
	HDMABUF_MSGE_PLANE_RANGE,	/* plane outside the buffer */
	HDMABUF_MSGE_OPAQUE_TOO_LONG,	/* opaque_len > HDMABUF_MAX_OPAQUE */
	HDMABUF_MSGE_OPAQUE_LEN,	/* payload_len != desc + opaque_len */
	HDMABUF_MSGE_FENCE_SEQNO,	/* seqno 0 */
	HDMABUF_MSGE_FENCE_FLAGS,	/* unknown ATTACH flag, flags on SIGNAL */
	HDMABUF_MSGE_COUNT
};

/* The errno each reason is reported with. */
static inline int hdmabuf_msg_error_errno(enum hdmabuf_msg_error why)
{
	switch (why) {
	case HDMABUF_MSGE_OK:
		return 0;
	case HDMABUF_MSGE_TOO_SHORT:
	case HDMABUF_MSGE_BAD_MAGIC:
	case HDMABUF_MSGE_OPCODE_ZERO:
	case HDMABUF_MSGE_PAYLOAD_SIZE:
		return -EBADMSG;
	case HDMABUF_MSGE_BAD_VERSION:
	case HDMABUF_MSGE_BAD_STATUS:
		return -EPROTO;
	case HDMABUF_MSGE_PAYLOAD_TOO_BIG:
	case HDMABUF_MSGE_LEN_MISMATCH:
	case HDMABUF_MSGE_OPAQUE_TOO_LONG:
	case HDMABUF_MSGE_OPAQUE_LEN:
		return -EMSGSIZE;
	case HDMABUF_MSGE_OPCODE_RESERVED:
	case HDMABUF_MSGE_OPCODE_VENDOR:
	case HDMABUF_MSGE_NOT_NEGOTIATED:
		return -EOPNOTSUPP;
	case HDMABUF_MSGE_SIZE_OVERFLOW:
		return -EOVERFLOW;
	case HDMABUF_MSGE_TOO_MANY_PAGES:
	case HDMABUF_MSGE_PLANE_RANGE:
		return -ERANGE;
	default:
		return -EINVAL;
	}
}

static inline const char *hdmabuf_msg_error_str(enum hdmabuf_msg_error why)
{
	switch (why) {
	case HDMABUF_MSGE_OK:			return "ok";
	case HDMABUF_MSGE_TOO_SHORT:		return "shorter than the header";
	case HDMABUF_MSGE_BAD_MAGIC:		return "bad magic";
	case HDMABUF_MSGE_BAD_VERSION:		return "unsupported version";
	case HDMABUF_MSGE_PAYLOAD_TOO_BIG:	return "payload_len above maximum";
	case HDMABUF_MSGE_LEN_MISMATCH:		return "payload_len does not match buffer length";
	case HDMABUF_MSGE_OPCODE_ZERO:		return "opcode 0";
	case HDMABUF_MSGE_OPCODE_RESERVED:	return "reserved or unknown opcode";
	case HDMABUF_MSGE_OPCODE_VENDOR:	return "vendor opcode";
	case HDMABUF_MSGE_NOT_NEGOTIATED:	return "feature not negotiated";
	case HDMABUF_MSGE_FLAGS_UNKNOWN:	return "unknown flag bits";
	case HDMABUF_MSGE_FLAGS_CONFLICT:	return "REPLY together with NEED_REPLY";
	case HDMABUF_MSGE_REQ_ID_ZERO:		return "req_id 0 on a request or reply";
	case HDMABUF_MSGE_NEED_REPLY_MISSING:	return "NEED_REPLY missing";
	case HDMABUF_MSGE_NEED_REPLY_UNEXPECTED: return "NEED_REPLY not allowed";
	case HDMABUF_MSGE_REPLY_UNEXPECTED:	return "opcode has no reply";
	case HDMABUF_MSGE_PAYLOAD_SIZE:		return "wrong payload size for opcode";
	case HDMABUF_MSGE_RESERVED:		return "reserved field not zero";
	case HDMABUF_MSGE_BAD_STATUS:		return "bad status code";
	case HDMABUF_MSGE_HANDLE_ZERO:		return "all-zero handle";
	case HDMABUF_MSGE_HELLO_VERSIONS:	return "bad HELLO version range";
	case HDMABUF_MSGE_BYE_REASON:		return "bad BYE reason";
	case HDMABUF_MSGE_IMPORT_FLAGS:		return "unknown IMPORT flags";
	case HDMABUF_MSGE_UNEXPORT_MODE:	return "bad UNEXPORT mode";
	case HDMABUF_MSGE_CPU_OP:		return "bad CPU_ACCESS op";
	case HDMABUF_MSGE_CPU_DIRECTION:	return "bad CPU_ACCESS direction";
	case HDMABUF_MSGE_SIZE_ZERO:		return "buffer size 0";
	case HDMABUF_MSGE_PAGE_SHIFT:		return "unsupported page_shift";
	case HDMABUF_MSGE_FIRST_OFFSET:		return "first_offset not inside first page";
	case HDMABUF_MSGE_SIZE_OVERFLOW:	return "first_offset + size overflows";
	case HDMABUF_MSGE_TOO_MANY_PAGES:	return "nr_pages above maximum";
	case HDMABUF_MSGE_NR_PAGES:		return "nr_pages does not match size";
	case HDMABUF_MSGE_REF_SIZE:		return "bad ref_size";
	case HDMABUF_MSGE_DIR_LEVELS:		return "dir_levels does not match geometry";
	case HDMABUF_MSGE_DIR_PAGES:		return "dir_pages does not match geometry";
	case HDMABUF_MSGE_ACCESS:		return "bad access mode";
	case HDMABUF_MSGE_NR_PLANES:		return "too many planes";
	case HDMABUF_MSGE_PLANE_UNUSED:		return "unused plane not zero";
	case HDMABUF_MSGE_PLANE_RANGE:		return "plane outside buffer";
	case HDMABUF_MSGE_OPAQUE_TOO_LONG:	return "opaque metadata too long";
	case HDMABUF_MSGE_OPAQUE_LEN:		return "opaque_len does not match payload";
	case HDMABUF_MSGE_FENCE_SEQNO:		return "fence seqno 0";
	case HDMABUF_MSGE_FENCE_FLAGS:		return "bad fence flags";
	case HDMABUF_MSGE_COUNT:
		break;
	}
	return "unknown reason";
}

static inline int __hdmabuf_fail(enum hdmabuf_msg_error *why,
				 enum hdmabuf_msg_error reason)
{
	if (why)
		*why = reason;
	return hdmabuf_msg_error_errno(reason);
}

static inline int hdmabuf_handle_is_zero(const struct hdmabuf_wire_handle *h)
{
	unsigned int i;
	__u8 acc = 0;

	for (i = 0; i < HDMABUF_HANDLE_SIZE; i++)
		acc |= h->bytes[i];
	return !acc;
}

/**
 * hdmabuf_export_desc_validate() - check an export descriptor
 * @d:   descriptor in private memory
 * @why: optional, receives the reason on failure
 *
 * Checks everything but the opaque bytes, which are the exporter's
 * business, and dir_root, whose validity only the backend can judge.
 * On success the directory geometry for nr_pages/ref_size is known to
 * match dir_levels/dir_pages, and for each plane below nr_planes
 * offset < size and, when height > 0, offset + stride * height <= size
 * (computed in 64 bits from 32-bit fields, so it cannot overflow).
 *
 * Return: 0 or a negative errno (see hdmabuf_msg_error_errno()).
 */
static inline int hdmabuf_export_desc_validate(const struct hdmabuf_export_desc *d,
					       enum hdmabuf_msg_error *why)
{
	struct hdmabuf_pgdir_geom g;
	__u64 size, nr_pages, end, expect, off, stride, height;
	__u32 first, nr_planes, i;

	size = le64_to_cpu(d->size);
	nr_pages = le64_to_cpu(d->nr_pages);
	first = le32_to_cpu(d->first_offset);

	if (!size)
		return __hdmabuf_fail(why, HDMABUF_MSGE_SIZE_ZERO);
	if (d->page_shift != HDMABUF_WIRE_PAGE_SHIFT)
		return __hdmabuf_fail(why, HDMABUF_MSGE_PAGE_SHIFT);
	if (first >= HDMABUF_WIRE_PAGE_SIZE)
		return __hdmabuf_fail(why, HDMABUF_MSGE_FIRST_OFFSET);
	if (size > HDMABUF_U64_MAX - first)
		return __hdmabuf_fail(why, HDMABUF_MSGE_SIZE_OVERFLOW);
	if (nr_pages > HDMABUF_MAX_PAGES)
		return __hdmabuf_fail(why, HDMABUF_MSGE_TOO_MANY_PAGES);
	end = size + first;
	/* Shift first, then round: end + 4095 could wrap. */
	expect = (end >> HDMABUF_WIRE_PAGE_SHIFT) +
		 !!(end & (HDMABUF_WIRE_PAGE_SIZE - 1));
	if (nr_pages != expect)
		return __hdmabuf_fail(why, HDMABUF_MSGE_NR_PAGES);
	if (d->ref_size != 4 && d->ref_size != 8)
		return __hdmabuf_fail(why, HDMABUF_MSGE_REF_SIZE);
	/* nr_pages is in [1, 2^24] and ref_size valid: cannot fail. */
	if (hdmabuf_pgdir_geom_init(&g, nr_pages, d->ref_size,
				    HDMABUF_WIRE_PAGE_SIZE))
		return __hdmabuf_fail(why, HDMABUF_MSGE_NR_PAGES);
	if (d->dir_levels != g.levels)
		return __hdmabuf_fail(why, HDMABUF_MSGE_DIR_LEVELS);
	if (le32_to_cpu(d->dir_pages) != g.total_pages)
		return __hdmabuf_fail(why, HDMABUF_MSGE_DIR_PAGES);

	switch (le32_to_cpu(d->access)) {
	case HDMABUF_ACCESS_RO:
	case HDMABUF_ACCESS_RW:
		break;
	default:
		return __hdmabuf_fail(why, HDMABUF_MSGE_ACCESS);
	}

	nr_planes = le32_to_cpu(d->nr_planes);
	if (nr_planes > HDMABUF_MAX_PLANES)
		return __hdmabuf_fail(why, HDMABUF_MSGE_NR_PLANES);
	for (i = nr_planes; i < HDMABUF_MAX_PLANES; i++)
		if (d->planes[i].offset || d->planes[i].stride)
			return __hdmabuf_fail(why, HDMABUF_MSGE_PLANE_UNUSED);
	height = le32_to_cpu(d->height);
	for (i = 0; i < nr_planes; i++) {
		off = le32_to_cpu(d->planes[i].offset);
		stride = le32_to_cpu(d->planes[i].stride);
		if (off >= size)
			return __hdmabuf_fail(why, HDMABUF_MSGE_PLANE_RANGE);
		/* < 2^64 - 2^32: (2^32-1)^2 + 2^32-1. */
		if (height && off + stride * height > size)
			return __hdmabuf_fail(why, HDMABUF_MSGE_PLANE_RANGE);
	}

	if (le32_to_cpu(d->opaque_len) > HDMABUF_MAX_OPAQUE)
		return __hdmabuf_fail(why, HDMABUF_MSGE_OPAQUE_TOO_LONG);
	if (d->reserved0 || d->reserved1 || d->reserved2[0] || d->reserved2[1])
		return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
	if (hdmabuf_handle_is_zero(&d->handle))
		return __hdmabuf_fail(why, HDMABUF_MSGE_HANDLE_ZERO);
	return 0;
}

/*
 * A descriptor followed by exactly opaque_len bytes: EXPORT_ANNOUNCE
 * payload and IMPORT accept body.  No padding after the opaque bytes.
 */
static inline int __hdmabuf_validate_desc_payload(const __u8 *p, __u32 len,
						  enum hdmabuf_msg_error *why)
{
	struct hdmabuf_export_desc d;
	int ret;

	if (len < sizeof(d))
		return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
	memcpy(&d, p, sizeof(d));
	ret = hdmabuf_export_desc_validate(&d, why);
	if (ret)
		return ret;
	if (len != sizeof(d) + le32_to_cpu(d.opaque_len))
		return __hdmabuf_fail(why, HDMABUF_MSGE_OPAQUE_LEN);
	return 0;
}

static inline int __hdmabuf_validate_hello(const __u8 *p, __u32 len,
					   enum hdmabuf_msg_error *why)
{
	struct hdmabuf_msg_hello h;
	__u16 vmin, vmax;

	if (len != sizeof(h))
		return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
	memcpy(&h, p, sizeof(h));
	vmin = le16_to_cpu(h.version_min);
	vmax = le16_to_cpu(h.version_max);
	if (!vmin || vmin > vmax)
		return __hdmabuf_fail(why, HDMABUF_MSGE_HELLO_VERSIONS);
	if (h.reserved)
		return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
	return 0;
}

/* Request policy per opcode. */
#define __HDMABUF_NR_NEVER	0	/* NEED_REPLY forbidden, no reply */
#define __HDMABUF_NR_ALWAYS	1	/* NEED_REPLY required */
#define __HDMABUF_NR_BY_MODE	2	/* UNEXPORT: depends on mode */
#define __HDMABUF_NR_OPTIONAL	3	/* either; a reply has no body */

/* Body of a request (no REPLY flag); op and flags already checked. */
static inline int __hdmabuf_validate_request(__u16 op, __u32 flags,
					     const __u8 *p, __u32 len,
					     __u64 features,
					     enum hdmabuf_msg_error *why)
{
	union {
		struct hdmabuf_msg_bye bye;
		struct hdmabuf_msg_err err;
		struct hdmabuf_msg_import imp;
		struct hdmabuf_msg_release rel;
		struct hdmabuf_msg_unexport unx;
		struct hdmabuf_msg_cpu_access cpu;
		struct hdmabuf_msg_fence fence;
	} u;
	__u32 v;
	int need = !!(flags & HDMABUF_MSG_F_NEED_REPLY);

	switch (op) {
	case HDMABUF_OP_HELLO:
		return __hdmabuf_validate_hello(p, len, why);
	case HDMABUF_OP_BYE:
		if (len != sizeof(u.bye))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.bye, p, sizeof(u.bye));
		if (le32_to_cpu(u.bye.reason) > HDMABUF_BYE_REASON_MAX)
			return __hdmabuf_fail(why, HDMABUF_MSGE_BYE_REASON);
		if (u.bye.reserved)
			return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
		return 0;
	case HDMABUF_OP_ERROR:
		if (len != sizeof(u.err))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.err, p, sizeof(u.err));
		v = le32_to_cpu(u.err.status);
		if (!v || !hdmabuf_err_wire_known(v))
			return __hdmabuf_fail(why, HDMABUF_MSGE_BAD_STATUS);
		if (u.err.reserved)
			return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
		return 0;
	case HDMABUF_OP_EXPORT_ANNOUNCE:
		return __hdmabuf_validate_desc_payload(p, len, why);
	case HDMABUF_OP_IMPORT:
		if (len != sizeof(u.imp))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.imp, p, sizeof(u.imp));
		if (u.imp.flags)
			return __hdmabuf_fail(why, HDMABUF_MSGE_IMPORT_FLAGS);
		if (u.imp.reserved)
			return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
		if (hdmabuf_handle_is_zero(&u.imp.handle))
			return __hdmabuf_fail(why, HDMABUF_MSGE_HANDLE_ZERO);
		return 0;
	case HDMABUF_OP_RELEASE:
		if (len != sizeof(u.rel))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.rel, p, sizeof(u.rel));
		if (u.rel.reserved[0] || u.rel.reserved[1])
			return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
		if (hdmabuf_handle_is_zero(&u.rel.handle))
			return __hdmabuf_fail(why, HDMABUF_MSGE_HANDLE_ZERO);
		return 0;
	case HDMABUF_OP_UNEXPORT:
		if (len != sizeof(u.unx))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.unx, p, sizeof(u.unx));
		switch (le32_to_cpu(u.unx.mode)) {
		case HDMABUF_UNEXPORT_WAIT:
			if (need)
				return __hdmabuf_fail(why,
					HDMABUF_MSGE_NEED_REPLY_UNEXPECTED);
			break;
		case HDMABUF_UNEXPORT_REVOKE:
			if (!(features & HDMABUF_FEAT_REVOKE))
				return __hdmabuf_fail(why,
					HDMABUF_MSGE_NOT_NEGOTIATED);
			if (!need)
				return __hdmabuf_fail(why,
					HDMABUF_MSGE_NEED_REPLY_MISSING);
			break;
		default:
			return __hdmabuf_fail(why, HDMABUF_MSGE_UNEXPORT_MODE);
		}
		if (u.unx.reserved)
			return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
		if (hdmabuf_handle_is_zero(&u.unx.handle))
			return __hdmabuf_fail(why, HDMABUF_MSGE_HANDLE_ZERO);
		return 0;
	case HDMABUF_OP_CPU_ACCESS:
		if (len != sizeof(u.cpu))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.cpu, p, sizeof(u.cpu));
		v = le32_to_cpu(u.cpu.op);
		if (v != HDMABUF_CPU_ACCESS_BEGIN && v != HDMABUF_CPU_ACCESS_END)
			return __hdmabuf_fail(why, HDMABUF_MSGE_CPU_OP);
		v = le32_to_cpu(u.cpu.direction);
		if (v < HDMABUF_DIR_READ || v > HDMABUF_DIR_BIDIRECTIONAL)
			return __hdmabuf_fail(why, HDMABUF_MSGE_CPU_DIRECTION);
		if (hdmabuf_handle_is_zero(&u.cpu.handle))
			return __hdmabuf_fail(why, HDMABUF_MSGE_HANDLE_ZERO);
		return 0;
	case HDMABUF_OP_FENCE_ATTACH:
	case HDMABUF_OP_FENCE_SIGNAL:
		if (len != sizeof(u.fence))
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		memcpy(&u.fence, p, sizeof(u.fence));
		if (!u.fence.seqno)
			return __hdmabuf_fail(why, HDMABUF_MSGE_FENCE_SEQNO);
		v = le32_to_cpu(u.fence.flags);
		if (op == HDMABUF_OP_FENCE_ATTACH) {
			if (v & ~HDMABUF_FENCE_VALID_FLAGS)
				return __hdmabuf_fail(why,
						      HDMABUF_MSGE_FENCE_FLAGS);
			if (u.fence.status)
				return __hdmabuf_fail(why,
						      HDMABUF_MSGE_RESERVED);
		} else {
			if (v)
				return __hdmabuf_fail(why,
						      HDMABUF_MSGE_FENCE_FLAGS);
			if (!hdmabuf_err_wire_known(
					le32_to_cpu(u.fence.status)))
				return __hdmabuf_fail(why,
						      HDMABUF_MSGE_BAD_STATUS);
		}
		if (hdmabuf_handle_is_zero(&u.fence.handle))
			return __hdmabuf_fail(why, HDMABUF_MSGE_HANDLE_ZERO);
		return 0;
	}
	/* Unreachable: the opcode was checked by the caller. */
	return __hdmabuf_fail(why, HDMABUF_MSGE_OPCODE_RESERVED);
}

/* Body of a reply (REPLY flag); op already checked to have replies. */
static inline int __hdmabuf_validate_reply(__u16 op, const __u8 *p, __u32 len,
					   enum hdmabuf_msg_error *why)
{
	struct hdmabuf_reply_hdr r;
	__u32 status;

	if (len < sizeof(r))
		return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
	memcpy(&r, p, sizeof(r));
	status = le32_to_cpu(r.status);
	if (!hdmabuf_err_wire_known(status))
		return __hdmabuf_fail(why, HDMABUF_MSGE_BAD_STATUS);
	if (r.reserved)
		return __hdmabuf_fail(why, HDMABUF_MSGE_RESERVED);
	p += sizeof(r);
	len -= (__u32)sizeof(r);
	if (status) {
		/* A refusal never has a body. */
		if (len)
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		return 0;
	}
	switch (op) {
	case HDMABUF_OP_HELLO:
		return __hdmabuf_validate_hello(p, len, why);
	case HDMABUF_OP_IMPORT:
		return __hdmabuf_validate_desc_payload(p, len, why);
	default:
		if (len)
			return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_SIZE);
		return 0;
	}
}

/**
 * hdmabuf_msg_validate() - check one received message
 * @buf:                message in private memory; any alignment
 * @len:                bytes received (header + payload)
 * @negotiated_features: HDMABUF_FEAT_* agreed in HELLO (0 before that)
 * @why:                optional, receives the failure reason
 *
 * Never reads outside [buf, buf + len) and allocates nothing.  On success
 * the caller may access the header and payload through the structures
 * above (after copying them out if @buf is not suitably aligned).  What it
 * does not check: whether the opcode is acceptable in the current
 * connection state, whether a reply matches an outstanding request, and
 * whether the peer may name a handle; those are the caller's job.
 *
 * Return: 0 or a negative errno (see hdmabuf_msg_error_errno()).
 */
static inline int hdmabuf_msg_validate(const void *buf, size_t len,
				       __u64 negotiated_features,
				       enum hdmabuf_msg_error *why)
{
	const __u8 *p = (const __u8 *)buf;
	struct hdmabuf_msg_hdr h;
	__u32 flags, plen;
	__u16 op;
	int policy, reply;

	if (why)
		*why = HDMABUF_MSGE_OK;
	if (len < sizeof(h))
		return __hdmabuf_fail(why, HDMABUF_MSGE_TOO_SHORT);
	memcpy(&h, p, sizeof(h));
	if (le32_to_cpu(h.magic) != HDMABUF_MSG_MAGIC)
		return __hdmabuf_fail(why, HDMABUF_MSGE_BAD_MAGIC);
	if (le16_to_cpu(h.version) != HDMABUF_PROTO_VERSION)
		return __hdmabuf_fail(why, HDMABUF_MSGE_BAD_VERSION);
	plen = le32_to_cpu(h.payload_len);
	if (plen > HDMABUF_MSG_MAX_PAYLOAD)
		return __hdmabuf_fail(why, HDMABUF_MSGE_PAYLOAD_TOO_BIG);
	if (plen != len - sizeof(h))
		return __hdmabuf_fail(why, HDMABUF_MSGE_LEN_MISMATCH);

	op = le16_to_cpu(h.opcode);
	switch (op) {
	case HDMABUF_OP_HELLO:
	case HDMABUF_OP_IMPORT:
		policy = __HDMABUF_NR_ALWAYS;
		break;
	case HDMABUF_OP_CPU_ACCESS:
		if (!(negotiated_features & HDMABUF_FEAT_CPU_ACCESS))
			return __hdmabuf_fail(why, HDMABUF_MSGE_NOT_NEGOTIATED);
		policy = __HDMABUF_NR_ALWAYS;
		break;
	case HDMABUF_OP_UNEXPORT:
		policy = __HDMABUF_NR_BY_MODE;
		break;
	case HDMABUF_OP_BYE:
	case HDMABUF_OP_ERROR:
	case HDMABUF_OP_EXPORT_ANNOUNCE:
	case HDMABUF_OP_RELEASE:
		policy = __HDMABUF_NR_NEVER;
		break;
	case HDMABUF_OP_FENCE_ATTACH:
	case HDMABUF_OP_FENCE_SIGNAL:
		if (!(negotiated_features & HDMABUF_FEAT_FENCES))
			return __hdmabuf_fail(why, HDMABUF_MSGE_NOT_NEGOTIATED);
		policy = op == HDMABUF_OP_FENCE_ATTACH ? __HDMABUF_NR_OPTIONAL :
							 __HDMABUF_NR_NEVER;
		break;
	case HDMABUF_OP_INVALID:
		return __hdmabuf_fail(why, HDMABUF_MSGE_OPCODE_ZERO);
	default:
		if (op >= HDMABUF_OP_VENDOR_FIRST)
			return __hdmabuf_fail(why, HDMABUF_MSGE_OPCODE_VENDOR);
		return __hdmabuf_fail(why, HDMABUF_MSGE_OPCODE_RESERVED);
	}

	flags = le32_to_cpu(h.flags);
	if (flags & ~HDMABUF_MSG_VALID_FLAGS)
		return __hdmabuf_fail(why, HDMABUF_MSGE_FLAGS_UNKNOWN);
	if ((flags & HDMABUF_MSG_F_REPLY) && (flags & HDMABUF_MSG_F_NEED_REPLY))
		return __hdmabuf_fail(why, HDMABUF_MSGE_FLAGS_CONFLICT);
	if (flags && !h.req_id)
		return __hdmabuf_fail(why, HDMABUF_MSGE_REQ_ID_ZERO);

	reply = !!(flags & HDMABUF_MSG_F_REPLY);
	if (reply) {
		if (policy == __HDMABUF_NR_NEVER)
			return __hdmabuf_fail(why, HDMABUF_MSGE_REPLY_UNEXPECTED);
		return __hdmabuf_validate_reply(op, p + sizeof(h), plen, why);
	}
	if (policy == __HDMABUF_NR_ALWAYS && !(flags & HDMABUF_MSG_F_NEED_REPLY))
		return __hdmabuf_fail(why, HDMABUF_MSGE_NEED_REPLY_MISSING);
	if (policy == __HDMABUF_NR_NEVER && (flags & HDMABUF_MSG_F_NEED_REPLY))
		return __hdmabuf_fail(why, HDMABUF_MSGE_NEED_REPLY_UNEXPECTED);
	return __hdmabuf_validate_request(op, flags, p + sizeof(h), plen,
					  negotiated_features, why);
}

/* --------------------------------------------------------------------- */
/* Builders and helpers                                                  */
/* --------------------------------------------------------------------- */

/* Fill a header; the payload is written by the caller after it. */
static inline void hdmabuf_msg_init_hdr(struct hdmabuf_msg_hdr *hdr,
					__u16 opcode, __u32 flags,
					__u32 payload_len, __u64 req_id)
{
	hdr->magic = cpu_to_le32(HDMABUF_MSG_MAGIC);
	hdr->version = cpu_to_le16(HDMABUF_PROTO_VERSION);
	hdr->opcode = cpu_to_le16(opcode);
	hdr->flags = cpu_to_le32(flags);
	hdr->payload_len = cpu_to_le32(payload_len);
	hdr->req_id = cpu_to_le64(req_id);
}

/*
 * Fill the header and reply header of a reply to @req (a validated
 * request).  @body_len is the op-specific body following the reply
 * header, 0 unless @err is 0.
 */
static inline void hdmabuf_msg_init_reply(struct hdmabuf_msg_hdr *hdr,
					  struct hdmabuf_reply_hdr *rhdr,
					  const struct hdmabuf_msg_hdr *req,
					  int err, __u32 body_len)
{
	hdmabuf_msg_init_hdr(hdr, le16_to_cpu(req->opcode),
			     HDMABUF_MSG_F_REPLY,
			     (__u32)sizeof(*rhdr) + (err ? 0 : body_len),
			     le64_to_cpu(req->req_id));
	rhdr->status = cpu_to_le32(hdmabuf_err_to_wire(err));
	rhdr->reserved = 0;
}

/* Total message length from a validated header. */
static inline size_t hdmabuf_msg_len(const struct hdmabuf_msg_hdr *hdr)
{
	return sizeof(*hdr) + le32_to_cpu(hdr->payload_len);
}

/**
 * hdmabuf_hello_negotiate() - agree on a version and a feature set
 * @local_min:      lowest version we speak
 * @local_max:      highest version we speak
 * @local_features: HDMABUF_FEAT_* we offer
 * @remote:         the peer's (validated) HELLO body
 * @version:        out, highest common version
 * @features:       out, local & remote & HDMABUF_FEAT_ALL
 *
 * Return: 0, or -EPROTO if the version ranges do not overlap (or either
 * is malformed); outputs are untouched then.
 */
static inline int hdmabuf_hello_negotiate(__u16 local_min, __u16 local_max,
					  __u64 local_features,
					  const struct hdmabuf_msg_hello *remote,
					  __u16 *version, __u64 *features)
{
	__u16 rmin = le16_to_cpu(remote->version_min);
	__u16 rmax = le16_to_cpu(remote->version_max);
	__u16 lo, hi;

	if (!local_min || local_min > local_max || !rmin || rmin > rmax)
		return -EPROTO;
	lo = local_min > rmin ? local_min : rmin;
	hi = local_max < rmax ? local_max : rmax;
	if (lo > hi)
		return -EPROTO;
	*version = hi;
	*features = local_features & le64_to_cpu(remote->features) &
		    HDMABUF_FEAT_ALL;
	return 0;
}

/**
 * hdmabuf_export_desc_set_layout() - fill the size and directory fields
 * @d:            descriptor to update
 * @size:         buffer size in bytes
 * @first_offset: offset of the first byte in the first page
 * @ref_size:     4 or 8
 * @dir_root:     ref of the root directory page
 * @g:            out, the directory geometry (for hdmabuf_pgdir_build())
 *
 * Sets size, nr_pages, first_offset, dir_root, dir_levels, ref_size,
 * page_shift and dir_pages; the caller fills the rest.  dir_root may be
 * passed as 0 and set later, once the root page is shared.
 *
 * Return: 0, -EINVAL for size 0 / bad offset / bad ref_size, -ERANGE if
 * the buffer needs more than HDMABUF_MAX_PAGES pages.
 */
static inline int hdmabuf_export_desc_set_layout(struct hdmabuf_export_desc *d,
						 __u64 size, __u32 first_offset,
						 __u32 ref_size, __u64 dir_root,
						 struct hdmabuf_pgdir_geom *g)
{
	__u64 end, nr;
	int ret;

	if (!size || first_offset >= HDMABUF_WIRE_PAGE_SIZE)
		return -EINVAL;
	if (size > HDMABUF_U64_MAX - first_offset)
		return -ERANGE;
	end = size + first_offset;
	nr = (end >> HDMABUF_WIRE_PAGE_SHIFT) +
	     !!(end & (HDMABUF_WIRE_PAGE_SIZE - 1));
	ret = hdmabuf_pgdir_geom_init(g, nr, ref_size, HDMABUF_WIRE_PAGE_SIZE);
	if (ret)
		return ret;
	d->size = cpu_to_le64(size);
	d->nr_pages = cpu_to_le64(nr);
	d->first_offset = cpu_to_le32(first_offset);
	d->dir_root = cpu_to_le64(dir_root);
	d->dir_levels = (__u8)g->levels;
	d->ref_size = (__u8)ref_size;
	d->page_shift = HDMABUF_WIRE_PAGE_SHIFT;
	d->dir_pages = cpu_to_le32((__u32)g->total_pages);
	return 0;
}

#endif /* _HDMABUF_WIRE_H */
