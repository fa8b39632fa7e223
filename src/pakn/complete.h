/*
 * complete.h - what a PAKN still lacks before it can be accepted.
 *
 * PAKN.md: a PAKN needs content in Vietnamese, the sender's name, a phone
 * number or an address for the reply, and for field reports (routing.tsv
 * column "field") the place (ward/commune) and the time.  The channel asks
 * for each missing part; pakn_missing also picks a name and a phone number
 * out of the free text ("tôi là Nguyễn Văn An, sđt 0912345678") so the
 * channel does not ask for them again.
 *
 * Missing-field codes (stable, used by the API and the tests):
 *   noi_dung_tieng_viet  no Vietnamese content (empty, or no Vietnamese words)
 *   ho_ten               no name (form field or "tôi là/tên tôi là …" in text)
 *   lien_he              no phone (form or text), e-mail or address for the reply
 *   dia_diem             field report and no ward/commune found
 *   thoi_gian            field report and no time ("sáng nay", "tối qua", "từ 3 ngày
 *                        nay", "22h", "15/8", "đang", "hằng đêm", …)
 */
#ifndef TD_PAKN_COMPLETE_H
#define TD_PAKN_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* Form fields sent with the message; any may be NULL or "". */
struct pakn_form {
	const char *name;
	const char *phone;
	const char *address;
};

#define PAKN_MISSING_MAX 5

struct pakn_missing {
	size_t n;                              /* missing parts */
	const char *fields[PAKN_MISSING_MAX];  /* codes above (static strings) */
	char name[96];   /* a name found in the text, or "" */
	char phone[16];  /* a phone found in the text (digits, 0…), or "" */
	bool has_time;   /* a time expression was found */
	bool vietnamese; /* the content is Vietnamese */
};

/* Check text[0..n) (at most 8 KiB read) with optional form fields.
 * field_report: the category needs a place and a time; has_place: the place
 * resolver found at least one ward.  Fills *out.  Errors: TD_ERR_INVAL for a
 * NULL out, TD_ERR_NOMEM never (bounded buffers). */
td_err pakn_missing(const char *text, size_t n, const struct pakn_form *form, bool field_report,
		    bool has_place, struct pakn_missing *out);

#endif
