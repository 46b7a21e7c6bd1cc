/*
 * buddyinfo.c - the shell's view of the page allocator, in the spirit of
 * Linux's /proc/buddyinfo: free blocks per order, the pages in each
 * hart's magazine, and how fragmented the free memory is.  mm/ exports
 * the figures (page_get_stats); the shell formats them here.
 *
 * The unusable free space index of order k (Linux's extfrag "unusable
 * index") is the share of free memory that cannot serve a request of
 * order k, because it sits in smaller blocks or in per-hart magazines:
 * 0.000 means every free page could, 1.000 that none could.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/shell.h>

static int cmd_buddyinfo(int argc, char **argv)
{
	struct page_stats s;
	unsigned int o, h, index, frag;

	(void)argc;
	(void)argv;
	page_get_stats(&s);
	printk("  order   blocks   pages   unusable-index\n");
	for (o = 0; o < PAGE_ORDERS; o++) {
		index = page_unusable_index(&s, o);
		printk("  %5u %8lu %7lu   %u.%03u\n", o,
		       (unsigned long)s.blocks[o],
		       (unsigned long)(s.blocks[o] << o), index / 1000,
		       index % 1000);
	}
	for (h = 0; h < MAX_HARTS; h++)
		if (s.cached[h])
			printk("  hart %u magazine: %lu pages\n", h,
			       (unsigned long)s.cached[h]);
	frag = page_fragmentation(&s);
	printk("  free %lu of %lu pages (%lu KiB), largest free block %lu pages, fragmentation %u.%03u\n",
	       (unsigned long)s.free, (unsigned long)s.total,
	       (unsigned long)(s.free * (PAGE_SIZE / 1024)),
	       (unsigned long)s.largest_free_block, frag / 1000, frag % 1000);
	printk("  metadata %lu bytes; %lu failed allocations, %lu refused frees\n",
	       (unsigned long)s.metadata_bytes, s.failures, s.refused_frees);
	return 0;
}
SHELL_COMMAND(buddyinfo, "free page blocks per order, magazines, fragmentation",
	      cmd_buddyinfo);
