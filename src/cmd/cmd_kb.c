/*
 * cmd_kb.c - `tongdai kb ...`: the knowledge-base commands.
 *
 * Thin: argument parsing and printing.  Loading and checking files is
 * kb_json.c, storing is store.c.  Messages for the people who own the
 * records are Vietnamese; --json output is the stable contract for scripts.
 */
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/config.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "kb/kb.h"
#include "kb/kb_json.h"
#include "store/store.h"
#include "store/store_chat.h"

struct kb_opts {
	bool json;
	enum kb_format format;
	const char *by;
	const char *as_of;
	const char *field;
	const char *level;
	const char *owner;
	const char *out;
	const char *since; /* gaps: YYYY-MM-DD */
	int limit;         /* gaps: at most N items; 0: all */
	int version;
	int stale_days; /* list: only records verified more than N days ago; -1 off */
	int quiet;
	char **add, **remove; /* alias: values to add / remove */
	int nadd, nremove;
	char **args; /* positional arguments (files or a code) */
	int nargs;
};

static const char *const kb_usage =
	"usage: tongdai kb COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  import [--format tongdai|national] [--json] [--by NAME] [--as-of DATE] FILE...\n"
	"         import procedures; a changed record gets a new version, its history is kept\n"
	"  show [--json] [--version N] CODE       one procedure (all fields)\n"
	"  list [--field F] [--level L] [--owner O] [--stale DAYS] [--json]\n"
	"                                          procedures, filtered (accent-insensitive);\n"
	"                                          --stale: not verified in the last DAYS days\n"
	"  validate [--format tongdai|national] [--json] FILE...\n"
	"                                          check files without touching the store\n"
	"  export [--format tongdai] [--field F] [--level L] [--owner O] [--out FILE]\n"
	"                                          write the knowledge base in tongdai's format\n"
	"  history [--json] CODE                   versions of a procedure: who, when, what\n"
	"  stats [--field F] [--level L] [--owner O] [--json]\n"
	"                                          completeness of the parsed records, staleness,\n"
	"                                          owners\n"
	"  alias CODE [--add NAME]... [--remove NAME]... [--by NAME]\n"
	"                                          edit the everyday names of a procedure\n"
	"  gaps [--since YYYY-MM-DD] [--field F] [--limit N] [--json]\n"
	"                                          citizens' questions the knowledge base could\n"
	"                                          not answer (no match, or a clarification\n"
	"                                          never resolved), newest first; masked text\n"
	"\n"
	"common options:\n"
	"  --data-dir DIR   where the database lives (default ./var, or TONGDAI_DATA_DIR)\n"
	"  --help           this text\n"
	"\n"
	"The tongdai format is described in docs/kb-format.md.  Exit codes: 0 success,\n"
	"1 the operation failed or some record was rejected, 2 usage error.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "tongdai kb: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nRun 'tongdai kb --help' for usage.\n");
	va_end(ap);
	return 2;
}

/* Parse options after the kb subcommand name; returns -1 for --help, 2 on
 * error, 0 on success. */
