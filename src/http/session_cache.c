/*
 * session_cache.c - bounded, sharded, set-associative cache of live chat
 * sessions (see session_cache.h for why it exists and its rules).
 *
 * Set-associative rather than a hash map plus an LRU list: the memory is
 * two arrays allocated at start-up (each set's bookkeeping, and the
 * entries), nothing is allocated per request, a lookup touches one set (16
 * 32-bit tags on one cache line, then the one entry whose tag matches), and
 * "least recently used" is a per-shard counter stamped on each way.  The
 * price is that LRU is per set, not global - irrelevant for a cache whose
 * keys are hashed (FNV-1a over the whole id, so the time prefix of session
 * ids does not bunch them into a few sets).
 */
#include "http/session_cache.h"

#include <assert.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/banned.h"

#define SHARDS 16
#define WAYS HTTP_SESSION_CACHE_WAYS

/*
 * The bookkeeping of one set, apart from its entries: 384 bytes, six cache
 * lines, the tags alone one line.  A lookup reads the tag line and then only
 * the entry whose tag matches; choosing a victim reads the other five lines,
 * never the ~380-byte entries.  (With the bookkeeping inside each entry, a
 * lookup touched all 16 entries' lines: 16 cache misses per request on a
 * table far bigger than the CPU caches, measured at ~1.5 % of a chat
 * request's CPU.)  Tag 0 marks an empty way; set_lock never hands it out.
 * The array is aligned to 64 bytes by hand (384 is a multiple of 64), so
 * each set starts on a cache line.
 */
struct set_meta {
	uint32_t tag[WAYS];
	uint32_t pending[WAYS];     /* queued writes not yet settled */
	uint64_t last_used[WAYS];   /* shard clock at the last get/put */
	int64_t expires_at[WAYS];   /* copy of the entry's, for eviction */
};
static_assert(sizeof(struct set_meta) % 64 == 0, "whole cache lines per set");

struct shard {
	alignas(64) pthread_mutex_t lock; /* own cache line: no false sharing */
	uint64_t clock;
	uint64_t hits, misses, evictions, forced;
	size_t entries;
};

struct http_session_cache {
	size_t nsets; /* a multiple of SHARDS */
	struct set_meta *meta;             /* nsets, 64-byte aligned, inside meta_mem */
	void *meta_mem;
	struct http_session_entry *entries; /* nsets * WAYS */
	struct shard shards[SHARDS];
};

static uint64_t id_hash(const char *id)
{
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return h;
}

struct http_session_cache *http_session_cache_new(size_t capacity)
{
	size_t nsets = (capacity + WAYS - 1) / WAYS;
	nsets = (nsets + SHARDS - 1) / SHARDS * SHARDS;
	if (nsets == 0)
		nsets = SHARDS;
	struct http_session_cache *c = td_calloc(1, sizeof *c);
	c->nsets = nsets;
	/* calloc aligns to 16 bytes: over-allocate one line and align by hand. */
	c->meta_mem = td_calloc(1, nsets * sizeof *c->meta + 63);
	c->meta = (struct set_meta *)(((uintptr_t)c->meta_mem + 63) & ~(uintptr_t)63);
	c->entries = td_calloc(nsets * WAYS, sizeof *c->entries);
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&c->shards[i].lock, NULL);
	return c;
}

void http_session_cache_free(struct http_session_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_destroy(&c->shards[i].lock);
	td_free(c->entries);
	td_free(c->meta_mem);
	td_free(c);
}

/* A locked set: its bookkeeping, its first entry, its shard. */
struct set_ref {
	struct set_meta *m;
	struct http_session_entry *e;
	struct shard *sh;
	uint32_t tag;
};

static struct set_ref set_lock(struct http_session_cache *c, const char *id)
{
	uint64_t h = id_hash(id);
	size_t set = (size_t)(h % c->nsets);
	uint32_t tag = (uint32_t)(h >> 32);
	struct set_ref r = {
		.m = &c->meta[set],
		.e = &c->entries[set * WAYS],
		.sh = &c->shards[set % SHARDS],
		.tag = tag ? tag : 1,
	};
	pthread_mutex_lock(&r.sh->lock);
	return r;
}

