/*
 * bundle.c - load records, lexicon, stop words, models; build index and
 * engine (see bundle.h).  Start-up work only: nothing here runs per question.
 */
#include "answer/bundle.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/textfile.h"
#include "kb/kb_json.h"
#include "search/search.h"
#include "store/store.h"
#include "text/vn.h"

#ifndef TD_SOURCE_DIR
#define TD_SOURCE_DIR "."
#endif

struct collect {
	struct kb_procedure **procs;
	size_t n, cap;
	td_err err;
};

/* The store's records live only during the callback: keep a deep copy made
 * through the canonical JSON form (the one copy routine kb already has). */
static int collect_one(const struct kb_procedure *p, void *ctx)
{
	struct collect *c = ctx;
	json_t *j = kb_procedure_to_json(p, KB_JSON_CONTENT);
	struct kb_problems ps;
	kb_problems_init(&ps);
	struct kb_procedure *copy = NULL;
	td_err rc = j ? kb_procedure_from_json(j, 0, &copy, &ps) : TD_ERR_NOMEM;
	json_decref(j);
	kb_problems_release(&ps);
	if (rc != TD_OK || !copy)
		return 0; /* a record that does not round-trip is skipped, not fatal */
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1024;
		c->procs = td_reallocarray(c->procs, c->cap, sizeof *c->procs);
	}
	c->procs[c->n++] = copy;
	return 0;
}

/*
 * The decision thresholds, from data/answer/thresholds.tsv (`key<TAB>value`,
 * '#' comments): editable without rebuilding, like the rest of the answering
 * data.  A missing file keeps the defaults; an unknown key or a value outside
 * 0..1 is an error with its line, so a typo cannot silently change answers.
 */
static td_err load_thresholds(const char *path, struct answer_thresholds *t, char *err,
			      size_t errlen)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"min_query_cover", offsetof(struct answer_thresholds, min_query_cover)},
		{"answer_conf", offsetof(struct answer_thresholds, answer_conf)},
		{"clarify_conf", offsetof(struct answer_thresholds, clarify_conf)},
		{"answer_query_cover", offsetof(struct answer_thresholds, answer_query_cover)},
		{"close_ratio", offsetof(struct answer_thresholds, close_ratio)},
		{"same_name", offsetof(struct answer_thresholds, same_name)},
		{"report_hint", offsetof(struct answer_thresholds, report_hint)},
	};
	answer_thresholds_default(t);
	char *text = NULL;
	td_err rc = td_file_read(path, 1 << 16, &text, err, errlen);
	if (rc == TD_ERR_NOTFOUND)
		return TD_OK;
	if (rc != TD_OK)
		return rc;
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, lineno = 0;
	while (rc == TD_OK && td_next_line(&p, end, &line, &len)) {
		lineno++;
		if (td_blank_or_comment(line, len))
			continue;
		const char *f[2];
		size_t fl[2];
		char key[64], val[64];
		if (td_split_tabs(line, len, f, fl, 2) != 2 || fl[0] >= sizeof key ||
		    fl[1] >= sizeof val) {
			snprintf(err, errlen, "%s:%zu: expected 'key<TAB>value'", path, lineno);
			rc = TD_ERR_PARSE;
			break;
		}
		memcpy(key, f[0], fl[0]);
		key[fl[0]] = '\0';
		memcpy(val, f[1], fl[1]);
		val[fl[1]] = '\0';
		char *e;
		double v = strtod(val, &e);
		size_t k = 0;
		while (k < sizeof keys / sizeof keys[0] && strcmp(keys[k].key, key) != 0)
			k++;
		if (k == sizeof keys / sizeof keys[0] || e == val || *e || !(v >= 0 && v <= 1)) {
			snprintf(err, errlen, "%s:%zu: unknown key or value outside 0..1: '%s'", path,
				 lineno, key);
			rc = TD_ERR_PARSE;
			break;
		}
		*(double *)((char *)t + keys[k].off) = v;
	}
	td_free(text);
	return rc;
}

td_err answer_bundle_open(struct answer_bundle *b, const char *data_dir, const char *resource_dir,
			  char *err, size_t errlen)
{
	char path[4096];
	struct store *st = NULL;
	struct vn_lexicon *lex = NULL;
	struct search_stopwords *stop = NULL;
	struct collect col = {0};
	td_err rc;
	memset(b, 0, sizeof *b);
	if (!resource_dir)
		resource_dir = TD_SOURCE_DIR;

	rc = store_open(data_dir, &st, err, errlen);
	if (rc != TD_OK)
		goto fail;
	struct store_filter f = {0};
	rc = store_procedure_list(st, &f, collect_one, &col);
	if (rc != TD_OK) {
		snprintf(err, errlen, "cannot list procedures: %s (%s)", td_strerror(rc),
			 store_errmsg(st));
		goto fail;
	}
	snprintf(path, sizeof path, "%s/data/text/lexicon.tsv", resource_dir);
	rc = vn_lexicon_load(&lex, path, err, errlen);
	if (rc != TD_OK)
		goto fail;
	snprintf(path, sizeof path, "%s/data/text/stopwords.txt", resource_dir);
	if (search_stopwords_load(&stop, path, err, errlen) != TD_OK)
		stop = NULL;
	snprintf(path, sizeof path, "%s/data/answer", resource_dir);
	rc = answer_nlu_load(&b->nlu, path, err, errlen);
	if (rc != TD_OK)
		goto fail;
	struct search_options opts;
	search_options_default(&opts);
	opts.own_records = true;
	rc = search_index_build_opts(col.procs, col.n, lex, stop, &opts, &b->index);
	if (rc != TD_OK) {
		snprintf(err, errlen, "cannot build the search index: %s", td_strerror(rc));
		goto fail;
	}
	b->nprocs = col.n;
	td_free(col.procs); /* the index owns the records now */
	col.procs = NULL;
	col.n = 0;
	struct answer_thresholds thr;
	snprintf(path, sizeof path, "%s/data/answer/thresholds.tsv", resource_dir);
	rc = load_thresholds(path, &thr, err, errlen);
	if (rc != TD_OK)
		goto fail;
	rc = answer_engine_new_search(b->index, b->nlu, &thr, &b->engine);
	if (rc != TD_OK) {
		snprintf(err, errlen, "cannot create the answer engine: %s", td_strerror(rc));
		goto fail;
	}
	vn_lexicon_free(lex);
	search_stopwords_free(stop);
	store_close(st);
	return TD_OK;
fail:
	for (size_t i = 0; i < col.n; i++)
		kb_procedure_free(col.procs[i]);
	td_free(col.procs);
	vn_lexicon_free(lex);
	search_stopwords_free(stop);
	store_close(st);
	answer_bundle_close(b);
	return rc;
}

void answer_bundle_close(struct answer_bundle *b)
{
	answer_engine_free(b->engine);
	search_index_unref(b->index);
	answer_nlu_free(b->nlu);
	memset(b, 0, sizeof *b);
}
