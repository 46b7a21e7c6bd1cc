/*
 * memmap.c - the shell's memmap: a map of physical memory, one character
 * for each page or group of pages, and the same dump for programs.
 *
 *   rvos> memmap
 *   memmap: 0x80000000-0x88000000, 32768 pages, 16 pages (64 KiB) a character
 *   80000000 KKKKSSP.........................................................
 *   ...
 *   rvos> memmap raw
 *   memmap raw 1: start 0x80000000 pages 32768 page-size 4096
 *   0x80000000 52 kernel
 *   0x80034000 12 slab
 *   ...
 *   memmap raw end
 *
 * mm/ says what each page is (page_map, from its bitmaps and magazines);
 * this file adds what only the boot knows (the kernel image and the
 * device tree, which no region covers) and draws.  The format of the raw
 * dump is in docs/handson.md; tools/memviz.py reads it.
 */
#include <kernel/hart.h>
#include <kernel/fdt.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/string.h>

/* One snapshot of page_map covers this many pages (16 MiB). */
#define CHUNK_PAGES 4096
#define LINE_CHARS 64
#define MAX_LINES 32

/* Two kinds only the boot knows, after mm's own. */
enum {
	KIND_KERNEL = PAGE_KINDS, /* the kernel image */
	KIND_DTB,		  /* the device tree blob */
	KINDS
};

static const struct {
	char c;
	const char *name; /* in the raw dump */
	const char *legend;
} kinds[KINDS] = {
	[PAGE_KIND_RESERVED] = { '#', "reserved", "reserved" },
	[PAGE_KIND_BITMAPS] = { 'B', "bitmaps", "page bitmaps" },
	[PAGE_KIND_FREE] = { '.', "free", "free" },
	[PAGE_KIND_CACHED] = { 'm', "magazine", "per-hart magazine" },
	[PAGE_KIND_PAGE] = { 'P', "page", "page_alloc" },
	[PAGE_KIND_SLAB] = { 'S', "slab", "slab" },
	[PAGE_KIND_KMALLOC] = { 'L', "kmalloc", "large kmalloc" },
	[KIND_KERNEL] = { 'K', "kernel", "kernel image" },
	[KIND_DTB] = { 'D', "dtb", "device tree" },
};

extern char _kernel_start[], _kernel_end[];

/*
 * Filled by one page_map call at a time; the shell runs one command.  A
 * byte a page, 4 KiB of bss: taken with page_alloc it would show in the
 * map it draws.  Each 16 MiB is taken at one instant, during which every
 * allocation waits, for one pass over its pages.
 */
static unsigned char map[CHUNK_PAGES];

static uintptr_t ram_start(void)
{
	return (uintptr_t)boot_info.mem_base;
}

static size_t ram_pages(void)
{
	return (size_t)(boot_info.mem_size >> PAGE_SHIFT);
}

/* Kinds of npages pages from addr into map[]: the boot's, then mm's. */
static void take_chunk(uintptr_t addr, size_t npages)
{
	uintptr_t dtb = (uintptr_t)boot_info.blob;
	uintptr_t a;
	size_t j;

	page_map(addr, npages, map);
	for (j = 0; j < npages; j++) {
		if (map[j] != PAGE_KIND_RESERVED)
			continue;
		a = addr + j * PAGE_SIZE;
		if (a + PAGE_SIZE > (uintptr_t)_kernel_start &&
		    a < (uintptr_t)_kernel_end)
			map[j] = KIND_KERNEL;
		else if (a + PAGE_SIZE > dtb && a < dtb + boot_info.blob_size)
			map[j] = KIND_DTB;
	}
}

/* The commonest kind in a group other than free; free if all are. */
static char group_char(const unsigned char *k, size_t n)
{
	size_t count[KINDS] = { 0 }, j;
	unsigned int best = PAGE_KIND_FREE, i;

	for (j = 0; j < n; j++)
		count[k[j]]++;
	for (i = 0; i < KINDS; i++)
		if (i != PAGE_KIND_FREE && count[i] &&
		    (best == PAGE_KIND_FREE || count[i] > count[best]))
			best = i;
	return kinds[best].c;
}

