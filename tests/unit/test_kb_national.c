/*
 * test_kb_national.c - the national-portal importer (src/kb/kb_national*.c).
 *
 * Each ugly shape is tested with a string copied from the real export
 * (../shared/data/tthc/national_2642.jsonl, record code in the comment).
 * The last test imports the whole file, asserts nothing is rejected and the
 * completeness shares stay above the floors measured when this was written,
 * and prints the statistics and the histogram of warning tags to stdout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "kb/kb.h"
#include "kb/kb_national.h"

/* Measured on national_2642.jsonl; see docs/internals/kb-national.md. */
#define FLOOR_CHANNELS 0.84
#define FLOOR_DOSSIER 0.99
#define FLOOR_LEGAL 0.96

static bool has_tag(const struct kb_procedure *p, const char *tag)
{
	size_t n = strlen(tag);
	for (size_t i = 0; i < p->warnings.n; i++)
		if (p->warnings.items[i][0] == '[' && strncmp(p->warnings.items[i] + 1, tag, n) == 0 &&
		    p->warnings.items[i][n + 1] == ']')
			return true;
	return false;
}

static void duration_release(struct kb_duration *d)
{
	td_free(d->text);
}

static void fee_release(struct kb_fee *f)
{
	td_free(f->text);
	td_free(f->currency);
}

static void test_duration_cells(void **state)
{
	(void)state;
	struct kb_duration d;
	struct kb_strlist notes = {0};

	assert_int_equal(kb_national_parse_duration("7 Ngày làm việc", &d, &notes), TD_OK);
	assert_true(d.has_value);
	assert_true(d.value == 7);
	assert_int_equal(d.unit, KB_UNIT_WORKING_DAYS);
	assert_string_equal(d.text, "7 Ngày làm việc");
	duration_release(&d);

	/* 1.013097: a fraction with '.' is a decimal, not thousands */
	assert_int_equal(kb_national_parse_duration("1.5 Ngày làm việc", &d, &notes), TD_OK);
	assert_true(d.value == 1.5);
	duration_release(&d);
	assert_int_equal(kb_national_parse_duration("0.5 Ngày làm việc", &d, &notes), TD_OK);
	assert_true(d.value == 0.5);
	duration_release(&d);

	assert_int_equal(kb_national_parse_duration("4 Giờ", &d, &notes), TD_OK);
	assert_int_equal(d.unit, KB_UNIT_HOURS);
	duration_release(&d);
	assert_int_equal(kb_national_parse_duration("6 Tháng", &d, &notes), TD_OK);
	assert_int_equal(d.unit, KB_UNIT_MONTHS);
	duration_release(&d);
	assert_int_equal(notes.n, 0);

	/* weeks and years are converted, with a note */
	assert_int_equal(kb_national_parse_duration("2 Tuần", &d, &notes), TD_OK);
	assert_true(d.value == 14);
	assert_int_equal(d.unit, KB_UNIT_DAYS);
	duration_release(&d);
	assert_int_equal(kb_national_parse_duration("1 Năm", &d, &notes), TD_OK);
	assert_true(d.value == 12);
	assert_int_equal(d.unit, KB_UNIT_MONTHS);
	duration_release(&d);
	assert_int_equal(notes.n, 2);
	assert_non_null(strstr(notes.items[0], "[duration.converted]"));
	kb_strlist_release(&notes);

	/* explicit "none" is understood, without a value */
	assert_int_equal(kb_national_parse_duration("Không có thông tin", &d, NULL), TD_OK);
	assert_false(d.has_value);
	duration_release(&d);
	assert_int_equal(kb_national_parse_duration("Không quy định", &d, NULL), TD_OK);
	duration_release(&d);

	/* 1.000025 "Trực tiếp1Miễn phí": a number without unit */
	assert_int_equal(kb_national_parse_duration("1", &d, &notes), TD_ERR_PARSE);
	assert_false(d.has_value);
	assert_int_equal(d.unit, KB_UNIT_NONE);
	assert_non_null(strstr(notes.items[0], "[duration.no_unit]"));
	duration_release(&d);
	kb_strlist_release(&notes);

	/* 1.007689: free text */
	assert_int_equal(kb_national_parse_duration("Không phải trả kết quả cho người nộp thuế", &d,
						    NULL),
			 TD_ERR_PARSE);
	assert_string_equal(d.text, "Không phải trả kết quả cho người nộp thuế");
	duration_release(&d);
	assert_int_equal(kb_national_parse_duration(NULL, &d, NULL), TD_ERR_INVAL);
}

