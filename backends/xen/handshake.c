// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore handshake of one control channel (docs/xen.rst has the
 * state diagram).  Both sides keep their keys in the pair directory in
 * hi's area; hi writes state/instance/ring-ref/ring-page-order/
 * event-channel, lo writes backend-state/backend-instance.  Every change
 * of the directory queues the channel's state work, which reads the other
 * side's keys in one transaction and takes the next step:
 *
 *   hi: Initialising --(lo InitWait)--> grant ring, Initialised
 *       --(lo Connected, echoing our instance)--> Connected
 *   lo: InitWait --(hi Initialised)--> map ring, Connected + instance
 *
 * Either side seeing the other leave (Closing, Closed, keys gone) or come
 * back (lo InitWait while we are Connected, hi Initialising or a new
 * instance) drops the ring, reports the peer down and starts over.  The
 * ring is set up and torn down only here, under state_lock.
 *
 * Ring setups are rate limited per channel (xch_setup_allowed()): a peer
 * that keeps restarting its side gets a burst of setups, then one per
 * interval; a throttled step is retried by a delayed work.
 */
#include <linux/random.h>
#include <linux/slab.h>

#include "hdmabuf_wire.h"
#include "xen_chan.h"

/* Conflicting transactions retried before giving up until the next event. */
#define XCH_TXN_RETRIES	16

/**
 * struct xch_kv - one key to write or remove
 * @key: the key, relative to the pair directory.
 * @str: string value, or NULL to write @val.
 * @val: numeric value.
 * @rm: remove the key instead.
 */
struct xch_kv {
	const char *key;
	const char *str;
	unsigned int val;
	bool rm;
};

/*
 * Writes @kv in one transaction, only if @guard (relative to the pair
 * directory, "" for the directory itself) exists when @guard is not NULL:
 * we never recreate a directory its owner or the toolstack removed.
 */
static int xch_store(struct xch *ch, const char *guard,
		     const struct xch_kv *kv, unsigned int n)
{
	struct xenbus_transaction t;
	unsigned int i, tries = 0;
	int ret;

again:
	ret = xenbus_transaction_start(&t);
	if (ret)
		return ret;
	if (guard && !xenbus_exists(t, ch->dir, guard)) {
		ret = -ENOENT;
		goto abort;
	}
	for (i = 0; i < n; i++) {
		if (kv[i].rm) {
			ret = xenbus_rm(t, ch->dir, kv[i].key);
			if (ret == -ENOENT)
				ret = 0;
		} else if (kv[i].str) {
			ret = xenbus_write(t, ch->dir, kv[i].key, kv[i].str);
		} else {
			ret = xenbus_printf(t, ch->dir, kv[i].key, "%u",
					    kv[i].val);
		}
		if (ret)
			goto abort;
	}
	ret = xenbus_transaction_end(t, 0);
	if (ret == -EAGAIN && ++tries < XCH_TXN_RETRIES)
		goto again;
	return ret;

abort:
	xenbus_transaction_end(t, 1);
	return ret;
}

/* The guard for our writes: hi's directory, or hi's state for lo. */
static const char *xch_guard(struct xch *ch)
{
	if (ch->hi)
		return ch->peer ? "" : NULL;	/* dom0's pair we create */
	return "state";
}

/*
 * Reports a setup failure like xenbus_dev_fatal(): in the kernel log and
 * in the store ("error" for hi, "backend-error" for lo), so the peer and
 * the administrator see why the channel does not come up.
 */
static void xch_fatal(struct xch *ch, int err, const char *what)
{
	struct xch_kv kv = { .key = ch->hi ? "error" : "backend-error" };
	char msg[64];

	pr_err("dom%u: %s failed (%d)\n", ch->peer, what, err);
	snprintf(msg, sizeof(msg), "%d %s", -err, what);
	kv.str = msg;
	xch_store(ch, xch_guard(ch), &kv, 1);
}

