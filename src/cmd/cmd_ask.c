/*
 * cmd_ask.c - `tongdai ask`: the question path from the command line.
 *
 * Thin: options, reading lines, printing.  Loading is answer_bundle_open,
 * answering is answer_question.  With --jsonl each input line is a plain
 * question or a JSON object {"id","question","session"?}; one JSON object is
 * written per line, in order, so `make eval` and scripts can pipe a whole
 * question set through one process.  Lines with the same "session" share a
 * dialog (follow-ups, clarification picks, a PAKN report collected turn by
 * turn: report_dialog.h).  Reports are filed through the PAKN intake into
 * the --data-dir store, exactly as the server does; statuses are read from
 * it.  If the intake cannot start, PAKN intents get the placeholder replies
 * (a warning on stderr).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer/answer.h"
#include "answer/bundle.h"
#include "answer/report_dialog.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "cmd/cmd.h"
#include "cmd/cmd_ask.h"
#include "pakn/intake.h"
#include "store/store.h"

#define LINE_MAX_BYTES ((size_t)64 << 10)
#define SESSIONS_MAX 4096

static const char *const ask_usage =
	"usage: tongdai ask [--data-dir DIR] [--resources DIR] [--json] [--jsonl] [--voice]\n"
	"                   [QUESTION...]\n"
	"\n"
	"Answer a citizen's question from the knowledge base in the store.\n"
	"  --json        print the answer as one JSON object\n"
	"  --jsonl       read questions from standard input, one a line (plain text or\n"
	"                {\"id\",\"question\",\"session\"}), write one JSON object a line\n"
	"  --voice       shape the reply for the telephone (fewer options)\n"
	"  --debug       add the measures behind each decision to the JSON\n"
	"  --resources D directory holding data/text and data/answer (default: the\n"
	"                source tree the program was built from)\n"
	"  --data-dir D  where the database lives (default ./var, or TONGDAI_DATA_DIR)\n";

struct session {
	char *name;
	struct dialog *d; /* ~4 KB with its report draft */
};

struct ask {
	struct answer_bundle b;
	bool json;
	bool debug;
	enum answer_channel channel;
	struct session *sessions;
	size_t nsessions;
	struct pakn_intake *intake;
	struct store *store;         /* case lookups */
	struct report_pakn *report;
	struct report_backend report_ops;
};

static td_err ask_store_acquire(void *ctx, struct store **out)
{
	*out = ctx;
	return *out ? TD_OK : TD_ERR_INVAL;
}

static void ask_store_release(void *ctx, struct store *s)
{
	(void)ctx;
	(void)s;
}

/* The report backend over the store in data_dir; on failure a warning and
 * no backend. */
static void report_open(struct ask *a, const char *data_dir, const char *resources)
{
	char err[512] = "";
	struct pakn_intake_config pic = {.data_dir = data_dir, .resource_dir = resources};
	if (pakn_intake_open(&pic, &a->intake, err, sizeof err) != TD_OK)
		goto fail;
	if (store_open(data_dir, &a->store, err, sizeof err) != TD_OK)
		goto fail;
	struct report_store_access sa = {ask_store_acquire, ask_store_release, a->store};
	if (report_pakn_new(a->intake, &sa, &a->report) != TD_OK)
		goto fail;
	report_pakn_backend(a->report, &a->report_ops);
	return;
fail:
	fprintf(stderr, "tongdai ask: PAKN reports unavailable: %s\n", err[0] ? err : "?");
}

static void report_close(struct ask *a)
{
	report_pakn_free(a->report);
	if (a->store)
		store_close(a->store);
	pakn_intake_close(a->intake); /* drains the case queue */
}

static struct dialog *session_dialog(struct ask *a, const char *name)
{
	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < a->nsessions; i++)
		if (strcmp(a->sessions[i].name, name) == 0)
			return a->sessions[i].d;
	if (a->nsessions == SESSIONS_MAX)
		return NULL;
	a->sessions = td_reallocarray(a->sessions, a->nsessions + 1, sizeof *a->sessions);
	struct session *s = &a->sessions[a->nsessions++];
	s->name = td_strdup(name);
	s->d = td_malloc(sizeof *s->d);
	dialog_init(s->d);
	return s->d;
}

