/*
 * torture_test.c - the page allocator and malloc hammered from every hart
 * at once, and (in the kernel) from the timer interrupt on every hart.
 *
 * Each hart keeps a few slots, and at random either fills an empty slot
 * (page_alloc or malloc, then stamps the memory with its owner) or empties
 * a full one (checks the stamp, then frees).  A test-side ownership map
 * (tests/mm/ownership.h), one bit per page and one per 8-byte malloc
 * granule, catches any page or block handed out twice.
 * At the end every page is back.
 *
 * The lock-less build (CONFIG_MM_NOLOCK, image build/<arch>/nolock) runs
 * the same torture with the allocator locks compiled out and passes only
 * if it ends in a panic: proof that the torture can fail.  The panic comes
 * either from the torture itself, which panics on purpose once its
 * ownership map has seen a page handed out twice, or from a hart that
 * follows a free list the races have broken.  A run that ends cleanly saw
 * nothing and fails.  It works on a private pool, so that the kernel's own
 * memory survives to print the report.
 */
#include <kernel/ktest.h>
#include <kernel/bitmap.h>
#include <kernel/machine.h>
#include <kernel/malloc.h>
#include <kernel/page.h>
#include <kernel/prng.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/mm_report.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include "../../mm/internal.h"
#include "ownership.h"
#ifndef HOST_TEST
#include <kernel/hart.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#endif

#define SLOTS 16
#define MAX_RUN 4     /* pages per page_alloc */
#define MAX_BLOCK 256 /* bytes per malloc */
#define GRANULE 8     /* kmalloc objects are 8-aligned, 8-byte multiples */
#define ROUNDS 3000
#define STAMP_STRIDE 64 /* stamp every 64th word of a page */

struct slot {
	void *p;
	size_t size; /* pages, or bytes */
	unsigned long stamp;
};

struct owner {
	struct slot pages[SLOTS];
	struct slot blocks[SLOTS];
	struct prng rng;
	unsigned long serial;
};

static struct torture {
	struct page_pool *pool; /* NULL: the kernel's page_alloc */
	uintptr_t lo, hi;	/* managed memory */
	struct ownership_map pages, granules;
	size_t map_pages; /* pages holding the two maps */
	unsigned long errors;
	unsigned long ops;
	struct owner harts[MAX_HARTS];
	struct owner irq[MAX_HARTS]; /* timer interrupt, per hart */
} tt;

#define torture_error(...) ktest_report(&tt.errors, __VA_ARGS__)

static void *alloc_pages(size_t n)
{
	return tt.pool ? page_pool_alloc(tt.pool, n) : page_alloc(n);
}

static void free_pages(void *p)
{
	if (tt.pool)
		page_pool_free(tt.pool, p);
	else
		page_free(p);
}

static bool in_range(const void *p, size_t bytes)
{
	return (uintptr_t)p >= tt.lo && (uintptr_t)p + bytes <= tt.hi;
}

static void toggle_page_slot(struct owner *o, struct slot *s)
{
	if (s->p) {
		stamp_intact(s->p, s->size * PAGE_SIZE, STAMP_STRIDE, s->stamp,
			     &tt.errors);
		ownership_release(&tt.pages, s->p, s->size * PAGE_SIZE);
		free_pages(s->p);
		s->p = NULL;
		return;
	}
	s->size = 1 + prng_below(&o->rng, MAX_RUN);
	s->p = alloc_pages(s->size);
	if (!s->p)
		return; /* out of memory is allowed; nothing to check */
	if (!in_range(s->p, s->size * PAGE_SIZE)) {
		torture_error("page_alloc returned %p, outside memory", s->p);
		s->p = NULL;
		return;
	}
	ownership_claim(&tt.pages, s->p, s->size * PAGE_SIZE, "page",
			&tt.errors);
	s->stamp = o->serial++;
	stamp_fill(s->p, s->size * PAGE_SIZE, STAMP_STRIDE, s->stamp);
}

