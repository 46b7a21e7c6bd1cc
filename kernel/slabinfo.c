/*
 * slabinfo.c - the shell's view of the slab caches, like Linux's
 * /proc/slabinfo: one line per cache.  mm/ exports the figures
 * (kmem_cache_get_stats); the shell formats them here.
 */
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/slab.h>

static void print_cache(struct kmem_cache *cache, void *arg)
{
	struct kmem_cache_stats s;

	(void)arg;
	kmem_cache_get_stats(cache, &s);
	printk("  %-14s %6lu %6lu %8lu %8lu %6u %5u %6lu %7lu %7lu\n", s.name,
	       (unsigned long)s.object_size, (unsigned long)s.stride,
	       (unsigned long)s.active, (unsigned long)s.total,
	       s.objects_per_slab, s.pages_per_slab, (unsigned long)s.slabs,
	       (unsigned long)s.cached, s.refused_frees);
}

static int cmd_slabinfo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printk("  %-14s %6s %6s %8s %8s %6s %5s %6s %7s %7s\n", "CACHE", "SIZE",
	       "STRIDE", "ACTIVE", "TOTAL", "OBJ/SL", "PG/SL", "SLABS",
	       "CACHED", "REFUSED");
	kmem_cache_for_each(print_cache, NULL);
	return 0;
}
SHELL_COMMAND(
	slabinfo,
	"slab caches: objects in use, slabs, per-hart magazines, bad frees",
	cmd_slabinfo);
