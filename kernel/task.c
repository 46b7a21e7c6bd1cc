/*
 * task.c - kernel tasks and the round-robin scheduler shared by all harts.
 *
 * One run queue serves every hart: a hart that needs work takes the first
 * runnable task allowed on it (a task may be pinned to one hart), or runs
 * its own idle task, which waits in wfi.  The timer tick preempts the
 * running task by sending it to the back of the queue.
 *
 *   task_create -> RUNNABLE --(picked)--> RUNNING --task_exit--> ZOMBIE
 *                     ^                    |    |
 *                     +----(tick/yield)----+    +--task_sleep(_on)--> SLEEPING/BLOCKED
 *                     +-------------(time / task_wakeup)--------------+
 *
 * Locking: sched_lock protects the run queue, the wait list, the list of
 * all tasks, every task's state and each hart's current/prev.  It is held
 * across switch_context: the task that starts running releases the lock
 * its predecessor took, so no other hart can pick up a task whose
 * registers are still being saved.  Lock order: any lock passed to
 * task_sleep_on, then sched_lock, then the task cache and page locks
 * (exit frees the task and its stack under it).
 */
#include <kernel/task.h>
#include <kernel/hart.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/shell.h>
#include <kernel/platform.h>
#include <asm/csr.h>

void switch_context(struct context *from, struct context *to);

static DEFINE_SPINLOCK(sched_lock, "sched", LOCK_LEVEL_SCHED);
static LIST_HEAD(run_queue);
static LIST_HEAD(wait_list); /* TASK_SLEEPING and TASK_BLOCKED */
static LIST_HEAD(all_tasks);
static int next_pid = 1;
static unsigned int nr_tasks;		/* created and not yet reaped */
static uint64_t next_wake = UINT64_MAX; /* earliest wake_time in wait_list */
static unsigned long enqueue_count;	/* tells idle harts to look again */
static struct task idle_tasks[MAX_HARTS];
static struct kmem_cache *task_cache;

struct task *current_task(void)
{
	struct task *t;

	push_off(); /* don't move to another hart between the two reads */
	t = my_hart()->current;
	pop_off();
	return t;
}

/* Wake idle harts, so a new task does not wait for their next tick. */
static void kick_idle_harts(void)
{
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		if (i != this_hart() && harts[i].online &&
		    harts[i].current == harts[i].idle)
			clint_send_ipi(i);
}

/* The run queue changed: idle harts must look again (sched_lock held). */
static void __run_queue_changed(void)
{
	WRITE_ONCE(enqueue_count, enqueue_count + 1);
}

static void __enqueue(struct task *t)
{
	t->state = TASK_RUNNABLE;
	list_add_tail(&t->run_node, &run_queue);
	__run_queue_changed();
}

static struct task *__pick_next(struct hart *h)
{
	struct task *t;

	list_for_each_entry (t, &run_queue, run_node) {
		if (t->pinned == TASK_ANY_HART || t->pinned == (int)h->id) {
			list_del(&t->run_node);
			return t;
		}
	}
	return h->idle;
}

/* Runs first in the task switched to: reap the predecessor if it died. */
static void __finish_switch(void)
{
	struct hart *h = my_hart();
	struct task *prev = h->prev;

	h->prev = NULL;
	if (prev && prev->state == TASK_ZOMBIE) {
		list_del(&prev->all_node);
		page_free(prev->stack);
		kmem_cache_free(task_cache, prev);
		WRITE_ONCE(nr_tasks, nr_tasks - 1);
	}
}

/*
 * Give this hart to the next task.  The caller holds sched_lock and no
 * other lock, and has already put the current task where it belongs.
 */
static void __schedule(void)
{
	struct hart *h = my_hart();
	struct task *prev = h->current, *next = __pick_next(h);
	unsigned long irq_saved;

	if (irq_nesting_depth() != 1)
		panic("task %s sleeps holding %d locks", prev->name,
		      irq_nesting_depth() - 1);
	if (next == prev) {
		prev->state = TASK_RUNNING;
		return;
	}
	if (prev == h->idle)
		prev->state = TASK_RUNNABLE;
	next->state = TASK_RUNNING;
	next->hart = (int)h->id;
	next->switches++;
	h->current = next;
	h->prev = prev;

	/* The irq state to restore belongs to the task, not the hart. */
	irq_saved = irq_nesting_saved();
	switch_context(&prev->ctx, &next->ctx);
	irq_nesting_set_saved(irq_saved);
	__finish_switch();
}

