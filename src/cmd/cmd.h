/*
 * cmd.h - the subcommands of the tongdai program.  Each takes the arguments
 * after its own name (argv[0] is the subcommand name) and returns the process
 * exit code: 0 success, 1 the operation failed, 2 usage error.
 */
#ifndef TD_CMD_CMD_H
#define TD_CMD_CMD_H

struct td_config;

int cmd_kb(int argc, char **argv, struct td_config *cfg);
int cmd_serve(int argc, char **argv, struct td_config *cfg);
int cmd_pakn(int argc, char **argv, struct td_config *cfg);

/* Shared by subcommands: handle a --data-dir/--config style option that
 * every subcommand accepts.  Returns the number of argv entries consumed
 * (0 if argv[0] is not a common option, -1 on error, message printed). */
int cmd_common_option(int argc, char **argv, struct td_config *cfg);

/* The --jsonl loop: call fn for each line of standard input (with its
 * newline, 1-based number); a line over max bytes is answered with
 * {"id":"line-N","error":"too_big"} instead.  Flushes standard output after
 * each line so a caller reading answers line by line is never starved.
 * Returns 0, or 1 if fn failed (non-zero) for some line or a line was too big. */
int cmd_jsonl_each(int (*fn)(void *ctx, char *line, size_t n, size_t lineno), void *ctx,
		   size_t max);

#endif
