/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output and a clock for the importd test programs that run in the
 * lab's guests (hostile_export, stall_fence).
 */
#ifndef HDMABUF_GUEST_TAP_H
#define HDMABUF_GUEST_TAP_H

#include <stdint.h>

/* "ok N - WHAT[: DETAIL]" or "not ok ...", counting the failures. */
void tap_result(int good, const char *what, const char *detail);
/* Prints the plan "1..N"; the exit status: 1 if anything failed. */
int tap_end(void);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t tap_now_ms(void);

#endif /* HDMABUF_GUEST_TAP_H */