/* First code of every new task, entered from switch_context. */
static void task_entry(void)
{
	struct task *t;

	__finish_switch();
	irq_nesting_set_saved(MSTATUS_MIE); /* tasks start interruptible */
	t = my_hart()->current;
	release(&sched_lock);
	t->fn(t->arg);
	task_exit();
}

struct task *task_create_on(int hart, const char *name, void (*fn)(void *arg),
			    void *arg)
{
	struct task *t = kmem_cache_alloc(task_cache);
	void *stack = page_alloc(TASK_STACK_PAGES);

	if (!t || !stack) {
		kmem_cache_free(task_cache, t);
		page_free(stack);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	strlcpy(t->name, name, sizeof(t->name));
	t->fn = fn;
	t->arg = arg;
	t->pinned = hart;
	t->hart = hart;
	t->stack = stack;
	t->ctx.ra = (uintptr_t)task_entry;
	t->ctx.sp = (uintptr_t)stack + TASK_STACK_PAGES * PAGE_SIZE;

	acquire(&sched_lock);
	t->pid = next_pid++;
	WRITE_ONCE(nr_tasks, nr_tasks + 1);
	list_add_tail(&t->all_node, &all_tasks);
	__enqueue(t);
	kick_idle_harts();
	release(&sched_lock);
	return t;
}

unsigned int task_count(void)
{
	return READ_ONCE(nr_tasks);
}

void task_for_each(void (*fn)(struct task *t, void *arg), void *arg)
{
	struct task *t;

	acquire(&sched_lock);
	list_for_each_entry (t, &all_tasks, all_node)
		if (t->state != TASK_ZOMBIE)
			fn(t, arg);
	release(&sched_lock);
}

struct task *task_create(const char *name, void (*fn)(void *arg), void *arg)
{
	return task_create_on(TASK_ANY_HART, name, fn, arg);
}

/*
 * One task pinned to each online hart, all made before any starts: if
 * one cannot be made, those made end without calling fn, and nothing has
 * run.  The caller sleeps until every task has returned from fn, then
 * until they are reaped, so that the memory they took is back.
 */
struct each_hart {
	void (*fn)(void *arg);
	void *arg;
	int state; /* 0: wait, 1: run fn, -1: end at once */
	unsigned int remaining;
	struct spinlock lock;
};

static void each_hart_task(void *p)
{
	struct each_hart *run = p;
	int state;

	acquire(&run->lock);
	while (!(state = run->state))
		task_sleep_on(run, &run->lock);
	release(&run->lock);
	if (state > 0)
		run->fn(run->arg);
	acquire(&run->lock);
	if (--run->remaining == 0)
		task_wakeup(run);
	release(&run->lock);
}

unsigned int task_run_on_each_hart(const char *name, void (*fn)(void *arg),
				   void *arg)
{
	struct each_hart run = { .fn = fn, .arg = arg };
	unsigned int i, n = nr_harts_online(), tasks = task_count();
	char task_name[TASK_NAME_LEN];

	spinlock_init_level(&run.lock, "each_hart", LOCK_LEVEL_WAIT);
	for (i = 0; i < n; i++) {
		snprintf(task_name, sizeof(task_name), "%s/%u", name, i);
		if (!task_create_on((int)i, task_name, each_hart_task, &run))
			break;
		run.remaining++;
	}
	acquire(&run.lock);
	run.state = i == n ? 1 : -1;
	task_wakeup(&run);
	while (run.remaining > 0)
		task_sleep_on(&run, &run.lock);
	release(&run.lock);
	while (task_count() > tasks)
		task_yield();
	return i == n ? n : 0;
}

void task_pin(struct task *t, int hart)
{
	acquire(&sched_lock);
	t->pinned = hart;
	if (t->state == TASK_RUNNABLE) {
		/* Queued already: make the idle harts look at it again. */
		__run_queue_changed();
		kick_idle_harts();
	}
	release(&sched_lock);
}

void task_yield(void)
{
	struct hart *h;

	acquire(&sched_lock);
	h = my_hart();
	if (h->current != h->idle)
		__enqueue(h->current);
	__schedule();
	release(&sched_lock);
}

static void __wait(struct task *t, enum task_state state)
{
	t->state = state;
	list_add_tail(&t->run_node, &wait_list);
	__schedule();
}

void task_sleep(unsigned int ms)
{
	struct task *t;

	acquire(&sched_lock);
	t = my_hart()->current;
	t->wake_time = timer_deadline(ms);
	if (t->wake_time < next_wake)
		next_wake = t->wake_time;
	__wait(t, TASK_SLEEPING);
	release(&sched_lock);
}

void task_sleep_on(const void *chan, struct spinlock *lock)
{
	struct task *t;

	acquire(&sched_lock);
	/* Now no task_wakeup(chan) can run until we are on the wait list. */
	release(lock);
	t = my_hart()->current;
	t->chan = chan;
	__wait(t, TASK_BLOCKED);
	t->chan = NULL;
	release(&sched_lock);
	acquire(lock);
}

void task_wakeup(const void *chan)
{
	struct task *t, *n;
	bool woke = false;

	acquire(&sched_lock);
	list_for_each_entry_safe (t, n, &wait_list, run_node) {
		if (t->state == TASK_BLOCKED && t->chan == chan) {
			list_del(&t->run_node);
			__enqueue(t);
			woke = true;
		}
	}
	if (woke)
		kick_idle_harts();
	release(&sched_lock);
}

void task_exit(void)
{
	acquire(&sched_lock);
	my_hart()->current->state = TASK_ZOMBIE;
	__schedule();
	panic("task_exit: a dead task was scheduled");
}

static void __wake_sleepers(uint64_t now)
{
	struct task *t, *n;

	next_wake = UINT64_MAX;
	list_for_each_entry_safe (t, n, &wait_list, run_node) {
		if (t->state != TASK_SLEEPING)
			continue;
		if (t->wake_time <= now) {
			list_del(&t->run_node);
			__enqueue(t);
		} else if (t->wake_time < next_wake) {
			next_wake = t->wake_time;
		}
	}
	kick_idle_harts();
}

/*
 * Timer tick, in interrupt context: wake sleepers, then preempt.  Both
 * steps peek without the lock first, because every hart ticks HZ times a
 * second and most ticks find nothing to do; the idle task is never
 * preempted (it looks at the queue itself, see idle_loop).
 */
void sched_tick(void)
{
	struct hart *h = my_hart();
	uint64_t now = timer_now();

	if (now >= READ_ONCE(next_wake)) {
		acquire(&sched_lock);
		__wake_sleepers(now);
		release(&sched_lock);
	}
	if (h->current != h->idle && READ_ONCE(run_queue.next) != &run_queue)
		task_yield();
}

void sched_init_hart(unsigned int hart)
{
	struct task *idle = &idle_tasks[hart];
	struct hart *h = &harts[hart];

	if (hart == 0 && !task_cache) {
		task_cache = kmem_cache_create("task", sizeof(struct task), 0,
					       0, NULL);
		if (!task_cache)
			panic("sched_init: no task cache");
	}

	snprintf(idle->name, sizeof(idle->name), "idle/%u", hart);
	idle->state = TASK_RUNNING;
	idle->pinned = (int)hart;
	idle->hart = (int)hart;
	list_init(&idle->run_node);
	h->idle = h->current = idle;

	acquire(&sched_lock);
	list_add_tail(&idle->all_node, &all_tasks);
	release(&sched_lock);
}

void idle_loop(void)
{
	unsigned long seen = 0;

	csr_set(mstatus, MSTATUS_MIE);
	for (;;) {
		/*
		 * Look at the run queue only when something was queued since
		 * the last look (the queue may hold tasks pinned elsewhere).
		 * Look with interrupts off, then wfi: an IPI that arrives
		 * after the look still ends the wfi, because wfi wakes on a
		 * pending interrupt even while mstatus.MIE is clear.
		 */
		unsigned long flags = irq_save();
		unsigned long count = READ_ONCE(enqueue_count);

		if (count == seen)
			wfi();
		irq_restore(flags);
		if (count != seen) {
			seen = count;
			task_yield();
		}
	}
}

static const char *const state_names[] = {
	[TASK_RUNNABLE] = "runnable", [TASK_RUNNING] = "running",
	[TASK_SLEEPING] = "sleeping", [TASK_BLOCKED] = "blocked",
	[TASK_ZOMBIE] = "zombie",
};

void task_list_print(void)
{
	struct task *t;

	printk("  PID  NAME             STATE     HART  SWITCHES\n");
	acquire(&sched_lock);
	list_for_each_entry (t, &all_tasks, all_node) {
		printk("  %3d  %-16s %-9s %4d  %llu\n", t->pid, t->name,
		       state_names[t->state], t->hart,
		       (unsigned long long)t->switches);
	}
	release(&sched_lock);
}

static int cmd_ps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	task_list_print();
	return 0;
}
SHELL_COMMAND(ps, "list tasks with their state and hart", cmd_ps);
