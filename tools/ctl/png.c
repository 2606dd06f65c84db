// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl: PNG output of XRGB8888/ARGB8888 buffers (libpng).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <png.h>

#include "ctl.h"
#include "png.h"

static void png_error_fn(png_structp png, png_const_charp msg)
{
	print_msg("libpng: %s", msg);
	longjmp(png_jmpbuf(png), 1);
}

static void png_warning_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

int png_write_xrgb(const char *path, const uint8_t *pix, uint32_t width,
		   uint32_t height, uint32_t stride, int alpha)
{
	png_structp png;
	png_infop info;
	FILE *f;
	uint32_t y;
	volatile int ret = -EIO;

	f = fopen(path, "wbe");
	if (!f) {
		ret = -errno;
		print_err(errno, "%s", path);
		return ret;
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
				      png_error_fn, png_warning_fn);
	info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		ret = -ENOMEM;
		print_err(ENOMEM, "%s", path);
		goto out;
	}
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_compression_level(png, 1);
	png_set_IHDR(png, info, width, height, 8,
		     alpha ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
		     PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	/* Little-endian XRGB8888 is B, G, R, X in memory. */
	png_set_bgr(png);
	if (!alpha)
		png_set_filler(png, 0, PNG_FILLER_AFTER);
	for (y = 0; y < height; y++)
		png_write_row(png, pix + (size_t)y * stride);
	png_write_end(png, NULL);
	ret = 0;
out:
	png_destroy_write_struct(&png, &info);
	if (fclose(f) && !ret) {
		ret = -errno;
		print_err(errno, "%s", path);
	}
	if (ret)
		remove(path);
	return ret;
}
