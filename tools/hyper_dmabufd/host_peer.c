// SPDX-License-Identifier: GPL-2.0
/*
 * host_peer.c - the host (domain 0) as a hyper_dmabuf peer of every guest:
 * the connection state machine of docs/protocol.rst (HELLO, BYE, ERROR),
 * the buffers guests announce to the host (offers), and the IMPORT /
 * RELEASE / UNEXPORT exchanges behind the host importers' requests
 * (host_api.c).  The host exports nothing: a guest's IMPORT is refused.
 *
 * Everything a guest sends was validated by device.c against every
 * feature; it is validated again here against the negotiated ones, and
 * every handle is looked up among that guest's offers only.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "host_api.h"

#define HP_MAX_OFFERS		1024	/* per guest */
#define HP_MAX_WAITERS		8	/* clients waiting for one IMPORT */
#define HP_IMPORT_TIMEOUT_NS	(5ull * 1000000000ull)
#define HP_FEATURES		HDMABUF_FEAT_REVOKE

/*
 * As in the Linux frontend (frontend/peer.c), buffer messages are accepted
 * once the guest's HELLO was answered (@remote_hello); our own HELLO is
 * sent once per connection and its reply only logged.  A guest restart is
 * seen by the device (host_peer_stop/start), a BYE here.
 */
enum hp_state { HP_DOWN, HP_HELLO_SENT, HP_CONNECTED };
enum of_state { OF_OFFERED, OF_IMPORTING, OF_IMPORTED };

struct offer {
	struct offer *next;
	struct hdmabuf_export_desc desc;	/* validated copy */
	enum of_state state;
	bool withdrawn;		/* UNEXPORT(WAIT): gone once released */
	unsigned int holders;	/* clients holding the import */
	uint64_t req_id;	/* IMPORT in flight */
	uint64_t deadline;
	unsigned int nwait;
	struct { uint32_t client, seq, flags; } wait[HP_MAX_WAITERS];
};

struct hpeer {
	struct guest *g;	/* NULL: slot unused */
	enum hp_state state;	/* of our HELLO */
	bool remote_hello;	/* the guest's HELLO was accepted */
	uint64_t features;	/* negotiated */
	uint64_t next_req;
	uint64_t hello_req;
	struct offer *offers;
	unsigned int noffers;
};

static struct hpeer peers[HDMABUFD_MAX_GUESTS];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct hpeer *peer_of(struct guest *g)
{
	unsigned int i;

	for (i = 0; i < HDMABUFD_MAX_GUESTS; i++)
		if (peers[i].g == g)
			return &peers[i];
	for (i = 0; i < HDMABUFD_MAX_GUESTS; i++)
		if (!peers[i].g) {
			peers[i].g = g;
			return &peers[i];
		}
	return NULL;	/* cannot happen: one slot per guest */
}

static struct hpeer *peer_by_domid(uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < HDMABUFD_MAX_GUESTS; i++)
		if (peers[i].g && peers[i].g->domid == domid)
			return &peers[i];
	return NULL;
}

static struct offer *offer_find(struct hpeer *p, const uint8_t *handle)
{
	struct offer *o;

	for (o = p->offers; o; o = o->next)
		if (!memcmp(o->desc.handle.bytes, handle, 16))
			return o;
	return NULL;
}

static void offer_to_api(const struct hpeer *p, const struct offer *o,
			 struct hdmh_offer *out)
{
	const struct hdmabuf_export_desc *d = &o->desc;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->domid = p->g->domid;
	out->access = le32toh(d->access);
	memcpy(out->handle, d->handle.bytes, 16);
	out->size = le64toh(d->size);
	out->nr_pages = le64toh(d->nr_pages);
	out->first_offset = le32toh(d->first_offset);
	out->fourcc = le32toh(d->fourcc);
	out->modifier = le64toh(d->modifier);
	out->width = le32toh(d->width);
	out->height = le32toh(d->height);
	out->nr_planes = le32toh(d->nr_planes);
	out->imported = o->state == OF_IMPORTED;
	for (i = 0; i < 4; i++) {
		out->planes[i].offset = le32toh(d->planes[i].offset);
		out->planes[i].stride = le32toh(d->planes[i].stride);
	}
}

/* ---- sending ---------------------------------------------------------- */

