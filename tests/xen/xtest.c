// SPDX-License-Identifier: GPL-2.0
/*
 * xtest: helpers shared by the lab's Xen/virtio test programs (xfer, xlife,
 * xfence); see xtest.h.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hyperdmabuf.h"
#include "xtest.h"

int fail(const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return -1;
}

int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s)
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		*v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		*v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		*v <<= 30, end++;
	return *end ? -1 : 0;
}

/* The errors the programs' commands expect or report by name. */
static const struct {
	const char *name;
	int err;
} errnames[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EIO", EIO },
	{ "ENXIO", ENXIO }, { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM },
	{ "EACCES", EACCES }, { "EBUSY", EBUSY }, { "ENODEV", ENODEV },
	{ "EINVAL", EINVAL }, { "ENOSPC", ENOSPC }, { "ERANGE", ERANGE },
	{ "EBADMSG", EBADMSG }, { "EPROTO", EPROTO },
	{ "ECONNRESET", ECONNRESET }, { "ENOTCONN", ENOTCONN },
	{ "ETIMEDOUT", ETIMEDOUT }, { "ESTALE", ESTALE },
};

int errno_parse(const char *s)
{
	size_t i;

	for (i = 0; s && i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(s, errnames[i].name))
			return errnames[i].err;
	return -1;
}

const char *errno_name(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "?";
}

double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

long long stat_get(const char *file, const char *name)
{
	char line[128], key[64];
	long long v, found = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

void pattern_fill(void *p, uint64_t size, uint64_t seed)
{
	uint64_t *w = p, i;

	for (i = 0; i < size / 8; i++)
		w[i] = htole64(pattern_word(seed, i));
}

int64_t pattern_compare(const void *p, uint64_t size, uint64_t seed)
{
	const volatile uint64_t *w = p;
	uint64_t i;

	for (i = 0; i < size / 8; i++)
		if (le64toh(w[i]) != pattern_word(seed, i))
			return (int64_t)i;
	return -1;
}

uint64_t pattern_hash(uint64_t size, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL, i;

	for (i = 0; i < size / 8; i++) {
		h ^= pattern_word(seed, i);
		h *= 0x100000001b3ULL;
	}
	return h;
}

int cmd_wait_released(const char *cmd, int dev,
		      const struct hyper_dmabuf_handle *h, int argc,
		      char **argv)
{
	struct hyper_dmabuf_event ev;
	uint64_t secs;
	double end;
	int ret;

	if (argc < 2 || parse_u64(argv[1], &secs))
		return fail(cmd, "usage: wait-released SECS");
	end = now_ms() + secs * 1000.0;
	for (;;) {
		int left = (int)(end - now_ms());

		if (left <= 0)
			return fail(cmd, "no RELEASED event");
		ret = hdmabuf_read_event(dev, &ev, left);
		if (ret < 0 && ret != -EINTR)
			return fail(cmd, "read event: %s", strerror(-ret));
		if (ret == 1 && ev.type == HYPER_DMABUF_EVENT_RELEASED &&
		    hdmabuf_handle_eq(&ev.handle, h))
			break;
		/*
		 * The peer's FENCE events (one per fenced frame) can fill the
		 * queue and cost the RELEASED: ask instead.
		 */
		if (ret == 1 && ev.type == HYPER_DMABUF_EVENT_OVERFLOW) {
			struct hyper_dmabuf_query q;

			if (!hdmabuf_query(dev, h, &q, NULL, 0) && !q.importers)
				break;
		}
	}
	printf("ok wait-released\n");
	return 0;
}

int cmd_sleep(const char *cmd, int argc, char **argv)
{
	uint64_t ms;

	if (argc < 2 || parse_u64(argv[1], &ms))
		return fail(cmd, "usage: sleep MS");
	usleep(ms * 1000);
	printf("ok sleep\n");
	return 0;
}

static int run_line(char *line, xtest_run_fn run)
{
	char *argv[8], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t\n", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t\n", &save))
		argv[argc++] = tok;
	if (!argc || argv[0][0] == '#')
		return 0;
	return run(argv, argc);
}

static int run_commands(int argc, char **argv, xtest_run_fn run)
{
	int i, start;

	if (!strcmp(argv[1], "-")) {
		char line[256];

		while (fgets(line, sizeof(line), stdin))
			if (run_line(line, run))
				return -1;
		return 0;
	}
	for (start = 1, i = 1; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], ":"))
			continue;
		if (i > start && run(argv + start, i - start))
			return -1;
		start = i + 1;
	}
	return 0;
}

int run_main(const char *prog, int argc, char **argv, int *dev,
	     xtest_run_fn run, void (*cleanup)(void))
{
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s - | CMD [ARGS] [: CMD [ARGS]]...\n",
			prog);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	*dev = hdmabuf_open(0);
	if (*dev < 0) {
		fprintf(stderr, "%s: open %s: %s\n", prog, HDMABUF_DEV,
			strerror(-*dev));
		return 1;
	}
	ret = run_commands(argc, argv, run);
	if (cleanup)
		cleanup();
	return ret ? 1 : 0;
}
