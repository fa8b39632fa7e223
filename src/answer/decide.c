/*
 * decide.c - answer, ask which one, or say we do not know.
 *
 * The cost of a wrong answer (a citizen goes to the wrong office with the
 * wrong papers) is far higher than the cost of a question back or a
 * hand-over, so the decision leans to clarify/no_match when unsure.
 *
 * From the search engine's measures of the top candidate (query_cover: how
 * much of the question the record explains; title_cover: how much of the
 * procedure's name the question says; the lead over the second candidate)
 * one confidence in 0..1 is formed.  Then:
 *   - query_cover below min_query_cover: no_match (the question is about
 *     something the knowledge base does not hold);
 *   - confidence ≥ answer_conf and no close rival that differs in a
 *     meaningful way: answered;
 *   - close rivals that differ (first issue vs re-issue, commune vs province,
 *     individual vs business): clarify with them;
 *   - confidence ≥ clarify_conf with rivals: clarify; with no rival but not
 *     confident enough to answer: a one-option clarification, i.e. a
 *     confirmation ("Có phải anh/chị hỏi về …?"); otherwise no_match.
 * Candidates whose names are the same procedure at another agency (the
 * national base lists one procedure per ministry/level with near-identical
 * names) do not count as rivals: asking "which of these identical names"
 * helps nobody.  The values are chosen on the development set; see
 * docs/internals/answer.md.
 */
#include <math.h>
#include <string.h>

#include "answer/answer_int.h"

void answer_thresholds_default(struct answer_thresholds *t)
{
	t->min_query_cover = 0.20;
	t->answer_conf = 0.50;
	t->clarify_conf = 0.25;
	t->answer_query_cover = 0.30;
	t->close_ratio = 0.90;
	t->same_name = 0.90;
	t->report_hint = 0.40;
}

void answer__name_sig(const char *name, struct answer_name_sig *sig)
{
	struct answer__msg m;
	answer__msg_init(&m, name ? name : "", name ? strlen(name) : 0);
	size_t nt = m.ntok < 64 ? m.ntok : 64;
	sig->n = 0;
	for (size_t i = 0; i < nt; i++) {
		bool dup = false;
		for (size_t k = 0; k < sig->n && !dup; k++)
			dup = sig->h[k] == m.tok[i].hash;
		if (!dup)
			sig->h[sig->n++] = m.tok[i].hash;
	}
	answer__msg_release(&m);
}

/* Jaccard similarity of two names' syllable sets. */
static double name_similarity(const struct answer_name_sig *a, const struct answer_name_sig *b)
{
	size_t inter = 0;
	for (size_t i = 0; i < a->n; i++)
		for (size_t k = 0; k < b->n; k++)
			if (a->h[i] == b->h[k]) {
				inter++;
				break;
			}
	size_t uni = a->n + b->n - inter;
	return uni ? (double)inter / (double)uni : 0;
}

/* Candidate c's name signature: the engine's (built once per record), or
 * computed into tmp for candidates from elsewhere. */
static const struct answer_name_sig *sig_of(const struct answer_candidate *c,
					    struct answer_name_sig *tmp)
{
	if (c->sig)
		return c->sig;
	answer__name_sig(c->proc->name, tmp);
	return tmp;
}

static double clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

/*
 * Confidence of c[0], its lead measured against c[rival] (n: none):
 *     s = 0.5 query_cover + 0.75 margin + 0.2 title_cover,   conf = s / 0.92
 * so that conf 0.5 (the default answer_conf) is s = 0.46.  The weights were
 * fitted on the development set by a grid search that maximised right
 * answers minus three times wrong answers (a wrong answer costs more than a
 * question back); the chosen point sits in the middle of a plateau of equal
 * scores, not on its edge.  See docs/internals/answer.md.
 */
static double confidence(const struct answer_candidate *c, size_t n, size_t rival)
{
	if (n == 0 || c[0].score <= 0)
		return 0;
	double margin = rival < n ? clamp01((c[0].score - c[rival].score) / c[0].score) : 1.0;
	double s = 0.5 * clamp01(c[0].query_cover) + 0.75 * margin +
		   0.2 * clamp01(c[0].title_cover);
	return clamp01(s / 0.92);
}

/* A close candidate is no rival when the question names the top procedure
 * completely and the other one only partly: "đăng ký kết hôn" means the plain
 * procedure, not "đăng ký kết hôn có yếu tố nước ngoài". */
static bool qualified_variant(const struct answer_candidate *top, const struct answer_candidate *o)
{
	return top->title_cover >= 0.95 && o->title_cover <= top->title_cover - 0.2;
}

void answer_decide(const struct answer_thresholds *t, const struct answer_candidate *c, size_t n,
		   struct answer_decision *out)
{
	struct answer_thresholds def;
	if (!t) {
		answer_thresholds_default(&def);
		t = &def;
	}
	memset(out, 0, sizeof *out);
	out->status = ANSWER_STATUS_NO_MATCH;
	if (n == 0 || !c[0].proc || !(c[0].score > 0))
		return;
	/* The first rival that is a different procedure, and the close ones. */
	size_t rival = n;
	out->options[out->n_options++] = 0;
	for (size_t i = 1; i < n; i++) {
		if (!c[i].proc)
			break;
		bool close = c[i].score >= t->close_ratio * c[0].score;
		if (!close && rival < n)
			break;
		bool same = false;
		for (size_t k = 0; k < out->n_options && !same; k++) {
			struct answer_name_sig ta, tb;
			same = name_similarity(sig_of(&c[out->options[k]], &ta), sig_of(&c[i], &tb)) >=
			       t->same_name;
		}
		if (same || qualified_variant(&c[0], &c[i]))
			continue;
		if (rival == n)
			rival = i;
		if (close && out->n_options < ANSWER_OPTIONS_MAX)
			out->options[out->n_options++] = i;
	}
	out->confidence = confidence(c, n, rival);
	if (c[0].query_cover < t->min_query_cover) {
		out->confidence = fmin(out->confidence, t->clarify_conf * 0.9);
		out->n_options = 0;
		return;
	}
	if (out->n_options == 1) {
		/* One plausible procedure: answer when confident; when only
		 * fairly sure, ask to confirm it rather than give up (a
		 * one-option clarification: "Có phải anh/chị hỏi về …?"). */
		if (out->confidence >= t->answer_conf &&
		    c[0].query_cover >= t->answer_query_cover) {
			out->n_options = 0;
			out->status = ANSWER_STATUS_ANSWERED;
		} else if (out->confidence >= t->clarify_conf) {
			out->status = ANSWER_STATUS_CLARIFY;
		} else {
			out->n_options = 0;
		}
		return;
	}
	if (out->confidence >= t->clarify_conf) {
		out->status = ANSWER_STATUS_CLARIFY;
		return;
	}
	out->n_options = 0;
}
