/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libhyperdmabuf: small helpers around /dev/hyper_dmabuf for the project's
 * tools (hyperdmabuf-ctl, the importer daemon, the demo compositor).
 *
 * Conventions: every function returning int gives 0 (or a non-negative
 * value such as an fd) on success and a negative errno on failure; errno
 * itself is not relied upon.  ioctls interrupted by a signal are retried.
 * Nothing here prints or exits.  Structures are the uapi ones from
 * <linux/hyper_dmabuf.h>; callers zero them (or use the *_init helpers).
 *
 * Link with tools/lib/build/libhyperdmabuf.a (`make -C tools/lib`), compile
 * with -I tools/lib -I uapi.
 */
#ifndef HYPERDMABUF_H
#define HYPERDMABUF_H

#include <stddef.h>
#include <stdint.h>

#include <linux/hyper_dmabuf.h>

#define HDMABUF_DEV		"/dev/hyper_dmabuf"
/* Text form of a handle: 32 lower-case hex digits, bytes[0] first. */
#define HDMABUF_HANDLE_STRLEN	32

/* ---------------------------------------------------------- device */

/* open(HDMABUF_DEV, O_RDWR | O_CLOEXEC | @extra_flags): fd or -errno. */
int hdmabuf_open(int extra_flags);
/* ioctl(@fd, @req, @arg) retried on EINTR: 0 or -errno. */
int hdmabuf_ioctl(int fd, unsigned long req, void *arg);

int hdmabuf_get_info(int fd, struct hyper_dmabuf_info *info);
/* EXPORT: @e filled by the caller (handle zero); e->handle on success. */
int hdmabuf_export(int fd, struct hyper_dmabuf_export *e);
/* IMPORT @h: the new dma-buf fd (O_CLOEXEC unless NO_CLOEXEC) or -errno;
 * *size (may be NULL) gets the buffer size. */
int hdmabuf_import(int fd, const struct hyper_dmabuf_handle *h,
		   uint32_t flags, uint64_t *size);
int hdmabuf_unexport(int fd, const struct hyper_dmabuf_handle *h,
		     uint32_t flags, uint32_t timeout_ms);
/* QUERY @h into @q; up to @cap opaque bytes into @opaque (may be NULL). */
int hdmabuf_query(int fd, const struct hyper_dmabuf_handle *h,
		  struct hyper_dmabuf_query *q, void *opaque, uint32_t cap);
/*
 * LIST: *handles gets a malloc()ed array of every handle known to this VM
 * (free() it), the count is returned.  Retries when buffers appear
 * between the size probe and the copy.
 */
int hdmabuf_list(int fd, struct hyper_dmabuf_handle **handles);
/*
 * Wait up to @timeout_ms (-1: forever) for one event record on @fd:
 * 1 and *ev filled, 0 on timeout, -errno (-EINTR when a signal arrived).
 */
int hdmabuf_read_event(int fd, struct hyper_dmabuf_event *ev, int timeout_ms);
/*
 * EVENT_MASK: @fd receives the types in @mask (HYPER_DMABUF_EVENT_BIT()s)
 * from now on; *@old (may be NULL) gets the previous mask.  0 or -errno.
 */
int hdmabuf_event_mask(int fd, uint64_t mask, uint64_t *old);

/* ---------------------------------------------------------- text forms */

/* @out gets 32 hex digits and a NUL. */
void hdmabuf_handle_format(const struct hyper_dmabuf_handle *h,
			   char out[HDMABUF_HANDLE_STRLEN + 1]);
/* Exactly 32 hex digits (either case), not all zero: 0 or -EINVAL. */
int hdmabuf_handle_parse(const char *s, struct hyper_dmabuf_handle *h);
int hdmabuf_handle_eq(const struct hyper_dmabuf_handle *a,
		      const struct hyper_dmabuf_handle *b);

/* "loopback", "xen", "virtio" for HYPER_DMABUF_BACKEND_*, else NULL. */
const char *hdmabuf_backend_name(uint32_t id);
/* Backend name or decimal id: the id, or -EINVAL. */
int hdmabuf_backend_parse(const char *s, uint32_t *id);

const char *hdmabuf_event_name(uint32_t type);	/* "offer", ... or NULL */
const char *hdmabuf_state_name(uint32_t state);	/* "shared", ... or NULL */
const char *hdmabuf_role_name(uint32_t role);	/* "exporter", ... or NULL */

/*
 * DRM fourcc: a name ("XRGB8888"), a four-character code ("XR24", padded
 * with spaces when shorter) or a number (0x34325258, 0 = not an image).
 */
int hdmabuf_fourcc_parse(const char *s, uint32_t *fourcc);
/* @out gets "XR24"-style text when printable, else "0x%08x". */
void hdmabuf_fourcc_format(uint32_t fourcc, char out[16]);
/* Bits per pixel of single-plane RGB formats we know, else 0. */
unsigned int hdmabuf_fourcc_bpp(uint32_t fourcc);

#define HDMABUF_FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | \
	 ((uint32_t)(d) << 24))