static int parse_opts(int argc, char **argv, struct td_config *cfg, struct kb_opts *o)
{
	o->format = KB_FORMAT_TONGDAI;
	o->stale_days = -1;
	o->args = td_calloc((size_t)argc + 1, sizeof *o->args);
	o->add = td_calloc((size_t)argc + 1, sizeof *o->add);
	o->remove = td_calloc((size_t)argc + 1, sizeof *o->remove);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			return 2;
		if (used > 0) {
			i += used - 1;
			continue;
		}
		bool has_val = i + 1 < argc;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return -1;
		else if (strcmp(a, "--json") == 0)
			o->json = true;
		else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
			o->quiet = 1;
		else if (strcmp(a, "--format") == 0 && has_val) {
			const char *f = argv[++i];
			if (strcmp(f, "tongdai") == 0)
				o->format = KB_FORMAT_TONGDAI;
			else if (strcmp(f, "national") == 0)
				o->format = KB_FORMAT_NATIONAL;
			else
				return usage_error("unknown format '%s' (tongdai or national)", f);
		} else if (strcmp(a, "--by") == 0 && has_val)
			o->by = argv[++i];
		else if (strcmp(a, "--as-of") == 0 && has_val)
			o->as_of = argv[++i];
		else if (strcmp(a, "--field") == 0 && has_val)
			o->field = argv[++i];
		else if (strcmp(a, "--level") == 0 && has_val)
			o->level = argv[++i];
		else if (strcmp(a, "--owner") == 0 && has_val)
			o->owner = argv[++i];
		else if ((strcmp(a, "--out") == 0 || strcmp(a, "-o") == 0) && has_val)
			o->out = argv[++i];
		else if (strcmp(a, "--version") == 0 && has_val)
			o->version = atoi(argv[++i]);
		else if (strcmp(a, "--since") == 0 && has_val)
			o->since = argv[++i];
		else if (strcmp(a, "--limit") == 0 && has_val)
			o->limit = atoi(argv[++i]);
		else if (strcmp(a, "--stale") == 0 && has_val)
			o->stale_days = atoi(argv[++i]);
		else if (strcmp(a, "--add") == 0 && has_val)
			o->add[o->nadd++] = argv[++i];
		else if (strcmp(a, "--remove") == 0 && has_val)
			o->remove[o->nremove++] = argv[++i];
		else if (a[0] == '-' && a[1])
			return usage_error(has_val || strncmp(a, "--", 2) != 0
						   ? "unknown option '%s'"
						   : "option '%s' needs a value",
					   a);
		else
			o->args[o->nargs++] = argv[i];
	}
	return 0;
}

static struct store *open_store(struct td_config *cfg)
{
	struct store *s;
	char err[512];
	const char *dir = td_config_get(cfg, "data_dir");
	if (store_open(dir, &s, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai kb: cannot open the store in '%s': %s\n", dir, err);
		return NULL;
	}
	return s;
}

static void print_problems(const struct kb_problems *ps, const char *file, bool warnings)
{
	for (size_t i = 0; i < ps->n; i++) {
		const struct kb_problem *p = &ps->items[i];
		if (p->severity == KB_SEV_WARNING && !warnings)
			continue;
		fprintf(stderr, "%s", file);
		if (p->line)
			fprintf(stderr, ":%ld", p->line);
		fprintf(stderr, ": %s", p->severity == KB_SEV_ERROR ? "lỗi" : "cảnh báo");
		if (p->code[0])
			fprintf(stderr, " [%s]", p->code);
		if (p->path[0])
			fprintf(stderr, " %s", p->path);
		fprintf(stderr, ": %s\n", p->message);
	}
}

static json_t *problems_json(const struct kb_problems *ps, const char *file)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ps->n; i++) {
		const struct kb_problem *p = &ps->items[i];
		json_t *o = json_object();
		json_object_set_new(o, "file", json_string(file));
		json_object_set_new(o, "line", p->line ? json_integer(p->line) : json_null());
		json_object_set_new(o, "code", p->code[0] ? json_string(p->code) : json_null());
		json_object_set_new(o, "field", json_string(p->path));
		json_object_set_new(o, "severity",
				    json_string(p->severity == KB_SEV_ERROR ? "error" : "warning"));
		json_object_set_new(o, "kind", json_string(p->kind));
		json_object_set_new(o, "message", json_string(p->message));
		json_array_append_new(a, o);
	}
	return a;
}

static void print_json(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
}

/* ---- import ------------------------------------------------------------ */

struct import_ctx {
	struct store *store;
	const char *by;
	char as_of[16];
	size_t inserted, updated, unchanged, failed;
	td_err err;
};

static int import_one(struct kb_procedure *p, void *arg)
{
	struct import_ctx *ic = arg;
	if (!p->as_of)
		p->as_of = td_strdup(ic->as_of);
	enum store_put_result res;
	td_err rc = store_procedure_put(ic->store, p, ic->by, &res);
	if (rc) {
		fprintf(stderr, "tongdai kb: cannot store %s: %s (%s)\n", p->code, td_strerror(rc),
			store_errmsg(ic->store));
		ic->failed++;
		ic->err = rc;
		kb_procedure_free(p);
		return rc == TD_ERR_DB; /* a database error stops the file */
	}
	if (res == STORE_PUT_INSERTED)
		ic->inserted++;
	else if (res == STORE_PUT_UPDATED)
		ic->updated++;
	else
		ic->unchanged++;
	kb_procedure_free(p);
	return 0;
}

