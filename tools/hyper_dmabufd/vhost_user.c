// SPDX-License-Identifier: GPL-2.0
/*
 * vhost_user.c - the front-end (QEMU) side of one guest's connection:
 * message framing, payload validation and the state changes each message
 * makes.  The front-end is trusted to drive the device but its messages
 * are still checked: a malformed message closes the connection rather
 * than corrupting the daemon, which serves other guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "vu_parse.h"

static int vu_send(struct guest *g, uint32_t request, const void *pl,
		   uint32_t size)
{
	uint8_t buf[sizeof(struct vu_hdr) + sizeof(struct vu_shmem_config)];
	struct vu_hdr h = { request, VU_VERSION | VU_FLAG_REPLY, size };
	ssize_t n;

	if (size > sizeof(buf) - sizeof(h))
		return -EINVAL;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), pl, size);
	n = send(g->cfd, buf, sizeof(h) + size, MSG_NOSIGNAL);
	return n == (ssize_t)(sizeof(h) + size) ? 0 : -EIO;
}

static int vu_send_u64(struct guest *g, uint32_t request, uint64_t v)
{
	return vu_send(g, request, &v, sizeof(v));
}

/* read exactly n bytes (the socket has a receive timeout) */
static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (uint8_t *)buf + got, n - got);

		if (r == 0)
			return -EPIPE;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return 0;
}

/* header (with any fds) and payload of one message */
static int vu_recv(struct guest *g, struct vu_hdr *h, uint8_t *pl, int *fds,
		   int *nfds)
{
	char cbuf[CMSG_SPACE(VU_MAX_FDS * sizeof(int))];
	struct iovec iov = { h, sizeof(*h) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t r;
	int err;

	*nfds = 0;
	do {
		r = recvmsg(g->cfd, &mh, MSG_CMSG_CLOEXEC);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r ? -errno : -EPIPE;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > (size_t)(VU_MAX_FDS - *nfds))
			n = (size_t)(VU_MAX_FDS - *nfds);
		memcpy(fds + *nfds, CMSG_DATA(c), n * sizeof(int));
		*nfds += (int)n;
	}
	err = -EPROTO;
	if (mh.msg_flags & MSG_CTRUNC)
		goto close_fds;
	if (r < (ssize_t)sizeof(*h)) {
		err = read_full(g->cfd, (uint8_t *)h + r, sizeof(*h) - (size_t)r);
		if (err)
			goto close_fds;
	}
	err = -EPROTO;
	if ((h->flags & VU_VERSION_MASK) != VU_VERSION ||
	    h->size > VU_MAX_PAYLOAD)
		goto close_fds;
	err = read_full(g->cfd, pl, h->size);
	if (err)
		goto close_fds;
	return 0;
close_fds:
	while (*nfds)
		close(fds[--*nfds]);
	return err;
}

static void ring_stop(struct guest *g, unsigned int q)
{
	struct vring *vr = &g->vq[q];

	if (vr->kick_fd >= 0) {
		ev_del(g->d, vr->kick_fd);
		close(vr->kick_fd);
		vr->kick_fd = -1;
	}
	vr->started = false;
	vr->attached = false;
}

void rings_reset(struct guest *g)
{
	unsigned int q;

	for (q = 0; q < VIRTIO_DMABUF_NUM_VQS; q++) {
		ring_stop(g, q);
		if (g->vq[q].call_fd >= 0)
			close(g->vq[q].call_fd);
		vring_init(&g->vq[q]);
	}
}

/* take fds[0] out of the array: the caller owns it now */
static int take_fd(int *fds, int nfds)
{
	int fd;

	if (nfds != 1)
		return -1;
	fd = fds[0];
	fds[0] = -1;
	return fd;
}

static void log_region(struct guest *g, unsigned int i, const struct vu_region *r)
{
	/* QEMU adds every shared-memory mapping as a small region too */
	logmsg(r->size >= (1u << 20) ? LOG_INFO : LOG_DBG,
	       "%s: memory region %u: gpa %#llx size %llu KiB%s", g->name, i,
	       (unsigned long long)r->gpa, (unsigned long long)(r->size >> 10),
	       g->mem.r[i].writable ? "" : " (read-only file)");
}

/*
 * The table changed: a running device keeps running (the rings are found
 * again, their indices kept); it stops only if a ring left guest memory.
 */