static int hp_send(struct hpeer *p, uint16_t op, uint32_t flags,
		   uint64_t req_id, const void *pl, uint32_t len)
{
	uint8_t buf[sizeof(struct hdmabuf_msg_hdr) + HDMABUF_MSG_MAX_PAYLOAD];
	struct hdmabuf_msg_hdr h;

	if (len > HDMABUF_MSG_MAX_PAYLOAD)
		return -EMSGSIZE;
	hdmabuf_msg_init_hdr(&h, op, flags, len, req_id);
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), pl, len);
	return dev_host_send(p->g, VIRTIO_DMABUF_T_MSG, buf,
			     (uint32_t)sizeof(h) + len);
}

static int hp_reply(struct hpeer *p, const struct hdmabuf_msg_hdr *req,
		    int err, const void *body, uint32_t body_len)
{
	uint8_t buf[HDMABUF_MSG_MAX_PAYLOAD];
	struct hdmabuf_msg_hdr h;
	struct hdmabuf_reply_hdr r;

	hdmabuf_msg_init_reply(&h, &r, req, err, body_len);
	memcpy(buf, &r, sizeof(r));
	if (!err && body_len)
		memcpy(buf + sizeof(r), body, body_len);
	return hp_send(p, le16toh(req->opcode), HDMABUF_MSG_F_REPLY,
		       le64toh(req->req_id), buf, le32toh(h.payload_len));
}

static void hp_send_error(struct hpeer *p, const struct hdmabuf_msg_hdr *bad,
			  int err)
{
	struct hdmabuf_msg_err e = {
		.status = htole32(hdmabuf_err_to_wire(err)),
		.bad_opcode = bad->opcode,
		.bad_req_id = bad->req_id,
	};

	/* never answer an ERROR or a reply: two broken peers would loop */
	if (le16toh(bad->opcode) == HDMABUF_OP_ERROR ||
	    (le32toh(bad->flags) & HDMABUF_MSG_F_REPLY))
		return;
	hp_send(p, HDMABUF_OP_ERROR, 0, 0, &e, sizeof(e));
}

static void hp_send_handle(struct hpeer *p, uint16_t op, const uint8_t *handle)
{
	struct hdmabuf_msg_release r = { 0 };	/* RELEASE layout */

	memcpy(r.handle.bytes, handle, 16);
	hp_send(p, op, 0, 0, &r, sizeof(r));
}

static void hp_send_hello(struct hpeer *p)
{
	struct hdmabuf_msg_hello h = {
		.version_min = htole16(HDMABUF_PROTO_VERSION),
		.version_max = htole16(HDMABUF_PROTO_VERSION),
		.features = htole64(HP_FEATURES),
		.sender_id = htole64(HDMH_HOST_DOMID),
	};

	p->hello_req = p->next_req++;
	if (!hp_send(p, HDMABUF_OP_HELLO, HDMABUF_MSG_F_NEED_REPLY,
		     p->hello_req, &h, sizeof(h)))
		p->state = HP_HELLO_SENT;
}

/* ---- offers ----------------------------------------------------------- */

static void offer_fail_waiters(struct hpeer *p, struct offer *o, int err)
{
	unsigned int i;

	for (i = 0; i < o->nwait; i++)
		host_api_import_done(o->wait[i].client, o->wait[i].seq,
				     o->wait[i].flags, err, p->g, &o->desc);
	o->nwait = 0;
}

static void offer_unlink(struct hpeer *p, struct offer *o)
{
	struct offer **pp;

	for (pp = &p->offers; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			p->noffers--;
			break;
		}
	free(o);
}

/* Forget every offer of @p: clients are told, holds are dropped. */
static void peer_reset(struct hpeer *p, const char *why)
{
	bool was_up = p->remote_hello;

	if (p->offers)
		logmsg(LOG_INFO, "host: %u offer(s) of %s revoked (%s)",
		       p->noffers, p->g->name, why);
	while (p->offers) {
		struct offer *o = p->offers;

		offer_fail_waiters(p, o, -ECONNRESET);
		host_api_revoked(p->g->domid, o->desc.handle.bytes,
				 HDMH_REVOKED_PEER_DOWN);
		offer_unlink(p, o);
	}
	p->state = HP_DOWN;
	p->remote_hello = false;
	p->features = 0;
	if (was_up)
		host_api_peer_event(p->g->domid, false);
}

