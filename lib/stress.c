/*
 * stress.c - the allocator stress engine (include/kernel/stress.h), in
 * the spirit of Linux's lib/test_vmalloc.c: it calls the allocators'
 * public interfaces only, and is portable, so the shell, make stress and
 * the tests run the same code in QEMU and on the host.
 *
 * Every hart runs stress_worker: rounds of round_ops operations, all
 * harts in the same round.  Between rounds they meet at a barrier, where
 * hart 0 checks the page allocator (page_validate), picks the next
 * pattern and decides whether the run is over.
 *
 *   hart 0:  |barrier| round 1: pow2:fifo   |barrier| round 2: ... |
 *   hart 1:  |barrier| round 1: pow2:fifo   |barrier| round 2: ... |
 *                       ^ fill in waves, free in the pattern's order,
 *                         free what is left at the round's end
 *
 * In a round a hart holds at most LIVE_BLOCKS blocks and a budget of
 * bytes (an eighth of the free memory, shared out), so no allocation
 * should ever fail.  It fills its set in waves and empties it again in
 * the pattern's free order.  In a handoff round each hart sends what it
 * makes to the next one through a single-producer, single-consumer
 * queue, and checks and frees what the previous one sent it.
 *
 * Every block is filled whole with words made from their own address
 * and the block's sequence number (fill_word), and checked before it is
 * freed: a block handed out twice, moved, or written by anyone else
 * shows as a word that is not its fill, reported with its offset.
 *
 * stress_end checks that every page came back (stress_settled_stats,
 * below), that the allocators made no report, and page_validate, then
 * prints the summary.  docs/stress.md shows one and the time series of
 * fragmentation samples.
 */
#include <kernel/machine.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/mm_debug.h>
#include <kernel/printk.h>
#include <kernel/prng.h>
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include <kernel/stress.h>
#include <kernel/string.h>

#define LIVE_BLOCKS 64	    /* blocks a hart holds at most */
#define QUEUE_SLOTS 32	    /* blocks in flight to a hart (handoff) */
#define IRQ_SLOTS 8	    /* blocks the interrupt holds on a hart */
#define LARGEST_BYTES 16384 /* STRESS_RANDOM: up to 4 pages */
#define POW2_ORDERS 14	    /* STRESS_POW2: 1 to 8192 bytes */
#define RAMP_STEP 40	    /* STRESS_INCREASING and DECREASING */
#define LARGEST_RUN 16	    /* STRESS_PAGES: pages */
#define IRQ_STEPS 4	    /* operations a tick makes */
#define IRQ_LARGEST 2048    /* bytes, kmalloc in the interrupt */
#define DEFAULT_FIXED 48    /* STRESS_FIXED: bytes */
#define BUDGET_SHARE 8	    /* a run holds 1/8 of the free memory */
#define MAX_PRINTED 5	    /* changed blocks told, then only counted */
#define TIME_EVERY 256	    /* hart 0 reads the clock every so many ops */

/* Where a block came from, and so how it is freed. */
enum block_kind { BLOCK_KMALLOC, BLOCK_CACHE, BLOCK_PAGES };

struct block {
	void *p;
	size_t size;	   /* bytes */
	unsigned long seq; /* its sequence number, part of its fill */
	uint16_t kind;
	uint16_t hart; /* that made it */
};

/*
 * Blocks in flight from one hart to the next: a ring that one producer
 * fills and one consumer empties.  Each index is written by one side
 * only, with a store-release after the slot (producer) or after reading
 * it (consumer), and read by the other with a load-acquire: a slot is
 * never read before it is written, nor written before it is read.
 */
struct queue {
	unsigned long head __aligned(CACHELINE_SIZE); /* the consumer's */
	unsigned long tail __aligned(CACHELINE_SIZE); /* the producer's */
	bool closed; /* the producer makes no more this round */
	struct block slot[QUEUE_SLOTS];
};

