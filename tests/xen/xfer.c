// SPDX-License-Identifier: GPL-2.0
/*
 * xfer: cross-domain export/import checks for the Xen lab scenario.
 *
 * One process runs a list of commands, given on the command line
 * (separated by ":") or, with "-", read from stdin one per line, so that a
 * test script can keep an export or an import alive across steps in other
 * domains (feed it through a FIFO).  Each command prints "ok CMD ..." or
 * "FAIL CMD: reason"; the first failure ends the program with status 1.
 *
 * Buffers carry the test pattern: 64-bit little-endian word i is
 * SEED * 0x9e3779b97f4a7c15 ^ i * 0xbf58476d1ce4e5b9 (the Xen backend's
 * debugfs vmap_probe uses the same pattern and FNV-1a hash).
 *
 * Exporter commands:
 *   vgem SIZE SEED          vgem buffer of SIZE bytes (K/M suffixes) with the
 *                           pattern of SEED
 *   udmabuf SIZE SEED       the same from udmabuf over a sealed memfd: in a
 *                           PV domU, writing a vgem buffer through its mmap
 *                           loops on page faults (drm_gem_shmem_fault)
 *   testexp SIZE SEED       the same from tests/kmod's hdmabuf_testexp module
 *                           (kernels without udmabuf)
 *   export PEER [rw]        export it to domain PEER through the Xen backend;
 *                           prints "handle HEX"
 *   verify SEED             the exported buffer holds the pattern of SEED
 *   wait-released SECS      wait for the peer's RELEASED event
 *   unexport [revoke]       unexport (revoke: tear the import down now)
 * Importer commands:
 *   import HANDLE [SECS]    import (waiting up to SECS, default 60, for the
 *                           offer); prints the time and the backend's
 *                           directory/data map times
 *   import-fails HANDLE ERR [SECS]  the import fails with errno ERR (a name:
 *                           EPERM, EBADMSG, ...)
 *   mmap-check SEED         mmap read-only and compare with the pattern
 *   mmap-fill SEED          mmap read-write and write the pattern
 *   vmap-check SEED         kernel mapping (dma_buf_vmap via debugfs)
 *                           hashes to the pattern's hash
 *   vmap-fill SEED          write the pattern through the kernel mapping
 *   rw-refused              a writable mmap of the import fails (EACCES)
 *   write-faults            reading a read-only mapping works, writing to it
 *                           raises SIGSEGV or SIGBUS
 *   hold                    keep a read-only mapping (for revocation)
 *   held-check SEED         the held mapping still shows the pattern
 *   held-faults             reading the held mapping raises SIGBUS
 *   prime-refused           a read-only import refuses the PRIME import
 *                           into vgem (it maps bidirectionally: EACCES)
 *   prime-import            import it into vgem (PRIME: attach and map
 *                           for vgem's device, i.e. an sg table over the
 *                           mapped pages and its DMA addresses)
 *   release                 close the imported dma-buf
 * Both:
 *   stats                   print the Xen backend's page counters
 *   sleep MS
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "hyperdmabuf.h"
#include "hdmabuf_testexp.h"
#include "xtest.h"

#define PROG		"xfer"
#define DEBUGFS		"/sys/kernel/debug/hyper_dmabuf_xen_pages/"

static int dev = -1;
static struct hdmabuf_vgem_buf vbuf = { .dmabuf = -1 };
static struct hdmabuf_udmabuf ubuf = { .memfd = -1, .dmabuf = -1 };
static int vcard = -1;

/* The buffer we export, whichever allocator made it. */
static struct {
	int dmabuf;		/* dma-buf fd, -1 when none */
	void *map;		/* read-write CPU mapping of @size bytes */
	uint64_t size;
	bool own;		/* @dmabuf and @map are ours (testexp's) */
} ebuf = { .dmabuf = -1 };
static struct hyper_dmabuf_handle exp_handle;
static int imp_fd = -1;
static uint64_t imp_size;
static void *held;

static void ebuf_free(void)
{
	if (ebuf.own) {
		if (ebuf.map)
			munmap(ebuf.map, ebuf.size);
		if (ebuf.dmabuf >= 0)
			close(ebuf.dmabuf);
	}
	hdmabuf_udmabuf_free(&ubuf);
	hdmabuf_vgem_free(&vbuf);
	ebuf.dmabuf = -1;
	ebuf.map = NULL;
	ebuf.size = 0;
	ebuf.own = false;
}

