/*
 * trap.h - the saved context of a trap (see arch/riscv/trap_entry.S).
 */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H

#include <kernel/compiler.h>

struct trap_frame {
	unsigned long mepc;
	unsigned long regs[31]; /* x1..x31: regs[0] = ra, regs[1] = sp */
	unsigned long mstatus;
	unsigned long mcause;
	unsigned long mtval;
	unsigned long pad;
};

#define TF_RA(f) ((f)->regs[0])
#define TF_FP(f) ((f)->regs[7]) /* x8 = s0 */

void trap_init_hart(void);
void trap_handler(struct trap_frame *frame);

/*
 * The debug triggers (arch/riscv/watch.c): watch_init_hart probes this
 * hart's at boot; watch_sync, at every trap, arms and releases what
 * other harts asked for; watch_trap takes a breakpoint trap that a watch
 * made (true: handled, return to the store) and leaves others (false).
 */
void watch_init_hart(void);
void watch_sync(void);
bool watch_trap(struct trap_frame *frame);
/*
 * The store insn (a compressed one in its low 16 bits) would make with
 * the registers of frame: where, how many bytes, what value.  false:
 * insn is no store the trap knows.
 */
bool watch_decode_store(uint32_t insn, const struct trap_frame *frame,
			uintptr_t *addr, unsigned int *bytes,
			unsigned long *value);
/*
 * The load insn would make with the registers of frame: where, and how
 * many bytes.  false: insn is no load the trap knows.
 */
bool watch_decode_load(uint32_t insn, const struct trap_frame *frame,
		       uintptr_t *addr, unsigned int *bytes);

/* Print a frame-pointer backtrace starting at the given frame. */
void backtrace_from(uintptr_t pc, uintptr_t fp);

#endif /* KERNEL_TRAP_H */
