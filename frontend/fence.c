// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-VM fences.  A fence crosses to a peer as two messages: FENCE_ATTACH
 * (buffer, seqno, write or read) while the work is pending and
 * FENCE_SIGNAL (seqno, status) once it is done.  Each direction of each
 * peer is one timeline:
 *
 *  - tx (struct hdmabuf_fence_tx): our fences the peer was told about.  We
 *    number them, wait for them with dma_fence callbacks and send the
 *    SIGNALs in seqno order, whatever order the fences signal in, so that
 *    the peer's proxies of one context signal in order as dma_fence
 *    requires (a dma_resv keeps only the later fence of a context).
 *  - rx (struct hdmabuf_fence_rx): the peer's fences, as proxy dma_fences
 *    on one fence context per connection, added to the dma_resv of our
 *    side of the buffer: the exported dma-buf, or the live import of an
 *    offer (an import made later picks up the proxies still pending).  A
 *    proxy signals when the peer says so, and with an error when the peer
 *    goes down (-ECONNRESET) or fence_timeout_ms passes (-ETIMEDOUT), so
 *    no waiter hangs on a dead or silent peer.
 *
 * Proxies may outlive the peer and the buffer (they sit in other drivers'
 * reservation objects), so each carries its own lock and timeline name and
 * pins this module until it is released.
 */
#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sync_file.h>

#include "hdmabuf_compat.h"
#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

static_assert(HDMABUF_TRACE_PEER_LEN == HDMABUF_FENCE_NAME_LEN);

/**
 * struct hdmabuf_proxy - our stand-in for a peer's fence
 * @base: the dma_fence; @base.lock is @lock.
 * @lock: the fence lock.
 * @node: entry in the rx timeline's @pending, under its lock.
 * @handle: the buffer it guards.
 * @write: the peer's work writes the buffer.
 * @deadline: jiffies after which it signals -ETIMEDOUT.
 * @timeline: name shown by sync_file and debugfs.
 */
struct hdmabuf_proxy {
	struct dma_fence base;
	spinlock_t lock;
	struct list_head node;
	struct hyper_dmabuf_handle handle;
	bool write;
	unsigned long deadline;
	char timeline[HDMABUF_FENCE_NAME_LEN];
};

/**
 * struct hdmabuf_fence_tx - one of our fences a peer waits for
 * @node: entry in the tx timeline's @pending, seqno order, under its lock.
 * @cb: our callback on @fence.
 * @fence: the fence (a reference).
 * @tl: the timeline.
 * @seqno: its number on @tl.
 * @handle: the buffer.
 * @done: @fence signalled; @status is valid.
 * @status: @fence's error, 0 if none.
 */
struct hdmabuf_fence_tx {
	struct list_head node;
	struct dma_fence_cb cb;
	struct dma_fence *fence;
	struct hdmabuf_fence_tx_tl *tl;
	u64 seqno;
	struct hyper_dmabuf_handle handle;
	bool done;
	int status;
};

unsigned int hdmabuf_fence_timeout_ms = 5000;
module_param_named(fence_timeout_ms, hdmabuf_fence_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fence_timeout_ms,
		 "How long a peer's fence may stay pending before it fails with -ETIMEDOUT, in ms. Default 5000.");

unsigned int hdmabuf_max_fences = 4096;
module_param_named(max_fences, hdmabuf_max_fences, uint, 0644);
MODULE_PARM_DESC(max_fences,
		 "Pending fences accepted from one peer. Default 4096.");

/* ------------------------------------------------------------ proxies */

static struct hdmabuf_proxy *to_proxy(struct dma_fence *f)
{
	return container_of(f, struct hdmabuf_proxy, base);
}

static const char *hdmabuf_proxy_driver_name(struct dma_fence *f)
{
	return "hyper_dmabuf";
}

static const char *hdmabuf_proxy_timeline_name(struct dma_fence *f)
{
	return to_proxy(f)->timeline;
}

static void hdmabuf_proxy_release(struct dma_fence *f)
{
	atomic64_dec(&hdmabuf_stats.live_fences);
	/* @base is the first member: this frees the whole proxy. */
	dma_fence_free(f);
	module_put(THIS_MODULE);
}

static const struct dma_fence_ops hdmabuf_proxy_ops = {
	.get_driver_name = hdmabuf_proxy_driver_name,
	.get_timeline_name = hdmabuf_proxy_timeline_name,
	.release = hdmabuf_proxy_release,
};

