/*
 * answer.c - the engine and the top-level question path.
 *
 * answer_question() runs, for one message: fold once → intent → (not a
 * procedure question: canned reply) → pick of a pending clarification? →
 * aspect → search → follow-up about the procedure in the dialog? → decision
 * → composition → dialog update.  Nothing here loads files or compiles
 * anything: the models, the records and the code table are built once in
 * answer_engine_new*, so a call costs a fold, a few hundred rule
 * comparisons, one search and one composition.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer_int.h"
#include "base/alloc.h"
#include "base/log.h"
#include "search/search.h"

#define SEARCH_MAX 10

struct code_entry {
	const char *code;
	const struct kb_procedure *proc;
	struct answer_name_sig *sig; /* of proc->name, built once */
};

struct answer_engine {
	const struct answer_nlu *nlu;
	struct answer_retriever retriever;
	struct answer_thresholds thresholds;
	struct code_entry *codes; /* sorted by code */
	struct answer_name_sig *sigs; /* the codes' name signatures (not sorted) */
	size_t ncodes;
	struct search_index *ix;  /* held reference, or NULL */
};

static int code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct code_entry *)a)->code, ((const struct code_entry *)b)->code);
}

td_err answer_engine_new(const struct kb_procedure *const *procs, size_t n,
			 const struct answer_nlu *nlu, const struct answer_retriever *retriever,
			 const struct answer_thresholds *thresholds, struct answer_engine **out)
{
	*out = NULL;
	if (!nlu || !retriever || !retriever->query || (n && !procs))
		return TD_ERR_INVAL;
	struct answer_engine *e = td_calloc(1, sizeof *e);
	e->nlu = nlu;
	e->retriever = *retriever;
	if (thresholds)
		e->thresholds = *thresholds;
	else
		answer_thresholds_default(&e->thresholds);
	e->codes = td_calloc(n ? n : 1, sizeof *e->codes);
	e->sigs = td_calloc(n ? n : 1, sizeof *e->sigs);
	for (size_t i = 0; i < n; i++) {
		if (!procs[i] || !procs[i]->code)
			continue;
		struct code_entry *ce = &e->codes[e->ncodes];
		ce->code = procs[i]->code;
		ce->proc = procs[i];
		ce->sig = &e->sigs[e->ncodes];
		answer__name_sig(procs[i]->name, ce->sig);
		e->ncodes++;
	}
	qsort(e->codes, e->ncodes, sizeof *e->codes, code_cmp);
	*out = e;
	return TD_OK;
}

/* One search scratch per thread, freed when the thread exits (the search
 * engine's own per-thread scratch is not reachable with search_info). */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_destroy(void *p)
{
	search_scratch_free(p);
}

static void scratch_init(void)
{
	if (pthread_key_create(&scratch_key, scratch_destroy) != 0)
		abort(); /* start-up only: no keys left means a broken process */
}

static struct search_scratch *thread_scratch(void)
{
	pthread_once(&scratch_once, scratch_init);
	struct search_scratch *s = pthread_getspecific(scratch_key);
	if (!s) {
		s = search_scratch_new();
		if (pthread_setspecific(scratch_key, s) != 0) {
			search_scratch_free(s);
			return NULL;
		}
	}
	return s;
}

/* The retriever over a search index. */
static size_t search_retrieve(void *ctx, const char *q, size_t n, struct answer_candidate *out,
			      size_t max, size_t *content_words)
{
	const struct search_index *ix = ctx;
	struct search_hit hits[SEARCH_MAX];
	struct search_info info;
	if (max > SEARCH_MAX)
		max = SEARCH_MAX;
	struct search_scratch *scratch = thread_scratch();
	memset(&info, 0, sizeof info);
	size_t k = scratch ? search_query_ex(ix, scratch, q, n, hits, max, &info)
			   : search_query(ix, q, n, hits, max);
	if (k > max)
		k = max;
	for (size_t i = 0; i < k; i++) {
		out[i].proc = hits[i].proc;
		out[i].score = hits[i].score;
		out[i].norm = hits[i].norm;
		out[i].query_cover = hits[i].query_cover;
		out[i].title_cover = hits[i].title_cover;
		out[i].sig = NULL;
	}
	if (content_words)
		*content_words = info.words;
	return k;
}

