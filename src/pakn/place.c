/*
 * place.c - the place resolver: Hanoi ward/commune codes from free text.
 *
 * Build (once, place_index_load): every name (126 new units, 526 old wards,
 * 30 old districts, other provinces, Hanoi) and every context word of
 * place_words.tsv is folded (vn_fold) and cut into syllables; each distinct
 * syllable gets a 16-bit id and each phrase becomes a path in a trie whose
 * edges live in one open-addressing hash keyed (node, syllable).  A node
 * carries its senses (what the phrase can mean) and the phrase's accented
 * key (vn_fold_case) so marks can break ties between names that fold alike.
 *
 * Resolve (place_resolve, no allocation): tokenise the text, fold each word
 * token (ASCII inline, else vn_fold into the result's scratch), look its
 * syllable id up, then walk the trie greedily left to right taking the
 * longest phrase at each token ("Trần Hưng Đạo" before "Hưng Đạo").  A second
 * pass reads each phrase with its neighbours: the word before it (phường/xã,
 * quận/huyện, tỉnh/TP, a street word, a locative) and the chain after it
 * (old district, province) decide what a name means; then the mentions are
 * combined into one answer.  The rules are listed in place.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/textfile.h"
#include "base/buf.h"
#include "base/banned.h"
#include "pakn/place.h"
#include "text/vn.h"

#define FILE_MAX ((size_t)4 << 20)
#define SYL_MAX 8          /* syllables in a phrase */
#define VOCAB_CAP 8192     /* syllable hash slots (power of two) */
#define EDGE_CAP 32768     /* trie edge hash slots (power of two) */
#define NODE_MAX 60000
#define SENSES_PER_NODE 32
#define TOKEN_BYTES_MAX 48 /* longer word tokens are not syllables */

enum sense_kind {
	S_UNIT,            /* idx: new unit */
	S_OLD,             /* idx: old ward */
	S_DISTRICT,        /* idx: old district */
	S_PROVINCE,        /* another province */
	S_HANOI,
	S_KW_WARD,         /* phường, xã, P., X., thị trấn (sub 1), TT (sub 1) */
	S_KW_DISTRICT,
	S_KW_CITY,
	S_KW_STREET,
	S_KW_LOCATIVE,
	S_KW_FILLER,       /* cũ, mới: skipped inside an address chain */
};

struct sense {
	uint8_t kind;
	uint8_t sub;
	uint16_t idx;
	const char *acc;   /* accented key of the phrase (owned by the index) */
	bool acc_marks;    /* acc has diacritics */
};

struct node {
	uint32_t first; /* into senses */
	uint16_t nsense;
	uint8_t nsyl;
	bool common;    /* a common person/street name: bare mentions do not count */
};

struct edge {
	uint32_t key; /* (parent << 16 | syl) + 1; 0 = empty */
	uint32_t child;
};

struct place_index {
	struct place_unit *units;
	size_t nunits;
	struct place_old_ward *olds;
	size_t nolds;
	struct place_district *districts;
	size_t ndistricts;

	char **strings; /* every owned string, freed at the end */
	size_t nstrings, capstrings;

	char **syl;     /* id -> folded syllable; id 0 unused */
	size_t nsyl;
	uint16_t vocab[VOCAB_CAP];

	struct edge *edges; /* EDGE_CAP */
	size_t nedges;
	struct node *nodes;
	size_t nnodes, capnodes;

	/* building: (node, sense) pairs; after build: senses grouped by node */
	struct pending {
		uint32_t node;
		struct sense s;
	} *pend;
	size_t npend, cappend;
	struct sense *senses;
};

/* ------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------- */

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t hash_u32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static const char *own(struct place_index *ix, char *s)
{
	if (ix->nstrings == ix->capstrings) {
		ix->capstrings = ix->capstrings ? 2 * ix->capstrings : 256;
		ix->strings = td_reallocarray(ix->strings, ix->capstrings, sizeof *ix->strings);
	}
	ix->strings[ix->nstrings++] = s;
	return s;
}

static bool has_non_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

