// SPDX-License-Identifier: GPL-2.0
/*
 * PNG writer; see png.h.  Follows the PNG specification (ISO/IEC 15948):
 * signature, IHDR, IDAT chunks holding one zlib stream, IEND; every chunk
 * ends with the CRC-32 of its type and data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "png.h"

#define IDAT_MAX	65536	/* bytes of zlib output per IDAT chunk */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static int write_chunk(FILE *f, const char type[4], const uint8_t *data,
		       uint32_t len)
{
	uint8_t hdr[8], crc[4];
	uLong c;

	put_be32(hdr, len);
	memcpy(hdr + 4, type, 4);
	c = crc32(0L, hdr + 4, 4);
	if (len)
		c = crc32(c, data, len);
	put_be32(crc, (uint32_t)c);
	if (fwrite(hdr, 1, 8, f) != 8 ||
	    (len && fwrite(data, 1, len, f) != len) ||
	    fwrite(crc, 1, 4, f) != 4)
		return -EIO;
	return 0;
}

/* One line: filter byte 1 (Sub), then R G B [A] minus the pixel before. */
static void filter_line(const struct frame_layout *l, const uint8_t *src,
			uint8_t *out)
{
	unsigned int bpp = l->alpha ? 4 : 3, ri, bi, x, k;
	uint8_t prev[4] = { 0, 0, 0, 0 };

	ri = l->red_first ? 0 : 2;
	bi = l->red_first ? 2 : 0;
	*out++ = 1;
	for (x = 0; x < l->width; x++, src += 4) {
		uint8_t px[4] = { src[ri], src[1], src[bi], src[3] };

		for (k = 0; k < bpp; k++) {
			*out++ = (uint8_t)(px[k] - prev[k]);
			prev[k] = px[k];
		}
	}
}

/* Feed @in to the stream, writing an IDAT whenever @obuf fills up. */
static int deflate_out(FILE *f, z_stream *zs, uint8_t *obuf, int flush)
{
	int ret;

	do {
		zs->next_out = obuf;
		zs->avail_out = IDAT_MAX;
		ret = deflate(zs, flush);
		if (ret == Z_STREAM_ERROR)
			return -EINVAL;
		if (zs->avail_out != IDAT_MAX &&
		    write_chunk(f, "IDAT", obuf, IDAT_MAX - zs->avail_out))
			return -EIO;
	} while (zs->avail_out == 0 || (flush == Z_FINISH && ret != Z_STREAM_END));
	return 0;
}

int png_write(FILE *f, const struct frame_layout *l, const uint8_t *src,
	      size_t src_stride, int level)
{
	static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
					0x1a, '\n' };
	unsigned int bpp = l->alpha ? 4 : 3;
	size_t line_len = 1 + (size_t)l->width * bpp;
	uint8_t ihdr[13], *line, *obuf;
	z_stream zs;
	uint32_t y;
	int ret;

	if (!l->width || !l->height || l->width > FRAME_MAX_DIM ||
	    l->height > FRAME_MAX_DIM || src_stride < (size_t)l->width * 4 ||
	    level < 0 || level > 9)
		return -EINVAL;

	put_be32(ihdr, l->width);
	put_be32(ihdr + 4, l->height);
	ihdr[8] = 8;			/* bit depth */
	ihdr[9] = l->alpha ? 6 : 2;	/* colour type: RGBA or RGB */
	ihdr[10] = 0;			/* deflate */
	ihdr[11] = 0;			/* adaptive filtering */
	ihdr[12] = 0;			/* no interlace */
	if (fwrite(sig, 1, sizeof(sig), f) != sizeof(sig) ||
	    write_chunk(f, "IHDR", ihdr, sizeof(ihdr)))
		return -EIO;

	line = malloc(line_len);
	obuf = malloc(IDAT_MAX);
	memset(&zs, 0, sizeof(zs));
	/* Z_FILTERED: tuned for filtered image data, faster at equal size */
	if (!line || !obuf ||
	    deflateInit2(&zs, level, Z_DEFLATED, 15, 8, Z_FILTERED) != Z_OK) {
		free(line);
		free(obuf);
		return -ENOMEM;
	}
	ret = 0;
	for (y = 0; y < l->height && !ret; y++) {
		filter_line(l, src + (size_t)y * src_stride, line);
		zs.next_in = line;
		zs.avail_in = (uInt)line_len;
		ret = deflate_out(f, &zs, obuf,
				  y + 1 == l->height ? Z_FINISH : Z_NO_FLUSH);
	}
	deflateEnd(&zs);
	free(line);
	free(obuf);
	if (!ret)
		ret = write_chunk(f, "IEND", NULL, 0);
	if (!ret && fflush(f))
		ret = -EIO;
	return ret;
}
