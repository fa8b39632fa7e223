/*
 * classify.c - category, level and emergency of a citizen's message.
 *
 * The message is folded once (vn_fold: no case, no diacritics, đ→d), cut into
 * syllables, and chat shorthand is expanded (aliases.tsv: ko→không,
 * pccc→phòng cháy chữa cháy).  Then three sources of evidence meet on a
 * log-odds scale:
 *
 *  - naive Bayes models trained at load time from train.tsv over hashed
 *    features (syllables, syllable bigrams, a number/code class): one for
 *    the category (22 classes), one for the level, one for emergency yes/no.
 *    Multinomial NB was chosen over logistic regression because it trains in
 *    one counting pass (the model is rebuilt at every load and five times
 *    for the cross-validated report), needs no learning-rate or epoch
 *    tuning, behaves well with ~60 short examples per class, and its
 *    per-feature log-ratios are directly the "top words" we show as reasons.
 *    Features never seen in training are skipped, so unseen street names do
 *    not pull a message towards the smallest class;
 *  - weighted phrases (rules.tsv) for a category or a level;
 *  - emergency triggers (emergency.tsv) with the contexts that cancel them.
 *
 * Emergencies are decided by the triggers, not by the model: a trigger
 * ("đang cháy", "bất tỉnh", "đánh nhau") counts unless a negation sits just
 * before it ("không ai bị thương"), a risk or prevention word does
 * ("nguy cơ cháy nổ", "dễ cháy", "phòng cháy"), its words lie inside a safe
 * phrase ("bình chữa cháy"), or the message speaks of the past or of a
 * finished event ("hôm qua", "đã dập tắt") with no sign that it is still
 * happening ("bây giờ vẫn", "cứu với").  The emergency model may only
 * strengthen or weaken weak triggers; it never raises an alarm by itself.
 *
 * Per call: one scratch buffer for the folded text (bounded by
 * PAKN_TEXT_MAX), everything else on the stack.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/textfile.h"
#include "pakn/pakn_int.h"
#include "text/vn.h"

#define FILE_MAX ((size_t)16 << 20)
#define LINES_MAX 200000
#define RULE_TOK_MAX 10
#define RULE_GAP 3
#define MSG_TOKENS 1024
#define MSG_FEATURES (2 * MSG_TOKENS + 2)
#define MATCH_MAX 512
#define ALIAS_TOK_MAX 4

/* Scoring constants, tuned on the cross-validated report. */
#ifndef NB_SCALE
#define NB_SCALE 0.15 /* weight of the category model's log-likelihood */
#endif
#ifndef NB_ALPHA
#define NB_ALPHA 0.3 /* additive smoothing of the category model */
#endif
#define NB_FLOOR -14.0    /* a rule may still lift an unlikely class */
#define HINT_WEIGHT 1.5   /* an emergency trigger's category hint */
#define EMERG_THRESHOLD 3.0
#define EMERG_NB_WEIGHT 0.33 /* so a weight-4 trigger survives the model's veto */
#define EMERG_NB_CLAMP 3.0
#define NEG_WINDOW 3      /* tokens between a negation and its trigger */
#define HYPO_WINDOW 5

/* ------------------------------------------------------------------------ */
/* Categories and levels                                                    */

static const char *const cat_slugs[PAKN__NCAT] = {
	"trat-tu-do-thi",     "trat-tu-xay-dung",   "ve-sinh-moi-truong", "tieng-on",
	"ha-tang-giao-thong", "chieu-sang-cay-xanh", "thoat-nuoc",         "cap-nuoc",
	"dien",               "an-ninh-trat-tu",    "an-toan-giao-thong", "phong-chay",
	"an-toan-thuc-pham",  "y-te",               "giao-duc",           "dat-dai",
	"lao-dong-an-sinh",   "thuong-mai",         "van-hoa-du-lich",    "thu-tuc-hanh-chinh",
	"khac",               "khieu-nai-to-cao",
};

static const char *const cat_names[PAKN__NCAT] = {
	"Trật tự đô thị",
	"Trật tự xây dựng",
	"Vệ sinh môi trường",
	"Tiếng ồn",
	"Hạ tầng giao thông",
	"Chiếu sáng, cây xanh",
	"Thoát nước, ngập úng",
	"Cấp nước sạch",
	"Cung cấp điện",
	"An ninh trật tự",
	"Trật tự an toàn giao thông",
	"Phòng cháy chữa cháy (không khẩn cấp)",
	"An toàn thực phẩm",
	"Y tế",
	"Giáo dục",
	"Đất đai",
	"Lao động, an sinh xã hội",
	"Thương mại, thị trường",
	"Văn hóa, thể thao, du lịch",
	"Thủ tục hành chính",
	"Khác",
	"Khiếu nại, tố cáo",
};

#define CAT_KHAC 20
#define CAT_KHIEU_NAI 21

size_t pakn_category_count(void)
{
	return PAKN__NCAT;
}

const char *pakn_category_slug(size_t i)
{
	return i < PAKN__NCAT ? cat_slugs[i] : NULL;
}

const char *pakn_category_name(size_t i)
{
	return i < PAKN__NCAT ? cat_names[i] : NULL;
}

int pakn__category_index(const char *slug, size_t len)
{
	for (size_t i = 0; i < PAKN__NCAT; i++)
		if (strlen(cat_slugs[i]) == len && memcmp(cat_slugs[i], slug, len) == 0)
			return (int)i;
	return -1;
}

static const char *const level_names[PAKN__NLEVEL] = {"normal", "urgent", "complex"};

const char *pakn_level_name(enum pakn_level l)
{
	return (unsigned)l < PAKN__NLEVEL ? level_names[l] : "normal";
}

static int level_index(const char *s, size_t len)
{
	for (int i = 0; i < PAKN__NLEVEL; i++)
		if (strlen(level_names[i]) == len && memcmp(level_names[i], s, len) == 0)
			return i;
	return -1;
}

void pakn__numbers_str(unsigned numbers, char *buf, size_t cap)
{
	static const char *const num[3] = {"113", "114", "115"};
	size_t k = 0;
	if (cap == 0)
		return;
	buf[0] = '\0';
	for (unsigned i = 0; i < 3; i++) {
		if (!(numbers & (1u << i)))
			continue;
		int w = snprintf(buf + k, cap - k, "%s%s", k ? "," : "", num[i]);
		if (w < 0 || (size_t)w >= cap - k)
			return;
		k += (size_t)w;
	}
}

