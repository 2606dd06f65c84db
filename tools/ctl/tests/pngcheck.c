// SPDX-License-Identifier: GPL-2.0
/*
 * pngcheck: test helper of hyperdmabuf-ctl (not installed).
 *
 *   pngcheck IMAGE.png RAW WIDTH HEIGHT STRIDE [alpha]
 *
 * Decodes IMAGE.png with libpng and compares every pixel with the
 * XRGB8888 (or with "alpha", ARGB8888) little-endian image in the file
 * RAW (WIDTH x HEIGHT, STRIDE bytes per line, first line at offset 0).
 * Exit 0 when they match, 1 otherwise, 2 on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

int main(int argc, char **argv)
{
	unsigned long w, h, stride, x, y, bad = 0;
	png_image img;
	unsigned char *dec, *raw;
	FILE *f;
	long rawlen;
	int alpha;

	if (argc < 6 || argc > 7) {
		fprintf(stderr, "usage: pngcheck IMAGE.png RAW WIDTH HEIGHT STRIDE [alpha]\n");
		return 2;
	}
	w = strtoul(argv[3], NULL, 0);
	h = strtoul(argv[4], NULL, 0);
	stride = strtoul(argv[5], NULL, 0);
	alpha = argc == 7 && !strcmp(argv[6], "alpha");
	if (!w || !h || w > 65536 || h > 65536 || stride < w * 4) {
		fprintf(stderr, "pngcheck: bad geometry\n");
		return 2;
	}

	f = fopen(argv[2], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (rawlen = ftell(f)) < 0) {
		fprintf(stderr, "pngcheck: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if ((unsigned long)rawlen < stride * (h - 1) + w * 4) {
		fprintf(stderr, "pngcheck: %s: %ld bytes, too short\n",
			argv[2], rawlen);
		return 1;
	}
	raw = malloc((size_t)rawlen);
	rewind(f);
	if (!raw || fread(raw, 1, (size_t)rawlen, f) != (size_t)rawlen) {
		fprintf(stderr, "pngcheck: %s: read failed\n", argv[2]);
		return 1;
	}
	fclose(f);

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, argv[1])) {
		fprintf(stderr, "pngcheck: %s: %s\n", argv[1], img.message);
		return 1;
	}
	if (img.width != w || img.height != h) {
		fprintf(stderr, "pngcheck: %s is %ux%u, expected %lux%lu\n",
			argv[1], img.width, img.height, w, h);
		return 1;
	}
	if (!!(img.format & PNG_FORMAT_FLAG_ALPHA) != alpha) {
		fprintf(stderr, "pngcheck: %s: alpha channel %s\n", argv[1],
			alpha ? "missing" : "unexpected");
		return 1;
	}
	img.format = PNG_FORMAT_RGBA;
	dec = malloc(PNG_IMAGE_SIZE(img));
	if (!dec || !png_image_finish_read(&img, NULL, dec, 0, NULL)) {
		fprintf(stderr, "pngcheck: %s: %s\n", argv[1], img.message);
		return 1;
	}
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			const unsigned char *r = raw + y * stride + x * 4;
			const unsigned char *d = dec + (y * w + x) * 4;

			/* memory order of XRGB8888: B, G, R, X/A */
			if (d[0] == r[2] && d[1] == r[1] && d[2] == r[0] &&
			    d[3] == (alpha ? r[3] : 0xff))
				continue;
			if (!bad++)
				fprintf(stderr, "pngcheck: first mismatch at %lu,%lu: png %02x%02x%02x%02x raw %02x%02x%02x%02x\n",
					x, y, d[0], d[1], d[2], d[3], r[2],
					r[1], r[0], r[3]);
		}
	}
	if (bad) {
		fprintf(stderr, "pngcheck: %lu of %lu pixels differ\n", bad, w * h);
		return 1;
	}
	printf("pngcheck: %lux%lu, all %lu pixels match\n", w, h, w * h);
	free(dec);
	free(raw);
	return 0;
}