static void toggle_block_slot(struct owner *o, struct slot *s)
{
	unsigned char *b = s->p;
	size_t i;

	if (b) {
		for (i = 0; i < s->size && b[i] == (unsigned char)s->stamp; i++)
			;
		if (i < s->size)
			torture_error("block %p overwritten at byte %lu", b,
				      (unsigned long)i);
		ownership_release(&tt.granules, b, s->size);
		free(b);
		s->p = NULL;
		return;
	}
	s->size = 1 + prng_below(&o->rng, MAX_BLOCK);
	b = malloc(s->size);
	if (!b)
		return;
	if (!in_range(b, s->size)) {
		torture_error("malloc returned %p, outside memory", (void *)b);
		return;
	}
	ownership_claim(&tt.granules, b, s->size, "block", &tt.errors);
	s->stamp = o->serial++;
	for (i = 0; i < s->size; i++)
		b[i] = (unsigned char)s->stamp;
	s->p = b;
}

static void empty_slots(struct owner *o, bool blocks)
{
	int i;

	for (i = 0; i < SLOTS; i++) {
		if (o->pages[i].p)
			toggle_page_slot(o, &o->pages[i]);
		if (blocks && o->blocks[i].p)
			toggle_block_slot(o, &o->blocks[i]);
	}
}

struct torture_args {
	unsigned int rounds;
	bool blocks; /* malloc too, not only pages */
	bool stop_at_error;
};

static void torture_hart(void *arg)
{
	const struct torture_args *a = arg;
	unsigned int me = ktest_hart();
	struct owner *o = &tt.harts[me];
	unsigned int i;

	prng_seed(&o->rng, 0x5eed + me);
	o->serial = (unsigned long)me << 24;
	for (i = 0; i < a->rounds; i++) {
		if (a->stop_at_error && READ_ONCE(tt.errors))
			return; /* the lists may be broken: touch nothing */
		toggle_page_slot(o, &o->pages[prng_below(&o->rng, SLOTS)]);
		if (a->blocks)
			toggle_block_slot(
				o, &o->blocks[prng_below(&o->rng, SLOTS)]);
	}
	empty_slots(o, a->blocks);
	__atomic_fetch_add(&tt.ops, a->rounds, __ATOMIC_RELAXED);
}

#ifndef HOST_TEST
/* The same, one step per tick, from the timer interrupt. */
static void torture_tick(void)
{
	unsigned int me = this_hart(); /* interrupts are off here */
	struct owner *o = &tt.irq[me];

	toggle_page_slot(o, &o->pages[0]);
	toggle_block_slot(o, &o->blocks[0]);
	o->serial++;
}

/*
 * After the hook is cleared, a hart may still be inside it.  Its tick
 * count went up before it read the hook, and goes up again only in its
 * next interrupt, after this one has returned: so once every hart's
 * count has moved, no hook is running.
 */
static void wait_for_running_hooks(void)
{
	uint64_t seen[MAX_HARTS];
	unsigned int i;

	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the hook is cleared */
	for (i = 0; i < MAX_HARTS; i++)
		seen[i] = READ_ONCE(harts[i].ticks);
	for (i = 0; i < MAX_HARTS; i++)
		while (harts[i].online && READ_ONCE(harts[i].ticks) == seen[i])
			task_sleep(1);
}
#endif

static bool torture_setup(struct ktest *t, struct page_pool *pool)
{
	size_t npages, map_bytes;

	tt.pool = pool;
	if (pool) {
		tt.lo = pool->base_pfn << PAGE_SHIFT;
		tt.hi = (pool->base_pfn + pool->span) << PAGE_SHIFT;
	} else {
		page_span(&tt.lo, &tt.hi);
	}
	npages = (tt.hi - tt.lo) / PAGE_SIZE;
	map_bytes = BITS_TO_LONGS(npages) * sizeof(long) +
		    BITS_TO_LONGS((tt.hi - tt.lo) / GRANULE) * sizeof(long);
	tt.map_pages = (map_bytes + PAGE_SIZE - 1) / PAGE_SIZE;
	tt.pages = (struct ownership_map){ tt.lo, PAGE_SIZE, NULL };
	tt.granules = (struct ownership_map){ tt.lo, GRANULE, NULL };
	tt.pages.bits = page_alloc(tt.map_pages);
	if (!KEXPECT_NOT_NULL(t, tt.pages.bits))
		return false;
	memset(tt.pages.bits, 0, tt.map_pages * PAGE_SIZE);
	tt.granules.bits = tt.pages.bits + BITS_TO_LONGS(npages);
	tt.errors = tt.ops = 0;
	memset(tt.harts, 0, sizeof(tt.harts));
	memset(tt.irq, 0, sizeof(tt.irq));
	return true;
}

