/*
 * pakn_eval.c - measuring the PAKN classifier (see pakn_eval.h).
 *
 * Cross-validation retrains only the naive Bayes models per fold; the rules
 * stay as written, since they are part of the system being measured.  Folds
 * are contiguous blocks per category, not round-robin rows, because the
 * training file keeps variants of one message (with and without diacritics,
 * spoken) next to each other and round-robin would leak them across folds.
 */
#include <string.h>

#include "base/alloc.h"
#include "pakn/pakn_eval.h"
#include "pakn/pakn_int.h"

void pakn_eval_init(struct pakn_eval_report *r)
{
	memset(r, 0, sizeof *r);
}

void pakn_eval_add(struct pakn_eval_report *r, size_t gold_category, enum pakn_level gold_level,
		   const char *gold_numbers, const struct pakn_classification *got)
{
	if (gold_category >= PAKN_EVAL_NCAT)
		return;
	int pc = pakn__category_index(got->category, strlen(got->category));
	if (pc < 0)
		pc = 20; /* khac */
	r->n++;
	r->confusion[gold_category][pc]++;
	r->support[gold_category]++;
	bool ge = gold_numbers && gold_numbers[0];
	if (ge && got->emergency) {
		r->em_tp++;
		if (strcmp(gold_numbers, got->emergency_numbers) == 0)
			r->em_numbers_ok++;
	} else if (ge) {
		r->em_fn++;
	} else if (got->emergency) {
		r->em_fp++;
	} else {
		r->em_tn++;
	}
	if ((unsigned)gold_level < 3 && (unsigned)got->level < 3)
		r->level_confusion[gold_level][got->level]++;
}

void pakn_eval_finish(struct pakn_eval_report *r)
{
	size_t correct = 0, present = 0;
	double f1sum = 0;
	for (size_t c = 0; c < PAKN_EVAL_NCAT; c++) {
		size_t tp = r->confusion[c][c], pred = 0;
		for (size_t g = 0; g < PAKN_EVAL_NCAT; g++)
			pred += r->confusion[g][c];
		correct += tp;
		r->precision[c] = pred ? (double)tp / (double)pred : 0;
		r->recall[c] = r->support[c] ? (double)tp / (double)r->support[c] : 0;
		double s = r->precision[c] + r->recall[c];
		r->f1[c] = s > 0 ? 2 * r->precision[c] * r->recall[c] / s : 0;
		if (r->support[c]) {
			present++;
			f1sum += r->f1[c];
		}
	}
	r->accuracy = r->n ? (double)correct / (double)r->n : 0;
	r->macro_f1 = present ? f1sum / (double)present : 0;
	r->em_precision = (r->em_tp + r->em_fp) ? (double)r->em_tp / (double)(r->em_tp + r->em_fp)
						: 1.0;
	r->em_recall = (r->em_tp + r->em_fn) ? (double)r->em_tp / (double)(r->em_tp + r->em_fn)
					     : 1.0;
	size_t lok = 0, ln = 0;
	for (size_t g = 0; g < 3; g++)
		for (size_t p = 0; p < 3; p++) {
			ln += r->level_confusion[g][p];
			if (g == p)
				lok += r->level_confusion[g][p];
		}
	r->level_accuracy = ln ? (double)lok / (double)ln : 0;
}

