/*
 * timer_test.c - the tick runs on every hart and uptime follows mtime.
 */
#include <kernel/ktest.h>
#include <kernel/hart.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#include <kernel/config.h>

KTEST(timer, ticks_advance_on_every_hart)
{
	uint64_t before[MAX_HARTS];
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		before[i] = READ_ONCE(harts[i].ticks);
	task_sleep(200);
	for (i = 0; i < MAX_HARTS; i++) {
		if (!harts[i].online)
			continue;
		/* 200 ms at HZ = 100 is 20 ticks; allow for a slow host. */
		if (!KEXPECT_GE(t, READ_ONCE(harts[i].ticks) - before[i], 5))
			ktest_log(t, "hart %u", i);
	}
}

KTEST(timer, uptime_advances_with_mtime)
{
	uint64_t a = uptime_ms(), b;
	uint64_t deadline = timer_deadline(30);

	while (timer_now() < deadline)
		task_yield();
	b = uptime_ms();
	KEXPECT_GE(t, b - a, 30);
	KEXPECT_LT(t, b - a, 2000);
}