static const char *default_user(void)
{
	const char *u = getenv("USER");
	if (u && *u)
		return u;
	struct passwd *pw = getpwuid(getuid());
	return pw ? pw->pw_name : "unknown";
}

static int kb_import(struct td_config *cfg, struct kb_opts *o)
{
	if (o->nargs == 0)
		return usage_error("import needs at least one FILE");
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct import_ctx ic = {.store = s, .by = o->by ? o->by : default_user()};
	if (o->as_of) {
		snprintf(ic.as_of, sizeof ic.as_of, "%s", o->as_of);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(ic.as_of, sizeof ic.as_of, "%Y-%m-%d", &tm);
	}
	size_t rejected = 0, warnings = 0;
	int rc = 0;
	json_t *all_problems = json_array();
	for (int i = 0; i < o->nargs; i++) {
		struct kb_problems ps;
		kb_problems_init(&ps);
		/* One transaction per file: all good records of a file land
		 * together, and a crash leaves the previous state intact. */
		if (store_begin(s) != TD_OK) {
			fprintf(stderr, "tongdai kb: %s\n", store_errmsg(s));
			rc = 1;
			kb_problems_release(&ps);
			break;
		}
		td_err lrc = kb_file_load(o->args[i], o->format, import_one, &ic, &ps);
		if (lrc == TD_ERR_INTERNAL || ic.err == TD_ERR_DB) {
			store_rollback(s);
			fprintf(stderr, "tongdai kb: %s: nothing imported from this file\n", o->args[i]);
			ic.inserted = ic.updated = ic.unchanged = 0;
			rc = 1;
		} else if (store_commit(s) != TD_OK) {
			fprintf(stderr, "tongdai kb: commit failed: %s\n", store_errmsg(s));
			rc = 1;
		}
		if (lrc && lrc != TD_ERR_INTERNAL)
			rc = 1;
		for (size_t k = 0; k < ps.n; k++)
			if (ps.items[k].severity == KB_SEV_WARNING)
				warnings++;
		rejected += ps.rejected;
		if (!o->quiet && !o->json)
			print_problems(&ps, o->args[i], false);
		if (o->json) {
			json_t *pj = problems_json(&ps, o->args[i]);
			json_array_extend(all_problems, pj);
			json_decref(pj);
		}
		kb_problems_release(&ps);
	}
	if (rejected || ic.failed)
		rc = 1;
	if (o->json) {
		json_t *out = json_object();
		json_object_set_new(out, "imported", json_integer((json_int_t)ic.inserted));
		json_object_set_new(out, "updated", json_integer((json_int_t)ic.updated));
		json_object_set_new(out, "unchanged", json_integer((json_int_t)ic.unchanged));
		json_object_set_new(out, "rejected", json_integer((json_int_t)(rejected + ic.failed)));
		json_object_set_new(out, "warnings", json_integer((json_int_t)warnings));
		json_object_set_new(out, "problems", all_problems);
		print_json(out);
		json_decref(out);
	} else {
		json_decref(all_problems);
		printf("Đã nhập: %zu mới, %zu cập nhật, %zu không đổi, %zu bị từ chối, %zu cảnh báo.\n",
		       ic.inserted, ic.updated, ic.unchanged, rejected + ic.failed, warnings);
	}
	td_log(TD_LOG_INFO, "kb.import", "by", ic.by, NULL);
	store_close(s);
	return rc;
}

/* ---- validate ---------------------------------------------------------- */

static int count_record(struct kb_procedure *p, void *arg)
{
	(*(size_t *)arg)++;
	kb_procedure_free(p);
	return 0;
}

static int kb_validate(struct kb_opts *o)
{
	if (o->nargs == 0)
		return usage_error("validate needs at least one FILE");
	int rc = 0;
	json_t *files = json_array();
	for (int i = 0; i < o->nargs; i++) {
		struct kb_problems ps;
		kb_problems_init(&ps);
		size_t good = 0;
		kb_file_load(o->args[i], o->format, count_record, &good, &ps);
		if (ps.errors)
			rc = 1;
		if (o->json) {
			json_t *f = json_object();
			json_object_set_new(f, "file", json_string(o->args[i]));
			json_object_set_new(f, "valid_records", json_integer((json_int_t)good));
			json_object_set_new(f, "errors", json_integer((json_int_t)ps.errors));
			json_object_set_new(f, "warnings", json_integer((json_int_t)(ps.n - ps.errors)));
			json_object_set_new(f, "problems", problems_json(&ps, o->args[i]));
			json_array_append_new(files, f);
		} else {
			print_problems(&ps, o->args[i], true);
			printf("%s: %zu thủ tục hợp lệ, %zu lỗi, %zu cảnh báo\n", o->args[i], good,
			       ps.errors, ps.n - ps.errors);
		}
		kb_problems_release(&ps);
	}
	if (o->json) {
		json_t *out = json_object();
		json_object_set_new(out, "valid", json_boolean(rc == 0));
		json_object_set_new(out, "files", files);
		print_json(out);
		json_decref(out);
	} else {
		json_decref(files);
	}
	return rc;
}

