/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hyper_dmabuf: share dma-bufs between virtual machines without copying.
 *
 * The ioctl ABI of /dev/hyper_dmabuf. Every structure is made of
 * fixed-width fields with explicit padding, so its layout is identical for
 * 32-bit and 64-bit userspace (no compat_ioctl translation).  Pointers are
 * passed as __u64.  Every "reserved" or "pad" field, every "out" field
 * and every flag bit outside the published VALID mask must be zero on
 * input, or the ioctl fails with -EINVAL; this keeps them usable for later
 * extensions.
 *
 * docs/uapi.rst documents each ioctl with its errno table.
 */
#ifndef _UAPI_LINUX_HYPER_DMABUF_H
#define _UAPI_LINUX_HYPER_DMABUF_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define HYPER_DMABUF_ABI_VERSION	1

/* 0xB9 is unused in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define HYPER_DMABUF_IOC_MAGIC		0xB9

/* Backends, i.e. the hypervisor transports a peer is reached through. */
#define HYPER_DMABUF_BACKEND_LOOPBACK	1
#define HYPER_DMABUF_BACKEND_XEN	2
#define HYPER_DMABUF_BACKEND_VIRTIO	3
#define HYPER_DMABUF_MAX_BACKENDS	8

#define HYPER_DMABUF_MAX_OPAQUE		256
#define HYPER_DMABUF_MAX_PLANES		4

/**
 * struct hyper_dmabuf_handle - names one shared buffer
 * @bytes: 128 random bits chosen by the exporting kernel; never all zero.
 *
 * A handle is bound to the (exporter, importer) pair it was created for:
 * it is useless in any other VM.  Tools print it as 32 lower-case hex
 * digits, bytes[0] first.
 */
struct hyper_dmabuf_handle {
	__u8 bytes[16];
};

/* GET_INFO feature bits. */
#define HYPER_DMABUF_FEAT_MMAP		(1ULL << 0) /* imports can be mmapped */
#define HYPER_DMABUF_FEAT_VMAP		(1ULL << 1) /* imports can be vmapped */
#define HYPER_DMABUF_FEAT_CPU_ACCESS	(1ULL << 2) /* begin/end_cpu_access forwarded */
#define HYPER_DMABUF_FEAT_REVOKE	(1ULL << 3) /* UNEXPORT_REVOKE */
#define HYPER_DMABUF_FEAT_EVENTS	(1ULL << 4) /* poll()/read() events */
#define HYPER_DMABUF_FEAT_UEVENTS	(1ULL << 5) /* KOBJ_CHANGE per offer */
#define HYPER_DMABUF_FEAT_FENCES	(1ULL << 6) /* FENCE_ATTACH, FENCE_GET */
#define HYPER_DMABUF_FEAT_FENCE_EVENTS	(1ULL << 7) /* EVENT_FENCE, EVENT_MASK */

/**
 * struct hyper_dmabuf_backend_info - one registered backend
 * @id: HYPER_DMABUF_BACKEND_*.
 * @flags: reserved, zero.
 * @own_domid: the domain id of this VM as peers on this backend see it.
 * @name: NUL-terminated backend name, e.g. "xen".
 */
struct hyper_dmabuf_backend_info {
	__u32 id;
	__u32 flags;
	__u64 own_domid;
	char name[16];
};

/**
 * struct hyper_dmabuf_info - argument of HYPER_DMABUF_IOCTL_GET_INFO
 * @abi_version: HYPER_DMABUF_ABI_VERSION of the running module.
 * @nr_backends: number of valid entries in @backends.
 * @features: HYPER_DMABUF_FEAT_* bits.
 * @max_size: largest buffer that can be exported, in bytes.
 * @max_opaque: largest opaque metadata blob, in bytes.
 * @max_exports: live exports allowed per open file.
 * @reserved: zero.
 * @backends: the backends currently registered.
 */
struct hyper_dmabuf_info {
	__u32 abi_version;
	__u32 nr_backends;
	__u64 features;
	__u64 max_size;
	__u32 max_opaque;
	__u32 max_exports;
	__u64 reserved[4];
	struct hyper_dmabuf_backend_info backends[HYPER_DMABUF_MAX_BACKENDS];
};

/**
 * struct hyper_dmabuf_plane - one plane of an image buffer
 * @offset: byte offset of the plane's first pixel.
 * @stride: bytes per line.
 */
struct hyper_dmabuf_plane {
	__u32 offset;
	__u32 stride;
};

/**
 * struct hyper_dmabuf_meta - typed metadata travelling with a buffer
 * @fourcc: DRM_FORMAT_* code, or 0 for a buffer that is not an image.
 * @nr_planes: used entries of @planes (0..HYPER_DMABUF_MAX_PLANES);
 *	unused entries must be zero.
 * @modifier: DRM_FORMAT_MOD_*.
 * @width: pixels.
 * @height: lines.
 * @planes: plane layout; each plane must lie inside the buffer.
 */
