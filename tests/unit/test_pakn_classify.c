/* test_pakn_classify.c - the PAKN classifier on held-out messages written for
 * this test (not rows of data/pakn/train.tsv): category accuracy floors per
 * group, emergencies (recall 1.0) and their near-miss contrasts, negation and
 * past tense, speech and no-diacritics styles, empty/garbage/huge input,
 * determinism, the category table and load errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "pakn/pakn.h"

static struct pakn_model *model;

static int setup(void **state)
{
	(void)state;
	const char *src = getenv("TD_SOURCE_DIR");
	char err[512];
	if (pakn_model_load(&model, src ? src : TD_SOURCE_DIR, err, sizeof err) != TD_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pakn_model_free(model);
	return 0;
}

static struct pakn_classification run(const char *text)
{
	struct pakn_classification c;
	assert_int_equal(pakn_classify(model, text, strlen(text), &c), TD_OK);
	return c;
}

struct labelled {
	const char *text;
	const char *category;
};

/* Field reports: urban order, construction, environment, noise, roads,
 * lighting/trees, drainage, water, power. */
static const struct labelled field[] = {
	{"Mấy hàng ăn sáng ở ngõ chợ Khâm Thiên bày bàn ghế kín vỉa hè, người đi bộ phải đi dưới đường", "trat-tu-do-thi"},
	{"hang rong ban hoa qua chan ca loi vao benh vien", "trat-tu-do-thi"},
	{"Hộ dân ở tổ 9 đang xây nhà 6 tầng không có giấy phép xây dựng, đề nghị kiểm tra", "trat-tu-xay-dung"},
	{"nha hang xom coi noi them tang 4 tren san thuong ma khong xin phep", "trat-tu-xay-dung"},
	{"Bãi đất trống cạnh trường bị đổ trộm phế thải xây dựng chất thành đống", "ve-sinh-moi-truong"},
	{"dạ rác ở đầu ngõ không ai thu gom cả tuần bốc mùi kinh lắm ạ", "ve-sinh-moi-truong"},
	{"Quán karaoke đối diện nhà tôi hát đến 2 giờ sáng đêm nào cũng vậy", "tieng-on"},
	{"cong trinh ep coc lam dem gay on khong ngu duoc", "tieng-on"},
	{"Ổ gà to giữa đường Trường Chinh, tối qua đã có người ngã xe", "ha-tang-giao-thong"},
	{"den tin hieu o nga tu Kim Ma hong tu sang", "ha-tang-giao-thong"},
	{"Đèn đường cả dãy phố tắt mấy hôm nay, tối đi rất sợ", "chieu-sang-cay-xanh"},
	{"cây sấu trước số nhà 20 bị mục gốc nghiêng ra đường, đề nghị cắt tỉa", "chieu-sang-cay-xanh"},
	{"Mưa có 30 phút mà phố Nguyễn Khuyến ngập đến đầu gối, cống thoát không kịp", "thoat-nuoc"},
	{"cong thoat nuoc tac nuoc thai trao len mat duong", "thoat-nuoc"},
	{"Chung cư mất nước từ tối thứ 6 đến giờ chưa có, không có thông báo gì", "cap-nuoc"},
	{"nuoc may nha em duc nhu nuoc ao co mui tanh", "cap-nuoc"},
	{"Mất điện cả khu từ 7 giờ sáng, gọi điện lực không ai nghe máy", "dien"},
	{"cột điện đầu ngõ nghiêng hẳn, dây điện võng xuống thấp", "dien"},
};

/* Security, traffic order, fire prevention, food, health, education. */
static const struct labelled order_services[] = {
	{"Tối nào cũng có nhóm nghiện tụ tập chích hút ở bãi đất sau chợ", "an-ninh-trat-tu"},
	{"nha toi bi trom mat chiec xe dap dien de trong san", "an-ninh-trat-tu"},
	{"Thanh niên tụ tập đua xe, nẹt pô trên đường Võ Chí Công mỗi đêm thứ 7", "an-toan-giao-thong"},
	{"xe tai cho dat qua tai chay vao duong lang lam nut het duong", "an-toan-giao-thong"},
	{"Cửa hàng trong ngõ chứa hàng trăm bình gas, nguy cơ cháy nổ", "phong-chay"},
	{"chung cu khoa cua thoat hiem, lo co chay thi khong chay ra duoc", "phong-chay"},
	{"Quán phở đầu ngõ bếp bẩn, chuột chạy, bát đũa rửa bằng nước bẩn", "an-toan-thuc-pham"},
	{"mua banh mi ve an bi dau bung ca nha, nghi ngo doc thuc pham", "an-toan-thuc-pham"},
	{"Bệnh viện quận bắt bệnh nhân chờ cả buổi sáng, bác sĩ thì cáu gắt", "y-te"},
	{"khu em nhieu nguoi bi sot xuat huyet de nghi phun thuoc diet muoi", "y-te"},
	{"Trường tiểu học thu tiền điều hòa, tiền máy chiếu ngoài quy định", "giao-duc"},
	{"co giao ep hoc sinh di hoc them o nha", "giao-duc"},
};

