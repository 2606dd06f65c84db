/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hyper_dmabuf-importd's consumer socket protocol (--socket PATH).
 *
 * The daemon listens on a SOCK_SEQPACKET UNIX socket and serves one
 * client at a time.  For every frame it sends one message: a struct
 * hdmabuf_importd_frame as the payload and the imported dma-buf as a
 * single SCM_RIGHTS file descriptor.  The daemon closes its own copy of
 * the fd right after sending; the import is released (and the exporter
 * may reuse the buffer) when the client closes the fd it received.  The
 * client never sends anything; it disconnects to stop.
 *
 * All fields are in host byte order.  The metadata has been validated by
 * the daemon against the dma-buf's size: offset + stride * height <= size
 * and stride >= width * 4.
 */
#ifndef HYPER_DMABUF_IMPORTD_H
#define HYPER_DMABUF_IMPORTD_H

#include <stdint.h>

#define HDMABUF_IMPORTD_MAGIC	0x46444948u	/* "HIDF" */
#define HDMABUF_IMPORTD_VERSION	1

/**
 * struct hdmabuf_importd_frame - one frame handed to a socket client
 * @magic: HDMABUF_IMPORTD_MAGIC.
 * @version: HDMABUF_IMPORTD_VERSION.
 * @seq: frames handed out by this daemon before this one.
 * @handle: the hyper_dmabuf handle (16 bytes).
 * @backend: HYPER_DMABUF_BACKEND_* the buffer came through.
 * @fourcc: DRM fourcc (XR24, AR24, XB24 or AB24).
 * @peer: the exporting domain.
 * @size: dma-buf size in bytes.
 * @width: pixels.
 * @height: lines.
 * @stride: bytes per line.
 * @offset: byte offset of the first pixel.
 */
struct hdmabuf_importd_frame {
	uint32_t magic;
	uint32_t version;
	uint64_t seq;
	uint8_t handle[16];
	uint32_t backend;
	uint32_t fourcc;
	uint64_t peer;
	uint64_t size;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t offset;
};

#endif /* HYPER_DMABUF_IMPORTD_H */
