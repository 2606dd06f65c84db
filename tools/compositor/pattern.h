/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The demo's animated test pattern: an XRGB8888 image that is a pure
 * function of (frame number, x, y), so whoever receives a frame can check
 * it pixel-exact without having seen the sender's memory.  Shared by the
 * guest compositor (which renders it) and the host checker (which
 * compares a PNG against it).
 *
 * Layout (PATTERN_WIDTH x PATTERN_HEIGHT):
 *   y <  96   white band with the frame number (8 decimal digits, black,
 *             5x7 font scaled 8x)
 *   y < 560   eight colour bars scrolling left by 4 pixels per frame, and
 *             a 96x96 square moving with the frame number
 *   y >= 560  a gradient that depends on x, y and the frame number
 * The X byte of every pixel is 0xff.
 */
#ifndef HDMABUF_PATTERN_H
#define HDMABUF_PATTERN_H

#include <stdint.h>

#define PATTERN_WIDTH	1280
#define PATTERN_HEIGHT	720

/* The pixel at (@x, @y) of frame @frame, 0xffRRGGBB; 0 outside the image. */
uint32_t pattern_pixel(uint32_t frame, uint32_t x, uint32_t y);

/*
 * Line @y of frame @frame into @row (PATTERN_WIDTH pixels); the same
 * values as pattern_pixel(), computed span by span (fast enough for an
 * emulated CPU).
 */
void pattern_row(uint32_t frame, uint32_t y, uint32_t *row);

#endif /* HDMABUF_PATTERN_H */
