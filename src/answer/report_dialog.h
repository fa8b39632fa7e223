/*
 * report_dialog.h - a citizen's report (phản ánh, kiến nghị) collected in
 * the chat, one missing thing per turn, then filed as a numbered case; and
 * "how is my report doing?" answered from the case store.
 *
 * The dialog is a layer over answer_question: while a draft is under way
 * (struct dialog_report inside struct dialog, plain bytes, so the session
 * store keeps it) every message answers the pending question; otherwise the
 * message is answered as usual and a `pakn_report` / `pakn_status` intent
 * starts the report or the lookup instead of the canned placeholder.  What
 * the report lacks, its category, place and emergency come from a backend
 * (struct report_backend): the real one runs the PAKN classifier, the
 * place resolver and the completeness check, files through the intake
 * pipeline (pakn/intake.h) and looks cases up in the store; the tests plug
 * in a fake.  docs/internals/answer.md "Reports in the chat" has the
 * conversation.
 *
 * Thread safety: a backend is shared by any number of threads; each turn
 * has its own struct dialog and struct answer_result.
 */
#ifndef TD_ANSWER_REPORT_DIALOG_H
#define TD_ANSWER_REPORT_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer/answer.h"
#include "base/buf.h"
#include "base/error.h"
#include "pakn/complete.h"

#define REPORT_WARDS_MAX 8
#define REPORT_NUMBER_MAX 20 /* display form "261128-0001-0" and NUL */

/* What the backend makes of a draft. */
struct report_analysis {
	char category[32];         /* slug */
	char category_name[96];    /* Vietnamese */
	bool field_report;         /* place and time required */
	bool complaint;            /* khieu-nai-to-cao: not a PAKN */
	bool emergency;
	char emergency_numbers[16]; /* "113", "114,115", "" */
	size_t n_wards;            /* candidate wards found in text, else location/address */
	char wards[REPORT_WARDS_MAX][6];
	char ward_names[REPORT_WARDS_MAX][64];
	size_t n_missing;          /* complete.h codes, static strings */
	const char *missing[PAKN_MISSING_MAX];
	char name[96];             /* found in the text, or "" */
	char phone[16];
	char guidance[768];        /* complaint: where to lodge it (Vietnamese), or "" */
};

/* A draft to file.  Strings borrowed; any may be "" (not NULL). */
struct report_submission {
	const char *text;     /* verbatim, later content turns appended */
	const char *channel;  /* "chat", "app", "phone" */
	const char *name, *phone, *address, *email;
	const char *location; /* the place in words (answers, the chosen ward) */
	const char *ward_code;/* the ward the citizen picked among candidates, or NULL */
};

struct report_filing {
	char number[REPORT_NUMBER_MAX];    /* display form */
	char duplicate[REPORT_NUMBER_MAX]; /* the open case it joined, or "" */
	bool not_accepted;
	char reason[768];                  /* not accepted: why */
	char agency_name[160];             /* "" unknown */
	char level[16];                    /* normal, urgent, complex */
	char missing[256];                 /* labels still missing, "; "-separated, or "" */
};

/* The public view of a case: never its text or contact. */
struct report_case_view {
	char number[REPORT_NUMBER_MAX];
	char status_label[64];
	char agency_name[160];
	char category_name[96];
	int64_t updated_at;                /* Unix seconds */
	char duplicate[REPORT_NUMBER_MAX]; /* merged into this case, or "" */
};

struct report_backend {
	/* Analyse d's text/location/contact.  TD_OK or an error (the turn
	 * then says the service is unavailable). */
	td_err (*analyse)(void *ctx, const struct dialog_report *d, struct report_analysis *out);
	/* File durably; on TD_OK out is filled.  TD_ERR_BUSY / TD_ERR_DB:
	 * nothing was stored. */
	td_err (*file)(void *ctx, const struct report_submission *s, struct report_filing *out);
	/* Look up a canonical (checked) number; TD_ERR_NOTFOUND if none. */
	td_err (*lookup)(void *ctx, const char *canon, struct report_case_view *out);
	void *ctx;
};

/* What happened in this turn, for the JSON of the response. */
struct report_turn {
	const char *state;   /* NULL: the report dialog was not involved; else
			      * "asking", "confirm", "filed", "cancelled", "emergency",
			      * "not_pakn", "status", "status_asking", "invalid_number",
			      * "not_found", "too_long", "unavailable" (static) */
	const char *asking;  /* asking: "dia_diem", "chon_phuong", "thoi_gian",
			      * "ho_ten", "lien_he"; else NULL */
	char number[REPORT_NUMBER_MAX];    /* filed / looked up, or "" */
	char duplicate[REPORT_NUMBER_MAX]; /* filed as a duplicate of, or "" */
};

/*
 * Answer one message with the report dialog over answer_question.  b NULL:
 * plain answer_question (canned placeholders).  d may be NULL (one-shot: a
 * report is started but cannot continue).  channel_name is "web", "app" or
 * "voice" and chooses the case's channel (web -> chat, app -> app, voice ->
 * phone).  On TD_OK *out must be released with answer_result_release and
 * *turn says what the dialog did.  Errors are answer_question's.
 */
td_err report_dialog_answer(const struct report_backend *b, const struct answer_engine *e,
			    struct dialog *d, const char *q, size_t n, enum answer_channel channel,
			    const char *channel_name, struct answer_result *out,
			    struct report_turn *turn);

/* Append ,"pakn":{...} (state, asking, number, duplicate_of) to a JSON
 * object being built in out; nothing when turn->state is NULL. */
void report_turn_json(const struct report_turn *turn, struct td_buf *out);

/* The message to keep in the chat log for this turn: personal data masked
 * (phones, e-mails), and a name answer replaced by "***".  Heap string
 * owned by the caller (td_free), or NULL when q can be stored as is. */
char *report_turn_log_text(const struct dialog *before, const char *q, size_t n);

/* ---- the real backend: PAKN intake + store -------------------------------- */

struct pakn_intake;
struct store;
struct report_pakn;

/* How the backend borrows a store connection for lookups. */
struct report_store_access {
	td_err (*acquire)(void *ctx, struct store **out);
	void (*release)(void *ctx, struct store *s);
	void *ctx;
};

/*
 * A backend over intake (borrowed: it analyses with the intake's classifier
 * and place index and files through pakn_intake_submit) and store access for
 * lookups (copied; its ctx borrowed).  TD_ERR_INVAL without an intake.  Free
 * with report_pakn_free.
 */
td_err report_pakn_new(struct pakn_intake *intake, const struct report_store_access *sa,
		       struct report_pakn **out);
void report_pakn_free(struct report_pakn *p);
/* The backend operations of p (valid while p lives). */
void report_pakn_backend(struct report_pakn *p, struct report_backend *out);

#endif
