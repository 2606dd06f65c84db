/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The buffer pool of --sync fences: an exporter's scanout buffers,
 * imported and mapped once, whose frames arrive as the exporter's write
 * fences and are taken by attaching our read fence.
 */
#ifndef HDMABUF_IMPORTD_POOL_H
#define HDMABUF_IMPORTD_POOL_H

#include <stdint.h>

#include <linux/hyper_dmabuf.h>

#include "frame.h"
#include "hyperdmabuf.h"

#define POOL_MAX	16

/**
 * struct pool_buf - one imported buffer of the pool
 * @handle: the offer.
 * @fd: its import (a dma-buf), -1 for a free entry.
 * @map: read-only mapping of all @size bytes.
 * @size: bytes.
 * @layout: the validated image metadata.
 * @backend: the exporter's backend.
 * @peer: the exporter's domain.
 */
struct pool_buf {
	struct hyper_dmabuf_handle handle;
	int fd;
	uint8_t *map;
	uint64_t size;
	struct frame_layout layout;
	uint32_t backend;
	uint64_t peer;
};

/**
 * struct pool - the buffers and what our read fences are made of
 * @buf: the buffers; @nr entries are in use.
 * @nr: entries of @buf in use.
 * @card: vgem, whose software fences stand for our reads.
 * @scratch: a vgem buffer the read fences are attached to (and exported
 *	from as a sync_file).
 */
struct pool {
	struct pool_buf buf[POOL_MAX];
	unsigned int nr;
	int card;
	struct hdmabuf_vgem_buf scratch;
};

/* vgem and the scratch buffer: 0 or -errno (-ENODEV without vgem). */
int pool_init(struct pool *p);
void pool_fini(struct pool *p);

/*
 * Adds the import @fd (taken over, closed on failure) of @h: 0, -ENOSPC
 * when the pool is full, -errno when it cannot be mapped.
 */
int pool_add(struct pool *p, const struct hyper_dmabuf_handle *h, int fd,
	     uint64_t size, const struct frame_layout *l, uint32_t backend,
	     uint64_t peer);
struct pool_buf *pool_find(struct pool *p,
			   const struct hyper_dmabuf_handle *h);
/* Unmaps and closes @b: the exporter sees it released. */
void pool_remove(struct pool *p, struct pool_buf *b);

/*
 * Our read of @b's current frame: a pending read fence (*@fence) that the
 * exporter's writers wait for, on @dev's FENCE_ATTACH.  0 or -errno.
 */
int pool_read_begin(struct pool *p, int dev, const struct pool_buf *b,
		    uint32_t *fence);
/* The read is over: the exporter may draw into the buffer again. */
void pool_read_end(struct pool *p, uint32_t fence);
/*
 * Waits up to @timeout_ms for the exporter's write fence @seqno on @b
 * (its FENCE event's): 0 once the frame is complete, -ETIMEDOUT, or how
 * the fence failed, even if it failed before this call (the exporter
 * died: -ECONNRESET; its fence timed out: -ETIMEDOUT; no longer known:
 * -ENOENT).
 */
int pool_wait_written(int dev, const struct pool_buf *b, uint64_t seqno,
		      int timeout_ms);

#endif /* HDMABUF_IMPORTD_POOL_H */
