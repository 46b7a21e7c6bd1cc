/*
 * timer.c - the periodic tick on every hart, and uptime.
 *
 * All harts share the CLINT's mtime counter (boot_info.timebase_hz, 10 MHz
 * on QEMU virt); each has its own mtimecmp.  The tick re-arms mtimecmp one
 * period after the previous deadline, not after "now", so ticks do not
 * drift when an interrupt is taken late.
 */
#include <kernel/timer.h>
#include <kernel/platform.h>
#include <kernel/hart.h>
#include <kernel/config.h>
#include <asm/csr.h>

static uint64_t boot_mtime;
void (*volatile timer_tick_hook)(void);
static unsigned long hook_stops;
static unsigned long hook_stops_seen[MAX_HARTS];

static uint64_t tick_interval(void)
{
	return boot_info.timebase_hz / HZ;
}

uint64_t timer_now(void)
{
	return clint_mtime();
}

void timer_init_hart(unsigned int hart)
{
	struct hart *h = &harts[hart];

	if (hart == 0)
		boot_mtime = clint_mtime();
	h->next_tick = clint_mtime() + tick_interval();
	clint_set_timer(hart, h->next_tick);
	csr_set(mie, MIE_MTIE);
}

void timer_interrupt(void)
{
	struct hart *h = my_hart();
	uint64_t now = clint_mtime();
	void (*hook)(void);
	unsigned long stops;

	h->ticks++;
	h->next_tick += tick_interval();
	if (h->next_tick <= now) /* missed ticks: catch up, don't storm */
		h->next_tick = now + tick_interval();
	clint_set_timer(h->id, h->next_tick);
	/*
	 * Sequentially consistent, so a fence rw,rw comes first: the tick
	 * count stored above is seen before the hook is read, for those who
	 * wait for a tick count to move after clearing the hook; and the
	 * hook is read after hook_stops (see timer_tick_hook_stop).
	 */
	stops = __atomic_load_n(&hook_stops, __ATOMIC_SEQ_CST);
	hook = timer_tick_hook; /* read once: a test may clear it any time */
	if (hook)
		hook();
	__atomic_store_n(&hook_stops_seen[h->id], stops, __ATOMIC_RELEASE);
}

void timer_tick_hook_stop(void)
{
	unsigned long stops;
	unsigned int i;

	if (!irqs_enabled())
		panic("timer_tick_hook_stop: interrupts are off: this hart's tick would never come");
	timer_tick_hook = NULL;
	stops = __atomic_add_fetch(&hook_stops, 1, __ATOMIC_RELEASE);
	for (i = 0; i < MAX_HARTS; i++)
		while (READ_ONCE(harts[i].online) &&
		       __atomic_load_n(&hook_stops_seen[i], __ATOMIC_ACQUIRE) <
			       stops)
			cpu_relax();
}

uint64_t uptime_ms(void)
{
	return (clint_mtime() - boot_mtime) * 1000 / boot_info.timebase_hz;
}

uint64_t timer_deadline(unsigned int ms)
{
	return clint_mtime() + (uint64_t)ms * boot_info.timebase_hz / 1000;
}
