/* cmd_serve.c - placeholder until the HTTP layer lands. */
#include <stdio.h>

#include "cmd/cmd.h"

int cmd_serve(int argc, char **argv, struct td_config *cfg)
{
	(void)argc;
	(void)argv;
	(void)cfg;
	fprintf(stderr, "tongdai serve: not built yet\n");
	return 1;
}
