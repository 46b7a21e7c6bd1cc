/*
 * bootarg.h - options from the kernel command line (kernel/bootarg.c):
 * QEMU's -append, which the device tree carries as /chosen/bootargs,
 * words "key=value" separated by spaces.
 *
 *	char letters[16];
 *
 *	if (bootarg("mm.debug", letters, sizeof(letters)))
 *		...
 */
#ifndef KERNEL_BOOTARG_H
#define KERNEL_BOOTARG_H

#include <kernel/compiler.h>

/*
 * Copy the value of the first "key=value" on the command line into out
 * (cut to size - 1 bytes); false if there is none.
 */
bool bootarg(const char *key, char *out, size_t size);

#endif /* KERNEL_BOOTARG_H */
