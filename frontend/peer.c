// SPDX-License-Identifier: GPL-2.0
/*
 * Backends, peers and the message channel: registration, the HELLO
 * exchange, request/reply matching and the receive path, where every
 * message is validated before any handler sees it.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>

#include "hdmabuf_compat.h"
#include "internal.h"

static LIST_HEAD(hdmabuf_backends);
struct srcu_struct hdmabuf_backend_srcu;

/**
 * struct hdmabuf_request - a request waiting for its reply
 * @node: entry in the peer's request list, under its req_lock.
 * @id: the req_id the reply must carry.
 * @op: the opcode the reply must carry.
 * @done: completed by the receive path.
 * @reply: where the reply payload (after the header) goes.
 * @reply_cap: bytes available at @reply.
 * @reply_len: bytes of reply payload received.
 */
struct hdmabuf_request {
	struct list_head node;
	u64 id;
	u16 op;
	struct completion done;
	void *reply;
	size_t reply_cap;
	size_t reply_len;
};

static const u64 hdmabuf_local_features = HDMABUF_FEAT_CPU_ACCESS |
					  HDMABUF_FEAT_REVOKE |
					  HDMABUF_FEAT_FENCES;

struct hdmabuf_backend *hdmabuf_backend_find(u32 type)
{
	struct hdmabuf_backend *be;

	lockdep_assert_held(&hdmabuf_lock);
	/* The first instance registered for a type is the exporting one. */
	list_for_each_entry(be, &hdmabuf_backends, node)
		if (be->type == type)
			return be;
	return NULL;
}

struct hdmabuf_peer *hdmabuf_peer_find(struct hdmabuf_backend *be, u64 domid)
{
	struct hdmabuf_peer *peer;

	lockdep_assert_held(&hdmabuf_lock);
	list_for_each_entry(peer, &be->peers, node)
		if (peer->domid == domid)
			return peer;
	return NULL;
}

void hdmabuf_peer_get(struct hdmabuf_peer *peer)
{
	kref_get(&peer->ref);
}

static void hdmabuf_peer_free(struct kref *ref)
{
	struct hdmabuf_peer *peer = container_of(ref, struct hdmabuf_peer,
						 ref);

	/* Only unregistering drops the list's reference, after a teardown. */
	WARN_ON(!peer->dead || !list_empty(&peer->shares));
	kfree(peer);
}

void hdmabuf_peer_put(struct hdmabuf_peer *peer)
{
	kref_put(&peer->ref, hdmabuf_peer_free);
}

void hdmabuf_fill_backend_info(struct hyper_dmabuf_info *info)
{
	struct hdmabuf_backend *be;
	u32 n = 0;

	mutex_lock(&hdmabuf_lock);
	list_for_each_entry(be, &hdmabuf_backends, node) {
		struct hyper_dmabuf_backend_info *bi;
		struct hdmabuf_backend *first = hdmabuf_backend_find(be->type);

		/* Only the exporting instance of each type is a local VM. */
		if (first != be)
			continue;
		if (n == HYPER_DMABUF_MAX_BACKENDS)
			break;
		bi = &info->backends[n++];
		bi->id = be->type;
		bi->own_domid = be->own_domid;
		strscpy(bi->name, be->name, sizeof(bi->name));
	}
	info->nr_backends = n;
	mutex_unlock(&hdmabuf_lock);
}

int hdmabuf_backend_register(struct hdmabuf_backend *be)
{
	if (WARN_ON(!be->ops || !be->ops->send || !be->ops->share ||
		    !be->ops->unshare || !be->ops->map || !be->ops->unmap ||
		    !be->type || !be->name[0]))
		return -EINVAL;

	INIT_LIST_HEAD(&be->peers);
	mutex_lock(&hdmabuf_lock);
	list_add_tail(&be->node, &hdmabuf_backends);
	mutex_unlock(&hdmabuf_lock);
	pr_debug("backend %s registered, domain %llu\n", be->name,
		 be->own_domid);
	return 0;
}
HDMABUF_EXPORT(hdmabuf_backend_register);

