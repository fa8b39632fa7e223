/*
 * numwords.h - Vietnamese numbers in words, for the voice rendering.
 *
 * Text-to-speech engines read "50.000" as "năm mươi chấm không không không"
 * or worse, and a caller cannot ask the telephone to repeat a table, so every
 * number the voice channel says goes through here first.  The rules are the
 * ones people use on the phone in the north: mốt (21, 31, ...), lăm (15, 25),
 * linh (105), mươi/mười, nghìn/triệu/tỷ, "không trăm" inside a larger number
 * (1.050 → "một nghìn không trăm năm mươi"), "rưỡi" for a half after a unit
 * ("một ngày rưỡi") and "phẩy" for other decimals.
 *
 * Every function appends to a capped struct td_buf (the caller owns it) and
 * never allocates anything else; errors are the buffer's sticky error.
 */
#ifndef TD_ANSWER_NUMWORDS_H
#define TD_ANSWER_NUMWORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Append n in words: 21 → "hai mươi mốt", 105 → "một trăm linh năm",
 * 1500000 → "một triệu năm trăm nghìn".  Numbers past 999 tỷ repeat "tỷ"
 * ("một nghìn tỷ"). */
void answer_number_words(struct td_buf *out, uint64_t n);

/* Append a non-negative decimal in words with an optional unit (NULL: none):
 * an integer value reads as answer_number_words + unit; x.5 with a unit reads
 * "x <unit> rưỡi" ("một ngày rưỡi"; "nửa <unit>" for 0.5); other fractions
 * read "x phẩy d d <unit>" with up to three decimals, trailing zeros dropped.
 * Negative or non-finite values append nothing and return false. */
bool answer_decimal_words(struct td_buf *out, double v, const char *unit);

/* Append the digits of s[0..n) one by one ("0", "7" → "không bảy"),
 * skipping anything that is not an ASCII digit; letters (e.g. in "H26") are
 * spelled as the letter itself.  Used for codes, if they are read at all. */
void answer_digits_words(struct td_buf *out, const char *s, size_t n);

/*
 * Append text with every number token read in words: "5 ngày" → "năm
 * ngày", "50.000 đồng" / "50,000 đồng" → "năm mươi nghìn đồng", "1,5" →
 * "một phẩy năm", "2.001263" (a code: dots not grouping thousands) → digit by
 * digit.  Thousands separators are recognised as '.' or ',' followed by
 * groups of exactly three digits.  Other characters are copied unchanged.
 */
void answer_text_numbers_to_words(struct td_buf *out, const char *s, size_t n);

#endif
