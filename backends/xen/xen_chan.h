/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Xen backend's control channels: one per pair of domains, made of a
 * shared interface page, two unidirectional byte rings and an interdomain
 * event channel, set up by a xenstore handshake (docs/xen.rst).
 *
 * Roles: the domain with the higher domid is "hi" (like a xenbus frontend:
 * it grants the ring pages and allocates the unbound event channel), the
 * other is "lo" (like a xenbus backend: it maps the ring and binds the
 * event channel).  Both directories of a pair live in hi's xenstore area,
 * /local/domain/<hi>/data/hyper_dmabuf/<lo>/, because a kernel cannot set
 * xenstore permissions: a domU's own area is readable by dom0, and dom0's
 * `hyperdmabuf-ctl xen-allow` makes it readable by an allowed domU.
 */
#ifndef HDMABUF_XEN_CHAN_H
#define HDMABUF_XEN_CHAN_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <xen/grant_table.h>
#include <xen/xenbus.h>

#include "hdmabuf_backend.h"

/* Data pages per direction: 1 << order; 8 pages = 32 KiB. */
#define XCH_RING_ORDER		3
#define XCH_RING_MAX_ORDER	3
#define XCH_RING_PAGES		(1U << XCH_RING_ORDER)
#define XCH_MAX_DATA_PAGES	(2U << XCH_RING_MAX_ORDER)
/* Bytes the receive work may queue before it stops reading the peer. */
#define XCH_BACKLOG_MAX		(64U << 10)
/*
 * Ring setups (hi: grant and offer a ring; lo: map one) per channel: a
 * burst of XCH_SETUP_BURST, then one per XCH_SETUP_INTERVAL_MS, so that a
 * peer flipping its state keys cannot make us grant, map and bind in a
 * tight loop.
 */
#define XCH_SETUP_BURST		5
#define XCH_SETUP_INTERVAL_MS	1000

/**
 * struct xch_intf - the shared interface page, granted by hi
 * @h2l_prod: bytes hi has written to the hi->lo ring (free running).
 * @h2l_cons: bytes lo has consumed from it.
 * @l2h_prod: bytes lo has written to the lo->hi ring.
 * @l2h_cons: bytes hi has consumed from it.
 * @ring_order: data pages per direction are 1 << ring_order.
 * @ref: grant refs of the data pages: hi->lo ring, then lo->hi ring.
 *
 * Each index is written by one side only and sits on its own cache line;
 * every value read from the page is hostile and validated.
 */
struct xch_intf {
	__le32 h2l_prod;
	u8 pad0[60];
	__le32 h2l_cons;
	u8 pad1[60];
	__le32 l2h_prod;
	u8 pad2[60];
	__le32 l2h_cons;
	u8 pad3[60];
	__le32 ring_order;
	__le32 reserved[63];
	__le32 ref[XCH_MAX_DATA_PAGES];
};

/* Local channel states (the published XenbusState values are in xen.rst). */
enum xch_state {
	XCH_IDLE,	/* nothing published, or the peer is absent */
	XCH_PUBLISHED,	/* hi: Initialising; lo: InitWait */
	XCH_CLOSING,	/* lo: Closing written, waiting for hi to restart */
	XCH_READY,	/* hi: ring offered (Initialised) */
	XCH_CONNECTED,	/* ring in use */
};

/**
 * struct xch_ring - one direction of the channel, as seen locally
 * @prod: producer index in the shared page.
 * @cons: consumer index in the shared page.
 * @data: kernel addresses of the data pages.
 * @size: bytes in the ring.
 * @idx: our private copy of the index we own (prod to send, cons to
 *	receive); the shared copy is never read back.
 */
struct xch_ring {
	__le32 *prod;
	__le32 *cons;
	void *data[1U << XCH_RING_MAX_ORDER];
	u32 size;
	u32 idx;
};

/**
 * struct xch_counters - what debugfs shows per channel
 */
struct xch_counters {
	atomic64_t tx_msgs;
	atomic64_t tx_bytes;
	atomic64_t tx_waits;
	atomic64_t tx_timeouts;
	atomic64_t tx_deferred;
	atomic64_t rx_msgs;
	atomic64_t rx_bytes;
	atomic64_t rx_bad;
	atomic64_t rx_spurious;
	atomic64_t connects;
	atomic64_t resets;
	atomic64_t setups;
	atomic64_t throttled;
};

