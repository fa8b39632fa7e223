/*
 * kb_json.c - procedures <-> tongdai JSON, with validation.
 *
 * Serialisation writes every key in one fixed order and writes absent values
 * as null, so the text of a record is a function of its content: the store
 * compares texts to decide whether an import changed anything.
 *
 * Parsing is also validation: every problem found is recorded with the
 * record's code and a JSON path, and parsing goes on after a problem so that
 * a department sees all of them in one run rather than one per attempt.
 */
#include "kb/kb_json.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/log.h"
#include "kb/kb_national.h"
#include "text/vn.h"

#define KB_FILE_MAX (128u << 20) /* a whole-JSON file; JSONL streams */
#define KB_LINE_MAX (4u << 20)

/* ---- problems ---------------------------------------------------------- */

void kb_problems_init(struct kb_problems *ps)
{
	memset(ps, 0, sizeof *ps);
}

void kb_problems_release(struct kb_problems *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		td_free(ps->items[i].code);
		td_free(ps->items[i].path);
		td_free(ps->items[i].kind);
		td_free(ps->items[i].message);
	}
	td_free(ps->items);
	kb_problems_init(ps);
}

void kb_problems_add(struct kb_problems *ps, enum kb_severity sev, const char *code,
		     const char *path, const char *kind, long line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ps->items = td_reallocarray(ps->items, ps->n + 1, sizeof *ps->items);
	struct kb_problem *p = &ps->items[ps->n++];
	p->code = td_strdup(code ? code : "");
	p->path = td_strdup(path ? path : "");
	p->kind = td_strdup(kind);
	p->message = td_strdup(msg);
	p->severity = sev;
	p->line = line;
	if (sev == KB_SEV_ERROR)
		ps->errors++;
}

/* ---- record -> JSON ---------------------------------------------------- */

/*
 * The text is written directly into a buffer rather than through a jansson
 * tree: imports serialise every record to compare it with the stored one,
 * and building and dumping a tree of ~40 keys per record cost more than
 * parsing the source line (measured in bench/bench_kb_parse.c).  This writer
 * is the only serialiser; kb_procedure_to_json parses its output.
 */

static void put_key(struct td_buf *b, const char *key)
{
	if (b->len && b->data[b->len - 1] != '{' && b->data[b->len - 1] != '[')
		td_buf_addc(b, ',');
	td_buf_addc(b, '"');
	td_buf_adds(b, key);
	td_buf_adds(b, "\":");
}

static void put_str(struct td_buf *b, const char *key, const char *v)
{
	put_key(b, key);
	if (v)
		td_json_escape(b, v);
	else
		td_buf_adds(b, "null");
}

static void put_raw(struct td_buf *b, const char *key, const char *literal)
{
	put_key(b, key);
	td_buf_adds(b, literal);
}

static void put_num(struct td_buf *b, const char *key, bool has, double v)
{
	put_key(b, key);
	if (!has || !isfinite(v))
		td_buf_adds(b, "null");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		td_buf_addf(b, "%lld", (long long)v);
	else
		td_buf_addf(b, "%.15g", v);
}

static void put_list(struct td_buf *b, const char *key, const struct kb_strlist *l)
{
	put_key(b, key);
	td_buf_addc(b, '[');
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			td_buf_addc(b, ',');
		td_json_escape(b, l->items[i]);
	}
	td_buf_addc(b, ']');
}

static void put_channel(struct td_buf *b, const struct kb_channel *c)
{
	td_buf_addc(b, '{');
	put_str(b, "channel", kb_channel_name(c->kind));
	put_key(b, "duration");
	td_buf_addc(b, '{');
	put_num(b, "value", c->duration.has_value, c->duration.value);
	put_str(b, "unit", c->duration.has_value ? kb_unit_name(c->duration.unit) : NULL);
	put_str(b, "text", c->duration.text ? c->duration.text : "");
	td_buf_addc(b, '}');
	put_key(b, "fee");
	td_buf_addc(b, '{');
	put_num(b, "amount_vnd", c->fee.has_amount, c->fee.amount_vnd);
	put_raw(b, "free", c->fee.free ? "true" : "false");
	put_str(b, "text", c->fee.text ? c->fee.text : "");
	put_str(b, "currency", c->fee.currency);
	put_num(b, "amount", c->fee.currency != NULL, c->fee.amount);
	td_buf_addc(b, '}');
	put_str(b, "description", c->description);
	td_buf_addc(b, '}');
}

static void put_count(struct td_buf *b, const char *key, int n)
{
	put_num(b, key, n >= 0, n);
}

