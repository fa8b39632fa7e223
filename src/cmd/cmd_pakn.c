/*
 * cmd_pakn.c - `tongdai pakn train [--resources DIR] [--folds 5] [--json]
 * [--errors]`: reload the PAKN rules and training data and print a k-fold
 * cross-validated report.  The model is trained at load time (train.tsv is
 * small), so "retraining" is reloading; this command exists to say how good
 * the data is after an edit, and with --errors which rows the held-out model
 * gets wrong.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "cmd/cmd.h"
#include "cmd/cmd_pakn.h"
#include "pakn/pakn.h"
#include "pakn/pakn_eval.h"

static const char *const train_usage =
	"usage: tongdai pakn train [--resources DIR] [--folds N] [--json] [--errors]\n"
	"\n"
	"Load data/pakn/ (rules.tsv, emergency.tsv, aliases.tsv, train.tsv), train the\n"
	"classifier and print a k-fold cross-validated report on train.tsv:\n"
	"per-category precision/recall/F1, macro-F1, accuracy, the confusion matrix,\n"
	"emergency precision/recall and level accuracy.\n"
	"  --resources D directory holding data/pakn (default: the source tree)\n"
	"  --folds N     number of folds, 2..20 (default 5)\n"
	"  --json        print the report as one JSON object\n"
	"  --errors      also list the held-out rows the model gets wrong\n";

struct miss_ctx {
	bool print;
	json_t *list; /* with --json */
};

static void on_miss(void *ctx, size_t line, const char *text, size_t gold_category,
		    enum pakn_level gold_level, bool gold_emergency,
		    const struct pakn_classification *got)
{
	struct miss_ctx *mc = ctx;
	if (!mc->print)
		return;
	if (mc->list) {
		json_array_append_new(
			mc->list,
			json_pack("{s:I,s:s,s:s,s:s,s:b,s:s,s:s,s:b,s:f}", "line", (json_int_t)line,
				  "text", text, "gold_category", pakn_category_slug(gold_category),
				  "gold_level", pakn_level_name(gold_level), "gold_emergency",
				  gold_emergency, "category", got->category, "level",
				  pakn_level_name(got->level), "emergency", got->emergency,
				  "confidence", got->confidence));
		return;
	}
	printf("train.tsv:%zu: %s/%s/%s -> %s/%s/%s (%.2f): %s\n", line,
	       pakn_category_slug(gold_category), pakn_level_name(gold_level),
	       gold_emergency ? "khẩn" : "-", got->category, pakn_level_name(got->level),
	       got->emergency ? got->emergency_numbers : "-", got->confidence, text);
}

static json_t *report_json(const struct pakn_eval_report *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "folds", json_integer((json_int_t)r->folds));
	json_object_set_new(o, "messages", json_integer((json_int_t)r->n));
	json_object_set_new(o, "accuracy", json_real(r->accuracy));
	json_object_set_new(o, "macro_f1", json_real(r->macro_f1));
	json_t *cats = json_array();
	json_t *labels = json_array();
	json_t *cm = json_array();
	for (size_t c = 0; c < PAKN_EVAL_NCAT; c++) {
		json_array_append_new(cats, json_pack("{s:s,s:f,s:f,s:f,s:I}", "category",
						      pakn_category_slug(c), "precision",
						      r->precision[c], "recall", r->recall[c], "f1",
						      r->f1[c], "support", (json_int_t)r->support[c]));
		json_array_append_new(labels, json_string(pakn_category_slug(c)));
		json_t *row = json_array();
		for (size_t p = 0; p < PAKN_EVAL_NCAT; p++)
			json_array_append_new(row, json_integer((json_int_t)r->confusion[c][p]));
		json_array_append_new(cm, row);
	}
	json_object_set_new(o, "categories", cats);
	json_object_set_new(o, "confusion", json_pack("{s:o,s:o}", "labels", labels, "matrix", cm));
	json_object_set_new(o, "emergency",
			    json_pack("{s:f,s:f,s:I,s:I,s:I,s:I,s:I}", "precision",
				      r->em_precision, "recall", r->em_recall, "tp",
				      (json_int_t)r->em_tp, "fp", (json_int_t)r->em_fp, "fn",
				      (json_int_t)r->em_fn, "tn", (json_int_t)r->em_tn,
				      "numbers_exact", (json_int_t)r->em_numbers_ok));
	json_t *lc = json_array();
	for (size_t g = 0; g < 3; g++)
		json_array_append_new(lc, json_pack("[I,I,I]", (json_int_t)r->level_confusion[g][0],
						    (json_int_t)r->level_confusion[g][1],
						    (json_int_t)r->level_confusion[g][2]));
	json_object_set_new(o, "level", json_pack("{s:f,s:[s,s,s],s:o}", "accuracy",
						  r->level_accuracy, "labels", "normal", "urgent",
						  "complex", "confusion", lc));
	return o;
}

int cmd_pakn_train(int argc, char **argv, struct td_config *cfg)
{
	const char *resources = NULL;
	long folds = 5;
	bool json = false, errors = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(train_usage, stdout);
			return 0;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--errors") == 0) {
			errors = true;
		} else if (strcmp(a, "--resources") == 0 && i + 1 < argc) {
			resources = argv[++i];
		} else if (strcmp(a, "--folds") == 0 && i + 1 < argc) {
			char *end;
			folds = strtol(argv[++i], &end, 10);
			if (*end || folds < 2 || folds > 20) {
				fprintf(stderr, "tongdai pakn train: --folds must be 2..20\n");
				return 2;
			}
		} else {
			int k = cmd_common_option(argc - i, argv + i, cfg);
			if (k < 0)
				return 2;
			if (k == 0) {
				fprintf(stderr, "tongdai pakn train: unknown option '%s'\n%s", a,
					train_usage);
				return 2;
			}
			i += k - 1;
		}
	}
	struct pakn_eval_report rep;
	struct miss_ctx mc = {errors, (errors && json) ? json_array() : NULL};
	char err[512] = "";
	td_err rc = pakn_eval_crossval(resources, (size_t)folds, &rep, on_miss, &mc, err,
				       sizeof err);
	if (rc != TD_OK) {
		fprintf(stderr, "tongdai pakn train: %s\n", err[0] ? err : td_strerror(rc));
		json_decref(mc.list);
		return 1;
	}
	if (json) {
		json_t *o = report_json(&rep);
		if (mc.list)
			json_object_set_new(o, "errors", mc.list);
		char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(4));
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(o);
	} else {
		pakn_eval_print(&rep, stdout);
	}
	return 0;
}
