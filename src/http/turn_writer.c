/*
 * turn_writer.c - the batched, write-behind chat turn writer (see
 * turn_writer.h for the contract and the durability trade-off).
 *
 * Shape: a ring of pointers to self-contained copies (one allocation per
 * turn: header + strings + dialog), a mutex, three condition variables
 * (room in the ring, turns to write now, a batch settled) and one thread.
 * The thread takes everything waiting (up to max_batch) in one go, so the
 * lock is held for a few pointer moves, never across SQLite.  Between
 * batches it gathers (gather_ms, see writer_main); add wakes it only when it
 * is idle or must stop gathering, so a busy server pays no wake-up per turn.
 *
 * A batch is one transaction.  If any statement of it fails the whole
 * transaction is rolled back and its turns are written one by one, each in
 * its own transaction, so one bad turn cannot take the others down with
 * it; after three failures in a row the store itself is taken to be down
 * (disk full, locked past the busy timeout) and the rest of the batch is
 * counted as failed without more attempts.  Failures are logged once per
 * batch, not per turn, so a full disk cannot flood the log.
 *
 * Sequence numbers make sync cheap: add numbers each accepted turn, the
 * thread publishes the number of the last turn it settled, and sync waits
 * for that to reach the number current when it was called.
 */
#include "http/turn_writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/log.h"
#include "store/store.h"
#include "base/banned.h"

#define FAILS_BEFORE_GIVING_UP 3

/* One queued turn: everything store_chat_turn_add needs, owned. */
struct turn_item {
	uint64_t seq;
	size_t bytes; /* size of this allocation, for the byte bound */
	char id[STORE_CHAT_ID_MAX + 1];
	char channel[16];
	int64_t created_at;
	unsigned turns_before;
	int64_t now, ttl;
	double confidence;
	bool gap, resolves;
	const char *question, *intent, *aspect, *status; /* into data[] */
	const char *procedure, *gap_field, *gap_agency, *candidates; /* into data[] or NULL */
	size_t dialog_len;
	const unsigned char *dialog; /* into data[] */
	char data[];
};

struct http_turn_writer {
	struct http_turn_writer_config cfg;
	struct store *st;
	http_turn_settled_fn settled;
	void *settled_ctx;

	pthread_mutex_t lock;
	pthread_cond_t room;     /* the ring has room (or we are stopping) */
	pthread_cond_t work;     /* turns to write now (or we are stopping) */
	pthread_cond_t done;     /* done_seq moved */
	bool idle;               /* the writer waits with an empty ring */
	unsigned syncing;        /* callers waiting in http_turn_writer_sync */
	unsigned blocked;        /* adds waiting for room */
	struct timespec last_start; /* when the last batch was taken (monotonic) */
	struct turn_item **ring; /* cfg.max_queue slots */
	size_t head, n;
	size_t bytes;            /* queued plus being written */
	uint64_t add_seq;        /* last sequence number handed out */
	uint64_t done_seq;       /* every turn up to this one is settled */
	bool stopping;
	struct http_turn_writer_stats stats;

	pthread_t thread;
	struct turn_item **batch;           /* cfg.max_batch slots, writer thread only */
	struct store_chat_session scratch;  /* writer thread only (4 KiB: not on a stack) */
};

void http_turn_writer_config_defaults(struct http_turn_writer_config *c)
{
	c->max_queue = 10000;
	c->max_queue_bytes = (size_t)32 << 20;
	c->block_ms = 100;
	c->max_batch = 4096;
	c->gather_ms = 10;
}

