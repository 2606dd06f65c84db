/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vgem dumb buffers as dma-bufs, without libdrm: the compositor's
 * scanout buffers (and the test exporters' buffers).
 */
#ifndef HDMABUF_VGEM_H
#define HDMABUF_VGEM_H

#include <stdint.h>

/**
 * struct vgem_fb - one dumb buffer
 * @card: the vgem card fd (not owned).
 * @gem: GEM handle, 0 when none.
 * @width: pixels.
 * @height: lines.
 * @pitch: bytes per line.
 * @size: bytes (a multiple of the page size).
 * @dmabuf: O_RDWR | O_CLOEXEC dma-buf fd, -1 when none.
 * @map: CPU mapping through the card (or the memfd), or NULL.
 * @memfd: the memfd behind a udmabuf buffer, -1 for vgem buffers.
 */
struct vgem_fb {
	int card;
	uint32_t gem;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;
	uint64_t size;
	int dmabuf;
	void *map;
	int memfd;
};

/* The first DRM card whose driver is vgem; fd or -errno (-ENODEV). */
int vgem_open(void);
/* A @width x @height 32 bpp dumb buffer, exported and mapped; 0 or -errno. */
int vgem_fb_create(int card, uint32_t width, uint32_t height,
		   struct vgem_fb *fb);
/*
 * The same buffer made by udmabuf over a sealed memfd (no DRM card):
 * in a Xen PV domU, writing a vgem dumb buffer through its mmap loops on
 * page faults, while a memfd mapping is ordinary anonymous-like memory.
 */
int udmabuf_fb_create(uint32_t width, uint32_t height, struct vgem_fb *fb);
void vgem_fb_destroy(struct vgem_fb *fb);

#endif /* HDMABUF_VGEM_H */
