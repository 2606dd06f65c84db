// SPDX-License-Identifier: GPL-2.0
/*
 * test_e2e.c - hyper_dmabufd end to end, without VMs: this program plays
 * QEMU (the vhost-user front-end and the shared-memory region, which must
 * never see an overlapping SHMEM_MAP or an UNMAP of something unmapped)
 * and the guest drivers (virtqueues in memfd "guest memory") of two
 * guests, and checks routing, MAP byte-exactness through the fd the
 * daemon hands over, coalescing, authorisation, hostile chains, UNMAP,
 * MAP/UNMAP cycles without growth, and revocation when the exporter goes.
 *
 *   usage: test_e2e PATH-TO-hyper_dmabufd
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hdmabuf_wire.h"
#include "tap.h"
#include "vu_proto.h"

#define MEM_SIZE	(8u << 20)
#define UA		0x7f0000000000ull
#define QSZ		16
#define SHM_SIZE	(4u << 20)
#define RXBUF(q, i)	(0x100000 + (q) * 0x40000 + (i) * 0x2000)
#define TXBUF		0x1c0000
#define MAXMAPS		512

struct fe {
	const char *name;
	int sock, bsock, memfd;
	uint8_t *mem;
	int kick[2], call[2];
	uint16_t avail[2], used_seen[2], next_desc[2];
	/* the fake QEMU's view of the shared-memory region */
	struct { uint64_t off, len; } maps[MAXMAPS];
	unsigned int nmaps, map_calls, unmap_calls;
	int last_map_fd;
	uint64_t last_map_fdoff, last_map_flags;
	int bad_backend;
	int fail_map;		/* refuse the fail_map-th SHMEM_MAP from now */
};

static uint32_t ring_off(int q, int part)	/* desc, avail, used */
{
	return 0x1000 + q * 0x3000 + part * 0x1000;
}

