/*
 * address.c - address validation in words: why a pointer that no slab
 * holds is nothing kfree or kmem_cache_free may free.  Each kind of wrong
 * pointer gets its own reason in the report: on a stack, a global or
 * code (the machine knows, include/kernel/machine.h), outside managed
 * memory, inside a run of pages, a free page (the page allocator knows).
 * mm_describe says what any address is, for the shell's allocs ADDR.
 */
#include <kernel/machine.h>
#include <kernel/printk.h>
#include "internal.h"
#include "slab.h"

void mm_describe(const void *p, char *buf, size_t size)
{
	if (slab_of(p))
		slab_describe(p, buf, size);
	else
		mm_why_not_ours(p, buf, size);
}

void mm_why_not_ours(const void *p, char *why, size_t size)
{
	switch (mem_kind_of(p)) {
	case MEM_STACK:
		snprintf(why, size, "it is on a stack");
		return;
	case MEM_IMAGE:
		snprintf(why, size,
			 "it is in the kernel image: a global, or code");
		return;
	default:
		page_describe(p, why, size);
	}
}
