/*
 * place.h - find the Hanoi ward/commune a citizen's text is about.
 *
 * Input is free text: a call transcript, a chat turn, a form address.  Output
 * is the 5-digit code(s) of the commune-level unit(s) of Hanoi since 1 July
 * 2025, found from a new name ("phường Hồng Hà", "xa bat trang") or from an
 * old address people still use ("P. Phúc Xá, Q. Ba Đình" → 00097 Hồng Hà).
 *
 * The index is built once from data/hanoi/ (wards.tsv, old_wards.tsv,
 * districts.tsv, place_words.tsv; see data/hanoi/README.md) into a trie over
 * folded syllables, so spelling with or without diacritics, any case, old or
 * new tone-mark placement ("Hoà"/"Hòa") and "P."/"X."/"Q."/"H."/"TX"
 * abbreviations all meet.  Where the text has diacritics and several names
 * fold alike ("Đồng Xuân"/"Đông Xuân", "Yên Bài"/"Yên Bái"), the accented
 * spelling decides.
 *
 * Ambiguity rules (docs/internals/pakn-place.md has the full list):
 *   - an old ward name with its old district gives that old ward's new
 *     unit(s); a split old ward gives every candidate (ambiguous = true);
 *   - an old ward name repeated in several old districts, without a district
 *     in the text, gives the union of all candidates (ambiguous = true) so the
 *     channel can ask; a district named elsewhere in the text narrows it;
 *   - a name that is both a new unit and an old ward is the new unit unless an
 *     old district of that old ward follows it ("thị trấn X" is always old);
 *   - an old district alone ("quận Ba Đình", bare "Hoàn Kiếm") gives no ward;
 *   - a name after a street/landmark word ("đường Trần Phú", "chợ Hà Đông")
 *     is not a ward; a bare name (no phường/xã/P./X.) counts only after a
 *     locative ("ở", "tại"…) or before an old district, and never when it is
 *     a common person/street name (place_words.tsv);
 *   - never across provinces: a name followed by another province or a
 *     non-Hanoi district ("xã Hưng Đạo, tỉnh Hưng Yên"), or any unanchored
 *     name in a text that names another province and not Hanoi, gives nothing.
 *
 * Thread safety: a loaded index is immutable; any number of threads may call
 * place_resolve on it, each with its own struct place_result.
 * Speed: no allocation per call (the result's scratch is allocated once by
 * place_result_init); well over 100,000 short texts per second on one core.
 */
#ifndef TD_PAKN_PLACE_H
#define TD_PAKN_PLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* At most this many candidate codes in a result (the biggest split is 5). */
#define PLACE_CODES_MAX 16
/* Only the first PLACE_TEXT_MAX bytes / PLACE_TOKENS_MAX tokens are read. */
#define PLACE_TEXT_MAX ((size_t)64 << 10)
#define PLACE_TOKENS_MAX 2048
#define PLACE_REASON_MAX 384

enum place_unit_type { PLACE_PHUONG, PLACE_XA, PLACE_THI_TRAN };
enum place_district_type { PLACE_QUAN, PLACE_HUYEN, PLACE_THI_XA };

/* A new (2025) unit.  Strings owned by the index. */
struct place_unit {
	char code[6];           /* "00097" */
	const char *name;       /* "Phường Hồng Hà" */
	const char *short_name; /* "Hồng Hà" */
	enum place_unit_type type;
};

/* An old (pre-2025) ward and the new unit(s) it went into. */
#define PLACE_OLD_UNITS_MAX 6
struct place_old_ward {
	char code[6];
	const char *name;       /* "Phường Phúc Xá" */
	const char *short_name; /* "Phúc Xá" */
	enum place_unit_type type;
	size_t district;        /* index into the districts */
	size_t nunits;
	size_t unit[PLACE_OLD_UNITS_MAX]; /* indexes into the new units */
	bool partial;           /* split between several new units */
};

struct place_district {
	char code[4];
	const char *name;       /* "Quận Ba Đình" */
	const char *short_name; /* "Ba Đình" */
	enum place_district_type type;
};

struct place_index;

/* Load the index from resource_dir/data/hanoi/.  On success *out is a new
 * index the caller frees with place_index_free.  Errors: TD_ERR_NOTFOUND or
 * TD_ERR_IO for a missing/unreadable file, TD_ERR_PARSE for a bad row (err
 * then gets "path:LINE: reason"), TD_ERR_TOOBIG for a file over 4 MiB. */
td_err place_index_load(struct place_index **out, const char *resource_dir, char *err,
			size_t errlen);
void place_index_free(struct place_index *ix);

/* The tables, in file order (sorted by code).  Pointers owned by ix. */
size_t place_index_unit_count(const struct place_index *ix);
const struct place_unit *place_index_unit_at(const struct place_index *ix, size_t i);
/* The unit with this 5-digit code, or NULL. */
const struct place_unit *place_index_unit_by_code(const struct place_index *ix, const char *code);
size_t place_index_old_ward_count(const struct place_index *ix);
const struct place_old_ward *place_index_old_ward_at(const struct place_index *ix, size_t i);
size_t place_index_district_count(const struct place_index *ix);
const struct place_district *place_index_district_at(const struct place_index *ix, size_t i);

struct place_candidate {
	char code[6];
	const char *name; /* the unit's full name, owned by the index */
};

enum place_how {
	PLACE_NONE,     /* nothing found */
	PLACE_NEW_NAME, /* a 2025 unit by name */
	PLACE_OLD_WARD, /* an old ward (with or without its old district) */
};

struct place_scratch; /* private */

/* What place_resolve found.  Initialise once with place_result_init, reuse
 * for any number of calls, release with place_result_release. */
struct place_result {
	size_t n;                                   /* candidates, 0..PLACE_CODES_MAX */
	struct place_candidate cand[PLACE_CODES_MAX]; /* sorted by code */
	enum place_how how;
	bool from_old_address; /* how == PLACE_OLD_WARD */
	bool ambiguous;        /* n > 1: confirm with the citizen */
	size_t span_start;     /* the matched text: bytes [span_start, +span_len) of */
	size_t span_len;       /* the input (prefix and old district included) */
	char reason[PLACE_REASON_MAX]; /* Vietnamese, for the routing record */
	struct place_scratch *scratch;
};

/* Allocate the result's bounded scratch (aborts only on real OOM). */
void place_result_init(struct place_result *r);
void place_result_release(struct place_result *r);

/* Find the place(s) in text[0..n).  Fills r (previous content dropped).
 * Invalid UTF-8 is tolerated.  Returns TD_OK (also when nothing is found:
 * r->n == 0, r->how == PLACE_NONE) or TD_ERR_INVAL for NULL arguments. */
td_err place_resolve(const struct place_index *ix, const char *text, size_t n,
		     struct place_result *r);

#endif
