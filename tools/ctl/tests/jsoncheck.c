// SPDX-License-Identifier: GPL-2.0
/*
 * jsoncheck: strict JSON (RFC 8259) validator, a test helper of
 * hyperdmabuf-ctl (the lab guests have no python or jq).
 *
 *   jsoncheck [-l] < input
 *
 * Without -l the whole input must be one JSON value; with -l every
 * non-empty line must be one (JSON lines).  Prints "jsoncheck: N values"
 * and exits 0, or prints where the input is wrong and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct p {
	const char *s;
	size_t i, n;
	int depth;
	const char *err;
};

static int value(struct p *p);

static void ws(struct p *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]))
		p->i++;
}

static int fail(struct p *p, const char *msg)
{
	if (!p->err)
		p->err = msg;
	return -1;
}

static int lit(struct p *p, const char *w)
{
	size_t l = strlen(w);

	if (p->n - p->i < l || memcmp(p->s + p->i, w, l))
		return fail(p, "bad literal");
	p->i += l;
	return 0;
}

static int hex4(struct p *p)
{
	int k;

	for (k = 0; k < 4; k++, p->i++)
		if (p->i >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->i]))
			return fail(p, "bad \\u escape");
	return 0;
}

static int string(struct p *p)
{
	p->i++;	/* opening quote */
	while (p->i < p->n) {
		unsigned char c = (unsigned char)p->s[p->i++];

		if (c == '"')
			return 0;
		if (c < 0x20)
			return fail(p, "control character in string");
		if (c != '\\')
			continue;
		if (p->i >= p->n)
			break;
		c = (unsigned char)p->s[p->i++];
		if (c == 'u') {
			if (hex4(p))
				return -1;
		} else if (!strchr("\"\\/bfnrt", c)) {
			return fail(p, "bad escape");
		}
	}
	return fail(p, "unterminated string");
}

static int digits(struct p *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start ? 0 : fail(p, "digit expected");
}

static int number(struct p *p)
{
	if (p->s[p->i] == '-')
		p->i++;
	if (p->i < p->n && p->s[p->i] == '0')
		p->i++;
	else if (digits(p))
		return -1;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (digits(p))
			return -1;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (digits(p))
			return -1;
	}
	return 0;
}

static int container(struct p *p, char close)
{
	int first = 1;

	if (++p->depth > 512)
		return fail(p, "nesting too deep");
	p->i++;
	ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return 0;
	}
	for (;;) {
		if (!first) {
			ws(p);
			if (p->i < p->n && p->s[p->i] == close) {
				p->i++;
				p->depth--;
				return 0;
			}
			if (p->i >= p->n || p->s[p->i] != ',')
				return fail(p, "',' or end expected");
			p->i++;
		}
		first = 0;
		ws(p);
		if (close == '}') {
			if (p->i >= p->n || p->s[p->i] != '"')
				return fail(p, "key expected");
			if (string(p))
				return -1;
			ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return fail(p, "':' expected");
			p->i++;
		}
		if (value(p))
			return -1;
	}
}

static int value(struct p *p)
{
	ws(p);
	if (p->i >= p->n)
		return fail(p, "value expected");
	switch (p->s[p->i]) {
	case '{':
		return container(p, '}');
	case '[':
		return container(p, ']');
	case '"':
		return string(p);
	case 't':
		return lit(p, "true");
	case 'f':
		return lit(p, "false");
	case 'n':
		return lit(p, "null");
	default:
		if (p->s[p->i] == '-' || (p->s[p->i] >= '0' && p->s[p->i] <= '9'))
			return number(p);
		return fail(p, "value expected");
	}
}

/* One complete value in s[0..n), nothing else but whitespace. */
static int check(const char *s, size_t n, size_t *at, const char **err)
{
	struct p p = { .s = s, .n = n };

	if (value(&p) == 0) {
		ws(&p);
		if (p.i == p.n)
			return 0;
		fail(&p, "trailing characters");
	}
	*at = p.i;
	*err = p.err;
	return -1;
}

int main(int argc, char **argv)
{
	size_t len = 0, cap = 1 << 16, at, start, line = 1, values = 0;
	int lines = argc > 1 && !strcmp(argv[1], "-l");
	const char *err;
	char *buf = malloc(cap);
	size_t n;

	if (argc > 2 || (argc == 2 && !lines)) {
		fprintf(stderr, "usage: jsoncheck [-l] < input\n");
		return 2;
	}
	while (buf && (n = fread(buf + len, 1, cap - len, stdin)) > 0) {
		len += n;
		if (len == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf)
		return 1;
	if (!lines) {
		if (check(buf, len, &at, &err)) {
			fprintf(stderr, "jsoncheck: byte %zu: %s\n", at, err);
			return 1;
		}
		printf("jsoncheck: 1 value\n");
		return 0;
	}
	for (start = 0; start < len; line++) {
		size_t end = start;

		while (end < len && buf[end] != '\n')
			end++;
		if (end > start) {
			if (check(buf + start, end - start, &at, &err)) {
				fprintf(stderr, "jsoncheck: line %zu, column %zu: %s\n",
					line, at + 1, err);
				return 1;
			}
			values++;
		}
		start = end + 1;
	}
	if (!values) {
		fprintf(stderr, "jsoncheck: no JSON value\n");
		return 1;
	}
	printf("jsoncheck: %zu values\n", values);
	return 0;
}
