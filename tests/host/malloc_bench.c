/*
 * malloc_bench.c - a 64-byte kmalloc/kfree pair against the C library's
 * malloc/free, on the host, for counting instructions under callgrind
 * (tools/bench-host.sh, "make bench-host").
 *
 *   build/host/bench/malloc-bench rvos|libc N
 *
 * Runs N pairs of alloc(64) and free after a warm-up.  "libc" is whatever
 * malloc the process has, so LD_PRELOAD selects jemalloc, tcmalloc or
 * mimalloc.  The instructions per pair are the difference between two
 * runs with different N, divided by the difference in N: start-up and
 * warm-up cancel out.
 *
 * This file is compiled without tests/host/rename.h, so malloc and free
 * here are the C library's; kmalloc and kfree are RVOS's.
 */
#include <kernel/page.h>
#include <kernel/slab.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BENCH_RAM_SIZE (64u << 20)
#define BENCH_SIZE 64
#define WARMUP 1000

/* Make the compiler believe p is used, so the pair is not optimised out. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void *(*alloc_fn)(size_t size);
static void (*free_fn)(void *p);

static __attribute__((noinline)) void run(unsigned long n)
{
	void *(*a)(size_t) = alloc_fn;
	void (*f)(void *) = free_fn;
	unsigned long i;

	for (i = 0; i < n; i++) {
		void *p = a(BENCH_SIZE);

		escape(p);
		f(p);
	}
}

int main(int argc, char **argv)
{
	unsigned long n;

	if (argc != 3 || (strcmp(argv[1], "rvos") && strcmp(argv[1], "libc"))) {
		fprintf(stderr, "usage: %s rvos|libc N\n", argv[0]);
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	if (!strcmp(argv[1], "rvos")) {
		struct mem_region ram;

		ram.start = (uintptr_t)aligned_alloc(PAGE_SIZE, BENCH_RAM_SIZE);
		if (!ram.start)
			return 2;
		ram.end = ram.start + BENCH_RAM_SIZE;
		page_init(&ram, 1);
		slab_init();
		alloc_fn = kmalloc;
		free_fn = kfree;
	} else {
		alloc_fn = malloc;
		free_fn = free;
	}
	run(WARMUP);
	run(n);
	return 0;
}
