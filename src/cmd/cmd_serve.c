/*
 * cmd_serve.c - `tongdai serve`: open the store, build the answering engine,
 * start the HTTP server and wait for signals.
 *
 * The signals are blocked before any thread starts, so every MHD worker
 * inherits the mask and the main thread is the only one that receives them,
 * through sigwait: no handler runs in signal context.  SIGINT/SIGTERM stop
 * (stop the daemon, close the store connections); SIGHUP rebuilds the
 * answering snapshot from the store (records, lexicon, models, index) on the
 * main thread and publishes it, while requests keep using the old one until
 * they finish.  A failed rebuild keeps the old snapshot and is logged.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "http/answer_holder.h"
#include "http/api_chat.h"
#include "http/api_kb.h"
#include "http/api_pakn.h"
#include "http/open311.h"
#include "http/router.h"
#include "http/server.h"
#include "http/store_pool.h"
#include "pakn/intake.h"
#include "base/banned.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tongdai serve [--data-dir DIR] [--listen HOST:PORT] [--threads N]\n"
		"                     [--log-level LEVEL] [--help]\n\n"
		"Start the HTTP switchboard: the REST API (/api/v1/...), the chat endpoint\n"
		"(/api/v1/chat), /healthz, /metrics and the citizen chat page.  Stops cleanly\n"
		"on SIGINT or SIGTERM; SIGHUP reloads the knowledge base into the engine.\n\n"
		"options:\n"
		"  --data-dir DIR      directory holding the database (config data_dir)\n"
		"  --listen HOST:PORT  address to listen on, e.g. 127.0.0.1:8080 or [::1]:8080\n"
		"                      (config listen; port 0 picks a free port)\n"
		"  --threads N         HTTP worker threads, 1-64 (config http_threads)\n"
		"  --log-level LEVEL   debug, info, warn, error or off\n"
		"  --help              show this help\n\n"
		"Other settings (tongdai.conf or TONGDAI_* environment): http_max_body,\n"
		"http_rate_limit (requests/s per client address, 0: off), web_dir,\n"
		"session_ttl_seconds (idle lifetime of a chat session, default 1800).\n");
}

/* Parse the arguments into cfg; returns -1 to continue, else an exit code. */
static int parse_args(int argc, char **argv, struct td_config *cfg)
{
	for (int i = 1; i < argc;) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--threads") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "tongdai serve: --threads needs a value\n");
				return 2;
			}
			td_config_set(cfg, "http_threads", argv[i + 1]);
			i += 2;
			continue;
		}
		int used = cmd_common_option(argc - i, argv + i, cfg);
		if (used < 0)
			return 2;
		if (used == 0) {
			fprintf(stderr, "tongdai serve: unknown option '%s'\n\n", argv[i]);
			usage(stderr);
			return 2;
		}
		i += used;
	}
	return -1;
}

static void log_listening(const struct http_server_config *hc, unsigned port, const char *data_dir)
{
	char addr[128], threads[16];
	bool v6 = strchr(hc->host, ':') != NULL;
	snprintf(addr, sizeof addr, v6 ? "http://[%s]:%u/" : "http://%s:%u/", hc->host, port);
	snprintf(threads, sizeof threads, "%u", hc->threads);
	td_log(TD_LOG_INFO, "http.listen", "address", addr, "threads", threads, "data_dir",
	       data_dir, "version", TD_VERSION, NULL);
}

/* Build an answering snapshot from the store and publish it; event names
 * the log line ("http.engine" at start-up, "http.reload" on SIGHUP). */