/* Land, labour, trade, culture, procedures, complaints, other. */
static const struct labelled admin[] = {
	{"Nhà bên lấn sang đất nhà tôi hơn 1 mét, hòa giải ở tổ dân phố không thành", "dat-dai"},
	{"du an lam duong thu hoi dat nha toi ma tien boi thuong qua thap", "dat-dai"},
	{"Công ty may nợ lương công nhân hai tháng, giám đốc không nghe máy", "lao-dong-an-sinh"},
	{"me toi 82 tuoi chua duoc nhan tro cap nguoi cao tuoi", "lao-dong-an-sinh"},
	{"Cửa hàng ở chợ Ninh Hiệp bán quần áo hàng giả nhãn hiệu nổi tiếng", "thuong-mai"},
	{"cho ban thit can dieu, mua 1 can ve chi con 8 lang", "thuong-mai"},
	{"Lễ hội chùa Hương năm nay vẫn còn tình trạng chèo kéo, chặt chém khách", "van-hoa-du-lich"},
	{"dinh lang xuong cap mai dot de nghi tu bo di tich", "van-hoa-du-lich"},
	{"Nộp hồ sơ đăng ký khai sinh ở phường quá hẹn 10 ngày chưa có kết quả", "thu-tuc-hanh-chinh"},
	{"can bo mot cua doi them giay to ngoai quy dinh moi nhan ho so", "thu-tuc-hanh-chinh"},
	{"Tôi muốn khiếu nại quyết định xử phạt của UBND phường đối với cửa hàng tôi", "khieu-nai-to-cao"},
	{"toi to cao can bo dia chinh nhan tien cua dan", "khieu-nai-to-cao"},
	{"Cảm ơn tổng đài đã hướng dẫn tôi rất tận tình", "khac"},
	{"ung dung ihanoi bi loi khong dang nhap duoc", "khac"},
};

