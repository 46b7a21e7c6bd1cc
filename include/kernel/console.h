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
/* Set when a panic owns the console: writers then bypass the lock. */
extern volatile bool console_panicking;

#endif /* KERNEL_CONSOLE_H */
