// SPDX-License-Identifier: GPL-2.0
/*
 * hdmabuf-vbench: the virtio half of `make bench` (docs/performance.rst).
 *
 * vm1 (export) drives, vm2 (import) follows; both talk over a
 * virtio-serial port that the host relays between the two guests.  For
 * each size the exporter has a filled vgem buffer and times, until the
 * importer's ACK (half the port's round trip is subtracted):
 *   ours    EXPORT to the peer, the handle over the port; the importer
 *           IMPORTs, mmaps, reads the last byte, releases
 *   serial  the same bytes written into the port; the importer reads
 *           them all and checks the last byte
 * Then 8 MiB frames for a few seconds, one in flight: "serial" sends the
 * bytes per frame, "ours" shares two buffers imported once and sends the
 * frame number (the importer checks the stamp in the mapped buffer).
 * Results: "@@BENCH {json}" lines on stdout.  Exit 1 on any wrong byte,
 * protocol error or timeout; never on slowness.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "hdmabuf_common.h"

#define PROG	"hdmabuf-vbench"
#define MAGIC	0x76626e68U	/* "hnbv" */

enum op { OP_PING = 1, OP_SERIAL, OP_OURS, OP_FRAME_SERIAL, OP_FRAME_OURS,
	  OP_SETUP_OURS, OP_QUIT, OP_ACK };

struct vmsg {
	uint32_t magic;
	uint32_t op;
	uint64_t size;
	uint64_t seq;
	uint64_t val;			/* ACK: last byte / stamp seen */
	struct hyper_dmabuf_handle h[2];
};

static int port = -1, hfd = -1;
static uint64_t peer;
static int timeout_ms = 90000;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Every wait on the port is bounded by timeout_ms. */
static void port_wait(short ev)
{
	struct pollfd p = { .fd = port, .events = ev };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		die("poll: %s", strerror(errno));
	if (!r)
		die("port: no progress in %d ms", timeout_ms);
}

static void xwrite(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t r;

	while (n) {
		port_wait(POLLOUT);
		r = write(port, p, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			die("port write: %s", r ? strerror(errno) : "closed");
		p += r;
		n -= r;
	}
}

static void xread(void *buf, size_t n)
{
	uint8_t *p = buf;
	ssize_t r;

	while (n) {
		port_wait(POLLIN);
		r = read(port, p, n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			die("port read: %s", r ? strerror(errno) : "closed");
		p += r;
		n -= r;
	}
}

static void send_msg(uint32_t op, uint64_t size, uint64_t seq, uint64_t val,
		     const struct hyper_dmabuf_handle *h, unsigned int nh)
{
	struct vmsg m;

	memset(&m, 0, sizeof(m));
	m.magic = MAGIC;
	m.op = op;
	m.size = size;
	m.seq = seq;
	m.val = val;
	if (h)
		memcpy(m.h, h, nh * sizeof(*h));
	xwrite(&m, sizeof(m));
}

static void recv_msg(struct vmsg *m)
{
	xread(m, sizeof(*m));
	if (m->magic != MAGIC || m->op < OP_PING || m->op > OP_ACK)
		die("bad message on the port (magic %#x op %u)", m->magic, m->op);
}

static uint64_t wait_ack(uint64_t seq)
{
	struct vmsg m;

	recv_msg(&m);
	if (m.op != OP_ACK || m.seq != seq)
		die("expected ACK %llu, got op %u seq %llu", (unsigned long long)seq,
		    m.op, (unsigned long long)m.seq);
	return m.val;
}

static uint8_t fill_byte(uint64_t size, uint64_t seq)
{
	return (uint8_t)(0x5a ^ seq ^ (size >> 12));
}

/* ------------------------------------------------------------- exporter */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void emit_latency(const char *method, uint64_t size, uint64_t *s,
			 unsigned int n, uint64_t half_rtt)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		s[i] = s[i] > half_rtt ? s[i] - half_rtt : 0;
	qsort(s, n, sizeof(*s), cmp_u64);
	printf("@@BENCH {\"type\":\"vlatency\",\"method\":\"%s\",\"size\":%llu,\"reps\":%u,"
	       "\"median_us\":%llu,\"min_us\":%llu,\"max_us\":%llu,\"samples_us\":[",
	       method, (unsigned long long)size, n,
	       (unsigned long long)s[n / 2], (unsigned long long)s[0],
	       (unsigned long long)s[n - 1]);
	for (i = 0; i < n; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)s[i]);
	printf("]}\n");
	fflush(stdout);
}

