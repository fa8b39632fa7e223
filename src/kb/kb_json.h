/*
 * kb_json.h - tongdai's own JSON format for procedures (docs/kb-format.md):
 * record <-> jansson object, validation with Vietnamese messages, and file
 * loading for both import formats.
 */
#ifndef TD_KB_KB_JSON_H
#define TD_KB_KB_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "kb/kb.h"

/* What kb_procedure_to_json includes beyond the content. */
enum kb_json_flags {
	KB_JSON_CONTENT = 0,     /* the record as authored: what the store compares */
	KB_JSON_META = 1 << 0,   /* + version, updated_at, updated_by */
	KB_JSON_RAW = 1 << 1,    /* + raw (original source text) and warnings */
};

/* A new JSON object (caller owns one reference).  Keys appear in a fixed
 * order, so equal records serialise to equal text. */
json_t *kb_procedure_to_json(const struct kb_procedure *p, unsigned flags);

/* Serialise to a compact string (caller frees with td_free). */
char *kb_procedure_to_string(const struct kb_procedure *p, unsigned flags);

enum kb_severity { KB_SEV_WARNING, KB_SEV_ERROR };

struct kb_problem {
	char *code;      /* record code, or "" when unknown */
	char *path;      /* JSON path, e.g. "channels[1].duration.unit" */
	char *kind;      /* machine slug: "missing", "type", "value", "unknown_key", "duplicate", "syntax" */
	char *message;   /* Vietnamese, for the department that owns the record */
	enum kb_severity severity;
	long line;       /* line in the file when known, else 0 */
};

struct kb_problems {
	struct kb_problem *items;
	size_t n;
	size_t errors;   /* how many have KB_SEV_ERROR */
	size_t rejected; /* records kb_file_load could not deliver */
};

void kb_problems_init(struct kb_problems *ps);
void kb_problems_release(struct kb_problems *ps);
void kb_problems_add(struct kb_problems *ps, enum kb_severity sev, const char *code,
		     const char *path, const char *kind, long line, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/*
 * Build a record from one procedure object in tongdai's format, checking it.
 * Every problem is appended to ps (which may already hold others).  Returns
 * TD_OK with *out set when the record has no error-level problem, otherwise
 * TD_ERR_INVAL with *out NULL.  Output-only keys are ignored.
 */
td_err kb_procedure_from_json(const json_t *obj, long line, struct kb_procedure **out,
			      struct kb_problems *ps);

enum kb_format { KB_FORMAT_TONGDAI, KB_FORMAT_NATIONAL };

/* Called once per good record; the callback takes ownership of p.  A
 * non-zero return stops the load and is passed back as TD_ERR_INTERNAL. */
typedef int (*kb_record_fn)(struct kb_procedure *p, void *ctx);

/*
 * Read a file of procedures in the given format, calling `each` for every
 * record that passes and recording every problem (rejected records included)
 * in ps.  Returns TD_OK when the file could be read at all (even if some
 * records were rejected); TD_ERR_IO/TD_ERR_TOOBIG/TD_ERR_PARSE when the file
 * as a whole could not be used (also recorded in ps).
 */
td_err kb_file_load(const char *path, enum kb_format fmt, kb_record_fn each, void *ctx,
		    struct kb_problems *ps);

#endif
