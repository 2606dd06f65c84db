// SPDX-License-Identifier: GPL-2.0
/*
 * Metadata validation for imported frames; see frame.h.
 */
#include <errno.h>
#include <string.h>

#include "frame.h"

static const struct {
	uint32_t fourcc;
	int alpha;
	int red_first;
} formats[] = {
	{ FRAME_FMT_XRGB8888, 0, 0 },
	{ FRAME_FMT_ARGB8888, 1, 0 },
	{ FRAME_FMT_XBGR8888, 0, 1 },
	{ FRAME_FMT_ABGR8888, 1, 1 },
};

static int reject(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

int frame_validate(const struct hyper_dmabuf_meta *meta, uint64_t size,
		   struct frame_layout *out, const char **why)
{
	const struct hyper_dmabuf_plane *p = &meta->planes[0];
	uint64_t end, bytes;
	unsigned int i, fmt;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == meta->fourcc)
			break;
	if (i == sizeof(formats) / sizeof(formats[0]))
		return reject(why, "unsupported fourcc");
	fmt = i;
	if (meta->modifier != FRAME_MOD_LINEAR)
		return reject(why, "unsupported modifier (only linear)");
	if (meta->nr_planes != 1)
		return reject(why, "plane count is not 1");
	for (i = 1; i < HYPER_DMABUF_MAX_PLANES; i++)
		if (meta->planes[i].offset || meta->planes[i].stride)
			return reject(why, "unused plane is not zero");
	if (meta->width == 0 || meta->height == 0)
		return reject(why, "empty image");
	if (meta->width > FRAME_MAX_DIM || meta->height > FRAME_MAX_DIM)
		return reject(why, "image too large");
	if (p->stride % 4 || p->offset % 4)
		return reject(why, "stride or offset not 4-byte aligned");
	if ((uint64_t)meta->width * 4 > p->stride)
		return reject(why, "stride shorter than a line");
	/* offset + stride * height <= size; u32 * u32 fits in u64 */
	bytes = (uint64_t)p->stride * meta->height;
	if (__builtin_add_overflow(bytes, (uint64_t)p->offset, &end) ||
	    end > size)
		return reject(why, "image extends past the end of the buffer");

	memset(out, 0, sizeof(*out));
	out->fourcc = meta->fourcc;
	out->width = meta->width;
	out->height = meta->height;
	out->stride = p->stride;
	out->offset = p->offset;
	out->alpha = formats[fmt].alpha;
	out->red_first = formats[fmt].red_first;
	return 0;
}

const char *frame_fourcc_str(uint32_t fourcc, char buf[5])
{
	int i;

	for (i = 0; i < 4; i++) {
		char c = (char)(fourcc >> (8 * i));

		buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
	}
	buf[4] = 0;
	return buf;
}