/* One hart's worker.  Only its own hart writes it, but for inbox.head. */
struct worker {
	struct prng rng;
	struct block live[LIVE_BLOCKS]; /* a ring: first, then count more */
	unsigned int first, count;
	bool draining; /* in the wave that empties the set */
	size_t live_bytes, budget, next_size;
	size_t cursor; /* the last size, increasing or decreasing */
	unsigned long seq, made;
	unsigned long ops; /* read by hart 0 for the samples */
	unsigned long allocs, frees, failures, corruptions, corrupted;
	unsigned long cross_hart_frees;
	struct queue inbox;
} __aligned(CACHELINE_SIZE);

/* What the timer interrupt holds and counts on one hart. */
struct irq_worker {
	struct prng rng;
	struct block slot[IRQ_SLOTS];
	unsigned long seq, steps, allocs, frees, failures, corruptions;
} __aligned(CACHELINE_SIZE);

static struct engine {
	struct stress_config config;
	struct stress_pattern now; /* this round's */
	struct kmem_cache *cache;  /* STRESS_FIXED's */
	struct memory_stats start;
	unsigned long start_reports;
	size_t start_used;
	uint64_t start_ns, last_sample_ns;
	unsigned int harts, round, validate_errors;
	bool stop;
	unsigned int frag_min, frag_max, frag_last, samples;
	unsigned int barrier_count, barrier_gen;
	unsigned long printed;
	struct worker w[MAX_HARTS];
	struct irq_worker irq[MAX_HARTS];
} e;

static unsigned int busy; /* a run is on: the engine's state is in use */

/* --- Patterns ------------------------------------------------------ */

static const char *const size_names[STRESS_SIZES] = {
	[STRESS_RANDOM] = "random",
	[STRESS_FIXED] = "fixed",
	[STRESS_INCREASING] = "increasing",
	[STRESS_DECREASING] = "decreasing",
	[STRESS_POW2] = "pow2",
	[STRESS_PAGES] = "pages",
};

static const char *const order_names[STRESS_ORDERS] = {
	[STRESS_LIFO] = "lifo",
	[STRESS_FIFO] = "fifo",
	[STRESS_ANY] = "any",
};

const char stress_pattern_names[] =
	"all, handoff[:SIZES], SIZES[:ORDER]; SIZES random fixed increasing decreasing pow2 pages; ORDER lifo fifo any";

/* "all": every sizes with every order, then three handoffs. */
static const enum stress_sizes handoff_sizes[] = { STRESS_RANDOM, STRESS_PAGES,
						   STRESS_FIXED };
#define EVERY_LOCAL (STRESS_SIZES * STRESS_ORDERS)
#define EVERY_PATTERN (EVERY_LOCAL + ARRAY_SIZE(handoff_sizes))

static struct stress_pattern pattern_of_round(unsigned int round)
{
	unsigned int i = round % EVERY_PATTERN;

	if (i < EVERY_LOCAL)
		return (struct stress_pattern){ i / STRESS_ORDERS,
						i % STRESS_ORDERS, false };
	return (struct stress_pattern){ handoff_sizes[i - EVERY_LOCAL],
					STRESS_FIFO, true };
}

/* The index of name, n long, in names[count], or -1. */
static int lookup(const char *name, size_t n, const char *const *names,
		  int count)
{
	int i;

	for (i = 0; i < count; i++)
		if (strlen(names[i]) == n && strncmp(name, names[i], n) == 0)
			return i;
	return -1;
}

bool stress_pattern_parse(const char *name, struct stress_config *config)
{
	const char *colon = strchr(name, ':');
	size_t n = colon ? (size_t)(colon - name) : strlen(name);
	struct stress_pattern p = { STRESS_RANDOM, STRESS_ANY, false };
	int sizes, order = STRESS_ANY;

	if (strcmp(name, "all") == 0) {
		config->every_pattern = true;
		config->pattern = p;
		return true;
	}
	if (n == 7 && strncmp(name, "handoff", n) == 0) {
		p.handoff = true;
		p.order = STRESS_FIFO; /* a queue */
		sizes = colon ? lookup(colon + 1, strlen(colon + 1), size_names,
				       STRESS_SIZES)
			      : STRESS_RANDOM;
	} else {
		sizes = lookup(name, n, size_names, STRESS_SIZES);
		if (colon)
			order = lookup(colon + 1, strlen(colon + 1),
				       order_names, STRESS_ORDERS);
	}
	if (sizes < 0 || order < 0)
		return false;
	p.sizes = sizes;
	if (!p.handoff)
		p.order = order;
	config->every_pattern = false;
	config->pattern = p;
	return true;
}

