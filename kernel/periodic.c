/*
 * periodic.c - background work every so often (include/kernel/periodic.h).
 *
 * Each struct periodic has one task, made the first time it is given an
 * interval and never ended.  Stopped (interval 0), the task sleeps on p
 * until periodic_set wakes it; running, it sleeps the interval, and does
 * the work if p is still running then.  A new interval takes effect from
 * the task's next wake-up.
 */
#include <kernel/periodic.h>
#include <kernel/task.h>

static void periodic_task(void *arg)
{
	struct periodic *p = arg;
	unsigned int ms;

	for (;;) {
		acquire(&p->lock);
		while (!p->interval_ms)
			task_sleep_on(p, &p->lock);
		ms = p->interval_ms;
		release(&p->lock);
		task_sleep(ms);
		if (periodic_interval(p))
			p->work();
	}
}

bool periodic_set(struct periodic *p, unsigned int interval_ms)
{
	bool start;

	acquire(&p->lock);
	start = interval_ms && !p->has_task;
	p->has_task |= start;
	p->interval_ms = interval_ms;
	release(&p->lock);
	task_wakeup(p);
	if (start && !task_create(p->name, periodic_task, p)) {
		acquire(&p->lock);
		p->has_task = false;
		p->interval_ms = 0;
		release(&p->lock);
		return false;
	}
	return true;
}

unsigned int periodic_interval(struct periodic *p)
{
	unsigned int ms;

	acquire(&p->lock);
	ms = p->interval_ms;
	release(&p->lock);
	return ms;
}