struct hyper_dmabuf_meta {
	__u32 fourcc;
	__u32 nr_planes;
	__u64 modifier;
	__u32 width;
	__u32 height;
	struct hyper_dmabuf_plane planes[HYPER_DMABUF_MAX_PLANES];
};

/* EXPORT flags. */
#define HYPER_DMABUF_EXPORT_RW		(1U << 0) /* peer may write */
#define HYPER_DMABUF_EXPORT_VALID_FLAGS	(HYPER_DMABUF_EXPORT_RW)

/**
 * struct hyper_dmabuf_export - argument of HYPER_DMABUF_IOCTL_EXPORT
 * @fd: in: the dma-buf to share.
 * @flags: in: HYPER_DMABUF_EXPORT_*; read-only unless EXPORT_RW.
 * @backend: in: HYPER_DMABUF_BACKEND_* the peer is reached through.
 * @opaque_len: in: bytes at @opaque_ptr (<= GET_INFO max_opaque).
 * @peer: in: the importing domain's id on @backend.
 * @opaque_ptr: in: user pointer to opaque metadata, or 0.
 * @meta: in: typed metadata.
 * @handle: out: the handle the peer imports with.
 * @reserved: zero.
 */
struct hyper_dmabuf_export {
	__s32 fd;
	__u32 flags;
	__u32 backend;
	__u32 opaque_len;
	__u64 peer;
	__u64 opaque_ptr;
	struct hyper_dmabuf_meta meta;
	struct hyper_dmabuf_handle handle;
	__u64 reserved[4];
};

/* IMPORT flags. */
#define HYPER_DMABUF_IMPORT_NO_CLOEXEC	(1U << 0) /* fd survives execve() */
#define HYPER_DMABUF_IMPORT_VALID_FLAGS	(HYPER_DMABUF_IMPORT_NO_CLOEXEC)

/**
 * struct hyper_dmabuf_import - argument of HYPER_DMABUF_IOCTL_IMPORT
 * @handle: in: a handle offered to this VM.
 * @flags: in: HYPER_DMABUF_IMPORT_*.
 * @fd: out: a dma-buf fd, O_CLOEXEC unless IMPORT_NO_CLOEXEC.  It is
 *	opened O_RDWR for read-write exports, O_RDONLY otherwise.
 * @size: out: buffer size in bytes.
 * @reserved: zero.
 */
struct hyper_dmabuf_import {
	struct hyper_dmabuf_handle handle;
	__u32 flags;
	__s32 fd;
	__u64 size;
	__u64 reserved[4];
};

/* UNEXPORT flags. */
#define HYPER_DMABUF_UNEXPORT_REVOKE	(1U << 0) /* tear importers down now */
#define HYPER_DMABUF_UNEXPORT_VALID_FLAGS (HYPER_DMABUF_UNEXPORT_REVOKE)

/**
 * struct hyper_dmabuf_unexport - argument of HYPER_DMABUF_IOCTL_UNEXPORT
 * @handle: in: a handle this file exported.
 * @flags: in: HYPER_DMABUF_UNEXPORT_*.
 * @timeout_ms: in: without REVOKE, how long to wait for every importer
 *	to release; -ETIMEDOUT when they have not, and the buffer stays
 *	withdrawn (no new imports, still counted against max_exports) until
 *	a later UNEXPORT finds every importer gone, a REVOKE follows or the
 *	file is closed.  With REVOKE it is ignored: importers' mappings are
 *	torn down, waiting at most the module's reply_timeout_ms for the
 *	peer to confirm, and the buffer is gone when the call returns.
 * @reserved: zero.
 */
struct hyper_dmabuf_unexport {
	struct hyper_dmabuf_handle handle;
	__u32 flags;
	__u32 timeout_ms;
	__u64 reserved[2];
};

/* QUERY roles and states. */
#define HYPER_DMABUF_ROLE_EXPORTER	1 /* this VM exported it */
#define HYPER_DMABUF_ROLE_IMPORTER	2 /* offered to this VM */

#define HYPER_DMABUF_STATE_SHARED	1 /* importable */
#define HYPER_DMABUF_STATE_WITHDRAWN	2 /* unexported, importers left */
#define HYPER_DMABUF_STATE_REVOKED	3 /* torn down */