static int fe_send(struct fe *f, uint32_t req, uint32_t flags, const void *pl,
		   uint32_t size, const int *fds, int nfds)
{
	uint8_t buf[12 + sizeof(struct vu_memory)];
	struct vu_hdr h = { req, VU_VERSION | flags, size };
	char cbuf[CMSG_SPACE(8 * sizeof(int))];
	struct iovec iov = { buf, 12 + size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	memcpy(buf, &h, 12);
	if (size)
		memcpy(buf + 12, pl, size);
	if (nfds) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	return sendmsg(f->sock, &mh, 0) == (ssize_t)(12 + size) ? 0 : -1;
}

static int fe_reply(struct fe *f, uint32_t req, void *pl, uint32_t size)
{
	struct vu_hdr h;

	if (recv(f->sock, &h, 12, MSG_WAITALL) != 12 || h.request != req ||
	    !(h.flags & VU_FLAG_REPLY) || h.size != size)
		return -1;
	return recv(f->sock, pl, size, MSG_WAITALL) == (ssize_t)size ? 0 : -1;
}

/* a message with NEED_REPLY: 0 if acked with 0 */
static int fe_ack(struct fe *f, uint32_t req, const void *pl, uint32_t size,
		  const int *fds, int nfds)
{
	uint64_t v = 1;

	if (fe_send(f, req, VU_FLAG_NEED_REPLY, pl, size, fds, nfds) ||
	    fe_reply(f, req, &v, 8))
		return -1;
	return v ? 1 : 0;
}

static int fe_connect(struct fe *f, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int i;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	f->sock = socket(AF_UNIX, SOCK_STREAM, 0);
	for (i = 0; i < 100; i++) {
		if (!connect(f->sock, (struct sockaddr *)&sa, sizeof(sa)))
			return 0;
		usleep(50000);
	}
	return -1;
}

static int fe_negotiate(struct fe *f, uint32_t expect_domid)
{
	uint64_t v, pf;
	int sp[2], i, q;
	struct vu_memory m;
	struct vu_config c;
	struct vu_shmem_config sc;

	if (fe_send(f, VU_GET_FEATURES, 0, NULL, 0, NULL, 0) || fe_reply(f, VU_GET_FEATURES, &v, 8))
		return -1;
	CHECK((v & (1ull << VIRTIO_F_VERSION_1)) && (v & (1ull << VU_F_PROTOCOL_FEATURES)) &&
	      (v & 1), "%s: device features VERSION_1 | PROTOCOL_FEATURES | SHM_MAP", f->name);
	if (fe_send(f, VU_GET_PROTOCOL_FEATURES, 0, NULL, 0, NULL, 0) ||
	    fe_reply(f, VU_GET_PROTOCOL_FEATURES, &pf, 8))
		return -1;
	CHECK((pf & (1ull << VU_PF_SHMEM_MAP)) && (pf & (1ull << VU_PF_CONFIG)) &&
	      (pf & (1ull << VU_PF_REPLY_ACK)) && (pf & (1ull << VU_PF_BACKEND_REQ)),
	      "%s: protocol features SHMEM_MAP, CONFIG, REPLY_ACK, BACKEND_REQ", f->name);
	CHECK(pf & (1ull << VU_PF_CONFIGURE_MEM_SLOTS), "%s: CONFIGURE_MEM_SLOTS offered", f->name);
	pf &= (1ull << VU_PF_SHMEM_MAP) | (1ull << VU_PF_CONFIG) | (1ull << VU_PF_REPLY_ACK) |
	      (1ull << VU_PF_BACKEND_REQ) | (1ull << VU_PF_BACKEND_SEND_FD) |
	      (1ull << VU_PF_CONFIGURE_MEM_SLOTS);
	if (fe_send(f, VU_SET_PROTOCOL_FEATURES, 0, &pf, 8, NULL, 0))
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp))
		return -1;
	f->bsock = sp[0];
	CHECK(fe_ack(f, VU_SET_BACKEND_REQ_FD, NULL, 0, &sp[1], 1) == 0, "%s: back-end channel", f->name);
	close(sp[1]);
	memset(&c, 0, sizeof(c));
	c.size = 16;
	if (fe_send(f, VU_GET_CONFIG, 0, &c, 12 + 16, NULL, 0) || fe_reply(f, VU_GET_CONFIG, &c, 12 + 16))
		return -1;
	{
		struct virtio_dmabuf_config cfg;

		memcpy(&cfg, c.data, sizeof(cfg));
		v = le64toh(cfg.shm_size);
		c.offset = le32toh(cfg.domid);
		c.flags = le32toh(cfg.max_msg);
	}
	CHECK(c.offset == expect_domid && c.flags == 4112 && v == SHM_SIZE,
	      "%s: config space: domid %u, max_msg 4112, shm_size", f->name, expect_domid);
	if (fe_send(f, VU_GET_SHMEM_CONFIG, 0, NULL, 0, NULL, 0) ||
	    fe_reply(f, VU_GET_SHMEM_CONFIG, &sc, sizeof(sc)))
		return -1;
	CHECK(sc.nregions == 1 && sc.sizes[0] == SHM_SIZE, "%s: shared-memory region 0 configured", f->name);
	v = (1ull << VIRTIO_F_VERSION_1) | (1ull << VU_F_PROTOCOL_FEATURES) | 1;
	CHECK(fe_ack(f, VU_SET_FEATURES, &v, 8, NULL, 0) == 0, "%s: SET_FEATURES", f->name);
	v = 1ull << 40;
	CHECK(fe_ack(f, VU_SET_FEATURES, &v, 8, NULL, 0) == 1, "%s: unknown feature refused", f->name);
	v = (1ull << VIRTIO_F_VERSION_1) | (1ull << VU_F_PROTOCOL_FEATURES) | 1;
	fe_ack(f, VU_SET_FEATURES, &v, 8, NULL, 0);

	f->memfd = memfd_create(f->name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (f->memfd < 0 || ftruncate(f->memfd, MEM_SIZE))
		return -1;
	fcntl(f->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW);
	f->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->memfd, 0);
	memset(&m, 0, sizeof(m));
	m.nregions = 1;
	m.regions[0] = (struct vu_region){ 0, MEM_SIZE, UA, 0 };
	/* hostile table first: the region claims more than the file has */
	m.regions[0].size = 2 * MEM_SIZE;
	CHECK(fe_ack(f, VU_SET_MEM_TABLE, &m, 8 + 32, &f->memfd, 1) == 1,
	      "%s: memory table larger than its file refused", f->name);
	m.regions[0].size = MEM_SIZE;
	CHECK(fe_ack(f, VU_SET_MEM_TABLE, &m, 8 + 32, &f->memfd, 1) == 0, "%s: memory table", f->name);
	for (q = 0; q < 2; q++) {
		struct vu_vring_state st = { (uint32_t)q, QSZ };
		struct vu_vring_addr a = { (uint32_t)q, 0, UA + ring_off(q, 0),
					   UA + ring_off(q, 2), UA + ring_off(q, 1), 0 };
		uint64_t idx = (uint64_t)q;

		f->kick[q] = eventfd(0, EFD_CLOEXEC);
		f->call[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (fe_ack(f, VU_SET_VRING_NUM, &st, 8, NULL, 0) ||
		    fe_ack(f, VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0))
			return -1;
		st.num = 0;
		if (fe_ack(f, VU_SET_VRING_BASE, &st, 8, NULL, 0) ||
		    fe_ack(f, VU_SET_VRING_CALL, &idx, 8, &f->call[q], 1) ||
		    fe_ack(f, VU_SET_VRING_KICK, &idx, 8, &f->kick[q], 1))
			return -1;
		st.num = 1;
		if (fe_ack(f, VU_SET_VRING_ENABLE, &st, 8, NULL, 0))
			return -1;
	}
	for (i = 0; i < 2; i++)
		f->next_desc[i] = 0;
	return 0;
}

