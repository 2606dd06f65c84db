// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_replay.c - run fuzz_hdmabufd over saved inputs without libFuzzer.
 *
 *   fuzz_replay DIR|FILE...
 *
 * Each input (a directory's regular files, sorted) runs in a forked child
 * from an exact-size heap copy, so a sanitizer report or an abort() of a
 * failed invariant is "not ok" for that input and the rest still run.
 * TAP output.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char **paths;
static size_t npaths;

static void add(const char *p)
{
	paths = realloc(paths, (npaths + 1) * sizeof(*paths));
	if (!paths || !(paths[npaths++] = strdup(p)))
		abort();
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(const char *p)
{
	size_t first = npaths;
	struct dirent *de;
	struct stat st;
	char *full;
	DIR *d;

	if (stat(p, &st)) {
		perror(p);
		exit(2);
	}
	if (!S_ISDIR(st.st_mode)) {
		add(p);
		return;
	}
	d = opendir(p);
	if (!d) {
		perror(p);
		exit(2);
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&full, "%s/%s", p, de->d_name) < 0)
			abort();
		if (!stat(full, &st) && S_ISREG(st.st_mode))
			add(full);
		free(full);
	}
	closedir(d);
	qsort(paths + first, npaths - first, sizeof(*paths), cmp);
}

static int run_one(const char *path)
{
	uint8_t *buf;
	long len;
	FILE *f = fopen(path, "rb");

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		return 2;
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int i, status, failed = 0;
	size_t k;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		add_path(argv[i]);
	printf("1..%zu\n", npaths);
	fflush(stdout);
	for (k = 0; k < npaths; k++) {
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (!pid)
			_exit(run_one(paths[k]));
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 2;
		}
		if (WIFEXITED(status) && !WEXITSTATUS(status)) {
			printf("ok %zu - fuzz_hdmabufd %s\n", k + 1, paths[k]);
		} else {
			failed++;
			printf("not ok %zu - fuzz_hdmabufd %s (%s %d)\n", k + 1,
			       paths[k], WIFSIGNALED(status) ? "signal" : "status",
			       WIFSIGNALED(status) ? WTERMSIG(status) :
						     WEXITSTATUS(status));
		}
		fflush(stdout);
	}
	return failed ? 1 : 0;
}
