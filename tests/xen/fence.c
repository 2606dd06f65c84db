// SPDX-License-Identifier: GPL-2.0
/*
 * xfence: cross-VM fence checks for the lab's Xen and virtio scenarios
 * (tests/lab/guest/xen/<role>/7[5-9]-fence-*.sh,
 * tests/lab/guest/virtio/vm/45-virtio-fence.sh).
 *
 * Like xfer, one process runs commands given on the command line
 * (separated by ":") or, with "-", read from stdin one per line (a FIFO
 * the test script writes as the other domain progresses).  Each command
 * prints "ok CMD ..." or "FAIL CMD: reason" (the first failure ends the
 * program with status 1) and "info: ..." lines with measurements.
 * Times "at" are CLOCK_REALTIME in ms, for the logs (the domains' clocks
 * were seen to differ by a few hundred ms in the lab).
 *
 * Buffer layout: word 0 (32-bit) is the frame number of "frames", words
 * 8..15 a mailbox for domains that have nothing else to talk through
 * (virtio guests), the test pattern fills the rest.
 *
 * The producer of fences is vgem: a vgem fence signals when we say so.
 * It is attached to "own" (the buffer we export: a vgem buffer, or a
 * udmabuf PRIME-imported into vgem) or to "imp" (our import of the
 * peer's buffer, PRIME-imported into vgem by "prime").
 *
 *   backend xen|virtio      the backend of later exports (default xen)
 *   vgem SIZE [SEED]        own buffer from vgem, filled with SEED's pattern
 *                           when SEED is given (never in a PV domU: writing
 *                           a vgem mapping loops on faults there)
 *   udmabuf SIZE SEED       own buffer from udmabuf (memfd), filled
 *   export PEER [rw]        export own to Xen domain PEER; "handle HEX"
 *   wait-released SECS      the peer's RELEASED event for our export
 *   unexport                unexport our export (the peer released it)
 *   import HANDLE [SECS]    import the peer's buffer (waiting for the offer)
 *   import-from PEER [SECS] import the first offer from domain PEER not
 *                           imported yet (LIST + QUERY)
 *   prime                   PRIME-import the import into vgem
 *   release                 close the import (and its vgem handle)
 *   fence w|r own|imp|scratch  a pending vgem fence (write or read) on it
 *                           (scratch: a vgem buffer of its own)
 *   attach w|r [own|imp [scratch]]  FENCE_ATTACH on our export or import
 *                           (default: the one made last) of its pending
 *                           fences (fd -1), or with "scratch" of the
 *                           scratch buffer's (a sync_file); "seqno N"
 *   signal [DELAY_MS [SEED]]  after DELAY_MS, fill own with SEED's pattern
 *                           (if given), then signal the pending vgem fence
 *   busy FD in|out          poll(FD) is not ready now (FD: own, imp, sync:
 *                           the import's EXPORT_SYNC_FILE, get: FENCE_GET)
 *   idle FD in|out          poll(FD) is ready now
 *   wait FD in|out MIN MAX [mbox SLOT VALUE]  print "waiting" (and put
 *                           VALUE in the mailbox), wait for FD; fails
 *                           unless MIN <= ms <= MAX
 *   check SEED              the import shows SEED's pattern
 *   check-word VALUE        the import's first 32-bit word is VALUE
 *   vgem-busy               vgem refuses a write fence on own (EBUSY)
 *   hold                    keep FENCE_GET's sync_file and the import's
 *                           EXPORT_SYNC_FILE (both must be active)
 *   wait-error ERRNO MAX    every held sync_file signals with -ERRNO
 *                           (ECONNRESET, ETIMEDOUT) within MAX ms
 *   frames N                N fenced frames on own: write fence, ATTACH,
 *                           write the frame number, signal
 *   pingpong N lead|follow  N rounds between two domains that each export
 *                           a buffer to the other and import the other's:
 *                           the leader attaches a write fence to its
 *                           export, the follower (once it is on its
 *                           import) too; the leader signals and waits for
 *                           the follower, which signals when it saw the
 *                           leader's: the leader prints the round trips
 *                           (2 cross-VM fence signals, user space included)
 *   stat NAME               print the core counter NAME
 *   mbox-put SLOT VALUE     write mailbox slot 0..7 (own buffer if any,
 *                           else the import, mapped read-write)
 *   mbox-wait SLOT VALUE SECS  until the slot holds VALUE
 *   mbox-get SLOT           print "mbox VALUE"
 *   now                     print the time ("info: now at MS")
 *   sleep MS
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "hyperdmabuf.h"
#include "xtest.h"

#define PROG		"xfence"
#define CORE_STATS	"/sys/kernel/debug/hyper_dmabuf/stats"
#define NR_HELD		2
#define PATTERN_FIRST	16	/* words before it: frame number, mailbox */
#define MBOX_FIRST	8
#define MBOX_SLOTS	8

