/*
 * dup.h - is a new report about a problem already reported?
 *
 * Two reports are duplicates when they are in the same ward/commune, in the
 * same category, within a time window (default 7 days) and their texts are
 * alike: the Jaccard similarity of their folded syllables and syllable
 * bigrams ("rac thai", "thai ton", ...) is at least a threshold (default
 * 0.5).  The index keeps, per ward, the recent open cases with their
 * signature (sorted hashes of those features), so a check costs one pass
 * over a few dozen small arrays.  It is rebuilt from the store at start-up
 * and only grows by the cases the intake writes; cases closed meanwhile are
 * filtered by the caller's `still_open` check.  Reports whose place is
 * unknown or ambiguous are never linked (the ward is part of the identity of
 * a field problem).
 *
 * Thread safety: one mutex guards the index, so any thread may call any
 * function.
 */
#ifndef TD_PAKN_DUP_H
#define TD_PAKN_DUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct pakn_dup_config {
	unsigned window_days; /* 1..365; default 7 */
	double threshold;     /* 0 < t <= 1; default 0.5 */
	size_t ward_max;      /* entries kept per ward; default 1024 */
};

/* The defaults above. */
void pakn_dup_config_defaults(struct pakn_dup_config *c);

struct pakn_dup_index;

/* An empty index (config copied; NULL: defaults). */
struct pakn_dup_index *pakn_dup_index_new(const struct pakn_dup_config *c);
void pakn_dup_index_free(struct pakn_dup_index *ix);

/* Remember case id (number, category, its single ward code, time, text).
 * Ignored when ward is not exactly one 5-digit code. */
void pakn_dup_add(struct pakn_dup_index *ix, int64_t id, const char *number, const char *category,
		  const char *ward, int64_t at, const char *text);
/* Forget case id (a write that was rolled back, a case closed). */
void pakn_dup_remove(struct pakn_dup_index *ix, int64_t id);
/* Entries held (tests, metrics). */
size_t pakn_dup_count(struct pakn_dup_index *ix);

struct pakn_dup_match {
	int64_t id;
	char number[17]; /* canonical case number */
	double score;
};

/* Find the most similar recent case for a new report; still_open (may be
 * NULL) is asked about each candidate, best first, until one is open.
 * Returns true and fills *m on a match. */
bool pakn_dup_find(struct pakn_dup_index *ix, const char *category, const char *ward, int64_t at,
		   const char *text, bool (*still_open)(void *ctx, int64_t id), void *ctx,
		   struct pakn_dup_match *m);

/* The similarity (0..1) of two texts as the index measures it (tests). */
double pakn_dup_similarity(const char *a, const char *b);

#endif
