/*
 * store.c - the backend-independent half of the store: choosing a backend,
 * versioning with history, change summaries, rows <-> records.
 */
#include "store/store.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "kb/kb_json.h"
#include "store/store_int.h"
#include "text/vn.h"

/* What the store keeps of a record: its content plus the importer's raw text
 * and warnings, never the version metadata (that lives in columns). */
#define STORE_BODY_FLAGS (KB_JSON_CONTENT | KB_JSON_RAW)

void store__row_release(struct store__row *r)
{
	td_free(r->code);
	td_free(r->body);
	td_free(r->changed_at);
	td_free(r->changed_by);
	td_free(r->summary);
	memset(r, 0, sizeof *r);
}

char *store__fold(const char *s)
{
	struct td_buf b;
	td_buf_init(&b, 1 << 20);
	if (vn_fold(&b, s, strlen(s), VN_LOSSY) != TD_OK) {
		td_buf_release(&b);
		return td_strdup("");
	}
	return td_buf_detach(&b, NULL);
}

td_err store_open(const char *location, struct store **out, char *err, size_t errlen)
{
	struct store *s = td_calloc(1, sizeof *s);
	*out = NULL;
	if (strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0) {
		snprintf(err, errlen, "PostgreSQL storage is not built yet; use a data directory");
		td_free(s);
		return TD_ERR_UNSUPPORTED;
	}
	s->ops = &store__sqlite_ops;
	td_err rc = s->ops->open(s, location, err, errlen);
	if (rc) {
		td_free(s);
		return rc;
	}
	*out = s;
	return TD_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	td_free(s);
}

const char *store_backend(const struct store *s)
{
	return s->ops->name;
}

int store_schema_version(const struct store *s)
{
	return s->schema_version;
}

const char *store_errmsg(const struct store *s)
{
	return s->errmsg;
}

td_err store_begin(struct store *s)
{
	return s->ops->begin(s);
}

td_err store_commit(struct store *s)
{
	return s->ops->commit(s);
}

td_err store_rollback(struct store *s)
{
	return s->ops->rollback(s);
}

