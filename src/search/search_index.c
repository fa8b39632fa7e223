/*
 * search_index.c - building the immutable search index.
 *
 * The build makes two passes over the records.  The first only counts the
 * tokens of every field, to get the average field lengths BM25F needs.  The
 * second analyses every field (search_text.c), interns its terms (folded
 * syllables, folded syllable bigrams, accented syllables) and accumulates the
 * per-field term frequencies of the current record in a record-local table;
 * at the end of the record each term gets one posting carrying its final
 * BM25F weight
 *
 *     tf~ = sum_f w_f * tf_f / ((1 - b_f) + b_f * len_f / avglen_f)
 *     sat = tf~ / (k1 + tf~)
 *
 * so a query only multiplies sat by the term's IDF and its query weight.
 * Postings are appended to per-term vectors and finally packed into one flat
 * array.  Then come the IDFs, each title's IDF mass (for title coverage), the
 * stop words and lexicon expansions copied as term ids (so the index needs
 * neither after the build), and the deletion neighbourhood for typos.
 *
 * Memory: the index holds only arrays of integers and floats plus the
 * vocabulary strings; records are referenced, not copied.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "search/search_int.h"
#include "text/vn.h"

#include "base/banned.h"

#define MAX_DOCS ((size_t)1 << 24)

void search_options_default(struct search_options *o)
{
	static const float w[SEARCH_NFIELDS] = {6.0f, 6.0f, 3.0f, 2.0f, 1.5f, 1.0f, 1.0f, 0.4f};
	static const float b[SEARCH_NFIELDS] = {0.5f, 0.5f, 0.3f, 0.5f, 0.3f, 0.3f, 0.6f, 0.75f};
	memset(o, 0, sizeof *o);
	memcpy(o->weight, w, sizeof w);
	memcpy(o->b, b, sizeof b);
	o->k1 = 3.0f;
	o->bigram_weight = 1.0f;
	o->stop_bigram_weight = 0.5f;
	o->accent_weight = 0.4f;
	o->expand_weight = 0.8f;
	o->known_expand_weight = 0.4f;
	o->typo_weight = 0.7f;
	o->lexicon_literal_weight = 0.5f;
	o->title_bonus = 4.0f;
	o->level_prior = 2.0f;
	o->verb_penalty = 2.0f;
	o->verb_bonus = 2.0f;
	o->min_term_weight = 0.1f;
	o->own_records = false;
}

/* ------------------------------------------------------------------------- */
/* The text pieces of each field of a record                                  */
/* ------------------------------------------------------------------------- */

static size_t piece_count(const struct kb_procedure *p, int f)
{
	switch (f) {
	case SEARCH_F_NAME:
		return 1;
	case SEARCH_F_ALIAS:
		return p->aliases.n;
	case SEARCH_F_KEYWORD:
		return 1 + p->keywords.n;
	case SEARCH_F_RESULT:
		return 1;
	case SEARCH_F_FIELD:
		return 1 + p->subjects.n;
	case SEARCH_F_AGENCY:
		return 4 + p->levels.n;
	case SEARCH_F_DOSSIER:
		return p->n_dossier;
	case SEARCH_F_STEPS:
		return 2;
	default:
		return 0;
	}
}

/* The k-th text of field f (k < piece_count), or NULL when absent. */
static const char *piece(const struct kb_procedure *p, int f, size_t k)
{
	switch (f) {
	case SEARCH_F_NAME:
		return p->name;
	case SEARCH_F_ALIAS:
		return p->aliases.items[k];
	case SEARCH_F_KEYWORD:
		return k == 0 ? p->code : p->keywords.items[k - 1];
	case SEARCH_F_RESULT:
		return p->result;
	case SEARCH_F_FIELD:
		return k == 0 ? p->field : p->subjects.items[k - 1];
	case SEARCH_F_AGENCY: {
		const char *a[4] = {p->agency, p->competent_agency, p->delegated_agency,
				    p->coordinating_agency};
		return k < 4 ? a[k] : p->levels.items[k - 4];
	}
	case SEARCH_F_DOSSIER:
		return p->dossier[k].name;
	case SEARCH_F_STEPS:
		return k == 0 ? p->steps : p->conditions;
	default:
		return NULL;
	}
}

/* The title bit of piece k of field f, or -1 if it is not a title. */
static int title_bit(int f, size_t k)
{
	if (f == SEARCH_F_NAME)
		return 0;
	if (f == SEARCH_F_ALIAS && k + 1 < SEARCH__MAX_TITLES)
		return (int)k + 1;
	return -1;
}

/* ------------------------------------------------------------------------- */
/* Builder                                                                    */
/* ------------------------------------------------------------------------- */

struct occ {
	uint32_t term;
	uint16_t tf[SEARCH_NFIELDS];
	uint16_t tmask;
	uint8_t fmask;
};

struct pvec {
	struct search__post *p;
	uint32_t n, cap;
};

struct builder {
	struct search_index *ix;
	struct search__an an;
	struct td_buf key;
	uint32_t *doc_of;  /* per term: 1 + record of its record-local slot */
	uint32_t *slot_of; /* per term: record-local slot */
	struct pvec *pv;   /* per term */
	size_t term_cap;
	struct occ *loc;
	size_t nloc, loc_cap;
	float *len;        /* ndocs * SEARCH_NFIELDS token counts */
	/* lexicon during the build (borrowed from the caller) */
	const struct vn_lexicon_entry **lex_ent; /* per ix->lex id */
	struct search__dict abbr_first;          /* first syllables of abbreviations */
	unsigned abbr_max_syl;
	struct search__an an2;                   /* expansions */
};

static void grow_terms(struct builder *b)
{
	size_t n = b->ix->vocab.n;
	if (n <= b->term_cap)
		return;
	size_t c = b->term_cap ? b->term_cap : 4096;
	while (c < n)
		c *= 2;
	b->doc_of = td_reallocarray(b->doc_of, c, sizeof *b->doc_of);
	b->slot_of = td_reallocarray(b->slot_of, c, sizeof *b->slot_of);
	b->pv = td_reallocarray(b->pv, c, sizeof *b->pv);
	memset(b->doc_of + b->term_cap, 0, (c - b->term_cap) * sizeof *b->doc_of);
	memset(b->pv + b->term_cap, 0, (c - b->term_cap) * sizeof *b->pv);
	b->term_cap = c;
}

