/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hdmabuf_types.h - environment shim for the hyper_dmabuf protocol headers.
 *
 * The protocol headers (hdmabuf_wire.h, hdmabuf_pgdir.h) are compiled
 * unchanged into the kernel modules, the userspace tools, the unit tests
 * and the fuzzers.  This file is the only place that knows which of those
 * environments it is in; everything else uses only:
 *
 *   __u8 __u16 __u32 __u64, __le16 __le32 __le64, size_t,
 *   le{16,32,64}_to_cpu(), cpu_to_le{16,32,64}(),
 *   memcpy(), memset(), the E* errno constants,
 *   HDMABUF_STATIC_ASSERT(expr).
 *
 * The userspace branch deliberately defines the byte-order helpers with
 * plain casts (no __force): <linux/types.h> from linux-libc-dev only makes
 * __le32 & co. "bitwise" under __CHECKER__, and the kernel branch is the one
 * that sparse checks.
 */
#ifndef _HDMABUF_TYPES_H
#define _HDMABUF_TYPES_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <asm/byteorder.h>

#else /* !__KERNEL__ */

#include <linux/types.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <errno.h>
#include <endian.h>

/* Another header of the program may already provide these. */
#ifndef le16_to_cpu
#define le16_to_cpu(x)	((__u16)le16toh((__u16)(x)))
#define le32_to_cpu(x)	((__u32)le32toh((__u32)(x)))
#define le64_to_cpu(x)	((__u64)le64toh((__u64)(x)))
#define cpu_to_le16(x)	((__le16)htole16((__u16)(x)))
#define cpu_to_le32(x)	((__le32)htole32((__u32)(x)))
#define cpu_to_le64(x)	((__le64)htole64((__u64)(x)))
#endif

#endif /* !__KERNEL__ */

/*
 * Compile-time layout checks.  _Static_assert is C11 and both the kernel
 * (gnu11) and our userspace builds use at least that.
 */
#define HDMABUF_STATIC_ASSERT(expr)	_Static_assert(expr, #expr)

/*
 * Our own limits so that neither U32_MAX (kernel) nor UINT32_MAX
 * (userspace) is needed.
 */
#define HDMABUF_U16_MAX		((__u16)0xffffU)
#define HDMABUF_U32_MAX		((__u32)0xffffffffU)
#define HDMABUF_U64_MAX		((__u64)0xffffffffffffffffULL)

#endif /* _HDMABUF_TYPES_H */