static int xch_write_state(struct xch *ch, enum xenbus_state st)
{
	struct xch_kv kv = {
		.key = ch->hi ? "state" : "backend-state",
		.val = st,
	};

	return xch_store(ch, xch_guard(ch), &kv, 1);
}

static void xch_set_peer_up(struct xch *ch)
{
	if (!ch->peer_up) {
		ch->peer_up = true;
		hdmabuf_peer_up(&hdmabuf_xen_be, ch->peer);
	}
}

/* Drops the ring and tells the core the peer is gone. */
static void xch_drop(struct xch *ch)
{
	if (ch->state == XCH_CONNECTED || ch->state == XCH_READY)
		atomic64_inc(&ch->cnt.resets);
	xch_ring_teardown(ch);
	ch->instance = 0;
	if (ch->peer_up) {
		ch->peer_up = false;
		hdmabuf_peer_down(&hdmabuf_xen_be, ch->peer);
	}
}

/*
 * May we set up a ring now?  GCRA over setup_tat: a burst of
 * XCH_SETUP_BURST, then one per XCH_SETUP_INTERVAL_MS.  When not, the
 * state work runs again once we may; until then the handshake stays where
 * it is (hi Initialising, lo InitWait), which the peer sees.
 */
static bool xch_setup_allowed(struct xch *ch)
{
	unsigned long interval = msecs_to_jiffies(XCH_SETUP_INTERVAL_MS);
	unsigned long slack = (XCH_SETUP_BURST - 1) * interval;
	unsigned long now = jiffies;
	unsigned long tat = ch->setup_tat;

	if (time_before(tat, now))
		tat = now;
	if (time_after(tat, now + slack)) {
		atomic64_inc(&ch->cnt.throttled);
		mod_delayed_work(hdmabuf_xen_wq, &ch->retry_work,
				 tat - slack - now);
		return false;
	}
	ch->setup_tat = tat + interval;
	atomic64_inc(&ch->cnt.setups);
	return true;
}

static void xch_retry_work(struct work_struct *work)
{
	struct xch *ch = container_of(to_delayed_work(work), struct xch,
				      retry_work);

	queue_work(hdmabuf_xen_wq, &ch->state_work);
}

/* -------------------------------------------------------------- hi */

static int xch_publish_hi(struct xch *ch)
{
	const struct xch_kv kv[] = {
		{ .key = "ring-ref", .rm = true },
		{ .key = "ring-page-order", .rm = true },
		{ .key = "event-channel", .rm = true },
		{ .key = "instance", .rm = true },
		{ .key = "error", .rm = true },
		{ .key = "version", .val = HDMABUF_PROTO_VERSION_MAX },
		{ .key = "features", .val = 0 },
		{ .key = "state", .val = XenbusStateInitialising },
	};

	return xch_store(ch, xch_guard(ch), kv, ARRAY_SIZE(kv));
}

static void xch_offer(struct xch *ch)
{
	struct xch_kv kv[] = {
		{ .key = "ring-ref" },
		{ .key = "ring-page-order", .val = XCH_RING_ORDER },
		{ .key = "event-channel" },
		{ .key = "instance" },
		{ .key = "state", .val = XenbusStateInitialised },
	};
	evtchn_port_t port;
	int ret;

	if (!xch_setup_allowed(ch))
		return;
	ret = xch_ring_offer(ch, &port);
	if (ret) {
		xch_fatal(ch, ret, "granting the ring");
		return;
	}
	do {
		ch->instance = get_random_u32();
	} while (!ch->instance);
	/*
	 * Senders first, then the core, then the receiver: the core's first
	 * message finds the ring usable and the peer's finds the peer known.
	 */
	xch_ring_start(ch);
	xch_set_peer_up(ch);
	xch_ring_start_rx(ch);

	kv[0].val = ch->refs[0];
	kv[2].val = port;
	kv[3].val = ch->instance;
	ret = xch_store(ch, xch_guard(ch), kv, ARRAY_SIZE(kv));
	if (ret) {
		xch_drop(ch);
		xch_fatal(ch, ret, "publishing the ring");
		return;
	}
	ch->state = XCH_READY;
}