/* Run the torture; returns the number of errors found. */
static unsigned long run_torture(struct ktest *t, struct page_pool *pool,
				 bool blocks)
{
	struct torture_args args = {
		.rounds = ROUNDS * ktest_scale(),
		.blocks = blocks,
		.stop_at_error = pool != NULL,
	};
	unsigned int i;

	if (!torture_setup(t, pool))
		return 0;
#ifndef HOST_TEST
	if (blocks) {
		for (i = 0; i < MAX_HARTS; i++)
			prng_seed(&tt.irq[i].rng, 0x1a9 + i);
		timer_tick_hook = torture_tick;
	}
#endif
	ktest_on_each_hart(torture_hart, &args);
	if (pool && tt.errors) {
		ktest_log(t, "%lu errors; the pool is left as it is",
			  tt.errors);
		return tt.errors;
	}
#ifndef HOST_TEST
	timer_tick_hook = NULL;
	wait_for_running_hooks();
	for (i = 0; i < MAX_HARTS; i++) {
		push_off(); /* as if in the interrupt: the hook may not run */
		empty_slots(&tt.irq[i], true);
		pop_off();
	}
	for (i = 0; i < MAX_HARTS; i++)
		if (tt.irq[i].serial)
			ktest_log(t,
				  "hart %u: %lu steps in the timer interrupt",
				  i, tt.irq[i].serial);
#else
	(void)i;
#endif
	ktest_log(t, "%lu rounds on %u harts, %lu errors", tt.ops,
		  nr_harts_online(), tt.errors);
	page_free(tt.pages.bits);
	return tt.errors;
}

#ifndef CONFIG_MM_NOLOCK
/* Free pages once every cache has given its empty slabs back. */
static size_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	return page_free_count();
}

KTEST(torture, pages_and_malloc_on_every_hart_and_in_interrupts)
{
	size_t before = settled_free_pages();
	unsigned long reports = mm_report_count();

	KEXPECT_EQ(t, run_torture(t, NULL, true), 0);
	KEXPECT_EQ(t, settled_free_pages(), before);
	/* With every mm.debug check on too: not one report of a bug. */
	KEXPECT_EQ(t, mm_bugs_since(reports), 0);
	/* And the kernel's own allocator is still consistent, every bit. */
	KEXPECT_EQ(t, page_validate(), 0);
}
#else
#define POOL_PAGES 1024

KTEST_FLAGS(torture, finds_the_races_when_locks_are_compiled_out,
	    KTEST_EXPECT_PANIC)
{
	static struct page_pool pool;
	unsigned long errors = 0;
	struct mem_region r;
	void *mem;
	int tries;

	if (nr_harts_online() < 2) {
		ktest_log(t, "needs two harts to race");
		return;
	}
	/*
	 * A private pool of 4 MiB.  A race is likely in each try, not
	 * certain (the host decides how QEMU's vCPU threads overlap), so
	 * try until one is seen: without locks that always comes, and the
	 * harness fails a run that never finds one.
	 */
	mem = page_alloc(POOL_PAGES);
	KASSERT_NOT_NULL(t, mem);
	r = (struct mem_region){ (uintptr_t)mem,
				 (uintptr_t)mem + POOL_PAGES * PAGE_SIZE };
	for (tries = 0; errors == 0; tries++) {
		KASSERT_TRUE(t, page_pool_init(&pool, &r, 1, MAG_SLOTS, 0));
		errors = run_torture(t, &pool, false);
	}
	ktest_log(t, "a race seen in try %d", tries);
	if (errors)
		panic("torture: %lu pages handed out twice without locks",
		      errors);
}
#endif
