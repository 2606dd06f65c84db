// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the demo's userspace pieces: importd's metadata
 * validation (frame.c) and PNG writer (png.c), checked against an
 * independent reader (tools/compositor/pngread.c, zlib inflate), and the
 * test pattern's fast renderer against its definition.  TAP output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "pattern.h"
#include "png.h"
#include "pngread.h"

static int test_no, failures;

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failures++;
}

/* ------------------------------------------------------------ metadata */

#define W	1280
#define H	720
#define STRIDE	(W * 4)
#define SIZE	((uint64_t)STRIDE * H)	/* 3686400, 900 pages */

static struct hyper_dmabuf_meta good_meta(void)
{
	struct hyper_dmabuf_meta m;

	memset(&m, 0, sizeof(m));
	m.fourcc = FRAME_FMT_XRGB8888;
	m.nr_planes = 1;
	m.width = W;
	m.height = H;
	m.planes[0].stride = STRIDE;
	return m;
}

static void expect_reject(const char *what, struct hyper_dmabuf_meta m,
			  uint64_t size)
{
	struct frame_layout l;
	const char *why = NULL;
	int ret = frame_validate(&m, size, &l, &why);

	ok(ret == -EINVAL && why, "frame: rejects %s (%s)", what,
	   why ? why : "accepted!");
}

static void test_frame(void)
{
	struct hyper_dmabuf_meta m = good_meta();
	struct frame_layout l;
	const char *why = NULL;
	char b[5];

	ok(!frame_validate(&m, SIZE, &l, &why) && l.width == W &&
	   l.height == H && l.stride == STRIDE && !l.offset && !l.alpha &&
	   !l.red_first, "frame: accepts 1280x720 XRGB8888 filling the buffer");
	m.planes[0].offset = 4096;
	ok(!frame_validate(&m, SIZE + 4096, &l, &why) && l.offset == 4096,
	   "frame: accepts an offset that still fits exactly");
	m = good_meta();
	m.fourcc = FRAME_FMT_ABGR8888;
	ok(!frame_validate(&m, SIZE, &l, &why) && l.alpha && l.red_first,
	   "frame: ABGR8888 has alpha, red first");
	m.fourcc = FRAME_FMT_ARGB8888;
	ok(!frame_validate(&m, SIZE, &l, &why) && l.alpha && !l.red_first,
	   "frame: ARGB8888 has alpha, blue first");
	m = good_meta();
	m.planes[0].stride = STRIDE + 64;
	ok(!frame_validate(&m, (uint64_t)(STRIDE + 64) * H, &l, &why),
	   "frame: accepts a padded stride");

	m = good_meta();
	m.fourcc = 0;
	expect_reject("fourcc 0", m, SIZE);
	m.fourcc = FRAME_FOURCC('N', 'V', '1', '2');
	expect_reject("an unknown fourcc (NV12)", m, SIZE);
	m = good_meta();
	m.modifier = 1;
	expect_reject("a tiled modifier", m, SIZE);
	m = good_meta();
	m.nr_planes = 0;
	expect_reject("0 planes", m, SIZE);
	m.nr_planes = 2;
	expect_reject("2 planes", m, SIZE);
	m = good_meta();
	m.planes[3].stride = 4;
	expect_reject("a non-zero unused plane", m, SIZE);
	m = good_meta();
	m.width = 0;
	expect_reject("width 0", m, SIZE);
	m = good_meta();
	m.height = 0;
	expect_reject("height 0", m, SIZE);
	m = good_meta();
	m.width = FRAME_MAX_DIM + 1;
	m.planes[0].stride = (FRAME_MAX_DIM + 1) * 4;
	expect_reject("width above the limit", m, UINT64_MAX);
	m = good_meta();
	m.planes[0].stride = STRIDE + 2;
	expect_reject("a stride that is not a multiple of 4", m, SIZE * 2);
	m = good_meta();
	m.planes[0].offset = 2;
	expect_reject("an unaligned offset", m, SIZE * 2);
	m = good_meta();
	m.planes[0].stride = STRIDE - 4;
	expect_reject("stride < width * 4", m, SIZE);
	m = good_meta();
	expect_reject("stride * height > size (by one page)", m, SIZE - 4096);
	expect_reject("stride * height > size (by one byte)", m, SIZE - 1);
	m.planes[0].offset = 4;
	expect_reject("offset + stride * height > size", m, SIZE);
	m = good_meta();
	m.width = 16;
	m.height = FRAME_MAX_DIM;
	m.planes[0].stride = 0xfffffffc;
	expect_reject("stride * height beyond 2^32 (no 32-bit wrap)", m,
		      SIZE);
	m.planes[0].offset = 0xfffffffc;
	expect_reject("offset + stride * height near 2^46", m, 1ULL << 46);
	ok(!strcmp(frame_fourcc_str(FRAME_FMT_XRGB8888, b), "XR24") &&
	   !strcmp(frame_fourcc_str(0x01020304, b), "????"),
	   "frame: fourcc names are printable");
}

/* ------------------------------------------------------------- pattern */