/*
 * Fails every pending request at once and refuses new ones until the peer
 * is up again: waiters see reply_len == 0 and return -ECONNRESET.
 */
static void hdmabuf_peer_fail_requests(struct hdmabuf_peer *peer)
{
	struct hdmabuf_request *req, *tmp;

	spin_lock(&peer->req_lock);
	peer->reqs_open = false;
	list_for_each_entry_safe(req, tmp, &peer->reqs, node) {
		list_del_init(&req->node);
		req->reply_len = 0;
		complete(&req->done);
	}
	spin_unlock(&peer->req_lock);
}

static void hdmabuf_peer_open_requests(struct hdmabuf_peer *peer)
{
	spin_lock(&peer->req_lock);
	peer->reqs_open = true;
	spin_unlock(&peer->req_lock);
}

/*
 * Forgets everything shared with @peer: it died, said BYE, or its backend
 * is going away.  Imports from it are revoked, its offers dropped, our
 * exports to it unshared, and requests to it fail now rather than after
 * reply_timeout_ms.  Idempotent; the peer stays allocated.
 */
static void hdmabuf_peer_teardown(struct hdmabuf_peer *peer)
{
	struct hyper_dmabuf_event ev = {
		.type = HYPER_DMABUF_EVENT_PEER_DOWN,
		.backend = peer->type,
		.peer = peer->domid,
	};
	bool was_known;

	/*
	 * First, under hdmabuf_lock, so that no offer, export or import can
	 * be registered for this peer after the sweeps below have run.
	 */
	mutex_lock(&hdmabuf_lock);
	was_known = peer->connected || peer->remote_hello;
	peer->up = false;
	peer->connected = false;
	peer->remote_hello = false;
	peer->epoch++;
	mutex_unlock(&hdmabuf_lock);

	/* Requests first: an ATTACH in flight must give up its lock. */
	hdmabuf_peer_fail_requests(peer);
	hdmabuf_fence_peer_down(peer);
	hdmabuf_offers_peer_down(peer);
	hdmabuf_exports_peer_down(peer);
	if (was_known) {
		atomic64_inc(&hdmabuf_stats.peer_downs);
		hdmabuf_event_broadcast(&ev);
	}
}

/* An orderly goodbye; the peer tears down its side when it arrives. */
static void hdmabuf_peer_send_bye(struct hdmabuf_peer *peer)
{
	struct hdmabuf_msg_bye bye = {
		.reason = cpu_to_le32(HDMABUF_BYE_SHUTDOWN),
	};
	bool known;

	mutex_lock(&hdmabuf_lock);
	known = peer->up && (peer->connected || peer->remote_hello);
	mutex_unlock(&hdmabuf_lock);
	if (known && !hdmabuf_send(peer, HDMABUF_OP_BYE, 0, 0, &bye,
				   sizeof(bye)))
		atomic64_inc(&hdmabuf_stats.tx_bye);
}

/*
 * Buffers may outlive the backend (a virtio device can be removed while
 * they live): its peers die here as in hdmabuf_peer_down(), and stay
 * allocated, dead, until the last export, offer or request lets go of them.
 */
void hdmabuf_backend_unregister(struct hdmabuf_backend *be)
{
	struct hdmabuf_peer *peer, *tmp;
	LIST_HEAD(dead);

	/* The list changes only in peer_up, which the backend stopped. */
	list_for_each_entry(peer, &be->peers, node)
		hdmabuf_peer_send_bye(peer);

	mutex_lock(&hdmabuf_lock);
	/* Nothing finds the backend or its peers any more... */
	list_del(&be->node);
	list_splice_init(&be->peers, &dead);
	/* ...and nothing that holds a peer starts calling the backend. */
	list_for_each_entry(peer, &dead, node)
		WRITE_ONCE(peer->dead, true);
	mutex_unlock(&hdmabuf_lock);

	list_for_each_entry(peer, &dead, node)
		hdmabuf_peer_teardown(peer);
	/* Calls that started before are done: only unmap/vunmap may follow. */
	synchronize_srcu(&hdmabuf_backend_srcu);

	list_for_each_entry_safe(peer, tmp, &dead, node) {
		list_del_init(&peer->node);
		hdmabuf_peer_put(peer);
	}
}
HDMABUF_EXPORT(hdmabuf_backend_unregister);

