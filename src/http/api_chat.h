/*
 * api_chat.h - the chat endpoints of the HTTP API:
 *
 *   POST /api/v1/chat     one citizen message -> the answer, in a session
 *   GET  /api/v1/kb/gaps  questions the knowledge base could not answer
 *
 * The engine comes from an http_answer_holder (built once at start-up,
 * swapped on reload); sessions, turns and gaps go to the store through the
 * store pool.  docs/api.md documents the requests, responses and errors;
 * docs/internals/http.md the session design.
 */
#ifndef TD_HTTP_API_CHAT_H
#define TD_HTTP_API_CHAT_H

#include <stdint.h>

#include "base/buf.h"
#include "base/error.h"

struct http_router;
struct http_store_pool;
struct http_answer_holder;
struct http_api_chat;

/* Longest message accepted, in Unicode characters (longer: 400
 * message_too_long). */
#define HTTP_CHAT_MESSAGE_MAX 2000
/* Largest request body the chat endpoint reads (larger: 413 too_big). */
#define HTTP_CHAT_BODY_MAX (32 * 1024)

/*
 * Register the routes above on router.  pool and holder are borrowed and
 * must outlive the returned object; session_ttl is the idle lifetime of a
 * session in seconds (config session_ttl_seconds, >= 1).  The caller frees
 * the object with http_api_chat_free after the server has stopped.
 * TD_ERR_INVAL / TD_ERR_EXISTS if a route cannot be added.
 */
td_err http_api_chat_new(struct http_router *router, struct http_store_pool *pool,
			 struct http_answer_holder *holder, int64_t session_ttl,
			 struct http_api_chat **out);
void http_api_chat_free(struct http_api_chat *c);

struct pakn_intake;
/*
 * Turn on the PAKN report conversation (report_dialog.h): reports are
 * collected turn by turn and filed through intake (borrowed: it must
 * outlive c), statuses looked up through the store pool.  Call before the
 * server starts.  Without it, PAKN intents get the placeholder replies.
 */
td_err http_api_chat_set_intake(struct http_api_chat *c, struct pakn_intake *intake);

/* Append the chat counters (answers by status, turn-write failures) to out
 * in Prometheus text format.  ctx is a struct http_api_chat; thread-safe. */
void http_api_chat_metrics(void *ctx, struct td_buf *out);

#endif
