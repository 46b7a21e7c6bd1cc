/*
 * main.c - the host test runner: the same test cases as the kernel image,
 * for lib/ and mm/, built natively with AddressSanitizer and UBSan (or
 * ThreadSanitizer) and run with pthreads as harts.
 *
 *   build/host/asan/ktest-host [filter]     filter as for ktest= in QEMU
 *
 * Environment: RVOS_HARTS (threads per ktest_on_each_hart, default 4),
 * RVOS_TEST_SCALE (stress iteration scale, default 1), RVOS_MM_DEBUG
 * (the letters of mm.debug=, include/kernel/mm_debug.h).
 */
#include <kernel/ktest_runner.h>
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/page.h>
#include <kernel/slab.h>
#include "host.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/* The "RAM" that page_init manages on the host. */
#define HOST_RAM_SIZE (32u << 20)

static unsigned int scale = 1;

unsigned int ktest_scale(void)
{
	return scale;
}

bool ktest_platform_catches_panic(void)
{
	return true;
}

#ifdef __SANITIZE_THREAD__
/* A data race must fail the run, not just print a warning. */
const char *__tsan_default_options(void)
{
	return "halt_on_error=1:abort_on_error=1";
}
#endif

/*
 * A case that expects a panic runs in a child process: the panic leaves
 * locks and allocators as they were at that instant, and the cases after
 * it must not inherit that.  The child exits with HOST_PANIC_EXIT when it
 * panics.
 */
static bool run_in_child(const struct ktest_case *c, struct ktest *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		panic("ktest: fork failed");
	if (pid == 0) {
		host_panic_exit = true;
		c->run(t);
		fflush(stdout);
		host_exit(t->failures ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) < 0)
		panic("ktest: waitpid failed");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		t->failures++;
	return WIFEXITED(status) && WEXITSTATUS(status) == HOST_PANIC_EXIT;
}

bool ktest_platform_run_case(const struct ktest_case *c, struct ktest *t)
{
	jmp_buf jump;

	if (c->flags & KTEST_EXPECT_PANIC)
		return run_in_child(c, t);
	host_panic_jump = &jump;
	if (setjmp(jump)) {
		host_panic_jump = NULL;
		return true;
	}
	c->run(t);
	host_panic_jump = NULL;
	return false;
}

struct hart_thread {
	pthread_t thread;
	unsigned int id;
	void (*fn)(void *arg);
	void *arg;
};

static void *hart_thread_main(void *p)
{
	struct hart_thread *h = p;

	host_set_hart(h->id);
	host_stack_publish(NULL);
	h->fn(h->arg);
	host_stack_withdraw();
	return NULL;
}

unsigned int ktest_on_each_hart(void (*fn)(void *arg), void *arg)
{
	struct hart_thread threads[MAX_HARTS];
	unsigned int i;

	/* While it waits, what the case holds is on this stack, above. */
	host_stack_publish(__builtin_frame_address(0));
	for (i = 0; i < host_nr_harts; i++) {
		threads[i] =
			(struct hart_thread){ .id = i, .fn = fn, .arg = arg };
		if (pthread_create(&threads[i].thread, NULL, hart_thread_main,
				   &threads[i]))
			panic("ktest: pthread_create failed");
	}
	for (i = 0; i < host_nr_harts; i++)
		pthread_join(threads[i].thread, NULL);
	host_stack_withdraw();
	return host_nr_harts;
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : "all";
	const char *env;
	char platform[64];
	struct mem_region ram;

	if ((env = getenv("RVOS_HARTS")))
		host_nr_harts = (unsigned int)atoi(env);
	if (host_nr_harts < 1 || host_nr_harts > MAX_HARTS)
		host_nr_harts = 4;
	if ((env = getenv("RVOS_TEST_SCALE")) && atoi(env) > 0)
		scale = (unsigned int)atoi(env);
	if ((env = getenv("RVOS_MM_DEBUG")) && mm_debug_setup(env)) {
		fprintf(stderr, "RVOS_MM_DEBUG=%s: letters are FZPULW\n", env);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ram.start = (uintptr_t)aligned_alloc(PAGE_SIZE, HOST_RAM_SIZE);
	if (!ram.start)
		return 2;
	ram.end = ram.start + HOST_RAM_SIZE;
	page_init(&ram, 1);
	slab_init();
	snprintf(platform, sizeof(platform), "harts=%u arch=host",
		 host_nr_harts);
	return ktest_run(filter, platform) ? 1 : 0;
}
