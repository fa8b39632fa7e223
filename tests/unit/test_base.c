/* test_base.c - errors, buffers, masking, configuration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/error.h"
#include "base/log.h"

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(td_strerror(TD_OK), "success");
	assert_string_equal(td_errname(TD_ERR_NOTFOUND), "not_found");
	assert_string_equal(td_strerror((td_err)-999), "unknown error");
}

static void test_buf_cap_is_sticky(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 8);
	td_buf_adds(&b, "abcd");
	td_buf_addf(&b, "%d", 123);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "abcd123");
	td_buf_adds(&b, "xy"); /* would be 9 > 8 */
	assert_int_equal(td_buf_error(&b), TD_ERR_TOOBIG);
	td_buf_adds(&b, "z"); /* sticky: dropped though it would fit */
	assert_int_equal(b.len, 7);
	td_buf_clear(&b);
	assert_int_equal(td_buf_error(&b), TD_OK);
	assert_int_equal(b.len, 0);
	td_buf_release(&b);
}

static void test_buf_long_format(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 1 << 20);
	char big[1000];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	td_buf_addf(&b, "[%s]", big);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.data[0], '[');
	assert_int_equal(b.data[1000], ']');
	size_t len;
	char *d = td_buf_detach(&b, &len);
	assert_int_equal(len, 1001);
	assert_null(b.data);
	td_free(d);
}

static char *mask(const char *s)
{
	struct td_buf b;
	td_buf_init(&b, 4096);
	td_pii_mask(&b, s);
	return td_buf_detach(&b, NULL);
}

static void test_pii_mask(void **state)
{
	(void)state;
	char *m = mask("gọi 0912345678 nhé");
	assert_string_equal(m, "gọi 09******78 nhé");
	td_free(m);
	m = mask("CCCD 001085012345, sđt 0912.345.678");
	assert_string_equal(m, "CCCD 00********45, sđt 09**.***.*78");
	td_free(m);
	m = mask("hồ sơ 1.001612 ngày 25/12"); /* short numbers stay */
	assert_string_equal(m, "hồ sơ 1.001612 ngày 25/12");
	td_free(m);
	m = mask("mail nguyen.van.a@example.vn");
	assert_string_equal(m, "mail ***@example.vn");
	td_free(m);
}

static void test_log_masks(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	td_log_set_fd(fds[1]);
	td_log(TD_LOG_INFO, "test.event", "phone", "0987654321", "pii.name", "Nguyễn Văn A", NULL);
	td_log(TD_LOG_DEBUG, "dropped", NULL);
	td_log_set_fd(2);
	close(fds[1]);
	char out[1024] = {0};
	ssize_t n = read(fds[0], out, sizeof out - 1);
	close(fds[0]);
	assert_true(n > 0);
	assert_non_null(strstr(out, "\"event\":\"test.event\""));
	assert_non_null(strstr(out, "\"phone\":\"09******21\""));
	assert_non_null(strstr(out, "\"pii.name\":\"***\""));
	assert_null(strstr(out, "Nguyễn"));
	assert_null(strstr(out, "dropped"));
	assert_int_equal(strchr(out, '\n') - out + 1, n); /* one line */
}

static void test_config(void **state)
{
	(void)state;
	char path[] = "/tmp/td_conf_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "# comment\n data_dir = /tmp/x \nlisten=127.0.0.1:9\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);

	struct td_config *cfg = td_config_new();
	assert_string_equal(td_config_get(cfg, "data_dir"), "./var");
	char err[256];
	assert_int_equal(td_config_load_file(cfg, path, err, sizeof err), TD_OK);
	assert_string_equal(td_config_get(cfg, "data_dir"), "/tmp/x");
	setenv("TONGDAI_DATA_DIR", "/tmp/env", 1);
	td_config_load_env(cfg);
	assert_string_equal(td_config_get(cfg, "data_dir"), "/tmp/env");
	unsetenv("TONGDAI_DATA_DIR");
	assert_int_equal(td_config_get_long(cfg, "http_threads", 0), 2);
	assert_null(td_config_get(cfg, "nope"));

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "dta_dir = 1\n", 12), 12);
	close(fd);
	assert_int_equal(td_config_load_file(cfg, path, err, sizeof err), TD_ERR_CONFIG);
	assert_non_null(strstr(err, ":1: unknown key 'dta_dir'"));
	unlink(path);
	assert_int_equal(td_config_load_file(cfg, path, err, sizeof err), TD_ERR_NOTFOUND);
	td_config_free(cfg);
}