static void xch_step_hi(struct xch *ch)
{
	unsigned int lst = XenbusStateUnknown, linst = 0;
	struct xenbus_transaction t;

	if (ch->reset) {
		ch->reset = false;
		if (ch->state == XCH_READY || ch->state == XCH_CONNECTED) {
			xch_drop(ch);
			ch->state = XCH_IDLE;
		}
	}
	if (ch->state == XCH_IDLE) {
		if (xch_publish_hi(ch))
			return;	/* no pair directory yet: not allowed */
		ch->state = XCH_PUBLISHED;
	}

	if (xenbus_transaction_start(&t))
		return;
	if (xenbus_scanf(t, ch->dir, "backend-state", "%u", &lst) != 1)
		lst = XenbusStateUnknown;
	if (xenbus_scanf(t, ch->dir, "backend-instance", "%u", &linst) != 1)
		linst = 0;
	/* A conflicting write fires the watch again: retry then. */
	if (xenbus_transaction_end(t, 0))
		return;

	switch (ch->state) {
	case XCH_PUBLISHED:
		if (lst == XenbusStateInitWait)
			xch_offer(ch);
		return;
	case XCH_READY:
	case XCH_CONNECTED:
		if (lst == XenbusStateConnected && linst == ch->instance) {
			if (ch->state == XCH_READY &&
			    !xch_write_state(ch, XenbusStateConnected)) {
				ch->state = XCH_CONNECTED;
				atomic64_inc(&ch->cnt.connects);
			}
			return;
		}
		/* lo has not caught up with the ring we offer yet. */
		if (ch->state == XCH_READY && (lst == XenbusStateInitWait ||
					       lst == XenbusStateConnected))
			return;
		/* lo restarted, failed to connect or left. */
		xch_drop(ch);
		ch->state = XCH_IDLE;
		if (xch_publish_hi(ch))
			return;
		ch->state = XCH_PUBLISHED;
		if (lst == XenbusStateInitWait)
			xch_offer(ch);
		return;
	default:
		return;
	}
}

/* -------------------------------------------------------------- lo */

/**
 * struct xch_hi_view - hi's keys, read in one transaction
 */
struct xch_hi_view {
	unsigned int state;
	unsigned int instance;
	unsigned int ring_ref;
	unsigned int order;
	unsigned int port;
};

static int xch_read_hi(struct xch *ch, struct xch_hi_view *v)
{
	struct xenbus_transaction t;
	unsigned int tries = 0;
	int ret;

again:
	memset(v, 0, sizeof(*v));
	ret = xenbus_transaction_start(&t);
	if (ret)
		return ret;
	if (xenbus_scanf(t, ch->dir, "state", "%u", &v->state) != 1)
		v->state = XenbusStateUnknown;
	if (v->state == XenbusStateInitialised ||
	    v->state == XenbusStateConnected) {
		if (xenbus_scanf(t, ch->dir, "instance", "%u",
				 &v->instance) != 1)
			v->instance = 0;
		if (xenbus_scanf(t, ch->dir, "ring-ref", "%u",
				 &v->ring_ref) != 1)
			v->ring_ref = 0;
		if (xenbus_scanf(t, ch->dir, "ring-page-order", "%u",
				 &v->order) != 1)
			v->order = UINT_MAX;
		if (xenbus_scanf(t, ch->dir, "event-channel", "%u",
				 &v->port) != 1)
			v->port = 0;
	}
	ret = xenbus_transaction_end(t, 0);
	if (ret == -EAGAIN && ++tries < XCH_TXN_RETRIES)
		goto again;
	return ret;
}