/* ---- show -------------------------------------------------------------- */

static void print_text(const char *label, const char *v)
{
	if (v && *v)
		printf("%s: %s\n", label, v);
}

static void show_human(const struct kb_procedure *p)
{
	printf("%s — %s\n", p->code, p->name);
	print_text("Lĩnh vực", p->field);
	if (p->levels.n) {
		printf("Cấp thực hiện:");
		for (size_t i = 0; i < p->levels.n; i++)
			printf("%s %s", i ? "," : "", p->levels.items[i]);
		printf("\n");
	}
	print_text("Cơ quan thực hiện", p->agency);
	print_text("Nơi nộp", p->submit_place);
	static const char *chname[] = {"Trực tiếp", "Trực tuyến", "Dịch vụ bưu chính"};
	for (size_t i = 0; i < p->n_channels; i++) {
		const struct kb_channel *c = &p->channels[i];
		printf("- %s: thời hạn %s; phí, lệ phí: %s\n", chname[c->kind],
		       c->duration.text && *c->duration.text ? c->duration.text : "không có thông tin",
		       c->fee.text && *c->fee.text ? c->fee.text : (c->fee.free ? "miễn phí" : "không có thông tin"));
	}
	if (p->n_dossier) {
		printf("Thành phần hồ sơ:\n");
		for (size_t i = 0; i < p->n_dossier; i++) {
			const struct kb_dossier_item *d = &p->dossier[i];
			printf("  %zu. %s", i + 1, d->name ? d->name : "");
			if (d->originals > 0 || d->copies > 0)
				printf(" (%d bản chính, %d bản sao)", d->originals > 0 ? d->originals : 0,
				       d->copies > 0 ? d->copies : 0);
			printf("\n");
		}
	}
	if (p->n_legal) {
		printf("Căn cứ pháp lý:\n");
		for (size_t i = 0; i < p->n_legal; i++)
			printf("  - %s%s%s\n", p->legal[i].number ? p->legal[i].number : "",
			       p->legal[i].number && p->legal[i].title ? " — " : "",
			       p->legal[i].title ? p->legal[i].title : "");
	}
	print_text("Nguồn", p->source_url);
	print_text("Cập nhật đến ngày", p->as_of);
	if (p->sample)
		printf("(Dữ liệu mẫu, không phải văn bản công bố chính thức)\n");
	for (size_t i = 0; i < p->notes.n; i++)
		printf("Lưu ý: %s\n", p->notes.items[i]);
	printf("Phiên bản %d, cập nhật %s bởi %s\n", p->version, p->updated_at ? p->updated_at : "?",
	       p->updated_by ? p->updated_by : "?");
}

static int kb_show(struct td_config *cfg, struct kb_opts *o)
{
	if (o->nargs != 1)
		return usage_error("show needs exactly one CODE");
	const char *code = o->args[0];
	if (!kb_code_valid(code)) {
		fprintf(stderr, "tongdai kb: '%s' is not a procedure code (e.g. 1.001612)\n", code);
		return 2;
	}
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct kb_procedure *p;
	td_err rc = o->version ? store_procedure_get_version(s, code, o->version, &p)
			       : store_procedure_get(s, code, &p);
	int ret = 0;
	if (rc == TD_ERR_NOTFOUND) {
		fprintf(stderr, "tongdai kb: không có thủ tục mã %s%s\n", code,
			o->version ? " ở phiên bản này" : "");
		ret = 1;
	} else if (rc) {
		fprintf(stderr, "tongdai kb: cannot read %s: %s (%s)\n", code, td_strerror(rc),
			store_errmsg(s));
		ret = 1;
	} else {
		if (o->json) {
			json_t *j = kb_procedure_to_json(p, KB_JSON_META | KB_JSON_RAW);
			print_json(j);
			json_decref(j);
		} else {
			show_human(p);
		}
		kb_procedure_free(p);
	}
	store_close(s);
	return ret;
}

