/*
 * machine.h - the thin seam between portable code and the machine.
 *
 * lib/, mm/ and kernel/spinlock.c touch the hardware only through these
 * calls.  There are two implementations:
 *
 *   arch/riscv/machine.c   the real one: mhartid, mstatus.MIE, the cycle
 *                          CSR, the UART;
 *   tests/host/machine.c   the host one: a thread-local hart id (pthreads
 *                          stand in for harts), no interrupts, printf.
 *
 * Anything not listed here (tasks, timers, traps) is kernel-only and must
 * not be called from lib/ or mm/.
 */
#ifndef KERNEL_MACHINE_H
#define KERNEL_MACHINE_H

#include <kernel/compiler.h>
#include <kernel/config.h>

/* Index of the hart running this code, 0 <= id < MAX_HARTS. */
unsigned int this_hart(void);

/* Number of harts that are online (for per-hart loops). */
unsigned int nr_harts_online(void);

/*
 * Disable interrupts on this hart and return the previous state, which
 * irq_restore() puts back.  Use through push_off()/pop_off() or a lock
 * (include/kernel/spinlock.h), which count the nesting.
 */
unsigned long irq_save(void);
void irq_restore(unsigned long flags);
bool irqs_enabled(void);

/* Tell the hart (and a simulator) that we are busy-waiting. */
void cpu_relax(void);

/* A free-running cycle counter, for statistics and benchmarks. */
uint64_t read_cycles(void);

/* Write raw bytes to the console; callers serialise (see printk). */
void console_write(const char *s, size_t n);

/* Stop everything after printing a line starting "KERNEL PANIC:". */
__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#endif /* KERNEL_MACHINE_H */
