/*
 * cmd_pakn_cases.c - `tongdai pakn submit|show|list|status|apikey`: PAKN
 * cases from the command line (see cmd_pakn_cases.h).
 *
 * Thin: options in, the same library calls as the HTTP API, text or JSON
 * out.  `submit` runs the whole intake pipeline (including the group-commit
 * writer) so a case recorded by an operator at the console is numbered,
 * routed and checked for duplicates exactly like one from the web.  Staff
 * views show the contact masked unless --reveal-contact is given.
 */
#include "cmd/cmd_pakn_cases.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "cmd/cmd.h"
#include "http/pakn_view.h"
#include "pakn/intake.h"
#include "store/store.h"
#include "store/store_case.h"
#include "base/banned.h"

#define STDIN_MAX ((size_t)64 << 10)

static void print_json(json_t *o)
{
	char *s = json_dumps(o, JSON_INDENT(2));
	if (s)
		printf("%s\n", s);
	free(s); /* jansson allocates with malloc */
	json_decref(o);
}

static json_t *jstr(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* ---- submit --------------------------------------------------------------- */

static const char submit_usage[] =
	"usage: tongdai pakn submit [--data-dir D] [--channel phone|chat|app|web]\n"
	"                           [--name N] [--phone P] [--email E] [--address A]\n"
	"                           [--location PLACE] [--category SLUG] [--json] TEXT|-\n\n"
	"Record a report (phản ánh, kiến nghị): classify, find the ward, route, check for\n"
	"duplicates and store it durably; prints the case number.  '-' reads the text from\n"
	"standard input.  --address is the sender's address (contact); --location is\n"
	"where the problem is.\n";

static char *read_stdin(void)
{
	struct td_buf b;
	td_buf_init(&b, STDIN_MAX);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
		td_buf_add(&b, chunk, n);
	if (td_buf_error(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	char *s = td_buf_detach(&b, &n);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

int cmd_pakn_submit(int argc, char **argv, struct td_config *cfg)
{
	struct pakn_submission sub;
	memset(&sub, 0, sizeof sub);
	bool json = false;
	const char *text = NULL, *channel = "phone", *category = NULL, *location = NULL;
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(submit_usage, stdout);
			return 0;
		}
		if (strcmp(a, "--json") == 0) {
			json = true;
			i++;
			continue;
		}
		struct {
			const char *opt;
			char *dst;
			size_t cap;
			const char **ptr;
		} opts[] = {
			{"--name", sub.contact.name, sizeof sub.contact.name, NULL},
			{"--phone", sub.contact.phone, sizeof sub.contact.phone, NULL},
			{"--email", sub.contact.email, sizeof sub.contact.email, NULL},
			{"--address", sub.contact.address, sizeof sub.contact.address, NULL},
			{"--channel", NULL, 0, &channel},
			{"--category", NULL, 0, &category},
			{"--location", NULL, 0, &location},
		};
		bool matched = false;
		for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
			if (strcmp(a, opts[k].opt) != 0)
				continue;
			if (i + 1 >= argc) {
				fprintf(stderr, "tongdai pakn submit: %s needs a value\n", a);
				return 2;
			}
			if (opts[k].dst) {
				if (strlen(argv[i + 1]) >= opts[k].cap) {
					fprintf(stderr, "tongdai pakn submit: %s is too long\n", a);
					return 2;
				}
				snprintf(opts[k].dst, opts[k].cap, "%s", argv[i + 1]);
			} else {
				*opts[k].ptr = argv[i + 1];
			}
			i += 2;
			matched = true;
			break;
		}
		if (matched)
			continue;
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			return 2;
		if (used > 0) {
			i += used;
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "tongdai pakn submit: unknown option '%s'\n\n%s", a, submit_usage);
			return 2;
		}
		if (text) {
			fprintf(stderr, "tongdai pakn submit: give the text once (quote it)\n");
			return 2;
		}
		text = a;
		i++;
	}
	if (!text) {
		fputs(submit_usage, stderr);
		return 2;
	}
	char *owned = NULL;
	if (strcmp(text, "-") == 0) {
		owned = read_stdin();
		if (!owned) {
			fprintf(stderr, "tongdai pakn submit: standard input is over 64 KiB\n");
			return 1;
		}
		text = owned;
	}
	char err[512] = "";
	struct pakn_intake *in = NULL;
	struct pakn_intake_config pic = {.data_dir = td_config_get(cfg, "data_dir")};
	int rc = 1;
	if (pakn_intake_open(&pic, &in, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai pakn submit: %s\n", err);
		goto out;
	}
	sub.text = text;
	sub.channel = channel;
	sub.service_code = category;
	sub.location = location;
	sub.actor = "cli";
	struct pakn_intake_result r;
	td_err e = pakn_intake_submit(in, &sub, &r, err, sizeof err);
	if (e) {
		fprintf(stderr, "tongdai pakn submit: %s\n", err[0] ? err : td_strerror(e));
		goto out;
	}
	if (json) {
		json_t *o = pakn_view_public(&r.c, pakn_intake_routes(in));
		json_object_set_new(o, "emergency", json_boolean(r.c.emergency));
		json_object_set_new(o, "emergency_numbers", pakn_view_list(r.c.emergency_numbers));
		json_t *m = json_array();
		for (size_t i = 0; i < r.n_missing; i++)
			json_array_append_new(m, json_string(r.missing[i]));
		json_object_set_new(o, "missing", m);
		json_t *msgs = json_array();
		for (size_t i = 0; i < r.n_messages; i++)
			json_array_append_new(msgs, json_string(r.messages[i]));
		json_object_set_new(o, "messages", msgs);
		print_json(o);
	} else {
		printf("Số phản ánh: %s\nTrạng thái: %s\nLĩnh vực: %s\nCơ quan: %s\n",
		       r.display_number, store_case_status_label(r.c.status),
		       r.category_name ? r.category_name : r.c.category,
		       r.agency_name ? r.agency_name : "-");
		for (size_t i = 0; i < r.n_messages; i++)
			printf("%s\n", r.messages[i]);
	}
	pakn_intake_result_release(&r);
	rc = 0;
out:
	pakn_intake_close(in);
	td_free(owned);
	return rc;
}

/* ---- show ----------------------------------------------------------------- */

static int open_store(struct td_config *cfg, struct store **s, const char *who)
{
	char err[512];
	if (store_open(td_config_get(cfg, "data_dir"), s, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai pakn %s: %s\n", who, err);
		return 1;
	}
	return 0;
}

/* Parse the common flags and one positional; -1 continue, else exit code. */
static int simple_args(int argc, char **argv, struct td_config *cfg, const char *usage,
		       const char **flags_bool[], const char *const *bool_names,
		       const char **pos, size_t npos_max, size_t *npos, const char *who)
{
	*npos = 0;
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		}
		bool matched = false;
		for (size_t k = 0; bool_names && bool_names[k]; k++)
			if (strcmp(a, bool_names[k]) == 0) {
				*flags_bool[k] = "1";
				matched = true;
			}
		if (matched) {
			i++;
			continue;
		}
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			return 2;
		if (used > 0) {
			i += used;
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "tongdai pakn %s: unknown option '%s'\n\n%s", who, a, usage);
			return 2;
		}
		if (*npos >= npos_max) {
			fputs(usage, stderr);
			return 2;
		}
		pos[(*npos)++] = a;
		i++;
	}
	return -1;
}

