/*
 * error.h - the one error enum of tongdai.
 *
 * Every function that does something returns a td_err: TD_OK (0) or a negative
 * code.  HTTP statuses, CLI exit codes and SIP responses are mapped from it at
 * the edges, never the other way round.
 */
#ifndef TD_BASE_ERROR_H
#define TD_BASE_ERROR_H

typedef enum td_err {
	TD_OK = 0,
	TD_ERR_NOMEM = -1,    /* allocation failed (only reachable below caps) */
	TD_ERR_INVAL = -2,    /* bad argument or bad input */
	TD_ERR_IO = -3,       /* file or socket I/O failed */
	TD_ERR_PARSE = -4,    /* input could not be parsed (JSON, UTF-8, ...) */
	TD_ERR_NOTFOUND = -5, /* no such record, key or file */
	TD_ERR_TOOBIG = -6,   /* input or buffer over its hard cap */
	TD_ERR_DB = -7,       /* the store reported an error */
	TD_ERR_EXISTS = -8,   /* already exists / conflicts */
	TD_ERR_UTF8 = -9,     /* invalid UTF-8 */
	TD_ERR_CONFIG = -10,  /* bad configuration */
	TD_ERR_INTERNAL = -11,/* broken invariant that is not worth an abort */
	TD_ERR_BUSY = -12,    /* resource busy or rate limited */
	TD_ERR_UNSUPPORTED = -13,
} td_err;

/* A short English description of the code; static storage, never NULL. */
const char *td_strerror(td_err err);

/* The code's stable machine name ("not_found", ...), used in JSON errors. */
const char *td_errname(td_err err);

#endif