#define HDMABUF_FMT_XRGB8888	HDMABUF_FOURCC('X', 'R', '2', '4')
#define HDMABUF_FMT_ARGB8888	HDMABUF_FOURCC('A', 'R', '2', '4')

/* ---------------------------------------------------------- vgem */

/* A vgem dumb buffer exported as a dma-buf and mapped read-write. */
struct hdmabuf_vgem_buf {
	int card;		/* the vgem card (not owned) */
	uint32_t gem;		/* GEM handle, 0 when none */
	uint32_t width, height, bpp;
	uint32_t pitch;		/* bytes per line chosen by vgem */
	uint64_t size;		/* bytes, a multiple of the page size */
	int dmabuf;		/* O_RDWR | O_CLOEXEC dma-buf fd, or -1 */
	void *map;		/* CPU mapping of all @size bytes */
};

/*
 * Open the vgem DRM device: /dev/dri/cardN whose driver is "vgem", or a
 * private node made from /sys/class/drm/cardN/dev when /dev/dri is
 * missing (initramfs without udev).  fd or -ENODEV.
 */
int hdmabuf_vgem_open(void);
/* Dumb buffer of @width x @height at @bpp bits per pixel: 0 or -errno. */
int hdmabuf_vgem_alloc(int card, uint32_t width, uint32_t height,
		       uint32_t bpp, struct hdmabuf_vgem_buf *b);
/* A buffer of at least @size bytes (4096-byte lines): 0 or -errno. */
int hdmabuf_vgem_alloc_size(int card, uint64_t size,
			    struct hdmabuf_vgem_buf *b);
/* Unmap, close the dma-buf fd and the GEM handle; safe to call again
 * and after a failed alloc. */
void hdmabuf_vgem_free(struct hdmabuf_vgem_buf *b);

/*
 * vgem's software fences (a fence that signals when the caller says so,
 * or after vgem's own 10 s timeout): attach one to GEM object @gem's
 * reservation object (@write: an exclusive, writing fence), *@fence gets
 * its id; -EBUSY when a conflicting fence is pending.
 */
int hdmabuf_vgem_fence_attach(int card, uint32_t gem, int write,
			      uint32_t *fence);
int hdmabuf_vgem_fence_signal(int card, uint32_t fence);
/* PRIME-import any dma-buf into @card: *@gem shares its reservation
 * object, so vgem fences on it fence the dma-buf. */
int hdmabuf_prime_import(int card, int dmabuf_fd, uint32_t *gem);
void hdmabuf_gem_close(int card, uint32_t gem);	/* @gem 0: nothing */

/* ---------------------------------------------------------- fences */

/* FENCE_ATTACH of @sync_fd (-1: the buffer's pending fences) on @h with
 * HYPER_DMABUF_FENCE_* @flags; *@seqno (may be NULL) gets the seqno, 0
 * when nothing was pending. */
int hdmabuf_fence_attach(int fd, const struct hyper_dmabuf_handle *h,
			 int sync_fd, uint32_t flags, uint64_t *seqno);
/* FENCE_GET with FENCE_SEQNO: a sync_file of the peer's fence @seqno on
 * @h (pending or lately completed) or -errno (-ENOENT: not known). */
int hdmabuf_fence_get_seqno(int fd, const struct hyper_dmabuf_handle *h,
			    uint64_t seqno);
/* DMA_BUF_IOCTL_EXPORT_SYNC_FILE (DMA_BUF_SYNC_READ: the fences a reader
 * waits for; WRITE: all of them): a sync_file fd or -errno. */
int hdmabuf_dmabuf_export_sync_file(int dmabuf_fd, uint32_t flags);
/* 1 signalled, 0 pending, or the fence's error (-errno; also for a
 * failed ioctl). */
int hdmabuf_sync_file_status(int sync_fd);

/* ---------------------------------------------------------- udmabuf */

/*
 * Open character device @dev, or, without devtmpfs, a private node made
 * from the "MAJ:MIN" in @sysfs_dev: fd or -errno (-ENODEV).
 */
int hdmabuf_open_chrdev(const char *dev, const char *sysfs_dev);

/* A udmabuf over a sealed memfd, mapped read-write through the memfd. */
struct hdmabuf_udmabuf {
	int memfd;		/* -1 when none */
	int dmabuf;		/* O_RDWR | O_CLOEXEC dma-buf fd, or -1 */
	uint64_t size;		/* bytes, a multiple of the page size */
	void *map;		/* CPU mapping of all @size bytes */
};

/*
 * At least @size bytes: 0 or -errno (-ENODEV without udmabuf, e.g. Debian
 * 6.1).  In a Xen PV domU, write buffers this way: writing a vgem buffer
 * through its mmap loops on page faults there.
 */
int hdmabuf_udmabuf_alloc(uint64_t size, struct hdmabuf_udmabuf *b);
/* Safe to call again and after a failed alloc. */
void hdmabuf_udmabuf_free(struct hdmabuf_udmabuf *b);

/* DMA_BUF_IOCTL_SYNC on a dma-buf fd (DMA_BUF_SYNC_* flags): 0 or -errno. */
int hdmabuf_dmabuf_sync(int dmabuf_fd, uint64_t flags);

#endif /* HYPERDMABUF_H */
