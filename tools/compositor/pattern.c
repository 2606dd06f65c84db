// SPDX-License-Identifier: GPL-2.0
/*
 * The demo's test pattern; see pattern.h.  pattern_pixel() is the
 * definition, pattern_row() a faster rendering of the same function
 * (tests/importd checks that they agree on every pixel).
 */
#include <stddef.h>

#include "pattern.h"

#define BAND_Y		96	/* digits above, bars below */
#define GRAD_Y		560	/* bars above, gradient below */
#define BAR_W		160
#define BAR_SPEED	4	/* pixels per frame */
/* The bars repeat after this many frames; no overflow for any frame. */
#define BAR_PERIOD	(8 * BAR_W / BAR_SPEED)
#define SQ_SIZE		96
#define DIGITS		8
#define DIGIT_SCALE	8
#define DIGIT_X0	16
#define DIGIT_Y0	20
#define DIGIT_CELL	(6 * DIGIT_SCALE)	/* 5 columns + 1 of space */

#define WHITE		0xffffffffu
#define BLACK		0xff000000u

static const uint32_t bar_colors[8] = {
	0xffc0c0c0, 0xffc0c000, 0xff00c0c0, 0xff00c000,
	0xffc000c0, 0xffc00000, 0xff0000c0, 0xff101010,
};

/* 5x7 digits, one byte per line, bit 4 = leftmost column. */
static const uint8_t font5x7[10][7] = {
	{ 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e },	/* 0 */
	{ 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e },	/* 1 */
	{ 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f },	/* 2 */
	{ 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e },	/* 3 */
	{ 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 },	/* 4 */
	{ 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e },	/* 5 */
	{ 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e },	/* 6 */
	{ 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 },	/* 7 */
	{ 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e },	/* 8 */
	{ 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c },	/* 9 */
};

static uint32_t rgb(uint32_t r, uint32_t g, uint32_t b)
{
	return 0xff000000u | (r & 0xff) << 16 | (g & 0xff) << 8 | (b & 0xff);
}

/* Digit @i (0 = most significant) of @frame in decimal. */
static unsigned int frame_digit(uint32_t frame, unsigned int i)
{
	unsigned int k;

	for (k = i + 1; k < DIGITS; k++)
		frame /= 10;
	return frame % 10;
}

static uint32_t digit_pixel(uint32_t frame, uint32_t x, uint32_t y)
{
	uint32_t cell, col, line;

	if (x < DIGIT_X0 || y < DIGIT_Y0 || y >= DIGIT_Y0 + 7 * DIGIT_SCALE)
		return WHITE;
	cell = (x - DIGIT_X0) / DIGIT_CELL;
	if (cell >= DIGITS)
		return WHITE;
	col = (x - DIGIT_X0) % DIGIT_CELL / DIGIT_SCALE;
	line = (y - DIGIT_Y0) / DIGIT_SCALE;
	if (col >= 5)
		return WHITE;
	return font5x7[frame_digit(frame, cell)][line] & (0x10 >> col) ?
	       BLACK : WHITE;
}

static uint32_t square_x(uint32_t frame)
{
	return frame * 12 % (PATTERN_WIDTH - SQ_SIZE);
}

static uint32_t square_y(uint32_t frame)
{
	return BAND_Y + 16 + frame * 5 % (GRAD_Y - BAND_Y - SQ_SIZE - 32);
}

static uint32_t square_color(uint32_t frame)
{
	return rgb(0xff, frame * 29, 0x40);
}

static uint32_t bar_pixel(uint32_t frame, uint32_t x)
{
	return bar_colors[(x + BAR_SPEED * (frame % BAR_PERIOD)) / BAR_W % 8];
}

static uint32_t gradient_pixel(uint32_t frame, uint32_t x, uint32_t y)
{
	return rgb(x + 2 * frame, x >> 2, (y - GRAD_Y) + frame);
}

uint32_t pattern_pixel(uint32_t frame, uint32_t x, uint32_t y)
{
	uint32_t sx = square_x(frame), sy = square_y(frame);

	if (x >= PATTERN_WIDTH || y >= PATTERN_HEIGHT)
		return 0;
	if (y < BAND_Y)
		return digit_pixel(frame, x, y);
	if (y >= GRAD_Y)
		return gradient_pixel(frame, x, y);
	if (x >= sx && x < sx + SQ_SIZE && y >= sy && y < sy + SQ_SIZE)
		return square_color(frame);
	return bar_pixel(frame, x);
}

void pattern_row(uint32_t frame, uint32_t y, uint32_t *row)
{
	uint32_t x, end, sx, sy, c;

	if (y < BAND_Y) {
		for (x = 0; x < PATTERN_WIDTH; x++)
			row[x] = digit_pixel(frame, x, y);
		return;
	}
	if (y >= GRAD_Y) {
		for (x = 0; x < PATTERN_WIDTH; x++)
			row[x] = gradient_pixel(frame, x, y);
		return;
	}
	/* Bars: one colour per span up to the next bar boundary. */
	for (x = 0; x < PATTERN_WIDTH; x = end) {
		uint32_t pos = x + BAR_SPEED * (frame % BAR_PERIOD);

		end = x + (BAR_W - pos % BAR_W);
		if (end > PATTERN_WIDTH)
			end = PATTERN_WIDTH;
		c = bar_colors[pos / BAR_W % 8];
		while (x < end)
			row[x++] = c;
	}
	sx = square_x(frame);
	sy = square_y(frame);
	if (y >= sy && y < sy + SQ_SIZE) {
		c = square_color(frame);
		for (x = sx; x < sx + SQ_SIZE; x++)
			row[x] = c;
	}
}
