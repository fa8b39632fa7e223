/*
 * route.h - which agency handles a PAKN, and why.
 *
 * The decision is data: data/pakn/routing.tsv maps a category (and optionally
 * one 2025 ward code, for overrides such as a pilot ward) to an agency, to
 * "ward" (the UBND of the ward/commune found by src/pakn/place.h) or to none
 * (not a PAKN: complaints and denunciations).  data/pakn/agencies.tsv names
 * the agencies.  Rules (docs PAKN.md):
 *   - a "ward" category goes to ubnd:<code> when exactly one ward is found;
 *     with several candidates (a split old ward, a repeated name) to ttpvhcc
 *     with status ROUTE_CONFIRM_PLACE and the candidates listed; with none to
 *     ttpvhcc with ROUTE_NEEDS_PLACE (the channel asks the citizen);
 *   - a department category goes to its agency whatever the place;
 *   - khieu-nai-to-cao: no agency, ROUTE_NOT_ACCEPTED, guidance in the reason;
 *   - an unknown category is treated as "khac".
 * Every decision carries a Vietnamese reason naming the category, the agency
 * and where the place came from.
 *
 * A loaded table is immutable and may be shared by threads.
 */
#ifndef TD_PAKN_ROUTE_H
#define TD_PAKN_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "pakn/place.h"

#define ROUTE_AGENCY_MAX 32
#define ROUTE_REASON_MAX 768

struct route_table;

/* Load resource_dir/data/pakn/routing.tsv and agencies.tsv.  On success *out
 * is a new table the caller frees with route_table_free.  Errors:
 * TD_ERR_NOTFOUND/TD_ERR_IO (file), TD_ERR_TOOBIG (over 1 MiB or 4096 rows),
 * TD_ERR_PARSE (bad row, unknown agency, a category without its * row); err
 * then says "file:LINE: reason". */
td_err route_table_load(struct route_table **out, const char *resource_dir, char *err,
			size_t errlen);

/* The same from memory (tests); names are used in error messages. */
td_err route_table_parse(struct route_table **out, const char *routing, size_t rn,
			 const char *agencies, size_t an, char *err, size_t errlen);

void route_table_free(struct route_table *t);

/* The Vietnamese name of an agency code, or NULL; owned by t. */
const char *route_agency_name(const struct route_table *t, const char *code);
/* The category's Vietnamese label from the table, or NULL; owned by t. */
const char *route_category_label(const struct route_table *t, const char *category);
/* True if the category is a field report (place and time required). */
bool route_is_field_report(const struct route_table *t, const char *category);
/* True if the category goes to the ward's UBND by default. */
bool route_is_ward_category(const struct route_table *t, const char *category);

enum route_status {
	ROUTE_ACCEPTED,      /* agency set */
	ROUTE_NEEDS_PLACE,   /* ward category, no place: ttpvhcc triages, ask the citizen */
	ROUTE_CONFIRM_PLACE, /* ward category, several candidates: ttpvhcc, confirm one */
	ROUTE_NOT_ACCEPTED,  /* not a PAKN (khiếu nại, tố cáo): no agency */
};

/* "accepted", "needs_place", "confirm_place", "not_accepted" (static). */
const char *route_status_name(enum route_status s);

struct route_decision {
	char agency[ROUTE_AGENCY_MAX]; /* "ubnd:00097", "so-xay-dung", "ttpvhcc"; "" if none */
	enum route_status status;
	bool ward_category;
	bool override;                 /* a ward-specific row decided */
	size_t n_candidates;           /* ROUTE_CONFIRM_PLACE: ubnd:<code> of each candidate */
	char candidates[PLACE_CODES_MAX][ROUTE_AGENCY_MAX];
	char reason[ROUTE_REASON_MAX]; /* Vietnamese */
};

/* Decide for category (a slug; NULL or unknown = "khac") and the place found
 * in text[0..n) (place may be NULL: no place; text is used to quote the
 * matched address).  Fills *out.  Errors: TD_ERR_INVAL for NULL t or out. */
td_err route_decide(const struct route_table *t, const char *category,
		    const struct place_result *place, const char *text, size_t n,
		    struct route_decision *out);

#endif
