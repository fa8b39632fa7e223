/*
 * kb_national_int.h - helpers shared by the kb_national*.c files only.
 *
 * The export's text is run-together UTF-8, so the parsers work on
 * (pointer, length) spans of the source and copy out only what they keep.
 * Everything here is bounded by the span length: no helper reads past
 * s + n, and none of them allocates except kb__dup_trim and kb__note.
 */
#ifndef TD_KB_KB_NATIONAL_INT_H
#define TD_KB_KB_NATIONAL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "kb/kb.h"

#define KB__NO_INFO "Không có thông tin"

/* How digits are grouped: the export's table columns write "50,000" and
 * "0.5"; Vietnamese prose writes "50.000" and "2,5". */
enum kb__numstyle { KB__NUM_COLUMN, KB__NUM_PROSE };

/* True if s[0..n) starts with the NUL-terminated pre. */
bool kb__starts(const char *s, size_t n, const char *pre);
/* First occurrence of needle in s[0..n), or NULL. */
const char *kb__find(const char *s, size_t n, const char *needle);
/* Trimmed copy (ASCII space, tab, CR, LF, NBSP), NULL if nothing is left.
 * The caller owns the result. */
char *kb__dup_trim(const char *s, size_t n);
/* Narrow s/n to its trimmed part. */
void kb__trim(const char **s, size_t *n);
/* Empty after trimming, or exactly "Không có thông tin". */
bool kb__absent(const char *s, size_t n);
/* Unicode case of the character at s (false at the end or on bad UTF-8). */
bool kb__upper_at(const char *s, size_t n);
bool kb__lower_at(const char *s, size_t n);
bool kb__digit(char c);
/*
 * Read a number at s: digits with thousands separators and an optional
 * decimal part, per style.  *used gets the bytes consumed.  A separator is
 * a thousands separator only when every group after it has 3 digits and
 * the first group has 1 to 3; a lone separator followed by 1, 2 or 4+
 * digits is the decimal point in either style.  False if s has no digit.
 */
bool kb__number(const char *s, size_t n, enum kb__numstyle style, size_t *used, double *out);
/* True if s[0..n) is exactly one well-formed column number ("120",
 * "20,000", "0.5"), without a superfluous leading zero. */
bool kb__column_number_exact(const char *s, size_t n);
/* Append "[tag] message" to l. */
void kb__note(struct kb_strlist *l, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append "[tag] message" to p's warnings. */
void kb__warn(struct kb_procedure *p, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Length of at most max bytes of s, cut back to a UTF-8 boundary, for
 * quoting a snippet in a warning with "%.*s". */
int kb__snip(const char *s, size_t n, size_t max);

#endif
