/*
 * trap_entry.S - save and restore the interrupted context around a trap.
 *
 * RVOS runs in machine mode only and every task has its own stack, so a
 * trap simply pushes a struct trap_frame (include/kernel/trap.h) on the
 * current stack.  mepc and mstatus are part of the frame because the
 * handler may switch to another task, which takes traps of its own before
 * this one resumes.
 *
 *   slot  0      mepc
 *   slot  1..31  x1..x31 (slot 2 holds the sp before the trap; slot 4,
 *                tp, is saved for a reader, never restored: see below)
 *   slot 32      mstatus
 *   slot 33      mcause
 *   slot 34      mtval
 *   slot 35      padding (keeps sp 16-byte aligned)
 */
#include <asm/asm.h>

#define FRAME_SLOTS 36
#define FRAME_SIZE (FRAME_SLOTS * SZREG)

.macro save_regs
	REG_S	x1, 1*SZREG(sp)
	REG_S	x3, 3*SZREG(sp)
	REG_S	x4, 4*SZREG(sp)
	REG_S	x5, 5*SZREG(sp)
	REG_S	x6, 6*SZREG(sp)
	REG_S	x7, 7*SZREG(sp)
	REG_S	x8, 8*SZREG(sp)
	REG_S	x9, 9*SZREG(sp)
	REG_S	x10, 10*SZREG(sp)
	REG_S	x11, 11*SZREG(sp)
	REG_S	x12, 12*SZREG(sp)
	REG_S	x13, 13*SZREG(sp)
	REG_S	x14, 14*SZREG(sp)
	REG_S	x15, 15*SZREG(sp)
	REG_S	x16, 16*SZREG(sp)
	REG_S	x17, 17*SZREG(sp)
	REG_S	x18, 18*SZREG(sp)
	REG_S	x19, 19*SZREG(sp)
	REG_S	x20, 20*SZREG(sp)
	REG_S	x21, 21*SZREG(sp)
	REG_S	x22, 22*SZREG(sp)
	REG_S	x23, 23*SZREG(sp)
	REG_S	x24, 24*SZREG(sp)
	REG_S	x25, 25*SZREG(sp)
	REG_S	x26, 26*SZREG(sp)
	REG_S	x27, 27*SZREG(sp)
	REG_S	x28, 28*SZREG(sp)
	REG_S	x29, 29*SZREG(sp)
	REG_S	x30, 30*SZREG(sp)
	REG_S	x31, 31*SZREG(sp)
.endm

.macro restore_regs
	REG_L	x1, 1*SZREG(sp)
	REG_L	x3, 3*SZREG(sp)
	/* Not x4, tp: it holds this hart's id, and the task may have moved. */
	REG_L	x5, 5*SZREG(sp)
	REG_L	x6, 6*SZREG(sp)
	REG_L	x7, 7*SZREG(sp)
	REG_L	x8, 8*SZREG(sp)
	REG_L	x9, 9*SZREG(sp)
	REG_L	x10, 10*SZREG(sp)
	REG_L	x11, 11*SZREG(sp)
	REG_L	x12, 12*SZREG(sp)
	REG_L	x13, 13*SZREG(sp)
	REG_L	x14, 14*SZREG(sp)
	REG_L	x15, 15*SZREG(sp)
	REG_L	x16, 16*SZREG(sp)
	REG_L	x17, 17*SZREG(sp)
	REG_L	x18, 18*SZREG(sp)
	REG_L	x19, 19*SZREG(sp)
	REG_L	x20, 20*SZREG(sp)
	REG_L	x21, 21*SZREG(sp)
	REG_L	x22, 22*SZREG(sp)
	REG_L	x23, 23*SZREG(sp)
	REG_L	x24, 24*SZREG(sp)
	REG_L	x25, 25*SZREG(sp)
	REG_L	x26, 26*SZREG(sp)
	REG_L	x27, 27*SZREG(sp)
	REG_L	x28, 28*SZREG(sp)
	REG_L	x29, 29*SZREG(sp)
	REG_L	x30, 30*SZREG(sp)
	REG_L	x31, 31*SZREG(sp)
.endm

	.text
	.globl trap_entry
	.type trap_entry, @function
	.align 2			/* 2^2 = 4 bytes: mtvec direct mode */
trap_entry:
	addi	sp, sp, -FRAME_SIZE
	save_regs
	addi	t0, sp, FRAME_SIZE
	REG_S	t0, 2*SZREG(sp)
	csrr	t0, mepc
	REG_S	t0, 0(sp)
	csrr	t0, mstatus
	REG_S	t0, 32*SZREG(sp)
	csrr	t0, mcause
	REG_S	t0, 33*SZREG(sp)
	csrr	t0, mtval
	REG_S	t0, 34*SZREG(sp)

	mv	a0, sp
	call	trap_handler

	REG_L	t0, 0(sp)
	csrw	mepc, t0
	REG_L	t0, 32*SZREG(sp)
	csrw	mstatus, t0
	restore_regs
	addi	sp, sp, FRAME_SIZE
	mret
	.size trap_entry, . - trap_entry
