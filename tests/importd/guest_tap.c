// SPDX-License-Identifier: GPL-2.0
/* TAP output and a clock for the importd guest test programs. */
#include <stdio.h>
#include <time.h>

#include "guest_tap.h"

static int test_no, failures;

void tap_result(int good, const char *what, const char *detail)
{
	printf("%s %d - %s%s%s\n", good ? "ok" : "not ok", ++test_no, what,
	       detail ? ": " : "", detail ? detail : "");
	if (!good)
		failures++;
}

int tap_end(void)
{
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}

uint64_t tap_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
