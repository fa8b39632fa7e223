/*
 * search_query.c - ranking the records for one question.
 *
 * A question goes through the same analysis as the records (search_text.c),
 * then becomes a short list of weighted term ids:
 *   1. lexicon: at each token the longest lexicon term (folded syllables) is
 *      looked up; its expansions were resolved to term ids at build time and
 *      are added with expand_weight.  A term whose expansions are all fillers
 *      ("ntn" -> "như thế nào") becomes a filler itself.
 *   2. fillers: stop phrases are marked (accented keys when the question was
 *      typed with diacritics, else folded keys) and give no unigram.
 *   3. each content token gives its folded syllable (weight 1, or
 *      lexicon_literal_weight in the score when a lexicon term covers it:
 *      "bằng lái" written out in one record must not outweigh "giấy phép lái
 *      xe", what it means, in the others) and, when the
 *      question has diacritics, its accented syllable (accent_weight, the
 *      exact-accent bonus).  A content word absent from the vocabulary is
 *      looked up in the deletion neighbourhood (edit distance 1, ASCII folded
 *      words of 3+ letters) and replaced by up to two known words with
 *      typo_weight.
 *   4. each pair of adjacent tokens that are not both fillers gives its
 *      folded bigram (bigram_weight).
 * Scoring walks the postings of each term once: acc[d] += w * idf * sat,
 * skipping terms whose w * idf is below min_term_weight ("cấp", "có", "số":
 * in over 90% of the records, their postings were most of the walk and
 * their scores next to nothing).
 * Alongside it accumulates, for the coverage terms (folded unigrams and
 * bigrams), the query mass found in the record and the IDF mass found in
 * each of its titles.  The final score is
 *     score = acc + title_bonus * title_cover^2 + level_prior * prior
 * and the best hits are selected with a bounded min-heap over the records
 * touched, which are then reset so the scratch is clean for the next query.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "search/search_int.h"
#include "text/vn.h"

#include "base/banned.h"

struct qterm {
	uint32_t id;
	float w;       /* weight in the score */
	float cover_w; /* weight in the coverage masses */
	bool cover;
};

struct search_scratch {
	struct search__an an;
	struct td_buf key;
	size_t cap_docs, cap_titles;
	float *acc;       /* per record: BM25F sum */
	float *qm;        /* per record: query coverage mass */
	float *cov;       /* per title: title coverage mass */
	uint8_t *seen;    /* per record: touched by this query */
	uint32_t *touched;
	size_t ntouched;
	struct qterm qt[SEARCH_QUERY_TERMS];
	size_t nq;
	bool level_named; /* the question names a level: no level prior */
	uint32_t *tok_term; /* per token: the folded term used (after typo fixing) */
	uint32_t *tok_abbr; /* per token: the one-word abbreviation entry it is, or NONE */
	bool *tok_skip;     /* per token: a classifier passed over inside a lexicon phrase */
	uint32_t *tok_spell; /* per token: the abbreviation entry it spells, or NONE */
	size_t tok_cap;
};

struct search_scratch *search_scratch_new(void)
{
	struct search_scratch *s = td_calloc(1, sizeof *s);
	search__an_init(&s->an, SEARCH_QUERY_MAX);
	td_buf_init(&s->key, 4 * SEARCH_QUERY_MAX + 16);
	return s;
}

void search_scratch_free(struct search_scratch *s)
{
	if (!s)
		return;
	search__an_release(&s->an);
	td_buf_release(&s->key);
	td_free(s->acc);
	td_free(s->qm);
	td_free(s->cov);
	td_free(s->seen);
	td_free(s->touched);
	td_free(s->tok_term);
	td_free(s->tok_abbr);
	td_free(s->tok_skip);
	td_free(s->tok_spell);
	td_free(s);
}

