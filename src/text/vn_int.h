/*
 * vn_int.h - shared internals of src/text (not for other subsystems).
 *
 * A strict UTF-8 decoder used by every file of the folder, and the character
 * classes the tokeniser shares with the key builder, so that both agree on
 * what is a letter, a digit and a separator.
 */
#ifndef TD_TEXT_VN_INT_H
#define TD_TEXT_VN_INT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point at s (n > 0 bytes available).  Returns its length
 * (1..4) and sets *cp, or returns 0 for ill-formed UTF-8 and sets *bad to the
 * length of the maximal ill-formed subpart (>= 1), which lossy callers
 * replace with one U+FFFD (Unicode §3.9, "best practice").
 */
static inline size_t vn__utf8_decode(const unsigned char *s, size_t n, uint32_t *cp, size_t *bad)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t need;
	unsigned char lo = 0x80, hi = 0xBF;
	uint32_t v;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	size_t i;
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* Encode cp (a Unicode scalar value) at d; returns 1..4. */
static inline size_t vn__utf8_encode(uint32_t cp, unsigned char *d)
{
	if (cp < 0x80) {
		d[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (unsigned char)(0xC0 | (cp >> 6));
		d[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (unsigned char)(0xE0 | (cp >> 12));
		d[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		d[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (unsigned char)(0xF0 | (cp >> 18));
	d[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	d[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	d[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Character classes shared by keys and tokens. */
enum vn__class {
	VN__SPACE,  /* white space, controls, U+FFFD: separates words */
	VN__LETTER, /* letters and combining marks: part of a word */
	VN__DIGIT,  /* decimal digits */
	VN__OTHER,  /* punctuation, symbols, everything else */
};

/* The class of a code point (fast for ASCII and the Latin ranges). */
enum vn__class vn__classify(uint32_t cp);

#endif
