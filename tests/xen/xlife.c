// SPDX-License-Identifier: GPL-2.0
/*
 * xlife: buffer lifecycles across Xen domains, for the lab tests
 * tests/lab/guest/xen/<role>/6x-*.sh, 8x-*.sh and 9x-*.sh (many buffers,
 * peer death, module reload, cycles, CPU access, revocation).
 *
 * usage: xlife [-t SECONDS] PEER STEP [ARGS]... [STEP [ARGS]...]...
 *
 * The steps run in order on one open of /dev/hyper_dmabuf (so events from
 * the moment it opened are seen); each prints "ok STEP ..." or
 * "FAIL STEP: reason", and the first failure ends the program with status
 * 1.  -t bounds every wait (default 60 s).  Buffers carry the pattern of
 * xtest.h: 64-bit little-endian word i of buffer k (counted from
 * 1) is k * 0x9e3779b97f4a7c15 ^ i * 0xbf58476d1ce4e5b9.
 *
 * Exporter steps (vgem buffers; the exports stay until unexport or exit):
 *   export N SIZE FILE [rw]  export N new buffers of SIZE bytes (K/M
 *                        suffixes) to PEER; their handles go to FILE, one
 *                        per line, written when all are exported
 *   unexport [revoke|wait MS]  unexport every export (plain: succeeds only
 *                        when the peer imports none)
 *   unexport-fails ERR [wait MS]  the first export's unexport fails with ERR
 *   state STATE          every export (or, without exports, every import)
 *                        is in STATE (shared, withdrawn, revoked) per QUERY
 *   released N           wait for N RELEASED events
 *   cycles N SIZE        N times: export one buffer to PEER, wait for the
 *                        peer's RELEASED, unexport; prints the backend's
 *                        grant counters every 100 cycles
 * Importer steps:
 *   import FILE          import every handle listed in FILE (waiting for
 *                        the offers), mmap each read-only and check its
 *                        first and last words; keeps them
 *   import-fails HANDLE|FILE ERR  importing (the first handle of FILE) fails
 *                        with ERR (ENOENT, ESTALE, ...) for the whole wait
 *   check                every held mapping still shows its pattern
 *   faults               reading the first mapping raises SIGBUS
 *   release              unmap and close every import
 *   cpu N DIR            N pairs of DMA_BUF_IOCTL_SYNC START/END (DIR: read,
 *                        write, rw) on the first import, all succeed
 *   cpu-fails DIR ERR    SYNC START in DIR on the first import fails with ERR
 *   import-cycles N      N times: wait for an OFFER from PEER, import it,
 *                        mmap and check word 0, unmap and close
 * Both:
 *   event TYPE           wait for an event (offer, withdrawn, revoked,
 *                        released, peer-up, peer-down) from PEER
 *   sync FILE            create FILE (tells a script a point was reached)
 *   wait FILE            wait until FILE exists
 *   pause                wait for SIGTERM or SIGINT (keeps everything held)
 *   stats                print the Xen backend's page counters
 *   sleep MS
 * Exit: 0 when every step passed, 1 otherwise, 2 usage.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
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

#include "hyperdmabuf.h"
#include "xtest.h"

#define PROG		"xlife"
#define PAGES_STATS	"/sys/kernel/debug/hyper_dmabuf_xen_pages/stats"
#define CORE_STATS	"/sys/kernel/debug/hyper_dmabuf/stats"
#define MAX_BUFS	1024

struct exp_buf {
	struct hdmabuf_vgem_buf vb;
	struct hyper_dmabuf_handle h;
};

struct imp_buf {
	struct hyper_dmabuf_handle h;
	int fd;
	uint64_t size;
	void *map;
	uint64_t seed;
};

static int dev = -1;
static int vcard = -1;
static uint64_t peer;
static double timeout_s = 60;
static struct exp_buf exps[MAX_BUFS];
static unsigned int nr_exps;
static struct imp_buf imps[MAX_BUFS];
static unsigned int nr_imps;
static unsigned int released_seen;
static volatile sig_atomic_t got_signal;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_counts(const char *what)
{
	printf("counts %s: live_grants=%lld deferred=%lld live_map_pages=%lld live_umap_pages=%lld live_exports=%lld live_imports=%lld live_offers=%lld live_sources=%lld\n",
	       what, stat_get(PAGES_STATS, "live_grants"),
	       stat_get(PAGES_STATS, "deferred"),
	       stat_get(PAGES_STATS, "live_map_pages"),
	       stat_get(PAGES_STATS, "live_umap_pages"),
	       stat_get(CORE_STATS, "live_exports"),
	       stat_get(CORE_STATS, "live_imports"),
	       stat_get(CORE_STATS, "live_offers"),
	       stat_get(CORE_STATS, "live_sources"));
}

/*
 * Waits for an event of @type from our peer (any type when @type is 0),
 * for @h too when not NULL: 0 with *ev filled, or -errno.
 */
