/*
 * mm_debug.h - the memory debugging switches (mm/debug.c), in the spirit
 * of Linux's slub_debug: each feature has a letter, and the boot option
 * mm.debug=FZPUL turns on the ones named.  The shell's memdebug shows and
 * changes them at run time.  docs/debugging.md tells how to use each.
 *
 *   letter  feature                                    cost when on
 *   F       checks: every slow path also checks the    the lists walked
 *           slab or page run it touches
 *   Z       red zones around every slab object         bytes per object
 *   P       poison: free memory holds 0xdeadbeef,      a fill and a check
 *           new memory 0x5a5a5a5a; a write after free  of every block
 *           is seen when the block is handed out again
 *   U       tracking: where, on which hart and when    a record per block
 *           each block was allocated and freed
 *   L       a leak scan now and then (needs U)         a scan of memory
 *
 * A slab cache has per-hart magazines only when none of F, Z, P and U
 * is on for it: each debugged operation takes the slow path, so the fast
 * paths cost the same with every feature off.  By default all are off;
 * the cheap checks (double free, address validation) are always on.
 */
#ifndef KERNEL_MM_DEBUG_H
#define KERNEL_MM_DEBUG_H

#include <kernel/compiler.h>

#define MM_DEBUG_CHECKS (1u << 0)  /* F */
#define MM_DEBUG_REDZONE (1u << 1) /* Z */
#define MM_DEBUG_POISON (1u << 2)  /* P */
#define MM_DEBUG_TRACK (1u << 3)   /* U */
#define MM_DEBUG_LEAKS (1u << 4)   /* L */
#define MM_DEBUG_ALL 0x1fu

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

#endif /* KERNEL_MM_DEBUG_H */
