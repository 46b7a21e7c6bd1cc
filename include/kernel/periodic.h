/*
 * periodic.h - background work done every so often (kernel/periodic.c):
 * a kernel task that sleeps its interval and then calls work(), while
 * the interval is not 0.  The memory scrubber (memcheck) and the leak
 * scanner (leaks) run this way; the shell changes their intervals.
 *
 *   static struct periodic scrubber = PERIODIC("scrubber", scrub_now);
 *   periodic_set(&scrubber, 10000);   every 10 s from now on
 *   periodic_set(&scrubber, 0);       stop
 */
#ifndef KERNEL_PERIODIC_H
#define KERNEL_PERIODIC_H

#include <kernel/spinlock.h>

struct periodic {
	const char *name; /* of its task */
	void (*work)(void);
	struct spinlock lock;	  /* guards the two below */
	unsigned int interval_ms; /* 0: stopped */
	bool has_task;
};

#define PERIODIC(task_name, fn)                                                \
	{                                                                      \
		.name = (task_name), .work = (fn),                             \
		.lock = SPINLOCK_INIT(task_name, LOCK_LEVEL_WAIT),             \
	}

/*
 * Do the work every interval_ms from now on (0: stop).  The first call
 * with an interval makes p's task; false if it could not be made (out of
 * memory), and p stays stopped.
 */
bool periodic_set(struct periodic *p, unsigned int interval_ms);
/* The interval now (0: stopped). */
unsigned int periodic_interval(struct periodic *p);

#endif /* KERNEL_PERIODIC_H */