static void pattern_name(const struct stress_config *c, char *buf, size_t n)
{
	if (c->every_pattern)
		snprintf(buf, n, "all");
	else if (c->pattern.handoff)
		snprintf(buf, n, "handoff:%s", size_names[c->pattern.sizes]);
	else
		snprintf(buf, n, "%s:%s", size_names[c->pattern.sizes],
			 order_names[c->pattern.order]);
}

/* --- Blocks: their fill, and where they come from --------------------- */

#define FILL_MULT ((unsigned long)0x9e3779b97f4a7c15ull)

/*
 * The word a block holds at addr: its address and the block's sequence
 * number mixed, so that a word written by another block's owner, or a
 * block moved, holds the wrong one.  One multiply and one xor.
 */
static inline unsigned long fill_word(uintptr_t addr, unsigned long seq)
{
	return ((unsigned long)addr * FILL_MULT) ^ seq;
}

static void fill(const struct block *b)
{
	unsigned long *w = b->p;
	size_t i, words = b->size / sizeof(long);
	unsigned char *tail = (unsigned char *)(w + words);

	for (i = 0; i < words; i++)
		w[i] = fill_word((uintptr_t)&w[i], b->seq);
	for (i = 0; i < b->size % sizeof(long); i++)
		tail[i] = (unsigned char)fill_word((uintptr_t)&tail[i], b->seq);
}

/* The offset of the first byte that is not as fill left it, or -1. */
static long first_change(const struct block *b)
{
	const unsigned long *w = b->p;
	size_t i, k, words = b->size / sizeof(long);
	const unsigned char *tail = (const unsigned char *)(w + words);

	for (i = 0; i < words; i++) {
		unsigned long diff = w[i] ^ fill_word((uintptr_t)&w[i], b->seq);

		if (diff) {
			for (k = 0; !((diff >> (8 * k)) & 0xff); k++)
				; /* the first byte that differs, little-endian */
			return (long)(i * sizeof(long) + k);
		}
	}
	for (i = 0; i < b->size % sizeof(long); i++)
		if (tail[i] !=
		    (unsigned char)fill_word((uintptr_t)&tail[i], b->seq))
			return (long)(words * sizeof(long) + i);
	return -1;
}

/* Check b's fill, counting and telling a change, then free it. */
static void check_and_free(const struct block *b, unsigned int me,
			   unsigned long *corruptions)
{
	long at = first_change(b);

	if (at >= 0) {
		(*corruptions)++;
		if (__atomic_fetch_add(&e.printed, 1, __ATOMIC_RELAXED) <
		    MAX_PRINTED)
			printk("stress: block %p of %lu bytes (seq %lx, made on hart %u) changed at byte %ld before its free on hart %u\n",
			       b->p, (unsigned long)b->size, b->seq, b->hart,
			       at, me);
	}
	if (b->kind == BLOCK_PAGES)
		page_free(b->p);
	else if (b->kind == BLOCK_CACHE)
		kmem_cache_free(e.cache, b->p);
	else
		kfree(b->p);
}

/* Take a block of size bytes (pages, or the cache) and fill it. */
static bool make(struct block *b, enum stress_sizes sizes, size_t size,
		 unsigned int me, unsigned long seq)
{
	if (sizes == STRESS_PAGES) {
		b->kind = BLOCK_PAGES;
		b->p = page_alloc(size / PAGE_SIZE);
	} else if (sizes == STRESS_FIXED) {
		b->kind = BLOCK_CACHE;
		b->p = kmem_cache_alloc(e.cache);
	} else {
		b->kind = BLOCK_KMALLOC;
		b->p = kmalloc(size);
	}
	if (!b->p)
		return false;
	b->size = size;
	b->seq = seq;
	b->hart = (uint16_t)me;
	fill(b);
	return true;
}

