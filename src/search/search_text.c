/*
 * search_text.c - the text side of search: term dictionary, analysis of a
 * text into accented and folded syllables, stop words and fillers, and the
 * edit distance used for typo tolerance.
 *
 * Documents and queries go through the same search__analyze(), so they meet
 * on the same keys: vn_fold_case gives the accented key of the whole text
 * (NFC, lower case, canonical tone placement), vn_tokenize splits it into
 * syllables / numbers / codes, and each token is folded on its own (vn_fold)
 * so the accented and folded forms of token i always line up.  Two tokens
 * are "adjacent" (may form a bigram) only when exactly one space separates
 * them in the key, so punctuation, slashes and line breaks end a phrase.
 *
 * Stop words are data (data/text/stopwords.txt).  In queries they are not
 * looked up as unigrams; a bigram is dropped only when both of its syllables
 * are fillers, so "bảo hiểm xã hội" keeps "xã hội" even though "hỏi"/"hội"
 * fold alike.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "search/search_int.h"
#include "text/vn.h"

#include "base/banned.h"

#define STOP_FILE_MAX ((size_t)1 << 20)
#define STOP_ROWS_MAX 10000
#define STOP_KEY_MAX 256

/* ------------------------------------------------------------------------- */
/* Dictionary                                                                 */
/* ------------------------------------------------------------------------- */

uint32_t search__hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h ^ (h >> 15);
}

void search__dict_init(struct search__dict *d)
{
	memset(d, 0, sizeof *d);
}

void search__dict_release(struct search__dict *d)
{
	td_free(d->slot);
	td_free(d->off);
	td_free(d->len);
	td_free(d->hash);
	td_free(d->keys);
	memset(d, 0, sizeof *d);
}

uint32_t search__dict_find(const struct search__dict *d, const char *k, size_t n)
{
	if (!d->slot)
		return SEARCH__NONE;
	uint32_t h = search__hash(k, n);
	for (size_t i = h & d->mask;; i = (i + 1) & d->mask) {
		uint32_t s = d->slot[i];
		if (!s)
			return SEARCH__NONE;
		uint32_t id = s - 1;
		if (d->hash[id] == h && d->len[id] == n && memcmp(d->keys + d->off[id], k, n) == 0)
			return id;
	}
}

static void dict_rehash(struct search__dict *d, size_t slots)
{
	td_free(d->slot);
	d->slot = td_calloc(slots, sizeof *d->slot);
	d->mask = slots - 1;
	for (size_t id = 0; id < d->n; id++) {
		size_t i = d->hash[id] & d->mask;
		while (d->slot[i])
			i = (i + 1) & d->mask;
		d->slot[i] = (uint32_t)id + 1;
	}
}

uint32_t search__dict_intern(struct search__dict *d, const char *k, size_t n)
{
	uint32_t id = search__dict_find(d, k, n);
	if (id != SEARCH__NONE)
		return id;
	if (d->n >= ((size_t)1 << 31) || d->keys_len + n >= UINT32_MAX)
		return SEARCH__NONE;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 256;
		d->off = td_reallocarray(d->off, d->cap, sizeof *d->off);
		d->len = td_reallocarray(d->len, d->cap, sizeof *d->len);
		d->hash = td_reallocarray(d->hash, d->cap, sizeof *d->hash);
	}
	if (d->keys_len + n + 1 > d->keys_cap) {
		size_t c = d->keys_cap ? 2 * d->keys_cap : 4096;
		while (c < d->keys_len + n + 1)
			c *= 2;
		d->keys = td_realloc(d->keys, c);
		d->keys_cap = c;
	}
	memcpy(d->keys + d->keys_len, k, n);
	d->keys[d->keys_len + n] = '\0';
	id = (uint32_t)d->n++;
	d->off[id] = (uint32_t)d->keys_len;
	d->len[id] = (uint32_t)n;
	d->hash[id] = search__hash(k, n);
	d->keys_len += n + 1;
	if (2 * d->n > d->mask) /* load factor under 1/2 */
		dict_rehash(d, d->slot ? 2 * (d->mask + 1) : 1024);
	else {
		size_t i = d->hash[id] & d->mask;
		while (d->slot[i])
			i = (i + 1) & d->mask;
		d->slot[i] = id + 1;
	}
	return id;
}

const char *search__dict_key(const struct search__dict *d, uint32_t id, size_t *len)
{
	*len = d->len[id];
	return d->keys + d->off[id];
}

static void *dup_array(const void *p, size_t nmemb, size_t size)
{
	if (!p || !nmemb)
		return NULL;
	void *q = td_reallocarray(NULL, nmemb, size);
	memcpy(q, p, nmemb * size);
	return q;
}

