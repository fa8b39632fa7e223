/*
 * store_case.c - the backend-independent half of PAKN cases (store_case.h):
 * numbers with a Damm check digit, statuses and their transitions, the
 * record's memory, masking, API-key hashing, and the group-commit writer.
 * The backend only moves rows (store_case_int.h).
 *
 * Group commit: one SQLite writer with synchronous=FULL pays one fsync per
 * transaction, a few milliseconds on a real disk, so one transaction per case
 * caps intake at a few hundred cases a second.  The writer thread instead
 * takes every case waiting in its queue, writes them all in one transaction
 * (each inside a savepoint, so one bad case fails alone), commits once and
 * then wakes every submitter.  A submitter returns only after its case's
 * commit, so "acknowledged" still means "on disk"; the batch grows by itself
 * with the load (one case when idle, hundreds under a burst).
 */
#include "store/store_case.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "store/store_case_int.h"
#include "store/store_int.h"
#include "base/banned.h"

/* ---- numbers -------------------------------------------------------------- */

/* Damm's totally anti-symmetric quasigroup of order 10: the check digit
 * catches every single-digit error and every swap of neighbouring digits,
 * the two mistakes people make reading a number over the phone. */
static const unsigned char damm[10][10] = {
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

char store_case_check_digit(const char *s, size_t n)
{
	unsigned interim = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			interim = damm[interim][(unsigned)(s[i] - '0')];
	return (char)('0' + interim);
}

td_err store_case_number_make(char *out, const char *yymmdd, uint64_t seq)
{
	out[0] = '\0';
	if (!yymmdd || strlen(yymmdd) != 6 || seq == 0 || seq >= 1000000000u)
		return TD_ERR_INVAL;
	for (int i = 0; i < 6; i++)
		if (yymmdd[i] < '0' || yymmdd[i] > '9')
			return TD_ERR_INVAL;
	int n = snprintf(out, STORE_CASE_NUMBER_MAX + 1, "%s%04llu", yymmdd,
			 (unsigned long long)seq);
	if (n < 0 || n >= STORE_CASE_NUMBER_MAX)
		return TD_ERR_INVAL;
	out[n] = store_case_check_digit(out, (size_t)n);
	out[n + 1] = '\0';
	return TD_OK;
}

td_err store_case_number_parse(const char *in, char *canon)
{
	size_t n = 0;
	canon[0] = '\0';
	if (!in)
		return TD_ERR_INVAL;
	for (const char *p = in; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n >= STORE_CASE_NUMBER_MAX)
				return TD_ERR_INVAL;
			canon[n++] = *p;
		} else if (*p != ' ' && *p != '-' && *p != '.' && *p != '/') {
			return TD_ERR_INVAL;
		}
	}
	canon[n] = '\0';
	if (n < 11 || store_case_check_digit(canon, n) != '0') {
		canon[0] = '\0';
		return TD_ERR_INVAL;
	}
	return TD_OK;
}

void store_case_number_display(const char *canon, char *out, size_t outlen)
{
	size_t n = strlen(canon);
	if (n < 11) {
		snprintf(out, outlen, "%s", canon);
		return;
	}
	snprintf(out, outlen, "%.6s-%.*s-%c", canon, (int)(n - 7), canon + 6, canon[n - 1]);
}

void store_case_day(int64_t t, char out[7])
{
	time_t local = (time_t)(t + 7 * 3600); /* Hanoi: UTC+7, no daylight saving */
	struct tm tm;
	gmtime_r(&local, &tm);
	unsigned v[3] = {(unsigned)tm.tm_year % 100u, (unsigned)tm.tm_mon % 12u + 1u,
			 (unsigned)tm.tm_mday % 32u};
	for (int i = 0; i < 3; i++) {
		out[2 * i] = (char)('0' + v[i] / 10);
		out[2 * i + 1] = (char)('0' + v[i] % 10);
	}
	out[6] = '\0';
}

/* ---- statuses ------------------------------------------------------------- */

static const char *const status_names[STORE_CASE__NSTATUS] = {
	"received", "accepted", "not_accepted", "assigned", "in_progress", "answered", "closed",
};
static const char *const status_labels[STORE_CASE__NSTATUS] = {
	"Đã tiếp nhận",     "Đã chấp nhận xử lý", "Không được tiếp nhận", "Đã chuyển cơ quan xử lý",
	"Đang xử lý",       "Đã trả lời",         "Đã kết thúc",
};