static void copy_str(char *dst, size_t cap, const char *src, size_t n)
{
	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The syllable id of folded bytes s[0..n), or 0 if unknown. */
static uint16_t vocab_find(const struct place_index *ix, const char *s, size_t n)
{
	uint32_t h = hash_bytes(s, n) & (VOCAB_CAP - 1);
	for (;;) {
		uint16_t id = ix->vocab[h];
		if (id == 0)
			return 0;
		const char *t = ix->syl[id];
		if (strlen(t) == n && memcmp(t, s, n) == 0)
			return id;
		h = (h + 1) & (VOCAB_CAP - 1);
	}
}

static td_err vocab_add(struct place_index *ix, const char *s, size_t n, uint16_t *id)
{
	uint16_t f = vocab_find(ix, s, n);
	if (f) {
		*id = f;
		return TD_OK;
	}
	if (ix->nsyl + 1 >= VOCAB_CAP / 2)
		return TD_ERR_TOOBIG;
	if (ix->nsyl == 0) {
		ix->syl = td_calloc(VOCAB_CAP / 2, sizeof *ix->syl);
		ix->nsyl = 1;
	}
	uint16_t nid = (uint16_t)ix->nsyl++;
	ix->syl[nid] = (char *)own(ix, td_strndup(s, n));
	uint32_t h = hash_bytes(s, n) & (VOCAB_CAP - 1);
	while (ix->vocab[h])
		h = (h + 1) & (VOCAB_CAP - 1);
	ix->vocab[h] = nid;
	*id = nid;
	return TD_OK;
}

static uint32_t edge_find(const struct place_index *ix, uint32_t parent, uint16_t syl)
{
	uint32_t key = (parent << 16 | syl) + 1;
	uint32_t h = hash_u32(key) & (EDGE_CAP - 1);
	for (;;) {
		const struct edge *e = &ix->edges[h];
		if (e->key == 0)
			return 0;
		if (e->key == key)
			return e->child;
		h = (h + 1) & (EDGE_CAP - 1);
	}
}

static td_err node_new(struct place_index *ix, uint32_t *out)
{
	if (ix->nnodes >= NODE_MAX)
		return TD_ERR_TOOBIG;
	if (ix->nnodes == ix->capnodes) {
		ix->capnodes = ix->capnodes ? 2 * ix->capnodes : 1024;
		ix->nodes = td_reallocarray(ix->nodes, ix->capnodes, sizeof *ix->nodes);
	}
	memset(&ix->nodes[ix->nnodes], 0, sizeof ix->nodes[0]);
	*out = (uint32_t)ix->nnodes++;
	return TD_OK;
}

static td_err edge_add(struct place_index *ix, uint32_t parent, uint16_t syl, uint32_t *child)
{
	uint32_t c = edge_find(ix, parent, syl);
	if (c) {
		*child = c;
		return TD_OK;
	}
	if (ix->nedges + 1 >= EDGE_CAP / 2)
		return TD_ERR_TOOBIG;
	td_err e = node_new(ix, &c);
	if (e)
		return e;
	uint32_t key = (parent << 16 | syl) + 1;
	uint32_t h = hash_u32(key) & (EDGE_CAP - 1);
	while (ix->edges[h].key)
		h = (h + 1) & (EDGE_CAP - 1);
	ix->edges[h].key = key;
	ix->edges[h].child = c;
	ix->nedges++;
	*child = c;
	return TD_OK;
}

/* Cut key (a vn_fold or vn_fold_case output) into word tokens joined by one
 * space into out; returns the number of syllables. */
static size_t join_tokens(const char *key, size_t n, struct td_buf *out)
{
	struct vn_tokenizer t;
	struct vn_token tok;
	size_t k = 0;
	vn_tokenizer_init(&t, key, n);
	while (vn_tokenizer_next(&t, &tok)) {
		if (k)
			td_buf_addc(out, ' ');
		td_buf_add(out, key + tok.start, tok.len);
		k++;
	}
	return k;
}

/* Add phrase (UTF-8, any spelling) to the trie with sense s. */
static td_err add_phrase(struct place_index *ix, const char *phrase, struct sense s, bool common)
{
	struct td_buf f, a, j;
	td_err e = TD_OK;
	td_buf_init(&f, 4096);
	td_buf_init(&a, 4096);
	td_buf_init(&j, 4096);
	size_t n = strlen(phrase);
	if (vn_fold(&f, phrase, n, 0) != TD_OK || vn_fold_case(&a, phrase, n, 0) != TD_OK) {
		e = TD_ERR_PARSE;
		goto out;
	}
	if (!f.data) {
		e = TD_ERR_PARSE;
		goto out;
	}
	/* syllables of the folded key */
	uint16_t ids[SYL_MAX];
	size_t nsyl = 0;
	struct vn_tokenizer t;
	struct vn_token tok;
	vn_tokenizer_init(&t, f.data, f.len);
	while (vn_tokenizer_next(&t, &tok)) {
		if (nsyl == SYL_MAX || tok.kind == VN_TOKEN_CODE) {
			e = TD_ERR_PARSE;
			goto out;
		}
		e = vocab_add(ix, f.data + tok.start, tok.len, &ids[nsyl++]);
		if (e)
			goto out;
	}
	if (nsyl == 0) {
		e = TD_ERR_PARSE;
		goto out;
	}
	uint32_t node = 0;
	for (size_t i = 0; i < nsyl; i++) {
		e = edge_add(ix, node, ids[i], &node);
		if (e)
			goto out;
	}
	ix->nodes[node].nsyl = (uint8_t)nsyl;
	if (common)
		ix->nodes[node].common = true;
	if (s.kind <= S_KW_FILLER && !common) {
		join_tokens(a.data, a.len, &j);
		if (td_buf_error(&j) || !j.data) {
			e = TD_ERR_PARSE;
			goto out;
		}
		s.acc = own(ix, td_buf_detach(&j, NULL));
		s.acc_marks = has_non_ascii(s.acc, strlen(s.acc));
		if (ix->npend == ix->cappend) {
			ix->cappend = ix->cappend ? 2 * ix->cappend : 1024;
			ix->pend = td_reallocarray(ix->pend, ix->cappend, sizeof *ix->pend);
		}
		ix->pend[ix->npend].node = node;
		ix->pend[ix->npend].s = s;
		ix->npend++;
	}
out:
	td_buf_release(&f);
	td_buf_release(&a);
	td_buf_release(&j);
	return e;
}

/* Group the pending senses by node, keeping their insertion order (so a
 * name's meanings come out in file order: deterministic results). */
static td_err finish_senses(struct place_index *ix)
{
	const struct pending *p = ix->pend;
	size_t n = ix->npend;
	uint32_t *count = td_calloc(ix->nnodes + 1, sizeof *count);
	uint32_t *fill = td_calloc(ix->nnodes + 1, sizeof *fill);
	for (size_t i = 0; i < n; i++)
		count[p[i].node + 1]++;
	for (size_t i = 0; i < ix->nnodes; i++)
		count[i + 1] += count[i];
	ix->senses = td_calloc(n ? n : 1, sizeof *ix->senses);
	td_err e = TD_OK;
	for (size_t i = 0; i < ix->nnodes; i++) {
		ix->nodes[i].first = count[i];
		ix->nodes[i].nsense = (uint16_t)(count[i + 1] - count[i]);
		if (ix->nodes[i].nsense > SENSES_PER_NODE)
			e = TD_ERR_TOOBIG;
	}
	for (size_t i = 0; i < n; i++)
		ix->senses[count[p[i].node] + fill[p[i].node]++] = p[i].s;
	td_free(fill);
	td_free(count);
	td_free(ix->pend);
	ix->pend = NULL;
	ix->npend = ix->cappend = 0;
	return e;
}

/* ------------------------------------------------------------------------
 * Loading the TSV files
 * ---------------------------------------------------------------------- */

#define FIELDS_MAX 8

/* Split line (modified in place) on tabs; returns the number of fields. */
static size_t split_tabs(char *line, char **fields)
{
	size_t n = 0;
	char *p = line;
	for (;;) {
		if (n == FIELDS_MAX)
			return n + 1;
		fields[n++] = p;
		char *t = strchr(p, '\t');
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

typedef td_err (*row_fn)(struct place_index *ix, char **f, size_t nf, char *why, size_t whylen);

static td_err load_tsv(struct place_index *ix, const char *dir, const char *name, row_fn fn,
		       char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/data/hanoi/%s", dir, name);
	char *text = NULL;
	size_t len = 0;
	td_err e = td_file_read_len(path, FILE_MAX, &text, &len, err, errlen);
	if (e) {
		snprintf(err, errlen, "%s: %s", path, td_strerror(e));
		return e;
	}
	size_t lineno = 0;
	char *p = text;
	while (p < text + len) {
		char *nl = memchr(p, '\n', (size_t)(text + len - p));
		char *end = nl ? nl : text + len;
		*end = '\0';
		if (end > p && end[-1] == '\r')
			end[-1] = '\0';
		lineno++;
		if (*p && *p != '#') {
			char *f[FIELDS_MAX];
			size_t nf = split_tabs(p, f);
			char why[200] = "bad row";
			e = fn(ix, f, nf, why, sizeof why);
			if (e) {
				snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
				goto out;
			}
		}
		p = end + 1;
	}
out:
	td_free(text);
	return e;
}

static bool is_code(const char *s, size_t digits)
{
	if (strlen(s) != digits)
		return false;
	for (size_t i = 0; i < digits; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static td_err row_unit(struct place_index *ix, char **f, size_t nf, char *why, size_t whylen)
{
	if (nf != 4 || !is_code(f[0], 5)) {
		snprintf(why, whylen, "want: code(5 digits) TAB name TAB phuong|xa TAB short name");
		return TD_ERR_PARSE;
	}
	struct place_unit u = {0};
	memcpy(u.code, f[0], 6);
	if (strcmp(f[2], "phuong") == 0)
		u.type = PLACE_PHUONG;
	else if (strcmp(f[2], "xa") == 0)
		u.type = PLACE_XA;
	else {
		snprintf(why, whylen, "unknown unit type '%s'", f[2]);
		return TD_ERR_PARSE;
	}
	if (ix->nunits >= 1000) {
		snprintf(why, whylen, "too many units");
		return TD_ERR_TOOBIG;
	}
	u.name = own(ix, td_strdup(f[1]));
	u.short_name = own(ix, td_strdup(f[3]));
	ix->units = td_reallocarray(ix->units, ix->nunits + 1, sizeof *ix->units);
	ix->units[ix->nunits++] = u;
	return TD_OK;
}

static td_err row_district(struct place_index *ix, char **f, size_t nf, char *why, size_t whylen)
{
	if (nf != 5 || !is_code(f[0], 3)) {
		snprintf(why, whylen, "want: code(3 digits) TAB name TAB type TAB short name TAB count");
		return TD_ERR_PARSE;
	}
	struct place_district d = {0};
	memcpy(d.code, f[0], 4);
	if (strcmp(f[2], "quan") == 0)
		d.type = PLACE_QUAN;
	else if (strcmp(f[2], "huyen") == 0)
		d.type = PLACE_HUYEN;
	else if (strcmp(f[2], "thi-xa") == 0)
		d.type = PLACE_THI_XA;
	else {
		snprintf(why, whylen, "unknown district type '%s'", f[2]);
		return TD_ERR_PARSE;
	}
	if (ix->ndistricts >= 200) {
		snprintf(why, whylen, "too many districts");
		return TD_ERR_TOOBIG;
	}
	d.name = own(ix, td_strdup(f[1]));
	d.short_name = own(ix, td_strdup(f[3]));
	ix->districts = td_reallocarray(ix->districts, ix->ndistricts + 1, sizeof *ix->districts);
	ix->districts[ix->ndistricts++] = d;
	return TD_OK;
}

static td_err row_old(struct place_index *ix, char **f, size_t nf, char *why, size_t whylen)
{
	if (nf != 6 || !is_code(f[0], 5) || !is_code(f[4], 3)) {
		snprintf(why, whylen, "want: code TAB name TAB type TAB short name TAB district "
				      "TAB new:full|partial,...");
		return TD_ERR_PARSE;
	}
	struct place_old_ward o = {0};
	memcpy(o.code, f[0], 6);
	if (strcmp(f[2], "phuong") == 0)
		o.type = PLACE_PHUONG;
	else if (strcmp(f[2], "xa") == 0)
		o.type = PLACE_XA;
	else if (strcmp(f[2], "thi-tran") == 0)
		o.type = PLACE_THI_TRAN;
	else {
		snprintf(why, whylen, "unknown ward type '%s'", f[2]);
		return TD_ERR_PARSE;
	}
	size_t d;
	for (d = 0; d < ix->ndistricts; d++)
		if (strcmp(ix->districts[d].code, f[4]) == 0)
			break;
	if (d == ix->ndistricts) {
		snprintf(why, whylen, "unknown district code '%s'", f[4]);
		return TD_ERR_PARSE;
	}
	o.district = d;
	char *p = f[5];
	while (*p) {
		char *comma = strchr(p, ',');
		char *end = comma ? comma : p + strlen(p);
		if (end - p < 7 || p[5] != ':' || o.nunits == PLACE_OLD_UNITS_MAX) {
			snprintf(why, whylen, "bad new unit list '%s'", f[5]);
			return TD_ERR_PARSE;
		}
		char code[6];
		memcpy(code, p, 5);
		code[5] = '\0';
		const struct place_unit *u = place_index_unit_by_code(ix, code);
		if (!u) {
			snprintf(why, whylen, "unknown new unit '%s'", code);
			return TD_ERR_PARSE;
		}
		o.unit[o.nunits++] = (size_t)(u - ix->units);
		if ((size_t)(end - p) == 13 && memcmp(p + 6, "partial", 7) == 0)
			o.partial = true;
		else if (!((size_t)(end - p) == 10 && memcmp(p + 6, "full", 4) == 0)) {
			snprintf(why, whylen, "want full or partial in '%s'", f[5]);
			return TD_ERR_PARSE;
		}
		p = comma ? comma + 1 : end;
	}
	if (o.nunits == 0) {
		snprintf(why, whylen, "no new unit");
		return TD_ERR_PARSE;
	}
	if (ix->nolds >= 5000) {
		snprintf(why, whylen, "too many old wards");
		return TD_ERR_TOOBIG;
	}
	o.name = own(ix, td_strdup(f[1]));
	o.short_name = own(ix, td_strdup(f[3]));
	ix->olds = td_reallocarray(ix->olds, ix->nolds + 1, sizeof *ix->olds);
	ix->olds[ix->nolds++] = o;
	return TD_OK;
}

static const struct {
	const char *name;
	enum sense_kind kind;
} word_kinds[] = {
	{"ward_prefix", S_KW_WARD},	    {"district_prefix", S_KW_DISTRICT},
	{"city_prefix", S_KW_CITY},	    {"street", S_KW_STREET},
	{"locative", S_KW_LOCATIVE},	    {"hanoi", S_HANOI},
	{"province", S_PROVINCE},	    {"filler", S_KW_FILLER},
};

static td_err row_word(struct place_index *ix, char **f, size_t nf, char *why, size_t whylen)
{
	if (nf != 2 || !f[1][0]) {
		snprintf(why, whylen, "want: kind TAB phrase");
		return TD_ERR_PARSE;
	}
	struct sense s = {0};
	if (strcmp(f[0], "common_name") == 0) {
		if (add_phrase(ix, f[1], s, true) != TD_OK) {
			snprintf(why, whylen, "bad phrase '%s'", f[1]);
			return TD_ERR_PARSE;
		}
		return TD_OK;
	}
	size_t k;
	for (k = 0; k < sizeof word_kinds / sizeof word_kinds[0]; k++)
		if (strcmp(f[0], word_kinds[k].name) == 0)
			break;
	if (k == sizeof word_kinds / sizeof word_kinds[0]) {
		snprintf(why, whylen, "unknown kind '%s'", f[0]);
		return TD_ERR_PARSE;
	}
	s.kind = (uint8_t)word_kinds[k].kind;
	/* "thị trấn" and "tt" name an old town: remember it */
	if (s.kind == S_KW_WARD && (strcmp(f[1], "thị trấn") == 0 || strcmp(f[1], "tt") == 0))
		s.sub = 1;
	if (add_phrase(ix, f[1], s, false) != TD_OK) {
		snprintf(why, whylen, "bad phrase '%s'", f[1]);
		return TD_ERR_PARSE;
	}
	return TD_OK;
}

td_err place_index_load(struct place_index **out, const char *resource_dir, char *err,
			size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	if (!out || !resource_dir) {
		snprintf(err, errlen, "no resource directory");
		return TD_ERR_INVAL;
	}
	*out = NULL;
	struct place_index *ix = td_calloc(1, sizeof *ix);
	ix->edges = td_calloc(EDGE_CAP, sizeof *ix->edges);
	uint32_t root;
	td_err e = node_new(ix, &root);
	if (e)
		goto fail;
	e = load_tsv(ix, resource_dir, "wards.tsv", row_unit, err, errlen);
	if (e)
		goto fail;
	e = load_tsv(ix, resource_dir, "districts.tsv", row_district, err, errlen);
	if (e)
		goto fail;
	e = load_tsv(ix, resource_dir, "old_wards.tsv", row_old, err, errlen);
	if (e)
		goto fail;
	for (size_t i = 0; i < ix->nunits; i++) {
		struct sense s = {.kind = S_UNIT, .idx = (uint16_t)i};
		if ((e = add_phrase(ix, ix->units[i].short_name, s, false)) != TD_OK)
			goto fail_name;
	}
	for (size_t i = 0; i < ix->nolds; i++) {
		struct sense s = {.kind = S_OLD, .idx = (uint16_t)i};
		if ((e = add_phrase(ix, ix->olds[i].short_name, s, false)) != TD_OK)
			goto fail_name;
	}
	for (size_t i = 0; i < ix->ndistricts; i++) {
		struct sense s = {.kind = S_DISTRICT, .idx = (uint16_t)i};
		if ((e = add_phrase(ix, ix->districts[i].short_name, s, false)) != TD_OK)
			goto fail_name;
	}
	{
		/* words that may sit inside an address chain: "quận Ba Đình cũ" */
		static const char *const fillers[] = {"cũ", "mới", "nay"};
		for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++) {
			struct sense s = {.kind = S_KW_FILLER};
			if ((e = add_phrase(ix, fillers[i], s, false)) != TD_OK)
				goto fail_name;
		}
	}
	e = load_tsv(ix, resource_dir, "place_words.tsv", row_word, err, errlen);
	if (e)
		goto fail;
	e = finish_senses(ix);
	if (e) {
		snprintf(err, errlen, "a phrase has more than %d meanings", SENSES_PER_NODE);
		goto fail;
	}
	if (ix->nunits == 0 || ix->ndistricts == 0 || ix->nolds == 0) {
		snprintf(err, errlen, "%s/data/hanoi: empty place tables", resource_dir);
		e = TD_ERR_PARSE;
		goto fail;
	}
	*out = ix;
	return TD_OK;
fail_name:
	snprintf(err, errlen, "cannot index a place name (%s)", td_strerror(e));
fail:
	place_index_free(ix);
	return e;
}

void place_index_free(struct place_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nstrings; i++)
		td_free(ix->strings[i]);
	td_free(ix->strings);
	td_free(ix->syl);
	td_free(ix->edges);
	td_free(ix->nodes);
	td_free(ix->pend);
	td_free(ix->senses);
	td_free(ix->units);
	td_free(ix->olds);
	td_free(ix->districts);
	td_free(ix);
}

size_t place_index_unit_count(const struct place_index *ix)
{
	return ix->nunits;
}

const struct place_unit *place_index_unit_at(const struct place_index *ix, size_t i)
{
	return i < ix->nunits ? &ix->units[i] : NULL;
}

const struct place_unit *place_index_unit_by_code(const struct place_index *ix, const char *code)
{
	if (!code)
		return NULL;
	for (size_t i = 0; i < ix->nunits; i++)
		if (strcmp(ix->units[i].code, code) == 0)
			return &ix->units[i];
	return NULL;
}

size_t place_index_old_ward_count(const struct place_index *ix)
{
	return ix->nolds;
}

const struct place_old_ward *place_index_old_ward_at(const struct place_index *ix, size_t i)
{
	return i < ix->nolds ? &ix->olds[i] : NULL;
}

size_t place_index_district_count(const struct place_index *ix)
{
	return ix->ndistricts;
}

const struct place_district *place_index_district_at(const struct place_index *ix, size_t i)
{
	return i < ix->ndistricts ? &ix->districts[i] : NULL;
}

/* ------------------------------------------------------------------------
 * Resolving
 * ---------------------------------------------------------------------- */

enum {
	T_WORD = 1,   /* a word token */
	T_MARKS = 2,  /* has non-ASCII bytes (diacritics) */
	T_UPPER = 4,  /* starts with a capital letter */
	T_BREAK = 8,  /* a sentence/clause break sits before it */
};

struct tok {
	uint32_t start, len;
	uint16_t syl;
	uint8_t flags;
};

enum role {
	R_NAME,
	R_KW_WARD,
	R_KW_DISTRICT,
	R_KW_CITY,
	R_KW_STREET,
	R_KW_LOCATIVE,
	R_KW_FILLER,
};

struct item {
	uint32_t t0, t1;  /* tokens [t0, t1) */
	uint32_t node;
	uint32_t mask;    /* senses of the node kept after the accent check */
	uint8_t role;
	uint8_t sub;      /* keyword sub-kind (1: thị trấn) */
};

enum mention_kind { M_WARD, M_DISTRICT, M_HANOI, M_OTHER };

struct mention {
	uint8_t kind;
	uint32_t item;     /* the name item (or the prefix item for M_OTHER) */
	uint32_t t0, t1;   /* tokens including the prefix */
	uint16_t district; /* M_DISTRICT */
	uint8_t prefix;    /* role of the word before: R_KW_WARD, R_KW_LOCATIVE or R_NAME (none) */
	uint8_t prefix_sub;
};

struct place_scratch {
	struct tok toks[PLACE_TOKENS_MAX];
	struct item items[PLACE_TOKENS_MAX];
	struct mention ments[PLACE_TOKENS_MAX];
	struct td_buf fold;
	struct td_buf acc;
};

void place_result_init(struct place_result *r)
{
	memset(r, 0, sizeof *r);
	r->scratch = td_calloc(1, sizeof *r->scratch);
	td_buf_init(&r->scratch->fold, 1024);
	td_buf_init(&r->scratch->acc, 4096);
}

void place_result_release(struct place_result *r)
{
	if (!r || !r->scratch)
		return;
	td_buf_release(&r->scratch->fold);
	td_buf_release(&r->scratch->acc);
	td_free(r->scratch);
	r->scratch = NULL;
}

/* Is the first code point of s an upper-case letter?  Covers ASCII and the
 * Latin blocks Vietnamese uses (even code points are capitals there). */
static bool starts_upper(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	if (c < 0x80)
		return c >= 'A' && c <= 'Z';
	uint32_t cp;
	if ((c & 0xe0) == 0xc0 && n >= 2)
		cp = (uint32_t)(c & 0x1f) << 6 | ((unsigned char)s[1] & 0x3f);
	else if ((c & 0xf0) == 0xe0 && n >= 3)
		cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)((unsigned char)s[1] & 0x3f) << 6 |
		     ((unsigned char)s[2] & 0x3f);
	else
		return false;
	if (cp >= 0xc0 && cp <= 0xde)
		return cp != 0xd7;
	if (cp >= 0x100 && cp <= 0x17f)
		return (cp & 1) == 0;
	if (cp == 0x1a0 || cp == 0x1af)
		return true;
	if (cp >= 0x1ea0 && cp <= 0x1ef9)
		return (cp & 1) == 0;
	return false;
}

/* A clause break between two tokens?  '.' after a one- or two-letter
 * abbreviation (P. Q. TX. TP.) is not one. */
static bool gap_breaks(const char *text, const struct tok *prev, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		char c = text[i];
		if (c == '\n' || c == '!' || c == '?' || c == ';' || c == ':')
			return true;
		if (c == '.') {
			if (prev && (prev->flags & T_WORD) && !(prev->flags & T_MARKS) &&
			    prev->len <= 2)
				continue;
			return true;
		}
	}
	return false;
}

static size_t tokenize(const struct place_index *ix, struct place_scratch *sc, const char *text,
		       size_t n, bool *any_upper)
{
	struct vn_tokenizer t;
	struct vn_token tk;
	size_t nt = 0, prev_end = 0;
	*any_upper = false;
	vn_tokenizer_init(&t, text, n);
	while (nt < PLACE_TOKENS_MAX && vn_tokenizer_next(&t, &tk)) {
		struct tok *o = &sc->toks[nt];
		o->start = (uint32_t)tk.start;
		o->len = (uint32_t)tk.len;
		o->syl = 0;
		o->flags = 0;
		if (gap_breaks(text, nt ? &sc->toks[nt - 1] : NULL, prev_end, tk.start))
			o->flags |= T_BREAK;
		prev_end = tk.start + tk.len;
		nt++;
		if (tk.kind == VN_TOKEN_NUMBER && tk.len <= 2) {
			/* "Mỹ Đình 1": a small number may end an old ward's name */
			o->syl = vocab_find(ix, text + tk.start, tk.len);
			continue;
		}
		if (tk.kind != VN_TOKEN_WORD)
			continue;
		o->flags |= T_WORD;
		const char *s = text + tk.start;
		if (starts_upper(s, tk.len)) {
			o->flags |= T_UPPER;
			*any_upper = true;
		}
		if (tk.len > TOKEN_BYTES_MAX)
			continue;
		if (!has_non_ascii(s, tk.len)) {
			char low[TOKEN_BYTES_MAX];
			for (size_t i = 0; i < tk.len; i++) {
				char c = s[i];
				low[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
			}
			o->syl = vocab_find(ix, low, tk.len);
		} else {
			o->flags |= T_MARKS;
			td_buf_clear(&sc->fold);
			if (vn_fold(&sc->fold, s, tk.len, VN_LOSSY) == TD_OK && sc->fold.data)
				o->syl = vocab_find(ix, sc->fold.data, sc->fold.len);
		}
	}
	return nt;
}

/* The accented key of tokens [t0, t1) in sc->acc; false if it does not fit. */
static bool span_accented(struct place_scratch *sc, const char *text, uint32_t t0, uint32_t t1)
{
	td_buf_clear(&sc->acc);
	for (uint32_t i = t0; i < t1; i++) {
		if (i > t0)
			td_buf_addc(&sc->acc, ' ');
		if (vn_fold_case(&sc->acc, text + sc->toks[i].start, sc->toks[i].len, VN_LOSSY))
			return false;
	}
	return td_buf_error(&sc->acc) == TD_OK && sc->acc.data;
}

static bool is_keyword(uint8_t kind)
{
	return kind >= S_KW_WARD;
}

/* Keep the senses the spelling allows: with diacritics in the text, a
 * keyword written with marks must agree exactly, and if some name agrees
 * exactly the names that only fold alike are dropped. */
static uint32_t accent_mask(const struct place_index *ix, struct place_scratch *sc,
			    const char *text, uint32_t t0, uint32_t t1, const struct node *nd)
{
	uint32_t all = nd->nsense >= 32 ? 0xffffffffu : ((1u << nd->nsense) - 1);
	bool marks = false;
	for (uint32_t i = t0; i < t1; i++)
		if (sc->toks[i].flags & T_MARKS)
			marks = true;
	if (!marks)
		return all;
	bool need = false;
	for (uint16_t k = 0; k < nd->nsense; k++)
		if (ix->senses[nd->first + k].acc_marks)
			need = true;
	if (!need || !span_accented(sc, text, t0, t1))
		return all;
	uint32_t exact = 0, names = 0, kw_ok = 0;
	for (uint16_t k = 0; k < nd->nsense; k++) {
		const struct sense *s = &ix->senses[nd->first + k];
		bool eq = strcmp(s->acc, sc->acc.data) == 0;
		if (is_keyword(s->kind)) {
			if (eq || !s->acc_marks)
				kw_ok |= 1u << k;
		} else {
			names |= 1u << k;
			if (eq)
				exact |= 1u << k;
		}
	}
	return kw_ok | (exact ? exact : names);
}

/* The longest phrase with a meaning at token i: its node and length. */
static size_t longest_at(const struct place_index *ix, const struct place_scratch *sc, size_t nt,
			 size_t i, uint32_t *best)
{
	uint32_t node = 0;
	size_t best_len = 0;
	*best = 0;
	for (size_t j = i; j < nt && j - i < SYL_MAX; j++) {
		if (sc->toks[j].syl == 0 || (j > i && (sc->toks[j].flags & T_BREAK)))
			break;
		node = edge_find(ix, node, sc->toks[j].syl);
		if (!node)
			break;
		if (ix->nodes[node].nsense) {
			*best = node;
			best_len = j - i + 1;
		}
	}
	return best_len;
}

static bool node_has_prefix(const struct place_index *ix, uint32_t node)
{
	const struct node *nd = &ix->nodes[node];
	for (uint16_t k = 0; k < nd->nsense; k++) {
		uint8_t kd = ix->senses[nd->first + k].kind;
		if (kd == S_KW_WARD || kd == S_KW_DISTRICT || kd == S_KW_CITY)
			return true;
	}
	return false;
}

static bool node_has_name(const struct place_index *ix, uint32_t node)
{
	const struct node *nd = &ix->nodes[node];
	for (uint16_t k = 0; k < nd->nsense; k++)
		if (ix->senses[nd->first + k].kind < S_KW_WARD)
			return true;
	return false;
}

static size_t find_items(const struct place_index *ix, struct place_scratch *sc, const char *text,
			 size_t nt)
{
	size_t ni = 0;
	size_t i = 0;
	while (i < nt) {
		uint32_t best;
		size_t best_len = longest_at(ix, sc, nt, i, &best);
		if (!best_len) {
			i++;
			continue;
		}
		if (best_len > 1) {
			/* "phường Tứ Liên" is a prefix and a name, not the old
			 * "Phương Tú" and a stray "Liên": split when the first
			 * token is a keyword and the rest reaches as far. */
			uint32_t one = edge_find(ix, 0, sc->toks[i].syl), rest;
			if (one && node_has_prefix(ix, one) &&
			    i + 1 + longest_at(ix, sc, nt, i + 1, &rest) >= i + best_len &&
			    node_has_name(ix, rest)) {
				best = one;
				best_len = 1;
			}
		}
		const struct node *nd = &ix->nodes[best];
		uint32_t mask =
			accent_mask(ix, sc, text, (uint32_t)i, (uint32_t)(i + best_len), nd);
		if (mask) {
			struct item *it = &sc->items[ni++];
			it->t0 = (uint32_t)i;
			it->t1 = (uint32_t)(i + best_len);
			it->node = best;
			it->mask = mask;
			it->role = R_NAME;
			it->sub = 0;
		}
		i += best_len;
	}
	return ni;
}

static bool item_has(const struct place_index *ix, const struct item *it, uint8_t kind)
{
	const struct node *nd = &ix->nodes[it->node];
	for (uint16_t k = 0; k < nd->nsense; k++)
		if ((it->mask >> k & 1) && ix->senses[nd->first + k].kind == kind)
			return true;
	return false;
}

static const struct sense *item_first(const struct place_index *ix, const struct item *it,
				      uint8_t kind)
{
	const struct node *nd = &ix->nodes[it->node];
	for (uint16_t k = 0; k < nd->nsense; k++)
		if ((it->mask >> k & 1) && ix->senses[nd->first + k].kind == kind)
			return &ix->senses[nd->first + k];
	return NULL;
}

/* Two items next to each other in one clause (no token between them). */
static bool items_adjacent(const struct place_scratch *sc, const struct item *a,
			   const struct item *b)
{
	return a->t1 == b->t0 && !(sc->toks[b->t0].flags & T_BREAK);
}

static uint8_t keyword_role(const struct place_index *ix, const struct item *it, uint8_t *sub)
{
	static const struct {
		uint8_t kind, role;
	} map[] = {
		{S_KW_WARD, R_KW_WARD},		{S_KW_DISTRICT, R_KW_DISTRICT},
		{S_KW_CITY, R_KW_CITY},		{S_KW_STREET, R_KW_STREET},
		{S_KW_LOCATIVE, R_KW_LOCATIVE}, {S_KW_FILLER, R_KW_FILLER},
	};
	for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
		const struct sense *s = item_first(ix, it, map[k].kind);
		if (s) {
			*sub = s->sub;
			return map[k].role;
		}
	}
	return R_NAME;
}

static bool has_name_sense(const struct place_index *ix, const struct item *it)
{
	return item_has(ix, it, S_UNIT) || item_has(ix, it, S_OLD) ||
	       item_has(ix, it, S_DISTRICT) || item_has(ix, it, S_PROVINCE) ||
	       item_has(ix, it, S_HANOI);
}

/* Give each item its role: a keyword, or a name (a phrase that is both is
 * a name right after a prefix word, else a keyword). */
static void assign_roles(const struct place_index *ix, struct place_scratch *sc, size_t ni)
{
	for (size_t k = 0; k < ni; k++) {
		struct item *it = &sc->items[k];
		uint8_t sub = 0;
		uint8_t kw = keyword_role(ix, it, &sub);
		bool name = has_name_sense(ix, it);
		if (kw == R_NAME) {
			it->role = R_NAME;
			continue;
		}
		const struct item *prev = k ? &sc->items[k - 1] : NULL;
		bool after_prefix = prev && items_adjacent(sc, prev, it) &&
				    (prev->role == R_KW_WARD || prev->role == R_KW_DISTRICT ||
				     prev->role == R_KW_CITY);
		if (name && after_prefix) {
			it->role = R_NAME;
		} else {
			it->role = kw;
			it->sub = sub;
		}
	}
}

static size_t find_mentions(const struct place_index *ix, struct place_scratch *sc,
			    const char *text, size_t nt, size_t ni, bool any_upper)
{
	size_t nm = 0;
	(void)text;
	for (size_t k = 0; k < ni; k++) {
		struct item *it = &sc->items[k];
		const struct item *prev = k ? &sc->items[k - 1] : NULL;
		uint8_t p = (prev && items_adjacent(sc, prev, it)) ? prev->role : R_NAME;
		if (it->role == R_KW_DISTRICT || it->role == R_KW_CITY) {
			/* "huyện Tứ Kỳ", "TP Thủ Đức", "quận 1": a place, not ours */
			uint32_t nx = it->t1;
			if (nx < nt && !(sc->toks[nx].flags & T_BREAK) &&
			    (k + 1 >= ni || sc->items[k + 1].t0 != nx)) {
				const struct tok *tk = &sc->toks[nx];
				bool num = !(tk->flags & T_WORD);
				if ((num && it->role == R_KW_DISTRICT) ||
				    (!num && any_upper && (tk->flags & T_UPPER))) {
					struct mention *m = &sc->ments[nm++];
					memset(m, 0, sizeof *m);
					m->kind = M_OTHER;
					m->item = (uint32_t)k;
					m->t0 = it->t0;
					m->t1 = nx + 1;
				}
			}
			continue;
		}
		if (it->role != R_NAME)
			continue;
		struct mention m = {0};
		m.item = (uint32_t)k;
		m.t0 = (p != R_NAME) ? prev->t0 : it->t0;
		m.t1 = it->t1;
		m.prefix = p;
		m.prefix_sub = (p != R_NAME) ? prev->sub : 0;
		bool unit = item_has(ix, it, S_UNIT), old = item_has(ix, it, S_OLD);
		const struct sense *dist = item_first(ix, it, S_DISTRICT);
		bool prov = item_has(ix, it, S_PROVINCE), hn = item_has(ix, it, S_HANOI);
		if (p == R_KW_STREET)
			continue;
		if (p == R_KW_CITY) {
			if (hn)
				m.kind = M_HANOI;
			else if (prov)
				m.kind = M_OTHER;
			else if (dist) {
				m.kind = M_DISTRICT;
				m.district = dist->idx;
			} else
				m.kind = M_OTHER;
		} else if (p == R_KW_DISTRICT) {
			if (dist) {
				m.kind = M_DISTRICT;
				m.district = dist->idx;
			} else if (hn) {
				m.kind = M_HANOI;
			} else {
				m.kind = M_OTHER;
			}
		} else if (p == R_KW_WARD) {
			if (unit || old)
				m.kind = M_WARD;
			else if (prov)
				m.kind = M_OTHER;
			else
				continue;
		} else {
			if (hn)
				m.kind = M_HANOI;
			else if (dist) {
				m.kind = M_DISTRICT;
				m.district = dist->idx;
			} else if (prov)
				m.kind = M_OTHER;
			else if (unit || old)
				m.kind = M_WARD;
			else
				continue;
		}
		sc->ments[nm++] = m;
	}
	return nm;
}

/* The result being built. */
struct pick {
	uint16_t unit[PLACE_CODES_MAX];
	size_t n;
	int strength;
	bool old;
	bool ambiguous;
	uint32_t t0, t1;
	int old_ward;  /* the old ward when a single one was meant, else -1 */
	int district;  /* the old district that confirmed it, else -1 */
	int ndistricts_amb; /* districts an ambiguous old name is in */
	int mismatch;       /* the old district written with it, which has no such ward */
};

static void pick_add(struct pick *pk, size_t unit)
{
	for (size_t i = 0; i < pk->n; i++)
		if (pk->unit[i] == unit)
			return;
	if (pk->n < PLACE_CODES_MAX)
		pk->unit[pk->n++] = (uint16_t)unit;
}

static void pick_add_old(const struct place_index *ix, struct pick *pk, size_t old)
{
	const struct place_old_ward *o = &ix->olds[old];
	for (size_t u = 0; u < o->nunits; u++)
		pick_add(pk, o->unit[u]);
}

static bool all_capitalised(const struct place_scratch *sc, const struct item *it)
{
	for (uint32_t i = it->t0; i < it->t1; i++)
		if (!(sc->toks[i].flags & T_UPPER))
			return false;
	return true;
}

/* Decide what ward mention mi means; false if it does not count. */
static bool read_ward(const struct place_index *ix, struct place_scratch *sc, size_t nm, size_t mi,
		      bool any_upper, bool text_hanoi, bool text_other, struct pick *pk,
		      const char **why_dropped)
{
	const struct mention *m = &sc->ments[mi];
	const struct item *it = &sc->items[m->item];
	const struct node *nd = &ix->nodes[it->node];
	memset(pk, 0, sizeof *pk);
	pk->old_ward = -1;
	pk->district = -1;
	pk->mismatch = -1;
	pk->t0 = m->t0;
	pk->t1 = m->t1;

	/* The address chain after the name: old district, province. */
	int chain_district = -1;
	bool chain_other = false, chain_hanoi = false;
	uint32_t chain_end = m->t1, end = m->t1;
	for (size_t j = mi + 1; j < nm && j <= mi + 4; j++) {
		const struct mention *c = &sc->ments[j];
		if (c->t0 != end) {
			/* a filler token ("cũ") may sit between */
			if (c->t0 == end + 1 && sc->toks[end].syl) {
				const char *w = ix->syl[sc->toks[end].syl];
				if (!(strcmp(w, "cu") == 0 || strcmp(w, "moi") == 0))
					break;
			} else {
				break;
			}
		}
		if (sc->toks[c->t0].flags & T_BREAK)
			break;
		if (c->kind == M_WARD)
			break;
		if (c->kind == M_DISTRICT && chain_district < 0 && !chain_other) {
			chain_district = c->district;
			chain_end = c->t1;
		} else if (c->kind == M_OTHER) {
			chain_other = true;
		} else if (c->kind == M_HANOI) {
			chain_hanoi = true;
		}
		end = c->t1;
	}
	if (chain_other) {
		*why_dropped = "tên nằm trong địa chỉ thuộc tỉnh/thành khác";
		return false;
	}

	bool prefixed = m->prefix == R_KW_WARD;
	bool common = nd->common;
	bool bare_ok = !prefixed && m->prefix == R_KW_LOCATIVE && !common && nd->nsyl >= 2 &&
		       (!any_upper || all_capitalised(sc, it));
	int unit = -1;
	size_t olds[SENSES_PER_NODE], nold = 0;
	for (uint16_t k = 0; k < nd->nsense; k++) {
		if (!(it->mask >> k & 1))
			continue;
		const struct sense *s = &ix->senses[nd->first + k];
		if (s->kind == S_UNIT && unit < 0)
			unit = s->idx;
		else if (s->kind == S_OLD)
			olds[nold++] = s->idx;
	}

	if (chain_district >= 0) {
		size_t in_d[SENSES_PER_NODE], nin = 0;
		for (size_t k = 0; k < nold; k++)
			if (ix->olds[olds[k]].district == (size_t)chain_district)
				in_d[nin++] = olds[k];
		if (nin) {
			for (size_t k = 0; k < nin; k++)
				pick_add_old(ix, pk, in_d[k]);
			pk->old = true;
			pk->strength = 5;
			pk->t1 = chain_end;
			pk->old_ward = nin == 1 ? (int)in_d[0] : -1;
			pk->district = chain_district;
			pk->ambiguous = pk->n > 1;
			return true;
		}
		if (!prefixed) {
			*why_dropped = "tên không có phường/xã đứng trước và không thuộc quận/huyện cũ "
				       "đi kèm";
			return false;
		}
		/* a new name written with an old district: the name wins */
		pk->mismatch = chain_district;
	} else if (!prefixed && !bare_ok) {
		*why_dropped = common ? "tên trùng tên người/đường phố, không có phường/xã đứng trước"
				      : "tên không có phường/xã đứng trước";
		return false;
	}
	if (text_other && !text_hanoi && !chain_hanoi && chain_district < 0) {
		*why_dropped = "văn bản nhắc tới tỉnh/thành khác, không đoán đơn vị của Hà Nội";
		return false;
	}

	/* "thị trấn X" can only be an old town */
	if (prefixed && m->prefix_sub == 1) {
		for (size_t k = 0; k < nold; k++)
			if (ix->olds[olds[k]].type == PLACE_THI_TRAN) {
				pick_add_old(ix, pk, olds[k]);
				pk->old = true;
				pk->old_ward = (int)olds[k];
				pk->strength = 4;
				pk->ambiguous = pk->n > 1;
				return true;
			}
	}
	if (unit >= 0) {
		pick_add(pk, (size_t)unit);
		pk->strength = prefixed ? 4 : 2;
		return true;
	}
	if (nold == 0)
		return false;
	/* an old name alone: narrow by an old district named elsewhere */
	size_t keep[SENSES_PER_NODE], nkeep = 0;
	for (size_t k = 0; k < nold; k++)
		for (size_t j = 0; j < nm; j++)
			if (sc->ments[j].kind == M_DISTRICT &&
			    ix->olds[olds[k]].district == sc->ments[j].district) {
				keep[nkeep++] = olds[k];
				break;
			}
	if (nkeep == 0) {
		memcpy(keep, olds, nold * sizeof *olds);
		nkeep = nold;
	}
	for (size_t k = 0; k < nkeep; k++)
		pick_add_old(ix, pk, keep[k]);
	pk->old = true;
	pk->old_ward = nkeep == 1 ? (int)keep[0] : -1;
	pk->ndistricts_amb = nkeep > 1 ? (int)nkeep : 0;
	pk->ambiguous = pk->n > 1;
	pk->strength = nkeep == 1 ? (prefixed ? 4 : 2) : 1;
	return true;
}

static int unit_cmp_code(const struct place_index *ix, uint16_t a, uint16_t b)
{
	return strcmp(ix->units[a].code, ix->units[b].code);
}

static void sort_units(const struct place_index *ix, uint16_t *u, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint16_t v = u[i];
		size_t j = i;
		while (j > 0 && unit_cmp_code(ix, u[j - 1], v) > 0) {
			u[j] = u[j - 1];
			j--;
		}
		u[j] = v;
	}
}

