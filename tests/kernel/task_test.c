/*
 * task_test.c - tasks run on every hart, sleep at least the time asked,
 * are preempted, and give their stacks back when they exit.
 *
 * No case has a time limit: a task that never wakes or never finishes
 * hangs its case, and the harness fails it.
 */
#include <kernel/ktest.h>
#include <kernel/hart.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#include <kernel/spinlock.h>
#include <asm/csr.h>

static void record_hart(void *arg)
{
	unsigned long *seen = arg;

	push_off(); /* read the hart id without moving */
	__atomic_fetch_or(seen, 1UL << this_hart(), __ATOMIC_RELAXED);
	pop_off();
}

KTEST(task, runs_on_every_hart)
{
	unsigned long seen = 0;

	ktest_on_each_hart(record_hart, &seen);
	/* Every hart the device tree lists came online and ran the task. */
	KEXPECT_EQ(t, nr_harts_online(), boot_info.nr_harts);
	KEXPECT_EQ(t, seen, (1UL << boot_info.nr_harts) - 1);
}

/* Not before its time; how late depends on the host, and is not judged. */
KTEST(task, sleep_wakes_no_earlier_than_asked)
{
	uint64_t deadline = timer_deadline(500);

	task_sleep(500);
	KEXPECT_GE(t, timer_now(), deadline);
}

static volatile bool spinner_stop;
static volatile bool spinner_started;
static volatile bool spinner_done;

static void spinner(void *arg)
{
	(void)arg;
	spinner_started = true;
	while (!spinner_stop)
		; /* never yields: only the tick can take the hart away */
	spinner_done = true;
}

KTEST(task, busy_task_is_preempted)
{
	struct task *s;

	spinner_stop = false;
	spinner_started = false;
	spinner_done = false;
	/* On our own hart, so we only run again if the spinner is preempted. */
	s = task_create_on(0, "spinner", spinner, NULL);
	KASSERT_NOT_NULL(t, s);
	while (!spinner_started)
		task_yield();
	/*
	 * Running again proves the spinner was preempted: it holds our hart
	 * and never yields (without preemption the case hangs, which the
	 * runner reports).  Now it must get the hart back and finish.
	 */
	spinner_stop = true;
	while (!spinner_done)
		task_sleep(1);
	KEXPECT_TRUE(t, spinner_done);
}

static void do_nothing(void *arg)
{
	(void)arg;
}

/*
 * A task preempted on one hart and resumed on another comes back through
 * the trap's exit there.  Each hart keeps its id in tp (arch/riscv/
 * start.S), so that exit must not restore the tp it saved on the first.
 */
struct move_check {
	unsigned int from, to;
	bool started, arrived;
	bool id_followed; /* this_hart() named the hart running it each time */
};

static void move_spinner(void *arg)
{
	struct move_check *mc = arg;
	unsigned int id;

	do {
		push_off(); /* no move between the two readings */
		id = (unsigned int)csr_read(mhartid);
		if (this_hart() != id)
			mc->id_followed = false;
		pop_off();
		WRITE_ONCE(mc->started, true);
	} while (id != mc->to); /* never yields: only a tick moves it */
	__atomic_store_n(&mc->arrived, true, __ATOMIC_RELEASE);
}

KTEST(task, a_task_moved_by_a_tick_knows_its_new_hart)
{
	struct move_check mc = { .id_followed = true };
	unsigned int tasks = task_count();
	struct task *s;

	if (nr_harts_online() < 2) {
		ktest_log(t, "needs two harts to move a task between");
		return;
	}
	push_off();
	mc.to = this_hart();
	pop_off();
	mc.from = (mc.to + 1) % nr_harts_online();
	s = task_create_on((int)mc.from, "mover", move_spinner, &mc);
	KASSERT_NOT_NULL(t, s);
	while (!READ_ONCE(mc.started))
		task_sleep(1);
	/*
	 * Pinned to our hart now, it leaves its own at the next tick that
	 * finds another task for it, which the one below is; our hart takes
	 * it while we sleep.
	 */
	task_pin(s, (int)mc.to);
	KASSERT_NOT_NULL(
		t, task_create_on((int)mc.from, "push", do_nothing, NULL));
	while (!__atomic_load_n(&mc.arrived, __ATOMIC_ACQUIRE))
		task_sleep(1);
	KEXPECT_TRUE(t, mc.id_followed);
	/* Both gone before the next case counts tasks and pages. */
	while (task_count() > tasks)
		task_sleep(1);
}

/*
 * Free pages with every slab cache shrunk: a task struct freed on another
 * hart waits in that hart's magazine, which is not what is measured.
 */
static size_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	return page_free_count();
}

static void create_and_reap(struct ktest *t)
{
	unsigned int i, tasks = task_count();

	for (i = 0; i < 8; i++)
		KEXPECT_NOT_NULL(t, task_create("short", do_nothing, NULL));
	/* Dead tasks are reaped by the next switch on their hart. */
	while (task_count() > tasks)
		task_sleep(1);
}

KTEST(task, exit_returns_the_stack)
{
	size_t before;

	/* A first round lets the task cache take the slab it keeps. */
	create_and_reap(t);
	before = settled_free_pages();
	create_and_reap(t);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

static void note_current(void *arg)
{
	*(struct task **)arg = current_task();
}

KTEST(task, current_task_is_the_caller)
{
	struct task *seen = NULL, *t1;

	KEXPECT_STREQ(t, current_task()->name, "ktest");
	t1 = task_create("current", note_current, &seen);
	KASSERT_NOT_NULL(t, t1);
	while (!READ_ONCE(seen))
		task_sleep(1);
	KEXPECT_PTR_EQ(t, seen, t1);
}