/* ---- list / export ----------------------------------------------------- */

struct list_out {
	json_t *arr;
	bool json;
	bool full;
	size_t n;
	char stale_before[16]; /* "" or YYYY-MM-DD: keep as_of < this */
};

static int list_one(const struct kb_procedure *p, void *arg)
{
	struct list_out *lo = arg;
	/* ISO dates compare as strings; a record with no date is stale. */
	if (lo->stale_before[0] && p->as_of && strcmp(p->as_of, lo->stale_before) >= 0)
		return 0;
	lo->n++;
	if (lo->full) {
		json_array_append_new(lo->arr, kb_procedure_to_json(p, KB_JSON_CONTENT | KB_JSON_RAW));
	} else if (lo->json) {
		json_t *o = json_object();
		json_object_set_new(o, "code", json_string(p->code));
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "field", p->field ? json_string(p->field) : json_null());
		json_t *lv = json_array();
		for (size_t i = 0; i < p->levels.n; i++)
			json_array_append_new(lv, json_string(p->levels.items[i]));
		json_object_set_new(o, "levels", lv);
		json_object_set_new(o, "agency", p->agency ? json_string(p->agency) : json_null());
		json_object_set_new(o, "owner", p->owner ? json_string(p->owner) : json_null());
		json_object_set_new(o, "as_of", p->as_of ? json_string(p->as_of) : json_null());
		json_object_set_new(o, "version", json_integer(p->version));
		json_array_append_new(lo->arr, o);
	} else {
		printf("%-10s %s\n", p->code, p->name);
	}
	return 0;
}

/* JSON Lines: one procedure per line, for files too big to parse whole. */
static int write_jsonl(const char *path, json_t *arr)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "tongdai kb: cannot write %s\n", path);
		return 1;
	}
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it) {
		json_dumpf(it, f, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "tongdai kb: cannot write %s\n", path);
		return 1;
	}
	return 0;
}

static int kb_list(struct td_config *cfg, struct kb_opts *o, bool export)
{
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct store_filter f = {.field = o->field, .level = o->level, .owner = o->owner};
	struct list_out lo = {.arr = json_array(), .json = o->json, .full = export};
	if (o->stale_days >= 0) {
		time_t cut = time(NULL) - (time_t)o->stale_days * 86400;
		struct tm tm;
		localtime_r(&cut, &tm);
		strftime(lo.stale_before, sizeof lo.stale_before, "%Y-%m-%d", &tm);
	}
	int ret = 0;
	td_err rc = store_procedure_list(s, &f, list_one, &lo);
	if (rc) {
		fprintf(stderr, "tongdai kb: cannot list: %s (%s)\n", td_strerror(rc), store_errmsg(s));
		ret = 1;
	} else if (export && o->out && strlen(o->out) > 6 &&
		   strcmp(o->out + strlen(o->out) - 6, ".jsonl") == 0) {
		ret = write_jsonl(o->out, lo.arr);
	} else if (export) {
		json_t *bundle = json_object();
		json_object_set_new(bundle, "format", json_string("tongdai-kb"));
		json_object_set_new(bundle, "version", json_integer(1));
		json_object_set_new(bundle, "procedures", json_incref(lo.arr));
		FILE *f_out = o->out ? fopen(o->out, "w") : stdout;
		if (!f_out) {
			fprintf(stderr, "tongdai kb: cannot write %s\n", o->out);
			ret = 1;
		} else {
			json_dumpf(bundle, f_out, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
			fputc('\n', f_out);
			if (o->out && fclose(f_out) != 0) {
				fprintf(stderr, "tongdai kb: cannot write %s\n", o->out);
				ret = 1;
			}
		}
		json_decref(bundle);
	} else if (o->json) {
		print_json(lo.arr);
	} else {
		printf("(%zu thủ tục)\n", lo.n);
	}
	json_decref(lo.arr);
	store_close(s);
	return ret;
}

/* ---- history ----------------------------------------------------------- */

static int kb_history(struct td_config *cfg, struct kb_opts *o)
{
	if (o->nargs != 1)
		return usage_error("history needs exactly one CODE");
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct kb_history_entry *h;
	size_t n;
	int ret = 0;
	td_err rc = store_procedure_history(s, o->args[0], &h, &n);
	if (rc == TD_ERR_NOTFOUND) {
		fprintf(stderr, "tongdai kb: không có thủ tục mã %s\n", o->args[0]);
		ret = 1;
	} else if (rc) {
		fprintf(stderr, "tongdai kb: %s (%s)\n", td_strerror(rc), store_errmsg(s));
		ret = 1;
	} else {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			if (o->json) {
				json_t *e = json_object();
				json_object_set_new(e, "version", json_integer(h[i].version));
				json_object_set_new(e, "changed_at", json_string(h[i].changed_at));
				json_object_set_new(e, "changed_by", json_string(h[i].changed_by));
				json_object_set_new(e, "changed", json_string(h[i].summary));
				json_array_append_new(arr, e);
			} else {
				printf("v%-3d %s  %-16s %s\n", h[i].version, h[i].changed_at,
				       h[i].changed_by, h[i].summary);
			}
		}
		if (o->json)
			print_json(arr);
		json_decref(arr);
		store_history_free(h, n);
	}
	store_close(s);
	return ret;
}

