// SPDX-License-Identifier: GPL-2.0
/*
 * libhyperdmabuf: text forms of handles, backends, events, states and
 * DRM fourcc codes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hyperdmabuf.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void hdmabuf_handle_format(const struct hyper_dmabuf_handle *h,
			   char out[HDMABUF_HANDLE_STRLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < sizeof(h->bytes); i++) {
		out[2 * i] = hex[h->bytes[i] >> 4];
		out[2 * i + 1] = hex[h->bytes[i] & 0xf];
	}
	out[HDMABUF_HANDLE_STRLEN] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hdmabuf_handle_parse(const char *s, struct hyper_dmabuf_handle *h)
{
	unsigned int nonzero = 0;
	size_t i;

	if (!s || strlen(s) != HDMABUF_HANDLE_STRLEN)
		return -EINVAL;
	for (i = 0; i < sizeof(h->bytes); i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		h->bytes[i] = (uint8_t)(hi << 4 | lo);
		nonzero |= h->bytes[i];
	}
	return nonzero ? 0 : -EINVAL;
}

int hdmabuf_handle_eq(const struct hyper_dmabuf_handle *a,
		      const struct hyper_dmabuf_handle *b)
{
	return !memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static const char *const backend_names[] = {
	[HYPER_DMABUF_BACKEND_LOOPBACK] = "loopback",
	[HYPER_DMABUF_BACKEND_XEN] = "xen",
	[HYPER_DMABUF_BACKEND_VIRTIO] = "virtio",
};

const char *hdmabuf_backend_name(uint32_t id)
{
	return id < ARRAY_SIZE(backend_names) ? backend_names[id] : NULL;
}

int hdmabuf_backend_parse(const char *s, uint32_t *id)
{
	unsigned long v;
	char *end;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(backend_names); i++) {
		if (backend_names[i] && !strcmp(s, backend_names[i])) {
			*id = (uint32_t)i;
			return 0;
		}
	}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v >= HYPER_DMABUF_MAX_BACKENDS)
		return -EINVAL;
	*id = (uint32_t)v;
	return 0;
}

static const char *const event_names[] = {
	[HYPER_DMABUF_EVENT_OFFER] = "offer",
	[HYPER_DMABUF_EVENT_WITHDRAWN] = "withdrawn",
	[HYPER_DMABUF_EVENT_REVOKED] = "revoked",
	[HYPER_DMABUF_EVENT_PEER_UP] = "peer-up",
	[HYPER_DMABUF_EVENT_PEER_DOWN] = "peer-down",
	[HYPER_DMABUF_EVENT_OVERFLOW] = "overflow",
	[HYPER_DMABUF_EVENT_RELEASED] = "released",
	[HYPER_DMABUF_EVENT_FENCE] = "fence",
};

const char *hdmabuf_event_name(uint32_t type)
{
	return type < ARRAY_SIZE(event_names) ? event_names[type] : NULL;
}

static const char *const state_names[] = {
	[HYPER_DMABUF_STATE_SHARED] = "shared",
	[HYPER_DMABUF_STATE_WITHDRAWN] = "withdrawn",
	[HYPER_DMABUF_STATE_REVOKED] = "revoked",
};

const char *hdmabuf_state_name(uint32_t state)
{
	return state < ARRAY_SIZE(state_names) ? state_names[state] : NULL;
}

static const char *const role_names[] = {
	[HYPER_DMABUF_ROLE_EXPORTER] = "exporter",
	[HYPER_DMABUF_ROLE_IMPORTER] = "importer",
};

const char *hdmabuf_role_name(uint32_t role)
{
	return role < ARRAY_SIZE(role_names) ? role_names[role] : NULL;
}

static const struct {
	const char *name;
	const char code[5];
	unsigned int bpp;
} formats[] = {
	{ "XRGB8888", "XR24", 32 },
	{ "ARGB8888", "AR24", 32 },
	{ "XBGR8888", "XB24", 32 },
	{ "ABGR8888", "AB24", 32 },
	{ "RGBX8888", "RX24", 32 },
	{ "RGBA8888", "RA24", 32 },
	{ "RGB888", "RG24", 24 },
	{ "BGR888", "BG24", 24 },
	{ "RGB565", "RG16", 16 },
	{ "R8", "R8  ", 8 },
	{ "NV12", "NV12", 0 },
};

static uint32_t code_to_fourcc(const char *c)
{
	return HDMABUF_FOURCC(c[0], c[1], c[2], c[3]);
}

int hdmabuf_fourcc_parse(const char *s, uint32_t *fourcc)
{
	unsigned long long v;
	char code[4];
	size_t i, n;
	char *end;

	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		if (!strcasecmp(s, formats[i].name)) {
			*fourcc = code_to_fourcc(formats[i].code);
			return 0;
		}
	}
	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		v = strtoull(s, &end, 0);
		if (!errno && !*end && v <= UINT32_MAX) {
			*fourcc = (uint32_t)v;
			return 0;
		}
	}
	n = strlen(s);
	if (n < 1 || n > 4)
		return -EINVAL;
	for (i = 0; i < 4; i++) {
		code[i] = i < n ? s[i] : ' ';
		if (!isprint((unsigned char)code[i]))
			return -EINVAL;
	}
	*fourcc = code_to_fourcc(code);
	return 0;
}

void hdmabuf_fourcc_format(uint32_t fourcc, char out[16])
{
	char c[4];
	int i;

	for (i = 0; i < 4; i++) {
		c[i] = (char)(fourcc >> (8 * i));
		if (!isprint((unsigned char)c[i]) || c[i] == '"' ||
		    c[i] == '\\') {
			snprintf(out, 16, "0x%08x", fourcc);
			return;
		}
	}
	memcpy(out, c, 4);
	out[4] = '\0';
}

unsigned int hdmabuf_fourcc_bpp(uint32_t fourcc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (code_to_fourcc(formats[i].code) == fourcc)
			return formats[i].bpp;
	return 0;
}
