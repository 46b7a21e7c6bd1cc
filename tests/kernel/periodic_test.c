/*
 * periodic_test.c - background work (kernel/periodic.c, suite
 * "periodic"): it runs again and again while it has an interval, stops
 * when set to 0, and starts again with one task, not a second.  The case
 * waits for the work to happen (no clock decides: the harness catches a
 * hang).
 */
#include <kernel/ktest.h>
#include <kernel/periodic.h>
#include <kernel/task.h>

static unsigned int runs;

static void count_run(void)
{
	__atomic_fetch_add(&runs, 1, __ATOMIC_RELAXED);
}

static struct periodic counter = PERIODIC("test-periodic", count_run);

static void wait_for_runs(unsigned int n)
{
	while (__atomic_load_n(&runs, __ATOMIC_RELAXED) < n)
		task_sleep(1);
}

KTEST(periodic, runs_while_set_and_starts_again_with_one_task)
{
	unsigned int tasks;

	KASSERT_TRUE(t, periodic_set(&counter, 1));
	tasks = task_count();
	wait_for_runs(3);
	KASSERT_TRUE(t, periodic_set(&counter, 0));
	KEXPECT_EQ(t, periodic_interval(&counter), 0);
	KASSERT_TRUE(t, periodic_set(&counter, 2));
	KEXPECT_EQ(t, periodic_interval(&counter), 2);
	KEXPECT_EQ(t, task_count(), tasks); /* the same task goes on */
	wait_for_runs(__atomic_load_n(&runs, __ATOMIC_RELAXED) + 2);
	KEXPECT_TRUE(t, periodic_set(&counter, 0));
}
