// SPDX-License-Identifier: GPL-2.0
/*
 * hyper_dmabuf virtio backend: the two virtqueues.
 *
 * tx: every request is one descriptor chain (header, payload, response).
 * The payload is copied into the request, which is freed by whoever sees
 * it last: the waiter once the device answered, or the completion path if
 * the waiter gave up (timeout, fatal signal) while the device still owns
 * the buffers.  No wait is longer than hvio_timeout_ms: a device that
 * never answers costs each request that long and nothing more.
 *
 * rx: the device returns events in buffers the driver keeps queued.  The
 * vq callback (interrupt context) only queues rx_work; all parsing and
 * every call into the core happen there, in process context, in order.
 */
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>

#include "hvio.h"

/**
 * struct hvio_req - one request on the tx vq
 * @hdr: out: the request header.
 * @resp: in: written by the device.
 * @status: result, valid once @done.
 * @done: the device returned the buffers (or they were reclaimed).
 * @abandoned: the waiter is gone; whoever completes the request frees it.
 * @completion: signals @done to the waiter.
 * @payload: out: @hdr.len bytes.
 *
 * @status, @done and @abandoned are protected by hvio_dev.tx_lock.
 */
struct hvio_req {
	struct hvio_req_hdr hdr;
	struct hvio_resp resp;
	int status;
	bool done;
	bool abandoned;
	struct completion completion;
	u8 payload[];
};

/* Called with tx_lock held. */
static void hvio_req_finish(struct hvio_req *req, int status)
{
	if (req->abandoned) {
		kfree(req);
		return;
	}
	req->status = status;
	req->done = true;
	complete(&req->completion);
}

/* A device's status word: 0 or a negative errno, anything else is -EIO. */
static int hvio_resp_status(const struct hvio_resp *resp)
{
	s32 s = (s32)le32_to_cpu(resp->status);

	return s > 0 || s < -MAX_ERRNO ? -EIO : s;
}

void hvio_tx_done(struct virtqueue *vq)
{
	struct hvio_dev *hd = vq->vdev->priv;
	struct hvio_req *req;
	unsigned long flags;
	unsigned int len;
	bool freed = false;

	spin_lock_irqsave(&hd->tx_lock, flags);
	while ((req = virtqueue_get_buf(vq, &len))) {
		freed = true;
		if (len != sizeof(req->resp)) {
			/* The device wrote less (or claims more) than a reply. */
			atomic64_inc(&hd->stats.bad_used_len);
			hvio_req_finish(req, -EIO);
			continue;
		}
		hvio_req_finish(req, hvio_resp_status(&req->resp));
	}
	spin_unlock_irqrestore(&hd->tx_lock, flags);
	/* Nothing used: a spurious callback, which is harmless. */
	if (freed)
		wake_up_all(&hd->tx_space);
}

static bool hvio_tx_can_queue(struct hvio_dev *hd, unsigned int descs)
{
	bool ok;

	spin_lock_irq(&hd->tx_lock);
	ok = !hd->tx_live || hd->tx->num_free >= descs;
	spin_unlock_irq(&hd->tx_lock);
	return ok;
}

/**
 * hvio_request() - send one request and wait for the device's answer
 * @hd: the device.
 * @type: HVIO_T_MSG, HVIO_T_MAP or HVIO_T_UNMAP.
 * @peer: the remote domain the request is about.
 * @payload: @len bytes, copied.
 * @len: payload length.
 * @value: if not NULL, receives the response's value on success.
 *
 * Context: process; sleeps at most hvio_timeout_ms.
 * Return: the device's status (0 or a negative errno), -ENOTCONN if the
 * device is not running, -EMSGSIZE if the device does not take requests
 * this large, -ETIMEDOUT if it did not answer in time, -EINTR on a fatal
 * signal, -EIO for a malformed answer, -ENOMEM.
 */
