/*
 * vn.h - Vietnamese text: normalisation, comparison keys, syllables, lexicon.
 *
 * Everything in tongdai that compares Vietnamese text goes through here, so
 * that "Đăng ký", "ĐĂNG KÝ", "dang ky", a decomposed (tổ hợp) "Đăng ký" and
 * the old-style "hòa" / new-style "hoà" all meet on the same key.
 *
 * Three transforms of UTF-8 text, all appending to a capped struct td_buf:
 *
 *   vn_normalize()   NFC, nothing else (what we store and display).
 *   vn_fold_case()   the "accented" key: NFC, full case folding, canonical
 *                    tone-mark placement (new style: hoà, khoẻ, thuý, uỷ,
 *                    quý), y for i/y spelling variants (kĩ→kỹ, lí→lý,
 *                    qui→quy), white space collapsed to one ' ' and trimmed,
 *                    control characters treated as white space, default
 *                    ignorables (soft hyphen, zero-width space, BOM) dropped,
 *                    full-width ASCII and Unicode dashes mapped to ASCII.
 *   vn_fold()        the "folded" key: the accented key with every mark
 *                    stripped and đ→d, so Vietnamese becomes plain ASCII
 *                    ("Đăng ký khai sinh" → "dang ky khai sinh").  Letters of
 *                    other scripts stay, case-folded and without marks.
 *
 * Output bounds (tested over every code point and random input), n = input
 * bytes:  vn_normalize ≤ 3n;  vn_fold_case ≤ 3n;  vn_fold ≤ 3n, and ≤ n when
 * the input is ASCII plus Vietnamese letters (precomposed or not).  VN_KEY_BOUND(n) is a safe size for any
 * of them.  Every output is valid UTF-8 in NFC; the keys are idempotent
 * (f(f(x)) == f(x)) and vn_fold(vn_fold_case(x)) == vn_fold(x).
 *
 * Speed: ASCII and the Latin ranges above go through a table built once from
 * utf8proc (no call per character, no allocation); anything else (other
 * scripts, combining marks, invalid bytes in lossy mode) takes a slower path
 * that runs utf8proc over the whole string once, with one scratch allocation.
 *
 * Thread safety: every function is reentrant; the tables are built once
 * (pthread_once) and a loaded lexicon is immutable, so one lexicon may be
 * shared by any number of threads.
 */
#ifndef TD_TEXT_VN_H
#define TD_TEXT_VN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/error.h"

/* Inputs longer than this are refused with TD_ERR_TOOBIG. */
#define VN_INPUT_MAX ((size_t)16 << 20)
/* A buffer size that holds any output of the three transforms for n bytes. */
#define VN_KEY_BOUND(n) (3 * (size_t)(n) + 1)

/* Flags for the transforms. */
#define VN_LOSSY 0x1u /* invalid UTF-8 → U+FFFD (keys: a word break) instead of TD_ERR_UTF8 */

/* ---------------------------------------------------------------------------
 * Normalisation and keys.  Each appends to out (call td_buf_clear first to
 * reuse one buffer; the memory stays with out, which the caller owns).
 * Errors: TD_ERR_UTF8 for invalid UTF-8 without VN_LOSSY; TD_ERR_TOOBIG if
 * n > VN_INPUT_MAX or out would pass its cap.  On any error out keeps the
 * length it had (its sticky error may be set when the cap was hit).
 * s need not be NUL-terminated; embedded NULs are characters (the keys treat
 * them as white space, so a key never contains a NUL).
 * ------------------------------------------------------------------------- */

/* Append the NFC form of s.  With VN_LOSSY each maximal invalid subsequence
 * becomes U+FFFD (the lossy form is meant for search queries). */
td_err vn_normalize(struct td_buf *out, const char *s, size_t n, unsigned flags);

/* Append the accented comparison key of s (see the top of this file). */
td_err vn_fold_case(struct td_buf *out, const char *s, size_t n, unsigned flags);

/* Append the folded (diacritic-free) comparison key of s. */
td_err vn_fold(struct td_buf *out, const char *s, size_t n, unsigned flags);

/* True if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). */
bool vn_utf8_valid(const char *s, size_t n);

/* ---------------------------------------------------------------------------
 * Tokens.  A token is a maximal run of letters, combining marks and digits
 * (a syllable, for Vietnamese).  Runs are joined into one token, so codes and
 * numbers stay whole, when:
 *   '.', '/', '-', '_' sit between two runs and the token so far or the next
 *       run holds a digit: 1.001612, 123/2015/NĐ-CP, 000.00.12.H26-251201-0007
 *   ',', ':' sit between two digits: 1,5  08:30
 * Everything else (white space, punctuation, symbols, invalid bytes)
 * separates tokens.  Offsets are byte offsets into the text given; no memory
 * is allocated.  To compare tokens, fold the whole text once (vn_fold) and
 * tokenise the key, or fold each token's bytes.
 * ------------------------------------------------------------------------- */

