/*
 * hart.h - per-hart state of the kernel.
 *
 * Each hart touches only its own struct hart, except the scheduler, which
 * reads others' "current" under the scheduler lock.  Read my_hart() with
 * interrupts off: a preemptible task may move to another hart at any time.
 */
#ifndef KERNEL_HART_H
#define KERNEL_HART_H

#include <kernel/compiler.h>
#include <kernel/machine.h>
#include <kernel/fdt.h>

struct task;

struct hart {
	unsigned int id;
	bool online;
	struct task *current; /* running task */
	struct task *idle;    /* this hart's idle task */
	struct task *prev;    /* task just switched away from */
	uint64_t ticks;	      /* timer interrupts taken */
	uint64_t next_tick;   /* mtime of the next timer interrupt */
} __aligned(CACHELINE_SIZE);

extern struct hart harts[MAX_HARTS];
extern struct fdt_info boot_info;

static inline struct hart *my_hart(void)
{
	return &harts[this_hart()];
}

#endif /* KERNEL_HART_H */