static void write_procedure(struct td_buf *b, const struct kb_procedure *p, unsigned flags)
{
	td_buf_addc(b, '{');
	put_str(b, "code", p->code);
	put_str(b, "name", p->name);
	put_str(b, "field", p->field);
	put_list(b, "levels", &p->levels);
	put_str(b, "agency", p->agency);
	put_str(b, "competent_agency", p->competent_agency);
	put_str(b, "delegated_agency", p->delegated_agency);
	put_str(b, "coordinating_agency", p->coordinating_agency);
	put_str(b, "submit_place", p->submit_place);
	put_str(b, "decision", p->decision);
	put_str(b, "kind", p->kind);
	put_list(b, "subjects", &p->subjects);
	put_str(b, "steps", p->steps);

	put_key(b, "channels");
	td_buf_addc(b, '[');
	for (size_t i = 0; i < p->n_channels; i++) {
		if (i)
			td_buf_addc(b, ',');
		put_channel(b, &p->channels[i]);
	}
	td_buf_addc(b, ']');

	put_key(b, "dossier");
	td_buf_addc(b, '[');
	for (size_t i = 0; i < p->n_dossier; i++) {
		const struct kb_dossier_item *d = &p->dossier[i];
		if (i)
			td_buf_addc(b, ',');
		td_buf_addc(b, '{');
		put_str(b, "name", d->name);
		put_str(b, "form", d->form);
		put_count(b, "originals", d->originals);
		put_count(b, "copies", d->copies);
		put_str(b, "case", d->case_name);
		td_buf_addc(b, '}');
	}
	td_buf_addc(b, ']');
	put_str(b, "conditions", p->conditions);
	put_str(b, "result", p->result);

	put_key(b, "legal_basis");
	td_buf_addc(b, '[');
	for (size_t i = 0; i < p->n_legal; i++) {
		const struct kb_legal *l = &p->legal[i];
		if (i)
			td_buf_addc(b, ',');
		td_buf_addc(b, '{');
		put_str(b, "number", l->number);
		put_str(b, "title", l->title);
		put_str(b, "date", l->date);
		put_str(b, "issuer", l->issuer);
		td_buf_addc(b, '}');
	}
	td_buf_addc(b, ']');
	put_str(b, "online_level", p->online_level);
	put_list(b, "related", &p->related);
	put_list(b, "aliases", &p->aliases);
	put_list(b, "keywords", &p->keywords);
	put_str(b, "source_url", p->source_url);
	put_str(b, "as_of", p->as_of);
	put_str(b, "owner", p->owner);
	put_raw(b, "sample", p->sample ? "true" : "false");
	put_list(b, "notes", &p->notes);

	if (flags & KB_JSON_RAW) {
		put_list(b, "warnings", &p->warnings);
		put_key(b, "raw");
		td_buf_addc(b, '{');
		put_str(b, "channels", p->raw_channels);
		put_str(b, "dossier", p->raw_dossier);
		put_str(b, "legal_basis", p->raw_legal);
		put_str(b, "result", p->raw_result);
		td_buf_addc(b, '}');
	}
	if (flags & KB_JSON_META) {
		put_num(b, "version", true, p->version);
		put_str(b, "updated_at", p->updated_at);
		put_str(b, "updated_by", p->updated_by);
	}
	td_buf_addc(b, '}');
}

char *kb_procedure_to_string(const struct kb_procedure *p, unsigned flags)
{
	struct td_buf b;
	td_buf_init(&b, (size_t)1 << 30);
	write_procedure(&b, p, flags);
	if (td_buf_error(&b)) {
		td_buf_release(&b);
		return NULL;
	}
	return td_buf_detach(&b, NULL);
}

json_t *kb_procedure_to_json(const struct kb_procedure *p, unsigned flags)
{
	char *s = kb_procedure_to_string(p, flags);
	json_t *o = s ? json_loads(s, 0, NULL) : NULL;
	td_free(s);
	return o ? o : json_object();
}

/* ---- JSON -> record ---------------------------------------------------- */

struct reader {
	const char *code; /* for problem reports; "" until known */
	long line;
	struct kb_problems *ps;
};

#define PROBLEM(r, sev, path, kind, ...) \
	kb_problems_add((r)->ps, sev, (r)->code, path, kind, (r)->line, __VA_ARGS__)

/* A copy of s in NFC.  Text typed on some keyboards arrives decomposed
 * (tổ hợp); it is normalised rather than rejected, with a warning so the
 * owner can fix the source. */
