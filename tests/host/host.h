/*
 * host.h - shared state of the host runner (tests/host/).
 */
#ifndef TESTS_HOST_HOST_H
#define TESTS_HOST_HOST_H

#include <setjmp.h>
#include <stdbool.h>

/* Where panic() jumps while a case runs on the main thread. */
extern jmp_buf *host_panic_jump;
/* Number of pthreads that play harts (RVOS_HARTS, default 4). */
extern unsigned int host_nr_harts;

/* Set in a child process: panic() exits with HOST_PANIC_EXIT. */
extern bool host_panic_exit;
#define HOST_PANIC_EXIT 99

void host_set_hart(unsigned int id);

/*
 * Let the leak scanner read this thread's stack while another thread
 * scans: from live up (NULL: all of it), until host_stack_withdraw().
 */
void host_stack_publish(const void *live);
void host_stack_withdraw(void);

#endif /* TESTS_HOST_HOST_H */
