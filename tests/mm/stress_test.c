/*
 * stress_test.c - the stress engine (lib/stress.c), suite "stress": every
 * pattern on every hart gives every page back, producers and consumers on
 * different harts, allocations in the timer interrupt (in the kernel), a
 * block changed behind the allocator's back is caught, and the
 * fragmentation is sampled through a run.
 *
 * Runs are bounded by operations, never by time.  stress:soak (manual,
 * make stress) runs every pattern for ktest.scale seconds and prints the
 * fragmentation series.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/stress.h>

static bool run(struct stress_config *c, struct stress_result *r)
{
#ifdef HOST_TEST
	return stress_run(c, r, ktest_on_each_hart);
#else
	return stress_run_kernel(c, r);
#endif
}

/* The parts of a passing run's result that always hold. */
static void expect_clean(struct ktest *t, const struct stress_result *r)
{
	KEXPECT_EQ(t, r->allocs, r->frees);
	KEXPECT_EQ(t, r->failures, 0);
	KEXPECT_EQ(t, r->reports, 0);
	KEXPECT_EQ(t, r->stats_differ, 0);
	KEXPECT_EQ(t, r->validate_failures, 0);
}

KTEST(stress, every_pattern_on_every_hart_gives_every_page_back)
{
	struct stress_config c = {
		.rounds = 21, /* each pattern once: 18 local, 3 handoffs */
		.round_ops = 400 * ktest_scale(),
		.seed = 1,
	};
	struct stress_result r;

	KASSERT_TRUE(t, stress_pattern_parse("all", &c));
	KEXPECT_TRUE(t, run(&c, &r));
	expect_clean(t, &r);
	KEXPECT_EQ(t, r.corruptions, 0);
	KEXPECT_EQ(t, r.rounds, 21);
	KEXPECT_GE(t, r.allocs, 21 * 100 * nr_harts_online());
	if (nr_harts_online() > 1)
		KEXPECT_GT(t, r.cross_hart_frees, 0);
	ktest_log(t, "%lu operations, peak %lu pages in use (%lu at the start)",
		  r.allocs + r.frees, (unsigned long)r.peak_used,
		  (unsigned long)r.start_used);
}

/* In a handoff every block is freed by the next hart, never its own. */
KTEST(stress, producers_and_consumers_on_different_harts)
{
	struct stress_config c = {
		.rounds = 3,
		.round_ops = 1000 * ktest_scale(),
		.seed = 2,
	};
	struct stress_result r;

	KASSERT_TRUE(t, stress_pattern_parse("handoff:random", &c));
	KEXPECT_TRUE(t, run(&c, &r));
	expect_clean(t, &r);
	KEXPECT_EQ(t, r.allocs, 3 * (c.round_ops / 2) * nr_harts_online());
	if (nr_harts_online() > 1)
		KEXPECT_EQ(t, r.cross_hart_frees, r.frees);
	else
		ktest_log(t, "one hart: it consumes what it produces");
}

#ifndef HOST_TEST
/* The host has no interrupts; in the kernel every hart's tick takes part. */
KTEST(stress, allocations_in_the_timer_interrupt)
{
	struct stress_config c = {
		.rounds = 2,
		.round_ops = 500 * ktest_scale(),
		.seed = 3,
		.irq = true,
		/* ticks on each hart, however long they take */
		.irq_steps = 10,
	};
	struct stress_result r;

	KASSERT_TRUE(t, stress_pattern_parse("random:any", &c));
	KEXPECT_TRUE(t, run(&c, &r));
	expect_clean(t, &r);
	KEXPECT_GT(t, r.irq_allocs, 0);
	KEXPECT_EQ(t, r.irq_allocs, r.irq_frees);
	ktest_log(t, "%lu allocations in the timer interrupt", r.irq_allocs);
}
#endif

/*
 * A byte of every 25th block is changed after its fill, as a stray write
 * would: each one is seen before the block is freed, on its own hart or
 * (handoff) on the next, and the run fails; nothing else goes wrong.
 */
KTEST(stress, a_block_changed_behind_the_allocators_back_is_caught)
{
	static const char *const patterns[] = { "random:fifo", "pages:lifo",
						"handoff:fixed" };
	struct stress_config c = {
		.rounds = 1,
		.round_ops = 400,
		.seed = 4,
		.corrupt_every = 25,
	};
	struct stress_result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		KASSERT_TRUE(t, stress_pattern_parse(patterns[i], &c));
		KEXPECT_FALSE(t, run(&c, &r));
		KEXPECT_GT(t, r.corrupted, 0);
		KEXPECT_EQ(t, r.corruptions, r.corrupted);
		expect_clean(t, &r);
	}
}

/*
 * A sample at the start, one every sample_ops of hart 0's operations,
 * one at the end; each fragmentation a share of the free pages.
 */
KTEST(stress, fragmentation_is_sampled_through_the_run)
{
	struct stress_config c = {
		.rounds = 2,
		.round_ops = 1000,
		.seed = 5,
		.sample_ops = 100,
	};
	struct stress_result r;

	KASSERT_TRUE(t, stress_pattern_parse("pages:lifo", &c));
	KEXPECT_TRUE(t, run(&c, &r));
	expect_clean(t, &r);
	/* Any 1000 operations in a row hold 10 multiples of 100. */
	KEXPECT_EQ(t, r.samples, 1 + 2 * 1000 / 100 + 1);
	KEXPECT_LE(t, r.frag_min, r.frag_last);
	KEXPECT_LE(t, r.frag_last, r.frag_max);
	KEXPECT_LE(t, r.frag_max, 1000);
	ktest_log(t, "fragmentation %u to %u thousandths, %u at the end",
		  r.frag_min, r.frag_max, r.frag_last);
}

/*
 * make stress: every pattern, for ktest.scale seconds (RVOS_TEST_SCALE on
 * the host), with the fragmentation series; in the kernel the timer
 * interrupt too.  The verdict is the run's own checks.
 */
KTEST_FLAGS(stress, soak, KTEST_MANUAL)
{
	struct stress_config c = {
		.seconds = ktest_scale(),
		.round_ops = 20000,
		.seed = 1,
		.sample_ms = 1000,
		.print_series = true,
#ifndef HOST_TEST
		.irq = true,
#endif
	};
	struct stress_result r;

	KASSERT_TRUE(t, stress_pattern_parse("all", &c));
	KEXPECT_TRUE(t, run(&c, &r));
	expect_clean(t, &r);
	KEXPECT_EQ(t, r.corruptions, 0);
}
