/*
 * plic.c - the platform-level interrupt controller of QEMU virt.
 *
 * Each hart has a machine-mode context 2 * hart.  Only the UART is wired
 * up, and only to hart 0, so console input is handled in one place.
 */
#include <kernel/platform.h>

#define PLIC_PRIORITY(irq) (PLIC_BASE + 4 * (irq))
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define M_CONTEXT(hart) (2 * (hart))

static inline volatile uint32_t *reg(uintptr_t addr)
{
	return (volatile uint32_t *)addr;
}

void plic_init(void)
{
	*reg(PLIC_PRIORITY(UART0_IRQ)) = 1;
}

void plic_init_hart(unsigned int hart)
{
	if (hart == 0)
		*reg(PLIC_ENABLE(M_CONTEXT(hart))) = 1u << UART0_IRQ;
	*reg(PLIC_THRESHOLD(M_CONTEXT(hart))) = 0;
}

unsigned int plic_claim(unsigned int hart)
{
	return *reg(PLIC_CLAIM(M_CONTEXT(hart)));
}

void plic_complete(unsigned int hart, unsigned int irq)
{
	*reg(PLIC_CLAIM(M_CONTEXT(hart))) = irq;
}
