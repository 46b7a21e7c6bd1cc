/*
 * ktest.h - the in-kernel test API, in the spirit of Linux KUnit.
 *
 * A test case is a function registered with KTEST(suite, case).  The same
 * test source is built into the kernel test image (run in QEMU by
 * tools/ktest.py) and, for lib/ and mm/, into a native host binary
 * (tests/host/), where pthreads stand in for harts.
 *
 *	KTEST(bitmap, set_and_test)
 *	{
 *		unsigned long map[2] = { 0 };
 *
 *		bitmap_set(map, 3);
 *		KEXPECT_TRUE(t, bitmap_test(map, 3));
 *		KEXPECT_EQ(t, bitmap_weight(map, 64), 1);
 *	}
 *
 * KEXPECT_* records a failure (file, line, both expressions and values)
 * and goes on; KASSERT_* records it and returns from the case function,
 * so use KASSERT only in the case function itself.
 *
 * Cases are named "suite:case".  Results are printed in KTAP version 1,
 * one subtest per suite.  Flags change how a case is run:
 *
 *   KTEST_EXPECT_PANIC  passes only if the case panics; it runs alone in a
 *                       boot of its own (tools/ktest.py arranges that).
 *                       KTEST_PANICS(suite, name, "words") also names
 *                       what the panic line must say, so that a panic
 *                       for another reason fails the case.
 *   KTEST_MANUAL        runs only when its suite or itself is named on
 *                       the command line (ktest=bench, ktest=suite:case),
 *                       never for ktest=all: the harness self-test and the
 *                       benchmarks.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

#include <kernel/compiler.h>

struct ktest {
	int failures;
};

typedef void (*ktest_fn)(struct ktest *t);

struct ktest_case {
	const char *suite;
	const char *name;
	ktest_fn run;
	unsigned int flags;
	const char *panic_with; /* KTEST_PANICS: words the panic must say */
};

#define KTEST_EXPECT_PANIC (1u << 0)
#define KTEST_MANUAL (1u << 1)

#define KTEST_CASE(suite, name, flags, panic_with)                             \
	static void ktest_##suite##__##name(struct ktest *t);                  \
	static const struct ktest_case ktest_case_##suite##__##name __used     \
		__section("ktest_cases")                                       \
			__aligned(sizeof(void *)) = { #suite, #name,           \
						      ktest_##suite##__##name, \
						      (flags), (panic_with) }; \
	static void ktest_##suite##__##name(struct ktest *t)

#define KTEST_FLAGS(suite, name, flags) KTEST_CASE(suite, name, flags, NULL)
#define KTEST(suite, name) KTEST_FLAGS(suite, name, 0)
/*
 * A case that must end in a panic whose line holds these words: a panic
 * for any other reason fails it (tools/ktest.py checks the line).
 */
#define KTEST_PANICS(suite, name, words)                                       \
	KTEST_CASE(suite, name, KTEST_EXPECT_PANIC, words)

/* Report a failure of the current case; printed as a KTAP diagnostic. */
__printf(4, 5) void ktest_fail(struct ktest *t, const char *file, int line,
			       const char *fmt, ...);

/*
 * For stress tests whose helpers run on many harts without a struct ktest
 * at hand: count one error in *errors (atomically) and print it, but only
 * the first KTEST_MAX_REPORTS of them, so a broken run cannot flood the log.
 */
#define KTEST_MAX_REPORTS 5
__printf(2, 3) void ktest_report(unsigned long *errors, const char *fmt, ...);

/* Print a diagnostic line ("# ...") inside the current case. */
__printf(2, 3) void ktest_log(struct ktest *t, const char *fmt, ...);

