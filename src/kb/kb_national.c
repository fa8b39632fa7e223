/*
 * kb_national.c - one JSONL line of the national TTHC export to one
 * struct kb_procedure.
 *
 * jansson reads the object; plain fields are trimmed copies ("" and
 * "Không có thông tin" mean absent); list fields are split on ", "; the four
 * table-shaped fields go to their parsers (kb_national_channels.c,
 * kb_national_tables.c, and the result cleaner below) with their original
 * text kept in raw_*.  A line is rejected only when it is not a JSON
 * object or lacks ma_thu_tuc / ten_thu_tuc; everything else degrades to
 * warnings on the record.
 */
#include "kb/kb_national.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "kb/kb_national_int.h"
#include "base/banned.h"

#define RESULT_CODE "Mã: "
#define RESULT_KEYWORDS "Từ khóa"
#define RESULT_DESCRIPTION "Mô tả"
#define RESULT_MENU "Chọn cơ quan thực hiện"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The string value of key, or NULL (with a warning when it is not a string). */
static const char *get_str(json_t *obj, const char *key, struct kb_procedure *p)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		if (p)
			kb__warn(p, "field.not_string", "%s: not a string, ignored", key);
		return NULL;
	}
	return json_string_value(v);
}

/* Trimmed copy, NULL when absent. */
static char *present(const char *s)
{
	if (!s || kb__absent(s, strlen(s)))
		return NULL;
	return kb__dup_trim(s, strlen(s));
}

/* Split on ", " into l (trimmed, empty parts skipped).  Commas inside
 * parentheses do not split: "Tổ chức (không bao gồm doanh nghiệp, HTX)". */
static void split_list(struct kb_strlist *l, const char *s)
{
	if (!s || kb__absent(s, strlen(s)))
		return;
	size_t n = strlen(s), start = 0;
	int depth = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] == '(')
			depth++;
		else if (i < n && s[i] == ')' && depth > 0)
			depth--;
		if (i == n || (s[i] == ',' && depth == 0)) {
			char *part = kb__dup_trim(s + start, i - start);
			if (part)
				kb_strlist_add(l, part);
			td_free(part);
			start = i + 1;
		}
	}
}

/* Append one "Mã:"-separated result piece to b. */
static void add_result_piece(struct td_buf *b, const char *s, size_t n)
{
	kb__trim(&s, &n);
	if (!n)
		return;
	if (b->len)
		td_buf_addc(b, '\n');
	td_buf_add(b, s, n);
}

static void add_keywords(struct kb_procedure *p, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == ';' || s[i] == '\n') {
			char *k = kb__dup_trim(s + start, i - start);
			if (k && strcmp(k, KB__NO_INFO) != 0)
				kb_strlist_add(&p->keywords, k);
			td_free(k);
			start = i + 1;
		}
	}
}

td_err kb_national_clean_result(struct kb_procedure *p, const char *text)
{
	if (!p || !text)
		return TD_ERR_INVAL;
	const char *s = text;
	size_t n = strlen(text);
	const char *kw = kb__find(s, n, RESULT_KEYWORDS);
	size_t body_n = kw ? (size_t)(kw - s) : n;
	const char *menu = kb__find(s, n, RESULT_MENU);
	if (!kw && menu)
		body_n = (size_t)(menu - s);

	struct td_buf b;
	td_buf_init(&b, n + 1);
	size_t at = 0;
	while (at < body_n) {
		const char *code = kb__find(s + at, body_n - at, RESULT_CODE);
		size_t piece = code ? (size_t)(code - s) - at : body_n - at;
		add_result_piece(&b, s + at, piece);
		if (!code)
			break;
		/* skip the code itself: "KQ.G01.000074" */
		size_t j = (size_t)(code - s) + strlen(RESULT_CODE);
		if (kb__starts(s + j, body_n - j, "KQ"))
			j += 2;
		while (j + 1 < body_n && s[j] == '.' && (kb__digit(s[j + 1]) ||
							  (s[j + 1] >= 'A' && s[j + 1] <= 'Z'))) {
			j += 2;
			while (j < body_n && kb__digit(s[j]))
				j++;
		}
		at = j;
	}
	td_free(p->result);
	p->result = b.len && !td_buf_error(&b) ? td_buf_detach(&b, NULL) : NULL;
	td_buf_release(&b);

	if (kw) {
		const char *k = kw + strlen(RESULT_KEYWORDS);
		size_t rest = (size_t)(s + n - k);
		const char *desc = kb__find(k, rest, RESULT_DESCRIPTION);
		size_t kn = desc ? (size_t)(desc - k) : rest;
		if (!desc && menu && menu > k)
			kn = (size_t)(menu - k);
		add_keywords(p, k, kn);
		if (desc) {
			const char *d = desc + strlen(RESULT_DESCRIPTION);
			const char *dend = menu && menu > d ? menu : s + n;
			if (!kb__absent(d, (size_t)(dend - d)))
				kb__warn(p, "result.description",
					 "ket_qua_xu_ly: the 'Mô tả' text is kept only in raw_result");
		}
	}
	return TD_OK;
}

