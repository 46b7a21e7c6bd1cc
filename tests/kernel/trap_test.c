/*
 * trap_test.c - an exception is reported with the function it happened
 * in, as "function+0xoffset" (kernel/trap.c), suite "trap".
 */
#include <kernel/ktest.h>
#include <kernel/slab.h>

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