static void mem_changed(struct guest *g, bool was_running)
{
	unsigned int q;

	if (!was_running) {
		dev_check_start(g);
		return;
	}
	for (q = 0; q < VIRTIO_DMABUF_NUM_VQS; q++)
		if (vring_translate(&g->vq[q], &g->mem)) {
			dev_stop(g, "a ring is outside the new memory table");
			return;
		}
}

static int set_mem_table(struct guest *g, const uint8_t *pl, uint32_t size,
			 int *fds, int nfds)
{
	struct vu_region regs[VU_MAX_REGIONS];
	int n, err, i;
	bool was_running = g->running;

	n = gm_parse_table(pl, size, nfds, regs);
	if (n < 0) {
		logmsg(LOG_ERR, "%s: SET_MEM_TABLE rejected (malformed table)", g->name);
		return n;
	}
	err = gm_set(&g->mem, regs, (unsigned int)n, fds);
	if (err) {
		logmsg(LOG_ERR, "%s: SET_MEM_TABLE: cannot map regions: %s",
		       g->name, strerror(-err));
		return err;
	}
	for (i = 0; i < nfds; i++)
		fds[i] = -1;	/* owned by g->mem now */
	for (i = 0; i < n; i++)
		log_region(g, (unsigned int)i, &regs[i]);
	mem_changed(g, was_running);
	return 0;
}

/* ADD_MEM_REG / REM_MEM_REG (CONFIGURE_MEM_SLOTS) */
static int mem_reg(struct guest *g, uint32_t request, const uint8_t *pl,
		   uint32_t size, int *fds, int nfds)
{
	struct vu_mem_reg m;
	int err;

	if (size != sizeof(m))
		return -EINVAL;
	memcpy(&m, pl, sizeof(m));
	if (request == VU_REM_MEM_REG) {
		/* an fd is tolerated (older front-ends) and closed by the caller */
		err = gm_remove(&g->mem, &m.region);
		logmsg(LOG_DBG, "%s: memory region removed: gpa %#llx size %llu KiB: %s",
		       g->name, (unsigned long long)m.region.gpa,
		       (unsigned long long)(m.region.size >> 10),
		       err ? strerror(-err) : "ok");
		if (!err)
			mem_changed(g, g->running);
		return err;
	}
	if (nfds != 1)
		return -EINVAL;
	err = gm_add(&g->mem, &m.region, fds[0]);
	if (err) {
		logmsg(LOG_ERR, "%s: ADD_MEM_REG gpa %#llx size %#llx refused: %s",
		       g->name, (unsigned long long)m.region.gpa,
		       (unsigned long long)m.region.size, strerror(-err));
		return err;
	}
	fds[0] = -1;	/* owned by g->mem now */
	/* RAM comes before the device starts; mappings only while it runs */
	g->mem.r[g->mem.n - 1].shm = g->running;
	log_region(g, g->mem.n - 1, &m.region);
	mem_changed(g, g->running);
	return 0;
}

static int get_config(struct guest *g, const uint8_t *pl, uint32_t size)
{
	struct vu_config c;
	struct virtio_dmabuf_config cfg;
	uint32_t n;

	if (vu_parse_config_req(pl, size, &c))
		return vu_send(g, VU_GET_CONFIG, NULL, 0);	/* size 0: error */
	dev_config(g, &cfg);
	memset(c.data, 0, sizeof(c.data));
	if (c.offset < sizeof(cfg)) {
		n = (uint32_t)sizeof(cfg) - c.offset;
		if (n > c.size)
			n = c.size;
		memcpy(c.data, (const uint8_t *)&cfg + c.offset, n);
	}
	/* QEMU asks again for every guest read: log the first one only */
	logmsg(g->config_served++ ? LOG_DBG : LOG_INFO,
	       "%s: GET_CONFIG offset %u size %u: domid %u shm_size %llu",
	       g->name, c.offset, c.size, g->domid,
	       (unsigned long long)g->d->shm_size);
	return vu_send(g, VU_GET_CONFIG, &c, VU_CONFIG_HDR_SIZE + c.size);
}

static uint64_t device_features(void)
{
	return (1ull << VIRTIO_F_VERSION_1) | (1ull << VU_F_PROTOCOL_FEATURES) |
	       (1ull << VIRTIO_DMABUF_F_SHM_MAP);
}

static uint64_t protocol_features(void)
{
	return (1ull << VU_PF_MQ) | (1ull << VU_PF_REPLY_ACK) |
	       (1ull << VU_PF_BACKEND_REQ) | (1ull << VU_PF_CONFIG) |
	       (1ull << VU_PF_BACKEND_SEND_FD) | (1ull << VU_PF_RESET_DEVICE) |
	       (1ull << VU_PF_CONFIGURE_MEM_SLOTS) | (1ull << VU_PF_SHMEM_MAP);
}

