/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hdmabuf_testexp: a test-only exporter of page-backed dma-bufs, for
 * kernels without udmabuf (the lab's Xen domUs on 6.1).  Not installed,
 * not part of the driver's uapi.
 */
#ifndef HDMABUF_TESTEXP_H
#define HDMABUF_TESTEXP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define HDMABUF_TESTEXP_NAME	"hdmabuf_testexp"

/**
 * struct hdmabuf_testexp_create - HDMABUF_TESTEXP_CREATE argument
 * @size: in: bytes, a non-zero multiple of the page size
 * @flags: in: must be 0
 * @fd: out: the dma-buf (O_RDWR | O_CLOEXEC)
 */
struct hdmabuf_testexp_create {
	__u64 size;
	__u32 flags;
	__s32 fd;
};

#define HDMABUF_TESTEXP_CREATE	_IOWR('H', 0xe0, struct hdmabuf_testexp_create)

#endif /* HDMABUF_TESTEXP_H */
