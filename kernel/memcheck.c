/*
 * memcheck.c - the memory checker: every so often (with mm.debug=P),
 * and now with the shell's memcheck, check that free memory still holds
 * its poison (mm_scrub: a write after free is found even if the block is
 * never handed out again) and that the allocators' own records agree
 * with each other (mm_validate: a flipped bit, a stray write).  Each
 * problem is reported (mm_report) and mended where it can be.  mm/ does
 * the checking; this file runs it.
 *
 *   memcheck              check now
 *   memcheck every SECS   check every SECS seconds (0: stop)
 */
#include <kernel/memcheck.h>
#include <kernel/mm_debug.h>
#include <kernel/periodic.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/string.h>

#define SCRUB_DEFAULT_MS 10000

static void scrub(void)
{
	mm_scrub();
	mm_validate();
}

static struct periodic scrubber = PERIODIC("scrubber", scrub);

void memcheck_start(void)
{
	if ((mm_debug_flags() & (MM_DEBUG_POISON | MM_DEBUG_REDZONE)) &&
	    !periodic_set(&scrubber, SCRUB_DEFAULT_MS))
		printk("memcheck: no memory for the scrubber task: it does not run\n");
}

static int cmd_memcheck(int argc, char **argv)
{
	unsigned long found, broken;
	char *end;
	unsigned long secs;

	if (argc == 1) {
		found = mm_scrub();
		broken = mm_validate();
		printk("memcheck: %lu write%s after free, %lu broken record%s found%s\n",
		       found, found == 1 ? "" : "s", broken,
		       broken == 1 ? "" : "s",
		       mm_debug_page_flags() & MM_DEBUG_POISON
			       ? ""
			       : " (free pages are not poisoned: mm.debug=P or 'memdebug P')");
		return found || broken ? 1 : 0;
	}
	if (argc == 3 && strcmp(argv[1], "every") == 0) {
		secs = strtoul(argv[2], &end, 10);
		if (*argv[2] && !*end && secs <= 86400) {
			if (!periodic_set(&scrubber, (unsigned int)secs * 1000))
				printk("memcheck: no memory for the scrubber task\n");
			else if (secs)
				printk("memcheck: the scrubber runs every %lu s\n",
				       secs);
			else
				printk("memcheck: the scrubber is stopped\n");
			return 0;
		}
	}
	printk("usage: memcheck [every SECONDS]\n");
	return -1;
}
SHELL_COMMAND(memcheck,
	      "check the poison of free memory now, or 'every SECONDS'",
	      cmd_memcheck);
