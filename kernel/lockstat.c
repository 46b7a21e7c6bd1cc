/*
 * lockstat.c - the shell's view of the lock registry: one line per
 * registered lock (DEFINE_SPINLOCK, spinlock_register) with its
 * statistics.
 *
 * The counters are read without taking the locks, so a line may mix
 * values from just before and just after an acquisition; that is fine
 * for a human reading a table.
 */
#include <kernel/spinlock.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

static void print_lock(struct spinlock *lock, void *arg)
{
#ifdef CONFIG_LOCK_STATS
	struct lock_stats s = lock->stats;
	uint64_t avg = s.acquisitions ? s.hold_total / s.acquisitions : 0;

	(void)arg;
	printk("  %-14s %5d %10llu %9llu %10llu %10llu %10llu\n", lock->name,
	       lock->level, (unsigned long long)s.acquisitions,
	       (unsigned long long)s.contended, (unsigned long long)s.wait_max,
	       (unsigned long long)s.hold_max, (unsigned long long)avg);
#else
	(void)arg;
	printk("  %-14s %5d\n", lock->name, lock->level);
#endif
}

static int cmd_lockstat(int argc, char **argv)
{
	(void)argc;
	(void)argv;
#ifdef CONFIG_LOCK_STATS
	printk("  %-14s %5s %10s %9s %10s %10s %10s\n", "LOCK", "LEVEL",
	       "ACQUIRED", "CONTENDED", "WAIT-MAX", "HOLD-MAX", "HOLD-AVG");
#else
	printk("  %-14s %5s   (built without CONFIG_LOCK_STATS)\n", "LOCK",
	       "LEVEL");
#endif
	spinlock_for_each(print_lock, NULL);
#ifdef CONFIG_LOCK_STATS
	printk("  (times in cycles)\n");
#endif
	return 0;
}
SHELL_COMMAND(lockstat, "list the locks with their statistics", cmd_lockstat);