void hdmabuf_peers_show_fences(struct seq_file *m)
{
	struct hdmabuf_backend *be;
	struct hdmabuf_peer *peer;

	/* Peers are freed only under hdmabuf_lock. */
	mutex_lock(&hdmabuf_lock);
	list_for_each_entry(be, &hdmabuf_backends, node)
		list_for_each_entry(peer, &be->peers, node)
			hdmabuf_fence_peer_show(m, peer);
	mutex_unlock(&hdmabuf_lock);
}

void hdmabuf_peer_up(struct hdmabuf_backend *be, u64 domid)
{
	struct hdmabuf_peer *peer;

	mutex_lock(&hdmabuf_lock);
	peer = hdmabuf_peer_find(be, domid);
	if (!peer) {
		peer = kzalloc(sizeof(*peer), GFP_KERNEL);
		if (!peer) {
			mutex_unlock(&hdmabuf_lock);
			pr_err("no memory for peer %llu\n", domid);
			return;
		}
		kref_init(&peer->ref);	/* the list's */
		peer->be = be;
		peer->type = be->type;
		peer->owner = be->owner;
		INIT_LIST_HEAD(&peer->shares);
		peer->domid = domid;
		peer->next_id = 1;
		mutex_init(&peer->connect_lock);
		spin_lock_init(&peer->req_lock);
		INIT_LIST_HEAD(&peer->reqs);
		hdmabuf_fence_peer_init(peer);
		list_add_tail(&peer->node, &be->peers);
	}
	peer->up = true;
	mutex_unlock(&hdmabuf_lock);
	hdmabuf_peer_open_requests(peer);
	hdmabuf_fence_peer_up(peer);
	/* HELLO is sent lazily, by the first user of the peer. */
}
HDMABUF_EXPORT(hdmabuf_peer_up);

void hdmabuf_peer_down(struct hdmabuf_backend *be, u64 domid)
{
	struct hdmabuf_peer *peer;

	mutex_lock(&hdmabuf_lock);
	peer = hdmabuf_peer_find(be, domid);
	if (peer)
		hdmabuf_peer_get(peer);
	mutex_unlock(&hdmabuf_lock);
	if (peer) {
		hdmabuf_peer_teardown(peer);
		hdmabuf_peer_put(peer);
	}
}
HDMABUF_EXPORT(hdmabuf_peer_down);

int hdmabuf_send(struct hdmabuf_peer *peer, u16 op, u32 flags, u64 req_id,
		 const void *payload, size_t len)
{
	struct hdmabuf_msg_hdr *hdr;
	int idx, ret;

	if (len > HDMABUF_MSG_MAX_PAYLOAD)
		return -EMSGSIZE;
	hdr = kmalloc(sizeof(*hdr) + len, GFP_KERNEL);
	if (!hdr)
		return -ENOMEM;
	hdmabuf_msg_init_hdr(hdr, op, flags, len, req_id);
	memcpy(hdr + 1, payload, len);
	/* A dead peer is as unreachable as the send op would say. */
	idx = srcu_read_lock(&hdmabuf_backend_srcu);
	ret = hdmabuf_peer_dead(peer) ? -ENOTCONN :
	      peer->be->ops->send(peer->be, peer->domid, hdr,
				  sizeof(*hdr) + len);
	srcu_read_unlock(&hdmabuf_backend_srcu, idx);
	kfree(hdr);
	if (!ret)
		atomic64_inc(&hdmabuf_stats.tx);
	return ret;
}

int hdmabuf_reply(struct hdmabuf_peer *peer, u16 op, u64 req_id, int status,
		  const void *body, size_t len)
{
	struct hdmabuf_reply_hdr *rh;
	int ret;

	if (status)
		len = 0;
	rh = kmalloc(sizeof(*rh) + len, GFP_KERNEL);
	if (!rh)
		return -ENOMEM;
	rh->status = cpu_to_le32(hdmabuf_err_to_wire(status));
	rh->reserved = 0;
	if (len)
		memcpy(rh + 1, body, len);
	ret = hdmabuf_send(peer, op, HDMABUF_MSG_F_REPLY, req_id, rh,
			   sizeof(*rh) + len);
	kfree(rh);
	return ret;
}

