/*
 * nb.h - multinomial naive Bayes over hashed features, trained in one
 * counting pass.  The message classifiers (src/answer/nlu.c for intents and
 * aspects, src/pakn/classify.c for feedback) extract their own features and
 * score with the fitted tables; the counting, the additive smoothing and the
 * flattened prior live here once.
 *
 *     nb_begin(&nb, nclass, 1u << 15);
 *     for each training row: nb_row(&nb, cls); for each feature: nb_count(&nb, cls, bucket);
 *     nb_fit(&nb, 0.5);
 *     ... score with nb.logp[c * nb.nbuckets + bucket] and nb.logprior[c] ...
 *     nb_release(&nb);
 */
#ifndef TD_TEXT_NB_H
#define TD_TEXT_NB_H

#include <stddef.h>

#define NB_CLASS_MAX 24

struct nb_model {
	size_t nclass;
	size_t nbuckets;         /* a power of two */
	size_t nrows[NB_CLASS_MAX];
	double logprior[NB_CLASS_MAX];
	float *logp;             /* nclass × nbuckets: log P(bucket | class) */
	unsigned char *known;    /* nbuckets: 1 if seen in training */
	size_t total_rows;
	double *counts;          /* nclass × nbuckets, only between begin and fit */
};

/* Drop any previous model and start counting for nclass (≤ NB_CLASS_MAX)
 * classes over nbuckets buckets.  The tables are owned by nb. */
void nb_begin(struct nb_model *nb, size_t nclass, size_t nbuckets);

/* One training row of class cls, and one feature of it in bucket. */
void nb_row(struct nb_model *nb, size_t cls);
static inline void nb_count(struct nb_model *nb, size_t cls, size_t bucket)
{
	nb->counts[cls * nb->nbuckets + bucket] += 1.0;
	nb->known[bucket] = 1;
}

/*
 * Fit: log P(bucket | class) with additive smoothing alpha over the buckets
 * seen in training, and a flattened prior (the square root of each class's
 * row count, normalised): the row counts say how much the team wrote for a
 * class, not how often people say it.  Frees the counts.
 */
void nb_fit(struct nb_model *nb, double alpha);

void nb_release(struct nb_model *nb);

#endif