/* Make room for ix; new memory is zeroed, which is the scratch's rest state. */
static void scratch_fit(struct search_scratch *s, const struct search_index *ix)
{
	size_t nd = ix->ndocs ? ix->ndocs : 1, ntl = ix->title_off[ix->ndocs] + 1;
	if (nd > s->cap_docs) {
		td_free(s->acc);
		td_free(s->qm);
		td_free(s->seen);
		td_free(s->touched);
		s->acc = td_calloc(nd, sizeof *s->acc);
		s->qm = td_calloc(nd, sizeof *s->qm);
		s->seen = td_calloc(nd, sizeof *s->seen);
		s->touched = td_calloc(nd, sizeof *s->touched);
		s->cap_docs = nd;
	}
	if (ntl > s->cap_titles) {
		td_free(s->cov);
		s->cov = td_calloc(ntl, sizeof *s->cov);
		s->cap_titles = ntl;
	}
	if (s->an.n > s->tok_cap) {
		td_free(s->tok_term);
		td_free(s->tok_abbr);
		td_free(s->tok_skip);
		td_free(s->tok_spell);
		s->tok_cap = s->an.cap;
		s->tok_term = td_calloc(s->tok_cap, sizeof *s->tok_term);
		s->tok_abbr = td_calloc(s->tok_cap, sizeof *s->tok_abbr);
		s->tok_skip = td_calloc(s->tok_cap, sizeof *s->tok_skip);
		s->tok_spell = td_calloc(s->tok_cap, sizeof *s->tok_spell);
	}
}

/* Add term id with score weight w and coverage weight cover_w; a term met
 * twice keeps the larger of each. */
static void add_term_cw(struct search_scratch *s, uint32_t id, float w, float cover_w, bool cover)
{
	if (id == SEARCH__NONE || w <= 0)
		return;
	for (size_t i = 0; i < s->nq; i++)
		if (s->qt[i].id == id) {
			if (w > s->qt[i].w)
				s->qt[i].w = w;
			if (cover_w > s->qt[i].cover_w)
				s->qt[i].cover_w = cover_w;
			s->qt[i].cover |= cover;
			return;
		}
	if (s->nq < SEARCH_QUERY_TERMS)
		s->qt[s->nq++] = (struct qterm){id, w, cover_w, cover};
}

static void add_term(struct search_scratch *s, uint32_t id, float w, bool cover)
{
	add_term_cw(s, id, w, w, cover);
}

/* ------------------------------------------------------------------------- */
/* Query terms                                                                */
/* ------------------------------------------------------------------------- */

/* Whether tokens [i, i+k) may stand for lexicon entry e: when any of them
 * carries diacritics the accented spellings must agree too, so that "sơ
 * đồ" (a diagram) is not read as the everyday "sổ đỏ" they fold to.  Text
 * typed without diacritics keeps the folded match. */
static bool accent_agrees(const struct search_index *ix, struct search_scratch *s, size_t i,
			  size_t k, uint32_t e, bool skip)
{
	const struct search__an *an = &s->an;
	bool marks = false;
	for (size_t j = i; j < i + k; j++)
		marks |= an->t[j].marks;
	if (!marks || !ix->lex_acc_of || ix->lex_acc_of[e] == SEARCH__NONE)
		return true;
	char small[512];
	size_t len = 0;
	for (size_t j = i; j < i + k; j++) {
		size_t need = an->t[j].acc_len + 1;
		if (skip && j > i && s->tok_skip[j])
			continue;
		if (len + need > sizeof small)
			return true; /* too long to check: keep the folded match */
		if (len)
			small[len++] = ' ';
		memcpy(small + len, search__acc(an, j), an->t[j].acc_len);
		len += an->t[j].acc_len;
	}
	return search__dict_find(&ix->lex_acc, small, len) == ix->lex_acc_of[e];
}

/* Classifiers and plural markers a speaker puts between the words of an
 * everyday phrase: "thế chấp chiếc xe" is "thế chấp xe", "không nhận phần
 * thừa kế" is "không nhận thừa kế", "sửa các thông tin" is "sửa thông tin".
 * Inside a phrase they are passed over.  Accented forms are compared when
 * the word carries marks; typed without them only the folded forms that no
 * common content word shares are passed over (not "can": cần, nor "quyen":
 * quyền).  Words that are classifiers here but part of a term elsewhere
 * ("căn cước", "tờ khai", "cổ phần") still match the term: the phrase is
 * also read with them kept (longest_term). */
static bool is_phrase_skip(const struct search__an *an, size_t i)
{
	static const char *const acc[] = {"chiếc", "cái", "căn", "mảnh", "tờ",
					  "cuốn", "quyển", "phần", "các", "những", "mấy"};
	static const char *const fold[] = {"chiec", "cuon", "nhung", "cac"};
	const struct search__tok *t = &an->t[i];
	const char *w = t->marks ? search__acc(an, i) : search__fold(an, i);
	size_t n = t->marks ? t->acc_len : t->fold_len;
	const char *const *list = t->marks ? acc : fold;
	size_t nl = t->marks ? sizeof acc / sizeof *acc : sizeof fold / sizeof *fold;
	for (size_t k = 0; k < nl; k++)
		if (strlen(list[k]) == n && !memcmp(list[k], w, n))
			return true;
	return false;
}

