/*
 * pakn_int.h - internals shared by the files of src/pakn/ that classify
 * (classify.c) and evaluate (pakn_eval.c).  Not for other subsystems.
 */
#ifndef TD_PAKN_PAKN_INT_H
#define TD_PAKN_PAKN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pakn/pakn.h"
#include "text/nb.h"

#define PAKN__NCAT 22
#define PAKN__NLEVEL 3
#define PAKN__NB_BITS 16
#define PAKN__NB_BUCKETS (1u << PAKN__NB_BITS)

/* Emergency numbers as a bit set. */
#define PAKN__N113 0x1u
#define PAKN__N114 0x2u
#define PAKN__N115 0x4u

/* One labelled message of train.tsv. */
struct pakn__row {
	char *text;
	int category;     /* index into the category table */
	int level;        /* enum pakn_level */
	unsigned numbers; /* PAKN__N1xx bits; 0: not an emergency */
	size_t line;
};

/* A multinomial naive Bayes model over hashed features. */

struct pakn__rules; /* classify.c */
struct pakn__aliases;

struct pakn_model {
	struct pakn__rules *rules;     /* rules.tsv */
	struct pakn__rules *emergency; /* emergency.tsv */
	struct pakn__aliases *aliases; /* aliases.tsv */
	struct nb_model nb_category;
	struct nb_model nb_level;
	struct nb_model nb_emergency; /* 2 classes: 0 no, 1 yes */
	struct pakn__row *rows;
	size_t nrows;
};

/* (Re)train the three models from the rows with use[i] true (use NULL: all).
 * The rules are left alone. */
void pakn__train(struct pakn_model *m, const bool *use);

/* "113", "114,115"... for a bit set into buf. */
void pakn__numbers_str(unsigned numbers, char *buf, size_t cap);

/* Index of a category slug, or -1. */
int pakn__category_index(const char *slug, size_t len);

#endif
