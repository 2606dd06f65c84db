/* SPDX-License-Identifier: GPL-2.0 */
/*
 * daemon.h - state of hyper_dmabufd: one struct guest per vhost-user
 * socket, all driven by one epoll loop in one thread (no locks).
 *
 *   main.c        options, sockets, epoll loop, logging
 *   vhost_user.c  front-end messages (negotiation, memory, rings, config)
 *   backend.c     back-end channel: SHMEM_MAP/UNMAP requests and acks
 *   device.c      the VIRTIO_ID_DMABUF device: tx requests, rx delivery,
 *                 routing, announcements, mappings, peer events
 *   host_peer.c   the host (domain 0) as a peer; host_api.c its importers'
 *                 socket (host_api.h)
 */
#ifndef HDMABUFD_DAEMON_H
#define HDMABUFD_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"
#include "shm_alloc.h"
#include "vring.h"
#include "vu_proto.h"

#define HDMABUFD_MAX_GUESTS	64
#define HDMABUFD_RXQ_MAX	256	/* undelivered messages per guest */
/*
 * SHMEM_MAPs live per guest.  QEMU adds each mapping to the guest's vhost
 * memory table and aborts (assertion in vhost_user_add_remove_regions,
 * QEMU 11.1.3) beyond VHOST_USER_MAX_RAM_SLOTS = 512 regions, guest RAM
 * included: stay well below.
 */
#define HDMABUFD_MAX_RUNS	480
#define HDMABUFD_MAX_EXPORTS	4096	/* announcements per exporter */
#define HDMABUFD_BCHAN_WINDOW	32	/* unacked back-end requests */

struct guest;

/* what an epoll event belongs to */
enum ev_kind { EV_LISTEN, EV_CONN, EV_BACKEND, EV_KICK, EV_HOST };

struct ev {
	enum ev_kind kind;
	struct guest *g;
	unsigned int q;
};

/* A buffer an exporter described to one importer (EXPORT_ANNOUNCE or an
 * IMPORT accept routed by the daemon): the only directories MAP accepts. */
struct export_rec {
	uint32_t importer;
	uint8_t handle[16];
	uint64_t dir_root;
	uint64_t nr_pages;
	uint32_t dir_pages;
	uint8_t levels;
	uint8_t ref_size;
	bool rw;
};

struct map_run {
	uint64_t shm_offset;
	uint64_t len;
};

/* One MAP in an importer's region. */
struct mapping {
	struct mapping *next;
	uint32_t exporter;
	uint8_t handle[16];
	uint64_t first_page;
	uint64_t nr_pages;
	size_t nruns;
	struct map_run *runs;
};

/* A tx request waiting for back-end acks (MAP, UNMAP). */
struct txop {
	uint16_t head;
	struct vchain chain;
	unsigned int outstanding;
	int status;
	uint64_t value;
	struct mapping *m;	/* MAP: added to the guest on success */
	bool is_map;
	uint32_t exp_domid;	/* MAP: the exporter ... */
	uint64_t exp_gen;	/* ... and its generation when translated */
	uint64_t gen;		/* the guest's generation when queued */
	int fds[GM_MAX_REGIONS];	/* MAP: dups of the exporter's files */
	uint8_t *run_ok;	/* MAP: which runs QEMU mapped */
	uint64_t t0_ns;		/* when the request was taken (latency log) */
};

/* One queued back-end request; @op is notified of its ack. */
struct breq {
	struct breq *next;
	uint32_t request;
	struct vu_mmap mm;
	int fd;			/* borrowed from @op (MAP), -1 for UNMAP */
	struct txop *op;
	int run;		/* MAP: index of the run in op->m, else -1 */
};

struct rxmsg {
	struct rxmsg *next;
	struct virtio_dmabuf_hdr hdr;	/* little-endian, as written */
	uint32_t len;
	uint8_t data[];
};

struct guest {
	struct daemon *d;
	char name[32];
	char path[108];
	uint32_t domid;

	int lfd;		/* listening socket */
	int cfd;		/* front-end connection, -1 when none */
	int bfd;		/* back-end channel, -1 when none */
	struct ev ev_listen, ev_conn, ev_backend, ev_kick[VIRTIO_DMABUF_NUM_VQS];

	uint64_t features;	/* SET_FEATURES */
	uint64_t pfeatures;	/* SET_PROTOCOL_FEATURES */
	unsigned int config_served;	/* GET_CONFIG count (logging) */
	struct guestmem mem;
	struct vring vq[VIRTIO_DMABUF_NUM_VQS];
	bool running;		/* device started, peers told */
	uint64_t gen;		/* bumped at every start and stop */
	bool tx_more;		/* tx work left after a bounded pass */

	struct shm_alloc shm;
	struct mapping *maps;	/* mappings in this guest's region */
	size_t nruns;

	struct export_rec *exports;	/* this guest as exporter */
	size_t nexports;

	struct rxmsg *rx_head, *rx_tail;
	unsigned int rx_len;

	struct breq *bq_head, *bq_tail;	/* not yet sent */
	struct breq *bs_head, *bs_tail;	/* sent, awaiting ack */
	unsigned int b_inflight;
	bool bdead;		/* channel lost: no more mappings */

	struct txop *op;	/* tx blocked on this */

	/* statistics (logged, and read by the lab) */
	unsigned long st_msgs, st_maps, st_map_calls, st_unmaps, st_bad;
	/* SHMEM_MAP / SHMEM_UNMAP requests QEMU acknowledged as done */
	unsigned long st_shmem_maps, st_shmem_unmaps;
	size_t nmaps, peak_maps, peak_runs;	/* live mappings (@maps) */
};

struct daemon {
	int epfd;
	uint64_t shm_size;
	unsigned int nguests;
	struct guest *guests[HDMABUFD_MAX_GUESTS];
	int verbose;
};

/* main.c */
void logmsg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define LOG_ERR	0
#define LOG_INFO 1
#define LOG_DBG	2
int ev_add(struct daemon *d, int fd, struct ev *ev);
void ev_del(struct daemon *d, int fd);
void guest_disconnect(struct guest *g);

/* vhost_user.c */
int vu_handle(struct guest *g);
void rings_reset(struct guest *g);

/* backend.c */
int bchan_queue(struct guest *g, uint32_t request, const struct vu_mmap *mm,
		int fd, struct txop *op, int run);
void bchan_flush(struct guest *g);
void bchan_handle(struct guest *g);
void bchan_reset(struct guest *g);
void bchan_drop_unsent(struct guest *g);

/* device.c */
struct guest *guest_by_domid(struct daemon *d, uint32_t domid);
void dev_check_start(struct guest *g);
void dev_stop(struct guest *g, const char *why);
void dev_kick(struct guest *g, unsigned int q);
void dev_op_acked(struct guest *g, struct txop *op, int err, int run);
void dev_config(const struct guest *g, struct virtio_dmabuf_config *cfg);
void dev_poll(struct daemon *d);

#endif /* HDMABUFD_DAEMON_H */
