// SPDX-License-Identifier: GPL-2.0
/*
 * The shared memory of a control channel and the bytes moving through it.
 *
 * hi grants an interface page and 2 << order data pages and allocates an
 * unbound event channel; lo maps them with one batched grant map and binds
 * the event channel.  Each direction is a byte ring carrying whole wire
 * messages (protocol/hdmabuf_wire.h): a writer publishes a message by
 * advancing its producer index once the bytes are in place, a reader copies
 * the message out of the shared pages before looking at it and then
 * advances its consumer index.  The interrupt handler only wakes senders
 * and queues the receive work; hdmabuf_receive() runs in process context.
 */
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <asm/xen/hypercall.h>

#include "hdmabuf_wire.h"
#include "xen_chan.h"

/* Messages handled per run of the receive work before it yields. */
#define XCH_RX_BUDGET	64

static irqreturn_t xch_irq(int irq, void *dev_id)
{
	struct xch *ch = dev_id;

	wake_up(&ch->tx_wq);
	queue_work(hdmabuf_xen_wq, &ch->rx_work);
	return IRQ_HANDLED;
}

static void xch_ring_init(struct xch_ring *r, __le32 *prod, __le32 *cons,
			  struct page **pages, unsigned int order)
{
	unsigned int i;

	r->prod = prod;
	r->cons = cons;
	for (i = 0; i < (1U << order); i++)
		r->data[i] = page_address(pages[i]);
	r->size = PAGE_SIZE << order;
	r->idx = 0;
}

/* ------------------------------------------------------------ hi side */

static void xch_ring_ungrant(struct xch *ch)
{
	unsigned int i;

	/*
	 * The peer may still map a page: gnttab_end_foreign_access() frees
	 * each one only once the hypervisor says it is no longer in use.
	 */
	for (i = 0; i < ch->nr_pages; i++)
		gnttab_end_foreign_access(ch->refs[i], ch->pages[i]);
	ch->nr_pages = 0;
	ch->intf = NULL;
}

/**
 * xch_ring_offer() - hi: grant the ring pages and open an event channel
 * @ch: the channel, with no ring.
 * @port: out, the unbound port for the peer to bind.
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int xch_ring_offer(struct xch *ch, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF,
		.remote_dom = ch->peer,
	};
	struct evtchn_close close;
	unsigned int i, nr = 1 + 2 * XCH_RING_PAGES;
	struct page *page;
	int ret;

	for (i = 0; i < nr; i++) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!page) {
			ret = -ENOMEM;
			goto err_ungrant;
		}
		ret = gnttab_grant_foreign_access(ch->peer,
						  xen_page_to_gfn(page), 0);
		if (ret < 0) {
			__free_page(page);
			goto err_ungrant;
		}
		ch->pages[i] = page;
		ch->refs[i] = ret;
		ch->nr_pages++;
	}

	ch->intf = page_address(ch->pages[0]);
	ch->intf->ring_order = cpu_to_le32(XCH_RING_ORDER);
	for (i = 0; i < 2 * XCH_RING_PAGES; i++)
		ch->intf->ref[i] = cpu_to_le32(ch->refs[1 + i]);
	xch_ring_init(&ch->tx, &ch->intf->h2l_prod, &ch->intf->h2l_cons,
		      &ch->pages[1], XCH_RING_ORDER);
	xch_ring_init(&ch->rx, &ch->intf->l2h_prod, &ch->intf->l2h_cons,
		      &ch->pages[1 + XCH_RING_PAGES], XCH_RING_ORDER);

	ret = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
	if (ret)
		goto err_ungrant;
	ret = bind_evtchn_to_irqhandler_lateeoi(alloc.port, xch_irq, 0,
						"hdmabuf-xen", ch);
	if (ret < 0) {
		close.port = alloc.port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		goto err_ungrant;
	}
	ch->irq = ret;
	*port = alloc.port;
	return 0;

err_ungrant:
	xch_ring_ungrant(ch);
	return ret;
}

/* ------------------------------------------------------------ lo side */

