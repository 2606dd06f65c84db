// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * replay_main.c - run fuzz targets over saved inputs without libFuzzer.
 *
 *   replay TARGET=PATH...
 *
 * PATH is a file or a directory (its regular files, sorted).  The targets
 * are linked into one binary (their LLVMFuzzerTestOneInput renamed by the
 * Makefile) so that one TAP stream with a single plan covers the whole
 * corpus.  Each input runs in a forked child from an exact-size heap copy,
 * so a crash or sanitizer abort is reported as "not ok" for that input and
 * the rest still run.
 *
 * The targets are protocol/'s fuzz_msg and fuzz_pgdir (tests/fuzz), or
 * the one that REPLAY_TARGET names (tools/hyper_dmabufd/tests builds its
 * fuzz_hdmabufd replay from this file).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef REPLAY_TARGET
/* One target (-DREPLAY_TARGET='"NAME"'), its entry point as libFuzzer's. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#else
int fuzz_msg_one(const uint8_t *data, size_t size);
int fuzz_pgdir_one(const uint8_t *data, size_t size);
#endif

static const struct {
	const char *name;
	int (*fn)(const uint8_t *data, size_t size);
} targets[] = {
#ifdef REPLAY_TARGET
	{ REPLAY_TARGET, LLVMFuzzerTestOneInput },
#else
	{ "fuzz_msg", fuzz_msg_one },
	{ "fuzz_pgdir", fuzz_pgdir_one },
#endif
};

struct item {
	int target;
	char *path;
};

static struct item *items;
static size_t nr_items;

static void add_item(int target, const char *path)
{
	items = realloc(items, (nr_items + 1) * sizeof(*items));
	if (!items || !(items[nr_items].path = strdup(path)))
		abort();
	items[nr_items++].target = target;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(int target, const char *path)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, *full;
	size_t n = 0, i;
	DIR *d;

	if (stat(path, &st)) {
		perror(path);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_item(target, path);
		return;
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		exit(2);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0)
			abort();
		if (stat(full, &st) || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names)
			abort();
		names[n++] = full;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		add_item(target, names[i]);
		free(names[i]);
	}
	free(names);
}

/* Exact-size heap copy, so ASan sees reads past the end of the input. */
static int run_one(const struct item *it)
{
	uint8_t *buf;
	long len;
	FILE *f;

	f = fopen(it->path, "rb");
	if (!f)
		return 2;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return 2;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	targets[it->target].fn(buf, (size_t)len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i, t;
	int a, status, failed = 0;
	char *eq;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s TARGET=PATH...\n", argv[0]);
		return 2;
	}
	for (a = 1; a < argc; a++) {
		eq = strchr(argv[a], '=');
		if (!eq) {
			fprintf(stderr, "usage: %s TARGET=PATH...\n", argv[0]);
			return 2;
		}
		*eq = '\0';
		for (t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
			if (!strcmp(argv[a], targets[t].name))
				break;
		if (t == sizeof(targets) / sizeof(targets[0])) {
			fprintf(stderr, "unknown target %s\n", argv[a]);
			return 2;
		}
		add_path((int)t, eq + 1);
	}

	printf("1..%zu\n", nr_items);
	fflush(stdout);
	for (i = 0; i < nr_items; i++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (!pid)
			_exit(run_one(&items[i]));
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFEXITED(status) && !WEXITSTATUS(status)) {
			printf("ok %zu - %s %s\n", i + 1,
			       targets[items[i].target].name, items[i].path);
		} else {
			failed++;
			printf("not ok %zu - %s %s (%s %d)\n", i + 1,
			       targets[items[i].target].name, items[i].path,
			       WIFSIGNALED(status) ? "signal" : "exit status",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
						     WEXITSTATUS(status));
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