/*
 * Sends a request and waits, at most reply_timeout_ms, for its reply.
 * Returns the reply's status as a negative errno, -ETIMEDOUT, -ENXIO when
 * the peer is down, or -ECONNRESET when it went down meanwhile.  On success the body
 * after the reply header is in @reply (truncated to @reply_cap).
 */
int hdmabuf_request(struct hdmabuf_peer *peer, u16 op, const void *payload,
		    size_t len, void *reply, size_t reply_cap,
		    size_t *reply_len)
{
	struct hdmabuf_request req = { .op = op };
	struct hdmabuf_reply_hdr *rh;
	size_t cap = sizeof(*rh) + reply_cap;
	unsigned long left;
	int ret;

	req.reply = kmalloc(cap, GFP_KERNEL);
	if (!req.reply)
		return -ENOMEM;
	req.reply_cap = cap;
	init_completion(&req.done);

	spin_lock(&peer->req_lock);
	if (!peer->reqs_open) {
		spin_unlock(&peer->req_lock);
		kfree(req.reply);
		return -ENXIO;
	}
	/* The caller's may go while we wait (a revoke unlinks an export). */
	hdmabuf_peer_get(peer);
	req.id = peer->next_id++;
	list_add_tail(&req.node, &peer->reqs);
	spin_unlock(&peer->req_lock);

	ret = hdmabuf_send(peer, op, HDMABUF_MSG_F_NEED_REPLY, req.id, payload,
			   len);
	if (ret)
		goto out_unlink;

	left = wait_for_completion_timeout(&req.done,
				msecs_to_jiffies(hdmabuf_reply_timeout_ms));
	if (!left) {
		atomic64_inc(&hdmabuf_stats.timeouts);
		ret = -ETIMEDOUT;
		goto out_unlink;
	}
	if (req.reply_len < sizeof(*rh)) {
		ret = -ECONNRESET;
		goto out_free;
	}
	rh = req.reply;
	ret = hdmabuf_err_from_wire(le32_to_cpu(rh->status));
	if (!ret && reply) {
		memcpy(reply, rh + 1, req.reply_len - sizeof(*rh));
		if (reply_len)
			*reply_len = req.reply_len - sizeof(*rh);
	}
	goto out_free;

out_unlink:
	/* The receive path may have completed us meanwhile; either way. */
	spin_lock(&peer->req_lock);
	list_del_init(&req.node);
	spin_unlock(&peer->req_lock);
out_free:
	kfree(req.reply);
	hdmabuf_peer_put(peer);
	return ret;
}

/* Returns true if a waiting request took the reply. */
static bool hdmabuf_match_reply(struct hdmabuf_peer *peer,
				const struct hdmabuf_msg_hdr *hdr,
				const void *payload, size_t len)
{
	u64 id = le64_to_cpu(hdr->req_id);
	u16 op = le16_to_cpu(hdr->opcode);
	struct hdmabuf_request *req;
	bool found = false;

	spin_lock(&peer->req_lock);
	list_for_each_entry(req, &peer->reqs, node) {
		if (req->id != id || req->op != op)
			continue;
		req->reply_len = min(len, req->reply_cap);
		memcpy(req->reply, payload, req->reply_len);
		list_del_init(&req->node);
		complete(&req->done);
		found = true;
		break;
	}
	spin_unlock(&peer->req_lock);
	return found;
}

/* The peer could not handle one of our requests at all: fail it now. */
static void hdmabuf_fail_request(struct hdmabuf_peer *peer,
				 const struct hdmabuf_msg_err *err)
{
	u64 id = le64_to_cpu(err->bad_req_id);
	struct hdmabuf_reply_hdr rh = { .status = err->status };
	struct hdmabuf_request *req;

	spin_lock(&peer->req_lock);
	list_for_each_entry(req, &peer->reqs, node) {
		if (req->id != id)
			continue;
		req->reply_len = sizeof(rh);
		memcpy(req->reply, &rh, sizeof(rh));
		list_del_init(&req->node);
		complete(&req->done);
		break;
	}
	spin_unlock(&peer->req_lock);
}