td_err answer_engine_new_search(struct search_index *ix, const struct answer_nlu *nlu,
				const struct answer_thresholds *thresholds,
				struct answer_engine **out)
{
	*out = NULL;
	if (!ix)
		return TD_ERR_INVAL;
	size_t n = search_index_count(ix);
	const struct kb_procedure **procs = td_calloc(n ? n : 1, sizeof *procs);
	for (size_t i = 0; i < n; i++)
		procs[i] = search_index_record(ix, i);
	struct answer_retriever r = {search_retrieve, ix};
	td_err rc = answer_engine_new(procs, n, nlu, &r, thresholds, out);
	td_free(procs);
	if (rc != TD_OK)
		return rc;
	search_index_ref(ix);
	(*out)->ix = ix;
	return TD_OK;
}

void answer_engine_free(struct answer_engine *e)
{
	if (!e)
		return;
	search_index_unref(e->ix);
	td_free(e->codes);
	td_free(e->sigs);
	td_free(e);
}

/* Point each candidate at its record's name signature (NULL when the record
 * is not the engine's, e.g. a retriever over other records). */
static void attach_sigs(const struct answer_engine *e, struct answer_candidate *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c[i].sig = NULL;
		if (!c[i].proc || !c[i].proc->code)
			continue;
		struct code_entry key = {c[i].proc->code, NULL, NULL};
		const struct code_entry *hit =
			bsearch(&key, e->codes, e->ncodes, sizeof *e->codes, code_cmp);
		if (hit && hit->proc == c[i].proc)
			c[i].sig = hit->sig;
	}
}

const struct kb_procedure *answer_engine_find(const struct answer_engine *e, const char *code)
{
	if (!e || !code || !*code)
		return NULL;
	struct code_entry key = {code, NULL, NULL};
	const struct code_entry *hit =
		bsearch(&key, e->codes, e->ncodes, sizeof *e->codes, code_cmp);
	return hit ? hit->proc : NULL;
}

/* ------------------------------------------------------------------------ */

void answer_result_release(struct answer_result *r)
{
	answer_text_release(&r->text);
	memset(r, 0, sizeof *r);
}

static enum answer_canned canned_for(enum answer_intent i, const struct answer__msg *m)
{
	switch (i) {
	case ANSWER_INTENT_DOSSIER_STATUS:
		for (size_t k = 0; k < m->ntok; k++)
			if (m->tok[k].cls == ANSWER__TOK_CASE)
				return ANSWER_CANNED_DOSSIER_STATUS_CODE;
		return ANSWER_CANNED_DOSSIER_STATUS;
	case ANSWER_INTENT_PAKN_REPORT:
		return ANSWER_CANNED_PAKN_REPORT;
	case ANSWER_INTENT_PAKN_STATUS:
		return ANSWER_CANNED_PAKN_STATUS;
	case ANSWER_INTENT_HUMAN:
		return ANSWER_CANNED_HUMAN;
	case ANSWER_INTENT_GREETING:
		return ANSWER_CANNED_GREETING;
	case ANSWER_INTENT_GOODBYE:
		return ANSWER_CANNED_GOODBYE;
	case ANSWER_INTENT_THANKS:
		return ANSWER_CANNED_THANKS;
	case ANSWER_INTENT_OUT_OF_SCOPE:
		return ANSWER_CANNED_OUT_OF_SCOPE;
	case ANSWER_INTENT_PROCEDURE_INFO:
	case ANSWER_INTENT__COUNT:
		break;
	}
	return ANSWER_CANNED_NO_MATCH;
}

