/*
 * one_report.h - the check a test of a bad call ends with: the call made
 * exactly one report (include/kernel/mm_report.h), read back to be
 * looked at, and sites named as in it.
 */
#ifndef TESTS_MM_ONE_REPORT_H
#define TESTS_MM_ONE_REPORT_H

#include <kernel/ktest.h>
#include <kernel/mm_report.h>

/* The report made since "before" into r: true if it is exactly one. */
static inline bool one_report(struct ktest *t, unsigned long before,
			      struct mm_report *r)
{
	if (!KEXPECT_EQ(t, mm_report_count(), before + 1))
		return false;
	return KEXPECT_TRUE(t, mm_report_get(before, r));
}

/* Is site (a report's caller or track) within bytes of fn's start? */
static inline bool site_in(uintptr_t site, void (*fn)(void), size_t bytes)
{
	return site - (uintptr_t)fn < bytes;
}

#endif /* TESTS_MM_ONE_REPORT_H */
