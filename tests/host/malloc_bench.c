/*
 * malloc_bench.c - RVOS's kmalloc/kfree next to the C library's
 * malloc/free on the host, for tools/bench_host.py ("make bench-host").
 *
 *   malloc-bench rvos|libc pair N     N alloc(64)+free pairs after a
 *                                     warm-up, one 64-byte object resident
 *   malloc-bench rvos|libc trace run|dry
 *                                     the random trace (tests/bench/
 *                                     trace.h), or only its set-up
 *   malloc-bench rvos|libc time       ns per pair and per trace operation
 *   malloc-bench rvos|libc threads    two threads, each its own trace:
 *                                     operations per second in all
 *   malloc-bench rvos|libc memory     the trace writing every block it
 *                                     gets: peak live bytes, peak growth
 *                                     of the resident set, samples
 *
 * "libc" is whatever malloc the process has, so LD_PRELOAD selects
 * jemalloc, tcmalloc or mimalloc.  Callgrind counts are differences of
 * two runs (pair with two N; trace run minus dry), so start-up, set-up
 * and warm-up cancel out; the loop around the calls stays in.
 *
 * The one resident object matters: with nothing live, every free of
 * mimalloc's empties its page, which it then retires, and the pair costs
 * twice what it does in a program that holds anything.
 *
 * The trace's operations are made before anything is measured, into
 * memory from mmap, so that neither their making nor their memory is
 * charged to the allocator.  Memory is the resident set (VmRSS, VmHWM in
 * /proc/self), read with raw system calls (stdio would allocate); the
 * peak is reset first through /proc/self/clear_refs.  For RVOS, which
 * gets its memory from one big block, the pages taken from its page
 * allocator are reported too.
 *
 * This file is compiled without tests/host/rename.h, so malloc and free
 * here are the C library's; kmalloc and kfree are RVOS's.
 */
#include <kernel/page.h>
#include <kernel/slab.h>
#include "host.h"
#include "../bench/trace.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RVOS_RAM_SIZE (256u << 20)
#define PAIR_SIZE 64
#define WARMUP 1000
#define TIMED_PAIRS 1000000
#define TRACE_OPS 200000u
#define TRACE_MAX_LIVE 10000u
#define SAMPLE_EVERY 2000

struct op {
	uint32_t size; /* bytes to allocate, or 0: free */
	uint32_t slot; /* the block's slot */
	uint32_t last; /* on a free: the slot that moves into the hole */
};

struct trace_run {
	struct op *ops;
	void **slot;
	uint32_t *size;
	unsigned int hart; /* for RVOS: the hart the thread plays */
	uint64_t ns;	   /* how long run_trace took */
};

static void *(*alloc_fn)(size_t size);
static void (*free_fn)(void *p);
static bool is_rvos;

/* Make the compiler believe p is used, so no call is optimised out. */
static inline void escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Memory straight from the kernel, touched, so it is resident already. */
static void *map(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("malloc-bench: mmap");
		exit(2);
	}
	memset(p, 0, bytes);
	return p;
}

static void make_trace(struct trace_run *run, uint32_t seed)
{
	struct trace tr;
	struct trace_op op;
	unsigned int i;

	run->ops = map(TRACE_OPS * sizeof(*run->ops));
	run->slot = map(TRACE_MAX_LIVE * sizeof(*run->slot));
	run->size = map(TRACE_MAX_LIVE * sizeof(*run->size));
	trace_start(&tr, seed, TRACE_MAX_LIVE);
	for (i = 0; i < TRACE_OPS; i++) {
		op = trace_next(&tr);
		run->ops[i] = (struct op){ op.size, op.slot, tr.live };
	}
}

static void run_trace(struct trace_run *run)
{
	void *(*a)(size_t) = alloc_fn;
	void (*f)(void *) = free_fn;
	const struct op *op = run->ops;
	void **slot = run->slot;
	unsigned int i;

	for (i = 0; i < TRACE_OPS; i++, op++) {
		if (op->size) {
			slot[op->slot] = a(op->size);
			escape(slot[op->slot]);
		} else {
			f(slot[op->slot]);
			slot[op->slot] = slot[op->last];
		}
	}
}

static __attribute__((noinline)) void run_pairs(unsigned long n)
{
	void *(*a)(size_t) = alloc_fn;
	void (*f)(void *) = free_fn;
	unsigned long i;

	for (i = 0; i < n; i++) {
		void *p = a(PAIR_SIZE);

		escape(p);
		f(p);
	}
}

/* --- Memory, from /proc/self, without stdio -------------------------- */

static size_t read_proc(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* The value in kB of a "Name:   N kB" line of /proc/self/status, in bytes. */
static size_t status_bytes(const char *name)
{
	char buf[4096];
	const char *p;

	read_proc("/proc/self/status", buf, sizeof(buf));
	p = strstr(buf, name);
	return p ? strtoull(p + strlen(name), NULL, 10) * 1024 : 0;
}

static bool reset_peak_rss(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);
	bool ok = fd >= 0 && write(fd, "5", 1) == 1;

	if (fd >= 0)
		close(fd);
	return ok;
}

static size_t pages_taken(void)
{
	struct page_stats st;
	size_t cached = 0;
	unsigned int h;

	page_get_stats(&st);
	for (h = 0; h < MAX_HARTS; h++)
		cached += st.cached[h];
	return st.total - st.free + cached;
}