static size_t correct(const struct labelled *set, size_t n, const char *group)
{
	size_t ok = 0;
	for (size_t i = 0; i < n; i++) {
		struct pakn_classification c = run(set[i].text);
		if (strcmp(c.category, set[i].category) == 0)
			ok++;
		else
			fprintf(stderr, "[%s] want %s got %s (%.2f): %s\n", group, set[i].category,
				c.category, c.confidence, set[i].text);
		assert_true(c.confidence >= 0 && c.confidence <= 1);
		assert_true(c.n_reasons >= 1 && c.n_reasons <= PAKN_REASONS_MAX);
	}
	return ok;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_field_reports(void **state)
{
	(void)state;
	size_t ok = correct(field, COUNT(field), "field");
	assert_true(ok * 100 >= COUNT(field) * 80);
}

static void test_order_and_services(void **state)
{
	(void)state;
	size_t ok = correct(order_services, COUNT(order_services), "order");
	assert_true(ok * 100 >= COUNT(order_services) * 80);
}

static void test_admin(void **state)
{
	(void)state;
	size_t ok = correct(admin, COUNT(admin), "admin");
	assert_true(ok * 100 >= COUNT(admin) * 80);
}

struct emergency_case {
	const char *text;
	const char *number; /* must be among the numbers given */
};

static const struct emergency_case emergencies[] = {
	{"Nhà số 14 ngõ 35 đang cháy to lắm, khói đen kín cả ngõ", "114"},
	{"alo alo chay roi chay nha o ngo 12 lua to lam", "114"},
	{"khói bốc ra từ tầng 3 chung cư, có người mắc kẹt không xuống được", "114"},
	{"ngửi thấy mùi gas rất nặng ở hành lang tầng 7", "114"},
	{"Có tiếng nổ rồi lửa bốc lên ở xưởng sơn cạnh nhà", "114"},
	{"có hai nhóm đang đánh nhau cầm dao ở cổng chợ", "113"},
	{"tôi vừa bị cướp giật túi ở ngã tư, nó chạy về phía cầu", "113"},
	{"dang co trom cay cua nha hang xom", "113"},
	{"Có người bị đâm chảy máu nhiều ở quán bia", "115"},
	{"tai nạn xe máy ở dốc cầu, một người nằm bất tỉnh", "115"},
	{"tai nan o nga ba nguoi di xe may chay mau dau", "115"},
	{"ông cụ ngã ở chợ, co giật, không gọi được", "115"},
	{"dạ em báo là có người bị điện giật ở cột điện đầu ngõ ạ", "115"},
	{"thang máy kẹt giữa tầng, có 3 người mắc kẹt bên trong", "114"},
	{"một cháu bé bị đuối nước ở hồ sau nhà văn hóa", "115"},
};

static void test_emergencies(void **state)
{
	(void)state;
	for (size_t i = 0; i < COUNT(emergencies); i++) {
		struct pakn_classification c = run(emergencies[i].text);
		if (!c.emergency)
			fprintf(stderr, "missed emergency: %s\n", emergencies[i].text);
		assert_true(c.emergency);
		assert_int_equal(c.level, PAKN_LEVEL_URGENT);
		assert_non_null(strstr(c.emergency_numbers, emergencies[i].number));
		assert_non_null(strstr(c.reasons[0], "khẩn cấp"));
	}
}

/* Near misses: same words, no emergency. */
static const char *const not_emergencies[] = {
	"Kho hàng dễ cháy nằm giữa khu dân cư, nguy cơ cháy nổ rất cao",
	"hôm qua có vụ cháy ở đầu ngõ, giờ đã dập tắt, đề nghị kiểm tra phòng cháy",
	"Khu này thường xuyên có thanh niên đánh nhau, đề nghị tăng cường tuần tra",
	"tuần trước có tai nạn ở ngã ba, không ai bị thương, đề nghị lắp gương cầu lồi",
	"Đề nghị diễn tập phòng cháy chữa cháy cho chung cư",
	"nam ngoai cho bi chay, den gio van chua co binh chua chay",
	"Tình trạng cướp giật ở đường Láng diễn ra nhiều, người dân lo lắng",
	"xe cứu thương đến chậm khi nhà tôi gọi cấp cứu tháng trước, đề nghị xem xét",
	"Bếp nhà bên có khói vì cháy nồi cơm, đã tắt rồi",
	"Trạm y tế không có thuốc hạ sốt cho trẻ em",
	"Quán nhậu mở nhạc to, khách say xỉn cãi nhau ồn ào nhưng không có đánh nhau",
};

static void test_near_misses(void **state)
{
	(void)state;
	size_t fp = 0;
	for (size_t i = 0; i < COUNT(not_emergencies); i++) {
		struct pakn_classification c = run(not_emergencies[i]);
		if (c.emergency)
			fprintf(stderr, "false alarm %s: %s\n", c.emergency_numbers, not_emergencies[i]);
		fp += c.emergency;
		if (!c.emergency)
			assert_string_equal(c.emergency_numbers, "");
	}
	assert_true(fp <= 1); /* precision >= 0.9 over both lists */
}

static void test_negation_and_past(void **state)
{
	(void)state;
	struct pakn_classification c = run("tai nạn nhẹ, không ai bị thương");
	assert_false(c.emergency);
	c = run("hôm qua có vụ cháy, giờ đã dập");
	assert_false(c.emergency);
	c = run("đêm qua nhà tôi bị trộm đột nhập lấy mất xe máy");
	assert_false(c.emergency);
	/* The same events now. */
	c = run("tai nạn, có người bị thương nặng");
	assert_true(c.emergency);
	c = run("có vụ cháy ở chợ, lửa to lắm");
	assert_true(c.emergency);
	/* Past plus a sign it goes on. */
	c = run("cháy từ tối qua đến giờ vẫn đang cháy lan sang nhà dân");
	assert_true(c.emergency);
	/* "không biết" is no negation. */
	c = run("nhà bên cạnh cháy to, không biết có ai mắc kẹt không");
	assert_true(c.emergency);
}

static void test_levels(void **state)
{
	(void)state;
	struct pakn_classification c =
		run("Tranh chấp đất giữa hai hộ, bồi thường giải phóng mặt bằng chưa thỏa đáng");
	assert_string_equal(c.category, "dat-dai");
	assert_int_equal(c.level, PAKN_LEVEL_COMPLEX);
	c = run("Dây điện bị đứt rơi xuống vỉa hè, rất nguy hiểm cho người đi đường");
	assert_int_equal(c.level, PAKN_LEVEL_URGENT);
	c = run("Đề nghị sơn lại vạch kẻ đường cho người đi bộ trước cổng trường");
	assert_int_equal(c.level, PAKN_LEVEL_NORMAL);
	assert_string_equal(pakn_level_name(PAKN_LEVEL_NORMAL), "normal");
	assert_string_equal(pakn_level_name(PAKN_LEVEL_URGENT), "urgent");
	assert_string_equal(pakn_level_name(PAKN_LEVEL_COMPLEX), "complex");
	assert_string_equal(pakn_level_name((enum pakn_level)42), "normal");
}

static void test_reasons(void **state)
{
	(void)state;
	struct pakn_classification c = run("các quán lấn chiếm vỉa hè bày bán hàng");
	assert_string_equal(c.category, "trat-tu-do-thi");
	bool rule = false;
	for (size_t i = 0; i < c.n_reasons; i++)
		rule |= strstr(c.reasons[i], "lấn chiếm vỉa hè") != NULL;
	assert_true(rule);
	c = run("nguy cơ cháy nổ, kho hàng dễ cháy");
	assert_string_equal(c.category, "phong-chay");
	assert_false(c.emergency);
}

static void test_odd_input(void **state)
{
	(void)state;
	struct pakn_classification c;
	assert_int_equal(pakn_classify(model, NULL, 0, &c), TD_OK);
	assert_string_equal(c.category, "khac");
	assert_false(c.emergency);
	assert_int_equal(pakn_classify(model, "", 0, &c), TD_OK);
	assert_string_equal(c.category, "khac");
	assert_int_equal(pakn_classify(model, " \t\n!!!...", 10, &c), TD_OK);
	assert_string_equal(c.category, "khac");
	assert_int_equal(pakn_classify(NULL, "x", 1, &c), TD_ERR_INVAL);
	assert_int_equal(pakn_classify(model, "x", 1, NULL), TD_ERR_INVAL);
	/* Invalid UTF-8 and control bytes. */
	const char bad[] = "\xff\xfe ch\xe1y \xc3\x28 \x01\x02 \xf0\x9f\x94\xa5 đang cháy";
	assert_int_equal(pakn_classify(model, bad, sizeof bad - 1, &c), TD_OK);
	assert_true(c.emergency);
	/* Huge input: 1 MiB; only the head is read. */
	size_t n = (size_t)1 << 20;
	char *huge = td_malloc(n);
	for (size_t i = 0; i < n; i++)
		huge[i] = "rac thai ton dong "[i % 18];
	assert_int_equal(pakn_classify(model, huge, n, &c), TD_OK);
	assert_string_equal(c.category, "ve-sinh-moi-truong");
	/* Every reason is valid, NUL-terminated text. */
	for (size_t i = 0; i < c.n_reasons; i++)
		assert_true(strlen(c.reasons[i]) < sizeof c.reasons[i]);
	td_free(huge);
}

static void test_deterministic(void **state)
{
	(void)state;
	const char *t = "alo dạ em ở phường Kim Liên có cái cống tắc nước thải tràn ra đường ạ";
	struct pakn_classification a = run(t), b = run(t);
	assert_memory_equal(&a, &b, sizeof a);
	/* A second model from the same files says the same. */
	struct pakn_model *m2;
	const char *src = getenv("TD_SOURCE_DIR");
	assert_int_equal(pakn_model_load(&m2, src ? src : TD_SOURCE_DIR, NULL, 0), TD_OK);
	struct pakn_classification c;
	assert_int_equal(pakn_classify(m2, t, strlen(t), &c), TD_OK);
	assert_memory_equal(&a, &c, sizeof a);
	pakn_model_free(m2);
}

static void test_table_and_errors(void **state)
{
	(void)state;
	assert_int_equal(pakn_category_count(), 22);
	assert_string_equal(pakn_category_slug(0), "trat-tu-do-thi");
	assert_string_equal(pakn_category_slug(21), "khieu-nai-to-cao");
	assert_string_equal(pakn_category_name(20), "Khác");
	assert_null(pakn_category_slug(22));
	assert_null(pakn_category_name(99));
	struct pakn_model *m = (struct pakn_model *)1;
	char err[256];
	assert_int_equal(pakn_model_load(&m, "/nonexistent/dir", err, sizeof err),
			 TD_ERR_NOTFOUND);
	assert_null(m);
	assert_non_null(strstr(err, "aliases.tsv"));
	pakn_model_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_reports),   cmocka_unit_test(test_order_and_services),
		cmocka_unit_test(test_admin),           cmocka_unit_test(test_emergencies),
		cmocka_unit_test(test_near_misses),     cmocka_unit_test(test_negation_and_past),
		cmocka_unit_test(test_levels),          cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_odd_input),       cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_table_and_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
