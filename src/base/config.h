/*
 * config.h - settings from a file, the environment and flags.
 *
 * Precedence, lowest first: built-in defaults < tongdai.conf (key = value,
 * '#' comments) < TONGDAI_<KEY> environment variables < command-line flags.
 * Keys are lower-case with underscores (data_dir); the environment spells
 * them upper-case (TONGDAI_DATA_DIR).  Only known keys are accepted, so a typo
 * in the file is an error with its line number rather than a silent default.
 */
#ifndef TD_BASE_CONFIG_H
#define TD_BASE_CONFIG_H

#include <stddef.h>

#include "base/error.h"

struct td_config;

/* A configuration holding the defaults.  Free with td_config_free. */
struct td_config *td_config_new(void);
void td_config_free(struct td_config *cfg);

/* Read a key = value file.  A missing file is TD_ERR_NOTFOUND; a bad line
 * fills err (e.g. "tongdai.conf:3: unknown key 'dta_dir'"). */
td_err td_config_load_file(struct td_config *cfg, const char *path, char *err, size_t errlen);
/* Apply TONGDAI_* variables for every known key. */
void td_config_load_env(struct td_config *cfg);
/* Set one key (copied).  Unknown key: TD_ERR_NOTFOUND. */
td_err td_config_set(struct td_config *cfg, const char *key, const char *value);
/* The value (owned by cfg, valid until the next set) or NULL if unknown. */
const char *td_config_get(const struct td_config *cfg, const char *key);
/* The value as a long, or def when missing or not a number. */
long td_config_get_long(const struct td_config *cfg, const char *key, long def);

/* Iterate known keys: returns the i-th key and its help text, NULL past the end. */
const char *td_config_key(size_t i, const char **help);

#endif
