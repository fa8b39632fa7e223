/* textfile.c - whole-file reads and line helpers for data files. */
#include "base/textfile.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"

td_err td_file_read(const char *path, size_t max, char **out, char *err, size_t errlen)
{
	return td_file_read_len(path, max, out, NULL, err, errlen);
}

td_err td_file_read_len(const char *path, size_t max, char **out, size_t *len, char *err,
			size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open", path);
		return TD_ERR_NOTFOUND;
	}
	struct td_buf b;
	td_buf_init(&b, max);
	char chunk[8192];
	size_t k;
	while ((k = fread(chunk, 1, sizeof chunk, f)) > 0 && !td_buf_error(&b))
		td_buf_add(&b, chunk, k);
	td_err rc = ferror(f) ? TD_ERR_IO : td_buf_error(&b);
	fclose(f);
	if (rc != TD_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 rc == TD_ERR_TOOBIG ? "file too big" : td_strerror(rc));
		td_buf_release(&b);
		return rc;
	}
	*out = td_buf_detach(&b, len);
	return TD_OK;
}

bool td_next_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (*p >= end)
		return false;
	const char *s = *p;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	const char *e = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	*line = s;
	*len = (size_t)(e - s);
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return true;
}

size_t td_split_tabs(const char *s, size_t n, const char **f, size_t *flen, size_t max)
{
	size_t k = 0, st = 0;
	for (size_t i = 0; i <= n && k < max; i++) {
		if (i == n || s[i] == '\t') {
			f[k] = s + st;
			flen[k] = i - st;
			k++;
			st = i + 1;
		}
	}
	return k;
}

bool td_blank_or_comment(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i == n || s[i] == '#';
}