static const char show_usage[] =
	"usage: tongdai pakn show [--data-dir D] [--json] [--reveal-contact] NUMBER\n\n"
	"Staff view of a case: the original text, classification, place, agency, status\n"
	"history and attachments.  The contact is masked unless --reveal-contact.\n";

struct hist_print {
	bool json;
	json_t *a;
};

static int print_event(const struct store_case_event *e, void *ctx)
{
	struct hist_print *h = ctx;
	char at[32];
	pakn_view_time(e->at, at);
	if (h->json)
		json_array_append_new(h->a, json_pack("{s:s, s:s, s:s, s:s}", "at", at, "status",
						      e->status, "note", e->note, "actor",
						      e->actor));
	else
		printf("  %s  %-12s %s%s%s\n", at, e->status[0] ? e->status : "(ghi chú)", e->note,
		       e->actor[0] ? "  — " : "", e->actor);
	return 0;
}

int cmd_pakn_show(int argc, char **argv, struct td_config *cfg)
{
	const char *json = NULL, *reveal = NULL;
	const char **flags[] = {&json, &reveal};
	const char *const names[] = {"--json", "--reveal-contact", NULL};
	const char *pos[1];
	size_t npos;
	int rc = simple_args(argc, argv, cfg, show_usage, flags, names, pos, 1, &npos, "show");
	if (rc >= 0)
		return rc;
	if (npos != 1) {
		fputs(show_usage, stderr);
		return 2;
	}
	char canon[STORE_CASE_NUMBER_MAX + 1];
	if (store_case_number_parse(pos[0], canon) != TD_OK) {
		fprintf(stderr, "tongdai pakn show: '%s' is not a case number (check digit wrong?)\n",
			pos[0]);
		return 1;
	}
	struct store *s;
	if (open_store(cfg, &s, "show"))
		return 1;
	struct store_case c;
	td_err e = store_case_get(s, canon, &c);
	if (e) {
		fprintf(stderr, "tongdai pakn show: %s\n",
			e == TD_ERR_NOTFOUND ? "no such case" : store_errmsg(s));
		store_close(s);
		return 1;
	}
	struct store_case_contact ct, shown;
	bool has_ct = store_case_contact_get(s, c.id, &ct) == TD_OK;
	if (has_ct) {
		if (reveal)
			shown = ct;
		else
			store_case_contact_mask(&ct, &shown);
	}
	char num[STORE_CASE_NUMBER_DISPLAY_MAX], at[32], dup[STORE_CASE_NUMBER_DISPLAY_MAX] = "";
	store_case_number_display(c.number, num, sizeof num);
	pakn_view_time(c.received_at, at);
	if (c.duplicate_number[0])
		store_case_number_display(c.duplicate_number, dup, sizeof dup);
	struct hist_print h = {.json = json != NULL, .a = json_array()};
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "number", json_string(num));
		json_object_set_new(o, "token", json_string(c.token));
		json_object_set_new(o, "channel", json_string(c.channel));
		json_object_set_new(o, "received_at", json_string(at));
		json_object_set_new(o, "text", json_string(c.text));
		json_object_set_new(o, "status", json_string(store_case_status_name(c.status)));
		json_object_set_new(o, "status_reason", jstr(c.status_reason));
		json_object_set_new(o, "category", json_string(c.category));
		json_object_set_new(o, "confidence", json_real(c.confidence));
		json_t *reasons = json_loads(c.reasons ? c.reasons : "[]", 0, NULL);
		json_object_set_new(o, "reasons", reasons ? reasons : json_array());
		json_object_set_new(o, "level", json_string(c.level));
		json_object_set_new(o, "emergency", json_boolean(c.emergency));
		json_object_set_new(o, "ward_codes", pakn_view_list(c.ward_codes));
		json_object_set_new(o, "place_text", jstr(c.place_text));
		json_object_set_new(o, "location", jstr(c.location));
		json_object_set_new(o, "agency", jstr(c.agency));
		json_object_set_new(o, "routing_reason", jstr(c.routing_reason));
		json_object_set_new(o, "missing", pakn_view_list(c.missing));
		json_object_set_new(o, "duplicate_of", jstr(dup));
		json_object_set_new(o, "reporters", json_integer((json_int_t)c.reporters));
		json_object_set_new(o, "contact",
				    has_ct ? json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", shown.name,
						       "phone", shown.phone, "email", shown.email,
						       "address", shown.address, "masked", !reveal)
					   : json_null());
		json_t *att = json_array();
		for (size_t i = 0; i < c.n_attachments; i++)
			json_array_append_new(att, json_pack("{s:s, s:s, s:I}", "url",
							     c.attachments[i].url, "media_type",
							     c.attachments[i].media_type, "size",
							     (json_int_t)c.attachments[i].size));
		json_object_set_new(o, "attachments", att);
		store_case_history(s, c.id, print_event, &h);
		json_object_set_new(o, "history", h.a);
		h.a = NULL;
		print_json(o);
	} else {
		printf("Số phản ánh: %s   (kênh %s, nhận lúc %s)\n", num, c.channel, at);
		printf("Trạng thái: %s%s%s\n", store_case_status_label(c.status),
		       c.status_reason ? " — " : "", c.status_reason ? c.status_reason : "");
		printf("Lĩnh vực: %s (%.2f), mức %s%s\n", c.category, c.confidence, c.level,
		       c.emergency ? ", KHẨN CẤP" : "");
		printf("Địa bàn: %s  %s\n", c.ward_codes[0] ? c.ward_codes : "-",
		       c.place_text ? c.place_text : "");
		printf("Cơ quan: %s\n  %s\n", c.agency[0] ? c.agency : "-",
		       c.routing_reason ? c.routing_reason : "");
		if (dup[0])
			printf("Trùng với: %s\n", dup);
		if (has_ct)
			printf("Người phản ánh: %s | %s | %s | %s%s\n", shown.name, shown.phone,
			       shown.email, shown.address, reveal ? "" : "  (đã che)");
		printf("Nội dung:\n  %s\nLịch sử:\n", c.text);
		store_case_history(s, c.id, print_event, &h);
	}
	json_decref(h.a);
	store_case_release(&c);
	store_close(s);
	return 0;
}

