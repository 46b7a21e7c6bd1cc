/*
 * sort.c - heapsort and a natural merge sort (include/kernel/sort.h).
 *
 * sort: the array becomes a max-heap in place, the parent of element i
 * being (i - 1) / 2; then the largest element is swapped to the end, the
 * heap shrinks by one and the new root sinks to its place, n times.  Each
 * sink is at most log2(n) steps, so a sort costs O(n log n) comparisons,
 * worst case included, with no recursion and no memory beyond a few
 * words.  Elements whose size and address are multiples of a word are
 * swapped a word at a time, others a byte at a time.
 *
 * merge_sort: each pass merges pairs of neighbouring runs (stretches
 * already in order) into a buffer, which then becomes the source of the
 * next pass.  An array made of r sorted runs takes ceil(log2 r) passes of
 * n comparisons and copies each, and a sorted one a single pass: much
 * less than a heapsort when the input comes in runs, as the list of
 * blocks the leak scanner sorts does (a slab's objects in order).
 */
#include <kernel/sort.h>
#include <kernel/string.h>

static void swap_words(void *a, void *b, size_t size)
{
	unsigned long *x = a, *y = b, t;
	size_t i;

	for (i = 0; i < size / sizeof(long); i++) {
		t = x[i];
		x[i] = y[i];
		y[i] = t;
	}
}

static void swap_bytes(void *a, void *b, size_t size)
{
	unsigned char *x = a, *y = b, t;
	size_t i;

	for (i = 0; i < size; i++) {
		t = x[i];
		x[i] = y[i];
		y[i] = t;
	}
}

/* Let element i sink below its larger children, in a heap of n. */
static void sift_down(char *base, size_t i, size_t n, size_t size,
		      int (*cmp)(const void *, const void *),
		      void (*swap)(void *, void *, size_t))
{
	size_t child;

	while ((child = 2 * i + 1) < n) {
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + i * size, base + child * size) >= 0)
			return;
		swap(base + i * size, base + child * size, size);
		i = child;
	}
}

void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *a, const void *b))
{
	void (*swap)(void *, void *, size_t) = swap_bytes;
	char *b = base;
	size_t i;

	if (num < 2)
		return;
	if (IS_ALIGNED(size, sizeof(long)) &&
	    IS_ALIGNED((uintptr_t)base, sizeof(long)))
		swap = swap_words;
	for (i = num / 2; i-- > 0;) /* make the heap */
		sift_down(b, i, num, size, cmp, swap);
	for (i = num - 1; i > 0; i--) { /* take the largest, again and again */
		swap(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp, swap);
	}
}

/* The end of the run that starts at element i: where the order breaks. */
static size_t run_end(const char *a, size_t i, size_t num, size_t size,
		      int (*cmp)(const void *, const void *))
{
	for (i++; i < num && cmp(a + (i - 1) * size, a + i * size) <= 0; i++)
		;
	return i;
}

/* Merge src's runs [i, mid) and [mid, end) into dst, from element i on. */
static void merge(char *dst, const char *src, size_t i, size_t mid, size_t end,
		  size_t size, int (*cmp)(const void *, const void *))
{
	size_t a = i, b = mid, out = i;

	while (a < mid && b < end) {
		/* <= keeps equal elements in their order: a stable merge */
		if (cmp(src + a * size, src + b * size) <= 0)
			memcpy(dst + out++ * size, src + a++ * size, size);
		else
			memcpy(dst + out++ * size, src + b++ * size, size);
	}
	if (a < mid) /* what is left of one run, in one copy */
		memcpy(dst + out * size, src + a * size, (mid - a) * size);
	else if (b < end)
		memcpy(dst + out * size, src + b * size, (end - b) * size);
}

void merge_sort(void *base, size_t num, size_t size,
		int (*cmp)(const void *a, const void *b), void *tmp)
{
	char *src = base, *dst = tmp, *t;
	size_t i, mid, end, merges;

	if (num < 2)
		return;
	do {
		merges = 0;
		for (i = 0; i < num; i = end, merges++) {
			mid = run_end(src, i, num, size, cmp);
			end = mid < num ? run_end(src, mid, num, size, cmp)
					: num;
			merge(dst, src, i, mid, end, size, cmp);
		}
		t = src; /* this pass's output is the next one's input */
		src = dst;
		dst = t;
	} while (merges > 1);
	if (src != base)
		memcpy(base, src, num * size);
}
