/*
 * firstfit_malloc.h - REFERENCE ONLY: the first-fit malloc RVOS started
 * with (tests/bench/firstfit_malloc.c), for make bench to compare with.
 */
#ifndef TESTS_BENCH_FIRSTFIT_MALLOC_H
#define TESTS_BENCH_FIRSTFIT_MALLOC_H

#include <kernel/compiler.h>

void *firstfit_malloc(size_t size);
void firstfit_free(void *ptr);
/* Pages taken from page_alloc so far (it never gives any back). */
size_t firstfit_arena_pages(void);

#endif /* TESTS_BENCH_FIRSTFIT_MALLOC_H */
