/*
 * log.h - structured logging: one JSON object per line.
 *
 *     td_log(TD_LOG_INFO, "kb.import", "file", path, "imported", "2642", NULL);
 *
 * writes {"ts":"2026-11-28T09:40:00Z","level":"info","event":"kb.import",
 * "file":"...","imported":"2642"}.  Arguments after the event are key/value
 * string pairs ended by NULL.  Every value passes through td_pii_mask(), so a
 * phone or ID number that slips into a message never reaches the log whole;
 * keys that start with "pii." are masked entirely.
 *
 * Thread-safe: each line is written with one write(2).
 */
#ifndef TD_BASE_LOG_H
#define TD_BASE_LOG_H

#include <stddef.h>

#include "base/buf.h"

enum td_log_level { TD_LOG_DEBUG, TD_LOG_INFO, TD_LOG_WARN, TD_LOG_ERROR, TD_LOG_OFF };

/* Lines below level are dropped.  Default: TD_LOG_INFO. */
void td_log_set_level(enum td_log_level level);
/* Where lines go (a file descriptor); default 2 (stderr). */
void td_log_set_fd(int fd);
/* Parse "debug|info|warn|error|off"; returns -1 if unknown. */
int td_log_level_parse(const char *s);

void td_log(enum td_log_level level, const char *event, ...)
	__attribute__((sentinel));

/*
 * Append s to out with personal data masked: runs of 7 or more digits (phone
 * numbers, ID numbers, allowing spaces, dots and dashes between digit groups)
 * keep their first 2 and last 2 digits and the rest become '*'; the local part
 * of an e-mail address becomes "***".  Everything else is copied unchanged.
 */
void td_pii_mask(struct td_buf *out, const char *s);

/* Append s to out as a JSON string literal (quoted, escaped). */
void td_json_escape(struct td_buf *out, const char *s);

#endif
