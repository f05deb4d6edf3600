/* ui-tutor.c: placeholder until its issue lands. */
#include <stdio.h>
#include "cmd.h"

int
cmd_tutor(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "convgrad: 'tutor' is not built yet\n");
	return 2;
}
