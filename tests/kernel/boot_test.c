/*
 * boot_test.c - what boot learned from the device tree matches the machine.
 */
#include <kernel/ktest.h>
#include <kernel/hart.h>
#include <kernel/page.h>
#include <kernel/string.h>

KTEST(boot, all_harts_from_device_tree_are_online)
{
	unsigned int i, online = 0;

	for (i = 0; i < MAX_HARTS; i++)
		online += harts[i].online;
	KEXPECT_GE(t, boot_info.nr_harts, 1);
	KEXPECT_EQ(t, online, boot_info.nr_harts);
	KEXPECT_EQ(t, nr_harts_online(), boot_info.nr_harts);
}

KTEST(boot, memory_comes_from_device_tree)
{
	KEXPECT_EQ(t, boot_info.mem_base, 0x80000000ULL);
	/* QEMU -m sizes are whole MiB; every size we test is >= 32 MiB. */
	KEXPECT_EQ(t, boot_info.mem_size % (1 << 20), 0);
	KEXPECT_GE(t, boot_info.mem_size, 32ULL << 20);
	/* All of it but the kernel image and the device tree is managed. */
	KEXPECT_GT(t, page_total_count() * PAGE_SIZE,
		   boot_info.mem_size - (2ULL << 20));
}

KTEST(boot, bootargs_reach_the_kernel)
{
	KEXPECT_NOT_NULL(t, boot_info.bootargs);
	KEXPECT_EQ(t, strncmp(boot_info.bootargs, "ktest=", 6), 0);
}
