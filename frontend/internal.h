/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Core-private objects of hyper_dmabuf.
 *
 * Objects and who holds them (docs/design.rst has the picture):
 *  - struct hdmabuf_file: one per open of /dev/hyper_dmabuf.
 *  - struct hdmabuf_source: a local dma-buf attached and mapped once for all
 *    of its exports; each export holds a reference.
 *  - struct hdmabuf_export: a source shared with one peer.  The exports
 *    registry holds one reference while it is findable; message handlers
 *    and ioctls take temporary ones.
 *  - struct hdmabuf_offer: a buffer a peer exported to us.  The offers
 *    registry holds one reference; a live imported dma-buf holds another.
 *  - struct hdmabuf_peer: one remote domain of one backend.  Reference
 *    counted: its backend's peer list (until the backend unregisters), every
 *    export to it, every offer from it (and so every import) and every
 *    request waiting for it hold one.  A peer whose backend unregistered is
 *    @dead: the core never calls that backend again for it, except
 *    unmap/vunmap for imports still alive (hdmabuf_backend.h).
 *
 * Locking order (outermost first):
 *   hdmabuf_offer.import_lock, hdmabuf_peer.connect_lock (mutexes held
 *   across requests to a peer) -> hdmabuf_import.lock (mutex, taken in CPU
 *   faults) -> hdmabuf_lock (mutex) -> hdmabuf_file.ev_lock (spinlock) ->
 *   hdmabuf_peer.req_lock (spinlock).
 * hdmabuf_lock is never held while waiting for a peer's reply, while
 * calling into a backend's share/map ops or into another dma-buf exporter.
 */
#ifndef HDMABUF_INTERNAL_H
#define HDMABUF_INTERNAL_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/dma-buf.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/hyper_dmabuf.h>
#include "hdmabuf_backend.h"
#include "hdmabuf_wire.h"

/* Module parameters (main.c). */
extern unsigned int hdmabuf_reply_timeout_ms;
extern unsigned int hdmabuf_max_size_mb;
extern unsigned int hdmabuf_max_exports;
extern unsigned int hdmabuf_max_opaque;
extern unsigned int hdmabuf_event_queue_depth;

/*
 * Protects the backend list, every backend's peer list, both registries,
 * the file list, each file's export list and the state fields of exports
 * and offers.
 */
extern struct mutex hdmabuf_lock;
/* Woken whenever an export's importer state changes. */
extern wait_queue_head_t hdmabuf_release_wq;
extern struct miscdevice hdmabuf_misc;
/*
 * Calls into a backend's ops run inside a read section of this SRCU, after
 * checking that the peer is not @dead; hdmabuf_backend_unregister() marks
 * its peers dead and waits for the sections, so none runs afterwards.
 */
extern struct srcu_struct hdmabuf_backend_srcu;

/**
 * struct hdmabuf_stats - counters shown in debugfs
 * Every field counts events since load except the live_* gauges.
 */
struct hdmabuf_stats {
	atomic64_t tx;
	atomic64_t rx;
	atomic64_t rx_rejected;
	atomic64_t rx_foreign_peer;
	atomic64_t rx_unmatched;
	atomic64_t rx_early;
	atomic64_t timeouts;
	atomic64_t peer_downs;
	atomic64_t tx_bye;
	atomic64_t rx_bye;
	atomic64_t live_exports;
	atomic64_t live_imports;
	atomic64_t live_offers;
	atomic64_t live_sources;
	atomic64_t live_fences;
	atomic64_t live_fence_waits;
	atomic64_t fence_timeouts;
};

extern struct hdmabuf_stats hdmabuf_stats;

#define HDMABUF_FENCE_NAME_LEN	24

/**
 * struct hdmabuf_fence_rx - a peer's fences: the proxies we made (fence.c)
 * @lock: protects the fields below.
 * @context: fence context of this connection's proxies.
 * @last_seqno: highest seqno attached on this connection.
 * @pending: unsignalled proxies, in seqno (and deadline) order.
 * @nr_pending: entries of @pending (bounded by max_fences).
 * @timeout_work: fails the proxies whose deadline passed.
 * @done: the last HDMABUF_FENCE_DONE failed proxies (references), so
 *	that FENCE_GET with FENCE_SEQNO can still tell how one ended.
 * @done_next: the slot of @done to fill next.
 * @name: timeline name, "backend:domid".
 */
#define HDMABUF_FENCE_DONE	64
struct hdmabuf_fence_rx {
	spinlock_t lock;
	u64 context;
	u64 last_seqno;
	struct list_head pending;
	unsigned int nr_pending;
	struct delayed_work timeout_work;
	struct dma_fence *done[HDMABUF_FENCE_DONE];
	unsigned int done_next;
	char name[HDMABUF_FENCE_NAME_LEN];
};