int hvio_request(struct hvio_dev *hd, u32 type, u32 peer, const void *payload,
		 size_t len, u64 *value)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(hvio_timeout_ms);
	struct scatterlist hdr_sg, payload_sg, resp_sg, *sgs[3];
	unsigned int out = 0, n = 0;
	struct hvio_req *req;
	long left;
	int ret;

	if (len > HVIO_MSG_MAX || sizeof(req->hdr) + len > hd->max_msg)
		return -EMSGSIZE;
	req = kzalloc(struct_size(req, payload, len), GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	req->hdr.type = cpu_to_le32(type);
	req->hdr.peer = cpu_to_le32(peer);
	req->hdr.len = cpu_to_le32(len);
	memcpy(req->payload, payload, len);
	init_completion(&req->completion);

	sg_init_one(&hdr_sg, &req->hdr, sizeof(req->hdr));
	sgs[n++] = &hdr_sg;
	if (len) {
		sg_init_one(&payload_sg, req->payload, len);
		sgs[n++] = &payload_sg;
	}
	out = n;
	sg_init_one(&resp_sg, &req->resp, sizeof(req->resp));
	sgs[n++] = &resp_sg;

	spin_lock_irq(&hd->tx_lock);
	for (;;) {
		if (!hd->tx_live) {
			ret = -ENOTCONN;
			break;
		}
		ret = virtqueue_add_sgs(hd->tx, sgs, out, 1, req, GFP_ATOMIC);
		if (ret != -ENOSPC)
			break;
		/* The ring is full: wait for the device to return some. */
		spin_unlock_irq(&hd->tx_lock);
		left = (long)(deadline - jiffies);
		if (left <= 0 ||
		    !wait_event_timeout(hd->tx_space, hvio_tx_can_queue(hd, n),
					left)) {
			atomic64_inc(&hd->stats.timeouts);
			kfree(req);
			return -ETIMEDOUT;
		}
		spin_lock_irq(&hd->tx_lock);
	}
	if (ret) {
		spin_unlock_irq(&hd->tx_lock);
		kfree(req);
		return ret;
	}
	/* Under the lock: remove may free the vq as soon as it is dropped. */
	virtqueue_kick(hd->tx);
	spin_unlock_irq(&hd->tx_lock);
	atomic64_inc(&hd->stats.requests);

	left = (long)(deadline - jiffies);
	left = wait_for_completion_killable_timeout(&req->completion,
						    max(left, 1L));
	spin_lock_irq(&hd->tx_lock);
	if (!req->done) {
		/* The device still owns the buffers: leave the req to it. */
		req->abandoned = true;
		spin_unlock_irq(&hd->tx_lock);
		if (left < 0)
			return -EINTR;
		atomic64_inc(&hd->stats.timeouts);
		return -ETIMEDOUT;
	}
	spin_unlock_irq(&hd->tx_lock);
	ret = req->status;
	if (!ret && value)
		*value = le64_to_cpu(req->resp.value);
	kfree(req);
	return ret;
}

/* Refuse new requests; queued ones are failed by hvio_tx_drain(). */
void hvio_tx_stop(struct hvio_dev *hd)
{
	spin_lock_irq(&hd->tx_lock);
	hd->tx_live = false;
	spin_unlock_irq(&hd->tx_lock);
	wake_up_all(&hd->tx_space);
}

void hvio_tx_start(struct hvio_dev *hd)
{
	spin_lock_irq(&hd->tx_lock);
	hd->tx_live = true;
	spin_unlock_irq(&hd->tx_lock);
}

/* After the device reset: fail every request it still held. */
void hvio_tx_drain(struct hvio_dev *hd)
{
	struct hvio_req *req;

	spin_lock_irq(&hd->tx_lock);
	while ((req = virtqueue_detach_unused_buf(hd->tx))) {
		atomic64_inc(&hd->stats.failed);
		hvio_req_finish(req, -ENOTCONN);
	}
	spin_unlock_irq(&hd->tx_lock);
}

/* ---------------------------------------------------------------- rx */

void hvio_rx_done(struct virtqueue *vq)
{
	struct hvio_dev *hd = vq->vdev->priv;

	/* Spurious callbacks only queue a work item that finds nothing. */
	if (READ_ONCE(hd->rx_live))
		queue_work(hd->wq, &hd->rx_work);
}

