/*
 * kmalloc_test.c - kmalloc and friends (mm/kmalloc.c): every size up to
 * KMALLOC_MAX_CACHED, the rounding waste, large requests, kzalloc,
 * krealloc, and frees that must be refused.
 *
 * "Objects in use" is the sum of the active counts of kmalloc's caches,
 * so the cases need not know which cache serves which size.
 */
#include <kernel/ktest.h>
#include <kernel/mm_report.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/slab.h>
#include <kernel/string.h>
#include "one_report.h"

/* Free pages once every cache has given its empty slabs back. */
static size_t settled_free_pages(void)
{
	kmem_cache_shrink_all();
	return page_free_count();
}

static void add_active(struct kmem_cache *cache, void *arg)
{
	struct kmem_cache_stats s;

	kmem_cache_get_stats(cache, &s);
	if (strncmp(s.name, "kmalloc-", 8) == 0)
		*(size_t *)arg += s.active;
}

/* Objects handed out by all of kmalloc's caches together. */
static size_t objects_in_use(void)
{
	size_t n = 0;

	kmem_cache_for_each(add_active, &n);
	return n;
}

static bool bytes_are(const void *p, size_t n, uint8_t v)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static bool is_power_of_two(size_t n)
{
	return n && !(n & (n - 1));
}

KTEST(kmalloc, every_size_is_usable_aligned_and_big_enough)
{
	size_t before = settled_free_pages(), in_use = objects_in_use();
	size_t size;

	for (size = 1; size <= KMALLOC_MAX_CACHED; size++) {
		/* Two neighbours: each may use all of its ksize. */
		uint8_t *a = kmalloc(size), *b = kmalloc(size);
		size_t align = is_power_of_two(size) ? MAX(size, 8) : 8;
		bool ok;

		KASSERT_NOT_NULL(t, a);
		KASSERT_NOT_NULL(t, b);
		ok = KEXPECT_EQ(t, (uintptr_t)a % align, 0) &&
		     KEXPECT_EQ(t, (uintptr_t)b % align, 0) &&
		     KEXPECT_GE(t, ksize(a), size) &&
		     KEXPECT_GE(t, ksize(b), size);
		if (ok) {
			memset(a, 0xa5, ksize(a));
			memset(b, 0x5a, ksize(b));
			ok = KEXPECT_TRUE(t, bytes_are(a, ksize(a), 0xa5)) &&
			     KEXPECT_TRUE(t, bytes_are(b, ksize(b), 0x5a));
		}
		kfree(a);
		kfree(b);
		if (!ok) {
			ktest_log(t, "first failure at size %lu",
				  (unsigned long)size);
			break;
		}
	}
	KEXPECT_EQ(t, objects_in_use(), in_use);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

KTEST(kmalloc, waste_is_at_most_a_quarter_from_64_bytes)
{
	size_t size, worst = 64, worst_ksize = 64;

	for (size = 64; size <= KMALLOC_MAX_CACHED; size++) {
		void *p = kmalloc(size);
		size_t usable = ksize(p);

		KASSERT_NOT_NULL(t, p);
		kfree(p);
		if (!KEXPECT_LE(t, usable * 4, size * 5)) {
			ktest_log(t, "kmalloc(%lu) takes %lu bytes",
				  (unsigned long)size, (unsigned long)usable);
			break;
		}
		if (usable * worst > worst_ksize * size) {
			worst = size;
			worst_ksize = usable;
		}
	}
	ktest_log(t, "worst: kmalloc(%lu) takes %lu bytes",
		  (unsigned long)worst, (unsigned long)worst_ksize);
}

KTEST(kmalloc, large_requests_come_from_the_page_allocator)
{
	static const size_t sizes[] = { KMALLOC_MAX_CACHED + 1, PAGE_SIZE,
					PAGE_SIZE + 1, 3 * PAGE_SIZE + 5 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t before = page_free_count();
		size_t pages = (sizes[i] + PAGE_SIZE - 1) / PAGE_SIZE;
		uint8_t *p = kmalloc(sizes[i]);

		KASSERT_NOT_NULL(t, p);
		KEXPECT_TRUE(t, IS_ALIGNED((uintptr_t)p, PAGE_SIZE));
		KEXPECT_GE(t, ksize(p), sizes[i]);
		KEXPECT_EQ(t, before - page_free_count(), pages);
		memset(p, 0x77, sizes[i]);
		KEXPECT_EQ(t, p[sizes[i] - 1], 0x77);
		kfree(p);
		KEXPECT_EQ(t, page_free_count(), before);
	}
}

/*
 * More than all memory, up to the largest size_t: refused with one
 * report in the bytes asked for (not in pages, which would overflow or
 * be made up), naming the caller.
 */
static __noinline void *kmalloc_too_much(size_t size)
{
	return kmalloc(size);
}

KTEST(kmalloc, a_request_larger_than_memory_is_refused_in_its_bytes)
{
	static const size_t sizes[] = { (size_t)-1, (size_t)-1 / 2 };
	struct mm_report r = { .bug = MM_BUGS };
	unsigned long before;
	char words[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		before = mm_report_count();
		KEXPECT_NULL(t, kmalloc_too_much(sizes[i]));
		if (!one_report(t, before, &r))
			continue;
		KEXPECT_EQ(t, r.bug, MM_BAD_CALL);
		KEXPECT_STREQ(t, r.where, "kmalloc");
		KEXPECT_TRUE(
			t, site_in(r.caller, (void (*)(void))kmalloc_too_much));
		snprintf(words, sizeof(words), "%lu bytes asked for",
			 (unsigned long)sizes[i]);
		KEXPECT_TRUE(t, strstr(r.detail, words) != NULL);
	}
}

KTEST(kmalloc, kzalloc_zeroes)
{
	static const size_t sizes[] = {
		1, 7, 8, 24, 100, 256, 1000, 2000, 2048, 3 * PAGE_SIZE + 5
	};
	size_t in_use = objects_in_use(), i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint8_t *p = kmalloc(sizes[i]);

		/* Dirty a block first: kzalloc will likely get it back. */
		KASSERT_NOT_NULL(t, p);
		memset(p, 0xff, ksize(p));
		kfree(p);
		p = kzalloc(sizes[i]);
		KASSERT_NOT_NULL(t, p);
		if (!KEXPECT_TRUE(t, bytes_are(p, sizes[i], 0)))
			ktest_log(t, "kzalloc(%lu) is not zeroed",
				  (unsigned long)sizes[i]);
		kfree(p);
	}
	KEXPECT_EQ(t, objects_in_use(), in_use);
}