/* Signals @p (with @err if not 0) and drops the timeline's reference. */
static void hdmabuf_proxy_complete(struct hdmabuf_proxy *p, int err)
{
	if (err)
		dma_fence_set_error(&p->base, err);
	dma_fence_signal(&p->base);
	dma_fence_put(&p->base);
}

/*
 * Completes @p; a failed one stays referenced among @rx's last failed
 * proxies (the timeline's reference moves there), so that FENCE_GET by
 * seqno can still tell how it ended.  Successful ones are not kept: a
 * completed seqno that is not among them succeeded.
 */
static void hdmabuf_fence_rx_complete(struct hdmabuf_fence_rx *rx,
				      struct hdmabuf_proxy *p, int err)
{
	struct dma_fence *old;

	if (!err) {
		hdmabuf_proxy_complete(p, 0);
		return;
	}
	dma_fence_set_error(&p->base, err);
	dma_fence_signal(&p->base);
	spin_lock(&rx->lock);
	old = rx->done[rx->done_next];
	rx->done[rx->done_next] = &p->base;
	rx->done_next = (rx->done_next + 1) % HDMABUF_FENCE_DONE;
	spin_unlock(&rx->lock);
	dma_fence_put(old);
}

/* Adds @p to @resv: what waits for the buffer now waits for the peer. */
static int hdmabuf_proxy_install(struct hdmabuf_proxy *p,
				 struct dma_resv *resv)
{
	int ret;

	dma_resv_lock(resv, NULL);
	ret = dma_resv_reserve_fences(resv, 1);
	if (!ret)
		dma_resv_add_fence(resv, &p->base,
				   p->write ? DMA_RESV_USAGE_WRITE :
					      DMA_RESV_USAGE_READ);
	dma_resv_unlock(resv);
	return ret;
}

/* ------------------------------------------------------ rx timeline */

static void hdmabuf_fence_rx_timeout(struct work_struct *work)
{
	struct hdmabuf_fence_rx *rx = container_of(to_delayed_work(work),
						   struct hdmabuf_fence_rx,
						   timeout_work);
	struct hdmabuf_proxy *p, *tmp;
	unsigned long now = jiffies;
	LIST_HEAD(expired);

	spin_lock(&rx->lock);
	/* Deadlines grow with the seqnos: the oldest proxies come first. */
	list_for_each_entry_safe(p, tmp, &rx->pending, node) {
		if (time_before(now, p->deadline)) {
			mod_delayed_work(system_wq, &rx->timeout_work,
					 p->deadline - now);
			break;
		}
		list_move_tail(&p->node, &expired);
		rx->nr_pending--;
	}
	spin_unlock(&rx->lock);

	list_for_each_entry_safe(p, tmp, &expired, node) {
		list_del(&p->node);
		atomic64_inc(&hdmabuf_stats.fence_timeouts);
		trace_hdmabuf_fence_timeout(p->timeline, p->base.seqno,
					    -ETIMEDOUT);
		hdmabuf_fence_rx_complete(rx, p, -ETIMEDOUT);
	}
}

static void hdmabuf_fence_rx_init(struct hdmabuf_peer *peer)
{
	struct hdmabuf_fence_rx *rx = &peer->fence_rx;

	spin_lock_init(&rx->lock);
	INIT_LIST_HEAD(&rx->pending);
	INIT_DELAYED_WORK(&rx->timeout_work, hdmabuf_fence_rx_timeout);
	rx->context = dma_fence_context_alloc(1);
	snprintf(rx->name, sizeof(rx->name), "%s:%llu", peer->be->name,
		 peer->domid);
}

/*
 * Fails every proxy of the peer and starts a new context: a peer that
 * comes back numbers its fences from 1 again.  Returns how many failed.
 */
static unsigned int hdmabuf_fence_rx_down(struct hdmabuf_fence_rx *rx,
					  int err)
{
	struct hdmabuf_proxy *p, *tmp;
	unsigned int n = 0;
	LIST_HEAD(dead);

	struct dma_fence *done[HDMABUF_FENCE_DONE];
	unsigned int i;

	spin_lock(&rx->lock);
	list_splice_init(&rx->pending, &dead);
	rx->nr_pending = 0;
	rx->last_seqno = 0;
	rx->context = dma_fence_context_alloc(1);
	/* The new connection's seqnos start at 1 again. */
	memcpy(done, rx->done, sizeof(done));
	memset(rx->done, 0, sizeof(rx->done));
	rx->done_next = 0;
	spin_unlock(&rx->lock);
	cancel_delayed_work_sync(&rx->timeout_work);
	for (i = 0; i < HDMABUF_FENCE_DONE; i++)
		dma_fence_put(done[i]);

	list_for_each_entry_safe(p, tmp, &dead, node) {
		list_del(&p->node);
		hdmabuf_proxy_complete(p, err);
		n++;
	}
	return n;
}

