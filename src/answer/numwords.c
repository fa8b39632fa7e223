/*
 * numwords.c - Vietnamese numbers in words (see numwords.h for the rules).
 *
 * A number is read in groups of three digits (trăm, mươi, units) joined by
 * the scale words nghìn, triệu, tỷ.  The special forms depend on the
 * neighbours of a digit, so a group is read knowing whether a larger group
 * came before it (then "không trăm" and "linh" are spoken out).
 */
#include "answer/numwords.h"

#include <math.h>
#include <string.h>

static const char *const digit_word[10] = {
	"không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín",
};

static void add_word(struct td_buf *out, const char *w)
{
	if (out->len > 0 && out->data[out->len - 1] != ' ')
		td_buf_addc(out, ' ');
	td_buf_adds(out, w);
}

/* Read 0 < g < 1000; `inner` is true when a larger group precedes it. */
static void group_words(struct td_buf *out, unsigned g, bool inner)
{
	unsigned h = g / 100, t = (g / 10) % 10, u = g % 10;
	if (h > 0 || inner) {
		add_word(out, digit_word[h]);
		add_word(out, "trăm");
	}
	if (t == 0) {
		if (u == 0)
			return;
		if (h > 0 || inner)
			add_word(out, "linh");
		add_word(out, digit_word[u]);
		return;
	}
	if (t == 1) {
		add_word(out, "mười");
	} else {
		add_word(out, digit_word[t]);
		add_word(out, "mươi");
	}
	if (u == 0)
		return;
	if (u == 1 && t >= 2)
		add_word(out, "mốt");
	else if (u == 5)
		add_word(out, "lăm");
	else
		add_word(out, digit_word[u]);
}

/* Read n < 10^9; `inner` as above. */
static void below_billion(struct td_buf *out, uint64_t n, bool inner)
{
	static const char *const scale[3] = {"triệu", "nghìn", NULL};
	static const uint64_t div[3] = {1000000u, 1000u, 1u};
	for (int i = 0; i < 3; i++) {
		unsigned g = (unsigned)((n / div[i]) % 1000u);
		if (g == 0)
			continue;
		group_words(out, g, inner);
		if (scale[i])
			add_word(out, scale[i]);
		inner = true;
	}
}

static void number_words(struct td_buf *out, uint64_t n, bool inner)
{
	const uint64_t billion = 1000000000u;
	if (n >= billion) {
		number_words(out, n / billion, inner);
		add_word(out, "tỷ");
		below_billion(out, n % billion, true);
		return;
	}
	below_billion(out, n, inner);
}

void answer_number_words(struct td_buf *out, uint64_t n)
{
	if (n == 0) {
		add_word(out, "không");
		return;
	}
	number_words(out, n, false);
}

bool answer_decimal_words(struct td_buf *out, double v, const char *unit)
{
	if (!isfinite(v) || v < 0 || v > 1e15)
		return false;
	/* Work in thousandths so 1.5 and 0.1 + 0.2 round the way people expect. */
	uint64_t milli = (uint64_t)llround(v * 1000.0);
	uint64_t whole = milli / 1000u, frac = milli % 1000u;
	if (frac == 500 && unit && *unit) {
		if (whole == 0) {
			add_word(out, "nửa");
			add_word(out, unit);
			return true;
		}
		answer_number_words(out, whole);
		add_word(out, unit);
		add_word(out, "rưỡi");
		return true;
	}
	answer_number_words(out, whole);
	if (frac) {
		add_word(out, "phẩy");
		char d[3] = {(char)('0' + frac / 100), (char)('0' + (frac / 10) % 10),
			     (char)('0' + frac % 10)};
		int nd = 3;
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		for (int i = 0; i < nd; i++)
			add_word(out, digit_word[d[i] - '0']);
	}
	if (unit && *unit)
		add_word(out, unit);
	return true;
}

void answer_digits_words(struct td_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= '0' && c <= '9') {
			add_word(out, digit_word[c - '0']);
		} else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
			char l[2] = {(char)c, '\0'};
			add_word(out, l);
		}
	}
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The extent of a number token at s[i] (a digit): digits with single '.' or
 * ',' between digit runs.  Sets the number of groups and whether every group
 * after the first has exactly three digits. */
static size_t scan_number(const char *s, size_t n, size_t i, size_t *ngroups, bool *thousands,
			  char *sep)
{
	size_t j = i, groups = 0;
	bool th = true;
	*sep = 0;
	for (;;) {
		size_t st = j;
		while (j < n && is_digit(s[j]))
			j++;
		size_t glen = j - st;
		if (groups == 0 && glen > 3)
			th = false;
		if (groups > 0 && glen != 3)
			th = false;
		groups++;
		if (j + 1 < n && (s[j] == '.' || s[j] == ',') && is_digit(s[j + 1]) &&
		    (*sep == 0 || *sep == s[j])) {
			*sep = s[j];
			j++;
			continue;
		}
		break;
	}
	*ngroups = groups;
	*thousands = th && groups > 1;
	return j - i;
}

static uint64_t parse_digits(const char *s, size_t n, bool *overflow)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			continue;
		if (v > (UINT64_MAX - 9) / 10) {
			*overflow = true;
			return 0;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

static void number_token_words(struct td_buf *out, const char *s, size_t n)
{
	size_t groups;
	bool thousands, overflow = false;
	char sep;
	scan_number(s, n, 0, &groups, &thousands, &sep);
	if (groups == 1) {
		/* Leading zero (a phone number, a code) or very long: digits. */
		if ((n > 1 && s[0] == '0') || n > 12) {
			answer_digits_words(out, s, n);
			return;
		}
		answer_number_words(out, parse_digits(s, n, &overflow));
		return;
	}
	if (thousands) {
		uint64_t v = parse_digits(s, n, &overflow);
		if (!overflow) {
			answer_number_words(out, v);
			return;
		}
	}
	if (groups == 2) {
		/* A decimal: "1,5", "0.25" (not over three decimals). */
		const char *dot = memchr(s, sep, n);
		size_t ilen = (size_t)(dot - s), flen = n - ilen - 1;
		if (flen <= 3 && ilen <= 12) {
			answer_number_words(out, parse_digits(s, ilen, &overflow));
			add_word(out, "phẩy");
			answer_digits_words(out, dot + 1, flen);
			return;
		}
	}
	answer_digits_words(out, s, n); /* a code such as 1.001612 */
}

void answer_text_numbers_to_words(struct td_buf *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (!is_digit(s[i])) {
			if (s[i] == '%') {
				add_word(out, "phần trăm");
				i++;
				continue;
			}
			td_buf_addc(out, s[i]);
			i++;
			continue;
		}
		/* A digit glued to letters (H26, 3G) is part of a code: spell it. */
		bool glued = i > 0 && ((s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
				       (s[i - 1] >= 'a' && s[i - 1] <= 'z'));
		size_t groups;
		bool thousands;
		char sep;
		size_t len = scan_number(s, n, i, &groups, &thousands, &sep);
		if (glued)
			answer_digits_words(out, s + i, len);
		else
			number_token_words(out, s + i, len);
		i += len;
		if (i < n && s[i] != ' ' && s[i] != '%' && s[i] != ',' && s[i] != '.' &&
		    s[i] != ')' && s[i] != ';' && s[i] != ':' && s[i] != '?' && s[i] != '!')
			td_buf_addc(out, ' ');
	}
}