/* udmabuf over a sealed memfd of @size bytes, mapped through the memfd. */
static int ebuf_udmabuf(uint64_t size)
{
	int ret = hdmabuf_udmabuf_alloc(size, &ubuf);

	if (ret)
		return ret;
	ebuf.dmabuf = ubuf.dmabuf;
	ebuf.map = ubuf.map;
	ebuf.size = ubuf.size;
	return 0;
}

/* A page-backed dma-buf from hdmabuf_testexp, mapped through the dma-buf. */
static int ebuf_testexp(uint64_t size)
{
	struct hdmabuf_testexp_create c;
	int tdev, ret;

	tdev = hdmabuf_open_chrdev("/dev/" HDMABUF_TESTEXP_NAME,
				   "/sys/class/misc/" HDMABUF_TESTEXP_NAME "/dev");
	if (tdev < 0)
		return tdev;
	ebuf.own = true;
	ebuf.size = size;
	memset(&c, 0, sizeof(c));
	c.size = size;
	if (ioctl(tdev, HDMABUF_TESTEXP_CREATE, &c)) {
		ret = -errno;
		goto fail;
	}
	ebuf.dmabuf = c.fd;
	ebuf.map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			ebuf.dmabuf, 0);
	if (ebuf.map == MAP_FAILED) {
		ebuf.map = NULL;
		ret = -errno;
		goto fail;
	}
	close(tdev);
	return 0;
fail:
	close(tdev);
	ebuf_free();
	return ret;
}

/* Writes @req to the vmap probe and returns the hash it read back. */
static int vmap_probe(const char *cmd, const char *req, uint64_t *hash,
		      unsigned long long *ns)
{
	char buf[128];
	ssize_t n;
	int fd = open(DEBUGFS "vmap_probe", O_RDWR);

	if (fd < 0)
		return fail(cmd, "open vmap_probe: %s", strerror(errno));
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		int err = errno;

		close(fd);
		return fail(cmd, "vmap_probe '%s': %s", req, strerror(err));
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return fail(cmd, "read vmap_probe: %s", strerror(errno));
	buf[n] = '\0';
	if (sscanf(buf, "hash=%" SCNx64 " ns=%llu", hash, ns) != 2)
		return fail(cmd, "vmap_probe said '%s'", buf);
	return 0;
}

static sigjmp_buf access_env;
static volatile sig_atomic_t access_sig;

static void access_handler(int sig)
{
	access_sig = sig;
	siglongjmp(access_env, 1);
}

/*
 * Reads or writes the first word at @p in this process (a child would not
 * do: the import's grant PTEs are VM_DONTCOPY, a fork sees no mapping);
 * returns the signal the access raised (SIGSEGV, SIGBUS), 0 if none.
 */
