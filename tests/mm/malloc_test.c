/*
 * malloc_test.c - basic behaviour of malloc/free.
 */
#include <kernel/ktest.h>
#include <kernel/malloc.h>
#include <kernel/page.h>
#include <kernel/string.h>

KTEST(malloc, blocks_are_aligned_usable_and_disjoint)
{
	uint8_t *blocks[32];
	size_t size;
	int i, j;

	for (i = 0; i < 32; i++) {
		size = 1 + (size_t)i * 37;
		blocks[i] = malloc(size);
		KASSERT_NOT_NULL(t, blocks[i]);
		KEXPECT_TRUE(t, IS_ALIGNED((uintptr_t)blocks[i], 8));
		memset(blocks[i], i, size);
	}
	for (i = 0; i < 32; i++) {
		size = 1 + (size_t)i * 37;
		for (j = 0; j < (int)size; j++)
			if (blocks[i][j] != i)
				break;
		KEXPECT_EQ(t, j, (int)size); /* nobody wrote over it */
		free(blocks[i]);
	}
}

KTEST(malloc, freed_memory_is_reused)
{
	void *warm = malloc(64);
	size_t pages;
	int i;

	free(warm);
	pages = page_free_count();
	for (i = 0; i < 1000; i++) {
		void *p = malloc(200);

		KASSERT_NOT_NULL(t, p);
		free(p);
	}
	KEXPECT_EQ(t, page_free_count(), pages);
}

KTEST(malloc, zero_size_returns_null)
{
	KEXPECT_NULL(t, malloc(0));
	free(NULL);
}

KTEST(malloc, double_free_is_refused)
{
	void *a = malloc(48), *b;

	KASSERT_NOT_NULL(t, a);
	free(a);
	free(a); /* reported, changes nothing */
	a = malloc(48);
	b = malloc(48);
	KEXPECT_NOT_NULL(t, a);
	KEXPECT_NOT_NULL(t, b);
	KEXPECT_TRUE(t, a != b);
	free(a);
	free(b);
}
