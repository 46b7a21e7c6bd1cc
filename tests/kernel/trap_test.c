/*
 * trap_test.c - an exception is reported with the function it happened
 * in, as "function+0xoffset" (kernel/trap.c), suite "trap".
 */
#include <kernel/ktest.h>

/* An illegal instruction on purpose: the case is the function named. */
KTEST_PANICS(
	trap, an_exception_names_its_function,
	"illegal instruction at ktest_trap__an_exception_names_its_function+0x")
{
	(void)t;
	__asm__ volatile("unimp");
}