/* ---- the driver side of the rings ------------------------------------ */

struct seg { uint64_t gpa; uint32_t len; int write; };

static uint16_t fe_post(struct fe *f, int q, const struct seg *s, int n, uint16_t extra_flags)
{
	struct vring_desc *d = (struct vring_desc *)(f->mem + ring_off(q, 0));
	uint16_t *avail = (uint16_t *)(f->mem + ring_off(q, 1));
	uint16_t head = f->next_desc[q], i, idx;
	uint64_t one = 1;
	int k;

	for (k = 0; k < n; k++) {
		i = (uint16_t)((head + k) % QSZ);
		d[i].addr = htole64(s[k].gpa);
		d[i].len = htole32(s[k].len);
		d[i].flags = htole16((s[k].write ? VRING_DESC_F_WRITE : 0) |
				     (k + 1 < n ? VRING_DESC_F_NEXT : 0) | extra_flags);
		d[i].next = htole16((uint16_t)((head + k + 1) % QSZ));
	}
	f->next_desc[q] = (uint16_t)((head + n) % QSZ);
	idx = f->avail[q];
	avail[2 + idx % QSZ] = htole16(head);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	f->avail[q] = (uint16_t)(idx + 1);
	avail[1] = htole16(f->avail[q]);
	if (write(f->kick[q], &one, 8) != 8)
		return 0xffff;
	return head;
}

static void fq_handle_backend(struct fe *f)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct { struct vu_hdr h; struct vu_mmap mm; } __attribute__((packed)) m;
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct { struct vu_hdr h; uint64_t v; } __attribute__((packed)) ack;
	struct cmsghdr *c;
	unsigned int i;
	int fd = -1;
	uint64_t res = 0;

	if (recvmsg(f->bsock, &mh, MSG_WAITALL) != (ssize_t)sizeof(m)) {
		f->bad_backend++;
		return;
	}
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (m.h.request == VU_BACKEND_SHMEM_MAP) {
		f->map_calls++;
		for (i = 0; i < f->nmaps; i++)
			if (m.mm.shm_offset < f->maps[i].off + f->maps[i].len &&
			    f->maps[i].off < m.mm.shm_offset + m.mm.len)
				res = 1;	/* overlap: QEMU refuses */
		if (fd < 0 || m.mm.shmid || m.mm.shm_offset + m.mm.len > SHM_SIZE ||
		    (m.mm.len | m.mm.shm_offset | m.mm.fd_offset) & 4095 ||
		    f->nmaps == MAXMAPS)
			res = 1;
		if (f->fail_map && !--f->fail_map) {
			res = 1;	/* refused on purpose: not a daemon bug */
			f->bad_backend--;
		}
		if (!res) {
			f->maps[f->nmaps].off = m.mm.shm_offset;
			f->maps[f->nmaps].len = m.mm.len;
			f->nmaps++;
		}
		if (f->last_map_fd >= 0)
			close(f->last_map_fd);
		f->last_map_fd = fd;
		f->last_map_fdoff = m.mm.fd_offset;
		f->last_map_flags = m.mm.flags;
	} else if (m.h.request == VU_BACKEND_SHMEM_UNMAP) {
		f->unmap_calls++;
		res = 1;
		for (i = 0; i < f->nmaps; i++)
			if (f->maps[i].off == m.mm.shm_offset && f->maps[i].len == m.mm.len) {
				f->maps[i] = f->maps[--f->nmaps];
				res = 0;
				break;
			}
		if (fd >= 0)
			close(fd);
	} else {
		res = 1;
	}
	if (res)
		f->bad_backend++;
	if (m.h.flags & VU_FLAG_NEED_REPLY) {
		ack.h = (struct vu_hdr){ m.h.request, VU_VERSION | VU_FLAG_REPLY, 8 };
		ack.v = res;
		if (send(f->bsock, &ack, sizeof(ack), 0) != sizeof(ack))
			f->bad_backend++;
	}
}

/* service both back-end channels until @f's queue @q has a new used entry */
static struct fe *all[2];

static int fe_wait_used(struct fe *f, int q, uint32_t *len, int ms)
{
	uint16_t *used = (uint16_t *)(f->mem + ring_off(q, 2));
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p[2];
		int n = 0, k;

		if (le16toh(__atomic_load_n(&used[1], __ATOMIC_ACQUIRE)) != f->used_seen[q]) {
			struct vring_used_elem *e = (struct vring_used_elem *)(used + 2) +
						    f->used_seen[q] % QSZ;
			*len = le32toh(e->len);
			f->used_seen[q]++;
			return 0;
		}
		for (k = 0; k < 2; k++)
			if (all[k] && all[k]->bsock >= 0) {
				p[n].fd = all[k]->bsock;
				p[n].events = POLLIN;
				n++;
			}
		if (poll(p, n, 10) > 0)
			for (k = 0; k < n; k++)
				if (p[k].revents & POLLIN)
					fq_handle_backend(all[0] && all[0]->bsock == p[k].fd ? all[0] : all[1]);
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return -1;
	}
}

