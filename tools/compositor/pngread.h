/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict reader for the PNGs the demo produces: 8-bit RGB or RGBA,
 * non-interlaced, any filter types, CRCs checked.  Host-side only (the
 * checker and the unit tests); an independent implementation of what
 * hyper_dmabuf-importd writes.
 */
#ifndef HDMABUF_PNGREAD_H
#define HDMABUF_PNGREAD_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct png_image - a decoded image
 * @width: pixels.
 * @height: lines.
 * @channels: 3 (RGB) or 4 (RGBA).
 * @pixels: @height lines of @width * @channels bytes, malloc()ed.
 */
struct png_image {
	uint32_t width;
	uint32_t height;
	unsigned int channels;
	uint8_t *pixels;
};

/* Decode the PNG file @data (@len bytes).  0, or -1 with *@why set. */
int png_decode(const uint8_t *data, size_t len, struct png_image *img,
	       const char **why);
/* Read and decode the file at @path.  0, or -1 with *@why set. */
int png_read_file(const char *path, struct png_image *img, const char **why);
void png_image_free(struct png_image *img);

#endif /* HDMABUF_PNGREAD_H */