static int dev = -1;
static int card = -1;
static uint32_t backend = HYPER_DMABUF_BACKEND_XEN;
/* own: the buffer we export */
static struct hdmabuf_vgem_buf vbuf = { .dmabuf = -1 };
static struct hdmabuf_udmabuf ubuf = { .memfd = -1, .dmabuf = -1 };
/* a scratch vgem buffer whose fences stand for work on the import */
static struct hdmabuf_vgem_buf sbuf = { .dmabuf = -1 };
static int own_fd = -1;
static void *own_map;
static uint64_t own_size;
static uint32_t own_gem;	/* vgem handle of own (for fences) */
static bool own_gem_imported;	/* own_gem is a PRIME import (udmabuf) */
/* imp: the peer's buffer we imported */
static int imp_fd = -1;
static uint64_t imp_size;
static void *imp_map;
static uint32_t imp_gem;
/* the buffer FENCE_ATTACH/FENCE_GET name: our export or our import */
static struct hyper_dmabuf_handle handle;
static bool have_handle;
static struct hyper_dmabuf_handle exp_handle, imp_handle;
static uint32_t pending;	/* vgem fence id to signal, 0: none */
static int held[NR_HELD] = { -1, -1 };

static double real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline uint32_t pattern(uint32_t seed, uint64_t i)
{
	return seed * 0x9e3779b1u ^ (uint32_t)i * 0x85ebca6bu;
}

static void fill(void *p, uint64_t size, uint32_t seed)
{
	volatile uint32_t *w = p;
	uint64_t i;

	for (i = PATTERN_FIRST; i < size / 4; i++)
		w[i] = pattern(seed, i);
}

/* Index of the first word that differs, or -1. */
static int64_t compare(const void *p, uint64_t size, uint32_t seed)
{
	const volatile uint32_t *w = p;
	uint64_t i;

	for (i = PATTERN_FIRST; i < size / 4; i++)
		if (w[i] != pattern(seed, i))
			return (int64_t)i;
	return -1;
}

static int need_card(void)
{
	if (card < 0)
		card = hdmabuf_vgem_open();
	return card < 0 ? card : 0;
}

/* SYNC_IOC_FILE_INFO status: 1 signalled, 0 active, < 0 the error. */
static int sync_status(int fd, int *status)
{
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	*status = info.status;
	return 0;
}

static int fence_get(uint32_t flags)
{
	struct hyper_dmabuf_fence_get g;
	int ret;

	memset(&g, 0, sizeof(g));
	g.handle = handle;
	g.flags = flags;
	ret = hdmabuf_ioctl(dev, HYPER_DMABUF_IOCTL_FENCE_GET, &g);
	return ret ? ret : g.fd;
}

/*
 * The fd a poll command names: *@fd, and *@owned when the caller must
 * close it; -errno on failure.
 */
static int poll_target(const char *what, int *fd, bool *owned)
{
	*owned = false;
	if (!strcmp(what, "own"))
		*fd = own_fd;
	else if (!strcmp(what, "imp"))
		*fd = imp_fd;
	else if (!strcmp(what, "sync") && imp_fd >= 0)
		*fd = hdmabuf_dmabuf_export_sync_file(imp_fd, DMA_BUF_SYNC_READ), *owned = true;
	else if (!strcmp(what, "get") && have_handle)
		*fd = fence_get(0), *owned = true;
	else
		return -EINVAL;
	return *fd < 0 ? (*owned ? *fd : -EBADF) : 0;
}

static int parse_events(const char *s, short *ev)
{
	if (s && !strcmp(s, "in"))
		*ev = POLLIN;
	else if (s && !strcmp(s, "out"))
		*ev = POLLOUT;
	else
		return -1;
	return 0;
}

/* poll() until @ev: ms waited, or -1 on timeout or error. */
static double wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = ev };
	double t0 = now_ms(), left;
	int ret;

	for (;;) {
		left = timeout_ms - (now_ms() - t0);
		ret = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0 || !(pfd.revents & ev))
			return -1;
		return now_ms() - t0;
	}
}

