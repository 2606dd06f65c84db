/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the hyper_dmabuf selftests: /dev/hyper_dmabuf wrappers,
 * vgem dumb-buffer allocation, event and uevent readers, module parameter
 * and debugfs access.  No helper uses the harness: each returns 0 or a
 * negative errno, and the tests assert on that.
 *
 * Environment: runs as root in the lab's `single` guest with
 * hyper_dmabuf.ko, hyper_dmabuf_loopback.ko (nr_domains >= 3) and vgem
 * loaded, debugfs mounted (mounted on demand otherwise).
 */
#ifndef HDMABUF_COMMON_H
#define HDMABUF_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/hyper_dmabuf.h>

#define HDM_DEV			"/dev/hyper_dmabuf"
#define HDM_PARAM_DIR		"/sys/module/hyper_dmabuf/parameters"
#define HDM_DEBUGFS		"/sys/kernel/debug"
#define HDM_DEBUGFS_CORE	HDM_DEBUGFS "/hyper_dmabuf"
#define HDM_DEBUGFS_LO		HDM_DEBUGFS "/hyper_dmabuf_loopback"
#define HDM_LO_MODULE		"hyper_dmabuf_loopback"

/* Loopback: exports always leave from pseudo-domain 0 towards peer 1. */
#define HDM_LO_SELF		0
#define HDM_LO_PEER		1
#define HDM_LO_OTHER		2

/* DRM_FORMAT_XRGB8888 without pulling in drm_fourcc.h. */
#define HDM_FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | \
	 ((uint32_t)(d) << 24))
#define HDM_FMT_XRGB8888	HDM_FOURCC('X', 'R', '2', '4')

#define KiB(x)			((uint64_t)(x) << 10)
#define MiB(x)			((uint64_t)(x) << 20)

/* Generous bound for anything asynchronous (event delivery, releases). */
#define HDM_ASYNC_MS		5000

uint64_t now_ms(void);
void sleep_ms(unsigned int ms);

/* ---------------------------------------------------------------- device */

/* open(HDM_DEV, O_RDWR | O_CLOEXEC | extra); fd or -errno. */
int hdm_open(int extra_flags);
/* ioctl(); 0 or -errno (EINTR is retried). */
int hdm_ioctl(int fd, unsigned long req, void *arg);

/* EXPORT argument for the loopback backend, peer 1, no metadata. */
void hdm_export_init(struct hyper_dmabuf_export *e, int dmabuf_fd);
/* EXPORT @dmabuf_fd to loopback peer 1; 0 or -errno. */
int hdm_export(int fd, int dmabuf_fd, uint32_t flags,
	       struct hyper_dmabuf_handle *out);
/* IMPORT; *out_fd (and *out_size when non-NULL) on success. */
int hdm_import(int fd, const struct hyper_dmabuf_handle *h, uint32_t flags,
	       int *out_fd, uint64_t *out_size);
int hdm_unexport(int fd, const struct hyper_dmabuf_handle *h, uint32_t flags,
		 uint32_t timeout_ms);
int hdm_query(int fd, const struct hyper_dmabuf_handle *h,
	      struct hyper_dmabuf_query *q, void *opaque, uint32_t cap);
int hdm_get_info(int fd, struct hyper_dmabuf_info *info);

void hdm_handle_hex(const struct hyper_dmabuf_handle *h, char out[33]);
int hdm_handle_eq(const struct hyper_dmabuf_handle *a,
		  const struct hyper_dmabuf_handle *b);
int hdm_handle_is_zero(const struct hyper_dmabuf_handle *h);
void hdm_handle_random(struct hyper_dmabuf_handle *h);

/* ---------------------------------------------------------------- events */

/*
 * Read records from @fd (blocking fd, poll()ed) until one of @type for
 * @h (any handle when @h is NULL; any type when @type is 0) arrives;
 * other records are consumed and dropped.  0 and *out filled, -ETIMEDOUT
 * after @timeout_ms, or another -errno.
 */
int hdm_wait_event(int fd, uint32_t type, const struct hyper_dmabuf_handle *h,
		   int timeout_ms, struct hyper_dmabuf_event *out);
/* Discard every queued record without blocking; returns how many. */
int hdm_drain_events(int fd);
/*
 * EXPORT with the caller's filled-in argument on @exp_fd, then wait until
 * @listen_fd sees the OFFER for the new handle (offers are delivered
 * asynchronously, so nothing imports before that).  0, the EXPORT
 * -errno, or -ENOMSG when no OFFER arrived within HDM_ASYNC_MS.
 */
int hdm_export_offered(int exp_fd, int listen_fd,
		       struct hyper_dmabuf_export *e);
