/*
 * test_pakn_route.c - routing decisions and their reasons, the routing
 * table format (overrides, errors), and missing-field detection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pakn/complete.h"
#include "pakn/place.h"
#include "pakn/route.h"

static struct place_index *ix;
static struct route_table *rt;
static struct place_result pr;

static const char *src_dir(void)
{
	const char *s = getenv("TD_SOURCE_DIR");
	return s ? s : TD_SOURCE_DIR;
}

static int setup(void **state)
{
	(void)state;
	char err[512] = "";
	if (place_index_load(&ix, src_dir(), err, sizeof err) ||
	    route_table_load(&rt, src_dir(), err, sizeof err)) {
		fprintf(stderr, "load: %s\n", err);
		return -1;
	}
	place_result_init(&pr);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	place_result_release(&pr);
	route_table_free(rt);
	place_index_free(ix);
	return 0;
}

static struct route_decision decide(const struct route_table *t, const char *category,
				    const char *text)
{
	struct route_decision d;
	assert_int_equal(place_resolve(ix, text, strlen(text), &pr), TD_OK);
	assert_int_equal(route_decide(t, category, &pr, text, strlen(text), &d), TD_OK);
	return d;
}

static void test_ward_category(void **state)
{
	(void)state;
	struct route_decision d =
		decide(rt, "trat-tu-do-thi", "Lấn chiếm vỉa hè ở phường Phúc Xá, quận Ba Đình");
	assert_string_equal(d.agency, "ubnd:00097");
	assert_int_equal(d.status, ROUTE_ACCEPTED);
	assert_true(d.ward_category);
	assert_string_equal(d.reason,
			    "Trật tự đô thị thuộc thẩm quyền UBND phường Hồng Hà (00097), xác định "
			    "từ địa chỉ cũ 'phường Phúc Xá, quận Ba Đình'.");

	d = decide(rt, "tieng-on", "karaoke ở xã Bát Tràng");
	assert_string_equal(d.agency, "ubnd:00577");
	assert_non_null(strstr(d.reason, "xác định từ tên 'xã Bát Tràng'"));

	/* no place: the centre triages and the citizen is asked */
	d = decide(rt, "ve-sinh-moi-truong", "rác tồn đọng đầu ngõ");
	assert_string_equal(d.agency, "ttpvhcc");
	assert_int_equal(d.status, ROUTE_NEEDS_PLACE);
	assert_non_null(strstr(d.reason, "chưa xác định được phường/xã"));

	/* a split old ward: confirm among the candidates */
	d = decide(rt, "trat-tu-xay-dung", "P. Phúc Lợi, Q. Long Biên xây tường lấn đất công");
	assert_string_equal(d.agency, "ttpvhcc");
	assert_int_equal(d.status, ROUTE_CONFIRM_PLACE);
	assert_int_equal(d.n_candidates, 2);
	assert_string_equal(d.candidates[0], "ubnd:00127");
	assert_string_equal(d.candidates[1], "ubnd:00136");
	assert_non_null(strstr(d.reason, "2 đơn vị"));
}

