/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host_api.h - the host as a hyper_dmabuf peer (domain 0) and the API that
 * host importers use (docs/host-api.rst).
 *
 *   host_peer.c  the host's side of the peer protocol with every guest
 *                (HELLO, announcements = offers, IMPORT, RELEASE, UNEXPORT)
 *   host_api.c   the --host-socket: clients, their requests and events,
 *                and the hand-over of imported buffers (udmabuf or memfd)
 *
 * Both run in the daemon's one thread, like everything else.
 */
#ifndef HDMABUFD_HOST_API_H
#define HDMABUFD_HOST_API_H

#include <stdbool.h>
#include <stdint.h>

#include "hdmabuf_wire.h"
#include "hdmabufd_host.h"

struct daemon;
struct guest;
struct ev;

/* ---- host_api.c: called by main.c ---- */

/* Listen on @path (mode 0600); 0 or -errno.  Without it the host is no peer. */
int host_api_init(struct daemon *d, const char *path);
void host_api_fini(void);
bool host_api_enabled(void);
void host_api_event(struct ev *ev);
/* epoll timeout the host side needs (ms), or -1 */
int host_api_timeout(void);
/* timeouts and clients to reap, after every epoll round */
void host_api_poll(void);

/* ---- host_api.c: called by host_peer.c ---- */

void host_api_offer_event(const struct hdmh_offer *o);
void host_api_revoked(uint32_t domid, const uint8_t *handle, uint32_t reason);
void host_api_peer_event(uint32_t domid, bool up);
/*
 * The guest answered the IMPORT a client (@client, request @seq) waits for:
 * hand the buffer over (status 0) or the error.  Returns 0 if the client
 * now holds the buffer, else -errno (client gone, hand-over failed).
 */
int host_api_import_done(uint32_t client, uint32_t seq, uint32_t flags,
			 int status, struct guest *g,
			 const struct hdmabuf_export_desc *d);

/* ---- host_peer.c: called by device.c ---- */

/* @g's device started: PEER_UP(0) is queued; send HELLO. */
void host_peer_start(struct guest *g);
/* @g's device stopped: everything it offered is revoked. */
void host_peer_stop(struct guest *g);
/* A MSG from @g to domain 0 (validated against every feature); status. */
int host_peer_msg(struct guest *g, const uint8_t *msg, uint32_t len);

/* ---- host_peer.c: called by host_api.c ---- */

/* Offers from index @start: fills up to @max, returns how many; *@total. */
uint32_t host_peer_list(uint32_t start, struct hdmh_offer *out, uint32_t max,
			uint32_t *total);
/*
 * A client wants (@domid, @handle): 0 when host_api_import_done() has been
 * or will be called, else -errno for the client's reply.
 */
int host_peer_import(uint32_t domid, const uint8_t *handle, uint32_t client,
		     uint32_t seq, uint32_t flags);
/* A client dropped its hold. */
void host_peer_release(uint32_t domid, const uint8_t *handle);
void host_peer_timeouts(uint64_t now_ns);
bool host_peer_waiting(void);

/* ---- device.c: the host sends to a guest ---- */

/* Queue an rx event or message from domain 0 for @g; 0 or -errno. */
int dev_host_send(struct guest *g, uint32_t type, const void *data,
		  uint32_t len);

#endif /* HDMABUFD_HOST_API_H */
