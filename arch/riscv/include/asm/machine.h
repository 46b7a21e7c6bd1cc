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
 * moved to another hart meanwhile.  Like mhartid, tp names the hart that
 * runs this task only while interrupts are off (see irq_save).
 */
register unsigned long hart_id_in_tp __asm__("tp");

static inline unsigned int this_hart(void)
{
	return (unsigned int)hart_id_in_tp;
}

static inline unsigned long irq_save(void)
{
	unsigned long mstatus = 0; /* = 0: see csr.h */

	/*
	 * csrrc: clear mstatus.MIE and learn whether it was set, at once.
	 * The asm names tp as changed, though it is not: the compiler could
	 * otherwise read this_hart() before it, or keep one reading across
	 * a stretch with interrupts on, where the task may move to another
	 * hart (GCC may move a global register variable's reads).  So every
	 * this_hart() after an irq_save reads tp after it, and costs nothing
	 * more.
	 */
	__asm__ volatile("csrrc %0, mstatus, %2"
			 : "=r"(mstatus), "+r"(hart_id_in_tp)
			 : "rK"(MSTATUS_MIE)
			 : "memory");
	return mstatus & MSTATUS_MIE;
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
