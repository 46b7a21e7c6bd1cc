/*
 * leak.c - the leak scanner (include/kernel/mm_leak.h), in the way of
 * Linux's kmemleak: a mark and sweep over the live tracked blocks that
 * reads memory conservatively, as words that may point into them.
 *
 *   1. copy    the live tracked blocks (mm/tracked.c), all white, sorted
 *              by address, so that a word is looked up by binary search
 *   2. roots   a word of a root (machine.h's for_each_memory_root: .data
 *              and .bss, every task's live stack and saved registers, the
 *              boot stacks) that points into a white block, at its start
 *              or inside it, turns the block gray
 *   3. gray    a gray block turns black and its words are read the same
 *              way, until none is gray: so a block that only other
 *              blocks point to is reached too
 *   4. sweep   a block still white is pointed to by nothing.  If it is
 *              older than the grace period and, looked at again under its
 *              owner's lock, still the same allocation, it is a leak: it
 *              is reported once (MM_TRACK_LEAK_REPORTED in its track)
 *
 *   WHITE --a word points into it--> GRAY --its words read--> BLACK
 *   WHITE --a stack root lies in it--> BLACK     (a task's stack pages,
 *            when pages are tracked: only its live part is read, as a root)
 *   WHITE --old enough, at the sweep--> LEAK --still the same--> reported
 *
 * The gray blocks form a list through their "next" index.
 *
 * Conservative: any word that happens to hold such a value keeps a
 * block, so a leak can hide.  A block reachable from the roots is not
 * reported, but for one pointer case, as in kmemleak: one held only in a
 * register of a task running on another hart while the scan reads.  The
 * grace period keeps that rare.  The scan holds no allocator lock while
 * it reads, so a block may be freed and its memory reused meanwhile:
 * step 4 checks each leak again, under its owner's lock.
 *
 * The copy is allocated before any allocator lock is taken, and is mm's
 * own memory (MM_TRACK_IGNORED): it is neither a block nor a root, so the
 * addresses it holds keep nothing.  Neither does the ring of reports.
 * Cost: 5 instructions a word that points nowhere near a tracked block
 * (most words), a binary search for one that does; the figures are in
 * docs/leaks.md.  Memory: a struct leak_block a block, twice that while
 * it sorts, during the scan only.
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/mm_leak.h>
#include <kernel/page.h>
#include <kernel/sort.h>
#include "internal.h"
#include "report.h"

/*
 * The scan reads memory that is not its own: other harts' stacks, blocks
 * other harts write, and on the host the red zones that AddressSanitizer
 * puts between globals.  Those reads are the point, not bugs, so the two
 * functions that make them (scan_words, hex_head) are not instrumented,
 * as kmemleak reads with KASAN's checks off.
 */
#define __scan_reads __attribute__((no_sanitize("address", "thread")))

enum colour { WHITE, GRAY, BLACK, LEAK };

#define NO_BLOCK UINT32_MAX

struct leak_block {
	uintptr_t start, end;  /* [start, end) */
	struct mm_track alloc; /* as copied: is it the same allocation? */
	uint32_t next;	       /* the next gray block, or NO_BLOCK */
	uint8_t colour;
};

/*
 * A scan in progress.  It lives on the scanning stack, which is a root:
 * it holds no address of a block.
 */
struct scan {
	struct leak_block *b; /* sorted by start */
	size_t n;
	uint32_t gray; /* the first gray block, or NO_BLOCK */
	uintptr_t ring_start, ring_end;
	uint32_t now_ms, grace_ms;
	struct mm_leak_stats *st;
};

/* --- 1. Copy ----------------------------------------------------------- */

static bool copy_block(void *elem, const struct mm_block *mb, void *arg)
{
	struct leak_block *b = elem;

	(void)arg;
	b->start = (uintptr_t)mb->addr;
	b->end = b->start + mb->size;
	b->alloc = mb->alloc;
	b->next = NO_BLOCK;
	b->colour = WHITE;
	return true;
}