/* Unmaps the granted frames behind @pages[0..nr); 0 or a negative errno. */
static int xch_unmap_pages(struct page **pages, const grant_handle_t *handles,
			   unsigned int nr)
{
	struct gntab_unmap_queue_data q = { .pages = pages, .count = nr };
	struct gnttab_unmap_grant_ref *unmap;
	unsigned int i;
	int ret;

	unmap = kcalloc(nr, sizeof(*unmap), GFP_KERNEL);
	if (!unmap)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		gnttab_set_unmap_op(&unmap[i],
				    (unsigned long)page_address(pages[i]),
				    GNTMAP_host_map, handles[i]);
	q.unmap_ops = unmap;
	ret = gnttab_unmap_refs_sync(&q);
	kfree(unmap);
	return ret;
}

static void xch_ring_unmap(struct xch *ch)
{
	int ret;

	if (!ch->nr_pages)
		return;
	ret = xch_unmap_pages(ch->pages, ch->handles, ch->nr_pages);
	if (ret)
		/* The frames may stay mapped: leaking the pages is all we can do. */
		pr_err("dom%u: unmapping the ring failed (%d), leaking it\n",
		       ch->peer, ret);
	else
		gnttab_free_pages(ch->nr_pages, ch->pages);
	ch->nr_pages = 0;
	ch->intf = NULL;
}

/*
 * Maps @nr refs of the peer into @pages[0..nr), all or nothing: every
 * element's status is checked and every handle kept, so a partial failure
 * unmaps exactly what was mapped.
 */
static int xch_map_refs(struct xch *ch, const grant_ref_t *refs,
			struct page **pages, grant_handle_t *handles,
			unsigned int nr)
{
	struct page *mapped[1 + XCH_MAX_DATA_PAGES];
	grant_handle_t mapped_h[1 + XCH_MAX_DATA_PAGES];
	struct gnttab_map_grant_ref *map;
	unsigned int i, n = 0;
	int ret;

	map = kcalloc(nr, sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;
	ret = gnttab_alloc_pages(nr, pages);
	if (ret)
		goto out_free;
	for (i = 0; i < nr; i++)
		gnttab_set_map_op(&map[i], (unsigned long)page_address(pages[i]),
				  GNTMAP_host_map, refs[i], ch->peer);
	ret = gnttab_map_refs(map, NULL, pages, nr);
	for (i = 0; i < nr; i++) {
		if (map[i].status != GNTST_okay) {
			if (!ret)
				ret = -EPERM;
			continue;
		}
		handles[i] = map[i].handle;
		mapped[n] = pages[i];
		mapped_h[n++] = map[i].handle;
	}
	if (!ret)
		goto out_free;

	pr_warn("dom%u: mapping %u ring pages failed (%d)\n", ch->peer, nr, ret);
	if (n && xch_unmap_pages(mapped, mapped_h, n)) {
		pr_err("dom%u: unmapping after a failed map failed, leaking\n",
		       ch->peer);
		goto out_free;
	}
	gnttab_free_pages(nr, pages);
out_free:
	kfree(map);
	return ret;
}

/**
 * xch_ring_accept() - lo: map the ring hi offered and bind its port
 * @ch: the channel, with no ring.
 * @intf_ref: grant ref of the interface page.
 * @order: ring order hi published in xenstore.
 * @remote_port: hi's unbound port.
 *
 * Return: 0 or a negative errno; on error nothing is left behind.
 */
int xch_ring_accept(struct xch *ch, grant_ref_t intf_ref, unsigned int order,
		    evtchn_port_t remote_port)
{
	struct evtchn_bind_interdomain bind = {
		.remote_dom = ch->peer,
		.remote_port = remote_port,
	};
	grant_ref_t refs[XCH_MAX_DATA_PAGES];
	unsigned int i, nr_data;
	struct evtchn_close close;
	int ret;

	if (order > XCH_RING_MAX_ORDER)
		return -EINVAL;
	nr_data = 2U << order;

	ret = xch_map_refs(ch, &intf_ref, &ch->pages[0], &ch->handles[0], 1);
	if (ret)
		return ret;
	ch->nr_pages = 1;
	ch->intf = page_address(ch->pages[0]);

	/* Copy out, then check: hi can rewrite its page at any time. */
	if (le32_to_cpu(READ_ONCE(ch->intf->ring_order)) != order) {
		ret = -EINVAL;
		goto err_unmap;
	}
	for (i = 0; i < nr_data; i++)
		refs[i] = le32_to_cpu(READ_ONCE(ch->intf->ref[i]));
	ret = xch_map_refs(ch, refs, &ch->pages[1], &ch->handles[1], nr_data);
	if (ret)
		goto err_unmap;
	ch->nr_pages += nr_data;

	xch_ring_init(&ch->rx, &ch->intf->h2l_prod, &ch->intf->h2l_cons,
		      &ch->pages[1], order);
	xch_ring_init(&ch->tx, &ch->intf->l2h_prod, &ch->intf->l2h_cons,
		      &ch->pages[1 + (1U << order)], order);
	/* Start where hi says; a lie only breaks this channel. */
	ch->rx.idx = le32_to_cpu(READ_ONCE(ch->intf->h2l_cons));
	ch->tx.idx = le32_to_cpu(READ_ONCE(ch->intf->l2h_prod));

	ret = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind);
	if (ret)
		goto err_unmap;
	ret = bind_evtchn_to_irqhandler_lateeoi(bind.local_port, xch_irq, 0,
						"hdmabuf-xen", ch);
	if (ret < 0) {
		close.port = bind.local_port;
		HYPERVISOR_event_channel_op(EVTCHNOP_close, &close);
		goto err_unmap;
	}
	ch->irq = ret;
	return 0;

err_unmap:
	xch_ring_unmap(ch);
	return ret;
}