const char *store_case_status_name(enum store_case_status st)
{
	return (unsigned)st < STORE_CASE__NSTATUS ? status_names[st] : status_names[0];
}

const char *store_case_status_label(enum store_case_status st)
{
	return (unsigned)st < STORE_CASE__NSTATUS ? status_labels[st] : status_labels[0];
}

bool store_case_status_parse(const char *s, enum store_case_status *out)
{
	for (int i = 0; s && i < STORE_CASE__NSTATUS; i++)
		if (strcmp(s, status_names[i]) == 0) {
			*out = (enum store_case_status)i;
			return true;
		}
	return false;
}

bool store_case_status_is_open(enum store_case_status st)
{
	return st != STORE_CASE_NOT_ACCEPTED && st != STORE_CASE_ANSWERED && st != STORE_CASE_CLOSED;
}

bool store_case_transition_ok(enum store_case_status from, enum store_case_status to)
{
	switch (from) {
	case STORE_CASE_RECEIVED:
		return to == STORE_CASE_ACCEPTED || to == STORE_CASE_NOT_ACCEPTED ||
		       to == STORE_CASE_ASSIGNED || to == STORE_CASE_CLOSED;
	case STORE_CASE_ACCEPTED:
		return to == STORE_CASE_ASSIGNED || to == STORE_CASE_IN_PROGRESS ||
		       to == STORE_CASE_ANSWERED || to == STORE_CASE_CLOSED;
	case STORE_CASE_ASSIGNED:
		return to == STORE_CASE_IN_PROGRESS || to == STORE_CASE_ANSWERED ||
		       to == STORE_CASE_ASSIGNED || to == STORE_CASE_CLOSED;
	case STORE_CASE_IN_PROGRESS:
		return to == STORE_CASE_ANSWERED || to == STORE_CASE_ASSIGNED ||
		       to == STORE_CASE_CLOSED;
	case STORE_CASE_ANSWERED:
		return to == STORE_CASE_CLOSED || to == STORE_CASE_IN_PROGRESS;
	default:
		return false;
	}
}

/* ---- the record ----------------------------------------------------------- */

void store_case_init(struct store_case *c)
{
	memset(c, 0, sizeof *c);
	c->reporters = 1;
}

void store_case_release(struct store_case *c)
{
	td_free(c->text);
	td_free(c->public_text);
	td_free(c->reasons);
	td_free(c->place_text);
	td_free(c->routing_reason);
	td_free(c->status_reason);
	td_free(c->location);
	store_case_init(c);
}

void store_case_set(char **field, const char *value)
{
	td_free(*field);
	*field = value ? td_strdup(value) : NULL;
}

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_state = -1;

static void sodium_setup(void)
{
	sodium_state = sodium_init();
}

static td_err random_b64(char *out, size_t outlen, size_t nbytes)
{
	unsigned char raw[32];
	pthread_once(&sodium_once, sodium_setup);
	if (sodium_state < 0 || nbytes > sizeof raw ||
	    outlen < sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING))
		return TD_ERR_INTERNAL;
	randombytes_buf(raw, nbytes);
	sodium_bin2base64(out, outlen, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return TD_OK;
}

static td_err validate(const struct store_case *c)
{
	if (!c->text || strlen(c->text) > STORE_CASE_TEXT_MAX)
		return TD_ERR_INVAL;
	if (c->n_attachments > STORE_CASE_ATTACH_MAX)
		return TD_ERR_INVAL;
	for (size_t i = 0; i < c->n_attachments; i++)
		if (c->attachments[i].size > STORE_CASE_ATTACH_SIZE_MAX || !c->attachments[i].url[0])
			return TD_ERR_INVAL;
	return TD_OK;
}

