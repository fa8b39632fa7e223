/*
 * kb_national.h - importer for the national TTHC portal export (JSONL).
 *
 * The crawl of dichvucong.gov.vn gives one JSON object per line whose
 * table-shaped fields were flattened to run-together text ("Hình thức
 * nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc50,000 Việt Nam
 * Đồng…").  These functions turn one line into a struct kb_procedure,
 * rebuilding channels, dossier items, legal basis and the result from that
 * text, keeping the original text beside it (raw_*), and appending a
 * warning for everything that was guessed or not understood.  A record is
 * only rejected when the line is not a JSON object or lacks code or name.
 *
 * Warnings start with a stable tag in brackets so tools can count them,
 * e.g. "[duration.no_unit] cach_thuc_thuc_hien row 2 (direct): ...".
 * Tags that mean "this part is not usable as structured data":
 *   [channels.none] [channels.garbled] [duration.no_unit]
 *   [duration.unparsed] [fee.unparsed] [dossier.no_table]
 *   [dossier.leftover] [legal.no_number] [legal.leftover]
 * Every other tag marks a value that was read but deserves a human look
 * (e.g. [duration.from_description], [fee.temporary_waiver],
 * [fee.scaled], [fee.delegated], [fee.by_reference], [fee.usd]).
 * docs/internals/kb-national.md describes the shapes and the heuristics.
 *
 * All functions are reentrant and keep no state.  Input strings must be
 * NUL-terminated UTF-8; the parsers only copy, never modify, them.
 */
#ifndef TD_KB_KB_NATIONAL_H
#define TD_KB_KB_NATIONAL_H

#include <stddef.h>

#include "base/error.h"
#include "kb/kb.h"

/* Longest JSONL line accepted (the largest real line is about 80 KiB). */
#define KB_NATIONAL_MAX_LINE ((size_t)4 << 20)

/*
 * Parse one JSONL line (len bytes, need not be NUL-terminated; a trailing
 * newline is fine) into a new record in *out, which the caller frees with
 * kb_procedure_free.  as_of, owner, version are left unset.
 * Errors (nothing is stored in *out, err gets a one-line message when
 * errlen > 0):
 *   TD_ERR_INVAL   NULL out/line
 *   TD_ERR_TOOBIG  len > KB_NATIONAL_MAX_LINE
 *   TD_ERR_PARSE   not JSON, not an object, or no ma_thu_tuc/ten_thu_tuc
 */
td_err kb_national_parse_line(const char *line, size_t len, struct kb_procedure **out,
			      char *err, size_t errlen);

/*
 * Parse the cach_thuc_thuc_hien table text and append one channel per row
 * to p (duration, fee and description filled; see kb.h).  Problems become
 * warnings on p.  Does not touch p->raw_channels.
 * Returns TD_OK (also when rows had problems), TD_ERR_INVAL on NULL args.
 */
td_err kb_national_parse_channels(struct kb_procedure *p, const char *text);

/*
 * Read one duration cell ("7 Ngày làm việc", "0.5 Ngày làm việc", "4 Giờ",
 * "2 Tuần" -> 14 days, "1 Năm" -> 12 months, "Không có thông tin", ...).
 * out is overwritten: out->text is a new copy of the trimmed cell that the
 * caller owns (free with td_free, or through kb_procedure_free when out is
 * inside a record); a previous out->text is NOT freed.  Caveats (weeks
 * converted, number without unit) are appended to notes as tagged strings
 * when notes is not NULL.
 * Returns TD_OK when a value was read or the cell explicitly says there is
 * none (has_value false, unit KB_UNIT_NONE), TD_ERR_PARSE when the text was
 * not understood (has_value false, text kept), TD_ERR_INVAL on NULL args.
 */
td_err kb_national_parse_duration(const char *text, struct kb_duration *out,
				  struct kb_strlist *notes);

/*
 * Read one fee cell: the amount or keyword and the parenthesised note the
 * portal prints right after it ("50,000 Việt Nam Đồng(/trang)", "10
 * USD(/lần)", "Miễn phí(Không quy định)", "Miễn phí(Mức lệ phí cụ thể do
 * Hội đồng nhân dân tỉnh ... quyết định)", "Không có thông tin").  Column
 * amounts use ',' for thousands; amounts inside notes use Vietnamese '.'.
 * out is overwritten as for kb_national_parse_duration (out->text and
 * out->currency become new heap copies the caller owns).  A USD fee sets
 * currency "USD" and amount, never amount_vnd.  Caveats go to notes.
 * Returns TD_OK when the fee is an amount, free, or an explicit statement
 * of who sets it / which regulation sets it; TD_ERR_PARSE when no such
 * reading exists ("Không có thông tin" is TD_OK: an explicit "no data");
 * TD_ERR_INVAL on NULL args.
 */
td_err kb_national_parse_fee(const char *text, struct kb_fee *out, struct kb_strlist *notes);

/*
 * Parse the thanh_phan_ho_so text (one or more "Tên giấy tờMẫu đơn, tờ
 * khaiSố lượng" tables, each optionally preceded by a case heading) and
 * append one dossier item per row to p: name, form file name(s) joined by
 * "; ", originals/copies (-1 when not stated), case_name (NULL for "--").
 * Problems become warnings.  Returns TD_OK, or TD_ERR_INVAL on NULL args.
 */
td_err kb_national_parse_dossier(struct kb_procedure *p, const char *text);

/*
 * Parse the can_cu_phap_ly text ("Tên văn bản pháp lýMã văn
 * bản<title><number><title><number>…") and append one kb_legal per pair
 * (number like "82/2015/NĐ-CP", title).  Returns TD_OK, or TD_ERR_INVAL.
 */
td_err kb_national_parse_legal(struct kb_procedure *p, const char *text);

/*
 * Clean the ket_qua_xu_ly text: drop the "Mã: KQ…" codes and the page-menu
 * debris after "Từ khóa", set p->result (results joined by "\n"; replaces
 * and frees a previous value) and add the "Từ khóa" keywords unless they
 * are "Không có thông tin".  Returns TD_OK, or TD_ERR_INVAL on NULL args.
 */
td_err kb_national_clean_result(struct kb_procedure *p, const char *text);

#endif
