/*
 * main.c - boot: from the first instruction in C to the shell.
 *
 * Hart 0 runs kmain() and brings the machine up; the other harts wait in
 * start.S until it releases them, then run kmain_secondary().  Each hart
 * ends in its idle loop, from which the scheduler hands out tasks.
 */
#include <kernel/hart.h>
#include <kernel/cmdline.h>
#include <kernel/fault_inject.h>
#include <kernel/panic.h>
#include <kernel/string.h>
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

/* rv32: RAM stops 1 MiB short of 4 GiB, so that its end fits a pointer. */
#define RV32_RAM_END (0x100000000ULL - (1ULL << 20))

static struct mem_region free_ram[2];
static int nr_free_ram;

static void parse_device_tree(const void *fdt)
{
	if (fdt_parse(fdt, &boot_info) < 0)
		panic("no valid device tree at %p", fdt);
	if (boot_info.nr_harts > MAX_HARTS) {
		printk("boot: the device tree lists %u harts; RVOS runs %u (MAX_HARTS), the others stay parked\n",
		       boot_info.nr_harts, MAX_HARTS);
		boot_info.nr_harts = MAX_HARTS;
	}
	if (!boot_info.timebase_hz)
		boot_info.timebase_hz = 10000000; /* QEMU virt's */
#if __riscv_xlen == 32
	/* RAM must end below 4 GiB, or its end address does not fit. */
	if (boot_info.mem_base + boot_info.mem_size > RV32_RAM_END) {
		uint64_t size = boot_info.mem_size;

		boot_info.mem_size = RV32_RAM_END - boot_info.mem_base;
		printk("boot: rv32 reaches RAM only below 4 GiB: using %llu of %llu MiB\n",
		       (unsigned long long)(boot_info.mem_size >> 20),
		       (unsigned long long)(size >> 20));
	}
#endif
}

/*
 * mm.debug=FZPULW: the memory debugging features
 * (include/kernel/mm_debug.h); mm.watch=N: W watches one free in N;
 * mm.watch_loads=1: and loads too.
 */
static void mm_debug_boot(void)
{
	char letters[16], *end;
	unsigned long every;

	if (cmdline_get("mm.debug", letters, sizeof(letters)) &&
	    mm_debug_setup(letters) < 0)
		printk("mm.debug=%s: a letter is not one of FZPULW; no debugging\n",
		       letters);
	if (cmdline_get("mm.watch", letters, sizeof(letters))) {
		every = strtoul(letters, &end, 0);
		if (*end || !every || every > UINT32_MAX)
			printk("mm.watch=%s: not a number of frees from 1 on; the default kept\n",
			       letters);
		else
			mm_watch_every((unsigned int)every);
	}
	if (cmdline_get("mm.watch_loads", letters, sizeof(letters)))
		mm_watch_set_loads(!strcmp(letters, "1"));
}

/*
 * fail.slab= and fail.page=: "interval,probability,space,times[,seed]",
 * as Linux's failslab= and fail_page_alloc= (include/kernel/fault_inject.h).
 * Armed once the allocators are up; what fails from then on is reported.
 */
static void fault_inject_boot(void)
{
	static const char *const keys[FAULT_KINDS] = { "fail.slab",
						       "fail.page" };
	struct fault_knobs k;
	char value[64];
	int kind;

	for (kind = 0; kind < FAULT_KINDS; kind++) {
		if (!cmdline_get(keys[kind], value, sizeof(value)))
			continue;
		memset(&k, 0, sizeof(k));
		if (fault_knobs_parse(value, &k))
			fault_inject_set((enum fault_kind)kind, &k);
		else
			printk("boot: %s=%s is not interval,probability,space,times[,seed]; nothing armed\n",
			       keys[kind], value);
	}
}

/* panic=halt keeps a panicked machine for gdb (make debug sets it). */
static void parse_command_line(void)
{
	char value[8];

	if (!cmdline_get("panic", value, sizeof(value)))
		return;
	if (strcmp(value, "halt") == 0)
		panic_halts = true;
	else
		printk("boot: panic=%s is not known (panic=halt is); a panic ends the run\n",
		       value);
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

/*
 * Release the other harts and wait for every one of them, however long
 * the host takes to run them.
 */
static void start_secondary_harts(void)
{
	unsigned int i;

	__atomic_store_n(&boot_release, 1, __ATOMIC_RELEASE);
	for (i = 1; i < boot_info.nr_harts; i++)
		clint_send_ipi(i);
	while (nr_harts_online() < boot_info.nr_harts)
		cpu_relax();
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
	parse_command_line();	 /* panic=halt */
	trap_init_hart();	 /* exceptions become reports from here */
	watch_init_hart();	 /* debug triggers: there or not */
	mm_debug_boot();	 /* mm.debug=, before any allocation */
	mem_init(fdt);		 /* page allocator over the free RAM */
	fault_inject_boot();	 /* fail.slab=, fail.page= */
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
	watch_init_hart();
	clint_clear_ipi(hartid); /* the IPI that released us */
	sched_init_hart(hartid);
	plic_init_hart(hartid);
	timer_init_hart(hartid);
	csr_set(mie, MIE_MSIE);
	__atomic_store_n(&harts[hartid].online, true, __ATOMIC_RELEASE);
	idle_loop();
}
