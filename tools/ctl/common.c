// SPDX-License-Identifier: GPL-2.0
/*
 * hyperdmabuf-ctl: error reporting, argument parsing, the JSON writer and
 * the text/JSON form of a buffer description.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

struct ctl_opts ctl_opts;

void print_err(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG_NAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
}

void print_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", PROG_NAME);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s%s", PROG_NAME, cmd ? cmd : "", cmd ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help'.\n", PROG_NAME, cmd ? " " : "",
		cmd ? cmd : "");
	exit(EXIT_USAGE);
}

int ctl_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char opts[64];
	int c;

	/* Leading ':' makes getopt report a missing argument as ':'. */
	snprintf(opts, sizeof(opts), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, opts, longopts, NULL);
	if (c == '?' || c == ':') {
		const char *arg = argv[optind - 1];
		const char *what = c == '?' ? "invalid option" :
			"missing argument for option";

		if (arg && arg[0] == '-' && arg[1] == '-')
			usage_error(argv[0], "%s '%.64s'", what, arg);
		usage_error(argv[0], "%s '-%c'", what,
			    optopt > 32 && optopt < 127 ? optopt : '?');
	}
	return c;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_wxh(const char *s, uint32_t max, uint32_t *w, uint32_t *h)
{
	char buf[32], *x;
	uint64_t a, b;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	x = strchr(buf, 'x');
	if (!x)
		return -EINVAL;
	*x = '\0';
	if (parse_u64(buf, max, &a) || parse_u64(x + 1, max, &b) || !a || !b)
		return -EINVAL;
	*w = (uint32_t)a;
	*h = (uint32_t)b;
	return 0;
}

void parse_handle_or_die(const char *cmd, const char *s,
			 struct hyper_dmabuf_handle *h)
{
	if (hdmabuf_handle_parse(s, h))
		usage_error(cmd, "'%.64s%s' is not a handle (32 hex digits)",
			    s, strlen(s) > 64 ? "..." : "");
}

int open_device(void)
{
	int fd = hdmabuf_open(0);

	if (fd < 0) {
		print_err(-fd, "%s", HDMABUF_DEV);
		if (fd == -ENOENT)
			print_msg("hint: load the hyper_dmabuf module");
		return -1;
	}
	return fd;
}

/* ------------------------------------------------- JSON writer */

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

/* Length of the valid UTF-8 sequence at @p (no overlongs, surrogates), or 0. */
static int utf8_len(const unsigned char *p)
{
	int len, i;
	uint32_t cp;

	if (*p >= 0xc2 && *p <= 0xdf)
		len = 2, cp = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		len = 3, cp = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		len = 4, cp = *p & 0x07;
	else
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* A JSON string: valid UTF-8 passes, other bytes become U+FFFD. */
static void write_escaped(FILE *f, const char *s)
{
	const unsigned char *p;
	int len;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p == '\n') {
			fputs("\\n", f);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p);
		} else if (*p < 0x80) {
			fputc(*p, f);
		} else if ((len = utf8_len(p))) {
			fwrite(p, 1, (size_t)len, f);
			p += len - 1;
		} else {
			fputs("\\ufffd", f);
		}
	}
	fputc('"', f);
}

/* Separator, then `"key":` inside objects (key NULL inside arrays). */
static void jw_key(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (key) {
		write_escaped(w->f, key);
		fputc(':', w->f);
	}
}

static void jw_open(struct jw *w, const char *key, char c)
{
	jw_key(w, key);
	fputc(c, w->f);
	if (w->depth >= (int)ARRAY_SIZE(w->close) - 1)
		abort();	/* our own nesting is at most 4 deep */
	w->depth++;
	w->close[w->depth] = c == '{' ? '}' : ']';
	w->first[w->depth] = true;
}

void jw_obj(struct jw *w, const char *key)
{
	jw_open(w, key, '{');
}

void jw_arr(struct jw *w, const char *key)
{
	jw_open(w, key, '[');
}

void jw_end(struct jw *w)
{
	if (w->depth <= 0)
		abort();
	fputc(w->close[w->depth], w->f);
	w->depth--;
	if (w->depth == 0) {
		fputc('\n', w->f);
		fflush(w->f);
		w->first[0] = true;
	}
}

void jw_str(struct jw *w, const char *key, const char *val)
{
	jw_key(w, key);
	write_escaped(w->f, val);
}

void jw_u64(struct jw *w, const char *key, uint64_t val)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRIu64, val);
}

void jw_i64(struct jw *w, const char *key, int64_t val)
{
	jw_key(w, key);
	fprintf(w->f, "%" PRId64, val);
}

void jw_bool(struct jw *w, const char *key, bool val)
{
	jw_key(w, key);
	fputs(val ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	jw_key(w, key);
	fputs("null", w->f);
}
