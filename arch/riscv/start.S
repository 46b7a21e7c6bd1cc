/*
 * start.S - the first instructions every hart runs.
 *
 * QEMU starts all harts here at once with a0 = hart id, a1 = device tree.
 * Each hart keeps its id in tp (this_hart() reads it) and takes its own
 * boot stack (later its idle task's stack).
 * Hart 0 clears .bss and calls kmain(); the others wait, touching no
 * memory but boot_release, until hart 0 sets it and sends them a software
 * interrupt, then call kmain_secondary().  A hart id beyond MAX_HARTS
 * parks forever.
 */
#include <asm/asm.h>
#include <kernel/config.h>

	.section .text.boot, "ax"
	.globl _start
	.type _start, @function
_start:
	csrw	mie, zero
	csrw	mstatus, zero

	/* gp-relative addressing must not be used to set gp itself. */
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop

	li	t0, MAX_HARTS
	bgeu	a0, t0, park
	mv	tp, a0			/* this_hart() reads it (asm/machine.h) */

	/* sp = boot_stacks + (hartid + 1) * BOOT_STACK_SIZE */
	la	sp, boot_stacks
	li	t0, BOOT_STACK_SIZE
	addi	t1, a0, 1
	mul	t0, t0, t1
	add	sp, sp, t0
	li	s0, 0			/* ends the frame-pointer chain */
	li	ra, 0

	bnez	a0, secondary

	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	REG_S	zero, 0(t0)
	addi	t0, t0, SZREG
	j	1b
2:	call	kmain
	j	park

secondary:
	/*
	 * wfi resumes on a locally enabled pending interrupt even with
	 * mstatus.MIE clear, so enable the software interrupt in mie only.
	 */
	li	t0, 8			/* MIE_MSIE */
	csrw	mie, t0
	la	t0, boot_release
3:	lw	t1, 0(t0)
	bnez	t1, 4f
	wfi
	j	3b
4:	fence	r, rw			/* acquire: see hart 0's stores */
	call	kmain_secondary

park:
	wfi
	j	park
	.size _start, . - _start

	.section .data
	.globl boot_release
	.align 2
boot_release:
	.word	0

	.section .bss
	.align 4			/* 2^4 = 16 bytes: the ABI aligns sp so */
	.globl boot_stacks
boot_stacks:
	.space	BOOT_STACK_SIZE * MAX_HARTS
