/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * testlib.h - dynamic test registration on top of cmocka.
 *
 * Table-driven cases become one cmocka test each (so one TAP line each),
 * all run in a single group so the TAP plan ("1..N") is printed once.
 */
#ifndef HDMABUF_TESTLIB_H
#define HDMABUF_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Register @fn under a printf-style name; *state is @arg when it runs. */
void t_add(CMUnitTestFunction fn, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void register_wire_tests(void);
void register_pgdir_tests(void);

#endif