/* Fill candidates and answer about proc (answered). */
static td_err answer_about(struct answer_result *r, struct dialog *dialog,
			   const struct kb_procedure *proc, enum answer_aspect aspect, unsigned mask)
{
	r->status = ANSWER_STATUS_ANSWERED;
	r->procedure = proc;
	r->aspect = aspect;
	if (dialog)
		dialog_set_procedure(dialog, proc->code, aspect);
	return answer_compose(proc, aspect, mask, &r->text);
}

/* The aspect to use: a cue decides; without one the model's guess only when
 * it is sure, else an overview. */
static enum answer_aspect pick_aspect(enum answer_aspect a, unsigned mask, double conf)
{
	if (mask)
		return a;
	return conf >= 0.6 ? a : ANSWER_ASPECT_OVERVIEW;
}

/*
 * The message classifier sees words, not the catalogue: "rút BHXH 1 lần",
 * "mở cty TNHH 1 thành viên" or "xóa thế chấp sổ đỏ" can look like small
 * talk, a request for an operator or a dossier question.  For those intents
 * the search may overrule it; greetings and thanks are never overruled.
 */
static bool overrulable(enum answer_intent i)
{
	switch (i) {
	case ANSWER_INTENT_OUT_OF_SCOPE:
	case ANSWER_INTENT_HUMAN:
	case ANSWER_INTENT_DOSSIER_STATUS:
	case ANSWER_INTENT_PAKN_REPORT:
		return true;
	default:
		return false;
	}
}

/*
 * Whether the best candidate c makes a message the classifier took for
 * intent i (at confidence conf) a procedure question.  Not sure (< 0.95): a
 * question that says most of a procedure's name and is mostly explained by
 * it.  Sure: only a message that is little more than a procedure's name
 * ("công nhận ban quản trị chung cư", "kích hoạt định danh điện tử mức 2") -
 * reports say what happened, and that is most of their words - and never a
 * dossier question, whose code decides.
 */
static bool search_overrules(enum answer_intent i, double conf, const struct answer_candidate *c)
{
	if (conf < 0.95)
		return c->title_cover >= 0.6 && c->query_cover >= 0.5;
	return i != ANSWER_INTENT_DOSSIER_STATUS && c->title_cover >= 0.7 &&
	       c->query_cover >= 0.75;
}

/*
 * A message read as a report that also reads like a procedure question:
 * the intent model is sure of reports it has never seen the like of
 * ("kích hoạt định danh điện tử mức 2", "xe container quá khổ chạy trên
 * quốc lộ").  When the best record covers report_hint of the message and of
 * its own name, it becomes the one candidate and the one pending option, so
 * the report dialog can offer it ("nhắn «thủ tục»") and the next turn can
 * take it.  Measured on the feedback examples and the question sets: at 0.4,
 * 8 of the 11 procedure questions read as reports get their record offered,
 * against 79 of 1,912 reports that get an offer they can ignore.
 */
static void report_hint(const struct answer_engine *e, struct dialog *dialog,
			const struct answer_candidate *c, struct answer_result *out)
{
	double t = e->thresholds.report_hint;
	if (!c->proc || c->query_cover < t || c->title_cover < t)
		return;
	out->candidates[0] = *c;
	out->n_candidates = 1;
	if (dialog) {
		const char *code = c->proc->code;
		dialog_set_options(dialog, &code, 1);
	}
}

