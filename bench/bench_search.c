/*
 * bench_search.c - accuracy and speed of the procedure search engine, side by
 * side with an SQLite FTS5 baseline, over the national records.
 *
 * Usage:
 *     bench_search [national.jsonl [questions.jsonl]] [--dump] [--eval-only]
 *                  [--queries N] [--fts-queries N]
 * Defaults come from TD_SHARED_DIR (or ../shared next to TD_SOURCE_DIR):
 * data/tthc/national_2642.jsonl and data/questions/dev.jsonl; the lexicon
 * and stop words from TD_SOURCE_DIR/data/text/.
 *
 * It imports the records with kb_national_parse_line, builds the index, runs
 * the labelled questions and prints top-1 / top-3 accuracy overall and per
 * style, then the score distributions of answerable and unanswerable
 * questions (to choose thresholds from), then the same questions on an
 * in-memory FTS5 table (folded text, unicode61 remove_diacritics 2, bm25 with
 * name and aliases weighted; the query is an OR of folded terms and bigram
 * phrases, fillers removed), and finally queries/s and latency percentiles
 * for both and the memory each uses.
 *
 * TD_SEARCH_OPTS="title_bonus=4,k1=1.2,w.name=6,..." overrides build options
 * for tuning experiments (names as in struct search_options; w.<field> and
 * b.<field> with field in name alias keyword result field agency dossier
 * steps).
 */
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "kb/kb.h"
#include "kb/kb_national.h"
#include "search/search.h"
#include "text/vn.h"

#include "base/banned.h"

#define MAX_STYLES 16
#define TOPK 10

struct question {
	char *id, *text, *label, *style;
	char **codes;
	size_t ncodes;
};

struct questions {
	struct question *q;
	size_t n;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *path_join(const char *a, const char *b)
{
	struct td_buf p;
	td_buf_init(&p, 4096);
	td_buf_addf(&p, "%s/%s", a, b);
	return td_buf_detach(&p, NULL);
}

/* ------------------------------------------------------------------------- */
/* Loading                                                                    */
/* ------------------------------------------------------------------------- */

static struct kb_procedure **load_national(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	struct kb_procedure **v = NULL;
	size_t cap = 0, bad = 0;
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	*n = 0;
	while ((len = getline(&line, &lcap, f)) > 0) {
		struct kb_procedure *p = NULL;
		char err[256];
		if (kb_national_parse_line(line, (size_t)len, &p, err, sizeof err) != TD_OK) {
			bad++;
			continue;
		}
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = td_reallocarray(v, cap, sizeof *v);
		}
		v[(*n)++] = p;
	}
	free(line);
	fclose(f);
	if (bad)
		fprintf(stderr, "%zu lines rejected\n", bad);
	return v;
}

static char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return td_strdup(s ? s : "");
}

static void load_questions(const char *path, struct questions *Q)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(1);
	}
	char *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	while ((len = getline(&line, &lcap, f)) > 0) {
		json_t *o = json_loadb(line, (size_t)len, 0, NULL);
		if (!o)
			continue;
		Q->q = td_reallocarray(Q->q, Q->n + 1, sizeof *Q->q);
		struct question *q = &Q->q[Q->n++];
		memset(q, 0, sizeof *q);
		q->id = jstr(o, "id");
		q->text = jstr(o, "question");
		q->label = jstr(o, "label");
		q->style = jstr(o, "style");
		json_t *codes = json_object_get(o, "codes");
		size_t i;
		json_t *c;
		json_array_foreach(codes, i, c)
		{
			q->codes = td_reallocarray(q->codes, q->ncodes + 1, sizeof *q->codes);
			q->codes[q->ncodes++] = td_strdup(json_string_value(c) ? json_string_value(c) : "");
		}
		json_decref(o);
	}
	free(line);
	fclose(f);
}

static bool answerable(const struct question *q)
{
	return strcmp(q->label, "match") == 0;
}

