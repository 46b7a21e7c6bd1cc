/*
 * leaks.c - the shell's leak tools, over the scanner in mm/leak.c and
 * the site lists of mm/sites.c; mm finds, and this file formats.
 *
 *   leaks                   scan now: each new leak is reported (an
 *                           "mm: leak of" line), then a summary
 *   leaks mark              set a checkpoint
 *   leaks since             the allocations made since the checkpoint and
 *                           still live, by site, the most bytes first
 *   leaks interval SECONDS  scan in the background every SECONDS (0: stop)
 *   leaks grace SECONDS     how old a block nothing points to must be to
 *                           count as a leak (default 5, as kmemleak's)
 *
 * The background scan is periodic work (kernel/periodic.c), a task
 * "leakscan" made the first time an interval is set.
 */
#include <kernel/leaks.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_leak.h>
#include <kernel/periodic.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/string.h>

static uint32_t grace_ms = MM_LEAK_GRACE_MS;
static uint32_t mark_ms; /* 0: no mark set */

static void print_scan(const struct mm_leak_stats *st)
{
	unsigned long kib = (unsigned long)(st->scanned_bytes / 1024);

	if (!st->blocks)
		printk("leaks: no tracked allocations to scan (tracking is off: boot with mm.debug=L)\n");
	else if (!st->leaks)
		printk("leaks: no leaks among %lu tracked blocks, %lu too young to tell; %lu KiB read\n",
		       st->blocks, st->young, kib);
	else
		printk("leaks: %lu leaks of %lu bytes (%lu reported now) among %lu tracked blocks, %lu too young to tell; %lu KiB read\n",
		       st->leaks, (unsigned long)st->leaked_bytes, st->reported,
		       st->blocks, st->young, kib);
}

static bool scan(struct mm_leak_stats *st)
{
	if (mm_leak_scan(READ_ONCE(grace_ms), st) == 0)
		return true;
	printk("leaks: no memory for a copy of the tracked blocks; nothing scanned\n");
	return false;
}

/* --- The background scan ------------------------------------------------ */

static void background_scan(void)
{
	struct mm_leak_stats st;

	if (scan(&st) && st.reported)
		printk("leaks: %lu new leaks found by the background scan (see the mm: leak lines)\n",
		       st.reported);
}

static struct periodic scanner = PERIODIC("leakscan", background_scan);

/* Scan every seconds (0: stop); false if the task cannot be made. */
static bool set_interval(unsigned int seconds)
{
	return periodic_set(&scanner, seconds * 1000u);
}

void leaks_boot(void)
{
#ifndef CONFIG_KTEST
	if ((mm_debug_flags() & MM_DEBUG_LEAKS) &&
	    !set_interval(LEAKS_INTERVAL_S))
		printk("leaks: no memory for the background scan task\n");
#endif
}

/* --- The command ------------------------------------------------------------ */

#define SINCE_SITES 16

static int leaks_since(void)
{
	struct mm_site sites[SINCE_SITES];
	long n, i;

	if (!mark_ms) {
		printk("leaks since: no mark set: set one with leaks mark\n");
		return -1;
	}
	n = mm_sites(mark_ms, sites, ARRAY_SIZE(sites));
	if (n < 0) {
		printk("leaks since: no memory to sort the allocations by site\n");
		return -1;
	}
	printk("  live allocations made since the mark at %lu ms, by site:\n",
	       (unsigned long)mark_ms);
	printk("  %8s %10s  %s\n", "COUNT", "BYTES", "SITE");
	for (i = 0; i < n && i < (long)ARRAY_SIZE(sites); i++)
		printk("  %8lu %10lu  %pB\n", sites[i].count,
		       (unsigned long)sites[i].bytes, (void *)sites[i].site);
	if (n > (long)ARRAY_SIZE(sites))
		printk("  and %ld more sites\n", n - (long)ARRAY_SIZE(sites));
	if (!n)
		printk("  none\n");
	return 0;
}

/* SECONDS of "leaks interval SECONDS" or "leaks grace SECONDS". */
static bool seconds_arg(int argc, char **argv, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (argc != 3)
		return false;
	v = strtoul(argv[2], &end, 10);
	if (end == argv[2] || *end || v > 86400)
		return false;
	*out = (unsigned int)v;
	return true;
}

static int cmd_leaks(int argc, char **argv)
{
	struct mm_leak_stats st;
	unsigned int seconds;

	if (argc == 1) {
		if (!scan(&st))
			return -1;
		print_scan(&st);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "mark") == 0) {
		mark_ms = mm_mark();
		printk("leaks: mark set at %lu ms\n", (unsigned long)mark_ms);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "since") == 0)
		return leaks_since();
	if (strcmp(argv[1], "interval") == 0 &&
	    seconds_arg(argc, argv, &seconds)) {
		if (!set_interval(seconds)) {
			printk("leaks: no memory for the background scan task\n");
			return -1;
		}
		if (seconds)
			printk("leaks: a scan every %u s in the background\n",
			       seconds);
		else
			printk("leaks: no background scan\n");
		return 0;
	}
	if (strcmp(argv[1], "grace") == 0 &&
	    seconds_arg(argc, argv, &seconds)) {
		WRITE_ONCE(grace_ms, seconds * 1000u);
		printk("leaks: a block nothing points to is a leak once %u s old\n",
		       seconds);
		return 0;
	}
	printk("leaks: usage: leaks [mark | since | interval SECONDS | grace SECONDS] (SECONDS up to 86400)\n");
	return -1;
}
SHELL_COMMAND(leaks, "scan for leaks; mark, since, interval S, grace S",
	      cmd_leaks);