/*
 * Handle one message.  Returns 0 (the connection stays) or a negative
 * errno (close it).  *@res is the REPLY_ACK result for messages without
 * an explicit reply; *@replied is set when an explicit reply went out.
 */
static int dispatch(struct guest *g, const struct vu_hdr *h, const uint8_t *pl,
		    int *fds, int nfds, int *res, bool *replied)
{
	struct vu_vring_state st;
	struct vu_vring_addr addr;
	struct vring *vr;
	uint64_t u64;
	int fd;

	*res = 0;
	*replied = false;
	switch (h->request) {
	case VU_GET_FEATURES:
		*replied = true;
		return vu_send_u64(g, h->request, device_features());
	case VU_GET_PROTOCOL_FEATURES:
		*replied = true;
		return vu_send_u64(g, h->request, protocol_features());
	case VU_GET_QUEUE_NUM:
		*replied = true;
		return vu_send_u64(g, h->request, VIRTIO_DMABUF_NUM_VQS);
	case VU_GET_MAX_MEM_SLOTS:
		*replied = true;
		return vu_send_u64(g, h->request, GM_MAX_REGIONS);
	case VU_ADD_MEM_REG:
	case VU_REM_MEM_REG:
		*res = mem_reg(g, h->request, pl, h->size, fds, nfds);
		break;
	case VU_GET_SHMEM_CONFIG: {
		struct vu_shmem_config sc;

		memset(&sc, 0, sizeof(sc));
		sc.nregions = 1;
		sc.sizes[0] = g->d->shm_size;
		*replied = true;
		logmsg(LOG_INFO, "%s: GET_SHMEM_CONFIG: region 0 of %llu MiB",
		       g->name, (unsigned long long)(g->d->shm_size >> 20));
		return vu_send(g, h->request, &sc, sizeof(sc));
	}
	case VU_GET_CONFIG:
		*replied = true;
		return get_config(g, pl, h->size);
	case VU_SET_FEATURES:
		if (vu_parse_u64(pl, h->size, &u64))
			return -EPROTO;
		if (u64 & ~device_features()) {
			*res = -EINVAL;
			break;
		}
		g->features = u64;
		/* without protocol features, rings are enabled at once */
		if (!(u64 & (1ull << VU_F_PROTOCOL_FEATURES))) {
			g->vq[0].enabled = g->vq[1].enabled = true;
			dev_check_start(g);
		}
		break;
	case VU_SET_PROTOCOL_FEATURES:
		if (vu_parse_u64(pl, h->size, &u64))
			return -EPROTO;
		g->pfeatures = u64 & protocol_features();
		break;
	case VU_SET_OWNER:
		break;
	case VU_RESET_OWNER:
	case VU_RESET_DEVICE:
		dev_stop(g, h->request == VU_RESET_DEVICE ? "RESET_DEVICE" :
			 "RESET_OWNER");
		rings_reset(g);
		break;
	case VU_SET_MEM_TABLE:
		*res = set_mem_table(g, pl, h->size, fds, nfds);
		break;
	case VU_SET_VRING_NUM:
		if (vu_parse_vring_state(pl, h->size, &st))
			return -EPROTO;
		if (st.index >= VIRTIO_DMABUF_NUM_VQS || g->vq[st.index].started ||
		    vu_check_vring_num(st.num)) {
			*res = -EINVAL;
			break;
		}
		g->vq[st.index].num = st.num;
		break;
	case VU_SET_VRING_ADDR:
		if (vu_parse_vring_addr(pl, h->size, &addr))
			return -EPROTO;
		if (addr.index >= VIRTIO_DMABUF_NUM_VQS) {
			*res = -EINVAL;
			break;
		}
		vr = &g->vq[addr.index];
		vr->desc_ua = addr.desc;
		vr->avail_ua = addr.avail;
		vr->used_ua = addr.used;
		vr->addr_set = true;
		vr->attached = false;
		if (vr->started && g->running && vring_attach(vr, &g->mem))
			dev_stop(g, "bad ring address");
		break;
	case VU_SET_VRING_BASE:
		if (vu_parse_vring_state(pl, h->size, &st))
			return -EPROTO;
		if (st.index >= VIRTIO_DMABUF_NUM_VQS || st.num > 0xffff ||
		    g->vq[st.index].started) {
			*res = -EINVAL;
			break;
		}
		g->vq[st.index].last_avail = (uint16_t)st.num;
		break;
	case VU_GET_VRING_BASE:
		if (vu_parse_vring_state(pl, h->size, &st))
			return -EPROTO;
		if (st.index >= VIRTIO_DMABUF_NUM_VQS)
			return -EPROTO;
		dev_stop(g, "GET_VRING_BASE");
		ring_stop(g, st.index);
		st.num = g->vq[st.index].last_avail;
		*replied = true;
		return vu_send(g, h->request, &st, sizeof(st));
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		if (vu_parse_u64(pl, h->size, &u64))
			return -EPROTO;
		if ((u64 & VU_VRING_IDX_MASK) >= VIRTIO_DMABUF_NUM_VQS ||
		    (!(u64 & VU_VRING_NOFD_MASK) && nfds != 1) ||
		    ((u64 & VU_VRING_NOFD_MASK) && nfds)) {
			*res = -EINVAL;
			break;
		}
		vr = &g->vq[u64 & VU_VRING_IDX_MASK];
		fd = (u64 & VU_VRING_NOFD_MASK) ? -1 : take_fd(fds, nfds);
		if (h->request == VU_SET_VRING_ERR) {
			if (fd >= 0)
				close(fd);
			break;
		}
		if (h->request == VU_SET_VRING_CALL) {
			if (vr->call_fd >= 0)
				close(vr->call_fd);
			vr->call_fd = fd;
			break;
		}
		/* KICK: (re)starts the ring; polling mode is not supported */
		dev_stop(g, "ring restarted");
		ring_stop(g, (unsigned int)(u64 & VU_VRING_IDX_MASK));
		if (fd < 0) {
			*res = -EINVAL;
			break;
		}
		vr->kick_fd = fd;
		g->ev_kick[u64 & VU_VRING_IDX_MASK].kind = EV_KICK;
		if (ev_add(g->d, fd, &g->ev_kick[u64 & VU_VRING_IDX_MASK])) {
			*res = -EIO;
			break;
		}
		vr->started = true;
		dev_check_start(g);
		break;
	case VU_SET_VRING_ENABLE:
		if (vu_parse_vring_state(pl, h->size, &st))
			return -EPROTO;
		if (st.index >= VIRTIO_DMABUF_NUM_VQS || st.num > 1) {
			*res = -EINVAL;
			break;
		}
		g->vq[st.index].enabled = st.num;
		if (st.num)
			dev_check_start(g);
		else
			dev_stop(g, "ring disabled");
		break;
	case VU_SET_BACKEND_REQ_FD:
		fd = take_fd(fds, nfds);
		if (fd < 0) {
			*res = -EINVAL;
			break;
		}
		bchan_reset(g);
		if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0 ||
		    ev_add(g->d, fd, &g->ev_backend)) {
			close(fd);
			*res = -EIO;
			break;
		}
		g->bfd = fd;
		g->bdead = false;
		dev_check_start(g);
		break;
	case VU_SET_CONFIG:
		*res = -EPERM;	/* the configuration space is read-only */
		break;
	default:
		logmsg(LOG_DBG, "%s: unsupported vhost-user request %u",
		       g->name, h->request);
		*res = -EOPNOTSUPP;
		break;
	}
	return 0;
}

int vu_handle(struct guest *g)
{
	uint8_t pl[VU_MAX_PAYLOAD];
	int fds[VU_MAX_FDS];
	struct vu_hdr h;
	int nfds, err, res, i;
	bool replied;

	err = vu_recv(g, &h, pl, fds, &nfds);
	if (err) {
		if (err != -EPIPE)
			logmsg(LOG_ERR, "%s: bad vhost-user message: %s", g->name,
			       strerror(-err));
		return err;
	}
	logmsg(LOG_DBG, "%s: vhost-user request %u size %u fds %d", g->name,
	       h.request, h.size, nfds);
	err = dispatch(g, &h, pl, fds, nfds, &res, &replied);
	for (i = 0; i < nfds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (err) {
		logmsg(LOG_ERR, "%s: vhost-user request %u: %s", g->name,
		       h.request, strerror(-err));
		return err;
	}
	if (res)
		logmsg(LOG_INFO, "%s: vhost-user request %u refused: %s", g->name,
		       h.request, strerror(-res));
	if ((h.flags & VU_FLAG_NEED_REPLY) && !replied &&
	    (g->pfeatures & (1ull << VU_PF_REPLY_ACK)))
		return vu_send_u64(g, h.request, res ? 1 : 0);
	return 0;
}