static int by_start(const void *a, const void *b)
{
	uintptr_t x = ((const struct leak_block *)a)->start;
	uintptr_t y = ((const struct leak_block *)b)->start;

	return x < y ? -1 : x > y;
}

/*
 * The copy comes in runs already in order (a slab's objects, the page
 * runs), so merging them is fast; without the memory to merge in,
 * heapsort in place.
 */
static void sort_blocks(struct scan *s, size_t pages)
{
	void *tmp = page_alloc(pages);

	if (!tmp) {
		sort(s->b, s->n, sizeof(*s->b), by_start);
		return;
	}
	page_track_ignore(tmp);
	merge_sort(s->b, s->n, sizeof(*s->b), by_start, tmp);
	page_free(tmp);
}

/* The block that holds address v, or NULL: a binary search. */
static struct leak_block *block_holding(const struct scan *s, uintptr_t v)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v < s->b[mid].start)
			hi = mid;
		else if (v >= s->b[mid].end)
			lo = mid + 1;
		else
			return &s->b[mid];
	}
	return NULL;
}

/* --- 2 and 3. Roots, then the gray blocks --------------------------------- */

static void make_gray(struct scan *s, uintptr_t v)
{
	struct leak_block *b = block_holding(s, v);

	if (b && b->colour == WHITE) {
		b->colour = GRAY;
		b->next = s->gray;
		s->gray = (uint32_t)(b - s->b);
	}
}

/* Read [from, to) a word at a time for values that point into blocks. */
static __scan_reads void scan_words(struct scan *s, uintptr_t from,
				    uintptr_t to)
{
	const uintptr_t *w = (const uintptr_t *)ALIGN_UP(from, sizeof(*w));
	const uintptr_t *end = (const uintptr_t *)ALIGN_DOWN(to, sizeof(*w));
	uintptr_t lo = s->b[0].start, span = s->b[s->n - 1].end - lo;

	for (; w < end; w++) {
		uintptr_t v = READ_ONCE(*w);

		if (v - lo < span) /* between the first block and the last */
			make_gray(s, v);
	}
	if (to > from)
		s->st->scanned_bytes += to - from;
}

static void scan_root(const void *start, const void *end, enum mem_root kind,
		      void *arg)
{
	struct scan *s = arg;
	uintptr_t a = (uintptr_t)start, z = (uintptr_t)end;
	struct leak_block *pages;

	if (kind == MEM_ROOT_STACK && z > a) {
		/* Tracked stack pages: the live part, read here, is all. */
		pages = block_holding(s, z - 1);
		if (pages)
			pages->colour = BLACK;
	}
	if (z <= s->ring_start || s->ring_end <= a) {
		scan_words(s, a, z);
		return;
	}
	/* The ring of reports is no root: read around it. */
	if (a < s->ring_start)
		scan_words(s, a, s->ring_start);
	if (s->ring_end < z)
		scan_words(s, s->ring_end, z);
}

static void scan_gray(struct scan *s)
{
	struct leak_block *b;

	while (s->gray != NO_BLOCK) {
		b = &s->b[s->gray];
		s->gray = b->next;
		if (b->colour != GRAY)
			continue; /* a stack, blackened while it was gray */
		b->colour = BLACK;
		scan_words(s, b->start, b->end);
	}
}

/*
 * The copy and the sort left addresses of blocks in the frames they
 * called, below the scanner's, where the walk of the roots is about to
 * put frames of its own: a slot those do not write would keep a block.
 * Wipe that dead stack first, as conservative collectors do (Boehm's
 * GC_clear_stack).  The copy's frames are a few hundred bytes deep.
 */
#define WIPE_WORDS 256

static __noinline void wipe_dead_stack(void)
{
	volatile unsigned long wipe[WIPE_WORDS];
	size_t i;

	for (i = 0; i < WIPE_WORDS; i++)
		wipe[i] = 0;
	(void)wipe[0]; /* volatile: each store is made, and this read */
}

/* --- 4. Sweep -------------------------------------------------------------- */

