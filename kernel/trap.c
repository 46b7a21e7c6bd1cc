/*
 * trap.c - dispatch of interrupts and exceptions.
 *
 * trap_entry (arch/riscv/trap_entry.S) saves the interrupted context and
 * calls trap_handler() with interrupts off.  Interrupts go to the timer,
 * the software-interrupt (IPI) handler or the PLIC; any exception is a
 * kernel bug, and the kernel panics with its registers and a backtrace
 * (panic_trap, kernel/panic.c).  Code addresses are printed with the
 * function they are in (lib/kallsyms.c): %pS for a pc, %pB for a return
 * address.
 */
#include <kernel/trap.h>
#include <kernel/console.h>
#include <kernel/printk.h>
#include <kernel/platform.h>
#include <kernel/poison.h>
#include <kernel/timer.h>
#include <kernel/hart.h>
#include <kernel/panic.h>
#include <kernel/task.h>
#include <asm/csr.h>

extern char trap_entry[];
extern char _kernel_start[], _etext[];

static const char *const exception_names[] = {
	[0] = "instruction address misaligned",
	[1] = "instruction access fault",
	[2] = "illegal instruction",
	[3] = "breakpoint",
	[4] = "load address misaligned",
	[5] = "load access fault",
	[6] = "store/AMO address misaligned",
	[7] = "store/AMO access fault",
	[8] = "environment call from U-mode",
	[9] = "environment call from S-mode",
	[11] = "environment call from M-mode",
	[12] = "instruction page fault",
	[13] = "load page fault",
	[15] = "store/AMO page fault",
};

void trap_init_hart(void)
{
	csr_write(mtvec, (uintptr_t)trap_entry);
}

/* A frame pointer we may follow: aligned and inside the kernel's RAM. */
static bool fp_plausible(uintptr_t fp)
{
	uintptr_t ram_end =
		(uintptr_t)(boot_info.mem_base + boot_info.mem_size);

	return IS_ALIGNED(fp, sizeof(uintptr_t)) &&
	       fp > (uintptr_t)_kernel_start + 2 * sizeof(uintptr_t) &&
	       fp <= ram_end;
}

#define BACKTRACE_HEADER                                                       \
	"  backtrace (riscv64-unknown-elf-addr2line -e <elf> ADDR):\n"

/*
 * Print the return addresses up the chain of frames from fp, numbered
 * from depth.  With -fno-omit-frame-pointer, GCC's RISC-V frames keep the
 * return address at fp - 1 word and the caller's fp at fp - 2 words.
 */
static void backtrace_frames(uintptr_t fp, int depth)
{
	for (; depth < 16 && fp_plausible(fp); depth++) {
		uintptr_t *frame = (uintptr_t *)fp;
		uintptr_t ra = frame[-1];

		/* A leaf function saves no ra: stop at anything not code. */
		if (ra < (uintptr_t)_kernel_start || ra >= (uintptr_t)_etext)
			break;
		printk("    #%d %p %pB\n", depth, (void *)ra, (void *)ra);
		fp = frame[-2];
	}
}

/* From a trap: pc is the interrupted instruction, fp its frame. */
void backtrace_from(uintptr_t pc, uintptr_t fp)
{
	printk(BACKTRACE_HEADER);
	printk("    #0 %p %pS\n", (void *)pc, (void *)pc);
	backtrace_frames(fp, 1);
}

/*
 * From our caller on: its return address and frame sit in our frame,
 * which stays while it is read because the call below is no tail call
 * (the kernel is built with -fno-optimize-sibling-calls).
 */
__noinline void backtrace(void)
{
	printk(BACKTRACE_HEADER);
	backtrace_frames((uintptr_t)__builtin_frame_address(0), 0);
}

static void exception(struct trap_frame *f)
{
	unsigned long cause = f->mcause;
	const char *name = NULL;

	if (cause < ARRAY_SIZE(exception_names))
		name = exception_names[cause];
	/* A faulting address made of a memory pattern says where it came from. */
	panic_trap(f, name ? name : "unknown exception",
		   poison_explains(f->mtval));
}

static void software_interrupt(void)
{
	clint_clear_ipi(this_hart());
	/* A panic's request to stop, or a kick: the scheduler has work. */
	panic_stop_if_underway();
}

static void external_interrupt(void)
{
	unsigned int hart = this_hart();
	unsigned int irq = plic_claim(hart);

	if (irq == UART0_IRQ)
		console_interrupt();
	if (irq)
		plic_complete(hart, irq);
}

void trap_handler(struct trap_frame *f)
{
	/*
	 * tp holds this hart's id from _start on, and a trap's exit leaves
	 * it alone (trap_entry.S).  Checked here, once a trap (3
	 * instructions), so that a broken tp stops the kernel at once and
	 * says so, not later in the scheduler's records of another hart.
	 */
	if (unlikely(this_hart() != csr_read(mhartid)))
		panic("tp holds hart %u on hart %lu: a trap restored it, or boot never set it",
		      this_hart(), (unsigned long)csr_read(mhartid));
	if (!(f->mcause & MCAUSE_INTERRUPT)) {
		/* A watched store (arch/riscv/watch.c): reported, then run. */
		if (!watch_trap(f))
			exception(f);
		return;
	}
	watch_sync(); /* watches other harts armed or released */
	switch (f->mcause & ~MCAUSE_INTERRUPT) {
	case IRQ_M_TIMER:
		timer_interrupt();
		break;
	case IRQ_M_SOFT:
		software_interrupt();
		break;
	case IRQ_M_EXT:
		external_interrupt();
		break;
	default:
		panic("unexpected interrupt, mcause %p", (void *)f->mcause);
	}
	/* The tick may have made another task due on this hart. */
	if ((f->mcause & ~MCAUSE_INTERRUPT) == IRQ_M_TIMER)
		sched_tick();
}