/*
 * The trace, writing every byte of every block it gets (a program uses
 * its memory: an allocator must not look small for handing out memory
 * that is never touched), with the resident set sampled.
 */
static void measure_memory(void)
{
	struct trace_run run;
	size_t live = 0, peak_live = 0, base_rss, rss, base_pages = 0;
	size_t peak_pages = 0;
	bool reset;
	unsigned int i;

	make_trace(&run, TRACE_SEED);
	if (is_rvos)
		base_pages = pages_taken();
	reset = reset_peak_rss();
	base_rss = status_bytes("VmRSS:");
	for (i = 0; i < TRACE_OPS; i++) {
		const struct op *op = &run.ops[i];

		if (op->size) {
			run.slot[op->slot] = alloc_fn(op->size);
			memset(run.slot[op->slot], 0x5a, op->size);
			run.size[op->slot] = op->size;
			live += op->size;
		} else {
			free_fn(run.slot[op->slot]);
			live -= run.size[op->slot];
			run.slot[op->slot] = run.slot[op->last];
			run.size[op->slot] = run.size[op->last];
		}
		if (live > peak_live)
			peak_live = live;
		if (is_rvos && pages_taken() - base_pages > peak_pages)
			peak_pages = pages_taken() - base_pages;
		if ((i + 1) % SAMPLE_EVERY == 0) {
			rss = status_bytes("VmRSS:");
			printf("sample %u %zu %zu\n", i + 1, live,
			       rss > base_rss ? rss - base_rss : 0);
		}
	}
	rss = status_bytes("VmHWM:");
	printf("peak_live_bytes %zu\n", peak_live);
	printf("peak_rss_delta %zu\n", rss > base_rss ? rss - base_rss : 0);
	printf("peak_reset %d\n", reset);
	if (is_rvos)
		printf("peak_taken_bytes %zu\n", peak_pages * PAGE_SIZE);
}

/* --- Two threads ------------------------------------------------------ */

static pthread_barrier_t start_line;

static void *thread_main(void *arg)
{
	struct trace_run *run = arg;
	uint64_t start;

	host_set_hart(run->hart);
	pthread_barrier_wait(&start_line);
	start = now_ns();
	run_trace(run);
	run->ns = now_ns() - start;
	return NULL;
}

static void measure_threads(void)
{
	struct trace_run run[2];
	pthread_t thread[2];
	uint64_t longest = 0;
	unsigned int i;

	pthread_barrier_init(&start_line, NULL, 2);
	for (i = 0; i < 2; i++) {
		make_trace(&run[i], TRACE_SEED + i);
		run[i].hart = i;
	}
	for (i = 0; i < 2; i++)
		pthread_create(&thread[i], NULL, thread_main, &run[i]);
	for (i = 0; i < 2; i++) {
		pthread_join(thread[i], NULL);
		if (run[i].ns > longest)
			longest = run[i].ns;
	}
	printf("threads_ops_per_s %.0f\n", 2.0 * TRACE_OPS * 1e9 / longest);
}

/* --- main ------------------------------------------------------------- */

static void use_rvos(void)
{
	struct mem_region ram;

	ram.start = (uintptr_t)aligned_alloc(PAGE_SIZE, RVOS_RAM_SIZE);
	if (!ram.start)
		exit(2);
	ram.end = ram.start + RVOS_RAM_SIZE;
	page_init(&ram, 1);
	slab_init();
	alloc_fn = kmalloc;
	free_fn = kfree;
	is_rvos = true;
}

static void usage(const char *me)
{
	fprintf(stderr,
		"usage: %s rvos|libc pair N | trace run|dry | time | threads | memory\n",
		me);
	exit(2);
}

int main(int argc, char **argv)
{
	struct trace_run run;
	void *resident;
	uint64_t start;

	static char out[1 << 16];

	/* stdio would take its buffer from the allocator under test. */
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	if (argc < 3 || (strcmp(argv[1], "rvos") && strcmp(argv[1], "libc")))
		usage(argv[0]);
	if (!strcmp(argv[1], "rvos")) {
		use_rvos();
	} else {
		alloc_fn = malloc;
		free_fn = free;
	}
	resident = alloc_fn(PAIR_SIZE);
	escape(resident);

	if (!strcmp(argv[2], "pair") && argc == 4) {
		run_pairs(WARMUP);
		run_pairs(strtoul(argv[3], NULL, 10));
	} else if (!strcmp(argv[2], "trace") && argc == 4) {
		make_trace(&run, TRACE_SEED);
		if (!strcmp(argv[3], "run"))
			run_trace(&run);
	} else if (!strcmp(argv[2], "time")) {
		run_pairs(WARMUP);
		start = now_ns();
		run_pairs(TIMED_PAIRS);
		printf("pair_ns %.3f\n",
		       (double)(now_ns() - start) / TIMED_PAIRS);
		make_trace(&run, TRACE_SEED);
		start = now_ns();
		run_trace(&run);
		printf("trace_ns %.3f\n",
		       (double)(now_ns() - start) / TRACE_OPS);
	} else if (!strcmp(argv[2], "threads")) {
		measure_threads();
	} else if (!strcmp(argv[2], "memory")) {
		measure_memory();
	} else {
		usage(argv[0]);
	}
	printf("trace %u %u %u %u %u\n", TRACE_OPS, TRACE_MAX_LIVE,
	       TRACE_MIN_SIZE, TRACE_MAX_SIZE, TRACE_SEED);
	free_fn(resident);
	return 0;
}
