/*
 * printk.c - formatted console output.
 *
 * The message is formatted into a buffer on the stack first and written
 * as one unit, so lines from different harts never interleave.
 */
#include <kernel/printk.h>
#include <kernel/console.h>

int vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_MAX];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	if (n > 0)
		console_write_locked(buf, (size_t)n);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}
