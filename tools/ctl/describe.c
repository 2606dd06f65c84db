// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl: one buffer's description (QUERY result) as text or
 * JSON, shared by query, list and export.
 */
#include <inttypes.h>
#include <stdio.h>

#include "ctl.h"

static const char *or_unknown(const char *s)
{
	return s ? s : "unknown";
}

/* Hex dump of the opaque bytes we hold (at most HYPER_DMABUF_MAX_OPAQUE). */
static void opaque_hex(const void *opaque, uint32_t len, char *out)
{
	const uint8_t *p = opaque;
	uint32_t i;

	for (i = 0; i < len && i < HYPER_DMABUF_MAX_OPAQUE; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * i] = '\0';
}

void jw_query(struct jw *w, const struct hyper_dmabuf_query *q,
	      const void *opaque, uint32_t opaque_len)
{
	char hex[2 * HYPER_DMABUF_MAX_OPAQUE + 1], buf[24];
	const struct hyper_dmabuf_meta *m = &q->meta;
	uint32_t i, n;

	hdmabuf_handle_format(&q->handle, hex);
	jw_str(w, "handle", hex);
	jw_str(w, "role", or_unknown(hdmabuf_role_name(q->role)));
	jw_str(w, "state", or_unknown(hdmabuf_state_name(q->state)));
	jw_str(w, "backend", or_unknown(hdmabuf_backend_name(q->backend)));
	jw_u64(w, "backend_id", q->backend);
	jw_u64(w, "peer", q->peer);
	jw_u64(w, "size", q->size);
	jw_bool(w, "rw", q->flags & HYPER_DMABUF_EXPORT_RW);
	jw_u64(w, "importers", q->importers);
	hdmabuf_fourcc_format(m->fourcc, buf);
	jw_str(w, "fourcc", m->fourcc ? buf : "none");
	snprintf(buf, sizeof(buf), "0x%016" PRIx64, (uint64_t)m->modifier);
	jw_str(w, "modifier", buf);
	jw_u64(w, "width", m->width);
	jw_u64(w, "height", m->height);
	jw_arr(w, "planes");
	n = m->nr_planes < HYPER_DMABUF_MAX_PLANES ? m->nr_planes :
		HYPER_DMABUF_MAX_PLANES;
	for (i = 0; i < n; i++) {
		jw_obj(w, NULL);
		jw_u64(w, "offset", m->planes[i].offset);
		jw_u64(w, "stride", m->planes[i].stride);
		jw_end(w);
	}
	jw_end(w);
	jw_u64(w, "opaque_len", q->opaque_len);
	opaque_hex(opaque, opaque_len < q->opaque_len ? opaque_len :
		   q->opaque_len, hex);
	jw_str(w, "opaque", hex);
}

void print_query_text(const struct hyper_dmabuf_query *q,
		      const void *opaque, uint32_t opaque_len)
{
	char hex[2 * HYPER_DMABUF_MAX_OPAQUE + 1], fcc[16];
	const struct hyper_dmabuf_meta *m = &q->meta;
	uint32_t i;

	hdmabuf_handle_format(&q->handle, hex);
	printf("handle:    %s\n", hex);
	printf("role:      %s\n", or_unknown(hdmabuf_role_name(q->role)));
	printf("state:     %s\n", or_unknown(hdmabuf_state_name(q->state)));
	printf("peer:      %s:%" PRIu64 "\n",
	       or_unknown(hdmabuf_backend_name(q->backend)), (uint64_t)q->peer);
	printf("size:      %" PRIu64 "\n", (uint64_t)q->size);
	printf("access:    %s\n", q->flags & HYPER_DMABUF_EXPORT_RW ?
	       "read-write" : "read-only");
	printf("importers: %u\n", q->importers);
	hdmabuf_fourcc_format(m->fourcc, fcc);
	printf("fourcc:    %s\n", m->fourcc ? fcc : "none");
	printf("modifier:  0x%016" PRIx64 "\n", (uint64_t)m->modifier);
	printf("geometry:  %ux%u\n", m->width, m->height);
	for (i = 0; i < m->nr_planes && i < HYPER_DMABUF_MAX_PLANES; i++)
		printf("plane %u:   offset %u stride %u\n", i,
		       m->planes[i].offset, m->planes[i].stride);
	opaque_hex(opaque, opaque_len < q->opaque_len ? opaque_len :
		   q->opaque_len, hex);
	printf("opaque:    %u bytes%s%s\n", q->opaque_len, q->opaque_len ?
	       " " : "", hex);
}
