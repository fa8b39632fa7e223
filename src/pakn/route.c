/*
 * route.c - the routing table and the routing decision (see route.h).
 *
 * The table is small (a row per category plus overrides), so it is kept as
 * two flat arrays searched linearly; a decision costs a few string compares.
 * Reasons are written in Vietnamese because they go into the case record and
 * may be read back to the citizen.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/textfile.h"
#include "base/banned.h"
#include "base/buf.h"
#include "pakn/route.h"

#define TABLE_FILE_MAX ((size_t)1 << 20)
#define ROWS_MAX 4096

struct route_row {
	char *category;
	char scope[6];   /* "" for *, else a 5-digit code */
	char *agency;    /* "ward", a code, or "" for none */
	bool field;
	char *label;     /* may be NULL on override rows */
};

struct route_agency {
	char *code;
	char *name;
};

struct route_table {
	struct route_row *rows;
	size_t nrows;
	struct route_agency *agencies;
	size_t nagencies;
};

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void route_table_free(struct route_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows; i++) {
		td_free(t->rows[i].category);
		td_free(t->rows[i].agency);
		td_free(t->rows[i].label);
	}
	for (size_t i = 0; i < t->nagencies; i++) {
		td_free(t->agencies[i].code);
		td_free(t->agencies[i].name);
	}
	td_free(t->rows);
	td_free(t->agencies);
	td_free(t);
}

/* Next line of text[*pos..n) without its end; false at the end. */
static bool next_line(const char *text, size_t n, size_t *pos, const char **line, size_t *len)
{
	if (*pos >= n)
		return false;
	const char *s = text + *pos;
	const char *nl = memchr(s, '\n', n - *pos);
	size_t l = nl ? (size_t)(nl - s) : n - *pos;
	*pos += l + (nl ? 1 : 0);
	if (l && s[l - 1] == '\r')
		l--;
	*line = s;
	*len = l;
	return true;
}

#define FIELDS_MAX 6

/* Split line[0..len) on tabs into copies (caller frees); returns count, or
 * FIELDS_MAX + 1 if there are too many. */
static size_t split_fields(const char *line, size_t len, char **f)
{
	size_t nf = 0, start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || line[i] == '\t') {
			if (nf == FIELDS_MAX) {
				for (size_t k = 0; k < nf; k++)
					td_free(f[k]);
				return FIELDS_MAX + 1;
			}
			f[nf++] = td_strndup(line + start, i - start);
			start = i + 1;
		}
	}
	return nf;
}

