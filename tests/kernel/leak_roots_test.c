/*
 * leak_roots_test.c - the leak scanner's roots that only the kernel has
 * (suite "leak", with tests/mm/leak_test.c): a task that sleeps keeps
 * the blocks it points to from its stack, and from the registers that
 * switch_context saved for it.
 *
 * A holder task, pinned to hart 0 as the case is, takes the only pointer
 * to a block (leak_test.h says how the case keeps none itself), puts it
 * where its case says, and sleeps in task_sleep_on until told to let go.
 * The case runs again only once the holder has switched out, so the scan
 * sees it asleep: its saved stack pointer and registers are its own.
 */
#include <kernel/ktest.h>
#include <kernel/mm_leak.h>
#include <kernel/mm_report.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include "../mm/leak_test.h"

enum { STARTING, HOLDING, LET_GO, DONE };

struct holder {
	struct spinlock lock;
	uintptr_t hidden;
	int state;
};

/* Under h->lock: set the state, wake the other side. */
static void __tell(struct holder *h, int state)
{
	h->state = state;
	task_wakeup(h);
}

static void __wait_for(struct holder *h, int state)
{
	while (h->state != state)
		task_sleep_on(h, &h->lock);
}

/* The holder's side: hold, sleep until told, let go. */
static void hold_and_sleep(struct holder *h)
{
	acquire(&h->lock);
	__tell(h, HOLDING);
	__wait_for(h, LET_GO);
	release(&h->lock);
}

static void on_my_stack(void *arg)
{
	struct holder *h = arg;
	volatile uintptr_t slot = h->hidden ^ LEAK_HIDE;

	hold_and_sleep(h);
	(void)slot; /* volatile: it was in memory all along */
	slot = 0;
	acquire(&h->lock);
	__tell(h, DONE);
	release(&h->lock);
}

static void in_a_register(void *arg)
{
	struct holder *h = arg;
	/*
	 * In s11, which the functions on the way to switch_context leave
	 * alone (GCC takes the saved registers from s0 up): there the
	 * pointer is saved in the task's context, and nowhere else.
	 */
	register uintptr_t held asm("s11") = h->hidden ^ LEAK_HIDE;

	__asm__ volatile("" : "+r"(held)); /* in s11 from here ... */
	hold_and_sleep(h);
	__asm__ volatile("" : "+r"(held)); /* ... to here */
	held = 0;
	__asm__ volatile("" : "+r"(held));
	acquire(&h->lock);
	__tell(h, DONE);
	release(&h->lock);
}

/* Run holder with the only pointer to a block; no report may name it. */
static void expect_kept_by(struct ktest *t, void (*holder)(void *arg))
{
	struct kmem_cache *c = leak_test_cache();
	struct holder h = { .state = STARTING };
	unsigned int tasks = task_count(), leaks;
	struct mm_leak_stats st;
	unsigned long since;

	KASSERT_NOT_NULL(t, c);
	spinlock_init_level(&h.lock, "leak_holder", LOCK_LEVEL_WAIT);
	mm_leak_scan(0, &st); /* older leaks reported: ours come next */
	leak_test_alloc_elsewhere(c, &h.hidden, 1);
	KASSERT_TRUE(t, h.hidden != LEAK_HIDE);
	KASSERT_NOT_NULL(t, task_create_on(0, "leak-holder", holder, &h));
	acquire(&h.lock);
	__wait_for(&h, HOLDING); /* and, as it runs on our hart, asleep */
	release(&h.lock);

	leak_test_wipe();
	since = mm_report_count();
	KEXPECT_EQ(t, mm_leak_scan(0, &st), 0);
	KEXPECT_EQ(t, leak_test_reports(since, h.hidden, &leaks), 0);

	acquire(&h.lock);
	__tell(&h, LET_GO);
	__wait_for(&h, DONE);
	release(&h.lock);
	while (task_count() > tasks) /* reaped: h is ours again */
		task_yield();
	leak_test_free(c, h.hidden);
	KEXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

KTEST(leak, a_block_on_a_sleeping_tasks_stack_is_not_reported)
{
	expect_kept_by(t, on_my_stack);
}

KTEST(leak, a_block_in_a_sleeping_tasks_saved_register_is_not_reported)
{
	expect_kept_by(t, in_a_register);
}
