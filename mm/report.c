/*
 * report.c - the one way mm reports a bug in its use: a line naming the
 * kind of bug, the address, the cache or order, the hart and the code
 * sites, in one format (below), so that "grep 'double free'" finds the
 * kind's name here and every line of it in a log.
 *
 * Each report is also kept in a ring of the last REPORT_RING, which
 * tests read back (mm_report_get) to check kind, address and sites.
 *
 * A program that frees the same bad pointer in a loop must not drown the
 * console, so printing is rate-limited the way Linux's bad_page() is: up
 * to REPORT_BURST lines a second, then silence, and the first line after
 * the silence says how many were left out.  Every report is counted and
 * kept in the ring.
 *
 * Locking: report_lock (LOCK_LEVEL_LEAF) guards the ring and the
 * counters; the line is printed after it is released.  mm_report may be
 * called with any mm lock held.
 */
#include <kernel/machine.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include "report.h"

#define REPORT_INTERVAL_NS 1000000000ull
#define REPORT_RING 16

static const char *const bug_names[MM_BUGS] = {
	[MM_BAD_FREE] = "bad free",
	[MM_DOUBLE_FREE] = "double free",
	[MM_WRITE_AFTER_FREE] = "write after free",
	[MM_RED_ZONE] = "red zone overwritten",
	[MM_LEAK] = "leak",
	[MM_BAD_CALL] = "bad call",
	[MM_CORRUPTION] = "corrupted metadata",
	[MM_ALLOC_FAILED] = "allocation failure",
	[MM_WATCHED_WRITE] = "use-after-free write",
	[MM_WATCHED_READ] = "use-after-free read",
};

_Static_assert(MAX_HARTS <= 256, "a track keeps the hart in a byte");

static DEFINE_SPINLOCK(report_lock, "mm_report", LOCK_LEVEL_LEAF);
static struct mm_report ring[REPORT_RING];
static unsigned long reports; /* made since boot: the next one's number */
static uint64_t interval_start;
static unsigned int printed_in_interval;
static unsigned long suppressed;

const char *mm_bug_name(enum mm_bug bug)
{
	return bug < MM_BUGS ? bug_names[bug] : "unknown bug";
}

void mm_track_here(struct mm_track *t, uintptr_t site)
{
	uint32_t ms = (uint32_t)(time_ns() / 1000000);

	t->site = site;
	t->uptime_ms = ms ? ms : 1; /* 0 means "never" */
	t->hart = (uint8_t)this_hart();
	t->flags = 0;
	t->bytes = 0;
}

/* "; allocated by f+0x10 on hart 0 at 1520 ms", or nothing. */
static void describe_track(char *buf, size_t size, const char *what,
			   const struct mm_track *t)
{
	buf[0] = '\0';
	if (t->site)
		snprintf(buf, size, "; %s by %pB on hart %u at %u ms", what,
			 (void *)t->site, t->hart, (unsigned int)t->uptime_ms);
}

static void print_report(const struct mm_report *r)
{
	char where[32], by[128] = "", alloc[160], freed[160];

	if (r->order >= 0)
		snprintf(where, sizeof(where), "%s, order %d", r->where,
			 r->order);
	else
		snprintf(where, sizeof(where), "%s", r->where);
	/* 0: found by a check, not in a call; %pB looks a byte before. */
	if (r->caller && r->caller_is_pc)
		snprintf(by, sizeof(by), " by %pS", (void *)r->caller);
	else if (r->caller)
		snprintf(by, sizeof(by), " by %pB", (void *)r->caller);
	describe_track(alloc, sizeof(alloc), "allocated", &r->alloc);
	describe_track(freed, sizeof(freed), "freed", &r->free);
	if (r->addr)
		printk("mm: %s of %p (%s, hart %u)%s: %s%s%s\n",
		       mm_bug_name(r->bug), r->addr, where, r->hart, by,
		       r->detail, alloc, freed);
	else /* a failed allocation, or a bad call: no block yet */
		printk("mm: %s (%s, hart %u)%s: %s%s%s\n", mm_bug_name(r->bug),
		       where, r->hart, by, r->detail, alloc, freed);
}

bool mm_report(struct mm_report *r, const char *fmt, ...)
{
	unsigned long left_out = 0;
	uint64_t now = time_ns();
	va_list ap;
	bool print;

	r->hart = this_hart();
	if (!r->where)
		r->where = "page";
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);

	acquire(&report_lock);
	ring[reports % REPORT_RING] = *r;
	__atomic_store_n(&reports, reports + 1, __ATOMIC_RELEASE);
	if (now - interval_start >= REPORT_INTERVAL_NS) {
		interval_start = now;
		printed_in_interval = 0;
		left_out = suppressed;
		suppressed = 0;
	}
	print = printed_in_interval < REPORT_BURST;
	if (print)
		printed_in_interval++;
	else
		suppressed++;
	release(&report_lock);

	if (left_out)
		printk("mm: %lu reports suppressed\n", left_out);
	if (print)
		print_report(r);
	return print;
}

unsigned long mm_report_count(void)
{
	return __atomic_load_n(&reports, __ATOMIC_ACQUIRE);
}

bool mm_report_get(unsigned long seq, struct mm_report *out)
{
	bool held;

	acquire(&report_lock);
	held = seq < reports && reports - seq <= REPORT_RING;
	if (held)
		*out = ring[seq % REPORT_RING];
	release(&report_lock);
	return held;
}

unsigned long mm_bugs_since(unsigned long before)
{
	unsigned long seq, end = mm_report_count(), bugs = 0;
	struct mm_report r;

	for (seq = before; seq < end; seq++)
		if (!mm_report_get(seq, &r) || r.bug != MM_ALLOC_FAILED)
			bugs++; /* one that left the ring counts too */
	return bugs;
}

void mm_report_ring_bounds(const void **start, const void **end)
{
	*start = ring;
	*end = ring + REPORT_RING;
}
