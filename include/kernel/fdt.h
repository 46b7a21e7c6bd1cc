/*
 * fdt.h - just enough of a flattened device tree reader (lib/fdt.c).
 *
 * QEMU hands the kernel a device tree blob in a1.  RVOS reads from it the
 * number of harts (cpu@N nodes under /cpus), the RAM (/memory@... reg),
 * the timebase frequency and the kernel command line (/chosen/bootargs).
 */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <kernel/compiler.h>

struct fdt_info {
	unsigned int nr_harts;
	uint64_t mem_base;
	uint64_t mem_size;
	uint32_t timebase_hz; /* 0 if absent */
	const char *bootargs; /* points into the blob; "" if absent */
	uint32_t blob_size;   /* total size of the blob, to reserve it */
	const void *blob;     /* where the blob is */
};

/*
 * Parse the blob at fdt into *info.  Returns 0, or a negative number if
 * the blob is not a valid version 16/17 device tree.
 */
int fdt_parse(const void *fdt, struct fdt_info *info);

#endif /* KERNEL_FDT_H */