static char *nfc_dup(struct reader *r, const char *path, const char *s, size_t n)
{
	struct td_buf b;
	td_buf_init(&b, 4 * n + 16);
	if (vn_normalize(&b, s, n, VN_LOSSY) != TD_OK) {
		td_buf_release(&b);
		return td_strndup(s, n);
	}
	if (b.len != n || memcmp(b.data, s, n) != 0)
		PROBLEM(r, KB_SEV_WARNING, path, "nfc",
			"Trường '%s' không ở dạng Unicode dựng sẵn (NFC) hoặc có ký tự lỗi; đã chuẩn hóa",
			path);
	return td_buf_detach(&b, NULL);
}

/* Read an optional string; wrong type is an error.  Empty strings count as
 * absent, so "" never shadows a real value in answers. */
static void read_str(struct reader *r, const json_t *o, const char *key, bool required, char **dst)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		if (required)
			PROBLEM(r, KB_SEV_ERROR, key, "missing", "Thiếu trường bắt buộc '%s'", key);
		return;
	}
	if (!json_is_string(v)) {
		PROBLEM(r, KB_SEV_ERROR, key, "type", "Trường '%s' phải là chuỗi ký tự", key);
		return;
	}
	const char *s = json_string_value(v);
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		if (required)
			PROBLEM(r, KB_SEV_ERROR, key, "missing", "Trường bắt buộc '%s' đang để trống", key);
		return;
	}
	*dst = nfc_dup(r, key, json_string_value(v), json_string_length(v));
}

static void read_strlist(struct reader *r, const json_t *o, const char *key, struct kb_strlist *dst)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return;
	if (!json_is_array(v)) {
		PROBLEM(r, KB_SEV_ERROR, key, "type", "Trường '%s' phải là mảng các chuỗi", key);
		return;
	}
	size_t i;
	const json_t *it;
	json_array_foreach(v, i, it) {
		char path[96];
		snprintf(path, sizeof path, "%s[%zu]", key, i);
		if (!json_is_string(it)) {
			PROBLEM(r, KB_SEV_ERROR, path, "type", "Phần tử '%s' phải là chuỗi ký tự", path);
			continue;
		}
		if (json_string_length(it) > 0) {
			char *t = nfc_dup(r, path, json_string_value(it), json_string_length(it));
			kb_strlist_add(dst, t);
			td_free(t);
		}
	}
}

/* A number or null: returns true with *out set for a number. */
static bool read_num(struct reader *r, const json_t *o, const char *key, const char *path,
		     double *out)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return false;
	if (!json_is_number(v)) {
		PROBLEM(r, KB_SEV_ERROR, path, "type", "Trường '%s' phải là số hoặc null", path);
		return false;
	}
	double d = json_number_value(v);
	if (d < 0 || !isfinite(d)) {
		PROBLEM(r, KB_SEV_ERROR, path, "value", "Giá trị '%s' không được âm", path);
		return false;
	}
	*out = d;
	return true;
}

static bool iso_date_valid(const char *s)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return y >= 1945 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] &&
	       !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

static void check_keys(struct reader *r, const json_t *o, const char *prefix,
		       const char *const *allowed)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0) {
				ok = true;
				break;
			}
		if (!ok) {
			char path[160];
			snprintf(path, sizeof path, "%s%s", prefix, key);
			PROBLEM(r, KB_SEV_WARNING, path, "unknown_key",
				"Trường '%s' không được hỗ trợ và sẽ bị bỏ qua", path);
		}
	}
}