static void xch_accept(struct xch *ch, const struct xch_hi_view *v)
{
	struct xch_kv kv[] = {
		{ .key = "backend-error", .rm = true },
		{ .key = "backend-instance", .val = v->instance },
		{ .key = "backend-state", .val = XenbusStateConnected },
	};
	int ret = -EINVAL;

	if (!xch_setup_allowed(ch))
		return;
	if (v->instance && v->order <= XCH_RING_MAX_ORDER && v->port)
		ret = xch_ring_accept(ch, v->ring_ref, v->order, v->port);
	if (ret) {
		xch_fatal(ch, ret, "mapping the ring");
		goto err_close;
	}
	ch->instance = v->instance;
	xch_ring_start(ch);
	xch_set_peer_up(ch);
	xch_ring_start_rx(ch);
	ret = xch_store(ch, xch_guard(ch), kv, ARRAY_SIZE(kv));
	if (ret) {
		xch_drop(ch);
		goto err_close;
	}
	ch->state = XCH_CONNECTED;
	atomic64_inc(&ch->cnt.connects);
	return;

err_close:
	/* hi sees Closing, drops its ring and offers a new one. */
	xch_write_state(ch, XenbusStateClosing);
	ch->state = XCH_CLOSING;
}

static int xch_publish_lo(struct xch *ch)
{
	const struct xch_kv kv[] = {
		{ .key = "backend-instance", .rm = true },
		{ .key = "backend-version", .val = HDMABUF_PROTO_VERSION_MAX },
		{ .key = "backend-features", .val = 0 },
		{ .key = "backend-state", .val = XenbusStateInitWait },
	};

	return xch_store(ch, xch_guard(ch), kv, ARRAY_SIZE(kv));
}

static void xch_step_lo(struct xch *ch)
{
	struct xch_hi_view v;

	/* On a conflict the writer's change fires the watch again. */
	if (xch_read_hi(ch, &v))
		return;
	if (ch->reset) {
		ch->reset = false;
		if (ch->state == XCH_CONNECTED) {
			xch_drop(ch);
			xch_write_state(ch, XenbusStateClosing);
			ch->state = XCH_CLOSING;
		}
	}
	if (v.state != XenbusStateInitialising &&
	    v.state != XenbusStateInitialised &&
	    v.state != XenbusStateConnected) {
		/* hi is absent, closed or confused: wait for it. */
		if (ch->state == XCH_CONNECTED)
			xch_drop(ch);
		ch->state = XCH_IDLE;
		return;
	}

	switch (ch->state) {
	case XCH_CONNECTED:
		if (v.instance == ch->instance &&
		    v.state != XenbusStateInitialising)
			return;
		/* hi restarted or offers a new ring. */
		xch_drop(ch);
		fallthrough;
	case XCH_IDLE:
		if (xch_publish_lo(ch))
			return;
		ch->state = XCH_PUBLISHED;
		fallthrough;
	case XCH_PUBLISHED:
		if (v.state == XenbusStateInitialised)
			xch_accept(ch, &v);
		return;
	case XCH_CLOSING:
		if (v.state == XenbusStateInitialising &&
		    !xch_publish_lo(ch))
			ch->state = XCH_PUBLISHED;
		return;
	default:
		return;
	}
}

/* ------------------------------------------------------------ common */

static void xch_state_work(struct work_struct *work)
{
	struct xch *ch = container_of(work, struct xch, state_work);

	mutex_lock(&ch->state_lock);
	if (!ch->removed) {
		if (ch->hi)
			xch_step_hi(ch);
		else
			xch_step_lo(ch);
	}
	mutex_unlock(&ch->state_lock);
}

static void xch_watch_cb(struct xenbus_watch *watch, const char *path,
			 const char *token)
{
	struct xch *ch = container_of(watch, struct xch, watch);

	queue_work(hdmabuf_xen_wq, &ch->state_work);
}

