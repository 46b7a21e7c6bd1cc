/*
 * asm/machine.h for the host runner: the inline half of
 * include/kernel/machine.h, as arch/riscv/include/asm/machine.h is the
 * kernel's.  A pthread plays a hart; its hart id and its "interrupts on"
 * flag are thread-local (tests/host/machine.c).  There are no interrupts,
 * so irq_save/irq_restore only keep the bookkeeping honest.
 */
#ifndef ASM_MACHINE_H
#define ASM_MACHINE_H

/* What a hart is to this code: one thread-local record. */
struct host_hart {
	unsigned int id;
	bool irqs_on;
};

extern __thread struct host_hart host_hart;

static inline unsigned int this_hart(void)
{
	return host_hart.id;
}

static inline unsigned long irq_save(void)
{
	unsigned long was_on = host_hart.irqs_on;

	host_hart.irqs_on = false;
	return was_on;
}

static inline void irq_restore(unsigned long flags)
{
	/* flags is irq_save's: setting it (or nothing) restores. */
	host_hart.irqs_on |= flags;
}

static inline bool irqs_enabled(void)
{
	return host_hart.irqs_on;
}

/* Out of line: they need the C library (tests/host/machine.c). */
void cpu_relax(void);
uint64_t read_cycles(void);

#endif /* ASM_MACHINE_H */