/* post one rx buffer (4112 bytes) */
static void fe_rx_post(struct fe *f, int i)
{
	struct seg s = { RXBUF(f == all[0] ? 0 : 1, i), 4112, 1 };

	fe_post(f, VIRTIO_DMABUF_VQ_RX, &s, 1, 0);
}

/* next rx event: type, peer, payload (into f->mem at the buffer) */
static int fe_rx(struct fe *f, int i, uint32_t *type, uint32_t *peer, const uint8_t **pl, uint32_t *plen)
{
	uint32_t len;
	struct virtio_dmabuf_hdr h;
	uint64_t gpa = RXBUF(f == all[0] ? 0 : 1, i);

	if (fe_wait_used(f, VIRTIO_DMABUF_VQ_RX, &len, 3000) || len < 16)
		return -1;
	memcpy(&h, f->mem + gpa, 16);
	*type = le32toh(h.type);
	*peer = le32toh(h.peer);
	*plen = le32toh(h.len);
	*pl = f->mem + gpa + 16;
	return len == 16 + *plen ? 0 : -1;
}

/* one tx request; returns the used length, status and value in *st, *val */
static int fe_tx(struct fe *f, uint32_t type, uint32_t peer, const void *pl, uint32_t len,
		 int32_t *st, uint64_t *val)
{
	struct virtio_dmabuf_hdr h = { htole32(type), htole32(peer), htole32(len), 0 };
	struct seg s[3] = {
		{ TXBUF, 16, 0 }, { TXBUF + 16, len, 0 }, { TXBUF + 0x2000, 16, 1 },
	};
	struct virtio_dmabuf_reply r;
	uint32_t used;

	memcpy(f->mem + TXBUF, &h, 16);
	memcpy(f->mem + TXBUF + 16, pl, len);
	memset(f->mem + TXBUF + 0x2000, 0xee, 16);
	if (len)
		fe_post(f, VIRTIO_DMABUF_VQ_TX, s, 3, 0);
	else
		fe_post(f, VIRTIO_DMABUF_VQ_TX, (struct seg[]){ s[0], s[2] }, 2, 0);
	if (fe_wait_used(f, VIRTIO_DMABUF_VQ_TX, &used, 3000))
		return -1;
	memcpy(&r, f->mem + TXBUF + 0x2000, 16);
	*st = (int32_t)le32toh((uint32_t)r.status);
	*val = le64toh(r.value);
	return (int)used;
}

/* ---- the scenario ------------------------------------------------------ */

static pid_t daemon_pid;

static void kill_daemon(void)
{
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
}

static void build_export(struct fe *a, struct hdmabuf_export_desc *d, uint8_t *msg, uint64_t root,
			 const uint64_t *gfns, unsigned int n, int rw)
{
	struct hdmabuf_msg_hdr h;
	unsigned int i;

	memset(a->mem + root * 4096, 0, 4096);
	for (i = 0; i < n; i++) {
		uint64_t v = htole64(gfns[i]);

		memcpy(a->mem + root * 4096 + i * 8, &v, 8);
		memset(a->mem + gfns[i] * 4096, 0x30 + (int)i, 4096);
		snprintf((char *)a->mem + gfns[i] * 4096, 64, "page %u of the export at gfn %#llx",
			 i, (unsigned long long)gfns[i]);
	}
	memset(d, 0, sizeof(*d));
	for (i = 0; i < 16; i++)
		d->handle.bytes[i] = (uint8_t)(root + i + 1);
	d->size = htole64(n * 4096ull);
	d->nr_pages = htole64(n);
	d->access = htole32(rw ? HDMABUF_ACCESS_RW : HDMABUF_ACCESS_RO);
	d->dir_root = htole64(root);
	d->dir_levels = 1;
	d->ref_size = 8;
	d->page_shift = 12;
	d->dir_pages = htole32(1);
	hdmabuf_msg_init_hdr(&h, HDMABUF_OP_EXPORT_ANNOUNCE, 0, sizeof(*d), 0);
	memcpy(msg, &h, sizeof(h));
	memcpy(msg + sizeof(h), d, sizeof(*d));
}