/* ------------------------------------------------------------- common */

/**
 * struct xch_deferred - a message the receive work could not send at once
 * @node: entry in the channel's backlog, under tx_lock.
 * @len: bytes in @data.
 * @data: the message.
 */
struct xch_deferred {
	struct list_head node;
	size_t len;
	u8 data[];
};

/* Frees the backlog of a channel going down; tx_lock held. */
static void xch_backlog_drop(struct xch *ch)
{
	struct xch_deferred *d, *tmp;

	list_for_each_entry_safe(d, tmp, &ch->backlog, node) {
		list_del(&d->node);
		kfree(d);
	}
	WRITE_ONCE(ch->backlog_bytes, 0);
}

/**
 * xch_ring_start() - let senders use the ring
 * @ch: the channel, with a ring offered or accepted.
 */
void xch_ring_start(struct xch *ch)
{
	mutex_lock(&ch->tx_lock);
	WRITE_ONCE(ch->live, true);
	mutex_unlock(&ch->tx_lock);
}

/**
 * xch_ring_start_rx() - start handing received messages to the core
 * @ch: the channel, started and reported up to the core.
 */
void xch_ring_start_rx(struct xch *ch)
{
	WRITE_ONCE(ch->rx_on, true);
	/* Messages may already wait (hi may send before we mapped). */
	queue_work(hdmabuf_xen_wq, &ch->rx_work);
}

/**
 * xch_ring_teardown() - stop using the ring and release it
 * @ch: the channel; its state_lock is held.
 *
 * Senders fail with -ENOTCONN from here on; the receive work is stopped
 * before the pages go.  hi's pages are freed only once the peer unmapped
 * them (deferred by the grant table code), lo's mappings are undone.
 */
void xch_ring_teardown(struct xch *ch)
{
	WRITE_ONCE(ch->live, false);
	WRITE_ONCE(ch->rx_on, false);
	wake_up_all(&ch->tx_wq);
	/* A sender inside tx_lock is done with the ring once we get it. */
	mutex_lock(&ch->tx_lock);
	xch_backlog_drop(ch);
	mutex_unlock(&ch->tx_lock);

	if (ch->irq)
		disable_irq(ch->irq);
	cancel_work_sync(&ch->rx_work);
	if (ch->irq) {
		unbind_from_irqhandler(ch->irq, ch);	/* closes the port */
		ch->irq = 0;
	}
	if (ch->hi)
		xch_ring_ungrant(ch);
	else
		xch_ring_unmap(ch);
}

