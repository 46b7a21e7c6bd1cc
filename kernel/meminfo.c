/*
 * meminfo.c - the shell's meminfo: every figure of the memory manager
 * (get_memory_stats, include/kernel/meminfo.h) in the form of Linux's
 * /proc/meminfo, one "Name: value" a line, sizes in kB; and the
 * watermarks, which "meminfo reset" starts again from now.
 *
 *   MemTotal:         126972 kB     pages the allocator manages
 *   MemFree:          125440 kB     free, in the magazines too
 *   PerHartCached:        80 kB     free pages in the per-hart magazines
 *   Slab:                640 kB     pages the slab caches hold
 *   ...
 *   PeakUsed:           1532 kB     at 0.231 s (the watermark)
 *
 * mm/ exports the figures; this file only formats them.
 */
#include <kernel/meminfo.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/string.h>

#define KB_PER_PAGE (PAGE_SIZE / 1024)

static unsigned long kb(size_t pages)
{
	return (unsigned long)(pages * KB_PER_PAGE);
}

static void print_calls(const char *name, const struct call_counts *c)
{
	printk("%-16s %lu allocs, %lu frees, %lu failures, %lu refused frees\n",
	       name, c->allocs, c->frees, c->failures, c->refused_frees);
}

static void print_meminfo(void)
{
	struct memory_stats st;
	const struct page_stats *p = &st.pages;
	struct call_counts pages;
	size_t cached = 0, used;
	char orders[PAGE_ORDERS * 12];
	unsigned int h, o, frag;
	int n = 0;

	get_memory_stats(&st);
	for (h = 0; h < MAX_HARTS; h++)
		cached += p->cached[h];
	used = p->total - p->free;
	for (o = 0; o < PAGE_ORDERS; o++)
		n += snprintf(orders + n, sizeof(orders) - n, " %u:%lu", o,
			      (unsigned long)p->blocks[o]);
	frag = page_fragmentation(p);
	pages = (struct call_counts){ p->allocs, p->frees, p->failures,
				      p->refused_frees };

	printk("MemTotal:        %8lu kB\n", kb(p->total));
	printk("MemFree:         %8lu kB\n", kb(p->free));
	printk("MemUsed:         %8lu kB\n", kb(used));
	printk("PerHartCached:   %8lu kB\n", kb(cached));
	printk("Slab:            %8lu kB\n", kb(p->for_slabs));
	printk("KmallocLarge:    %8lu kB\n", kb(p->for_kmalloc));
	/* used leaves out the magazines' pages already: they are free. */
	printk("PageAlloc:       %8lu kB\n",
	       kb(used - p->for_slabs - p->for_kmalloc));
	printk("PageMetadata:    %8lu kB\n",
	       (unsigned long)(p->metadata_bytes + 1023) / 1024);
	printk("SlabCaches:      %8lu\n", (unsigned long)st.slab_caches);
	printk("SlabObjects:     %8lu of %lu\n", (unsigned long)st.slab_active,
	       (unsigned long)st.slab_total);
	printk("KmallocBytes:    %8lu\n", (unsigned long)st.kmalloc_bytes);
	if (st.kmalloc_asked_known)
		printk("KmallocAsked:    %8lu (rounding %lu)\n",
		       (unsigned long)st.kmalloc_bytes_asked,
		       (unsigned long)(st.kmalloc_bytes -
				       st.kmalloc_bytes_asked));
	else
		printk("KmallocAsked:    unknown (the kmalloc caches do not track: mm.debug=U)\n");
	print_calls("PageCalls:", &pages);
	print_calls("SlabCalls:", &st.slab);
	print_calls("KmallocCalls:", &st.kmalloc);
	printk("FreeBlocks:       %s\n", orders + 1);
	printk("Fragmentation:   %u.%03u (largest free block %lu kB)\n",
	       frag / 1000, frag % 1000, kb(p->largest_free_block));
	printk("PeakUsed:        %8lu kB at %u.%03u s\n", kb(p->peak_taken),
	       (unsigned int)p->peak_ms / 1000,
	       (unsigned int)p->peak_ms % 1000);
	printk("KmallocPeak:     %8lu kB at %u.%03u s\n",
	       kb(st.kmalloc_peak_pages),
	       (unsigned int)st.kmalloc_peak_ms / 1000,
	       (unsigned int)st.kmalloc_peak_ms % 1000);
}

static int cmd_meminfo(int argc, char **argv)
{
	if (argc == 1) {
		print_meminfo();
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "reset") == 0) {
		reset_memory_watermarks();
		printk("meminfo: watermarks reset\n");
		return 0;
	}
	printk("usage: meminfo [reset]\n");
	return -1;
}
SHELL_COMMAND(meminfo,
	      "memory figures, /proc/meminfo style; 'reset': the watermarks",
	      cmd_meminfo);
