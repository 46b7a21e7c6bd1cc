/*
 * handson.c - allocate and free memory by hand from the shell, to watch
 * buddyinfo, slabinfo, meminfo and memmap change (docs/handson.md):
 *
 *   alloc NPAGES     page_alloc(NPAGES): NPAGES contiguous pages
 *   free ADDR        page_free of a block that alloc gave
 *   kmalloc SIZE     kmalloc(SIZE): SIZE bytes
 *   kfree ADDR       kfree of a block that kmalloc gave
 *   alloc, kmalloc   with no argument: list the shell's blocks
 *
 * A typo must not free the kernel's own memory: the shell keeps a table
 * of the blocks it was given, and frees only those, each only with its
 * own command.  Anything else is refused, naming the address, and
 * nothing changes.  The shell runs one command at a time on one task,
 * so the table needs no lock.
 */
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/slab.h>
#include <kernel/string.h>

#define SHELL_BLOCKS 64

struct shell_block {
	void *addr;  /* NULL: the entry is unused */
	size_t size; /* pages for alloc, bytes for kmalloc */
};

/* What alloc and kmalloc gave, and not yet freed. */
static struct shell_block page_blocks[SHELL_BLOCKS];
static struct shell_block object_blocks[SHELL_BLOCKS];

static struct shell_block *find_block(struct shell_block *table, void *addr)
{
	int k;

	for (k = 0; k < SHELL_BLOCKS; k++)
		if (addr && table[k].addr == addr)
			return &table[k];
	return NULL;
}

static struct shell_block *unused_entry(struct shell_block *table)
{
	int k;

	for (k = 0; k < SHELL_BLOCKS; k++)
		if (!table[k].addr)
			return &table[k];
	return NULL;
}

static void list_blocks(const struct shell_block *table, const char *unit)
{
	int k, n = 0;

	for (k = 0; k < SHELL_BLOCKS; k++)
		if (table[k].addr) {
			printk("  %p %lu %s\n", table[k].addr,
			       (unsigned long)table[k].size, unit);
			n++;
		}
	printk("  %d of %d entries used\n", n, SHELL_BLOCKS);
}

/* The number in s (decimal, or 0x hex), or 0 if s is not all a number. */
static unsigned long parse_number(const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 0);

	return *end ? 0 : n;
}

static int cmd_alloc(int argc, char **argv)
{
	struct shell_block *b;
	unsigned long npages;

	if (argc == 1) {
		list_blocks(page_blocks, "pages");
		return 0;
	}
	npages = argc == 2 ? parse_number(argv[1]) : 0;
	if (!npages) {
		printk("usage: alloc NPAGES (a number of pages, 1 or more); alloc alone lists the blocks\n");
		return -1;
	}
	b = unused_entry(page_blocks);
	if (!b) {
		printk("alloc: the shell already holds %d blocks: free one first\n",
		       SHELL_BLOCKS);
		return -1;
	}
	b->addr = page_alloc(npages);
	if (!b->addr) {
		printk("alloc: no run of %lu free pages: none given\n", npages);
		return -1;
	}
	b->size = npages;
	printk("alloc: %lu page%s at %p\n", npages, npages == 1 ? "" : "s",
	       b->addr);
	return 0;
}
SHELL_COMMAND(alloc, "page_alloc(NPAGES) by hand; free ADDR gives it back",
	      cmd_alloc);

static int cmd_free(int argc, char **argv)
{
	struct shell_block *b;
	void *addr;

	if (argc != 2) {
		printk("usage: free ADDR (an address alloc gave)\n");
		return -1;
	}
	addr = (void *)parse_number(argv[1]);
	b = find_block(page_blocks, addr);
	if (!b) {
		printk("free: %p is no block alloc gave the shell: refused, nothing freed\n",
		       addr);
		return -1;
	}
	page_free(addr);
	printk("free: %lu page%s at %p given back\n", (unsigned long)b->size,
	       b->size == 1 ? "" : "s", addr);
	b->addr = NULL;
	return 0;
}
SHELL_COMMAND(free, "page_free(ADDR) of a block that alloc gave", cmd_free);

static int cmd_kmalloc(int argc, char **argv)
{
	struct shell_block *b;
	unsigned long size;

	if (argc == 1) {
		list_blocks(object_blocks, "bytes");
		return 0;
	}
	size = argc == 2 ? parse_number(argv[1]) : 0;
	if (!size) {
		printk("usage: kmalloc SIZE (bytes, 1 or more); kmalloc alone lists the blocks\n");
		return -1;
	}
	b = unused_entry(object_blocks);
	if (!b) {
		printk("kmalloc: the shell already holds %d blocks: kfree one first\n",
		       SHELL_BLOCKS);
		return -1;
	}
	b->addr = kmalloc(size);
	if (!b->addr) {
		printk("kmalloc: no memory for %lu bytes: none given\n", size);
		return -1;
	}
	b->size = size;
	printk("kmalloc: %lu bytes at %p (usable %lu)\n", size, b->addr,
	       (unsigned long)ksize(b->addr));
	return 0;
}
SHELL_COMMAND(kmalloc, "kmalloc(SIZE) by hand; kfree ADDR gives it back",
	      cmd_kmalloc);

static int cmd_kfree(int argc, char **argv)
{
	struct shell_block *b;
	void *addr;

	if (argc != 2) {
		printk("usage: kfree ADDR (an address kmalloc gave)\n");
		return -1;
	}
	addr = (void *)parse_number(argv[1]);
	b = find_block(object_blocks, addr);
	if (!b) {
		printk("kfree: %p is no block kmalloc gave the shell: refused, nothing freed\n",
		       addr);
		return -1;
	}
	kfree(addr);
	printk("kfree: %lu bytes at %p given back\n", (unsigned long)b->size,
	       addr);
	b->addr = NULL;
	return 0;
}
SHELL_COMMAND(kfree, "kfree(ADDR) of a block that kmalloc gave", cmd_kfree);
