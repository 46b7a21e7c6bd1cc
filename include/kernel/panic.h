/*
 * panic.h - the end of the run after an unrecoverable error, with one
 * readable report however many harts fail at once (kernel/panic.c).
 * panic() itself is declared in machine.h, for portable code.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include <kernel/compiler.h>

struct trap_frame;

/*
 * An exception in the kernel: report it with the registers, then end.
 * hint, if not NULL, says what the faulting address looks like.
 */
__noreturn void panic_trap(const struct trap_frame *f, const char *what,
			   const char *hint);

/* True from the moment a hart has claimed the panic report. */
bool panic_in_progress(void);

/*
 * If another hart is reporting a panic, stop this one here for good.
 * Called where a hart may be while the report is written: the software
 * interrupt, console output (before each character), a lock wait.
 */
void panic_stop_if_underway(void);

/* console_write brackets its output with these (see kernel/panic.c). */
void panic_console_begin(void);
void panic_console_end(void);

/* Set from the boot option panic=halt: stay stopped for gdb. */
extern bool panic_halts;

#endif /* KERNEL_PANIC_H */