static int map_import(const char *cmd)
{
	if (imp_map)
		return 0;
	if (imp_fd < 0)
		return fail(cmd, "nothing imported");
	/* Writable when the export is (for the mailbox). */
	imp_map = mmap(NULL, imp_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       imp_fd, 0);
	if (imp_map == MAP_FAILED)
		imp_map = mmap(NULL, imp_size, PROT_READ, MAP_SHARED, imp_fd, 0);
	if (imp_map == MAP_FAILED) {
		imp_map = NULL;
		return fail(cmd, "mmap of the import: %s", strerror(errno));
	}
	return 0;
}

static int cmd_own(const char *cmd, int argc, char **argv)
{
	uint64_t size, seed = 0;
	bool udma = !strcmp(cmd, "udmabuf");
	int ret;

	if (argc < 2 || parse_u64(argv[1], &size) ||
	    (argc > 2 && parse_u64(argv[2], &seed)) || (udma && argc < 3))
		return fail(cmd, "usage: %s SIZE%s", cmd,
			    udma ? " SEED" : " [SEED]");
	ret = need_card();
	if (ret)
		return fail(cmd, "open vgem: %s", strerror(-ret));
	if (udma) {
		ret = hdmabuf_udmabuf_alloc(size, &ubuf);
		if (ret)
			return fail(cmd, "udmabuf of %llu bytes: %s",
				    (unsigned long long)size, strerror(-ret));
		own_fd = ubuf.dmabuf;
		own_map = ubuf.map;
		own_size = ubuf.size;
		/* vgem's fences go into the udmabuf's reservation object. */
		ret = hdmabuf_prime_import(card, own_fd, &own_gem);
		if (ret)
			return fail(cmd, "PRIME import of the udmabuf into vgem: %s",
				    strerror(-ret));
		own_gem_imported = true;
	} else {
		ret = hdmabuf_vgem_alloc_size(card, size, &vbuf);
		if (ret)
			return fail(cmd, "vgem buffer of %llu bytes: %s",
				    (unsigned long long)size, strerror(-ret));
		own_fd = vbuf.dmabuf;
		own_map = vbuf.map;
		own_size = vbuf.size;
		own_gem = vbuf.gem;
	}
	if (argc > 2)
		fill(own_map, own_size, (uint32_t)seed);
	printf("ok %s %llu bytes\n", cmd, (unsigned long long)own_size);
	return 0;
}

/* Mailbox slot @slot of our buffer, or of the import; NULL if none. */
static volatile uint32_t *mbox(const char *cmd, uint64_t slot)
{
	if (slot >= MBOX_SLOTS)
		return fail(cmd, "slot %llu: 0..%d", (unsigned long long)slot,
			    MBOX_SLOTS - 1), NULL;
	if (own_map)
		return (volatile uint32_t *)own_map + MBOX_FIRST + slot;
	if (map_import(cmd))
		return NULL;
	return (volatile uint32_t *)imp_map + MBOX_FIRST + slot;
}

static int cmd_mbox(const char *cmd, int argc, char **argv)
{
	volatile uint32_t *w;
	uint64_t slot, v = 0, secs = 0;
	double end;

	if (argc < 2 || parse_u64(argv[1], &slot) ||
	    (strcmp(cmd, "mbox-get") &&
	     (argc < 3 || parse_u64(argv[2], &v))) ||
	    (!strcmp(cmd, "mbox-wait") && (argc < 4 || parse_u64(argv[3], &secs))))
		return fail(cmd, "usage: mbox-put SLOT VALUE | mbox-wait SLOT VALUE SECS | mbox-get SLOT");
	w = mbox(cmd, slot);
	if (!w)
		return -1;
	if (!strcmp(cmd, "mbox-put")) {
		*w = (uint32_t)v;
	} else if (!strcmp(cmd, "mbox-get")) {
		printf("mbox %u\n", *w);
	} else {
		end = now_ms() + secs * 1000.0;
		while (*w != (uint32_t)v) {
			if (now_ms() > end)
				return fail(cmd, "slot %llu is %u after %llu s, not %llu",
					    (unsigned long long)slot, *w,
					    (unsigned long long)secs,
					    (unsigned long long)v);
			usleep(2000);
		}
	}
	printf("ok %s\n", cmd);
	return 0;
}

