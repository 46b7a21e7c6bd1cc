/*
 * console.h - the console above the UART: serialised output for printk
 * and panic, and buffered, interrupt-fed input for the shell
 * (kernel/console.c).  console_write, the raw output, is in machine.h.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <kernel/compiler.h>

/* Write a whole message under the console lock (never interleaved). */
void console_write_locked(const char *s, size_t n);
/* End a line that another writer left unfinished (the panic report). */
void console_start_line(void);
/* The UART's receive interrupt: take what the input ring has room for. */
void console_interrupt(void);
/* Wait for and return the next input byte (task context only). */
char console_getc(void);
/*
 * Wait until input has filled the ring and waits in the UART (the shell's
 * inputfull: a test of flow control that needs no timing).
 */
void console_wait_input_full(void);

#endif /* KERNEL_CONSOLE_H */