/* ------------------------------------------------------------------------ */
/* Hashing and small text helpers                                           */

static uint32_t hash_more(uint32_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t hash_str(const char *s, size_t n)
{
	return hash_more(2166136261u, s, n);
}

/* Copy s into dst[cap] without cutting a UTF-8 sequence. */
static void copy_utf8(char *dst, size_t cap, const char *s, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap) {
		n = cap - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

/* Drop a trailing partial UTF-8 sequence left by a truncating snprintf. */
static void trim_utf8(char *s)
{
	size_t n = strlen(s);
	size_t i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	unsigned char lead = (unsigned char)s[i - 1];
	size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

static void trim(const char **s, size_t *n)
{
	while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* ------------------------------------------------------------------------ */
/* Aliases: chat shorthand and abbreviations, one folded token → 1..4       */

struct alias {
	uint32_t hash;
	char *key;
	size_t keylen;
	size_t nout;
	char *out[ALIAS_TOK_MAX];
	size_t outlen[ALIAS_TOK_MAX];
	uint32_t outhash[ALIAS_TOK_MAX];
};

struct pakn__aliases {
	struct alias *a; /* sorted by hash */
	size_t n;
};

static int alias_cmp(const void *x, const void *y)
{
	const struct alias *a = x, *b = y;
	return (a->hash > b->hash) - (a->hash < b->hash);
}

static void aliases_free(struct pakn__aliases *al)
{
	if (!al)
		return;
	for (size_t i = 0; i < al->n; i++) {
		td_free(al->a[i].key);
		for (size_t k = 0; k < al->a[i].nout; k++)
			td_free(al->a[i].out[k]);
	}
	td_free(al->a);
	td_free(al);
}

static const struct alias *alias_find(const struct pakn__aliases *al, uint32_t h, const char *s,
				      size_t n)
{
	if (!al || !al->n)
		return NULL;
	size_t lo = 0, hi = al->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (al->a[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < al->n && al->a[i].hash == h; i++)
		if (al->a[i].keylen == n && memcmp(al->a[i].key, s, n) == 0)
			return &al->a[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                 */

enum tok_kind { TK_WORD, TK_NUMBER, TK_CODE };

struct tok {
	const char *s;
	uint32_t len;
	uint32_t hash;
	uint32_t start, end; /* bytes of the folded text it came from */
	enum tok_kind kind;
	const char *acc; /* the accented form when it differs (has marks), else NULL */
	uint32_t acclen;
};

struct msg {
	struct td_buf folded;
	struct td_buf accented;
	size_t ntok;
	struct tok tok[MSG_TOKENS];
};

/* Fold text, tokenise it, expand aliases.  Each word also keeps its
 * accented form when it has marks, so that a rule written "cháy" does not
 * fire on "chạy" (run) while "chay" typed without marks still matches. */
static void msg_init(struct msg *m, const struct pakn__aliases *al, const char *text, size_t n)
{
	td_buf_init(&m->folded, VN_KEY_BOUND(PAKN_TEXT_MAX));
	td_buf_init(&m->accented, VN_KEY_BOUND(PAKN_TEXT_MAX));
	m->ntok = 0;
	if (!text)
		n = 0;
	if (n > PAKN_TEXT_MAX) {
		n = PAKN_TEXT_MAX;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	if (vn_fold(&m->folded, text ? text : "", n, VN_LOSSY) != TD_OK || !m->folded.data) {
		td_buf_clear(&m->folded);
		td_buf_adds(&m->folded, "");
	}
	if (td_buf_error(&m->folded) || !m->folded.data)
		return;
	bool accents = false;
	for (size_t i = 0; i < n && !accents; i++)
		accents = (unsigned char)text[i] >= 0x80;
	if (accents && (vn_fold_case(&m->accented, text, n, VN_LOSSY) != TD_OK ||
			!m->accented.data))
		accents = false;
	struct vn_tokenizer tz, ta;
	struct vn_token t, u;
	vn_tokenizer_init(&tz, m->folded.data, m->folded.len);
	if (accents)
		vn_tokenizer_init(&ta, m->accented.data, m->accented.len);
	while (m->ntok < MSG_TOKENS && vn_tokenizer_next(&tz, &t)) {
		const char *s = m->folded.data + t.start;
		const char *acc = NULL;
		uint32_t acclen = 0;
		/* The two keys tokenise alike; if they ever drift, stop using
		 * the accented one. */
		if (accents && vn_tokenizer_next(&ta, &u) && u.kind == t.kind) {
			if (u.len != t.len || memcmp(m->accented.data + u.start, s, t.len) != 0) {
				acc = m->accented.data + u.start;
				acclen = (uint32_t)u.len;
			}
		} else {
			accents = false;
		}
		uint32_t h = hash_str(s, t.len);
		const struct alias *a =
			t.kind == VN_TOKEN_WORD ? alias_find(al, h, s, t.len) : NULL;
		if (a) {
			for (size_t k = 0; k < a->nout && m->ntok < MSG_TOKENS; k++) {
				struct tok *o = &m->tok[m->ntok++];
				o->s = a->out[k];
				o->len = (uint32_t)a->outlen[k];
				o->hash = a->outhash[k];
				o->start = (uint32_t)t.start;
				o->end = (uint32_t)(t.start + t.len);
				o->kind = TK_WORD;
				o->acc = NULL;
				o->acclen = 0;
			}
			continue;
		}
		struct tok *o = &m->tok[m->ntok++];
		o->s = s;
		o->len = (uint32_t)t.len;
		o->hash = h;
		o->start = (uint32_t)t.start;
		o->end = (uint32_t)(t.start + t.len);
		o->kind = t.kind == VN_TOKEN_WORD ? TK_WORD
			  : t.kind == VN_TOKEN_NUMBER ? TK_NUMBER
						      : TK_CODE;
		o->acc = acc;
		o->acclen = acclen;
	}
}

static void msg_release(struct msg *m)
{
	td_buf_release(&m->folded);
	td_buf_release(&m->accented);
	m->ntok = 0;
}

static bool tok_is(const struct tok *t, const char *w)
{
	size_t n = strlen(w);
	return t->len == n && memcmp(t->s, w, n) == 0;
}

/* ------------------------------------------------------------------------ */
/* Rules: phrases over folded tokens                                        */

enum rtok_kind { RT_WORD, RT_GAP, RT_NUM };

struct rtok {
	enum rtok_kind kind;
	uint32_t hash;
	uint32_t len;
	char *s;
	char *acc; /* accented form when it has marks, else NULL */
	uint32_t acclen;
};

/* Targets of rules.tsv: a category index, or LEVEL_BASE + level.  Targets of
 * emergency.tsv: the E_* kinds. */
#define LEVEL_BASE 100
enum ekind { E_TRIGGER = 200, E_NEG, E_HYPO, E_PAST, E_DONE, E_NOW, E_SAFE };

struct rule {
	int target;
	unsigned numbers; /* E_TRIGGER: PAKN__N1xx */
	int hint;         /* E_TRIGGER: category index or -1 */
	double weight;
	size_t ntok;
	struct rtok tok[RULE_TOK_MAX];
	char *phrase; /* as written, for reasons */
};

struct index_entry {
	uint32_t hash;
	uint32_t rule;
};

struct pakn__rules {
	struct rule *r;
	size_t n;
	struct index_entry *idx; /* by first token's hash; number-first rules last */
	size_t nidx;
	size_t num_first; /* rules starting with <num>: idx[nidx - num_first ..] */
};

static void rules_free(struct pakn__rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		for (size_t k = 0; k < rs->r[i].ntok; k++) {
			td_free(rs->r[i].tok[k].s);
			td_free(rs->r[i].tok[k].acc);
		}
		td_free(rs->r[i].phrase);
	}
	td_free(rs->r);
	td_free(rs->idx);
	td_free(rs);
}

static bool rtok_match(const struct rtok *rt, const struct tok *t)
{
	if (rt->kind == RT_NUM)
		return t->kind == TK_NUMBER;
	if (t->hash != rt->hash || t->len != rt->len || memcmp(t->s, rt->s, t->len) != 0)
		return false;
	/* Both written with marks: the marks must agree too (cháy ≠ chạy). */
	if (rt->acc && t->acc)
		return rt->acclen == t->acclen && memcmp(rt->acc, t->acc, t->acclen) == 0;
	return true;
}

/* Match rule r from rule token ri at message token ti; returns the end token
 * (exclusive) of the first match, or 0 when none. */
static size_t rule_match_at(const struct rule *r, size_t ri, const struct msg *m, size_t ti)
{
	if (ri == r->ntok)
		return ti;
	if (r->tok[ri].kind == RT_GAP) {
		for (size_t k = 0; k <= RULE_GAP && ti + k <= m->ntok; k++) {
			size_t e = rule_match_at(r, ri + 1, m, ti + k);
			if (e)
				return e;
		}
		return 0;
	}
	if (ti >= m->ntok || !rtok_match(&r->tok[ri], &m->tok[ti]))
		return 0;
	return rule_match_at(r, ri + 1, m, ti + 1);
}

static int index_cmp(const void *x, const void *y)
{
	const struct index_entry *a = x, *b = y;
	if (a->hash != b->hash)
		return (a->hash > b->hash) - (a->hash < b->hash);
	return (a->rule > b->rule) - (a->rule < b->rule);
}

static void rules_build_index(struct pakn__rules *rs)
{
	rs->idx = td_calloc(rs->n ? rs->n : 1, sizeof *rs->idx);
	size_t k = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].tok[0].kind == RT_WORD)
			rs->idx[k++] = (struct index_entry){rs->r[i].tok[0].hash, (uint32_t)i};
	qsort(rs->idx, k, sizeof *rs->idx, index_cmp);
	size_t words = k;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].tok[0].kind == RT_NUM)
			rs->idx[k++] = (struct index_entry){0, (uint32_t)i};
	rs->nidx = k;
	rs->num_first = k - words;
}

struct match {
	uint32_t rule;
	uint32_t start, end; /* tokens */
	bool live;
};

/* Every match of every rule (each rule at most once per start token), in
 * token order; at most max. */
static size_t rules_find_all(const struct pakn__rules *rs, const struct msg *m, struct match *out,
			     size_t max)
{
	size_t n = 0, words = rs->nidx - rs->num_first;
	for (size_t ti = 0; ti < m->ntok && n < max; ti++) {
		const struct tok *t = &m->tok[ti];
		size_t lo = 0, hi = words;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (rs->idx[mid].hash < t->hash)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t i = lo; i < words && rs->idx[i].hash == t->hash && n < max; i++) {
			const struct rule *r = &rs->r[rs->idx[i].rule];
			size_t e = rule_match_at(r, 0, m, ti);
			if (e)
				out[n++] = (struct match){rs->idx[i].rule, (uint32_t)ti, (uint32_t)e,
							  true};
		}
		if (t->kind == TK_NUMBER)
			for (size_t i = words; i < rs->nidx && n < max; i++) {
				const struct rule *r = &rs->r[rs->idx[i].rule];
				size_t e = rule_match_at(r, 0, m, ti);
				if (e)
					out[n++] = (struct match){rs->idx[i].rule, (uint32_t)ti,
								  (uint32_t)e, true};
			}
	}
	return n;
}

/* Parse the target column of a rules.tsv or emergency.tsv line. */
static bool parse_target(const char *s, size_t n, bool emergency, struct rule *r)
{
	r->hint = -1;
	if (!emergency) {
		if (n > 6 && memcmp(s, "level:", 6) == 0) {
			int l = level_index(s + 6, n - 6);
			r->target = LEVEL_BASE + l;
			return l >= 0;
		}
		r->target = pakn__category_index(s, n);
		return r->target >= 0;
	}
	static const struct {
		const char *name;
		enum ekind k;
	} kinds[] = {{"neg", E_NEG},   {"hypo", E_HYPO}, {"past", E_PAST}, {"done", E_DONE},
		     {"now", E_NOW},   {"safe", E_SAFE}};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strlen(kinds[i].name) == n && memcmp(kinds[i].name, s, n) == 0) {
			r->target = (int)kinds[i].k;
			return true;
		}
	/* 113, 114, 115 or several joined by ',' or '+' */
	unsigned bits = 0;
	size_t i = 0;
	while (i < n) {
		if (i + 3 > n || s[i] != '1' || s[i + 1] != '1' || s[i + 2] < '3' || s[i + 2] > '5')
			return false;
		bits |= 1u << (s[i + 2] - '3');
		i += 3;
		if (i < n && (s[i] == ',' || s[i] == '+'))
			i++;
		else if (i < n)
			return false;
	}
	r->target = E_TRIGGER;
	r->numbers = bits;
	return bits != 0;
}

/* Tokenise a rule phrase ('*' = gap, <num> = a number) into r. */
static td_err parse_phrase(struct rule *r, const struct pakn__aliases *al, const char *s, size_t n)
{
	struct td_buf rw;
	td_buf_init(&rw, 4 * n + 64);
	for (size_t i = 0; i < n;) {
		if (s[i] == '*') {
			td_buf_adds(&rw, " xxgap ");
			i++;
		} else if (n - i >= 5 && memcmp(s + i, "<num>", 5) == 0) {
			td_buf_adds(&rw, " xxnum ");
			i += 5;
		} else {
			td_buf_addc(&rw, s[i++]);
		}
	}
	if (td_buf_error(&rw) || !rw.data) {
		td_buf_release(&rw);
		return TD_ERR_PARSE;
	}
	struct msg *m = td_malloc(sizeof *m);
	msg_init(m, al, rw.data, rw.len);
	td_buf_release(&rw);
	td_err rc = TD_OK;
	size_t b = 0, e = m->ntok;
	/* Leading and trailing gaps mean nothing. */
	while (b < e && tok_is(&m->tok[b], "xxgap"))
		b++;
	while (e > b && tok_is(&m->tok[e - 1], "xxgap"))
		e--;
	if (e == b || e - b > RULE_TOK_MAX) {
		rc = e == b ? TD_ERR_PARSE : TD_ERR_TOOBIG;
		goto done;
	}
	for (size_t i = b; i < e; i++) {
		struct rtok *rt = &r->tok[r->ntok++];
		const struct tok *t = &m->tok[i];
		rt->kind = tok_is(t, "xxgap") ? RT_GAP : tok_is(t, "xxnum") ? RT_NUM : RT_WORD;
		rt->s = td_strndup(t->s, t->len);
		rt->len = t->len;
		rt->hash = t->hash;
		if (t->acc) {
			rt->acc = td_strndup(t->acc, t->acclen);
			rt->acclen = t->acclen;
		}
	}
done:
	msg_release(m);
	td_free(m);
	return rc;
}

static td_err parse_rules(struct pakn__rules **out, const struct pakn__aliases *al,
			  const char *text, const char *name, bool emergency, char *err,
			  size_t errlen)
{
	struct pakn__rules *rs = td_calloc(1, sizeof *rs);
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, lineno = 0, cap = 0;
	td_err rc = TD_OK;
	while (td_next_line(&p, end, &line, &len)) {
		if (++lineno > LINES_MAX) {
			snprintf(err, errlen, "%s:%zu: too many lines", name, lineno);
			rc = TD_ERR_TOOBIG;
			goto fail;
		}
		if (td_blank_or_comment(line, len))
			continue;
		const char *f[4];
		size_t fl[4];
		size_t nf = td_split_tabs(line, len, f, fl, 4);
		if (nf < 3 || (!emergency && nf > 3)) {
			snprintf(err, errlen, "%s:%zu: expected %s", name, lineno,
				 emergency ? "kind<TAB>weight<TAB>phrase[<TAB>category]"
					   : "target<TAB>weight<TAB>phrase");
			rc = TD_ERR_PARSE;
			goto fail;
		}
		for (size_t i = 0; i < nf; i++)
			trim(&f[i], &fl[i]);
		if (rs->n == cap) {
			cap = cap ? cap * 2 : 128;
			rs->r = td_reallocarray(rs->r, cap, sizeof *rs->r);
		}
		struct rule *r = &rs->r[rs->n];
		memset(r, 0, sizeof *r);
		if (!parse_target(f[0], fl[0], emergency, r)) {
			snprintf(err, errlen, "%s:%zu: unknown %s '%.*s'", name, lineno,
				 emergency ? "kind" : "category or level", (int)(fl[0] > 40 ? 40 : fl[0]),
				 f[0]);
			rc = TD_ERR_PARSE;
			goto fail;
		}
		char wbuf[32];
		char *wend;
		if (fl[1] == 1 && f[1][0] == '-') {
			r->weight = 0;
		} else {
			if (fl[1] == 0 || fl[1] >= sizeof wbuf) {
				snprintf(err, errlen, "%s:%zu: bad weight", name, lineno);
				rc = TD_ERR_PARSE;
				goto fail;
			}
			memcpy(wbuf, f[1], fl[1]);
			wbuf[fl[1]] = '\0';
			r->weight = strtod(wbuf, &wend);
			if (*wend || !isfinite(r->weight) || fabs(r->weight) > 50) {
				snprintf(err, errlen, "%s:%zu: bad weight '%s'", name, lineno, wbuf);
				rc = TD_ERR_PARSE;
				goto fail;
			}
		}
		if (r->target == E_TRIGGER && r->weight <= 0) {
			snprintf(err, errlen, "%s:%zu: a trigger needs a positive weight", name,
				 lineno);
			rc = TD_ERR_PARSE;
			goto fail;
		}
		if (nf == 4 && fl[3]) {
			r->hint = pakn__category_index(f[3], fl[3]);
			if (r->hint < 0) {
				snprintf(err, errlen, "%s:%zu: unknown category '%.*s'", name, lineno,
					 (int)(fl[3] > 40 ? 40 : fl[3]), f[3]);
				rc = TD_ERR_PARSE;
				goto fail;
			}
		}
		if (fl[2] > 400) {
			snprintf(err, errlen, "%s:%zu: phrase too long", name, lineno);
			rc = TD_ERR_TOOBIG;
			goto fail;
		}
		rs->n++;
		r->phrase = td_strndup(f[2], fl[2]);
		rc = parse_phrase(r, al, f[2], fl[2]);
		if (rc != TD_OK) {
			snprintf(err, errlen, "%s:%zu: %s", name, lineno,
				 rc == TD_ERR_TOOBIG ? "phrase over 10 words" : "empty phrase");
			goto fail;
		}
	}
	rules_build_index(rs);
	*out = rs;
	return TD_OK;
fail:
	rules_free(rs);
	return rc;
}

static td_err parse_aliases(struct pakn__aliases **out, const char *text, char *err,
			    size_t errlen)
{
	struct pakn__aliases *al = td_calloc(1, sizeof *al);
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, lineno = 0, cap = 0;
	td_err rc = TD_OK;
	struct td_buf k, v;
	td_buf_init(&k, 4096);
	td_buf_init(&v, 4096);
	while (td_next_line(&p, end, &line, &len)) {
		if (++lineno > LINES_MAX) {
			snprintf(err, errlen, "aliases.tsv:%zu: too many lines", lineno);
			rc = TD_ERR_TOOBIG;
			goto done;
		}
		if (td_blank_or_comment(line, len))
			continue;
		const char *f[2];
		size_t fl[2];
		if (td_split_tabs(line, len, f, fl, 2) != 2) {
			snprintf(err, errlen, "aliases.tsv:%zu: expected short<TAB>expansion", lineno);
			rc = TD_ERR_PARSE;
			goto done;
		}
		td_buf_clear(&k);
		td_buf_clear(&v);
		if (fl[0] > 1000 || fl[1] > 1000 || vn_fold(&k, f[0], fl[0], VN_LOSSY) != TD_OK ||
		    vn_fold(&v, f[1], fl[1], VN_LOSSY) != TD_OK || !k.data || !v.data) {
			snprintf(err, errlen, "aliases.tsv:%zu: bad entry", lineno);
			rc = TD_ERR_PARSE;
			goto done;
		}
		struct vn_token kt[2], vt[ALIAS_TOK_MAX + 1];
		size_t nk = vn_tokenize(k.data, k.len, kt, 2);
		size_t nv = vn_tokenize(v.data, v.len, vt, ALIAS_TOK_MAX + 1);
		if (nk != 1 || nv == 0 || nv > ALIAS_TOK_MAX) {
			snprintf(err, errlen,
				 "aliases.tsv:%zu: the short form must be one word and the "
				 "expansion 1..%d words",
				 lineno, ALIAS_TOK_MAX);
			rc = TD_ERR_PARSE;
			goto done;
		}
		if (al->n == cap) {
			cap = cap ? cap * 2 : 64;
			al->a = td_reallocarray(al->a, cap, sizeof *al->a);
		}
		struct alias *a = &al->a[al->n++];
		memset(a, 0, sizeof *a);
		a->key = td_strndup(k.data + kt[0].start, kt[0].len);
		a->keylen = kt[0].len;
		a->hash = hash_str(a->key, a->keylen);
		for (size_t i = 0; i < nv; i++) {
			a->out[i] = td_strndup(v.data + vt[i].start, vt[i].len);
			a->outlen[i] = vt[i].len;
			a->outhash[i] = hash_str(a->out[i], a->outlen[i]);
		}
		a->nout = nv;
	}
	qsort(al->a, al->n, sizeof *al->a, alias_cmp);
done:
	td_buf_release(&k);
	td_buf_release(&v);
	if (rc != TD_OK) {
		aliases_free(al);
		return rc;
	}
	*out = al;
	return TD_OK;
}

/* ------------------------------------------------------------------------ */
/* Training data                                                            */

static td_err parse_train(struct pakn_model *m, const char *text, char *err, size_t errlen)
{
	const char *p = text, *end = text + strlen(text), *line;
	size_t len, lineno = 0, cap = 0;
	while (td_next_line(&p, end, &line, &len)) {
		if (++lineno > LINES_MAX) {
			snprintf(err, errlen, "train.tsv:%zu: too many lines", lineno);
			return TD_ERR_TOOBIG;
		}
		if (td_blank_or_comment(line, len))
			continue;
		const char *f[4];
		size_t fl[4];
		if (td_split_tabs(line, len, f, fl, 4) != 4) {
			snprintf(err, errlen,
				 "train.tsv:%zu: expected category<TAB>level<TAB>emergency<TAB>text",
				 lineno);
			return TD_ERR_PARSE;
		}
		for (size_t i = 0; i < 3; i++)
			trim(&f[i], &fl[i]);
		int cat = pakn__category_index(f[0], fl[0]);
		int lvl = level_index(f[1], fl[1]);
		struct rule tmp;
		memset(&tmp, 0, sizeof tmp);
		unsigned numbers = 0;
		if (fl[2] == 1 && (f[2][0] == '-' || f[2][0] == '0'))
			numbers = 0;
		else if (parse_target(f[2], fl[2], true, &tmp) && tmp.target == E_TRIGGER)
			numbers = tmp.numbers;
		else {
			snprintf(err, errlen,
				 "train.tsv:%zu: emergency must be '-' or 113/114/115 (e.g. 114,115)",
				 lineno);
			return TD_ERR_PARSE;
		}
		if (cat < 0 || lvl < 0) {
			snprintf(err, errlen, "train.tsv:%zu: unknown %s '%.*s'", lineno,
				 cat < 0 ? "category" : "level", (int)(cat < 0 ? fl[0] : fl[1]),
				 cat < 0 ? f[0] : f[1]);
			return TD_ERR_PARSE;
		}
		if (m->nrows == cap) {
			cap = cap ? cap * 2 : 1024;
			m->rows = td_reallocarray(m->rows, cap, sizeof *m->rows);
		}
		struct pakn__row *r = &m->rows[m->nrows++];
		r->text = td_strndup(f[3], fl[3]);
		r->category = cat;
		r->level = lvl;
		r->numbers = numbers;
		r->line = lineno;
	}
	return TD_OK;
}

/* ------------------------------------------------------------------------ */
/* Naive Bayes                                                              */

struct feature {
	uint32_t bucket;
	uint16_t first, last; /* tokens it covers */
};

/* The features of a message: each token (words as themselves, numbers and
 * codes as a class) and each pair of neighbours. */
static size_t msg_features(const struct msg *m, struct feature *f, size_t max)
{
	const uint32_t h_num = hash_str("<num>", 5), h_code = hash_str("<code>", 6);
	size_t n = 0;
	uint32_t prev = 0;
	for (size_t i = 0; i < m->ntok && n + 2 <= max; i++) {
		const struct tok *t = &m->tok[i];
		uint32_t h = t->kind == TK_NUMBER ? h_num : t->kind == TK_CODE ? h_code : t->hash;
		f[n++] = (struct feature){h & (PAKN__NB_BUCKETS - 1), (uint16_t)i, (uint16_t)i};
		if (i > 0) {
			uint32_t b = (prev * 31u) ^ (h * 2654435761u) ^ 0x5bd1e995u;
			b ^= b >> 15;
			f[n++] = (struct feature){b & (PAKN__NB_BUCKETS - 1), (uint16_t)(i - 1),
						  (uint16_t)i};
		}
		prev = h;
	}
	return n;
}

/* labels[i] < 0: row not used. */
static void nb_train(struct nb_model *nb, size_t nclass, const struct pakn_model *m,
		     const int *labels, double alpha)
{
	nb_begin(nb, nclass, PAKN__NB_BUCKETS);
	struct msg *msg = td_malloc(sizeof *msg);
	struct feature *f = td_calloc(MSG_FEATURES, sizeof *f);
	for (size_t i = 0; i < m->nrows; i++) {
		int c = labels[i];
		if (c < 0)
			continue;
		msg_init(msg, m->aliases, m->rows[i].text, strlen(m->rows[i].text));
		size_t nf = msg_features(msg, f, MSG_FEATURES);
		for (size_t k = 0; k < nf; k++)
			nb_count(nb, (size_t)c, f[k].bucket);
		msg_release(msg);
		nb_row(nb, (size_t)c);
	}
	nb_fit(nb, alpha);
	td_free(f);
	td_free(msg);
}

/* Log-likelihood (scaled) + prior of each class into out[nclass]. */
static void nb_score(const struct nb_model *nb, const struct feature *f, size_t nf, double scale,
		     double *out)
{
	for (size_t c = 0; c < nb->nclass; c++)
		out[c] = nb->nrows[c] ? nb->logprior[c] : -1e9;
	if (!nb->total_rows)
		return;
	for (size_t k = 0; k < nf; k++) {
		size_t b = f[k].bucket;
		if (!nb->known[b])
			continue;
		const float *lp = nb->logp + b;
		for (size_t c = 0; c < nb->nclass; c++)
			out[c] += scale * lp[c * PAKN__NB_BUCKETS];
	}
}

/* Turn scores into log-posteriors in place. */
static void log_normalise(double *s, size_t n)
{
	double mx = -1e300, z = 0;
	for (size_t c = 0; c < n; c++)
		if (s[c] > mx)
			mx = s[c];
	for (size_t c = 0; c < n; c++)
		z += exp(s[c] - mx);
	for (size_t c = 0; c < n; c++)
		s[c] = s[c] - mx - log(z);
}

void pakn__train(struct pakn_model *m, const bool *use)
{
	int *lab = td_calloc(m->nrows ? m->nrows : 1, sizeof *lab);
	for (size_t i = 0; i < m->nrows; i++)
		lab[i] = (!use || use[i]) ? m->rows[i].category : -1;
	nb_train(&m->nb_category, PAKN__NCAT, m, lab, NB_ALPHA);
	for (size_t i = 0; i < m->nrows; i++)
		lab[i] = (!use || use[i]) ? m->rows[i].level : -1;
	nb_train(&m->nb_level, PAKN__NLEVEL, m, lab, 0.5);
	for (size_t i = 0; i < m->nrows; i++)
		lab[i] = (!use || use[i]) ? (m->rows[i].numbers != 0) : -1;
	nb_train(&m->nb_emergency, 2, m, lab, 0.5);
	td_free(lab);
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */

void pakn_model_free(struct pakn_model *m)
{
	if (!m)
		return;
	rules_free(m->rules);
	rules_free(m->emergency);
	aliases_free(m->aliases);
	nb_release(&m->nb_category);
	nb_release(&m->nb_level);
	nb_release(&m->nb_emergency);
	for (size_t i = 0; i < m->nrows; i++)
		td_free(m->rows[i].text);
	td_free(m->rows);
	td_free(m);
}

td_err pakn_model_load(struct pakn_model **out, const char *resource_dir, char *err,
		       size_t errlen)
{
	static const char *const files[4] = {"aliases.tsv", "rules.tsv", "emergency.tsv",
					     "train.tsv"};
	char dummy[8], path[4096];
	char *text[4] = {NULL, NULL, NULL, NULL};
	td_err rc = TD_OK;
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	if (errlen)
		err[0] = '\0';
	if (!out)
		return TD_ERR_INVAL;
	*out = NULL;
	if (!resource_dir)
		resource_dir = TD_SOURCE_DIR;
	for (size_t i = 0; i < 4; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/data/pakn/%s", resource_dir, files[i]) >=
		    sizeof path) {
			snprintf(err, errlen, "%s: path too long", files[i]);
			rc = TD_ERR_INVAL;
			goto fail_files;
		}
		rc = td_file_read(path, FILE_MAX, &text[i], err, errlen);
		if (rc != TD_OK)
			goto fail_files;
	}
	struct pakn_model *m = td_calloc(1, sizeof *m);
	rc = parse_aliases(&m->aliases, text[0], err, errlen);
	if (rc == TD_OK)
		rc = parse_rules(&m->rules, m->aliases, text[1], "rules.tsv", false, err, errlen);
	if (rc == TD_OK)
		rc = parse_rules(&m->emergency, m->aliases, text[2], "emergency.tsv", true, err,
				 errlen);
	if (rc == TD_OK)
		rc = parse_train(m, text[3], err, errlen);
	if (rc != TD_OK)
		goto fail_model;
	pakn__train(m, NULL);
	*out = m;
	goto fail_files; /* success: only the texts go */
fail_model:
	pakn_model_free(m);
fail_files:
	for (size_t i = 0; i < 4; i++)
		td_free(text[i]);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Classification                                                           */

static void add_reason(struct pakn_classification *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_reason(struct pakn_classification *out, const char *fmt, ...)
{
	if (out->n_reasons >= PAKN_REASONS_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->reasons[out->n_reasons], sizeof out->reasons[0], fmt, ap);
	va_end(ap);
	trim_utf8(out->reasons[out->n_reasons]);
	out->n_reasons++;
}

/* The folded text of tokens [a, b] of m into buf. */
static void span_text(const struct msg *m, size_t a, size_t b, char *buf, size_t cap)
{
	size_t s = m->tok[a].start, e = m->tok[b].end;
	copy_utf8(buf, cap, m->folded.data + s, e - s);
}

static bool in_window(const struct match *cancel, const struct match *trig, size_t window)
{
	return cancel->end <= trig->start && trig->start - cancel->end <= window;
}

/* Is match x inside a safe phrase ("không biết" is no negation)? */
static bool inside_safe(const struct rule *R, const struct match *mt, size_t n,
			const struct match *x)
{
	for (size_t j = 0; j < n; j++)
		if (R[mt[j].rule].target == E_SAFE && mt[j].start <= x->start &&
		    mt[j].end >= x->end)
			return true;
	return false;
}

struct emergency_result {
	double live;      /* Σ weights of triggers still standing */
	unsigned numbers; /* of those */
	size_t first_live, first_cancel; /* indices into matches, or SIZE_MAX */
	const char *cancel_why;
	size_t cancel_by; /* index of the cancelling match, or SIZE_MAX */
};

static void emergency_scan(const struct pakn_model *mod, struct match *mt,
			   size_t n, double *cat_score, struct emergency_result *er)
{
	const struct rule *R = mod->emergency->r;
	bool past = false, done = false, now = false;
	size_t past_at = SIZE_MAX, done_at = SIZE_MAX;
	er->live = 0;
	er->numbers = 0;
	er->first_live = er->first_cancel = er->cancel_by = SIZE_MAX;
	er->cancel_why = NULL;
	for (size_t i = 0; i < n; i++) {
		int k = R[mt[i].rule].target;
		if (k == E_PAST && !past) {
			past = true;
			past_at = i;
		} else if (k == E_DONE && !done) {
			done = true;
			done_at = i;
		} else if (k == E_NOW) {
			now = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct rule *r = &R[mt[i].rule];
		if (r->target != E_TRIGGER)
			continue;
		if (r->hint >= 0)
			cat_score[r->hint] += HINT_WEIGHT;
		const char *why = NULL;
		size_t by = SIZE_MAX;
		for (size_t j = 0; j < n && !why; j++) {
			int k = R[mt[j].rule].target;
			if ((k == E_NEG || k == E_HYPO) && inside_safe(R, mt, n, &mt[j]))
				continue;
			if (k == E_SAFE && mt[j].start <= mt[i].start && mt[j].end >= mt[i].end)
				why = "cụm an toàn", by = j;
			else if (k == E_NEG && in_window(&mt[j], &mt[i], NEG_WINDOW))
				why = "phủ định", by = j;
			else if (k == E_HYPO && in_window(&mt[j], &mt[i], HYPO_WINDOW))
				why = "nguy cơ/phòng ngừa", by = j;
		}
		if (!why && done)
			why = "sự việc đã kết thúc", by = done_at;
		if (!why && past && !now)
			why = "sự việc đã qua", by = past_at;
		if (why) {
			mt[i].live = false;
			if (er->first_cancel == SIZE_MAX) {
				er->first_cancel = i;
				er->cancel_why = why;
				er->cancel_by = by;
			}
			continue;
		}
		er->live += r->weight;
		er->numbers |= r->numbers;
		if (er->first_live == SIZE_MAX || r->weight > R[mt[er->first_live].rule].weight)
			er->first_live = i;
	}
}

struct top_word {
	double d;
	uint16_t first, last;
};

td_err pakn_classify(const struct pakn_model *mod, const char *text, size_t n,
		     struct pakn_classification *out)
{
	if (!mod || !out || (!text && n))
		return TD_ERR_INVAL;
	memset(out, 0, sizeof *out);
	copy_utf8(out->category, sizeof out->category, cat_slugs[CAT_KHAC],
		  strlen(cat_slugs[CAT_KHAC]));
	out->level = PAKN_LEVEL_NORMAL;

	struct msg *m = td_malloc(sizeof *m); /* ~40 KB: too big for some stacks */
	msg_init(m, mod->aliases, text, n);
	if (m->ntok == 0) {
		add_reason(out, "tin nhắn trống hoặc không đọc được");
		goto done;
	}
	struct feature feat[MSG_FEATURES];
	size_t nf = msg_features(m, feat, MSG_FEATURES);

	/* Category: the model, then the rules. */
	double cs[PAKN__NCAT];
	nb_score(&mod->nb_category, feat, nf, NB_SCALE, cs);
	log_normalise(cs, PAKN__NCAT);
	double nb_only[PAKN__NCAT];
	memcpy(nb_only, cs, sizeof cs);
	for (size_t c = 0; c < PAKN__NCAT; c++)
		if (cs[c] < NB_FLOOR)
			cs[c] = NB_FLOOR;
	double ls[PAKN__NLEVEL];
	nb_score(&mod->nb_level, feat, nf, 0.5, ls);
	log_normalise(ls, PAKN__NLEVEL);
	for (size_t c = 0; c < PAKN__NLEVEL; c++)
		if (ls[c] < -8)
			ls[c] = -8;

	struct match rm[MATCH_MAX];
	size_t nrm = rules_find_all(mod->rules, m, rm, MATCH_MAX);
	for (size_t i = 0; i < nrm; i++) {
		const struct rule *r = &mod->rules->r[rm[i].rule];
		if (r->target >= LEVEL_BASE)
			ls[r->target - LEVEL_BASE] += r->weight;
		else
			cs[r->target] += r->weight;
	}

	/* Emergency. */
	struct match em[MATCH_MAX];
	size_t nem = rules_find_all(mod->emergency, m, em, MATCH_MAX);
	struct emergency_result er;
	emergency_scan(mod, em, nem, cs, &er);
	double es[2];
	nb_score(&mod->nb_emergency, feat, nf, 1.0, es);
	double elogit = es[1] - es[0];
	if (elogit > EMERG_NB_CLAMP)
		elogit = EMERG_NB_CLAMP;
	if (elogit < -EMERG_NB_CLAMP)
		elogit = -EMERG_NB_CLAMP;
	if (er.live > 0 && er.live + EMERG_NB_WEIGHT * elogit >= EMERG_THRESHOLD) {
		out->emergency = true;
		pakn__numbers_str(er.numbers, out->emergency_numbers,
				  sizeof out->emergency_numbers);
	}

	/* Decide the category. */
	size_t best = 0;
	for (size_t c = 1; c < PAKN__NCAT; c++)
		if (cs[c] > cs[best])
			best = c;
	double z = 0;
	for (size_t c = 0; c < PAKN__NCAT; c++)
		z += exp(cs[c] - cs[best]);
	out->confidence = 1.0 / z;
	copy_utf8(out->category, sizeof out->category, cat_slugs[best], strlen(cat_slugs[best]));

	/* Decide the level. */
	size_t lv = 0;
	for (size_t c = 1; c < PAKN__NLEVEL; c++)
		if (ls[c] > ls[lv])
			lv = c;
	if (best == CAT_KHIEU_NAI)
		lv = PAKN_LEVEL_NORMAL; /* not a PAKN: no PAKN deadline applies */
	if (out->emergency)
		lv = PAKN_LEVEL_URGENT;
	out->level = (enum pakn_level)lv;

	/* Reasons: the emergency, the rules for the chosen category, the
	 * model's strongest words, the level. */
	char a[96], b[96];
	if (out->emergency) {
		const struct match *t = &em[er.first_live];
		span_text(m, t->start, t->end - 1, a, sizeof a);
		add_reason(out, "khẩn cấp %s: '%s'", out->emergency_numbers, a);
	} else if (er.live > 0) {
		const struct match *t = &em[er.first_live];
		span_text(m, t->start, t->end - 1, a, sizeof a);
		add_reason(out, "dấu hiệu khẩn cấp yếu, chưa đủ: '%s'", a);
	}
	if (er.first_cancel != SIZE_MAX && (!out->emergency || out->n_reasons < 2)) {
		const struct match *t = &em[er.first_cancel];
		span_text(m, t->start, t->end - 1, a, sizeof a);
		if (er.cancel_by != SIZE_MAX) {
			const struct match *c = &em[er.cancel_by];
			span_text(m, c->start, c->end - 1, b, sizeof b);
		} else {
			b[0] = '\0';
		}
		add_reason(out, "không tính khẩn cấp '%s': %s ('%s')", a, er.cancel_why, b);
	}
	bool used[MATCH_MAX] = {false};
	for (size_t round = 0; round < 3; round++) {
		size_t pick = SIZE_MAX;
		for (size_t i = 0; i < nrm; i++) {
			const struct rule *r = &mod->rules->r[rm[i].rule];
			if (used[i] || r->target != (int)best || r->weight <= 0)
				continue;
			if (pick == SIZE_MAX || r->weight > mod->rules->r[rm[pick].rule].weight)
				pick = i;
		}
		if (pick == SIZE_MAX)
			break;
		used[pick] = true;
		/* A rule matching the same phrase twice is one reason. */
		for (size_t i = 0; i < nrm; i++)
			if (rm[i].rule == rm[pick].rule)
				used[i] = true;
		const struct rule *r = &mod->rules->r[rm[pick].rule];
		add_reason(out, "từ khóa: '%s' (+%.1f %s)", r->phrase, r->weight, cat_slugs[best]);
	}
	/* The model's top words for the chosen class: the features whose
	 * log-probability there most exceeds the best other class. */
	if (mod->nb_category.total_rows) {
		struct top_word top[3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
		const struct nb_model *nb = &mod->nb_category;
		for (size_t k = 0; k < nf; k++) {
			size_t bk = feat[k].bucket;
			if (!nb->known[bk])
				continue;
			const float *lp = nb->logp + bk;
			double other = -1e300;
			for (size_t c = 0; c < PAKN__NCAT; c++)
				if (c != best && nb->nrows[c] && lp[c * PAKN__NB_BUCKETS] > other)
					other = lp[c * PAKN__NB_BUCKETS];
			double d = lp[best * PAKN__NB_BUCKETS] - other;
			if (d <= 0.5)
				continue;
			/* Skip a feature whose text is already listed. */
			bool dup = false;
			for (size_t t = 0; t < 3; t++)
				if (top[t].d > 0 && top[t].first == feat[k].first &&
				    top[t].last == feat[k].last)
					dup = true;
			if (dup)
				continue;
			for (size_t t = 0; t < 3; t++) {
				if (d > top[t].d) {
					memmove(&top[t + 1], &top[t], (2 - t) * sizeof top[0]);
					top[t] = (struct top_word){d, feat[k].first, feat[k].last};
					break;
				}
			}
		}
		if (top[0].d > 0) {
			char w[3][48];
			for (size_t t = 0; t < 3; t++) {
				w[t][0] = '\0';
				if (top[t].d > 0)
					span_text(m, top[t].first, top[t].last, w[t], sizeof w[t]);
			}
			add_reason(out, "mô hình (%s %.0f%%): '%s'%s%s%s%s%s", cat_slugs[best],
				   100.0 * exp(nb_only[best]), w[0], w[1][0] ? ", '" : "", w[1],
				   w[1][0] ? "'" : "", w[2][0] ? ", '" : "", w[2][0] ? w[2] : "");
			if (w[2][0] && out->n_reasons > 0) {
				/* close the quote of the third word */
				char *r = out->reasons[out->n_reasons - 1];
				size_t len = strlen(r);
				if (len + 1 < sizeof out->reasons[0]) {
					r[len] = '\'';
					r[len + 1] = '\0';
				}
			}
		}
	}
	if (out->emergency) {
		add_reason(out, "mức độ: urgent (khẩn cấp)");
	} else if (best == CAT_KHIEU_NAI) {
		add_reason(out, "khiếu nại, tố cáo: không phải PAKN, mức độ normal");
	} else {
		const struct match *lr = NULL;
		for (size_t i = 0; i < nrm; i++) {
			const struct rule *r = &mod->rules->r[rm[i].rule];
			if (r->target == LEVEL_BASE + (int)lv && r->weight > 0 &&
			    (!lr || r->weight > mod->rules->r[lr->rule].weight))
				lr = &rm[i];
		}
		if (lr)
			add_reason(out, "mức độ %s: '%s'", level_names[lv],
				   mod->rules->r[lr->rule].phrase);
		else
			add_reason(out, "mức độ %s (mô hình)", level_names[lv]);
	}
done:
	msg_release(m);
	td_free(m);
	return TD_OK;
}