/* ---- list ----------------------------------------------------------------- */

static const char list_usage[] =
	"usage: tongdai pakn list [--data-dir D] [--status S] [--agency A] [--ward CODE]\n"
	"                         [--since YYYY-MM-DD] [--limit N] [--json]\n\n"
	"Cases, newest first, without personal data (the text is the masked copy).\n";

struct list_ctx {
	bool json;
	json_t *a;
};

static int list_one(const struct store_case *c, void *ctx)
{
	struct list_ctx *l = ctx;
	char num[STORE_CASE_NUMBER_DISPLAY_MAX], at[32];
	store_case_number_display(c->number, num, sizeof num);
	pakn_view_time(c->received_at, at);
	if (l->json) {
		json_t *o = json_object();
		json_object_set_new(o, "number", json_string(num));
		json_object_set_new(o, "received_at", json_string(at));
		json_object_set_new(o, "channel", json_string(c->channel));
		json_object_set_new(o, "status", json_string(store_case_status_name(c->status)));
		json_object_set_new(o, "category", json_string(c->category));
		json_object_set_new(o, "level", json_string(c->level));
		json_object_set_new(o, "emergency", json_boolean(c->emergency));
		json_object_set_new(o, "agency", jstr(c->agency));
		json_object_set_new(o, "ward_codes", pakn_view_list(c->ward_codes));
		json_object_set_new(o, "text", jstr(c->public_text));
		char dup[STORE_CASE_NUMBER_DISPLAY_MAX] = "";
		if (c->duplicate_number[0])
			store_case_number_display(c->duplicate_number, dup, sizeof dup);
		json_object_set_new(o, "duplicate_of", jstr(dup));
		json_array_append_new(l->a, o);
	} else {
		printf("%-16s %.19s  %-12s %-20s %-14s %s\n", num, at, store_case_status_name(c->status),
		       c->category, c->agency[0] ? c->agency : "-",
		       c->ward_codes[0] ? c->ward_codes : "-");
	}
	return 0;
}