static void read_channel(struct reader *r, const json_t *c, size_t i, struct kb_procedure *p)
{
	static const char *const keys[] = {"channel", "duration", "fee", "description", NULL};
	static const char *const dkeys[] = {"value", "unit", "text", NULL};
	static const char *const fkeys[] = {"amount_vnd", "free", "text", "currency", "amount", NULL};
	char path[128], sub[160];
	snprintf(path, sizeof path, "channels[%zu]", i);
	if (!json_is_object(c)) {
		PROBLEM(r, KB_SEV_ERROR, path, "type", "'%s' phải là một đối tượng", path);
		return;
	}
	snprintf(sub, sizeof sub, "%s.", path);
	check_keys(r, c, sub, keys);

	const char *kind = json_string_value(json_object_get(c, "channel"));
	enum kb_channel_kind k;
	if (!kind || !kb_channel_parse(kind, &k)) {
		snprintf(sub, sizeof sub, "%s.channel", path);
		PROBLEM(r, KB_SEV_ERROR, sub, "value",
			"Hình thức nộp '%s' không hợp lệ (direct, online hoặc post)", kind ? kind : "");
		return;
	}
	struct kb_channel *ch = kb_procedure_add_channel(p, k);
	struct reader rr = *r;

	const json_t *d = json_object_get(c, "duration");
	if (json_is_object(d)) {
		snprintf(sub, sizeof sub, "%s.duration.", path);
		check_keys(r, d, sub, dkeys);
		snprintf(sub, sizeof sub, "%s.duration.value", path);
		ch->duration.has_value = read_num(&rr, d, "value", sub, &ch->duration.value);
		const json_t *u = json_object_get(d, "unit");
		snprintf(sub, sizeof sub, "%s.duration.unit", path);
		if (json_is_string(u)) {
			if (!kb_unit_parse(json_string_value(u), &ch->duration.unit))
				PROBLEM(r, KB_SEV_ERROR, sub, "value",
					"Đơn vị thời gian '%s' không hợp lệ (working_days, days, hours, "
					"working_hours, months)", json_string_value(u));
		} else if (u && !json_is_null(u)) {
			PROBLEM(r, KB_SEV_ERROR, sub, "type", "'%s' phải là chuỗi hoặc null", sub);
		}
		/* A number without a unit is what some sources say; keep it and
		 * let the owner fix it. */
		if (ch->duration.has_value && ch->duration.unit == KB_UNIT_NONE)
			PROBLEM(r, KB_SEV_WARNING, sub, "missing",
				"Thời hạn có số nhưng chưa ghi đơn vị ('%s')", sub);
		if (!ch->duration.has_value)
			ch->duration.unit = KB_UNIT_NONE;
		read_str(&rr, d, "text", false, &ch->duration.text);
	} else if (d && !json_is_null(d)) {
		snprintf(sub, sizeof sub, "%s.duration", path);
		PROBLEM(r, KB_SEV_ERROR, sub, "type", "'%s' phải là một đối tượng", sub);
	}
	if (!ch->duration.has_value && !ch->duration.text) {
		snprintf(sub, sizeof sub, "%s.duration", path);
		PROBLEM(r, KB_SEV_WARNING, sub, "missing",
			"Chưa có thời hạn giải quyết cho hình thức '%s'", kind);
	}

	const json_t *f = json_object_get(c, "fee");
	if (json_is_object(f)) {
		snprintf(sub, sizeof sub, "%s.fee.", path);
		check_keys(r, f, sub, fkeys);
		snprintf(sub, sizeof sub, "%s.fee.amount_vnd", path);
		ch->fee.has_amount = read_num(&rr, f, "amount_vnd", sub, &ch->fee.amount_vnd);
		const json_t *fr = json_object_get(f, "free");
		if (fr && !json_is_boolean(fr) && !json_is_null(fr)) {
			snprintf(sub, sizeof sub, "%s.fee.free", path);
			PROBLEM(r, KB_SEV_ERROR, sub, "type", "'%s' phải là true hoặc false", sub);
		}
		ch->fee.free = json_is_true(fr);
		read_str(&rr, f, "text", false, &ch->fee.text);
		read_str(&rr, f, "currency", false, &ch->fee.currency);
		snprintf(sub, sizeof sub, "%s.fee.amount", path);
		if (!read_num(&rr, f, "amount", sub, &ch->fee.amount) && ch->fee.has_amount)
			ch->fee.amount = ch->fee.amount_vnd;
		if (ch->fee.has_amount && !ch->fee.currency)
			ch->fee.currency = td_strdup("VND");
		/* free + an amount is how a temporary waiver of a regular fee is
		 * recorded (the text says until when): worth a look, not wrong. */
		if (ch->fee.free && ch->fee.has_amount && ch->fee.amount_vnd > 0) {
			snprintf(sub, sizeof sub, "%s.fee", path);
			PROBLEM(r, KB_SEV_WARNING, sub, "value",
				"Lệ phí ghi miễn phí nhưng có số tiền %.0f đồng: nếu là miễn giảm "
				"tạm thời, hãy ghi rõ thời hạn trong 'text'", ch->fee.amount_vnd);
		}
	} else if (f && !json_is_null(f)) {
		snprintf(sub, sizeof sub, "%s.fee", path);
		PROBLEM(r, KB_SEV_ERROR, sub, "type", "'%s' phải là một đối tượng", sub);
	}
	if (!ch->fee.has_amount && !ch->fee.free && !ch->fee.text && !ch->fee.currency) {
		snprintf(sub, sizeof sub, "%s.fee", path);
		PROBLEM(r, KB_SEV_WARNING, sub, "missing",
			"Chưa có thông tin phí, lệ phí cho hình thức '%s'", kind);
	}
	read_str(&rr, c, "description", false, &ch->description);
}

