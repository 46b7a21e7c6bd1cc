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
 *   POISON_NEW       0x5a5a5a5a    new objects and pages        a read of memory never written
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
 */
#ifndef KERNEL_POISON_H
#define KERNEL_POISON_H

/* Words of the patterns, at the machine's width. */
#if __SIZEOF_LONG__ == 8
#define POISON_FREE 0xdeadbeefdeadbeefUL
#define POISON_NEW 0x5a5a5a5a5a5a5a5aUL
#else
#define POISON_FREE 0xdeadbeefUL
#define POISON_NEW 0x5a5a5a5aUL
#endif
#define RED_ZONE_BYTE 0xcc

#endif /* KERNEL_POISON_H */