/* The first offer from @peer on our backend that nobody imported yet. */
static int find_offer(uint64_t peer, struct hyper_dmabuf_handle *out)
{
	struct hyper_dmabuf_handle *hs = NULL;
	struct hyper_dmabuf_query q;
	int n, i, found = 0;

	n = hdmabuf_list(dev, &hs);
	for (i = 0; i < n && !found; i++) {
		memset(&q, 0, sizeof(q));
		if (hdmabuf_query(dev, &hs[i], &q, NULL, 0))
			continue;
		if (q.role == HYPER_DMABUF_ROLE_IMPORTER && q.peer == peer &&
		    q.backend == backend &&
		    q.state == HYPER_DMABUF_STATE_SHARED && !q.importers) {
			*out = hs[i];
			found = 1;
		}
	}
	free(hs);
	return n < 0 ? n : found;
}

static int cmd_wait(const char *cmd, int argc, char **argv)
{
	uint64_t min, max;
	bool owned;
	double ms, at;
	short ev;
	int fd, ret;

	volatile uint32_t *w = NULL;
	uint64_t slot, v = 0;

	if (argc < 5 || parse_events(argv[2], &ev) || parse_u64(argv[3], &min) ||
	    parse_u64(argv[4], &max) ||
	    (argc > 5 && (argc < 8 || strcmp(argv[5], "mbox") ||
			  parse_u64(argv[6], &slot) || parse_u64(argv[7], &v))))
		return fail(cmd, "usage: wait FD in|out MIN_MS MAX_MS [mbox SLOT VALUE]");
	if (argc > 5) {
		w = mbox(cmd, slot);
		if (!w)
			return -1;
	}
	ret = poll_target(argv[1], &fd, &owned);
	if (ret)
		return fail(cmd, "%s: %s", argv[1], strerror(-ret));
	/*
	 * The peer starts its delay once told we wait: tell it (mailbox,
	 * or the "waiting" line the script passes on) just before polling.
	 */
	if (w)
		*w = (uint32_t)v;
	printf("waiting\n");
	fflush(stdout);
	ms = wait_fd(fd, ev, (int)max + 1000);
	at = real_ms();
	if (owned)
		close(fd);
	if (ms < 0)
		return fail(cmd, "%s never became ready (%llu ms)", argv[1],
			    (unsigned long long)max + 1000);
	printf("info: %s %s ready after %.1f ms, at %.1f\n", argv[1], argv[2],
	       ms, at);
	if (ms < (double)min || ms > (double)max)
		return fail(cmd, "waited %.1f ms, expected %llu..%llu", ms,
			    (unsigned long long)min, (unsigned long long)max);
	printf("ok wait %.1f ms\n", ms);
	return 0;
}

static int cmd_hold(const char *cmd)
{
	int i, st = 0, ret;

	if (!have_handle || imp_fd < 0)
		return fail(cmd, "nothing imported");
	handle = imp_handle;
	held[0] = fence_get(0);
	held[1] = hdmabuf_dmabuf_export_sync_file(imp_fd, DMA_BUF_SYNC_READ);
	for (i = 0; i < NR_HELD; i++) {
		if (held[i] < 0)
			return fail(cmd, "%s: %s", i ? "EXPORT_SYNC_FILE" :
				    "FENCE_GET", strerror(-held[i]));
		ret = sync_status(held[i], &st);
		if (ret)
			return fail(cmd, "SYNC_IOC_FILE_INFO: %s", strerror(-ret));
		if (st != 0)
			return fail(cmd, "%s sync_file not active (status %d)",
				    i ? "EXPORT_SYNC_FILE" : "FENCE_GET", st);
	}
	printf("ok hold\n");
	return 0;
}

static int cmd_wait_error(const char *cmd, int argc, char **argv)
{
	int want = errno_parse(argc > 1 ? argv[1] : NULL), i, st = 0, ret;
	uint64_t max;
	double ms, worst = 0;

	if (want < 0 || argc < 3 || parse_u64(argv[2], &max))
		return fail(cmd, "usage: wait-error ERRNO MAX_MS");
	for (i = 0; i < NR_HELD; i++) {
		if (held[i] < 0)
			return fail(cmd, "nothing held");
		ms = wait_fd(held[i], POLLIN, (int)max);
		if (ms < 0)
			return fail(cmd, "sync_file %d still pending after %llu ms",
				    i, (unsigned long long)max);
		if (ms > worst)
			worst = ms;
		ret = sync_status(held[i], &st);
		if (ret)
			return fail(cmd, "SYNC_IOC_FILE_INFO: %s", strerror(-ret));
		if (st != -want)
			return fail(cmd, "sync_file %d status %d (%s), expected -%s",
				    i, st, st < 0 ? strerror(-st) : "no error",
				    argv[1]);
		close(held[i]);
		held[i] = -1;
	}
	printf("info: waiters failed with %s after %.1f ms, at %.1f\n",
	       argv[1], worst, real_ms());
	printf("ok wait-error %s %.1f ms\n", argv[1], worst);
	return 0;
}

