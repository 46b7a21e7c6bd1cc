/*
 * console.h - the console above the UART: serialised output for printk
 * and a line of buffered, interrupt-fed input for the shell.
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <kernel/compiler.h>

/* Write a whole message under the console lock (never interleaved). */
void console_write_locked(const char *s, size_t n);
/* Called from the UART interrupt for every received byte. */
void console_input(char c);
/* Wait for and return the next input byte (task context only). */
char console_getc(void);
/*
 * Set once, by the first panic (kernel/panic.c): console writers then
 * bypass the lock, and other harts park when they see it.
 */
extern volatile int kernel_panicked;

#endif /* KERNEL_CONSOLE_H */