static void on_announce(struct hpeer *p, const struct hdmabuf_msg_hdr *h,
			const uint8_t *pl)
{
	struct hdmabuf_export_desc d;
	struct hdmh_offer ev;
	struct offer *o;

	memcpy(&d, pl, sizeof(d));
	if (d.ref_size != 8) {	/* virtio exports are frame numbers */
		hp_send_error(p, h, -EINVAL);
		return;
	}
	o = offer_find(p, d.handle.bytes);
	if (o) {
		/* the same handle again: only a fresh one may change */
		if (o->state != OF_OFFERED || o->withdrawn)
			return;
		o->desc = d;
	} else {
		if (p->noffers >= HP_MAX_OFFERS) {
			logmsg(LOG_ERR, "host: %s announced more than %u buffers; "
			       "ignoring the new one", p->g->name, HP_MAX_OFFERS);
			return;
		}
		o = calloc(1, sizeof(*o));
		if (!o)
			return;
		o->desc = d;
		o->next = p->offers;
		p->offers = o;
		p->noffers++;
	}
	logmsg(LOG_INFO, "host: %s offers %llu bytes (%s)", p->g->name,
	       (unsigned long long)le64toh(d.size),
	       le32toh(d.access) == HDMABUF_ACCESS_RW ? "rw" : "ro");
	offer_to_api(p, o, &ev);
	host_api_offer_event(&ev);
}

static void on_import_reply(struct hpeer *p, const struct hdmabuf_msg_hdr *h,
			    const uint8_t *pl, uint32_t plen)
{
	uint64_t req = le64toh(h->req_id);
	struct hdmabuf_reply_hdr r;
	struct offer *o;
	unsigned int i;
	int err;

	for (o = p->offers; o; o = o->next)
		if (o->state == OF_IMPORTING && o->req_id == req)
			break;
	if (!o)
		return;		/* late or forged: dropped (the timeout released) */
	memcpy(&r, pl, sizeof(r));
	err = hdmabuf_err_from_wire(le32toh(r.status));
	if (!err) {
		struct hdmabuf_export_desc d;

		/* validated: status 0 carries a descriptor */
		memcpy(&d, pl + sizeof(r), sizeof(d));
		if (plen < sizeof(r) + sizeof(d) ||
		    memcmp(d.handle.bytes, o->desc.handle.bytes, 16) ||
		    d.ref_size != 8) {
			err = -EPROTO;
			hp_send_handle(p, HDMABUF_OP_RELEASE, o->desc.handle.bytes);
		} else {
			o->desc = d;	/* the accept is authoritative */
		}
	}
	o->req_id = 0;
	if (err) {
		o->state = OF_OFFERED;
		offer_fail_waiters(p, o, err);
		if (o->withdrawn)
			offer_unlink(p, o);
		return;
	}
	o->state = OF_IMPORTED;
	for (i = 0; i < o->nwait; i++)
		if (!host_api_import_done(o->wait[i].client, o->wait[i].seq,
					  o->wait[i].flags, 0, p->g, &o->desc))
			o->holders++;
	o->nwait = 0;
	if (!o->holders) {	/* nobody took it after all */
		hp_send_handle(p, HDMABUF_OP_RELEASE, o->desc.handle.bytes);
		o->state = OF_OFFERED;
		if (o->withdrawn)
			offer_unlink(p, o);
	}
}

static void on_unexport(struct hpeer *p, const struct hdmabuf_msg_hdr *h,
			const uint8_t *pl)
{
	struct hdmabuf_msg_unexport u;
	bool revoke;
	struct offer *o;

	memcpy(&u, pl, sizeof(u));
	revoke = le32toh(u.mode) == HDMABUF_UNEXPORT_REVOKE;
	o = offer_find(p, u.handle.bytes);
	if (!o) {
		if (revoke)
			hp_reply(p, h, -ENOENT, NULL, 0);
		return;
	}
	host_api_revoked(p->g->domid, u.handle.bytes,
			 revoke ? HDMH_REVOKED_REVOKE : HDMH_REVOKED_UNEXPORT);
	if (revoke) {
		/*
		 * host_api_revoked() dropped every client's hold: the host
		 * no longer uses the buffer (host_api.c, docs/host-api.rst
		 * on what a client may still have mapped).
		 */
		offer_fail_waiters(p, o, -ESTALE);
		offer_unlink(p, o);
		hp_reply(p, h, 0, NULL, 0);
		return;
	}
	o->withdrawn = true;
	if (o->state == OF_OFFERED)
		offer_unlink(p, o);
	/* imported: RELEASE when the last client lets go */
}

/* ---- receiving -------------------------------------------------------- */