static bool is_code5(const char *s)
{
	if (strlen(s) != 5)
		return false;
	for (size_t i = 0; i < 5; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static td_err parse_agencies(struct route_table *t, const char *text, size_t n, char *err,
			     size_t errlen)
{
	size_t pos = 0, lineno = 0;
	const char *line;
	size_t len;
	while (next_line(text, n, &pos, &line, &len)) {
		lineno++;
		if (len == 0 || line[0] == '#')
			continue;
		char *f[FIELDS_MAX];
		size_t nf = split_fields(line, len, f);
		if (nf != 2 || !f[0][0] || !f[1][0] || t->nagencies >= ROWS_MAX) {
			if (nf <= FIELDS_MAX)
				for (size_t k = 0; k < nf; k++)
					td_free(f[k]);
			snprintf(err, errlen, "agencies.tsv:%zu: want: code TAB name", lineno);
			return TD_ERR_PARSE;
		}
		t->agencies = td_reallocarray(t->agencies, t->nagencies + 1, sizeof *t->agencies);
		t->agencies[t->nagencies].code = f[0];
		t->agencies[t->nagencies].name = f[1];
		t->nagencies++;
	}
	return TD_OK;
}

static td_err parse_routing(struct route_table *t, const char *text, size_t n, char *err,
			    size_t errlen)
{
	size_t pos = 0, lineno = 0;
	const char *line;
	size_t len;
	while (next_line(text, n, &pos, &line, &len)) {
		lineno++;
		if (len == 0 || line[0] == '#')
			continue;
		char *f[FIELDS_MAX];
		size_t nf = split_fields(line, len, f);
		const char *why = NULL;
		if (nf > FIELDS_MAX || nf < 4)
			why = "want: category TAB scope TAB agency TAB field [TAB label]";
		else if (!f[0][0])
			why = "empty category";
		else if (strcmp(f[1], "*") != 0 && !is_code5(f[1]))
			why = "scope must be * or a 5-digit ward code";
		else if (strcmp(f[3], "yes") != 0 && strcmp(f[3], "no") != 0)
			why = "field must be yes or no";
		else if (strcmp(f[2], "ward") != 0 && strcmp(f[2], "-") != 0 &&
			 !route_agency_name(t, f[2]))
			why = "unknown agency (not in agencies.tsv)";
		else if (t->nrows >= ROWS_MAX)
			why = "too many rows";
		if (why) {
			if (nf <= FIELDS_MAX)
				for (size_t k = 0; k < nf; k++)
					td_free(f[k]);
			snprintf(err, errlen, "routing.tsv:%zu: %s", lineno, why);
			return TD_ERR_PARSE;
		}
		struct route_row r = {0};
		r.category = f[0];
		if (strcmp(f[1], "*") != 0)
			copy_str(r.scope, sizeof r.scope, f[1]);
		if (strcmp(f[2], "-") == 0) {
			r.agency = td_strdup("");
			td_free(f[2]);
		} else {
			r.agency = f[2];
		}
		r.field = strcmp(f[3], "yes") == 0;
		r.label = nf >= 5 && f[4][0] ? f[4] : NULL;
		if (nf >= 5 && !r.label)
			td_free(f[4]);
		td_free(f[1]);
		td_free(f[3]);
		for (size_t k = 5; k < nf; k++)
			td_free(f[k]);
		t->rows = td_reallocarray(t->rows, t->nrows + 1, sizeof *t->rows);
		t->rows[t->nrows++] = r;
	}
	/* every category needs its * row; "khac" must exist (the fallback) */
	bool khac = false;
	for (size_t i = 0; i < t->nrows; i++) {
		bool star = false;
		for (size_t j = 0; j < t->nrows; j++)
			if (!t->rows[j].scope[0] && strcmp(t->rows[j].category, t->rows[i].category) == 0)
				star = true;
		if (!star) {
			snprintf(err, errlen, "routing.tsv: category '%s' has no * row",
				 t->rows[i].category);
			return TD_ERR_PARSE;
		}
		if (strcmp(t->rows[i].category, "khac") == 0)
			khac = true;
	}
	if (!khac) {
		snprintf(err, errlen, "routing.tsv: no row for 'khac' (the fallback)");
		return TD_ERR_PARSE;
	}
	return TD_OK;
}

td_err route_table_parse(struct route_table **out, const char *routing, size_t rn,
			 const char *agencies, size_t an, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	if (!out || (!routing && rn) || (!agencies && an))
		return TD_ERR_INVAL;
	*out = NULL;
	struct route_table *t = td_calloc(1, sizeof *t);
	td_err e = parse_agencies(t, agencies, an, err, errlen);
	if (e)
		goto fail;
	e = parse_routing(t, routing, rn, err, errlen);
	if (e)
		goto fail;
	*out = t;
	return TD_OK;
fail:
	route_table_free(t);
	return e;
}


td_err route_table_load(struct route_table **out, const char *resource_dir, char *err,
			size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof dummy;
	}
	if (!out || !resource_dir)
		return TD_ERR_INVAL;
	char rpath[4096], apath[4096];
	snprintf(rpath, sizeof rpath, "%s/data/pakn/routing.tsv", resource_dir);
	snprintf(apath, sizeof apath, "%s/data/pakn/agencies.tsv", resource_dir);
	char *r = NULL, *a = NULL;
	size_t rn = 0, an = 0;
	td_err e = td_file_read_len(rpath, TABLE_FILE_MAX, &r, &rn, err, errlen);
	if (e) {
		snprintf(err, errlen, "%s: %s", rpath, td_strerror(e));
		goto out;
	}
	e = td_file_read_len(apath, TABLE_FILE_MAX, &a, &an, err, errlen);
	if (e) {
		snprintf(err, errlen, "%s: %s", apath, td_strerror(e));
		goto out;
	}
	e = route_table_parse(out, r, rn, a, an, err, errlen);
out:
	td_free(r);
	td_free(a);
	return e;
}

const char *route_agency_name(const struct route_table *t, const char *code)
{
	if (!t || !code)
		return NULL;
	for (size_t i = 0; i < t->nagencies; i++)
		if (strcmp(t->agencies[i].code, code) == 0)
			return t->agencies[i].name;
	return NULL;
}

static const struct route_row *find_row(const struct route_table *t, const char *category,
					const char *scope)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].category, category) == 0 &&
		    strcmp(t->rows[i].scope, scope ? scope : "") == 0)
			return &t->rows[i];
	return NULL;
}