static void hdmabuf_hello_fill(struct hdmabuf_backend *be,
			       struct hdmabuf_msg_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->version_min = cpu_to_le16(HDMABUF_PROTO_VERSION_MIN);
	h->version_max = cpu_to_le16(HDMABUF_PROTO_VERSION_MAX);
	h->features = cpu_to_le64(hdmabuf_local_features);
	h->sender_id = cpu_to_le64(be->own_domid);
}

/* Makes sure our HELLO was answered; called before using a peer. */
int hdmabuf_peer_connect(struct hdmabuf_peer *peer)
{
	struct hdmabuf_msg_hello hello, reply;
	struct hyper_dmabuf_event ev = {
		.type = HYPER_DMABUF_EVENT_PEER_UP,
		.backend = peer->type,
		.peer = peer->domid,
	};
	unsigned int epoch;
	size_t rlen = 0;
	u64 features;
	u16 version;
	int ret;

	mutex_lock(&peer->connect_lock);
	mutex_lock(&hdmabuf_lock);
	ret = peer->up ? (peer->connected ? 1 : 0) : -ENXIO;
	epoch = peer->epoch;
	mutex_unlock(&hdmabuf_lock);
	if (ret)
		goto out;

	hdmabuf_hello_fill(peer->be, &hello);
	ret = hdmabuf_request(peer, HDMABUF_OP_HELLO, &hello, sizeof(hello),
			      &reply, sizeof(reply), &rlen);
	if (ret)
		goto out;
	/* The validator guaranteed a full hello body in a success reply. */
	ret = hdmabuf_hello_negotiate(HDMABUF_PROTO_VERSION_MIN,
				      HDMABUF_PROTO_VERSION_MAX,
				      hdmabuf_local_features, &reply,
				      &version, &features);
	if (ret)
		goto out;

	mutex_lock(&hdmabuf_lock);
	/* A reply from before a teardown does not connect the new peer. */
	if (peer->up && peer->epoch == epoch) {
		peer->version = version;
		peer->features = features;
		peer->connected = true;
	} else {
		ret = -ECONNRESET;
	}
	mutex_unlock(&hdmabuf_lock);
	if (!ret)
		hdmabuf_event_broadcast(&ev);
out:
	mutex_unlock(&peer->connect_lock);
	return ret < 0 ? ret : 0;
}

static void hdmabuf_handle_hello(struct hdmabuf_peer *peer,
				 const struct hdmabuf_msg_hdr *hdr,
				 const struct hdmabuf_msg_hello *remote)
{
	struct hdmabuf_msg_hello mine;
	u64 features;
	u16 version;
	int ret;

	ret = hdmabuf_hello_negotiate(HDMABUF_PROTO_VERSION_MIN,
				      HDMABUF_PROTO_VERSION_MAX,
				      hdmabuf_local_features, remote,
				      &version, &features);
	if (!ret) {
		mutex_lock(&hdmabuf_lock);
		/* Not if a teardown overtook us since the receive check. */
		peer->remote_hello = peer->up;
		mutex_unlock(&hdmabuf_lock);
	}
	hdmabuf_hello_fill(peer->be, &mine);
	hdmabuf_reply(peer, HDMABUF_OP_HELLO, le64_to_cpu(hdr->req_id), ret,
		      &mine, sizeof(mine));
}

static void hdmabuf_send_error(struct hdmabuf_peer *peer, const void *msg,
			       size_t len, int err)
{
	struct hdmabuf_msg_err body = { };
	struct hdmabuf_msg_hdr hdr;

	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, msg, sizeof(hdr));
	/* Never answer an ERROR or a reply: that could loop forever. */
	if (le16_to_cpu(hdr.opcode) == HDMABUF_OP_ERROR ||
	    le32_to_cpu(hdr.flags) & HDMABUF_MSG_F_REPLY)
		return;
	body.status = cpu_to_le32(hdmabuf_err_to_wire(err));
	body.bad_opcode = hdr.opcode;
	body.bad_req_id = hdr.req_id;
	hdmabuf_send(peer, HDMABUF_OP_ERROR, 0, 0, &body, sizeof(body));
}

