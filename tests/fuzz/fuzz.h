/*
 * fuzz.h - what the fuzz targets of the allocators share (tests/fuzz/).
 *
 * Each target is a libFuzzer entry point, LLVMFuzzerTestOneInput, that
 * reads its input as a program: a few bytes of set-up, then operations,
 * one opcode byte and its arguments each, until the bytes run out.  Past
 * the end every byte reads as 0, so any input is a valid program.  After
 * EVERY operation the target compares the allocator with a reference
 * model of its own (live ranges, counts, the reports expected) and stops
 * the run through fuzz_fail() at the first difference: libFuzzer takes
 * the abort as a crash and keeps the input that made it.
 *
 * The same mm/ sources as the host test runner, over the same machine
 * seam (tests/host/machine.c): one thread, so hart 0.  The kernel's pool
 * and the slab allocator are set up once (fuzz_boot), over host memory;
 * every input leaves them as it found them, which the targets check.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <kernel/compiler.h>
#include <kernel/mm_report.h>

/* The input, read front to back. */
struct fuzz_input {
	const uint8_t *data;
	size_t left;
};

static inline bool fuzz_more(const struct fuzz_input *in)
{
	return in->left > 0;
}

/* The next byte, or 0 past the end. */
uint8_t fuzz_u8(struct fuzz_input *in);
/* The next two bytes, little-endian. */
uint16_t fuzz_u16(struct fuzz_input *in);
/*
 * The first of n slots, from slot from on and wrapping, that used says
 * holds a live block; -1 if none does.  How each target picks the block
 * an operation acts on from one byte of input.
 */
int fuzz_live_slot(unsigned int from, int n, bool (*used)(int slot));

/* The kernel's page pool over host memory, then slab_init: once. */
void fuzz_boot(void);

/*
 * A difference from the model: print what was expected, the operation
 * and the last reports (to stderr, which the fuzz runs keep), and abort.
 */
__noreturn __printf(1, 2) void fuzz_fail(const char *fmt, ...);

/* The operation being run, for fuzz_fail's message. */
extern unsigned long fuzz_step;
extern const char *fuzz_op;

#define FUZZ_CHECK(cond, ...)                                                  \
	do {                                                                   \
		if (unlikely(!(cond)))                                         \
			fuzz_fail(__VA_ARGS__);                                \
	} while (0)

/*
 * Contents: every block is filled with bytes derived from its address
 * and a sequence number, and checked when it is freed.
 */
uint64_t fuzz_seed(const void *p);
void fuzz_fill(void *p, size_t n, uint64_t seed);
/* The offset of the first byte that differs, or -1. */
long fuzz_changed(const void *p, size_t n, uint64_t seed);

/*
 * Reports: the model says how many each operation makes.  expect
 * checks that exactly n were made since the last check; expect_one
 * also checks the one's kind (bug, or either of two), address and
 * where ("page", a cache's name; NULL: any).
 */
void fuzz_reports_start(void);
void fuzz_expect_reports(unsigned long n);
void fuzz_expect_report(enum mm_bug bug, enum mm_bug or_bug, const void *addr,
			const char *where);

/*
 * The model of the live blocks: address ranges that must never overlap,
 * kept sorted.  A block's owner is the target's (a slot, a cache).
 */
#define FUZZ_MAX_RANGES 256

struct fuzz_range {
	uintptr_t start, end;
	int owner;
};

struct fuzz_ranges {
	struct fuzz_range r[FUZZ_MAX_RANGES];
	int n;
};

/* The range that holds a, or NULL. */
struct fuzz_range *fuzz_range_at(struct fuzz_ranges *rs, uintptr_t a);
/* Add [start, end): fails the run if it overlaps a live range. */
void fuzz_range_add(struct fuzz_ranges *rs, uintptr_t start, uintptr_t end,
		    int owner);
/* Remove the range that starts at start: it must be there. */
void fuzz_range_remove(struct fuzz_ranges *rs, uintptr_t start);

/* Addresses freed lately, for double frees: a small ring. */
#define FUZZ_FREED 8

struct fuzz_freed {
	uintptr_t addr[FUZZ_FREED];
	int owner[FUZZ_FREED];
	unsigned int next;
};

void fuzz_freed_add(struct fuzz_freed *f, uintptr_t addr, int owner);

/* Memory no allocator owns: on this stack, a global, the code. */
const void *fuzz_foreign(uint8_t pick, const void *stack);

#endif /* TESTS_FUZZ_FUZZ_H */