td_err answer_question(const struct answer_engine *e, struct dialog *dialog, const char *q,
		       size_t n, enum answer_channel channel, struct answer_result *out)
{
	memset(out, 0, sizeof *out);
	if (!e || (!q && n))
		return TD_ERR_INVAL;
	if (n > ANSWER_MSG_MAX) {
		n = ANSWER_MSG_MAX;
		while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
			n--;
	}
	struct answer__msg m;
	td_err rc = TD_OK;
	answer__msg_init(&m, q, n);
	if (dialog)
		dialog->turns++;
	if (m.ntok == 0) {
		out->status = ANSWER_STATUS_NO_MATCH;
		rc = answer_compose_canned(ANSWER_CANNED_EMPTY, &out->text);
		goto done;
	}

	/* A pick of a pending clarification ("2", "cái thứ hai"). */
	size_t pick;
	if (dialog && dialog_pick_option(dialog, m.folded.data, m.folded.len, &pick)) {
		const struct kb_procedure *p = answer_engine_find(e, dialog->options[pick]);
		if (p) {
			out->intent = ANSWER_INTENT_PROCEDURE_INFO;
			out->intent_confidence = 1;
			out->confidence = 1;
			out->follow_up = true;
			out->candidates[0].proc = p;
			out->n_candidates = 1;
			rc = answer_about(out, dialog, p, dialog->aspect, 0);
			goto done;
		}
	}

	struct answer_candidate cand[SEARCH_MAX];
	size_t words = 0, nc = 0;
	bool searched = false;
	out->intent = answer__intent_msg(e->nlu, &m, &out->intent_confidence);
	if (out->intent != ANSWER_INTENT_PROCEDURE_INFO && overrulable(out->intent)) {
		nc = e->retriever.query(e->retriever.ctx, q, n, cand, SEARCH_MAX, &words);
		searched = true;
		if (nc && search_overrules(out->intent, out->intent_confidence, &cand[0]))
			out->intent = ANSWER_INTENT_PROCEDURE_INFO;
	}
	if (out->intent != ANSWER_INTENT_PROCEDURE_INFO) {
		out->status = ANSWER_STATUS_OTHER_INTENT;
		if (out->intent == ANSWER_INTENT_PAKN_REPORT && nc)
			report_hint(e, dialog, &cand[0], out);
		rc = answer_compose_canned(canned_for(out->intent, &m), &out->text);
		goto done;
	}

	unsigned mask = 0;
	double aconf = 0;
	enum answer_aspect a = answer__aspect_msg(e->nlu, &m, &mask, &aconf);
	out->aspect = pick_aspect(a, mask, aconf);

	if (!searched)
		nc = e->retriever.query(e->retriever.ctx, q, n, cand, SEARCH_MAX, &words);
	if (nc > SEARCH_MAX)
		nc = SEARCH_MAX;
	attach_sigs(e, cand, nc);
	out->n_candidates = nc < ANSWER_OPTIONS_MAX ? nc : ANSWER_OPTIONS_MAX;
	memcpy(out->candidates, cand, out->n_candidates * sizeof *cand);

	/* A follow-up about the procedure under discussion: "thế còn lệ phí?",
	 * "nộp ở đâu?", "thủ tục đó làm online được không?". */
	const struct kb_procedure *current = dialog ? answer_engine_find(e, dialog->procedure)
						    : NULL;
	if (current && mask) {
		size_t topic = answer__topic_words(e->nlu, &m);
		if (topic == 0 || (topic <= 2 && answer__refers_back(&m))) {
			out->follow_up = true;
			out->confidence = 0.9;
			rc = answer_about(out, dialog, current, out->aspect, mask);
			goto done;
		}
	}

	struct answer_decision d;
	answer_decide(&e->thresholds, cand, nc, &d);
	out->confidence = d.confidence;
	out->status = d.status;
	if (d.status == ANSWER_STATUS_ANSWERED) {
		rc = answer_about(out, dialog, cand[0].proc, out->aspect, mask);
	} else if (d.status == ANSWER_STATUS_CLARIFY) {
		const struct kb_procedure *opts[ANSWER_OPTIONS_MAX];
		const char *codes[ANSWER_OPTIONS_MAX];
		size_t no = d.n_options;
		if (channel == ANSWER_CHANNEL_VOICE && no > 3)
			no = 3;
		for (size_t i = 0; i < no; i++) {
			opts[i] = cand[d.options[i]].proc;
			codes[i] = opts[i]->code;
		}
		rc = answer_compose_clarify(opts, no, &out->text);
		if (dialog) {
			dialog_set_options(dialog, codes, no);
			dialog->aspect = out->aspect;
		}
	} else {
		rc = answer_compose_canned(ANSWER_CANNED_NO_MATCH, &out->text);
	}
done:
	answer__msg_release(&m);
	if (rc != TD_OK)
		answer_result_release(out);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */

/* A JSON string; invalid UTF-8 (an id from outside, a broken record)
 * becomes U+FFFD so the output always parses. */
static void json_str(struct td_buf *b, const char *s)
{
	s = s ? s : "";
	size_t n = strlen(s);
	if (vn_utf8_valid(s, n)) {
		td_json_escape(b, s);
		return;
	}
	struct td_buf fixed;
	td_buf_init(&fixed, VN_KEY_BOUND(n));
	if (vn_normalize(&fixed, s, n, VN_LOSSY) == TD_OK && fixed.data)
		td_json_escape(b, fixed.data);
	else
		td_json_escape(b, "");
	td_buf_release(&fixed);
}

/* v with four decimals ("%.4f", halves rounded away from zero), without
 * printf: scores and confidences are most of the numbers of an answer. */
static void json_num(struct td_buf *b, double v)
{
	if (!(v == v) || v > 1e12 || v < -1e12) {
		td_buf_addf(b, "%.4f", v == v && v > -1e300 && v < 1e300 ? v : 0.0);
		return;
	}
	char tmp[32], *e = tmp + sizeof tmp, *p = e;
	bool neg = v < 0;
	unsigned long long x = (unsigned long long)((neg ? -v : v) * 1e4 + 0.5);
	for (int i = 0; i < 4; i++, x /= 10)
		*--p = (char)('0' + x % 10);
	*--p = '.';
	do {
		*--p = (char)('0' + x % 10);
		x /= 10;
	} while (x);
	if (neg && !(e - p == 6 && !memcmp(p, "0.0000", 6)))
		*--p = '-';
	td_buf_add(b, p, (size_t)(e - p));
}

void answer_result_json(const struct answer_result *r, const char *id, struct td_buf *out)
{
	td_buf_adds(out, "{\"id\":");
	json_str(out, id);
	td_buf_adds(out, ",\"intent\":");
	json_str(out, answer_intent_name(r->intent));
	td_buf_adds(out, ",\"aspect\":");
	json_str(out, answer_aspect_name(r->aspect));
	td_buf_adds(out, ",\"status\":");
	json_str(out, answer_status_name(r->status));
	td_buf_adds(out, ",\"procedure\":");
	if (r->status == ANSWER_STATUS_ANSWERED && r->procedure) {
		td_buf_adds(out, "{\"code\":");
		json_str(out, r->procedure->code);
		td_buf_adds(out, ",\"name\":");
		json_str(out, r->procedure->name);
		td_buf_addc(out, '}');
	} else {
		td_buf_adds(out, "null");
	}
	td_buf_adds(out, ",\"candidates\":[");
	for (size_t i = 0; i < r->n_candidates && i < ANSWER_OPTIONS_MAX; i++) {
		const struct answer_candidate *c = &r->candidates[i];
		if (!c->proc)
			continue;
		if (i)
			td_buf_addc(out, ',');
		td_buf_adds(out, "{\"code\":");
		json_str(out, c->proc->code);
		td_buf_adds(out, ",\"name\":");
		json_str(out, c->proc->name);
		td_buf_adds(out, ",\"score\":");
		json_num(out, c->score);
		td_buf_addc(out, '}');
	}
	td_buf_adds(out, "],\"confidence\":");
	json_num(out, r->confidence);
	td_buf_adds(out, ",\"answer\":");
	json_str(out, r->text.chat);
	td_buf_adds(out, ",\"voice\":");
	json_str(out, r->text.voice);
	td_buf_adds(out, ",\"sources\":[");
	if (r->status == ANSWER_STATUS_ANSWERED && r->procedure) {
		td_buf_adds(out, "{\"code\":");
		json_str(out, r->procedure->code);
		td_buf_adds(out, ",\"url\":");
		json_str(out, r->procedure->source_url);
		td_buf_addc(out, '}');
	}
	td_buf_adds(out, "]}");
}