const char *route_category_label(const struct route_table *t, const char *category)
{
	const struct route_row *r = t && category ? find_row(t, category, NULL) : NULL;
	return r ? r->label : NULL;
}

bool route_is_field_report(const struct route_table *t, const char *category)
{
	const struct route_row *r = t && category ? find_row(t, category, NULL) : NULL;
	return r && r->field;
}

bool route_is_ward_category(const struct route_table *t, const char *category)
{
	const struct route_row *r = t && category ? find_row(t, category, NULL) : NULL;
	return r && strcmp(r->agency, "ward") == 0;
}

const char *route_status_name(enum route_status s)
{
	switch (s) {
	case ROUTE_ACCEPTED:
		return "accepted";
	case ROUTE_NEEDS_PLACE:
		return "needs_place";
	case ROUTE_CONFIRM_PLACE:
		return "confirm_place";
	case ROUTE_NOT_ACCEPTED:
		return "not_accepted";
	}
	return "accepted";
}

/* "UBND phường Hồng Hà (00097)" for a ubnd:<code>, else the agency's name. */
static void add_agency(struct td_buf *b, const struct route_table *t, const char *code)
{
	const char *name = route_agency_name(t, code);
	if (strncmp(code, "ubnd:", 5) == 0)
		td_buf_addf(b, "%s (%s)", name ? name : code, code + 5);
	else
		td_buf_addf(b, "%s", name ? name : code);
}

/* Where the place came from, for the reason. */
static void add_place_origin(struct td_buf *b, const struct place_result *p, const char *text,
			     size_t n)
{
	if (!p || p->n == 0)
		return;
	size_t len = p->span_len;
	if (!text || p->span_start + len > n)
		len = 0;
	if (len > 120) {
		len = 120;
		while (len && ((unsigned char)text[p->span_start + len] & 0xc0) == 0x80)
			len--;
	}
	td_buf_adds(b, p->from_old_address ? "xác định từ địa chỉ cũ '" : "xác định từ tên '");
	td_buf_add(b, text + p->span_start, len);
	td_buf_adds(b, "'");
}

static void add_candidates(struct td_buf *b, const struct place_result *p)
{
	for (size_t i = 0; i < p->n; i++)
		td_buf_addf(b, "%s%s (%s)", i ? ", " : "", p->cand[i].name, p->cand[i].code);
}

