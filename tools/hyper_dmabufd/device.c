// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - the VIRTIO_ID_DMABUF device (docs/virtio-device.rst): tx
 * requests (MSG routing, MAP, UNMAP), rx delivery, the announcements that
 * authorise MAP, the mappings in each guest's shared-memory region, and
 * what happens when a guest starts or stops.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "hdmabuf_wire.h"
#include "host_api.h"
#include "pgdir_xlate.h"
#include "vu_parse.h"

#define PAGE		VIRTIO_DMABUF_PAGE_SIZE
#define HDR_SIZE	sizeof(struct virtio_dmabuf_hdr)
#define MAX_REVOKES	64

/* UNEXPORT(REVOKE) requests in flight: the importer's reply revokes. */
struct revoke_wait {
	bool used;
	uint32_t exporter, importer;
	uint64_t req_id;
	uint8_t handle[16];
};
static struct revoke_wait revokes[MAX_REVOKES];
static unsigned int revoke_next;

struct guest *guest_by_domid(struct daemon *d, uint32_t domid)
{
	unsigned int i;

	for (i = 0; i < d->nguests; i++)
		if (d->guests[i]->domid == domid)
			return d->guests[i];
	return NULL;
}

void dev_config(const struct guest *g, struct virtio_dmabuf_config *cfg)
{
	cfg->domid = htole32(g->domid);
	cfg->max_msg = htole32(VIRTIO_DMABUF_MAX_CHAIN_IN);
	cfg->shm_size = htole64(g->d->shm_size);
}

