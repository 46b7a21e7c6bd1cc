/*
 * task.h - kernel tasks, scheduled round-robin and preemptively on all
 * harts (kernel/task.c).
 */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H

#include <kernel/compiler.h>
#include <kernel/list.h>

struct spinlock;

enum task_state {
	TASK_RUNNABLE,
	TASK_RUNNING,
	TASK_SLEEPING, /* task_sleep: waits for a time */
	TASK_BLOCKED,  /* task_sleep_on: waits for task_wakeup */
	TASK_ZOMBIE,   /* exited, its stack is freed by the next task */
};

/* Callee-saved registers, saved by switch_context (arch/riscv/switch.S). */
struct context {
	unsigned long ra;
	unsigned long sp;
	unsigned long s[12];
};

#define TASK_NAME_LEN 16
#define TASK_ANY_HART (-1)

struct task {
	struct context ctx;
	struct list_head run_node; /* run queue or wait list */
	struct list_head all_node; /* every task, for ps */
	char name[TASK_NAME_LEN];
	enum task_state state;
	int pid;
	int hart;   /* hart it runs or last ran on */
	int pinned; /* hart it must run on, or TASK_ANY_HART */
	void (*fn)(void *arg);
	void *arg;
	void *stack;	    /* TASK_STACK_PAGES pages, NULL for idle */
	uint64_t wake_time; /* mtime to wake at (TASK_SLEEPING) */
	const void *chan;   /* what it waits for (TASK_BLOCKED) */
	uint64_t switches;  /* times it was switched in */
};

/* Create a task; it starts running fn(arg) soon.  NULL if out of memory. */
struct task *task_create(const char *name, void (*fn)(void *arg), void *arg);
/* The same, but the task only ever runs on the given hart. */
struct task *task_create_on(int hart, const char *name, void (*fn)(void *arg),
			    void *arg);
/*
 * Run fn(arg) in a task pinned to each online hart ("name/0", ...), all
 * at once, and return when every one has returned and been reaped: the
 * number of harts, or 0 (and fn ran nowhere) if a task could not be
 * made.
 */
unsigned int task_run_on_each_hart(const char *name, void (*fn)(void *arg),
				   void *arg);
/*
 * Let t run only on hart (or anywhere: TASK_ANY_HART) from its next
 * switch on; a task running elsewhere keeps its hart until it yields or
 * is preempted.
 */
void task_pin(struct task *t, int hart);
void task_yield(void);
void task_sleep(unsigned int ms);
__noreturn void task_exit(void);
struct task *current_task(void);
/* Tasks created and not yet reaped (their stacks not yet freed). */
unsigned int task_count(void);

/*
 * Block until task_wakeup(chan).  The caller holds lock, which protects
 * the condition it waits for; it is released while sleeping and taken
 * again before returning, so a wakeup cannot be lost in between.
 */
void task_sleep_on(const void *chan, struct spinlock *lock);
void task_wakeup(const void *chan);

/*
 * Call fn for every task that has not exited, idle tasks included, with
 * the scheduler's lock held: fn must neither sleep, nor allocate, nor
 * take a lock.  A task in TASK_RUNNING runs on a hart now, so its saved
 * registers are stale.
 */
void task_for_each(void (*fn)(struct task *t, void *arg), void *arg);

/* Scheduler plumbing for boot and the timer. */
void sched_init_hart(unsigned int hart);
void sched_tick(void);
__noreturn void idle_loop(void);
void task_list_print(void);

#endif /* KERNEL_TASK_H */
