/*
 * nlu.c - what a message wants (intent) and which part of a procedure it asks
 * about (aspect).
 *
 * Two sources of evidence are added on a log-odds scale:
 *
 *  - editable rules (data/answer/intents.tsv, aspects.tsv): a folded phrase
 *    with a weight for a label.  A phrase is matched on whole tokens and may
 *    hold '*' (a gap of 0..4 tokens), <num> (a number), <code> (a dossier or
 *    case number) and <pcode> (a procedure code).  Rules give precision and
 *    let a department fix a mistake without retraining anything;
 *  - a multinomial naive Bayes model over hashed features (folded syllables,
 *    syllable bigrams, token classes, a length bucket) trained at load time
 *    from data/answer/intent_train.tsv.  It gives recall on phrasings the
 *    rules never thought of.  Features never seen in training are skipped,
 *    so a long question full of unseen place names does not drift towards the
 *    class with the fewest examples.
 *
 * The score of a label is log P_nb(label | message) + Σ weights of its rules
 * that matched; the answer is the best label and the confidence its softmax
 * share.  Aspect cue rules also weigh by position (the first thing asked is
 * the main thing asked: "nộp ở đâu, mất phí không" is about the place).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer_int.h"
#include "base/alloc.h"
#include "base/textfile.h"
#include "text/nb.h"

#define NB_BITS 15
#define NB_BUCKETS (1u << NB_BITS)
#define RULE_MAX_TOK 12
#define RULE_GAP 4
#define FILE_MAX ((size_t)8 << 20)
#define LINES_MAX 200000

/* ------------------------------------------------------------------------ */
/* Names                                                                    */

static const char *const intent_names[ANSWER_INTENT__COUNT] = {
	"procedure_info", "dossier_status", "pakn_report", "pakn_status", "human",
	"greeting",       "goodbye",        "thanks",      "out_of_scope",
};

static const char *const aspect_names[ANSWER_ASPECT__COUNT] = {
	"overview", "documents",  "duration", "fee",         "place", "steps",
	"online",   "conditions", "result",   "legal_basis", "form",
};

const char *answer_intent_name(enum answer_intent i)
{
	return (unsigned)i < ANSWER_INTENT__COUNT ? intent_names[i] : "procedure_info";
}

const char *answer_aspect_name(enum answer_aspect a)
{
	return (unsigned)a < ANSWER_ASPECT__COUNT ? aspect_names[a] : "overview";
}

const char *answer_status_name(enum answer_status s)
{
	switch (s) {
	case ANSWER_STATUS_ANSWERED:
		return "answered";
	case ANSWER_STATUS_CLARIFY:
		return "clarify";
	case ANSWER_STATUS_NO_MATCH:
		return "no_match";
	case ANSWER_STATUS_OTHER_INTENT:
		return "other_intent";
	}
	return "no_match";
}

static int name_index(const char *const *names, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (int)i;
	return -1;
}

bool answer_intent_parse(const char *s, enum answer_intent *out)
{
	int i = s ? name_index(intent_names, ANSWER_INTENT__COUNT, s, strlen(s)) : -1;
	if (i < 0)
		return false;
	*out = (enum answer_intent)i;
	return true;
}