/* The size of the next block of a worker, by the round's pattern. */
static size_t next_size(struct worker *w, enum stress_sizes sizes)
{
	unsigned int bits;

	switch (sizes) {
	case STRESS_FIXED:
		return e.config.fixed_size;
	case STRESS_INCREASING:
		w->cursor = w->cursor + RAMP_STEP > LARGEST_BYTES
				    ? 1
				    : w->cursor + RAMP_STEP;
		return w->cursor;
	case STRESS_DECREASING:
		w->cursor = w->cursor <= RAMP_STEP ? LARGEST_BYTES
						   : w->cursor - RAMP_STEP;
		return w->cursor;
	case STRESS_POW2:
		return (size_t)1 << prng_below(&w->rng, POW2_ORDERS);
	case STRESS_PAGES:
		return (1 + prng_below(&w->rng, LARGEST_RUN)) * PAGE_SIZE;
	default: /* STRESS_RANDOM: each power of two as likely */
		bits = prng_below(&w->rng, POW2_ORDERS);
		return ((size_t)1 << bits) +
		       prng_below(&w->rng, (uint32_t)1 << bits);
	}
}

/* A worker's block: a new sequence number, and a spoilt byte if asked. */
static bool worker_make(struct worker *w, struct block *b, unsigned int me)
{
	unsigned long seq =
		((unsigned long)me << (8 * sizeof(long) - 8)) | ++w->seq;

	if (!make(b, e.now.sizes, w->next_size, me, seq)) {
		w->failures++;
		return false;
	}
	w->allocs++;
	if (e.config.corrupt_every && ++w->made % e.config.corrupt_every == 0) {
		((unsigned char *)b->p)[prng_below(&w->rng, b->size)] ^= 0x5a;
		w->corrupted++;
	}
	return true;
}

static void count_op(struct worker *w)
{
	WRITE_ONCE(w->ops, w->ops + 1);
}

/* --- Fragmentation samples (hart 0, or the caller of begin and end) ---- */

static unsigned long total_ops(void)
{
	unsigned long ops = 0;
	unsigned int h;

	for (h = 0; h < e.harts; h++)
		ops += READ_ONCE(e.w[h].ops);
	return ops;
}

/*
 * One sample: "frag,MS,OPS,FREE,LARGEST,FRAGMENTATION,U0,...,U10" (see
 * docs/stress.md), fragmentation and unusable indexes in thousandths.
 */
static void sample(void)
{
	struct page_stats s;
	char line[160];
	unsigned int frag, o;
	uint64_t now = time_ns();
	int n;

	page_get_stats(&s);
	frag = page_fragmentation(&s);
	e.frag_min = e.samples ? MIN(e.frag_min, frag) : frag;
	e.frag_max = e.samples ? MAX(e.frag_max, frag) : frag;
	e.frag_last = frag;
	e.samples++;
	e.last_sample_ns = now;
	if (!e.config.print_series)
		return;
	n = snprintf(line, sizeof(line), "frag,%llu,%lu,%lu,%lu,%u",
		     (unsigned long long)((now - e.start_ns) / 1000000),
		     total_ops(), (unsigned long)s.free,
		     (unsigned long)s.largest_free_block, frag);
	for (o = 0; o < PAGE_ORDERS; o++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ",%u",
			      page_unusable_index(&s, o));
	printk("%s\n", line);
}

static void sample_now_and_then(struct worker *w)
{
	bool by_ops = e.config.sample_ops && w->ops % e.config.sample_ops == 0;
	bool by_time = e.config.sample_ms && w->ops % TIME_EVERY == 0 &&
		       time_ns() - e.last_sample_ns >=
			       (uint64_t)e.config.sample_ms * 1000000;

	if (by_ops || by_time)
		sample();
}

/* --- A round --------------------------------------------------------- */

static struct block *live_at(struct worker *w, unsigned int i)
{
	return &w->live[(w->first + i) % LIVE_BLOCKS];
}

/* Free one live block, the one the order picks. */
static void free_one(struct worker *w, unsigned int me)
{
	struct block b, *last = live_at(w, w->count - 1);
	unsigned int i;

	if (e.now.order == STRESS_FIFO) {
		b = *live_at(w, 0);
		w->first = (w->first + 1) % LIVE_BLOCKS;
	} else if (e.now.order == STRESS_LIFO) {
		b = *last;
	} else {
		i = prng_below(&w->rng, w->count);
		b = *live_at(w, i);
		*live_at(w, i) = *last;
	}
	w->count--;
	w->live_bytes -= b.size;
	check_and_free(&b, me, &w->corruptions);
	w->frees++;
}