static void add_ms(struct timespec *t, unsigned ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* ---- copies ------------------------------------------------------------- */

static size_t str_size(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Length of s cut to at most max bytes at a UTF-8 boundary. */
static size_t cut_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

static const char *put_str(char **p, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *d = *p;
	memcpy(d, s, n);
	d[n] = '\0';
	*p += n + 1;
	return d;
}

static const char *put_opt(char **p, const char *s)
{
	return s ? put_str(p, s, strlen(s)) : NULL;
}

static struct turn_item *item_new(const struct http_turn_session *before,
				  const struct store_chat_turn *t, const void *dialog,
				  size_t dialog_len, int64_t now, int64_t ttl)
{
	size_t qlen = cut_utf8(t->question, STORE_CHAT_QUESTION_MAX);
	size_t size = sizeof(struct turn_item) + qlen + 1 + str_size(t->intent) +
		      str_size(t->aspect) + str_size(t->status) + str_size(t->procedure) +
		      str_size(t->gap_field) + str_size(t->gap_agency) + str_size(t->candidates) +
		      dialog_len;
	struct turn_item *it = td_malloc(size);
	memset(it, 0, sizeof *it);
	it->bytes = size;
	snprintf(it->id, sizeof it->id, "%s", before->id);
	snprintf(it->channel, sizeof it->channel, "%s", before->channel ? before->channel : "web");
	it->created_at = before->created_at;
	it->turns_before = before->turns;
	it->now = now;
	it->ttl = ttl;
	it->confidence = t->confidence;
	it->gap = t->gap;
	it->resolves = t->resolves;
	char *p = it->data;
	it->question = put_str(&p, t->question, qlen);
	it->intent = put_opt(&p, t->intent);
	it->aspect = put_opt(&p, t->aspect);
	it->status = put_opt(&p, t->status);
	it->procedure = put_opt(&p, t->procedure);
	it->gap_field = put_opt(&p, t->gap_field);
	it->gap_agency = put_opt(&p, t->gap_agency);
	it->candidates = put_opt(&p, t->candidates);
	it->dialog_len = dialog_len;
	if (dialog_len) {
		memcpy(p, dialog, dialog_len);
		it->dialog = (const unsigned char *)p;
	}
	return it;
}

/* ---- the writer thread -------------------------------------------------- */

/* Should the writer start a batch now rather than gather more turns?  A
 * full batch, a full ring or adds waiting for room, a reader waiting in
 * sync, or a stop. */
static bool write_now(const struct http_turn_writer *w)
{
	return w->n >= w->cfg.max_batch || w->n == w->cfg.max_queue || w->blocked ||
	       w->syncing || w->stopping;
}

static td_err write_item(struct http_turn_writer *w, const struct turn_item *it)
{
	struct store_chat_session *s = &w->scratch;
	snprintf(s->id, sizeof s->id, "%s", it->id);
	snprintf(s->channel, sizeof s->channel, "%s", it->channel);
	s->created_at = it->created_at;
	s->last_active = it->now;
	s->expires_at = it->now + it->ttl;
	s->turns = it->turns_before;
	s->stored = false;
	s->dialog_len = 0;
	struct store_chat_turn t = {
		.question = it->question,
		.intent = it->intent,
		.aspect = it->aspect,
		.status = it->status,
		.procedure = it->procedure,
		.confidence = it->confidence,
		.gap = it->gap,
		.gap_field = it->gap_field,
		.gap_agency = it->gap_agency,
		.candidates = it->candidates,
		.resolves = it->resolves,
	};
	return store_chat_turn_add(w->st, s, &t, it->dialog, it->dialog_len, it->now, it->ttl);
}

static void settle(struct http_turn_writer *w, const struct turn_item *it, bool stored)
{
	if (w->settled)
		w->settled(w->settled_ctx, it->id, stored);
}

/* Fallback after a failed batch: each turn in its own transaction. */
static size_t write_each(struct http_turn_writer *w, struct turn_item **b, size_t k,
			 char *why, size_t whylen)
{
	size_t failed = 0, in_a_row = 0;
	for (size_t i = 0; i < k; i++) {
		td_err e = TD_ERR_DB;
		if (in_a_row < FAILS_BEFORE_GIVING_UP) {
			e = write_item(w, b[i]);
			if (e != TD_OK && !why[0])
				snprintf(why, whylen, "%s", store_errmsg(w->st));
		}
		if (e == TD_OK) {
			in_a_row = 0;
		} else {
			failed++;
			in_a_row++;
		}
		settle(w, b[i], e == TD_OK);
	}
	return failed;
}

/* Write one batch; returns how many turns failed. */
static size_t write_batch(struct http_turn_writer *w, struct turn_item **b, size_t k)
{
	char why[256] = "";
	size_t failed = 0;
	if (k == 1) {
		failed = write_each(w, b, k, why, sizeof why);
		goto out;
	}
	bool ok = store_begin(w->st) == TD_OK;
	for (size_t i = 0; ok && i < k; i++)
		ok = write_item(w, b[i]) == TD_OK;
	if (ok)
		ok = store_commit(w->st) == TD_OK;
	if (ok) {
		for (size_t i = 0; i < k; i++)
			settle(w, b[i], true);
		return 0;
	}
	snprintf(why, sizeof why, "%s", store_errmsg(w->st));
	store_rollback(w->st); /* may fail if SQLite already rolled back: fine */
	failed = write_each(w, b, k, why, sizeof why);
out:
	if (failed) {
		char nbuf[24], kbuf[24];
		snprintf(nbuf, sizeof nbuf, "%zu", failed);
		snprintf(kbuf, sizeof kbuf, "%zu", k);
		td_log(TD_LOG_WARN, "chat.turn_write_failed", "turns", nbuf, "batch", kbuf,
		       "detail", why[0] ? why : "?", NULL);
	}
	return failed;
}

static void *writer_main(void *arg)
{
	struct http_turn_writer *w = arg;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		w->idle = true;
		while (w->n == 0 && !w->stopping)
			pthread_cond_wait(&w->work, &w->lock);
		w->idle = false;
		if (w->n == 0)
			break; /* stopping, and everything is written */
		/* Gather: start a batch no sooner than gather_ms after the
		 * previous one started, unless it is full or someone waits
		 * for it.  Under load this turns many small commits into
		 * fewer bigger ones (fewer fsyncs, and the partly filled
		 * right-edge pages of each B-tree are written once per batch,
		 * not once per few turns); a lone turn after a quiet spell is
		 * written at once, since the deadline has long passed. */
		if (w->cfg.gather_ms) {
			struct timespec until = w->last_start;
			add_ms(&until, w->cfg.gather_ms);
			while (!write_now(w))
				if (pthread_cond_timedwait(&w->work, &w->lock, &until) == ETIMEDOUT)
					break;
		}
		clock_gettime(CLOCK_MONOTONIC, &w->last_start);
		size_t k = w->n < w->cfg.max_batch ? w->n : w->cfg.max_batch;
		size_t cap = w->cfg.max_queue;
		for (size_t i = 0; i < k; i++) {
			w->batch[i] = w->ring[w->head];
			w->ring[w->head] = NULL;
			w->head = (w->head + 1) % cap;
		}
		w->n -= k;
		pthread_cond_broadcast(&w->room);
		pthread_mutex_unlock(&w->lock);

		size_t failed = write_batch(w, w->batch, k);
		uint64_t last = w->batch[k - 1]->seq;
		size_t freed = 0;
		for (size_t i = 0; i < k; i++) {
			freed += w->batch[i]->bytes;
			td_free(w->batch[i]);
			w->batch[i] = NULL;
		}

		pthread_mutex_lock(&w->lock);
		w->bytes -= freed;
		w->done_seq = last;
		w->stats.batches++;
		w->stats.written += k - failed;
		w->stats.failed += failed;
		if (k > w->stats.max_batch)
			w->stats.max_batch = k;
		pthread_cond_broadcast(&w->done);
		pthread_cond_broadcast(&w->room); /* bytes freed */
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* ---- public -------------------------------------------------------------- */

td_err http_turn_writer_new(struct store *st, const struct http_turn_writer_config *cfg,
			    http_turn_settled_fn settled, void *ctx, struct http_turn_writer **out)
{
	*out = NULL;
	struct http_turn_writer_config c;
	http_turn_writer_config_defaults(&c);
	if (cfg)
		c = *cfg;
	if (!st || !c.max_queue || !c.max_queue_bytes || !c.max_batch) {
		store_close(st);
		return TD_ERR_INVAL;
	}
	struct http_turn_writer *w = td_calloc(1, sizeof *w);
	w->cfg = c;
	w->st = st;
	w->settled = settled;
	w->settled_ctx = ctx;
	w->ring = td_calloc(c.max_queue, sizeof *w->ring);
	w->batch = td_calloc(c.max_batch, sizeof *w->batch);
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->room, &ca);
	pthread_cond_init(&w->work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->done, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		td_log(TD_LOG_ERROR, "chat.turn_writer", "error", "cannot start the thread", NULL);
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->room);
		pthread_mutex_destroy(&w->lock);
		td_free(w->batch);
		td_free(w->ring);
		td_free(w);
		store_close(st);
		return TD_ERR_INTERNAL;
	}
	*out = w;
	return TD_OK;
}

void http_turn_writer_free(struct http_turn_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->work);
	pthread_cond_broadcast(&w->room);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL); /* the thread drains the ring first */
	char written[24], failed[24], dropped[24], batches[24];
	snprintf(written, sizeof written, "%llu", (unsigned long long)w->stats.written);
	snprintf(failed, sizeof failed, "%llu", (unsigned long long)w->stats.failed);
	snprintf(dropped, sizeof dropped, "%llu", (unsigned long long)w->stats.dropped);
	snprintf(batches, sizeof batches, "%llu", (unsigned long long)w->stats.batches);
	td_log(TD_LOG_INFO, "chat.turn_writer_stopped", "written", written, "failed", failed,
	       "dropped", dropped, "batches", batches, NULL);
	store_close(w->st);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->room);
	pthread_mutex_destroy(&w->lock);
	td_free(w->batch);
	td_free(w->ring);
	td_free(w);
}