int cmd_pakn_list(int argc, char **argv, struct td_config *cfg)
{
	struct store_case_filter f = {0};
	bool json = false;
	unsigned long limit = 100;
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(list_usage, stdout);
			return 0;
		}
		if (strcmp(a, "--json") == 0) {
			json = true;
			i++;
			continue;
		}
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--status") == 0 || strcmp(a, "--agency") == 0 ||
		    strcmp(a, "--ward") == 0 || strcmp(a, "--since") == 0 ||
		    strcmp(a, "--limit") == 0) {
			if (!v) {
				fprintf(stderr, "tongdai pakn list: %s needs a value\n", a);
				return 2;
			}
			if (strcmp(a, "--status") == 0) {
				if (strcmp(v, "open") == 0)
					f.open_only = true;
				else if (!store_case_status_parse(v, &f.status)) {
					fprintf(stderr, "tongdai pakn list: unknown status '%s'\n", v);
					return 2;
				} else
					f.has_status = 1;
			} else if (strcmp(a, "--agency") == 0) {
				f.agency = v;
			} else if (strcmp(a, "--ward") == 0) {
				f.ward = v;
			} else if (strcmp(a, "--since") == 0) {
				if (!pakn_view_parse_time(v, &f.since)) {
					fprintf(stderr, "tongdai pakn list: --since wants YYYY-MM-DD\n");
					return 2;
				}
			} else {
				char *end;
				limit = strtoul(v, &end, 10);
				if (*end || limit == 0 || limit > 100000) {
					fprintf(stderr, "tongdai pakn list: --limit 1..100000\n");
					return 2;
				}
			}
			i += 2;
			continue;
		}
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			return 2;
		if (used == 0) {
			fprintf(stderr, "tongdai pakn list: unknown argument '%s'\n\n%s", a, list_usage);
			return 2;
		}
		i += used;
	}
	f.limit = limit;
	struct store *s;
	if (open_store(cfg, &s, "list"))
		return 1;
	struct list_ctx l = {.json = json, .a = json_array()};
	size_t total = 0;
	td_err e = store_case_list(s, &f, list_one, &l, &total);
	if (e) {
		fprintf(stderr, "tongdai pakn list: %s\n", store_errmsg(s));
		json_decref(l.a);
		store_close(s);
		return 1;
	}
	if (json)
		print_json(json_pack("{s:I, s:o}", "total", (json_int_t)total, "cases", l.a));
	else {
		json_decref(l.a);
		printf("(%zu phản ánh)\n", total);
	}
	store_close(s);
	return 0;
}

