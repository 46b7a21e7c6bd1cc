/*
 * debug.c - the memory debugging switches of include/kernel/mm_debug.h:
 * which features are on, and their letters.
 */
#include <kernel/mm_debug.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "internal.h"
#include "slab.h"

static const char letters_of[] = "FZPULW"; /* bit i is letters_of[i] */

static unsigned int debug_flags;

unsigned int mm_debug_flags(void)
{
	return __atomic_load_n(&debug_flags, __ATOMIC_RELAXED);
}

bool mm_debug_parse(const char *letters, unsigned int *flags)
{
	const char *p, *at;

	*flags = 0;
	for (p = letters; *p && *p != '-'; p++) {
		at = strchr(letters_of, *p);
		if (!at)
			return false;
		*flags |= 1u << (at - letters_of);
	}
	if (*flags & MM_DEBUG_LEAKS)
		*flags |=
			MM_DEBUG_TRACK; /* the scan needs to know the blocks */
	return true;
}

int mm_debug_setup(const char *letters)
{
	unsigned int flags;

	if (!mm_debug_parse(letters, &flags))
		return -1;
	__atomic_store_n(&debug_flags, flags, __ATOMIC_RELAXED);
	return 0;
}

struct set_caches {
	unsigned int layout; /* the Z, P and U asked for */
	bool checks;
	unsigned int differ;
};

static void set_cache(struct kmem_cache *c, void *arg)
{
	struct set_caches *sc = arg;
	struct kmem_cache_stats s;

	kmem_cache_debug_checks(c, sc->checks);
	kmem_cache_get_stats(c, &s);
	if ((s.debug & ~MM_DEBUG_CHECKS) != sc->layout)
		sc->differ++;
}

unsigned int mm_debug_set(unsigned int flags)
{
	struct set_caches sc = {
		.layout = flags & (MM_DEBUG_REDZONE | MM_DEBUG_POISON |
				   MM_DEBUG_TRACK | MM_DEBUG_WATCH),
		.checks = flags & MM_DEBUG_CHECKS,
	};

	__atomic_store_n(&debug_flags, flags, __ATOMIC_RELAXED);
	page_debug_set(flags);
	kmem_cache_for_each(set_cache, &sc);
	return sc.differ;
}

static void refresh_cache(struct kmem_cache *c, void *arg)
{
	(void)arg;
	kmem_cache_refresh_magazines(c);
}

void mm_refresh_magazines(void)
{
	page_refresh_magazines();
	kmem_cache_for_each(refresh_cache, NULL);
}

unsigned int mm_debug_page_flags(void)
{
	return page_debug_flags();
}

void mm_debug_letters(unsigned int flags, char buf[8])
{
	unsigned int i, n = 0;

	for (i = 0; letters_of[i]; i++)
		if (flags & (1u << i))
			buf[n++] = letters_of[i];
	if (!n)
		buf[n++] = '-';
	buf[n] = '\0';
}
