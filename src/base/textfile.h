/*
 * textfile.h - reading the editable data files (TSV rules, training sets,
 * word lists): a whole file into memory with a size cap, and the line and
 * tab-splitting helpers their parsers share.
 */
#ifndef TD_BASE_TEXTFILE_H
#define TD_BASE_TEXTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/*
 * Read the whole file at path into a new NUL-terminated string (*out, the
 * caller frees it with td_free).  Files over max bytes are refused.
 * Errors: TD_ERR_NOTFOUND (cannot open), TD_ERR_IO, TD_ERR_TOOBIG; err then
 * holds "PATH: reason".
 */
td_err td_file_read(const char *path, size_t max, char **out, char *err, size_t errlen);

/* The same, also giving the length (len may be NULL). */
td_err td_file_read_len(const char *path, size_t max, char **out, size_t *len, char *err,
			size_t errlen);

/* Iterate the lines of [*p, end): sets line and len for the next one
 * (without the newline or a CR) and advances *p; false at the end. */
bool td_next_line(const char **p, const char *end, const char **line, size_t *len);

/* Split s[0..n) on tabs into at most max fields (f, flen); returns the count. */
size_t td_split_tabs(const char *s, size_t n, const char **f, size_t *flen, size_t max);

/* True for a line of only blanks, or whose first non-blank is '#'. */
bool td_blank_or_comment(const char *s, size_t n);

#endif