/* ---- stats ------------------------------------------------------------- */

/* Importer warning tags that mean a part is not usable as structured data
 * (kb_national.h); every other tag is a value worth a human look. */
static const char *const unusable_tags[] = {
	"channels.none", "channels.garbled", "duration.no_unit", "duration.unparsed",
	"fee.unparsed", "dossier.no_table", "dossier.leftover", "legal.no_number",
	"legal.leftover",
};
#define NUNUSABLE (sizeof unusable_tags / sizeof unusable_tags[0])

struct kb_stats {
	size_t records, sample, with_warnings, complete[3], no_legal, no_channels;
	size_t stale_365, tag_count[NUNUSABLE];
	char year_ago[16];
	json_t *owners; /* owner -> count */
};

/* The part a tag concerns: 0 channels, 1 dossier, 2 legal basis. */
static int tag_part(const char *tag)
{
	return strncmp(tag, "dossier", 7) == 0 ? 1 : strncmp(tag, "legal", 5) == 0 ? 2 : 0;
}

static int stats_one(const struct kb_procedure *p, void *arg)
{
	struct kb_stats *st = arg;
	bool broken[3] = {false, false, false};
	st->records++;
	st->sample += p->sample;
	st->with_warnings += p->warnings.n > 0;
	st->no_legal += p->n_legal == 0;
	st->no_channels += p->n_channels == 0;
	if (!p->as_of || strcmp(p->as_of, st->year_ago) < 0)
		st->stale_365++;
	for (size_t i = 0; i < p->warnings.n; i++) {
		const char *w = p->warnings.items[i];
		for (size_t k = 0; k < NUNUSABLE; k++) {
			size_t n = strlen(unusable_tags[k]);
			if (w[0] == '[' && strncmp(w + 1, unusable_tags[k], n) == 0 && w[1 + n] == ']') {
				st->tag_count[k]++;
				broken[tag_part(unusable_tags[k])] = true;
			}
		}
	}
	for (int k = 0; k < 3; k++)
		st->complete[k] += !broken[k];
	const char *owner = p->owner ? p->owner : "(chưa có)";
	json_t *c = json_object_get(st->owners, owner);
	json_object_set_new(st->owners, owner, json_integer(c ? json_integer_value(c) + 1 : 1));
	return 0;
}