static int cmd_frames(const char *cmd, int argc, char **argv)
{
	struct hyper_dmabuf_fence_attach a;
	uint64_t n, i, first = 0, last = 0;
	double t0, ms;
	uint32_t id;
	int ret;

	if (argc < 2 || parse_u64(argv[1], &n) || !n)
		return fail(cmd, "usage: frames N");
	if (!own_map || !have_handle)
		return fail(cmd, "export a buffer first");
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		ret = hdmabuf_vgem_fence_attach(card, own_gem, 1, &id);
		if (ret)
			return fail(cmd, "frame %llu: vgem fence: %s",
				    (unsigned long long)i, strerror(-ret));
		memset(&a, 0, sizeof(a));
		a.handle = handle;
		a.fd = -1;
		a.flags = HYPER_DMABUF_FENCE_WRITE;
		ret = hdmabuf_ioctl(dev, HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a);
		if (ret) {
			hdmabuf_vgem_fence_signal(card, id);
			return fail(cmd, "frame %llu: FENCE_ATTACH: %s",
				    (unsigned long long)i, strerror(-ret));
		}
		if (a.seqno <= last) {
			hdmabuf_vgem_fence_signal(card, id);
			return fail(cmd, "frame %llu: seqno %llu after %llu",
				    (unsigned long long)i,
				    (unsigned long long)a.seqno,
				    (unsigned long long)last);
		}
		if (!i)
			first = a.seqno;
		last = a.seqno;
		/* The frame's content: its number. */
		((volatile uint32_t *)own_map)[0] = (uint32_t)i;
		ret = hdmabuf_vgem_fence_signal(card, id);
		if (ret)
			return fail(cmd, "frame %llu: signal: %s",
				    (unsigned long long)i, strerror(-ret));
	}
	ms = now_ms() - t0;
	printf("info: %llu fenced frames in %.0f ms: %.0f frames/s, %.3f ms per frame, seqnos %llu..%llu\n",
	       (unsigned long long)n, ms, ms > 0 ? n * 1000.0 / ms : 0.0,
	       ms / (double)n, (unsigned long long)first,
	       (unsigned long long)last);
	printf("last-seqno %llu\n", (unsigned long long)last);
	printf("ok frames %llu\n", (unsigned long long)n);
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Waits until the import carries a pending fence (poll not ready). */
static int wait_busy(int fd, int timeout_ms)
{
	double end = now_ms() + timeout_ms;

	while (wait_fd(fd, POLLIN, 0) >= 0) {
		if (now_ms() > end)
			return -1;
		usleep(500);
	}
	return 0;
}

static int cmd_pingpong(const char *cmd, int argc, char **argv)
{
	struct hyper_dmabuf_fence_attach a;
	double t0, ms, *rtt, sum = 0;
	uint64_t n, i;
	bool lead;
	uint32_t id;
	int ret;

	if (argc < 3 || parse_u64(argv[1], &n) || !n || n > 100000 ||
	    (strcmp(argv[2], "lead") && strcmp(argv[2], "follow")))
		return fail(cmd, "usage: pingpong N lead|follow");
	if (!own_gem || imp_fd < 0)
		return fail(cmd, "export a buffer and import the peer's first");
	lead = !strcmp(argv[2], "lead");
	rtt = calloc(n, sizeof(*rtt));
	if (!rtt)
		return fail(cmd, "out of memory");
	for (i = 0; i < n; i++) {
		/*
		 * The follower attaches only once the leader's fence is on
		 * its import, and the leader signals only once the
		 * follower's is on its own: neither fence can be signalled
		 * before the other side saw it pending.
		 */
		if (!lead && wait_busy(imp_fd, 10000)) {
			free(rtt);
			return fail(cmd, "round %llu: the leader's fence never came",
				    (unsigned long long)i);
		}
		ret = hdmabuf_vgem_fence_attach(card, own_gem, 1, &id);
		if (ret) {
			free(rtt);
			return fail(cmd, "round %llu: vgem fence: %s",
				    (unsigned long long)i, strerror(-ret));
		}
		memset(&a, 0, sizeof(a));
		a.handle = exp_handle;
		a.fd = -1;
		a.flags = HYPER_DMABUF_FENCE_WRITE;
		ret = hdmabuf_ioctl(dev, HYPER_DMABUF_IOCTL_FENCE_ATTACH, &a);
		if (!ret && lead && wait_busy(imp_fd, 10000))
			ret = -ETIMEDOUT;
		if (ret) {
			hdmabuf_vgem_fence_signal(card, id);
			free(rtt);
			return fail(cmd, "round %llu: %s", (unsigned long long)i,
				    ret == -ETIMEDOUT && a.seqno ?
				    "the follower's fence never came" :
				    strerror(-ret));
		}
		t0 = now_ms();
		if (lead)
			ret = hdmabuf_vgem_fence_signal(card, id);
		ms = wait_fd(imp_fd, POLLIN, 10000);
		if (!lead)
			ret = hdmabuf_vgem_fence_signal(card, id);
		if (ret || ms < 0) {
			free(rtt);
			return fail(cmd, "round %llu: %s", (unsigned long long)i,
				    ret ? strerror(-ret) : "the peer never signalled");
		}
		rtt[i] = now_ms() - t0;
		sum += rtt[i];
	}
	if (lead) {
		qsort(rtt, n, sizeof(*rtt), cmp_double);
		printf("info: %llu fence round trips (signal here -> peer wakes and signals -> wake here): min %.2f ms, median %.2f ms, mean %.2f ms, max %.2f ms\n",
		       (unsigned long long)n, rtt[0], rtt[n / 2], sum / n,
		       rtt[n - 1]);
		printf("rtt-median %.2f\n", rtt[n / 2]);
	}
	free(rtt);
	printf("ok pingpong %llu\n", (unsigned long long)n);
	return 0;
}