bool answer_aspect_parse(const char *s, enum answer_aspect *out)
{
	int i = s ? name_index(aspect_names, ANSWER_ASPECT__COUNT, s, strlen(s)) : -1;
	if (i < 0)
		return false;
	*out = (enum answer_aspect)i;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

uint32_t answer__hash_more(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t answer__hash(const char *s, size_t n)
{
	return answer__hash_more(2166136261u, s, n);
}

bool answer__tok_is(const struct answer__tok *t, const char *w)
{
	size_t n = strlen(w);
	return t->len == n && memcmp(t->s, w, n) == 0;
}

void answer__copy(char *dst, size_t cap, const char *s)
{
	if (cap == 0)
		return;
	size_t n = s ? strlen(s) : 0;
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static size_t count_char(const char *s, size_t n, char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/* Procedure codes look like d.dddddd(.suffix); dossier and case numbers have
 * dashes or several dotted groups (000.00.12.H26-251201-0007). */
static enum answer__tok_class classify_code(const char *s, size_t n, enum vn_token_kind kind)
{
	if (kind == VN_TOKEN_WORD)
		return ANSWER__TOK_WORD;
	if (n >= 8 && s[0] >= '0' && s[0] <= '9' && s[1] == '.') {
		size_t d = 0;
		while (2 + d < n && s[2 + d] >= '0' && s[2 + d] <= '9')
			d++;
		if (d == 6 && (2 + d == n || s[2 + d] == '.'))
			return ANSWER__TOK_PCODE;
	}
	size_t digits = 0;
	for (size_t i = 0; i < n; i++)
		digits += s[i] >= '0' && s[i] <= '9';
	if (n >= 10 && digits >= 8 &&
	    (count_char(s, n, '-') >= 1 || count_char(s, n, '.') >= 3))
		return ANSWER__TOK_CASE;
	if (kind == VN_TOKEN_NUMBER)
		return ANSWER__TOK_NUMBER;
	return ANSWER__TOK_OTHER;
}

void answer__msg_init(struct answer__msg *m, const char *text, size_t n)
{
	td_buf_init(&m->folded, VN_KEY_BOUND(ANSWER_MSG_MAX));
	m->ntok = 0;
	memset(m->words, 0, sizeof m->words);
	if (!text)
		n = 0;
	if (n > ANSWER_MSG_MAX) {
		n = ANSWER_MSG_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	if (vn_fold(&m->folded, text ? text : "", n, VN_LOSSY) != TD_OK || !m->folded.data) {
		td_buf_clear(&m->folded);
		td_buf_adds(&m->folded, "");
	}
	struct vn_token toks[ANSWER_MSG_TOKENS];
	size_t nt = vn_tokenize(m->folded.data, m->folded.len, toks, ANSWER_MSG_TOKENS);
	if (nt > ANSWER_MSG_TOKENS)
		nt = ANSWER_MSG_TOKENS;
	for (size_t i = 0; i < nt; i++) {
		struct answer__tok *t = &m->tok[m->ntok++];
		t->s = m->folded.data + toks[i].start;
		t->len = toks[i].len;
		t->hash = answer__hash(t->s, t->len);
		m->words[(t->hash & 255) >> 6] |= 1ull << (t->hash & 63);
		t->cls = classify_code(t->s, t->len, toks[i].kind);
	}
}

void answer__msg_release(struct answer__msg *m)
{
	td_buf_release(&m->folded);
	m->ntok = 0;
}

/* ------------------------------------------------------------------------ */
/* Rules                                                                    */

enum rule_tok_kind { RT_WORD, RT_GAP, RT_NUM, RT_CASE, RT_PCODE };

struct rule_tok {
	enum rule_tok_kind kind;
	uint32_t hash;
	char *s;
	size_t len;
};

struct rule {
	int label;
	double weight;
	size_t ntok;
	uint64_t need[4]; /* the message's `words` bits its literal words need */
	struct rule_tok tok[RULE_MAX_TOK];
};

struct rule_set {
	struct rule *rules;
	size_t n;
};

struct answer_nlu {
	struct rule_set intent_rules;
	struct rule_set aspect_rules;
	struct nb_model intent_nb;
	struct nb_model aspect_nb;
};

static bool tok_match(const struct rule_tok *rt, const struct answer__tok *t)
{
	switch (rt->kind) {
	case RT_NUM:
		return t->cls == ANSWER__TOK_NUMBER;
	case RT_CASE:
		return t->cls == ANSWER__TOK_CASE;
	case RT_PCODE:
		return t->cls == ANSWER__TOK_PCODE;
	case RT_WORD:
		return t->hash == rt->hash && t->len == rt->len && memcmp(t->s, rt->s, t->len) == 0;
	case RT_GAP:
		break;
	}
	return false;
}

static bool rule_match_at(const struct rule *r, size_t ri, const struct answer__msg *m, size_t ti)
{
	if (ri == r->ntok)
		return true;
	if (r->tok[ri].kind == RT_GAP) {
		for (size_t k = 0; k <= RULE_GAP && ti + k <= m->ntok; k++)
			if (rule_match_at(r, ri + 1, m, ti + k))
				return true;
		return false;
	}
	if (ti >= m->ntok || !tok_match(&r->tok[ri], &m->tok[ti]))
		return false;
	return rule_match_at(r, ri + 1, m, ti + 1);
}

/* First token position where the rule matches, or -1. */
static long rule_find(const struct rule *r, const struct answer__msg *m)
{
	if (r->ntok == 0)
		return -1;
	for (size_t k = 0; k < 4; k++)
		if (r->need[k] & ~m->words[k])
			return -1; /* a word of the rule is not in the message */
	for (size_t i = 0; i < m->ntok; i++)
		if (rule_match_at(r, 0, m, i))
			return (long)i;
	return -1;
}

static void rule_set_release(struct rule_set *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		for (size_t k = 0; k < rs->rules[i].ntok; k++)
			td_free(rs->rules[i].tok[k].s);
	td_free(rs->rules);
	rs->rules = NULL;
	rs->n = 0;
}

static td_err parse_rules(struct rule_set *rs, const char *text, const char *name,
			  const char *const *labels, size_t nlabels, char *err, size_t errlen)
{
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, lineno = 0, cap = 0;
	td_err rc = TD_OK;
	struct answer__msg m;
	if ((size_t)(end - text) > FILE_MAX) {
		snprintf(err, errlen, "%s: file over %zu bytes", name, FILE_MAX);
		return TD_ERR_TOOBIG;
	}
	while (td_next_line(&p, end, &line, &len)) {
		if (++lineno > LINES_MAX) {
			snprintf(err, errlen, "%s:%zu: too many lines", name, lineno);
			return TD_ERR_TOOBIG;
		}
		if (td_blank_or_comment(line, len))
			continue;
		const char *f[3];
		size_t fl[3];
		if (td_split_tabs(line, len, f, fl, 3) != 3) {
			snprintf(err, errlen, "%s:%zu: expected label<TAB>weight<TAB>phrase", name,
				 lineno);
			return TD_ERR_PARSE;
		}
		int label = name_index(labels, nlabels, f[0], fl[0]);
		if (label < 0) {
			snprintf(err, errlen, "%s:%zu: unknown label '%.*s'", name, lineno,
				 (int)(fl[0] > 40 ? 40 : fl[0]), f[0]);
			return TD_ERR_PARSE;
		}
		char wbuf[32];
		char *wend;
		if (fl[1] == 0 || fl[1] >= sizeof wbuf) {
			snprintf(err, errlen, "%s:%zu: bad weight", name, lineno);
			return TD_ERR_PARSE;
		}
		memcpy(wbuf, f[1], fl[1]);
		wbuf[fl[1]] = '\0';
		double w = strtod(wbuf, &wend);
		if (*wend || !isfinite(w) || fabs(w) > 50) {
			snprintf(err, errlen, "%s:%zu: bad weight '%s'", name, lineno, wbuf);
			return TD_ERR_PARSE;
		}
		if (rs->n == cap) {
			cap = cap ? cap * 2 : 64;
			rs->rules = td_reallocarray(rs->rules, cap, sizeof *rs->rules);
		}
		struct rule *r = &rs->rules[rs->n];
		memset(r, 0, sizeof *r);
		r->label = label;
		r->weight = w;
		answer__msg_init(&m, f[2], fl[2]);
		for (size_t i = 0; i < m.ntok; i++) {
			if (r->ntok == RULE_MAX_TOK) {
				snprintf(err, errlen, "%s:%zu: phrase over %d tokens", name, lineno,
					 RULE_MAX_TOK);
				rc = TD_ERR_TOOBIG;
				goto fail_msg;
			}
			struct rule_tok *rt = &r->tok[r->ntok++];
			const struct answer__tok *t = &m.tok[i];
			rt->kind = RT_WORD;
			rt->s = td_strndup(t->s, t->len);
			rt->len = t->len;
			rt->hash = t->hash;
			if (answer__tok_is(t, "xxgap"))
				rt->kind = RT_GAP;
			else if (answer__tok_is(t, "xxnum"))
				rt->kind = RT_NUM;
			else if (answer__tok_is(t, "xxcode"))
				rt->kind = RT_CASE;
			else if (answer__tok_is(t, "xxpcode"))
				rt->kind = RT_PCODE;
			else
				r->need[(t->hash & 255) >> 6] |= 1ull << (t->hash & 63);
		}
		answer__msg_release(&m);
		rs->n++;
		if (r->ntok == 0) {
			snprintf(err, errlen, "%s:%zu: empty phrase", name, lineno);
			return TD_ERR_PARSE;
		}
	}
	return TD_OK;
fail_msg:
	answer__msg_release(&m);
	rs->n++;
	return rc;
}

/* The phrase syntax uses '*', <num>, <code>, <pcode>; rewrite them as words
 * the tokenizer keeps whole before parsing. */
static char *rewrite_markers(const char *text)
{
	struct td_buf b;
	td_buf_init(&b, FILE_MAX * 2);
	for (const char *s = text; *s;) {
		if (*s == '*') {
			td_buf_adds(&b, " xxgap ");
			s++;
		} else if (strncmp(s, "<num>", 5) == 0) {
			td_buf_adds(&b, " xxnum ");
			s += 5;
		} else if (strncmp(s, "<code>", 6) == 0) {
			td_buf_adds(&b, " xxcode ");
			s += 6;
		} else if (strncmp(s, "<pcode>", 7) == 0) {
			td_buf_adds(&b, " xxpcode ");
			s += 7;
		} else {
			td_buf_addc(&b, *s++);
		}
	}
	if (td_buf_error(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

/* ------------------------------------------------------------------------ */
/* Naive Bayes                                                              */

/* Call fn for every feature hash of the message. */
typedef void (*feature_fn)(uint32_t h, void *ctx);

static uint32_t tok_feature_hash(const struct answer__tok *t)
{
	switch (t->cls) {
	case ANSWER__TOK_NUMBER:
		return answer__hash("<num>", 5);
	case ANSWER__TOK_PCODE:
		return answer__hash("<pcode>", 7);
	case ANSWER__TOK_CASE:
		return answer__hash("<code>", 6);
	case ANSWER__TOK_OTHER:
		return answer__hash("<other>", 7);
	case ANSWER__TOK_WORD:
		break;
	}
	return answer__hash_more(answer__hash("w:", 2), t->s, t->len);
}

static void for_each_feature(const struct answer__msg *m, feature_fn fn, void *ctx)
{
	uint32_t prev = 0;
	for (size_t i = 0; i < m->ntok; i++) {
		uint32_t h = tok_feature_hash(&m->tok[i]);
		fn(h, ctx);
		uint32_t b = (i == 0) ? answer__hash("^", 1) : prev;
		fn((b * 31u) ^ (h * 2654435761u) ^ 0x5bd1e995u, ctx);
		prev = h;
	}
	if (m->ntok)
		fn((prev * 31u) ^ 0x9e3779b9u, ctx); /* message end bigram */
	const char *bucket = m->ntok <= 2 ? "#len1" : m->ntok <= 5 ? "#len2"
						 : m->ntok <= 10 ? "#len3" : "#len4";
	fn(answer__hash(bucket, strlen(bucket)), ctx);
}

struct train_row {
	char *text;
	int intent;
	int aspect; /* -1: none */
};

struct count_ctx {
	struct nb_model *nb;
	size_t cls;
};

static void count_feature(uint32_t h, void *ctx)
{
	struct count_ctx *c = ctx;
	nb_count(c->nb, c->cls, h & (NB_BUCKETS - 1));
}

/* Train on rows whose label (intent or aspect per `aspect`) is set. */
static void nb_train(struct nb_model *nb, size_t nclass, const struct train_row *rows, size_t n,
		     bool aspect)
{
	nb_begin(nb, nclass, NB_BUCKETS);
	struct count_ctx cc = {nb, 0};
	for (size_t i = 0; i < n; i++) {
		int cls = aspect ? rows[i].aspect : rows[i].intent;
		if (cls < 0)
			continue;
		struct answer__msg m;
		answer__msg_init(&m, rows[i].text, strlen(rows[i].text));
		cc.cls = (size_t)cls;
		for_each_feature(&m, count_feature, &cc);
		answer__msg_release(&m);
		nb_row(nb, (size_t)cls);
	}
	nb_fit(nb, 0.5);
}

struct score_ctx {
	const struct nb_model *nb;
	double *score;
	size_t used;
};

static void score_feature(uint32_t h, void *ctx)
{
	struct score_ctx *s = ctx;
	size_t b = h & (NB_BUCKETS - 1);
	if (!s->nb->known[b])
		return;
	s->used++;
	for (size_t c = 0; c < s->nb->nclass; c++)
		s->score[c] += s->nb->logp[c * NB_BUCKETS + b];
}

/* Posterior log-probabilities of each class into out[nclass]; uniform when
 * the model is empty. */
static void nb_logpost(const struct nb_model *nb, size_t nclass, const struct answer__msg *m,
		       double *out)
{
	for (size_t c = 0; c < nclass; c++)
		out[c] = (nb->total_rows && nb->nrows[c]) ? nb->logprior[c]
			 : nb->total_rows                 ? -30.0
							  : 0.0;
	if (!nb->total_rows)
		goto normalise;
	struct score_ctx sc = {nb, out, 0};
	for_each_feature(m, score_feature, &sc);
	for (size_t c = 0; c < nclass; c++)
		if (!nb->nrows[c])
			out[c] = -1e9;
normalise:;
	double mx = -1e300, z = 0;
	for (size_t c = 0; c < nclass; c++)
		if (out[c] > mx)
			mx = out[c];
	for (size_t c = 0; c < nclass; c++)
		z += exp(out[c] - mx);
	for (size_t c = 0; c < nclass; c++)
		out[c] = out[c] - mx - log(z);
}

struct train_rows {
	struct train_row *row;
	size_t n, cap;
};

static void add_row(struct train_rows *t, const char *text, size_t len, int intent, int aspect)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->row = td_reallocarray(t->row, t->cap, sizeof *t->row);
	}
	t->row[t->n++] = (struct train_row){td_strndup(text, len), intent, aspect};
}

static td_err parse_train(struct train_rows *t, const char *text, char *err, size_t errlen)
{
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, lineno = 0;
	if ((size_t)(end - text) > FILE_MAX) {
		snprintf(err, errlen, "intent_train.tsv: file over %zu bytes", FILE_MAX);
		return TD_ERR_TOOBIG;
	}
	while (td_next_line(&p, end, &line, &len)) {
		if (++lineno > LINES_MAX) {
			snprintf(err, errlen, "intent_train.tsv:%zu: too many lines", lineno);
			return TD_ERR_TOOBIG;
		}
		if (td_blank_or_comment(line, len))
			continue;
		const char *f[3];
		size_t fl[3];
		if (td_split_tabs(line, len, f, fl, 3) != 3) {
			snprintf(err, errlen,
				 "intent_train.tsv:%zu: expected intent<TAB>aspect<TAB>text", lineno);
			return TD_ERR_PARSE;
		}
		int in = name_index(intent_names, ANSWER_INTENT__COUNT, f[0], fl[0]);
		int as = (fl[1] == 1 && f[1][0] == '-')
				 ? -1
				 : name_index(aspect_names, ANSWER_ASPECT__COUNT, f[1], fl[1]);
		if (in < 0 || (as < 0 && !(fl[1] == 1 && f[1][0] == '-'))) {
			snprintf(err, errlen, "intent_train.tsv:%zu: unknown intent or aspect", lineno);
			return TD_ERR_PARSE;
		}
		add_row(t, f[2], fl[2], in, as);
	}
	return TD_OK;
}

/*
 * The feedback classifier's training messages (data/pakn/train.tsv:
 * category<TAB>level<TAB>emergency<TAB>text) are reports citizens wrote:
 * pakn_report examples for the intent model too, in every style the PAKN
 * work collected.  Without them the intent model had ~90 report rows against
 * ~900 procedure questions, and a quarter of real reports typed into the chat
 * were taken for procedure questions (then "no match").  All of them would
 * tip the balance the other way (a procedure question told in a story reads
 * as a report), so an evenly spread sample is used, sized to a quarter of the
 * procedure questions.  Lines that are not four fields are skipped: that
 * file is validated by its own loader.
 */
/* The next well-formed line of the feedback training file from *p: its
 * text field into *out, *outlen; false at the end. */
static bool next_report(const char **p, const char *end, const char **out, size_t *outlen)
{
	const char *line;
	size_t len;
	while (td_next_line(p, end, &line, &len)) {
		const char *f[4];
		size_t fl[4];
		if (td_blank_or_comment(line, len) || td_split_tabs(line, len, f, fl, 4) != 4)
			continue;
		*out = f[3];
		*outlen = fl[3];
		return true;
	}
	return false;
}

static void add_report_rows(struct train_rows *t, const char *text)
{
	const char *end = text + strlen(text), *p, *r;
	size_t nproc = 0, nrep = 0, rl;
	for (size_t i = 0; i < t->n; i++)
		nproc += t->row[i].intent == ANSWER_INTENT_PROCEDURE_INFO;
	for (p = text; next_report(&p, end, &r, &rl);)
		nrep++;
	size_t want = nproc / 4, every = want && nrep > want ? (nrep + want - 1) / want : 1;
	size_t k = 0;
	for (p = text; next_report(&p, end, &r, &rl); k++)
		if (k % every == 0)
			add_row(t, r, rl, ANSWER_INTENT_PAKN_REPORT, -1);
}

static td_err train_models(struct answer_nlu *nlu, const char *text, const char *reports, char *err,
		    size_t errlen)
{
	struct train_rows t = {0};
	td_err rc = parse_train(&t, text, err, errlen);
	if (rc != TD_OK)
		goto done;
	if (reports)
		add_report_rows(&t, reports);
	nb_train(&nlu->intent_nb, ANSWER_INTENT__COUNT, t.row, t.n, false);
	nb_train(&nlu->aspect_nb, ANSWER_ASPECT__COUNT, t.row, t.n, true);
done:
	for (size_t i = 0; i < t.n; i++)
		td_free(t.row[i].text);
	td_free(t.row);
	return rc;
}

void answer_nlu_free(struct answer_nlu *nlu)
{
	if (!nlu)
		return;
	rule_set_release(&nlu->intent_rules);
	rule_set_release(&nlu->aspect_rules);
	nb_release(&nlu->intent_nb);
	nb_release(&nlu->aspect_nb);
	td_free(nlu);
}

static td_err parse_rule_text(struct rule_set *rs, const char *text, const char *name,
			      const char *const *labels, size_t nlabels, char *err, size_t errlen)
{
	if (!text)
		return TD_OK;
	if (strlen(text) > FILE_MAX) {
		snprintf(err, errlen, "%s: file over %zu bytes", name, FILE_MAX);
		return TD_ERR_TOOBIG;
	}
	char *rw = rewrite_markers(text);
	if (!rw) {
		snprintf(err, errlen, "%s: too big", name);
		return TD_ERR_TOOBIG;
	}
	td_err rc = parse_rules(rs, rw, name, labels, nlabels, err, errlen);
	td_free(rw);
	return rc;
}

td_err answer_nlu_parse(struct answer_nlu **out, const char *intent_rules, const char *aspect_rules,
			const char *train, char *err, size_t errlen)
{
	return answer_nlu_parse_reports(out, intent_rules, aspect_rules, train, NULL, err, errlen);
}

td_err answer_nlu_parse_reports(struct answer_nlu **out, const char *intent_rules,
				const char *aspect_rules, const char *train, const char *reports,
				char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	*out = NULL;
	struct answer_nlu *nlu = td_calloc(1, sizeof *nlu);
	td_err rc = parse_rule_text(&nlu->intent_rules, intent_rules, "intents.tsv", intent_names,
				    ANSWER_INTENT__COUNT, err, errlen);
	if (rc != TD_OK)
		goto fail;
	rc = parse_rule_text(&nlu->aspect_rules, aspect_rules, "aspects.tsv", aspect_names,
			     ANSWER_ASPECT__COUNT, err, errlen);
	if (rc != TD_OK)
		goto fail;
	rc = train_models(nlu, train ? train : "", reports, err, errlen);
	if (rc != TD_OK)
		goto fail;
	*out = nlu;
	return TD_OK;
fail:
	answer_nlu_free(nlu);
	return rc;
}

static td_err read_file(const char *dir, const char *name, char **out, char *err, size_t errlen)
{
	char path[4096];
	*out = NULL;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
		snprintf(err, errlen, "%s: path too long", name);
		return TD_ERR_INVAL;
	}
	return td_file_read(path, FILE_MAX, out, err, errlen);
}

td_err answer_nlu_load(struct answer_nlu **out, const char *dir, char *err, size_t errlen)
{
	char dummy[8];
	char *ir = NULL, *ar = NULL, *tr = NULL, *rp = NULL;
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	*out = NULL;
	td_err rc = read_file(dir, "intents.tsv", &ir, err, errlen);
	if (rc == TD_OK)
		rc = read_file(dir, "aspects.tsv", &ar, err, errlen);
	if (rc == TD_OK)
		rc = read_file(dir, "intent_train.tsv", &tr, err, errlen);
	if (rc == TD_OK) {
		/* optional: the feedback messages beside data/answer */
		char ignored[8];
		if (read_file(dir, "../pakn/train.tsv", &rp, ignored, sizeof ignored) != TD_OK)
			rp = NULL;
		rc = answer_nlu_parse_reports(out, ir, ar, tr, rp, err, errlen);
	}
	td_free(rp);
	td_free(ir);
	td_free(ar);
	td_free(tr);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Classification                                                           */

static size_t argmax_softmax(const double *s, size_t n, double *conf)
{
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (s[i] > s[best])
			best = i;
	double z = 0;
	for (size_t i = 0; i < n; i++)
		z += exp(s[i] - s[best]);
	if (conf)
		*conf = 1.0 / z;
	return best;
}

/* Mark in used[] the message words that rule r's words match. */
static void mark_rule_words(const struct rule *r, const struct answer__msg *m, bool *used)
{
	for (size_t k = 0; k < r->ntok; k++) {
		if (r->tok[k].kind != RT_WORD)
			continue;
		for (size_t j = 0; j < m->ntok; j++)
			if (tok_match(&r->tok[k], &m->tok[j]))
				used[j] = true;
	}
}

static bool small_talk_label(enum answer_intent i)
{
	return i == ANSWER_INTENT_GREETING || i == ANSWER_INTENT_GOODBYE ||
	       i == ANSWER_INTENT_THANKS;
}

/*
 * Small talk: a greeting, goodbye or thanks rule matched (its words are
 * marked in used[]) and every other word is a filler or a form of address
 * ("dạ cháu chào cô chú ạ", "tôi chào các anh chị"), so nothing is asked or
 * reported.  The classifiers weigh words they saw with other intents ("anh
 * chị", "cháu", "cô") and can outvote a lone "chào"; a message with nothing
 * else in it cannot be anything else.
 */
static bool only_small_talk(const struct answer__msg *m, const bool *used)
{
	static const char *const w[] = {
		"em", "toi", "minh", "anh", "chi", "ban", "da", "vang", "alo", "oi", "u", "um",
		"co", "chu", "bac", "chau", "con", "ong", "ba", "cac", "tong", "dai", "ad",
		"admin", "moi", "nguoi", "nha", "a", "ca", "nhe", "chung", "may",
	};
	for (size_t j = 0; j < m->ntok; j++) {
		const struct answer__tok *t = &m->tok[j];
		if (used[j] || t->cls != ANSWER__TOK_WORD)
			continue;
		size_t k = 0;
		while (k < sizeof w / sizeof w[0] && !answer__tok_is(t, w[k]))
			k++;
		if (k == sizeof w / sizeof w[0])
			return false;
	}
	return true;
}

enum answer_intent answer__intent_msg(const struct answer_nlu *nlu, const struct answer__msg *m,
				      double *confidence)
{
	double s[ANSWER_INTENT__COUNT];
	if (m->ntok == 0) {
		if (confidence)
			*confidence = 0;
		return ANSWER_INTENT_PROCEDURE_INFO;
	}
	nb_logpost(&nlu->intent_nb, ANSWER_INTENT__COUNT, m, s);
	for (size_t c = 0; c < ANSWER_INTENT__COUNT; c++)
		if (s[c] < -12)
			s[c] = -12; /* the rules may still win over an unlikely class */
	/* the words of the small-talk rules that matched, and the strongest */
	bool talk_words[ANSWER_MSG_TOKENS] = {false};
	int talk = -1;
	double talk_weight = 0;
	for (size_t i = 0; i < nlu->intent_rules.n; i++) {
		const struct rule *r = &nlu->intent_rules.rules[i];
		if (rule_find(r, m) < 0)
			continue;
		s[r->label] += r->weight;
		if (r->weight <= 0 || !small_talk_label(r->label))
			continue;
		mark_rule_words(r, m, talk_words);
		if (r->weight > talk_weight) {
			talk_weight = r->weight;
			talk = (int)r->label;
		}
	}
	enum answer_intent best = (enum answer_intent)argmax_softmax(s, ANSWER_INTENT__COUNT,
								    confidence);
	if (talk >= 0 && (int)best != talk && only_small_talk(m, talk_words)) {
		best = (enum answer_intent)talk;
		if (confidence)
			*confidence = 0.9;
	}
	return best;
}

enum answer_aspect answer__aspect_msg(const struct answer_nlu *nlu, const struct answer__msg *m,
				      unsigned *mask, double *confidence)
{
	double s[ANSWER_ASPECT__COUNT];
	double cue[ANSWER_ASPECT__COUNT] = {0};
	unsigned mk = 0;
	nb_logpost(&nlu->aspect_nb, ANSWER_ASPECT__COUNT, m, s);
	for (size_t c = 0; c < ANSWER_ASPECT__COUNT; c++) {
		/* The model alone is a weak voice: scale it down. */
		s[c] *= 0.3;
		if (s[c] < -4)
			s[c] = -4;
	}
	for (size_t i = 0; i < nlu->aspect_rules.n; i++) {
		const struct rule *r = &nlu->aspect_rules.rules[i];
		long pos = rule_find(r, m);
		if (pos < 0)
			continue;
		/* Earlier cues weigh a little more: the first thing asked leads. */
		double early = 1.0 + 0.35 * (1.0 - (double)pos / (double)(m->ntok ? m->ntok : 1));
		double w = r->weight > 0 ? r->weight * early : r->weight;
		cue[r->label] += w;
		if (r->weight >= 2 && r->label != ANSWER_ASPECT_OVERVIEW)
			mk |= 1u << r->label;
	}
	for (size_t c = 0; c < ANSWER_ASPECT__COUNT; c++) {
		if (cue[c] <= 0 && (mk & (1u << c)))
			mk &= ~(1u << c); /* cancelled by a negative rule */
		s[c] += cue[c];
	}
	enum answer_aspect a = (enum answer_aspect)argmax_softmax(s, ANSWER_ASPECT__COUNT,
								 confidence);
	if (mask)
		*mask = mk;
	return a;
}

enum answer_intent answer_intent(const struct answer_nlu *nlu, const char *text, size_t n,
				 double *confidence)
{
	struct answer__msg m;
	answer__msg_init(&m, text, n);
	enum answer_intent i = answer__intent_msg(nlu, &m, confidence);
	answer__msg_release(&m);
	return i;
}

enum answer_aspect answer_aspect(const struct answer_nlu *nlu, const char *text, size_t n,
				 unsigned *mask, double *confidence)
{
	struct answer__msg m;
	answer__msg_init(&m, text, n);
	enum answer_aspect a = answer__aspect_msg(nlu, &m, mask, confidence);
	answer__msg_release(&m);
	return a;
}

/* ------------------------------------------------------------------------ */
/* Topic words (for follow-ups)                                             */

/* Words that never name a procedure: pronouns, fillers, question words,
 * follow-up markers ("thế còn", "vậy", "cái đó"). */
static bool follow_filler(const struct answer__tok *t)
{
	static const char *const w[] = {
		"the", "con", "vay", "thi", "cai", "do", "nay", "a", "ah", "nhi", "nhe", "sao",
		"gi", "nao", "co", "khong", "ko", "k", "kg", "duoc", "dc", "phai", "cho", "hoi",
		"em", "toi", "minh", "anh", "chi", "ban", "oi", "da", "vang", "u", "um", "alo",
		"la", "va", "voi", "hay", "nua", "them", "ra", "roi", "chua", "o", "dau", "bao",
		"nhieu", "lau", "mat", "can", "lam", "thu", "tuc", "viec", "ntn", "nhu", "ay",
		"kia", "luon", "nhe", "ha", "ho", "so", "giay", "to", "nop", "cua", "de", "ma",
		"neu", "khi", "xin", "hoi", "biet", "muon", "tu", "ve", "tren", "qua", "bang",
		"tien", "phi", "le", "ngay", "thoi", "gian", "han", "buoc", "cac", "nhung",
		"online", "mang", "truc", "tuyen", "dieu", "kien", "mau", "don", "khai", "ket",
		"qua", "can", "cu", "luat", "noi", "dau", "nhan", "the", "nhe",
	};
	if (t->cls != ANSWER__TOK_WORD)
		return true;
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (answer__tok_is(t, w[i]))
			return true;
	return false;
}

size_t answer__topic_words(const struct answer_nlu *nlu, const struct answer__msg *m)
{
	bool used[ANSWER_MSG_TOKENS] = {false};
	for (size_t i = 0; i < nlu->aspect_rules.n; i++) {
		const struct rule *r = &nlu->aspect_rules.rules[i];
		if (r->weight > 0 && rule_find(r, m) >= 0)
			mark_rule_words(r, m, used);
	}
	size_t n = 0;
	for (size_t j = 0; j < m->ntok; j++)
		n += !used[j] && !follow_filler(&m->tok[j]);
	return n;
}

/* "thủ tục đó", "cái đó", "việc này": the message points back. */
bool answer__refers_back(const struct answer__msg *m)
{
	for (size_t j = 0; j + 1 < m->ntok; j++) {
		const struct answer__tok *a = &m->tok[j], *b = &m->tok[j + 1];
		bool head = answer__tok_is(a, "cai") || answer__tok_is(a, "tuc") ||
			    answer__tok_is(a, "viec") || answer__tok_is(a, "ho");
		bool dem = answer__tok_is(b, "do") || answer__tok_is(b, "nay") ||
			   answer__tok_is(b, "kia") || answer__tok_is(b, "ay");
		if (head && dem)
			return true;
	}
	return m->ntok > 0 && (answer__tok_is(&m->tok[0], "the") || answer__tok_is(&m->tok[0], "con") ||
			       answer__tok_is(&m->tok[0], "vay"));
}