td_err route_decide(const struct route_table *t, const char *category,
		    const struct place_result *place, const char *text, size_t n,
		    struct route_decision *out)
{
	if (!t || !out)
		return TD_ERR_INVAL;
	memset(out, 0, sizeof *out);
	const char *cat = category && find_row(t, category, NULL) ? category : "khac";
	const struct route_row *star = find_row(t, cat, NULL);
	const char *label = star->label ? star->label : cat;
	size_t nplace = place ? place->n : 0;
	const struct route_row *row = star;
	if (nplace == 1) {
		const struct route_row *ov = find_row(t, cat, place->cand[0].code);
		if (ov) {
			row = ov;
			out->override = true;
		}
	}
	out->ward_category = strcmp(star->agency, "ward") == 0;
	struct td_buf b;
	td_buf_init(&b, ROUTE_REASON_MAX - 1);
	if (category && strcmp(cat, category) != 0)
		td_buf_addf(&b, "Nhóm '%s' không có trong bảng định tuyến, xử lý như 'Khác'. ",
			    category);

	if (!row->agency[0]) {
		out->status = ROUTE_NOT_ACCEPTED;
		td_buf_addf(&b,
			    "%s không phải phản ánh, kiến nghị: không tiếp nhận theo quy trình PAKN. "
			    "Hướng dẫn công dân gửi đơn khiếu nại/tố cáo đến cơ quan có thẩm quyền "
			    "theo Luật Khiếu nại, Luật Tố cáo (cơ quan đã ra quyết định hoặc cấp trên "
			    "trực tiếp của người bị tố cáo).",
			    label);
	} else if (strcmp(row->agency, "ward") == 0) {
		if (nplace == 1) {
			snprintf(out->agency, sizeof out->agency, "ubnd:%s", place->cand[0].code);
			out->status = ROUTE_ACCEPTED;
			td_buf_addf(&b, "%s thuộc thẩm quyền ", label);
			add_agency(&b, t, out->agency);
			td_buf_adds(&b, ", ");
			add_place_origin(&b, place, text, n);
			td_buf_adds(&b, ".");
		} else if (nplace > 1) {
			copy_str(out->agency, sizeof out->agency, "ttpvhcc");
			out->status = ROUTE_CONFIRM_PLACE;
			for (size_t i = 0; i < nplace && i < PLACE_CODES_MAX; i++)
				snprintf(out->candidates[i], sizeof out->candidates[i], "ubnd:%s",
					 place->cand[i].code);
			out->n_candidates = nplace;
			td_buf_addf(&b, "%s thuộc thẩm quyền UBND phường/xã nơi xảy ra, nhưng ", label);
			add_place_origin(&b, place, text, n);
			td_buf_addf(&b, " ứng với %zu đơn vị: ", nplace);
			add_candidates(&b, place);
			td_buf_adds(&b, ". Chuyển ");
			add_agency(&b, t, "ttpvhcc");
			td_buf_adds(&b, " phân loại và hỏi lại người dân phường/xã cụ thể.");
		} else {
			copy_str(out->agency, sizeof out->agency, "ttpvhcc");
			out->status = ROUTE_NEEDS_PLACE;
			td_buf_addf(&b, "%s thuộc thẩm quyền UBND phường/xã nơi xảy ra, nhưng chưa "
					"xác định được phường/xã. Chuyển ",
				    label);
			add_agency(&b, t, "ttpvhcc");
			td_buf_adds(&b, " phân loại và hỏi người dân địa điểm.");
		}
	} else {
		copy_str(out->agency, sizeof out->agency, row->agency);
		out->status = ROUTE_ACCEPTED;
		td_buf_addf(&b, "%s thuộc thẩm quyền ", label);
		add_agency(&b, t, out->agency);
		if (out->override) {
			td_buf_addf(&b, " (quy định riêng cho %s)", place->cand[0].name);
		} else if (nplace) {
			td_buf_adds(&b, "; địa bàn: ");
			add_candidates(&b, place);
			td_buf_adds(&b, ", ");
			add_place_origin(&b, place, text, n);
		}
		td_buf_adds(&b, ".");
	}
	if (td_buf_error(&b) == TD_OK && b.data)
		copy_str(out->reason, sizeof out->reason, b.data);
	else
		copy_str(out->reason, sizeof out->reason, label);
	td_buf_release(&b);
	return TD_OK;
}