static bool code_ok(const struct question *q, const char *code)
{
	for (size_t i = 0; i < q->ncodes; i++)
		if (code && strcmp(q->codes[i], code) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------------------- */
/* Options from the environment (tuning only)                                 */
/* ------------------------------------------------------------------------- */

static const char *const field_names[SEARCH_NFIELDS] = {
	"name", "alias", "keyword", "result", "field", "agency", "dossier", "steps"};

static void apply_opt(struct search_options *o, const char *k, double v)
{
	for (int f = 0; f < SEARCH_NFIELDS; f++) {
		if (strncmp(k, "w.", 2) == 0 && strcmp(k + 2, field_names[f]) == 0)
			o->weight[f] = (float)v;
		if (strncmp(k, "b.", 2) == 0 && strcmp(k + 2, field_names[f]) == 0)
			o->b[f] = (float)v;
	}
	if (strcmp(k, "k1") == 0)
		o->k1 = (float)v;
	else if (strcmp(k, "bigram_weight") == 0)
		o->bigram_weight = (float)v;
	else if (strcmp(k, "stop_bigram_weight") == 0)
		o->stop_bigram_weight = (float)v;
	else if (strcmp(k, "known_expand_weight") == 0)
		o->known_expand_weight = (float)v;
	else if (strcmp(k, "accent_weight") == 0)
		o->accent_weight = (float)v;
	else if (strcmp(k, "expand_weight") == 0)
		o->expand_weight = (float)v;
	else if (strcmp(k, "typo_weight") == 0)
		o->typo_weight = (float)v;
	else if (strcmp(k, "title_bonus") == 0)
		o->title_bonus = (float)v;
}

static void env_options(struct search_options *o)
{
	const char *e = getenv("TD_SEARCH_OPTS");
	if (!e)
		return;
	char *s = td_strdup(e), *save = NULL;
	for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (!eq)
			continue;
		*eq = '\0';
		apply_opt(o, t, atof(eq + 1));
	}
	td_free(s);
}

/* ------------------------------------------------------------------------- */
/* Accuracy                                                                   */
/* ------------------------------------------------------------------------- */

struct tally {
	const char *style;
	int n, top1, top3;
};

static struct tally *tally_of(struct tally *t, size_t *nt, const char *style)
{
	for (size_t i = 0; i < *nt; i++)
		if (strcmp(t[i].style, style) == 0)
			return &t[i];
	if (*nt == MAX_STYLES)
		return &t[0];
	t[*nt] = (struct tally){style, 0, 0, 0};
	return &t[(*nt)++];
}

static void print_tallies(const char *who, struct tally *all, struct tally *t, size_t nt)
{
	printf("%-8s %-14s %4s %7s %7s\n", who, "style", "n", "top-1", "top-3");
	printf("%-8s %-14s %4d %7.3f %7.3f\n", who, "ALL", all->n, (double)all->top1 / all->n,
	       (double)all->top3 / all->n);
	for (size_t i = 0; i < nt; i++)
		printf("%-8s %-14s %4d %7.3f %7.3f\n", who, t[i].style, t[i].n,
		       (double)t[i].top1 / t[i].n, (double)t[i].top3 / t[i].n);
}

/* Which position (0-based) holds an acceptable code, or -1. */
static int rank_of(const struct question *q, const struct search_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (code_ok(q, h[i].proc->code))
			return (int)i;
	return -1;
}

struct sample {
	double score, norm, qcover, tcover, margin;
	const char *id;
};

static void print_samples(const char *what, const struct sample *s, size_t n)
{
	printf("  %-34s", what);
	if (!n) {
		printf(" (none)\n");
		return;
	}
	double mn[5] = {1e9, 1e9, 1e9, 1e9, 1e9}, mx[5] = {0}, sum[5] = {0};
	for (size_t i = 0; i < n; i++) {
		double v[5] = {s[i].score, s[i].norm, s[i].qcover, s[i].tcover, s[i].margin};
		for (int k = 0; k < 5; k++) {
			mn[k] = v[k] < mn[k] ? v[k] : mn[k];
			mx[k] = v[k] > mx[k] ? v[k] : mx[k];
			sum[k] += v[k];
		}
	}
	printf(" n=%-3zu", n);
	static const char *const nm[5] = {"score", "norm", "qcover", "tcover", "margin"};
	for (int k = 0; k < 5; k++)
		printf("  %s %.2f/%.2f/%.2f", nm[k], mn[k], sum[k] / (double)n, mx[k]);
	printf("   (min/mean/max)\n");
}

/* Where the acceptable records rank in the full list (diagnostics). */
static void want_rank(const struct search_index *ix, struct search_scratch *s,
		      const struct question *q)
{
	size_t max = search_index_count(ix);
	struct search_hit *all = td_calloc(max ? max : 1, sizeof *all);
	size_t n = search_query_ex(ix, s, q->text, strlen(q->text), all, max, NULL);
	for (size_t i = 0; i < n; i++)
		if (code_ok(q, all[i].proc->code))
			printf("    want #%zu %.2f n=%.2f qc=%.2f tc=%.2f %s %.90s\n", i + 1,
			       all[i].score, all[i].norm, all[i].query_cover, all[i].title_cover,
			       all[i].proc->code, all[i].proc->name);
	td_free(all);
}

static void eval_ours(const struct search_index *ix, const struct questions *Q, bool dump)
{
	struct search_scratch *s = search_scratch_new();
	struct search_hit h[TOPK];
	struct tally all = {"ALL", 0, 0, 0}, t[MAX_STYLES];
	size_t nt = 0;
	struct sample *ok1 = td_calloc(Q->n, sizeof *ok1), *bad1 = td_calloc(Q->n, sizeof *bad1),
		      *none = td_calloc(Q->n, sizeof *none);
	size_t nok = 0, nbad = 0, nnone = 0;
	for (size_t i = 0; i < Q->n; i++) {
		const struct question *q = &Q->q[i];
		struct search_info info;
		size_t n = search_query_ex(ix, s, q->text, strlen(q->text), h, TOPK, &info);
		struct sample smp = {0};
		smp.id = q->id;
		if (n) {
			smp = (struct sample){h[0].score, h[0].norm, h[0].query_cover,
					      h[0].title_cover, info.margin, q->id};
		}
		int r = rank_of(q, h, n);
		if (answerable(q)) {
			struct tally *ts = tally_of(t, &nt, q->style);
			all.n++;
			ts->n++;
			all.top1 += r == 0;
			ts->top1 += r == 0;
			all.top3 += r >= 0 && r < 3;
			ts->top3 += r >= 0 && r < 3;
			if (r == 0)
				ok1[nok++] = smp;
			else
				bad1[nbad++] = smp;
		} else {
			none[nnone++] = smp;
		}
		if (!dump)
			continue;
		printf("%s %-6s %-13s rank=%-2d terms=%zu unk=%zu fix=%zu exp=%zu %s\n", q->id,
		       q->label, q->style, r, info.terms, info.unknown, info.corrected,
		       info.expanded, q->text);
		for (size_t k = 0; k < n && k < 3; k++)
			printf("    %c %.2f n=%.2f qc=%.2f tc=%.2f %s %.90s\n",
			       code_ok(q, h[k].proc->code) ? '*' : ' ', h[k].score, h[k].norm,
			       h[k].query_cover, h[k].title_cover, h[k].proc->code, h[k].proc->name);
		if (r != 0 && answerable(q))
			want_rank(ix, s, q);
	}
	print_tallies("tongdai", &all, t, nt);
	printf("top-hit score distributions (for thresholds):\n");
	print_samples("answerable, top-1 right", ok1, nok);
	print_samples("answerable, top-1 wrong", bad1, nbad);
	print_samples("unanswerable / other intent", none, nnone);
	printf("  unanswerable / other intent, each:\n");
	for (size_t i = 0; i < nnone; i++)
		printf("    %s score %.2f norm %.2f qcover %.2f tcover %.2f margin %.2f\n", none[i].id,
		       none[i].score, none[i].norm, none[i].qcover, none[i].tcover, none[i].margin);
	td_free(ok1);
	td_free(bad1);
	td_free(none);
	search_scratch_free(s);
}

/* ------------------------------------------------------------------------- */
/* FTS5 baseline                                                              */
/* ------------------------------------------------------------------------- */

static void fold_into(struct td_buf *b, const char *s)
{
	if (s && *s)
		vn_fold(b, s, strlen(s), VN_LOSSY);
}

static char *fold_list(const struct kb_strlist *l)
{
	struct td_buf b;
	td_buf_init(&b, (size_t)64 << 20);
	for (size_t i = 0; i < l->n; i++) {
		fold_into(&b, l->items[i]);
		td_buf_adds(&b, " . ");
	}
	return td_buf_detach(&b, NULL);
}

static char *fold_dup(const char *const *parts, size_t n)
{
	struct td_buf b;
	td_buf_init(&b, (size_t)64 << 20);
	for (size_t i = 0; i < n; i++) {
		fold_into(&b, parts[i]);
		td_buf_adds(&b, " . ");
	}
	return td_buf_detach(&b, NULL);
}

static sqlite3 *fts_build(struct kb_procedure **procs, size_t n)
{
	sqlite3 *db;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		exit(1);
	sqlite3_exec(db,
		     "CREATE VIRTUAL TABLE t USING fts5(name, aliases, keywords, result, field, "
		     "agency, dossier, steps, tokenize='unicode61 remove_diacritics 2')",
		     NULL, NULL, NULL);
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "INSERT INTO t(rowid, name, aliases, keywords, result, field, agency,"
			       " dossier, steps) VALUES (?,?,?,?,?,?,?,?,?)",
			   -1, &st, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct kb_procedure *p = procs[i];
		char *col[8];
		const char *one[1] = {p->name};
		col[0] = fold_dup(one, 1);
		col[1] = fold_list(&p->aliases);
		col[2] = fold_list(&p->keywords);
		const char *res[1] = {p->result};
		col[3] = fold_dup(res, 1);
		const char *fld[1] = {p->field};
		col[4] = fold_dup(fld, 1);
		const char *ag[4] = {p->agency, p->competent_agency, p->delegated_agency,
				     p->coordinating_agency};
		col[5] = fold_dup(ag, 4);
		const char **dn = td_calloc(p->n_dossier + 1, sizeof *dn);
		for (size_t k = 0; k < p->n_dossier; k++)
			dn[k] = p->dossier[k].name;
		col[6] = fold_dup(dn, p->n_dossier);
		td_free(dn);
		const char *stp[2] = {p->steps, p->conditions};
		col[7] = fold_dup(stp, 2);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
		for (int c = 0; c < 8; c++)
			sqlite3_bind_text(st, c + 2, col[c], -1, SQLITE_TRANSIENT);
		sqlite3_step(st);
		sqlite3_reset(st);
		for (int c = 0; c < 8; c++)
			td_free(col[c]);
	}
	sqlite3_finalize(st);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return db;
}