static td_err load_engine(struct http_answer_holder *holder, const char *data_dir,
			  const char *event)
{
	char err[512] = "";
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct http_answer_snapshot *snap;
	td_err e = http_answer_snapshot_open(data_dir, NULL, &snap, err, sizeof err);
	if (e != TD_OK) {
		td_log(TD_LOG_ERROR, event, "status", "failed", "error",
		       err[0] ? err : td_strerror(e), NULL);
		if (strcmp(event, "http.engine") == 0)
			fprintf(stderr, "tongdai serve: cannot build the answering engine: %s\n",
				err[0] ? err : td_strerror(e));
		return e;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	char procs[32], ms[32];
	snprintf(procs, sizeof procs, "%zu", snap->bundle.nprocs);
	snprintf(ms, sizeof ms, "%.0f",
		 (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	td_log(TD_LOG_INFO, event, "status", "ok", "procedures", procs, "kb_as_of", snap->kb_as_of,
	       "ms", ms, NULL);
	http_answer_holder_publish(holder, snap);
	return TD_OK;
}

/* /metrics lines beyond the HTTP counters: the chat's and the PAKN intake's. */
struct serve_metrics {
	struct http_api_chat *chat;
	struct pakn_intake *intake;
};

static void serve_metrics(void *ctx, struct td_buf *out)
{
	struct serve_metrics *sm = ctx;
	http_api_chat_metrics(sm->chat, out);
	struct pakn_intake_stats st;
	pakn_intake_stats(sm->intake, &st);
	td_buf_addf(out,
		    "# HELP tongdai_pakn_cases_total Reports filed as cases.\n"
		    "# TYPE tongdai_pakn_cases_total counter\n"
		    "tongdai_pakn_cases_total %lu\n"
		    "# HELP tongdai_pakn_duplicates_total Reports linked to an open case.\n"
		    "# TYPE tongdai_pakn_duplicates_total counter\n"
		    "tongdai_pakn_duplicates_total %lu\n"
		    "# HELP tongdai_pakn_not_accepted_total Reports recorded as not accepted.\n"
		    "# TYPE tongdai_pakn_not_accepted_total counter\n"
		    "tongdai_pakn_not_accepted_total %lu\n"
		    "# HELP tongdai_pakn_emergencies_total Reports that were emergencies.\n"
		    "# TYPE tongdai_pakn_emergencies_total counter\n"
		    "tongdai_pakn_emergencies_total %lu\n"
		    "# HELP tongdai_pakn_failed_total Reports that could not be stored.\n"
		    "# TYPE tongdai_pakn_failed_total counter\n"
		    "tongdai_pakn_failed_total %lu\n"
		    "# HELP tongdai_pakn_commit_batches_total Group commits of the case writer.\n"
		    "# TYPE tongdai_pakn_commit_batches_total counter\n"
		    "tongdai_pakn_commit_batches_total %llu\n",
		    st.cases, st.duplicates, st.not_accepted, st.emergencies, st.failed,
		    (unsigned long long)st.writer.batches);
}

int cmd_serve(int argc, char **argv, struct td_config *cfg)
{
	int rc = parse_args(argc, argv, cfg);
	if (rc >= 0)
		return rc;
	int lvl = td_log_level_parse(td_config_get(cfg, "log_level"));
	if (lvl >= 0)
		td_log_set_level((enum td_log_level)lvl);

	char err[512];
	struct http_server_config hc;
	http_server_config_defaults(&hc);
	if (http_server_config_load(&hc, cfg, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai serve: %s\n", err);
		return 2;
	}
	const char *data_dir = td_config_get(cfg, "data_dir");
	const char *web_dir = td_config_get(cfg, "web_dir");
	if (!web_dir || !*web_dir)
		web_dir = TD_SOURCE_DIR "/web";

	long ttl = td_config_get_long(cfg, "session_ttl_seconds", 1800);
	if (ttl < 1 || ttl > 30L * 86400) {
		fprintf(stderr, "tongdai serve: session_ttl_seconds must be 1..2592000\n");
		return 2;
	}

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	rc = 1;
	struct http_store_pool *pool = NULL;
	struct http_router *router = NULL;
	struct http_api_kb *kb = NULL;
	struct http_server *server = NULL;
	struct http_answer_holder *holder = http_answer_holder_new();
	struct http_api_chat *chat = NULL;
	/* PAKN intake (classifier, places, routing, group-commit case writer)
	 * and its REST + Open311 routes. */
	struct pakn_intake *intake = NULL;
	struct http_api_pakn *pakn_api = NULL;
	struct http_open311 *open311 = NULL;
	if (http_store_pool_new(data_dir, hc.threads, &pool, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai serve: cannot open the data directory '%s': %s\n", data_dir,
			err);
		goto out;
	}
	if (load_engine(holder, data_dir, "http.engine") != TD_OK)
		goto out;
	struct pakn_intake_config pic = {
		.data_dir = data_dir,
		.dup_window_days = (unsigned)td_config_get_long(cfg, "pakn_dup_days", 7),
		.dup_threshold = strtod(td_config_get(cfg, "pakn_dup_threshold"), NULL),
	};
	if (pakn_intake_open(&pic, &intake, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai serve: cannot start the PAKN intake: %s\n", err);
		goto out;
	}
	router = http_router_new();
	if (http_api_pakn_new(router, pool, intake, &pakn_api) != TD_OK ||
	    http_open311_new(router, pool, intake, &open311) != TD_OK) {
		fprintf(stderr, "tongdai serve: internal error registering PAKN routes\n");
		goto out_router;
	}
	if (http_api_kb_new(router, pool, web_dir, &kb) != TD_OK ||
	    http_api_chat_new(router, pool, holder, ttl, &chat) != TD_OK) {
		fprintf(stderr, "tongdai serve: internal error registering routes\n");
		goto out_router;
	}
	/* the chat's report conversation files through the same intake */
	if (http_api_chat_set_intake(chat, intake) != TD_OK) {
		fprintf(stderr, "tongdai serve: cannot start the chat's PAKN reports\n");
		goto out_router;
	}
	http_api_kb_set_answer(kb, holder);
	struct serve_metrics sm = {chat, intake};
	http_api_kb_set_metrics(kb, serve_metrics, &sm);
	if (http_server_start(&hc, router, &server, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai serve: cannot listen on %s\n", err);
		goto out_router;
	}
	log_listening(&hc, http_server_port(server), data_dir);

	int sig = 0;
	for (;;) {
		if (sigwait(&stop, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		load_engine(holder, data_dir, "http.reload");
	}
	td_log(TD_LOG_INFO, "http.stop", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
	http_server_stop(server);
	rc = 0;
out_router:
	http_api_chat_free(chat);
	http_open311_free(open311);
	http_api_pakn_free(pakn_api);
	http_api_kb_free(kb);
	http_router_free(router);
out:
	pakn_intake_close(intake); /* drains the case queue: every queued case is written */
	http_store_pool_free(pool);
	http_answer_holder_free(holder);
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	return rc;
}