/* How a window of the question is read against the lexicon: as typed, with
 * its classifiers passed over ("thế chấp chiếc xe"), with its one-word
 * abbreviations spelt out ("thông tin QH"), or both.  Classifiers are kept
 * in the first reading because some are parts of terms: "căn cước", "tờ
 * khai", "cổ phần". */
enum { MATCH_SKIP = 1, MATCH_SPELL = 2 };

/* The key of tokens [i, i+k) in s->key: folded syllables joined by one
 * space; with MATCH_SKIP classifiers inside passed over, with MATCH_SPELL
 * one-word abbreviations written as their expansion.  False when the window
 * crosses punctuation, ends on a skipped classifier, or has more syllables
 * than any lexicon term. */
static bool window_key(const struct search_index *ix, struct search_scratch *s, size_t i,
		       size_t k, unsigned mode)
{
	const struct search__an *an = &s->an;
	bool spell = mode & MATCH_SPELL, skip = mode & MATCH_SKIP;
	if (skip && k > 1 && s->tok_skip[i + k - 1])
		return false;
	size_t nsyl = 0;
	td_buf_clear(&s->key);
	for (size_t j = i; j < i + k; j++) {
		if (j > i) {
			if (!an->t[j].adj)
				return false;
			if (skip && s->tok_skip[j])
				continue;
			td_buf_addc(&s->key, ' ');
		}
		uint32_t sp = spell ? s->tok_spell[j] : SEARCH__NONE;
		if (sp != SEARCH__NONE) {
			td_buf_adds(&s->key, ix->lex_spell[sp]);
			nsyl += ix->lex_spell_syl[sp];
		} else {
			td_buf_add(&s->key, search__fold(an, j), an->t[j].fold_len);
			nsyl++;
		}
	}
	return nsyl <= ix->lex_max_syl && !td_buf_error(&s->key);
}

/* The entry of the one-word abbreviation token i is, when it has an
 * expansion to spell, else NONE. */
static uint32_t spellable(const struct search_index *ix, const struct search__an *an, size_t i)
{
	uint32_t e = search__dict_find(&ix->lex, search__fold(an, i), an->t[i].fold_len);
	return e != SEARCH__NONE && ix->lex_spell[e] ? e : SEARCH__NONE;
}

/* The end of the longest window starting at token i: a lexicon term's
 * syllables, and up to two classifiers inside it. */
static size_t window_end(const struct search_index *ix, const struct search__an *an, size_t i)
{
	return an->n - i < ix->lex_max_syl + 2 ? an->n : i + ix->lex_max_syl + 2;
}

/* Whether mode spells out an abbreviation among tokens [i, i+k). */
static bool spells(const struct search_scratch *s, size_t i, size_t k, unsigned mode)
{
	if (!(mode & MATCH_SPELL))
		return false;
	for (size_t j = i; j < i + k; j++)
		if (s->tok_spell[j] != SEARCH__NONE)
			return true;
	return false;
}

/* The longest lexicon term starting at token i read in mode: the window
 * grows a token at a time and stops as soon as its key is no lexicon key's
 * leading run of syllables - after one or two tokens at most places of a
 * question.  Returns the entry and its length in tokens (*kout, 0 when
 * none). */
static uint32_t grow_term(const struct search_index *ix, struct search_scratch *s, size_t i,
			  unsigned mode, size_t *kout, size_t *reach)
{
	const struct search__an *an = &s->an;
	size_t kmax = window_end(ix, an, i) - i;
	bool skip = mode & MATCH_SKIP;
	uint32_t best = SEARCH__NONE;
	*kout = *reach = 0;
	for (size_t k = 1; k <= kmax; k++) {
		if (k > 1 && !an->t[i + k - 1].adj)
			break; /* a phrase does not run across punctuation */
		if (skip && k > 1 && s->tok_skip[i + k - 1])
			continue; /* nor ends on a skipped classifier: look further */
		if (!window_key(ix, s, i, k, mode) ||
		    search__dict_find(&ix->lex_prefix, s->key.data, s->key.len) == SEARCH__NONE)
			break;
		*reach = k;
		uint32_t e = search__dict_find(&ix->lex, s->key.data, s->key.len);
		/* a spelt-out abbreviation has no accents to check; the rest of
		 * the window does ("động của" is not "đóng cửa") */
		if (e != SEARCH__NONE &&
		    (spells(s, i, k, mode) || accent_agrees(ix, s, i, k, e, skip))) {
			best = e;
			*kout = k;
		}
	}
	return best;
}

