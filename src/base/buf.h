/*
 * buf.h - growable byte buffers with a hard cap and a sticky error.
 *
 * Invariants: data is always NUL-terminated (data[len] == '\0') once anything
 * was added; len < cap; len never exceeds max.  An append that would pass max
 * (or fail to allocate) sets err and is dropped, and every later append is a
 * no-op, so a caller may append many pieces and check td_buf_error() once.
 *
 * Example:
 *     struct td_buf b;
 *     td_buf_init(&b, 1 << 20);
 *     td_buf_adds(&b, "hello");
 *     td_buf_addf(&b, " %d", 42);
 *     if (td_buf_error(&b)) ...;
 *     use(b.data, b.len);
 *     td_buf_release(&b);
 */
#ifndef TD_BASE_BUF_H
#define TD_BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/error.h"

struct td_buf {
	char *data;  /* owned; NULL until the first append */
	size_t len;  /* bytes used, not counting the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len */
	td_err err;  /* sticky: first error seen */
};

/* Prepare an empty buffer that may hold up to max bytes. */
void td_buf_init(struct td_buf *b, size_t max);
/* Free the memory; the buffer may be initialised again. */
void td_buf_release(struct td_buf *b);
/* Empty the buffer for reuse, keeping memory and clearing the error. */
void td_buf_clear(struct td_buf *b);
/* Hand the NUL-terminated data to the caller (who frees it with td_free)
 * and reset the buffer.  Returns "" copy if nothing was added. */
char *td_buf_detach(struct td_buf *b, size_t *len);

/* The general append (growth, caps, errors); td_buf_add and td_buf_addc
 * below handle the common case inline. */
void td_buf_add_slow(struct td_buf *b, const void *p, size_t n);

/* Composing an answer appends a few hundred small pieces: when they fit in
 * the memory already there, an append is a copy, not a call. */
static inline void td_buf_add(struct td_buf *b, const void *p, size_t n)
{
	if (!b->err && n < b->cap - b->len && n <= b->max - b->len) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	td_buf_add_slow(b, p, n);
}

static inline void td_buf_addc(struct td_buf *b, char c)
{
	if (!b->err && b->cap - b->len > 1 && b->len < b->max) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return;
	}
	td_buf_add_slow(b, &c, 1);
}

void td_buf_adds(struct td_buf *b, const char *s);
void td_buf_addf(struct td_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Drop bytes from the end (n larger than len empties it). */
void td_buf_truncate(struct td_buf *b, size_t newlen);

static inline td_err td_buf_error(const struct td_buf *b)
{
	return b->err;
}

#endif