static int wait_event(uint32_t type, const struct hyper_dmabuf_handle *h,
		      struct hyper_dmabuf_event *ev)
{
	double deadline = now() + timeout_s;
	int ret;

	for (;;) {
		double left = deadline - now();

		if (left <= 0)
			return -ETIMEDOUT;
		ret = hdmabuf_read_event(dev, ev, (int)(left * 1000) + 1);
		if (ret < 0)
			return ret;
		if (!ret)
			continue;
		/* Lost events: what we wait for may be among them. */
		if (ev->type == HYPER_DMABUF_EVENT_OVERFLOW)
			return -EOVERFLOW;
		if (ev->type == HYPER_DMABUF_EVENT_RELEASED)
			released_seen++;
		if (ev->backend != HYPER_DMABUF_BACKEND_XEN ||
		    (ev->peer != peer && ev->type != HYPER_DMABUF_EVENT_RELEASED))
			continue;
		if (type && ev->type != type)
			continue;
		if (h && !hdmabuf_handle_eq(h, &ev->handle))
			continue;
		return 0;
	}
}

static int export_one(struct exp_buf *b, uint64_t size, uint64_t seed,
		      bool rw)
{
	struct hyper_dmabuf_export e;
	int ret;

	if (vcard < 0)
		vcard = hdmabuf_vgem_open();
	if (vcard < 0)
		return vcard;
	ret = hdmabuf_vgem_alloc_size(vcard, size, &b->vb);
	if (ret)
		return ret;
	pattern_fill(b->vb.map, b->vb.size, seed);
	memset(&e, 0, sizeof(e));
	e.fd = b->vb.dmabuf;
	e.backend = HYPER_DMABUF_BACKEND_XEN;
	e.peer = peer;
	if (rw)
		e.flags = HYPER_DMABUF_EXPORT_RW;
	ret = hdmabuf_export(dev, &e);
	if (ret) {
		hdmabuf_vgem_free(&b->vb);
		return ret;
	}
	b->h = e.handle;
	return 0;
}

static int step_export(const char *step, char **arg)
{
	char hs[HDMABUF_HANDLE_STRLEN + 1], tmp[256];
	uint64_t n, size, i;
	bool rw = arg[3] && !strcmp(arg[3], "rw");
	double t0 = now();
	FILE *f;
	int ret;

	if (parse_u64(arg[0], &n) || parse_u64(arg[1], &size) || !arg[2] ||
	    n > MAX_BUFS - nr_exps)
		return fail(step, "usage: export N SIZE FILE [rw]");
	snprintf(tmp, sizeof(tmp), "%s.tmp", arg[2]);
	f = fopen(tmp, "w");
	if (!f)
		return fail(step, "%s: %s", tmp, strerror(errno));
	for (i = 0; i < n; i++) {
		struct exp_buf *b = &exps[nr_exps];

		ret = export_one(b, size, nr_exps + 1, rw);
		if (ret) {
			fclose(f);
			return fail(step, "buffer %llu: %s",
				    (unsigned long long)i, strerror(-ret));
		}
		nr_exps++;
		hdmabuf_handle_format(&b->h, hs);
		fprintf(f, "%s\n", hs);
	}
	if (fclose(f) || rename(tmp, arg[2]))
		return fail(step, "%s: %s", arg[2], strerror(errno));
	printf("ok export %llu x %llu bytes to %llu in %.2f s\n",
	       (unsigned long long)n, (unsigned long long)size,
	       (unsigned long long)peer, now() - t0);
	return 0;
}

