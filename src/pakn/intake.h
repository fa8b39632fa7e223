/*
 * intake.h - a citizen's report in, a durable numbered case out.
 *
 * One pipeline for every channel (phone transcript, chat, app, web form,
 * Open311): validate -> classify (pakn.h) -> find the ward (place.h) ->
 * check what is missing (complete.h) -> route (route.h) -> decide the status
 * -> hand the case to the group-commit writer (store_case.h), which links a
 * duplicate of a recent open case in the same ward and category (dup.h) and
 * returns only once the case is on disk -> Vietnamese messages for the
 * citizen.
 *
 * Status rules (docs PAKN.md):
 *   khieu-nai-to-cao            not_accepted, with where to lodge it;
 *   missing required parts      not_accepted when the channel cannot ask
 *                               (open311), else received with `missing`;
 *   a duplicate                 closed, linked to the open case it joins;
 *   everything else             received.
 * An emergency is recorded like any report, and the messages tell the
 * citizen to call 113/114/115 at once.
 *
 * Thread safety: after pakn_intake_open, pakn_intake_submit may be called
 * from any number of threads at once.
 */
#ifndef TD_PAKN_INTAKE_H
#define TD_PAKN_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "pakn/complete.h"
#include "store/store_case.h"

struct pakn_model; /* pakn.h */
struct place_index; /* place.h */

struct route_table;
struct pakn_intake;

/* Longest report text, in Unicode characters (Open311's description
 * limit); longer is refused with TD_ERR_TOOBIG. */
#define PAKN_INTAKE_TEXT_MAX_CHARS 4000

struct pakn_intake_config {
	const char *data_dir;     /* the store location (required) */
	const char *resource_dir; /* holds data/pakn and data/hanoi; NULL: the source tree */
	unsigned dup_window_days; /* 0: default 7 */
	double dup_threshold;     /* 0: default 0.5 */
	size_t queue_max;         /* 0: default 8192 */
	size_t batch_max;         /* 0: default 1024 */
	unsigned wait_ms;         /* wait for room in a full queue; 0: default 5000 */
};

/*
 * Load the classifier, the place index and the routing table, start the
 * case writer and rebuild the duplicate index from the open cases of the
 * window.  err says why on failure.  Free with pakn_intake_close.
 */
td_err pakn_intake_open(const struct pakn_intake_config *cfg, struct pakn_intake **out, char *err,
			size_t errlen);
/* Stop the writer (after the queue drains) and free everything. */
void pakn_intake_close(struct pakn_intake *in);

/* The routing table (agency and category names), owned by in. */
const struct route_table *pakn_intake_routes(const struct pakn_intake *in);

/* Channels: "phone", "chat", "app", "web", "open311". */
bool pakn_intake_channel_ok(const char *channel);

struct pakn_submission {
	const char *text;                   /* the report, UTF-8 (required) */
	const char *channel;                /* NULL: "web" */
	struct store_case_contact contact;  /* any field may be "" */
	const char *service_code;           /* a category slug chosen by the sender, or NULL */
	bool has_location;
	double lat, lon;
	const char *location;               /* where the problem is, in words, or NULL */
	const char *ward_code;              /* a ward the sender confirmed ("00097"), or
					     * NULL; wins over the place found in the text */
	const char *device_id, *account_id; /* Open311, or NULL */
	size_t n_attachments;
	struct store_case_attachment attachments[STORE_CASE_ATTACH_MAX];
	const char *actor;                  /* who recorded it: "api", "cli", "open311:NAME" */
};

#define PAKN_INTAKE_MESSAGES_MAX 6

struct pakn_intake_result {
	struct store_case c;     /* the case as stored (owned: pakn_intake_result_release) */
	char display_number[STORE_CASE_NUMBER_DISPLAY_MAX];
	char duplicate_display[STORE_CASE_NUMBER_DISPLAY_MAX]; /* "" when not a duplicate */
	size_t n_missing;
	const char *missing[PAKN_MISSING_MAX]; /* static codes (complete.h) */
	const char *category_name;             /* static or owned by the intake */
	const char *agency_name;               /* owned by the intake, or NULL */
	size_t n_messages;
	char messages[PAKN_INTAKE_MESSAGES_MAX][768]; /* Vietnamese, for the citizen */
};

/*
 * Process and durably store one report.  On TD_OK res holds the stored
 * case and the messages (release with pakn_intake_result_release).  Errors:
 * TD_ERR_INVAL (no text, unknown channel or service code, bad attachment),
 * TD_ERR_UTF8, TD_ERR_TOOBIG (text over PAKN_INTAKE_TEXT_MAX_CHARS),
 * TD_ERR_BUSY (the write queue stayed full), TD_ERR_DB (the write failed:
 * nothing was stored).  err (may be NULL) gets a Vietnamese message for the
 * sender on a validation error.
 */
td_err pakn_intake_submit(struct pakn_intake *in, const struct pakn_submission *sub,
			  struct pakn_intake_result *res, char *err, size_t errlen);
void pakn_intake_result_release(struct pakn_intake_result *res);

/* Counters for /metrics (thread-safe). */
struct pakn_intake_stats {
	unsigned long cases, duplicates, not_accepted, emergencies, failed;
	struct store_case_writer_stats writer;
};
void pakn_intake_stats(struct pakn_intake *in, struct pakn_intake_stats *out);

/* The intake's classifier and place index, for callers that analyse a
 * message the way the intake will (the chat's report dialog).  Owned by the
 * intake, immutable and thread-safe, valid until pakn_intake_close. */
const struct pakn_model *pakn_intake_model(const struct pakn_intake *in);
const struct place_index *pakn_intake_places(const struct pakn_intake *in);

/* The Vietnamese label of a missing-part code ("họ tên", ...), static. */
const char *pakn_intake_missing_label(const char *code);

#endif
