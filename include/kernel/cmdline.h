/*
 * cmdline.h - the kernel command line (QEMU -append), "key=value ...",
 * as the device tree's /chosen/bootargs gives it (kernel/cmdline.c).
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include <kernel/compiler.h>

/*
 * Copy the value of key=value into out (cut to size - 1 characters).
 * Returns false if the command line has no such key.
 */
bool cmdline_get(const char *key, char *out, size_t size);

#endif /* KERNEL_CMDLINE_H */