/**
 * struct xch - the control channel with one peer domain
 * @ref: held by the channel table and by every sender using it.
 * @peer: the peer's domid.
 * @hi: we are the granting side.
 * @dir: the pair directory (see the header comment).
 * @watch: xenstore watch on @dir.
 * @state_work: runs the handshake; the only place the ring is set up or
 *	torn down.
 * @rx_work: drains the receive ring.
 * @retry_work: runs @state_work again once a throttled ring setup is
 *	allowed.
 * @state_lock: serialises handshake steps with removal; protects @state,
 *	@instance, @peer_up, @reset and the ring resources below.
 * @state: enum xch_state.
 * @instance: nonzero id of the ring hi currently offers, echoed by lo.
 * @peer_up: hdmabuf_peer_up() was called and no peer_down since.
 * @reset: the ring misbehaved; the next handshake step drops it.
 * @removed: the peer is gone for good; no new handshake steps.
 * @setup_tat: earliest time (jiffies) at which the setup budget is full
 *	again, GCRA style: a setup is allowed while it is less than
 *	(XCH_SETUP_BURST - 1) intervals ahead of now.
 * @intf: the interface page.
 * @pages: hi: the granted pages (interface, then data); lo: the pages the
 *	grants are mapped into.
 * @refs: hi: grant refs of @pages.
 * @handles: lo: grant handles of the mapped @pages.
 * @nr_pages: used entries of @pages.
 * @irq: bound event channel irq, or 0.
 * @tx_lock: serialises senders; protects @tx and @backlog.
 * @tx_wq: senders waiting for ring space.
 * @live: the rings may be used; cleared (then @tx_lock taken) before
 *	teardown.
 * @rx_on: received messages may go to the core (it knows the peer).
 * @tx: the ring we write.
 * @backlog: messages the receive work sent while @tx was full, oldest
 *	first; they go out before anything else.
 * @backlog_bytes: their total size (written under @tx_lock, read
 *	without it as a hint).
 * @rx: the ring we read; only @rx_work touches it.
 * @rx_buf: private copy of the message being received.
 * @rx_seen_tx_cons: the peer's consumer index of @tx when @rx_work last
 *	looked; only @rx_work touches it.
 * @rx_was_useful: the last run of @rx_work had news; only @rx_work
 *	touches it.
 * @cnt: counters.
 */
struct xch {
	struct kref ref;
	domid_t peer;
	bool hi;
	char dir[64];
	struct xenbus_watch watch;
	struct work_struct state_work;
	struct work_struct rx_work;
	struct delayed_work retry_work;

	struct mutex state_lock;
	enum xch_state state;
	u32 instance;
	bool peer_up;
	bool reset;
	bool removed;
	unsigned long setup_tat;
	struct xch_intf *intf;
	struct page *pages[1 + XCH_MAX_DATA_PAGES];
	grant_ref_t refs[1 + XCH_MAX_DATA_PAGES];
	grant_handle_t handles[1 + XCH_MAX_DATA_PAGES];
	unsigned int nr_pages;
	int irq;

	struct mutex tx_lock;
	wait_queue_head_t tx_wq;
	bool live;
	bool rx_on;
	struct xch_ring tx;
	struct list_head backlog;
	size_t backlog_bytes;
	struct xch_ring rx;
	u8 *rx_buf;
	u32 rx_seen_tx_cons;
	bool rx_was_useful;

	struct xch_counters cnt;
};

/* main.c */
extern struct hdmabuf_backend hdmabuf_xen_be;
extern domid_t hdmabuf_xen_own;
extern struct workqueue_struct *hdmabuf_xen_wq;
extern unsigned int hdmabuf_xen_send_timeout_ms;

/* discovery.c: the channel table and which peers exist. */
int xch_discovery_start(void);
void xch_discovery_stop(void);
struct xch *xch_get(domid_t peer);
void xch_put(struct xch *ch);
void xch_for_each(void (*fn)(struct xch *ch, void *arg), void *arg);

/* handshake.c: the xenstore state machine of one channel. */
struct xch *xch_create(domid_t peer);
void xch_remove(struct xch *ch);
void xch_request_reset(struct xch *ch);

/* ring.c: ring memory, event channel, sending and receiving. */
int xch_ring_offer(struct xch *ch, evtchn_port_t *port);
int xch_ring_accept(struct xch *ch, grant_ref_t intf_ref,
		    unsigned int order, evtchn_port_t remote_port);
void xch_ring_start(struct xch *ch);
void xch_ring_start_rx(struct xch *ch);
void xch_ring_teardown(struct xch *ch);
int xch_send(struct xch *ch, const void *msg, size_t len);
void xch_rx_work(struct work_struct *work);

/* debugfs.c */
void xch_debugfs_init(void);
void xch_debugfs_exit(void);
extern atomic_t xch_fault_bad_len;
extern atomic_t xch_fault_bad_prod;
void xch_inject_peek(struct xch *ch, const void *msg, size_t len);

#endif /* HDMABUF_XEN_CHAN_H */