static void read_dossier(struct reader *r, const json_t *arr, struct kb_procedure *p)
{
	static const char *const keys[] = {"name", "form", "originals", "copies", "case", NULL};
	size_t i;
	const json_t *it;
	json_array_foreach(arr, i, it) {
		char path[96], sub[128];
		snprintf(path, sizeof path, "dossier[%zu]", i);
		if (!json_is_object(it)) {
			PROBLEM(r, KB_SEV_ERROR, path, "type", "'%s' phải là một đối tượng", path);
			continue;
		}
		snprintf(sub, sizeof sub, "%s.", path);
		check_keys(r, it, sub, keys);
		struct kb_dossier_item *d = kb_procedure_add_dossier(p);
		snprintf(sub, sizeof sub, "%s.name", path);
		const json_t *n = json_object_get(it, "name");
		if (!json_is_string(n) || json_string_length(n) == 0)
			PROBLEM(r, KB_SEV_ERROR, sub, "missing", "Thiếu tên giấy tờ ở '%s'", path);
		else
			d->name = nfc_dup(r, sub, json_string_value(n), json_string_length(n));
		read_str(r, it, "form", false, &d->form);
		read_str(r, it, "case", false, &d->case_name);
		double v;
		snprintf(sub, sizeof sub, "%s.originals", path);
		if (read_num(r, it, "originals", sub, &v))
			d->originals = v > 1000 ? 1000 : (int)v;
		snprintf(sub, sizeof sub, "%s.copies", path);
		if (read_num(r, it, "copies", sub, &v))
			d->copies = v > 1000 ? 1000 : (int)v;
	}
}

static void read_legal(struct reader *r, const json_t *arr, struct kb_procedure *p)
{
	static const char *const keys[] = {"number", "title", "date", "issuer", NULL};
	size_t i;
	const json_t *it;
	json_array_foreach(arr, i, it) {
		char path[96], sub[128];
		snprintf(path, sizeof path, "legal_basis[%zu]", i);
		if (!json_is_object(it)) {
			PROBLEM(r, KB_SEV_ERROR, path, "type", "'%s' phải là một đối tượng", path);
			continue;
		}
		snprintf(sub, sizeof sub, "%s.", path);
		check_keys(r, it, sub, keys);
		struct kb_legal *l = kb_procedure_add_legal(p);
		read_str(r, it, "number", false, &l->number);
		read_str(r, it, "title", false, &l->title);
		read_str(r, it, "date", false, &l->date);
		read_str(r, it, "issuer", false, &l->issuer);
		if (!l->number && !l->title)
			PROBLEM(r, KB_SEV_ERROR, path, "missing",
				"Căn cứ pháp lý '%s' cần số hiệu hoặc tên văn bản", path);
		if (l->date && !iso_date_valid(l->date)) {
			snprintf(sub, sizeof sub, "%s.date", path);
			PROBLEM(r, KB_SEV_ERROR, sub, "value", "Ngày '%s' không đúng dạng YYYY-MM-DD", l->date);
		}
	}
}

td_err kb_procedure_from_json(const json_t *obj, long line, struct kb_procedure **out,
			      struct kb_problems *ps)
{
	static const char *const keys[] = {
		"code", "name", "field", "levels", "agency", "competent_agency",
		"delegated_agency", "coordinating_agency", "submit_place", "decision", "kind",
		"subjects", "steps", "channels", "dossier", "conditions", "result",
		"legal_basis", "online_level", "related", "aliases", "keywords", "source_url",
		"as_of", "owner", "sample", "notes",
		/* output only: accepted so that an export imports back */
		"version", "updated_at", "updated_by", "warnings", "raw", NULL};
	struct reader r = {.code = "", .line = line, .ps = ps};
	size_t errors_before = ps->errors;
	*out = NULL;