static int step_unexport(const char *step, char **arg, int *used)
{
	uint32_t flags = 0, ms = 0;
	unsigned int i;
	uint64_t v = 0;
	int ret;

	*used = 0;
	if (arg[0] && !strcmp(arg[0], "revoke")) {
		flags = HYPER_DMABUF_UNEXPORT_REVOKE;
		*used = 1;
	} else if (arg[0] && !strcmp(arg[0], "wait")) {
		if (parse_u64(arg[1], &v))
			return fail(step, "usage: unexport wait MS");
		ms = v;
		*used = 2;
	}
	for (i = 0; i < nr_exps; i++) {
		ret = hdmabuf_unexport(dev, &exps[i].h, flags, ms);
		if (ret)
			return fail(step, "buffer %u: %s", i, strerror(-ret));
	}
	printf("ok unexport %u buffers\n", nr_exps);
	for (i = 0; i < nr_exps; i++)
		hdmabuf_vgem_free(&exps[i].vb);
	nr_exps = 0;
	return 0;
}

static int step_unexport_fails(const char *step, char **arg, int *used)
{
	uint32_t ms = 0;
	int want = errno_parse(arg[0]);
	uint64_t v;
	double t0;
	int ret;

	*used = 1;
	if (want < 0 || !nr_exps)
		return fail(step, "usage: unexport-fails ERR [wait MS], after export");
	if (arg[1] && !strcmp(arg[1], "wait")) {
		if (parse_u64(arg[2], &v))
			return fail(step, "usage: unexport-fails ERR wait MS");
		ms = v;
		*used = 3;
	}
	t0 = now();
	ret = hdmabuf_unexport(dev, &exps[0].h, 0, ms);
	if (ret != -want)
		return fail(step, "got %s (%s), expected %s", strerror(-ret),
			    errno_name(-ret), arg[0]);
	printf("ok unexport-fails %s after %.2f s\n", arg[0], now() - t0);
	return 0;
}

static int state_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "shared"))
		return HYPER_DMABUF_STATE_SHARED;
	if (!strcmp(s, "withdrawn"))
		return HYPER_DMABUF_STATE_WITHDRAWN;
	if (!strcmp(s, "revoked"))
		return HYPER_DMABUF_STATE_REVOKED;
	return -1;
}

static int step_state(const char *step, char **arg)
{
	int want = state_parse(arg[0]);
	struct hyper_dmabuf_query q;
	unsigned int i, n = nr_exps ? nr_exps : nr_imps;
	int ret;

	if (want < 0)
		return fail(step, "usage: state shared|withdrawn|revoked");
	for (i = 0; i < n; i++) {
		const struct hyper_dmabuf_handle *h = nr_exps ? &exps[i].h :
							  &imps[i].h;

		memset(&q, 0, sizeof(q));
		ret = hdmabuf_query(dev, h, &q, NULL, 0);
		if (ret)
			return fail(step, "query %u: %s", i, strerror(-ret));
		if ((int)q.state != want)
			return fail(step, "buffer %u is %s", i,
				    hdmabuf_state_name(q.state) ?: "?");
	}
	printf("ok state: %u %s are %s\n", n, nr_exps ? "exports" : "imports",
	       arg[0]);
	return 0;
}