static void test_fee_cells(void **state)
{
	(void)state;
	struct kb_fee f;
	struct kb_strlist notes = {0};

	/* 2.000815 */
	assert_int_equal(kb_national_parse_fee("2,000 Việt Nam Đồng(/trang)", &f, &notes), TD_OK);
	assert_true(f.has_amount);
	assert_true(f.amount_vnd == 2000);
	assert_false(f.free);
	assert_string_equal(f.currency, "VND");
	assert_string_equal(f.text, "2,000 Việt Nam Đồng(/trang)");
	fee_release(&f);
	assert_int_equal(notes.n, 0);

	/* 1.000771: USD, no invented VND */
	assert_int_equal(kb_national_parse_fee("10 USD(/lần)", &f, &notes), TD_OK);
	assert_false(f.has_amount);
	assert_string_equal(f.currency, "USD");
	assert_true(f.amount == 10);
	assert_true(f.amount_vnd == 0);
	fee_release(&f);
	kb_strlist_release(&notes);

	assert_int_equal(kb_national_parse_fee("Miễn phí(Không quy định)", &f, NULL), TD_OK);
	assert_true(f.free);
	fee_release(&f);
	assert_int_equal(kb_national_parse_fee("0 Việt Nam Đồng", &f, NULL), TD_OK);
	assert_true(f.free);
	fee_release(&f);

	/* 1.000080: "Miễn phí" but the council sets it: not free, no amount */
	assert_int_equal(kb_national_parse_fee(
				 "Miễn phí(Mức lệ phí cụ thể do Hội đồng nhân dân tỉnh, thành phố "
				 "trực thuộc Trung ương quyết định. Miễn lệ phí cho người thuộc gia "
				 "đình có công với cách mạng)",
				 &f, &notes),
			 TD_OK);
	assert_false(f.free);
	assert_false(f.has_amount);
	assert_non_null(strstr(notes.items[0], "[fee.delegated]"));
	fee_release(&f);
	kb_strlist_release(&notes);

	/* 1.000254: temporary waiver; the regular amount is kept */
	assert_int_equal(kb_national_parse_fee("5,000,000 VNĐ((Miễn kể từ ngày 07/4/2026 đến "
					       "30/6/2026 theo Thông tư 40/2026/TT-BTC))",
					       &f, &notes),
			 TD_OK);
	assert_true(f.free);
	assert_true(f.has_amount);
	assert_true(f.amount_vnd == 5000000);
	assert_non_null(strstr(notes.items[0], "[fee.temporary_waiver]"));
	fee_release(&f);
	kb_strlist_release(&notes);

	/* 1.000034: "20 VNĐ" whose note says 20.000: scaled, with a note */
	assert_int_equal(kb_national_parse_fee("20 VNĐ(20.000 vnđ /tờ khai)", &f, &notes), TD_OK);
	assert_true(f.amount_vnd == 20000);
	assert_non_null(strstr(notes.items[0], "[fee.scaled]"));
	fee_release(&f);
	kb_strlist_release(&notes);

	/* 1.003358: marked VNĐ, the note says USD */
	assert_int_equal(kb_national_parse_fee("155 VNĐ(Thẻ tạm trú có thời hạn từ trên 02 năm "
					       "đến 05 năm: 155 USD/thẻ.)",
					       &f, NULL),
			 TD_OK);
	assert_false(f.has_amount);
	assert_string_equal(f.currency, "USD");
	assert_true(f.amount == 155);
	fee_release(&f);

	assert_int_equal(kb_national_parse_fee("Không có thông tin", &f, NULL), TD_OK);
	assert_false(f.free);
	assert_false(f.has_amount);
	fee_release(&f);
	assert_int_equal(kb_national_parse_fee("theo thỏa thuận", &f, NULL), TD_ERR_PARSE);
	assert_string_equal(f.text, "theo thỏa thuận");
	fee_release(&f);
}

