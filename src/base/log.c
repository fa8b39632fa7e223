/*
 * log.c - JSON-lines logger with personal-data masking.
 *
 * Masking lives here, at the one place every log line passes, instead of at
 * each call site: a call site that forgets is the leak we want to rule out.
 */
#include "base/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum td_log_level min_level = TD_LOG_INFO;
static int log_fd = 2;

void td_log_set_level(enum td_log_level level)
{
	min_level = level;
}

void td_log_set_fd(int fd)
{
	log_fd = fd;
}

int td_log_level_parse(const char *s)
{
	static const char *names[] = {"debug", "info", "warn", "error", "off"};
	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Whether any of the 8 bytes in w may be below 0x20 (control, NUL), '"' or
 * '\\' (exact for bytes below 0x80; a byte is never missed, a rare false
 * alarm only sends the word to the byte loop). */
static inline bool word_needs_escape(uint64_t w)
{
	const uint64_t ones = UINT64_C(0x0101010101010101), high = UINT64_C(0x8080808080808080);
	uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
	return ((w - ones * 0x20) | (q - ones) | (bs - ones)) & ~w & high;
}

void td_json_escape(struct td_buf *out, const char *s)
{
	td_buf_addc(out, '"');
	const unsigned char *p = (const unsigned char *)s, *run = p;
	const unsigned char *end = p + strlen(s);
	/* Copy runs of bytes that need no escape in one append: records
	 * are kilobytes of Vietnamese text with a rare quote or newline.
	 * Eight bytes are checked at once while eight remain. */
	for (;; p++) {
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (word_needs_escape(w))
				break;
			p += 8;
		}
		unsigned char c = *p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		td_buf_add(out, run, (size_t)(p - run));
		if (!c)
			break;
		switch (c) {
		case '"': td_buf_adds(out, "\\\""); break;
		case '\\': td_buf_adds(out, "\\\\"); break;
		case '\n': td_buf_adds(out, "\\n"); break;
		case '\r': td_buf_adds(out, "\\r"); break;
		case '\t': td_buf_adds(out, "\\t"); break;
		default: td_buf_addf(out, "\\u%04x", c);
		}
		run = p + 1;
	}
	td_buf_addc(out, '"');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length of a digit run starting at s that may contain single separators
 * (space, dot, dash) between digits; *ndigits gets the digit count. */
static size_t digit_run(const char *s, size_t *ndigits)
{
	size_t i = 0, n = 0, group = 0;
	while (s[i]) {
		if (is_digit(s[i])) {
			n++;
			group++;
			i++;
		} else if ((s[i] == ' ' || s[i] == '.' || s[i] == '-') && group >= 3 &&
			   is_digit(s[i + 1])) {
			/* Phone and ID numbers are written in groups of 3-4
			 * digits; procedure codes (1.001612) and dossier
			 * codes (000.00.12...) have shorter groups and stay. */
			group = 0;
			i++;
		} else {
			break;
		}
	}
	*ndigits = n;
	return i;
}

void td_pii_mask(struct td_buf *out, const char *s)
{
	size_t i = 0;
	while (s[i]) {
		if (s[i] == '+' && is_digit(s[i + 1])) {
			td_buf_addc(out, '+');
			i++;
			continue;
		}
		if (is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1]))) {
			size_t nd, len = digit_run(s + i, &nd);
			if (nd >= 7) {
				size_t seen = 0;
				for (size_t k = 0; k < len; k++) {
					char c = s[i + k];
					if (!is_digit(c)) {
						td_buf_addc(out, c);
						continue;
					}
					td_buf_addc(out, (seen < 2 || seen >= nd - 2) ? c : '*');
					seen++;
				}
			} else {
				td_buf_add(out, s + i, len);
			}
			i += len;
			continue;
		}
		if (s[i] == '@' && i > 0) {
			/* Mask the local part we already copied: walk back over it. */
			size_t back = 0;
			while (back < out->len) {
				char c = out->data[out->len - 1 - back];
				if (c == ' ' || c == '"' || c == '<' || c == ',' || c == ':' || c == '(')
					break;
				back++;
			}
			if (back > 0) {
				td_buf_truncate(out, out->len - back);
				td_buf_adds(out, "***");
			}
		}
		td_buf_addc(out, s[i]);
		i++;
	}
}

void td_log(enum td_log_level level, const char *event, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error", "off"};
	if (level < min_level || level >= TD_LOG_OFF)
		return;

	struct td_buf line, masked;
	td_buf_init(&line, 64 * 1024);
	td_buf_init(&masked, 16 * 1024);

	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	td_buf_addf(&line, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":", ts, names[level]);
	td_json_escape(&line, event);

	va_list ap;
	va_start(ap, event);
	for (;;) {
		const char *key = va_arg(ap, const char *);
		if (!key)
			break;
		const char *val = va_arg(ap, const char *);
		if (!val)
			val = "";
		td_buf_addc(&line, ',');
		td_json_escape(&line, key);
		td_buf_addc(&line, ':');
		td_buf_clear(&masked);
		if (strncmp(key, "pii.", 4) == 0)
			td_buf_adds(&masked, "***");
		else
			td_pii_mask(&masked, val);
		td_json_escape(&line, masked.data ? masked.data : "");
	}
	va_end(ap);
	td_buf_adds(&line, "}\n");

	if (!td_buf_error(&line)) {
		ssize_t w = write(log_fd, line.data, line.len);
		(void)w; /* nowhere to report a failed log write */
	}
	td_buf_release(&line);
	td_buf_release(&masked);
}
