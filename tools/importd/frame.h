/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of the image metadata a peer sends with a buffer.  The
 * metadata comes from another VM and is hostile until proven otherwise:
 * every field is checked against the formats we can read and against the
 * buffer's real size, with overflow-safe arithmetic.
 */
#ifndef HDMABUF_IMPORTD_FRAME_H
#define HDMABUF_IMPORTD_FRAME_H

#include <stdint.h>

#include <linux/hyper_dmabuf.h>

#define FRAME_FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | \
	 ((uint32_t)(d) << 24))
/* drm_fourcc.h codes, little-endian 32-bit pixels. */
#define FRAME_FMT_XRGB8888	FRAME_FOURCC('X', 'R', '2', '4')
#define FRAME_FMT_ARGB8888	FRAME_FOURCC('A', 'R', '2', '4')
#define FRAME_FMT_XBGR8888	FRAME_FOURCC('X', 'B', '2', '4')
#define FRAME_FMT_ABGR8888	FRAME_FOURCC('A', 'B', '2', '4')
#define FRAME_MOD_LINEAR	0ULL

/* Largest accepted width and height (PNG allows 2^31 - 1). */
#define FRAME_MAX_DIM		16384

/**
 * struct frame_layout - a validated single-plane image
 * @fourcc: one of the FRAME_FMT_* codes.
 * @width: pixels, 1..FRAME_MAX_DIM.
 * @height: lines, 1..FRAME_MAX_DIM.
 * @stride: bytes per line, a multiple of 4, >= width * 4.
 * @offset: byte offset of the first pixel, a multiple of 4.
 * @alpha: the format has an alpha channel.
 * @red_first: bytes in memory are R, G, B, X/A (the *BGR* formats);
 *	otherwise B, G, R, X/A.
 */
struct frame_layout {
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
	uint32_t stride;
	uint32_t offset;
	int alpha;
	int red_first;
};

/*
 * Check @meta against a buffer of @size bytes.  Returns 0 and fills @out,
 * or -EINVAL and points *@why at a static explanation (for the log).
 * Guarantees on success: offset + stride * height <= size, and every line
 * of width * 4 bytes lies inside the buffer.
 */
int frame_validate(const struct hyper_dmabuf_meta *meta, uint64_t size,
		   struct frame_layout *out, const char **why);

/* "XR24" etc. for a fourcc, '?' for unprintable bytes; @buf >= 5 bytes. */
const char *frame_fourcc_str(uint32_t fourcc, char buf[5]);

#endif /* HDMABUF_IMPORTD_FRAME_H */
