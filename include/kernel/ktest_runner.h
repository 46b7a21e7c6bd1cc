/*
 * ktest_runner.h - how the two test runners (kernel and host) drive the
 * shared core in kernel/ktest.c.  Test code needs only ktest.h.
 */
#ifndef KERNEL_KTEST_RUNNER_H
#define KERNEL_KTEST_RUNNER_H

#include <kernel/ktest.h>

/*
 * Run every case that the filter selects and print the results as KTAP.
 * filter: "all", or a comma-separated list of "suite" and "suite:case".
 * Returns the number of failed cases.
 */
int ktest_run(const char *filter, const char *platform);

/*
 * Provided by each runner: run one case.  Returns true if the case
 * panicked (only a runner that can survive a panic ever returns true).
 */
bool ktest_platform_run_case(const struct ktest_case *c, struct ktest *t);
/* True if the runner survives a panic, so expect-panic cases run inline. */
bool ktest_platform_catches_panic(void);

/* The kernel test task (kernel/ktest_kernel.c). */
void ktest_main(void *arg);

#endif /* KERNEL_KTEST_RUNNER_H */