#define KEXPECT_TRUE(t, cond)                                                  \
	({                                                                     \
		bool ok_ = !!(cond);                                           \
		if (!ok_)                                                      \
			ktest_fail((t), __FILE__, __LINE__,                    \
				   "expected %s to be true", #cond);           \
		ok_;                                                           \
	})

#define KEXPECT_FALSE(t, cond)                                                 \
	({                                                                     \
		bool ok_ = !(cond);                                            \
		if (!ok_)                                                      \
			ktest_fail((t), __FILE__, __LINE__,                    \
				   "expected %s to be false", #cond);          \
		ok_;                                                           \
	})

/* Integer comparisons print both values, signed and in hex. */
#define KEXPECT_CMP(t, a, op, b)                                               \
	({                                                                     \
		long long ka_ = (long long)(a), kb_ = (long long)(b);          \
		bool ok_ = ka_ op kb_;                                         \
		if (!ok_)                                                      \
			ktest_fail((t), __FILE__, __LINE__,                    \
				   "expected %s %s %s, got %lld (0x%llx) vs "  \
				   "%lld (0x%llx)",                            \
				   #a, #op, #b, ka_, (unsigned long long)ka_,  \
				   kb_, (unsigned long long)kb_);              \
		ok_;                                                           \
	})

#define KEXPECT_EQ(t, a, b) KEXPECT_CMP(t, a, ==, b)
#define KEXPECT_NE(t, a, b) KEXPECT_CMP(t, a, !=, b)
#define KEXPECT_LT(t, a, b) KEXPECT_CMP(t, a, <, b)
#define KEXPECT_LE(t, a, b) KEXPECT_CMP(t, a, <=, b)
#define KEXPECT_GT(t, a, b) KEXPECT_CMP(t, a, >, b)
#define KEXPECT_GE(t, a, b) KEXPECT_CMP(t, a, >=, b)

#define KEXPECT_PTR_EQ(t, a, b)                                                \
	({                                                                     \
		const void *pa_ = (a), *pb_ = (b);                             \
		bool ok_ = pa_ == pb_;                                         \
		if (!ok_)                                                      \
			ktest_fail((t), __FILE__, __LINE__,                    \
				   "expected %s == %s, got %p vs %p", #a, #b,  \
				   pa_, pb_);                                  \
		ok_;                                                           \
	})

#define KEXPECT_NULL(t, p) KEXPECT_PTR_EQ(t, p, NULL)
#define KEXPECT_NOT_NULL(t, p)                                                 \
	({                                                                     \
		bool ok_ = (p) != NULL;                                        \
		if (!ok_)                                                      \
			ktest_fail((t), __FILE__, __LINE__,                    \
				   "expected %s to be non-NULL", #p);          \
		ok_;                                                           \
	})

#define KEXPECT_STREQ(t, a, b)                                                 \
	({                                                                     \
		const char *sa_ = (a), *sb_ = (b);                             \
		bool ok_ = ktest_streq(sa_, sb_);                              \
		if (!ok_)                                                      \
			ktest_fail((t), __FILE__, __LINE__,                    \
				   "expected %s == %s, got \"%s\" vs \"%s\"",  \
				   #a, #b, sa_, sb_);                          \
		ok_;                                                           \
	})

/* The KASSERT forms return from the case function on failure. */
#define KASSERT_TRUE(t, c)                                                     \
	do {                                                                   \
		if (!KEXPECT_TRUE(t, c))                                       \
			return;                                                \
	} while (0)
#define KASSERT_EQ(t, a, b)                                                    \
	do {                                                                   \
		if (!KEXPECT_EQ(t, a, b))                                      \
			return;                                                \
	} while (0)
#define KASSERT_NOT_NULL(t, p)                                                 \
	do {                                                                   \
		if (!KEXPECT_NOT_NULL(t, p))                                   \
			return;                                                \
	} while (0)

bool ktest_streq(const char *a, const char *b);

/*
 * Run fn(arg) on every online hart at once and wait for all of them.  In
 * the kernel each call runs in a task pinned to its hart; on the host each
 * runs in a pthread with its own hart id.  Returns the number of harts.
 */
unsigned int ktest_on_each_hart(void (*fn)(void *arg), void *arg);

/* The hart running the caller, read without moving to another. */
unsigned int ktest_hart(void);

/* The iteration count scale for stress tests (ktest.scale=N, default 1). */
unsigned int ktest_scale(void);

#endif /* KERNEL_KTEST_H */
