/*
 * stress.c - the stress engine (lib/stress.c) in the kernel: its workers
 * on a task pinned to every hart, and its steps in the timer interrupt of
 * every hart; and the shell's stress command.
 *
 *   stress SECONDS [PATTERN [SEED]]
 *
 * runs PATTERN (all, the default: every pattern in turn) for SECONDS,
 * printing a fragmentation sample a second and the summary.  The verdict
 * is the summary's last line, "stress: passed" or "stress: FAILED", from
 * the run's own checks; the time only says when to stop.  docs/stress.md
 * tells the patterns and the output.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/stress.h>
#include <kernel/string.h>
#include <kernel/task.h>
#include <kernel/timer.h>

#define SHELL_ROUND_OPS 20000
#define MAX_SECONDS 86400

bool stress_run_kernel(const struct stress_config *config,
		       struct stress_result *result)
{
	unsigned int ran;
	bool passed;

	memset(result, 0, sizeof(*result));
	if (!stress_begin(config))
		return false;
	if (config->irq)
		timer_tick_hook = stress_tick;
	ran = task_run_on_each_hart("stress", stress_worker, NULL);
	if (config->irq)
		timer_tick_hook_stop(); /* no tick steps from here on */
	passed = stress_end(result);
	if (!ran)
		printk("stress: no memory for a task on each hart: nothing ran\n");
	return passed && ran;
}

static int cmd_stress(int argc, char **argv)
{
	struct stress_config c = {
		.round_ops = SHELL_ROUND_OPS,
		.irq = true,
		.sample_ms = 1000,
		.print_series = true,
		.seed = 1,
	};
	struct stress_result r;
	unsigned long secs = 0;
	char *end = NULL;

	if (argc >= 2 && argc <= 4)
		secs = strtoul(argv[1], &end, 10);
	if (!secs || *end || secs > MAX_SECONDS ||
	    !stress_pattern_parse(argc >= 3 ? argv[2] : "all", &c) ||
	    (argc == 4 && (c.seed = strtoul(argv[3], &end, 10), *end))) {
		printk("usage: stress SECONDS [PATTERN [SEED]], SECONDS up to 86400, PATTERN %s\n",
		       stress_pattern_names);
		return -1;
	}
	c.seconds = (unsigned int)secs;
	return stress_run_kernel(&c, &r) ? 0 : 1;
}
SHELL_COMMAND(stress,
	      "allocate and free on every hart for SECONDS [PATTERN [SEED]]",
	      cmd_stress);