/* The longest lexicon term starting at token i, over *kout tokens (0 when
 * none), over the readings that apply; at equal length the plainer reading
 * (as typed first) wins.  A reading that passes over classifiers or spells
 * abbreviations only differs from the plain one once the window reaches
 * such a token, so it is tried only when the plain reading got that far. */
static uint32_t longest_term(const struct search_index *ix, struct search_scratch *s, size_t i,
			     size_t *kout)
{
	size_t reach;
	uint32_t best = grow_term(ix, s, i, 0, kout, &reach);
	bool try_skip = false, try_spell = false;
	for (size_t j = i, end = window_end(ix, &s->an, i); j < end && j - i <= reach; j++) {
		try_skip |= j > i && s->tok_skip[j];
		try_spell |= s->tok_spell[j] != SEARCH__NONE;
	}
	for (unsigned mode = 1; mode < 4; mode++) {
		if (((mode & MATCH_SPELL) && !try_spell) || ((mode & MATCH_SKIP) && !try_skip))
			continue;
		size_t k, r;
		uint32_t e = grow_term(ix, s, i, mode, &k, &r);
		if (k > *kout && (!(mode & MATCH_SPELL) || k > 1)) {
			best = e;
			*kout = k;
		}
	}
	return best;
}

static void match_lexicon(const struct search_index *ix, struct search_scratch *s,
			  struct search_info *info)
{
	struct search__an *an = &s->an;
	for (size_t i = 0; i < an->n; i++) {
		s->tok_abbr[i] = SEARCH__NONE;
		s->tok_skip[i] = is_phrase_skip(an, i);
		s->tok_spell[i] = ix->lex.n ? spellable(ix, an, i) : SEARCH__NONE;
	}
	if (!ix->lex.n)
		return;
	for (size_t i = 0; i < an->n;) {
		size_t k;
		uint32_t e = longest_term(ix, s, i, &k);
		if (!k) {
			i++;
			continue;
		}
		uint32_t from = ix->lex_off[e], to = ix->lex_off[e + 1];
		if (k == 1 && ix->lex_head[e] != SEARCH__NONE)
			s->tok_abbr[i] = e;
		for (uint32_t t = from; t < to; t++)
			add_term(s, ix->lex_term[t], ix->lex_w[e], true);
		for (size_t j = i; j < i + k; j++) {
			an->t[j].lex = from < to;
			an->t[j].stop = from == to; /* expands to fillers only */
		}
		info->expanded++;
		i += k;
	}
}

/* Up to SEARCH__TYPO_CANDS known words at edit distance 1 from w, most
 * frequent first; returns how many were stored in out. */
static size_t typo_candidates(const struct search_index *ix, const char *w, size_t n,
			      uint32_t *out)
{
	if (n < SEARCH__TYPO_MIN || n > SEARCH__TYPO_MAX || !ix->ntypo)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (w[i] < 'a' || w[i] > 'z')
			return 0;
	char del[SEARCH__TYPO_MAX];
	size_t nc = 0;
	for (size_t i = 0; i <= n; i++) {
		uint32_t h;
		if (i == n) {
			h = search__hash(w, n);
		} else {
			memcpy(del, w, i);
			memcpy(del + i, w + i + 1, n - i - 1);
			h = search__hash(del, n - 1);
		}
		size_t lo = 0, hi = ix->ntypo;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (ix->typo[mid].hash < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ix->ntypo && ix->typo[lo].hash == h; lo++) {
			uint32_t t = ix->typo[lo].term;
			size_t tl;
			const char *tk = search__dict_key(&ix->vocab, t, &tl);
			if (search__osa(w, n, tk, tl, 1) != 1)
				continue;
			uint32_t df = ix->post_off[t + 1] - ix->post_off[t];
			size_t j = 0;
			while (j < nc && out[j] != t)
				j++;
			if (j < nc)
				continue;
			/* insert by df, keep the best SEARCH__TYPO_CANDS */
			for (j = nc; j > 0; j--) {
				uint32_t o = out[j - 1];
				if (ix->post_off[o + 1] - ix->post_off[o] >= df)
					break;
				if (j < SEARCH__TYPO_CANDS)
					out[j] = o;
			}
			if (j < SEARCH__TYPO_CANDS) {
				out[j] = t;
				if (nc < SEARCH__TYPO_CANDS)
					nc++;
			}
		}
	}
	return nc;
}

