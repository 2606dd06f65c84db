/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vring.h - the device side of one split virtqueue in guest memory.
 *
 * Nothing read from guest memory is trusted: the ring is located and
 * size-checked once when it starts, head indices and chain links are
 * bounds-checked, chains are limited in length and segment count,
 * indirect descriptors are refused, and the used index is the device's
 * own copy (the guest cannot move it).
 */
#ifndef HDMABUFD_VRING_H
#define HDMABUFD_VRING_H

#include <stdbool.h>
#include <stdint.h>

#include "guestmem.h"

#define VCHAIN_MAX_SEGS	64	/* descriptors per chain */

struct vseg {
	uint64_t gpa;
	uint32_t len;
};

/* One descriptor chain, split into its readable and writable parts. */
struct vchain {
	uint16_t head;
	unsigned int nrd, nwr;
	uint64_t rd_len, wr_len;
	struct vseg rd[VCHAIN_MAX_SEGS];
	struct vseg wr[VCHAIN_MAX_SEGS];
};

struct vring {
	unsigned int num;		/* 0: not set */
	uint64_t desc_ua, avail_ua, used_ua;	/* from SET_VRING_ADDR */
	bool addr_set;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t last_avail;		/* next avail entry to consume */
	uint16_t used_idx;		/* next used entry to fill */
	int kick_fd, call_fd;
	bool started;			/* SET_VRING_KICK .. GET_VRING_BASE */
	bool enabled;			/* SET_VRING_ENABLE */
	bool attached;			/* addresses translated and checked */
	bool broken;			/* guest violated the ring protocol */
};

void vring_init(struct vring *vr);
/*
 * Translate the ring addresses through @gm and check that the descriptor
 * table, the available and the used ring each lie inside one region;
 * reads the used index.  0 or -EFAULT / -EINVAL.
 */
int vring_attach(struct vring *vr, const struct guestmem *gm);
/* Translate the addresses again after the memory table changed; keeps
 * the indices.  0 or -EFAULT / -EINVAL (the ring is then detached). */
int vring_translate(struct vring *vr, const struct guestmem *gm);
/*
 * Next available head: 1 and *@head set, 0 if none, -EPROTO if the ring
 * is broken (marks it so).
 */
int vring_pop(struct vring *vr, const struct guestmem *gm, uint16_t *head);
/*
 * Walk the chain at @head: 0, or -EINVAL when it is malformed (bad index,
 * loop or too long, INDIRECT, readable after writable, a segment outside
 * guest memory, more than @max_rd readable bytes).
 */
int vring_walk(const struct vring *vr, const struct guestmem *gm,
	       uint16_t head, uint64_t max_rd, struct vchain *c);
/* Copy the readable part (at most @cap bytes) of @c into @buf. */
int vchain_read(const struct guestmem *gm, const struct vchain *c, void *buf,
		uint64_t cap);
/* Write @len bytes into the writable part of @c; 0 or -ENOSPC/-EFAULT. */
int vchain_write(const struct guestmem *gm, const struct vchain *c,
		 const void *buf, uint64_t len);
/* Return @head to the driver with @len bytes written. */
int vring_push(struct vring *vr, const struct guestmem *gm, uint16_t head,
	       uint32_t len);
/* Does the driver want an interrupt (no VRING_AVAIL_F_NO_INTERRUPT)? */
bool vring_want_notify(const struct vring *vr, const struct guestmem *gm);

#endif /* HDMABUFD_VRING_H */