	if (!json_is_object(obj)) {
		PROBLEM(&r, KB_SEV_ERROR, "", "type", "Mỗi thủ tục phải là một đối tượng JSON");
		return TD_ERR_INVAL;
	}
	struct kb_procedure *p = kb_procedure_new();
	read_str(&r, obj, "code", true, &p->code);
	if (p->code) {
		r.code = p->code;
		if (!kb_code_valid(p->code))
			PROBLEM(&r, KB_SEV_ERROR, "code", "value",
				"Mã thủ tục '%s' không đúng dạng (ví dụ 1.001612 hoặc 1.004873.H87)", p->code);
	}
	check_keys(&r, obj, "", keys);
	read_str(&r, obj, "name", true, &p->name);
	read_str(&r, obj, "field", false, &p->field);
	if (!p->field)
		PROBLEM(&r, KB_SEV_WARNING, "field", "missing", "Chưa có lĩnh vực (field)");
	read_strlist(&r, obj, "levels", &p->levels);
	if (p->levels.n == 0)
		PROBLEM(&r, KB_SEV_WARNING, "levels", "missing", "Chưa có cấp thực hiện (levels)");
	read_str(&r, obj, "agency", false, &p->agency);
	if (!p->agency)
		PROBLEM(&r, KB_SEV_WARNING, "agency", "missing", "Chưa có cơ quan thực hiện (agency)");
	read_str(&r, obj, "competent_agency", false, &p->competent_agency);
	read_str(&r, obj, "delegated_agency", false, &p->delegated_agency);
	read_str(&r, obj, "coordinating_agency", false, &p->coordinating_agency);
	read_str(&r, obj, "submit_place", false, &p->submit_place);
	read_str(&r, obj, "decision", false, &p->decision);
	read_str(&r, obj, "kind", false, &p->kind);
	read_strlist(&r, obj, "subjects", &p->subjects);
	read_str(&r, obj, "steps", false, &p->steps);

	const json_t *chans = json_object_get(obj, "channels");
	if (json_is_array(chans)) {
		size_t i;
		const json_t *c;
		json_array_foreach(chans, i, c)
			read_channel(&r, c, i, p);
	} else if (chans && !json_is_null(chans)) {
		PROBLEM(&r, KB_SEV_ERROR, "channels", "type", "Trường 'channels' phải là mảng");
	}
	if (p->n_channels == 0)
		PROBLEM(&r, KB_SEV_WARNING, "channels", "missing",
			"Chưa có hình thức nộp nào (thời hạn, phí, lệ phí)");

	const json_t *dossier = json_object_get(obj, "dossier");
	if (json_is_array(dossier))
		read_dossier(&r, dossier, p);
	else if (dossier && !json_is_null(dossier))
		PROBLEM(&r, KB_SEV_ERROR, "dossier", "type", "Trường 'dossier' phải là mảng");

	read_str(&r, obj, "conditions", false, &p->conditions);
	read_str(&r, obj, "result", false, &p->result);

	const json_t *legal = json_object_get(obj, "legal_basis");
	if (json_is_array(legal))
		read_legal(&r, legal, p);
	else if (legal && !json_is_null(legal))
		PROBLEM(&r, KB_SEV_ERROR, "legal_basis", "type", "Trường 'legal_basis' phải là mảng");
	if (p->n_legal == 0)
		PROBLEM(&r, KB_SEV_WARNING, "legal_basis", "missing", "Chưa có căn cứ pháp lý");

	read_str(&r, obj, "online_level", false, &p->online_level);
	read_strlist(&r, obj, "related", &p->related);
	read_strlist(&r, obj, "aliases", &p->aliases);
	read_strlist(&r, obj, "keywords", &p->keywords);
	read_str(&r, obj, "source_url", false, &p->source_url);
	read_str(&r, obj, "as_of", true, &p->as_of);
	if (p->as_of && !iso_date_valid(p->as_of))
		PROBLEM(&r, KB_SEV_ERROR, "as_of", "value",
			"Ngày cập nhật '%s' không đúng dạng YYYY-MM-DD", p->as_of);
	read_str(&r, obj, "owner", false, &p->owner);
	const json_t *sample = json_object_get(obj, "sample");
	if (sample && !json_is_boolean(sample) && !json_is_null(sample))
		PROBLEM(&r, KB_SEV_ERROR, "sample", "type", "Trường 'sample' phải là true hoặc false");
	p->sample = json_is_true(sample);
	read_strlist(&r, obj, "notes", &p->notes);

	/* Keep what an importer recorded, so export -> import loses nothing. */
	read_strlist(&r, obj, "warnings", &p->warnings);
	const json_t *raw = json_object_get(obj, "raw");
	if (json_is_object(raw)) {
		read_str(&r, raw, "channels", false, &p->raw_channels);
		read_str(&r, raw, "dossier", false, &p->raw_dossier);
		read_str(&r, raw, "legal_basis", false, &p->raw_legal);
		read_str(&r, raw, "result", false, &p->raw_result);
	}

