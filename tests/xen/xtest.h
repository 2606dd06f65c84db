/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xtest: helpers shared by the lab's Xen/virtio test programs (xfer, xlife,
 * xfence): their "FAIL STEP: reason" lines, argument and errno-name
 * parsing, the 64-bit test pattern, debugfs counters and the command loop
 * of the programs that run "CMD [ARGS] [: CMD [ARGS]]..." or stdin lines.
 */
#ifndef XTEST_H
#define XTEST_H

#include <stdint.h>

struct hyper_dmabuf_handle;

/* Prints "FAIL @step: <message>" and flushes stdout; returns -1. */
int fail(const char *step, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A number (0x.. and 0.. too) with an optional K, M or G suffix: 0 or -1. */
int parse_u64(const char *s, uint64_t *v);

/* An errno from its name ("EPERM", ...), or -1 if unknown. */
int errno_parse(const char *s);
/* The name of @err, or "?" if unknown. */
const char *errno_name(int err);

/* CLOCK_MONOTONIC in ms. */
double now_ms(void);

/* Counter @name of a "name value" debugfs file, or -1. */
long long stat_get(const char *file, const char *name);

/*
 * The test pattern: 64-bit little-endian word i of a buffer with seed
 * SEED is SEED * 0x9e3779b97f4a7c15 ^ i * 0xbf58476d1ce4e5b9 (the Xen
 * backend's debugfs vmap_probe uses the same pattern and FNV-1a hash).
 */
static inline uint64_t pattern_word(uint64_t seed, uint64_t i)
{
	return seed * 0x9e3779b97f4a7c15ULL ^ i * 0xbf58476d1ce4e5b9ULL;
}

/* Writes the pattern of @seed over the @size bytes at @p. */
void pattern_fill(void *p, uint64_t size, uint64_t seed);
/* Index of the first word at @p that differs from the pattern, or -1. */
int64_t pattern_compare(const void *p, uint64_t size, uint64_t seed);
/* FNV-1a hash of the pattern's words, as vmap_probe computes it. */
uint64_t pattern_hash(uint64_t size, uint64_t seed);

/*
 * "wait-released SECS": waits for the RELEASED event of @h on @dev, prints
 * "ok wait-released"; 0, or -1 after a FAIL line.
 */
int cmd_wait_released(const char *cmd, int dev,
		      const struct hyper_dmabuf_handle *h, int argc,
		      char **argv);

/* "sleep MS", prints "ok sleep": 0, or -1 after a FAIL line. */
int cmd_sleep(const char *cmd, int argc, char **argv);

/* Runs one command: 0, or -1 after a FAIL line. */
typedef int (*xtest_run_fn)(char **argv, int argc);

/*
 * main() of the programs that run commands (xfer, xfence): usage check,
 * line-buffered stdout, /dev/hyper_dmabuf opened into *@dev, then the
 * commands of argv[1..]: "-" reads them from stdin, one per line (#
 * starts a comment line), otherwise ":" words separate them.  Stops at
 * the first failure, calls @cleanup (if any) and returns the exit status:
 * 0 when every command passed, 1 otherwise, 2 usage.
 */
int run_main(const char *prog, int argc, char **argv, int *dev,
	     xtest_run_fn run, void (*cleanup)(void));

#endif /* XTEST_H */