/**
 * struct hyper_dmabuf_query - argument of HYPER_DMABUF_IOCTL_QUERY
 * @handle: in: the buffer.
 * @opaque_ptr: in: where to copy the opaque metadata, or 0.
 * @opaque_cap: in: bytes available at @opaque_ptr.
 * @opaque_len: out: the metadata's full length (may exceed @opaque_cap,
 *	then only @opaque_cap bytes were copied).
 * @size: out: bytes.
 * @peer: out: the other domain's id.
 * @backend: out: HYPER_DMABUF_BACKEND_*.
 * @role: out: HYPER_DMABUF_ROLE_*.
 * @state: out: HYPER_DMABUF_STATE_*.
 * @flags: out: HYPER_DMABUF_EXPORT_RW if the peer may write.
 * @importers: out: live imports of the buffer (exporter: by the peer;
 *	importer: local dma-bufs made from it, 0 or 1).
 * @pad: zero.
 * @meta: out: typed metadata.
 * @reserved: zero.
 */
struct hyper_dmabuf_query {
	struct hyper_dmabuf_handle handle;
	__u64 opaque_ptr;
	__u32 opaque_cap;
	__u32 opaque_len;
	__u64 size;
	__u64 peer;
	__u32 backend;
	__u32 role;
	__u32 state;
	__u32 flags;
	__u32 importers;
	__u32 pad;
	struct hyper_dmabuf_meta meta;
	__u64 reserved[4];
};

/**
 * struct hyper_dmabuf_list - argument of HYPER_DMABUF_IOCTL_LIST
 * @handles_ptr: in: user array of struct hyper_dmabuf_handle, or 0.
 * @capacity: in: entries available at @handles_ptr.
 * @count: out: total buffers known to this VM (exported by this file's
 *	VM or offered to it); at most @capacity handles are copied.
 * @reserved: zero.
 */
struct hyper_dmabuf_list {
	__u64 handles_ptr;
	__u32 capacity;
	__u32 count;
	__u64 reserved[2];
};

/* FENCE_ATTACH and FENCE_GET flags. */
#define HYPER_DMABUF_FENCE_WRITE	(1U << 0) /* the work writes */
#define HYPER_DMABUF_FENCE_VALID_FLAGS	(HYPER_DMABUF_FENCE_WRITE)
/* FENCE_GET only: the one fence @seqno, pending or how it ended. */
#define HYPER_DMABUF_FENCE_SEQNO	(1U << 1)
#define HYPER_DMABUF_FENCE_GET_VALID_FLAGS \
	(HYPER_DMABUF_FENCE_WRITE | HYPER_DMABUF_FENCE_SEQNO)

/**
 * struct hyper_dmabuf_fence_attach - argument of HYPER_DMABUF_IOCTL_FENCE_ATTACH
 * @handle: in: a buffer this file exported, or one offered to this VM.
 * @fd: in: a sync_file whose fence the peer is to wait for, or -1 for the
 *	fences now in the buffer's reservation object (the exported dma-buf,
 *	or the live local import of an offer): with FENCE_WRITE its writers,
 *	else all of them.
 * @flags: in: HYPER_DMABUF_FENCE_WRITE when the work writes the buffer
 *	(the peer's readers and writers wait), else it reads it (the peer's
 *	writers wait).
 * @seqno: out: the fence's number on this VM's timeline towards the peer,
 *	0 when there was nothing unsignalled to send.
 * @reserved: zero.
 *
 * When the call returns, the peer's side of the buffer carries a proxy
 * fence that signals when this fence does (or with an error when this VM
 * goes away or the peer's fence timeout expires).
 */
struct hyper_dmabuf_fence_attach {
	struct hyper_dmabuf_handle handle;
	__s32 fd;
	__u32 flags;
	__u64 seqno;
	__u64 reserved[2];
};

/**
 * struct hyper_dmabuf_fence_get - argument of HYPER_DMABUF_IOCTL_FENCE_GET
 * @handle: in: a buffer this file exported, or one offered to this VM.
 * @flags: in: HYPER_DMABUF_FENCE_WRITE: only the peer's pending writes,
 *	else all of the peer's pending fences on the buffer.
 *	HYPER_DMABUF_FENCE_SEQNO (without WRITE): only the peer's fence
 *	@seqno on the buffer (the seqno of its FENCE event), so that its
 *	sync_file tells how it ended even after it did: pending, one of
 *	the peer's last 64 failed ones, or signalled without error for
 *	an earlier seqno of the connection; ENOENT for a later one.
 * @fd: out: a sync_file (O_CLOEXEC) that signals when they all have; an
 *	already signalled one when none is pending.
 * @seqno: in: with HYPER_DMABUF_FENCE_SEQNO, the fence; else zero.
 * @reserved: zero.
 */
struct hyper_dmabuf_fence_get {
	struct hyper_dmabuf_handle handle;
	__u32 flags;
	__s32 fd;
	__u64 seqno;
	__u64 reserved;
};

