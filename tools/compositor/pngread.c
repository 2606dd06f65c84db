// SPDX-License-Identifier: GPL-2.0
/*
 * PNG reader for the demo's checker and tests; see pngread.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "pngread.h"

#define MAX_DIM		16384

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static uint8_t paeth(uint8_t a, uint8_t b, uint8_t c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Undo the per-line filters of @raw into img->pixels. */
static int unfilter(const uint8_t *raw, struct png_image *img,
		    const char **why)
{
	size_t line = (size_t)img->width * img->channels, x;
	unsigned int bpp = img->channels;
	uint32_t y;

	for (y = 0; y < img->height; y++) {
		const uint8_t *in = raw + y * (line + 1) + 1;
		uint8_t *out = img->pixels + y * line;
		const uint8_t *up = y ? out - line : NULL;

		for (x = 0; x < line; x++) {
			uint8_t a = x >= bpp ? out[x - bpp] : 0;
			uint8_t b = up ? up[x] : 0;
			uint8_t c = up && x >= bpp ? up[x - bpp] : 0;

			switch (in[-1]) {
			case 0: out[x] = in[x]; break;
			case 1: out[x] = (uint8_t)(in[x] + a); break;
			case 2: out[x] = (uint8_t)(in[x] + b); break;
			case 3: out[x] = (uint8_t)(in[x] + ((a + b) >> 1)); break;
			case 4: out[x] = (uint8_t)(in[x] + paeth(a, b, c)); break;
			default: return fail(why, "bad filter type");
			}
		}
	}
	return 0;
}

int png_decode(const uint8_t *data, size_t len, struct png_image *img,
	       const char **why)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
					0x1a, '\n' };
	size_t off = 8, raw_len = 0;
	uint8_t *raw = NULL;
	z_stream zs;
	int have_ihdr = 0, have_iend = 0, zret = Z_OK, ret = -1;

	memset(img, 0, sizeof(*img));
	memset(&zs, 0, sizeof(zs));
	if (len < 8 || memcmp(data, sig, 8))
		return fail(why, "not a PNG (bad signature)");
	if (inflateInit(&zs) != Z_OK)
		return fail(why, "out of memory");
	while (!have_iend) {
		uint32_t clen;
		const uint8_t *type, *body;

		if (len - off < 12) {
			*why = "truncated chunk";
			goto out;
		}
		clen = be32(data + off);
		type = data + off + 4;
		body = type + 4;
		if (clen > len - off - 12) {
			*why = "chunk longer than the file";
			goto out;
		}
		if (crc32(crc32(0L, NULL, 0), type, clen + 4) !=
		    be32(body + clen)) {
			*why = "bad chunk CRC";
			goto out;
		}
		if (!memcmp(type, "IHDR", 4)) {
			if (have_ihdr || clen != 13) {
				*why = "bad IHDR";
				goto out;
			}
			img->width = be32(body);
			img->height = be32(body + 4);
			if (!img->width || !img->height ||
			    img->width > MAX_DIM || img->height > MAX_DIM ||
			    body[8] != 8 || (body[9] != 2 && body[9] != 6) ||
			    body[10] || body[11] || body[12]) {
				*why = "unsupported IHDR (want 8-bit RGB/RGBA, no interlace)";
				goto out;
			}
			img->channels = body[9] == 6 ? 4 : 3;
			raw_len = (size_t)img->height *
				  (1 + (size_t)img->width * img->channels);
			raw = malloc(raw_len);
			img->pixels = malloc((size_t)img->height * img->width *
					     img->channels);
			if (!raw || !img->pixels) {
				*why = "out of memory";
				goto out;
			}
			zs.next_out = raw;
			zs.avail_out = (uInt)raw_len;
			have_ihdr = 1;
		} else if (!memcmp(type, "IDAT", 4)) {
			if (!have_ihdr) {
				*why = "IDAT before IHDR";
				goto out;
			}
			if (zret == Z_STREAM_END) {
				if (clen) {
					*why = "data after the end of the zlib stream";
					goto out;
				}
			} else {
				zs.next_in = (uint8_t *)body;
				zs.avail_in = clen;
				zret = inflate(&zs, Z_NO_FLUSH);
				if (zret != Z_OK && zret != Z_STREAM_END &&
				    !(zret == Z_BUF_ERROR && !clen)) {
					*why = "corrupt zlib stream";
					goto out;
				}
				if (zs.avail_in) {
					*why = "more pixel data than the image holds";
					goto out;
				}
			}
		} else if (!memcmp(type, "IEND", 4)) {
			have_iend = 1;
		} else if (!(type[0] & 0x20)) {
			*why = "unknown critical chunk";
			goto out;
		}
		off += 12 + (size_t)clen;
	}
	if (!have_ihdr || zret != Z_STREAM_END || zs.avail_out) {
		*why = "incomplete pixel data";
		goto out;
	}
	ret = unfilter(raw, img, why);
out:
	inflateEnd(&zs);
	free(raw);
	if (ret)
		png_image_free(img);
	return ret;
}

int png_read_file(const char *path, struct png_image *img, const char **why)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!f)
		return fail(why, strerror(errno));
	for (;;) {
		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 1 << 20;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return fail(why, "out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return fail(why, "read error");
	}
	fclose(f);
	ret = png_decode(buf, len, img, why);
	free(buf);
	return ret;
}

void png_image_free(struct png_image *img)
{
	free(img->pixels);
	img->pixels = NULL;
}
