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

/* --- The roots of the leak scanner ------------------------------------ */

extern char __data_start[], __bss_start[], __bss_end[];

struct roots {
	void (*fn)(const void *start, const void *end, enum mem_root kind,
		   void *arg);
	void *arg;
	uintptr_t here; /* the caller's frame: its stack is live above */
};

/* The stack t runs on: its own pages, or an idle task's boot stack. */
static void stack_of(const struct task *t, uintptr_t *base, uintptr_t *top)
{
	if (t->stack) {
		*base = (uintptr_t)t->stack;
		*top = *base + TASK_STACK_PAGES * PAGE_SIZE;
	} else {
		*base = (uintptr_t)boot_stacks +
			(uintptr_t)t->pinned * BOOT_STACK_SIZE;
		*top = *base + BOOT_STACK_SIZE;
	}
}

/* Under the scheduler's lock, so t neither runs off nor exits. */
static void task_roots(struct task *t, void *arg)
{
	struct roots *r = arg;
	uintptr_t base, top, live;

	stack_of(t, &base, &top);
	if (t == harts[this_hart()].current) {
		live = r->here;
	} else if (t->state == TASK_RUNNING) {
		live = base; /* on another hart: its sp moves as we read */
	} else {
		/* Switched out: its callee-saved registers are in ctx, the
		 * others in a trap frame on its stack, above its sp. */
		live = t->ctx.sp;
		r->fn(&t->ctx, &t->ctx + 1, MEM_ROOT_REGISTERS, r->arg);
	}
	if (live < base || live > top)
		live = base; /* no sp of this stack: take all of it */
	r->fn((void *)live, (void *)top, MEM_ROOT_STACK, r->arg);
}

/* The frame of the function that calls this one. */
static __noinline uintptr_t callers_frame(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

void for_each_memory_root(void (*fn)(const void *start, const void *end,
				     enum mem_root kind, void *arg),
			  void *arg)
{
	char *boot_end = boot_stacks + MAX_HARTS * BOOT_STACK_SIZE;
	struct roots r = { fn, arg, 0 };

	/*
	 * Have the prologue save every callee-saved register in this
	 * frame: a pointer that our callers hold only in one is then on
	 * the live part of this stack, which starts below this frame.
	 */
	__builtin_unwind_init();
	r.here = callers_frame();
	fn(__data_start, __bss_start, MEM_ROOT_DATA, arg);
	fn(__bss_start, boot_stacks, MEM_ROOT_DATA, arg);
	fn(boot_end, __bss_end, MEM_ROOT_DATA, arg);
	task_for_each(task_roots, &r);
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