static void fill_counting(uint8_t *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		p[i] = (uint8_t)(i * 7 + 1);
}

static bool counting(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)(i * 7 + 1))
			return false;
	return true;
}

KTEST(kmalloc, krealloc_keeps_contents_and_grows)
{
	size_t before = settled_free_pages(), in_use = objects_in_use();
	uint8_t *p, *q;

	/* krealloc(NULL, n) is kmalloc(n). */
	p = krealloc(NULL, 100);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_GE(t, ksize(p), 100);
	KEXPECT_EQ(t, objects_in_use(), in_use + 1);
	fill_counting(p, 0, 100);

	/* Grow within the caches. */
	q = krealloc(p, 1000);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_GE(t, ksize(q), 1000);
	KEXPECT_TRUE(t, counting(q, 100));
	KEXPECT_EQ(t, objects_in_use(), in_use + 1); /* the old one freed */
	fill_counting(q, 100, 1000);

	/* Grow into whole pages. */
	p = krealloc(q, 3 * PAGE_SIZE + 5);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_GE(t, ksize(p), 3 * PAGE_SIZE + 5);
	KEXPECT_TRUE(t, counting(p, 1000));
	KEXPECT_EQ(t, objects_in_use(), in_use);
	fill_counting(p, 1000, 3 * PAGE_SIZE + 5);

	/* Shrink: the contents that fit stay, maybe in the same block. */
	q = krealloc(p, 50);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_GE(t, ksize(q), 50);
	KEXPECT_TRUE(t, counting(q, 50));
	if (q == p)
		ktest_log(t, "shrinking kept the block");

	/* Grow a small block by a little. */
	p = krealloc(q, 60);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_GE(t, ksize(p), 60);
	KEXPECT_TRUE(t, counting(p, 50));

	kfree(p);
	KEXPECT_EQ(t, objects_in_use(), in_use);
	KEXPECT_EQ(t, settled_free_pages(), before);
}