void search__dict_copy(struct search__dict *dst, const struct search__dict *src)
{
	*dst = *src;
	dst->cap = src->n;
	dst->keys_cap = src->keys_len;
	dst->slot = dup_array(src->slot, src->slot ? src->mask + 1 : 0, sizeof *src->slot);
	dst->off = dup_array(src->off, src->n, sizeof *src->off);
	dst->len = dup_array(src->len, src->n, sizeof *src->len);
	dst->hash = dup_array(src->hash, src->n, sizeof *src->hash);
	dst->keys = dup_array(src->keys, src->keys_len, 1);
}

size_t search__dict_bytes(const struct search__dict *d)
{
	return (d->slot ? (d->mask + 1) * sizeof *d->slot : 0) + d->cap * 3 * sizeof(uint32_t) +
	       d->keys_cap;
}

/* ------------------------------------------------------------------------- */
/* Analysis                                                                   */
/* ------------------------------------------------------------------------- */

void search__an_init(struct search__an *an, size_t max_bytes)
{
	memset(an, 0, sizeof *an);
	td_buf_init(&an->acc, VN_KEY_BOUND(max_bytes));
	td_buf_init(&an->fold, VN_KEY_BOUND(max_bytes));
}

void search__an_release(struct search__an *an)
{
	td_buf_release(&an->acc);
	td_buf_release(&an->fold);
	td_free(an->t);
	memset(an, 0, sizeof *an);
}

static void an_push(struct search__an *an, const struct search__tok *t)
{
	if (an->n == an->cap) {
		an->cap = an->cap ? 2 * an->cap : 64;
		an->t = td_reallocarray(an->t, an->cap, sizeof *an->t);
	}
	an->t[an->n++] = *t;
}

td_err search__analyze(struct search__an *an, const char *s, size_t n)
{
	td_buf_clear(&an->acc);
	td_buf_clear(&an->fold);
	an->n = 0;
	if (!n)
		return TD_OK;
	td_err err = vn_fold_case(&an->acc, s, n, VN_LOSSY);
	if (err)
		return err;
	if (!an->acc.data)
		return TD_OK;
	struct vn_tokenizer tz;
	struct vn_token tok;
	size_t prev_end = 0;
	vn_tokenizer_init(&tz, an->acc.data, an->acc.len);
	while (vn_tokenizer_next(&tz, &tok)) {
		if (tok.len > UINT16_MAX)
			continue; /* a "word" this long is noise */
		struct search__tok t = {0};
		t.acc_off = (uint32_t)tok.start;
		t.acc_len = (uint32_t)tok.len;
		t.kind = (uint8_t)tok.kind;
		t.adj = an->n > 0 && tok.start == prev_end + 1 && an->acc.data[prev_end] == ' ';
		t.fold_off = (uint32_t)an->fold.len;
		err = vn_fold(&an->fold, an->acc.data + tok.start, tok.len, VN_LOSSY);
		if (err)
			return err;
		t.fold_len = (uint32_t)(an->fold.len - t.fold_off);
		if (!t.fold_len)
			continue;
		prev_end = tok.start + tok.len;
		t.marks = t.fold_len != t.acc_len ||
			  memcmp(an->fold.data + t.fold_off, an->acc.data + t.acc_off, t.acc_len) != 0;
		an_push(an, &t);
	}
	return TD_OK;
}

/* ------------------------------------------------------------------------- */
/* Stop words                                                                 */
/* ------------------------------------------------------------------------- */

/* Join tokens [i, i+k) of an (accented or folded) with one space into key.
 * False if the key would be too long. */
static bool join_key(struct td_buf *key, const struct search__an *an, size_t i, size_t k,
		     bool accented)
{
	td_buf_clear(key);
	for (size_t j = i; j < i + k; j++) {
		if (j > i)
			td_buf_addc(key, ' ');
		if (accented)
			td_buf_add(key, search__acc(an, j), an->t[j].acc_len);
		else
			td_buf_add(key, search__fold(an, j), an->t[j].fold_len);
	}
	return !td_buf_error(key) && key->len <= STOP_KEY_MAX;
}

void search__mark_stops(struct search__an *an, const struct search_stopwords *stop, bool accented,
			struct td_buf *key)
{
	if (!stop)
		return;
	const struct search__dict *d = accented ? &stop->acc : &stop->fold;
	for (size_t i = 0; i < an->n;) {
		size_t k = an->n - i < stop->max_syl ? an->n - i : stop->max_syl;
		for (; k > 0; k--)
			if (join_key(key, an, i, k, accented) &&
			    search__dict_find(d, key->data, key->len) != SEARCH__NONE)
				break;
		if (!k) {
			i++;
			continue;
		}
		for (size_t j = i; j < i + k; j++)
			an->t[j].stop = true;
		i += k;
	}
}

static void stop_msg(char *err, size_t errlen, const char *name, size_t line, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%s:%zu: %s", name, line, why);
}