static int step_released(const char *step, char **arg)
{
	struct hyper_dmabuf_event ev;
	uint64_t n;
	int ret;

	if (parse_u64(arg[0], &n))
		return fail(step, "usage: released N");
	while (released_seen < n) {
		ret = wait_event(HYPER_DMABUF_EVENT_RELEASED, NULL, &ev);
		if (ret)
			return fail(step, "%u of %llu: %s", released_seen,
				    (unsigned long long)n, strerror(-ret));
	}
	printf("ok released %u\n", released_seen);
	return 0;
}

static int step_cycles(const char *step, char **arg)
{
	struct hyper_dmabuf_event ev;
	uint64_t n, size, i;
	double t0 = now();
	int ret;

	if (parse_u64(arg[0], &n) || parse_u64(arg[1], &size) || nr_exps)
		return fail(step, "usage: cycles N SIZE, without other exports");
	print_counts("before cycles");
	for (i = 0; i < n; i++) {
		ret = export_one(&exps[0], size, i + 1, false);
		if (ret)
			return fail(step, "cycle %llu: export: %s",
				    (unsigned long long)i, strerror(-ret));
		ret = wait_event(HYPER_DMABUF_EVENT_RELEASED, &exps[0].h, &ev);
		if (ret)
			return fail(step, "cycle %llu: RELEASED: %s",
				    (unsigned long long)i, strerror(-ret));
		ret = hdmabuf_unexport(dev, &exps[0].h, 0, 0);
		hdmabuf_vgem_free(&exps[0].vb);
		if (ret)
			return fail(step, "cycle %llu: unexport: %s",
				    (unsigned long long)i, strerror(-ret));
		if ((i + 1) % 100 == 0) {
			char what[48];

			snprintf(what, sizeof(what), "after %llu cycles",
				 (unsigned long long)i + 1);
			print_counts(what);
		}
	}
	printf("ok cycles %llu in %.1f s (%.1f ms each)\n",
	       (unsigned long long)n, now() - t0, (now() - t0) * 1e3 / n);
	return 0;
}

static int parse_handle_arg(const char *s, struct hyper_dmabuf_handle *h)
{
	char line[128];
	FILE *f;
	int ret;

	if (!s)
		return -EINVAL;
	if (!hdmabuf_handle_parse(s, h))
		return 0;
	f = fopen(s, "r");
	if (!f)
		return -errno;
	ret = fgets(line, sizeof(line), f) ? 0 : -EINVAL;
	fclose(f);
	if (ret)
		return ret;
	line[strcspn(line, "\n")] = '\0';
	return hdmabuf_handle_parse(line, h);
}

/* Imports @h (waiting for its offer) and maps it read-only. */
static int import_one(struct imp_buf *b, const struct hyper_dmabuf_handle *h,
		      uint64_t seed, const char *step)
{
	double deadline = now() + timeout_s;
	const volatile uint64_t *w;
	uint64_t last;
	int fd;

	for (;;) {
		fd = hdmabuf_import(dev, h, 0, &b->size);
		if (fd != -ENOENT || now() > deadline)
			break;
		usleep(50000);
	}
	if (fd < 0)
		return fail(step, "import: %s", strerror(-fd));
	b->h = *h;
	b->fd = fd;
	b->seed = seed;
	b->map = mmap(NULL, b->size, PROT_READ, MAP_SHARED, fd, 0);
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		return fail(step, "mmap: %s", strerror(errno));
	}
	w = b->map;
	last = b->size / 8 - 1;
	if (le64toh(w[0]) != pattern_word(seed, 0) ||
	    le64toh(w[last]) != pattern_word(seed, last))
		return fail(step, "buffer %llu: wrong data",
			    (unsigned long long)seed);
	return 0;
}