static void unigram_terms(const struct search_index *ix, struct search_scratch *s, size_t i,
			  bool accented, struct search_info *info)
{
	struct search__an *an = &s->an;
	const struct search__tok *t = &an->t[i];
	const char *f = search__fold(an, i);
	uint32_t id = search__dict_find(&ix->vocab, f, t->fold_len);
	info->words++;
	if (id != SEARCH__NONE) {
		/* a word the lexicon rewrote scores at lexicon_literal_weight */
		add_term_cw(s, id, t->lex ? ix->opt.lexicon_literal_weight : 1.0f, 1.0f, true);
		s->tok_term[i] = id;
	} else if (!t->lex && t->kind == VN_TOKEN_WORD) {
		uint32_t c[SEARCH__TYPO_CANDS];
		size_t nc = typo_candidates(ix, f, t->fold_len, c);
		info->unknown++;
		if (nc)
			info->corrected++;
		for (size_t j = 0; j < nc; j++)
			add_term(s, c[j], ix->opt.typo_weight, true);
		if (nc)
			s->tok_term[i] = c[0];
	}
	if (!accented)
		return;
	td_buf_clear(&s->key);
	td_buf_addc(&s->key, SEARCH__ACCENT_MARK);
	td_buf_add(&s->key, search__acc(an, i), t->acc_len);
	if (!td_buf_error(&s->key))
		add_term(s, search__dict_find(&ix->vocab, s->key.data, s->key.len),
			 ix->opt.accent_weight, false);
}

/* The folded form of token i for bigrams: the typo fix when there is one;
 * for an abbreviation, the syllable of its expansion that touches the
 * neighbour (tail on the left of the pair, head on the right), so that "xin
 * thông tin QH" gives "tin quy" as if "quy hoạch" had been typed.  Returns
 * whether an abbreviation stood in. */
static bool add_form(const struct search_index *ix, struct search_scratch *s, size_t i, bool left)
{
	size_t len;
	uint32_t e = s->tok_abbr[i];
	uint32_t id = e == SEARCH__NONE ? s->tok_term[i] : left ? ix->lex_tail[e] : ix->lex_head[e];
	if (id != SEARCH__NONE) {
		const char *k = search__dict_key(&ix->vocab, id, &len);
		td_buf_add(&s->key, k, len);
	} else {
		td_buf_add(&s->key, search__fold(&s->an, i), s->an.t[i].fold_len);
	}
	return e != SEARCH__NONE && id != SEARCH__NONE;
}

static void bigram_term(const struct search_index *ix, struct search_scratch *s, size_t i)
{
	float w = ix->opt.bigram_weight;
	if (s->an.t[i - 1].stop || s->an.t[i].stop)
		w *= ix->opt.stop_bigram_weight;
	float cover_w = w;
	if (s->an.t[i - 1].lex && s->an.t[i].lex)
		w *= ix->opt.lexicon_literal_weight;
	td_buf_clear(&s->key);
	bool abbr = add_form(ix, s, i - 1, true);
	td_buf_addc(&s->key, ' ');
	abbr |= add_form(ix, s, i, false);
	if (abbr)
		w *= ix->opt.expand_weight;
	if (!td_buf_error(&s->key))
		add_term_cw(s, search__dict_find(&ix->vocab, s->key.data, s->key.len), w, cover_w,
			    true);
}

static bool folded_is(const struct search__an *an, size_t i, const char *w)
{
	size_t n = strlen(w);
	return an->t[i].fold_len == n && !memcmp(search__fold(an, i), w, n);
}

/* Whether the question says at which level it wants the procedure ("cấp
 * tỉnh", "cấp xã", "cấp bộ", "trung ương"): then the words decide, not the
 * level prior ("Trình báo mất hộ chiếu (thực hiện tại cấp tỉnh)"). */