/* ---- status --------------------------------------------------------------- */

static const char status_usage[] =
	"usage: tongdai pakn status [--data-dir D] [--note TEXT] [--actor NAME] NUMBER STATUS\n\n"
	"Move a case to STATUS (accepted, not_accepted, assigned, in_progress, answered,\n"
	"closed), recording the note and who did it in the history.\n";

int cmd_pakn_status(int argc, char **argv, struct td_config *cfg)
{
	const char *note = NULL, *actor = "cli", *pos[2];
	size_t npos = 0;
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(status_usage, stdout);
			return 0;
		}
		if ((strcmp(a, "--note") == 0 || strcmp(a, "--actor") == 0) && i + 1 < argc) {
			*(strcmp(a, "--note") == 0 ? &note : &actor) = argv[i + 1];
			i += 2;
			continue;
		}
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			return 2;
		if (used > 0) {
			i += used;
			continue;
		}
		if (a[0] == '-' || npos >= 2) {
			fputs(status_usage, stderr);
			return 2;
		}
		pos[npos++] = a;
		i++;
	}
	enum store_case_status to;
	char canon[STORE_CASE_NUMBER_MAX + 1];
	if (npos != 2 || !store_case_status_parse(pos[1], &to)) {
		fputs(status_usage, stderr);
		return 2;
	}
	if (store_case_number_parse(pos[0], canon) != TD_OK) {
		fprintf(stderr, "tongdai pakn status: '%s' is not a case number\n", pos[0]);
		return 1;
	}
	struct store *s;
	if (open_store(cfg, &s, "status"))
		return 1;
	td_err e = store_case_status_set(s, canon, to, note, actor, (int64_t)time(NULL));
	if (e)
		fprintf(stderr, "tongdai pakn status: %s\n",
			e == TD_ERR_NOTFOUND ? "no such case"
			: e == TD_ERR_INVAL  ? "that status change is not allowed"
					     : store_errmsg(s));
	store_close(s);
	return e ? 1 : 0;
}

/* ---- apikey --------------------------------------------------------------- */

static const char apikey_usage[] =
	"usage: tongdai pakn apikey [--data-dir D] add NAME | revoke NAME\n\n"
	"Open311 API keys: 'add' prints a new key for client NAME once (only its hash is\n"
	"stored); 'revoke' disables every key of NAME.\n";

int cmd_pakn_apikey(int argc, char **argv, struct td_config *cfg)
{
	const char *pos[2];
	size_t npos;
	int rc = simple_args(argc, argv, cfg, apikey_usage, NULL, NULL, pos, 2, &npos, "apikey");
	if (rc >= 0)
		return rc;
	if (npos != 2 || (strcmp(pos[0], "add") != 0 && strcmp(pos[0], "revoke") != 0)) {
		fputs(apikey_usage, stderr);
		return 2;
	}
	struct store *s;
	if (open_store(cfg, &s, "apikey"))
		return 1;
	td_err e;
	if (strcmp(pos[0], "add") == 0) {
		char key[64];
		e = store_case_apikey_add(s, pos[1], (int64_t)time(NULL), key, sizeof key);
		if (!e)
			printf("%s\n", key);
	} else {
		size_t n = 0;
		e = store_case_apikey_revoke(s, pos[1], (int64_t)time(NULL), &n);
		if (!e)
			printf("%zu key(s) revoked\n", n);
	}
	if (e)
		fprintf(stderr, "tongdai pakn apikey: %s\n",
			e == TD_ERR_INVAL ? "bad name" : store_errmsg(s));
	store_close(s);
	return e ? 1 : 0;
}