/* Number, token, defaults, then the rows; inside an open transaction. */
static td_err insert_in_tx(struct store *s, struct store_case *c,
			   const struct store_case_contact *ct, const char *actor, int64_t now)
{
	td_err e = validate(c);
	if (e)
		return e;
	if (!c->received_at)
		c->received_at = now;
	c->updated_at = now;
	if (!c->public_text) {
		struct td_buf b;
		td_buf_init(&b, 4 * STORE_CASE_TEXT_MAX);
		td_pii_mask(&b, c->text);
		c->public_text = td_buf_detach(&b, NULL);
	}
	if (!c->token[0] && (e = random_b64(c->token, sizeof c->token, 16)))
		return e;
	char day[7];
	store_case_day(c->received_at, day);
	uint64_t seq = 0;
	if ((e = s->ops->cases->next_seq(s, day, &seq)))
		return e;
	if ((e = store_case_number_make(c->number, day, seq)))
		return e;
	e = s->ops->cases->insert(s, c, ct, actor ? actor : "", now);
	if (e) {
		c->id = 0;
		c->number[0] = '\0';
	}
	return e;
}

td_err store_case_insert(struct store *s, struct store_case *c, const struct store_case_contact *ct,
			 const char *actor, int64_t now)
{
	td_err e = validate(c);
	if (e)
		return e;
	if ((e = s->ops->begin(s)))
		return e;
	e = insert_in_tx(s, c, ct, actor, now);
	if (e) {
		s->ops->rollback(s);
		return e;
	}
	if ((e = s->ops->commit(s))) {
		s->ops->rollback(s);
		c->id = 0;
		c->number[0] = '\0';
	}
	return e;
}

td_err store_case_get(struct store *s, const char *number, struct store_case *out)
{
	store_case_init(out);
	return s->ops->cases->get(s, STORE__CASE_BY_NUMBER, number, 0, out);
}

td_err store_case_get_by_token(struct store *s, const char *token, struct store_case *out)
{
	store_case_init(out);
	return s->ops->cases->get(s, STORE__CASE_BY_TOKEN, token, 0, out);
}

td_err store_case_get_by_id(struct store *s, int64_t id, struct store_case *out)
{
	store_case_init(out);
	return s->ops->cases->get(s, STORE__CASE_BY_ID, NULL, id, out);
}

td_err store_case_contact_get(struct store *s, int64_t id, struct store_case_contact *out)
{
	return s->ops->cases->contact_get(s, id, out);
}

/* Each word of a name becomes its first character and "***". */
static void mask_name(const char *in, char *out, size_t outlen)
{
	struct td_buf b;
	td_buf_init(&b, outlen - 1);
	const char *p = in;
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		size_t l = 1;
		while (((unsigned char)p[l] & 0xC0) == 0x80)
			l++;
		if (b.len)
			td_buf_addc(&b, ' ');
		td_buf_add(&b, p, l);
		td_buf_adds(&b, "***");
		while (*p && *p != ' ')
			p++;
	}
	snprintf(out, outlen, "%s", b.data && !td_buf_error(&b) ? b.data : "");
	td_buf_release(&b);
}

static void mask_pii(const char *in, char *out, size_t outlen)
{
	struct td_buf b;
	td_buf_init(&b, 4096);
	td_pii_mask(&b, in);
	snprintf(out, outlen, "%s", b.data ? b.data : "");
	td_buf_release(&b);
}

void store_case_contact_mask(const struct store_case_contact *in, struct store_case_contact *out)
{
	struct store_case_contact m;
	memset(&m, 0, sizeof m);
	mask_name(in->name, m.name, sizeof m.name);
	mask_pii(in->phone, m.phone, sizeof m.phone);
	if (in->phone[0] && strcmp(m.phone, in->phone) == 0) /* short numbers: hide anyway */
		snprintf(m.phone, sizeof m.phone, "***");
	mask_pii(in->email, m.email, sizeof m.email);
	if (in->email[0] && strcmp(m.email, in->email) == 0)
		snprintf(m.email, sizeof m.email, "***");
	const char *comma = strrchr(in->address, ',');
	if (comma) {
		char tail[sizeof m.address - 8];
		mask_pii(comma + 1, tail, sizeof tail);
		snprintf(m.address, sizeof m.address, "***,%s", tail);
	} else if (in->address[0]) {
		snprintf(m.address, sizeof m.address, "***");
	}
	*out = m;
}

td_err store_case_history(struct store *s, int64_t id, store_case_event_fn fn, void *ctx)
{
	return s->ops->cases->history(s, id, fn, ctx);
}