/* Count one occurrence of key in field f of record d. */
static td_err add_occ(struct builder *b, uint32_t d, const char *k, size_t n, int f, int tbit)
{
	uint32_t t = search__dict_intern(&b->ix->vocab, k, n);
	if (t == SEARCH__NONE)
		return TD_ERR_TOOBIG;
	grow_terms(b);
	struct occ *o;
	if (b->doc_of[t] != d + 1) {
		if (b->nloc == b->loc_cap) {
			b->loc_cap = b->loc_cap ? 2 * b->loc_cap : 1024;
			b->loc = td_reallocarray(b->loc, b->loc_cap, sizeof *b->loc);
		}
		b->doc_of[t] = d + 1;
		b->slot_of[t] = (uint32_t)b->nloc;
		o = &b->loc[b->nloc++];
		memset(o, 0, sizeof *o);
		o->term = t;
	} else {
		o = &b->loc[b->slot_of[t]];
	}
	if (o->tf[f] < UINT16_MAX)
		o->tf[f]++;
	o->fmask |= (uint8_t)(1u << f);
	if (tbit >= 0)
		o->tmask |= (uint16_t)(1u << tbit);
	return TD_OK;
}

/* Intern and count every term of the analysed text in b->an. */
static td_err add_text_terms(struct builder *b, uint32_t d, int f, int tbit)
{
	struct search__an *an = &b->an;
	struct td_buf *key = &b->key;
	td_err err = TD_OK;
	size_t scan = 0;
	int depth = 0;
	for (size_t i = 0; i < an->n && !err; i++) {
		const struct search__tok *t = &an->t[i];
		/* In a procedure's name, a parenthesised part is a qualifier
		 * ("(thực hiện tại cấp tỉnh)", "(Công trình không theo tuyến/
		 * …)"): it does not count towards how much of the name a
		 * question says. */
		for (; scan < t->acc_off && scan < an->acc.len; scan++)
			depth += an->acc.data[scan] == '(' ? 1 : an->acc.data[scan] == ')' ? -1 : 0;
		int bit = t->stop || (f == SEARCH_F_NAME && depth > 0) ? -1 : tbit;
		err = add_occ(b, d, search__fold(an, i), t->fold_len, f, bit);
		if (err)
			break;
		td_buf_clear(key);
		td_buf_addc(key, SEARCH__ACCENT_MARK);
		td_buf_add(key, search__acc(an, i), t->acc_len);
		if (td_buf_error(key))
			return TD_ERR_TOOBIG;
		err = add_occ(b, d, key->data, key->len, f, -1);
		if (err || !t->adj)
			continue;
		const struct search__tok *p = &an->t[i - 1];
		td_buf_clear(key);
		td_buf_add(key, search__fold(an, i - 1), p->fold_len);
		td_buf_addc(key, ' ');
		td_buf_add(key, search__fold(an, i), t->fold_len);
		if (td_buf_error(key))
			return TD_ERR_TOOBIG;
		err = add_occ(b, d, key->data, key->len, f, -1);
	}
	return err;
}

/* Add the folded unigrams and bigrams of the analysed text in b->an2 to
 * record d, field f (no length: they restate what is there). */
static td_err add_expansion_terms(struct builder *b, uint32_t d, int f, int tbit)
{
	struct search__an *an = &b->an2;
	for (size_t i = 0; i < an->n; i++) {
		const struct search__tok *t = &an->t[i];
		td_err err = add_occ(b, d, search__fold(an, i), t->fold_len, f, t->stop ? -1 : tbit);
		if (err)
			return err;
		if (!t->adj)
			continue;
		td_buf_clear(&b->key);
		td_buf_add(&b->key, search__fold(an, i - 1), an->t[i - 1].fold_len);
		td_buf_addc(&b->key, ' ');
		td_buf_add(&b->key, search__fold(an, i), t->fold_len);
		if (td_buf_error(&b->key))
			return TD_ERR_TOOBIG;
		err = add_occ(b, d, b->key.data, b->key.len, f, -1);
		if (err)
			return err;
	}
	return TD_OK;
}

/* The lexicon entry (ix->lex id) of the longest match at token i of an whose
 * first syllable is in first, at most maxsyl syllables; *k gets its length. */
static uint32_t longest_match(const struct search__dict *lex, const struct search__dict *first,
			      unsigned maxsyl, const struct search__an *an, size_t i,
			      struct td_buf *key, size_t *k)
{
	if (first && search__dict_find(first, search__fold(an, i), an->t[i].fold_len) ==
			     SEARCH__NONE)
		return SEARCH__NONE;
	size_t m = an->n - i < maxsyl ? an->n - i : maxsyl;
	for (; m > 0; m--) {
		td_buf_clear(key);
		for (size_t j = i; j < i + m; j++) {
			if (j > i)
				td_buf_addc(key, ' ');
			td_buf_add(key, search__fold(an, j), an->t[j].fold_len);
		}
		if (td_buf_error(key))
			continue;
		uint32_t e = search__dict_find(lex, key->data, key->len);
		if (e != SEARCH__NONE) {
			*k = m;
			return e;
		}
	}
	return SEARCH__NONE;
}

/* Records write "TNLĐ", "UBND", "công ty TNHH" as often as the long form:
 * index the long form of every abbreviation too, so a question in either
 * form finds the record. */
