/*
 * allocs.c - the shell's allocs: the live allocations that tracking
 * (mm.debug=U) knows of, grouped by the code that made them, the most
 * bytes first, in the spirit of Linux's page_owner and SLUB's
 * alloc_calls; and, given an address, which allocation holds it.
 *
 *   rvos> allocs
 *        BYTES  COUNT  SITE
 *        12288      3  task_create+0x4e
 *          576      4  task_create+0x22
 *   rvos> allocs 0x80231008
 *   0x80231008: 8 bytes into 144 bytes of task at 0x80231000, allocated
 *   by task_create+0x22 on hart 1 at 0.734 s
 *
 * mm/ groups the allocations (mm_sites, as for "leaks since"); this
 * file prints them.
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/slab.h>
#include <kernel/string.h>

#define SITES 32

static int list_sites(void)
{
	struct mm_site *sites = kmalloc(SITES * sizeof(*sites));
	size_t bytes = 0, count = 0;
	long n, i;

	if (!sites) {
		printk("allocs: no memory for the table of sites\n");
		return -1;
	}
	n = mm_sites(0, sites, SITES);
	if (n < 0) {
		kfree(sites);
		printk("allocs: no memory to sort the allocations by site\n");
		return -1;
	}
	if (n == 0) {
		kfree(sites);
		printk("allocs: no live tracked allocations (tracking is mm.debug=U, or 'memdebug U' for caches made after)\n");
		return 0;
	}
	printk("  %10s %6s  %s\n", "BYTES", "COUNT", "SITE");
	for (i = 0; i < n && i < SITES; i++) {
		bytes += sites[i].bytes;
		count += sites[i].count;
		if (sites[i].site)
			printk("  %10lu %6lu  %pB\n",
			       (unsigned long)sites[i].bytes, sites[i].count,
			       (void *)sites[i].site);
		else
			printk("  %10lu %6lu  (made before tracking began)\n",
			       (unsigned long)sites[i].bytes, sites[i].count);
	}
	if (n > SITES)
		printk("  and %ld more sites\n", n - SITES);
	printk("allocs: %lu live tracked allocations, %lu bytes, from the %ld sites with the most bytes\n",
	       (unsigned long)count, (unsigned long)bytes,
	       n < SITES ? n : (long)SITES);
	kfree(sites);
	return 0;
}

static int show_address(const char *text)
{
	char *end, why[96];
	const void *p = (const void *)strtoul(text, &end, 16);
	struct mm_block b = { 0 };
	uint64_t now_ms = time_ns() / 1000000;

	if (!*text || *end) {
		printk("usage: allocs [ADDRESS in hex]\n");
		return -1;
	}
	if (!mm_find_tracked(p, &b)) {
		mm_describe(p, why, sizeof(why));
		printk("%p: no live tracked allocation holds it: %s\n", p, why);
		return 1;
	}
	printk("%p: %lu bytes into %lu bytes of %s at %p, allocated by %pB on hart %u at %u.%03u s (%lu ms ago)\n",
	       p, (unsigned long)((uintptr_t)p - (uintptr_t)b.addr),
	       (unsigned long)b.size, b.where, b.addr, (void *)b.alloc.site,
	       b.alloc.hart, (unsigned int)b.alloc.uptime_ms / 1000,
	       (unsigned int)b.alloc.uptime_ms % 1000,
	       (unsigned long)(now_ms - b.alloc.uptime_ms));
	return 0;
}

static int cmd_allocs(int argc, char **argv)
{
	if (argc == 1)
		return list_sites();
	if (argc == 2)
		return show_address(argv[1]);
	printk("usage: allocs [ADDRESS in hex]\n");
	return -1;
}
SHELL_COMMAND(allocs,
	      "live tracked allocations by site, or which one holds ADDRESS",
	      cmd_allocs);
