/*
 * cmd_pakn_classify.c - `tongdai pakn classify`: the PAKN intake path from
 * the command line.
 *
 * Thin: options, lines in, JSON out.  For each message: pakn_classify
 * (category, level, emergency), place_resolve over the text (and the form
 * address), route_decide (agency and reason), pakn_missing.  With --jsonl
 * each input line is plain text or {"id","text","name"?,"phone"?,"address"?};
 * one JSON object a line comes out, in order, so eval scripts can pipe a
 * whole set through one process.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "cmd/cmd.h"
#include "cmd/cmd_pakn_classify.h"
#include "pakn/complete.h"
#include "pakn/pakn.h"
#include "pakn/place.h"
#include "pakn/route.h"

#ifndef TD_SOURCE_DIR
#define TD_SOURCE_DIR "."
#endif

#define LINE_MAX_BYTES ((size_t)64 << 10)

static const char *const usage_text =
	"usage: tongdai pakn classify [--resources DIR] [--jsonl] [TEXT...]\n"
	"\n"
	"Classify feedback (phản ánh, kiến nghị): category, level, emergency, ward/commune,\n"
	"agency and what is missing.\n"
	"  --jsonl       read messages from standard input, one a line (plain text or\n"
	"                {\"id\",\"text\",\"name\",\"phone\",\"address\"}), write one JSON object a line\n"
	"  --resources D directory holding data/pakn and data/hanoi (default: the source\n"
	"                tree the program was built from)\n"
	"  --gold-category  (evaluation) route with the \"category\" of each input line\n"
	"  --data-dir D  accepted for symmetry with other commands (not used)\n";

struct pc {
	bool gold_category; /* evaluation: take "category" from the input line */
	struct pakn_model *model;
	struct place_index *places;
	struct route_table *routes;
	struct place_result place;
};

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* Resolve the place from the text, else from the form address. */
static const char *resolve_place(struct pc *c, const char *text, size_t n, const char *address)
{
	place_resolve(c->places, text, n, &c->place);
	if (c->place.n == 0 && address && *address) {
		place_resolve(c->places, address, strlen(address), &c->place);
		if (c->place.n)
			return address;
	}
	return text;
}

static int classify_one(struct pc *c, const char *id, const char *text, size_t n,
			const struct pakn_form *form, const char *gold)
{
	struct pakn_classification cl;
	td_err e = pakn_classify(c->model, text, n, &cl);
	if (e == TD_OK && gold && *gold && strlen(gold) < sizeof cl.category) {
		/* route as if the classifier had found the labelled category */
		memcpy(cl.category, gold, strlen(gold) + 1);
	}
	if (e != TD_OK) {
		json_t *o = json_pack("{s:s, s:s}", "id", id, "error", td_errname(e));
		char *s = json_dumps(o, JSON_COMPACT);
		printf("%s\n", s ? s : "{}");
		free(s); /* jansson allocates with malloc */
		json_decref(o);
		return 1;
	}
	const char *src = resolve_place(c, text, n, form->address);
	size_t srcn = src == text ? n : strlen(src);
	struct route_decision rd;
	route_decide(c->routes, cl.category, &c->place, src, srcn, &rd);
	struct pakn_missing miss;
	pakn_missing(text, n, form, route_is_field_report(c->routes, cl.category),
		     c->place.n > 0, &miss);

	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "category", json_string(cl.category));
	json_object_set_new(o, "level", json_string(pakn_level_name(cl.level)));
	json_object_set_new(o, "emergency", json_boolean(cl.emergency));
	json_t *nums = json_array();
	for (const char *p = cl.emergency_numbers; *p;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		if (l)
			json_array_append_new(nums, json_stringn(p, l));
		p += l + (comma ? 1 : 0);
	}
	json_object_set_new(o, "emergency_numbers", nums);
	json_t *codes = json_array();
	for (size_t i = 0; i < c->place.n; i++)
		json_array_append_new(codes, json_string(c->place.cand[i].code));
	json_object_set_new(o, "ward_codes", codes);
	json_object_set_new(o, "agency", str_or_null(rd.agency));
	json_object_set_new(o, "status", json_string(route_status_name(rd.status)));
	json_t *alts = json_array();
	for (size_t i = 0; i < rd.n_candidates; i++)
		json_array_append_new(alts, json_string(rd.candidates[i]));
	json_object_set_new(o, "agency_candidates", alts);
	json_t *missing = json_array();
	for (size_t i = 0; i < miss.n; i++)
		json_array_append_new(missing, json_string(miss.fields[i]));
	json_object_set_new(o, "missing", missing);
	json_t *contact = json_object();
	json_object_set_new(contact, "name", str_or_null(miss.name));
	json_object_set_new(contact, "phone", str_or_null(miss.phone));
	json_object_set_new(o, "found_in_text", contact);
	json_object_set_new(o, "confidence", json_real(cl.confidence));
	json_t *reasons = json_array();
	for (size_t i = 0; i < cl.n_reasons && i < PAKN_REASONS_MAX; i++)
		json_array_append_new(reasons, json_string(cl.reasons[i]));
	json_object_set_new(o, "reasons", reasons);
	json_t *pl = json_object();
	if (c->place.n)
		json_object_set_new(pl, "matched",
				    json_stringn(src + c->place.span_start, c->place.span_len));
	else
		json_object_set_new(pl, "matched", json_null());
	json_object_set_new(pl, "from_old_address", json_boolean(c->place.from_old_address));
	json_t *cands = json_array();
	for (size_t i = 0; i < c->place.n; i++)
		json_array_append_new(cands, json_pack("{s:s, s:s}", "code", c->place.cand[i].code,
						       "name", c->place.cand[i].name));
	json_object_set_new(pl, "candidates", cands);
	json_object_set_new(pl, "reason", json_string(c->place.reason));
	json_object_set_new(o, "place", pl);
	json_object_set_new(o, "routing_reason", json_string(rd.reason));
	char *s = json_dumps(o, JSON_COMPACT);
	int rc = 0;
	if (s)
		printf("%s\n", s);
	else {
		printf("{\"id\":\"\",\"error\":\"internal\"}\n");
		rc = 1;
	}
	free(s); /* jansson allocates with malloc */
	json_decref(o);
	return rc;
}

