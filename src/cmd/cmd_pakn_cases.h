/*
 * cmd_pakn_cases.h - the case commands of `tongdai pakn`:
 *
 *   pakn submit [--channel C] [--name N --phone P --email E --address A]
 *               [--location L] [--category SLUG] [--json] TEXT|-
 *   pakn show [--json] [--reveal-contact] NUMBER
 *   pakn list [--status S] [--agency A] [--ward W] [--since DATE] [--limit N] [--json]
 *   pakn status NUMBER STATUS [--note TEXT] [--actor NAME]
 *   pakn apikey add NAME | revoke NAME        (Open311 keys)
 *
 * Each is called by the `pakn` dispatcher with argv[0] == the subcommand
 * name and returns 0 success, 1 failure, 2 usage error.  Every command takes
 * --data-dir DIR.
 */
#ifndef TD_CMD_CMD_PAKN_CASES_H
#define TD_CMD_CMD_PAKN_CASES_H

struct td_config;

int cmd_pakn_submit(int argc, char **argv, struct td_config *cfg);
int cmd_pakn_show(int argc, char **argv, struct td_config *cfg);
int cmd_pakn_list(int argc, char **argv, struct td_config *cfg);
int cmd_pakn_status(int argc, char **argv, struct td_config *cfg);
int cmd_pakn_apikey(int argc, char **argv, struct td_config *cfg);

#endif
