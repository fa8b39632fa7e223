/*
 * session_cache.c - bounded, sharded, set-associative cache of live chat
 * sessions (see session_cache.h for why it exists and its rules).
 *
 * Set-associative rather than a hash map plus an LRU list: the memory is
 * one array allocated at start-up, nothing is allocated per request, a
 * lookup touches one set (16 slots, a 32-bit tag compared before the id),
 * and "least recently used" is a per-shard counter stamped on each slot.
 * The price is that LRU is per set, not global - irrelevant for a cache
 * whose keys are random ids.
 */
#include "http/session_cache.h"

#include <pthread.h>
#include <stdalign.h>
#include <string.h>

#include "base/alloc.h"
#include "base/banned.h"

#define SHARDS 16

struct slot {
	bool used;
	uint32_t tag;
	unsigned pending;   /* queued writes not yet settled */
	uint64_t last_used; /* shard clock at the last get/put */
	struct http_session_entry e;
};

struct shard {
	alignas(64) pthread_mutex_t lock; /* own cache line: no false sharing */
	uint64_t clock;
	uint64_t hits, misses, evictions, forced;
	size_t entries;
};

struct http_session_cache {
	size_t nsets; /* a multiple of SHARDS */
	struct slot *slots; /* nsets * WAYS */
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
	size_t nsets = (capacity + HTTP_SESSION_CACHE_WAYS - 1) / HTTP_SESSION_CACHE_WAYS;
	nsets = (nsets + SHARDS - 1) / SHARDS * SHARDS;
	if (nsets == 0)
		nsets = SHARDS;
	struct http_session_cache *c = td_calloc(1, sizeof *c);
	c->nsets = nsets;
	c->slots = td_calloc(nsets * HTTP_SESSION_CACHE_WAYS, sizeof *c->slots);
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
	td_free(c->slots);
	td_free(c);
}

/* The set of id (its first slot) and its shard, locked. */
static struct slot *set_lock(struct http_session_cache *c, const char *id, uint32_t *tag,
			     struct shard **sh)
{
	uint64_t h = id_hash(id);
	size_t set = (size_t)(h % c->nsets);
	*tag = (uint32_t)(h >> 32);
	*sh = &c->shards[set % SHARDS];
	pthread_mutex_lock(&(*sh)->lock);
	return &c->slots[set * HTTP_SESSION_CACHE_WAYS];
}

static struct slot *set_find(struct slot *set, uint32_t tag, const char *id)
{
	for (int i = 0; i < HTTP_SESSION_CACHE_WAYS; i++)
		if (set[i].used && set[i].tag == tag && strcmp(set[i].e.id, id) == 0)
			return &set[i];
	return NULL;
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
	uint32_t tag;
	struct shard *sh;
	struct slot *set = set_lock(c, id, &tag, &sh);
	struct slot *s = set_find(set, tag, id);
	enum http_session_lookup r = HTTP_SESSION_MISS;
	if (s) {
		s->last_used = ++sh->clock;
		entry_copy(out, &s->e);
		r = now >= s->e.expires_at ? HTTP_SESSION_EXPIRED : HTTP_SESSION_LIVE;
		sh->hits++;
	} else {
		sh->misses++;
	}
	pthread_mutex_unlock(&sh->lock);
	return r;
}

/* The slot a new entry should take at time now, or NULL if every slot has
 * a write in flight (and force is false). */
static struct slot *set_victim(struct slot *set, int64_t now, bool force, bool *forced)
{
	struct slot *expired = NULL, *lru = NULL, *any = NULL;
	*forced = false;
	for (int i = 0; i < HTTP_SESSION_CACHE_WAYS; i++) {
		struct slot *s = &set[i];
		if (!s->used)
			return s;
		if (!any || s->last_used < any->last_used)
			any = s;
		if (s->pending)
			continue;
		if (now >= s->e.expires_at && (!expired || s->last_used < expired->last_used))
			expired = s;
		if (!lru || s->last_used < lru->last_used)
			lru = s;
	}
	if (expired)
		return expired;
	if (lru)
		return lru;
	if (!force)
		return NULL;
	*forced = true;
	return any;
}

td_err http_session_cache_put(struct http_session_cache *c, const struct http_session_entry *e,
			      bool pending, bool force)
{
	if (e->dialog_len > HTTP_SESSION_DIALOG_MAX || !e->id[0])
		return TD_ERR_INVAL;
	uint32_t tag;
	struct shard *sh;
	struct slot *set = set_lock(c, e->id, &tag, &sh);
	td_err rc = TD_OK;
	struct slot *s = set_find(set, tag, e->id);
	if (!s) {
		bool forced;
		s = set_victim(set, e->last_active, force, &forced);
		if (!s) {
			rc = TD_ERR_BUSY;
			goto out;
		}
		if (s->used) {
			sh->evictions++;
			sh->forced += forced;
		} else {
			sh->entries++;
		}
		s->used = true;
		s->tag = tag;
		s->pending = 0;
	}
	entry_copy(&s->e, e);
	s->last_used = ++sh->clock;
	if (pending)
		s->pending++;
out:
	pthread_mutex_unlock(&sh->lock);
	return rc;
}

void http_session_cache_settle(struct http_session_cache *c, const char *id)
{
	uint32_t tag;
	struct shard *sh;
	struct slot *set = set_lock(c, id, &tag, &sh);
	struct slot *s = set_find(set, tag, id);
	if (s && s->pending) /* gone (forced out) or re-read from the store: nothing to do */
		s->pending--;
	pthread_mutex_unlock(&sh->lock);
}

void http_session_cache_stats(struct http_session_cache *c, struct http_session_cache_stats *out)
{
	memset(out, 0, sizeof *out);
	out->capacity = c->nsets * HTTP_SESSION_CACHE_WAYS;
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