static void now_iso(char *out, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "channels, dossier" - the top-level keys whose values differ. */
static char *change_summary(const char *old_body, const char *new_body)
{
	json_t *a = json_loads(old_body, 0, NULL);
	json_t *b = json_loads(new_body, 0, NULL);
	struct td_buf sum;
	td_buf_init(&sum, 4096);
	if (a && b) {
		const char *key;
		json_t *v;
		json_object_foreach(b, key, v) {
			if (json_equal(v, json_object_get(a, key)))
				continue;
			if (sum.len)
				td_buf_adds(&sum, ", ");
			td_buf_adds(&sum, key);
		}
		json_object_foreach(a, key, v) {
			if (json_object_get(b, key))
				continue;
			if (sum.len)
				td_buf_adds(&sum, ", ");
			td_buf_adds(&sum, key);
		}
	}
	json_decref(a);
	json_decref(b);
	if (!sum.len)
		td_buf_adds(&sum, "?");
	return td_buf_detach(&sum, NULL);
}

static char *levels_key(const struct kb_procedure *p)
{
	struct td_buf b;
	td_buf_init(&b, 64 * 1024);
	td_buf_addc(&b, '|');
	for (size_t i = 0; i < p->levels.n; i++) {
		char *f = store__fold(p->levels.items[i]);
		td_buf_adds(&b, f);
		td_buf_addc(&b, '|');
		td_free(f);
	}
	return td_buf_detach(&b, NULL);
}

td_err store_procedure_put(struct store *s, const struct kb_procedure *p, const char *by,
			   enum store_put_result *result)
{
	if (!p->code || !p->name || !kb_code_valid(p->code))
		return TD_ERR_INVAL;
	char *body = kb_procedure_to_string(p, STORE_BODY_FLAGS);
	if (!body)
		return TD_ERR_INTERNAL;

	struct store__row cur = {0};
	td_err rc = s->ops->current(s, p->code, &cur);
	if (rc && rc != TD_ERR_NOTFOUND)
		goto out;

	char when[32];
	now_iso(when, sizeof when);
	struct store__row row = {.code = p->code, .body = body, .changed_at = when,
				 .changed_by = (char *)(by && *by ? by : "unknown")};
	if (rc == TD_ERR_NOTFOUND) {
		row.version = 1;
		row.summary = td_strdup("created");
		*result = STORE_PUT_INSERTED;
	} else if (strcmp(cur.body, body) == 0) {
		*result = STORE_PUT_UNCHANGED;
		rc = TD_OK;
		goto out;
	} else {
		row.version = cur.version + 1;
		row.summary = change_summary(cur.body, body);
		*result = STORE_PUT_UPDATED;
	}
	struct store__keys keys = {.code = p->code, .name = p->name,
				   .field_key = store__fold(p->field ? p->field : ""),
				   .levels_key = levels_key(p), .owner = p->owner};
	rc = s->ops->write(s, &keys, &row);
	td_free(keys.field_key);
	td_free(keys.levels_key);
	td_free(row.summary);
out:
	store__row_release(&cur);
	td_free(body);
	return rc;
}

/* Parse a stored row back into a record with its version metadata. */
static td_err row_to_record(const struct store__row *r, struct kb_procedure **out)
{
	json_error_t jerr;
	json_t *o = json_loads(r->body, 0, &jerr);
	if (!o)
		return TD_ERR_PARSE;
	struct kb_problems ps;
	kb_problems_init(&ps);
	td_err rc = kb_procedure_from_json(o, 0, out, &ps);
	kb_problems_release(&ps);
	json_decref(o);
	if (rc)
		return TD_ERR_INTERNAL; /* stored records were valid when written */
	(*out)->version = r->version;
	(*out)->updated_at = td_strdup(r->changed_at);
	(*out)->updated_by = td_strdup(r->changed_by);
	return TD_OK;
}

td_err store_procedure_get(struct store *s, const char *code, struct kb_procedure **out)
{
	struct store__row r = {0};
	*out = NULL;
	td_err rc = s->ops->current(s, code, &r);
	if (!rc)
		rc = row_to_record(&r, out);
	store__row_release(&r);
	return rc;
}

td_err store_procedure_get_version(struct store *s, const char *code, int version,
				   struct kb_procedure **out)
{
	struct store__row r = {0};
	*out = NULL;
	td_err rc = s->ops->version(s, code, version, &r);
	if (!rc)
		rc = row_to_record(&r, out);
	store__row_release(&r);
	return rc;
}

td_err store_procedure_get_json(struct store *s, const char *code, char **json_out)
{
	struct kb_procedure *p;
	*json_out = NULL;
	td_err rc = store_procedure_get(s, code, &p);
	if (rc)
		return rc;
	*json_out = kb_procedure_to_string(p, KB_JSON_META | KB_JSON_RAW);
	kb_procedure_free(p);
	return *json_out ? TD_OK : TD_ERR_INTERNAL;
}

struct list_ctx {
	store_procedure_fn each;
	void *ctx;
	int stop;
	td_err err;
};

static int list_row(const struct store__row *r, void *arg)
{
	struct list_ctx *lc = arg;
	struct kb_procedure *p;
	lc->err = row_to_record(r, &p);
	if (lc->err)
		return 1;
	lc->stop = lc->each(p, lc->ctx);
	kb_procedure_free(p);
	return lc->stop;
}

td_err store_procedure_list(struct store *s, const struct store_filter *f, store_procedure_fn each,
			    void *ctx)
{
	struct list_ctx lc = {each, ctx, 0, TD_OK};
	char *field = f && f->field ? store__fold(f->field) : NULL;
	char *level = NULL;
	if (f && f->level) {
		char *l = store__fold(f->level);
		size_t n = strlen(l) + 3;
		level = td_malloc(n);
		snprintf(level, n, "|%s|", l);
		td_free(l);
	}
	td_err rc = s->ops->list(s, field, level, f ? f->owner : NULL, f ? f->offset : 0,
				 f ? f->limit : 0, list_row, &lc);
	td_free(field);
	td_free(level);
	if (lc.err)
		return lc.err;
	if (lc.stop)
		return (td_err)lc.stop;
	return rc;
}

td_err store_procedure_count(struct store *s, size_t *n)
{
	return s->ops->count(s, n);
}

struct hist_ctx {
	struct kb_history_entry *items;
	size_t n;
};

static int hist_row(const struct store__row *r, void *arg)
{
	struct hist_ctx *hc = arg;
	hc->items = td_reallocarray(hc->items, hc->n + 1, sizeof *hc->items);
	struct kb_history_entry *e = &hc->items[hc->n++];
	e->version = r->version;
	e->changed_at = td_strdup(r->changed_at);
	e->changed_by = td_strdup(r->changed_by);
	e->summary = td_strdup(r->summary);
	return 0;
}

td_err store_procedure_history(struct store *s, const char *code, struct kb_history_entry **out,
			       size_t *n)
{
	struct hist_ctx hc = {0};
	td_err rc = s->ops->history(s, code, hist_row, &hc);
	if (!rc && hc.n == 0)
		rc = TD_ERR_NOTFOUND;
	if (rc) {
		store_history_free(hc.items, hc.n);
		*out = NULL;
		*n = 0;
		return rc;
	}
	*out = hc.items;
	*n = hc.n;
	return TD_OK;
}

void store_history_free(struct kb_history_entry *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		td_free(h[i].changed_at);
		td_free(h[i].changed_by);
		td_free(h[i].summary);
	}
	td_free(h);
}
