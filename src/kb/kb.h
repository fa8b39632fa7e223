/*
 * kb.h - the procedure (thủ tục hành chính) record and its lifecycle.
 *
 * A struct kb_procedure is plain data: every string is a NUL-terminated
 * UTF-8 (NFC) heap string owned by the record, NULL when absent; every array
 * is a heap array with its count.  kb_procedure_free releases all of it.
 * Importers fill records, the store keeps them as canonical JSON (kb_json.h),
 * and the search index reads them.
 *
 * Parsed values always sit beside the original text they came from
 * (`*_text` / `raw_*` fields), and anything the parser was unsure of is
 * appended to `warnings`, so a messy source field never drops a record and
 * never silently turns into a made-up number.
 */
#ifndef TD_KB_KB_H
#define TD_KB_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

enum kb_channel_kind {
	KB_CHANNEL_DIRECT, /* Trực tiếp */
	KB_CHANNEL_ONLINE, /* Trực tuyến */
	KB_CHANNEL_POST,   /* Dịch vụ bưu chính */
};

enum kb_duration_unit {
	KB_UNIT_NONE, /* no value could be read: see text */
	KB_UNIT_WORKING_DAYS,
	KB_UNIT_DAYS,
	KB_UNIT_HOURS,
	KB_UNIT_WORKING_HOURS,
	KB_UNIT_MONTHS,
};

struct kb_duration {
	bool has_value;            /* false: value is meaningless */
	double value;              /* e.g. 7, 0.5, 15 */
	enum kb_duration_unit unit;/* KB_UNIT_NONE with has_value: the source gave a
				    * bare number and no unit */
	char *text;                /* the source wording, e.g. "7 Ngày làm việc" */
};

struct kb_fee {
	bool has_amount;           /* a VND amount was stated */
	double amount_vnd;         /* the (first/main) amount in VND */
	bool free;                 /* explicitly no fee ("Không", "Miễn phí", 0 đồng) */
	char *currency;            /* "VND", "USD", ... when stated, else NULL */
	double amount;             /* amount in that currency (== amount_vnd for VND) */
	char *text;                /* the source wording, e.g. "50,000 Việt Nam Đồng" */
};

struct kb_channel {
	enum kb_channel_kind kind;
	struct kb_duration duration;
	struct kb_fee fee;
	char *description;         /* Mô tả, may be NULL */
};

struct kb_dossier_item {
	char *name;                /* Tên giấy tờ */
	char *form;                /* Mẫu đơn, tờ khai (name or link), NULL if none */
	int originals;             /* bản chính; -1 unknown */
	int copies;                /* bản sao; -1 unknown */
	char *case_name;           /* the case (trường hợp) it belongs to, NULL: all */
};

struct kb_legal {
	char *number;              /* Số ký hiệu, e.g. "123/2015/NĐ-CP"; NULL if unknown */
	char *title;               /* Trích yếu / name */
	char *date;                /* ISO date when given */
	char *issuer;              /* Cơ quan ban hành when given */
};

struct kb_history_entry {
	int version;
	char *changed_at;          /* ISO 8601 UTC */
	char *changed_by;
	char *summary;             /* e.g. "fee, dossier changed" */
};

struct kb_strlist {
	char **items;
	size_t n;
};

struct kb_procedure {
	char *code;                /* Mã thủ tục, e.g. "1.001612" (required) */
	char *name;                /* Tên thủ tục (required) */
	char *decision;            /* Số quyết định công bố */
	char *kind;                /* Loại thủ tục */
	char *field;               /* Lĩnh vực */
	struct kb_strlist levels;  /* "Cấp tỉnh", "Cấp xã", ... */
	struct kb_strlist subjects;/* Đối tượng thực hiện */
	char *agency;              /* Cơ quan thực hiện */
	char *competent_agency;    /* Cơ quan có thẩm quyền */
	char *delegated_agency;    /* Cơ quan được ủy quyền */
	char *coordinating_agency; /* Cơ quan phối hợp */
	char *submit_place;        /* Địa chỉ tiếp nhận hồ sơ */
	char *steps;               /* Trình tự thực hiện (text, "Bước 1: ...") */
	struct kb_channel *channels;
	size_t n_channels;
	struct kb_dossier_item *dossier;
	size_t n_dossier;
	char *conditions;          /* Yêu cầu, điều kiện */
	char *result;              /* Kết quả thực hiện */
	struct kb_legal *legal;
	size_t n_legal;
	char *online_level;        /* "toàn trình" / "một phần" / NULL */
	struct kb_strlist related; /* related procedure codes or names */
	struct kb_strlist aliases; /* everyday names, editable by the owner */
	struct kb_strlist keywords;
	char *source_url;
	char *as_of;               /* ISO date last verified */
	char *owner;               /* department that owns the record */
	bool sample;               /* sample data written by the team, not official */
	struct kb_strlist notes;   /* uncertainties the author marked */
	struct kb_strlist warnings;/* what the importer could not parse cleanly */

	/* Original source text of the fields that were parsed, NULL if the
	 * record was authored in tongdai's format. */
	char *raw_channels;
	char *raw_dossier;
	char *raw_legal;
	char *raw_result;

	/* Filled by the store, not by importers. */
	int version;
	char *updated_at;
	char *updated_by;
};

/* A zeroed record; release with kb_procedure_free. */
struct kb_procedure *kb_procedure_new(void);
void kb_procedure_free(struct kb_procedure *p);

/* Append to a list / record (the value is copied). */
void kb_strlist_add(struct kb_strlist *l, const char *s);
void kb_strlist_release(struct kb_strlist *l);
void kb_procedure_warn(struct kb_procedure *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append a zeroed channel / dossier item / legal row and return it. */
struct kb_channel *kb_procedure_add_channel(struct kb_procedure *p, enum kb_channel_kind kind);
struct kb_dossier_item *kb_procedure_add_dossier(struct kb_procedure *p);
struct kb_legal *kb_procedure_add_legal(struct kb_procedure *p);

/* Stable names used in JSON and the CLI ("direct", "working_days", ...). */
const char *kb_channel_name(enum kb_channel_kind k);
const char *kb_unit_name(enum kb_duration_unit u); /* NULL for KB_UNIT_NONE */
/* Parse those names back; false if unknown. */
bool kb_channel_parse(const char *s, enum kb_channel_kind *out);
bool kb_unit_parse(const char *s, enum kb_duration_unit *out);

/* Code shape check: digit '.' 6 digits, optionally followed by '.' and a
 * local suffix of letters and digits (e.g. "1.004873.H87"). */
bool kb_code_valid(const char *code);

#endif
