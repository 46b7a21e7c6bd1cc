/*
 * timer.h - the periodic tick and uptime (kernel/timer.c).
 */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <kernel/compiler.h>

void timer_init_hart(unsigned int hart);
void timer_interrupt(void);
/* Time since boot, from the shared CLINT mtime counter. */
uint64_t uptime_ms(void);
/* mtime value ms milliseconds from now. */
uint64_t timer_deadline(unsigned int ms);
uint64_t timer_now(void);

/*
 * For tests: when set, called on every tick of every hart, in interrupt
 * context, so that a test can exercise code from an interrupt handler.
 */
extern void (*volatile timer_tick_hook)(void);
/*
 * Clear the hook and return once no hart runs it, nor will: every online
 * hart has taken a tick since (a handshake; about two ticks).  Call it
 * from a task, with interrupts on.
 */
void timer_tick_hook_stop(void);

#endif /* KERNEL_TIMER_H */
