/*
 * task_fault_test.c - task_create copes with each of its allocations
 * failing in turn (suite "fault", tests/mm/fault_walk.h): the task, its
 * stack, and nothing left behind.
 */
#include <kernel/task.h>
#include "../mm/fault_walk.h"

static unsigned int ran;

static void note_run(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&ran, 1, __ATOMIC_RELEASE);
}

static bool create_task(void *arg)
{
	(void)arg;
	return task_create("test-walk", note_run, NULL) != NULL;
}

/* Wait for the task made to have run and been reaped. */
static void wait_for_it(void *arg)
{
	unsigned int *tasks = arg;

	while (!__atomic_load_n(&ran, __ATOMIC_ACQUIRE) ||
	       task_count() > *tasks)
		task_sleep(1);
}

KTEST(fault, task_create_copes_with_each_failure)
{
	unsigned int tasks = task_count();
	struct operation op = { "task_create", create_task, wait_for_it, &tasks,
				false };

	KEXPECT_GE(t, walk(t, &op), 2); /* the task, then its stack */
	KEXPECT_EQ(t, __atomic_load_n(&ran, __ATOMIC_ACQUIRE), 1);
}
