/*
 * report.c - the one way mm reports a caller's bug (a bad or double free,
 * a bad argument): a line naming the address, the reason and the caller,
 * in a format fixed by the caller's single format string, so that
 * "grep 'double free'" finds both the code and the log.
 *
 * A program that frees the same bad pointer in a loop must not drown the
 * console, so printing is rate-limited the way Linux's bad_page() is: up
 * to REPORT_BURST lines a second, then silence, and the first line after
 * the silence says how many were left out.  Every report is counted.
 *
 * Locking: report_lock (LOCK_LEVEL_LEAF) guards the counters; the line is
 * printed after it is released.  mm_report may be called with any mm
 * lock held.
 */
#include <kernel/machine.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include "report.h"

#define REPORT_INTERVAL_NS 1000000000ull

static DEFINE_SPINLOCK(report_lock, "mm_report", LOCK_LEVEL_LEAF);
static uint64_t interval_start;
static unsigned int printed_in_interval;
static unsigned long suppressed, reports;

void mm_report(const char *fmt, ...)
{
	unsigned long left_out = 0;
	uint64_t now = time_ns();
	char line[256];
	va_list ap;
	bool print;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	acquire(&report_lock);
	__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
	if (now - interval_start >= REPORT_INTERVAL_NS) {
		interval_start = now;
		printed_in_interval = 0;
		left_out = suppressed;
		suppressed = 0;
	}
	print = printed_in_interval < REPORT_BURST;
	if (print)
		printed_in_interval++;
	else
		suppressed++;
	release(&report_lock);

	if (left_out)
		printk("mm: %lu reports suppressed\n", left_out);
	if (print)
		printk("%s\n", line);
}

unsigned long mm_reports(void)
{
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}
