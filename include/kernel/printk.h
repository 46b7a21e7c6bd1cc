/*
 * printk.h - formatted output to the console.
 *
 * One printk() call is formatted into a buffer first and then written
 * under the console lock, so lines from different harts never interleave.
 * The format language is the usual subset of printf (lib/vsnprintf.c):
 * %d %i %u %x %X %o %p %s %c %% with flags "-0+ #", width, precision and
 * the length modifiers hh h l ll z t j, and %pS and %pB, which name the
 * function a code address is in: "kfree+0x1a" (%pB for return addresses).
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include <stdarg.h>
#include <kernel/compiler.h>

/* Longest single printk() message; longer ones are cut. */
#define PRINTK_MAX 512

__printf(1, 2) int printk(const char *fmt, ...);
__printf(1, 0) int vprintk(const char *fmt, va_list ap);

__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);
__printf(3, 0) int vsnprintf(char *buf, size_t size, const char *fmt,
			     va_list ap);

#endif /* KERNEL_PRINTK_H */
