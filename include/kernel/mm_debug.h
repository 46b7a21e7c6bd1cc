/*
 * mm_debug.h - the memory debugging switches (mm/debug.c), in the spirit
 * of Linux's slub_debug: each feature has a letter, and the boot option
 * mm.debug=FZPULW turns on the ones named.  The shell's memdebug shows and
 * changes them at run time.  docs/debugging.md tells how to use each.
 *
 *   letter  feature                                    kmalloc(64)+kfree pair
 *   (none)  double free and address checks, always on  78 instructions
 *   F       checks: every slow path also checks the    1363
 *           slab or page run it touches
 *   Z       red zones around every slab object         1966
 *   P       poison: free memory holds 0xdeadbeef,      2574
 *           new memory 0x2bad2bad; a write after free
 *           is seen when the block is handed out again
 *   U       tracking: where, on which hart and when    1442
 *           each block was allocated and freed
 *   L       a leak scan now and then (turns U on)      1442, and the scans
 *   W       watch: one free in N of a slab object is   see docs/debugging.md
 *           held back, its first word watched by a
 *           hardware trigger on every hart; a store
 *           into it is stopped and reported
 *
 * (rv32, one hart, exact under -icount: tools/bench_debug.py.)  Most of
 * each letter's cost is the slow path: with any letter on, a cache has
 * no per-hart magazines, and every operation takes the cache's lock.  P
 * fills and checks a byte at a time; Z and U also make each object
 * larger (docs/debugging.md).
 *
 * A slab cache has per-hart magazines only when none of F, Z, P and U
 * is on for it: each debugged operation takes the slow path, so the fast
 * paths cost the same with every feature off.  By default all are off;
 * the cheap checks (double free, address validation) are always on.
 */
#ifndef KERNEL_MM_DEBUG_H
#define KERNEL_MM_DEBUG_H

#include <kernel/compiler.h>
#include <kernel/mm_report.h>

#define MM_DEBUG_CHECKS (1u << 0)  /* F */
#define MM_DEBUG_REDZONE (1u << 1) /* Z */
#define MM_DEBUG_POISON (1u << 2)  /* P */
#define MM_DEBUG_TRACK (1u << 3)   /* U */
#define MM_DEBUG_LEAKS (1u << 4)   /* L */
#define MM_DEBUG_WATCH (1u << 5)   /* W */
#define MM_DEBUG_ALL 0x3fu

/* The features a slab cache made now gets; what the page allocator does. */
unsigned int mm_debug_flags(void);
/*
 * Turn on exactly the features whose letters are given ("" or "-": none);
 * at boot, before page_init, from mm.debug=.  Returns 0, or -1 (and
 * changes nothing) for a letter it does not know.
 */
int mm_debug_setup(const char *letters);
/* The letters of flags, into buf ("-" for none). */
void mm_debug_letters(unsigned int flags, char buf[8]);
/* Parse letters into *flags; false for a letter it does not know. */
bool mm_debug_parse(const char *letters, unsigned int *flags);

/*
 * Change the features at run time (the shell's memdebug).  Caches made
 * from now on get them all.  The page allocator takes F, P and U at
 * once.  An existing cache takes F (checks) only: its red zones, poison
 * and tracking are part of its layout, chosen when it was made.  Returns
 * how many existing caches keep a layout other than flags asks for.
 */
unsigned int mm_debug_set(unsigned int flags);
/* What the page allocator does now (it may differ from mm_debug_flags). */
unsigned int mm_debug_page_flags(void);

/*
 * A live allocation that tracking (U) knows of: an object of a cache
 * that tracks, or a run of pages when the page allocator tracks.
 */
struct mm_block {
	const void *addr;
	size_t size;	   /* bytes: the object's size, or the run's */
	const char *where; /* the cache's name, or "page", "slab", "kmalloc" */
	struct mm_track alloc;
	/* The record itself: mm's, valid only in fn, under the owner's lock. */
	struct mm_track *track;
};

/*
 * Call fn for every live tracked allocation, slab objects first.  fn
 * runs with the owner's lock held: it must neither allocate nor free.
 * Objects of caches and pages that do not track are not visited, nor
 * mm's own working memory (MM_TRACK_IGNORED).
 */
