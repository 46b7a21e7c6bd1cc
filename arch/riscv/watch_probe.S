/*
 * watch_probe.S - ask the hart whether it has debug triggers without
 * dying of the answer.
 *
 * On a hart without the trigger module (Sdtrig) the trigger CSRs do not
 * exist and touching them is an illegal instruction.  The probe points
 * mtvec at a landing pad of its own for the few instructions that may
 * trap, so a missing CSR becomes a return value of -1 instead of a
 * kernel panic.  Interrupts must be off (boot): a trap clears
 * mstatus.MIE, and the pad puts mstatus back as it was.
 */
#include <asm/asm.h>

#define CSR_TSELECT 0x7a0
#define CSR_TINFO 0x7a4

	.text
/*
 * unsigned long watch_probe_select(unsigned long i)
 *	Write i to tselect and return what tselect reads back: i if trigger
 *	i exists, something else if not, or -1 if tselect traps.
 */
	.globl watch_probe_select
	.type watch_probe_select, @function
watch_probe_select:
	csrr	t1, mtvec
	csrr	t2, mstatus
	la	t0, 1f
	csrw	mtvec, t0
	csrw	CSR_TSELECT, a0
	csrr	a0, CSR_TSELECT
	j	2f
	.align 2			/* mtvec direct mode: 4-byte aligned */
1:	li	a0, -1
2:	csrw	mtvec, t1
	csrw	mstatus, t2
	ret
	.size watch_probe_select, . - watch_probe_select

/*
 * unsigned long watch_probe_tinfo(void)
 *	tinfo of the selected trigger (a bit per type it supports), or -1
 *	if tinfo traps (the specification lets it be missing).
 */
	.globl watch_probe_tinfo
	.type watch_probe_tinfo, @function
watch_probe_tinfo:
	csrr	t1, mtvec
	csrr	t2, mstatus
	la	t0, 1f
	csrw	mtvec, t0
	csrr	a0, CSR_TINFO
	j	2f
	.align 2
1:	li	a0, -1
2:	csrw	mtvec, t1
	csrw	mstatus, t2
	ret
	.size watch_probe_tinfo, . - watch_probe_tinfo