static td_err expand_abbrevs(struct builder *b, uint32_t d, int f, int tbit)
{
	struct search_index *ix = b->ix;
	if (!b->abbr_first.n)
		return TD_OK;
	for (size_t i = 0; i < b->an.n;) {
		size_t k = 0;
		uint32_t e = longest_match(&ix->lex, &b->abbr_first, b->abbr_max_syl, &b->an, i,
					   &b->key, &k);
		if (e == SEARCH__NONE || b->lex_ent[e]->category != VN_LEX_ABBREV) {
			i++;
			continue;
		}
		const struct vn_lexicon_entry *en = b->lex_ent[e];
		for (size_t j = 0; j < en->nexp; j++) {
			if (search__analyze(&b->an2, en->exp[j], strlen(en->exp[j])))
				continue;
			search__mark_stops(&b->an2, b->ix->has_stop ? &b->ix->stop : NULL, true,
					   &b->key);
			td_err err = add_expansion_terms(b, d, f, tbit);
			if (err)
				return err;
		}
		i += k;
	}
	return TD_OK;
}

static float field_norm(const struct builder *b, uint32_t d, int f)
{
	const struct search_options *o = &b->ix->opt;
	double avg = b->ix->avg_len[f] > 0 ? b->ix->avg_len[f] : 1.0;
	return (float)((1.0 - o->b[f]) + o->b[f] * b->len[(size_t)d * SEARCH_NFIELDS + f] / avg);
}

/* Turn the record-local counts into postings. */
static void flush_doc(struct builder *b, uint32_t d)
{
	const struct search_options *o = &b->ix->opt;
	float norm[SEARCH_NFIELDS];
	for (int f = 0; f < SEARCH_NFIELDS; f++)
		norm[f] = field_norm(b, d, f);
	for (size_t i = 0; i < b->nloc; i++) {
		const struct occ *oc = &b->loc[i];
		double tf = 0;
		for (int f = 0; f < SEARCH_NFIELDS; f++)
			if (oc->tf[f])
				tf += o->weight[f] * oc->tf[f] / norm[f];
		struct pvec *v = &b->pv[oc->term];
		if (v->n == v->cap) {
			v->cap = v->cap ? 2 * v->cap : 2;
			v->p = td_reallocarray(v->p, v->cap, sizeof *v->p);
		}
		struct search__post *p = &v->p[v->n++];
		memset(p, 0, sizeof *p);
		p->doc = d;
		p->sat = (float)(tf / (o->k1 + tf));
		p->tmask = oc->tmask;
		p->fmask = oc->fmask;
	}
	b->nloc = 0;
}

static td_err analyze_piece(struct builder *b, const char *s, size_t n)
{
	td_err err = search__analyze(&b->an, s, n);
	if (err)
		return err;
	search__mark_stops(&b->an, b->ix->has_stop ? &b->ix->stop : NULL, true, &b->key);
	return TD_OK;
}

/* Pass 1: field lengths in tokens, and their averages. */
static td_err count_lengths(struct builder *b)
{
	struct search_index *ix = b->ix;
	double sum[SEARCH_NFIELDS] = {0};
	for (size_t d = 0; d < ix->ndocs; d++) {
		const struct kb_procedure *p = ix->procs[d];
		for (int f = 0; f < SEARCH_NFIELDS; f++) {
			size_t np = piece_count(p, f), len = 0;
			for (size_t k = 0; k < np; k++) {
				const char *s = piece(p, f, k);
				if (!s || !*s)
					continue;
				td_err err = search__analyze(&b->an, s, strlen(s));
				if (err)
					return err;
				len += b->an.n;
			}
			b->len[d * SEARCH_NFIELDS + f] = (float)len;
			sum[f] += (double)len;
		}
	}
	for (int f = 0; f < SEARCH_NFIELDS; f++)
		ix->avg_len[f] = ix->ndocs ? sum[f] / (double)ix->ndocs : 0;
	return TD_OK;
}

/* Pass 2: terms and postings. */
static td_err index_docs(struct builder *b)
{
	struct search_index *ix = b->ix;
	for (size_t d = 0; d < ix->ndocs; d++) {
		const struct kb_procedure *p = ix->procs[d];
		for (int f = 0; f < SEARCH_NFIELDS; f++) {
			size_t np = piece_count(p, f);
			for (size_t k = 0; k < np; k++) {
				const char *s = piece(p, f, k);
				if (!s || !*s)
					continue;
				td_err err = analyze_piece(b, s, strlen(s));
				if (!err)
					err = add_text_terms(b, (uint32_t)d, f, title_bit(f, k));
				if (!err)
					err = expand_abbrevs(b, (uint32_t)d, f, title_bit(f, k));
				if (err)
					return err;
			}
		}
		flush_doc(b, (uint32_t)d);
	}
	return TD_OK;
}

/* Pack the per-term vectors, compute IDFs, kinds and title masses. */
static void freeze(struct builder *b)
{
	struct search_index *ix = b->ix;
	size_t nt = ix->vocab.n, total = 0;
	for (size_t t = 0; t < nt; t++)
		total += b->pv[t].n;
	ix->npost = total;
	ix->post = td_reallocarray(NULL, total ? total : 1, sizeof *ix->post);
	ix->post_off = td_reallocarray(NULL, nt + 1, sizeof *ix->post_off);
	ix->idf = td_reallocarray(NULL, nt ? nt : 1, sizeof *ix->idf);
	ix->kind = td_calloc(nt ? nt : 1, 1);
	ix->cover = td_calloc(nt ? nt : 1, 1);
	double N = (double)ix->ndocs;
	size_t at = 0;
	for (size_t t = 0; t < nt; t++) {
		ix->post_off[t] = (uint32_t)at;
		if (b->pv[t].n)
			memcpy(ix->post + at, b->pv[t].p, b->pv[t].n * sizeof *ix->post);
		at += b->pv[t].n;
		double df = b->pv[t].n;
		ix->idf[t] = (float)log(1.0 + (N - df + 0.5) / (df + 0.5));
		size_t len;
		const char *k = search__dict_key(&ix->vocab, (uint32_t)t, &len);
		if (len && k[0] == SEARCH__ACCENT_MARK)
			ix->kind[t] = SEARCH__K_ACCENT;
		else if (memchr(k, ' ', len))
			ix->kind[t] = SEARCH__K_BIGRAM;
		else
			ix->kind[t] = SEARCH__K_FOLD;
		ix->cover[t] = ix->kind[t] != SEARCH__K_ACCENT;
		td_free(b->pv[t].p);
		b->pv[t].p = NULL;
	}
	ix->post_off[nt] = (uint32_t)at;

	size_t ntitles = 0;
	ix->title_off = td_reallocarray(NULL, ix->ndocs + 1, sizeof *ix->title_off);
	for (size_t d = 0; d < ix->ndocs; d++) {
		ix->title_off[d] = (uint32_t)ntitles;
		size_t na = ix->procs[d]->aliases.n;
		ntitles += 1 + (na < SEARCH__MAX_TITLES - 1 ? na : SEARCH__MAX_TITLES - 1);
	}
	ix->title_off[ix->ndocs] = (uint32_t)ntitles;
	ix->title_mass = td_calloc(ntitles ? ntitles : 1, sizeof *ix->title_mass);
	for (size_t t = 0; t < nt; t++) {
		if (!ix->cover[t])
			continue;
		for (uint32_t i = ix->post_off[t]; i < ix->post_off[t + 1]; i++) {
			const struct search__post *p = &ix->post[i];
			for (unsigned m = p->tmask, k = 0; m; m >>= 1, k++)
				if (m & 1)
					ix->title_mass[ix->title_off[p->doc] + k] += ix->idf[t];
		}
	}
}