td_err pakn_eval_crossval(const char *resource_dir, size_t folds, struct pakn_eval_report *out,
			  pakn_eval_miss_fn miss, void *ctx, char *err, size_t errlen)
{
	if (!out || folds < 2 || folds > 20)
		return TD_ERR_INVAL;
	pakn_eval_init(out);
	struct pakn_model *m = NULL;
	td_err rc = pakn_model_load(&m, resource_dir, err, errlen);
	if (rc != TD_OK)
		return rc;
	size_t n = m->nrows;
	size_t *fold = td_calloc(n ? n : 1, sizeof *fold);
	bool *use = td_calloc(n ? n : 1, sizeof *use);
	size_t count[PAKN__NCAT] = {0}, seen[PAKN__NCAT] = {0};
	for (size_t i = 0; i < n; i++)
		count[m->rows[i].category]++;
	for (size_t i = 0; i < n; i++) {
		size_t c = (size_t)m->rows[i].category;
		fold[i] = seen[c]++ * folds / count[c];
	}
	for (size_t k = 0; k < folds; k++) {
		for (size_t i = 0; i < n; i++)
			use[i] = fold[i] != k;
		pakn__train(m, use);
		for (size_t i = 0; i < n; i++) {
			if (use[i])
				continue;
			const struct pakn__row *row = &m->rows[i];
			struct pakn_classification got;
			rc = pakn_classify(m, row->text, strlen(row->text), &got);
			if (rc != TD_OK)
				goto done;
			char nums[16];
			pakn__numbers_str(row->numbers, nums, sizeof nums);
			pakn_eval_add(out, (size_t)row->category, (enum pakn_level)row->level, nums,
				      &got);
			bool wrong = strcmp(got.category, pakn_category_slug((size_t)row->category)) ||
				     (int)got.level != row->level ||
				     got.emergency != (row->numbers != 0);
			if (wrong && miss)
				miss(ctx, row->line, row->text, (size_t)row->category,
				     (enum pakn_level)row->level, row->numbers != 0, &got);
		}
	}
	out->folds = folds;
	pakn_eval_finish(out);
done:
	td_free(use);
	td_free(fold);
	pakn_model_free(m);
	return rc;
}

void pakn_eval_print(const struct pakn_eval_report *r, FILE *f)
{
	if (r->folds)
		fprintf(f, "%zu-fold cross-validation over %zu messages\n\n", r->folds, r->n);
	else
		fprintf(f, "evaluation over %zu messages\n\n", r->n);
	fprintf(f, "%-4s %-22s %9s %9s %9s %7s\n", "#", "category", "precision", "recall", "F1",
		"n");
	for (size_t c = 0; c < PAKN_EVAL_NCAT; c++)
		fprintf(f, "%-4zu %-22s %9.3f %9.3f %9.3f %7zu\n", c, pakn_category_slug(c),
			r->precision[c], r->recall[c], r->f1[c], r->support[c]);
	fprintf(f, "\naccuracy %.3f   macro-F1 %.3f\n", r->accuracy, r->macro_f1);
	fprintf(f, "emergency: precision %.3f recall %.3f (tp %zu, fp %zu, fn %zu, tn %zu; "
		   "numbers exact on %zu of %zu)\n",
		r->em_precision, r->em_recall, r->em_tp, r->em_fp, r->em_fn, r->em_tn,
		r->em_numbers_ok, r->em_tp);
	fprintf(f, "level accuracy %.3f\n", r->level_accuracy);
	fprintf(f, "  level confusion (rows gold, columns predicted: normal urgent complex)\n");
	for (size_t g = 0; g < 3; g++)
		fprintf(f, "  %-8s %6zu %6zu %6zu\n", pakn_level_name((enum pakn_level)g),
			r->level_confusion[g][0], r->level_confusion[g][1],
			r->level_confusion[g][2]);
	fprintf(f, "\nconfusion matrix (rows gold, columns predicted, by # above)\n     ");
	for (size_t p = 0; p < PAKN_EVAL_NCAT; p++)
		fprintf(f, "%4zu", p);
	fprintf(f, "\n");
	for (size_t g = 0; g < PAKN_EVAL_NCAT; g++) {
		fprintf(f, "%4zu ", g);
		for (size_t p = 0; p < PAKN_EVAL_NCAT; p++) {
			if (r->confusion[g][p])
				fprintf(f, "%4zu", r->confusion[g][p]);
			else
				fprintf(f, "%4s", ".");
		}
		fprintf(f, "\n");
	}
}
