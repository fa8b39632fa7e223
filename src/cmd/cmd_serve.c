/*
 * cmd_serve.c - `tongdai serve`: open the store, start the HTTP server and
 * wait for SIGINT/SIGTERM.
 *
 * The signals are blocked before any thread starts, so every MHD worker
 * inherits the mask and the main thread is the only one that receives them,
 * through sigwait: no handler runs in signal context and shutdown is plain
 * sequential code (stop the daemon, close the store connections).
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "cmd/cmd.h"
#include "http/api_kb.h"
#include "http/router.h"
#include "http/server.h"
#include "http/store_pool.h"
#include "base/banned.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tongdai serve [--data-dir DIR] [--listen HOST:PORT] [--threads N]\n"
		"                     [--log-level LEVEL] [--help]\n\n"
		"Start the HTTP switchboard: the REST API (/api/v1/...), /healthz, /metrics\n"
		"and the citizen web page.  Stops cleanly on SIGINT or SIGTERM.\n\n"
		"options:\n"
		"  --data-dir DIR      directory holding the database (config data_dir)\n"
		"  --listen HOST:PORT  address to listen on, e.g. 127.0.0.1:8080 or [::1]:8080\n"
		"                      (config listen; port 0 picks a free port)\n"
		"  --threads N         HTTP worker threads, 1-64 (config http_threads)\n"
		"  --log-level LEVEL   debug, info, warn, error or off\n"
		"  --help              show this help\n\n"
		"Other settings (tongdai.conf or TONGDAI_* environment): http_max_body,\n"
		"http_rate_limit (requests/s per client address, 0: off), web_dir.\n");
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

	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	rc = 1;
	struct http_store_pool *pool = NULL;
	struct http_router *router = NULL;
	struct http_api_kb *kb = NULL;
	struct http_server *server = NULL;
	if (http_store_pool_new(data_dir, hc.threads, &pool, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai serve: cannot open the data directory '%s': %s\n", data_dir,
			err);
		goto out;
	}
	router = http_router_new();
	if (http_api_kb_new(router, pool, web_dir, &kb) != TD_OK) {
		fprintf(stderr, "tongdai serve: internal error registering routes\n");
		goto out_router;
	}
	if (http_server_start(&hc, router, &server, err, sizeof err) != TD_OK) {
		fprintf(stderr, "tongdai serve: cannot listen on %s\n", err);
		goto out_router;
	}
	log_listening(&hc, http_server_port(server), data_dir);

	int sig = 0;
	sigwait(&stop, &sig);
	td_log(TD_LOG_INFO, "http.stop", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
	http_server_stop(server);
	rc = 0;
out_router:
	http_api_kb_free(kb);
	http_router_free(router);
	http_store_pool_free(pool);
out:
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	return rc;
}
