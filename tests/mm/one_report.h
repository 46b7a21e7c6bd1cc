/*
 * one_report.h - the check a test of a bad call ends with: the call made
 * exactly one report (include/kernel/mm_report.h), read back to be
 * looked at, and the functions its addresses lie in, found exactly by the
 * symbol table (the small functions of a case lie close together).
 */
#ifndef TESTS_MM_ONE_REPORT_H
#define TESTS_MM_ONE_REPORT_H

#include <kernel/kallsyms.h>
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

/* Is pc, the address of an instruction, in fn?  Exactly, by the symbol table. */
static inline bool pc_in(uintptr_t pc, void (*fn)(void))
{
	size_t size, offset;

	return kallsyms_lookup(pc, &size, &offset) &&
	       pc - offset == (uintptr_t)fn;
}

/*
 * Is site, a return address (a report's caller, a block's site), in fn?
 * Its call is the byte before: a call that ends fn returns past it.
 */
static inline bool site_in(uintptr_t site, void (*fn)(void))
{
	return pc_in(site - 1, fn);
}

#endif /* TESTS_MM_ONE_REPORT_H */