/*
 * The level prior: where a citizen goes to do the procedure.  A city
 * switchboard is asked about what people do at their commune far more than
 * about what only a ministry handles.  In each of the four question sets we
 * have (the development set and three written for the lexicon), the asked-for
 * records are 1.5-2.3 times more often commune-level and 3-6 times less often
 * ministry-only than the catalogue as a whole (docs/internals/search.md).
 * Records done at the commune (Cấp xã) get 1, at the province (Cấp tỉnh) 0.5,
 * the rest (ministry only, other bodies, no level given) 0; the query adds
 * opt.level_prior times it: a tie-breaker between close candidates, half the
 * title bonus of a fully named procedure.
 */
static float level_prior_of(const struct kb_procedure *p, struct td_buf *key)
{
	float best = 0;
	for (size_t i = 0; i < p->levels.n; i++) {
		const char *l = p->levels.items[i];
		td_buf_clear(key);
		if (vn_fold(key, l, strlen(l), 0) != TD_OK)
			continue;
		td_buf_addc(key, '\0');
		if (td_buf_error(key))
			continue;
		if (strstr(key->data, "cap xa"))
			best = 1;
		else if (strstr(key->data, "cap tinh") && best < 0.5f)
			best = 0.5f;
	}
	return best;
}

static void compute_priors(struct search_index *ix, struct td_buf *key)
{
	ix->prior = td_calloc(ix->ndocs ? ix->ndocs : 1, sizeof *ix->prior);
	for (size_t d = 0; d < ix->ndocs; d++)
		ix->prior[d] = level_prior_of(ix->procs[d], key);
}

/*
 * Variant verbs.  Many procedures come as a base and its variants: "Đăng ký
 * biện pháp bảo đảm bằng động sản" and "Xóa đăng ký ...", "Cấp giấy phép X"
 * and "Cấp lại giấy phép X", "Điều chỉnh thông tin về cư trú".  The verb that
 * leads a variant's name is most of what tells it from its siblings, while
 * the rest of the name - and often a longer body - matches as well.  So a
 * record whose (folded) name starts with a variant rule's prefix remembers
 * the term of the rule's verb (the bigram "cap lai", the word "xoa"): a
 * question whose terms, lexicon expansions included ("làm lại" -> "cấp
 * lại", "gỡ thế chấp" -> "xóa đăng ký"), contain it adds opt.verb_bonus, one
 * that lacks it takes opt.verb_penalty off.  And when some record's name is
 * the rule's base prefix plus the same rest, that record is the variant's
 * base: a question that says one of its variants' verbs ("bị mất" -> "cấp
 * lại") takes opt.verb_penalty off the base.
 */
struct variant_rule {
	const char *prefix, *base, *verb;
};

static const struct variant_rule variant_rules[] = {
	{"cap lai ", "cap ", "cap lai"},
	{"cap doi ", "cap ", "cap doi"},
	{"gia han ", "cap ", "gia han"},
	{"gia han ", "", "gia han"},
	{"xoa dang ky ", "dang ky ", "xoa"},
	{"xoa ", "", "xoa"},
	{"thu hoi ", "", "thu hoi"},
	{"chap thuan lai ", "chap thuan ", "thuan lai"},
	{"dang ky lai ", "dang ky ", "ky lai"},
	{"dang ky thay doi ", "dang ky ", "thay doi"},
	{"thay doi ", "", "thay doi"},
	{"dieu chinh ", "", "dieu chinh"},
	{"dieu chinh ", "cap ", "dieu chinh"},
	{"cham dut ", "", "cham dut"},
	{"huy ", "", "huy"},
	{"tra lai ", "", "tra lai"},
	{"sua doi, bo sung ", "", "sua doi"},
	{"sua doi ", "", "sua doi"},
	{"khoi phuc ", "", "khoi phuc"},
};

/* The folded name as pairing compares it: without a leading "thủ tục" (a
 * quarter of the catalogue starts so) and without the word "mới" ("Cấp giấy
 * phép xây dựng mới đối với ..." is the base of "Cấp lại giấy phép xây dựng
 * đối với ..."; "Cấp mới chứng chỉ X" of "Cấp lại chứng chỉ X"), nor
 * what is in parentheses (the two list their kinds of works differently). */
