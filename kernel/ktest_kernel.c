/*
 * ktest_kernel.c - the kernel side of the test runner.
 *
 * The test image (built with CONFIG_KTEST) starts the task ktest_main on
 * hart 0 instead of the shell.  It reads its filter from the kernel
 * command line (ktest=suite[:case][,...], ktest.scale=N), runs the cases
 * through kernel/ktest.c, and leaves QEMU through the test finisher.  A
 * panic ends the boot from panic() itself; tools/ktest.py decides whether
 * the panic was expected.
 */
#include <kernel/ktest_runner.h>
#include <kernel/cmdline.h>
#include <kernel/hart.h>
#include <kernel/platform.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/task.h>

static unsigned int scale = 1;

unsigned int ktest_scale(void)
{
	return scale;
}

bool ktest_platform_catches_panic(void)
{
	return false;
}

bool ktest_platform_run_case(const struct ktest_case *c, struct ktest *t)
{
	c->run(t);
	return false;
}

unsigned int ktest_on_each_hart(void (*fn)(void *arg), void *arg)
{
	unsigned int n = task_run_on_each_hart("ktest", fn, arg);

	if (!n)
		panic("ktest: cannot create a task for each hart");
	return n;
}

void ktest_main(void *arg)
{
	char filter[128] = "all", value[16], platform[64];
	int failed;

	(void)arg;
	cmdline_get("ktest", filter, sizeof(filter));
	if (cmdline_get("ktest.scale", value, sizeof(value)))
		scale = (unsigned int)strtoul(value, NULL, 10) ?: 1;
	snprintf(platform, sizeof(platform), "harts=%u arch=rv%d mem=%lluM",
		 nr_harts_online(), __riscv_xlen,
		 (unsigned long long)(boot_info.mem_size >> 20));
	failed = ktest_run(filter, platform);
	virt_test_exit(failed ? 1 : 0);
}