/* Three kinds a line, each with its pages: 79 columns. */
static void print_legend(const size_t *count)
{
	char line[96];
	unsigned int i;
	int n = 0;

	printk("legend, with the pages of each kind:\n");
	for (i = 0; i < KINDS; i++) {
		n += snprintf(line + n, sizeof(line) - n, "%s%c %-17s%6lu",
			      n ? "  " : "", kinds[i].c, kinds[i].legend,
			      (unsigned long)count[i]);
		if (i % 3 == 2 || i == KINDS - 1) {
			printk("%s\n", line);
			n = 0;
		}
	}
	printk("a character shows the commonest kind of its pages, free only if all are free\n");
}

static void draw(size_t group)
{
	size_t total = ram_pages(), count[KINDS] = { 0 }, done, n, j;
	uintptr_t start = ram_start(), line_addr = start;
	char line[LINE_CHARS + 1];
	int col = 0;

	printk("memmap: %p-%p, %lu pages, %lu pages (%lu KiB) a character\n",
	       (void *)start, (void *)(start + total * PAGE_SIZE),
	       (unsigned long)total, (unsigned long)group,
	       (unsigned long)(group * PAGE_SIZE / 1024));
	/* A chunk is a whole number of groups, so no group spans two. */
	for (done = 0; done < total; done += n) {
		n = total - done;
		if (n > CHUNK_PAGES / group * group)
			n = CHUNK_PAGES / group * group;
		take_chunk(start + done * PAGE_SIZE, n);
		for (j = 0; j < n; j++)
			count[map[j]]++;
		for (j = 0; j < n; j += group) {
			size_t g = n - j < group ? n - j : group;

			if (col == 0)
				line_addr = start + (done + j) * PAGE_SIZE;
			line[col++] = group_char(map + j, g);
			if (col == LINE_CHARS || done + j + g == total) {
				line[col] = '\0';
				printk("%08lx %s\n", (unsigned long)line_addr,
				       line);
				col = 0;
			}
		}
	}
	print_legend(count);
}

static void print_run(uintptr_t addr, size_t pages, unsigned int kind)
{
	printk("%p %lu %s\n", (void *)addr, (unsigned long)pages,
	       kinds[kind].name);
}

/* One line per run of pages of one kind; runs go on across chunks. */
static void dump_raw(void)
{
	size_t total = ram_pages(), done, n, j, run = 0;
	uintptr_t start = ram_start(), run_addr = start;
	unsigned int kind = KINDS;

	printk("memmap raw 1: start %p pages %lu page-size %lu\n",
	       (void *)start, (unsigned long)total, (unsigned long)PAGE_SIZE);
	for (done = 0; done < total; done += n) {
		n = total - done < CHUNK_PAGES ? total - done : CHUNK_PAGES;
		take_chunk(start + done * PAGE_SIZE, n);
		for (j = 0; j < n; j++) {
			if (map[j] == kind) {
				run++;
				continue;
			}
			if (run)
				print_run(run_addr, run, kind);
			kind = map[j];
			run = 1;
			run_addr = start + (done + j) * PAGE_SIZE;
		}
	}
	if (run)
		print_run(run_addr, run, kind);
	printk("memmap raw end\n");
}

/* The fewest pages a character (a power of two) for MAX_LINES lines. */
static size_t default_group(void)
{
	size_t group = 1;

	while (ram_pages() > group * LINE_CHARS * MAX_LINES)
		group <<= 1;
	return group;
}

static int cmd_memmap(int argc, char **argv)
{
	unsigned long group;
	char *end = NULL;

	if (argc == 1) {
		draw(default_group());
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "raw") == 0) {
		dump_raw();
		return 0;
	}
	group = argc == 2 ? strtoul(argv[1], &end, 0) : 0;
	if (!group || *end || group > CHUNK_PAGES) {
		printk("usage: memmap [PAGES-A-CHARACTER | raw], PAGES-A-CHARACTER from 1 to 4096\n");
		return -1;
	}
	draw(group);
	return 0;
}
SHELL_COMMAND(memmap, "map of physical memory: memmap [PAGES-A-CHAR | raw]",
	      cmd_memmap);
