/*
 * dup.c - duplicate detection for PAKN reports (see dup.h).
 *
 * A signature is the sorted, de-duplicated set of 32-bit FNV-1a hashes of
 * the folded syllables (words of two letters or more, and every number) and
 * of each pair of neighbouring syllables, capped at SIG_MAX features.
 * Jaccard over two sorted arrays is one merge.  Per ward the entries are a
 * ring in arrival order; entries older than the window are skipped and
 * overwritten, so memory is bounded by wards × ward_max × SIG_MAX × 4 bytes.
 */
#include "pakn/dup.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "text/vn.h"
#include "base/banned.h"

#define SIG_MAX 256
#define TOKENS_MAX 512
#define TEXT_READ_MAX ((size_t)8 << 10)

struct entry {
	int64_t id;
	int64_t at;
	char number[17];
	char category[32];
	size_t nsig;
	uint32_t sig[SIG_MAX];
};

struct ward {
	char code[6];
	size_t n, next; /* ring of up to ward_max entries */
	struct entry *e;
};

struct pakn_dup_index {
	pthread_mutex_t mu;
	struct pakn_dup_config cfg;
	size_t nwards, capwards;
	struct ward *wards;
};

void pakn_dup_config_defaults(struct pakn_dup_config *c)
{
	c->window_days = 7;
	c->threshold = 0.5;
	c->ward_max = 1024;
}

struct pakn_dup_index *pakn_dup_index_new(const struct pakn_dup_config *c)
{
	struct pakn_dup_index *ix = td_calloc(1, sizeof *ix);
	pakn_dup_config_defaults(&ix->cfg);
	if (c) {
		if (c->window_days >= 1 && c->window_days <= 365)
			ix->cfg.window_days = c->window_days;
		if (c->threshold > 0 && c->threshold <= 1)
			ix->cfg.threshold = c->threshold;
		if (c->ward_max >= 1 && c->ward_max <= 65536)
			ix->cfg.ward_max = c->ward_max;
	}
	pthread_mutex_init(&ix->mu, NULL);
	return ix;
}

void pakn_dup_index_free(struct pakn_dup_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->nwards; i++)
		td_free(ix->wards[i].e);
	td_free(ix->wards);
	pthread_mutex_destroy(&ix->mu);
	td_free(ix);
}

