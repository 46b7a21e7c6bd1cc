/*
 * page_test.c - basic behaviour of the page allocator, through its public
 * interface, on the kernel's memory (QEMU) or a host buffer.
 */
#include <kernel/ktest.h>
#include <kernel/page.h>
#include <kernel/string.h>

KTEST(page, alloc_one_gives_an_aligned_usable_page)
{
	size_t before = page_free_count();
	uint8_t *p = page_alloc(1);

	KASSERT_NOT_NULL(t, p);
	KEXPECT_TRUE(t, IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
	KEXPECT_EQ(t, page_free_count(), before - 1);
	memset(p, 0xa5, PAGE_SIZE);
	KEXPECT_EQ(t, p[PAGE_SIZE - 1], 0xa5);
	page_free(p);
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, runs_do_not_overlap)
{
	uint8_t *a = page_alloc(3), *b = page_alloc(1), *c = page_alloc(2);

	KASSERT_NOT_NULL(t, a);
	KASSERT_NOT_NULL(t, b);
	KASSERT_NOT_NULL(t, c);
	KEXPECT_TRUE(t, b >= a + 3 * PAGE_SIZE || b + PAGE_SIZE <= a);
	KEXPECT_TRUE(t, c >= a + 3 * PAGE_SIZE || c + 2 * PAGE_SIZE <= a);
	KEXPECT_TRUE(t, c >= b + PAGE_SIZE || c + 2 * PAGE_SIZE <= b);
	page_free(b);
	page_free(a);
	page_free(c);
}

KTEST(page, free_gives_back_the_whole_run)
{
	size_t before = page_free_count();
	void *p = page_alloc(5);

	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, page_free_count(), before - 5);
	page_free(p);
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, alloc_zero_and_too_large_return_null)
{
	size_t before = page_free_count();

	KEXPECT_NULL(t, page_alloc(0));
	KEXPECT_NULL(t, page_alloc(page_total_count() + 1));
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(page, double_free_is_refused)
{
	size_t before = page_free_count();
	void *p = page_alloc(2);

	KASSERT_NOT_NULL(t, p);
	page_free(p);
	page_free(p); /* reported, changes nothing */
	KEXPECT_EQ(t, page_free_count(), before);
	page_free(NULL);
	KEXPECT_EQ(t, page_free_count(), before);
}
