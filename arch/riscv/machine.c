/*
 * machine.c - the RISC-V implementation of include/kernel/machine.h.
 */
#include <kernel/machine.h>
#include <kernel/platform.h>
#include <kernel/hart.h>
#include <asm/csr.h>

unsigned int this_hart(void)
{
	return (unsigned int)csr_read(mhartid);
}

unsigned int nr_harts_online(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_HARTS; i++)
		n += READ_ONCE(harts[i].online);
	return n;
}

unsigned long irq_save(void)
{
	/* csrrc: clear mstatus.MIE and learn whether it was set, at once. */
	return csr_read_clear(mstatus, MSTATUS_MIE) & MSTATUS_MIE;
}

void irq_restore(unsigned long flags)
{
	if (flags & MSTATUS_MIE)
		csr_set(mstatus, MSTATUS_MIE);
}

bool irqs_enabled(void)
{
	return (csr_read(mstatus) & MSTATUS_MIE) != 0;
}

void cpu_relax(void)
{
	/* "pause" (Zihintpause) encodes as a fence hint; a compiler barrier
	 * is enough for QEMU. */
	__asm__ volatile("" ::: "memory");
}

uint64_t read_cycles(void)
{
	return rdcycle64();
}

void console_write(const char *s, size_t n)
{
	while (n--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}
