// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_main.c - runner for the protocol/ unit tests.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static struct CMUnitTest *tests;
static size_t nr_tests, cap_tests;

void t_add(CMUnitTestFunction fn, void *arg, const char *fmt, ...)
{
	struct CMUnitTest *t;
	va_list ap;
	char *name;

	if (nr_tests == cap_tests) {
		cap_tests = cap_tests ? 2 * cap_tests : 256;
		tests = realloc(tests, cap_tests * sizeof(*tests));
		if (!tests)
			abort();
	}
	va_start(ap, fmt);
	if (vasprintf(&name, fmt, ap) < 0)
		abort();
	va_end(ap);
	t = &tests[nr_tests++];
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->test_func = fn;
	t->initial_state = arg;
}

int main(void)
{
	int failed;
	size_t i;

	register_wire_tests();
	register_pgdir_tests();
	failed = _cmocka_run_group_tests("hdmabuf_protocol", tests, nr_tests,
					 NULL, NULL);
	for (i = 0; i < nr_tests; i++)
		free((char *)tests[i].name);
	free(tests);
	return failed ? 1 : 0;
}