/*
 * Returns the dma_resv of our side of @handle as shared with @peer, with
 * a reference on its dma-buf in *@dmabuf, or NULL (an offer without a live
 * import, or no such buffer: *@known says which).
 */
static struct dma_resv *hdmabuf_fence_target(struct hdmabuf_peer *peer,
					     const u8 *handle,
					     struct dma_buf **dmabuf,
					     bool *known)
{
	struct hdmabuf_export *exp;
	struct hdmabuf_offer *offer;

	*dmabuf = NULL;
	*known = false;
	mutex_lock(&hdmabuf_lock);
	exp = hdmabuf_export_lookup(handle);
	if (exp && exp->peer == peer &&
	    exp->state != HYPER_DMABUF_STATE_REVOKED) {
		*known = true;
		get_dma_buf(exp->src->dmabuf);
		*dmabuf = exp->src->dmabuf;
	}
	if (exp)
		hdmabuf_export_put(exp);
	offer = *known ? NULL : hdmabuf_offer_lookup(handle);
	if (offer && offer->peer == peer &&
	    offer->state != HYPER_DMABUF_STATE_REVOKED) {
		*known = true;
		*dmabuf = hdmabuf_offer_get_dmabuf(offer);
	}
	if (offer)
		hdmabuf_offer_put(offer);
	mutex_unlock(&hdmabuf_lock);
	return *dmabuf ? (*dmabuf)->resv : NULL;
}

/*
 * Tells user space that @p now guards our side of its buffer: the file
 * that exported it (like RELEASED), or every file for an offer (like
 * OFFER).  Posted after the proxy is in place, so a reader of the event
 * that then waits on the buffer waits for the peer's work.
 */
static void hdmabuf_fence_rx_event(struct hdmabuf_peer *peer,
				   const struct hdmabuf_proxy *p)
{
	struct hyper_dmabuf_event ev = {
		.type = HYPER_DMABUF_EVENT_FENCE,
		.flags = p->write ? HYPER_DMABUF_FENCE_WRITE : 0,
		.handle = p->handle,
		.backend = peer->type,
		.peer = peer->domid,
		.size = p->base.seqno,
	};
	struct hdmabuf_export *exp;
	bool ours;

	mutex_lock(&hdmabuf_lock);
	exp = hdmabuf_export_lookup(p->handle.bytes);
	/* A loopback handle is both our export and our offer: ask @peer. */
	ours = exp && exp->peer == peer;
	if (ours && exp->owner)
		hdmabuf_event_post(exp->owner, &ev);
	if (exp)
		hdmabuf_export_put(exp);
	mutex_unlock(&hdmabuf_lock);
	if (!ours)
		hdmabuf_event_broadcast(&ev);
}

static int hdmabuf_fence_rx_attach(struct hdmabuf_peer *peer,
				   const struct hdmabuf_msg_fence *m)
{
	struct hdmabuf_fence_rx *rx = &peer->fence_rx;
	u64 seqno = le64_to_cpu(m->seqno);
	struct hdmabuf_proxy *p;
	struct dma_resv *resv;
	struct dma_buf *dmabuf;
	unsigned int pending;
	bool known, first;
	int ret;

	resv = hdmabuf_fence_target(peer, m->handle.bytes, &dmabuf, &known);
	if (!known)
		return -ENOENT;

	ret = -ENOMEM;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out_put;
	spin_lock_init(&p->lock);
	memcpy(p->handle.bytes, m->handle.bytes, HDMABUF_HANDLE_SIZE);
	p->write = le32_to_cpu(m->flags) & HDMABUF_FENCE_F_WRITE;
	p->deadline = jiffies +
		      msecs_to_jiffies(READ_ONCE(hdmabuf_fence_timeout_ms));

	spin_lock(&rx->lock);
	/* One context, increasing seqnos: the rule dma_resv relies on. */
	if (seqno <= rx->last_seqno)
		ret = -EINVAL;
	else if (rx->nr_pending >= READ_ONCE(hdmabuf_max_fences))
		ret = -ENOSPC;
	else
		ret = 0;
	if (!ret) {
		memcpy(p->timeline, rx->name, sizeof(p->timeline));
		dma_fence_init(&p->base, &hdmabuf_proxy_ops, &p->lock,
			       rx->context, seqno);
		__module_get(THIS_MODULE);
		atomic64_inc(&hdmabuf_stats.live_fences);
		rx->last_seqno = seqno;
		first = list_empty(&rx->pending);
		/* The timeline's reference, dropped when it completes. */
		list_add_tail(&p->node, &rx->pending);
		pending = ++rx->nr_pending;
		dma_fence_get(&p->base);	/* ours, until installed */
		if (first)
			mod_delayed_work(system_wq, &rx->timeout_work,
					 p->deadline - jiffies);
	}
	spin_unlock(&rx->lock);
	if (ret) {
		kfree(p);
		goto out_put;
	}
	trace_hdmabuf_fence_rx_attach(rx->name, p->base.context, seqno,
				      p->write, pending);

	if (resv)
		ret = hdmabuf_proxy_install(p, resv);
	if (!ret)
		hdmabuf_fence_rx_event(peer, p);
	dma_fence_put(&p->base);
out_put:
	if (dmabuf)
		dma_buf_put(dmabuf);
	return ret;
}

