/*
 * report_pakn.c - the report dialog's real backend: the PAKN classifier,
 * the place resolver and the completeness check for each turn, the intake
 * pipeline to file, the case store to look a case up.
 *
 * It borrows the intake's classifier and place index, so a turn is analysed
 * with exactly the models that will file the case.  Analysis follows the
 * intake's order exactly (place from the text, else the location words,
 * else the reply address) so what the dialog asks for is what the intake
 * would find missing.  Lookups read the public fields of a case only.
 */
#include "answer/report_dialog.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "pakn/intake.h"
#include "pakn/pakn.h"
#include "pakn/place.h"
#include "pakn/route.h"
#include "store/store_case.h"
#include "base/banned.h"

struct report_pakn {
	struct pakn_intake *intake;  /* borrowed */
	const struct pakn_model *model;    /* the intake's */
	const struct place_index *places;  /* the intake's */
	struct report_store_access sa;
};

static const char *category_name(const char *slug)
{
	for (size_t i = 0; i < pakn_category_count(); i++)
		if (strcmp(pakn_category_slug(i), slug) == 0)
			return pakn_category_name(i);
	return "Khác";
}

static td_err rp_analyse(void *ctx, const struct dialog_report *d, struct report_analysis *out)
{
	struct report_pakn *p = ctx;
	memset(out, 0, sizeof *out);
	const struct route_table *rt = pakn_intake_routes(p->intake);
	struct pakn_classification cl;
	td_err e = pakn_classify(p->model, d->text, d->text_len, &cl);
	if (e != TD_OK)
		return e;
	snprintf(out->category, sizeof out->category, "%s", cl.category);
	snprintf(out->category_name, sizeof out->category_name, "%s", category_name(cl.category));
	out->complaint = strcmp(cl.category, "khieu-nai-to-cao") == 0;
	out->field_report = route_is_field_report(rt, cl.category);
	out->emergency = cl.emergency;
	snprintf(out->emergency_numbers, sizeof out->emergency_numbers, "%s", cl.emergency_numbers);

	struct place_result place;
	place_result_init(&place);
	const char *src = d->text;
	size_t srcn = d->text_len;
	place_resolve(p->places, src, srcn, &place);
	const char *alt[2] = {d->location, d->address};
	for (int i = 0; i < 2 && place.n == 0; i++)
		if (alt[i][0]) {
			place_resolve(p->places, alt[i], strlen(alt[i]), &place);
			if (place.n) {
				src = alt[i];
				srcn = strlen(alt[i]);
			}
		}
	for (size_t i = 0; i < place.n && i < REPORT_WARDS_MAX; i++) {
		snprintf(out->wards[i], sizeof out->wards[i], "%s", place.cand[i].code);
		snprintf(out->ward_names[i], sizeof out->ward_names[i], "%s",
			 place.cand[i].name ? place.cand[i].name : place.cand[i].code);
	}
	out->n_wards = place.n < REPORT_WARDS_MAX ? place.n : REPORT_WARDS_MAX;
	if (out->complaint) {
		struct route_decision rd;
		route_decide(rt, cl.category, &place, src, srcn, &rd);
		snprintf(out->guidance, sizeof out->guidance, "%s", rd.reason);
	}
	place_result_release(&place);

	struct pakn_form form = {
		.name = d->name,
		.phone = d->phone,
		.address = d->address,
	};
	struct pakn_missing miss;
	pakn_missing(d->text, d->text_len, &form, out->field_report,
		     out->n_wards > 0 || d->ward_pick > 0, &miss);
	out->n_missing = miss.n;
	for (size_t i = 0; i < miss.n && i < PAKN_MISSING_MAX; i++)
		out->missing[i] = miss.fields[i];
	snprintf(out->name, sizeof out->name, "%s", miss.name);
	snprintf(out->phone, sizeof out->phone, "%s", miss.phone);
	return TD_OK;
}