static int export_retry(int dmabuf, struct hyper_dmabuf_handle *h)
{
	uint64_t deadline = now_ms() + timeout_ms;
	int ret;

	struct hyper_dmabuf_export e;

	for (;;) {
		memset(&e, 0, sizeof(e));
		e.fd = dmabuf;
		e.backend = HYPER_DMABUF_BACKEND_VIRTIO;
		e.peer = peer;
		ret = hdm_ioctl(hfd, HYPER_DMABUF_IOCTL_EXPORT, &e);
		if (!ret)
			*h = e.handle;
		if (!ret || (ret != -ENXIO && ret != -ENOTCONN &&
			     ret != -ECONNRESET) || now_ms() > deadline)
			return ret;
		sleep_ms(100);
	}
}

static uint64_t seq;

static void one_ours(struct vgem_buf *b, uint64_t *t)
{
	struct hyper_dmabuf_handle h;
	uint64_t t0, v;
	int ret;

	((uint8_t *)b->map)[b->size - 1] = fill_byte(b->size, ++seq);
	t0 = now_us();
	ret = export_retry(b->dmabuf, &h);
	if (ret)
		die("EXPORT %llu bytes: %s", (unsigned long long)b->size, strerror(-ret));
	send_msg(OP_OURS, b->size, seq, 0, &h, 1);
	v = wait_ack(seq);
	*t = now_us() - t0;
	if (v != fill_byte(b->size, seq))
		die("ours %llu bytes: importer read %#llx", (unsigned long long)b->size,
		    (unsigned long long)v);
	ret = hdm_unexport(hfd, &h, 0, timeout_ms);
	if (ret)
		die("UNEXPORT: %s", strerror(-ret));
}

static void one_serial(struct vgem_buf *b, uint64_t *t)
{
	uint64_t t0, v;

	((uint8_t *)b->map)[b->size - 1] = fill_byte(b->size, ++seq);
	t0 = now_us();
	send_msg(OP_SERIAL, b->size, seq, 0, NULL, 0);
	xwrite(b->map, b->size);
	v = wait_ack(seq);
	*t = now_us() - t0;
	if (v != fill_byte(b->size, seq))
		die("serial %llu bytes: importer read %#llx", (unsigned long long)b->size,
		    (unsigned long long)v);
}

static uint64_t parse_size(const char *s)
{
	char *e;
	uint64_t v = strtoull(s, &e, 0);

	if (*e == 'K')
		v <<= 10;
	else if (*e == 'M')
		v <<= 20;
	else if (*e == 'G')
		v <<= 30;
	return v;
}

static void stream(const char *method, int card, unsigned int seconds)
{
	int ours = !strcmp(method, "ours");
	struct hyper_dmabuf_handle h[2];
	uint64_t size = 8 << 20, f = 0, t0, limit, v;
	struct vgem_buf b[2];
	int k, ret;

	for (k = 0; k < 2; k++) {
		ret = vgem_alloc(card, size, &b[k]);
		if (ret)
			die("vgem %llu bytes: %s", (unsigned long long)size, strerror(-ret));
		memset(b[k].map, 0x33, size);
		if (ours) {
			ret = export_retry(b[k].dmabuf, &h[k]);
			if (ret)
				die("EXPORT: %s", strerror(-ret));
		}
	}
	if (ours) {
		send_msg(OP_SETUP_OURS, size, ++seq, 0, h, 2);
		wait_ack(seq);
	}
	limit = (uint64_t)seconds * 1000000;
	t0 = now_us();
	do {
		k = f % 2;
		memcpy((uint8_t *)b[k].map, &f, 8);
		memcpy((uint8_t *)b[k].map + size - 8, &f, 8);
		send_msg(ours ? OP_FRAME_OURS : OP_FRAME_SERIAL, size, ++seq, f, NULL, 0);
		if (!ours)
			xwrite(b[k].map, size);
		v = wait_ack(seq);
		if (v != f)
			die("stream %s: frame %llu: importer saw %llu", method,
			    (unsigned long long)f, (unsigned long long)v);
		f++;
	} while (now_us() - t0 < limit);
	t0 = now_us() - t0;
	printf("@@BENCH {\"type\":\"vstream\",\"method\":\"%s\",\"size\":%llu,\"frames\":%llu,"
	       "\"seconds\":%.2f,\"fps\":%.1f}\n", method, (unsigned long long)size,
	       (unsigned long long)f, t0 / 1e6, f * 1e6 / t0);
	fflush(stdout);
	if (ours) {
		send_msg(OP_SETUP_OURS, 0, ++seq, 0, NULL, 0);	/* release them */
		wait_ack(seq);
		for (k = 0; k < 2; k++) {
			ret = hdm_unexport(hfd, &h[k], 0, timeout_ms);
			if (ret)
				die("UNEXPORT: %s", strerror(-ret));
		}
	}
	for (k = 0; k < 2; k++)
		vgem_free(&b[k]);
}