/* Every proxy up to @seqno completes (the peer signals in order). */
static bool hdmabuf_fence_rx_signal(struct hdmabuf_peer *peer,
				    const struct hdmabuf_msg_fence *m)
{
	struct hdmabuf_fence_rx *rx = &peer->fence_rx;
	int err = hdmabuf_err_from_wire(le32_to_cpu(m->status));
	u64 seqno = le64_to_cpu(m->seqno);
	struct hdmabuf_proxy *p, *tmp;
	LIST_HEAD(done);

	spin_lock(&rx->lock);
	list_for_each_entry_safe(p, tmp, &rx->pending, node) {
		if (p->base.seqno > seqno)
			break;
		list_move_tail(&p->node, &done);
		rx->nr_pending--;
	}
	spin_unlock(&rx->lock);

	if (list_empty(&done))
		return false;
	list_for_each_entry_safe(p, tmp, &done, node) {
		list_del(&p->node);
		trace_hdmabuf_fence_rx_signal(p->timeline, p->base.seqno, err);
		hdmabuf_fence_rx_complete(rx, p, err);
	}
	return true;
}

void hdmabuf_fence_handle_msg(struct hdmabuf_peer *peer,
			      const struct hdmabuf_msg_hdr *hdr,
			      const void *payload)
{
	const struct hdmabuf_msg_fence *m = payload;
	int ret;

	if (le16_to_cpu(hdr->opcode) == HDMABUF_OP_FENCE_SIGNAL) {
		/* Late (after a timeout) or unknown: nothing waits for it. */
		if (!hdmabuf_fence_rx_signal(peer, m))
			atomic64_inc(&hdmabuf_stats.rx_unmatched);
		return;
	}
	ret = hdmabuf_fence_rx_attach(peer, m);
	if (ret)
		atomic64_inc(&hdmabuf_stats.rx_rejected);
	if (le32_to_cpu(hdr->flags) & HDMABUF_MSG_F_NEED_REPLY)
		hdmabuf_reply(peer, HDMABUF_OP_FENCE_ATTACH,
			      le64_to_cpu(hdr->req_id), ret, NULL, 0);
}

/* A new import of @offer: what the exporter's pending work guards. */
void hdmabuf_fence_import_created(struct hdmabuf_offer *offer,
				  struct dma_buf *dmabuf)
{
	struct hdmabuf_fence_rx *rx = &offer->peer->fence_rx;
	struct hdmabuf_proxy *p, **found;
	unsigned int n = 0, cap, i;

	spin_lock(&rx->lock);
	cap = rx->nr_pending;
	spin_unlock(&rx->lock);
	if (!cap)
		return;
	found = kcalloc(cap, sizeof(*found), GFP_KERNEL);
	if (!found)
		return;
	spin_lock(&rx->lock);
	list_for_each_entry(p, &rx->pending, node) {
		if (n == cap)
			break;
		if (memcmp(p->handle.bytes, offer->handle.bytes,
			   HDMABUF_HANDLE_SIZE))
			continue;
		found[n++] = p;
		dma_fence_get(&p->base);
	}
	spin_unlock(&rx->lock);
	for (i = 0; i < n; i++) {
		hdmabuf_proxy_install(found[i], dmabuf->resv);
		dma_fence_put(&found[i]->base);
	}
	kfree(found);
}

