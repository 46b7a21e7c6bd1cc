/*
 * virt_test.c - QEMU's "sifive,test" finisher: one store ends the machine.
 *
 * QEMU reads the exit status from bits 31..16: 0x5555 exits with status 0,
 * and a failure must be written as (code << 16) | 0x3333, because a plain
 * 0x3333 also exits with status 0.
 */
#include <kernel/platform.h>

#define FINISHER_FAIL 0x3333
#define FINISHER_PASS 0x5555

void virt_test_exit(int status)
{
	volatile uint32_t *finisher = (volatile uint32_t *)VIRT_TEST_BASE;

	if (status == 0)
		*finisher = FINISHER_PASS;
	else
		*finisher = ((uint32_t)status << 16) | FINISHER_FAIL;
	for (;;)
		__asm__ volatile("wfi");
}