static bool names_level(const struct search__an *an)
{
	static const char *const after_cap[] = {"xa", "tinh", "bo", "huyen", "trung"};
	for (size_t i = 1; i < an->n; i++) {
		if (folded_is(an, i - 1, "trung") && folded_is(an, i, "uong"))
			return true;
		if (!folded_is(an, i - 1, "cap"))
			continue;
		for (size_t k = 0; k < sizeof after_cap / sizeof *after_cap; k++)
			if (folded_is(an, i, after_cap[k]))
				return true;
	}
	return false;
}

static void query_terms(const struct search_index *ix, struct search_scratch *s,
			struct search_info *info)
{
	struct search__an *an = &s->an;
	bool accented = false;
	for (size_t i = 0; i < an->n; i++)
		accented |= an->t[i].marks;
	info->accented = accented;
	match_lexicon(ix, s, info);
	search__mark_stops(an, ix->has_stop ? &ix->stop : NULL, accented, &s->key);
	for (size_t i = 0; i < an->n; i++) {
		s->tok_term[i] = SEARCH__NONE;
		if (!an->t[i].stop)
			unigram_terms(ix, s, i, accented, info);
	}
	for (size_t i = 1; i < an->n; i++)
		if (an->t[i].adj && !(an->t[i - 1].stop && an->t[i].stop))
			bigram_term(ix, s, i);
}

/* ------------------------------------------------------------------------- */
/* Scoring                                                                    */
/* ------------------------------------------------------------------------- */

static void accumulate(const struct search_index *ix, struct search_scratch *s, double *max_score,
		       double *qmass)
{
	for (size_t q = 0; q < s->nq; q++) {
		const struct qterm *qt = &s->qt[q];
		float idf = ix->idf[qt->id];
		float wi = qt->w * idf;
		float cm = (qt->cover_w < 1.0f ? qt->cover_w : 1.0f) * idf;
		if (wi < ix->opt.min_term_weight)
			continue; /* in nearly every record: tells nothing, costs most */
		*max_score += wi;
		if (qt->cover)
			*qmass += cm;
		const struct search__post *p = ix->post + ix->post_off[qt->id];
		const struct search__post *end = ix->post + ix->post_off[qt->id + 1];
		for (; p < end; p++) {
			uint32_t d = p->doc;
			if (!s->seen[d]) {
				s->seen[d] = 1;
				s->touched[s->ntouched++] = d;
			}
			s->acc[d] += wi * p->sat;
			if (!qt->cover)
				continue;
			s->qm[d] += cm;
			for (unsigned m = p->tmask, k = 0; m; m >>= 1, k++)
				if (m & 1)
					s->cov[ix->title_off[d] + k] += cm;
		}
	}
}

static bool has_term(const struct search_scratch *s, uint32_t id)
{
	for (size_t q = 0; q < s->nq; q++)
		if (s->qt[q].id == id)
			return true;
	return false;
}

/* Which variant verbs the question's terms (expansions included) say: bit k
 * for ix->verb_ids[k]. */
static uint32_t verbs_said(const struct search_index *ix, const struct search_scratch *s)
{
	uint32_t said = 0;
	for (size_t k = 0; k < ix->nverb_ids; k++)
		if (has_term(s, ix->verb_ids[k]))
			said |= UINT32_C(1) << k;
	return said;
}

/* The variant-verb adjustment of record d's score (search_index.c: variant
 * verbs). */
static float verb_adjust(const struct search_index *ix, uint32_t said, uint32_t d)
{
	if (ix->verb[d])
		return said >> (ix->verb[d] - 1) & 1 ? ix->opt.verb_bonus : -ix->opt.verb_penalty;
	return ix->base_mask[d] & said ? -ix->opt.verb_penalty : 0;
}

/* Best title coverage of record d (0..1); resets its title slots. */
static double title_cover(const struct search_index *ix, struct search_scratch *s, uint32_t d)
{
	double best = 0;
	for (uint32_t t = ix->title_off[d]; t < ix->title_off[d + 1]; t++) {
		if (ix->title_mass[t] > 0) {
			double c = s->cov[t] / ix->title_mass[t];
			if (c > best)
				best = c;
		}
		s->cov[t] = 0;
	}
	return best > 1 ? 1 : best;
}