/* Mark the white blocks past the grace period; returns how many. */
static size_t sweep(struct scan *s)
{
	struct leak_block *b;
	size_t leaks = 0;

	for (b = s->b; b < s->b + s->n; b++) {
		if (b->colour != WHITE)
			continue;
		if (!b->alloc.uptime_ms)
			continue; /* allocated before tracking: age unknown */
		if (s->now_ms - b->alloc.uptime_ms < s->grace_ms) {
			s->st->young++;
		} else {
			b->colour = LEAK;
			leaks++;
		}
	}
	return leaks;
}

/* The first bytes of a block in hex, a word of 4 at a time. */
#define HEAD_BYTES 16
#define HEAD_CHARS (HEAD_BYTES * 2 + HEAD_BYTES / 4)

static __scan_reads void hex_head(const void *p, size_t size,
				  char buf[HEAD_CHARS])
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *bytes = p;
	size_t i, n = MIN(size, (size_t)HEAD_BYTES);
	char *at = buf;

	for (i = 0; i < n; i++) {
		if (i && i % 4 == 0)
			*at++ = ' ';
		*at++ = digits[bytes[i] >> 4];
		*at++ = digits[bytes[i] & 15];
	}
	*at = '\0';
}

static void report_leak(const struct scan *s, const struct mm_block *mb)
{
	struct mm_report r = {
		.bug = MM_LEAK,
		.addr = mb->addr,
		.where = mb->where,
		.order = -1,
		.caller = mb->alloc.site,
		.alloc = mb->alloc,
	};
	char head[HEAD_CHARS];

	hex_head(mb->addr, mb->size, head);
	mm_report(&r,
		  "%lu bytes, %lu ms old, nothing points to it; it starts %s",
		  (unsigned long)mb->size,
		  (unsigned long)(s->now_ms - mb->alloc.uptime_ms), head);
}

static bool same_allocation(const struct mm_track *a, const struct mm_track *b)
{
	return a->site == b->site && a->uptime_ms == b->uptime_ms &&
	       a->hart == b->hart;
}

/* Under the block's owner's lock: it cannot be freed while we look. */
static void confirm(const struct mm_block *mb, void *arg)
{
	struct scan *s = arg;
	struct leak_block *b = block_holding(s, (uintptr_t)mb->addr);

	if (!b || b->colour != LEAK || b->start != (uintptr_t)mb->addr ||
	    !same_allocation(&b->alloc, mb->track))
		return;	   /* freed since the copy, or not a leak */
	b->colour = BLACK; /* counted once */
	s->st->leaks++;
	s->st->leaked_bytes += mb->size;
	if (mb->track->flags & MM_TRACK_LEAK_REPORTED)
		return;
	mb->track->flags |= MM_TRACK_LEAK_REPORTED;
	s->st->reported++;
	report_leak(s, mb);
}

/* --- The scan ----------------------------------------------------------------- */

int mm_leak_scan(uint32_t grace_ms, struct mm_leak_stats *st)
{
	struct tracked_copy tc;
	struct scan s = { .gray = NO_BLOCK, .grace_ms = grace_ms, .st = st };
	const void *ring_start, *ring_end;

	*st = (struct mm_leak_stats){ 0 };
	if (!tracked_copy(&tc, sizeof(struct leak_block), copy_block, NULL))
		return -1;
	if (!tc.n)
		return 0;
	s.b = tc.elems;
	s.n = tc.n;
	st->blocks = tc.n;
	sort_blocks(&s, tc.pages);
	mm_report_ring_bounds(&ring_start, &ring_end);
	s.ring_start = (uintptr_t)ring_start;
	s.ring_end = (uintptr_t)ring_end;

	wipe_dead_stack();
	for_each_memory_root(scan_root, &s);
	scan_gray(&s);
	s.now_ms = (uint32_t)(time_ns() / 1000000);
	if (sweep(&s))
		mm_for_each_tracked(confirm, &s);
	tracked_copy_free(&tc);
	return 0;
}