static void test_department_and_special(void **state)
{
	(void)state;
	struct route_decision d = decide(rt, "ha-tang-giao-thong", "ổ gà ở phường Láng");
	assert_string_equal(d.agency, "so-xay-dung");
	assert_int_equal(d.status, ROUTE_ACCEPTED);
	assert_false(d.ward_category);
	assert_non_null(strstr(d.reason, "Sở Xây dựng"));
	assert_non_null(strstr(d.reason, "Phường Láng (00199)"));

	d = decide(rt, "an-ninh-trat-tu", "trộm cắp");
	assert_string_equal(d.agency, "cong-an");
	d = decide(rt, "dien", "mất điện");
	assert_string_equal(d.agency, "so-cong-thuong");
	d = decide(rt, "khac", "mở tuyến xe buýt");
	assert_string_equal(d.agency, "ttpvhcc");

	d = decide(rt, "khieu-nai-to-cao", "tôi khiếu nại quyết định của xã Bát Tràng");
	assert_string_equal(d.agency, "");
	assert_int_equal(d.status, ROUTE_NOT_ACCEPTED);
	assert_non_null(strstr(d.reason, "Luật Khiếu nại"));
	assert_string_equal(route_status_name(d.status), "not_accepted");

	/* unknown category: treated as khac, and said so */
	d = decide(rt, "khong-co", "abc");
	assert_string_equal(d.agency, "ttpvhcc");
	assert_non_null(strstr(d.reason, "khong-co"));
	d = decide(rt, NULL, "abc");
	assert_string_equal(d.agency, "ttpvhcc");

	assert_string_equal(route_agency_name(rt, "ubnd:00097"), "UBND phường Hồng Hà");
	assert_string_equal(route_agency_name(rt, "so-y-te"), "Sở Y tế");
	assert_true(route_is_field_report(rt, "tieng-on"));
	assert_false(route_is_field_report(rt, "thu-tuc-hanh-chinh"));
	assert_true(route_is_ward_category(rt, "dat-dai"));
}

static const char agencies[] = "ttpvhcc\tTrung tâm\nso-xay-dung\tSở Xây dựng\n"
			       "ubnd:00097\tUBND phường Hồng Hà\n";

static void test_override_and_table_errors(void **state)
{
	(void)state;
	const char table[] = "# test\n"
			     "chieu-sang-cay-xanh\t*\tso-xay-dung\tyes\tChiếu sáng, cây xanh\n"
			     "chieu-sang-cay-xanh\t00097\tubnd:00097\tyes\n"
			     "khac\t*\tttpvhcc\tno\tKhác\n";
	struct route_table *t = NULL;
	char err[256] = "";
	assert_int_equal(route_table_parse(&t, table, strlen(table), agencies, strlen(agencies),
					   err, sizeof err),
			 TD_OK);
	struct route_decision d = decide(t, "chieu-sang-cay-xanh", "đèn hỏng ở phường Hồng Hà");
	assert_string_equal(d.agency, "ubnd:00097");
	assert_true(d.override);
	assert_non_null(strstr(d.reason, "quy định riêng"));
	d = decide(t, "chieu-sang-cay-xanh", "đèn hỏng ở xã Bát Tràng");
	assert_string_equal(d.agency, "so-xay-dung");
	assert_false(d.override);
	route_table_free(t);

	static const char *const bad[] = {
		"khac\t*\tso-khong-co\tno\tKhác\n",		     /* unknown agency */
		"khac\t123\tttpvhcc\tno\tKhác\n",		     /* bad scope */
		"khac\t*\tttpvhcc\tmaybe\tKhác\n",		     /* bad field */
		"dien\t00097\tttpvhcc\tno\nkhac\t*\tttpvhcc\tno\n", /* no * row */
		"dien\t*\tttpvhcc\tno\n",			     /* no khac */
		"khac\t*\n",					     /* too few fields */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		t = NULL;
		assert_int_equal(route_table_parse(&t, bad[i], strlen(bad[i]), agencies,
						   strlen(agencies), err, sizeof err),
				 TD_ERR_PARSE);
		assert_null(t);
		assert_non_null(strstr(err, "routing.tsv"));
	}
	const char badag[] = "onlycode\n";
	assert_int_equal(route_table_parse(&t, table, strlen(table), badag, strlen(badag), err,
					   sizeof err),
			 TD_ERR_PARSE);
	assert_int_equal(route_table_load(&t, "/nonexistent", err, sizeof err), TD_ERR_NOTFOUND);
}

static bool has(const struct pakn_missing *m, const char *f)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->fields[i], f) == 0)
			return true;
	return false;
}

