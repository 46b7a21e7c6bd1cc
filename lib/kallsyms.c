/*
 * kallsyms.c - name a code address: "function+0xoffset".
 *
 * scripts/kallsyms.py makes the table from `nm` of the image's first link
 * and the Makefile links it into the second, in .kallsyms, after all else
 * (arch/riscv/kernel.ld; the host binary's linker puts it after the
 * code): its size moves no code, and the build checks that the final
 * image's code is the one the table describes.  The first link has an
 * empty table (n = 0), which names nothing.
 *
 * The table, every word 32 bits; offsets in bytes from the text base:
 *
 *	 word                   holds
 *	+--------------------+
 *	| n                  |  0          entries
 *	| anchor             |  1          offset of kallsyms_lookup itself
 *	+--------------------+
 *	| start[0] = 0       |  2          ascending: entry i is the code
 *	| start[1]           |             [start[i], start[i + 1])
 *	| ...                |
 *	| start[n] = end     |  n + 2      the end of the code
 *	+--------------------+
 *	| name[0]            |  n + 3      entry i's name, at names + name[i];
 *	| ...                |             0, the empty name, for the bytes
 *	| name[n - 1]        |  2n + 2     between two functions (padding)
 *	+--------------------+
 *	| names              |  2n + 3     "\0_start\0trap_entry\0...": each
 *	+--------------------+             name once, NUL-terminated
 *
 * The text base is the first function's address.  The kernel is linked
 * at a fixed address and the host runner is a PIE loaded anywhere: both
 * find the base the same way, as the address of kallsyms_lookup minus
 * its offset in the table.  About 8 bytes an entry plus the names.
 *
 * kallsyms_lookup() is a binary search: about 10 steps for 550 functions.
 * kallsyms_find(), by name, walks the table.
 */
#include <kernel/kallsyms.h>
#include <kernel/string.h>

/* scripts/kallsyms.py: the words drawn above, then the names. */
extern const uint32_t kallsyms_table[];

#define KALLSYMS_HEADER_WORDS 2

static inline uint32_t nr_entries(void)
{
	return kallsyms_table[0];
}

/* start[i] for 0 <= i <= n. */
static inline const uint32_t *entry_starts(void)
{
	return &kallsyms_table[KALLSYMS_HEADER_WORDS];
}

static inline const uint32_t *entry_names(void)
{
	return entry_starts() + nr_entries() + 1;
}

static inline const char *name_blob(void)
{
	return (const char *)(entry_names() + nr_entries());
}

static inline uintptr_t text_base(void)
{
	return (uintptr_t)kallsyms_lookup - kallsyms_table[1];
}

bool kallsyms_find(const char *name, uintptr_t *start, size_t *size)
{
	const uint32_t *at = entry_starts();
	uint32_t i;

	for (i = 0; i < nr_entries(); i++) {
		if (entry_names()[i] == 0 ||
		    strcmp(name_blob() + entry_names()[i], name) != 0)
			continue;
		*start = text_base() + at[i];
		*size = at[i + 1] - at[i];
		return true;
	}
	return false;
}

void kallsyms_code_range(uintptr_t *start, uintptr_t *end)
{
	*start = *end = 0;
	if (nr_entries() == 0)
		return;
	*start = text_base() + entry_starts()[0];
	*end = text_base() + entry_starts()[nr_entries()];
}

const char *kallsyms_lookup(uintptr_t addr, size_t *size, size_t *offset)
{
	const uint32_t *start = entry_starts();
	uint32_t n = nr_entries();
	/* Below the base, the difference wraps round to a large number. */
	uintptr_t off = addr - text_base();
	uint32_t lo = 0, hi = n;

	if (off >= start[n])
		return NULL;
	/* The last entry at or before off: start[lo] <= off < start[hi]. */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	if (entry_names()[lo] == 0)
		return NULL;
	*size = start[lo + 1] - start[lo];
	*offset = off - start[lo];
	return name_blob() + entry_names()[lo];
}
