/*
 * fault_inject.c - allocations made to fail on purpose (include/kernel/
 * fault_inject.h): the knobs of each kind, and should_fail, which the
 * allocators' slow paths ask.
 *
 * Each kind's state sits under a leaf lock, taken only while something
 * is armed, so it costs nothing when nothing is injected.  should_fail
 * may be called with allocator locks held (a new slab's pages), so it
 * never changes the magazines: only setting the knobs does.  Arming and disarming tell the
 * allocators to empty their magazines or fill them again
 * (mm_refresh_magazines), so that while armed every allocation passes a
 * slow path and meets the check.
 */
#include <kernel/fault_inject.h>
#include <kernel/prng.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include "internal.h"

struct fault {
	struct spinlock lock;
	bool armed;
	struct fault_knobs k;
	struct fault_counts n;
	unsigned long seen; /* candidates since set, for the interval */
	struct prng prng;
};

static struct fault faults[FAULT_KINDS] = {
	[FAULT_SLAB] = { .lock = SPINLOCK_INIT("fail.slab", LOCK_LEVEL_LEAF) },
	[FAULT_PAGE] = { .lock = SPINLOCK_INIT("fail.page", LOCK_LEVEL_LEAF) },
};

static unsigned int nr_armed;

/*
 * fail-nth: the allocations still to go (0: none fails).  It stays armed
 * after its failure, until set again: disarming refills the magazines,
 * which must not happen inside an allocation.
 */
static DEFINE_SPINLOCK(nth_lock, "fail-nth", LOCK_LEVEL_LEAF);
static unsigned long nth_left;
static bool nth_armed;

bool fault_inject_armed(void)
{
	return __atomic_load_n(&nr_armed, __ATOMIC_RELAXED) != 0;
}

/* Count one more or one less armed, and tell the allocators. */
static void count_armed(bool was, bool armed)
{
	if (was == armed)
		return;
	__atomic_fetch_add(&nr_armed, armed ? 1 : -1, __ATOMIC_RELAXED);
	mm_refresh_magazines();
}

static void set_armed(struct fault *f, bool armed)
{
	bool was;

	acquire(&f->lock);
	was = f->armed;
	f->armed = armed;
	release(&f->lock);
	count_armed(was, armed);
}

void fault_inject_fail_nth(unsigned long n)
{
	bool was;

	acquire(&nth_lock);
	was = nth_armed;
	nth_armed = n != 0;
	nth_left = n;
	release(&nth_lock);
	count_armed(was, n != 0);
}

unsigned long fault_inject_nth_left(void)
{
	unsigned long left;

	acquire(&nth_lock);
	left = nth_left;
	release(&nth_lock);
	return left;
}

/* Is this the allocation fail-nth waits for? */
static bool nth_is_now(void)
{
	bool now = false;

	acquire(&nth_lock);
	if (nth_left)
		now = --nth_left == 0;
	release(&nth_lock);
	return now;
}

void fault_inject_set(enum fault_kind kind, const struct fault_knobs *k)
{
	struct fault *f = &faults[kind];

	acquire(&f->lock);
	f->k = *k;
	memset(&f->n, 0, sizeof(f->n));
	f->seen = 0;
	prng_seed(&f->prng, k->seed);
	release(&f->lock);
	set_armed(f, true);
}

void fault_inject_off(enum fault_kind kind)
{
	set_armed(&faults[kind], false);
}

bool fault_inject_get(enum fault_kind kind, struct fault_knobs *k,
		      struct fault_counts *c)
{
	struct fault *f = &faults[kind];
	bool armed;

	acquire(&f->lock);
	armed = f->armed;
	if (k)
		*k = f->k;
	if (c)
		*c = f->n;
	if (k && !f->armed)
		memset(k, 0, sizeof(*k));
	release(&f->lock);
	return armed;
}

/* Does the call pass the filters? */
static bool is_candidate(const struct fault_knobs *k, const char *cache,
			 unsigned int order, uintptr_t caller)
{
	if (k->cache && (!cache || strcmp(k->cache, cache) != 0))
		return false;
	if (order < k->min_order || (k->max_order && order > k->max_order))
		return false;
	if ((k->site_start || k->site_end) &&
	    (caller < k->site_start || caller >= k->site_end))
		return false;
	return true;
}

/* The candidate's verdict, in Linux's order: space, interval, chance. */
static bool __decide(struct fault *f, size_t bytes)
{
	struct fault_knobs *k = &f->k;

	if (k->times == 0)
		return false;
	if (k->space >= bytes) {
		k->space -= bytes;
		return false;
	}
	k->space = 0;
	if (k->interval > 1 && f->seen % k->interval)
		return false;
	return prng_below(&f->prng, 100) < k->probability;
}

bool should_fail(enum fault_kind kind, const char *cache, unsigned int order,
		 size_t bytes, uintptr_t caller)
{
	struct fault *f = &faults[kind];
	bool fail = false;

	if (!fault_inject_armed())
		return false;
	if (nth_is_now())
		return true;
	acquire(&f->lock);
	if (f->armed && is_candidate(&f->k, cache, order, caller)) {
		f->seen++;
		f->n.candidates++;
		fail = __decide(f, bytes);
		if (fail) {
			f->n.failed++;
			if (f->k.times > 0)
				f->k.times--;
		}
	}
	release(&f->lock);
	return fail;
}

/* One unsigned number off *s, then the separator or the end. */
static bool parse_number(const char **s, unsigned long long *out)
{
	char *end;

	if (**s < '0' || **s > '9')
		return false;
	*out = strtoul(*s, &end, 0);
	*s = end;
	if (**s == ',')
		(*s)++;
	else if (**s)
		return false;
	return true;
}

bool fault_knobs_parse(const char *text, struct fault_knobs *k)
{
	unsigned long long v[5] = { 0 };
	const char *s = text;
	struct fault_knobs parsed = *k;
	long times;
	int n;

	for (n = 0; n < 5 && *s; n++) {
		if (n == 3 && *s == '-') { /* times -1: no end */
			s++;
			if (!parse_number(&s, &v[n]) || v[n] != 1)
				return false;
			v[n] = (unsigned long long)-1;
			continue;
		}
		if (!parse_number(&s, &v[n]))
			return false;
	}
	if (n < 4 || *s || v[1] > 100)
		return false;
	times = (long)v[3];
	parsed.interval = (unsigned int)v[0];
	parsed.probability = (unsigned int)v[1];
	parsed.space = (size_t)v[2];
	parsed.times = times;
	parsed.seed = v[4];
	*k = parsed;
	return true;
}