static int access_signal(void *p, bool write)
{
	struct sigaction sa, old_segv, old_bus;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = access_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	access_sig = 0;
	if (!sigsetjmp(access_env, 1)) {
		if (write)
			*(volatile uint64_t *)p = 1;
		else
			(void)*(volatile uint64_t *)p;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return access_sig;
}

/* Opens vgem once: 0, or -1 after a FAIL line. */
static int need_vgem(const char *cmd)
{
	if (vcard < 0)
		vcard = hdmabuf_vgem_open();
	if (vcard < 0)
		return fail(cmd, "open vgem: %s", strerror(-vcard));
	return 0;
}

static int do_import(const char *hs, uint64_t secs, int *err_out)
{
	struct hyper_dmabuf_handle h;
	double t0, t1, deadline;
	int fd;

	if (!hs || hdmabuf_handle_parse(hs, &h)) {
		*err_out = EINVAL;
		return -1;
	}
	deadline = now_ms() + secs * 1000.0;
	for (;;) {
		t0 = now_ms();
		fd = hdmabuf_import(dev, &h, 0, &imp_size);
		t1 = now_ms();
		/* The offer travels separately: wait for it to arrive. */
		if (fd != -ENOENT || t1 > deadline)
			break;
		usleep(50000);
	}
	if (fd < 0) {
		*err_out = -fd;
		return -1;
	}
	imp_fd = fd;
	printf("info: import of %llu KiB took %.3f ms (dir map %.3f ms, data map %.3f ms, %.2f us/page)\n",
	       (unsigned long long)imp_size >> 10, t1 - t0,
	       stat_get(DEBUGFS "stats", "last_map_dir_ns") / 1e6,
	       stat_get(DEBUGFS "stats", "last_map_data_ns") / 1e6,
	       stat_get(DEBUGFS "stats", "last_map_data_ns") / 1e3 /
	       (double)(imp_size / 4096 ? imp_size / 4096 : 1));
	return 0;
}

static int run(char **argv, int argc)
{
	const char *cmd = argv[0];
	uint64_t a = 0, seed = 0;
	int ret, err;

	if (!strcmp(cmd, "vgem") || !strcmp(cmd, "udmabuf") ||
	    !strcmp(cmd, "testexp")) {
		long page = sysconf(_SC_PAGESIZE);

		if (argc < 3 || parse_u64(argv[1], &a) || parse_u64(argv[2], &seed) ||
		    !a)
			return fail(cmd, "usage: %s SIZE SEED", cmd);
		ebuf_free();
		if (!strcmp(cmd, "vgem")) {
			if (need_vgem(cmd))
				return -1;
			ret = hdmabuf_vgem_alloc_size(vcard, a, &vbuf);
			ebuf.dmabuf = vbuf.dmabuf;
			ebuf.map = vbuf.map;
			ebuf.size = vbuf.size;
		} else {
			a = (a + page - 1) / page * page;
			ret = !strcmp(cmd, "udmabuf") ? ebuf_udmabuf(a) :
							 ebuf_testexp(a);
		}
		if (ret)
			return fail(cmd, "alloc %llu: %s", (unsigned long long)a,
				    strerror(-ret));
		ret = hdmabuf_dmabuf_sync(ebuf.dmabuf, DMA_BUF_SYNC_START |
					  DMA_BUF_SYNC_WRITE);
		if (ret)
			return fail(cmd, "DMA_BUF_SYNC_START: %s", strerror(-ret));
		pattern_fill(ebuf.map, ebuf.size, seed);
		hdmabuf_dmabuf_sync(ebuf.dmabuf, DMA_BUF_SYNC_END |
				    DMA_BUF_SYNC_WRITE);
		printf("ok %s %llu bytes\n", cmd, (unsigned long long)ebuf.size);
	} else if (!strcmp(cmd, "export")) {
		struct hyper_dmabuf_export e;
		char hs[HDMABUF_HANDLE_STRLEN + 1];
		int tries;

		if (argc < 2 || parse_u64(argv[1], &a))
			return fail(cmd, "usage: export PEER [rw]");
		memset(&e, 0, sizeof(e));
		e.fd = ebuf.dmabuf;
		e.backend = HYPER_DMABUF_BACKEND_XEN;
		e.peer = a;
		if (argc > 2 && !strcmp(argv[2], "rw"))
			e.flags = HYPER_DMABUF_EXPORT_RW;
		/*
		 * Right after the peer reloaded its module, our channel may
		 * report connected before the core has the peer back up:
		 * give it a few seconds (the channel tests cover that path).
		 */
		for (tries = 0; ; tries++) {
			ret = hdmabuf_export(dev, &e);
			if (ret != -ENXIO || tries == 100)
				break;
			usleep(100000);
		}
		if (tries)
			printf("info: export: the peer was unreachable (ENXIO) for %d ms\n",
			       tries * 100);
		if (ret)
			return fail(cmd, "export to %llu: %s",
				    (unsigned long long)a, strerror(-ret));
		exp_handle = e.handle;
		hdmabuf_handle_format(&e.handle, hs);
		printf("handle %s\nok export\n", hs);
	} else if (!strcmp(cmd, "verify")) {
		int64_t bad;

		if (argc < 2 || parse_u64(argv[1], &seed) || !ebuf.map)
			return fail(cmd, "usage: verify SEED (after a buffer)");
		hdmabuf_dmabuf_sync(ebuf.dmabuf, DMA_BUF_SYNC_START |
				    DMA_BUF_SYNC_READ);
		bad = pattern_compare(ebuf.map, ebuf.size, seed);
		hdmabuf_dmabuf_sync(ebuf.dmabuf, DMA_BUF_SYNC_END |
				    DMA_BUF_SYNC_READ);
		if (bad >= 0)
			return fail(cmd, "word %lld differs", (long long)bad);
		printf("ok verify\n");
	} else if (!strcmp(cmd, "wait-released")) {
		if (cmd_wait_released(cmd, dev, &exp_handle, argc, argv))
			return -1;
	} else if (!strcmp(cmd, "unexport")) {
		uint32_t fl = argc > 1 && !strcmp(argv[1], "revoke") ?
			      HYPER_DMABUF_UNEXPORT_REVOKE : 0;

		ret = hdmabuf_unexport(dev, &exp_handle, fl, 30000);
		if (ret)
			return fail(cmd, "%s", strerror(-ret));
		printf("ok unexport\n");
	} else if (!strcmp(cmd, "import")) {
		if (argc > 2 && parse_u64(argv[2], &a))
			return fail(cmd, "usage: import HANDLE [SECS]");
		if (do_import(argv[1], argc > 2 ? a : 60, &err))
			return fail(cmd, "%s", strerror(err));
		printf("ok import\n");
	} else if (!strcmp(cmd, "import-fails")) {
		int want = errno_parse(argc > 2 ? argv[2] : NULL);

		if (want < 0 || (argc > 3 && parse_u64(argv[3], &a)))
			return fail(cmd, "usage: import-fails HANDLE ERRNO [SECS]");
		if (!do_import(argv[1], argc > 3 ? a : 20, &err))
			return fail(cmd, "the import succeeded");
		if (err != want)
			return fail(cmd, "failed with %s (%s), expected %s",
				    errno_name(err), strerror(err), argv[2]);
		printf("ok import-fails %s\n", argv[2]);
	} else if (!strcmp(cmd, "mmap-check") || !strcmp(cmd, "mmap-fill")) {
		bool wr = !strcmp(cmd, "mmap-fill");
		double t0 = now_ms(), t1;
		int64_t bad = -1;
		void *p;

		if (argc < 2 || parse_u64(argv[1], &seed) || imp_fd < 0)
			return fail(cmd, "usage: %s SEED (after import)", cmd);
		p = mmap(NULL, imp_size, PROT_READ | (wr ? PROT_WRITE : 0),
			 MAP_SHARED, imp_fd, 0);
		if (p == MAP_FAILED)
			return fail(cmd, "mmap: %s", strerror(errno));
		t1 = now_ms();
		if (wr)
			pattern_fill(p, imp_size, seed);
		else
			bad = pattern_compare(p, imp_size, seed);
		munmap(p, imp_size);
		if (bad >= 0)
			return fail(cmd, "word %lld differs", (long long)bad);
		printf("info: %s of %llu KiB: mmap %.3f ms, access %.3f ms\n",
		       cmd, (unsigned long long)imp_size >> 10, t1 - t0,
		       now_ms() - t1);
		printf("ok %s\n", cmd);
	} else if (!strcmp(cmd, "vmap-check") || !strcmp(cmd, "vmap-fill")) {
		unsigned long long ns;
		char req[64];
		uint64_t h;

		if (argc < 2 || parse_u64(argv[1], &seed) || imp_fd < 0)
			return fail(cmd, "usage: %s SEED (after import)", cmd);
		if (!strcmp(cmd, "vmap-fill"))
			snprintf(req, sizeof(req), "%d fill %llu", imp_fd,
				 (unsigned long long)seed);
		else
			snprintf(req, sizeof(req), "%d hash", imp_fd);
		if (vmap_probe(cmd, req, &h, &ns))
			return -1;
		if (h != pattern_hash(imp_size, seed))
			return fail(cmd, "hash %016llx, expected %016llx",
				    (unsigned long long)h,
				    (unsigned long long)pattern_hash(imp_size, seed));
		printf("info: %s of %llu KiB: %.3f ms\n", cmd,
		       (unsigned long long)imp_size >> 10, ns / 1e6);
		printf("ok %s\n", cmd);
	} else if (!strcmp(cmd, "rw-refused")) {
		void *p = mmap(NULL, imp_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, imp_fd, 0);

		if (p != MAP_FAILED) {
			munmap(p, imp_size);
			return fail(cmd, "a writable mapping was allowed");
		}
		if (errno != EACCES)
			return fail(cmd, "mmap: %s, expected EACCES",
				    strerror(errno));
		p = mmap(NULL, imp_size, PROT_READ, MAP_SHARED, imp_fd, 0);
		if (p == MAP_FAILED)
			return fail(cmd, "mmap read-only: %s", strerror(errno));
		ret = mprotect(p, imp_size, PROT_READ | PROT_WRITE);
		err = errno;
		munmap(p, imp_size);
		if (!ret)
			return fail(cmd, "mprotect to writable was allowed");
		printf("ok rw-refused (mmap and mprotect: %s)\n", strerror(err));
	} else if (!strcmp(cmd, "write-faults")) {
		int rsig, wsig;
		void *p;

		p = mmap(NULL, imp_size, PROT_READ, MAP_SHARED, imp_fd, 0);
		if (p == MAP_FAILED)
			return fail(cmd, "mmap: %s", strerror(errno));
		/* Reading works, writing through the read-only mapping faults. */
		rsig = access_signal(p, false);
		wsig = access_signal(p, true);
		munmap(p, imp_size);
		if (rsig)
			return fail(cmd, "reading raised signal %d", rsig);
		if (wsig != SIGSEGV && wsig != SIGBUS)
			return fail(cmd, "the write was not stopped");
		printf("ok write-faults (%s)\n", strsignal(wsig));
	} else if (!strcmp(cmd, "hold")) {
		held = mmap(NULL, imp_size, PROT_READ, MAP_SHARED, imp_fd, 0);
		if (held == MAP_FAILED) {
			held = NULL;
			return fail(cmd, "mmap: %s", strerror(errno));
		}
		printf("ok hold\n");
	} else if (!strcmp(cmd, "held-check")) {
		int64_t bad;

		if (argc < 2 || parse_u64(argv[1], &seed) || !held)
			return fail(cmd, "usage: held-check SEED (after hold)");
		bad = pattern_compare(held, imp_size, seed);
		if (bad >= 0)
			return fail(cmd, "word %lld differs", (long long)bad);
		printf("ok held-check\n");
	} else if (!strcmp(cmd, "held-faults")) {
		int sig;

		if (!held)
			return fail(cmd, "nothing held");
		sig = access_signal(held, false);
		if (sig != SIGBUS)
			return fail(cmd, "reading did not raise SIGBUS (signal %d)", sig);
		munmap(held, imp_size);
		held = NULL;
		printf("ok held-faults\n");
	} else if (!strcmp(cmd, "prime-refused") ||
		   !strcmp(cmd, "prime-import")) {
		bool refused = !strcmp(cmd, "prime-refused");
		uint32_t gem;

		if (imp_fd < 0)
			return fail(cmd, "nothing imported");
		if (need_vgem(cmd))
			return -1;
		ret = hdmabuf_prime_import(vcard, imp_fd, &gem);
		if (!ret)
			hdmabuf_gem_close(vcard, gem);
		if (refused && !ret)
			return fail(cmd, "PRIME import of a read-only import worked");
		if (refused && ret != -EACCES)
			return fail(cmd, "PRIME_FD_TO_HANDLE: %s, not EACCES",
				    strerror(-ret));
		if (!refused && ret)
			return fail(cmd, "PRIME_FD_TO_HANDLE: %s", strerror(-ret));
		printf("ok %s\n", cmd);
	} else if (!strcmp(cmd, "release")) {
		if (held)
			munmap(held, imp_size);
		held = NULL;
		if (imp_fd >= 0)
			close(imp_fd);
		imp_fd = -1;
		printf("ok release\n");
	} else if (!strcmp(cmd, "stats")) {
		char line[128];
		FILE *f = fopen(DEBUGFS "stats", "r");

		if (!f)
			return fail(cmd, "open stats: %s", strerror(errno));
		while (fgets(line, sizeof(line), f))
			printf("info: stat %s", line);
		fclose(f);
		printf("ok stats\n");
	} else if (!strcmp(cmd, "sleep")) {
		if (cmd_sleep(cmd, argc, argv))
			return -1;
	} else {
		return fail(cmd, "unknown command");
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	return run_main(PROG, argc, argv, &dev, run, NULL);
}
