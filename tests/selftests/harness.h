/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendored kselftest harness, included so that its own definitions
 * build under -Wextra -Werror (it is written for the selftests' -Wall).
 * Test code compares values of the same signedness in ASSERT_* / EXPECT_*.
 */
#ifndef HDMABUF_HARNESS_H
#define HDMABUF_HARNESS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#endif /* HDMABUF_HARNESS_H */
