/*
 * pakn_view.h - how a PAKN case looks from outside: shared by the REST
 * endpoints (api_pakn.c) and Open311 (open311.c).
 *
 * Only the public parts of a case ever pass through here: never the contact
 * (which these functions do not even read), never the original text (the
 * public, masked copy at most).
 */
#ifndef TD_HTTP_PAKN_VIEW_H
#define TD_HTTP_PAKN_VIEW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store_case.h"

struct store;
struct route_table;

/* t as W3C date-time in Hanoi time, "2026-11-28T10:15:00+07:00". */
void pakn_view_time(int64_t t, char out[32]);

/* Parse a W3C date-time ("2026-11-28", "2026-11-28T10:15", "…:00Z",
 * "…+07:00"; no zone = Hanoi).  false if malformed. */
bool pakn_view_parse_time(const char *s, int64_t *out);

/* The comma list s as a JSON array of strings (new reference). */
json_t *pakn_view_list(const char *s);

/* The history of case id as a JSON array [{at, status, status_label, note}]
 * with notes masked (td_pii_mask); NULL on a store error. */
json_t *pakn_view_history(struct store *s, int64_t id);

/* The public status view of a case (new reference): number, status, labels,
 * category, agency, wards, times, duplicate link, reporters; no text, no
 * contact.  routes names the agency (may be NULL). */
json_t *pakn_view_public(const struct store_case *c, const struct route_table *routes);

/* Append note with personal data masked (td_pii_mask) but case numbers
 * kept readable. */
void pakn_view_mask_note(struct td_buf *out, const char *note);

/* The category's Vietnamese name, or the slug. */
const char *pakn_view_category_name(const char *slug);

#endif