static td_err stop_add_line(struct search_stopwords *sw, struct search__an *an,
			    struct td_buf *key, const char *s, size_t n, const char **why)
{
	if (!vn_utf8_valid(s, n)) {
		*why = "invalid UTF-8";
		return TD_ERR_PARSE;
	}
	td_err err = search__analyze(an, s, n);
	if (err) {
		*why = "line too long";
		return TD_ERR_PARSE;
	}
	if (!an->n)
		return TD_OK;
	if (an->n > SEARCH__STOP_MAX_SYL) {
		*why = "more than 4 syllables";
		return TD_ERR_PARSE;
	}
	if (!join_key(key, an, 0, an->n, true) ||
	    search__dict_intern(&sw->acc, key->data, key->len) == SEARCH__NONE ||
	    !join_key(key, an, 0, an->n, false) ||
	    search__dict_intern(&sw->fold, key->data, key->len) == SEARCH__NONE) {
		*why = "entry too long";
		return TD_ERR_PARSE;
	}
	if (an->n > sw->max_syl)
		sw->max_syl = (unsigned)an->n;
	return TD_OK;
}

td_err search_stopwords_parse(struct search_stopwords **out, const char *text, size_t n,
			      const char *name, char *err, size_t errlen)
{
	if (!out || (!text && n))
		return TD_ERR_INVAL;
	*out = NULL;
	if (n > STOP_FILE_MAX) {
		stop_msg(err, errlen, name, 0, "file over 1 MiB");
		return TD_ERR_TOOBIG;
	}
	struct search_stopwords *sw = td_calloc(1, sizeof *sw);
	struct search__an an;
	struct td_buf key;
	search__an_init(&an, 4096);
	td_buf_init(&key, 4 * STOP_KEY_MAX);
	td_err rc = TD_OK;
	size_t line = 0, rows = 0;
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(text + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - text) : n;
		line++;
		const char *s = text + i;
		size_t len = e - i;
		i = e + 1;
		while (len && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		if (!len || *s == '#' || *s == '\r')
			continue;
		if (len > 1024) {
			stop_msg(err, errlen, name, line, "line too long");
			rc = TD_ERR_PARSE;
			goto fail;
		}
		if (++rows > STOP_ROWS_MAX) {
			stop_msg(err, errlen, name, line, "more than 10000 entries");
			rc = TD_ERR_TOOBIG;
			goto fail;
		}
		const char *why = NULL;
		rc = stop_add_line(sw, &an, &key, s, len, &why);
		if (rc) {
			stop_msg(err, errlen, name, line, why);
			goto fail;
		}
	}
	*out = sw;
	goto done;
fail:
	search_stopwords_free(sw);
done:
	search__an_release(&an);
	td_buf_release(&key);
	return rc;
}

td_err search_stopwords_load(struct search_stopwords **out, const char *path, char *err,
			     size_t errlen)
{
	if (!out || !path)
		return TD_ERR_INVAL;
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		stop_msg(err, errlen, path, 0, strerror(errno));
		return errno == ENOENT ? TD_ERR_NOTFOUND : TD_ERR_IO;
	}
	td_err rc = TD_OK;
	char *text = NULL;
	struct stat st;
	if (fstat(fileno(f), &st) != 0) {
		rc = TD_ERR_IO;
		goto close;
	}
	if ((size_t)st.st_size > STOP_FILE_MAX) {
		stop_msg(err, errlen, path, 0, "file over 1 MiB");
		rc = TD_ERR_TOOBIG;
		goto close;
	}
	text = td_malloc((size_t)st.st_size + 1);
	size_t got = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		stop_msg(err, errlen, path, 0, "read error");
		rc = TD_ERR_IO;
		goto close;
	}
	rc = search_stopwords_parse(out, text, got, path, err, errlen);
close:
	td_free(text);
	fclose(f);
	return rc;
}

void search_stopwords_free(struct search_stopwords *stop)
{
	if (!stop)
		return;
	search__dict_release(&stop->acc);
	search__dict_release(&stop->fold);
	td_free(stop);
}

size_t search_stopwords_count(const struct search_stopwords *stop)
{
	return stop ? stop->acc.n : 0;
}

/* ------------------------------------------------------------------------- */
/* Edit distance                                                              */
/* ------------------------------------------------------------------------- */

unsigned search__osa(const char *a, size_t an, const char *b, size_t bn, unsigned limit)
{
	enum { MAXL = SEARCH__TYPO_MAX + 2 };
	if (an > MAXL || bn > MAXL)
		return limit + 1;
	if ((an > bn ? an - bn : bn - an) > limit)
		return limit + 1;
	unsigned rows[3][MAXL + 1];
	unsigned *pp = rows[0], *p = rows[1], *c = rows[2];
	for (size_t j = 0; j <= bn; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= an; i++) {
		c[0] = (unsigned)i;
		unsigned best = c[0];
		for (size_t j = 1; j <= bn; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = p[j] + 1;
			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (p[j - 1] + cost < v)
				v = p[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
			if (v < best)
				best = v;
		}
		if (best > limit)
			return limit + 1;
		unsigned *t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[bn];
}
