/*
 * report.h - how mm tells a caller about a bug in its use of memory
 * (mm/report.c): one line in one format, counted, and rate-limited.
 */
#ifndef MM_REPORT_H
#define MM_REPORT_H

#include <kernel/compiler.h>

/*
 * Print one report line (the format has no newline).  The first
 * REPORT_BURST reports of each second are printed; the rest are counted,
 * and the next one printed says how many were left out.
 */
#define REPORT_BURST 10
__printf(1, 2) void mm_report(const char *fmt, ...);

/* Reports made since boot, printed or not (tests compare counts). */
unsigned long mm_reports(void);

#endif /* MM_REPORT_H */