td_err store_case_status_set(struct store *s, const char *number, enum store_case_status to,
			     const char *note, const char *actor, int64_t now)
{
	td_err e = s->ops->begin(s);
	if (e)
		return e;
	struct store_case c;
	store_case_init(&c);
	e = s->ops->cases->get(s, STORE__CASE_BY_NUMBER, number, 0, &c);
	if (!e && !store_case_transition_ok(c.status, to))
		e = TD_ERR_INVAL;
	if (!e)
		e = s->ops->cases->status_set(s, c.id, to, note, actor ? actor : "", now);
	store_case_release(&c);
	if (e) {
		s->ops->rollback(s);
		return e;
	}
	if ((e = s->ops->commit(s)))
		s->ops->rollback(s);
	return e;
}

td_err store_case_status_of(struct store *s, int64_t id, enum store_case_status *out)
{
	struct store_case c;
	store_case_init(&c);
	td_err e = s->ops->cases->get(s, STORE__CASE_BY_ID, NULL, id, &c);
	if (!e)
		*out = c.status;
	store_case_release(&c);
	return e;
}

td_err store_case_list(struct store *s, const struct store_case_filter *f, store_case_fn fn,
		       void *ctx, size_t *total)
{
	return s->ops->cases->list(s, f, fn, ctx, total);
}

/* ---- API keys ------------------------------------------------------------- */

static td_err key_hash(const char *key, char hex[65])
{
	unsigned char h[32];
	pthread_once(&sodium_once, sodium_setup);
	if (sodium_state < 0)
		return TD_ERR_INTERNAL;
	crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
	sodium_bin2hex(hex, 65, h, sizeof h);
	return TD_OK;
}

td_err store_case_apikey_add(struct store *s, const char *name, int64_t now, char *key_out,
			     size_t keylen)
{
	char hex[65];
	if (!name || !*name || strlen(name) > 100)
		return TD_ERR_INVAL;
	td_err e = random_b64(key_out, keylen, 32);
	if (!e)
		e = key_hash(key_out, hex);
	if (!e)
		e = s->ops->cases->apikey_add(s, name, hex, now);
	return e;
}

td_err store_case_apikey_check(struct store *s, const char *key, bool *valid, char *name,
			       size_t namelen)
{
	char hex[65];
	*valid = false;
	if (!key || !*key || strlen(key) > 256)
		return TD_OK;
	td_err e = key_hash(key, hex);
	return e ? e : s->ops->cases->apikey_check(s, hex, valid, name, namelen);
}

td_err store_case_apikey_revoke(struct store *s, const char *name, int64_t now, size_t *n)
{
	return s->ops->cases->apikey_revoke(s, name, now, n);
}

/* ---- group commit --------------------------------------------------------- */

struct writer_job {
	struct store_case *c;
	const struct store_case_contact *ct;
	const char *actor;
	int64_t now;
	td_err rc;
	bool done;
	bool written; /* inside the batch transaction, before commit */
	struct writer_job *next;
};

struct store_case_writer {
	struct store *s;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t work;  /* writer waits for jobs */
	pthread_cond_t done;  /* submitters wait for their job */
	pthread_cond_t space; /* submitters wait for room */
	struct writer_job *head, *tail;
	size_t queued, queue_max, batch_max;
	bool stop;
	struct store_case_hooks hooks;
	struct store_case_writer_stats stats;
};

static void write_batch(struct store_case_writer *w, struct writer_job *batch, size_t n)
{
	struct store *s = w->s;
	td_err e = s->ops->begin(s);
	if (e) {
		td_log(TD_LOG_ERROR, "pakn.batch_failed", "step", "begin", "error", store_errmsg(s),
		       NULL);
		for (struct writer_job *j = batch; j; j = j->next)
			j->rc = e;
		w->stats.failed += n;
		return;
	}
	size_t ok = 0;
	for (struct writer_job *j = batch; j; j = j->next) {
		if ((j->rc = validate(j->c)))
			continue;
		if ((j->rc = s->ops->cases->savepoint(s)))
			continue;
		if (w->hooks.prepare)
			w->hooks.prepare(w->hooks.ctx, s, j->c);
		j->rc = insert_in_tx(s, j->c, j->ct, j->actor, j->now);
		if (j->rc) {
			td_log(TD_LOG_WARN, "pakn.case_failed", "error", store_errmsg(s), NULL);
			s->ops->cases->rollback_to(s);
			continue;
		}
		if ((j->rc = s->ops->cases->release(s))) {
			s->ops->cases->rollback_to(s);
			continue;
		}
		j->written = true;
		ok++;
		/* visible to the next cases of this batch (duplicates) */
		if (w->hooks.committed)
			w->hooks.committed(w->hooks.ctx, j->c);
	}
	e = s->ops->commit(s);
	if (e) {
		td_log(TD_LOG_ERROR, "pakn.batch_failed", "step", "commit", "error",
		       store_errmsg(s), NULL);
		s->ops->rollback(s);
		for (struct writer_job *j = batch; j; j = j->next) {
			if (j->written && w->hooks.aborted)
				w->hooks.aborted(w->hooks.ctx, j->c);
			if (j->written) {
				j->c->id = 0;
				j->c->number[0] = '\0';
			}
			j->rc = e;
		}
		w->stats.failed += n;
		return;
	}
	w->stats.failed += n - ok;
	w->stats.cases += ok;
}

