/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * hdmabufd_host.h - the host-importer API of hyper_dmabufd, version 1
 * (docs/host-api.rst): the messages a host process (a compositor) and the
 * daemon exchange on the daemon's --host-socket, a SOCK_SEQPACKET UNIX
 * socket.  Shared by the daemon (tools/hyper_dmabufd/host_api.c) and the
 * client library (tools/lib/hostapi.c).
 *
 * The socket never leaves the machine: integers are in host byte order.
 * Every structure has explicit padding, which must be zero.
 */
#ifndef HDMABUFD_HOST_H
#define HDMABUFD_HOST_H

#include <stdint.h>

#define HDMH_MAGIC		0x484d4448u	/* "HDMH" */
#define HDMH_VERSION		1
#define HDMH_MAX_MSG		(128u * 1024)	/* largest message, either way */
#define HDMH_MAX_REQ		256		/* largest client request */
#define HDMH_HOST_DOMID		0		/* the host's domain id */

/*
 * Every message: this header, then exactly @len payload bytes.  A request
 * carries a client-chosen @seq; its one reply has the same @seq and type
 * (request | HDMH_REPLY), and a payload starting with struct hdmh_status.
 * Events have @seq 0.
 */
struct hdmh_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;
	uint32_t seq;
};

#define HDMH_REPLY		0x8000
/* requests (client -> daemon) */
#define HDMH_HELLO		1	/* must be first */
#define HDMH_LIST		2
#define HDMH_IMPORT		3
#define HDMH_RELEASE		4
/* events (daemon -> client, after HELLO with HDMH_HELLO_F_EVENTS) */
#define HDMH_EV_OFFER		0x100	/* struct hdmh_offer */
#define HDMH_EV_REVOKED		0x101	/* struct hdmh_revoked */
#define HDMH_EV_PEER		0x102	/* struct hdmh_peer_ev */

struct hdmh_status {
	int32_t status;		/* 0 or a negative errno */
	uint32_t reserved;
};

#define HDMH_HELLO_F_EVENTS	(1u << 0)

struct hdmh_hello {
	uint16_t version_min;	/* versions the client speaks */
	uint16_t version_max;
	uint32_t flags;		/* HDMH_HELLO_F_* */
};

struct hdmh_hello_reply {
	struct hdmh_status st;
	uint16_t version;	/* the one used from now on */
	uint16_t reserved;
	uint32_t caps;		/* HDMH_CAP_* */
	uint32_t host_domid;	/* what guests export to: 0 */
	uint32_t reserved2;
};

#define HDMH_CAP_UDMABUF	(1u << 0)	/* imports can be dma-bufs */

/* One buffer a guest offered (announced) to the host. */
struct hdmh_offer {
	uint32_t domid;		/* the exporting guest */
	uint32_t access;	/* 0 RO, 1 RW (HDMABUF_ACCESS_*) */
	uint8_t handle[16];
	uint64_t size;		/* bytes */
	uint64_t nr_pages;
	uint32_t first_offset;	/* of the first byte in the first page */
	uint32_t fourcc;
	uint64_t modifier;
	uint32_t width;
	uint32_t height;
	uint32_t nr_planes;
	uint32_t imported;	/* 1: the host holds it (some client) */
	struct { uint32_t offset, stride; } planes[4];
};

struct hdmh_list {
	uint32_t start;		/* index of the first offer wanted */
	uint32_t reserved;
};

#define HDMH_LIST_MAX		64	/* offers per LIST reply */

struct hdmh_list_reply {
	struct hdmh_status st;
	uint32_t total;		/* offers now */
	uint32_t count;		/* in this reply, from start */
	/* struct hdmh_offer offers[count]; */
};

#define HDMH_IMPORT_F_MEMFD	(1u << 0)	/* memfd + runs even with udmabuf */

struct hdmh_import {
	uint32_t domid;
	uint32_t flags;		/* HDMH_IMPORT_F_* */
	uint8_t handle[16];
};

#define HDMH_KIND_DMABUF	1	/* one fd: a dma-buf of nr_pages pages */
#define HDMH_KIND_MEMFD		2	/* fds + runs into them */
#define HDMH_MAX_RUNS		4096
#define HDMH_MAX_FDS		8

/*
 * The buffer's pages, in order, are the concatenation of the runs; its
 * first byte is at offer.first_offset.  With HDMH_KIND_DMABUF there is
 * one run { 0, 0, nr_pages * 4096 } over the dma-buf.  The fds arrive
 * with SCM_RIGHTS, in the order runs refer to them.
 */
struct hdmh_run {
	uint32_t fd;		/* index among the fds received */
	uint32_t reserved;
	uint64_t offset;	/* in that file, page aligned */
	uint64_t len;		/* bytes, multiple of 4096 */
};

struct hdmh_import_reply {
	struct hdmh_status st;
	uint32_t kind;		/* HDMH_KIND_* */
	uint32_t nfds;
	uint32_t nruns;
	uint32_t reserved;
	struct hdmh_offer offer;
	/* struct hdmh_run runs[nruns]; */
};

struct hdmh_release {
	uint32_t domid;
	uint32_t reserved;
	uint8_t handle[16];
};

#define HDMH_REVOKED_UNEXPORT	1	/* the guest withdrew it (wait mode) */
#define HDMH_REVOKED_REVOKE	2	/* the guest revoked it */
#define HDMH_REVOKED_PEER_DOWN	3	/* the guest stopped or said BYE */

struct hdmh_revoked {
	uint32_t domid;
	uint32_t reason;	/* HDMH_REVOKED_* */
	uint8_t handle[16];
};

struct hdmh_peer_ev {
	uint32_t domid;
	uint32_t up;		/* 1 up (protocol connected), 0 down */
};

_Static_assert(sizeof(struct hdmh_hdr) == 16, "hdmh_hdr");
_Static_assert(sizeof(struct hdmh_hello_reply) == 24, "hdmh_hello_reply");
_Static_assert(sizeof(struct hdmh_offer) == 104, "hdmh_offer");
_Static_assert(sizeof(struct hdmh_list_reply) == 16, "hdmh_list_reply");
_Static_assert(sizeof(struct hdmh_import) == 24, "hdmh_import");
_Static_assert(sizeof(struct hdmh_run) == 24, "hdmh_run");
_Static_assert(sizeof(struct hdmh_import_reply) == 128, "hdmh_import_reply");
_Static_assert(sizeof(struct hdmh_release) == 24, "hdmh_release");
_Static_assert(sizeof(struct hdmh_revoked) == 24, "hdmh_revoked");
_Static_assert(HDMH_LIST_MAX * sizeof(struct hdmh_offer) + 32 <= HDMH_MAX_MSG,
	       "LIST reply fits");
_Static_assert(HDMH_MAX_RUNS * sizeof(struct hdmh_run) + 160 <= HDMH_MAX_MSG,
	       "IMPORT reply fits");

#endif /* HDMABUFD_HOST_H */
