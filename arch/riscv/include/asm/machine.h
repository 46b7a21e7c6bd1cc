/*
 * asm/machine.h - the RISC-V side of include/kernel/machine.h, inline:
 * these calls sit on the hot path of every lock and allocator operation,
 * where each is one or two instructions.
 */
#ifndef ASM_MACHINE_H
#define ASM_MACHINE_H

#include <asm/csr.h>

/*
 * Each hart keeps its id in tp from its first instruction (start.S), as
 * xv6 and Linux do: the ABI sets tp aside for a thread pointer, which a
 * kernel without TLS has no use for, so the compiler never writes it.  A
 * fast path then uses tp as an operand (mag_open's hart << 7 is one
 * shift) where a CSR read would cost an instruction more.  A trap does
 * not restore tp (trap_entry.S), because the task it returns to may have
 * moved to another hart meanwhile.
 */
register unsigned long hart_id_in_tp __asm__("tp");

static inline unsigned int this_hart(void)
{
	return (unsigned int)hart_id_in_tp;
}

static inline unsigned long irq_save(void)
{
	/* csrrc: clear mstatus.MIE and learn whether it was set, at once. */
	return csr_read_clear(mstatus, MSTATUS_MIE) & MSTATUS_MIE;
}

static inline void irq_restore(unsigned long flags)
{
	/* flags is irq_save's MIE bit: setting it (or nothing) restores. */
	csr_set(mstatus, flags);
}

static inline bool irqs_enabled(void)
{
	return (csr_read(mstatus) & MSTATUS_MIE) != 0;
}

static inline void cpu_relax(void)
{
	/* A compiler barrier: QEMU has no use for a pause hint. */
	__asm__ volatile("" ::: "memory");
}

static inline uint64_t read_cycles(void)
{
	return rdcycle64();
}

#endif /* ASM_MACHINE_H */