/* Same for a plain export of @dmabuf_fd to loopback peer 1. */
int hdm_export_simple(int exp_fd, int listen_fd, int dmabuf_fd,
		      uint32_t flags, struct hyper_dmabuf_handle *out);

/*
 * Per-test context: an exporter file, a second "importer" file (the peer
 * VM's view; also the event listener) and the vgem card, -1 when absent.
 */
struct hdm_ctx {
	int exp;
	int imp;
	int card;
};

/* 0 or -errno when /dev/hyper_dmabuf cannot be opened (card may be -1). */
int hdm_ctx_open(struct hdm_ctx *c);
void hdm_ctx_close(struct hdm_ctx *c);

/* ---------------------------------------------------------------- vgem */

struct vgem_buf {
	int card;		/* the vgem card fd (not owned) */
	uint32_t gem;		/* GEM handle, 0 when none */
	uint64_t size;		/* bytes */
	uint32_t pitch;
	int dmabuf;		/* O_RDWR | O_CLOEXEC dma-buf fd, -1 when none */
	void *map;		/* exporter-side RW mapping or NULL */
};

/* Open the vgem card (modprobe'd by run.sh); fd or -errno (-ENODEV). */
int vgem_open(void);
/*
 * A dumb buffer of exactly @size bytes (a multiple of 4096) exported as
 * a dma-buf and mapped read-write through the card.  0 or -errno.
 */
int vgem_alloc(int card, uint64_t size, struct vgem_buf *b);
void vgem_free(struct vgem_buf *b);

/* DMA_BUF_IOCTL_SYNC: @flags is DMA_BUF_SYNC_START/END | READ/WRITE. */
int dmabuf_sync(int fd, uint64_t flags);

/* Word pattern depending on @seed and the offset; size multiple of 4. */
void pattern_fill(void *p, size_t size, uint32_t seed);
/* -1 when @p holds the pattern, else the first bad byte offset. */
long long pattern_check(const void *p, size_t size, uint32_t seed);

/* MemAvailable in bytes, 0 when unknown. */
uint64_t mem_available(void);

/* ---------------------------------------------------------------- params */

/* /sys/module/hyper_dmabuf/parameters/@name. */
int param_get(const char *name, long long *val);
int param_set(const char *name, long long val);
/*
 * Remember @name's current value (once per test) and set @val; the saved
 * values are written back by params_restore() (fixture teardown) and, as
 * a safety net for killed tests, by an atexit() handler in the harness
 * process, which snapshots every parameter before the first test.
 */
int param_push(const char *name, long long val);
void params_restore(void);

/* Mount debugfs if needed; 0 or -errno. */
int debugfs_ready(void);
/* A `name value` line of HDM_DEBUGFS_CORE/stats; 0 or -errno. */
int stat_get(const char *name, long long *val);
/* Write @val to HDM_DEBUGFS_LO/@knob; 0 or -errno. */
int lo_knob_write(const char *knob, const char *val);
/* Read the number in HDM_DEBUGFS_LO/@knob; 0 or -errno. */
int lo_knob_get(const char *knob, long long *val);
/* drop_next, duplicate_next, corrupt_next, delay_ms back to 0. */
void lo_knobs_reset(void);
/*
 * Poll stat @name until it is <= @want (stat_wait_le) or >= @want
 * (stat_wait_ge); 0, -ETIMEDOUT after @timeout_ms, or -errno.  *last gets
 * the last value read.
 */
int stat_wait_le(const char *name, long long want, int timeout_ms,
		 long long *last);
int stat_wait_ge(const char *name, long long want, int timeout_ms,
		 long long *last);

/* ---------------------------------------------------------------- uevent */

/* NETLINK_KOBJECT_UEVENT socket bound to group 1; fd or -errno. */
int uevent_open(void);
/*
 * Wait for a uevent holding HYPER_DMABUF_EVENT=@event and
 * HYPER_DMABUF_HANDLE=@handle_hex; copies it (NUL-separated) into @buf.
 * Length or -ETIMEDOUT / -errno.
 */
int uevent_wait(int sock, const char *event, const char *handle_hex,
		int timeout_ms, char *buf, size_t bufsz);
/* Value of KEY in a NUL-separated uevent, or NULL. */
const char *uevent_get(const char *msg, size_t len, const char *key);

/* ---------------------------------------------------------------- misc */

/*
 * Fork a child that reads one byte of every page of [p, p + len) and
 * exits 0; returns the signal that killed it, 0 when it exited normally,
 * or -errno.
 */
int touch_in_child(const void *p, size_t len);

/* Module (un)loading for the rmmod test. */
int module_delete(const char *name, int flags);
int module_load(const char *path, const char *params);
int module_loaded(const char *name);

#endif /* HDMABUF_COMMON_H */