static void *writer_main(void *arg)
{
	struct store_case_writer *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stop)
			pthread_cond_wait(&w->work, &w->mu);
		if (!w->head)
			break; /* stopping and drained */
		struct writer_job *batch = w->head, *last = w->head;
		size_t n = 1;
		while (last->next && n < w->batch_max) {
			last = last->next;
			n++;
		}
		w->head = last->next;
		if (!w->head)
			w->tail = NULL;
		last->next = NULL;
		w->queued -= n;
		pthread_cond_broadcast(&w->space);
		pthread_mutex_unlock(&w->mu);

		write_batch(w, batch, n);

		pthread_mutex_lock(&w->mu);
		w->stats.batches++;
		if (n > w->stats.max_batch)
			w->stats.max_batch = n;
		for (struct writer_job *j = batch, *next; j; j = next) {
			next = j->next; /* the submitter may free j once done is set */
			j->done = true;
		}
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

td_err store_case_writer_new(const char *location, size_t queue_max, size_t batch_max,
			     const struct store_case_hooks *hooks, struct store_case_writer **out,
			     char *err, size_t errlen)
{
	*out = NULL;
	if (queue_max < 1 || queue_max > 65536 || batch_max < 1 || batch_max > 4096) {
		snprintf(err, errlen, "case writer: queue 1..65536 and batch 1..4096");
		return TD_ERR_INVAL;
	}
	struct store_case_writer *w = td_calloc(1, sizeof *w);
	td_err e = store_open(location, &w->s, err, errlen);
	if (e) {
		td_free(w);
		return e;
	}
	w->queue_max = queue_max;
	w->batch_max = batch_max;
	if (hooks)
		w->hooks = *hooks;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->space, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		snprintf(err, errlen, "case writer: cannot start the thread");
		pthread_cond_destroy(&w->space);
		pthread_cond_destroy(&w->done);
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->mu);
		store_close(w->s);
		td_free(w);
		return TD_ERR_INTERNAL;
	}
	*out = w;
	return TD_OK;
}

void store_case_writer_free(struct store_case_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_cond_broadcast(&w->space);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->space);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->mu);
	store_close(w->s);
	td_free(w);
}

td_err store_case_writer_submit(struct store_case_writer *w, struct store_case *c,
				const struct store_case_contact *ct, const char *actor,
				int64_t now, unsigned wait_ms)
{
	td_err e = validate(c);
	if (e)
		return e;
	struct writer_job job = {.c = c, .ct = ct, .actor = actor, .now = now};
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	while (w->queued >= w->queue_max && !w->stop)
		if (pthread_cond_timedwait(&w->space, &w->mu, &deadline) == ETIMEDOUT)
			break;
	if (w->stop || w->queued >= w->queue_max) {
		pthread_mutex_unlock(&w->mu);
		return TD_ERR_BUSY;
	}
	if (w->tail)
		w->tail->next = &job;
	else
		w->head = &job;
	w->tail = &job;
	w->queued++;
	pthread_cond_signal(&w->work);
	/* Once queued the job must not be abandoned (it lives on this stack);
	 * the writer always finishes a batch, bounded by the busy timeout. */
	while (!job.done)
		pthread_cond_wait(&w->done, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return job.rc;
}

void store_case_writer_stats(struct store_case_writer *w, struct store_case_writer_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	pthread_mutex_unlock(&w->mu);
}