/*
 * Waves: fill the set until it is full (or the next block would pass
 * the budget), freeing one time in four; then empty it to an eighth,
 * allocating one time in four.
 */
static bool wants_free(struct worker *w)
{
	bool full = w->count == LIVE_BLOCKS ||
		    w->live_bytes + w->next_size > w->budget;

	if (w->count == 0) {
		w->draining = false;
		return false;
	}
	if (full)
		w->draining = true;
	else if (w->draining && w->count <= LIVE_BLOCKS / 8)
		w->draining = false;
	return full || prng_below(&w->rng, 4) < (w->draining ? 3u : 1u);
}

static void local_round(struct worker *w, unsigned int me)
{
	unsigned long op;
	struct block b;

	w->next_size = next_size(w, e.now.sizes);
	for (op = 0; op < e.config.round_ops; op++) {
		if (wants_free(w)) {
			free_one(w, me);
		} else if (worker_make(w, &b, me)) {
			*live_at(w, w->count++) = b;
			w->live_bytes += b.size;
			w->next_size = next_size(w, e.now.sizes);
		}
		count_op(w);
		if (me == 0)
			sample_now_and_then(w);
	}
	while (w->count) {
		free_one(w, me);
		count_op(w);
	}
}

/* Room for one more?  Only the producer pushes: it stays so. */
static bool queue_has_room(struct queue *q)
{
	return q->tail - __atomic_load_n(&q->head, __ATOMIC_ACQUIRE) <
	       QUEUE_SLOTS;
}

static void queue_push(struct queue *q, const struct block *b)
{
	q->slot[q->tail % QUEUE_SLOTS] = *b;
	__atomic_store_n(&q->tail, q->tail + 1, __ATOMIC_RELEASE);
}

/* 1: took *b; 0: empty for now; -1: empty, and nothing more will come. */
static int queue_pop(struct queue *q, struct block *b)
{
	bool closed = __atomic_load_n(&q->closed, __ATOMIC_ACQUIRE);
	unsigned long head = q->head;

	if (head == __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE))
		return closed ? -1 : 0;
	*b = q->slot[head % QUEUE_SLOTS];
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	return 1;
}

/*
 * Make round_ops / 2 blocks for the next hart, and check and free what
 * the previous one makes, until it says it is done.  Each turn does a
 * bit of both, so a full queue never blocks its producer for good.
 */
static void handoff_round(struct worker *w, unsigned int me)
{
	struct queue *out = &e.w[(me + 1) % e.harts].inbox;
	unsigned long to_make = e.config.round_ops / 2, made = 0;
	struct block b;
	bool in_done = false;
	int got;

	if (!to_make)
		__atomic_store_n(&out->closed, true, __ATOMIC_RELEASE);
	while (made < to_make || !in_done) {
		if (made < to_make && queue_has_room(out)) {
			w->next_size = next_size(w, e.now.sizes);
			if (worker_make(w, &b, me))
				queue_push(out, &b);
			count_op(w);
			if (++made == to_make) /* sent, or failed and counted */
				__atomic_store_n(&out->closed, true,
						 __ATOMIC_RELEASE);
		}
		got = queue_pop(&w->inbox, &b);
		if (got > 0) {
			check_and_free(&b, me, &w->corruptions);
			w->frees++;
			w->cross_hart_frees += b.hart != me;
			count_op(w);
		}
		in_done = got < 0;
		if (me == 0)
			sample_now_and_then(w);
	}
}

/* All harts meet: the last to come lets the others go on. */
static void barrier(void)
{
	unsigned int gen = __atomic_load_n(&e.barrier_gen, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&e.barrier_count, 1, __ATOMIC_ACQ_REL) ==
	    e.harts) {
		__atomic_store_n(&e.barrier_count, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&e.barrier_gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&e.barrier_gen, __ATOMIC_ACQUIRE) == gen)
		cpu_relax();
}