static void xch_ring_write(struct xch_ring *r, u32 idx, const void *src,
			   u32 len)
{
	u32 off, n;

	while (len) {
		off = idx & (r->size - 1);
		n = min_t(u32, len, PAGE_SIZE - offset_in_page(off));
		memcpy(r->data[off >> PAGE_SHIFT] + offset_in_page(off), src, n);
		src += n;
		idx += n;
		len -= n;
	}
}

static void xch_ring_read(const struct xch_ring *r, u32 idx, void *dst,
			  u32 len)
{
	u32 off, n;

	while (len) {
		off = idx & (r->size - 1);
		n = min_t(u32, len, PAGE_SIZE - offset_in_page(off));
		memcpy(dst, r->data[off >> PAGE_SHIFT] + offset_in_page(off), n);
		dst += n;
		idx += n;
		len -= n;
	}
}

/* Free bytes in the ring we write, or -EIO if the peer's index is absurd. */
static long xch_tx_space(struct xch *ch)
{
	u32 cons = le32_to_cpu(READ_ONCE(*ch->tx.cons));
	u32 used = ch->tx.idx - cons;

	if (used > ch->tx.size)
		return -EIO;
	return ch->tx.size - used;
}

/* Writes one whole message and publishes it; tx_lock held, room checked. */
static void xch_tx_put(struct xch *ch, const void *msg, size_t len)
{
	struct hdmabuf_msg_hdr hdr;
	u32 prod;

	memcpy(&hdr, msg, sizeof(hdr));
	if (atomic_add_unless(&xch_fault_bad_len, -1, 0))
		hdr.payload_len = cpu_to_le32(HDMABUF_MSG_MAX_PAYLOAD + 1);
	xch_ring_write(&ch->tx, ch->tx.idx, &hdr, sizeof(hdr));
	xch_ring_write(&ch->tx, ch->tx.idx + sizeof(hdr), msg + sizeof(hdr),
		       len - sizeof(hdr));
	ch->tx.idx += len;
	prod = ch->tx.idx;
	if (atomic_add_unless(&xch_fault_bad_prod, -1, 0))
		prod += 0x40000000;
	/* The bytes are visible before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(*ch->tx.prod, cpu_to_le32(prod));
	atomic64_inc(&ch->cnt.tx_msgs);
	atomic64_add(len, &ch->cnt.tx_bytes);
}

/*
 * Moves what fits of the backlog to the ring, oldest first; tx_lock held.
 * Returns the number of messages written, or -EIO if the peer corrupted
 * our ring's consumer index.
 */
static int xch_backlog_flush(struct xch *ch)
{
	struct xch_deferred *d, *tmp;
	int n = 0;
	long space;

	list_for_each_entry_safe(d, tmp, &ch->backlog, node) {
		space = xch_tx_space(ch);
		if (space < 0)
			return -EIO;
		if (space < d->len)
			break;
		xch_tx_put(ch, d->data, d->len);
		list_del(&d->node);
		WRITE_ONCE(ch->backlog_bytes, ch->backlog_bytes - d->len);
		kfree(d);
		n++;
	}
	return n;
}

static void xch_ring_corrupt(struct xch *ch)
{
	atomic64_inc(&ch->cnt.rx_bad);
	pr_warn_ratelimited("dom%u: peer corrupted our ring index, dropping the channel\n",
			    ch->peer);
	xch_request_reset(ch);
}

/* May a sender waiting for @len bytes try again? */
static bool xch_tx_ready(struct xch *ch, size_t len)
{
	long space = xch_tx_space(ch);

	return !READ_ONCE(ch->live) || space < 0 ||
	       (!READ_ONCE(ch->backlog_bytes) && space >= len);
}

/**
 * xch_send() - put one message on the ring to the peer
 * @ch: the channel.
 * @msg: the message, header included.
 * @len: its length, at most HDMABUF_MSG_MAX_SIZE.
 *
 * Messages go out in the order they are accepted.  The receive work never
 * waits for ring space (the peer's receive work may be waiting for ours):
 * what it sends while the ring is full waits in the channel's backlog, and
 * it stops reading the peer's messages while the backlog is over
 * XCH_BACKLOG_MAX bytes.  Other senders wait, without holding tx_lock, at
 * most hdmabuf_xen_send_timeout_ms for room.
 *
 * Return: 0, -ENOTCONN if the channel is down, -ETIMEDOUT if the peer
 * did not make room in time, -ECONNRESET if it corrupted the ring,
 * -ENOMEM.
 */
int xch_send(struct xch *ch, const void *msg, size_t len)
{
	long left = msecs_to_jiffies(hdmabuf_xen_send_timeout_ms);
	struct work_struct *w = current_work();
	bool in_rx = w && w->func == xch_rx_work;
	struct xch_deferred *d;
	bool waited = false;
	long space;
	int ret;

	if (len < sizeof(struct hdmabuf_msg_hdr) || len > HDMABUF_MSG_MAX_SIZE)
		return -EMSGSIZE;
	for (;;) {
		mutex_lock(&ch->tx_lock);
		if (!READ_ONCE(ch->live)) {
			ret = -ENOTCONN;
			break;
		}
		space = xch_tx_space(ch);
		if (space < 0) {
			xch_ring_corrupt(ch);
			ret = -ECONNRESET;
			break;
		}
		if (list_empty(&ch->backlog) && space >= len) {
			xch_tx_put(ch, msg, len);
			notify_remote_via_irq(ch->irq);
			ret = 0;
			break;
		}
		if (in_rx) {
			d = kmalloc(struct_size(d, data, len), GFP_KERNEL);
			if (!d) {
				ret = -ENOMEM;
				break;
			}
			d->len = len;
			memcpy(d->data, msg, len);
			list_add_tail(&d->node, &ch->backlog);
			WRITE_ONCE(ch->backlog_bytes, ch->backlog_bytes + len);
			atomic64_inc(&ch->cnt.tx_deferred);
			ret = 0;
			break;
		}
		mutex_unlock(&ch->tx_lock);

		if (!left) {
			atomic64_inc(&ch->cnt.tx_timeouts);
			return -ETIMEDOUT;
		}
		if (!waited) {
			atomic64_inc(&ch->cnt.tx_waits);
			waited = true;
		}
		left = wait_event_timeout(ch->tx_wq, xch_tx_ready(ch, len),
					  left);
	}
	mutex_unlock(&ch->tx_lock);
	return ret;
}

/* Sends what the backlog holds and fits; wakes senders once it is empty. */
static int xch_rx_flush(struct xch *ch)
{
	int n;

	if (!READ_ONCE(ch->backlog_bytes))
		return 0;
	mutex_lock(&ch->tx_lock);
	n = READ_ONCE(ch->live) ? xch_backlog_flush(ch) : 0;
	if (n > 0)
		notify_remote_via_irq(ch->irq);
	if (list_empty(&ch->backlog))
		wake_up_all(&ch->tx_wq);
	mutex_unlock(&ch->tx_lock);
	if (n < 0)
		xch_ring_corrupt(ch);
	return n;
}

/*
 * Whether the event that ran xch_rx_work() told us nothing.  The event
 * channel core throttles such events (lateeoi): from the second in a row
 * it unmasks the channel only after growing delays, so a peer that only
 * kicks us pays for it.  But one event channel carries both "messages for
 * you" and "room in your ring" (the peer consumed what we sent), and the
 * latter is news too; so is the re-raise of an event that came while the
 * previous run already consumed what it announced, hence one empty run
 * after a useful one is forgiven.  Counting those as spurious made
 * ordinary request/reply traffic wait a jiffy or more per reply.
 */
static bool xch_rx_spurious(struct xch *ch, unsigned int n)
{
	bool useful = n || READ_ONCE(ch->backlog_bytes) ||
		      wq_has_sleeper(&ch->tx_wq);
	bool spurious;
	u32 cons;

	if (READ_ONCE(ch->live)) {
		cons = le32_to_cpu(READ_ONCE(*ch->tx.cons));
		if (cons != ch->rx_seen_tx_cons)
			useful = true;
		ch->rx_seen_tx_cons = cons;
	}
	spurious = !useful && !ch->rx_was_useful;
	ch->rx_was_useful = useful;
	if (spurious)
		atomic64_inc(&ch->cnt.rx_spurious);
	return spurious;
}

/**
 * xch_rx_work() - drain the ring from the peer
 * @work: the channel's rx_work.
 *
 * The peer only ever publishes whole messages, so anything else (an index
 * beyond the ring, a partial or oversized message) means the ring is
 * corrupt: the channel is dropped and the handshake starts again.  Every
 * event from the peer runs this work, so it also sends our backlog.
 */
void xch_rx_work(struct work_struct *work)
{
	struct xch *ch = container_of(work, struct xch, rx_work);
	struct xch_ring *r = &ch->rx;
	struct hdmabuf_msg_hdr hdr;
	unsigned int n = 0;
	u32 prod, avail, plen, len;
	bool more = false;

	if (!READ_ONCE(ch->rx_on))
		goto out_eoi;	/* the start kicks us again */
	if (xch_rx_flush(ch) < 0)
		return;
	while (READ_ONCE(ch->live)) {
		/* Back-pressure: the peer reads our replies first. */
		if (READ_ONCE(ch->backlog_bytes) > XCH_BACKLOG_MAX)
			break;
		prod = le32_to_cpu(READ_ONCE(*r->prod));
		/* The index is read before the bytes it publishes. */
		virt_rmb();
		avail = prod - r->idx;
		if (!avail)
			break;
		if (avail > r->size || avail < sizeof(hdr))
			goto bad;
		xch_ring_read(r, r->idx, ch->rx_buf, sizeof(hdr));
		memcpy(&hdr, ch->rx_buf, sizeof(hdr));
		plen = le32_to_cpu(hdr.payload_len);
		if (plen > HDMABUF_MSG_MAX_PAYLOAD || plen > avail - sizeof(hdr))
			goto bad;
		len = sizeof(hdr) + plen;
		xch_ring_read(r, r->idx + sizeof(hdr), ch->rx_buf + sizeof(hdr),
			      plen);
		/* Our reads are done before the peer may reuse the space. */
		virt_mb();
		r->idx += len;
		WRITE_ONCE(*r->cons, cpu_to_le32(r->idx));
		atomic64_inc(&ch->cnt.rx_msgs);
		atomic64_add(len, &ch->cnt.rx_bytes);
		xch_inject_peek(ch, ch->rx_buf, len);
		hdmabuf_receive(&hdmabuf_xen_be, ch->peer, ch->rx_buf, len);
		if (++n == XCH_RX_BUDGET) {
			more = true;
			break;
		}
	}
	if (n)
		notify_remote_via_irq(ch->irq);	/* room for its senders */
	if (xch_rx_flush(ch) < 0)
		return;
	if (more)
		queue_work(hdmabuf_xen_wq, &ch->rx_work);
out_eoi:
	if (ch->irq)
		xen_irq_lateeoi(ch->irq, xch_rx_spurious(ch, n) ?
				XEN_EOI_FLAG_SPURIOUS : 0);
	return;

bad:
	atomic64_inc(&ch->cnt.rx_bad);
	pr_warn_ratelimited("dom%u: corrupt ring (prod %u cons %u), dropping the channel\n",
			    ch->peer, prod, r->idx);
	/* No EOI: the event channel stays masked until it is closed. */
	xch_request_reset(ch);
}