static int do_export(char *sizes, unsigned int reps, unsigned int reps_large,
		     unsigned int seconds)
{
	uint64_t rtt[16], s[64], half, size, t0;
	unsigned int i, n;
	struct vgem_buf b;
	char *tok, *save;
	int card, ret;

	card = vgem_open();
	if (card < 0)
		die("vgem: %s", strerror(-card));
	/* the port's round trip (the importer may still be starting: long wait) */
	for (i = 0; i < 16; i++) {
		t0 = now_us();
		send_msg(OP_PING, 0, ++seq, 0, NULL, 0);
		wait_ack(seq);
		rtt[i] = now_us() - t0;
	}
	qsort(rtt + 1, 15, sizeof(*rtt), cmp_u64);	/* the first one waited for the peer */
	half = rtt[8] / 2;
	printf("@@BENCH {\"type\":\"vrtt\",\"median_us\":%llu,\"min_us\":%llu,\"max_us\":%llu}\n",
	       (unsigned long long)rtt[8], (unsigned long long)rtt[1],
	       (unsigned long long)rtt[15]);
	for (tok = strtok_r(sizes, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size = parse_size(tok);
		n = size > (4 << 20) ? reps_large : reps;
		if (!size || !n || n > 64)
			die("bad size %s or reps %u", tok, n);
		ret = vgem_alloc(card, size, &b);
		if (ret)
			die("vgem %llu bytes: %s", (unsigned long long)size, strerror(-ret));
		memset(b.map, 0xa5, size);	/* filled once: not timed */
		one_ours(&b, &s[0]);		/* warm-up, both methods */
		one_serial(&b, &s[0]);
		for (i = 0; i < n; i++)
			one_ours(&b, &s[i]);
		emit_latency("ours", size, s, n, half);
		for (i = 0; i < n; i++)
			one_serial(&b, &s[i]);
		emit_latency("serial", size, s, n, half);
		vgem_free(&b);
	}
	if (seconds) {
		stream("serial", card, seconds);
		stream("ours", card, seconds);
	}
	send_msg(OP_QUIT, 0, ++seq, 0, NULL, 0);
	wait_ack(seq);
	close(card);
	return 0;
}

/* ------------------------------------------------------------- importer */

static int import_retry(const struct hyper_dmabuf_handle *h, int *dfd,
			uint64_t *size)
{
	uint64_t deadline = now_ms() + timeout_ms;
	int ret;

	for (;;) {
		ret = hdm_import(hfd, h, 0, dfd, size);
		/* the offer may still be on its way */
		if (ret != -ENOENT || now_ms() > deadline)
			return ret;
		sleep_ms(1);
	}
}

static int do_import(void)
{
	uint8_t *buf = NULL, *map[2] = { NULL, NULL };
	uint64_t cap = 0, size, sz[2] = { 0, 0 }, v;
	int dfd, fds[2] = { -1, -1 }, k, ret;
	struct vmsg m;

	for (;;) {
		recv_msg(&m);
		v = 0;
		switch (m.op) {
		case OP_PING:
			break;
		case OP_SERIAL:
		case OP_FRAME_SERIAL:
			if (m.size > (256ULL << 20) || m.size < 8)
				die("serial size %llu", (unsigned long long)m.size);
			if (m.size > cap) {
				free(buf);
				buf = malloc(m.size);
				if (!buf)
					die("malloc %llu", (unsigned long long)m.size);
				cap = m.size;
			}
			xread(buf, m.size);
			if (m.op == OP_SERIAL) {
				v = buf[m.size - 1];
			} else {
				uint64_t a, z;

				memcpy(&a, buf, 8);
				memcpy(&z, buf + m.size - 8, 8);
				v = a == z ? a : ~0ULL;
			}
			break;
		case OP_OURS:
			ret = import_retry(&m.h[0], &dfd, &size);
			if (ret || size != m.size)
				die("IMPORT %llu bytes: %s (size %llu)", (unsigned long long)m.size,
				    strerror(-ret), (unsigned long long)size);
			map[0] = mmap(NULL, size, PROT_READ, MAP_SHARED, dfd, 0);
			if (map[0] == MAP_FAILED)
				die("mmap %llu: %s", (unsigned long long)size, strerror(errno));
			v = ((volatile uint8_t *)map[0])[size - 1];
			munmap(map[0], size);
			map[0] = NULL;
			close(dfd);
			break;
		case OP_SETUP_OURS:
			for (k = 0; k < 2; k++) {
				if (map[k]) {
					munmap(map[k], sz[k]);
					close(fds[k]);
					map[k] = NULL;
				}
				if (!m.size)
					continue;
				ret = import_retry(&m.h[k], &fds[k], &sz[k]);
				if (ret || sz[k] != m.size)
					die("IMPORT %llu bytes: %s", (unsigned long long)m.size,
					    strerror(-ret));
				map[k] = mmap(NULL, sz[k], PROT_READ, MAP_SHARED, fds[k], 0);
				if (map[k] == MAP_FAILED)
					die("mmap: %s", strerror(errno));
			}
			break;
		case OP_FRAME_OURS: {
			uint64_t a, z;

			k = m.val % 2;
			if (!map[k])
				die("frame without imported buffers");
			memcpy(&a, map[k], 8);
			memcpy(&z, map[k] + sz[k] - 8, 8);
			v = a == z ? a : ~0ULL;
			break;
		}
		case OP_QUIT:
			send_msg(OP_ACK, 0, m.seq, 0, NULL, 0);
			return 0;
		default:
			die("unexpected op %u", m.op);
		}
		send_msg(OP_ACK, 0, m.seq, v, NULL, 0);
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: " PROG " export|import --peer DOMID --port DEV "
		"[--sizes 4K,64K,...] [--reps N] [--reps-large N] [--seconds S] [--timeout S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned int reps = 7, reps_large = 3, seconds = 5;
	char *sizes = NULL, *dev = NULL;
	int exporter, i;

	if (argc < 2)
		return usage();
	exporter = !strcmp(argv[1], "export");
	if (!exporter && strcmp(argv[1], "import"))
		return usage();
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--peer"))
			peer = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--port"))
			dev = argv[i + 1];
		else if (!strcmp(argv[i], "--sizes"))
			sizes = argv[i + 1];
		else if (!strcmp(argv[i], "--reps"))
			reps = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--reps-large"))
			reps_large = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--timeout"))
			timeout_ms = strtoul(argv[i + 1], NULL, 0) * 1000;
		else
			return usage();
	}
	if (i != argc || !dev || !peer)
		return usage();
	port = open(dev, O_RDWR | O_CLOEXEC);
	if (port < 0)
		die("%s: %s", dev, strerror(errno));
	/* the host's relay may connect after the guest is up: POLLHUP until then */
	for (i = 0; ; i++) {
		struct pollfd p = { .fd = port, .events = POLLOUT };

		if (poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP))
			break;
		if (i * 50 > timeout_ms)
			die("%s: the host side never connected", dev);
		sleep_ms(50);
	}
	hfd = hdm_open(0);
	if (hfd < 0)
		die("%s: %s", HDM_DEV, strerror(-hfd));
	if (exporter) {
		char def[] = "4K,64K,1M,8M,32M";

		return do_export(sizes ? sizes : def, reps, reps_large, seconds);
	}
	return do_import();
}