/*
 * One fence for @fences[0..@n) (consumes the array and its references):
 * NULL when @n is 0, else the fence itself or a dma_fence_array.
 */
static struct dma_fence *hdmabuf_fence_merge(struct dma_fence **fences,
					     unsigned int n)
{
	struct dma_fence_array *array;
	struct dma_fence *one;

	if (n <= 1) {
		one = n ? fences[0] : NULL;
		kfree(fences);
		return one;
	}
	array = dma_fence_array_create(n, fences, dma_fence_context_alloc(1),
				       1, false);
	if (!array) {
		while (n--)
			dma_fence_put(fences[n]);
		kfree(fences);
		return ERR_PTR(-ENOMEM);
	}
	return &array->base;
}

/* ------------------------------------------------------ tx timeline */

static void hdmabuf_fence_tx_free(struct hdmabuf_fence_tx *t)
{
	dma_fence_put(t->fence);
	kfree(t);
	atomic64_dec(&hdmabuf_stats.live_fence_waits);
}

/* Sends the SIGNALs of the completed head of the timeline, in order. */
static void hdmabuf_fence_tx_work(struct work_struct *work)
{
	struct hdmabuf_fence_tx_tl *tl = container_of(work,
						      struct hdmabuf_fence_tx_tl,
						      signal_work);
	struct hdmabuf_peer *peer = container_of(tl, struct hdmabuf_peer,
						 fence_tx);
	struct hdmabuf_msg_fence m = { };
	struct hdmabuf_fence_tx *t;

	for (;;) {
		spin_lock_irq(&tl->lock);
		t = list_first_entry_or_null(&tl->pending,
					     struct hdmabuf_fence_tx, node);
		if (t && t->done)
			list_del(&t->node);
		else
			t = NULL;
		spin_unlock_irq(&tl->lock);
		if (!t)
			break;
		memcpy(m.handle.bytes, t->handle.bytes, HDMABUF_HANDLE_SIZE);
		m.seqno = cpu_to_le64(t->seqno);
		m.status = cpu_to_le32(hdmabuf_err_to_wire(t->status));
		trace_hdmabuf_fence_tx_signal(peer->fence_rx.name, t->seqno,
					      t->status);
		/* A lost SIGNAL ends in the peer's timeout. */
		hdmabuf_send(peer, HDMABUF_OP_FENCE_SIGNAL, 0, 0, &m, sizeof(m));
		hdmabuf_fence_tx_free(t);
	}
}

/* Runs under the fence's lock, maybe in interrupt context. */
static void hdmabuf_fence_tx_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct hdmabuf_fence_tx *t = container_of(cb, struct hdmabuf_fence_tx,
						  cb);
	struct hdmabuf_fence_tx_tl *tl = t->tl;
	unsigned long flags;

	spin_lock_irqsave(&tl->lock, flags);
	t->done = true;
	t->status = f->error;
	spin_unlock_irqrestore(&tl->lock, flags);
	queue_work(system_wq, &tl->signal_work);
}

static void hdmabuf_fence_tx_init(struct hdmabuf_peer *peer)
{
	struct hdmabuf_fence_tx_tl *tl = &peer->fence_tx;

	mutex_init(&tl->attach_lock);
	spin_lock_init(&tl->lock);
	INIT_LIST_HEAD(&tl->pending);
	INIT_WORK(&tl->signal_work, hdmabuf_fence_tx_work);
}

/*
 * The peer is gone: nobody waits for our fences any more.  Returns how
 * many were forgotten.
 */
static unsigned int hdmabuf_fence_tx_down(struct hdmabuf_fence_tx_tl *tl)
{
	struct hdmabuf_fence_tx *t, *tmp;
	unsigned int n = 0;
	LIST_HEAD(dead);

	/*
	 * An ATTACH in flight has had its request failed by the caller of
	 * this; wait until it has given up or armed its callback.
	 */
	mutex_lock(&tl->attach_lock);
	spin_lock_irq(&tl->lock);
	tl->open = false;
	list_splice_init(&tl->pending, &dead);
	tl->next_seqno = 0;
	spin_unlock_irq(&tl->lock);
	mutex_unlock(&tl->attach_lock);
	/* After this no callback of ours runs or will run. */
	list_for_each_entry(t, &dead, node)
		dma_fence_remove_callback(t->fence, &t->cb);
	cancel_work_sync(&tl->signal_work);
	list_for_each_entry_safe(t, tmp, &dead, node) {
		list_del(&t->node);
		hdmabuf_fence_tx_free(t);
		n++;
	}
	return n;
}

