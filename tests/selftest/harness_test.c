/*
 * harness_test.c - cases that exist to fail, so that the harness
 * self-test (tools/ktest.py --selftest, part of make test) can prove that a
 * failing case, a panic, a hang, a missing expected panic and (in QEMU) a
 * panic report mixed with other output are each reported as failures.
 * All are manual: they run only when named.
 */
#include <kernel/ktest.h>
#include <kernel/machine.h>
#include <kernel/printk.h>

KTEST_FLAGS(selftest, fails, KTEST_MANUAL)
{
	KEXPECT_EQ(t, 1 + 1, 3);
}

KTEST_FLAGS(selftest, panics, KTEST_MANUAL)
{
	(void)t;
	panic("selftest: a panic nobody expected");
}

KTEST_FLAGS(selftest, hangs, KTEST_MANUAL)
{
	volatile int forever = 1;

	(void)t;
	while (forever)
		cpu_relax();
}

KTEST_FLAGS(selftest, expected_panic, KTEST_MANUAL | KTEST_EXPECT_PANIC)
{
	KEXPECT_TRUE(t, true); /* returns normally: no panic */
}

/* The report that two harts writing at once used to make. */
KTEST_FLAGS(selftest, garbled_panic_report, KTEST_MANUAL | KTEST_EXPECT_PANIC)
{
	(void)t;
	printk("KERNEL PANIC  backtrace (riscv64-unk: store/Aown-elMO access fault at 0x80002bae\n");
	panic("selftest: a panic after a garbled one");
}
