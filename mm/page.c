/*
 * page.c - the physical page allocator, in its simple RVOS form.
 *
 * Each managed region starts with an array of one-byte page descriptors,
 * followed by the pages they describe:
 *
 *   region->start                                             region->end
 *   | desc[0] desc[1] ... desc[n-1] | pad | page 0 | page 1 | ... | page n-1 |
 *
 * A descriptor holds PAGE_TAKEN for an allocated page and PAGE_LAST on
 * the last page of an allocated run.  page_alloc(n) scans the descriptors
 * for the first n free pages in a row (first fit, O(pages)); page_free
 * clears descriptors up to PAGE_LAST.
 *
 * Locking: page_lock protects every descriptor and the free count.
 */
#include <kernel/page.h>
#include <kernel/spinlock.h>
#include "internal.h"
#include <kernel/printk.h>
#include <kernel/string.h>

#define PAGE_TAKEN (1 << 0)
#define PAGE_LAST (1 << 1)

struct page_region {
	uint8_t *desc;	/* npages descriptors */
	uintptr_t base; /* address of page 0 */
	size_t npages;
};

static struct page_region regions[PAGE_MAX_REGIONS];
static int nr_regions;
static size_t nr_free, nr_total;
static DEFINE_SPINLOCK(page_lock, "page", LOCK_LEVEL_PAGE);

void page_init(const struct mem_region *mem, int count)
{
	int i;

	nr_regions = 0;
	nr_free = nr_total = 0;
	for (i = 0; i < count && i < PAGE_MAX_REGIONS; i++) {
		uintptr_t start = ALIGN_UP(mem[i].start, PAGE_SIZE);
		uintptr_t end = ALIGN_DOWN(mem[i].end, PAGE_SIZE);
		struct page_region *r = &regions[nr_regions];
		size_t n;

		if (end <= start + PAGE_SIZE)
			continue;
		/* n descriptors plus n pages must fit: n * (PAGE_SIZE + 1). */
		n = (end - start) / (PAGE_SIZE + 1);
		r->desc = (uint8_t *)start;
		r->base = ALIGN_UP(start + n, PAGE_SIZE);
		r->npages = (end - r->base) / PAGE_SIZE;
		if (r->npages > n)
			r->npages = n;
		memset(r->desc, 0, r->npages);
		nr_free += r->npages;
		nr_total += r->npages;
		nr_regions++;
	}
}

static void *region_alloc(struct page_region *r, size_t npages)
{
	size_t i, run = 0;

	for (i = 0; i < r->npages; i++) {
		if (r->desc[i] & PAGE_TAKEN) {
			run = 0;
			continue;
		}
		if (++run == npages) {
			size_t first = i + 1 - npages, j;

			for (j = first; j <= i; j++)
				r->desc[j] = PAGE_TAKEN;
			r->desc[i] |= PAGE_LAST;
			return (void *)(r->base + first * PAGE_SIZE);
		}
	}
	return NULL;
}

void *page_alloc(size_t npages)
{
	void *p = NULL;
	int i;

	if (npages == 0)
		return NULL;
	mm_lock(&page_lock);
	for (i = 0; i < nr_regions && !p; i++)
		p = region_alloc(&regions[i], npages);
	if (p)
		nr_free -= npages;
	mm_unlock(&page_lock);
	return p;
}

static struct page_region *region_of(uintptr_t addr)
{
	int i;

	for (i = 0; i < nr_regions; i++) {
		struct page_region *r = &regions[i];

		if (addr >= r->base && addr < r->base + r->npages * PAGE_SIZE)
			return r;
	}
	return NULL;
}

void page_free(void *p)
{
	uintptr_t addr = (uintptr_t)p;
	struct page_region *r;
	size_t i;

	if (!p)
		return;
	mm_lock(&page_lock);
	r = region_of(addr);
	if (!r || !IS_ALIGNED(addr, PAGE_SIZE)) {
		mm_unlock(&page_lock);
		printk("page_free: bad address %p (caller %p)\n", p,
		       (void *)CALLER_ADDR);
		return;
	}
	i = (addr - r->base) / PAGE_SIZE;
	if (!(r->desc[i] & PAGE_TAKEN)) {
		mm_unlock(&page_lock);
		printk("page_free: %p is not allocated (caller %p)\n", p,
		       (void *)CALLER_ADDR);
		return;
	}
	for (;; i++) {
		uint8_t d = r->desc[i];

		r->desc[i] = 0;
		nr_free++;
		if (d & PAGE_LAST)
			break;
	}
	mm_unlock(&page_lock);
}

size_t page_free_count(void)
{
	return READ_ONCE(nr_free);
}

size_t page_total_count(void)
{
	return nr_total;
}

void page_span(uintptr_t *lo, uintptr_t *hi)
{
	int i;

	*lo = UINTPTR_MAX;
	*hi = 0;
	for (i = 0; i < nr_regions; i++) {
		*lo = MIN(*lo, regions[i].base);
		*hi = MAX(*hi, regions[i].base + regions[i].npages * PAGE_SIZE);
	}
}
