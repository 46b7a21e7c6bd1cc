/*
 * mm_leak.h - the leak scanner (mm/leak.c; mm.debug=L), in the way of
 * Linux's kmemleak: a tracked block that nothing points to any more is
 * reported, once, when it is older than a grace period.
 *
 *   mm: leak of 0x87e12010 (test-leak, hart 0) by leak_here+0xe: 16 bytes,
 *       9 ms old, nothing points to it; it starts 6c65616b 65642100
 *       00000000 00000000; allocated by leak_here+0xe on hart 0 at 105 ms
 *
 * (one line on the console).  The scan needs tracking (mm.debug=U, or
 * SLAB_TRACK for one cache): it looks only at tracked blocks, and reads
 * only the roots the machine names (machine.h: for_each_memory_root)
 * and the tracked blocks it reaches from them.  The shell's "leaks"
 * runs it (kernel/leaks.c), now or every few seconds.
 */
#ifndef KERNEL_MM_LEAK_H
#define KERNEL_MM_LEAK_H

#include <kernel/compiler.h>

/* kmemleak's: a block this young may be on its way to a pointer. */
#define MM_LEAK_GRACE_MS 5000

/* What one scan found. */
struct mm_leak_stats {
	unsigned long blocks;	/* the live tracked blocks looked at */
	unsigned long leaks;	/* pointed to by nothing, past the grace */
	unsigned long reported; /* of those, reported by this scan */
	size_t leaked_bytes;	/* of all the leaks, old and new */
	unsigned long young;	/* pointed to by nothing, within the grace */
	size_t scanned_bytes;	/* of roots and blocks read */
};

/*
 * Scan for leaks now: every tracked block that nothing points to and
 * that was allocated at least grace_ms ago is a leak; one not reported
 * before is reported now (kind MM_LEAK, include/kernel/mm_report.h).
 * Fills *st; returns 0, or -1 if there was no memory for the scan's
 * copy of the tracked blocks (then nothing was reported).
 */
int mm_leak_scan(uint32_t grace_ms, struct mm_leak_stats *st);

#endif /* KERNEL_MM_LEAK_H */
