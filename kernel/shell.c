/*
 * shell.c - the console shell: read a line, run the command it names.
 *
 * Commands live in a linker-made table (see SHELL_COMMAND in shell.h), so
 * each subsystem adds its own next to its code.  Line editing is the
 * minimum a person expects: backspace, Ctrl-U to clear the line.
 */
#include <kernel/shell.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/timer.h>
#include <kernel/hart.h>
#include <kernel/platform.h>
#include <kernel/task.h>

#define LINE_MAX 128
#define ARGS_MAX 8
#define PROMPT "rvos> "

extern const struct shell_cmd __start_shell_cmds[], __stop_shell_cmds[];

static int read_line(char *buf, int size)
{
	int len = 0;

	for (;;) {
		char c = console_getc();

		switch (c) {
		case '\r':
		case '\n':
			printk("\n");
			buf[len] = '\0';
			return len;
		case 0x7f: /* DEL, what most terminals send for backspace */
		case '\b':
			if (len > 0) {
				len--;
				printk("\b \b");
			}
			break;
		case 0x15: /* Ctrl-U: erase the whole line */
			while (len > 0) {
				len--;
				printk("\b \b");
			}
			break;
		default:
			if (c >= ' ' && c < 0x7f && len < size - 1) {
				buf[len++] = c;
				printk("%c", c);
			}
		}
	}
}

static int split_args(char *line, char **argv)
{
	int argc = 0;

	while (*line && argc < ARGS_MAX) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
	return argc;
}

int shell_exec(char *line)
{
	char *argv[ARGS_MAX];
	const struct shell_cmd *cmd;
	int argc = split_args(line, argv);

	if (argc == 0)
		return 0;
	for (cmd = __start_shell_cmds; cmd < __stop_shell_cmds; cmd++)
		if (strcmp(cmd->name, argv[0]) == 0)
			return cmd->run(argc, argv);
	printk("%s: unknown command (try 'help')\n", argv[0]);
	return -1;
}

void shell_main(void *arg)
{
	char line[LINE_MAX];

	(void)arg;
	for (;;) {
		printk(PROMPT);
		read_line(line, sizeof(line));
		shell_exec(line);
	}
}

/* In alphabetical order: each time, the next name up (no memory needed). */
static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *cmd, *next, *last = NULL;

	(void)argc;
	(void)argv;
	for (;;) {
		next = NULL;
		for (cmd = __start_shell_cmds; cmd < __stop_shell_cmds; cmd++)
			if ((!last || strcmp(cmd->name, last->name) > 0) &&
			    (!next || strcmp(cmd->name, next->name) < 0))
				next = cmd;
		if (!next)
			return 0;
		printk("  %-10s %s\n", next->name, next->help);
		last = next;
	}
}
SHELL_COMMAND(help, "list the commands", cmd_help);

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ms = uptime_ms();

	(void)argc;
	(void)argv;
	printk("up %llu.%03llu s\n", (unsigned long long)(ms / 1000),
	       (unsigned long long)(ms % 1000));
	return 0;
}
SHELL_COMMAND(uptime, "time since boot", cmd_uptime);

static int cmd_harts(int argc, char **argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	printk("  HART  TICKS     CURRENT\n"); /* online harts only */
	for (i = 0; i < MAX_HARTS; i++) {
		struct hart *h = &harts[i];
		struct task *t = READ_ONCE(h->current);

		if (!h->online)
			continue;
		printk("  %4u  %-8llu  %s\n", i, (unsigned long long)h->ticks,
		       t ? t->name : "-");
	}
	return 0;
}
SHELL_COMMAND(harts, "list the harts and what they run", cmd_harts);

/* Its words, one space apart, in one printk: a script checks its input. */
static int cmd_echo(int argc, char **argv)
{
	char out[LINE_MAX];
	int i, n = 0;

	out[0] = '\0';
	/* The words come from one line, so they fit; stop if not. */
	for (i = 1; i < argc && n < (int)sizeof(out); i++)
		n += snprintf(out + n, sizeof(out) - n, "%s%s",
			      i > 1 ? " " : "", argv[i]);
	printk("%s\n", out);
	return 0;
}
SHELL_COMMAND(echo, "print its arguments", cmd_echo);

/*
 * Read nothing until what is typed (or pasted) after this has filled the
 * input buffer: then nothing typed may have been lost, however much more
 * comes.  tools/run_test.py uses it to test the flow control.
 */
static int cmd_inputfull(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	console_wait_input_full();
	return 0;
}
SHELL_COMMAND(inputfull, "read nothing until typed input fills the buffer",
	      cmd_inputfull);

/* What a panic looks like; the run then ends (or halts: panic=halt). */
static int cmd_panic(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	panic("shell: panic on request");
}
SHELL_COMMAND(panic, "panic on purpose: the report, then the run ends",
	      cmd_panic);

static int cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("Powering off.\n");
	virt_test_exit(0);
}
SHELL_COMMAND(poweroff, "leave QEMU (exit status 0)", cmd_poweroff);