/*
 * A block shrunk to less than half moves to a smaller one and gives its
 * space back; one shrunk less keeps its place.
 */
KTEST(kmalloc, krealloc_below_half_moves_to_a_smaller_block)
{
	uint8_t *p, *q;

	p = kmalloc(20000);
	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, ksize(p), 5 * PAGE_SIZE);
	fill_counting(p, 0, 17);
	q = krealloc(p, 17);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_TRUE(t, q != p);
	KEXPECT_LT(t, ksize(q), 64);
	KEXPECT_TRUE(t, counting(q, 17));

	p = krealloc(q, 13); /* more than half of its 24-byte block */
	KEXPECT_PTR_EQ(t, p, q);
	q = kmalloc(1000);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_PTR_EQ(t, krealloc(q, 600), q);
	kfree(p);
	kfree(q);
}

KTEST(kmalloc, kfree_null_is_a_no_op)
{
	size_t before = page_free_count(), in_use = objects_in_use();

	kfree(NULL);
	KEXPECT_EQ(t, ksize(NULL), 0);
	KEXPECT_EQ(t, objects_in_use(), in_use);
	KEXPECT_EQ(t, page_free_count(), before);
}

KTEST(kmalloc, bad_kfree_is_refused_and_changes_nothing)
{
	size_t in_use = objects_in_use(), pages;
	uint8_t *p = kmalloc(64), *big, *q, *r;

	KASSERT_NOT_NULL(t, p);
	KEXPECT_EQ(t, objects_in_use(), in_use + 1);
	memset(p, 0x3c, 64);

	/* Inside an object: reported, nothing freed. */
	kfree(p + 8);
	KEXPECT_EQ(t, objects_in_use(), in_use + 1);
	KEXPECT_GE(t, ksize(p), 64);
	KEXPECT_TRUE(t, bytes_are(p, 64, 0x3c));
	/* No size, so krealloc refuses it too. */
	KEXPECT_EQ(t, ksize(p + 8), 0);
	KEXPECT_NULL(t, krealloc(p + 8, 200));
	KEXPECT_EQ(t, objects_in_use(), in_use + 1);
	KEXPECT_TRUE(t, bytes_are(p, 64, 0x3c));
	q = kmalloc(64);
	KASSERT_NOT_NULL(t, q);
	KEXPECT_TRUE(t, q != p && q != p + 8);
	kfree(q);

	/* The real free works; a second one is refused. */
	kfree(p);
	KEXPECT_EQ(t, objects_in_use(), in_use);
	kfree(p);
	KEXPECT_EQ(t, objects_in_use(), in_use);
	KEXPECT_EQ(t, ksize(p), 0); /* freed: no size, no krealloc */
	KEXPECT_NULL(t, krealloc(p, 200));
	KEXPECT_EQ(t, objects_in_use(), in_use);
	q = kmalloc(64);
	r = kmalloc(64);
	KASSERT_NOT_NULL(t, q);
	KASSERT_NOT_NULL(t, r);
	KEXPECT_TRUE(t, q != r); /* p is not on a free list twice */
	kfree(q);
	kfree(r);
	KEXPECT_EQ(t, objects_in_use(), in_use);

	/* The same for a block of whole pages. */
	big = kmalloc(3 * PAGE_SIZE);
	KASSERT_NOT_NULL(t, big);
	pages = page_free_count();
	kfree(big + PAGE_SIZE); /* inside the run */
	kfree(big + 8);		/* not even page aligned */
	KEXPECT_EQ(t, page_free_count(), pages);
	KEXPECT_GE(t, ksize(big), 3 * PAGE_SIZE);
	kfree(big);
	KEXPECT_EQ(t, page_free_count(), pages + 3);
	kfree(big);
	KEXPECT_EQ(t, page_free_count(), pages + 3);
	KEXPECT_EQ(t, objects_in_use(), in_use);
}
