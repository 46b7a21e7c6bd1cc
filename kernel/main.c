/*
 * main.c - boot: from the first instruction in C to the shell.
 *
 * Hart 0 runs kmain() and brings the machine up; the other harts wait in
 * start.S until it releases them, then run kmain_secondary().  Each hart
 * ends in its idle loop, from which the scheduler hands out tasks.
 */
#include <kernel/hart.h>
#include <kernel/bootarg.h>
#include <kernel/fdt.h>
#include <kernel/leaks.h>
#include <kernel/mm_debug.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/platform.h>
#include <kernel/shell.h>
#include <kernel/slab.h>
#include <kernel/task.h>
#include <kernel/timer.h>
#include <kernel/trap.h>
#include <kernel/ktest_runner.h>
#include <kernel/memcheck.h>
#include <asm/csr.h>

struct hart harts[MAX_HARTS];
struct fdt_info boot_info;

extern volatile uint32_t boot_release;
extern char _kernel_start[], _kernel_end[];

static struct mem_region free_ram[2];
static int nr_free_ram;

static void parse_device_tree(const void *fdt)
{
	if (fdt_parse(fdt, &boot_info) < 0)
		panic("no valid device tree at %p", fdt);
	if (boot_info.nr_harts > MAX_HARTS)
		boot_info.nr_harts = MAX_HARTS;
	if (!boot_info.timebase_hz)
		boot_info.timebase_hz = 10000000; /* QEMU virt's */
#if __riscv_xlen == 32
	/* The top of a 32-bit address space ends RAM for us. */
	if (boot_info.mem_base + boot_info.mem_size > 0x100000000ULL)
		boot_info.mem_size = 0x100000000ULL - boot_info.mem_base;
#endif
}

/* mm.debug=FZPUL: the memory debugging features (include/kernel/mm_debug.h). */
static void mm_debug_boot(void)
{
	char letters[16];

	if (bootarg("mm.debug", letters, sizeof(letters)) &&
	    mm_debug_setup(letters) < 0)
		printk("mm.debug=%s: a letter is not one of FZPUL; no debugging\n",
		       letters);
}

/*
 * Hand the page allocator all RAM but the kernel image and the device
 * tree, which QEMU places in the last 2 MiB-aligned block of RAM.
 */
static void mem_init(const void *fdt)
{
	uintptr_t start = ALIGN_UP((uintptr_t)_kernel_end, PAGE_SIZE);
	uintptr_t end = (uintptr_t)(boot_info.mem_base + boot_info.mem_size);
	uintptr_t dtb = ALIGN_DOWN((uintptr_t)fdt, PAGE_SIZE);
	uintptr_t dtb_end =
		ALIGN_UP((uintptr_t)fdt + boot_info.blob_size, PAGE_SIZE);

	if (dtb >= start && dtb < end) {
		free_ram[nr_free_ram++] = (struct mem_region){ start, dtb };
		if (dtb_end < end)
			free_ram[nr_free_ram++] =
				(struct mem_region){ dtb_end, end };
	} else {
		free_ram[nr_free_ram++] = (struct mem_region){ start, end };
	}
	page_init(free_ram, nr_free_ram);
	slab_init();
}

static void start_secondary_harts(void)
{
	unsigned int i, spins;

	__atomic_store_n(&boot_release, 1, __ATOMIC_RELEASE);
	for (i = 1; i < boot_info.nr_harts; i++)
		clint_send_ipi(i);
	for (spins = 0; nr_harts_online() < boot_info.nr_harts; spins++) {
		if (spins == 100000000) {
			printk("warning: only %u of %u harts came up\n",
			       nr_harts_online(), boot_info.nr_harts);
			break;
		}
		cpu_relax();
	}
}

static void print_banner(const void *fdt)
{
	int i;

	printk("\nRVOS on QEMU virt (rv%d): %u hart%s online, %llu MiB RAM\n",
	       __riscv_xlen, nr_harts_online(),
	       nr_harts_online() == 1 ? "" : "s",
	       (unsigned long long)(boot_info.mem_size >> 20));
	printk("  kernel  %p - %p  (%lu KiB)\n", (void *)_kernel_start,
	       (void *)_kernel_end,
	       (unsigned long)(_kernel_end - _kernel_start) / 1024);
	for (i = 0; i < nr_free_ram; i++)
		printk("  pages   %p - %p  (%lu KiB)\n",
		       (void *)free_ram[i].start, (void *)free_ram[i].end,
		       (unsigned long)((free_ram[i].end - free_ram[i].start) /
				       1024));
	printk("  dtb     %p - %p\n", fdt,
	       (void *)((uintptr_t)fdt + boot_info.blob_size));
	printk("  %lu of %lu pages free; bootargs \"%s\"\n",
	       (unsigned long)page_free_count(),
	       (unsigned long)page_total_count(), boot_info.bootargs);
}

static void start_first_task(void)
{
#ifdef CONFIG_KTEST
	if (!task_create_on(0, "ktest", ktest_main, NULL))
		panic("cannot create the test task");
#else
	if (!task_create("shell", shell_main, NULL))
		panic("cannot create the shell task");
#endif
	memcheck_start(); /* the scrubber, with mm.debug=P */
}

void kmain(unsigned long hartid, const void *fdt)
{
	unsigned int i;

	for (i = 0; i < MAX_HARTS; i++)
		harts[i].id = i;
	uart_init();		 /* console first: all below may print */
	parse_device_tree(fdt);	 /* harts, RAM, timebase, bootargs */
	trap_init_hart();	 /* exceptions become reports from here */
	mm_debug_boot();	 /* mm.debug=, before any allocation */
	mem_init(fdt);		 /* page allocator over the free RAM */
	sched_init_hart(hartid); /* this boot flow is hart 0's idle task */
	plic_init();		 /* console input interrupts ... */
	plic_init_hart(hartid);	 /* ... delivered to hart 0 */
	timer_init_hart(hartid); /* periodic tick */
	csr_set(mie, MIE_MSIE | MIE_MEIE);
	harts[hartid].online = true;
	start_secondary_harts(); /* release the others, wait for them */
	print_banner(fdt);
	start_first_task(); /* the shell, or the test runner */
	leaks_boot();	    /* mm.debug=L: a leak scan now and then */
	idle_loop();
}

void kmain_secondary(unsigned long hartid)
{
	trap_init_hart();
	clint_clear_ipi(hartid); /* the IPI that released us */
	sched_init_hart(hartid);
	plic_init_hart(hartid);
	timer_init_hart(hartid);
	csr_set(mie, MIE_MSIE);
	__atomic_store_n(&harts[hartid].online, true, __ATOMIC_RELEASE);
	idle_loop();
}