static void test_channels_rows(void **state)
{
	(void)state;
	struct kb_procedure *p = kb_procedure_new();
	/* 1.000771 */
	kb_national_parse_channels(p, "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến5 Ngày làm "
				      "việc10 USD(/lần)Dịch vụ bưu chính5 Ngày làm việc10 "
				      "USD(/lần)Trực tiếp5 Ngày làm việc10 USD(/lần)");
	assert_int_equal(p->n_channels, 3);
	assert_int_equal(p->channels[0].kind, KB_CHANNEL_ONLINE);
	assert_int_equal(p->channels[1].kind, KB_CHANNEL_POST);
	assert_int_equal(p->channels[2].kind, KB_CHANNEL_DIRECT);
	assert_true(p->channels[2].duration.value == 5);
	assert_string_equal(p->channels[2].fee.text, "10 USD(/lần)");
	assert_null(p->channels[2].description);
	kb_procedure_free(p);

	/* 1.000014: unitless "1" glued to "20 VNĐ" */
	p = kb_procedure_new();
	kb_national_parse_channels(p, "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến120 "
				      "VNĐ(20.000 vnđ /tờ khai)Trực tiếp120 VNĐ(20.000 vnđ /tờ khai)");
	assert_int_equal(p->n_channels, 2);
	assert_string_equal(p->channels[0].duration.text, "1");
	/* the number is kept, the unit is not guessed */
	assert_true(p->channels[0].duration.has_value);
	assert_true(p->channels[0].duration.value == 1);
	assert_int_equal(p->channels[0].duration.unit, KB_UNIT_NONE);
	assert_true(p->channels[0].fee.amount_vnd == 20000);
	assert_true(has_tag(p, "duration.split_digits"));
	assert_true(has_tag(p, "duration.no_unit"));
	kb_procedure_free(p);

	/* 1.004656: no duration in the cell, but in the description */
	p = kb_procedure_new();
	kb_national_parse_channels(p, "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyếnKhông có "
				      "thông tinMiễn phí05 ngày làm việc kể từ ngày nhận được hồ sơ "
				      "đầy đủ");
	assert_int_equal(p->n_channels, 1);
	assert_true(p->channels[0].duration.has_value);
	assert_true(p->channels[0].duration.value == 5);
	assert_int_equal(p->channels[0].duration.unit, KB_UNIT_WORKING_DAYS);
	assert_string_equal(p->channels[0].duration.text, "Không có thông tin");
	assert_true(p->channels[0].fee.free);
	assert_string_equal(p->channels[0].description,
			    "05 ngày làm việc kể từ ngày nhận được hồ sơ đầy đủ");
	assert_true(has_tag(p, "duration.from_description"));
	kb_procedure_free(p);

	/* "Trực tiếp" inside a description does not start a row (1.000236 shape) */
	p = kb_procedure_new();
	kb_national_parse_channels(p, "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1 Ngày làm "
				      "việcKhông có thông tin- khai báo qua: + Trực tiếp tại cơ quan "
				      "đăng ký cư trú");
	assert_int_equal(p->n_channels, 1);
	assert_string_equal(p->channels[0].description,
			    "- khai báo qua: + Trực tiếp tại cơ quan đăng ký cư trú");
	kb_procedure_free(p);
}

static void test_dossier_tables(void **state)
{
	(void)state;
	struct kb_procedure *p = kb_procedure_new();
	/* 1.000232 */
	kb_national_parse_dossier(p, "--Tên giấy tờMẫu đơn, tờ khaiSố lượngVăn bản đề nghị hủy tài "
				     "khoản điện tử (NA20).Mau NA20-BCA.docx1 bản chính");
	assert_int_equal(p->n_dossier, 1);
	assert_string_equal(p->dossier[0].name, "Văn bản đề nghị hủy tài khoản điện tử (NA20).");
	assert_string_equal(p->dossier[0].form, "Mau NA20-BCA.docx");
	assert_int_equal(p->dossier[0].originals, 1);
	assert_int_equal(p->dossier[0].copies, -1);
	assert_null(p->dossier[0].case_name);
	kb_procedure_free(p);

	/* a case heading, then "0 bản chính,1 bản sao" and a form with a prefix */
	p = kb_procedure_new();
	kb_national_parse_dossier(
		p, "Giấy tờ chứng minh thuộc diện cấp giấy miễn thị thực:Tên giấy tờMẫu đơn, tờ "
		   "khaiSố lượngNgười nước ngoài nộp bản sao được chứng thực.0 bản "
		   "chính--Tên giấy tờMẫu đơn, tờ khaiSố lượngGiấy miễn thị thực, nếu mất phải "
		   "có đơn trình báo.1 bản chính01 Tờ khai đề nghị cấp Giấy miễn thị thực (Mẫu "
		   "NA9).10-Mẫu NA9.doc1 bản chínhBản sao chứng thực từ bản chính.0 bản chính,1 "
		   "bản sao");
	assert_int_equal(p->n_dossier, 4);
	assert_string_equal(p->dossier[0].case_name,
			    "Giấy tờ chứng minh thuộc diện cấp giấy miễn thị thực:");
	assert_int_equal(p->dossier[0].originals, 0);
	assert_null(p->dossier[1].case_name);
	assert_non_null(p->dossier[2].form);
	assert_non_null(strstr(p->dossier[2].form, "NA9.doc"));
	assert_int_equal(p->dossier[3].originals, 0);
	assert_int_equal(p->dossier[3].copies, 1);
	kb_procedure_free(p);
}