/* A table-shaped field: keep the original, parse unless absent. */
static char *raw_of(const char *s)
{
	return s && !kb__absent(s, strlen(s)) ? td_strdup(s) : NULL;
}

static void fill_plain(struct kb_procedure *p, json_t *o)
{
	p->decision = present(get_str(o, "so_quyet_dinh", p));
	p->kind = present(get_str(o, "loai_thu_tuc", p));
	p->field = present(get_str(o, "linh_vuc", p));
	p->agency = present(get_str(o, "co_quan_thuc_hien", p));
	p->competent_agency = present(get_str(o, "co_quan_co_tham_quyen", p));
	p->delegated_agency = present(get_str(o, "co_quan_duoc_uy_quyen", p));
	p->coordinating_agency = present(get_str(o, "co_quan_phoi_hop", p));
	p->submit_place = present(get_str(o, "dia_chi_tiep_nhan", p));
	p->steps = present(get_str(o, "trinh_tu_thuc_hien", p));
	p->conditions = present(get_str(o, "yeu_cau_dieu_kien", p));
	p->source_url = present(get_str(o, "detail_url", p));
	split_list(&p->levels, get_str(o, "cap_thuc_hien", p));
	split_list(&p->subjects, get_str(o, "doi_tuong_thuc_hien", p));
	const char *rel = get_str(o, "thu_tuc_lien_quan", p);
	char *r = present(rel);
	if (r)
		kb_strlist_add(&p->related, r);
	td_free(r);
}

static void fill_tables(struct kb_procedure *p, json_t *o)
{
	const char *ch = get_str(o, "cach_thuc_thuc_hien", p);
	const char *dos = get_str(o, "thanh_phan_ho_so", p);
	const char *leg = get_str(o, "can_cu_phap_ly", p);
	const char *res = get_str(o, "ket_qua_xu_ly", p);
	p->raw_channels = raw_of(ch);
	p->raw_dossier = raw_of(dos);
	p->raw_legal = raw_of(leg);
	p->raw_result = raw_of(res);
	kb_national_parse_channels(p, ch ? ch : "");
	if (dos)
		kb_national_parse_dossier(p, dos);
	if (leg)
		kb_national_parse_legal(p, leg);
	if (res && !kb__absent(res, strlen(res)))
		kb_national_clean_result(p, res);
}

td_err kb_national_parse_line(const char *line, size_t len, struct kb_procedure **out,
			      char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!line || !out)
		return TD_ERR_INVAL;
	*out = NULL;
	if (len > KB_NATIONAL_MAX_LINE) {
		set_err(err, errlen, "line too long (%zu bytes, the limit is %zu)", len, KB_NATIONAL_MAX_LINE);
		return TD_ERR_TOOBIG;
	}
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		set_err(err, errlen, "line is not valid JSON: %s", jerr.text);
		return TD_ERR_PARSE;
	}
	td_err rc = TD_ERR_PARSE;
	struct kb_procedure *p = NULL;
	if (!json_is_object(o)) {
		set_err(err, errlen, "line is not a JSON object");
		goto fail_json;
	}
	char *code = present(get_str(o, "ma_thu_tuc", NULL));
	char *name = present(get_str(o, "ten_thu_tuc", NULL));
	if (!code || !name) {
		set_err(err, errlen, "record lacks %s", !code ? "ma_thu_tuc (code)" : "ten_thu_tuc (name)");
		td_free(code);
		td_free(name);
		goto fail_json;
	}
	p = kb_procedure_new();
	p->code = code;
	p->name = name;
	if (!kb_code_valid(code))
		kb__warn(p, "code.shape", "ma_thu_tuc '%.*s' is not digit.6-digits", kb__snip(code, strlen(code), 40), code);
	fill_plain(p, o);
	fill_tables(p, o);
	*out = p;
	rc = TD_OK;
fail_json:
	json_decref(o);
	return rc;
}