/* Append "'<span>'" from the text, cut at a UTF-8 boundary. */
static void add_span(struct td_buf *b, const char *text, size_t start, size_t len)
{
	size_t max = 120;
	if (len > max) {
		len = max;
		while (len && ((unsigned char)text[start + len] & 0xc0) == 0x80)
			len--;
	}
	td_buf_addc(b, '\'');
	td_buf_add(b, text + start, len);
	td_buf_addc(b, '\'');
}

static void write_reason(const struct place_index *ix, const char *text, const struct tok *toks,
			 const struct pick *pk, struct place_result *r)
{
	struct td_buf b;
	td_buf_init(&b, PLACE_REASON_MAX - 1);
	size_t s = toks[pk->t0].start, e = toks[pk->t1 - 1].start + toks[pk->t1 - 1].len;
	if (pk->old) {
		td_buf_adds(&b, "địa chỉ cũ ");
		add_span(&b, text, s, e - s);
		if (pk->old_ward >= 0) {
			const struct place_old_ward *o = &ix->olds[pk->old_ward];
			td_buf_addf(&b, " (%s, %s)", o->name, ix->districts[o->district].name);
		} else if (pk->mismatch >= 0) {
			td_buf_addf(&b, " không có trong %s; các nơi trùng tên",
				    ix->districts[pk->mismatch].name);
		} else if (pk->ndistricts_amb > 1) {
			td_buf_addf(&b, " trùng tên ở %d quận/huyện cũ, không rõ quận/huyện",
				    pk->ndistricts_amb);
		}
	} else {
		td_buf_adds(&b, "tên đơn vị mới ");
		add_span(&b, text, s, e - s);
	}
	td_buf_adds(&b, " → ");
	for (size_t i = 0; i < pk->n; i++)
		td_buf_addf(&b, "%s%s (%s)", i ? ", " : "", ix->units[pk->unit[i]].name,
			    ix->units[pk->unit[i]].code);
	if (pk->n > 1)
		td_buf_adds(&b, "; cần hỏi lại người dân");
	if (td_buf_error(&b) == TD_OK && b.data)
		copy_str(r->reason, sizeof r->reason, b.data, b.len);
	else
		copy_str(r->reason, sizeof r->reason, "địa điểm xác định được", 26);
	td_buf_release(&b);
}