	if (ps->errors > errors_before) {
		kb_procedure_free(p);
		return TD_ERR_INVAL;
	}
	*out = p;
	return TD_OK;
}

/* ---- files ------------------------------------------------------------- */

/* Codes seen so far in one file: an open-addressing hash set, because a
 * synthetic bulk file holds tens of thousands of records. */
struct seen {
	char **slots;
	size_t cap, n;
};

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static bool seen_add(struct seen *s, const char *code)
{
	if (2 * (s->n + 1) > s->cap) {
		struct seen bigger = {td_calloc(s->cap ? 2 * s->cap : 1024, sizeof(char *)),
				      s->cap ? 2 * s->cap : 1024, 0};
		for (size_t i = 0; i < s->cap; i++)
			if (s->slots[i]) {
				size_t j = hash_str(s->slots[i]) & (bigger.cap - 1);
				while (bigger.slots[j])
					j = (j + 1) & (bigger.cap - 1);
				bigger.slots[j] = s->slots[i];
				bigger.n++;
			}
		td_free(s->slots);
		*s = bigger;
	}
	size_t j = hash_str(code) & (s->cap - 1);
	for (; s->slots[j]; j = (j + 1) & (s->cap - 1))
		if (strcmp(s->slots[j], code) == 0)
			return false;
	s->slots[j] = td_strdup(code);
	s->n++;
	return true;
}

static void seen_release(struct seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		td_free(s->slots[i]);
	td_free(s->slots);
}

/* Hand one parsed record on, rejecting a code seen earlier in the file. */
static td_err deliver(struct kb_procedure *p, struct seen *seen, long line, kb_record_fn each,
		      void *ctx, struct kb_problems *ps, const char *owner)
{
	if (!seen_add(seen, p->code)) {
		kb_problems_add(ps, KB_SEV_ERROR, p->code, "code", "duplicate", line,
				"Mã thủ tục '%s' xuất hiện nhiều lần trong tệp; bản sau bị bỏ qua", p->code);
		ps->rejected++;
		kb_procedure_free(p);
		return TD_OK;
	}
	if (owner && !p->owner)
		p->owner = td_strdup(owner);
	return each(p, ctx) ? TD_ERR_INTERNAL : TD_OK;
}

static td_err read_file(const char *path, struct td_buf *b, struct kb_problems *ps)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "io", 0, "Không mở được tệp %s: %s", path,
				strerror(errno));
		return TD_ERR_IO;
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !td_buf_error(b))
		td_buf_add(b, chunk, n);
	bool bad = ferror(f);
	fclose(f);
	if (td_buf_error(b)) {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "too_big", 0,
				"Tệp %s lớn hơn giới hạn %u MiB", path, KB_FILE_MAX >> 20);
		return TD_ERR_TOOBIG;
	}
	if (bad) {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "io", 0, "Lỗi đọc tệp %s", path);
		return TD_ERR_IO;
	}
	return TD_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static td_err load_tongdai_whole(const char *data, size_t len, kb_record_fn each, void *ctx,
				 struct kb_problems *ps, struct seen *seen)
{
	json_error_t jerr;
	json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "syntax", jerr.line,
				"Lỗi cú pháp JSON ở dòng %d, cột %d: %s", jerr.line, jerr.column, jerr.text);
		return TD_ERR_PARSE;
	}
	const json_t *list = NULL;
	const char *owner = NULL;
	td_err rc = TD_OK;
	if (json_is_array(root)) {
		list = root;
	} else if (json_is_object(root) && json_object_get(root, "procedures")) {
		list = json_object_get(root, "procedures");
		owner = json_string_value(json_object_get(root, "owner"));
		const char *fmt = json_string_value(json_object_get(root, "format"));
		if (fmt && strcmp(fmt, "tongdai-kb") != 0)
			kb_problems_add(ps, KB_SEV_WARNING, "", "format", "value", 0,
					"Định dạng '%s' không phải 'tongdai-kb'", fmt);
		if (!json_is_array(list)) {
			kb_problems_add(ps, KB_SEV_ERROR, "", "procedures", "type", 0,
					"Trường 'procedures' phải là mảng");
			rc = TD_ERR_PARSE;
			goto out;
		}
	} else if (json_is_object(root)) {
		struct kb_procedure *p;
		if (kb_procedure_from_json(root, 0, &p, ps) == TD_OK)
			rc = deliver(p, seen, 0, each, ctx, ps, NULL);
		else
			ps->rejected++;
		goto out;
	} else {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "type", 0,
				"Tệp phải chứa một thủ tục, một mảng thủ tục hoặc một gói {\"procedures\": [...]}");
		rc = TD_ERR_PARSE;
		goto out;
	}
	size_t i;
	const json_t *it;
	json_array_foreach(list, i, it) {
		struct kb_procedure *p;
		if (kb_procedure_from_json(it, 0, &p, ps) != TD_OK) {
			ps->rejected++;
			continue;
		}
		rc = deliver(p, seen, 0, each, ctx, ps, owner);
		if (rc)
			break;
	}