static int run(char **argv, int argc)
{
	const char *cmd = argv[0];
	uint64_t a = 0, seed = 0;
	bool owned;
	short ev;
	int fd, ret;

	if (!strcmp(cmd, "vgem") || !strcmp(cmd, "udmabuf")) {
		if (cmd_own(cmd, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "backend")) {
		if (argc < 2 || hdmabuf_backend_parse(argv[1], &backend))
			return fail(cmd, "usage: backend xen|virtio");
		printf("ok backend\n");
	} else if (!strncmp(cmd, "mbox-", 5)) {
		if (cmd_mbox(cmd, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "import-from")) {
		double deadline;

		if (argc < 2 || parse_u64(argv[1], &a) ||
		    (argc > 2 && parse_u64(argv[2], &seed)))
			return fail(cmd, "usage: import-from PEER [SECS]");
		deadline = now_ms() + (argc > 2 ? seed : 60) * 1000.0;
		while (!(ret = find_offer(a, &handle)) && now_ms() < deadline)
			usleep(50000);
		if (ret <= 0)
			return fail(cmd, "no offer from %llu: %s",
				    (unsigned long long)a,
				    ret ? strerror(-ret) : "timed out");
		fd = hdmabuf_import(dev, &handle, 0, &imp_size);
		if (fd < 0)
			return fail(cmd, "%s", strerror(-fd));
		imp_fd = fd;
		imp_handle = handle;
		have_handle = true;
		printf("ok import-from %llu bytes\n",
		       (unsigned long long)imp_size);
	} else if (!strcmp(cmd, "export")) {
		struct hyper_dmabuf_export e;
		char hs[HDMABUF_HANDLE_STRLEN + 1];

		if (argc < 2 || parse_u64(argv[1], &a) || own_fd < 0)
			return fail(cmd, "usage: export PEER [rw] (after vgem/udmabuf)");
		memset(&e, 0, sizeof(e));
		e.fd = own_fd;
		e.backend = backend;
		e.peer = a;
		if (argc > 2 && !strcmp(argv[2], "rw"))
			e.flags = HYPER_DMABUF_EXPORT_RW;
		ret = hdmabuf_export(dev, &e);
		if (ret)
			return fail(cmd, "export to %llu: %s",
				    (unsigned long long)a, strerror(-ret));
		handle = e.handle;
		exp_handle = e.handle;
		have_handle = true;
		hdmabuf_handle_format(&e.handle, hs);
		printf("handle %s\nok export\n", hs);
	} else if (!strcmp(cmd, "wait-released")) {
		if (cmd_wait_released(cmd, dev, &exp_handle, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "unexport")) {
		ret = hdmabuf_unexport(dev, &exp_handle, 0, 30000);
		if (ret)
			return fail(cmd, "%s", strerror(-ret));
		printf("ok unexport\n");
	} else if (!strcmp(cmd, "import")) {
		double deadline;

		if (argc < 2 || hdmabuf_handle_parse(argv[1], &handle) ||
		    (argc > 2 && parse_u64(argv[2], &a)))
			return fail(cmd, "usage: import HANDLE [SECS]");
		deadline = now_ms() + (argc > 2 ? a : 60) * 1000.0;
		/* The offer travels separately: wait for it to arrive. */
		while ((fd = hdmabuf_import(dev, &handle, 0, &imp_size)) == -ENOENT &&
		       now_ms() < deadline)
			usleep(50000);
		if (fd < 0)
			return fail(cmd, "%s", strerror(-fd));
		imp_fd = fd;
		imp_handle = handle;
		have_handle = true;
		printf("ok import %llu bytes\n", (unsigned long long)imp_size);
	} else if (!strcmp(cmd, "prime")) {
		if (imp_fd < 0)
			return fail(cmd, "nothing imported");
		ret = need_card();
		if (!ret)
			ret = hdmabuf_prime_import(card, imp_fd, &imp_gem);
		if (ret)
			return fail(cmd, "PRIME import into vgem: %s",
				    strerror(-ret));
		printf("ok prime\n");
	} else if (!strcmp(cmd, "release")) {
		if (imp_map)
			munmap(imp_map, imp_size);
		imp_map = NULL;
		hdmabuf_gem_close(card, imp_gem);
		imp_gem = 0;
		if (imp_fd >= 0)
			close(imp_fd);
		imp_fd = -1;
		printf("ok release\n");
	} else if (!strcmp(cmd, "fence")) {
		uint32_t gem;

		if (argc < 3 || (strcmp(argv[1], "w") && strcmp(argv[1], "r")))
			return fail(cmd, "usage: fence w|r own|imp|scratch");
		if (!strcmp(argv[2], "scratch") && !sbuf.gem) {
			ret = need_card();
			if (!ret)
				ret = hdmabuf_vgem_alloc_size(card, 4096, &sbuf);
			if (ret)
				return fail(cmd, "scratch vgem buffer: %s",
					    strerror(-ret));
		}
		gem = !strcmp(argv[2], "own") ? own_gem :
		      !strcmp(argv[2], "imp") ? imp_gem :
		      !strcmp(argv[2], "scratch") ? sbuf.gem : 0;
		if (!gem || pending)
			return fail(cmd, "no vgem object '%s', or a fence pending",
				    argv[2]);
		ret = hdmabuf_vgem_fence_attach(card, gem, argv[1][0] == 'w',
						&pending);
		if (ret)
			return fail(cmd, "vgem fence: %s", strerror(-ret));
		printf("ok fence\n");
	} else if (!strcmp(cmd, "attach")) {
		struct hyper_dmabuf_fence_attach fa;

		if (argc < 2 || (strcmp(argv[1], "w") && strcmp(argv[1], "r")) ||
		    !have_handle)
			return fail(cmd, "usage: attach w|r [own|imp [scratch]] (after export/import)");
		memset(&fa, 0, sizeof(fa));
		fa.handle = argc > 2 && !strcmp(argv[2], "own") ? exp_handle :
			    argc > 2 && !strcmp(argv[2], "imp") ? imp_handle :
			    handle;
		fa.fd = -1;
		/* Explicit: the scratch buffer's fences, as a sync_file. */
		if (argc > 3 && !strcmp(argv[3], "scratch")) {
			if (sbuf.dmabuf < 0)
				return fail(cmd, "no scratch fence");
			fa.fd = hdmabuf_dmabuf_export_sync_file(sbuf.dmabuf, DMA_BUF_SYNC_WRITE);
			if (fa.fd < 0)
				return fail(cmd, "EXPORT_SYNC_FILE of the scratch buffer: %s",
					    strerror(-fa.fd));
		}
		fa.flags = argv[1][0] == 'w' ? HYPER_DMABUF_FENCE_WRITE : 0;
		ret = hdmabuf_ioctl(dev, HYPER_DMABUF_IOCTL_FENCE_ATTACH, &fa);
		if (fa.fd >= 0)
			close(fa.fd);
		if (ret)
			return fail(cmd, "FENCE_ATTACH: %s", strerror(-ret));
		if (!fa.seqno)
			return fail(cmd, "nothing pending was sent (seqno 0)");
		printf("seqno %llu\nok attach\n", (unsigned long long)fa.seqno);
	} else if (!strcmp(cmd, "signal")) {
		if ((argc > 1 && parse_u64(argv[1], &a)) ||
		    (argc > 2 && parse_u64(argv[2], &seed)) || !pending)
			return fail(cmd, "usage: signal [DELAY_MS [SEED]] (after fence)");
		usleep(a * 1000);
		if (argc > 2) {
			if (!own_map)
				return fail(cmd, "no buffer of ours to fill");
			fill(own_map, own_size, (uint32_t)seed);
		}
		ret = hdmabuf_vgem_fence_signal(card, pending);
		if (ret)
			return fail(cmd, "vgem signal: %s", strerror(-ret));
		pending = 0;
		printf("info: signalled at %.1f\nok signal\n", real_ms());
	} else if (!strcmp(cmd, "busy") || !strcmp(cmd, "idle")) {
		bool want_ready = !strcmp(cmd, "idle");
		double ms;

		if (argc < 3 || parse_events(argv[2], &ev))
			return fail(cmd, "usage: %s FD in|out", cmd);
		ret = poll_target(argv[1], &fd, &owned);
		if (ret)
			return fail(cmd, "%s: %s", argv[1], strerror(-ret));
		ms = wait_fd(fd, ev, 0);
		if (owned)
			close(fd);
		if ((ms >= 0) != want_ready)
			return fail(cmd, "%s is %s for %s", argv[1],
				    ms >= 0 ? "ready" : "not ready", argv[2]);
		printf("ok %s %s %s\n", cmd, argv[1], argv[2]);
	} else if (!strcmp(cmd, "wait")) {
		if (cmd_wait(cmd, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "check")) {
		int64_t bad;

		if (argc < 2 || parse_u64(argv[1], &seed))
			return fail(cmd, "usage: check SEED");
		if (map_import(cmd))
			return -1;
		bad = compare(imp_map, imp_size, (uint32_t)seed);
		if (bad >= 0)
			return fail(cmd, "word %lld of %llu differs",
				    (long long)bad,
				    (unsigned long long)imp_size / 4);
		printf("ok check\n");
	} else if (!strcmp(cmd, "check-word")) {
		uint32_t w;

		if (argc < 2 || parse_u64(argv[1], &a))
			return fail(cmd, "usage: check-word VALUE");
		if (map_import(cmd))
			return -1;
		w = ((volatile uint32_t *)imp_map)[0];
		if (w != (uint32_t)a)
			return fail(cmd, "word 0 is %u, expected %llu", w,
				    (unsigned long long)a);
		printf("ok check-word\n");
	} else if (!strcmp(cmd, "vgem-busy")) {
		uint32_t id;

		ret = hdmabuf_vgem_fence_attach(card, own_gem, 1, &id);
		if (!ret) {
			hdmabuf_vgem_fence_signal(card, id);
			return fail(cmd, "vgem accepted a write fence");
		}
		if (ret != -EBUSY)
			return fail(cmd, "vgem write fence: %s, expected EBUSY",
				    strerror(-ret));
		printf("ok vgem-busy\n");
	} else if (!strcmp(cmd, "hold")) {
		if (cmd_hold(cmd))
			return -1;
	} else if (!strcmp(cmd, "wait-error")) {
		if (cmd_wait_error(cmd, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "pingpong")) {
		if (cmd_pingpong(cmd, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "frames")) {
		if (cmd_frames(cmd, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "stat")) {
		if (argc < 2)
			return fail(cmd, "usage: stat NAME");
		printf("stat %s %lld\nok stat\n", argv[1],
		       stat_get(CORE_STATS, argv[1]));
	} else if (!strcmp(cmd, "now")) {
		printf("info: now at %.1f\nok now\n", real_ms());
	} else if (!strcmp(cmd, "sleep")) {
		if (cmd_sleep(cmd, argc, argv))
			return -1;
	} else {
		return fail(cmd, "unknown command");
	}
	fflush(stdout);
	return 0;
}

static void cleanup(void)
{
	int i;

	/* A fence left pending would hold the peer until vgem's timeout. */
	if (pending)
		hdmabuf_vgem_fence_signal(card, pending);
	for (i = 0; i < NR_HELD; i++)
		if (held[i] >= 0)
			close(held[i]);
	if (imp_map)
		munmap(imp_map, imp_size);
	if (imp_fd >= 0)
		close(imp_fd);
	if (own_gem_imported)
		hdmabuf_gem_close(card, own_gem);
	hdmabuf_udmabuf_free(&ubuf);
	hdmabuf_vgem_free(&vbuf);
	hdmabuf_vgem_free(&sbuf);
	hdmabuf_gem_close(card, imp_gem);
	if (card >= 0)
		close(card);
	close(dev);
}

int main(int argc, char **argv)
{
	return run_main(PROG, argc, argv, &dev, run, cleanup);
}