/* Hart 0, between two barriers: check, then set up the next round. */
static void next_round(void)
{
	unsigned int h;

	if (e.round && page_validate())
		e.validate_errors++;
	if ((e.config.rounds && e.round >= e.config.rounds) ||
	    (e.config.seconds &&
	     time_ns() - e.start_ns >=
		     (uint64_t)e.config.seconds * 1000000000)) {
		e.stop = true;
		return;
	}
	e.now = e.config.every_pattern ? pattern_of_round(e.round)
				       : e.config.pattern;
	for (h = 0; h < e.harts; h++) {
		e.w[h].inbox.head = e.w[h].inbox.tail = 0;
		e.w[h].inbox.closed = false;
		e.w[h].cursor = e.now.sizes == STRESS_DECREASING ? 0 : 1;
	}
	e.round++;
}

static unsigned int my_hart_id(void)
{
	unsigned int me;

	push_off(); /* no migration between reading the id and using it */
	me = this_hart();
	pop_off();
	return me;
}

void stress_worker(void *unused)
{
	unsigned int me = my_hart_id();
	struct worker *w = &e.w[me];

	(void)unused;
	for (;;) {
		barrier();
		if (me == 0)
			next_round();
		barrier();
		if (e.stop)
			break;
		if (e.now.handoff)
			handoff_round(w, me);
		else
			local_round(w, me);
	}
	/* The interrupt's share is counted in steps, not waited for in time. */
	while (e.config.irq && READ_ONCE(e.irq[me].steps) < e.config.irq_steps)
		cpu_relax();
}

/* --- The timer interrupt --------------------------------------------- */

void stress_tick(void)
{
	struct irq_worker *q = &e.irq[this_hart()]; /* interrupts are off */
	unsigned int me = this_hart(), i;

	for (i = 0; i < IRQ_STEPS; i++) {
		struct block *b = &q->slot[prng_below(&q->rng, IRQ_SLOTS)];
		bool pages = prng_below(&q->rng, 4) == 0;
		size_t size = pages ? (1 + prng_below(&q->rng, 2)) * PAGE_SIZE
				    : 1 + prng_below(&q->rng, IRQ_LARGEST);

		if (b->p) {
			check_and_free(b, me, &q->corruptions);
			b->p = NULL;
			q->frees++;
		} else if (make(b, pages ? STRESS_PAGES : STRESS_RANDOM, size,
				me, ++q->seq)) {
			q->allocs++;
		} else {
			q->failures++;
		}
	}
	WRITE_ONCE(q->steps, q->steps + 1);
}

/* --- Begin and end ---------------------------------------------------- */

/*
 * What must come back.  Before the two snapshots that are compared,
 * every cache gives back what it keeps for speed: kmem_cache_shrink_all
 * drains every hart's magazine of every cache onto the slabs, and gives
 * back every empty slab (each cache keeps its last one otherwise), and
 * the headers of the slabs that held objects apart.  That is needed: a
 * free object in a magazine keeps its slab off the empty list, so the
 * pages in slabs and the objects in them would depend on which hart
 * freed what last.  After it, a cache holds exactly the slabs its live
 * objects are in, which are the same at the end as at the start.
 *
 * The per-hart magazines of free pages need no drain: the free pages
 * counted include them, and a page in one is in no slab and no run.
 * Where the free pages lie (the free blocks of each order, the largest
 * block) does depend on them, so those are not compared.
 */
void stress_settled_stats(struct memory_stats *st)
{
	kmem_cache_shrink_all();
	get_memory_stats(st);
}

#define FIGURE(name, field) name, offsetof(struct memory_stats, field)

static const struct {
	const char *name;
	size_t offset; /* of a size_t in struct memory_stats */
} figures[] = {
	{ FIGURE("free pages", pages.free) },
	{ FIGURE("pages in slabs", pages.for_slabs) },
	{ FIGURE("pages in large kmalloc blocks", pages.for_kmalloc) },
	{ FIGURE("slab caches", slab_caches) },
	{ FIGURE("objects in use", slab_active) },
	{ FIGURE("objects in slabs", slab_total) },
	{ FIGURE("pages the caches hold", slab_pages) },
	{ FIGURE("kmalloc bytes in use", kmalloc_bytes) },
};