/**
 * struct hyper_dmabuf_event_mask - argument of HYPER_DMABUF_IOCTL_EVENT_MASK
 * @mask: in: the event types this file receives from now on, bit
 *	HYPER_DMABUF_EVENT_BIT(type) for each; only bits of
 *	HYPER_DMABUF_EVENT_MASK_ALL.  OVERFLOW records are always made.
 * @old_mask: out: the mask before the call.  A file starts with
 *	HYPER_DMABUF_EVENT_MASK_DEFAULT: every type but FENCE, which comes
 *	at the peers' frame rates and only to files that ask for it.
 * @reserved: zero.
 *
 * Records already queued stay queued.
 */
struct hyper_dmabuf_event_mask {
	__u64 mask;
	__u64 old_mask;
	__u64 reserved[2];
};

#define HYPER_DMABUF_IOCTL_GET_INFO \
	_IOR(HYPER_DMABUF_IOC_MAGIC, 0x00, struct hyper_dmabuf_info)
#define HYPER_DMABUF_IOCTL_EXPORT \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x01, struct hyper_dmabuf_export)
#define HYPER_DMABUF_IOCTL_IMPORT \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x02, struct hyper_dmabuf_import)
#define HYPER_DMABUF_IOCTL_UNEXPORT \
	_IOW(HYPER_DMABUF_IOC_MAGIC, 0x03, struct hyper_dmabuf_unexport)
#define HYPER_DMABUF_IOCTL_QUERY \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x04, struct hyper_dmabuf_query)
#define HYPER_DMABUF_IOCTL_LIST \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x05, struct hyper_dmabuf_list)
#define HYPER_DMABUF_IOCTL_FENCE_ATTACH \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x06, struct hyper_dmabuf_fence_attach)
#define HYPER_DMABUF_IOCTL_FENCE_GET \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x07, struct hyper_dmabuf_fence_get)
#define HYPER_DMABUF_IOCTL_EVENT_MASK \
	_IOWR(HYPER_DMABUF_IOC_MAGIC, 0x08, struct hyper_dmabuf_event_mask)

/* Event records returned by read() on /dev/hyper_dmabuf. */
#define HYPER_DMABUF_EVENT_OFFER	1 /* a peer exported a buffer to us */
#define HYPER_DMABUF_EVENT_WITHDRAWN	2 /* exporter asks us to release */
#define HYPER_DMABUF_EVENT_REVOKED	3 /* exporter tore an import down */
#define HYPER_DMABUF_EVENT_PEER_UP	4
#define HYPER_DMABUF_EVENT_PEER_DOWN	5
#define HYPER_DMABUF_EVENT_OVERFLOW	6 /* @size events were lost */
#define HYPER_DMABUF_EVENT_RELEASED	7 /* peer released our export */
#define HYPER_DMABUF_EVENT_FENCE	8 /* peer's fence now on a buffer */

/* EVENT_MASK bits. */
#define HYPER_DMABUF_EVENT_BIT(type)	(1ULL << (type))
#define HYPER_DMABUF_EVENT_MASK_ALL	(0x1ffULL & ~1ULL) /* types 1..8 */
#define HYPER_DMABUF_EVENT_MASK_DEFAULT	(HYPER_DMABUF_EVENT_MASK_ALL & \
	~HYPER_DMABUF_EVENT_BIT(HYPER_DMABUF_EVENT_FENCE))

/**
 * struct hyper_dmabuf_event - one record read() from /dev/hyper_dmabuf
 * @type: HYPER_DMABUF_EVENT_*.
 * @flags: HYPER_DMABUF_EXPORT_RW for OFFER of a read-write buffer;
 *	HYPER_DMABUF_FENCE_WRITE for FENCE of the peer's writing work.
 * @handle: the buffer concerned (zero for PEER_* and OVERFLOW).
 * @backend: HYPER_DMABUF_BACKEND_*.
 * @fourcc: typed metadata of an OFFER.
 * @peer: the other domain.
 * @size: buffer bytes; for OVERFLOW the number of events lost; for FENCE
 *	the fence's seqno on the peer's timeline.
 * @seq: per-file sequence number of queued records (lost events leave
 *	no gap: the OVERFLOW record reports them).
 * @reserved: zero.
 *
 * read() returns whole records only; a buffer smaller than one record
 * fails with -EINVAL.  When the queue is full the oldest records are kept
 * and a single OVERFLOW record reports how many were dropped.
 */
struct hyper_dmabuf_event {
	__u32 type;
	__u32 flags;
	struct hyper_dmabuf_handle handle;
	__u32 backend;
	__u32 fourcc;
	__u64 peer;
	__u64 size;
	__u64 seq;
	__u64 reserved;
};

#endif /* _UAPI_LINUX_HYPER_DMABUF_H */