static void clear_result(struct place_result *r)
{
	r->n = 0;
	r->how = PLACE_NONE;
	r->from_old_address = false;
	r->ambiguous = false;
	r->span_start = r->span_len = 0;
	r->reason[0] = '\0';
}

td_err place_resolve(const struct place_index *ix, const char *text, size_t n,
		     struct place_result *r)
{
	if (!ix || !r || !r->scratch || (!text && n))
		return TD_ERR_INVAL;
	clear_result(r);
	struct place_scratch *sc = r->scratch;
	if (n > PLACE_TEXT_MAX) {
		n = PLACE_TEXT_MAX;
		while (n && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	bool any_upper = false;
	size_t nt = n ? tokenize(ix, sc, text, n, &any_upper) : 0;
	size_t ni = find_items(ix, sc, text, nt);
	assign_roles(ix, sc, ni);
	size_t nm = find_mentions(ix, sc, text, nt, ni, any_upper);

	bool text_hanoi = false, text_other = false;
	int first_district = -1;
	for (size_t j = 0; j < nm; j++) {
		if (sc->ments[j].kind == M_HANOI)
			text_hanoi = true;
		else if (sc->ments[j].kind == M_OTHER)
			text_other = true;
		else if (sc->ments[j].kind == M_DISTRICT && first_district < 0)
			first_district = (int)j;
	}

	struct pick best = {0}, cur;
	bool have = false;
	const char *dropped = NULL;
	size_t dropped_mention = 0;
	for (size_t j = 0; j < nm; j++) {
		if (sc->ments[j].kind != M_WARD)
			continue;
		const char *why = NULL;
		if (!read_ward(ix, sc, nm, j, any_upper, text_hanoi, text_other, &cur, &why)) {
			if (why && !dropped) {
				dropped = why;
				dropped_mention = j;
			}
			continue;
		}
		if (!have || cur.strength > best.strength) {
			best = cur;
			have = true;
			continue;
		}
		if (cur.strength < best.strength || cur.strength < 3)
			continue;
		/* Two mentions as strong: the same place named twice narrows
		 * ("… (nay là phường X)"); different places add up. */
		struct pick both = best;
		both.n = 0;
		for (size_t a = 0; a < best.n; a++)
			for (size_t b = 0; b < cur.n; b++)
				if (best.unit[a] == cur.unit[b])
					pick_add(&both, best.unit[a]);
		if (both.n) {
			best.n = both.n;
			memcpy(best.unit, both.unit, both.n * sizeof both.unit[0]);
			best.ambiguous = best.n > 1;
		} else {
			for (size_t b = 0; b < cur.n; b++)
				pick_add(&best, cur.unit[b]);
			best.ambiguous = true;
		}
	}
	if (!have) {
		if (dropped) {
			const struct mention *m = &sc->ments[dropped_mention];
			struct td_buf b;
			td_buf_init(&b, PLACE_REASON_MAX - 1);
			size_t s = sc->toks[m->t0].start;
			size_t e = sc->toks[m->t1 - 1].start + sc->toks[m->t1 - 1].len;
			td_buf_adds(&b, "không xác định được phường/xã: ");
			add_span(&b, text, s, e - s);
			td_buf_addf(&b, " bị bỏ qua (%s)", dropped);
			if (!td_buf_error(&b) && b.data)
				copy_str(r->reason, sizeof r->reason, b.data, b.len);
			td_buf_release(&b);
		} else if (first_district >= 0) {
			const struct mention *m = &sc->ments[first_district];
			snprintf(r->reason, sizeof r->reason,
				 "chỉ nêu quận/huyện cũ (%s), chưa đủ xác định phường/xã",
				 ix->districts[m->district].name);
		} else {
			snprintf(r->reason, sizeof r->reason, "không tìm thấy tên phường/xã");
		}
		return TD_OK;
	}
	sort_units(ix, best.unit, best.n);
	r->n = best.n;
	for (size_t i = 0; i < best.n; i++) {
		memcpy(r->cand[i].code, ix->units[best.unit[i]].code, 6);
		r->cand[i].name = ix->units[best.unit[i]].name;
	}
	r->how = best.old ? PLACE_OLD_WARD : PLACE_NEW_NAME;
	r->from_old_address = best.old;
	r->ambiguous = best.n > 1;
	r->span_start = sc->toks[best.t0].start;
	r->span_len = sc->toks[best.t1 - 1].start + sc->toks[best.t1 - 1].len - r->span_start;
	write_reason(ix, text, sc->toks, &best, r);
	return TD_OK;
}
