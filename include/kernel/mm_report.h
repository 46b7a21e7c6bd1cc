/*
 * mm_report.h - what the memory manager reports about bugs in its use
 * (mm/report.c): one line each, in one format, and a ring of the last
 * few that tests and the shell can read.
 *
 *   mm: double free of 0x80123440 (kmalloc-64, hart 2) by fs_close+0x1c: already free;
 *       allocated by fs_open+0x30 on hart 0 at 1520 ms; freed by fs_close+0x1c on hart 2 at 1731 ms
 *
 * (one line on the console).  Every report names the kind of bug, the
 * address, the cache (or "page", with the order), the hart, and the code
 * sites involved as function+offset; the sites of the allocation and of
 * the last free come from tracking (mm.debug=U) when it is on.  Printing
 * is rate-limited; counting and the ring are not.
 */
#ifndef KERNEL_MM_REPORT_H
#define KERNEL_MM_REPORT_H

#include <kernel/compiler.h>

enum mm_bug {
	MM_BAD_FREE,	     /* not something allocated: wild, interior, ... */
	MM_DOUBLE_FREE,	     /* allocated once, freed twice */
	MM_WRITE_AFTER_FREE, /* a free block's poison was changed */
	MM_RED_ZONE,	     /* a write past either end of an object */
	MM_LEAK,	     /* allocated, and nothing points to it any more */
	MM_BAD_CALL,	     /* an argument no call can serve */
	MM_CORRUPTION,	     /* the allocator's own records are broken */
	MM_ALLOC_FAILED,     /* no memory for a request: not a bug, a report */
	MM_WATCHED_WRITE,    /* a store into a watched freed object, stopped */
	MM_WATCHED_READ,     /* a load from one (loads watched), stopped */
	MM_BUGS
};

/* Where and when a block was allocated or freed (mm.debug=U). */
struct mm_track {
	uintptr_t site;	    /* the code that called the allocator */
	uint32_t uptime_ms; /* 0: never */
	uint8_t hart;
	uint8_t flags;	/* MM_TRACK_*: what mm knows of the allocation */
	uint16_t bytes; /* as asked, for an allocation of an object */
};

/* Flags of an allocation's track, cleared by each new allocation. */
#define MM_TRACK_LEAK_REPORTED (1u << 0) /* reported as a leak: only once */
#define MM_TRACK_IGNORED (1u << 1) /* mm's own working memory: not listed */

#define MM_REPORT_DETAIL 160

struct mm_report {
	enum mm_bug bug;
	const void *addr;
	const char *where;	     /* a cache's name, or "page" */
	int order;		     /* pages: the run's order, or -1 */
	unsigned int hart;	     /* where the bug was seen */
	uintptr_t caller;	     /* the code that made the call, or 0 */
	bool caller_is_pc;	     /* caller: the bad access itself */
	struct mm_track alloc, free; /* site 0: not known */
	char detail[MM_REPORT_DETAIL];
};

/* The words of a kind of bug, as reports print them ("double free"). */
const char *mm_bug_name(enum mm_bug bug);

/* Reports made since boot, printed or not. */
unsigned long mm_report_count(void);
/*
 * Copy report number seq (counting from 0 at boot) if the ring still
 * holds it; false if it is too old or not made yet.
 */
bool mm_report_get(unsigned long seq, struct mm_report *out);
/*
 * Reports of bugs from sequence number before on (failures left out):
 * what a test that must cause none checks.
 */
unsigned long mm_bugs_since(unsigned long before);

#endif /* KERNEL_MM_REPORT_H */
