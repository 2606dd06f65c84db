// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-pattern-check: compares PNG files with the demo's test
 * pattern (pattern.h), pixel by pixel.
 *
 *   hyperdmabuf-pattern-check FRAME FILE.png
 *
 * Exit status: 0 when the image is frame FRAME of the pattern exactly,
 * 1 when it differs or cannot be read, 2 on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern.h"
#include "pngread.h"

#define PROG "hyperdmabuf-pattern-check"

int main(int argc, char **argv)
{
	unsigned long long frame;
	struct png_image img;
	const char *why;
	uint32_t x, y, bad = 0;
	char *end;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		printf("Usage: %s FRAME FILE.png\n"
		       "Check that FILE.png is frame FRAME of the demo's %ux%u test pattern.\n",
		       PROG, PATTERN_WIDTH, PATTERN_HEIGHT);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "Usage: %s FRAME FILE.png\n", PROG);
		return 2;
	}
	errno = 0;
	frame = strtoull(argv[1], &end, 10);
	if (errno || !*argv[1] || *end || frame > UINT32_MAX) {
		fprintf(stderr, "%s: bad frame number '%s'\n", PROG, argv[1]);
		return 2;
	}
	if (png_read_file(argv[2], &img, &why)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, argv[2], why);
		return 1;
	}
	if (img.width != PATTERN_WIDTH || img.height != PATTERN_HEIGHT) {
		fprintf(stderr, "%s: %s: %ux%u, expected %ux%u\n", PROG,
			argv[2], img.width, img.height, PATTERN_WIDTH,
			PATTERN_HEIGHT);
		png_image_free(&img);
		return 1;
	}
	for (y = 0; y < img.height; y++) {
		for (x = 0; x < img.width; x++) {
			const uint8_t *p = img.pixels +
				((size_t)y * img.width + x) * img.channels;
			uint32_t want = pattern_pixel((uint32_t)frame, x, y);
			uint32_t got = (uint32_t)p[0] << 16 |
				       (uint32_t)p[1] << 8 | p[2];

			if (got == (want & 0xffffff))
				continue;
			if (!bad)
				fprintf(stderr, "%s: %s: first difference at (%u, %u): #%06x, expected #%06x\n",
					PROG, argv[2], x, y, got,
					want & 0xffffff);
			bad++;
		}
	}
	png_image_free(&img);
	if (bad) {
		fprintf(stderr, "%s: %s: %u pixels differ from frame %llu\n",
			PROG, argv[2], bad, frame);
		return 1;
	}
	printf("%s: frame %llu, %ux%u, pixel-exact\n", argv[2], frame,
	       PATTERN_WIDTH, PATTERN_HEIGHT);
	return 0;
}
