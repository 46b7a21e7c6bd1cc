/*
 * malloc.c - the RVOS names for the kernel's byte allocator: malloc and
 * free are kmalloc and kfree (mm/kmalloc.c, over the slab caches).
 */
#include <kernel/malloc.h>
#include <kernel/slab.h>

void *malloc(size_t size)
{
	return kmalloc(size);
}

void free(void *ptr)
{
	kfree(ptr);
}
