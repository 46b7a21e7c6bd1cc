/*
 * poison.h - the byte patterns the memory debugging fills memory with
 * (mm.debug=P and Z, docs/debugging.md), defined once, all distinct, so
 * that a value seen in a register or a report says where it came from.
 *
 *   pattern          word (rv32)   fills                        catches
 *                   (rv64: twice)
 *   POISON_FREE      0xdeadbeef    freed objects and pages      a write after free (checked when
 *                                                               handed out again), a read after
 *                                                               free (the value shows)
 *   POISON_NEW       0x2bad2bad    new objects and pages        a read of memory never written
 *   RED_ZONE_BYTE    0xcc          the bytes around an object   a write past either end
 *
 * A slab object with red zones and tracking (mm.debug=ZPU), stride bytes:
 *
 *   | red zone | payload (size)      | red zone | link | key | alloc track | free track |
 *   | cc cc .. | ef be ad de ef be.. | cc cc .. |      |     | site hart   | site hart  |
 *              ^ what kmalloc returns                         when        when
 *
 * The left red zone is 8 bytes (or the alignment, if more); the right one
 * runs from the end of the payload to 8 bytes past the next multiple of
 * 8.  Link and key sit after it, where no caller's write lands, so a
 * double free is told exactly, even when two harts race to make it.
 * The payload holds POISON_FREE while the object is free, POISON_NEW from
 * the moment it is handed out until the caller writes it.  The words are
 * stored little-endian, so a free object's bytes read ef be ad de.
 *
 * A pointer read from a pattern faults where it is followed, and the
 * exception report says which pattern it was (poison_explains).  That is
 * why new memory holds 0x2bad2bad and not Linux's 0x5a5a5a5a: on QEMU
 * virt no device answers at 0x2bad2bad, while 0x5a5a5a5a is PCIe memory,
 * where a load quietly returns garbage.  On rv64 both words lie far
 * beyond any physical address.
 */
#ifndef KERNEL_POISON_H
#define KERNEL_POISON_H

/* Words of the patterns, at the machine's width. */
#if __SIZEOF_LONG__ == 8
#define POISON_FREE 0xdeadbeefdeadbeefUL
#define POISON_NEW 0x2bad2bad2bad2badUL
#else
#define POISON_FREE 0xdeadbeefUL
#define POISON_NEW 0x2bad2badUL
#endif
#define RED_ZONE_BYTE 0xcc
#define RED_ZONE_WORD (~0UL / 0xff * RED_ZONE_BYTE) /* 0xcccccccc */

/* How far past a pattern a faulting address may lie: a field's offset. */
#define POISON_REACH 4096

/*
 * What a faulting address says, if it is a pattern plus a field's
 * offset: a pointer was read from memory that holds the pattern.  For
 * the exception report (kernel/trap.c); NULL if it is no pattern.
 */
static inline const char *poison_explains(unsigned long addr)
{
	if (addr - POISON_FREE < POISON_REACH)
		return "a pointer read from freed memory (POISON_FREE): a use after free";
	if (addr - POISON_NEW < POISON_REACH)
		return "a pointer read from new memory never written (POISON_NEW): a read of uninitialised memory";
	if (addr - RED_ZONE_WORD < POISON_REACH)
		return "a pointer read from a red zone (RED_ZONE_BYTE): a read past the end of an object";
	return NULL;
}

#endif /* KERNEL_POISON_H */
