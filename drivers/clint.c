/*
 * clint.c - the core-local interruptor: one shared 64-bit mtime counter,
 * one mtimecmp and one software-interrupt bit (msip) per hart.
 */
#include <kernel/platform.h>

#define CLINT_MSIP(hart) (CLINT_BASE + 4 * (hart))
#define CLINT_MTIMECMP(hart) (CLINT_BASE + 0x4000 + 8 * (hart))
#define CLINT_MTIME (CLINT_BASE + 0xbff8)

uint64_t clint_mtime(void)
{
#if __riscv_xlen == 32
	volatile uint32_t *mtime = (volatile uint32_t *)CLINT_MTIME;
	uint32_t hi, lo;

	/* Read high, low, high again: the low half may carry in between. */
	do {
		hi = mtime[1];
		lo = mtime[0];
	} while (hi != mtime[1]);
	return ((uint64_t)hi << 32) | lo;
#else
	return *(volatile uint64_t *)CLINT_MTIME;
#endif
}

void clint_set_timer(unsigned int hart, uint64_t when)
{
#if __riscv_xlen == 32
	volatile uint32_t *cmp = (volatile uint32_t *)CLINT_MTIMECMP(hart);

	/*
	 * Two 32-bit stores: park the high half at the maximum first so that
	 * no intermediate value lies in the past and fires early.
	 */
	cmp[1] = 0xffffffff;
	cmp[0] = (uint32_t)when;
	cmp[1] = (uint32_t)(when >> 32);
#else
	*(volatile uint64_t *)CLINT_MTIMECMP(hart) = when;
#endif
}

void clint_send_ipi(unsigned int hart)
{
	*(volatile uint32_t *)CLINT_MSIP(hart) = 1;
}

void clint_clear_ipi(unsigned int hart)
{
	*(volatile uint32_t *)CLINT_MSIP(hart) = 0;
}
