/*
 * debug.c - the memory debugging switches of include/kernel/mm_debug.h:
 * which features are on, and their letters.
 */
#include <kernel/mm_debug.h>
#include <kernel/string.h>

static const char letters_of[] = "FZPUL"; /* bit i is letters_of[i] */

static unsigned int debug_flags;

unsigned int mm_debug_flags(void)
{
	return __atomic_load_n(&debug_flags, __ATOMIC_RELAXED);
}

int mm_debug_setup(const char *letters)
{
	unsigned int flags = 0;
	const char *p, *at;

	for (p = letters; *p && *p != '-'; p++) {
		at = strchr(letters_of, *p);
		if (!at)
			return -1;
		flags |= 1u << (at - letters_of);
	}
	if (flags & MM_DEBUG_LEAKS)
		flags |= MM_DEBUG_TRACK; /* the scan needs to know the blocks */
	__atomic_store_n(&debug_flags, flags, __ATOMIC_RELAXED);
	return 0;
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