static int kb_stats(struct td_config *cfg, struct kb_opts *o)
{
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct kb_stats st = {.owners = json_object()};
	time_t cut = time(NULL) - 365 * 86400;
	struct tm tm;
	localtime_r(&cut, &tm);
	strftime(st.year_ago, sizeof st.year_ago, "%Y-%m-%d", &tm);
	struct store_filter f = {.field = o->field, .level = o->level, .owner = o->owner};
	td_err rc = store_procedure_list(s, &f, stats_one, &st);
	int ret = 0;
	if (rc) {
		fprintf(stderr, "tongdai kb: cannot list: %s (%s)\n", td_strerror(rc), store_errmsg(s));
		ret = 1;
	} else if (o->json) {
		json_t *out = json_object(), *tags = json_object();
		json_object_set_new(out, "records", json_integer((json_int_t)st.records));
		json_object_set_new(out, "sample", json_integer((json_int_t)st.sample));
		json_object_set_new(out, "with_warnings", json_integer((json_int_t)st.with_warnings));
		json_object_set_new(out, "channels_complete", json_integer((json_int_t)st.complete[0]));
		json_object_set_new(out, "dossier_complete", json_integer((json_int_t)st.complete[1]));
		json_object_set_new(out, "legal_complete", json_integer((json_int_t)st.complete[2]));
		json_object_set_new(out, "without_legal_basis", json_integer((json_int_t)st.no_legal));
		json_object_set_new(out, "without_channels", json_integer((json_int_t)st.no_channels));
		json_object_set_new(out, "not_verified_for_a_year", json_integer((json_int_t)st.stale_365));
		for (size_t k = 0; k < NUNUSABLE; k++)
			json_object_set_new(tags, unusable_tags[k], json_integer((json_int_t)st.tag_count[k]));
		json_object_set_new(out, "unusable_parts", tags);
		json_object_set_new(out, "owners", json_incref(st.owners));
		print_json(out);
		json_decref(out);
	} else {
		double n = st.records ? (double)st.records : 1;
		printf("Thủ tục: %zu (dữ liệu mẫu: %zu, có cảnh báo khi nhập: %zu)\n", st.records,
		       st.sample, st.with_warnings);
		printf("Đọc trọn vẹn: cách thức nộp %zu (%.1f%%), hồ sơ %zu (%.1f%%), căn cứ pháp lý %zu (%.1f%%)\n",
		       st.complete[0], 100 * st.complete[0] / n, st.complete[1], 100 * st.complete[1] / n,
		       st.complete[2], 100 * st.complete[2] / n);
		printf("Chưa có căn cứ pháp lý: %zu; chưa có cách thức nộp: %zu; quá một năm chưa xác minh: %zu\n",
		       st.no_legal, st.no_channels, st.stale_365);
		for (size_t k = 0; k < NUNUSABLE; k++)
			if (st.tag_count[k])
				printf("  [%s] %zu\n", unusable_tags[k], st.tag_count[k]);
		const char *key;
		json_t *v;
		json_object_foreach(st.owners, key, v)
			printf("  Đơn vị %s: %lld thủ tục\n", key, (long long)json_integer_value(v));
	}
	json_decref(st.owners);
	store_close(s);
	return ret;
}

/* ---- alias ------------------------------------------------------------- */

static bool strlist_has(const struct kb_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return true;
	return false;
}

static int kb_alias(struct td_config *cfg, struct kb_opts *o)
{
	if (o->nargs != 1)
		return usage_error("alias needs exactly one CODE");
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct kb_procedure *p;
	int ret = 1;
	td_err rc = store_procedure_get(s, o->args[0], &p);
	if (rc) {
		fprintf(stderr, "tongdai kb: không có thủ tục mã %s\n", o->args[0]);
		goto out;
	}
	struct kb_strlist kept = {0};
	for (size_t i = 0; i < p->aliases.n; i++) {
		bool drop = false;
		for (int k = 0; k < o->nremove; k++)
			drop |= strcmp(p->aliases.items[i], o->remove[k]) == 0;
		if (!drop)
			kb_strlist_add(&kept, p->aliases.items[i]);
	}
	for (int k = 0; k < o->nadd; k++)
		if (o->add[k][0] && !strlist_has(&kept, o->add[k]))
			kb_strlist_add(&kept, o->add[k]);
	kb_strlist_release(&p->aliases);
	p->aliases = kept;
	enum store_put_result res;
	rc = store_procedure_put(s, p, o->by ? o->by : default_user(), &res);
	if (rc) {
		fprintf(stderr, "tongdai kb: %s (%s)\n", td_strerror(rc), store_errmsg(s));
	} else {
		printf("%s: %zu tên gọi khác%s\n", p->code, p->aliases.n,
		       res == STORE_PUT_UNCHANGED ? " (không đổi)" : "");
		for (size_t i = 0; i < p->aliases.n; i++)
			printf("  - %s\n", p->aliases.items[i]);
		ret = 0;
	}
	kb_procedure_free(p);
out:
	store_close(s);
	return ret;
}