static void test_pattern(void)
{
	static const uint32_t frames[] = { 0, 1, 7, 99, 319, 320, 321,
					   12345678, 4294967295u };
	static uint32_t row[PATTERN_WIDTH];
	unsigned int i;
	uint32_t x, y, bad;

	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		bad = 0;
		for (y = 0; y < PATTERN_HEIGHT; y++) {
			pattern_row(frames[i], y, row);
			for (x = 0; x < PATTERN_WIDTH; x++)
				bad += row[x] != pattern_pixel(frames[i], x, y);
		}
		ok(!bad, "pattern: pattern_row == pattern_pixel for frame %u (%u differ)",
		   frames[i], bad);
	}
	ok(pattern_pixel(5, 0, 0) == 0xffffffffu &&
	   pattern_pixel(5, PATTERN_WIDTH, 0) == 0 &&
	   pattern_pixel(5, 0, PATTERN_HEIGHT) == 0,
	   "pattern: white corner, 0 outside the image");
	/* the frame number is visible: frames differ in the digit band */
	bad = 0;
	for (y = 0; y < 96; y++)
		for (x = 0; x < PATTERN_WIDTH; x++)
			bad += pattern_pixel(41, x, y) != pattern_pixel(42, x, y);
	ok(bad > 0, "pattern: frames 41 and 42 differ in the digits (%u pixels)",
	   bad);
}

/* ----------------------------------------------------------------- png */

/* Encode @img (XRGB words) as @fourcc through png_write; decode it back. */
static int roundtrip(const struct frame_layout *l, const uint8_t *src,
		     size_t stride, int level, struct png_image *out,
		     size_t *png_len)
{
	char *buf = NULL;
	size_t len = 0;
	const char *why = "";
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -1;
	ret = png_write(f, l, src, stride, level);
	fclose(f);
	if (!ret)
		ret = png_decode((uint8_t *)buf, len, out, &why);
	if (ret)
		printf("# roundtrip failed: %d %s\n", ret, why);
	*png_len = len;
	free(buf);
	return ret;
}

static void test_png(void)
{
	static const int levels[] = { 0, 1, 6, 9 };
	struct frame_layout l = { .fourcc = FRAME_FMT_XRGB8888, .width = W,
				  .height = H, .stride = STRIDE };
	size_t stride = STRIDE + 32, len;	/* padded source lines */
	uint8_t *src = calloc(H, stride);
	struct png_image img;
	unsigned int i;
	uint32_t x, y, bad;
	char *buf = NULL;
	FILE *f;

	if (!src) {
		ok(0, "png: out of memory");
		return;
	}
	for (y = 0; y < H; y++)
		pattern_row(77, y, (uint32_t *)(src + y * stride));
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (roundtrip(&l, src, stride, levels[i], &img, &len)) {
			ok(0, "png: level %d round trip", levels[i]);
			continue;
		}
		bad = 0;
		for (y = 0; y < H; y++)
			for (x = 0; x < W; x++) {
				const uint8_t *p = img.pixels +
					((size_t)y * W + x) * 3;
				uint32_t want = pattern_pixel(77, x, y);

				bad += (uint32_t)(p[0] << 16 | p[1] << 8 | p[2]) !=
				       (want & 0xffffff);
			}
		ok(img.width == W && img.height == H && img.channels == 3 &&
		   !bad, "png: level %d XRGB8888 1280x720 round trip is exact (%zu bytes, %u bad pixels)",
		   levels[i], len, bad);
		png_image_free(&img);
	}

	/* byte order and alpha of the other formats, on a 3x2 image */
	{
		static const uint8_t px[2][12] = {
			{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 },
			{ 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24 },
		};
		struct frame_layout s = { .width = 3, .height = 2 };
		int good;

		s.fourcc = FRAME_FMT_ARGB8888;
		s.alpha = 1;
		good = !roundtrip(&s, &px[0][0], 12, 6, &img, &len) &&
		       img.channels == 4 && img.pixels[0] == 3 &&
		       img.pixels[1] == 2 && img.pixels[2] == 1 &&
		       img.pixels[3] == 4 && img.pixels[23] == 24;
		ok(good, "png: ARGB8888 becomes RGBA with B/R swapped");
		if (img.pixels)
			png_image_free(&img);
		s.fourcc = FRAME_FMT_XBGR8888;
		s.alpha = 0;
		s.red_first = 1;
		good = !roundtrip(&s, &px[0][0], 12, 6, &img, &len) &&
		       img.channels == 3 && img.pixels[0] == 1 &&
		       img.pixels[2] == 3 && img.pixels[3] == 5 &&
		       img.pixels[17] == 23;
		ok(good, "png: XBGR8888 keeps R first and drops X");
		if (img.pixels)
			png_image_free(&img);
	}

	/* the reader is strict: a flipped byte breaks a CRC */
	len = 0;
	f = open_memstream(&buf, &len);
	if (f && !png_write(f, &l, src, stride, 1) && !fclose(f)) {
		const char *why = NULL;
		int ret;

		buf[len / 2] ^= 1;
		ret = png_decode((uint8_t *)buf, len, &img, &why);
		ok(ret == -1 && why, "png: a corrupted file is refused (%s)",
		   why ? why : "-");
	} else {
		ok(0, "png: write to memory");
	}
	free(buf);
	l.width = 0;
	ok(png_write(stdout, &l, src, stride, 1) == -EINVAL,
	   "png: width 0 is refused before anything is written");
	free(src);
}

int main(void)
{
	test_frame();
	test_pattern();
	test_png();
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}
