/*
 * allocs.c - the shell's allocs: the live allocations that tracking
 * (mm.debug=U) knows of, grouped by the code that made them, the most
 * bytes first, in the spirit of Linux's page_owner and SLUB's
 * alloc_calls; and, given an address, which allocation holds it.
 *
 *   rvos> allocs
 *        BYTES  COUNT  SITE                            WHERE
 *        12288      3  task_create+0x4e                page
 *          576      4  task_create+0x22                task
 *   rvos> allocs 0x80231008
 *   0x80231008: 8 bytes into 144 bytes of task at 0x80231000, allocated
 *   by task_create+0x22 on hart 1 at 0.734 s
 *
 * mm/ walks the allocations (mm_for_each_tracked); this file groups and
 * prints them.
 */
#include <kernel/machine.h>
#include <kernel/mm_debug.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/slab.h>
#include <kernel/string.h>

#define SITES 64

struct site {
	uintptr_t site;
	const char *where;
	size_t bytes, count;
};

struct sites {
	struct site *site; /* SITES of them */
	const void *own;   /* this table: not listed */
	size_t n, others, other_bytes, total, total_bytes;
};

/* Runs with an allocator's lock held: it must not allocate. */
static void add_block(const struct mm_block *b, void *arg)
{
	struct sites *s = arg;
	size_t i;

	if (b->addr == s->own)
		return;
	s->total++;
	s->total_bytes += b->size;
	for (i = 0; i < s->n; i++)
		if (s->site[i].site == b->alloc.site &&
		    s->site[i].where == b->where)
			break;
	if (i == s->n) {
		if (s->n == SITES) {
			s->others++;
			s->other_bytes += b->size;
			return;
		}
		s->site[s->n++] =
			(struct site){ b->alloc.site, b->where, 0, 0 };
	}
	s->site[i].bytes += b->size;
	s->site[i].count++;
}

/* The most bytes first (insertion sort: a few dozen sites). */
static void sort_by_bytes(struct site *site, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct site key = site[i];

		for (j = i; j > 0 && site[j - 1].bytes < key.bytes; j--)
			site[j] = site[j - 1];
		site[j] = key;
	}
}

static int list_sites(void)
{
	struct sites s = { 0 };
	size_t i;

	s.site = kmalloc(SITES * sizeof(*s.site));
	if (!s.site) {
		printk("allocs: no memory for the table of sites\n");
		return -1;
	}
	s.own = s.site;
	mm_for_each_tracked(add_block, &s);
	if (!s.total) {
		kfree(s.site);
		printk("allocs: no live tracked allocations (tracking is mm.debug=U, or 'memdebug U' for caches made after)\n");
		return 0;
	}
	sort_by_bytes(s.site, s.n);
	printk("  %10s %6s  %-32s %s\n", "BYTES", "COUNT", "SITE", "WHERE");
	for (i = 0; i < s.n; i++)
		if (s.site[i].site)
			printk("  %10lu %6lu  %-32pB %s\n",
			       (unsigned long)s.site[i].bytes,
			       (unsigned long)s.site[i].count,
			       (void *)s.site[i].site, s.site[i].where);
		else
			printk("  %10lu %6lu  %-32s %s\n",
			       (unsigned long)s.site[i].bytes,
			       (unsigned long)s.site[i].count,
			       "(made before tracking began)", s.site[i].where);
	if (s.others)
		printk("  %10lu %6lu  (more sites than the table holds)\n",
		       (unsigned long)s.other_bytes, (unsigned long)s.others);
	printk("allocs: %lu live tracked allocations, %lu bytes\n",
	       (unsigned long)s.total, (unsigned long)s.total_bytes);
	kfree(s.site);
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
