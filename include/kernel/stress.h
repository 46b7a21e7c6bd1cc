/*
 * stress.h - the allocator stress engine (lib/stress.c): long loops of
 * allocations and frees on every hart in named patterns, every block
 * filled with a pattern made from its address and a sequence number and
 * checked before it is freed, the fragmentation sampled as a time
 * series, and a summary that checks that every page came back.
 *
 * The shell's stress command and make stress (kernel/stress.c), and the
 * stress suite (tests/mm/stress_test.c) run it; docs/stress.md tells the
 * patterns and how to read the output.
 *
 *	struct stress_config c = { .rounds = 4, .round_ops = 5000 };
 *	struct stress_result r;
 *
 *	stress_pattern_parse("pow2:fifo", &c);
 *	passed = stress_run(&c, &r, ktest_on_each_hart);
 *
 * A run is rounds of round_ops operations (an allocation or a free) on
 * each hart; it ends after its rounds, or at the first end of a round
 * after its seconds.  Each round ends with every block freed.  One run
 * at a time: the engine's state is its own (lib/stress.c).
 */
#ifndef KERNEL_STRESS_H
#define KERNEL_STRESS_H

#include <kernel/compiler.h>
#include <kernel/meminfo.h>

/* Block sizes: where the blocks come from, and how large they are. */
enum stress_sizes {
	STRESS_RANDOM,	   /* kmalloc, 1 byte to 16 KiB, each power of two
			      as likely */
	STRESS_FIXED,	   /* one size, from a cache of the run's own */
	STRESS_INCREASING, /* kmalloc, each larger than the last, wrapping */
	STRESS_DECREASING, /* kmalloc, each smaller than the last, wrapping */
	STRESS_POW2,	   /* kmalloc of 1, 2, 4, ... 8192 bytes */
	STRESS_PAGES,	   /* page_alloc runs of 1 to 16 pages */
	STRESS_SIZES
};

/* Which live block is freed next. */
enum stress_free_order {
	STRESS_LIFO, /* the newest */
	STRESS_FIFO, /* the oldest */
	STRESS_ANY,  /* one at random */
	STRESS_ORDERS
};

struct stress_pattern {
	enum stress_sizes sizes;
	enum stress_free_order order;
	/* Made on one hart, sent through a queue, checked and freed on the
	 * next one (hart h gives to h + 1): producers and consumers. */
	bool handoff;
};

struct stress_config {
	struct stress_pattern pattern;
	bool every_pattern;	 /* "all": a round of each pattern in turn */
	unsigned int rounds;	 /* 0: as many as seconds allow */
	unsigned int seconds;	 /* checked at the end of each round only */
	unsigned long round_ops; /* operations per hart in a round */
	size_t fixed_size;	 /* STRESS_FIXED's objects, in bytes */
	uint64_t seed;
	/* Also allocate and free in the timer interrupt, at least irq_steps
	 * times on each hart (kernel/stress.c; the host has no interrupts). */
	bool irq;
	unsigned int irq_steps;
	/* A fragmentation sample every sample_ops of hart 0's operations,
	 * and every sample_ms as well if not 0; printed if print_series. */
	unsigned long sample_ops;
	unsigned int sample_ms;
	bool print_series;
	/* For the stress suite: spoil one byte of every Nth block a hart
	 * makes, after its fill (0: none), as a stray write would. */
	unsigned long corrupt_every;
};

struct stress_result {
	unsigned long allocs, frees;	     /* operations, all harts */
	unsigned long irq_allocs, irq_frees; /* of them, in the interrupt */
	unsigned long cross_hart_frees;	     /* freed on another hart */
	unsigned long failures;		     /* allocations that gave NULL */
	unsigned long corruptions;	     /* blocks whose fill had changed */
	unsigned long corrupted;	     /* spoilt on purpose */
	unsigned long reports;		     /* mm reports made meanwhile */
	unsigned int stats_differ;	/* figures not back at the start's */
	unsigned int validate_failures; /* page_validate's, each round */
	size_t start_used, peak_used;	/* pages off the free lists */
	unsigned int frag_min, frag_max, frag_last; /* thousandths */
	unsigned int samples, rounds;
	uint64_t ms;
};

/*
 * Set the pattern of config from its name: SIZES[:ORDER] (random, fixed,
 * increasing, decreasing, pow2, pages; lifo, fifo, any), handoff[:SIZES],
 * or all.  false for a name it does not know, and nothing changes.
 */
bool stress_pattern_parse(const char *name, struct stress_config *config);
/* The names stress_pattern_parse knows, for a usage line. */
extern const char stress_pattern_names[];

/*
 * Run config: stress_begin, stress_worker on every hart through
 * on_each_hart (ktest_on_each_hart, task_run_on_each_hart), stress_end.
 * Fills *result; returns true if the run passed.  kernel/stress.c's
 * stress_run_kernel adds the timer interrupt.
 */
bool stress_run(const struct stress_config *config,
		struct stress_result *result,
		unsigned int (*on_each_hart)(void (*fn)(void *arg), void *arg));

/*
 * The steps of stress_run, for a caller that adds the interrupt.
 * stress_begin is false (with a message) if another run is on, or the
 * config is impossible; then nothing else may be called.
 */
bool stress_begin(const struct stress_config *config);
void stress_worker(void *unused);
/* Allocation and free steps from an interrupt handler, on this hart. */
void stress_tick(void);
/* After the last stress_tick; prints the summary. */
bool stress_end(struct stress_result *result);

/*
 * What must come back after a run: get_memory_stats once every cache has
 * given back its magazines and empty slabs (lib/stress.c says why that
 * is needed, and enough).  stress_stats_differ prints each figure of now
 * that is not the same as before's and returns how many.
 */
void stress_settled_stats(struct memory_stats *st);
unsigned int stress_stats_differ(const struct memory_stats *before,
				 const struct memory_stats *now);

#ifndef HOST_TEST
/* kernel/stress.c: stress_run on tasks, and in the timer interrupt. */
bool stress_run_kernel(const struct stress_config *config,
		       struct stress_result *result);
#endif

#endif /* KERNEL_STRESS_H */
