/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HDMABUF_CTL_PNG_H
#define HDMABUF_CTL_PNG_H

#include <stdint.h>

/*
 * Write the XRGB8888 (@alpha false: RGB PNG) or ARGB8888 (@alpha: RGBA
 * PNG) image of @width x @height pixels, @stride bytes per line, at @pix
 * to @path.  The caller has checked that the lines lie inside its buffer.
 * 0 or -errno (a message has been printed).
 */
int png_write_xrgb(const char *path, const uint8_t *pix, uint32_t width,
		   uint32_t height, uint32_t stride, int alpha);

#endif
