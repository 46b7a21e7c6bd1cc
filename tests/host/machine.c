/*
 * machine.c - the host implementation of include/kernel/machine.h.
 *
 * On the host, pthreads stand in for harts: each thread carries a hart id
 * in thread-local storage (the main thread is hart 0).  There are no
 * interrupts, so irq_save/irq_restore (inline, in include/asm/machine.h)
 * only keep the bookkeeping honest.
 * panic() prints the kernel's "KERNEL PANIC:" line and then either jumps
 * back into the runner (when a case that runs on the main thread
 * panics) or aborts.
 */
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

uint64_t time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The host has no cycle counter worth the name: nanoseconds stand in. */
uint64_t read_cycles(void)
{
	return time_ns();
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
	printk("KERNEL PANIC: %s\n  on hart %u\n", msg, this_hart());
	if (host_panic_exit) {
		fflush(stdout);
		_exit(HOST_PANIC_EXIT);
	}
	if (host_panic_jump && this_hart() == 0)
		longjmp(*host_panic_jump, 1);
	abort();
}
