/*
 * shell.h - the console shell and its command table.
 *
 * Any file adds a command with SHELL_COMMAND(); the linker collects them
 * into one table, so the shell itself knows none of them by name.
 *
 *	static int cmd_uptime(int argc, char **argv) { ... return 0; }
 *	SHELL_COMMAND(uptime, "time since boot", cmd_uptime);
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include <kernel/compiler.h>

struct shell_cmd {
	const char *name;
	const char *help;
	int (*run)(int argc, char **argv);
};

#define SHELL_COMMAND(cmd, helptext, fn)                                       \
	static const struct shell_cmd shell_cmd_##cmd __used __section(        \
		"shell_cmds")                                                  \
		__aligned(sizeof(void *)) = { #cmd, helptext, fn }

void shell_main(void *arg);
/* Run one command line; returns the command's status or -1. */
int shell_exec(char *line);

#endif /* KERNEL_SHELL_H */