int host_peer_msg(struct guest *g, const uint8_t *msg, uint32_t len)
{
	struct hpeer *p = peer_of(g);
	enum hdmabuf_msg_error why;
	struct hdmabuf_msg_hdr h;
	const uint8_t *pl = msg + sizeof(h);
	uint32_t plen, flags;
	uint16_t op;
	int err;

	if (!p || !host_api_enabled())
		return -ENOTCONN;
	err = hdmabuf_msg_validate(msg, len, p->features, &why);
	memcpy(&h, msg, sizeof(h));
	if (err) {
		logmsg(LOG_INFO, "host: message from %s rejected: %s", g->name,
		       hdmabuf_msg_error_str(why));
		hp_send_error(p, &h, err);
		return 0;	/* delivered to the host, which refused it */
	}
	op = le16toh(h.opcode);
	flags = le32toh(h.flags);
	plen = len - (uint32_t)sizeof(h);

	switch (op) {
	case HDMABUF_OP_HELLO:
		if (flags & HDMABUF_MSG_F_REPLY) {
			struct hdmabuf_reply_hdr r;
			struct hdmabuf_msg_hello hb;
			uint16_t ver;
			__u64 feat;

			if (p->state != HP_HELLO_SENT ||
			    le64toh(h.req_id) != p->hello_req)
				return 0;
			memcpy(&r, pl, sizeof(r));
			if (r.status || plen < sizeof(r) + sizeof(hb)) {
				p->state = HP_DOWN;
				return 0;
			}
			memcpy(&hb, pl + sizeof(r), sizeof(hb));
			if (hdmabuf_hello_negotiate(HDMABUF_PROTO_VERSION,
						    HDMABUF_PROTO_VERSION,
						    HP_FEATURES, &hb, &ver, &feat)) {
				struct hdmabuf_msg_bye b = {
					.reason = htole32(HDMABUF_BYE_PROTOCOL_ERROR),
				};

				hp_send(p, HDMABUF_OP_BYE, 0, 0, &b, sizeof(b));
				peer_reset(p, "no common protocol version");
				return 0;
			}
			p->state = HP_CONNECTED;
		} else {
			struct hdmabuf_msg_hello hb, mine = {
				.version_min = htole16(HDMABUF_PROTO_VERSION),
				.version_max = htole16(HDMABUF_PROTO_VERSION),
				.features = htole64(HP_FEATURES),
				.sender_id = htole64(HDMH_HOST_DOMID),
			};
			uint16_t ver;
			__u64 feat;

			memcpy(&hb, pl, sizeof(hb));
			if (hdmabuf_hello_negotiate(HDMABUF_PROTO_VERSION,
						    HDMABUF_PROTO_VERSION,
						    HP_FEATURES, &hb, &ver, &feat)) {
				hp_reply(p, &h, -EPROTO, NULL, 0);
				return 0;
			}
			hp_reply(p, &h, 0, &mine, sizeof(mine));
			p->features = feat;
			if (!p->remote_hello) {
				p->remote_hello = true;
				logmsg(LOG_INFO, "host: connected to %s (features %#llx)",
				       g->name, (unsigned long long)feat);
				host_api_peer_event(g->domid, true);
			}
			if (p->state == HP_DOWN)
				hp_send_hello(p);
		}
		return 0;
	case HDMABUF_OP_BYE:
		peer_reset(p, "BYE");
		return 0;
	case HDMABUF_OP_ERROR:
		logmsg(LOG_INFO, "host: ERROR from %s", g->name);
		return 0;
	default:
		break;
	}
	if (!p->remote_hello) {
		if (flags & HDMABUF_MSG_F_NEED_REPLY)
			hp_reply(p, &h, -EPROTO, NULL, 0);
		else
			hp_send_error(p, &h, -EPROTO);
		return 0;
	}
	switch (op) {
	case HDMABUF_OP_EXPORT_ANNOUNCE:
		on_announce(p, &h, pl);
		break;
	case HDMABUF_OP_IMPORT:
		if (flags & HDMABUF_MSG_F_REPLY)
			on_import_reply(p, &h, pl, plen);
		else
			hp_reply(p, &h, -ENOENT, NULL, 0);	/* host exports nothing */
		break;
	case HDMABUF_OP_UNEXPORT:
		if (!(flags & HDMABUF_MSG_F_REPLY))
			on_unexport(p, &h, pl);
		break;
	case HDMABUF_OP_RELEASE:
		break;		/* of nothing the host exported */
	default:
		if (flags & HDMABUF_MSG_F_NEED_REPLY)
			hp_reply(p, &h, -EOPNOTSUPP, NULL, 0);
		break;
	}
	return 0;
}

