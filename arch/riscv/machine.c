/*
 * machine.c - the out-of-line part of include/kernel/machine.h for RISC-V
 * (the hot calls are inline in asm/machine.h).
 */
#include <kernel/machine.h>
#include <kernel/platform.h>
#include <kernel/hart.h>
#include <kernel/spinlock.h>
#include <kernel/task.h>
#include <kernel/panic.h>
#include <asm/csr.h>

unsigned int nr_harts_online(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_HARTS; i++)
		n += READ_ONCE(harts[i].online);
	return n;
}

/*
 * The lock back-off (include/kernel/machine.h).  Only the next in line
 * spins; a waiter further back parks in wfi, with its place noted in
 * parked[], and the hart whose turn comes wakes the one after it with a
 * software interrupt: only that ends its wfi (the other interrupts are
 * masked in mie meanwhile), so nothing but the kick has to be right.
 *
 * A wake-up cannot be lost.  The parker stores its place, then (fence)
 * reads "now serving"; the hart served has read "now serving", then
 * (fence) reads the places.  RVWMO orders all memory accesses in one
 * global order that respects the fences: had the parker read the old
 * owner and the served hart missed the place, its store would come
 * before its own read, which comes before the releaser's store of the
 * new owner, which comes before the served hart's two reads, the last of
 * which comes before the parker's store: a cycle.
 */
#define SPINS_PER_LOOK 256

static struct parked {
	const uint16_t *serving; /* the lock's "now serving", or NULL */
	uint16_t ticket;
} __aligned(CACHELINE_SIZE) parked[MAX_HARTS];

static uint16_t tickets_ahead(const uint16_t *serving, uint16_t ticket)
{
	return (uint16_t)(ticket - __atomic_load_n(serving, __ATOMIC_ACQUIRE));
}

/* Our ticket is served: wake the hart parked with the one after it. */
static void wake_next_in_line(const uint16_t *serving, uint16_t ticket)
{
	unsigned int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (i = 0; i < MAX_HARTS; i++)
		if (__atomic_load_n(&parked[i].serving, __ATOMIC_ACQUIRE) ==
			    serving &&
		    __atomic_load_n(&parked[i].ticket, __ATOMIC_RELAXED) ==
			    (uint16_t)(ticket + 1))
			clint_send_ipi(i);
}

static void park(struct parked *me, const uint16_t *serving, uint16_t ticket)
{
	unsigned long enabled;

	__atomic_store_n(&me->ticket, ticket, __ATOMIC_RELAXED);
	__atomic_store_n(&me->serving, serving, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/*
	 * Only the kick may end this wfi.  A tick that came while we wait
	 * stays pending (interrupts are off), and would end every wfi at
	 * once: the waiters would spin after all, and on a host with fewer
	 * CPUs than harts keep the holder from running.
	 */
	enabled = csr_read_clear(mie, ~MIE_MSIE);
	if (tickets_ahead(serving, ticket) > 1)
		wfi();
	csr_set(mie, enabled);
	__atomic_store_n(&me->serving, NULL, __ATOMIC_RELAXED);
	/*
	 * Interrupts are off: clear the kick here (a scheduler kick lost
	 * this way costs one tick), and stop if it was a panic's.
	 */
	clint_clear_ipi(this_hart());
	panic_stop_if_underway();
}

bool cpu_wait_turn(const uint16_t *serving, uint16_t ticket)
{
	unsigned int spins;

	for (spins = 0; spins < SPINS_PER_LOOK; spins++) {
		if (tickets_ahead(serving, ticket) == 0) {
			wake_next_in_line(serving, ticket);
			return true;
		}
		cpu_relax();
	}
	panic_stop_if_underway(); /* the holder may be stopped for good */
	if (tickets_ahead(serving, ticket) > 1)
		park(&parked[this_hart()], serving, ticket);
	return false;
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
