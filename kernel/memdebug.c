/*
 * memdebug.c - the shell's memdebug: show the memory debugging features
 * (include/kernel/mm_debug.h) and change them at run time, as mm.debug=
 * does at boot.
 *
 *   memdebug            what is on: for new caches, the page allocator,
 *                       and how many caches have each set
 *   memdebug FZPU       turn exactly these on ("-": none)
 *
 * F takes effect everywhere at once.  Z, P and U decide how a cache lays
 * out its objects, so a cache keeps the ones it was made with: they go
 * to caches made from now on (and at once to the page allocator, for P
 * and U), and memdebug says how many caches keep their own.
 */
#include <kernel/mm_debug.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/slab.h>
#include <kernel/string.h>

/* How many caches have each set of features (bit i: set i). */
struct by_features {
	unsigned int caches[MM_DEBUG_ALL + 1];
};

static void count_cache(struct kmem_cache *c, void *arg)
{
	struct by_features *by = arg;
	struct kmem_cache_stats s;

	kmem_cache_get_stats(c, &s);
	by->caches[s.debug & MM_DEBUG_ALL]++;
}

static void show(void)
{
	struct by_features by = { { 0 } };
	char letters[8];
	unsigned int f;

	mm_debug_letters(mm_debug_flags(), letters);
	printk("memdebug: %s (F checks, Z red zones, P poison, U tracking, L leak scans, W watch 1 free in %u, for %s)\n",
	       letters, mm_watch_every(0),
	       mm_watch_loads() ? "stores and loads" : "stores");
	if (mm_watch_unreported())
		printk("  W: %lu writes stopped under a leaf lock, not reported\n",
		       mm_watch_unreported());
	mm_debug_letters(mm_debug_page_flags(), letters);
	printk("  page allocator: %s\n", letters);
	kmem_cache_for_each(count_cache, &by);
	for (f = 0; f <= MM_DEBUG_ALL; f++) {
		if (!by.caches[f])
			continue;
		mm_debug_letters(f, letters);
		printk("  caches with %s: %u\n", letters, by.caches[f]);
	}
}

static int cmd_memdebug(int argc, char **argv)
{
	unsigned int flags, kept;
	unsigned long every;
	char *end;

	if (argc == 1) {
		show();
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "watch") &&
	    !strcmp(argv[2], "loads") &&
	    (!strcmp(argv[3], "on") || !strcmp(argv[3], "off"))) {
		mm_watch_set_loads(!strcmp(argv[3], "on"));
		show();
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "watch")) {
		every = strtoul(argv[2], &end, 0);
		if (*end || !every || every > UINT32_MAX) {
			printk("usage: memdebug watch N (W watches one free in N, N from 1 on)\n");
			return -1;
		}
		mm_watch_every((unsigned int)every);
		show();
		return 0;
	}
	if (argc != 2 || !mm_debug_parse(argv[1], &flags)) {
		printk("usage: memdebug [letters of F Z P U L W, or -] | memdebug watch N | memdebug watch loads on|off\n");
		return -1;
	}
	kept = mm_debug_set(flags);
	if (kept)
		printk("memdebug: Z, P, U and W cannot change for the %u caches made before: they set each one's layout; caches made from now on get them\n",
		       kept);
	show();
	return 0;
}
SHELL_COMMAND(memdebug,
	      "show or set the memory debugging (letters FZPULW; watch N)",
	      cmd_memdebug);