/* ---- device lifecycle ------------------------------------------------- */

void host_peer_start(struct guest *g)
{
	struct hpeer *p = peer_of(g);

	if (!p || !host_api_enabled())
		return;
	peer_reset(p, "device restarted");
	p->next_req = 1;
	hp_send_hello(p);
}

void host_peer_stop(struct guest *g)
{
	struct hpeer *p = peer_of(g);

	if (p)
		peer_reset(p, "device stopped");
}

/* ---- requests of host clients ----------------------------------------- */

uint32_t host_peer_list(uint32_t start, struct hdmh_offer *out, uint32_t max,
			uint32_t *total)
{
	uint32_t i, idx = 0, n = 0;
	struct offer *o;

	for (i = 0; i < HDMABUFD_MAX_GUESTS; i++) {
		if (!peers[i].g)
			continue;
		for (o = peers[i].offers; o; o = o->next) {
			if (o->withdrawn)
				continue;
			if (idx >= start && n < max)
				offer_to_api(&peers[i], o, &out[n++]);
			idx++;
		}
	}
	*total = idx;
	return n;
}

int host_peer_import(uint32_t domid, const uint8_t *handle, uint32_t client,
		     uint32_t seq, uint32_t flags)
{
	struct hpeer *p = peer_by_domid(domid);
	struct hdmabuf_msg_import im = { 0 };
	struct offer *o;
	int err;

	if (!p || !p->remote_hello)
		return -ENOENT;
	o = offer_find(p, handle);
	if (!o || o->withdrawn)
		return -ENOENT;
	switch (o->state) {
	case OF_IMPORTED:
		err = host_api_import_done(client, seq, flags, 0, p->g, &o->desc);
		if (!err)
			o->holders++;
		return 0;	/* answered either way */
	case OF_IMPORTING:
		if (o->nwait == HP_MAX_WAITERS)
			return -EBUSY;
		break;
	case OF_OFFERED:
		memcpy(im.handle.bytes, handle, 16);
		o->req_id = p->next_req++;
		err = hp_send(p, HDMABUF_OP_IMPORT, HDMABUF_MSG_F_NEED_REPLY,
			      o->req_id, &im, sizeof(im));
		if (err)
			return err;
		o->state = OF_IMPORTING;
		o->deadline = now_ns() + HP_IMPORT_TIMEOUT_NS;
		break;
	}
	o->wait[o->nwait].client = client;
	o->wait[o->nwait].seq = seq;
	o->wait[o->nwait].flags = flags;
	o->nwait++;
	return 0;
}

void host_peer_release(uint32_t domid, const uint8_t *handle)
{
	struct hpeer *p = peer_by_domid(domid);
	struct offer *o = p ? offer_find(p, handle) : NULL;

	if (!o || o->state != OF_IMPORTED || !o->holders || --o->holders)
		return;
	hp_send_handle(p, HDMABUF_OP_RELEASE, handle);
	o->state = OF_OFFERED;
	if (o->withdrawn)
		offer_unlink(p, o);
}

void host_peer_timeouts(uint64_t now)
{
	unsigned int i;
	struct offer *o, *next;

	for (i = 0; i < HDMABUFD_MAX_GUESTS; i++) {
		struct hpeer *p = &peers[i];

		if (!p->g)
			continue;
		for (o = p->offers; o; o = next) {
			next = o->next;
			if (o->state != OF_IMPORTING || now < o->deadline)
				continue;
			logmsg(LOG_INFO, "host: IMPORT from %s timed out", p->g->name);
			/* the guest may still accept: undo that in advance */
			hp_send_handle(p, HDMABUF_OP_RELEASE, o->desc.handle.bytes);
			o->state = OF_OFFERED;
			o->req_id = 0;
			offer_fail_waiters(p, o, -ETIMEDOUT);
			if (o->withdrawn)
				offer_unlink(p, o);
		}
	}
}

bool host_peer_waiting(void)
{
	unsigned int i;
	struct offer *o;

	for (i = 0; i < HDMABUFD_MAX_GUESTS; i++)
		for (o = peers[i].offers; o; o = o->next)
			if (o->state == OF_IMPORTING)
				return true;
	return false;
}
