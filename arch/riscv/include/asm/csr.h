/*
 * asm/csr.h - machine-mode control and status registers.
 *
 * RVOS runs entirely in machine mode, so only the m* CSRs appear here.
 * The accessors are macros because the CSR name must be an immediate in
 * the instruction (csrr a0, mstatus).  Their v_ = 0 is for cppcheck,
 * which cannot see that an asm output sets v_; the compiler drops it.
 */
#ifndef ASM_CSR_H
#define ASM_CSR_H

#include <stdint.h>

/* mstatus */
#define MSTATUS_MIE (1UL << 3) /* interrupts enabled in M-mode */

/* mie / mip */
#define MIE_MSIE (1UL << 3)  /* software interrupt (IPI through CLINT) */
#define MIE_MTIE (1UL << 7)  /* timer interrupt */
#define MIE_MEIE (1UL << 11) /* external interrupt (PLIC) */

/* mcause */
#define MCAUSE_INTERRUPT (1UL << (sizeof(unsigned long) * 8 - 1))
#define IRQ_M_SOFT 3
#define IRQ_M_TIMER 7
#define IRQ_M_EXT 11

#define csr_read(csr)                                                          \
	({                                                                     \
		unsigned long v_ = 0;                                          \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));                 \
		v_;                                                            \
	})

#define csr_write(csr, val)                                                    \
	__asm__ volatile("csrw " #csr ", %0" ::"rK"((unsigned long)(val)))

/* Atomically read the CSR and set / clear bits; returns the old value. */
#define csr_read_set(csr, bits)                                                \
	({                                                                     \
		unsigned long v_ = 0;                                          \
		__asm__ volatile("csrrs %0, " #csr ", %1"                      \
				 : "=r"(v_)                                    \
				 : "rK"((unsigned long)(bits))                 \
				 : "memory");                                  \
		v_;                                                            \
	})

#define csr_read_clear(csr, bits)                                              \
	({                                                                     \
		unsigned long v_ = 0;                                          \
		__asm__ volatile("csrrc %0, " #csr ", %1"                      \
				 : "=r"(v_)                                    \
				 : "rK"((unsigned long)(bits))                 \
				 : "memory");                                  \
		v_;                                                            \
	})

#define csr_set(csr, bits) ((void)csr_read_set(csr, bits))
#define csr_clear(csr, bits) ((void)csr_read_clear(csr, bits))

static inline uint64_t rdcycle64(void)
{
#if __riscv_xlen == 32
	uint32_t hi, lo, hi2;

	/* Re-read if the low half wrapped between the two reads. */
	do {
		hi = csr_read(mcycleh);
		lo = csr_read(mcycle);
		hi2 = csr_read(mcycleh);
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
#else
	return csr_read(mcycle);
#endif
}

static inline uint64_t rdinstret64(void)
{
#if __riscv_xlen == 32
	uint32_t hi, lo, hi2;

	do {
		hi = csr_read(minstreth);
		lo = csr_read(minstret);
		hi2 = csr_read(minstreth);
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
#else
	return csr_read(minstret);
#endif
}

static inline void wfi(void)
{
	__asm__ volatile("wfi");
}

#endif /* ASM_CSR_H */
