/*
 * vn_token.c - split text into syllables, numbers and codes.
 *
 * Vietnamese writes one syllable per space-separated word, so a token is a
 * run of letters/marks/digits; what needs care is keeping identifiers whole
 * for search: procedure codes (1.001612), dossier numbers
 * (000.00.12.H26-251201-0007) and legal references (123/2015/NĐ-CP).  Joiners
 * therefore glue two runs together only next to digits (rules in vn.h), so
 * "TP.HCM", "NĐ-CP" and "xã/phường" still split into words.
 *
 * The tokenizer is a cursor over the caller's bytes: no allocation, no copy.
 * Ill-formed UTF-8 is skipped like white space.
 */
#include "text/vn.h"

#include <stdint.h>

#include "text/vn_int.h"
#include "base/banned.h"

static enum vn__class class_at(const unsigned char *s, size_t n, size_t i, size_t *len)
{
	unsigned char c = s[i];
	if (c < 0x80) {
		*len = 1;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return VN__LETTER;
		if (c >= '0' && c <= '9')
			return VN__DIGIT;
		return c <= ' ' || c == 0x7F ? VN__SPACE : VN__OTHER;
	}
	uint32_t cp;
	size_t bad;
	size_t l = vn__utf8_decode(s + i, n - i, &cp, &bad);
	if (!l) {
		*len = bad;
		return VN__SPACE;
	}
	*len = l;
	return vn__classify(cp);
}

static inline bool is_alnum(enum vn__class c)
{
	return c == VN__LETTER || c == VN__DIGIT;
}

/* Does the run of letters/digits starting at i hold a digit? */
static bool run_has_digit(const unsigned char *s, size_t n, size_t i)
{
	size_t len;
	while (i < n) {
		enum vn__class c = class_at(s, n, i, &len);
		if (c == VN__DIGIT)
			return true;
		if (c != VN__LETTER)
			return false;
		i += len;
	}
	return false;
}

void vn_tokenizer_init(struct vn_tokenizer *t, const char *s, size_t n)
{
	t->s = s;
	t->n = n;
	t->pos = 0;
}

bool vn_tokenizer_next(struct vn_tokenizer *t, struct vn_token *tok)
{
	const unsigned char *s = (const unsigned char *)t->s;
	size_t n = t->n, i = t->pos, len = 1;
	enum vn__class c;

	while (i < n) {
		c = class_at(s, n, i, &len);
		if (is_alnum(c))
			break;
		i += len;
	}
	if (i >= n) {
		t->pos = n;
		return false;
	}

	size_t start = i, end;
	bool digit = false, letter = false, code_joiner = false;
	for (;;) {
		while (i < n) {
			c = class_at(s, n, i, &len);
			if (c == VN__LETTER)
				letter = true;
			else if (c == VN__DIGIT)
				digit = true;
			else
				break;
			i += len;
		}
		end = i;
		if (i + 1 >= n)
			break;
		unsigned char j = s[i];
		size_t nlen;
		enum vn__class next = class_at(s, n, i + 1, &nlen);
		if (!is_alnum(next))
			break;
		if (j == ',' || j == ':') {
			bool prev_digit = s[i - 1] >= '0' && s[i - 1] <= '9';
			if (!prev_digit || next != VN__DIGIT)
				break;
		} else if (j == '.') {
			if (!digit || !run_has_digit(s, n, i + 1))
				break;
		} else if (j == '/' || j == '-' || j == '_') {
			if (!digit && !run_has_digit(s, n, i + 1))
				break;
			code_joiner = true;
		} else {
			break;
		}
		i++;
	}
	tok->start = start;
	tok->len = end - start;
	if (!digit)
		tok->kind = VN_TOKEN_WORD;
	else if (!letter && !code_joiner)
		tok->kind = VN_TOKEN_NUMBER;
	else
		tok->kind = VN_TOKEN_CODE;
	t->pos = end;
	return true;
}

size_t vn_tokenize(const char *s, size_t n, struct vn_token *toks, size_t max)
{
	struct vn_tokenizer t;
	struct vn_token tok;
	size_t count = 0;

	vn_tokenizer_init(&t, s, n);
	while (vn_tokenizer_next(&t, &tok)) {
		if (count < max)
			toks[count] = tok;
		count++;
	}
	return count;
}
