/*
 * trap_test.c - what a fault looks like: one whole report, however many
 * harts fault at once.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/spinlock.h>

/*
 * An address with nothing behind it on QEMU virt (between the boot ROM
 * and the test finisher): a load from it is an access fault.
 */
#define NOTHING_THERE 0x00020000UL

static unsigned int arrived;

static void fault_together(void *arg)
{
	unsigned int n = *(unsigned int *)arg;

	push_off(); /* no interrupt stops this hart before it faults */
	__atomic_fetch_add(&arrived, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < n)
		cpu_relax();
	(void)*(volatile unsigned long *)NOTHING_THERE;
}

/*
 * Every hart faults in the same instant, released together once all
 * have arrived, with interrupts off so that each really faults.  Exactly one report must come out, whole: tools/ktest.py
 * checks every panic in QEMU for one intact "KERNEL PANIC:" line
 * followed by its backtrace, and nothing else interleaved.
 */
KTEST_PANICS(trap, faults_on_every_hart_at_once_give_one_report,
	     "load access fault")
{
	unsigned int n = nr_harts_online();

	(void)t;
	arrived = 0;
	ktest_on_each_hart(fault_together, &n);
}