static void test_legal_pairs(void **state)
{
	(void)state;
	struct kb_procedure *p = kb_procedure_new();
	/* 1.000178: "năm 2011" glued to "02/2011/QH13", a repeated number */
	kb_national_parse_legal(p, "Tên văn bản pháp lýMã văn bảnHướng dẫn xử lý khiếu nại, kiến "
				   "nghị, phản ánh; giải quyết khiếu nại và quản lý công tác giải "
				   "quyết khiếu nại trong công an nhân dân68/2013/TT-BCALuật Khiếu "
				   "nại  năm 201102/2011/QH13Quy định quy trình giải quyết khiếu nại "
				   "trong công an nhân dân11/2015/TT-BCANghị định "
				   "05/2012/NĐ-CP05/2012/NĐ-CP");
	assert_int_equal(p->n_legal, 4);
	assert_string_equal(p->legal[0].number, "68/2013/TT-BCA");
	assert_string_equal(p->legal[1].number, "02/2011/QH13");
	assert_string_equal(p->legal[1].title, "Luật Khiếu nại  năm 2011");
	assert_string_equal(p->legal[2].number, "11/2015/TT-BCA");
	assert_string_equal(p->legal[3].number, "05/2012/NĐ-CP");
	assert_string_equal(p->legal[3].title, "Nghị định 05/2012/NĐ-CP");
	assert_int_equal(p->warnings.n, 0);
	kb_procedure_free(p);

	/* 1.000236 (excerpt): "Luật 51/2019/QH14" + "51/2019/QH14", upper-case title */
	p = kb_procedure_new();
	kb_national_parse_legal(p, "Tên văn bản pháp lýMã văn bảnLuật 51/2019/QH1451/2019/QH14Quy "
				   "định mẫu giấy tờ04/2015/TT-BCAQUY ĐỊNH MỨC THU, CHẾ ĐỘ THU PHÍ, "
				   "LỆ PHÍ25/2021/TT-BTC");
	assert_int_equal(p->n_legal, 3);
	assert_string_equal(p->legal[0].number, "51/2019/QH14");
	assert_string_equal(p->legal[0].title, "Luật 51/2019/QH14");
	assert_string_equal(p->legal[1].number, "04/2015/TT-BCA");
	assert_string_equal(p->legal[2].number, "25/2021/TT-BTC");
	assert_string_equal(p->legal[2].title, "QUY ĐỊNH MỨC THU, CHẾ ĐỘ THU PHÍ, LỆ PHÍ");
	kb_procedure_free(p);
}

static void test_result_cleaning(void **state)
{
	(void)state;
	struct kb_procedure *p = kb_procedure_new();
	/* 1.000236 */
	kb_national_clean_result(p, "Công văn thông báo từ chối cấp tài khoản điện tử (NB9)Mã: "
				    "KQ.G01.000020Công văn trả lời của Cục Quản lý xuất nhập "
				    "cảnh.Mã: KQ.G01.000021Từ khóaKhông có thông tinMô tảKhông có "
				    "thông tinChọn cơ quan thực hiệnTỉnh/ Thành phốBộ ngành-- Chọn "
				    "Bộ ngành --Đơn vị-- Chọn Cơ sở --Nộp hồ sơ");
	assert_string_equal(p->result, "Công văn thông báo từ chối cấp tài khoản điện tử (NB9)\n"
				       "Công văn trả lời của Cục Quản lý xuất nhập cảnh.");
	assert_int_equal(p->keywords.n, 0);
	kb_national_clean_result(p, "Thẻ căn cướcMã: KQ.G01.000100Từ khóaCấp lại thẻ căn "
				    "cướcMô tảKhông có thông tin");
	assert_string_equal(p->result, "Thẻ căn cước");
	assert_int_equal(p->keywords.n, 1);
	assert_string_equal(p->keywords.items[0], "Cấp lại thẻ căn cước");
	kb_procedure_free(p);
}

