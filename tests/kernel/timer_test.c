/*
 * timer_test.c - the tick runs on every hart and uptime follows mtime.
 *
 * Nothing is judged by how fast the host runs QEMU: the cases wait for
 * what they expect as long as it takes (the harness fails a hang).
 */
#include <kernel/ktest.h>
#include <kernel/hart.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#include <kernel/config.h>

#define TICKS 3

/* Has every online hart taken TICKS ticks since before[] was read? */
static bool every_hart_ticked(const uint64_t *before)
{
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		if (harts[i].online &&
		    READ_ONCE(harts[i].ticks) - before[i] < TICKS)
			return false;
	return true;
}

KTEST(timer, ticks_advance_on_every_hart)
{
	uint64_t before[MAX_HARTS];
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		before[i] = READ_ONCE(harts[i].ticks);
	/* A hart whose tick is dead never gets there: a hang. */
	while (!every_hart_ticked(before))
		task_sleep(10);
	KEXPECT_TRUE(t, every_hart_ticked(before));
}

KTEST(timer, uptime_advances_with_mtime)
{
	uint64_t a = uptime_ms(), b;
	uint64_t deadline = timer_deadline(30);

	while (timer_now() < deadline)
		task_yield();
	b = uptime_ms();
	/* At least the 30 ms that mtime moved; any more is the host's. */
	KEXPECT_GE(t, b - a, 30);
}
