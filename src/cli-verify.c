/* cli-verify.c: placeholder until its issue lands. */
#include <stdio.h>
#include "cmd.h"

int
cmd_verify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "convgrad: 'verify' is not built yet\n");
	return 2;
}
