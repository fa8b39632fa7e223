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

#endif
