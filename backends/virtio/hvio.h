/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hyper_dmabuf virtio backend: state shared by its files.
 *
 * One struct hvio_dev per bound virtio device.  It is reference counted:
 * the driver holds one reference from probe to remove, and every share and
 * map cookie holds one, because the core may call unshare/unmap after the
 * device was removed (a buffer outlives its transport).  The core's
 * backend registration therefore ends with the last reference, in a work
 * item (the last put may happen inside a backend op).
 */
#ifndef HVIO_H
#define HVIO_H

#include <linux/kref.h>
#include <linux/memremap.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "hdmabuf_backend.h"
#include "hvio_proto.h"

/**
 * struct hvio_stats - counters shown in debugfs
 * @requests: requests queued on the tx vq.
 * @timeouts: requests the device did not answer in time.
 * @failed: requests failed because the device went away or was reset.
 * @bad_used_len: used buffers with an impossible length (dropped).
 * @rx_msgs: messages handed to the core.
 * @rx_dropped: events dropped as malformed.
 * @bad_map_reply: MAP replies with an offset outside region 0 or
 *	overlapping a live mapping.
 * @unmap_failed: UNMAPs the device did not confirm (region space leaked
 *	until the next device reset).
 */
struct hvio_stats {
	atomic64_t requests;
	atomic64_t timeouts;
	atomic64_t failed;
	atomic64_t bad_used_len;
	atomic64_t rx_msgs;
	atomic64_t rx_dropped;
	atomic64_t bad_map_reply;
	atomic64_t unmap_failed;
};

/**
 * struct hvio_region - shm region 0 with struct pages (ZONE_DEVICE)
 * @addr: guest-physical start.
 * @len: length in bytes.
 * @pgmap: the page map giving the region struct pages; valid if @mapped.
 * @mapped: memremap_pages() succeeded.
 * @node: entry in the list of mapped regions (map.c), while @mapped.
 * @lock: protects @busy and @leaked.
 * @busy: one bit per region page in use by a live import (or leaked).
 * @leaked: pages whose UNMAP the device did not confirm; freed at reset.
 */
struct hvio_region {
	u64 addr;
	u64 len;
	struct dev_pagemap pgmap;
	bool mapped;
	struct list_head node;
	struct mutex lock;
	unsigned long *busy;
	unsigned long *leaked;
};

/**
 * struct hvio_dev - one virtio dma-buf device
 * @ref: lifetime, see above.
 * @be: this guest's identity with the core.
 * @registered: @be is registered with the core.
 * @vdev: the virtio device; NULL after remove.
 * @dev: device for messages (kept valid by @ref via get_device()).
 * @tx: request vq.
 * @rx: event vq.
 * @tx_lock: protects @tx, @tx_live, and every request's @done state.
 * @tx_live: requests may be queued (device running, not frozen/removed).
 * @tx_space: woken when tx descriptors are freed or @tx_live changes.
 * @max_msg: largest request the device accepts (config space, clamped).
 * @rx_work: drains @rx in process context.
 * @rx_live: @rx_work may process the rx vq.
 * @wq: ordered workqueue of @rx_work.
 * @peers: domains the device reported up (value: xa_mk_value(1)).
 * @region: shm region 0.
 * @shm_map: the device offered VIRTIO_DMABUF_F_SHM_MAP.
 * @debugfs: this device's debugfs directory.
 * @stats: counters.
 * @release_work: unregisters @be and frees everything after the last put.
 */
struct hvio_dev {
	struct kref ref;
	struct hdmabuf_backend be;
	bool registered;
	struct virtio_device *vdev;
	struct device *dev;

	struct virtqueue *tx;
	struct virtqueue *rx;
	spinlock_t tx_lock;
	bool tx_live;
	wait_queue_head_t tx_space;
	u32 max_msg;

	struct work_struct rx_work;
	bool rx_live;
	struct workqueue_struct *wq;
	struct xarray peers;

	struct hvio_region region;
	bool shm_map;

	struct dentry *debugfs;
	struct hvio_stats stats;
	struct work_struct release_work;
};

static inline struct hvio_dev *hvio_from_be(struct hdmabuf_backend *be)
{
	return container_of(be, struct hvio_dev, be);
}

/* main.c */
extern unsigned int hvio_timeout_ms;
void hvio_get(struct hvio_dev *hd);
void hvio_put(struct hvio_dev *hd);

/* vq.c */
int hvio_request(struct hvio_dev *hd, u32 type, u32 peer, const void *payload,
		 size_t len, u64 *value);
void hvio_tx_done(struct virtqueue *vq);
void hvio_tx_stop(struct hvio_dev *hd);
void hvio_tx_start(struct hvio_dev *hd);
void hvio_tx_drain(struct hvio_dev *hd);
void hvio_rx_done(struct virtqueue *vq);
void hvio_rx_work(struct work_struct *work);
int hvio_rx_fill(struct hvio_dev *hd);
void hvio_rx_free(struct hvio_dev *hd);
void hvio_peers_down(struct hvio_dev *hd);

/* share.c */
int hvio_share(struct hdmabuf_backend *be, u64 peer, struct page **pages,
	       unsigned long nr_pages, bool rw,
	       struct hdmabuf_share_info *info, void **cookie);
void hvio_unshare(struct hdmabuf_backend *be, void *cookie);

/* map.c */
int hvio_region_init(struct hvio_dev *hd);
void hvio_region_reset(struct hvio_dev *hd);
void hvio_region_fini(struct hvio_dev *hd);
int hvio_map(struct hdmabuf_backend *be, u64 peer,
	     const struct hdmabuf_share_info *info, unsigned long nr_pages,
	     bool rw, struct page ***pages, void **cookie);
void hvio_unmap(struct hdmabuf_backend *be, void *cookie);

#endif /* HVIO_H */
