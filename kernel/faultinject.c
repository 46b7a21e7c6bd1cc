/*
 * faultinject.c - the shell's faultinject: make allocations fail on
 * purpose (include/kernel/fault_inject.h), to see how the code that asked
 * copes.
 *
 *   faultinject                             the knobs and what they did
 *   faultinject slab|page INTERVAL,PROBABILITY,SPACE,TIMES[,SEED]
 *   faultinject slab cache NAME             only this cache's allocations
 *   faultinject page order MIN-MAX          only blocks of these orders
 *   faultinject slab|page site FUNCTION     only calls from this function
 *   faultinject slab|page off
 *   faultinject nth N                       the Nth allocation from now
 *
 * Setting a filter keeps the other knobs; "off" clears them all.
 */
#include <kernel/fault_inject.h>
#include <kernel/kallsyms.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/string.h>

#define CACHE_NAME_MAX 32

/* The cache filter's name: the knobs keep a pointer to it. */
static char cache_name[FAULT_KINDS][CACHE_NAME_MAX];

static const char *const kind_names[FAULT_KINDS] = { "slab", "page" };

static void show_kind(enum fault_kind kind)
{
	struct fault_knobs k;
	struct fault_counts n;
	char orders[16], site[48];

	if (!fault_inject_get(kind, &k, &n)) {
		printk("  %s: off (%lu candidates, %lu failed)\n",
		       kind_names[kind], n.candidates, n.failed);
		return;
	}
	if (k.max_order)
		snprintf(orders, sizeof(orders), "%u-%u", k.min_order,
			 k.max_order);
	else
		snprintf(orders, sizeof(orders), "any");
	if (k.site_start)
		snprintf(site, sizeof(site), "%pS", (void *)k.site_start);
	else
		snprintf(site, sizeof(site), "any");
	printk("  %s: interval %u, probability %u%%, space %lu, times %ld, seed %lu; cache %s, orders %s, site %s; %lu candidates, %lu failed\n",
	       kind_names[kind], k.interval, k.probability,
	       (unsigned long)k.space, k.times, (unsigned long)k.seed,
	       k.cache ? k.cache : "any", orders, site, n.candidates, n.failed);
}

static void show(void)
{
	unsigned long left = fault_inject_nth_left();

	show_kind(FAULT_SLAB);
	show_kind(FAULT_PAGE);
	if (left)
		printk("  nth: allocation %lu from now fails\n", left);
}

/* A filter or the knobs for kind; false if the words make no sense. */
static bool set_kind(enum fault_kind kind, int argc, char **argv)
{
	struct fault_knobs k;
	unsigned long lo, hi;
	size_t size;
	char *end;

	fault_inject_get(kind, &k, NULL);
	if (argc == 1 && strcmp(argv[0], "off") == 0) {
		fault_inject_off(kind);
		return true;
	}
	if (argc == 1)
		return fault_knobs_parse(argv[0], &k) &&
		       (fault_inject_set(kind, &k), true);
	if (argc != 2)
		return false;
	if (kind == FAULT_SLAB && strcmp(argv[0], "cache") == 0 &&
	    strlen(argv[1]) < CACHE_NAME_MAX) {
		memcpy(cache_name[kind], argv[1], strlen(argv[1]) + 1);
		k.cache = cache_name[kind];
	} else if (kind == FAULT_PAGE && strcmp(argv[0], "order") == 0) {
		lo = strtoul(argv[1], &end, 10);
		if (*end != '-')
			return false;
		hi = strtoul(end + 1, &end, 10);
		if (*end || lo > hi)
			return false;
		k.min_order = (unsigned int)lo;
		k.max_order = (unsigned int)hi;
	} else if (strcmp(argv[0], "site") == 0 &&
		   kallsyms_find(argv[1], &k.site_start, &size)) {
		k.site_end = k.site_start + size;
	} else {
		return false;
	}
	fault_inject_set(kind, &k);
	return true;
}

static int cmd_faultinject(int argc, char **argv)
{
	enum fault_kind kind;
	unsigned long n;
	char *end;

	if (argc == 1) {
		show();
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "nth") == 0) {
		n = strtoul(argv[2], &end, 10);
		if (*argv[2] && !*end) {
			fault_inject_fail_nth(n);
			show();
			return 0;
		}
	}
	for (kind = 0; kind < FAULT_KINDS; kind++)
		if (argc >= 3 && strcmp(argv[1], kind_names[kind]) == 0 &&
		    set_kind(kind, argc - 2, argv + 2)) {
			show();
			return 0;
		}
	printk("usage: faultinject [slab|page INTERVAL,PROBABILITY,SPACE,TIMES[,SEED] | slab cache NAME | page order MIN-MAX | slab|page site FUNCTION | slab|page off | nth N]\n");
	return -1;
}
SHELL_COMMAND(faultinject, "make allocations fail on purpose (see its usage)",
	      cmd_faultinject);
