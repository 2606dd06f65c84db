/* SPDX-License-Identifier: GPL-2.0 */
/* tap.h - minimal TAP output for the hyper_dmabufd tests. */
#ifndef HDMABUFD_TAP_H
#define HDMABUFD_TAP_H

#include <stdio.h>

static int tap_n, tap_fail;

#define CHECK(cond, ...) do {						\
	int tap_ok_ = !!(cond);						\
	tap_n++;							\
	if (tap_ok_) {							\
		printf("ok %d - ", tap_n);				\
	} else {							\
		tap_fail++;						\
		printf("not ok %d - ", tap_n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("%s\n", tap_ok_ ? "" : "  [" #cond "]");			\
	fflush(stdout);							\
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_fail ? 1 : 0;
}

#endif
