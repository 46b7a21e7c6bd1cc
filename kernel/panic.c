/*
 * panic.c - stop the machine after an unrecoverable error.
 *
 * panic() turns interrupts off, takes over the console, prints a line
 * starting "KERNEL PANIC:" and a backtrace, then stops the other harts
 * with a software interrupt (trap.c parks any hart that sees
 * kernel_panicked).  A test image then leaves QEMU with a failure status
 * so the test runner need not wait for a time-out; a normal image halts
 * so that a debugger can still look at the corpse.
 */
#include <kernel/machine.h>
#include <kernel/printk.h>
#include <kernel/console.h>
#include <kernel/platform.h>
#include <kernel/trap.h>
#include <kernel/hart.h>
#include <kernel/task.h>
#include <asm/csr.h>

volatile int kernel_panicked; /* int: RISC-V has no byte-wide swap */

static void stop_other_harts(void)
{
	unsigned int i, me = this_hart();

	for (i = 0; i < MAX_HARTS; i++)
		if (i != me && READ_ONCE(harts[i].online))
			clint_send_ipi(i);
}

void panic(const char *fmt, ...)
{
	struct task *t;
	va_list ap;
	char msg[256];

	irq_save();
	/* A second panic (say, in the backtrace) must not recurse. */
	if (__atomic_exchange_n(&kernel_panicked, 1, __ATOMIC_ACQ_REL)) {
		for (;;)
			wfi();
	}
	stop_other_harts();

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t = harts[this_hart()].current;
	printk("KERNEL PANIC: %s\n  on hart %u, task %s\n", msg, this_hart(),
	       t ? t->name : "(boot)");
	backtrace();
#ifdef CONFIG_KTEST
	virt_test_exit(1);
#else
	printk("System halted.\n");
	for (;;)
		wfi();
#endif
}
