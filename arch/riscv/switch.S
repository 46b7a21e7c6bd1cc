/*
 * switch.S - switch from one task's kernel context to another's.
 *
 * void switch_context(struct context *from, struct context *to);
 *
 * Only the callee-saved registers (ra, sp, s0..s11) need saving: the C
 * caller already treats everything else as clobbered.  switch_context
 * "returns" into whatever called switch_context in the other task, or, for
 * a new task, into task_entry (see kernel/task.c).
 */
#include <asm/asm.h>

	.text
	.globl switch_context
	.type switch_context, @function
switch_context:
	REG_S	ra, 0*SZREG(a0)
	REG_S	sp, 1*SZREG(a0)
	REG_S	s0, 2*SZREG(a0)
	REG_S	s1, 3*SZREG(a0)
	REG_S	s2, 4*SZREG(a0)
	REG_S	s3, 5*SZREG(a0)
	REG_S	s4, 6*SZREG(a0)
	REG_S	s5, 7*SZREG(a0)
	REG_S	s6, 8*SZREG(a0)
	REG_S	s7, 9*SZREG(a0)
	REG_S	s8, 10*SZREG(a0)
	REG_S	s9, 11*SZREG(a0)
	REG_S	s10, 12*SZREG(a0)
	REG_S	s11, 13*SZREG(a0)

	REG_L	ra, 0*SZREG(a1)
	REG_L	sp, 1*SZREG(a1)
	REG_L	s0, 2*SZREG(a1)
	REG_L	s1, 3*SZREG(a1)
	REG_L	s2, 4*SZREG(a1)
	REG_L	s3, 5*SZREG(a1)
	REG_L	s4, 6*SZREG(a1)
	REG_L	s5, 7*SZREG(a1)
	REG_L	s6, 8*SZREG(a1)
	REG_L	s7, 9*SZREG(a1)
	REG_L	s8, 10*SZREG(a1)
	REG_L	s9, 11*SZREG(a1)
	REG_L	s10, 12*SZREG(a1)
	REG_L	s11, 13*SZREG(a1)
	ret
	.size switch_context, . - switch_context