static void notify(struct guest *g, unsigned int q)
{
	uint64_t one = 1;

	if (g->vq[q].call_fd >= 0 && vring_want_notify(&g->vq[q], &g->mem) &&
	    write(g->vq[q].call_fd, &one, sizeof(one)) < 0)
		logmsg(LOG_DBG, "%s: notify vq %u failed", g->name, q);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- rx ------------------------------------------------------------- */

static int rxq_push(struct guest *dst, uint32_t type, uint32_t peer,
		    const void *data, uint32_t len, bool event)
{
	struct rxmsg *m;

	/* events are always queued, but even they are bounded */
	if (dst->rx_len >= (event ? 2 * HDMABUFD_RXQ_MAX : HDMABUFD_RXQ_MAX)) {
		if (event)
			logmsg(LOG_ERR, "%s: rx queue full, event %u for %u dropped",
			       dst->name, type, peer);
		return -ENOBUFS;
	}
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->hdr.type = htole32(type);
	m->hdr.peer = htole32(peer);
	m->hdr.len = htole32(len);
	m->hdr.reserved = 0;
	m->len = len;
	if (len)
		memcpy(m->data, data, len);
	if (dst->rx_tail)
		dst->rx_tail->next = m;
	else
		dst->rx_head = m;
	dst->rx_tail = m;
	dst->rx_len++;
	return 0;
}

static void rxq_drop(struct guest *g)
{
	while (g->rx_head) {
		struct rxmsg *m = g->rx_head;

		g->rx_head = m->next;
		free(m);
	}
	g->rx_tail = NULL;
	g->rx_len = 0;
}

static void rx_deliver(struct guest *g)
{
	struct vring *vr = &g->vq[VIRTIO_DMABUF_VQ_RX];
	uint8_t buf[VIRTIO_DMABUF_MAX_CHAIN_IN];
	struct vchain c;
	bool pushed = false;
	uint16_t head;
	int r;

	while (g->running && g->rx_head) {
		struct rxmsg *m = g->rx_head;

		r = vring_pop(vr, &g->mem, &head);
		if (r < 0)
			logmsg(LOG_ERR, "%s: rx ring broken (bad avail index or head)",
			       g->name);
		if (r <= 0)
			break;
		pushed = true;
		if (vring_walk(vr, &g->mem, head, 0, &c) ||
		    c.wr_len < HDR_SIZE + m->len) {
			g->st_bad++;
			logmsg(LOG_INFO, "%s: malformed or short rx buffer", g->name);
			vring_push(vr, &g->mem, head, 0);
			continue;
		}
		memcpy(buf, &m->hdr, HDR_SIZE);
		memcpy(buf + HDR_SIZE, m->data, m->len);
		if (vchain_write(&g->mem, &c, buf, HDR_SIZE + m->len)) {
			vring_push(vr, &g->mem, head, 0);
			continue;
		}
		vring_push(vr, &g->mem, head, (uint32_t)(HDR_SIZE + m->len));
		g->rx_head = m->next;
		if (!g->rx_head)
			g->rx_tail = NULL;
		g->rx_len--;
		free(m);
	}
	if (pushed)
		notify(g, VIRTIO_DMABUF_VQ_RX);
}

static void send_event(struct guest *dst, uint32_t type, uint32_t peer)
{
	if (!rxq_push(dst, type, peer, NULL, 0, true))
		rx_deliver(dst);
}

int dev_host_send(struct guest *g, uint32_t type, const void *data,
		  uint32_t len)
{
	int err;

	if (!g->running)
		return -ENOTCONN;
	err = rxq_push(g, type, HDMH_HOST_DOMID, data, len,
		       type != VIRTIO_DMABUF_T_MSG);
	if (!err)
		rx_deliver(g);
	return err;
}

/* ---- announcements ---------------------------------------------------- */

static void export_record(struct guest *exp, uint32_t importer,
			  const struct hdmabuf_export_desc *d)
{
	struct export_rec *r = NULL;
	size_t i;

	for (i = 0; i < exp->nexports; i++)
		if (exp->exports[i].importer == importer &&
		    !memcmp(exp->exports[i].handle, d->handle.bytes, 16))
			r = &exp->exports[i];
	if (!r) {
		if (exp->nexports == HDMABUFD_MAX_EXPORTS) {
			logmsg(LOG_ERR, "%s: too many announcements; dropping the oldest",
			       exp->name);
			memmove(exp->exports, exp->exports + 1,
				(exp->nexports - 1) * sizeof(*r));
			exp->nexports--;
		}
		if (!exp->exports) {
			exp->exports = calloc(HDMABUFD_MAX_EXPORTS, sizeof(*r));
			if (!exp->exports)
				return;
		}
		r = &exp->exports[exp->nexports++];
	}
	r->importer = importer;
	memcpy(r->handle, d->handle.bytes, 16);
	r->dir_root = le64toh(d->dir_root);
	r->nr_pages = le64toh(d->nr_pages);
	r->dir_pages = le32toh(d->dir_pages);
	r->levels = d->dir_levels;
	r->ref_size = d->ref_size;
	r->rw = le32toh(d->access) == HDMABUF_ACCESS_RW;
}

static void export_forget(struct guest *exp, uint32_t importer,
			  const uint8_t *handle)
{
	size_t i = 0;

	while (i < exp->nexports) {
		struct export_rec *r = &exp->exports[i];

		if (r->importer == importer &&
		    (!handle || !memcmp(r->handle, handle, 16))) {
			*r = exp->exports[--exp->nexports];
			continue;
		}
		i++;
	}
}

static const struct export_rec *export_find(const struct guest *exp,
					    uint32_t importer,
					    const struct virtio_dmabuf_map *m)
{
	size_t i;

	for (i = 0; i < exp->nexports; i++) {
		const struct export_rec *r = &exp->exports[i];

		if (r->importer == importer && r->dir_root == m->dir_root &&
		    r->nr_pages == m->nr_pages && r->dir_pages == m->dir_pages &&
		    r->levels == m->levels && r->ref_size == m->ref_size)
			return r;
	}
	return NULL;
}

/* ---- mappings --------------------------------------------------------- */

static void mapping_free(struct mapping *m)
{
	free(m->runs);
	free(m);
}

/* Remove @m (already unlinked) from @g's region and from QEMU. */
static void mapping_revoke(struct guest *g, struct mapping *m)
{
	size_t i;

	if (g->running && g->bfd >= 0 && !g->bdead) {
		for (i = 0; i < m->nruns; i++) {
			struct vu_mmap mm = {
				.shm_offset = m->runs[i].shm_offset,
				.len = m->runs[i].len,
			};

			if (bchan_queue(g, VU_BACKEND_SHMEM_UNMAP, &mm, -1, NULL, -1))
				break;
		}
		bchan_flush(g);
	}
	shm_alloc_put(&g->shm, m->first_page, m->nr_pages);
	g->nruns -= m->nruns;
	mapping_free(m);
}

/* Revoke @importer's mappings of @exporter's memory (of @handle, or all). */
static void revoke_where(struct guest *importer, uint32_t exporter,
			 const uint8_t *handle, const char *why)
{
	struct mapping **pp = &importer->maps;
	unsigned int n = 0;

	while (*pp) {
		struct mapping *m = *pp;

		if (m->exporter == exporter &&
		    (!handle || !memcmp(m->handle, handle, 16))) {
			*pp = m->next;
			importer->nmaps--;
			mapping_revoke(importer, m);
			n++;
			continue;
		}
		pp = &m->next;
	}
	if (n)
		logmsg(LOG_INFO, "%s: %u mapping(s) of domain %u revoked (%s)",
		       importer->name, n, exporter, why);
}

/* ---- MSG: routing and the bookkeeping it drives ------------------------ */

static void track_msg(struct guest *src, struct guest *dst, const uint8_t *msg,
		      uint32_t len)
{
	struct hdmabuf_msg_hdr h;
	uint16_t op;
	uint32_t flags;
	unsigned int i;

	memcpy(&h, msg, sizeof(h));
	op = le16toh(h.opcode);
	flags = le32toh(h.flags);
	const uint8_t *p = msg + sizeof(h);
	uint32_t plen = len - (uint32_t)sizeof(h);

	switch (op) {
	case HDMABUF_OP_EXPORT_ANNOUNCE: {
		struct hdmabuf_export_desc d;

		memcpy(&d, p, sizeof(d));
		export_record(src, dst->domid, &d);
		break;
	}
	case HDMABUF_OP_IMPORT:
		if (flags & HDMABUF_MSG_F_REPLY) {
			struct hdmabuf_reply_hdr r;
			struct hdmabuf_export_desc d;

			memcpy(&r, p, sizeof(r));
			if (r.status || plen < sizeof(r) + sizeof(d))
				break;
			memcpy(&d, p + sizeof(r), sizeof(d));
			export_record(src, dst->domid, &d);
		}
		break;
	case HDMABUF_OP_UNEXPORT:
		if (!(flags & HDMABUF_MSG_F_REPLY)) {
			struct hdmabuf_msg_unexport u;

			memcpy(&u, p, sizeof(u));
			export_forget(src, dst->domid, u.handle.bytes);
			if (le32toh(u.mode) == HDMABUF_UNEXPORT_REVOKE) {
				struct revoke_wait *w = &revokes[revoke_next++ % MAX_REVOKES];

				w->used = true;
				w->exporter = src->domid;
				w->importer = dst->domid;
				w->req_id = le64toh(h.req_id);
				memcpy(w->handle, u.handle.bytes, 16);
			}
			break;
		}
		/* the importer's REVOKE reply: it has no mapping left */
		for (i = 0; i < MAX_REVOKES; i++) {
			struct revoke_wait *w = &revokes[i];

			if (w->used && w->importer == src->domid &&
			    w->exporter == dst->domid &&
			    w->req_id == le64toh(h.req_id)) {
				w->used = false;
				revoke_where(src, dst->domid, w->handle,
					     "UNEXPORT revoke reply");
			}
		}
		break;
	case HDMABUF_OP_RELEASE: {
		struct hdmabuf_msg_release r;

		memcpy(&r, p, sizeof(r));
		revoke_where(src, dst->domid, r.handle.bytes, "RELEASE");
		break;
	}
	default:
		break;
	}
}

static int do_msg(struct guest *g, uint32_t peer, const uint8_t *msg,
		  uint32_t len)
{
	enum hdmabuf_msg_error why;
	struct guest *dst = guest_by_domid(g->d, peer);
	int err;

	if (dst == g)
		return -EINVAL;
	if ((!dst || !dst->running) && !(peer == HDMH_HOST_DOMID && host_api_enabled()))
		return -ENOTCONN;
	err = hdmabuf_msg_validate(msg, len, HDMABUF_FEAT_SUPPORTED, &why);
	if (err) {
		logmsg(LOG_INFO, "%s: message to %u rejected: %s", g->name, peer,
		       hdmabuf_msg_error_str(why));
		return err;
	}
	if (peer == HDMH_HOST_DOMID) {
		g->st_msgs++;
		return host_peer_msg(g, msg, len);
	}
	err = rxq_push(dst, VIRTIO_DMABUF_T_MSG, g->domid, msg, len, false);
	if (err)
		return err;
	track_msg(g, dst, msg, len);
	g->st_msgs++;
	rx_deliver(dst);
	return 0;
}

/* ---- MAP / UNMAP ------------------------------------------------------ */

#define OP_PENDING 1

static void tx_complete(struct guest *g, const struct vchain *c, int status,
			uint64_t value)
{
	struct virtio_dmabuf_reply r = {
		.status = (int32_t)htole32((uint32_t)status),
		.value = htole64(value),
	};
	struct vring *vr = &g->vq[VIRTIO_DMABUF_VQ_TX];

	if (vchain_write(&g->mem, c, &r, sizeof(r)))
		vring_push(vr, &g->mem, c->head, 0);
	else
		vring_push(vr, &g->mem, c->head, sizeof(r));
}

static int do_map(struct guest *g, const struct vchain *c,
		  const struct virtio_dmabuf_hdr *h, const uint8_t *pl)
{
	struct virtio_dmabuf_map m;
	const struct export_rec *rec;
	struct xlate_run *runs = NULL;
	struct mapping *map = NULL;
	struct txop *op = NULL;
	struct guest *exp;
	size_t nruns = 0, i;
	int64_t first;
	int err;

	uint64_t t0 = now_ns();

	if (vdev_parse_map(pl, h->len, g->d->shm_size / PAGE, &m))
		return -EINVAL;
	if (!(g->features & (1ull << VIRTIO_DMABUF_F_SHM_MAP)))
		return -EOPNOTSUPP;
	exp = guest_by_domid(g->d, h->peer);
	if (exp == g)
		return -EINVAL;
	if (!exp || !exp->running)
		return -ENOTCONN;
	rec = export_find(exp, g->domid, &m);
	if (!rec) {
		logmsg(LOG_INFO, "%s: MAP of %u's root gfn %#llx refused: not announced to it",
		       g->name, exp->domid, (unsigned long long)m.dir_root);
		return -EACCES;
	}
	if (g->bfd < 0 || g->bdead)
		return -EIO;
	err = pgdir_translate(&exp->mem, m.dir_root, m.nr_pages, m.dir_pages,
			      m.levels, &runs, &nruns);
	if (err) {
		logmsg(LOG_INFO, "%s: MAP of %u's directory %#llx refused: %s",
		       g->name, exp->domid, (unsigned long long)m.dir_root,
		       strerror(-err));
		return err;
	}
	err = -ENOSPC;
	if (g->nruns + nruns > HDMABUFD_MAX_RUNS)
		goto free_runs;
	first = shm_alloc_get(&g->shm, m.nr_pages);
	if (first < 0)
		goto free_runs;
	err = -ENOMEM;
	map = calloc(1, sizeof(*map));
	op = calloc(1, sizeof(*op));
	if (op)
		for (i = 0; i < GM_MAX_REGIONS; i++)
			op->fds[i] = -1;
	if (!map || !op)
		goto free_range;
	map->runs = calloc(nruns, sizeof(*map->runs));
	op->run_ok = calloc(nruns, 1);
	if (!map->runs || !op->run_ok)
		goto free_range;
	map->exporter = exp->domid;
	memcpy(map->handle, rec->handle, 16);
	map->first_page = (uint64_t)first;
	map->nr_pages = m.nr_pages;
	op->head = c->head;
	op->chain = *c;
	op->is_map = true;
	op->m = map;
	op->value = (uint64_t)first * PAGE;
	op->t0_ns = t0;
	for (i = 0; i < nruns; i++) {
		struct gm_region *r = &exp->mem.r[runs[i].region];
		/*
		 * QEMU 11.1 mmap()s every SHMEM_MAP fd shared and writable,
		 * read-only mappings included, so it gets the file as received.
		 */
		int src = r->fd;

		if (op->fds[runs[i].region] < 0) {
			op->fds[runs[i].region] = dup(src);
			if (op->fds[runs[i].region] < 0)
				goto free_range;
		}
	}
	op->exp_domid = exp->domid;
	op->exp_gen = exp->gen;
	op->gen = g->gen;
	g->nruns += nruns;
	for (i = 0; i < nruns; i++) {
		bool rw = m.rw && rec->rw &&
			  exp->mem.r[runs[i].region].writable;
		struct vu_mmap mm = {
			.fd_offset = runs[i].fd_offset,
			.shm_offset = ((uint64_t)first + runs[i].page) * PAGE,
			.len = runs[i].npages * PAGE,
			.flags = rw ? VU_SHMEM_MAP_RW : 0,
		};

		map->runs[i].shm_offset = mm.shm_offset;
		map->runs[i].len = mm.len;
		err = bchan_queue(g, VU_BACKEND_SHMEM_MAP, &mm,
				  op->fds[runs[i].region], op, (int)i);
		if (err) {
			op->status = err;
			break;
		}
		map->nruns++;	/* queued: unmapped again if the op fails */
	}
	logmsg(LOG_INFO, "%s: MAP %llu page(s) of domain %u (root gfn %#llx, %s) "
	       "at %#llx: %zu SHMEM_MAP call(s)", g->name,
	       (unsigned long long)m.nr_pages, exp->domid,
	       (unsigned long long)m.dir_root, m.rw && rec->rw ? "rw" : "ro",
	       (unsigned long long)op->value, nruns);
	g->nruns -= nruns - map->nruns;
	free(runs);
	g->op = op;
	if (!op->outstanding) {		/* nothing could be queued */
		op->outstanding = 1;
		dev_op_acked(g, op, op->status, -1);
		return OP_PENDING;
	}
	bchan_flush(g);
	return OP_PENDING;
free_range:
	if (map)
		free(map->runs);
	free(map);
	if (op) {
		for (i = 0; i < GM_MAX_REGIONS; i++)
			if (op->fds[i] >= 0)
				close(op->fds[i]);
		free(op->run_ok);
	}
	free(op);
	shm_alloc_put(&g->shm, (uint64_t)first, m.nr_pages);
free_runs:
	free(runs);
	return err;
}

static int do_unmap(struct guest *g, const struct vchain *c,
		    const struct virtio_dmabuf_hdr *h, const uint8_t *pl)
{
	struct virtio_dmabuf_unmap u;
	struct mapping **pp, *m;
	struct txop *op;
	size_t i;

	if (vdev_parse_unmap(pl, h->len, &u))
		return -EINVAL;
	for (pp = &g->maps; *pp; pp = &(*pp)->next)
		if ((*pp)->first_page * PAGE == u.shm_offset &&
		    (*pp)->nr_pages == u.nr_pages)
			break;
	m = *pp;
	if (!m)
		return -ENOENT;
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	*pp = m->next;
	g->nmaps--;
	op->head = c->head;
	op->chain = *c;
	op->gen = g->gen;
	for (i = 0; i < GM_MAX_REGIONS; i++)
		op->fds[i] = -1;
	for (i = 0; i < m->nruns; i++) {
		struct vu_mmap mm = {
			.shm_offset = m->runs[i].shm_offset,
			.len = m->runs[i].len,
		};
		int err = bchan_queue(g, VU_BACKEND_SHMEM_UNMAP, &mm, -1, op, -1);

		if (err) {
			op->status = err;
			break;
		}
	}
	/* QEMU handles requests in order: the range is reusable at once */
	shm_alloc_put(&g->shm, m->first_page, m->nr_pages);
	g->nruns -= m->nruns;
	g->st_unmaps++;
	mapping_free(m);
	g->op = op;
	if (!op->outstanding) {
		op->outstanding = 1;
		dev_op_acked(g, op, op->status, -1);
		return OP_PENDING;
	}
	bchan_flush(g);
	return OP_PENDING;
}

void dev_op_acked(struct guest *g, struct txop *op, int err, int run)
{
	struct mapping *m = op->m;
	struct guest *exp;
	size_t i;

	if (err && !op->status)
		op->status = err;
	if (!err && run >= 0 && op->run_ok)
		op->run_ok[run] = 1;
	if (--op->outstanding)
		return;
	if (op->is_map) {
		exp = guest_by_domid(g->d, op->exp_domid);
		/* the exporter stopped meanwhile: its memory is not ours to map */
		if (!op->status && (!exp || !exp->running || exp->gen != op->exp_gen))
			op->status = -ENOTCONN;
		if (!op->status && op->gen == g->gen) {
			m->next = g->maps;
			g->maps = m;
			if (++g->nmaps > g->peak_maps)
				g->peak_maps = g->nmaps;
			if (g->nruns > g->peak_runs)
				g->peak_runs = g->nruns;
			g->st_maps++;
			g->st_map_calls += m->nruns;
			logmsg(LOG_INFO, "%s: MAP of %llu page(s) done in %llu us "
			       "(%zu SHMEM_MAP call(s), directory walk included)",
			       g->name, (unsigned long long)m->nr_pages,
			       (unsigned long long)((now_ns() - op->t0_ns) / 1000),
			       m->nruns);
		} else if (op->gen == g->gen) {
			/* unmap what QEMU did map, nothing else */
			if (g->running && g->bfd >= 0 && !g->bdead)
				for (i = 0; i < m->nruns; i++) {
					struct vu_mmap mm = {
						.shm_offset = m->runs[i].shm_offset,
						.len = m->runs[i].len,
					};

					if (op->run_ok[i])
						bchan_queue(g, VU_BACKEND_SHMEM_UNMAP,
							    &mm, -1, NULL, -1);
				}
			shm_alloc_put(&g->shm, m->first_page, m->nr_pages);
			g->nruns -= m->nruns;
			mapping_free(m);
		} else {
			mapping_free(m);	/* from before a device reset */
		}
	}
	if (g->op == op) {
		g->op = NULL;
		tx_complete(g, &op->chain, op->status, op->status ? 0 : op->value);
		notify(g, VIRTIO_DMABUF_VQ_TX);
		g->tx_more = true;	/* resume tx from the main loop */
	}
	for (i = 0; i < GM_MAX_REGIONS; i++)
		if (op->fds[i] >= 0)
			close(op->fds[i]);
	free(op->run_ok);
	free(op);
}

/* ---- tx ---------------------------------------------------------------- */

/* What a refused request looked like (debug: a guest can flood this). */
static void log_bad_req(struct guest *g, const struct vchain *c,
			const uint8_t *buf)
{
	struct virtio_dmabuf_hdr h = { 0 };

	if (c->rd_len >= HDR_SIZE)
		memcpy(&h, buf, HDR_SIZE);
	logmsg(LOG_DBG, "%s: request refused: type %u peer %u len %u reserved %u, "
	       "%llu readable bytes in %u descriptor(s), %llu writable in %u",
	       g->name, le32toh(h.type), le32toh(h.peer), le32toh(h.len),
	       le32toh(h.reserved), (unsigned long long)c->rd_len, c->nrd,
	       (unsigned long long)c->wr_len, c->nwr);
}

static void tx_process(struct guest *g)
{
	struct vring *vr = &g->vq[VIRTIO_DMABUF_VQ_TX];
	uint8_t buf[VIRTIO_DMABUF_MAX_CHAIN_IN];
	struct virtio_dmabuf_hdr h;
	unsigned int budget = 2 * vr->num;
	bool pushed = false;
	struct vchain c;
	uint16_t head;
	int r, status;

	while (g->running && !g->op) {
		if (!budget--) {
			g->tx_more = true;	/* be fair to the other guests */
			break;
		}
		r = vring_pop(vr, &g->mem, &head);
		if (r < 0)
			logmsg(LOG_ERR, "%s: tx ring broken (bad avail index or head)",
			       g->name);
		if (r <= 0)
			break;
		pushed = true;
		if (vring_walk(vr, &g->mem, head, sizeof(buf), &c) ||
		    c.wr_len < sizeof(struct virtio_dmabuf_reply) ||
		    vchain_read(&g->mem, &c, buf, sizeof(buf))) {
			g->st_bad++;
			logmsg(LOG_INFO, "%s: malformed tx chain (head %u)", g->name, head);
			vring_push(vr, &g->mem, head, 0);
			continue;
		}
		switch (vdev_parse_req(buf, c.rd_len, &h)) {
		case VIRTIO_DMABUF_T_MSG:
			status = do_msg(g, h.peer, buf + HDR_SIZE, h.len);
			break;
		case VIRTIO_DMABUF_T_MAP:
			status = do_map(g, &c, &h, buf + HDR_SIZE);
			break;
		case VIRTIO_DMABUF_T_UNMAP:
			status = do_unmap(g, &c, &h, buf + HDR_SIZE);
			break;
		default:
			g->st_bad++;
			log_bad_req(g, &c, buf);
			status = -EINVAL;
			break;
		}
		if (status == OP_PENDING)
			continue;	/* g->op set (or already completed) */
		tx_complete(g, &c, status, 0);
	}
	if (pushed)
		notify(g, VIRTIO_DMABUF_VQ_TX);
}

/* ---- start / stop ------------------------------------------------------ */

void dev_check_start(struct guest *g)
{
	struct daemon *d = g->d;
	unsigned int q, i;

	if (g->running || g->cfd < 0 || !g->mem.n)
		return;
	for (q = 0; q < VIRTIO_DMABUF_NUM_VQS; q++)
		if (!g->vq[q].started || !g->vq[q].enabled)
			return;
	for (q = 0; q < VIRTIO_DMABUF_NUM_VQS; q++)
		if (vring_attach(&g->vq[q], &g->mem)) {
			logmsg(LOG_ERR, "%s: vq %u is not inside guest memory; "
			       "device not started", g->name, q);
			return;
		}
	g->running = true;
	g->gen++;
	shm_alloc_reset(&g->shm);
	logmsg(LOG_INFO, "%s: device started (domid %u, features %#llx, "
	       "vq sizes %u/%u)", g->name, g->domid,
	       (unsigned long long)g->features, g->vq[0].num, g->vq[1].num);
	for (i = 0; i < d->nguests; i++) {
		struct guest *o = d->guests[i];

		if (o == g || !o->running)
			continue;
		send_event(o, VIRTIO_DMABUF_T_PEER_UP, g->domid);
		rxq_push(g, VIRTIO_DMABUF_T_PEER_UP, o->domid, NULL, 0, true);
	}
	if (host_api_enabled()) {	/* the host is a peer too */
		rxq_push(g, VIRTIO_DMABUF_T_PEER_UP, HDMH_HOST_DOMID, NULL, 0, true);
		host_peer_start(g);
	}
	rx_deliver(g);
	tx_process(g);
}

void dev_stop(struct guest *g, const char *why)
{
	struct daemon *d = g->d;
	unsigned int i;

	if (!g->running)
		return;
	g->running = false;
	g->gen++;	/* operations still in flight are orphans now */
	g->op = NULL;	/* freed by its last ack or drop */
	bchan_drop_unsent(g);
	logmsg(LOG_INFO, "%s: device stopped (%s): msgs %lu maps %lu "
	       "(SHMEM_MAP calls %lu) unmaps %lu malformed %lu", g->name, why,
	       g->st_msgs, g->st_maps, g->st_map_calls, g->st_unmaps, g->st_bad);
	/* the lab checks "live mappings 0" and equal acked counts */
	logmsg(LOG_INFO, "%s: live mappings %zu (%zu runs), peak %zu (%zu runs); "
	       "SHMEM_MAP acked %lu, SHMEM_UNMAP acked %lu; memory regions %u",
	       g->name, g->nmaps, g->nruns, g->peak_maps, g->peak_runs,
	       g->st_shmem_maps, g->st_shmem_unmaps, g->mem.n);
	while (g->maps) {
		struct mapping *m = g->maps;

		g->maps = m->next;
		mapping_free(m);	/* QEMU drops them on device reset */
	}
	g->nmaps = 0;
	g->nruns = 0;
	shm_alloc_reset(&g->shm);
	rxq_drop(g);
	host_peer_stop(g);
	g->nexports = 0;
	for (i = 0; i < MAX_REVOKES; i++)
		if (revokes[i].exporter == g->domid || revokes[i].importer == g->domid)
			revokes[i].used = false;
	for (i = 0; i < d->nguests; i++) {
		struct guest *o = d->guests[i];

		if (o == g)
			continue;
		export_forget(o, g->domid, NULL);
		revoke_where(o, g->domid, NULL, "exporter stopped");
		if (o->running)
			send_event(o, VIRTIO_DMABUF_T_PEER_DOWN, g->domid);
	}
}

void dev_kick(struct guest *g, unsigned int q)
{
	uint64_t v;

	if (read(g->vq[q].kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		logmsg(LOG_DBG, "%s: kick read failed", g->name);
	if (q == VIRTIO_DMABUF_VQ_TX)
		tx_process(g);
	else
		rx_deliver(g);
}

void dev_poll(struct daemon *d)
{
	unsigned int i;

	for (i = 0; i < d->nguests; i++) {
		struct guest *g = d->guests[i];

		bchan_flush(g);
		if (g->tx_more) {
			g->tx_more = false;
			tx_process(g);
		}
	}
}
