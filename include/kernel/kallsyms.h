/*
 * kallsyms.h - the names of the code's own addresses.
 *
 * The build links every image twice and puts a table of its functions,
 * made from `nm` of the first link, at the end of the second
 * (scripts/kallsyms.py, lib/kallsyms.c).  printk's %pS and %pB print
 * through it: "kmem_cache_free+0x1a".
 */
#ifndef KERNEL_KALLSYMS_H
#define KERNEL_KALLSYMS_H

#include <kernel/compiler.h>

/*
 * The name of the function that holds addr, with its size in *size and
 * addr's offset in it in *offset; NULL, with neither written, for an
 * address outside the code or between two functions.
 */
const char *kallsyms_lookup(uintptr_t addr, size_t *size, size_t *offset);

/*
 * The function called name: its first address in *start and its size;
 * false if there is none.  A walk through the whole table: for the
 * shell, not for fast paths.
 */
bool kallsyms_find(const char *name, uintptr_t *start, size_t *size);

/* The code the table covers: [*start, *end), both 0 if it is empty. */
void kallsyms_code_range(uintptr_t *start, uintptr_t *end);

#endif /* KERNEL_KALLSYMS_H */