static bool fold_name(const struct kb_procedure *p, struct td_buf *key, struct td_buf *out)
{
	td_buf_clear(key);
	if (!p->name || vn_fold(key, p->name, strlen(p->name), 0) != TD_OK)
		return false;
	td_buf_addc(key, '\0');
	if (td_buf_error(key))
		return false;
	/* parenthesised qualifiers out: "(thực hiện tại cấp tỉnh)" */
	char *kept = key->data;
	int depth = 0;
	for (const char *r = key->data; *r; r++) {
		if (*r == '(')
			depth++;
		else if (*r == ')' && depth > 0)
			depth--;
		else if (!depth)
			*kept++ = *r;
	}
	*kept = '\0';
	const char *s = key->data;
	while (*s == ' ')
		s++;
	if (!strncmp(s, "thu tuc ", 8))
		s += 8;
	td_buf_clear(out);
	while (*s) {
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		bool drop = s - w == 3 && !memcmp(w, "moi", 3);
		if (!drop) {
			if (out->len)
				td_buf_addc(out, ' ');
			td_buf_add(out, w, (size_t)(s - w));
		}
		while (*s == ' ')
			s++;
	}
	td_buf_addc(out, '\0');
	return !td_buf_error(out);
}

struct named {
	char *name;
	uint32_t doc;
};

static int cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->doc > y->doc) - (x->doc < y->doc);
}