static void test_line_errors(void **state)
{
	(void)state;
	struct kb_procedure *p = NULL;
	char err[200];
	assert_int_equal(kb_national_parse_line("{not json", 9, &p, err, sizeof err), TD_ERR_PARSE);
	assert_non_null(strstr(err, "not valid JSON"));
	assert_int_equal(kb_national_parse_line("[1]", 3, &p, err, sizeof err), TD_ERR_PARSE);
	assert_non_null(strstr(err, "not a JSON object"));
	const char *nocode = "{\"ten_thu_tuc\": \"X\"}";
	assert_int_equal(kb_national_parse_line(nocode, strlen(nocode), &p, err, sizeof err),
			 TD_ERR_PARSE);
	assert_non_null(strstr(err, "ma_thu_tuc"));
	const char *noname = "{\"ma_thu_tuc\": \"1.000001\", \"ten_thu_tuc\": \"Không có thông tin\"}";
	assert_int_equal(kb_national_parse_line(noname, strlen(noname), &p, err, sizeof err),
			 TD_ERR_PARSE);
	assert_int_equal(kb_national_parse_line("{}", KB_NATIONAL_MAX_LINE + 1, &p, err, sizeof err),
			 TD_ERR_TOOBIG);
	assert_null(p);

	/* messy fields never reject: numbers where strings belong become warnings */
	const char *odd = "{\"ma_thu_tuc\": \"1.000001\", \"ten_thu_tuc\": \" Thủ tục \", "
			  "\"linh_vuc\": 5, \"cap_thuc_hien\": \"Cấp bộ, Cấp tỉnh\", "
			  "\"doi_tuong_thuc_hien\": \"Tổ chức (không bao gồm doanh nghiệp, HTX), "
			  "Công dân Việt Nam\", \"thu_tuc_lien_quan\": \"Không có thông tin\", "
			  "\"cach_thuc_thuc_hien\": \"garbage\"}\n";
	assert_int_equal(kb_national_parse_line(odd, strlen(odd), &p, err, sizeof err), TD_OK);
	assert_string_equal(p->name, "Thủ tục");
	assert_null(p->field);
	assert_int_equal(p->levels.n, 2);
	assert_string_equal(p->levels.items[1], "Cấp tỉnh");
	assert_int_equal(p->subjects.n, 2);
	assert_string_equal(p->subjects.items[0], "Tổ chức (không bao gồm doanh nghiệp, HTX)");
	assert_int_equal(p->related.n, 0);
	assert_null(p->as_of);
	assert_true(has_tag(p, "field.not_string"));
	assert_true(has_tag(p, "channels.none"));
	assert_string_equal(p->raw_channels, "garbage");
	kb_procedure_free(p);
}

/* ---- the whole export ---- */

static const char *const channel_failures[] = {
	"channels.none", "channels.garbled", "duration.no_unit", "duration.unparsed", "fee.unparsed",
};

struct tag_count {
	char tag[48];
	unsigned n;
};

static void count_tags(const struct kb_procedure *p, struct tag_count *t, size_t *nt, size_t cap)
{
	for (size_t i = 0; i < p->warnings.n; i++) {
		const char *w = p->warnings.items[i];
		const char *close = strchr(w, ']');
		if (w[0] != '[' || !close || (size_t)(close - w) >= sizeof t[0].tag)
			continue;
		size_t len = (size_t)(close - w - 1);
		size_t k = 0;
		while (k < *nt && !(strlen(t[k].tag) == len && memcmp(t[k].tag, w + 1, len) == 0))
			k++;
		if (k == *nt) {
			if (*nt == cap)
				continue;
			memcpy(t[k].tag, w + 1, len);
			t[k].tag[len] = '\0';
			t[k].n = 0;
			(*nt)++;
		}
		t[k].n++;
	}
}

static int by_count(const void *a, const void *b)
{
	const struct tag_count *x = a, *y = b;
	return (int)y->n - (int)x->n;
}