/*
 * Resolves @handle for a FENCE ioctl of @file: its own export, else an
 * offer to this VM.  Returns the peer, referenced and with its backend
 * module pinned (the caller drops both with hdmabuf_fence_buffer_done();
 * a backend may unregister meanwhile), and in *@dmabuf a reference on
 * our side's dma-buf (NULL for an offer without a live import).
 */
static struct hdmabuf_peer *hdmabuf_fence_buffer(struct hdmabuf_file *file,
						 const u8 *handle,
						 struct dma_buf **dmabuf)
{
	struct hdmabuf_peer *peer = NULL;
	struct hdmabuf_export *exp;
	struct hdmabuf_offer *offer;

	*dmabuf = NULL;
	mutex_lock(&hdmabuf_lock);
	exp = hdmabuf_export_lookup(handle);
	if (exp && exp->owner == file) {
		if (exp->state != HYPER_DMABUF_STATE_REVOKED) {
			peer = exp->peer;
			get_dma_buf(exp->src->dmabuf);
			*dmabuf = exp->src->dmabuf;
		} else {
			peer = ERR_PTR(-ESTALE);
		}
	}
	if (exp)
		hdmabuf_export_put(exp);
	offer = peer ? NULL : hdmabuf_offer_lookup(handle);
	if (offer) {
		if (offer->state != HYPER_DMABUF_STATE_REVOKED) {
			peer = offer->peer;
			*dmabuf = hdmabuf_offer_get_dmabuf(offer);
		} else {
			peer = ERR_PTR(-ESTALE);
		}
		hdmabuf_offer_put(offer);
	}
	if (!IS_ERR_OR_NULL(peer)) {
		if (try_module_get(peer->owner))
			hdmabuf_peer_get(peer);
		else
			peer = ERR_PTR(-ENODEV);
	}
	mutex_unlock(&hdmabuf_lock);
	if (IS_ERR_OR_NULL(peer) && *dmabuf) {
		dma_buf_put(*dmabuf);
		*dmabuf = NULL;
	}
	return peer ?: ERR_PTR(-ENOENT);
}

/* Drops what hdmabuf_fence_buffer() took on the peer. */
static void hdmabuf_fence_buffer_done(struct hdmabuf_peer *peer)
{
	struct module *owner = peer->owner;

	hdmabuf_peer_put(peer);
	module_put(owner);
}

/* Sends ATTACH for @fence and signals the peer when it completes. */
static int hdmabuf_fence_tx_attach(struct hdmabuf_peer *peer,
				   const u8 *handle, struct dma_fence *fence,
				   bool write, u64 *seqno)
{
	struct hdmabuf_fence_tx_tl *tl = &peer->fence_tx;
	struct hdmabuf_msg_fence m = { };
	struct hdmabuf_fence_tx *t;
	bool fences;
	int ret;

	ret = hdmabuf_peer_connect(peer);
	if (ret)
		return ret;
	mutex_lock(&hdmabuf_lock);
	fences = peer->connected && peer->features & HDMABUF_FEAT_FENCES;
	mutex_unlock(&hdmabuf_lock);
	if (!fences)
		return -EOPNOTSUPP;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->fence = dma_fence_get(fence);
	t->tl = tl;
	INIT_LIST_HEAD(&t->cb.node);
	memcpy(t->handle.bytes, handle, HDMABUF_HANDLE_SIZE);
	atomic64_inc(&hdmabuf_stats.live_fence_waits);

	/* ATTACHes leave in seqno order, one at a time per peer. */
	mutex_lock(&tl->attach_lock);
	spin_lock_irq(&tl->lock);
	ret = tl->open ? 0 : -ENXIO;
	if (!ret) {
		t->seqno = ++tl->next_seqno;
		/* Not done: nothing after it is signalled before it. */
		list_add_tail(&t->node, &tl->pending);
	}
	spin_unlock_irq(&tl->lock);
	if (ret)
		goto err_unlock;

	memcpy(m.handle.bytes, handle, HDMABUF_HANDLE_SIZE);
	m.seqno = cpu_to_le64(t->seqno);
	m.flags = cpu_to_le32(write ? HDMABUF_FENCE_F_WRITE : 0);
	/* The reply means the peer's buffer carries the proxy now. */
	ret = hdmabuf_request(peer, HDMABUF_OP_FENCE_ATTACH, &m, sizeof(m),
			      NULL, 0, NULL);
	if (ret) {
		/* Still ours: a teardown waits for attach_lock. */
		spin_lock_irq(&tl->lock);
		list_del(&t->node);
		spin_unlock_irq(&tl->lock);
		goto err_unlock;
	}
	*seqno = t->seqno;
	trace_hdmabuf_fence_tx_attach(peer->fence_rx.name, t->seqno, write,
				      fence);
	if (dma_fence_add_callback(fence, &t->cb, hdmabuf_fence_tx_cb))
		hdmabuf_fence_tx_cb(fence, &t->cb);	/* already signalled */
	mutex_unlock(&tl->attach_lock);
	return 0;

err_unlock:
	mutex_unlock(&tl->attach_lock);
	hdmabuf_fence_tx_free(t);
	return ret;
}