enum vn_token_kind {
	VN_TOKEN_WORD,   /* letters (and marks) only: "đăng", "ký", "CCCD" */
	VN_TOKEN_NUMBER, /* digits, maybe with . , : between them: "2015", "1.001612" */
	VN_TOKEN_CODE,   /* anything else: "H26", "123/2015/NĐ-CP", "covid-19" */
};

struct vn_token {
	size_t start; /* byte offset of the first byte */
	size_t len;   /* bytes */
	enum vn_token_kind kind;
};

struct vn_tokenizer {
	const char *s;
	size_t n;
	size_t pos;
};

/* Start tokenising s[0..n).  s must outlive the tokenizer. */
void vn_tokenizer_init(struct vn_tokenizer *t, const char *s, size_t n);
/* Fill tok with the next token and return true, or return false at the end. */
bool vn_tokenizer_next(struct vn_tokenizer *t, struct vn_token *tok);
/* Store up to max tokens of s in toks; returns the total number of tokens,
 * which may exceed max (call with max 0 to count). */
size_t vn_tokenize(const char *s, size_t n, struct vn_token *toks, size_t max);

/* ---------------------------------------------------------------------------
 * Lexicon: abbreviations, everyday names of procedures and documents, chat
 * shorthand (data/text/lexicon.tsv).  File format, one entry a line:
 *     term <TAB> expansion[|expansion...] [<TAB> category [free note]]
 * '#' starts a comment line; blank lines are skipped; category is one of
 * abbrev, everyday, chat.  Terms are matched on their folded syllables, so
 * "sổ đỏ", "SỔ ĐỎ" and "so do" are the same term; rows with the same folded
 * term are merged.  A loaded lexicon is immutable and thread-safe to read.
 * ------------------------------------------------------------------------- */

#define VN_LEX_MAX_SYL 8 /* syllables in a term */
#define VN_LEX_MAX_EXP 16 /* expansions per term */

enum vn_lex_category {
	VN_LEX_NONE,     /* no category given */
	VN_LEX_ABBREV,   /* abbreviation: CCCD, GPLX, UBND */
	VN_LEX_EVERYDAY, /* everyday name: sổ đỏ, bằng lái, giấy độc thân */
	VN_LEX_CHAT,     /* chat/SMS shorthand and typing slips: ntn, k, đk */
};

struct vn_lexicon_entry {
	const char *term;     /* first spelling in the file (NFC) */
	const char *key;      /* folded key: syllables joined by one space */
	unsigned nsyl;        /* syllables in key, 1..VN_LEX_MAX_SYL */
	enum vn_lex_category category;
	size_t nexp;
	const char **exp;          /* expansions as written (NFC) */
	const char **exp_folded;   /* their folded keys */
	const char **exp_accented; /* their accented keys */
};

struct vn_lexicon;

/* Load a lexicon file.  On success *out is a new lexicon the caller frees
 * with vn_lexicon_free.  Errors: TD_ERR_NOTFOUND (no such file), TD_ERR_IO,
 * TD_ERR_TOOBIG (file over 8 MiB or over 65536 rows), TD_ERR_PARSE for a bad
 * line; err (if not NULL) then gets "path:LINE: reason". */
td_err vn_lexicon_load(struct vn_lexicon **out, const char *path, char *err, size_t errlen);

/* The same from memory; name is used in error messages. */
td_err vn_lexicon_parse(struct vn_lexicon **out, const char *text, size_t n, const char *name,
			char *err, size_t errlen);

void vn_lexicon_free(struct vn_lexicon *lex);

/* Number of distinct (folded) terms. */
size_t vn_lexicon_count(const struct vn_lexicon *lex);

/* The i-th entry (0 <= i < count), in file order; owned by lex. */
const struct vn_lexicon_entry *vn_lexicon_entry_at(const struct vn_lexicon *lex, size_t i);

/* The entry whose term equals the text s[0..n) after folding (any case,
 * with or without diacritics), or NULL.  Owned by lex. */
const struct vn_lexicon_entry *vn_lexicon_lookup(const struct vn_lexicon *lex, const char *s,
						 size_t n);

/* Longest match at token i of a folded text (tokens from vn_tokenize over
 * text, which should be a vn_fold key).  Returns the number of tokens
 * matched (0 if none) and sets *entry (owned by lex). */
size_t vn_lexicon_match(const struct vn_lexicon *lex, const char *text,
			const struct vn_token *toks, size_t ntoks, size_t i,
			const struct vn_lexicon_entry **entry);

#define VN_EXPAND_ACCENTED 0x2u /* write accented keys instead of folded ones */

/* Append the key of query (folded, or accented with VN_EXPAND_ACCENTED),
 * then, for each longest lexicon match in it, a space and each expansion's
 * key (each entry once).  Invalid UTF-8 in the query is tolerated (lossy).
 * "làm sổ đỏ ntn" → "lam so do ntn giay chung nhan quyen su dung dat ...
 * nhu the nao".  Errors: TD_ERR_TOOBIG (query or out over its cap). */
td_err vn_lexicon_expand(const struct vn_lexicon *lex, struct td_buf *out, const char *query,
			 size_t n, unsigned flags);

#endif