/* The baseline's fillers: a short fixed list of the commonest folded ones
 * (FTS5 has no stop words; the engine's own list is not used so the
 * baseline stays a plain FTS5 setup). */
static bool fts_stop(const struct search_stopwords *stop, const char *tok, size_t n)
{
	(void)stop;
	static const char *const w[] = {"a",   "da",  "vang", "alo", "nhe", "nha", "cho", "em",
					"toi", "hoi", "thi", "la",  "co",  "khong", "gi", "lam",
					"the", "nao", "muon", "can", "o", "dau", "ntn", "ko",
					"k",   "sao", "duoc", "voi", "cua", "va", "minh", "anh",
					"chi", "ban", "nhu", "bao", "lau", "nhieu", "thu", "tuc"};
	for (size_t i = 0; i < sizeof w / sizeof *w; i++)
		if (strlen(w[i]) == n && memcmp(w[i], tok, n) == 0)
			return true;
	return false;
}

/* An FTS5 MATCH expression: OR of the folded terms and of "a b" phrases. */
static void fts_query_text(struct td_buf *out, const char *q, const struct search_stopwords *stop)
{
	struct td_buf f;
	td_buf_init(&f, 1 << 20);
	vn_fold(&f, q, strlen(q), VN_LOSSY);
	td_buf_clear(out);
	if (!f.data) {
		td_buf_release(&f);
		return;
	}
	struct vn_token tok[256];
	size_t nt = vn_tokenize(f.data, f.len, tok, 256);
	if (nt > 256)
		nt = 256;
	bool first = true;
	for (size_t i = 0; i < nt; i++) {
		bool st = fts_stop(stop, f.data + tok[i].start, tok[i].len);
		if (!st) {
			td_buf_addf(out, "%s\"%.*s\"", first ? "" : " OR ", (int)tok[i].len,
				    f.data + tok[i].start);
			first = false;
		}
		if (i > 0 && !(st && fts_stop(stop, f.data + tok[i - 1].start, tok[i - 1].len))) {
			td_buf_addf(out, "%s\"%.*s %.*s\"", first ? "" : " OR ",
				    (int)tok[i - 1].len, f.data + tok[i - 1].start, (int)tok[i].len,
				    f.data + tok[i].start);
			first = false;
		}
	}
	td_buf_release(&f);
}

