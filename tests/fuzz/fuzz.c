/*
 * fuzz.c - the fuzz targets' shared half (tests/fuzz/fuzz.h): reading
 * the input, the kernel's memory, contents, reports, live ranges, and
 * the way a run fails.
 */
#include <kernel/machine.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* The "RAM" of the kernel's pool: the slab allocator and kmalloc use it. */
#define FUZZ_RAM_SIZE (32u << 20)

unsigned long fuzz_step;
const char *fuzz_op = "set-up";

uint8_t fuzz_u8(struct fuzz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->data++;
}

int fuzz_live_slot(unsigned int from, int n, bool (*used)(int slot))
{
	int k, slot;

	for (k = 0; k < n; k++) {
		slot = (int)((from + (unsigned int)k) % (unsigned int)n);
		if (used(slot))
			return slot;
	}
	return -1;
}

uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t lo = fuzz_u8(in);

	return (uint16_t)(lo | fuzz_u8(in) << 8);
}

void fuzz_boot(void)
{
	static bool booted;
	struct mem_region ram;

	if (booted)
		return;
	booted = true;
	ram.start = (uintptr_t)aligned_alloc(PAGE_SIZE, FUZZ_RAM_SIZE);
	if (!ram.start)
		abort();
	ram.end = ram.start + FUZZ_RAM_SIZE;
	page_init(&ram, 1);
	slab_init();
}

/* The last few reports, which say what the allocator saw. */
static void print_last_reports(void)
{
	unsigned long n = mm_report_count(), seq;
	struct mm_report r;

	for (seq = n > 4 ? n - 4 : 0; seq < n; seq++)
		if (mm_report_get(seq, &r))
			fprintf(stderr, "  report %lu: %s of %p (%s): %s\n",
				seq, mm_bug_name(r.bug), r.addr, r.where,
				r.detail);
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FUZZ FAIL at step %lu (%s): ", fuzz_step, fuzz_op);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_last_reports();
	abort();
}

/* --- Contents ------------------------------------------------------- */

/* splitmix64's finaliser: nearby inputs, unrelated outputs. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t fuzz_seed(const void *p)
{
	static uint64_t sequence;

	return mix((uint64_t)(uintptr_t)p ^ mix(++sequence));
}

/* Byte j of the pattern: 8 bytes of a word that changes every 8 bytes. */
static inline uint8_t pattern_byte(uint64_t seed, size_t j)
{
	uint64_t w = seed + (uint64_t)(j >> 3) * 0x9e3779b97f4a7c15ull;

	return (uint8_t)(w >> ((j & 7) * 8));
}

void fuzz_fill(void *p, size_t n, uint64_t seed)
{
	uint8_t *b = p;
	size_t j;

	for (j = 0; j < n; j++)
		b[j] = pattern_byte(seed, j);
}

long fuzz_changed(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	size_t j;

	for (j = 0; j < n; j++)
		if (b[j] != pattern_byte(seed, j))
			return (long)j;
	return -1;
}

/* --- Reports ---------------------------------------------------------- */

static unsigned long reports_seen;

void fuzz_reports_start(void)
{
	reports_seen = mm_report_count();
}

void fuzz_expect_reports(unsigned long n)
{
	unsigned long made = mm_report_count() - reports_seen;

	FUZZ_CHECK(made == n, "%lu reports made, %lu expected", made, n);
	reports_seen += n;
}

void fuzz_expect_report(enum mm_bug bug, enum mm_bug or_bug, const void *addr,
			const char *where)
{
	struct mm_report r;

	fuzz_expect_reports(1);
	FUZZ_CHECK(mm_report_get(reports_seen - 1, &r),
		   "the report is not in the ring");
	FUZZ_CHECK(r.bug == bug || r.bug == or_bug,
		   "a report of %s, where %s was expected", mm_bug_name(r.bug),
		   mm_bug_name(bug));
	FUZZ_CHECK(r.addr == addr, "a report about %p, not %p", r.addr, addr);
	FUZZ_CHECK(!where || !__builtin_strcmp(r.where, where),
		   "a report for %s, not %s", r.where, where);
}

/* --- Live ranges ------------------------------------------------------- */

/* Index of the first range that starts above a. */
static int first_above(const struct fuzz_ranges *rs, uintptr_t a)
{
	int lo = 0, hi = rs->n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (rs->r[mid].start <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct fuzz_range *fuzz_range_at(struct fuzz_ranges *rs, uintptr_t a)
{
	int i = first_above(rs, a) - 1;

	return i >= 0 && a < rs->r[i].end ? &rs->r[i] : NULL;
}

void fuzz_range_add(struct fuzz_ranges *rs, uintptr_t start, uintptr_t end,
		    int owner)
{
	int i = first_above(rs, start), k;

	FUZZ_CHECK(rs->n < FUZZ_MAX_RANGES, "too many live blocks");
	FUZZ_CHECK(i == 0 || rs->r[i - 1].end <= start,
		   "block [%#lx, %#lx) overlaps the live block [%#lx, %#lx)",
		   (unsigned long)start, (unsigned long)end,
		   (unsigned long)rs->r[i - 1].start,
		   (unsigned long)rs->r[i - 1].end);
	FUZZ_CHECK(i == rs->n || end <= rs->r[i].start,
		   "block [%#lx, %#lx) overlaps the live block [%#lx, %#lx)",
		   (unsigned long)start, (unsigned long)end,
		   (unsigned long)rs->r[i].start, (unsigned long)rs->r[i].end);
	for (k = rs->n; k > i; k--)
		rs->r[k] = rs->r[k - 1];
	rs->r[i] = (struct fuzz_range){ start, end, owner };
	rs->n++;
}

void fuzz_range_remove(struct fuzz_ranges *rs, uintptr_t start)
{
	int i = first_above(rs, start) - 1;

	FUZZ_CHECK(i >= 0 && rs->r[i].start == start,
		   "no live block at %#lx to remove", (unsigned long)start);
	for (; i + 1 < rs->n; i++)
		rs->r[i] = rs->r[i + 1];
	rs->n--;
}

void fuzz_freed_add(struct fuzz_freed *f, uintptr_t addr, int owner)
{
	f->addr[f->next % FUZZ_FREED] = addr;
	f->owner[f->next % FUZZ_FREED] = owner;
	f->next++;
}

/* --- Memory nobody allocated ------------------------------------------- */

static long a_global;

const void *fuzz_foreign(uint8_t pick, const void *stack)
{
	static void *heap;

	switch (pick % 4) {
	case 0:
		return stack;
	case 1:
		return &a_global;
	case 2:
		return (const void *)(uintptr_t)fuzz_boot; /* code */
	default:
		/* The C library's heap: memory the kernel never managed. */
		if (!heap)
			heap = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		return heap;
	}
}
