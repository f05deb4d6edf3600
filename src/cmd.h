/*
 * cmd.h: the front ends. main() dispatches on the first argument; each
 * command parses its own options and returns the exit status:
 *   0 success, 1 a check failed, 2 bad usage or input.
 */
#ifndef CONVGRAD_CMD_H
#define CONVGRAD_CMD_H

int cmd_gradcheck(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_tutor(int argc, char **argv);
int cmd_lab(int argc, char **argv);

#endif
