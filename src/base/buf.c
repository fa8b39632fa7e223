/* buf.c - capped growable buffers (see buf.h for the invariants). */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"

void td_buf_init(struct td_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = TD_OK;
}

void td_buf_release(struct td_buf *b)
{
	td_free(b->data);
	td_buf_init(b, b->max);
}

void td_buf_clear(struct td_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
	b->err = TD_OK;
}

char *td_buf_detach(struct td_buf *b, size_t *len)
{
	char *d = b->data ? b->data : td_strdup("");
	if (len)
		*len = b->len;
	td_buf_init(b, b->max);
	return d;
}

/* Make room for n more bytes plus the NUL; false (and err set) if over max. */
static bool reserve(struct td_buf *b, size_t n)
{
	if (b->err)
		return false;
	if (n > b->max || b->len > b->max - n) {
		b->err = TD_ERR_TOOBIG;
		return false;
	}
	size_t need = b->len + n + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	b->data = td_realloc(b->data, cap);
	b->cap = cap;
	return true;
}

void td_buf_add_slow(struct td_buf *b, const void *p, size_t n)
{
	if (!reserve(b, n))
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void td_buf_adds(struct td_buf *b, const char *s)
{
	td_buf_add(b, s, strlen(s));
}

void td_buf_addf(struct td_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;

	if (b->err)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->err = TD_ERR_INVAL;
		return;
	}
	if ((size_t)n < sizeof small) {
		td_buf_add(b, small, (size_t)n);
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void td_buf_truncate(struct td_buf *b, size_t newlen)
{
	if (newlen < b->len) {
		b->len = newlen;
		b->data[newlen] = '\0';
	}
}