/**
 * struct hdmabuf_fence_tx_tl - our fences a peer waits for (fence.c)
 * @attach_lock: serialises ATTACHes (seqno order on the wire) against
 *	each other and against a teardown.
 * @lock: protects the fields below; taken in fence callbacks (irqsave).
 * @open: ATTACH allowed (the peer is up).
 * @next_seqno: last seqno allocated.
 * @pending: struct hdmabuf_fence_tx in seqno order.
 * @signal_work: sends the SIGNALs of the completed head of @pending.
 */
struct hdmabuf_fence_tx_tl {
	struct mutex attach_lock;
	spinlock_t lock;
	bool open;
	u64 next_seqno;
	struct list_head pending;
	struct work_struct signal_work;
};

/**
 * struct hdmabuf_peer - a remote domain reachable through one backend
 * @ref: see the header comment.
 * @node: entry in @be->peers until the backend unregisters.
 * @be: the backend instance; see @dead.
 * @type: @be->type, kept for events and QUERY after @be is gone.
 * @owner: @be->owner, which every export and import pins.
 * @domid: the remote domain id.
 * @dead: the backend unregistered: @be may be gone, @be is called only to
 *	unmap imports still alive.  Set once, under hdmabuf_lock.
 * @shares: exports to this peer that hold a share cookie; a teardown
 *	unshares all of them.
 * @up: the backend reports the peer reachable.
 * @connected: our HELLO was answered; @version/@features are valid.
 * @remote_hello: the peer's HELLO arrived; its other messages are accepted.
 * @version: negotiated protocol version.
 * @features: negotiated HDMABUF_FEAT_* bits.
 * @connect_lock: serialises the HELLO exchange.
 * @nr_offers: live offers from this peer (bounded by max_exports).
 * @epoch: incremented by every teardown; a HELLO answered across one
 *	does not count.
 * @req_lock: protects @reqs_open, @reqs and @next_id.
 * @reqs_open: new requests are accepted; cleared by a teardown (so no
 *	request can start waiting after the pending ones were failed) and
 *	set again by hdmabuf_peer_up().
 * @reqs: requests waiting for a reply.
 * @next_id: next request id.
 * @fence_rx: the peer's fences.
 * @fence_tx: our fences the peer waits for.
 *
 * @up, @connected, @remote_hello, @version, @features, @nr_offers,
 * @epoch, @dead and @shares are protected by hdmabuf_lock.
 */
struct hdmabuf_peer {
	struct kref ref;
	struct list_head node;
	struct hdmabuf_backend *be;
	u32 type;
	struct module *owner;
	u64 domid;
	bool dead;
	struct list_head shares;
	bool up;
	bool connected;
	bool remote_hello;
	u16 version;
	u64 features;
	unsigned int nr_offers;
	unsigned int epoch;
	struct mutex connect_lock;
	spinlock_t req_lock;
	bool reqs_open;
	struct list_head reqs;
	u64 next_id;
	struct hdmabuf_fence_rx fence_rx;
	struct hdmabuf_fence_tx_tl fence_tx;
};

/**
 * struct hdmabuf_meta_blob - metadata kept with a buffer
 * @meta: typed metadata.
 * @opaque_len: used bytes of @opaque.
 * @opaque: opaque metadata.
 */
struct hdmabuf_meta_blob {
	struct hyper_dmabuf_meta meta;
	u32 opaque_len;
	u8 opaque[HDMABUF_MAX_OPAQUE];
};

/**
 * struct hdmabuf_source - a local dma-buf pinned for sharing
 * @ref: one per export using it.
 * @node: entry in the source list, under hdmabuf_lock.
 * @dmabuf: the dma-buf (we hold a file reference).
 * @attach: our attachment to it.
 * @sgt: its mapping for our device; keeps the pages pinned.
 * @pages: the pages behind @sgt.
 * @nr_pages: entries of @pages.
 */
struct hdmabuf_source {
	struct kref ref;
	struct list_head node;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct page **pages;
	unsigned long nr_pages;
};

/**
 * struct hdmabuf_export - a local buffer shared with one peer
 * @ref: see the header comment.
 * @handle: the handle the peer imports with.
 * @owner: the file that exported it; NULL once that file is closed.
 * @file_node: entry in @owner->exports.
 * @counted: counts against @owner's max_exports (not once the peer died).
 * @src: the pinned source.
 * @peer: the only domain allowed to import it.
 * @rw: the peer may write.
 * @state: HYPER_DMABUF_STATE_*.
 * @imported: the peer holds an import (IMPORT seen, RELEASE not yet).
 * @size: buffer bytes.
 * @share_cookie: from the backend's share op; NULL once unshared.
 * @share_node: entry in @peer->shares while @share_cookie is set.
 * @info: where the peer finds the pages.
 * @md: metadata.
 *
 * @state, @imported, @counted, @share_cookie and @share_node are protected
 * by hdmabuf_lock.
 */
