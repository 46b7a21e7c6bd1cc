/*
 * lockstat.c - the shell's view of the lock registry: one line per
 * statically defined lock (DEFINE_SPINLOCK) with its statistics.
 *
 * The counters are read without taking the locks, so a line may mix
 * values from just before and just after an acquisition; that is fine
 * for a human reading a table.
 */
#include <kernel/spinlock.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

static int cmd_lockstat(int argc, char **argv)
{
	struct spinlock *lock;

	(void)argc;
	(void)argv;
#ifdef CONFIG_LOCK_STATS
	printk("  %-14s %5s %10s %9s %10s %10s %10s\n", "LOCK", "LEVEL",
	       "ACQUIRED", "CONTENDED", "WAIT-MAX", "HOLD-MAX", "HOLD-AVG");
	spinlock_for_each(lock)
	{
		struct lock_stats s = lock->stats;

		printk("  %-14s %5d %10llu %9llu %10llu %10llu %10llu\n",
		       lock->name, lock->level,
		       (unsigned long long)s.acquisitions,
		       (unsigned long long)s.contended,
		       (unsigned long long)s.wait_max,
		       (unsigned long long)s.hold_max,
		       (unsigned long long)(s.acquisitions
						    ? s.hold_total /
							      s.acquisitions
						    : 0));
	}
	printk("  (times in cycles)\n");
#else
	spinlock_for_each(lock)
		printk("  %-14s level %d\n", lock->name, lock->level);
	printk("  (built without CONFIG_LOCK_STATS)\n");
#endif
	return 0;
}
SHELL_COMMAND(lockstat, "list the locks with their statistics", cmd_lockstat);
