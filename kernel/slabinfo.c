/*
 * slabinfo.c - the shell's view of the slab caches, like Linux's
 * /proc/slabinfo: one line per cache.  mm/ exports the figures
 * (kmem_cache_get_stats); the shell formats them here.
 */
#include <kernel/mm_debug.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/slab.h>

static void print_cache(struct kmem_cache *cache, void *arg)
{
	struct kmem_cache_stats s;
	char debug[8];

	(void)arg;
	kmem_cache_get_stats(cache, &s);
	mm_debug_letters(s.debug, debug);
	printk("  %-14s %6lu %6lu %8lu %8lu %6u %5u %6lu %6lu %4u.%03u %7lu %7lu %-5s\n",
	       s.name, (unsigned long)s.object_size, (unsigned long)s.stride,
	       (unsigned long)s.active, (unsigned long)s.total,
	       s.objects_per_slab, s.pages_per_slab, (unsigned long)s.slabs,
	       (unsigned long)s.peak_slabs, (unsigned int)s.peak_ms / 1000,
	       (unsigned int)s.peak_ms % 1000, (unsigned long)s.cached,
	       s.refused_frees, debug);
}

static int cmd_slabinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("  %-14s %6s %6s %8s %8s %6s %5s %6s %6s %8s %7s %7s %-5s\n",
	       "CACHE", "SIZE", "STRIDE", "ACTIVE", "TOTAL", "OBJ/SL", "PG/SL",
	       "SLABS", "PEAK", "AT(s)", "CACHED", "REFUSED", "DEBUG");
	kmem_cache_for_each(print_cache, NULL);
	return 0;
}
SHELL_COMMAND(
	slabinfo,
	"slab caches: objects, slabs and their peak, magazines, bad frees, debugging",
	cmd_slabinfo);