void mm_for_each_tracked(void (*fn)(const struct mm_block *b, void *arg),
			 void *arg);
/* The live tracked allocation that holds p, if there is one. */
bool mm_find_tracked(const void *p, struct mm_block *out);
/*
 * What any address p is, in words, for a person: "it is 8 bytes into the
 * live object of task at 0x80201000", "it is on a stack", ...
 */
void mm_describe(const void *p, char *buf, size_t size);

/* The live tracked allocations of one site (mm_sites). */
struct mm_site {
	uintptr_t site; /* the code that called the allocator; 0: unknown */
	unsigned long count;
	size_t bytes; /* as asked (an object), or the run's (pages) */
};

/*
 * The live tracked allocations made at or after since_ms (ms since boot;
 * 0 for all of them), grouped by the site that made them, the most bytes
 * first: the first max groups go into out.  Returns how many sites there
 * are (it may be more than max), or -1 if there is no memory to sort
 * them in.
 */
long mm_sites(uint32_t since_ms, struct mm_site *out, size_t max);
/*
 * A mark for mm_sites: returns the first millisecond after the call
 * began, once it has come.  Every allocation made after mm_mark returns
 * is stamped at or after the mark, every one made before it earlier, so
 * mm_sites(mark, ...) lists exactly the allocations made since.
 */
uint32_t mm_mark(void);

/*
 * Check the allocators' own records, each against the others: the page
 * allocator's (page_validate) and every slab cache's: slabs, free lists,
 * counters, magazines.  Each problem is reported (MM_CORRUPTION, naming
 * the check that caught it); a magazine entry that is no free object is
 * taken out.  Returns how many problems were found.  O(memory): for
 * memcheck and the tests, not for hot paths.
 */
struct kmem_cache;
int kmem_cache_validate(struct kmem_cache *c);
unsigned long mm_validate(void);

/*
 * Check the poison of every free block (mm.debug=P): free pages, and the
 * free objects of caches that poison.  Each write after free found is
 * reported and mended; returns how many were found.
 */
unsigned long mm_scrub(void);

/*
 * Watching freed memory (mm.debug=W, mm/watch.c).  One free in every N
 * of an object of a cache with W on, or of a page run while the page
 * allocator has W (not a slab's own pages), is held back from reuse,
 * and a hardware watch (include/kernel/machine.h) covers its first word
 * on every hart until the next one takes its place.
 *
 * mm_watch_every sets N (1: every free) and returns the one before; 0
 * leaves it.  mm_watch_flush gives every held block back and stops
 * watching them.  mm_watch_holds says whether the block at obj is held.
 */
unsigned int mm_watch_every(unsigned int n);
/*
 * Watch loads too (mm.watch_loads=1, memdebug watch loads on), from the
 * next held block on; returns the setting before.  Off by default: a
 * load costs nothing to let through, but a block read after its free is
 * rarer to matter than one written.
 */
bool mm_watch_set_loads(bool on);
bool mm_watch_loads(void);
void mm_watch_flush(void);
bool mm_watch_holds(const void *obj);
/*
 * Stores stopped while their hart held a lock the report's may not nest
 * in (a leaf lock, or the console's): counted here, not reported.
 */
unsigned long mm_watch_unreported(void);

/*
 * A store (or load) that a watch stopped, decoded by the trap
 * (arch/riscv/watch.c) before it is made: mm_watch_hit reports it as a
 * "use-after-free write" (or "read") and returns true if it lands in a
 * block held now; false if the watch was stale (the block was given back
 * meanwhile).  Called in the trap, with this hart's watches disarmed.
 */
struct mm_watch_hit {
	uintptr_t pc;	     /* the store or load */
	uintptr_t addr;	     /* where it writes or reads */
	unsigned int bytes;  /* how many */
	bool load;	     /* a load: value is what it reads */
	unsigned long old;   /* what is there now */
	unsigned long value; /* what it writes */
	const char *task;    /* the task that made it */
};
bool mm_watch_hit(const struct mm_watch_hit *hit);

#endif /* KERNEL_MM_DEBUG_H */