/* ---- gaps -------------------------------------------------------------- */

struct gaps_out {
	json_t *arr;
	bool json;
	size_t n;
};

static int gap_one(const struct store_gap *g, void *arg)
{
	struct gaps_out *go = arg;
	char when[32];
	time_t t = (time_t)g->at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	go->n++;
	if (go->json) {
		json_t *o = json_object();
		json_object_set_new(o, "time", json_string(when));
		json_object_set_new(o, "channel", json_string(g->channel ? g->channel : ""));
		json_object_set_new(o, "question", json_string(g->question ? g->question : ""));
		json_object_set_new(o, "status", json_string(g->status ? g->status : ""));
		json_object_set_new(o, "field", g->field ? json_string(g->field) : json_null());
		json_object_set_new(o, "agency", g->agency ? json_string(g->agency) : json_null());
		json_t *c = g->candidates ? json_loads(g->candidates, 0, NULL) : NULL;
		if (!json_is_array(c)) {
			json_decref(c);
			c = json_array();
		}
		json_object_set_new(o, "candidates", c);
		json_array_append_new(go->arr, o);
	} else {
		printf("%s  %-8s %-5s %s\n", when, g->status ? g->status : "", g->channel ? g->channel : "",
		       g->question ? g->question : "");
		if (g->field)
			printf("%22s lĩnh vực đoán: %s\n", "", g->field);
	}
	return 0;
}

/* "YYYY-MM-DD" -> Unix seconds at 00:00 UTC; -1 if malformed. */
static int64_t parse_day(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
	return (int64_t)timegm(&tm);
}

static int kb_gaps(struct td_config *cfg, struct kb_opts *o)
{
	struct store_gap_filter f = {.field = o->field};
	if (o->since) {
		f.since = parse_day(o->since);
		if (f.since < 0)
			return usage_error("--since needs a date YYYY-MM-DD, not '%s'", o->since);
	}
	if (o->limit < 0)
		return usage_error("--limit needs a number >= 0");
	f.limit = (size_t)o->limit;
	struct store *s = open_store(cfg);
	if (!s)
		return 1;
	struct gaps_out go = {.arr = json_array(), .json = o->json};
	size_t total = 0;
	int ret = 0;
	td_err rc = store_chat_gaps(s, &f, gap_one, &go, &total);
	if (rc) {
		fprintf(stderr, "tongdai kb: cannot list gaps: %s (%s)\n", td_strerror(rc),
			store_errmsg(s));
		ret = 1;
	} else if (o->json) {
		json_t *doc = json_object();
		json_object_set_new(doc, "total", json_integer((json_int_t)total));
		json_object_set_new(doc, "items", json_incref(go.arr));
		print_json(doc);
		json_decref(doc);
	} else {
		printf("(%zu câu hỏi chưa trả lời được%s)\n", total,
		       go.n < total ? ", chỉ hiện một phần" : "");
	}
	json_decref(go.arr);
	store_close(s);
	return ret;
}

int cmd_kb(int argc, char **argv, struct td_config *cfg)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(kb_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	struct kb_opts o = {0};
	int rc = parse_opts(argc - 1, argv + 1, cfg, &o);
	if (rc == -1) {
		fputs(kb_usage, stdout);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (strcmp(sub, "import") == 0)
		rc = kb_import(cfg, &o);
	else if (strcmp(sub, "validate") == 0)
		rc = kb_validate(&o);
	else if (strcmp(sub, "show") == 0)
		rc = kb_show(cfg, &o);
	else if (strcmp(sub, "list") == 0)
		rc = kb_list(cfg, &o, false);
	else if (strcmp(sub, "export") == 0)
		rc = kb_list(cfg, &o, true);
	else if (strcmp(sub, "history") == 0)
		rc = kb_history(cfg, &o);
	else if (strcmp(sub, "alias") == 0)
		rc = kb_alias(cfg, &o);
	else if (strcmp(sub, "stats") == 0)
		rc = kb_stats(cfg, &o);
	else if (strcmp(sub, "gaps") == 0)
		rc = kb_gaps(cfg, &o);
	else
		rc = usage_error("unknown command '%s'", sub);
out:
	td_free(o.args);
	td_free(o.add);
	td_free(o.remove);
	return rc;
}