/* The records named exactly base (sorted[lo..hi)). */
static void find_named(const struct named *sorted, size_t ns, const char *base, size_t *lo,
		       size_t *hi)
{
	size_t a = 0, b = ns;
	while (a < b) {
		size_t m = a + (b - a) / 2;
		if (strcmp(sorted[m].name, base) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (b < ns && !strcmp(sorted[b].name, base))
		b++;
	*hi = b < a ? a : b;
}

/* Rule r's base name for the folded name, in key; false when r does not apply. */
static bool base_name(const struct variant_rule *r, const char *name, struct td_buf *key)
{
	size_t pl = strlen(r->prefix);
	if (strncmp(name, r->prefix, pl) != 0)
		return false;
	td_buf_clear(key);
	td_buf_add(key, r->base, strlen(r->base));
	td_buf_add(key, name + pl, strlen(name + pl));
	td_buf_addc(key, '\0');
	return !td_buf_error(key);
}

/* The index of verb among the distinct verb terms (added when new), or -1
 * when it is not a term of the records or the table is full. */
static int verb_index(struct search_index *ix, uint32_t verb)
{
	if (verb == SEARCH__NONE)
		return -1;
	for (size_t k = 0; k < ix->nverb_ids; k++)
		if (ix->verb_ids[k] == verb)
			return (int)k;
	if (ix->nverb_ids == sizeof ix->verb_ids / sizeof *ix->verb_ids)
		return -1;
	ix->verb_ids[ix->nverb_ids] = verb;
	return (int)ix->nverb_ids++;
}

static void compute_variants(struct search_index *ix, struct td_buf *key)
{
	size_t n = ix->ndocs, ns = 0;
	ix->verb = td_calloc(n ? n : 1, sizeof *ix->verb);
	ix->base_mask = td_calloc(n ? n : 1, sizeof *ix->base_mask);
	struct named *sorted = td_calloc(n ? n : 1, sizeof *sorted);
	char **names = td_calloc(n ? n : 1, sizeof *names);
	struct td_buf nm;
	td_buf_init(&nm, 1 << 16);
	for (size_t d = 0; d < n; d++) {
		if (fold_name(ix->procs[d], key, &nm)) {
			names[d] = td_strdup(nm.data);
			sorted[ns++] = (struct named){names[d], (uint32_t)d};
		}
	}
	qsort(sorted, ns, sizeof *sorted, cmp_named);
	for (size_t d = 0; d < n; d++) {
		/* the first rule whose prefix leads the name gives the verb; the
		 * first that also finds a base marks the bases */
		for (size_t r = 0; names[d] && r < sizeof variant_rules / sizeof *variant_rules; r++) {
			const struct variant_rule *vr = &variant_rules[r];
			if (!base_name(vr, names[d], key))
				continue;
			int v = verb_index(ix, search__dict_find(&ix->vocab, vr->verb, strlen(vr->verb)));
			if (v < 0)
				continue;
			if (!ix->verb[d])
				ix->verb[d] = (uint8_t)(v + 1);
			size_t lo, hi;
			find_named(sorted, ns, key->data, &lo, &hi);
			if (lo == hi)
				continue;
			for (size_t k = lo; k < hi; k++)
				ix->base_mask[sorted[k].doc] |= UINT32_C(1) << v;
			break;
		}
	}
	for (size_t d = 0; d < n; d++)
		td_free(names[d]);
	td_buf_release(&nm);
	td_free(names);
	td_free(sorted);
}

/* ------------------------------------------------------------------------- */
/* Lexicon: every entry's expansions as vocabulary term ids                   */
/* ------------------------------------------------------------------------- */

/* Append the known, non-filler folded terms of the analysed expansion. */
static void lex_terms(struct builder *b, uint32_t **terms, size_t *n, size_t *cap, size_t from)
{
	struct search_index *ix = b->ix;
	struct search__an *an = &b->an;
	for (size_t i = 0; i < an->n; i++) {
		uint32_t id[2] = {SEARCH__NONE, SEARCH__NONE};
		const struct search__tok *t = &an->t[i];
		if (!t->stop)
			id[0] = search__dict_find(&ix->vocab, search__fold(an, i), t->fold_len);
		if (t->adj && !(t->stop && an->t[i - 1].stop)) {
			td_buf_clear(&b->key);
			td_buf_add(&b->key, search__fold(an, i - 1), an->t[i - 1].fold_len);
			td_buf_addc(&b->key, ' ');
			td_buf_add(&b->key, search__fold(an, i), t->fold_len);
			if (!td_buf_error(&b->key))
				id[1] = search__dict_find(&ix->vocab, b->key.data, b->key.len);
		}
		for (int j = 0; j < 2; j++) {
			if (id[j] == SEARCH__NONE)
				continue;
			bool dup = false;
			for (size_t k = from; k < *n && !dup; k++)
				dup = (*terms)[k] == id[j];
			if (dup)
				continue;
			if (*n == *cap) {
				*cap = *cap ? 2 * *cap : 256;
				*terms = td_reallocarray(*terms, *cap, sizeof **terms);
			}
			(*terms)[(*n)++] = id[j];
		}
	}
}

/* Before the records: every lexicon term under our own key (the folded
 * syllables of our analysis, so matching agrees with our tokens whatever the
 * lexicon's internal key is), and the first syllables of abbreviations. */
static void lex_prepare(struct builder *b, const struct vn_lexicon *lex)
{
	struct search_index *ix = b->ix;
	size_t ne = lex ? vn_lexicon_count(lex) : 0;
	b->lex_ent = td_calloc(ne ? ne : 1, sizeof *b->lex_ent);
	for (size_t e = 0; e < ne; e++) {
		const struct vn_lexicon_entry *en = vn_lexicon_entry_at(lex, e);
		if (search__analyze(&b->an, en->term, strlen(en->term)) || !b->an.n)
			continue;
		td_buf_clear(&b->key);
		for (size_t i = 0; i < b->an.n; i++) {
			if (i)
				td_buf_addc(&b->key, ' ');
			td_buf_add(&b->key, search__fold(&b->an, i), b->an.t[i].fold_len);
		}
		if (td_buf_error(&b->key))
			continue;
		/* every leading run of syllables, the key included: a query
		 * stops lengthening a phrase as soon as it leaves this set */
		for (size_t i = 0, len = 0; i < b->an.n; i++) {
			len += (i ? 1 : 0) + b->an.t[i].fold_len;
			search__dict_intern(&ix->lex_prefix, b->key.data, len);
		}
		size_t before = ix->lex.n;
		uint32_t id = search__dict_intern(&ix->lex, b->key.data, b->key.len);
		if (id == SEARCH__NONE || ix->lex.n == before)
			continue; /* same folded term twice: keep the first */
		b->lex_ent[id] = en;
		/* The accented spelling too: with diacritics typed, "sơ đồ" must
		 * not match the everyday term "sổ đỏ" (they fold alike). */
		td_buf_clear(&b->key);
		for (size_t i = 0; i < b->an.n; i++) {
			if (i)
				td_buf_addc(&b->key, ' ');
			td_buf_add(&b->key, search__acc(&b->an, i), b->an.t[i].acc_len);
		}
		ix->lex_acc_of = td_reallocarray(ix->lex_acc_of, ix->lex.n, sizeof *ix->lex_acc_of);
		ix->lex_acc_of[id] = td_buf_error(&b->key)
					     ? SEARCH__NONE
					     : search__dict_intern(&ix->lex_acc, b->key.data, b->key.len);
		unsigned nsyl = (unsigned)b->an.n;
		if (nsyl > ix->lex_max_syl)
			ix->lex_max_syl = nsyl;
		if (en->category != VN_LEX_ABBREV)
			continue;
		search__dict_intern(&b->abbr_first, search__fold(&b->an, 0), b->an.t[0].fold_len);
		if (nsyl > b->abbr_max_syl)
			b->abbr_max_syl = nsyl;
	}
}

/* Smallest document frequency of the syllables / bigrams of the analysed
 * text in b->an (how established the phrase is in the records). */
static uint32_t phrase_df(struct builder *b)
{
	struct search_index *ix = b->ix;
	struct search__an *an = &b->an;
	uint32_t best = UINT32_MAX;
	for (size_t i = 0; i < an->n; i++) {
		if (an->n > 1 && i == 0)
			continue;
		td_buf_clear(&b->key);
		if (an->n > 1) {
			td_buf_add(&b->key, search__fold(an, i - 1), an->t[i - 1].fold_len);
			td_buf_addc(&b->key, ' ');
		}
		td_buf_add(&b->key, search__fold(an, i), an->t[i].fold_len);
		uint32_t t = search__dict_find(&ix->vocab, b->key.data, b->key.len);
		uint32_t df = t == SEARCH__NONE ? 0 : ix->post_off[t + 1] - ix->post_off[t];
		if (df < best)
			best = df;
	}
	return best == UINT32_MAX ? 0 : best;
}

/* Keep the folded syllables of a one-word abbreviation's first expansion
 * (analysed in b->an), so that lexicon phrases can be matched with the
 * abbreviation spelt out ("thông tin QH" as "thông tin quy hoạch"). */
static void abbr_spell(struct builder *b, uint32_t id)
{
	struct search_index *ix = b->ix;
	const struct search__an *an = &b->an;
	if (an->n > 4)
		return;
	td_buf_clear(&b->key);
	for (size_t i = 0; i < an->n; i++) {
		if (i)
			td_buf_addc(&b->key, ' ');
		td_buf_add(&b->key, search__fold(an, i), an->t[i].fold_len);
	}
	if (td_buf_error(&b->key) || !b->key.len)
		return;
	ix->lex_spell[id] = td_strndup(b->key.data, b->key.len);
	ix->lex_spell_syl[id] = (uint8_t)an->n;
}

/* After the records: each entry's expansions as term ids.  A term that the
 * records themselves use a lot ("chứng thực", "TNHH") only gets its
 * expansions at known_expand_weight: they are then a hint, not a bridge. */
static void lex_resolve(struct builder *b)
{
	struct search_index *ix = b->ix;
	size_t n = 0, cap = 0;
	uint32_t *terms = NULL;
	ix->lex_off = td_reallocarray(NULL, ix->lex.n + 1, sizeof *ix->lex_off);
	ix->lex_w = td_reallocarray(NULL, ix->lex.n ? ix->lex.n : 1, sizeof *ix->lex_w);
	ix->lex_head = td_reallocarray(NULL, ix->lex.n ? ix->lex.n : 1, sizeof *ix->lex_head);
	ix->lex_tail = td_reallocarray(NULL, ix->lex.n ? ix->lex.n : 1, sizeof *ix->lex_tail);
	ix->lex_spell = td_calloc(ix->lex.n ? ix->lex.n : 1, sizeof *ix->lex_spell);
	ix->lex_spell_syl = td_calloc(ix->lex.n ? ix->lex.n : 1, sizeof *ix->lex_spell_syl);
	for (size_t id = 0; id < ix->lex.n; id++) {
		const struct vn_lexicon_entry *en = b->lex_ent[id];
		size_t klen;
		const char *key = search__dict_key(&ix->lex, (uint32_t)id, &klen);
		ix->lex_off[id] = (uint32_t)n;
		ix->lex_w[id] = ix->opt.expand_weight;
		ix->lex_head[id] = ix->lex_tail[id] = SEARCH__NONE;
		bool ok = !search__analyze(&b->an, key, klen);
		if (ok && phrase_df(b) >= 3)
			ix->lex_w[id] = ix->opt.known_expand_weight;
		if (ok && b->an.n == 1 && en->category == VN_LEX_ABBREV && en->nexp &&
		    !analyze_piece(b, en->exp[0], strlen(en->exp[0])) && b->an.n) {
			struct search__an *an = &b->an;
			size_t last = an->n - 1;
			ix->lex_head[id] = search__dict_find(&ix->vocab, search__fold(an, 0),
							     an->t[0].fold_len);
			ix->lex_tail[id] = search__dict_find(&ix->vocab, search__fold(an, last),
							     an->t[last].fold_len);
			abbr_spell(b, (uint32_t)id);
		}
		for (size_t j = 0; j < en->nexp; j++) {
			if (analyze_piece(b, en->exp[j], strlen(en->exp[j])))
				continue;
			lex_terms(b, &terms, &n, &cap, ix->lex_off[id]);
		}
	}
	ix->lex_off[ix->lex.n] = (uint32_t)n;
	ix->lex_term = terms ? terms : td_calloc(1, sizeof *terms);
}

/* ------------------------------------------------------------------------- */
/* Stop words in questions typed without diacritics                           */
/* ------------------------------------------------------------------------- */

/* Folding merges a filler with content words: "hỏi" and "hội" (xã hội),
 * "chị" and "chi" (chi nhánh), "tôi" and "tội".  A one-syllable folded stop
 * word stays a stop word for questions without diacritics only when its
 * accented filler forms account for at least half of the records that
 * contain the folded syllable; otherwise it is treated as content there. */
static void stop_refine(struct builder *b)
{
	struct search_index *ix = b->ix;
	if (!ix->has_stop)
		return;
	struct search__dict folds;
	search__dict_init(&folds);
	double *acc_df = td_calloc(ix->stop.acc.n + 1, sizeof *acc_df);
	for (size_t i = 0; i < ix->stop.acc.n; i++) {
		size_t len;
		const char *k = search__dict_key(&ix->stop.acc, (uint32_t)i, &len);
		if (memchr(k, ' ', len))
			continue;
		td_buf_clear(&b->key);
		td_buf_addc(&b->key, SEARCH__ACCENT_MARK);
		td_buf_add(&b->key, k, len);
		uint32_t t = search__dict_find(&ix->vocab, b->key.data, b->key.len);
		td_buf_clear(&b->key);
		if (vn_fold(&b->key, k, len, VN_LOSSY) || !b->key.len)
			continue;
		uint32_t f = search__dict_intern(&folds, b->key.data, b->key.len);
		if (f != SEARCH__NONE && t != SEARCH__NONE)
			acc_df[f] += ix->post_off[t + 1] - ix->post_off[t];
	}
	struct search__dict keep;
	search__dict_init(&keep);
	for (size_t i = 0; i < ix->stop.fold.n; i++) {
		size_t len;
		const char *k = search__dict_key(&ix->stop.fold, (uint32_t)i, &len);
		bool active = true;
		uint32_t f = search__dict_find(&folds, k, len);
		uint32_t t = search__dict_find(&ix->vocab, k, len);
		if (!memchr(k, ' ', len) && f != SEARCH__NONE && t != SEARCH__NONE) {
			double df = ix->post_off[t + 1] - ix->post_off[t];
			active = acc_df[f] >= 0.5 * df;
		}
		if (active)
			search__dict_intern(&keep, k, len);
	}
	search__dict_release(&ix->stop.fold);
	ix->stop.fold = keep;
	search__dict_release(&folds);
	td_free(acc_df);
}

/* ------------------------------------------------------------------------- */
/* Typo neighbourhood                                                         */
/* ------------------------------------------------------------------------- */

static bool plain_word(const char *k, size_t n)
{
	if (n < SEARCH__TYPO_MIN || n > SEARCH__TYPO_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (k[i] < 'a' || k[i] > 'z')
			return false;
	return true;
}

static int typo_cmp(const void *a, const void *b)
{
	const struct search__typo *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->term < y->term ? -1 : x->term > y->term;
}

static void build_typo(struct search_index *ix)
{
	size_t n = 0, cap = 0;
	struct search__typo *v = NULL;
	char del[SEARCH__TYPO_MAX];
	for (size_t t = 0; t < ix->vocab.n; t++) {
		size_t len;
		const char *k = search__dict_key(&ix->vocab, (uint32_t)t, &len);
		if (ix->kind[t] != SEARCH__K_FOLD || !plain_word(k, len))
			continue;
		if (n + len + 1 > cap) {
			cap = cap ? 2 * cap : 4096;
			while (cap < n + len + 1)
				cap *= 2;
			v = td_reallocarray(v, cap, sizeof *v);
		}
		v[n++] = (struct search__typo){search__hash(k, len), (uint32_t)t};
		for (size_t i = 0; i < len; i++) {
			memcpy(del, k, i);
			memcpy(del + i, k + i + 1, len - i - 1);
			v[n++] = (struct search__typo){search__hash(del, len - 1), (uint32_t)t};
		}
	}
	if (n)
		qsort(v, n, sizeof *v, typo_cmp);
	ix->typo = v;
	ix->ntypo = n;
}

/* ------------------------------------------------------------------------- */
/* Public                                                                     */
/* ------------------------------------------------------------------------- */

static void index_free(struct search_index *ix)
{
	if (ix->opt.own_records)
		for (size_t i = 0; i < ix->ndocs; i++)
			kb_procedure_free(ix->procs[i]);
	td_free(ix->procs);
	search__dict_release(&ix->vocab);
	td_free(ix->kind);
	td_free(ix->cover);
	td_free(ix->idf);
	td_free(ix->post_off);
	td_free(ix->post);
	td_free(ix->title_off);
	td_free(ix->title_mass);
	td_free(ix->prior);
	td_free(ix->verb);
	td_free(ix->base_mask);
	search__dict_release(&ix->stop.acc);
	search__dict_release(&ix->stop.fold);
	if (ix->lex_spell)
		for (size_t i = 0; i < ix->lex.n; i++)
			td_free(ix->lex_spell[i]);
	td_free(ix->lex_spell);
	td_free(ix->lex_spell_syl);
	search__dict_release(&ix->lex);
	search__dict_release(&ix->lex_prefix);
	search__dict_release(&ix->lex_acc);
	td_free(ix->lex_acc_of);
	td_free(ix->lex_off);
	td_free(ix->lex_term);
	td_free(ix->lex_head);
	td_free(ix->lex_tail);
	td_free(ix->lex_w);
	td_free(ix->typo);
	td_free(ix);
}

static void builder_release(struct builder *b)
{
	search__an_release(&b->an);
	td_buf_release(&b->key);
	td_free(b->doc_of);
	td_free(b->slot_of);
	if (b->pv)
		for (size_t t = 0; t < b->term_cap; t++)
			td_free(b->pv[t].p);
	td_free(b->pv);
	td_free(b->loc);
	td_free(b->len);
	td_free(b->lex_ent);
	search__dict_release(&b->abbr_first);
	search__an_release(&b->an2);
}

td_err search_index_build_opts(struct kb_procedure *const *procs, size_t n,
			       const struct vn_lexicon *lex, const struct search_stopwords *stop,
			       const struct search_options *opts, struct search_index **out)
{
	if (!out)
		return TD_ERR_INVAL;
	*out = NULL;
	if ((n && !procs) || n >= MAX_DOCS)
		return TD_ERR_INVAL;
	for (size_t i = 0; i < n; i++)
		if (!procs[i])
			return TD_ERR_INVAL;
	struct search_index *ix = td_calloc(1, sizeof *ix);
	atomic_init(&ix->refs, 1);
	if (opts)
		ix->opt = *opts;
	else
		search_options_default(&ix->opt);
	bool own = ix->opt.own_records;
	ix->opt.own_records = false; /* until the build succeeded */
	ix->ndocs = n;
	ix->procs = td_reallocarray(NULL, n ? n : 1, sizeof *ix->procs);
	if (n)
		memcpy(ix->procs, procs, n * sizeof *procs);
	if (stop) {
		search__dict_copy(&ix->stop.acc, &stop->acc);
		search__dict_copy(&ix->stop.fold, &stop->fold);
		ix->stop.max_syl = stop->max_syl;
		ix->has_stop = true;
	}

	struct builder b = {0};
	b.ix = ix;
	search__an_init(&b.an, VN_INPUT_MAX);
	td_buf_init(&b.key, 1 << 20);
	b.len = td_calloc(n ? n * SEARCH_NFIELDS : 1, sizeof *b.len);
	search__an_init(&b.an2, VN_INPUT_MAX);
	lex_prepare(&b, lex);
	td_err err = count_lengths(&b);
	if (!err)
		err = index_docs(&b);
	if (err)
		goto fail;
	freeze(&b);
	lex_resolve(&b);
	stop_refine(&b);
	build_typo(ix);
	compute_priors(ix, &b.key);
	compute_variants(ix, &b.key);
	builder_release(&b);
	ix->opt.own_records = own;
	*out = ix;
	return TD_OK;
fail:
	builder_release(&b);
	index_free(ix);
	return err;
}

td_err search_index_build(struct kb_procedure *const *procs, size_t n,
			  const struct vn_lexicon *lex, const struct search_stopwords *stop,
			  struct search_index **out)
{
	return search_index_build_opts(procs, n, lex, stop, NULL, out);
}

void search_index_ref(struct search_index *ix)
{
	atomic_fetch_add_explicit(&ix->refs, 1, memory_order_relaxed);
}

void search_index_unref(struct search_index *ix)
{
	if (!ix)
		return;
	if (atomic_fetch_sub_explicit(&ix->refs, 1, memory_order_acq_rel) == 1)
		index_free(ix);
}

size_t search_index_count(const struct search_index *ix)
{
	return ix->ndocs;
}

const struct kb_procedure *search_index_record(const struct search_index *ix, size_t i)
{
	return i < ix->ndocs ? ix->procs[i] : NULL;
}

size_t search_index_terms(const struct search_index *ix)
{
	return ix->vocab.n;
}

size_t search_index_bytes(const struct search_index *ix)
{
	size_t nt = ix->vocab.n, ntitles = ix->title_off[ix->ndocs];
	return sizeof *ix + ix->ndocs * sizeof *ix->procs + search__dict_bytes(&ix->vocab) +
	       nt * (2 + sizeof *ix->idf) + (nt + 1) * sizeof *ix->post_off +
	       ix->npost * sizeof *ix->post + (ix->ndocs + 1) * sizeof *ix->title_off +
	       ntitles * sizeof *ix->title_mass + ix->ndocs * sizeof *ix->prior + search__dict_bytes(&ix->stop.acc) +
	       search__dict_bytes(&ix->stop.fold) + search__dict_bytes(&ix->lex) +
	       (ix->lex.n + 1) * (sizeof *ix->lex_off + sizeof *ix->lex_w + 2 * sizeof *ix->lex_head) +
	       (ix->lex_off[ix->lex.n] + 1) * sizeof *ix->lex_term + ix->ntypo * sizeof *ix->typo +
	       search__dict_bytes(&ix->lex_acc) + search__dict_bytes(&ix->lex_prefix) +
	       ix->lex.n * sizeof *ix->lex_acc_of +
	       ix->ndocs * (sizeof *ix->verb + sizeof *ix->base_mask);
}