static int ask_one(struct ask *a, const char *id, const char *q, size_t n, struct dialog *d,
		   bool json)
{
	struct answer_result r;
	struct report_turn rt;
	td_err rc = report_dialog_answer(a->report ? &a->report_ops : NULL, a->b.engine, d, q, n,
					 a->channel,
					 a->channel == ANSWER_CHANNEL_VOICE ? "voice" : "web", &r,
					 &rt);
	if (rc != TD_OK) {
		if (json)
			printf("{\"id\":\"%s\",\"error\":\"%s\"}\n", "", td_errname(rc));
		else
			fprintf(stderr, "tongdai ask: %s\n", td_strerror(rc));
		return 1;
	}
	if (json) {
		struct td_buf out;
		td_buf_init(&out, (size_t)1 << 22);
		answer_result_json(&r, id, &out);
		if (rt.state && out.len && out.data[out.len - 1] == '}') {
			td_buf_truncate(&out, out.len - 1);
			report_turn_json(&rt, &out);
			td_buf_addc(&out, '}');
		}
		if (a->debug && out.len && out.data[out.len - 1] == '}') {
			/* Diagnostics for tuning: the measures behind the decision. */
			td_buf_truncate(&out, out.len - 1);
			td_buf_addf(&out, ",\"debug\":{\"intent_confidence\":%.4f,"
					  "\"follow_up\":%s,\"hits\":[",
				    r.intent_confidence, r.follow_up ? "true" : "false");
			for (size_t i = 0; i < r.n_candidates; i++)
				td_buf_addf(&out, "%s{\"norm\":%.4f,\"query_cover\":%.4f,"
						  "\"title_cover\":%.4f}",
					    i ? "," : "", r.candidates[i].norm,
					    r.candidates[i].query_cover, r.candidates[i].title_cover);
			td_buf_adds(&out, "]}}");
		}
		if (td_buf_error(&out) == TD_OK)
			printf("%s\n", out.data);
		else
			printf("{\"id\":\"\",\"error\":\"too_big\"}\n");
		td_buf_release(&out);
	} else {
		printf("%s\n", r.text.chat ? r.text.chat : "");
	}
	answer_result_release(&r);
	return 0;
}

/* One --jsonl line (cmd_jsonl_each callback; ctx is the struct ask). */
static int ask_line(void *ctx, char *line, size_t n, size_t lineno)
{
	struct ask *a = ctx;
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	size_t i = 0;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < n && line[i] == '{') {
		json_error_t je;
		json_t *o = json_loadb(line, n, 0, &je);
		if (!o || !json_is_object(o)) {
			printf("{\"id\":\"line-%zu\",\"error\":\"bad_json\"}\n", lineno);
			json_decref(o);
			return 1;
		}
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *q = json_string_value(json_object_get(o, "question"));
		const char *sess = json_string_value(json_object_get(o, "session"));
		char idbuf[32];
		if (!id) {
			snprintf(idbuf, sizeof idbuf, "line-%zu", lineno);
			id = idbuf;
		}
		int rc = ask_one(a, id, q ? q : "", q ? strlen(q) : 0, session_dialog(a, sess),
				 true);
		json_decref(o);
		return rc;
	}
	char idbuf[32];
	snprintf(idbuf, sizeof idbuf, "line-%zu", lineno);
	return ask_one(a, idbuf, line, n, NULL, true);
}

int cmd_ask(int argc, char **argv, struct td_config *cfg)
{
	struct ask a = {0};
	bool jsonl = false;
	const char *resources = NULL;
	struct td_buf q;
	int rc = 2;
	td_buf_init(&q, LINE_MAX_BYTES);
	a.channel = ANSWER_CHANNEL_CHAT;
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
			fputs(ask_usage, stdout);
			rc = 0;
			goto out;
		} else if (strcmp(o, "--json") == 0) {
			a.json = true;
		} else if (strcmp(o, "--jsonl") == 0) {
			jsonl = true;
		} else if (strcmp(o, "--debug") == 0) {
			a.debug = true;
		} else if (strcmp(o, "--voice") == 0) {
			a.channel = ANSWER_CHANNEL_VOICE;
		} else if (strcmp(o, "--resources") == 0 && i + 1 < argc) {
			resources = argv[++i];
		} else if (o[0] == '-' && o[1] == '-') {
			fprintf(stderr, "tongdai ask: unknown option '%s'\n%s", o, ask_usage);
			goto out;
		} else {
			if (q.len)
				td_buf_addc(&q, ' ');
			td_buf_adds(&q, o);
		}
	}
	if (!jsonl && q.len == 0) {
		fprintf(stderr, "tongdai ask: no question (or use --jsonl)\n%s", ask_usage);
		goto out;
	}
	char err[512] = "";
	td_err e = answer_bundle_open(&a.b, td_config_get(cfg, "data_dir"), resources, err,
				      sizeof err);
	if (e != TD_OK) {
		fprintf(stderr, "tongdai ask: %s\n", err[0] ? err : td_strerror(e));
		rc = 1;
		goto out;
	}
	report_open(&a, td_config_get(cfg, "data_dir"), resources);
	if (jsonl)
		rc = cmd_jsonl_each(ask_line, &a, LINE_MAX_BYTES);
	else
		rc = ask_one(&a, "", q.data, q.len, NULL, a.json);
	report_close(&a);
	answer_bundle_close(&a.b);
out:
	for (size_t i = 0; i < a.nsessions; i++) {
		td_free(a.sessions[i].name);
		td_free(a.sessions[i].d);
	}
	td_free(a.sessions);
	td_buf_release(&q);
	return rc;
}
