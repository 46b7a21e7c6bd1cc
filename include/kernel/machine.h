/*
 * machine.h - the thin seam between portable code and the machine.
 *
 * lib/, mm/ and kernel/spinlock.c touch the hardware only through these
 * calls.  There are two implementations:
 *
 *   arch/riscv/            the real one: mhartid, mstatus.MIE, the cycle
 *                          CSR, the UART;
 *   tests/host/            the host one: a thread-local hart id (pthreads
 *                          stand in for harts), no interrupts, printf.
 *
 * Anything not listed here (tasks, timers, traps) is kernel-only and must
 * not be called from lib/ or mm/.
 */
#ifndef KERNEL_MACHINE_H
#define KERNEL_MACHINE_H

#include <kernel/compiler.h>
#include <kernel/config.h>

/*
 * unsigned int this_hart(void)
 *	Index of the hart running this code, 0 <= id < MAX_HARTS.
 *
 * unsigned long irq_save(void), void irq_restore(unsigned long flags)
 *	Disable interrupts on this hart and return the previous state,
 *	which irq_restore() puts back.  Use them through push_off/pop_off or
 *	a lock (include/kernel/spinlock.h), which count the nesting.
 *
 * bool irqs_enabled(void)
 * void cpu_relax(void)		tell the hart we are busy-waiting
 * uint64_t read_cycles(void)	a free-running cycle counter
 *
 * Both define these in their asm/machine.h, inline where they are one
 * or two instructions, for they sit on every allocator fast path:
 * arch/riscv/include/asm/machine.h and tests/host/include/asm/machine.h.
 */
#include <asm/machine.h>

/*
 * bool cpu_wait_turn(const uint16_t *serving, uint16_t ticket)
 *	The lock back-off: the one place where a waiter for a ticket lock
 *	(kernel/spinlock.c) waits.  Returns true, with acquire ordering,
 *	once *serving == ticket; or false after a while without, so that
 *	the caller can look at the clock and call again.  The ticket may
 *	only ever move towards being served.
 *
 *	Why a hook: QEMU runs each hart in a host thread, and a busy host
 *	may have fewer CPUs than harts.  A waiter that spins far back in
 *	the queue then takes a CPU from the holder and from the next in
 *	line, and every hand-off waits for a host time slice.  So only the
 *	next in line should spin.  The RISC-V side (arch/riscv/machine.c)
 *	parks a waiter further back in wfi until the ticket before its own
 *	is served; the hart served wakes the one after it.  The host side
 *	(tests/host/machine.c) yields its thread.
 */
bool cpu_wait_turn(const uint16_t *serving, uint16_t ticket);

/*
 * What the machine knows of an address that no allocator owns, so that a
 * report can say why a free was wrong: on the running task's stack, in
 * the program's own image (code or a global), or neither.
 */
enum mem_kind { MEM_OTHER, MEM_STACK, MEM_IMAGE };
enum mem_kind mem_kind_of(const void *p);

/*
 * The memory outside the allocators where pointers to allocations live:
 * the roots of the leak scanner (mm/leak.c).  fn is called once for each
 * range [start, end):
 *
 *   MEM_ROOT_DATA       the program's writable data: .data and .bss (the
 *                       boot stacks left out: they come as stacks)
 *   MEM_ROOT_STACK      the live part of a stack: from the saved stack
 *                       pointer of a task that is not running, from the
 *                       caller's frame on the calling hart, the whole
 *                       stack of one running on another hart
 *   MEM_ROOT_REGISTERS  the saved registers of a task that is not
 *                       running (the caller's own are in its live stack)
 *
 * fn may be called with the scheduler's lock held: it must neither
 * sleep, nor allocate, nor take a lock.
 */
enum mem_root { MEM_ROOT_DATA, MEM_ROOT_STACK, MEM_ROOT_REGISTERS };
void for_each_memory_root(void (*fn)(const void *start, const void *end,
				     enum mem_root kind, void *arg),
			  void *arg);

/*
 * Hardware watchpoints: the RISC-V debug triggers (Sdtrig), which stop a
 * store (or a load) at a chosen address before it is made (mm/watch.c
 * uses them to catch a use of a freed object).  The host runner has none.
 *
 * unsigned int watch_slots(void)
 *	How many watches may be armed at once; 0 where the hart has no
 *	triggers, and then the calls below must not be made.
 *
 * void watch_arm(unsigned int slot, const void *addr, bool loads)
 *	Watch the word at addr for stores, and for loads too if loads, on
 *	every hart: on this one at once, on the others at their next trap
 *	(they are sent an IPI).
 *
 * void watch_release(unsigned int slot)
 *	Stop watching: on this hart at once, on the others at their next
 *	trap.  A store that a stale watch stops meanwhile is no bug: the
 *	trap asks mm (mm_watch_hit) and goes on.
 *
 * bool watch_synced(void)
 *	Has this hart armed and released everything asked so far?  What a
 *	test waits for before it writes from another hart.
 *
 * The callers of watch_arm and watch_release serialise them (one lock).
 */
unsigned int watch_slots(void);
void watch_arm(unsigned int slot, const void *addr, bool loads);
void watch_release(unsigned int slot);
bool watch_synced(void);

/* Number of harts that are online (for per-hart loops). */
unsigned int nr_harts_online(void);

/* Nanoseconds since boot, for time limits (not for benchmarks). */
uint64_t time_ns(void);

/*
 * Write raw bytes to the console; callers serialise (see printk).  The
 * kernel's is in kernel/console.c, the host's in tests/host/machine.c.
 */
void console_write(const char *s, size_t n);

/* Stop everything after printing a line starting "KERNEL PANIC:". */
__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#endif /* KERNEL_MACHINE_H */
