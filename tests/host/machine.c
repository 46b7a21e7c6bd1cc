/*
 * machine.c - the host implementation of include/kernel/machine.h.
 *
 * On the host, pthreads stand in for harts: each thread carries a hart id
 * in thread-local storage (the main thread is hart 0).  There are no
 * interrupts, so irq_save/irq_restore (inline, in include/asm/machine.h)
 * only keep the bookkeeping honest.
 * panic() prints the kernel's "KERNEL PANIC:" line and its caller
 * ("called from page_free+0x3c", lib/kallsyms.c), then either jumps
 * back into the runner (when a case that runs on the main thread
 * panics) or aborts.
 */
#define _GNU_SOURCE /* pthread_getattr_np */
#include <kernel/machine.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include "host.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

__thread struct host_hart host_hart = { .irqs_on = true };
static pthread_mutex_t console_mutex = PTHREAD_MUTEX_INITIALIZER;

jmp_buf *host_panic_jump;
bool host_panic_exit;
unsigned int host_nr_harts = 4;

void host_set_hart(unsigned int id)
{
	host_hart.id = id;
}

unsigned int nr_harts_online(void)
{
	return host_nr_harts;
}

void cpu_relax(void)
{
	/* Threads may outnumber cores: let the lock holder run. */
	sched_yield();
}

/*
 * The lock back-off: threads may outnumber the host's CPUs, so a waiter
 * gives its CPU away between two looks, and the holder gets to run.
 */
bool cpu_wait_turn(const uint16_t *serving, uint16_t ticket)
{
	if (__atomic_load_n(serving, __ATOMIC_ACQUIRE) == ticket)
		return true;
	sched_yield();
	return false;
}

/* The executable's own code and data, from the default linker script. */
extern char __executable_start[], end[];

enum mem_kind mem_kind_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	pthread_attr_t attr;
	void *stack;
	size_t size;
	bool on_stack = false;

	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &stack, &size) == 0)
			on_stack = a - (uintptr_t)stack < size;
		pthread_attr_destroy(&attr);
	}
	if (on_stack)
		return MEM_STACK;
	if (a >= (uintptr_t)__executable_start && a < (uintptr_t)end)
		return MEM_IMAGE;
	return MEM_OTHER;
}

/* --- The roots of the leak scanner ------------------------------------ */

/*
 * The stacks of threads other than the caller's: each thread that plays
 * a hart publishes all of its stack (its stack pointer moves as the
 * scanner reads), and the main thread, while it waits for them, the live
 * part of its own.
 */
struct published_stack {
	pthread_t thread;
	const char *low, *high;
	bool used;
};

static pthread_mutex_t stacks_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct published_stack stacks[MAX_HARTS + 1];

static void stack_bounds(const char **low, const char **high)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	*low = *high = NULL;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			*low = addr;
			*high = (const char *)addr + size;
		}
		pthread_attr_destroy(&attr);
	}
}

void host_stack_publish(const void *live)
{
	const char *low, *high;
	size_t i;

	stack_bounds(&low, &high);
	if (live)
		low = live;
	pthread_mutex_lock(&stacks_mutex);
	for (i = 0; i < ARRAY_SIZE(stacks); i++)
		if (!stacks[i].used) {
			stacks[i] = (struct published_stack){ pthread_self(),
							      low, high, true };
			break;
		}
	pthread_mutex_unlock(&stacks_mutex);
}

void host_stack_withdraw(void)
{
	size_t i;

	pthread_mutex_lock(&stacks_mutex);
	for (i = 0; i < ARRAY_SIZE(stacks); i++)
		if (stacks[i].used &&
		    pthread_equal(stacks[i].thread, pthread_self()))
			stacks[i].used = false;
	pthread_mutex_unlock(&stacks_mutex);
}

/* The program's own writable data, from the default linker script. */
extern char __data_start[], _edata[], __bss_start[], _end[];

/* The frame of the function that calls this one. */
static __noinline const char *callers_frame(void)
{
	return __builtin_frame_address(0);
}

void for_each_memory_root(void (*fn)(const void *start, const void *end,
				     enum mem_root kind, void *arg),
			  void *arg)
{
	const char *here, *low, *high;
	size_t i;

	/*
	 * Have the prologue save every callee-saved register in this
	 * frame: a pointer that our callers hold only in one is then on
	 * the live part of this stack, which starts below this frame.
	 */
	__builtin_unwind_init();
	here = callers_frame();
	fn(__data_start, _edata, MEM_ROOT_DATA, arg);
	fn(__bss_start, _end, MEM_ROOT_DATA, arg);
	stack_bounds(&low, &high);
	fn(here, high, MEM_ROOT_STACK, arg);
	pthread_mutex_lock(&stacks_mutex);
	for (i = 0; i < ARRAY_SIZE(stacks); i++)
		if (stacks[i].used &&
		    !pthread_equal(stacks[i].thread, pthread_self()))
			fn(stacks[i].low, stacks[i].high, MEM_ROOT_STACK, arg);
	pthread_mutex_unlock(&stacks_mutex);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Since the runner started, as the kernel's time counts from boot. */
static uint64_t started_ns;

__attribute__((constructor)) static void note_start(void)
{
	started_ns = monotonic_ns();
}

uint64_t time_ns(void)
{
	return monotonic_ns() - started_ns;
}

/*
 * The time-stamp counter where there is one (one instruction, as rdcycle
 * is on RISC-V: lock statistics stay cheap); nanoseconds elsewhere.
 */
uint64_t read_cycles(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __builtin_ia32_rdtsc();
#else
	return time_ns();
#endif
}

void console_write(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
}

/* kernel/printk.c formats; this is the host's console lock. */
void console_write_locked(const char *s, size_t n)
{
	pthread_mutex_lock(&console_mutex);
	console_write(s, n);
	fflush(stdout);
	pthread_mutex_unlock(&console_mutex);
}

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("KERNEL PANIC: %s\n  on hart %u, called from %pB\n", msg,
	       this_hart(), __builtin_return_address(0));
	if (host_panic_exit) {
		fflush(stdout);
		host_exit(HOST_PANIC_EXIT);
	}
	if (host_panic_jump && this_hart() == 0)
		longjmp(*host_panic_jump, 1);
	abort();
}

/*
 * No debug triggers on the host: watching freed objects is off, and the
 * tests of it skip.  The calls below are never made while watch_slots()
 * says 0; should one be, it is a bug in the caller.
 */
unsigned int watch_slots(void)
{
	return 0;
}

void watch_arm(unsigned int slot, const void *addr, bool loads)
{
	panic("watch_arm(%u, %p, %d): the host has no triggers", slot, addr,
	      loads);
}

void watch_release(unsigned int slot)
{
	panic("watch_release(%u): the host has no triggers", slot);
}

bool watch_synced(void)
{
	return true;
}
