/*
 * sort.h - sort an array (lib/sort.c).  sort() is Linux's lib/sort.c's
 * way: heapsort, in place, O(n log n) at worst, with no recursion and no
 * memory of its own, not stable.  merge_sort() takes a buffer and is
 * much faster on an array that is mostly in order already.
 *
 *	static int by_start(const void *a, const void *b) { ... }
 *	sort(blocks, n, sizeof(*blocks), by_start);
 */
#ifndef KERNEL_SORT_H
#define KERNEL_SORT_H

#include <kernel/compiler.h>

/* cmp returns <0, 0 or >0 as a sorts before, with or after b. */
void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *a, const void *b));

/*
 * The same, stable, by merging the runs already in order: O(n log r) for
 * an array made of r sorted runs, O(n log n) at worst.  tmp must have
 * room for num elements; the result ends in base.
 */
void merge_sort(void *base, size_t num, size_t size,
		int (*cmp)(const void *a, const void *b), void *tmp);

#endif /* KERNEL_SORT_H */