static struct pakn_missing missing(const char *text, const struct pakn_form *form, bool field,
				   bool place)
{
	struct pakn_missing m;
	assert_int_equal(pakn_missing(text, strlen(text), form, field, place, &m), TD_OK);
	return m;
}

static void test_missing(void **state)
{
	(void)state;
	struct pakn_missing m = missing(
		"Tôi là Nguyễn Văn An, sđt 0912345678, rác tồn đọng đầu ngõ từ 3 ngày nay", NULL,
		true, false);
	assert_string_equal(m.name, "Nguyễn Văn An");
	assert_string_equal(m.phone, "0912345678");
	assert_true(m.has_time);
	assert_int_equal(m.n, 1);
	assert_true(has(&m, "dia_diem"));

	m = missing("rác tồn đọng đầu ngõ", NULL, true, true);
	assert_true(has(&m, "ho_ten"));
	assert_true(has(&m, "lien_he"));
	assert_true(has(&m, "thoi_gian"));
	assert_false(has(&m, "dia_diem"));
	assert_false(has(&m, "noi_dung_tieng_viet"));

	struct pakn_form form = {.name = "Trần Thị B", .phone = "", .address = "số 5 ngõ 10"};
	m = missing("karaoke đến 23h đêm", &form, true, true);
	assert_int_equal(m.n, 0);

	/* not a field report: no place, no time needed */
	m = missing("hồ sơ của tôi nộp đã quá hạn, sđt 0987.654.321", NULL, false, false);
	assert_string_equal(m.phone, "0987654321");
	assert_false(has(&m, "dia_diem"));
	assert_false(has(&m, "thoi_gian"));
	assert_true(has(&m, "ho_ten"));

	/* no Vietnamese */
	m = missing("The street light is broken", NULL, false, false);
	assert_true(has(&m, "noi_dung_tieng_viet"));
	m = missing("", NULL, false, false);
	assert_true(has(&m, "noi_dung_tieng_viet"));
	m = missing("den duong hong, toi om, de nghi sua", NULL, false, false);
	assert_false(has(&m, "noi_dung_tieng_viet"));

	/* times */
	static const char *const times[] = {
		"tối qua có tiếng nổ",	      "sáng nay mất nước",   "hôm qua xe đổ rác",
		"từ 3 ngày nay bốc mùi",      "hát đến 22h",	     "ngày 15/8 có cháy",
		"karaoke tới 11-12h đêm",     "đang cháy to",	     "từ tháng 4 chưa có",
		"ngập mỗi khi mưa",	      "thi công ban đêm",    "lúc 5h30 sáng",
	};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
		m = missing(times[i], NULL, true, true);
		if (!m.has_time)
			fail_msg("no time in '%s'", times[i]);
	}
	static const char *const notimes[] = {"tôi qua đường thấy ổ gà", "rác ở đầu ngõ 5"};
	for (size_t i = 0; i < sizeof notimes / sizeof notimes[0]; i++) {
		m = missing(notimes[i], NULL, true, true);
		if (m.has_time)
			fail_msg("time found in '%s'", notimes[i]);
	}
	/* a 3-digit hotline or a fee is not a phone; +84 is */
	m = missing("tôi gọi 113 mà không được, mất 500000 đồng", NULL, false, false);
	assert_string_equal(m.phone, "");
	m = missing("liên hệ +84 912 345 678", NULL, false, false);
	assert_string_equal(m.phone, "0912345678");
	/* "tôi là người dân" is not a name */
	m = missing("Tôi là người dân phường Láng", NULL, false, false);
	assert_string_equal(m.name, "");
	m = missing("ho ten: nguyen van an, 0912345678", NULL, false, false);
	assert_string_equal(m.name, "nguyen van an");
	assert_int_equal(pakn_missing("x", 1, NULL, false, false, NULL), TD_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ward_category),
		cmocka_unit_test(test_department_and_special),
		cmocka_unit_test(test_override_and_table_errors),
		cmocka_unit_test(test_missing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
