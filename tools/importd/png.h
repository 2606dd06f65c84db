/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small PNG writer for 32-bit frames: 8-bit RGB (RGBA for formats with
 * alpha), Sub filter on every line, zlib for the compression.
 */
#ifndef HDMABUF_IMPORTD_PNG_H
#define HDMABUF_IMPORTD_PNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frame.h"

/*
 * Write the image @src (l->height lines of l->width pixels in l's format,
 * @src_stride bytes apart; l->offset and l->stride are ignored) to @f as
 * a PNG compressed at zlib @level (0-9).  0, or -errno (-EIO when @f
 * fails, -ENOMEM, -EINVAL for a bad argument).
 */
int png_write(FILE *f, const struct frame_layout *l, const uint8_t *src,
	      size_t src_stride, int level);

#endif /* HDMABUF_IMPORTD_PNG_H */