static void release_one(struct imp_buf *b)
{
	if (b->map)
		munmap(b->map, b->size);
	b->map = NULL;
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

static int step_import(const char *step, char **arg)
{
	struct hyper_dmabuf_handle h;
	char line[128];
	double t0 = now();
	unsigned int n = 0;
	FILE *f;

	if (!arg[0])
		return fail(step, "usage: import FILE");
	f = fopen(arg[0], "r");
	if (!f)
		return fail(step, "%s: %s", arg[0], strerror(errno));
	while (fgets(line, sizeof(line), f) && nr_imps < MAX_BUFS) {
		line[strcspn(line, "\n")] = '\0';
		if (hdmabuf_handle_parse(line, &h)) {
			fclose(f);
			return fail(step, "bad handle '%s'", line);
		}
		n++;
		/* Buffer k of the exporter carries seed k. */
		if (import_one(&imps[nr_imps], &h, n, step)) {
			fclose(f);
			return -1;
		}
		nr_imps++;
	}
	fclose(f);
	printf("ok import %u buffers in %.2f s, all mapped and checked\n", n,
	       now() - t0);
	return 0;
}

static int step_import_fails(const char *step, char **arg)
{
	struct hyper_dmabuf_handle h;
	int want = errno_parse(arg[1]);
	double deadline = now() + timeout_s;
	int fd;

	if (parse_handle_arg(arg[0], &h) || want < 0)
		return fail(step, "usage: import-fails HANDLE|FILE ERR");
	/* Fails every time until the wait is over, never succeeds. */
	do {
		fd = hdmabuf_import(dev, &h, 0, NULL);
		if (fd >= 0) {
			close(fd);
			return fail(step, "the import succeeded");
		}
		if (fd != -want)
			return fail(step, "got %s (%s), expected %s",
				    strerror(-fd), errno_name(-fd), arg[1]);
		usleep(200000);
	} while (now() < deadline);
	printf("ok import-fails %s\n", arg[1]);
	return 0;
}

static int step_check(const char *step)
{
	unsigned int i;

	for (i = 0; i < nr_imps; i++) {
		int64_t k = -1;

		if (imps[i].map)
			k = pattern_compare(imps[i].map, imps[i].size,
					    imps[i].seed);
		if (k >= 0)
			return fail(step, "buffer %u word %lld", i,
				    (long long)k);
	}
	printf("ok check %u buffers\n", nr_imps);
	return 0;
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

/*
 * Reads the first mapping in this process (the backend's mappings are
 * VM_DONTCOPY: a forked child would not have it) and reports the signal.
 */
static int step_faults(const char *step)
{
	struct sigaction sa = { .sa_handler = on_fault }, obus, osegv;
	int sig;

	if (!nr_imps || !imps[0].map)
		return fail(step, "no mapping held");
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig) {
		(void)*(const volatile uint64_t *)imps[0].map;
		sig = -1;
	}
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	if (sig != SIGBUS)
		return fail(step, "reading the mapping gave %s",
			    sig < 0 ? "no signal" : strsignal(sig));
	printf("ok faults: SIGBUS\n");
	return 0;
}

static int step_release(void)
{
	unsigned int i;

	for (i = 0; i < nr_imps; i++)
		release_one(&imps[i]);
	printf("ok release %u\n", nr_imps);
	nr_imps = 0;
	return 0;
}

static int dir_parse(const char *s, uint64_t *flags)
{
	if (!s)
		return -1;
	if (!strcmp(s, "read"))
		*flags = DMA_BUF_SYNC_READ;
	else if (!strcmp(s, "write"))
		*flags = DMA_BUF_SYNC_WRITE;
	else if (!strcmp(s, "rw"))
		*flags = DMA_BUF_SYNC_RW;
	else
		return -1;
	return 0;
}

static int step_cpu(const char *step, char **arg)
{
	uint64_t n, dir, i;
	double t0 = now();
	int ret;

	if (parse_u64(arg[0], &n) || dir_parse(arg[1], &dir) || !nr_imps)
		return fail(step, "usage: cpu N read|write|rw, after import");
	for (i = 0; i < n; i++) {
		ret = hdmabuf_dmabuf_sync(imps[0].fd, DMA_BUF_SYNC_START | dir);
		if (!ret)
			ret = hdmabuf_dmabuf_sync(imps[0].fd,
						  DMA_BUF_SYNC_END | dir);
		if (ret)
			return fail(step, "pair %llu: %s",
				    (unsigned long long)i, strerror(-ret));
	}
	printf("ok cpu %llu %s pairs in %.3f s\n", (unsigned long long)n,
	       arg[1], now() - t0);
	return 0;
}

static int step_cpu_fails(const char *step, char **arg)
{
	int want = errno_parse(arg[1]);
	uint64_t dir;
	int ret;

	if (dir_parse(arg[0], &dir) || want < 0 || !nr_imps)
		return fail(step, "usage: cpu-fails DIR ERR, after import");
	ret = hdmabuf_dmabuf_sync(imps[0].fd, DMA_BUF_SYNC_START | dir);
	if (ret != -want)
		return fail(step, "got %s (%s), expected %s", strerror(-ret),
			    errno_name(-ret), arg[1]);
	printf("ok cpu-fails %s %s\n", arg[0], arg[1]);
	return 0;
}

static int step_import_cycles(const char *step, char **arg)
{
	struct hyper_dmabuf_event ev;
	struct imp_buf b = { .fd = -1 };
	uint64_t n, i;
	double t0 = now();
	int ret;

	if (parse_u64(arg[0], &n) || nr_imps)
		return fail(step, "usage: import-cycles N, without other imports");
	print_counts("before cycles");
	for (i = 0; i < n; i++) {
		ret = wait_event(HYPER_DMABUF_EVENT_OFFER, NULL, &ev);
		if (ret)
			return fail(step, "cycle %llu: OFFER: %s",
				    (unsigned long long)i, strerror(-ret));
		ret = import_one(&b, &ev.handle, i + 1, step);
		release_one(&b);
		if (ret)
			return -1;
		if ((i + 1) % 100 == 0) {
			char what[48];

			snprintf(what, sizeof(what), "after %llu cycles",
				 (unsigned long long)i + 1);
			print_counts(what);
		}
	}
	printf("ok import-cycles %llu in %.1f s\n", (unsigned long long)n,
	       now() - t0);
	return 0;
}

static int step_event(const char *step, char **arg)
{
	static const char *const names[] = {
		"offer", "withdrawn", "revoked", "released", "peer-up",
		"peer-down",
	};
	static const uint32_t types[] = {
		HYPER_DMABUF_EVENT_OFFER, HYPER_DMABUF_EVENT_WITHDRAWN,
		HYPER_DMABUF_EVENT_REVOKED, HYPER_DMABUF_EVENT_RELEASED,
		HYPER_DMABUF_EVENT_PEER_UP, HYPER_DMABUF_EVENT_PEER_DOWN,
	};
	struct hyper_dmabuf_event ev;
	unsigned int i;
	int ret;

	for (i = 0; arg[0] && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(arg[0], names[i]))
			break;
	if (!arg[0] || i == sizeof(names) / sizeof(names[0]))
		return fail(step, "usage: event TYPE");
	ret = wait_event(types[i], NULL, &ev);
	if (ret)
		return fail(step, "%s from %llu: %s", arg[0],
			    (unsigned long long)peer, strerror(-ret));
	printf("ok event %s from %llu\n", arg[0], (unsigned long long)peer);
	return 0;
}

static void on_signal(int sig)
{
	got_signal = sig;
}

static int step_wait(const char *step, const char *file)
{
	double deadline = now() + timeout_s;

	if (!file)
		return fail(step, "usage: wait FILE");
	while (access(file, F_OK)) {
		if (now() > deadline)
			return fail(step, "%s did not appear", file);
		usleep(100000);
	}
	printf("ok wait %s\n", file);
	return 0;
}

static int step_sync(const char *step, const char *file)
{
	int fd;

	if (!file)
		return fail(step, "usage: sync FILE");
	fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail(step, "%s: %s", file, strerror(errno));
	close(fd);
	printf("ok sync %s\n", file);
	return 0;
}

/* Runs the step at @argv; returns the words it used, or -1. */
static int run_step(char **argv)
{
	const char *s = argv[0];
	int used = 0;

	if (!strcmp(s, "export"))
		return step_export(s, argv + 1) ? -1 : 4 + (argv[4] && !strcmp(argv[4], "rw"));
	if (!strcmp(s, "unexport"))
		return step_unexport(s, argv + 1, &used) ? -1 : 1 + used;
	if (!strcmp(s, "unexport-fails"))
		return step_unexport_fails(s, argv + 1, &used) ? -1 : 1 + used;
	if (!strcmp(s, "state"))
		return step_state(s, argv + 1) ? -1 : 2;
	if (!strcmp(s, "released"))
		return step_released(s, argv + 1) ? -1 : 2;
	if (!strcmp(s, "cycles"))
		return step_cycles(s, argv + 1) ? -1 : 3;
	if (!strcmp(s, "import"))
		return step_import(s, argv + 1) ? -1 : 2;
	if (!strcmp(s, "import-fails"))
		return step_import_fails(s, argv + 1) ? -1 : 3;
	if (!strcmp(s, "check"))
		return step_check(s) ? -1 : 1;
	if (!strcmp(s, "faults"))
		return step_faults(s) ? -1 : 1;
	if (!strcmp(s, "release"))
		return step_release() ? -1 : 1;
	if (!strcmp(s, "cpu"))
		return step_cpu(s, argv + 1) ? -1 : 3;
	if (!strcmp(s, "cpu-fails"))
		return step_cpu_fails(s, argv + 1) ? -1 : 3;
	if (!strcmp(s, "import-cycles"))
		return step_import_cycles(s, argv + 1) ? -1 : 2;
	if (!strcmp(s, "event"))
		return step_event(s, argv + 1) ? -1 : 2;
	if (!strcmp(s, "sync"))
		return step_sync(s, argv[1]) ? -1 : 2;
	if (!strcmp(s, "wait"))
		return step_wait(s, argv[1]) ? -1 : 2;
	if (!strcmp(s, "pause")) {
		while (!got_signal)
			pause();
		printf("ok pause: signal %d\n", got_signal);
		return 1;
	}
	if (!strcmp(s, "stats")) {
		print_counts("now");
		return 1;
	}
	if (!strcmp(s, "sleep")) {
		uint64_t ms;

		if (parse_u64(argv[1], &ms))
			return fail(s, "usage: sleep MS");
		usleep(ms * 1000);
		return 2;
	}
	fprintf(stderr, "%s: unknown step %s\n", PROG, s);
	return -2;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	char **args;
	int i, n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "-t")) {
		timeout_s = atof(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 3 || parse_u64(argv[1], &peer)) {
		fprintf(stderr, "usage: %s [-t SECONDS] PEER STEP [ARGS]...\n",
			PROG);
		return 2;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < MAX_BUFS; i++)
		imps[i].fd = -1;
	dev = hdmabuf_open(0);
	if (dev < 0) {
		fprintf(stderr, "%s: %s: %s\n", PROG, HDMABUF_DEV,
			strerror(-dev));
		return 1;
	}
	/* Steps look a few words ahead: pad with NULLs. */
	args = calloc(argc + 4, sizeof(*args));
	if (!args)
		return 1;
	memcpy(args, argv, argc * sizeof(*args));
	for (i = 2; i < argc; i += n) {
		n = run_step(args + i);
		if (n == -2)
			return 2;
		if (n < 0)
			return 1;
		if (i + n > argc) {
			fprintf(stderr, "%s: %s: missing arguments\n", PROG,
				argv[i]);
			return 2;
		}
	}
	step_release();
	close(dev);
	return 0;
}
