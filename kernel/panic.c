/*
 * panic.c - stop the machine after an unrecoverable error, with one
 * readable report, and end the run.
 *
 * Several harts may fail at the same instant (a race that breaks a list
 * can fault them all).  As in Linux (panic_cpu), the first hart to claim
 * panic_hart owns the console, and its report comes out whole and once:
 *
 *   KERNEL PANIC: load access fault at list_del+0x8
 *     on hart 2, task ktest/2
 *     mcause 5 mepc 0x80004a1c mtval 0x10 ra 0x80004a08 cache_free+0x44
 *     backtrace (riscv64-unknown-elf-addr2line -e <elf> ADDR):
 *       #0 0x80004a1c list_del+0x8
 *       #1 0x80003f60 cache_free+0x44
 *   hart 0 also faulted: load access fault at list_del+0x8
 *
 * The owner sends every other hart a software interrupt and waits until
 * none is part-way through writing to the console.  A hart stops for
 * good where it first sees the panic: in that interrupt, before its next
 * console character (console_write), or in a lock wait.  A hart that
 * fails itself meanwhile leaves one line, which the owner prints after
 * its report.  Then the run ends: QEMU exits through the test finisher
 * with status 1, or, with the boot option panic=halt, the machine stays
 * as it is for a debugger.
 *
 * The handshake with console writers is a store then a load on each
 * side, all sequentially consistent (fence rw,rw on RISC-V): a writer
 * sets its "writing" flag and then reads panic_hart before each
 * character; the owner sets panic_hart and then reads the flags.  So
 * either the owner sees the writer and waits for it to stop or finish,
 * or the writer sees the panic and writes nothing more.
 */
#include <kernel/panic.h>
#include <kernel/machine.h>
#include <kernel/printk.h>
#include <kernel/console.h>
#include <kernel/platform.h>
#include <kernel/trap.h>
#include <kernel/hart.h>
#include <kernel/task.h>
#include <asm/csr.h>

#define NO_HART (-1)
#define MSG_MAX 200
#define ALSO_MAX 120
/*
 * How long the owner waits for the other harts to stop, like Linux's
 * smp_send_stop: a hart spinning with interrupts off never answers.
 */
#define STOP_WAIT_NS 1000000000ull

bool panic_halts;

static int panic_hart = NO_HART; /* the hart that owns the report */
static int owner_failures;	 /* the owner's own panics, the first too */

static struct {
	int writing;	     /* inside console_write */
	int stopped;	     /* stopped for good; also[] is final */
	char also[ALSO_MAX]; /* its own failure, one line, or "" */
} __aligned(CACHELINE_SIZE) hp[MAX_HARTS];

bool panic_in_progress(void)
{
	return __atomic_load_n(&panic_hart, __ATOMIC_SEQ_CST) != NO_HART;
}

void panic_console_begin(void)
{
	__atomic_store_n(&hp[this_hart()].writing, 1, __ATOMIC_SEQ_CST);
}

void panic_console_end(void)
{
	__atomic_store_n(&hp[this_hart()].writing, 0, __ATOMIC_RELEASE);
}

/* Interrupts off and none enabled: wfi sleeps, and nothing runs here. */
static __noreturn void stop_this_hart(void)
{
	unsigned int me = this_hart();

	irq_save();
	csr_write(mie, 0);
	__atomic_store_n(&hp[me].writing, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&hp[me].stopped, 1, __ATOMIC_RELEASE);
	for (;;)
		wfi();
}

void panic_stop_if_underway(void)
{
	int owner = __atomic_load_n(&panic_hart, __ATOMIC_SEQ_CST);

	if (owner != NO_HART && owner != (int)this_hart())
		stop_this_hart();
}

static __noreturn void end_run(void)
{
	if (panic_halts) {
		printk("System halted (panic=halt): gdb may attach; Ctrl-A X quits QEMU.\n");
		stop_this_hart();
	}
	virt_test_exit(1);
}

/*
 * Claim the report.  False if another hart has it; the owner failing
 * again inside its own report adds one line and ends the run at once.
 */
static bool claim(const char *msg)
{
	int owner = NO_HART;
	unsigned int me = this_hart();

	if (__atomic_compare_exchange_n(&panic_hart, &owner, (int)me, false,
					__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		owner_failures = 1;
		return true;
	}
	if (owner != (int)me)
		return false;
	if (owner_failures++ == 1) {
		printk("  failed again during the report: %s\n", msg);
		end_run();
	}
	virt_test_exit(1); /* a third time: out, printing nothing more */
}

/* Not the owner: leave one line for the owner to print, and stop. */
static __noreturn void leave_line_and_stop(const char *verb, const char *msg)
{
	unsigned int me = this_hart();

	snprintf(hp[me].also, sizeof(hp[me].also), "hart %u also %s: %s", me,
		 verb, msg);
	stop_this_hart();
}

static void stop_other_harts(unsigned int me)
{
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		if (i != me && READ_ONCE(harts[i].online))
			clint_send_ipi(i);
}

/* Every other hart has stopped or finished its console write. */
static void wait_for_quiet_console(unsigned int me)
{
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		while (i != me &&
		       __atomic_load_n(&hp[i].writing, __ATOMIC_SEQ_CST))
			cpu_relax();
}

/* The other harts' own failures, once they have stopped (or time ran out). */
static void print_other_failures(unsigned int me)
{
	uint64_t give_up = time_ns() + STOP_WAIT_NS;
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++) {
		if (i == me || !READ_ONCE(harts[i].online))
			continue;
		while (!__atomic_load_n(&hp[i].stopped, __ATOMIC_ACQUIRE) &&
		       time_ns() < give_up)
			cpu_relax();
		if (__atomic_load_n(&hp[i].stopped, __ATOMIC_ACQUIRE) &&
		    hp[i].also[0])
			printk("%s\n", hp[i].also);
	}
}

static __noreturn void report(const char *msg, const struct trap_frame *f,
			      uintptr_t pc, uintptr_t fp)
{
	unsigned int me = this_hart();
	struct task *t = harts[me].current;

	stop_other_harts(me);
	wait_for_quiet_console(me);
	console_start_line();
	printk("KERNEL PANIC: %s\n  on hart %u, task %s\n", msg, me,
	       t ? t->name : "(boot)");
	/* ra matters when the faulting function is a leaf without a frame. */
	if (f)
		printk("  mcause %lu mepc %p mtval %p ra %p %pB\n", f->mcause,
		       (void *)f->mepc, (void *)f->mtval, (void *)TF_RA(f),
		       (void *)TF_RA(f));
	backtrace_from(pc, fp);
	print_other_failures(me);
	end_run();
}

void panic(const char *fmt, ...)
{
	uintptr_t *frame = __builtin_frame_address(0);
	char msg[MSG_MAX];
	va_list ap;

	irq_save();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!claim(msg))
		leave_line_and_stop("panicked", msg);
	/* The backtrace starts where panic was called. */
	report(msg, NULL, frame[-1], frame[-2]);
}

void panic_trap(const struct trap_frame *f, const char *what, const char *hint)
{
	char msg[MSG_MAX];
	int n;

	irq_save();
	n = snprintf(msg, sizeof(msg), "%s at %pS", what, (void *)f->mepc);
	if (hint && n > 0 && n < (int)sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n,
			 ": mtval looks like %s", hint);
	if (!claim(msg))
		leave_line_and_stop("faulted", msg);
	report(msg, f, f->mepc, TF_FP(f));
}