static void test_whole_export(void **state)
{
	(void)state;
	const char *shared = getenv("TD_SHARED_DIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/data/tthc/national_2642.jsonl", shared ? shared : TD_SOURCE_DIR "/../shared");
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("skipped: %s not found\n", path);
		skip();
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lines = 0, rejected = 0, ch_ok = 0, dos_src = 0, dos_ok = 0, leg_src = 0, leg_ok = 0;
	unsigned rows = 0, rows_bad = 0;
	struct tag_count tags[64];
	size_t ntags = 0;
	double secs = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct kb_procedure *p = NULL;
		char err[256];
		struct timespec t0, t1;
		lines++;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		td_err rc = kb_national_parse_line(line, (size_t)len, &p, err, sizeof err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (rc != TD_OK) {
			printf("rejected line %u: %s\n", lines, err);
			rejected++;
			continue;
		}
		bool ok = p->n_channels > 0;
		for (size_t i = 0; i < sizeof channel_failures / sizeof *channel_failures; i++)
			if (has_tag(p, channel_failures[i]))
				ok = false;
		ch_ok += ok;
		rows += (unsigned)p->n_channels;
		for (size_t i = 0; i < p->warnings.n; i++)
			for (size_t k = 0; k < sizeof channel_failures / sizeof *channel_failures; k++)
				if (strncmp(p->warnings.items[i] + 1, channel_failures[k],
					    strlen(channel_failures[k])) == 0)
					rows_bad++;
		if (p->raw_dossier && strstr(p->raw_dossier, "Tên giấy tờMẫu đơn, tờ khaiSố lượng")) {
			dos_src++;
			dos_ok += p->n_dossier > 0 && !has_tag(p, "dossier.leftover");
		}
		if (p->raw_legal) {
			bool numbers = p->n_legal > 0;
			for (size_t i = 0; i < p->n_legal; i++)
				if (!p->legal[i].number)
					numbers = false;
			leg_src++;
			leg_ok += numbers && !has_tag(p, "legal.leftover");
		}
		count_tags(p, tags, &ntags, sizeof tags / sizeof tags[0]);
		kb_procedure_free(p);
	}
	free(line); /* getline's buffer comes from libc */
	fclose(f);
	qsort(tags, ntags, sizeof tags[0], by_count);

	double ch = (double)ch_ok / (lines - rejected);
	double dos = dos_src ? (double)dos_ok / dos_src : 1;
	double leg = leg_src ? (double)leg_ok / leg_src : 1;
	printf("national export: %u lines, %u rejected, parse %.3f s\n", lines, rejected, secs);
	printf("channels: %u/%u records complete (%.1f%%); %u rows, %u row problems\n", ch_ok,
	       lines - rejected, 100 * ch, rows, rows_bad);
	printf("dossier:  %u/%u records with a table parsed (%.1f%%)\n", dos_ok, dos_src, 100 * dos);
	printf("legal:    %u/%u records with every entry numbered (%.1f%%)\n", leg_ok, leg_src,
	       100 * leg);
	printf("warning tags (* = makes the part incomplete):\n");
	for (size_t i = 0; i < ntags; i++) {
		bool fail = false;
		for (size_t k = 0; k < sizeof channel_failures / sizeof *channel_failures; k++)
			fail |= strcmp(tags[i].tag, channel_failures[k]) == 0;
		fail |= strcmp(tags[i].tag, "dossier.leftover") == 0 ||
			strcmp(tags[i].tag, "legal.leftover") == 0 ||
			strcmp(tags[i].tag, "legal.no_number") == 0;
		printf("  %6u %s%s\n", tags[i].n, tags[i].tag, fail ? " *" : "");
	}
	assert_int_equal(rejected, 0);
	assert_int_equal(lines, 2642);
	assert_true(ch >= FLOOR_CHANNELS);
	assert_true(dos >= FLOOR_DOSSIER);
	assert_true(leg >= FLOOR_LEGAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_cells),  cmocka_unit_test(test_fee_cells),
		cmocka_unit_test(test_channels_rows),   cmocka_unit_test(test_dossier_tables),
		cmocka_unit_test(test_legal_pairs),     cmocka_unit_test(test_result_cleaning),
		cmocka_unit_test(test_line_errors),     cmocka_unit_test(test_whole_export),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
