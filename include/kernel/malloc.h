/*
 * malloc.h - the kernel's byte allocator (mm/malloc.c).
 */
#ifndef KERNEL_MALLOC_H
#define KERNEL_MALLOC_H

#include <kernel/compiler.h>

void *malloc(size_t size);
void free(void *ptr);

#endif /* KERNEL_MALLOC_H */