static td_err rp_file(void *ctx, const struct report_submission *s, struct report_filing *out)
{
	struct report_pakn *p = ctx;
	memset(out, 0, sizeof *out);
	struct pakn_submission sub = {
		.text = s->text,
		.channel = s->channel,
		.location = s->location && *s->location ? s->location : NULL,
		.ward_code = s->ward_code,
		.actor = "chat",
	};
	snprintf(sub.contact.name, sizeof sub.contact.name, "%s", s->name ? s->name : "");
	snprintf(sub.contact.phone, sizeof sub.contact.phone, "%s", s->phone ? s->phone : "");
	snprintf(sub.contact.address, sizeof sub.contact.address, "%s", s->address ? s->address : "");
	snprintf(sub.contact.email, sizeof sub.contact.email, "%s", s->email ? s->email : "");
	struct pakn_intake_result *res = td_malloc(sizeof *res);
	char err[256];
	td_err e = pakn_intake_submit(p->intake, &sub, res, err, sizeof err);
	if (e != TD_OK) {
		td_free(res);
		return e;
	}
	snprintf(out->number, sizeof out->number, "%s", res->display_number);
	snprintf(out->duplicate, sizeof out->duplicate, "%s", res->duplicate_display);
	out->not_accepted = res->c.status == STORE_CASE_NOT_ACCEPTED && !res->duplicate_display[0];
	snprintf(out->reason, sizeof out->reason, "%s",
		 res->c.status_reason ? res->c.status_reason : "");
	snprintf(out->agency_name, sizeof out->agency_name, "%s",
		 res->agency_name ? res->agency_name : "");
	snprintf(out->level, sizeof out->level, "%s", res->c.level);
	struct td_buf b;
	td_buf_init(&b, sizeof out->missing - 1);
	for (size_t i = 0; i < res->n_missing; i++) {
		if (i)
			td_buf_adds(&b, "; ");
		td_buf_adds(&b, pakn_intake_missing_label(res->missing[i]));
	}
	snprintf(out->missing, sizeof out->missing, "%s", b.data && !td_buf_error(&b) ? b.data : "");
	td_buf_release(&b);
	pakn_intake_result_release(res);
	td_free(res);
	return TD_OK;
}

static td_err rp_lookup(void *ctx, const char *canon, struct report_case_view *out)
{
	struct report_pakn *p = ctx;
	memset(out, 0, sizeof *out);
	if (!p->sa.acquire)
		return TD_ERR_INVAL;
	struct store *st;
	td_err e = p->sa.acquire(p->sa.ctx, &st);
	if (e != TD_OK)
		return e;
	struct store_case *c = td_malloc(sizeof *c);
	e = store_case_get(st, canon, c);
	p->sa.release(p->sa.ctx, st);
	if (e == TD_OK) {
		const struct route_table *rt = pakn_intake_routes(p->intake);
		store_case_number_display(c->number, out->number, sizeof out->number);
		snprintf(out->status_label, sizeof out->status_label, "%s",
			 store_case_status_label(c->status));
		const char *an = c->agency[0] ? route_agency_name(rt, c->agency) : NULL;
		snprintf(out->agency_name, sizeof out->agency_name, "%s", an ? an : "");
		snprintf(out->category_name, sizeof out->category_name, "%s",
			 category_name(c->category));
		out->updated_at = c->updated_at ? c->updated_at : c->received_at;
		if (c->duplicate_number[0])
			store_case_number_display(c->duplicate_number, out->duplicate,
						  sizeof out->duplicate);
		store_case_release(c);
	}
	td_free(c);
	return e;
}

td_err report_pakn_new(struct pakn_intake *intake, const struct report_store_access *sa,
		       struct report_pakn **out)
{
	*out = NULL;
	if (!intake)
		return TD_ERR_INVAL;
	struct report_pakn *p = td_calloc(1, sizeof *p);
	p->intake = intake;
	p->model = pakn_intake_model(intake);
	p->places = pakn_intake_places(intake);
	if (sa)
		p->sa = *sa;
	*out = p;
	return TD_OK;
}

void report_pakn_free(struct report_pakn *p)
{
	td_free(p);
}

void report_pakn_backend(struct report_pakn *p, struct report_backend *out)
{
	out->analyse = rp_analyse;
	out->file = rp_file;
	out->lookup = rp_lookup;
	out->ctx = p;
}
