/*
 * kb_national_text.c - small text helpers for the national-portal importer:
 * spans, trimming, Unicode case at a position, number reading in the two
 * digit-grouping styles of the export, and tagged warnings.  See
 * kb_national_int.h for the contracts.
 */
#include "kb/kb_national_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <utf8proc.h>

#include "base/alloc.h"
#include "base/banned.h"

bool kb__starts(const char *s, size_t n, const char *pre)
{
	size_t m = strlen(pre);
	return m <= n && memcmp(s, pre, m) == 0;
}

const char *kb__find(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m == 0 || m > n)
		return NULL;
	/* memmem is a GNU extension: memchr for the first byte, then compare */
	const char *end = s + n - m;
	for (const char *p = s; p <= end;) {
		p = memchr(p, needle[0], (size_t)(end - p) + 1);
		if (!p)
			return NULL;
		if (memcmp(p, needle, m) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Bytes of blank at s: ASCII whitespace or U+00A0. */
static size_t blank_at(const char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
		return 1;
	if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
		return 2;
	return 0;
}

static bool blank_ends(const char *s, size_t n, size_t *len)
{
	if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
		       s[n - 1] == '\n')) {
		*len = 1;
		return true;
	}
	if (n >= 2 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xA0) {
		*len = 2;
		return true;
	}
	return false;
}

void kb__trim(const char **s, size_t *n)
{
	size_t k;
	while (*n && (k = blank_at(*s, *n)) > 0) {
		*s += k;
		*n -= k;
	}
	while (*n && blank_ends(*s, *n, &k))
		*n -= k;
}

char *kb__dup_trim(const char *s, size_t n)
{
	kb__trim(&s, &n);
	return n ? td_strndup(s, n) : NULL;
}

bool kb__absent(const char *s, size_t n)
{
	kb__trim(&s, &n);
	return n == 0 || (n == strlen(KB__NO_INFO) && memcmp(s, KB__NO_INFO, n) == 0);
}

static int32_t cp_at(const char *s, size_t n)
{
	if (n == 0)
		return -1;
	utf8proc_int32_t cp = -1;
	utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s,
					      (utf8proc_ssize_t)(n > 4 ? 4 : n), &cp);
	return k > 0 ? cp : -1;
}

bool kb__upper_at(const char *s, size_t n)
{
	int32_t cp = cp_at(s, n);
	return cp >= 0 && utf8proc_isupper(cp);
}

bool kb__lower_at(const char *s, size_t n)
{
	int32_t cp = cp_at(s, n);
	return cp >= 0 && utf8proc_islower(cp);
}

bool kb__digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t digit_run(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && kb__digit(s[i]))
		i++;
	return i;
}

bool kb__number(const char *s, size_t n, enum kb__numstyle style, size_t *used, double *out)
{
	size_t i = digit_run(s, n);
	if (i == 0 || i > 15)
		return false;
	double v = 0;
	for (size_t k = 0; k < i; k++)
		v = v * 10 + (s[k] - '0');
	bool first_short = i <= 3;
	char group_sep = 0;
	while (i + 1 < n && (s[i] == ',' || s[i] == '.') && kb__digit(s[i + 1])) {
		char sep = s[i];
		size_t k = digit_run(s + i + 1, n - i - 1);
		bool may_group = style == KB__NUM_PROSE || sep == ',';
		if (k == 3 && first_short && may_group && (!group_sep || group_sep == sep)) {
			group_sep = sep;
			for (size_t j = 1; j <= 3; j++)
				v = v * 10 + (s[i + j] - '0');
			i += 4;
			continue;
		}
		if (group_sep == sep || k > 9)
			break;
		/* the decimal point: any other lone separator */
		double scale = 0.1;
		for (size_t j = 1; j <= k; j++, scale /= 10)
			v += (s[i + j] - '0') * scale;
		i += 1 + k;
		break;
	}
	*used = i;
	*out = v;
	return true;
}

bool kb__column_number_exact(const char *s, size_t n)
{
	size_t used;
	double v;
	if (n == 0 || !kb__number(s, n, KB__NUM_COLUMN, &used, &v) || used != n)
		return false;
	return !(s[0] == '0' && n > 1 && kb__digit(s[1]));
}

__attribute__((format(printf, 3, 0))) static void vnote(struct kb_strlist *l, const char *tag,
						    const char *fmt, va_list ap)
{
	char msg[600];
	int k = snprintf(msg, sizeof msg, "[%s] ", tag);
	if (k < 0 || (size_t)k >= sizeof msg)
		k = 0;
	vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
	kb_strlist_add(l, msg);
}

void kb__note(struct kb_strlist *l, const char *tag, const char *fmt, ...)
{
	if (!l)
		return;
	va_list ap;
	va_start(ap, fmt);
	vnote(l, tag, fmt, ap);
	va_end(ap);
}

void kb__warn(struct kb_procedure *p, const char *tag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vnote(&p->warnings, tag, fmt, ap);
	va_end(ap);
}

int kb__snip(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return (int)n;
	size_t k = max;
	/* back off continuation bytes so the cut is on a character boundary */
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return (int)k;
}