/*
 * The local work on a buffer: the fences in @resv (writers only if
 * @write), except the peers' own proxies, which would only echo back.
 */
static struct dma_fence *hdmabuf_fence_implicit(struct dma_resv *resv,
						bool write)
{
	struct dma_fence **fences;
	unsigned int count, i, n = 0;
	int ret;

	ret = dma_resv_get_fences(resv, write ? DMA_RESV_USAGE_WRITE :
						DMA_RESV_USAGE_READ,
				  &count, &fences);
	if (ret)
		return ERR_PTR(ret);
	for (i = 0; i < count; i++) {
		if (fences[i]->ops == &hdmabuf_proxy_ops ||
		    dma_fence_is_signaled(fences[i]))
			dma_fence_put(fences[i]);
		else
			fences[n++] = fences[i];
	}
	return hdmabuf_fence_merge(fences, n);
}

int hdmabuf_fence_attach(struct hdmabuf_file *file,
			 struct hyper_dmabuf_fence_attach *arg)
{
	bool write = arg->flags & HYPER_DMABUF_FENCE_WRITE;
	struct dma_fence *fence = NULL;
	struct hdmabuf_peer *peer;
	struct dma_buf *dmabuf;
	int ret;

	peer = hdmabuf_fence_buffer(file, arg->handle.bytes, &dmabuf);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (arg->fd >= 0) {
		fence = sync_file_get_fence(arg->fd);
		ret = fence ? 0 : -EINVAL;
	} else if (dmabuf) {
		fence = hdmabuf_fence_implicit(dmabuf->resv, write);
		ret = PTR_ERR_OR_ZERO(fence);
	} else {
		/* An offer's implicit fences live on its import. */
		ret = -ENODEV;
	}
	if (dmabuf)
		dma_buf_put(dmabuf);
	if (ret)
		goto out_put_module;

	arg->seqno = 0;
	/* Nothing pending: the peer has nothing to wait for. */
	if (fence && !dma_fence_is_signaled(fence))
		ret = hdmabuf_fence_tx_attach(peer, arg->handle.bytes, fence,
					      write, &arg->seqno);
	dma_fence_put(fence);
out_put_module:
	hdmabuf_fence_buffer_done(peer);
	return ret;
}

/* The pending proxies of @peer on @handle, merged; never NULL on success. */
static struct dma_fence *hdmabuf_fence_collect(struct hdmabuf_peer *peer,
					       const u8 *handle,
					       bool write_only)
{
	struct hdmabuf_fence_rx *rx = &peer->fence_rx;
	struct dma_fence **fences, *merged;
	struct hdmabuf_proxy *p;
	unsigned int n = 0, cap;

	spin_lock(&rx->lock);
	cap = rx->nr_pending;
	spin_unlock(&rx->lock);
	if (!cap)
		return dma_fence_get_stub();
	fences = kcalloc(cap, sizeof(*fences), GFP_KERNEL);
	if (!fences)
		return ERR_PTR(-ENOMEM);
	spin_lock(&rx->lock);
	list_for_each_entry(p, &rx->pending, node) {
		if (n == cap)
			break;
		if ((write_only && !p->write) ||
		    memcmp(p->handle.bytes, handle, HDMABUF_HANDLE_SIZE))
			continue;
		fences[n++] = dma_fence_get(&p->base);
	}
	spin_unlock(&rx->lock);

	merged = hdmabuf_fence_merge(fences, n);
	return merged ?: dma_fence_get_stub();
}

/*
 * @peer's proxy @seqno on @handle: pending, or one of the last failed; a
 * signalled stub for an earlier seqno of this connection (it succeeded,
 * or failed before the last HDMABUF_FENCE_DONE failures); NULL if the
 * seqno is not (yet) known.
 */