/* One --jsonl line (cmd_jsonl_each callback; ctx is the struct pc). */
static int classify_line(void *ctx, char *line, size_t n, size_t lineno)
{
	struct pc *c = ctx;
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "line-%zu", lineno);
	struct pakn_form form = {0};
	if (i < n && line[i] == '{') {
		json_error_t je;
		json_t *o = json_loadb(line, n, 0, &je);
		if (!o || !json_is_object(o)) {
			printf("{\"id\":\"%s\",\"error\":\"bad_json\"}\n", idbuf);
			json_decref(o);
			return 1;
		}
		const char *id = json_string_value(json_object_get(o, "id"));
		json_t *tv = json_object_get(o, "text");
		const char *text = json_string_value(tv);
		form.name = json_string_value(json_object_get(o, "name"));
		form.phone = json_string_value(json_object_get(o, "phone"));
		form.address = json_string_value(json_object_get(o, "address"));
		const char *gold =
			c->gold_category ? json_string_value(json_object_get(o, "category")) : NULL;
		int rc = classify_one(c, id ? id : idbuf, text ? text : "",
				      text ? json_string_length(tv) : 0, &form, gold);
		json_decref(o);
		return rc;
	}
	return classify_one(c, idbuf, line, n, &form, NULL);
}

int cmd_pakn_classify(int argc, char **argv, struct td_config *cfg)
{
	struct pc c = {0};
	bool jsonl = false;
	const char *resources = NULL;
	struct td_buf q;
	int rc = 2;
	char err[512] = "";
	td_buf_init(&q, LINE_MAX_BYTES);
	place_result_init(&c.place);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			goto out;
		if (used > 0) {
			i += used - 1;
			continue;
		}
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			fputs(usage_text, stdout);
			rc = 0;
			goto out;
		} else if (strcmp(o, "--gold-category") == 0) {
			c.gold_category = true;
		} else if (strcmp(o, "--jsonl") == 0) {
			jsonl = true;
		} else if (strcmp(o, "--resources") == 0 && i + 1 < argc) {
			resources = argv[++i];
		} else if (o[0] == '-' && o[1] == '-') {
			fprintf(stderr, "tongdai pakn classify: unknown option '%s'\n%s", o,
				usage_text);
			goto out;
		} else {
			if (q.len)
				td_buf_addc(&q, ' ');
			td_buf_adds(&q, o);
		}
	}
	if (!jsonl && q.len == 0) {
		fprintf(stderr, "tongdai pakn classify: no text (or use --jsonl)\n%s", usage_text);
		goto out;
	}
	if (!resources)
		resources = TD_SOURCE_DIR;
	rc = 1;
	td_err e = pakn_model_load(&c.model, resources, err, sizeof err);
	if (e == TD_OK)
		e = place_index_load(&c.places, resources, err, sizeof err);
	if (e == TD_OK)
		e = route_table_load(&c.routes, resources, err, sizeof err);
	if (e != TD_OK) {
		fprintf(stderr, "tongdai pakn classify: %s\n", err[0] ? err : td_strerror(e));
		goto out;
	}
	if (jsonl) {
		rc = cmd_jsonl_each(classify_line, &c, LINE_MAX_BYTES);
	} else {
		struct pakn_form form = {0};
		rc = classify_one(&c, "", q.data, q.len, &form, NULL);
	}
out:
	route_table_free(c.routes);
	place_index_free(c.places);
	pakn_model_free(c.model);
	place_result_release(&c.place);
	td_buf_release(&q);
	return rc;
}