/* The way holding id, or -1. */
static int set_find(const struct set_ref *r, const char *id)
{
	for (int i = 0; i < WAYS; i++)
		if (r->m->tag[i] == r->tag && strcmp(r->e[i].id, id) == 0)
			return i;
	return -1;
}

static void entry_copy(struct http_session_entry *dst, const struct http_session_entry *src)
{
	/* Only the used part of the dialog. */
	memcpy(dst, src, offsetof(struct http_session_entry, dialog));
	memcpy(dst->dialog, src->dialog, src->dialog_len);
}

enum http_session_lookup http_session_cache_get(struct http_session_cache *c, const char *id,
						int64_t now, struct http_session_entry *out)
{
	struct set_ref r = set_lock(c, id);
	int i = set_find(&r, id);
	enum http_session_lookup res = HTTP_SESSION_MISS;
	if (i >= 0) {
		r.m->last_used[i] = ++r.sh->clock;
		entry_copy(out, &r.e[i]);
		res = now >= r.e[i].expires_at ? HTTP_SESSION_EXPIRED : HTTP_SESSION_LIVE;
		r.sh->hits++;
	} else {
		r.sh->misses++;
	}
	pthread_mutex_unlock(&r.sh->lock);
	return res;
}

/* The way a new entry should take at time now, or -1 if every way has a
 * write in flight (and force is false). */
static int set_victim(const struct set_meta *m, int64_t now, bool force, bool *forced)
{
	int expired = -1, lru = -1, any = -1;
	*forced = false;
	for (int i = 0; i < WAYS; i++) {
		if (!m->tag[i])
			return i;
		if (any < 0 || m->last_used[i] < m->last_used[any])
			any = i;
		if (m->pending[i])
			continue;
		if (now >= m->expires_at[i] &&
		    (expired < 0 || m->last_used[i] < m->last_used[expired]))
			expired = i;
		if (lru < 0 || m->last_used[i] < m->last_used[lru])
			lru = i;
	}
	if (expired >= 0)
		return expired;
	if (lru >= 0)
		return lru;
	if (!force)
		return -1;
	*forced = true;
	return any;
}

td_err http_session_cache_put(struct http_session_cache *c, const struct http_session_entry *e,
			      bool pending, bool force)
{
	if (e->dialog_len > HTTP_SESSION_DIALOG_MAX || !e->id[0])
		return TD_ERR_INVAL;
	struct set_ref r = set_lock(c, e->id);
	td_err rc = TD_OK;
	int i = set_find(&r, e->id);
	if (i < 0) {
		bool forced;
		i = set_victim(r.m, e->last_active, force, &forced);
		if (i < 0) {
			rc = TD_ERR_BUSY;
			goto out;
		}
		if (r.m->tag[i]) {
			r.sh->evictions++;
			r.sh->forced += forced;
		} else {
			r.sh->entries++;
		}
		r.m->tag[i] = r.tag;
		r.m->pending[i] = 0;
	}
	entry_copy(&r.e[i], e);
	r.m->expires_at[i] = e->expires_at;
	r.m->last_used[i] = ++r.sh->clock;
	if (pending)
		r.m->pending[i]++;
out:
	pthread_mutex_unlock(&r.sh->lock);
	return rc;
}

void http_session_cache_settle(struct http_session_cache *c, const char *id)
{
	struct set_ref r = set_lock(c, id);
	int i = set_find(&r, id);
	if (i >= 0 && r.m->pending[i]) /* gone (forced out) or re-read from the store: nothing to do */
		r.m->pending[i]--;
	pthread_mutex_unlock(&r.sh->lock);
}

void http_session_cache_stats(struct http_session_cache *c, struct http_session_cache_stats *out)
{
	memset(out, 0, sizeof *out);
	out->capacity = c->nsets * WAYS;
	for (int i = 0; i < SHARDS; i++) {
		struct shard *sh = &c->shards[i];
		pthread_mutex_lock(&sh->lock);
		out->hits += sh->hits;
		out->misses += sh->misses;
		out->evictions += sh->evictions;
		out->forced_evictions += sh->forced;
		out->entries += sh->entries;
		pthread_mutex_unlock(&sh->lock);
	}
}
