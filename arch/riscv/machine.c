/*
 * machine.c - the out-of-line part of include/kernel/machine.h for RISC-V
 * (the hot calls are inline in asm/machine.h).
 */
#include <kernel/machine.h>
#include <kernel/platform.h>
#include <kernel/hart.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <asm/csr.h>

unsigned int nr_harts_online(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_HARTS; i++)
		n += READ_ONCE(harts[i].online);
	return n;
}

void cpu_wait(void)
{
	/*
	 * wfi returns on any pending interrupt enabled in mie, even while
	 * mstatus.MIE is clear, so a kick (a software interrupt) wakes us.
	 * The kick is cleared here, because interrupts are masked and no
	 * handler will; a scheduler kick lost this way costs one tick.
	 */
	wfi();
	clint_clear_ipi(this_hart());
}

void cpu_kick(unsigned int hart)
{
	clint_send_ipi(hart);
}

extern char _kernel_start[], _kernel_end[];
extern char boot_stacks[];

enum mem_kind mem_kind_of(const void *p)
{
	uintptr_t a = (uintptr_t)p, boot;
	struct task *t;

	push_off(); /* stay on this hart while we look at its task */
	t = harts[this_hart()].current;
	boot = (uintptr_t)boot_stacks + this_hart() * BOOT_STACK_SIZE;
	pop_off();
	if ((t && t->stack &&
	     a - (uintptr_t)t->stack < TASK_STACK_PAGES * PAGE_SIZE) ||
	    a - boot < BOOT_STACK_SIZE)
		return MEM_STACK;
	if (a >= (uintptr_t)_kernel_start && a < (uintptr_t)_kernel_end)
		return MEM_IMAGE;
	return MEM_OTHER;
}

uint64_t time_ns(void)
{
	/* 100 ns per mtime tick at QEMU virt's 10 MHz timebase. */
	return clint_mtime() * (1000000000u / boot_info.timebase_hz);
}

void console_write(const char *s, size_t n)
{
	while (n--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}