static struct dma_fence *hdmabuf_fence_find(struct hdmabuf_peer *peer,
					    const u8 *handle, u64 seqno)
{
	struct hdmabuf_fence_rx *rx = &peer->fence_rx;
	struct dma_fence *found = NULL;
	struct hdmabuf_proxy *p;
	unsigned int i;

	spin_lock(&rx->lock);
	list_for_each_entry(p, &rx->pending, node)
		if (p->base.seqno == seqno) {
			found = &p->base;
			break;
		}
	for (i = 0; !found && i < HDMABUF_FENCE_DONE; i++)
		if (rx->done[i] && rx->done[i]->seqno == seqno)
			found = rx->done[i];
	/* The seqno names one fence of the timeline: of this buffer? */
	if (found && memcmp(to_proxy(found)->handle.bytes, handle,
			    HDMABUF_HANDLE_SIZE))
		found = NULL;
	else if (found)
		dma_fence_get(found);
	else if (seqno <= rx->last_seqno)
		found = dma_fence_get_stub();
	spin_unlock(&rx->lock);
	return found;
}

int hdmabuf_fence_get(struct hdmabuf_file *file,
		      struct hyper_dmabuf_fence_get *arg,
		      struct sync_file **out)
{
	struct hdmabuf_peer *peer;
	struct sync_file *sync;
	struct dma_buf *dmabuf;
	struct dma_fence *fence;

	peer = hdmabuf_fence_buffer(file, arg->handle.bytes, &dmabuf);
	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (dmabuf)
		dma_buf_put(dmabuf);
	if (arg->flags & HYPER_DMABUF_FENCE_SEQNO)
		fence = hdmabuf_fence_find(peer, arg->handle.bytes,
					   arg->seqno) ?: ERR_PTR(-ENOENT);
	else
		fence = hdmabuf_fence_collect(peer, arg->handle.bytes,
					      arg->flags &
					      HYPER_DMABUF_FENCE_WRITE);
	hdmabuf_fence_buffer_done(peer);
	if (IS_ERR(fence))
		return PTR_ERR(fence);
	sync = sync_file_create(fence);
	dma_fence_put(fence);
	if (!sync)
		return -ENOMEM;
	*out = sync;
	return 0;
}

/* ------------------------------------------------------------ peers */

void hdmabuf_fence_peer_init(struct hdmabuf_peer *peer)
{
	hdmabuf_fence_rx_init(peer);
	hdmabuf_fence_tx_init(peer);
}

void hdmabuf_fence_peer_up(struct hdmabuf_peer *peer)
{
	spin_lock_irq(&peer->fence_tx.lock);
	peer->fence_tx.open = true;
	spin_unlock_irq(&peer->fence_tx.lock);
}

void hdmabuf_fence_peer_down(struct hdmabuf_peer *peer)
{
	unsigned int tx = hdmabuf_fence_tx_down(&peer->fence_tx);
	unsigned int rx = hdmabuf_fence_rx_down(&peer->fence_rx, -ECONNRESET);

	trace_hdmabuf_fence_peer_down(peer->fence_rx.name, -ECONNRESET, rx, tx);
}

void hdmabuf_fence_peer_show(struct seq_file *m, struct hdmabuf_peer *peer)
{
	struct hdmabuf_fence_rx *rx = &peer->fence_rx;
	struct hdmabuf_fence_tx_tl *tl = &peer->fence_tx;
	unsigned long now = jiffies;
	struct hdmabuf_fence_tx *t;
	struct hdmabuf_proxy *p;

	spin_lock(&rx->lock);
	seq_printf(m, "peer %s own %llu: rx context %llu last %llu pending %u\n",
		   rx->name, peer->be->own_domid, rx->context, rx->last_seqno,
		   rx->nr_pending);
	list_for_each_entry(p, &rx->pending, node)
		seq_printf(m, "  rx seqno %llu %s, times out in %d ms\n",
			   p->base.seqno, p->write ? "write" : "read",
			   jiffies_to_msecs(p->deadline - now) *
			   (time_before(now, p->deadline) ? 1 : 0));
	spin_unlock(&rx->lock);

	spin_lock_irq(&tl->lock);
	seq_printf(m, "  tx next %llu%s\n", tl->next_seqno + 1,
		   tl->open ? "" : " (closed)");
	list_for_each_entry(t, &tl->pending, node)
		seq_printf(m, "  tx seqno %llu %s\n", t->seqno,
			   t->done ? "signalled, SIGNAL queued" : "pending");
	spin_unlock_irq(&tl->lock);
}
