/*
 * pakn_view.c - the public face of a PAKN case (see pakn_view.h).
 */
#include "http/pakn_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "pakn/pakn.h"
#include "pakn/route.h"
#include "store/store.h"
#include "base/banned.h"

void pakn_view_time(int64_t t, char out[32])
{
	time_t local = (time_t)(t + 7 * 3600);
	struct tm tm;
	gmtime_r(&local, &tm);
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S+07:00", &tm) == 0)
		out[0] = '\0';
}

static bool digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

bool pakn_view_parse_time(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	if (!s || strlen(s) < 10 || strlen(s) > 40 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	const char *p = s + 10;
	long offset = 7 * 3600; /* no zone: Hanoi */
	if (*p == 'T' || *p == ' ') {
		if (!digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
			return false;
		p += 6;
		if (*p == ':') {
			if (!digits(p + 1, 2, &se))
				return false;
			p += 3;
			if (*p == '.') {
				p++;
				while (*p >= '0' && *p <= '9')
					p++;
			}
		}
		if (*p == 'Z') {
			offset = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
			    oh > 14 || om > 59)
				return false;
			offset = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
			p += 6;
		}
	}
	if (*p || y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = se};
	time_t t = timegm(&tm);
	struct tm back;
	gmtime_r(&t, &back);
	if (back.tm_mday != d) /* 2026-02-31 */
		return false;
	*out = (int64_t)t - offset;
	return true;
}

json_t *pakn_view_list(const char *s)
{
	json_t *a = json_array();
	for (const char *p = s; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		if (l)
			json_array_append_new(a, json_stringn(p, l));
		p += l + (comma ? 1 : 0);
	}
	return a;
}

const char *pakn_view_category_name(const char *slug)
{
	for (size_t i = 0; i < pakn_category_count(); i++)
		if (strcmp(pakn_category_slug(i), slug) == 0)
			return pakn_category_name(i);
	return slug;
}

/* td_pii_mask, except case numbers (DDDDDD-DDDD-D with a valid check
 * digit), which are not personal data and must stay readable. */
void pakn_view_mask_note(struct td_buf *out, const char *s)
{
	struct td_buf seg;
	td_buf_init(&seg, 8192);
	const char *p = s;
	while (*p) {
		size_t l = 0;
		while (p[l] && ((p[l] >= '0' && p[l] <= '9') || p[l] == '-'))
			l++;
		char canon[STORE_CASE_NUMBER_MAX + 1];
		if (l >= 13 && l <= 20 && (p == s || p[-1] == ' ')) {
			char tmp[24];
			memcpy(tmp, p, l);
			tmp[l] = '\0';
			if (tmp[6] == '-' && store_case_number_parse(tmp, canon) == TD_OK) {
				if (seg.len)
					td_pii_mask(out, seg.data);
				td_buf_clear(&seg);
				td_buf_add(out, p, l);
				p += l;
				continue;
			}
		}
		td_buf_add(&seg, p, l ? l : 1);
		p += l ? l : 1;
	}
	if (seg.len)
		td_pii_mask(out, seg.data);
	td_buf_release(&seg);
}

struct hist_ctx {
	json_t *a;
};

static int hist_one(const struct store_case_event *e, void *ctx)
{
	struct hist_ctx *h = ctx;
	char at[32];
	pakn_view_time(e->at, at);
	json_t *o = json_object();
	json_object_set_new(o, "at", json_string(at));
	enum store_case_status st;
	bool known = store_case_status_parse(e->status, &st);
	json_object_set_new(o, "status", known ? json_string(e->status) : json_null());
	json_object_set_new(o, "status_label",
			    known ? json_string(store_case_status_label(st)) : json_null());
	struct td_buf b;
	td_buf_init(&b, 8192);
	pakn_view_mask_note(&b, e->note ? e->note : "");
	json_object_set_new(o, "note", json_string(b.data && !td_buf_error(&b) ? b.data : ""));
	td_buf_release(&b);
	json_array_append_new(h->a, o);
	return 0;
}

json_t *pakn_view_history(struct store *s, int64_t id)
{
	struct hist_ctx h = {.a = json_array()};
	if (store_case_history(s, id, hist_one, &h) != TD_OK) {
		json_decref(h.a);
		return NULL;
	}
	return h.a;
}

json_t *pakn_view_public(const struct store_case *c, const struct route_table *routes)
{
	char num[STORE_CASE_NUMBER_DISPLAY_MAX], at[32], up[32];
	store_case_number_display(c->number, num, sizeof num);
	pakn_view_time(c->received_at, at);
	pakn_view_time(c->updated_at, up);
	json_t *o = json_object();
	json_object_set_new(o, "number", json_string(num));
	json_object_set_new(o, "status", json_string(store_case_status_name(c->status)));
	json_object_set_new(o, "status_label", json_string(store_case_status_label(c->status)));
	json_object_set_new(o, "status_reason",
			    c->status_reason ? json_string(c->status_reason) : json_null());
	json_object_set_new(o, "category", json_string(c->category));
	json_object_set_new(o, "category_name", json_string(pakn_view_category_name(c->category)));
	json_object_set_new(o, "level", json_string(c->level));
	const char *an = c->agency[0] && routes ? route_agency_name(routes, c->agency) : NULL;
	json_object_set_new(o, "agency", c->agency[0] ? json_string(c->agency) : json_null());
	json_object_set_new(o, "agency_name", an ? json_string(an) : json_null());
	json_object_set_new(o, "ward_codes", pakn_view_list(c->ward_codes));
	json_object_set_new(o, "received_at", json_string(at));
	json_object_set_new(o, "updated_at", json_string(up));
	if (c->duplicate_number[0]) {
		char d[STORE_CASE_NUMBER_DISPLAY_MAX];
		store_case_number_display(c->duplicate_number, d, sizeof d);
		json_object_set_new(o, "duplicate_of", json_string(d));
	} else {
		json_object_set_new(o, "duplicate_of", json_null());
	}
	json_object_set_new(o, "reporters", json_integer((json_int_t)c->reporters));
	return o;
}
