// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output for tcptunectl, see json_print.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>

#include "json_print.h"

#define OUT_MAX_DEPTH	8
#define OUT_INDENT	4

static struct {
	FILE *f;
	bool json;
	bool pretty;
	unsigned int depth;
	/* has_members[d]: the container opened at depth d has a member */
	bool has_members[OUT_MAX_DEPTH + 1];
} out;

static FILE *out_file(void)
{
	return out.f ? out.f : stdout;
}

void out_init(FILE *f, bool json, bool pretty)
{
	out.f = f;
	out.json = json;
	out.pretty = json && pretty;
	out.depth = 0;
}

bool out_is_json(void)
{
	return out.json;
}

/*
 * Length of the valid UTF-8 sequence starting at @p (1 for ASCII), or 0 when
 * it is not valid UTF-8 (stray continuation byte, overlong form, surrogate,
 * beyond U+10FFFF, truncated). @p is NUL-terminated and NUL is never a
 * continuation byte, so no byte past the terminator is read.
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* A JSON string; bytes that are not valid UTF-8 become U+FFFD. */
static void json_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	FILE *f = out_file();

	fputc('"', f);
	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		if (n > 1) {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
		p++;
	}
	fputc('"', f);
}

static void json_newline_indent(unsigned int depth)
{
	FILE *f = out_file();

	fputc('\n', f);
	fprintf(f, "%*s", (int)(depth * OUT_INDENT), "");
}

/* Separator, indentation and key before a value. */
static void json_member(const char *key)
{
	FILE *f = out_file();

	if (out.depth > 0) {
		if (out.has_members[out.depth])
			fputc(',', f);
		out.has_members[out.depth] = true;
		if (out.pretty)
			json_newline_indent(out.depth);
	}
	if (key) {
		json_string(key);
		fputs(out.pretty ? ": " : ":", f);
	}
}

static void json_open(const char *key, char c)
{
	json_member(key);
	fputc(c, out_file());
	if (out.depth < OUT_MAX_DEPTH)
		out.depth++;
	out.has_members[out.depth] = false;
}

static void json_close(char c)
{
	FILE *f = out_file();
	bool had_members = out.has_members[out.depth];

	if (out.depth > 0)
		out.depth--;
	if (out.pretty && had_members)
		json_newline_indent(out.depth);
	fputc(c, f);
	if (out.depth == 0)
		fputc('\n', f);
}

void out_open_object(const char *key)
{
	if (out.json)
		json_open(key, '{');
}

void out_close_object(void)
{
	if (out.json)
		json_close('}');
}

void out_open_array(const char *key)
{
	if (out.json)
		json_open(key, '[');
}

void out_close_array(void)
{
	if (out.json)
		json_close(']');
}

void out_string(const char *key, const char *fmt, const char *val)
{
	if (out.json) {
		json_member(key);
		json_string(val);
	} else if (fmt) {
		fprintf(out_file(), fmt, val);
	}
}

void out_uint(const char *key, const char *fmt, unsigned long long val)
{
	if (out.json) {
		json_member(key);
		fprintf(out_file(), "%llu", val);
	} else if (fmt) {
		fprintf(out_file(), fmt, val);
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (out.json)
		return;
	va_start(ap, fmt);
	vfprintf(out_file(), fmt, ap);
	va_end(ap);
}

int out_flush(void)
{
	FILE *f = out_file();

	errno = 0;
	if (fflush(f) == EOF || ferror(f))
		return errno ? -errno : -EIO;
	return 0;
}