static struct virtio_dmabuf_map map_req(uint64_t root, uint64_t n, int rw)
{
	return (struct virtio_dmabuf_map){ htole64(root), htole32(1), 1, 8, (uint8_t)rw, 0, htole64(n) };
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hdmabufd-e2e-XXXXXX", pa[256], pb[256], logp[256], arg_a[300], arg_b[300];
	struct fe A = { .name = "guest A", .bsock = -1, .last_map_fd = -1 };
	struct fe B = { .name = "guest B", .bsock = -1, .last_map_fd = -1 };
	struct hdmabuf_export_desc d;
	uint8_t msg[24 + sizeof(d)];
	uint64_t gfns[4] = { 0x200, 0x201, 0x202, 0x280 }, val, value;
	uint32_t type, peer, plen;
	const uint8_t *pl;
	struct virtio_dmabuf_map mr;
	struct virtio_dmabuf_unmap ur;
	int32_t st;
	pid_t pid;
	int i, status, ok, used;

	if (argc != 2) {
		fprintf(stderr, "usage: %s HYPER_DMABUFD\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir))
		return 1;
	snprintf(pa, sizeof(pa), "%s/a.sock", dir);
	snprintf(pb, sizeof(pb), "%s/b.sock", dir);
	snprintf(logp, sizeof(logp), "%s/daemon.log", dir);
	snprintf(arg_a, sizeof(arg_a), "%s:1", pa);
	snprintf(arg_b, sizeof(arg_b), "%s:2", pb);
	pid = fork();
	if (!pid) {
		int fd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 2);
		execl(argv[1], argv[1], "-v", "--shm-size", "4M", "--guest", arg_a, "--guest", arg_b, (char *)NULL);
		_exit(127);
	}
	daemon_pid = pid;
	atexit(kill_daemon);
	all[0] = &A;
	all[1] = &B;
	CHECK(!fe_connect(&A, pa) && !fe_negotiate(&A, 1), "guest A negotiated");
	for (i = 0; i < 8; i++)
		fe_rx_post(&A, i);
	CHECK(!fe_connect(&B, pb) && !fe_negotiate(&B, 2), "guest B negotiated");
	for (i = 0; i < 8; i++)
		fe_rx_post(&B, i);
	CHECK(!fe_rx(&A, 0, &type, &peer, &pl, &plen) && type == VIRTIO_DMABUF_T_PEER_UP && peer == 2,
	      "A gets PEER_UP of B");
	CHECK(!fe_rx(&B, 0, &type, &peer, &pl, &plen) && type == VIRTIO_DMABUF_T_PEER_UP && peer == 1,
	      "B gets PEER_UP of A");

	/* routing: A announces a 4-page RO buffer to B */
	build_export(&A, &d, msg, 0x100, gfns, 4, 0);
	used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg, sizeof(msg), &st, &val);
	CHECK(used == 16 && st == 0, "A -> B: EXPORT_ANNOUNCE accepted (status %d)", st);
	CHECK(!fe_rx(&B, 1, &type, &peer, &pl, &plen) && type == VIRTIO_DMABUF_T_MSG && peer == 1 &&
	      plen == sizeof(msg) && !memcmp(pl, msg, sizeof(msg)), "B receives it byte-exact from domid 1");
	used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 9, msg, sizeof(msg), &st, &val);
	CHECK(used == 16 && st == -ENOTCONN, "MSG to an unknown domain: -ENOTCONN");
	used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 1, msg, sizeof(msg), &st, &val);
	CHECK(used == 16 && st == -EINVAL, "MSG to itself: -EINVAL");
	msg[0] ^= 0xff;
	used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg, sizeof(msg), &st, &val);
	CHECK(used == 16 && st == -EBADMSG, "MSG with a bad magic: -EBADMSG (validated)");
	msg[0] ^= 0xff;

	/* MAP: B maps the export, asking rw; the export is RO */
	mr = map_req(0x100, 4, 1);
	used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value);
	CHECK(used == 16 && st == 0 && value % 4096 == 0 && value + 4 * 4096 <= SHM_SIZE,
	      "B maps A's buffer at region offset %#llx (status %d)", (unsigned long long)value, st);
	CHECK(B.map_calls == 2 && B.nmaps == 2, "4 pages (3 contiguous + 1) -> %u SHMEM_MAP calls", B.map_calls);
	CHECK(B.last_map_flags == 0 && B.last_map_fd >= 0,
	      "read-only export mapped read-only (flags 0) despite rw=1");
	ok = 0;
	if (B.last_map_fd >= 0) {
		uint8_t *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, B.last_map_fd, (off_t)B.last_map_fdoff);

		if (p != MAP_FAILED) {
			ok = !memcmp(p, A.mem + 0x280 * 4096, 4096);
			/* the exporter writes after the import: visible at once */
			memcpy(A.mem + 0x280 * 4096, "written by A after the import", 30);
			ok = ok && !memcmp(p, "written by A after the import", 30);
			munmap(p, 4096);
		}
	}
	CHECK(ok, "the mapped fd range is A's page 3, byte-exact, and A's later write is visible");
	CHECK(B.last_map_fdoff == 0x280 * 4096, "the last run starts at A's gfn 0x280 in A's memory file");
	{
		/* QEMU adds each mapping to B's memory table: B keeps running */
		struct vu_mem_reg mreg = { 0, { 0x800000000ull, 4096, UA + 0x100000000ull, B.last_map_fdoff } };

		CHECK(fe_ack(&B, VU_ADD_MEM_REG, &mreg, sizeof(mreg), &B.last_map_fd, 1) == 0,
		      "ADD_MEM_REG of the mapping into B's table accepted");
		CHECK(fe_ack(&B, VU_ADD_MEM_REG, &mreg, sizeof(mreg), &B.last_map_fd, 1) == 1,
		      "the same region twice refused");
		{
			/* B re-exports A's page it has mapped: refused */
			struct hdmabuf_export_desc rd;
			struct hdmabuf_msg_hdr rh;
			uint8_t rmsg[sizeof(rh) + sizeof(rd)];
			uint64_t ref = htole64(0x800000000ull / 4096);
			struct virtio_dmabuf_map rm = map_req(0x300, 1, 0);

			memset(B.mem + 0x300 * 4096, 0, 4096);
			memcpy(B.mem + 0x300 * 4096, &ref, 8);
			memset(&rd, 0, sizeof(rd));
			memset(rd.handle.bytes, 0x5e, 16);
			rd.size = htole64(4096);
			rd.nr_pages = htole64(1);
			rd.dir_root = htole64(0x300);
			rd.dir_levels = 1;
			rd.ref_size = 8;
			rd.page_shift = 12;
			rd.dir_pages = htole32(1);
			hdmabuf_msg_init_hdr(&rh, HDMABUF_OP_EXPORT_ANNOUNCE, 0, sizeof(rd), 0);
			memcpy(rmsg, &rh, sizeof(rh));
			memcpy(rmsg + sizeof(rh), &rd, sizeof(rd));
			used = fe_tx(&B, VIRTIO_DMABUF_T_MSG, 1, rmsg, sizeof(rmsg), &st, &val);
			CHECK(used == 16 && st == 0 && !fe_rx(&A, 1, &type, &peer, &pl, &plen) &&
			      type == VIRTIO_DMABUF_T_MSG, "B announces a page mapped from A to A");
			used = fe_tx(&A, VIRTIO_DMABUF_T_MAP, 2, &rm, sizeof(rm), &st, &val);
			CHECK(used == 16 && st == -EFAULT,
			      "MAP of a page B only has mapped (a re-export): -EFAULT (%d)", st);
		}
		CHECK(fe_ack(&B, VU_REM_MEM_REG, &mreg, sizeof(mreg), NULL, 0) == 0,
		      "REM_MEM_REG of it accepted");
		used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg, sizeof(msg), &st, &val);
		CHECK(used == 16 && st == 0 && !fe_rx(&B, 2, &type, &peer, &pl, &plen) &&
		      type == VIRTIO_DMABUF_T_MSG, "B's device kept running through its table changes");
	}

	/* authorisation and hostile requests */
	mr = map_req(0x101, 4, 0);
	used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &val);
	CHECK(used == 16 && st == -EACCES, "MAP of a root A never announced: -EACCES");
	mr = map_req(0x100, 3, 0);
	used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &val);
	CHECK(used == 16 && st == -EACCES, "MAP with another page count than announced: -EACCES");
	mr = map_req(0x100, 4, 0);
	used = fe_tx(&A, VIRTIO_DMABUF_T_MAP, 2, &mr, sizeof(mr), &st, &val);
	CHECK(used == 16 && st == -EACCES, "A cannot map B's memory with A's own announcement");
	mr.ref_size = 4;
	used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &val);
	CHECK(used == 16 && st == -EINVAL, "MAP with 4-byte refs: -EINVAL");
	{
		struct seg s[2] = { { TXBUF, 16, 0 }, { TXBUF + 0x2000, 16, 1 } };
		uint32_t u;

		fe_post(&A, 0, s, 2, VRING_DESC_F_INDIRECT);
		CHECK(!fe_wait_used(&A, 0, &u, 3000) && u == 0, "indirect descriptor: chain completed with length 0");
		s[0].gpa = MEM_SIZE - 8;
		fe_post(&A, 0, s, 2, 0);
		CHECK(!fe_wait_used(&A, 0, &u, 3000) && u == 0, "descriptor past guest memory: length 0");
		s[0].gpa = TXBUF;
		s[1].len = 8;
		fe_post(&A, 0, s, 2, 0);
		CHECK(!fe_wait_used(&A, 0, &u, 3000) && u == 0, "reply buffer of 8 bytes: length 0");
		s[0].write = 1;
		s[1].write = 0;
		s[1].len = 16;
		fe_post(&A, 0, s, 2, 0);
		CHECK(!fe_wait_used(&A, 0, &u, 3000) && u == 0, "readable after writable: length 0");
	}
	used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg, sizeof(msg), &st, &val);
	CHECK(used == 16 && st == 0, "the device still works after the hostile chains");
	CHECK(!fe_rx(&B, 3, &type, &peer, &pl, &plen) && type == VIRTIO_DMABUF_T_MSG,
	      "and B still receives");

	/* QEMU refuses one run of two: MAP fails, the other run is undone */
	{
		unsigned int calls = B.unmap_calls, maps = B.nmaps;

		B.fail_map = 2;
		mr = map_req(0x100, 4, 0);
		used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &val);
		for (i = 0; i < 50 && B.nmaps != maps; i++) {
			uint32_t un;

			fe_wait_used(&B, 1, &un, 10);
		}
		CHECK(used == 16 && st == -EIO && B.nmaps == maps && B.unmap_calls == calls + 1 &&
		      !B.bad_backend, "a run refused by QEMU: MAP fails with -EIO, only the mapped run is unmapped");
	}

	/* UNMAP, then cycles */
	ur = (struct virtio_dmabuf_unmap){ htole64(value), htole64(4) };
	used = fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val);
	CHECK(used == 16 && st == 0 && B.nmaps == 0 && B.unmap_calls == 3, "UNMAP removes both runs");
	used = fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val);
	CHECK(used == 16 && st == -ENOENT, "second UNMAP: -ENOENT");
	ok = 1;
	for (i = 0; i < 300 && ok; i++) {
		mr = map_req(0x100, 4, 0);
		ok = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value) == 16 && !st;
		ur = (struct virtio_dmabuf_unmap){ htole64(value), htole64(4) };
		ok = ok && fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val) == 16 && !st;
	}
	CHECK(ok && B.nmaps == 0 && B.map_calls == 4 + 600 && B.unmap_calls == 3 + 600,
	      "300 MAP/UNMAP cycles: no mapping left over (%u maps, %u unmaps)", B.map_calls, B.unmap_calls);
	CHECK(!A.bad_backend && !B.bad_backend, "QEMU never saw an overlapping map or a bad unmap");

	/* an RW export: mapped RW only when asked; RELEASE and UNEXPORT enforced */
	{
		struct hdmabuf_export_desc d2;
		uint8_t msg2[24 + sizeof(d2)], rel[24 + sizeof(struct hdmabuf_msg_release)];
		uint64_t g2[2] = { 0x300, 0x302 };
		struct hdmabuf_msg_hdr h;
		struct hdmabuf_msg_release r;
		struct hdmabuf_msg_unexport u;
		uint8_t unx[24 + sizeof(u)];
		unsigned int calls = B.map_calls;

		build_export(&A, &d2, msg2, 0x110, g2, 2, 1);
		used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg2, sizeof(msg2), &st, &val);
		CHECK(used == 16 && st == 0 && !fe_rx(&B, 4, &type, &peer, &pl, &plen),
		      "A announces a 2-page RW buffer");
		mr = map_req(0x110, 2, 1);
		used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value);
		CHECK(used == 16 && st == 0 && B.map_calls == calls + 2 &&
		      B.last_map_flags == VU_SHMEM_MAP_RW,
		      "rw MAP of an RW export: 2 runs (not contiguous), mapped RW");
		ur = (struct virtio_dmabuf_unmap){ htole64(value), htole64(2) };
		fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val);
		mr = map_req(0x110, 2, 0);
		used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value);
		CHECK(used == 16 && st == 0 && B.last_map_flags == 0,
		      "ro MAP of an RW export: mapped RO");
		/* B releases without unmapping: the daemon unmaps for it */
		hdmabuf_msg_init_hdr(&h, HDMABUF_OP_RELEASE, 0, sizeof(r), 0);
		memset(&r, 0, sizeof(r));
		memcpy(r.handle.bytes, d2.handle.bytes, 16);
		memcpy(rel, &h, sizeof(h));
		memcpy(rel + sizeof(h), &r, sizeof(r));
		calls = B.nmaps;
		used = fe_tx(&B, VIRTIO_DMABUF_T_MSG, 1, rel, sizeof(rel), &st, &val);
		for (i = 0; i < 100 && B.nmaps; i++) {
			uint32_t un;

			fe_wait_used(&B, 1, &un, 10);
		}
		CHECK(used == 16 && st == 0 && calls == 2 && B.nmaps == 0,
		      "RELEASE from B: the daemon removes B's remaining mapping of it");
		CHECK(!fe_rx(&A, 2, &type, &peer, &pl, &plen) && type == VIRTIO_DMABUF_T_MSG &&
		      peer == 2 && plen == sizeof(rel), "A receives the RELEASE");
		ur = (struct virtio_dmabuf_unmap){ htole64(value), htole64(2) };
		used = fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val);
		CHECK(used == 16 && st == -ENOENT, "B's UNMAP after its RELEASE: -ENOENT");
		/* A withdraws the buffer: no new MAP */
		hdmabuf_msg_init_hdr(&h, HDMABUF_OP_UNEXPORT, 0, sizeof(u), 0);
		memset(&u, 0, sizeof(u));
		memcpy(u.handle.bytes, d2.handle.bytes, 16);
		u.mode = htole32(HDMABUF_UNEXPORT_WAIT);
		memcpy(unx, &h, sizeof(h));
		memcpy(unx + sizeof(h), &u, sizeof(u));
		used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, unx, sizeof(unx), &st, &val);
		CHECK(used == 16 && st == 0 && !fe_rx(&B, 5, &type, &peer, &pl, &plen),
		      "A -> B: UNEXPORT (wait)");
		mr = map_req(0x110, 2, 0);
		used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value);
		CHECK(used == 16 && st == -EACCES, "MAP after UNEXPORT: -EACCES");
	}

	/* scattered pages: one run each; at most 480 runs live per guest */
	{
		static uint64_t sg[481];
		struct hdmabuf_export_desc d3;
		static uint8_t msg3[24 + sizeof(d3)];
		unsigned int calls = B.map_calls;

		for (i = 0; i < 481; i++)
			sg[i] = 0x400 + 2 * (uint64_t)i;
		build_export(&A, &d3, msg3, 0x120, sg, 481, 0);
		used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg3, sizeof(msg3), &st, &val);
		CHECK(used == 16 && st == 0 && !fe_rx(&B, 6, &type, &peer, &pl, &plen),
		      "A announces 481 scattered pages");
		mr = map_req(0x120, 481, 0);
		used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &val);
		CHECK(used == 16 && st == -ENOSPC && B.map_calls == calls,
		      "481 runs: -ENOSPC, nothing sent to QEMU (QEMU aborts past 512 regions)");
		d3.nr_pages = htole64(480);
		d3.size = htole64(480 * 4096ull);
		memset(A.mem + 0x120 * 4096 + 480 * 8, 0, 8);
		memcpy(msg3 + 24, &d3, sizeof(d3));
		used = fe_tx(&A, VIRTIO_DMABUF_T_MSG, 2, msg3, sizeof(msg3), &st, &val);
		CHECK(used == 16 && st == 0 && !fe_rx(&B, 7, &type, &peer, &pl, &plen),
		      "A announces it again with 480 pages");
		mr = map_req(0x120, 480, 0);
		used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value);
		CHECK(used == 16 && st == 0 && B.map_calls == calls + 480 && B.nmaps == 480,
		      "480 runs: mapped with 480 SHMEM_MAP calls");
		ur = (struct virtio_dmabuf_unmap){ htole64(value), htole64(480) };
		used = fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val);
		CHECK(used == 16 && st == 0 && B.nmaps == 0, "and unmapped");
		for (i = 0; i < 8; i++)
			fe_rx_post(&B, i);	/* B's rx buffers again */
	}

	/* revocation: B keeps a mapping, A disappears */
	mr = map_req(0x100, 4, 0);
	used = fe_tx(&B, VIRTIO_DMABUF_T_MAP, 1, &mr, sizeof(mr), &st, &value);
	CHECK(used == 16 && st == 0 && B.nmaps == 2, "B maps again");
	close(A.sock);
	A.sock = -1;
	CHECK(!fe_rx(&B, 0, &type, &peer, &pl, &plen) && type == VIRTIO_DMABUF_T_PEER_DOWN && peer == 1,
	      "A disconnects: B gets PEER_DOWN of A");
	for (i = 0; i < 100 && B.nmaps; i++) {
		uint32_t u;

		fe_wait_used(&B, 1, &u, 10);	/* services the back-end channel */
	}
	CHECK(B.nmaps == 0, "and A's pages are unmapped from B's region");
	ur = (struct virtio_dmabuf_unmap){ htole64(value), htole64(4) };
	used = fe_tx(&B, VIRTIO_DMABUF_T_UNMAP, 0, &ur, sizeof(ur), &st, &val);
	CHECK(used == 16 && st == -ENOENT, "B's late UNMAP of the revoked mapping: -ENOENT");
	used = fe_tx(&B, VIRTIO_DMABUF_T_MSG, 1, msg, sizeof(msg), &st, &val);
	CHECK(used == 16 && st == -ENOTCONN, "messages to A: -ENOTCONN");
	CHECK(!B.bad_backend, "still no bad request seen by QEMU");

	kill(pid, SIGTERM);
	daemon_pid = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status),
	      "daemon exits 0 on SIGTERM (status %#x)", status);
	if (tap_fail) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s", logp);
		fflush(stdout);
		status = system(cmd);
	}
	unlink(logp);
	unlink(pa);
	unlink(pb);
	rmdir(dir);
	return tap_done();
}