struct hdmabuf_export {
	struct kref ref;
	struct hyper_dmabuf_handle handle;
	struct hdmabuf_file *owner;
	struct list_head file_node;
	bool counted;
	struct hdmabuf_source *src;
	struct hdmabuf_peer *peer;
	bool rw;
	u32 state;
	bool imported;
	u64 size;
	void *share_cookie;
	struct list_head share_node;
	struct hdmabuf_share_info info;
	struct hdmabuf_meta_blob md;
};

/**
 * struct hdmabuf_offer - a buffer a peer exported to this domain
 * @ref: see the header comment.
 * @handle: its handle.
 * @peer: the exporter; the only domain whose messages about it count.
 * @rw: we may write.
 * @state: HYPER_DMABUF_STATE_*, under hdmabuf_lock.
 * @size: buffer bytes.
 * @nr_pages: data pages.
 * @info: where the exporter shared the pages.
 * @md: metadata.
 * @dmabuf: the live local dma-buf made from it, or NULL; under hdmabuf_lock.
 * @import_lock: serialises making the local dma-buf.
 */
struct hdmabuf_offer {
	struct kref ref;
	struct hyper_dmabuf_handle handle;
	struct hdmabuf_peer *peer;
	bool rw;
	u32 state;
	u64 size;
	unsigned long nr_pages;
	struct hdmabuf_share_info info;
	struct hdmabuf_meta_blob md;
	struct dma_buf *dmabuf;
	struct mutex import_lock;
};

/**
 * struct hdmabuf_import - the local dma-buf made from an offer (its priv)
 * @offer: the offer (a reference).
 * @dmabuf: the dma-buf.
 * @lock: protects @revoked, @vaddr and @vmap_count, and orders CPU page
 *	faults against revocation.
 * @revoked: the exporter took the buffer back; every access fails.
 * @pages: the backend-mapped pages.
 * @map_cookie: from the backend's map op.
 * @vaddr: kernel mapping while @vmap_count > 0.
 * @vmap_count: vmap users.
 * @be_vmap: @vaddr comes from the backend's vmap op.
 */
struct hdmabuf_import {
	struct hdmabuf_offer *offer;
	struct dma_buf *dmabuf;
	struct mutex lock;
	bool revoked;
	struct page **pages;
	void *map_cookie;
	void *vaddr;
	unsigned int vmap_count;
	bool be_vmap;
};

/**
 * struct hdmabuf_file - one open of /dev/hyper_dmabuf
 * @node: entry in the file list, under hdmabuf_lock.
 * @exports: exports this file owns, under hdmabuf_lock.
 * @nr_exports: entries of @exports.
 * @ev_lock: protects the event ring fields below.
 * @ev: ring of @ev_depth records.
 * @ev_depth: capacity, fixed at open.
 * @ev_head: index of the oldest record.
 * @ev_count: queued records.
 * @ev_lost: records dropped since the last OVERFLOW record was queued.
 * @ev_seq: sequence number of the next record.
 * @ev_mask: event types this file receives (HYPER_DMABUF_EVENT_BIT()s).
 * @ev_wait: readers and pollers.
 */
struct hdmabuf_file {
	struct list_head node;
	struct list_head exports;
	unsigned int nr_exports;
	spinlock_t ev_lock;
	struct hyper_dmabuf_event *ev;
	unsigned int ev_depth;
	unsigned int ev_head;
	unsigned int ev_count;
	u64 ev_lost;
	u64 ev_seq;
	u64 ev_mask;
	wait_queue_head_t ev_wait;
};

/* peer.c */
struct hdmabuf_backend *hdmabuf_backend_find(u32 type);
struct hdmabuf_peer *hdmabuf_peer_find(struct hdmabuf_backend *be, u64 domid);
void hdmabuf_peer_get(struct hdmabuf_peer *peer);
void hdmabuf_peer_put(struct hdmabuf_peer *peer);

/*
 * Whether @peer's backend unregistered; callers about to call into the
 * backend check it inside a hdmabuf_backend_srcu read section.
 */
static inline bool hdmabuf_peer_dead(const struct hdmabuf_peer *peer)
{
	return READ_ONCE(peer->dead);
}
int hdmabuf_peer_connect(struct hdmabuf_peer *peer);
int hdmabuf_send(struct hdmabuf_peer *peer, u16 op, u32 flags, u64 req_id,
		 const void *payload, size_t len);
int hdmabuf_request(struct hdmabuf_peer *peer, u16 op, const void *payload,
		    size_t len, void *reply, size_t reply_cap,
		    size_t *reply_len);
int hdmabuf_reply(struct hdmabuf_peer *peer, u16 op, u64 req_id, int status,
		  const void *body, size_t len);
