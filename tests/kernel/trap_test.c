/*
 * trap_test.c - what a fault looks like (kernel/trap.c, kernel/panic.c),
 * suite "trap": an exception names the function it happened in, as
 * "function+0xoffset", and a faulting address made of a memory pattern
 * says where it came from; however many harts fault at once, one whole
 * report comes out.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>

/* An illegal instruction on purpose: the case is the function named. */
KTEST_PANICS(
	trap, an_exception_names_its_function,
	"illegal instruction at ktest_trap__an_exception_names_its_function+0x")
{
	(void)t;
	__asm__ volatile("unimp");
}

/*
 * A pointer read from new memory that was never written holds the new
 * pattern (the cache poisons: SLAB_POISON), and following it faults at an
 * address the exception report recognises.
 */
struct node {
	struct node *next;
	int value;
};

KTEST_PANICS(trap, a_pointer_from_uninitialised_memory_is_named,
	     "mtval looks like a pointer read from new memory never written")
{
	struct kmem_cache *c = kmem_cache_create(
		"test-uninit", sizeof(struct node), 0, SLAB_POISON, NULL);
	struct node *n;

	KASSERT_NOT_NULL(t, c);
	n = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, n);
	/* The bug: n->next was never set. */
	ktest_log(t, "value %d", READ_ONCE(n->next)->value);
}

/* The same for a pointer read from an object after it was freed. */
KTEST_PANICS(trap, a_pointer_from_freed_memory_is_named,
	     "mtval looks like a pointer read from freed memory")
{
	struct kmem_cache *c = kmem_cache_create(
		"test-freed", sizeof(struct node), 0, SLAB_POISON, NULL);
	struct node *n;

	KASSERT_NOT_NULL(t, c);
	n = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, n);
	n->next = NULL;
	kmem_cache_free(c, n);
	/* The bug: n is used after the free. */
	ktest_log(t, "value %d", READ_ONCE(READ_ONCE(n->next)->value));
}

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

/*
 * An ebreak is still a breakpoint, and a panic, while a watch is armed
 * (mm.debug=W): the trap of a watch takes only the stores it stops.
 * Where there are no triggers the ebreak panics all the same.
 */
KTEST_PANICS(
	trap, an_ebreak_with_a_watch_armed_is_a_breakpoint,
	"breakpoint at ktest_trap__an_ebreak_with_a_watch_armed_is_a_breakpoint+0x")
{
	struct kmem_cache *c =
		kmem_cache_create("test-ebreak", 64, 0, SLAB_WATCH, NULL);
	void *obj;

	KASSERT_NOT_NULL(t, c);
	obj = kmem_cache_alloc(c);
	KASSERT_NOT_NULL(t, obj);
	mm_watch_every(1);
	kmem_cache_free(c, obj);
	ktest_log(t, "watched: %s", mm_watch_holds(obj) ? "yes" : "no");
	__asm__ volatile("ebreak");
}