static sqlite3_stmt *fts_stmt(sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db,
			       "SELECT rowid FROM t WHERE t MATCH ? ORDER BY "
			       "bm25(t, 10.0, 10.0, 4.0, 3.0, 2.0, 1.0, 1.0, 0.5) LIMIT 3",
			       -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "fts: %s\n", sqlite3_errmsg(db));
		exit(1);
	}
	return st;
}

static size_t fts_run(sqlite3_stmt *st, struct td_buf *expr, const char *q,
		      const struct search_stopwords *stop, long *rows)
{
	fts_query_text(expr, q, stop);
	if (!expr->data || !expr->len)
		return 0;
	sqlite3_bind_text(st, 1, expr->data, (int)expr->len, SQLITE_STATIC);
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < 3)
		rows[n++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

static void eval_fts(sqlite3 *db, struct kb_procedure **procs, const struct questions *Q,
		     const struct search_stopwords *stop)
{
	sqlite3_stmt *st = fts_stmt(db);
	struct td_buf expr;
	td_buf_init(&expr, 1 << 20);
	struct tally all = {"ALL", 0, 0, 0}, t[MAX_STYLES];
	size_t nt = 0;
	for (size_t i = 0; i < Q->n; i++) {
		const struct question *q = &Q->q[i];
		if (!answerable(q))
			continue;
		long rows[3];
		size_t n = fts_run(st, &expr, q->text, stop, rows);
		int r = -1;
		for (size_t k = 0; k < n && r < 0; k++)
			if (code_ok(q, procs[rows[k]]->code))
				r = (int)k;
		struct tally *ts = tally_of(t, &nt, q->style);
		all.n++;
		ts->n++;
		all.top1 += r == 0;
		ts->top1 += r == 0;
		all.top3 += r >= 0;
		ts->top3 += r >= 0;
	}
	print_tallies("fts5", &all, t, nt);
	td_buf_release(&expr);
	sqlite3_finalize(st);
}

/* ------------------------------------------------------------------------- */
/* Speed                                                                      */
/* ------------------------------------------------------------------------- */

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct speed {
	double qps, p50, p95, p99, max;
	size_t n;
};

static struct speed summarise(double *lat, size_t n, double total)
{
	qsort(lat, n, sizeof *lat, dcmp);
	struct speed s;
	s.n = n;
	s.qps = (double)n / total;
	s.p50 = lat[n / 2] * 1e3;
	s.p95 = lat[(size_t)(0.95 * (double)(n - 1))] * 1e3;
	s.p99 = lat[(size_t)(0.99 * (double)(n - 1))] * 1e3;
	s.max = lat[n - 1] * 1e3;
	return s;
}

static struct speed speed_ours(const struct search_index *ix, const struct questions *Q,
			       size_t nq)
{
	struct search_scratch *s = search_scratch_new();
	struct search_hit h[TOPK];
	double *lat = td_calloc(nq, sizeof *lat);
	/* warm the scratch */
	for (size_t i = 0; i < Q->n; i++)
		search_query_ex(ix, s, Q->q[i].text, strlen(Q->q[i].text), h, TOPK, NULL);
	double t0 = now();
	for (size_t i = 0; i < nq; i++) {
		const char *q = Q->q[i % Q->n].text;
		double a = now();
		search_query_ex(ix, s, q, strlen(q), h, TOPK, NULL);
		lat[i] = now() - a;
	}
	struct speed r = summarise(lat, nq, now() - t0);
	td_free(lat);
	search_scratch_free(s);
	return r;
}

static struct speed speed_fts(sqlite3 *db, const struct questions *Q, size_t nq,
			      const struct search_stopwords *stop)
{
	sqlite3_stmt *st = fts_stmt(db);
	struct td_buf expr;
	td_buf_init(&expr, 1 << 20);
	double *lat = td_calloc(nq, sizeof *lat);
	long rows[3];
	double t0 = now();
	for (size_t i = 0; i < nq; i++) {
		double a = now();
		fts_run(st, &expr, Q->q[i % Q->n].text, stop, rows);
		lat[i] = now() - a;
	}
	struct speed r = summarise(lat, nq, now() - t0);
	td_free(lat);
	td_buf_release(&expr);
	sqlite3_finalize(st);
	return r;
}

/* ------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *src = getenv("TD_SOURCE_DIR") ? getenv("TD_SOURCE_DIR") : TD_SOURCE_DIR;
	char *shared_default = path_join(src, "../shared");
	const char *shared = getenv("TD_SHARED_DIR") ? getenv("TD_SHARED_DIR") : shared_default;
	char *nat = path_join(shared, "data/tthc/national_2642.jsonl");
	char *dev = path_join(shared, "data/questions/dev.jsonl");
	char *lexp = path_join(src, "data/text/lexicon.tsv");
	char *stopp = path_join(src, "data/text/stopwords.txt");
	const char *natp = nat, *devp = dev;
	bool dump = false, eval_only = false;
	size_t nq = 2000, nfts = 2000;
	int pos = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--dump") == 0)
			dump = true;
		else if (strcmp(argv[i], "--eval-only") == 0)
			eval_only = true;
		else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc)
			nq = (size_t)atol(argv[++i]);
		else if (strcmp(argv[i], "--fts-queries") == 0 && i + 1 < argc)
			nfts = (size_t)atol(argv[++i]);
		else if (pos++ == 0)
			natp = argv[i];
		else
			devp = argv[i];
	}
	if (nq < 1)
		nq = 1;
	if (nfts < 1)
		nfts = 1;

	double t0 = now();
	size_t n;
	struct kb_procedure **procs = load_national(natp, &n);
	double t_import = now() - t0;
	struct questions Q = {0};
	load_questions(devp, &Q);

	char err[512] = "";
	struct vn_lexicon *lex = NULL;
	if (vn_lexicon_load(&lex, lexp, err, sizeof err) != TD_OK)
		fprintf(stderr, "lexicon: %s (continuing without)\n", err);
	struct search_stopwords *stop = NULL;
	if (search_stopwords_load(&stop, stopp, err, sizeof err) != TD_OK)
		fprintf(stderr, "stop words: %s (continuing without)\n", err);

	struct search_options opt;
	search_options_default(&opt);
	env_options(&opt);
	struct search_index *ix = NULL;
	t0 = now();
	td_err rc = search_index_build_opts(procs, n, lex, stop, &opt, &ix);
	double t_build = now() - t0;
	if (rc != TD_OK) {
		fprintf(stderr, "build: %s\n", td_strerror(rc));
		return 1;
	}
	printf("== %zu records imported in %.2f s; index built in %.2f s: %zu terms, %.1f MiB\n",
	       n, t_import, t_build, search_index_terms(ix),
	       (double)search_index_bytes(ix) / 1048576.0);
	printf("   lexicon %zu entries, %zu stop words; %zu questions\n",
	       lex ? vn_lexicon_count(lex) : 0, search_stopwords_count(stop), Q.n);

	printf("\n== accuracy (answerable questions; top-k = an acceptable code among the first k)\n");
	eval_ours(ix, &Q, dump);
	if (eval_only)
		goto out;

	t0 = now();
	sqlite3 *db = fts_build(procs, n);
	double t_fts = now() - t0;
	sqlite3_int64 pages = 0, psize = 0;
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		pages = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		psize = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	eval_fts(db, procs, &Q, stop);

	printf("\n== speed (dev questions repeated, one thread, in process)\n");
	struct speed a = speed_ours(ix, &Q, nq);
	struct speed b = speed_fts(db, &Q, nfts, stop);
	printf("%-8s %8s %10s %9s %9s %9s %9s %12s %9s\n", "engine", "queries", "q/s", "p50 ms",
	       "p95 ms", "p99 ms", "max ms", "memory MiB", "build s");
	printf("%-8s %8zu %10.0f %9.4f %9.4f %9.4f %9.4f %12.1f %9.2f\n", "tongdai", a.n, a.qps,
	       a.p50, a.p95, a.p99, a.max, (double)search_index_bytes(ix) / 1048576.0, t_build);
	printf("%-8s %8zu %10.1f %9.4f %9.4f %9.4f %9.4f %12.1f %9.2f\n", "fts5", b.n, b.qps,
	       b.p50, b.p95, b.p99, b.max, (double)(pages * psize) / 1048576.0, t_fts);
	printf("speed ratio tongdai/fts5: %.0fx (q/s)\n", a.qps / b.qps);

	sqlite3_close(db);
out:
	search_index_unref(ix);
	search_stopwords_free(stop);
	vn_lexicon_free(lex);
	for (size_t i = 0; i < n; i++)
		kb_procedure_free(procs[i]);
	td_free(procs);
	for (size_t i = 0; i < Q.n; i++) {
		td_free(Q.q[i].id);
		td_free(Q.q[i].text);
		td_free(Q.q[i].label);
		td_free(Q.q[i].style);
		for (size_t k = 0; k < Q.q[i].ncodes; k++)
			td_free(Q.q[i].codes[k]);
		td_free(Q.q[i].codes);
	}
	td_free(Q.q);
	td_free(nat);
	td_free(dev);
	td_free(lexp);
	td_free(stopp);
	td_free(shared_default);
	return 0;
}
