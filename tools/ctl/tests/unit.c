// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of libhyperdmabuf's text forms and hyperdmabuf-ctl's JSON
 * writer and parsers (host, no module).  TAP, then "N passed, N failed".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static int n, failed;

#define CHECK(cond, ...) do {						\
	n++;								\
	if (cond) {							\
		printf("ok %d - ", n);					\
	} else {							\
		failed++;						\
		printf("not ok %d - ", n);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

static void test_handles(void)
{
	static const char *const bad[] = {
		"", "0123456789abcdef0123456789abcde",
		"0123456789abcdef0123456789abcdef0",
		"0123456789abcdef0123456789abcdeg",
		"00000000000000000000000000000000",
		" 123456789abcdef0123456789abcdef",
		"0x23456789abcdef0123456789abcdef",
	};
	struct hyper_dmabuf_handle h, h2;
	char s[HDMABUF_HANDLE_STRLEN + 1];
	size_t i;

	for (i = 0; i < sizeof(h.bytes); i++)
		h.bytes[i] = (uint8_t)(0xf1 - 17 * i);
	hdmabuf_handle_format(&h, s);
	CHECK(!strcmp(s, "f1e0cfbead9c8b7a69584736251403f2"),
	      "handle format, bytes[0] first, lower case (%s)", s);
	CHECK(!hdmabuf_handle_parse(s, &h2) && hdmabuf_handle_eq(&h, &h2),
	      "handle parse round trip");
	CHECK(!hdmabuf_handle_parse("F1E0CFBEAD9C8B7A69584736251403F2", &h2) &&
	      hdmabuf_handle_eq(&h, &h2), "upper case accepted");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(hdmabuf_handle_parse(bad[i], &h2) == -EINVAL,
		      "handle '%s' rejected", bad[i]);
}

static void test_fourcc(void)
{
	uint32_t f;
	char s[16];

	CHECK(!hdmabuf_fourcc_parse("XRGB8888", &f) && f == 0x34325258,
	      "fourcc XRGB8888");
	CHECK(!hdmabuf_fourcc_parse("argb8888", &f) && f == 0x34325241,
	      "fourcc name, any case");
	CHECK(!hdmabuf_fourcc_parse("XR24", &f) && f == 0x34325258,
	      "fourcc code");
	CHECK(!hdmabuf_fourcc_parse("R8", &f) && f == 0x20203852,
	      "short code padded with spaces");
	CHECK(!hdmabuf_fourcc_parse("0x34325258", &f) && f == 0x34325258,
	      "fourcc number");
	CHECK(hdmabuf_fourcc_parse("ABCDE", &f) && hdmabuf_fourcc_parse("", &f),
	      "bad fourcc rejected");
	hdmabuf_fourcc_format(0x34325258, s);
	CHECK(!strcmp(s, "XR24"), "format XR24 (%s)", s);
	hdmabuf_fourcc_format(0x0000001f, s);
	CHECK(!strcmp(s, "0x0000001f"), "unprintable code in hex (%s)", s);
	hdmabuf_fourcc_format(0x5c222222, s);
	CHECK(!strcmp(s, "0x5c222222"), "quotes and backslashes in hex (%s)", s);
	CHECK(hdmabuf_fourcc_bpp(0x34325258) == 32 &&
	      hdmabuf_fourcc_bpp(0x3231564e) == 0, "bpp of XR24 and NV12");
}

static void test_backends(void)
{
	uint32_t id;

	CHECK(!hdmabuf_backend_parse("xen", &id) && id == HYPER_DMABUF_BACKEND_XEN,
	      "backend by name");
	CHECK(!hdmabuf_backend_parse("3", &id) && id == 3, "backend by number");
	CHECK(hdmabuf_backend_parse("0", &id) && hdmabuf_backend_parse("8", &id) &&
	      hdmabuf_backend_parse("kvm", &id) && hdmabuf_backend_parse("", &id),
	      "bad backends rejected");
	CHECK(!strcmp(hdmabuf_backend_name(1), "loopback") &&
	      !hdmabuf_backend_name(0) && !hdmabuf_backend_name(99),
	      "backend names");
	CHECK(!strcmp(hdmabuf_event_name(HYPER_DMABUF_EVENT_RELEASED), "released") &&
	      !strcmp(hdmabuf_event_name(HYPER_DMABUF_EVENT_FENCE), "fence") &&
	      !hdmabuf_event_name(0) && !hdmabuf_event_name(1000), "event names");
}

static void test_parsers(void)
{
	uint32_t w, h;
	uint64_t v;

	CHECK(!parse_u64("0x10", 100, &v) && v == 16, "parse_u64 hex");
	CHECK(parse_u64("101", 100, &v) == -ERANGE, "parse_u64 range");
	CHECK(parse_u64("-1", UINT64_MAX, &v) == -EINVAL &&
	      parse_u64("", 1, &v) == -EINVAL && parse_u64("1k", 9999, &v) ==
	      -EINVAL, "parse_u64 garbage");
	CHECK(parse_u64("99999999999999999999999", UINT64_MAX, &v) == -ERANGE,
	      "parse_u64 overflow");
	CHECK(!parse_wxh("1280x720", 16384, &w, &h) && w == 1280 && h == 720,
	      "parse_wxh");
	CHECK(parse_wxh("0x5", 100, &w, &h) && parse_wxh("5x", 100, &w, &h) &&
	      parse_wxh("101x1", 100, &w, &h) && parse_wxh("5", 100, &w, &h),
	      "parse_wxh garbage");
}

static void test_json(void)
{
	char buf[512] = "";
	struct jw w;
	FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");

	jw_init(&w, f);
	jw_obj(&w, NULL);
	jw_str(&w, "s", "a\"b\\c\nd\x01\xc3\xa9\xff\xc3(\xed\xa0\x80");
	jw_u64(&w, "u", UINT64_MAX);
	jw_i64(&w, "i", -5);
	jw_arr(&w, "a");
	jw_bool(&w, NULL, true);
	jw_null(&w, NULL);
	jw_obj(&w, NULL);
	jw_end(&w);
	jw_arr(&w, NULL);
	jw_end(&w);
	jw_end(&w);
	jw_end(&w);
	jw_obj(&w, NULL);
	jw_end(&w);
	fclose(f);
	CHECK(!strcmp(buf, "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\xc3\xa9\\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\","
		      "\"u\":18446744073709551615,\"i\":-5,"
		      "\"a\":[true,null,{},[]]}\n{}\n"),
	      "JSON writer: escapes, nesting, one value per line");
	if (failed)
		printf("# got: %s", buf);
}

int main(void)
{
	test_handles();
	test_fourcc();
	test_backends();
	test_parsers();
	test_json();
	printf("1..%d\n%d passed, %d failed\n", n, n - failed, failed);
	return failed ? 1 : 0;
}
