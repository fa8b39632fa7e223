/*
 * pakn.h - feedback and petitions (phản ánh, kiến nghị): what a message is
 * about, how urgent it is, and whether it is an emergency for 113/114/115.
 *
 * A model is built once from three editable files under data/pakn/ and is
 * immutable afterwards, so any number of threads may classify with it:
 *
 *   rules.tsv      weighted phrases for a category or a level (precision,
 *                  and fixes an administrator can make without retraining);
 *   emergency.tsv  emergency triggers (113/114/115) and the contexts that
 *                  cancel them: negation, risk or prevention, past events;
 *   aliases.tsv    chat shorthand and abbreviations (ko, dc, pccc, gpmb);
 *   train.tsv      labelled messages; naive Bayes models for category,
 *                  level and emergency are trained from them at load time.
 *
 * See docs/internals/pakn-classify.md for the design and the figures.
 */
#ifndef TD_PAKN_PAKN_H
#define TD_PAKN_PAKN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

enum pakn_level { PAKN_LEVEL_NORMAL, PAKN_LEVEL_URGENT, PAKN_LEVEL_COMPLEX };

/* "normal", "urgent", "complex" (static; "normal" for an unknown value). */
const char *pakn_level_name(enum pakn_level l);

struct pakn_model; /* immutable after load, thread-safe */

/* Load rules + training data from resource_dir/data/pakn/ (NULL: the
 * compiled-in TD_SOURCE_DIR) and train.  On success *out is a new model the
 * caller frees with pakn_model_free.  Errors: TD_ERR_NOTFOUND (a file is
 * missing), TD_ERR_IO, TD_ERR_TOOBIG (a file over its cap), TD_ERR_PARSE (a
 * bad line); err (if not NULL) then says "file:LINE: reason". */
td_err pakn_model_load(struct pakn_model **out, const char *resource_dir, char *err,
		       size_t errlen);

/* Free a model (NULL is fine). */
void pakn_model_free(struct pakn_model *m);

#define PAKN_REASONS_MAX 8

struct pakn_classification {
	char category[32];          /* slug */
	double confidence;          /* 0..1 */
	enum pakn_level level;
	bool emergency;
	char emergency_numbers[16]; /* "113", "114,115", "" */
	size_t n_reasons;
	char reasons[PAKN_REASONS_MAX][160]; /* e.g. "từ khóa: 'lấn chiếm vỉa hè'" */
};

/* Classify text[0..n) (any UTF-8; invalid bytes are word breaks).  Only the
 * first PAKN_TEXT_MAX bytes are read.  Fills *out completely; empty or
 * garbage text gives "khac", confidence 0, normal, no emergency.  Uses one
 * bounded scratch buffer per call; deterministic.  Errors: TD_ERR_INVAL for a
 * NULL model or out (text may be NULL when n is 0). */
#define PAKN_TEXT_MAX ((size_t)8 << 10)
td_err pakn_classify(const struct pakn_model *m, const char *text, size_t n,
		     struct pakn_classification *out);

/* The category slugs, in table order, with their Vietnamese names (static;
 * NULL past the end). */
size_t pakn_category_count(void);
const char *pakn_category_slug(size_t i);
const char *pakn_category_name(size_t i);

#endif
