/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hostapi.h - client side of hyper_dmabufd's host-importer API
 * (hdmabufd_host.h, docs/host-api.rst): what a host compositor links to
 * list the buffers guests offer to the host, follow events, import a
 * buffer as file descriptors and map it, and release it.
 *
 * Functions return 0 or a negative errno.  Nothing here blocks for longer
 * than the timeout given (HDMH_CLIENT_TIMEOUT_MS for requests).
 */
#ifndef HDMABUF_HOSTAPI_H
#define HDMABUF_HOSTAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hdmabufd_host.h"

#define HDMH_CLIENT_TIMEOUT_MS	10000	/* daemon waits 5 s for a guest */
#define HDMH_EVQ		64	/* events kept while awaiting a reply */

struct hdmh_event {
	uint16_t type;		/* HDMH_EV_* */
	union {
		struct hdmh_offer offer;
		struct hdmh_revoked revoked;
		struct hdmh_peer_ev peer;
	} u;
};

struct hdmh_conn {
	int fd;
	uint32_t seq;
	uint32_t caps;		/* HDMH_CAP_* from the daemon */
	uint32_t host_domid;
	unsigned int evq_head, evq_len;
	bool evq_lost;		/* events were dropped (queue full) */
	struct hdmh_event evq[HDMH_EVQ];
};

/* An imported buffer: the fds and runs of docs/host-api.rst. */
struct hdmh_buffer {
	struct hdmh_offer offer;
	uint32_t kind;		/* HDMH_KIND_* */
	unsigned int nfds;
	int fds[HDMH_MAX_FDS];
	unsigned int nruns;
	struct hdmh_run *runs;
	void *map;		/* hdmh_buffer_map(): nr_pages * 4096 bytes */
	size_t map_len;
};

/* Connect to the daemon at @path and say HELLO (@events: want events). */
int hdmh_connect(struct hdmh_conn *c, const char *path, bool events);
void hdmh_close(struct hdmh_conn *c);
/* Every current offer: *@offers is malloc'ed (free it), *@n entries. */
int hdmh_list(struct hdmh_conn *c, struct hdmh_offer **offers, size_t *n);
/* Import (@domid, @handle); on success @b owns fds (hdmh_buffer_free). */
int hdmh_import(struct hdmh_conn *c, uint32_t domid, const uint8_t *handle,
		uint32_t flags, struct hdmh_buffer *b);
int hdmh_release(struct hdmh_conn *c, uint32_t domid, const uint8_t *handle);
/*
 * Map the buffer's pages contiguously (read-only, or read-write with
 * @write if the fds allow it); the buffer's bytes start at
 * b->map + b->offer.first_offset.
 */
int hdmh_buffer_map(struct hdmh_buffer *b, bool write);
void hdmh_buffer_free(struct hdmh_buffer *b);
/* Next event (queued ones first); -ETIMEDOUT after @timeout_ms (-1: none). */
int hdmh_next_event(struct hdmh_conn *c, int timeout_ms, struct hdmh_event *ev);

#endif /* HDMABUF_HOSTAPI_H */