out:
	json_decref(root);
	return rc;
}

struct line_ctx {
	kb_record_fn each;
	void *ctx;
	struct kb_problems *ps;
	struct seen *seen;
};

static td_err tongdai_line(const char *line, size_t len, long lineno, void *arg)
{
	struct line_ctx *lc = arg;
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		kb_problems_add(lc->ps, KB_SEV_ERROR, "", "", "syntax", lineno,
				"Dòng %ld: lỗi cú pháp JSON ở cột %d: %s", lineno, jerr.column, jerr.text);
		lc->ps->rejected++;
		return TD_OK;
	}
	struct kb_procedure *p;
	td_err rc = TD_OK;
	if (kb_procedure_from_json(o, lineno, &p, lc->ps) == TD_OK)
		rc = deliver(p, lc->seen, lineno, lc->each, lc->ctx, lc->ps, NULL);
	else
		lc->ps->rejected++;
	json_decref(o);
	return rc;
}

static td_err national_line(const char *line, size_t len, long lineno, void *arg)
{
	struct line_ctx *lc = arg;
	struct kb_procedure *p = NULL;
	char err[512] = "";
	if (kb_national_parse_line(line, len, &p, err, sizeof err) != TD_OK || !p) {
		kb_problems_add(lc->ps, KB_SEV_ERROR, "", "", "syntax", lineno, "Dòng %ld: %s", lineno,
				err[0] ? err : "không đọc được bản ghi");
		lc->ps->rejected++;
		return TD_OK;
	}
	for (size_t i = 0; i < p->warnings.n; i++)
		kb_problems_add(lc->ps, KB_SEV_WARNING, p->code, "", "import", lineno, "%s",
				p->warnings.items[i]);
	return deliver(p, lc->seen, lineno, lc->each, lc->ctx, lc->ps, NULL);
}

/* Stream a line-oriented file (JSONL or the national export) without
 * holding it in memory: a 10x synthetic national file is 200 MB. */
static td_err each_line(const char *path, td_err (*fn)(const char *, size_t, long, void *),
			void *arg, struct kb_problems *ps)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "io", 0, "Không mở được tệp %s: %s", path,
				strerror(errno));
		return TD_ERR_IO;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	td_err rc = TD_OK;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		size_t a = 0, b = (size_t)n;
		while (a < b && isspace((unsigned char)line[a]))
			a++;
		while (b > a && isspace((unsigned char)line[b - 1]))
			b--;
		if (b == a)
			continue;
		if (b - a > KB_LINE_MAX) {
			kb_problems_add(ps, KB_SEV_ERROR, "", "", "too_big", lineno,
					"Dòng %ld dài quá giới hạn %u MiB", lineno, KB_LINE_MAX >> 20);
			ps->rejected++;
			continue;
		}
		line[b] = '\0';
		rc = fn(line + a, b - a, lineno, arg);
		if (rc)
			break;
	}
	if (!rc && ferror(f)) {
		kb_problems_add(ps, KB_SEV_ERROR, "", "", "io", lineno, "Lỗi đọc tệp %s", path);
		rc = TD_ERR_IO;
	}
	free(line); /* getline allocated it with malloc */
	fclose(f);
	return rc;
}

td_err kb_file_load(const char *path, enum kb_format fmt, kb_record_fn each, void *ctx,
		    struct kb_problems *ps)
{
	struct seen seen = {0};
	struct line_ctx lc = {each, ctx, ps, &seen};
	td_err rc;
	if (fmt == KB_FORMAT_NATIONAL) {
		rc = each_line(path, national_line, &lc, ps);
	} else if (ends_with(path, ".jsonl")) {
		rc = each_line(path, tongdai_line, &lc, ps);
	} else {
		struct td_buf b;
		td_buf_init(&b, KB_FILE_MAX);
		rc = read_file(path, &b, ps);
		if (!rc)
			rc = load_tongdai_whole(b.data ? b.data : "", b.len, each, ctx, ps, &seen);
		td_buf_release(&b);
	}
	seen_release(&seen);
	return rc;
}