static bool is_full(const struct http_turn_writer *w, size_t bytes)
{
	/* A lone turn larger than the byte bound still fits an empty queue. */
	return w->n == w->cfg.max_queue ||
	       (w->bytes && w->bytes + bytes > w->cfg.max_queue_bytes);
}

td_err http_turn_writer_add(struct http_turn_writer *w, const struct http_turn_session *before,
			    const struct store_chat_turn *t, const void *dialog,
			    size_t dialog_len, int64_t now, int64_t ttl)
{
	if (!before || !t || !t->question || !t->intent || !t->aspect || !t->status ||
	    dialog_len > STORE_CHAT_DIALOG_MAX || (dialog_len && !dialog) ||
	    !store_chat_id_valid(before->id))
		return TD_ERR_INVAL;
	struct turn_item *it = item_new(before, t, dialog, dialog_len, now, ttl);

	pthread_mutex_lock(&w->lock);
	if (is_full(w, it->bytes) && w->cfg.block_ms && !w->stopping) {
		w->blocked++;
		pthread_cond_signal(&w->work); /* a gathering writer: write now */
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		add_ms(&until, w->cfg.block_ms);
		while (is_full(w, it->bytes) && !w->stopping)
			if (pthread_cond_timedwait(&w->room, &w->lock, &until) == ETIMEDOUT)
				break;
		w->blocked--;
	}
	if (is_full(w, it->bytes) || w->stopping) {
		w->stats.dropped++;
		pthread_mutex_unlock(&w->lock);
		td_free(it);
		return TD_ERR_BUSY;
	}
	it->seq = ++w->add_seq;
	w->ring[(w->head + w->n) % w->cfg.max_queue] = it;
	w->n++;
	w->bytes += it->bytes;
	w->stats.queued++;
	/* Wake the writer only when it waits for a first turn or should stop
	 * gathering: while it gathers, every other add would cost a futex
	 * wake and a context switch for nothing. */
	if (w->idle || write_now(w))
		pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->lock);
	return TD_OK;
}

void http_turn_writer_sync(struct http_turn_writer *w)
{
	pthread_mutex_lock(&w->lock);
	uint64_t target = w->add_seq;
	if (w->done_seq < target) {
		w->syncing++; /* the writer stops gathering: write now */
		pthread_cond_signal(&w->work);
		while (w->done_seq < target)
			pthread_cond_wait(&w->done, &w->lock);
		w->syncing--;
	}
	pthread_mutex_unlock(&w->lock);
}

void http_turn_writer_stats(struct http_turn_writer *w, struct http_turn_writer_stats *out)
{
	pthread_mutex_lock(&w->lock);
	*out = w->stats;
	out->depth = w->n;
	pthread_mutex_unlock(&w->lock);
}
