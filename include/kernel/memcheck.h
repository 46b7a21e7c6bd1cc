/*
 * memcheck.h - the poison scrubber's background task (kernel/memcheck.c).
 */
#ifndef KERNEL_MEMCHECK_H
#define KERNEL_MEMCHECK_H

/* At boot, once tasks can be made: start it if mm.debug has P. */
void memcheck_start(void);

#endif /* KERNEL_MEMCHECK_H */