/**
 * xch_request_reset() - drop a misbehaving ring and start over
 * @ch: the channel.
 *
 * Callable from any process context but the state work.
 */
void xch_request_reset(struct xch *ch)
{
	WRITE_ONCE(ch->reset, true);
	queue_work(hdmabuf_xen_wq, &ch->state_work);
}

/**
 * xch_create() - make the channel with @peer and start its handshake
 * @peer: the peer's domid, not ours.
 *
 * Return: the channel with one reference (the caller's table's), or an
 * ERR_PTR().
 */
struct xch *xch_create(domid_t peer)
{
	domid_t hi = max(peer, hdmabuf_xen_own);
	domid_t lo = min(peer, hdmabuf_xen_own);
	struct xch *ch;
	int ret;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	ch->rx_buf = kmalloc(HDMABUF_MSG_MAX_SIZE, GFP_KERNEL);
	if (!ch->rx_buf) {
		kfree(ch);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&ch->ref);
	ch->peer = peer;
	ch->hi = hdmabuf_xen_own > peer;
	snprintf(ch->dir, sizeof(ch->dir),
		 "/local/domain/%u/data/hyper_dmabuf/%u", hi, lo);
	INIT_WORK(&ch->state_work, xch_state_work);
	INIT_WORK(&ch->rx_work, xch_rx_work);
	INIT_DELAYED_WORK(&ch->retry_work, xch_retry_work);
	ch->setup_tat = jiffies;
	mutex_init(&ch->state_lock);
	mutex_init(&ch->tx_lock);
	init_waitqueue_head(&ch->tx_wq);
	INIT_LIST_HEAD(&ch->backlog);

	ch->watch.node = ch->dir;
	ch->watch.callback = xch_watch_cb;
	/* The first event comes at once and starts the handshake. */
	ret = register_xenbus_watch(&ch->watch);
	if (ret) {
		pr_err("dom%u: cannot watch %s (%d)\n", peer, ch->dir, ret);
		xch_put(ch);
		return ERR_PTR(ret);
	}
	return ch;
}

/**
 * xch_remove() - stop talking to a peer for good and drop our reference
 * @ch: a channel no longer findable through the table.
 *
 * Drops the ring, reports the peer down and leaves our side Closed in the
 * store (if the pair directory is still there).
 */
void xch_remove(struct xch *ch)
{
	const struct xch_kv hi_kv[] = {
		{ .key = "ring-ref", .rm = true },
		{ .key = "ring-page-order", .rm = true },
		{ .key = "event-channel", .rm = true },
		{ .key = "instance", .rm = true },
		{ .key = "state", .val = XenbusStateClosed },
	};
	const struct xch_kv lo_kv[] = {
		{ .key = "backend-instance", .rm = true },
		{ .key = "backend-state", .val = XenbusStateClosed },
	};

	unregister_xenbus_watch(&ch->watch);
	mutex_lock(&ch->state_lock);
	ch->removed = true;
	mutex_unlock(&ch->state_lock);
	/* No step schedules a retry once removed is set. */
	cancel_delayed_work_sync(&ch->retry_work);
	cancel_work_sync(&ch->state_work);

	mutex_lock(&ch->state_lock);
	xch_drop(ch);
	if (ch->state != XCH_IDLE || ch->hi) {
		/* Only ever "" (the directory) or "state" as the guard. */
		if (ch->hi)
			xch_store(ch, "", hi_kv, ARRAY_SIZE(hi_kv));
		else
			xch_store(ch, "state", lo_kv, ARRAY_SIZE(lo_kv));
	}
	ch->state = XCH_IDLE;
	mutex_unlock(&ch->state_lock);
	xch_put(ch);
}

static void xch_free(struct kref *ref)
{
	struct xch *ch = container_of(ref, struct xch, ref);

	kfree(ch->rx_buf);
	kfree(ch);
}

void xch_put(struct xch *ch)
{
	kref_put(&ch->ref, xch_free);
}
