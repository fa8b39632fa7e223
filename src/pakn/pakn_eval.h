/*
 * pakn_eval.h - measuring the PAKN classifier: accumulate gold labels against
 * classifications into a report (per-category precision/recall/F1, macro-F1,
 * accuracy, confusion matrix, emergency precision/recall, level accuracy),
 * and a k-fold cross-validation over data/pakn/train.tsv.  Used by
 * `tongdai pakn train`, the bench and evaluation programs.
 */
#ifndef TD_PAKN_PAKN_EVAL_H
#define TD_PAKN_PAKN_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/error.h"
#include "pakn/pakn.h"

#define PAKN_EVAL_NCAT 22

struct pakn_eval_report {
	size_t n;                                          /* messages */
	size_t folds;                                      /* 0 for a plain evaluation */
	size_t confusion[PAKN_EVAL_NCAT][PAKN_EVAL_NCAT];  /* [gold][predicted] */
	size_t support[PAKN_EVAL_NCAT];                    /* gold count */
	double precision[PAKN_EVAL_NCAT], recall[PAKN_EVAL_NCAT], f1[PAKN_EVAL_NCAT];
	double accuracy, macro_f1;                         /* macro over categories with support */
	size_t em_tp, em_fp, em_fn, em_tn;
	size_t em_numbers_ok;                              /* true positives with the same numbers */
	double em_precision, em_recall;
	size_t level_confusion[3][3];                      /* [gold][predicted] */
	double level_accuracy;
};

/* Start an empty report. */
void pakn_eval_init(struct pakn_eval_report *r);

/* Count one message: gold category index (pakn_category_slug order), gold
 * level, gold emergency numbers ("" or NULL: not an emergency) against got. */
void pakn_eval_add(struct pakn_eval_report *r, size_t gold_category, enum pakn_level gold_level,
		   const char *gold_numbers, const struct pakn_classification *got);

/* Compute the ratios from the counts. */
void pakn_eval_finish(struct pakn_eval_report *r);

/* Called for each held-out row the model got wrong (category, level or
 * emergency); text and got are only valid during the call. */
typedef void (*pakn_eval_miss_fn)(void *ctx, size_t line, const char *text,
				  size_t gold_category, enum pakn_level gold_level,
				  bool gold_emergency, const struct pakn_classification *got);

/* k-fold cross-validation (2 <= folds <= 20) on resource_dir/data/pakn/
 * (NULL: TD_SOURCE_DIR): the rows of each category are cut, in file order,
 * into folds contiguous blocks (so near-identical neighbours stay together);
 * each fold is classified by models trained on the others with the same
 * rules.  Fills *out (finished).  miss may be NULL.  Errors: those of
 * pakn_model_load, TD_ERR_INVAL for a bad fold count. */
td_err pakn_eval_crossval(const char *resource_dir, size_t folds, struct pakn_eval_report *out,
			  pakn_eval_miss_fn miss, void *ctx, char *err, size_t errlen);

/* Print a human-readable report. */
void pakn_eval_print(const struct pakn_eval_report *r, FILE *f);

#endif
