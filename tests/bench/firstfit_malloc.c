/*
 * firstfit_malloc.c - REFERENCE ONLY: the first-fit malloc RVOS started
 * with, kept so that make bench can compare kmalloc with it.
 *
 * Memory is carved into blocks, each led by a one-unit header.  Free
 * blocks sit on one circular list sorted by address, so a freed block
 * merges with its neighbours in a single pass (the classic K&R design):
 *
 *   | hdr | payload ...     | hdr | payload ... | hdr | ...
 *     ^ size in units, next free block (or MALLOC_MAGIC when allocated)
 *
 * malloc walks the list from where the last search stopped and takes the
 * first block that is big enough, splitting off its tail.  When nothing
 * fits it asks page_alloc() for a new arena of at least ARENA_PAGES.
 *
 * Locking: malloc_lock protects the free list; page_alloc is called with
 * it held (lock order: malloc above page).
 */
#include <kernel/page.h>
#include <kernel/spinlock.h>
#include <kernel/printk.h>
#include "firstfit_malloc.h"

#define ARENA_PAGES 16
/* Marks an allocated block, so double and wild frees are caught. */
#define MALLOC_MAGIC ((union header *)0xa110c8edUL)

union header {
	struct {
		union header *next; /* free list, or MALLOC_MAGIC */
		size_t units;	    /* block size, header included */
	} s;
	uint8_t align[16]; /* keeps payloads 16-byte aligned */
};

static union header base;   /* zero-size list anchor */
static union header *freep; /* where the next search starts */
static size_t arena_pages;  /* taken from page_alloc, never given back */
static DEFINE_SPINLOCK(malloc_lock, "firstfit", LOCK_LEVEL_SLAB);

/* Put block bp on the free list, merging with adjacent free blocks. */
static void __free_block(union header *bp)
{
	union header *p;

	for (p = freep; !(bp > p && bp < p->s.next); p = p->s.next)
		if (p >= p->s.next && (bp > p || bp < p->s.next))
			break; /* at either end of the address range */

	if (bp + bp->s.units == p->s.next) {
		bp->s.units += p->s.next->s.units;
		bp->s.next = p->s.next->s.next;
	} else {
		bp->s.next = p->s.next;
	}
	if (p + p->s.units == bp) {
		p->s.units += bp->s.units;
		p->s.next = bp->s.next;
	} else {
		p->s.next = bp;
	}
	freep = p;
}

static bool __grow(size_t units)
{
	size_t npages =
		ALIGN_UP(units * sizeof(union header), PAGE_SIZE) / PAGE_SIZE;
	union header *bp;

	if (npages < ARENA_PAGES)
		npages = ARENA_PAGES;
	bp = page_alloc(npages);
	if (!bp)
		return false;
	arena_pages += npages;
	bp->s.units = npages * PAGE_SIZE / sizeof(union header);
	__free_block(bp);
	return true;
}

void *firstfit_malloc(size_t size)
{
	union header *p, *prev;
	size_t units;

	if (size == 0 || size > ((size_t)-1 >> 2))
		return NULL;
	units = (size + sizeof(union header) - 1) / sizeof(union header) + 1;

	acquire(&malloc_lock);
	if (!freep) {
		base.s.next = freep = &base;
		base.s.units = 0;
	}
	prev = freep;
	for (p = prev->s.next;; prev = p, p = p->s.next) {
		if (p->s.units >= units) {
			if (p->s.units == units) {
				prev->s.next = p->s.next;
			} else {
				p->s.units -= units;
				p += p->s.units;
				p->s.units = units;
			}
			freep = prev;
			p->s.next = MALLOC_MAGIC;
			release(&malloc_lock);
			return p + 1;
		}
		if (p == freep && !__grow(units)) {
			release(&malloc_lock);
			return NULL;
		}
	}
}

void firstfit_free(void *ptr)
{
	union header *bp;

	if (!ptr)
		return;
	bp = (union header *)ptr - 1;
	acquire(&malloc_lock);
	if (!IS_ALIGNED((uintptr_t)ptr, sizeof(union header)) ||
	    bp->s.next != MALLOC_MAGIC) {
		release(&malloc_lock);
		printk("free: %p was not allocated by malloc or is already free (caller %p)\n",
		       ptr, (void *)CALLER_ADDR);
		return;
	}
	__free_block(bp);
	release(&malloc_lock);
}

size_t firstfit_arena_pages(void)
{
	size_t n;

	acquire(&malloc_lock);
	n = arena_pages;
	release(&malloc_lock);
	return n;
}