/* a ranks below b */
static bool worse(const struct search_hit *a, const struct search_hit *b)
{
	return a->score < b->score || (a->score == b->score && a->doc > b->doc);
}

static void sift_down(struct search_hit *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && worse(&h[l], &h[m]))
			m = l;
		if (r < n && worse(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		struct search_hit t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void sift_up(struct search_hit *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!worse(&h[i], &h[p]))
			return;
		struct search_hit t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

/* Keep the best max hits of the touched records in a min-heap (in hits),
 * resetting the scratch as it goes; returns the heap size. */
static size_t select_top(const struct search_index *ix, struct search_scratch *s,
			 struct search_hit *hits, size_t max, double qmass, uint32_t said)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ntouched; i++) {
		uint32_t d = s->touched[i];
		struct search_hit h;
		h.title_cover = title_cover(ix, s, d);
		h.prior = s->level_named ? 0 : ix->opt.level_prior * ix->prior[d];
		h.score = s->acc[d] + ix->opt.title_bonus * h.title_cover * h.title_cover + h.prior;
		h.score += verb_adjust(ix, said, d);
		if (h.score < 0)
			h.score = 0; /* a variant's penalty on a weak match */
		h.query_cover = qmass > 0 ? s->qm[d] / qmass : 0;
		if (h.query_cover > 1)
			h.query_cover = 1;
		h.doc = d;
		h.proc = ix->procs[d];
		h.norm = 0;
		s->acc[d] = 0;
		s->qm[d] = 0;
		s->seen[d] = 0;
		if (!max)
			continue;
		if (n < max) {
			hits[n] = h;
			sift_up(hits, n++);
		} else if (worse(&hits[0], &h)) {
			hits[0] = h;
			sift_down(hits, n, 0);
		}
	}
	s->ntouched = 0;
	return n;
}

size_t search_query_ex(const struct search_index *ix, struct search_scratch *s, const char *q,
		       size_t qlen, struct search_hit *hits, size_t max, struct search_info *info)
{
	struct search_info dummy;
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof *info);
	if (!ix || !s || (!q && qlen) || (!hits && max))
		return 0;
	if (qlen > SEARCH_QUERY_MAX)
		qlen = SEARCH_QUERY_MAX;
	if (search__analyze(&s->an, q, qlen) != TD_OK || !s->an.n)
		return 0;
	scratch_fit(s, ix);
	s->nq = 0;
	s->level_named = names_level(&s->an);
	query_terms(ix, s, info);
	info->terms = s->nq;
	double max_score = 0, qmass = 0;
	accumulate(ix, s, &max_score, &qmass);
	info->candidates = s->ntouched;
	uint32_t said = verbs_said(ix, s);
	size_t n = select_top(ix, s, hits, max, qmass, said);
	/* heap -> best first */
	for (size_t k = n; k > 1; k--) {
		struct search_hit t = hits[0];
		hits[0] = hits[k - 1];
		hits[k - 1] = t;
		sift_down(hits, k - 1, 0);
	}
	if (n)
		max_score += ix->opt.title_bonus + (s->level_named ? 0 : ix->opt.level_prior) +
			     (said ? ix->opt.verb_bonus : 0);
	info->max_score = max_score;
	for (size_t i = 0; i < n; i++)
		hits[i].norm = max_score > 0 ? hits[i].score / max_score : 0;
	if (n == 1)
		info->margin = 1;
	else if (n > 1 && hits[0].score > 0)
		info->margin = (hits[0].score - hits[1].score) / hits[0].score;
	return n;
}

/* ------------------------------------------------------------------------- */
/* Per-thread scratch                                                         */
/* ------------------------------------------------------------------------- */

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void tls_free(void *p)
{
	search_scratch_free(p);
}

static void tls_init(void)
{
	if (pthread_key_create(&tls_key, tls_free) != 0)
		abort();
}

size_t search_query(const struct search_index *ix, const char *q, size_t qlen,
		    struct search_hit *hits, size_t max)
{
	pthread_once(&tls_once, tls_init);
	struct search_scratch *s = pthread_getspecific(tls_key);
	if (!s) {
		s = search_scratch_new();
		if (pthread_setspecific(tls_key, s) != 0) {
			search_scratch_free(s);
			return 0;
		}
	}
	return search_query_ex(ix, s, q, qlen, hits, max, NULL);
}