static size_t figure(const struct memory_stats *st, size_t offset)
{
	return *(const size_t *)((const char *)st + offset);
}

unsigned int stress_stats_differ(const struct memory_stats *before,
				 const struct memory_stats *now)
{
	unsigned int i, differ = 0;

	for (i = 0; i < ARRAY_SIZE(figures); i++) {
		size_t a = figure(before, figures[i].offset);
		size_t b = figure(now, figures[i].offset);

		if (a == b)
			continue;
		differ++;
		printk("stress: %s: %lu at the start, %lu now\n",
		       figures[i].name, (unsigned long)a, (unsigned long)b);
	}
	return differ;
}

bool stress_begin(const struct stress_config *config)
{
	struct page_stats ps;
	char name[32], letters[8];
	size_t budget;
	unsigned int h;

	if (!config->round_ops || (!config->rounds && !config->seconds) ||
	    config->fixed_size > SLAB_MAX_OBJECT) {
		printk("stress: nothing to run: a round needs operations, the run rounds or seconds, and fixed sizes are up to 4096 bytes\n");
		return false;
	}
	if (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE)) {
		printk("stress: another run is on\n");
		return false;
	}
	memset(&e, 0, sizeof(e));
	e.config = *config;
	e.harts = nr_harts_online();
	stress_settled_stats(&e.start); /* before the run's own cache */
	if (!e.config.fixed_size)
		e.config.fixed_size = DEFAULT_FIXED;
	if (e.config.every_pattern || config->pattern.sizes == STRESS_FIXED) {
		e.cache = kmem_cache_create("stress-fixed", e.config.fixed_size,
					    0, 0, NULL);
		if (!e.cache) {
			printk("stress: no memory for the cache of fixed sizes\n");
			__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
			return false;
		}
	}
	reset_memory_watermarks();
	page_get_stats(&ps);
	e.start_used = ps.total - ps.free;
	e.start_reports = mm_report_count();
	budget = ps.free * PAGE_SIZE / BUDGET_SHARE / e.harts;
	for (h = 0; h < e.harts; h++) {
		prng_seed(&e.w[h].rng, config->seed * MAX_HARTS + h);
		prng_seed(&e.irq[h].rng, config->seed * MAX_HARTS + h + 0x1a9);
		e.irq[h].seq = (unsigned long)(0x80 + h)
			       << (8 * sizeof(long) - 8);
		e.w[h].budget = budget;
	}
	pattern_name(&e.config, name, sizeof(name));
	if (e.config.rounds)
		printk("stress: pattern %s on %u harts%s, %u rounds of %lu operations a hart, seed %llu\n",
		       name, e.harts,
		       e.config.irq ? " and in the timer interrupt" : "",
		       e.config.rounds, e.config.round_ops,
		       (unsigned long long)e.config.seed);
	else
		printk("stress: pattern %s on %u harts%s, rounds of %lu operations a hart for %u s, seed %llu\n",
		       name, e.harts,
		       e.config.irq ? " and in the timer interrupt" : "",
		       e.config.round_ops, e.config.seconds,
		       (unsigned long long)e.config.seed);
	mm_debug_letters(mm_debug_flags(), letters);
	printk("stress: memory debugging mm.debug=%s\n", letters);
	if (e.config.print_series)
		printk("frag,ms,ops,free_pages,largest_block,fragmentation,unusable_0,unusable_1,unusable_2,unusable_3,unusable_4,unusable_5,unusable_6,unusable_7,unusable_8,unusable_9,unusable_10\n");
	e.start_ns = time_ns();
	sample();
	return true;
}

/* Give back what the timer interrupt still holds (it runs no more). */
static void free_irq_blocks(unsigned int me)
{
	unsigned int h, i;

	for (h = 0; h < MAX_HARTS; h++) {
		for (i = 0; i < IRQ_SLOTS; i++) {
			struct block *b = &e.irq[h].slot[i];

			if (!b->p)
				continue;
			check_and_free(b, me, &e.irq[h].corruptions);
			b->p = NULL;
			e.irq[h].frees++;
		}
	}
}

