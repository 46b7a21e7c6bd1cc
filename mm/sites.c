/*
 * sites.c - the live tracked allocations grouped by the code that made
 * them (include/kernel/mm_debug.h: mm_sites, mm_mark), for the shell's
 * "leaks since": the quickest way to see what a command or a test leaves
 * behind is to set a mark, run it, and list what was allocated since and
 * is still there.
 *
 * The blocks made since the mark are copied (mm/tracked.c), sorted by
 * site, counted in runs of one site, and the runs sorted by bytes.
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/sort.h>
#include "internal.h"

static bool made_since(void *elem, const struct mm_block *b, void *arg)
{
	struct mm_site *s = elem;
	uint32_t since_ms = *(const uint32_t *)arg;

	if (since_ms && b->alloc.uptime_ms < since_ms)
		return false;
	s->site = b->alloc.site;
	s->count = 1;
	s->bytes = b->alloc.bytes ? b->alloc.bytes : b->size;
	return true;
}

static int by_site(const void *a, const void *b)
{
	uintptr_t x = ((const struct mm_site *)a)->site;
	uintptr_t y = ((const struct mm_site *)b)->site;

	return x < y ? -1 : x > y;
}

/* The most bytes first; of equal bytes, the most allocations. */
static int by_bytes(const void *a, const void *b)
{
	const struct mm_site *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return by_site(a, b);
}

long mm_sites(uint32_t since_ms, struct mm_site *out, size_t max)
{
	struct tracked_copy tc;
	struct mm_site *s;
	size_t i, sites = 0;

	if (!tracked_copy(&tc, sizeof(*s), made_since, &since_ms))
		return -1;
	s = tc.elems;
	sort(s, tc.n, sizeof(*s), by_site);
	for (i = 0; i < tc.n; i++) { /* each site's run into one group */
		if (sites && s[sites - 1].site == s[i].site) {
			s[sites - 1].count++;
			s[sites - 1].bytes += s[i].bytes;
		} else {
			s[sites++] = s[i];
		}
	}
	sort(s, sites, sizeof(*s), by_bytes);
	for (i = 0; i < sites && i < max; i++)
		out[i] = s[i];
	tracked_copy_free(&tc);
	return (long)sites;
}

static uint32_t now_ms(void)
{
	return (uint32_t)(time_ns() / 1000000);
}

uint32_t mm_mark(void)
{
	uint32_t start = now_ms(), ms;

	/*
	 * Tracks are stamped in whole milliseconds (mm_track_here): wait
	 * for the next one, so that no allocation made before the mark
	 * shares its millisecond.  At most a millisecond of waiting.
	 */
	while ((ms = now_ms()) == start)
		cpu_relax();
	return ms;
}