static uint32_t fnv(const char *s, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The signature of text into sig[SIG_MAX]; returns its size. */
static size_t signature(const char *text, uint32_t *sig)
{
	size_t n = text ? strlen(text) : 0;
	if (n > TEXT_READ_MAX)
		n = TEXT_READ_MAX;
	struct td_buf f;
	td_buf_init(&f, VN_KEY_BOUND(TEXT_READ_MAX));
	size_t nsig = 0;
	if (n == 0 || vn_fold(&f, text, n, VN_LOSSY) != TD_OK || !f.data) {
		td_buf_release(&f);
		return 0;
	}
	struct vn_token *tok = td_malloc(TOKENS_MAX * sizeof *tok);
	size_t nt = vn_tokenize(f.data, f.len, tok, TOKENS_MAX);
	if (nt > TOKENS_MAX)
		nt = TOKENS_MAX;
	size_t prev = (size_t)-1;
	for (size_t i = 0; i < nt && nsig < SIG_MAX; i++) {
		const char *w = f.data + tok[i].start;
		size_t l = tok[i].len;
		if (l >= 2 || tok[i].kind != VN_TOKEN_WORD)
			sig[nsig++] = fnv(w, l, 2166136261u);
		if (prev != (size_t)-1 && nsig < SIG_MAX) {
			const char *pw = f.data + tok[prev].start;
			uint32_t h = fnv(pw, tok[prev].len, 2166136261u);
			h = fnv(" ", 1, h);
			sig[nsig++] = fnv(w, l, h) ^ 0x9e3779b9u;
		}
		prev = i;
	}
	td_free(tok);
	td_buf_release(&f);
	qsort(sig, nsig, sizeof *sig, cmp_u32);
	size_t u = 0;
	for (size_t i = 0; i < nsig; i++)
		if (u == 0 || sig[u - 1] != sig[i])
			sig[u++] = sig[i];
	return u;
}

static double jaccard(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	if (!na || !nb)
		return 0;
	size_t i = 0, j = 0, inter = 0;
	while (i < na && j < nb) {
		if (a[i] == b[j]) {
			inter++;
			i++;
			j++;
		} else if (a[i] < b[j]) {
			i++;
		} else {
			j++;
		}
	}
	return (double)inter / (double)(na + nb - inter);
}

double pakn_dup_similarity(const char *a, const char *b)
{
	uint32_t *sa = td_malloc(2 * SIG_MAX * sizeof *sa);
	size_t na = signature(a, sa), nb = signature(b, sa + SIG_MAX);
	double j = jaccard(sa, na, sa + SIG_MAX, nb);
	td_free(sa);
	return j;
}

static bool ward_ok(const char *w)
{
	if (!w || strlen(w) != 5)
		return false;
	for (int i = 0; i < 5; i++)
		if (w[i] < '0' || w[i] > '9')
			return false;
	return true;
}

static struct ward *ward_get(struct pakn_dup_index *ix, const char *code, bool create)
{
	for (size_t i = 0; i < ix->nwards; i++)
		if (strcmp(ix->wards[i].code, code) == 0)
			return &ix->wards[i];
	if (!create || ix->nwards >= 4096)
		return NULL;
	if (ix->nwards == ix->capwards) {
		ix->capwards = ix->capwards ? 2 * ix->capwards : 64;
		ix->wards = td_reallocarray(ix->wards, ix->capwards, sizeof *ix->wards);
	}
	struct ward *w = &ix->wards[ix->nwards++];
	memset(w, 0, sizeof *w);
	memcpy(w->code, code, 6);
	return w;
}

void pakn_dup_add(struct pakn_dup_index *ix, int64_t id, const char *number, const char *category,
		  const char *ward, int64_t at, const char *text)
{
	if (!ward_ok(ward) || !category)
		return;
	struct entry *tmp = td_malloc(sizeof *tmp);
	memset(tmp, 0, sizeof *tmp);
	tmp->id = id;
	tmp->at = at;
	snprintf(tmp->number, sizeof tmp->number, "%s", number ? number : "");
	snprintf(tmp->category, sizeof tmp->category, "%s", category);
	tmp->nsig = signature(text, tmp->sig);
	pthread_mutex_lock(&ix->mu);
	struct ward *w = ward_get(ix, ward, true);
	if (w) {
		if (!w->e)
			w->e = td_calloc(ix->cfg.ward_max, sizeof *w->e);
		w->e[w->next] = *tmp;
		w->next = (w->next + 1) % ix->cfg.ward_max;
		if (w->n < ix->cfg.ward_max)
			w->n++;
	}
	pthread_mutex_unlock(&ix->mu);
	td_free(tmp);
}

void pakn_dup_remove(struct pakn_dup_index *ix, int64_t id)
{
	pthread_mutex_lock(&ix->mu);
	for (size_t i = 0; i < ix->nwards; i++)
		for (size_t k = 0; k < ix->wards[i].n; k++)
			if (ix->wards[i].e[k].id == id) {
				ix->wards[i].e[k].id = 0; /* a hole: never matched */
				ix->wards[i].e[k].nsig = 0;
			}
	pthread_mutex_unlock(&ix->mu);
}

size_t pakn_dup_count(struct pakn_dup_index *ix)
{
	size_t n = 0;
	pthread_mutex_lock(&ix->mu);
	for (size_t i = 0; i < ix->nwards; i++)
		for (size_t k = 0; k < ix->wards[i].n; k++)
			n += ix->wards[i].e[k].id != 0;
	pthread_mutex_unlock(&ix->mu);
	return n;
}

#define CAND_MAX 8

bool pakn_dup_find(struct pakn_dup_index *ix, const char *category, const char *ward, int64_t at,
		   const char *text, bool (*still_open)(void *ctx, int64_t id), void *ctx,
		   struct pakn_dup_match *m)
{
	if (!ward_ok(ward) || !category)
		return false;
	uint32_t *sig = td_malloc(SIG_MAX * sizeof *sig);
	size_t nsig = signature(text, sig);
	struct pakn_dup_match cand[CAND_MAX];
	size_t nc = 0;
	int64_t oldest = at - (int64_t)ix->cfg.window_days * 86400;
	pthread_mutex_lock(&ix->mu);
	struct ward *w = ward_get(ix, ward, false);
	for (size_t k = 0; w && k < w->n; k++) {
		const struct entry *e = &w->e[k];
		if (!e->id || e->at < oldest || e->at > at + 60 || strcmp(e->category, category))
			continue;
		double sc = jaccard(sig, nsig, e->sig, e->nsig);
		if (sc < ix->cfg.threshold)
			continue;
		/* keep the CAND_MAX best, sorted by score */
		size_t pos = nc < CAND_MAX ? nc : CAND_MAX - 1;
		if (nc == CAND_MAX && cand[pos].score >= sc)
			continue;
		while (pos > 0 && cand[pos - 1].score < sc) {
			cand[pos] = cand[pos - 1];
			pos--;
		}
		cand[pos].id = e->id;
		cand[pos].score = sc;
		snprintf(cand[pos].number, sizeof cand[pos].number, "%s", e->number);
		if (nc < CAND_MAX)
			nc++;
	}
	pthread_mutex_unlock(&ix->mu);
	td_free(sig);
	for (size_t i = 0; i < nc; i++) {
		if (!still_open || still_open(ctx, cand[i].id)) {
			*m = cand[i];
			return true;
		}
	}
	return false;
}