static void add_up(struct stress_result *r)
{
	unsigned int h;

	for (h = 0; h < MAX_HARTS; h++) {
		const struct worker *w = &e.w[h];
		const struct irq_worker *q = &e.irq[h];

		r->allocs += w->allocs + q->allocs;
		r->frees += w->frees + q->frees;
		r->irq_allocs += q->allocs;
		r->irq_frees += q->frees;
		r->cross_hart_frees += w->cross_hart_frees;
		r->failures += w->failures + q->failures;
		r->corruptions += w->corruptions + q->corruptions;
		r->corrupted += w->corrupted;
	}
}

static unsigned int whole(unsigned int thousandths)
{
	return thousandths / 1000;
}

static unsigned int part(unsigned int thousandths)
{
	return thousandths % 1000;
}

static void print_summary(const struct stress_result *r, bool passed)
{
	printk("stress: %lu operations in %u rounds, %llu ms: %lu allocations, %lu frees (%lu and %lu in the timer interrupt), %lu frees on another hart than the block's\n",
	       r->allocs + r->frees, r->rounds, (unsigned long long)r->ms,
	       r->allocs, r->frees, r->irq_allocs, r->irq_frees,
	       r->cross_hart_frees);
	printk("stress: %lu failed allocations, %lu blocks changed behind the allocator's back (%lu spoilt on purpose), %lu mm reports, %u page_validate failures\n",
	       r->failures, r->corruptions, r->corrupted, r->reports,
	       r->validate_failures);
	printk("stress: peak %lu pages in use (%lu at the start); fragmentation from %u.%03u to %u.%03u in %u samples, %u.%03u at the end\n",
	       (unsigned long)r->peak_used, (unsigned long)r->start_used,
	       whole(r->frag_min), part(r->frag_min), whole(r->frag_max),
	       part(r->frag_max), r->samples, whole(r->frag_last),
	       part(r->frag_last));
	if (!r->stats_differ)
		printk("stress: every page came back: %lu pages free, %lu in slabs, %lu objects in use, as at the start\n",
		       (unsigned long)e.start.pages.free,
		       (unsigned long)e.start.pages.for_slabs,
		       (unsigned long)e.start.slab_active);
	else
		printk("stress: %u figures are not back at their start values (above)\n",
		       r->stats_differ);
	printk("stress: %s\n", passed ? "passed" : "FAILED");
}

bool stress_end(struct stress_result *r)
{
	struct memory_stats now;
	struct page_stats ps;
	bool passed;

	memset(r, 0, sizeof(*r));
	free_irq_blocks(my_hart_id());
	if (e.cache && kmem_cache_destroy(e.cache) == 0)
		e.cache = NULL; /* else it is kept, and the figures say so */
	sample();
	add_up(r);
	r->ms = (time_ns() - e.start_ns) / 1000000;
	r->rounds = e.round;
	r->samples = e.samples;
	r->frag_min = e.frag_min;
	r->frag_max = e.frag_max;
	r->frag_last = e.frag_last;
	page_get_stats(&ps);
	r->start_used = e.start_used;
	r->peak_used = ps.peak_taken;
	stress_settled_stats(&now);
	r->stats_differ = stress_stats_differ(&e.start, &now);
	r->validate_failures = e.validate_errors + (page_validate() != 0);
	r->reports = mm_report_count() - e.start_reports;
	passed = r->allocs == r->frees && !r->failures && !r->corruptions &&
		 !r->reports && !r->stats_differ && !r->validate_failures;
	print_summary(r, passed);
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	return passed;
}

bool stress_run(const struct stress_config *config,
		struct stress_result *result,
		unsigned int (*on_each_hart)(void (*fn)(void *arg), void *arg))
{
	bool ran;

	memset(result, 0, sizeof(*result));
	if (config->irq) {
		printk("stress: stress_run has no timer interrupt: stress_run_kernel has\n");
		return false;
	}
	if (!stress_begin(config))
		return false;
	ran = on_each_hart(stress_worker, NULL) == e.harts;
	if (!ran)
		printk("stress: the workers did not run on every hart\n");
	return stress_end(result) && ran;
}