void hdmabuf_receive(struct hdmabuf_backend *be, u64 from, const void *msg,
		     size_t len)
{
	const struct hdmabuf_msg_hdr *hdr = msg;
	enum hdmabuf_msg_error why;
	struct hdmabuf_peer *peer;
	const void *payload;
	bool remote_hello;
	u64 features;
	u16 op;
	u32 flags;
	int ret;

	atomic64_inc(&hdmabuf_stats.rx);
	mutex_lock(&hdmabuf_lock);
	peer = hdmabuf_peer_find(be, from);
	if (!peer || !peer->up) {
		mutex_unlock(&hdmabuf_lock);
		atomic64_inc(&hdmabuf_stats.rx_rejected);
		return;
	}
	features = peer->connected ? peer->features : hdmabuf_local_features;
	remote_hello = peer->remote_hello;
	mutex_unlock(&hdmabuf_lock);

	/* Nothing from a peer is looked at before this returns 0. */
	ret = hdmabuf_msg_validate(msg, len, features, &why);
	if (ret) {
		atomic64_inc(&hdmabuf_stats.rx_rejected);
		pr_debug("peer %llu: rejected message: %s\n", from,
			 hdmabuf_msg_error_str(why));
		hdmabuf_send_error(peer, msg, len, ret);
		return;
	}

	op = le16_to_cpu(hdr->opcode);
	flags = le32_to_cpu(hdr->flags);
	payload = hdr + 1;
	len -= sizeof(*hdr);

	if (flags & HDMABUF_MSG_F_REPLY) {
		if (!hdmabuf_match_reply(peer, hdr, payload, len))
			atomic64_inc(&hdmabuf_stats.rx_unmatched);
		return;
	}

	switch (op) {
	case HDMABUF_OP_HELLO:
		hdmabuf_handle_hello(peer, hdr, payload);
		return;
	case HDMABUF_OP_BYE:
		atomic64_inc(&hdmabuf_stats.rx_bye);
		hdmabuf_peer_teardown(peer);
		/*
		 * The transport itself is still there: the peer may come back
		 * with a fresh HELLO, as after hdmabuf_peer_up().
		 */
		mutex_lock(&hdmabuf_lock);
		/* Unless its backend is unregistering right now. */
		peer->up = !peer->dead;
		mutex_unlock(&hdmabuf_lock);
		if (READ_ONCE(peer->dead))
			return;
		hdmabuf_peer_open_requests(peer);
		hdmabuf_fence_peer_up(peer);
		return;
	case HDMABUF_OP_ERROR:
		hdmabuf_fail_request(peer, payload);
		return;
	}

	/* Buffer messages only after the peer introduced itself. */
	if (!remote_hello) {
		atomic64_inc(&hdmabuf_stats.rx_early);
		if (flags & HDMABUF_MSG_F_NEED_REPLY)
			hdmabuf_reply(peer, op, le64_to_cpu(hdr->req_id),
				      -EPROTO, NULL, 0);
		return;
	}

	switch (op) {
	case HDMABUF_OP_EXPORT_ANNOUNCE:
	case HDMABUF_OP_UNEXPORT:
		hdmabuf_import_handle_msg(peer, hdr, payload, len);
		break;
	case HDMABUF_OP_IMPORT:
	case HDMABUF_OP_RELEASE:
	case HDMABUF_OP_CPU_ACCESS:
		hdmabuf_export_handle_msg(peer, hdr, payload);
		break;
	case HDMABUF_OP_FENCE_ATTACH:
	case HDMABUF_OP_FENCE_SIGNAL:
		hdmabuf_fence_handle_msg(peer, hdr, payload);
		break;
	default:
		/* Valid but not implemented here (e.g. fences). */
		atomic64_inc(&hdmabuf_stats.rx_rejected);
		hdmabuf_send_error(peer, msg, len + sizeof(*hdr), -EOPNOTSUPP);
		break;
	}
}
HDMABUF_EXPORT(hdmabuf_receive);