/* The word-at-a-time escape against a byte-at-a-time reference: every
 * special byte at every offset of strings around the 8-byte boundaries, and
 * Vietnamese text around it. */
static void ref_escape(struct td_buf *out, const char *s)
{
	td_buf_addc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': td_buf_adds(out, "\\\""); break;
		case '\\': td_buf_adds(out, "\\\\"); break;
		case '\n': td_buf_adds(out, "\\n"); break;
		case '\r': td_buf_adds(out, "\\r"); break;
		case '\t': td_buf_adds(out, "\\t"); break;
		default:
			if (*p < 0x20)
				td_buf_addf(out, "\\u%04x", *p);
			else
				td_buf_addc(out, (char)*p);
		}
	}
	td_buf_addc(out, '"');
}

static void test_json_escape_words(void **state)
{
	(void)state;
	static const char specials[] = {'"', '\\', '\n', '\r', '\t', 0x01, 0x1f, ' ', '!', 0x7f};
	static const char *const fills[] = {"abcdefghijklmnopqrstuvwxyz0123456789",
					    "đăng ký khai sinh ở phường Hoàn Kiếm ạ"};
	char s[64];
	for (size_t f = 0; f < 2; f++)
		for (size_t len = 0; len < 30; len++)
			for (size_t at = 0; at <= len; at++)
				for (size_t k = 0; k < sizeof specials; k++) {
					size_t n = len < strlen(fills[f]) ? len : strlen(fills[f]);
					memcpy(s, fills[f], n);
					s[n] = '\0';
					if (at < n)
						s[at] = specials[k];
					struct td_buf a, b;
					td_buf_init(&a, 1024);
					td_buf_init(&b, 1024);
					td_json_escape(&a, s);
					ref_escape(&b, s);
					assert_int_equal(a.len, b.len);
					assert_memory_equal(a.data, b.data, a.len);
					td_buf_release(&a);
					td_buf_release(&b);
				}
}

/* The inline appends keep the cap and the sticky error. */
static void test_buf_inline_appends(void **state)
{
	(void)state;
	struct td_buf b;
	td_buf_init(&b, 10);
	for (int i = 0; i < 10; i++)
		td_buf_addc(&b, 'x');
	assert_int_equal(td_buf_error(&b), TD_OK);
	assert_int_equal(b.len, 10);
	td_buf_addc(&b, 'y');
	assert_int_equal(td_buf_error(&b), TD_ERR_TOOBIG);
	td_buf_clear(&b);
	td_buf_add(&b, "12345", 5);
	td_buf_add(&b, "", 0);
	td_buf_add(&b, NULL, 0);
	td_buf_add(&b, "67890", 5);
	assert_string_equal(b.data, "1234567890");
	td_buf_add(&b, "1", 1);
	assert_int_equal(td_buf_error(&b), TD_ERR_TOOBIG);
	assert_string_equal(b.data, "1234567890");
	td_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),   cmocka_unit_test(test_buf_cap_is_sticky),
		cmocka_unit_test(test_buf_long_format), cmocka_unit_test(test_pii_mask),
		cmocka_unit_test(test_log_masks),  cmocka_unit_test(test_config),
		cmocka_unit_test(test_json_escape_words), cmocka_unit_test(test_buf_inline_appends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