void hdmabuf_fill_backend_info(struct hyper_dmabuf_info *info);
void hdmabuf_peers_shutdown(void);
void hdmabuf_peers_show_fences(struct seq_file *m);

/* export.c */
int hdmabuf_export(struct hdmabuf_file *file, struct dma_buf *dmabuf,
		   struct hyper_dmabuf_export *arg, const void *opaque);
int hdmabuf_unexport(struct hdmabuf_file *file, const u8 *handle, u32 flags,
		     u32 timeout_ms);
void hdmabuf_file_unexport_all(struct hdmabuf_file *file);
struct hdmabuf_export *hdmabuf_export_lookup(const u8 *handle);
void hdmabuf_export_put(struct hdmabuf_export *exp);
void hdmabuf_export_handle_msg(struct hdmabuf_peer *peer,
			       const struct hdmabuf_msg_hdr *hdr,
			       const void *payload);
void hdmabuf_exports_peer_down(struct hdmabuf_peer *peer);
void hdmabuf_export_fill_desc(const struct hdmabuf_export *exp,
			      struct hdmabuf_export_desc *desc);
int hdmabuf_export_query(struct hdmabuf_file *file,
			 struct hyper_dmabuf_query *q, void *opaque);
u32 hdmabuf_exports_list(struct hyper_dmabuf_handle *out, u32 cap);
u32 hdmabuf_registry_handles(struct xarray *xa, size_t handle_off,
			     struct hyper_dmabuf_handle *out, u32 cap);

/* import.c */
struct dma_buf *hdmabuf_import(const u8 *handle);
struct hdmabuf_offer *hdmabuf_offer_lookup(const u8 *handle);
void hdmabuf_offer_put(struct hdmabuf_offer *offer);
void hdmabuf_import_handle_msg(struct hdmabuf_peer *peer,
			       const struct hdmabuf_msg_hdr *hdr,
			       const void *payload, size_t len);
void hdmabuf_offers_peer_down(struct hdmabuf_peer *peer);
int hdmabuf_offer_query(struct hyper_dmabuf_query *q, void *opaque);
u32 hdmabuf_offers_list(struct hyper_dmabuf_handle *out, u32 cap);
unsigned long hdmabuf_handle_key(const u8 *handle);
struct dma_buf *hdmabuf_offer_get_dmabuf(struct hdmabuf_offer *offer);

/* fence.c */
struct seq_file;
struct sync_file;
extern unsigned int hdmabuf_fence_timeout_ms;
extern unsigned int hdmabuf_max_fences;
void hdmabuf_fence_peer_init(struct hdmabuf_peer *peer);
void hdmabuf_fence_peer_up(struct hdmabuf_peer *peer);
void hdmabuf_fence_peer_down(struct hdmabuf_peer *peer);
void hdmabuf_fence_peer_show(struct seq_file *m, struct hdmabuf_peer *peer);
void hdmabuf_fence_handle_msg(struct hdmabuf_peer *peer,
			      const struct hdmabuf_msg_hdr *hdr,
			      const void *payload);
void hdmabuf_fence_import_created(struct hdmabuf_offer *offer,
				  struct dma_buf *dmabuf);
int hdmabuf_fence_attach(struct hdmabuf_file *file,
			 struct hyper_dmabuf_fence_attach *arg);
int hdmabuf_fence_get(struct hdmabuf_file *file,
		      struct hyper_dmabuf_fence_get *arg,
		      struct sync_file **out);

/* events.c */
int hdmabuf_events_init(struct hdmabuf_file *file);
void hdmabuf_events_free(struct hdmabuf_file *file);
void hdmabuf_event_post(struct hdmabuf_file *file,
			const struct hyper_dmabuf_event *ev);
void hdmabuf_event_broadcast(const struct hyper_dmabuf_event *ev);
void hdmabuf_uevent_offer(const struct hdmabuf_offer *offer);
u64 hdmabuf_events_set_mask(struct hdmabuf_file *file, u64 mask);
ssize_t hdmabuf_events_read(struct hdmabuf_file *file, char __user *buf,
			    size_t count, bool nonblock);
__poll_t hdmabuf_events_poll(struct hdmabuf_file *file, struct file *filp,
			     poll_table *wait);
extern struct list_head hdmabuf_files;

/* ioctl.c */
long hdmabuf_ioctl(struct file *filp, unsigned int cmd, unsigned long arg);
void hdmabuf_query_fill(struct hyper_dmabuf_query *q, void *opaque,
			const struct hdmabuf_peer *peer, u32 role, u32 state,
			bool rw, u64 size, u32 importers,
			const struct hdmabuf_meta_blob *md);

/* debugfs.c */
void hdmabuf_debugfs_init(void);
void hdmabuf_debugfs_exit(void);

#endif /* HDMABUF_INTERNAL_H */