static int hvio_rx_queue(struct hvio_dev *hd, void *buf)
{
	struct scatterlist sg;

	sg_init_one(&sg, buf, HVIO_RX_BUF_SIZE);
	return virtqueue_add_inbuf(hd->rx, &sg, 1, buf, GFP_KERNEL);
}

/* Fills the rx vq; the caller kicks once the device is ready. */
int hvio_rx_fill(struct hvio_dev *hd)
{
	unsigned int n = 0;
	void *buf;

	while (hd->rx->num_free) {
		buf = kmalloc(HVIO_RX_BUF_SIZE, GFP_KERNEL);
		if (!buf)
			break;
		if (hvio_rx_queue(hd, buf)) {
			kfree(buf);
			break;
		}
		n++;
	}
	return n ? 0 : -ENOMEM;
}

/* After the device reset or with rx_work stopped. */
void hvio_rx_free(struct hvio_dev *hd)
{
	void *buf;

	while ((buf = virtqueue_detach_unused_buf(hd->rx)))
		kfree(buf);
}

static void hvio_rx_event(struct hvio_dev *hd, const void *buf,
			  unsigned int used)
{
	const struct hvio_req_hdr *hdr = buf;
	u32 type, peer, len;
	void *old;

	if (used < sizeof(*hdr) || used > HVIO_RX_BUF_SIZE) {
		atomic64_inc(&hd->stats.bad_used_len);
		return;
	}
	type = le32_to_cpu(hdr->type);
	peer = le32_to_cpu(hdr->peer);
	len = le32_to_cpu(hdr->len);
	if (len > used - sizeof(*hdr) || peer == hd->be.own_domid)
		goto drop;

	switch (type) {
	case HVIO_T_MSG:
		if (!len)
			goto drop;
		atomic64_inc(&hd->stats.rx_msgs);
		/* The core validates the message before using it. */
		hdmabuf_receive(&hd->be, peer, hdr + 1, len);
		return;
	case HVIO_T_PEER_UP:
		old = xa_store(&hd->peers, peer, xa_mk_value(1), GFP_KERNEL);
		if (xa_is_err(old))
			goto drop;
		/*
		 * Up again without a down: the daemon restarted and forgot
		 * every announcement and mapping; start over with this peer.
		 */
		if (old)
			hdmabuf_peer_down(&hd->be, peer);
		hdmabuf_peer_up(&hd->be, peer);
		return;
	case HVIO_T_PEER_DOWN:
		if (!xa_erase(&hd->peers, peer))
			goto drop;
		hdmabuf_peer_down(&hd->be, peer);
		return;
	}
drop:
	atomic64_inc(&hd->stats.rx_dropped);
	dev_dbg(hd->dev, "dropped event type %u from %u, %u of %u bytes\n",
		type, peer, len, used);
}

#define HVIO_RX_BUDGET	64

void hvio_rx_work(struct work_struct *work)
{
	struct hvio_dev *hd = container_of(work, struct hvio_dev, rx_work);
	unsigned int used, n;
	bool requeued = false;
	void *buf;

	for (n = 0; n < HVIO_RX_BUDGET; n++) {
		/* Stopped by remove/freeze, which then reclaim the buffers. */
		if (!READ_ONCE(hd->rx_live))
			return;
		buf = virtqueue_get_buf(hd->rx, &used);
		if (!buf)
			break;
		hvio_rx_event(hd, buf, used);
		if (hvio_rx_queue(hd, buf))
			kfree(buf);
		else
			requeued = true;
	}
	if (requeued)
		virtqueue_kick(hd->rx);
	/* Let other work run; what is left is picked up right after. */
	if (n == HVIO_RX_BUDGET)
		queue_work(hd->wq, &hd->rx_work);
}

/* Every peer the device reported is down now (rx_work is stopped). */
void hvio_peers_down(struct hvio_dev *hd)
{
	unsigned long peer;
	void *entry;

	xa_for_each(&hd->peers, peer, entry) {
		xa_erase(&hd->peers, peer);
		hdmabuf_peer_down(&hd->be, peer);
	}
}
