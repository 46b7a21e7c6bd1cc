# RVOS - one Makefile for the kernel, its tests and the host test runner.
#
#   make run   [ARCH=rv32|rv64] [SMP=1..8] [MEM=128M]   boot to the shell
#              [ARGS="mm.debug=L"]                      kernel command line
#   make test  [T=suite[:case]]                         every test, every config
#   make debug                                          QEMU waits for gdb
#   make lint                                           clang-format + cppcheck
#
# Objects go to build/<arch>/<image>/ (image: run or test) and build/host/.

ARCH ?= rv32
SMP ?= 4
MEM ?= 128M
T ?= all

CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
NM := $(CROSS)nm
OBJDUMP := $(CROSS)objdump
HOSTCC ?= gcc
HOSTNM ?= nm

QEMU_rv32 := qemu-system-riscv32
QEMU_rv64 := qemu-system-riscv64
MARCH_rv32 := -march=rv32imac_zicsr_zifencei -mabi=ilp32
MARCH_rv64 := -march=rv64imac_zicsr_zifencei -mabi=lp64
# GCC picks the libgcc multilib by the plain ISA string only.  Evaluated
# late (=), because on a fresh machine the compiler is installed below.
LIBGCC_rv32 = $(shell $(CC) -march=rv32imac -mabi=ilp32 -print-libgcc-file-name 2>/dev/null)
LIBGCC_rv64 = $(shell $(CC) -march=rv64imac -mabi=lp64 -mcmodel=medany -print-libgcc-file-name 2>/dev/null)

ifeq ($(filter rv32 rv64,$(ARCH)),)
$(error ARCH must be rv32 or rv64, not '$(ARCH)')
endif

# --- Tools: install what is missing, and say so (scripts/ensure-deps.sh) ---
ifneq ($(filter run test debug lint bench,$(MAKECMDGOALS)),)
# Every link runs $(NM) and python3 (scripts/kallsyms.py).
NEEDED := $(CC) $(NM) python3 $(QEMU_$(ARCH))
ifneq ($(filter test lint,$(MAKECMDGOALS)),)
NEEDED += $(QEMU_rv32) $(QEMU_rv64) clang-format cppcheck $(HOSTCC) $(HOSTNM)
endif
ifneq ($(filter debug,$(MAKECMDGOALS)),)
NEEDED += gdb-multiarch
endif
DEPS_OK := $(shell scripts/ensure-deps.sh $(sort $(NEEDED)) 1>&2 && echo ok)
ifneq ($(DEPS_OK),ok)
$(error required tools are missing, see the messages above)
endif
endif

# --- Sources ------------------------------------------------------------
ARCH_OBJS := arch/riscv/start.o arch/riscv/trap_entry.o arch/riscv/switch.o \
	arch/riscv/machine.o
KERNEL_OBJS := kernel/main.o kernel/console.o kernel/printk.o \
	kernel/panic.o kernel/trap.o kernel/timer.o kernel/task.o \
	kernel/shell.o kernel/spinlock.o kernel/lockstat.o kernel/buddyinfo.o \
	kernel/slabinfo.o kernel/meminfo.o kernel/memdebug.o kernel/memcheck.o \
	kernel/allocs.o kernel/periodic.o kernel/faultinject.o \
	kernel/bootarg.o kernel/leaks.o kernel/stress.o
DRIVER_OBJS := drivers/uart.o drivers/plic.o drivers/clint.o \
	drivers/virt_test.o
MM_OBJS := mm/magazine.o mm/page.o mm/page_debug.o mm/page_validate.o \
	mm/fault_inject.o \
	mm/slab.o mm/slab_debug.o mm/kmalloc.o mm/malloc.o mm/report.o \
	mm/debug.o mm/address.o mm/stats.o mm/failure.o mm/tracked.o \
	mm/scrub.o mm/sites.o mm/leak.o mm/slab_validate.o
LIB_OBJS := lib/string.o lib/vsnprintf.o lib/bitmap.o lib/prng.o lib/fdt.o \
	lib/kallsyms.o lib/sort.o lib/stress.o

# Tests of lib/ and mm/ build for both the kernel and the host.
PORTABLE_TESTS := tests/lib/string_test.o tests/lib/printk_test.o \
	tests/lib/list_test.o tests/lib/bitmap_test.o tests/lib/prng_test.o \
	tests/lib/fdt_test.o tests/lib/kallsyms_test.o tests/lib/sort_test.o \
	tests/kernel/spinlock_test.o tests/mm/page_test.o \
	tests/mm/malloc_test.o tests/mm/torture_test.o tests/mm/slab_test.o \
	tests/mm/ownership.o tests/mm/debug_test.o tests/mm/stats_test.o \
	tests/mm/fault_test.o tests/mm/fault_walk.o tests/mm/leak_test.o \
	tests/mm/flip_test.o \
	tests/mm/kmalloc_test.o tests/mm/stress_test.o tests/mm/smp_test.o \
	tests/selftest/harness_test.o
# The benchmarks run in this order; trace_bench.o must come before
# slab_bench.o, whose first-fit cases leave arenas behind.
KERNEL_TESTS := tests/kernel/boot_test.o tests/kernel/timer_test.o \
	tests/kernel/task_test.o tests/kernel/trap_test.o \
	tests/kernel/periodic_test.o tests/kernel/task_fault_test.o \
	tests/kernel/leak_roots_test.o tests/bench/bench.o \
	tests/bench/lock_bench.o tests/bench/page_bench.o \
	tests/bench/linear_page.o tests/bench/trace_bench.o \
	tests/bench/worst_bench.o tests/bench/slab_bench.o \
	tests/bench/firstfit_malloc.o tests/bench/smp_bench.o \
	tests/bench/leak_bench.o
KTEST_OBJS := kernel/ktest.o kernel/ktest_kernel.o

RUN_OBJS := $(ARCH_OBJS) $(KERNEL_OBJS) $(DRIVER_OBJS) $(MM_OBJS) $(LIB_OBJS)
TEST_OBJS := $(RUN_OBJS) $(KTEST_OBJS) $(PORTABLE_TESTS) $(KERNEL_TESTS)

# --- Kernel images --------------------------------------------------------
# Lock statistics (lockstat) are on; the benchmark also builds without.
KCONFIG := -DCONFIG_LOCK_STATS
# -fno-toplevel-reorder keeps KTEST cases in source order in their section.
# -fno-optimize-sibling-calls: a call stays a call, so every return
# address names the real caller (reports and backtraces), and GCC can
# shrink-wrap a fast path's frame onto the calls of its slow path.
KCFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -ffreestanding \
	-fno-toplevel-reorder -fno-optimize-sibling-calls \
	-fno-builtin -fno-common -fno-pie -fno-stack-protector \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	-mcmodel=medany -Iinclude -Iarch/riscv/include -MMD -MP \
	$(KCONFIG)
KLDFLAGS := -nostdlib -static -T arch/riscv/kernel.ld -Wl,--no-warn-rwx-segments

# Quiet by default ("  CC  file"); make V=1 shows whole commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' '$(1)' '$(2)'
endif

# --- Names for code addresses (scripts/kallsyms.py, lib/kallsyms.c) ------
# Every image is linked twice: first with an empty symbol table, then with
# the table made from nm of the first link.  The table comes after the
# code, so its size moves none; the last line checks that, comparing nm of
# the two links.  $(1) = the link command without its output, $(2) = the
# nm that reads what it makes.
define link_with_kallsyms
	$(Q)$(1) build/kallsyms-empty.S -o $@.pass1
	$(Q)python3 scripts/kallsyms.py --nm $(2) $@.pass1 -o $@.kallsyms.S
	$(Q)$(1) $@.kallsyms.S -o $@
	$(Q)python3 scripts/kallsyms.py --nm $(2) --check $@.pass1 $@ || \
		{ rm -f $@; exit 1; }
endef

build/kallsyms-empty.S: scripts/kallsyms.py
	@mkdir -p $(@D)
	$(Q)python3 scripts/kallsyms.py --empty -o $@

# $(1) = arch, $(2) = image (run or test), $(3) = objects, $(4) = extra flags
# Objects depend on a file holding their flags, rewritten only when the
# flags change, so a change of flags rebuilds everything it affects.
define kernel_image
build/$(1)/$(2)/.flags: FORCE
	@mkdir -p $$(@D)
	@echo '$$(MARCH_$(1)) $$(KCFLAGS) $(4)' | cmp -s - $$@ || \
		echo '$$(MARCH_$(1)) $$(KCFLAGS) $(4)' > $$@
build/$(1)/$(2)/%.o: %.c build/$(1)/$(2)/.flags
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)
	$$(Q)$$(CC) $$(MARCH_$(1)) $$(KCFLAGS) $(4) -c $$< -o $$@
build/$(1)/$(2)/%.o: %.S build/$(1)/$(2)/.flags
	@mkdir -p $$(@D)
	$$(call say,AS,$$@)
	$$(Q)$$(CC) $$(MARCH_$(1)) $$(KCFLAGS) $(4) -c $$< -o $$@
build/$(1)/$(2)/kernel.elf: $$(addprefix build/$(1)/$(2)/,$(3)) arch/riscv/kernel.ld \
		build/kallsyms-empty.S
	$$(call say,LD,$$@)
	$$(call link_with_kallsyms,$$(CC) $$(MARCH_$(1)) $$(KLDFLAGS) \
		$$(filter %.o,$$^) $$(LIBGCC_$(1)),$$(NM))
-include $$(patsubst %.o,build/$(1)/$(2)/%.d,$(3))
endef

$(foreach a,rv32 rv64,$(eval $(call kernel_image,$(a),run,$(RUN_OBJS),)))
$(foreach a,rv32 rv64,$(eval $(call kernel_image,$(a),test,$(TEST_OBJS),-DCONFIG_KTEST)))
# The torture test's proof that it can fail: allocator locks compiled out.
$(foreach a,rv32 rv64,$(eval $(call kernel_image,$(a),nolock,$(TEST_OBJS),-DCONFIG_KTEST -DCONFIG_MM_NOLOCK)))
# The benchmark's second column: locks without statistics.
$(foreach a,rv32 rv64,$(eval $(call kernel_image,$(a),nostats,$(TEST_OBJS),-DCONFIG_KTEST -UCONFIG_LOCK_STATS)))
# The SMP benchmark's "per-hart caches off" column: an image whose mm is
# built without them, once mm/ has a switch for that (set NOCACHE_FLAGS
# to it, e.g. -DCONFIG_MM_NO_PERCPU_CACHE).  Without one, make bench says
# that the column is absent.
NOCACHE_FLAGS ?=
ifneq ($(NOCACHE_FLAGS),)
$(foreach a,rv32 rv64,$(eval $(call kernel_image,$(a),nocache,$(TEST_OBJS),-DCONFIG_KTEST $(NOCACHE_FLAGS))))
BENCH_NOCACHE := build/$(ARCH)/nocache/kernel.elf
endif

KERNEL := build/$(ARCH)/run/kernel.elf
TEST_KERNEL := build/$(ARCH)/test/kernel.elf

# --- Host test runner (lib/ and mm/ under sanitizers) -------------------
HOST_SRCS := $(LIB_OBJS:.o=.c) $(MM_OBJS:.o=.c) kernel/spinlock.c \
	kernel/printk.c kernel/ktest.c $(PORTABLE_TESTS:.o=.c) tests/host/main.c \
	tests/host/machine.c
HOST_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -pthread \
	-fno-toplevel-reorder -fno-optimize-sibling-calls -U_FORTIFY_SOURCE \
	-fno-omit-frame-pointer -Iinclude -Itests/host/include \
	-include tests/host/rename.h \
	-DHOST_TEST -DCONFIG_LOCK_STATS
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
TSAN_FLAGS := -fsanitize=thread

# The host benchmark (tools/bench_host.py): the allocators at -O2 without
# sanitizers.
BENCH_HOST_SRCS := $(LIB_OBJS:.o=.c) $(MM_OBJS:.o=.c) kernel/spinlock.c \
	kernel/printk.c tests/host/machine.c tests/host/malloc_bench.c
BENCH_HOST_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -pthread \
	-fno-optimize-sibling-calls -U_FORTIFY_SOURCE -Iinclude -Itests/host/include -DHOST_TEST \
	-DCONFIG_LOCK_STATS

HOSTFLAGS_asan := $(HOST_CFLAGS) $(ASAN_FLAGS)
HOSTFLAGS_tsan := $(HOST_CFLAGS) $(TSAN_FLAGS)
HOSTFLAGS_bench := $(BENCH_HOST_CFLAGS) -include tests/host/rename.h

# Objects depend on a file of their flags, as the kernel's do.
HOSTFLAGS_ALL = $(HOSTFLAGS_asan) $(HOSTFLAGS_tsan) $(HOSTFLAGS_bench)
build/host/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(HOSTFLAGS_ALL)' | cmp -s - $@ || echo '$(HOSTFLAGS_ALL)' > $@

# $(1) = build (asan, tsan or bench), $(2) = its sources, $(3) = its program
define host_build
build/host/$(1)/%.o: %.c build/host/flags
	@mkdir -p $$(@D)
	$$(call say,HOSTCC,$$@)
	$$(Q)$$(HOSTCC) $$(HOSTFLAGS_$(1)) -MMD -MP -c $$< -o $$@
build/host/$(1)/$(3): $$(addprefix build/host/$(1)/,$(2:.c=.o)) \
		build/kallsyms-empty.S
	$$(call say,HOSTLD,$$@)
	$$(call link_with_kallsyms,$$(HOSTCC) $$(HOSTFLAGS_$(1)) \
		$$(filter %.o,$$^),$$(HOSTNM))
-include $$(patsubst %.c,build/host/$(1)/%.d,$(2))
endef

$(eval $(call host_build,asan,$(HOST_SRCS),ktest-host))
$(eval $(call host_build,tsan,$(HOST_SRCS),ktest-host))
$(eval $(call host_build,bench,$(BENCH_HOST_SRCS),malloc-bench))
# Without rename.h, so that it can call the C library's malloc as well as
# kmalloc.
build/host/bench/tests/host/malloc_bench.o: tests/host/malloc_bench.c build/host/flags
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(BENCH_HOST_CFLAGS) -MMD -MP -c $< -o $@

# --- Commands -------------------------------------------------------------
QEMU_FLAGS = -machine virt -bios none -m $(MEM) -smp $(SMP) -nographic \
	-kernel $(1)

.PHONY: all run debug test mutants stress bench bench-host bench-docs lint \
	host-tests test-images clean FORCE
all: $(KERNEL)

run: $(KERNEL)
	@echo "RVOS: booting $(ARCH) with $(SMP) harts and $(MEM) (quit: poweroff, or Ctrl-A X)"
	$(QEMU_$(ARCH)) $(call QEMU_FLAGS,$(KERNEL)) $(if $(ARGS),-append "$(ARGS)")

# QEMU waits for gdb in the background (its console goes to a file, since
# gdb has the terminal); gdb-multiarch starts with the symbols loaded and
# connected.  Quitting gdb stops QEMU.
DEBUG_LOG := build/$(ARCH)/debug-console.log
debug: $(KERNEL)
	@echo "RVOS: QEMU waits for gdb on :1234; console output goes to $(DEBUG_LOG)"
	@echo "      (follow it with: tail -f $(DEBUG_LOG)); quit gdb to stop QEMU"
	@$(QEMU_$(ARCH)) -machine virt -bios none -m $(MEM) -smp $(SMP) \
		-display none -monitor none -serial file:$(DEBUG_LOG) \
		-kernel $(KERNEL) -S -gdb tcp::1234 & qemu=$$!; \
	gdb-multiarch -q -ex 'set confirm off' -ex 'target remote :1234' \
		$(KERNEL); kill $$qemu 2>/dev/null; true

test-images: build/rv32/test/kernel.elf build/rv64/test/kernel.elf \
	build/rv32/nolock/kernel.elf
host-tests: build/host/asan/ktest-host build/host/tsan/ktest-host

TEST_CONFIGS := host:asan:build/host/asan/ktest-host \
	qemu:rv32:1:128M:build/rv32/test/kernel.elf \
	qemu:rv32:4:128M:build/rv32/test/kernel.elf \
	qemu:rv64:4:256M:build/rv64/test/kernel.elf
# Whole runs only: the concurrency suites (and the leak scanner, which
# reads other harts' stacks) under ThreadSanitizer, 8 harts (smp in a
# boot of its own: one boot of all of them outgrew the time-out on a
# busy machine),
# the lock-less torture that must find the races, and the smallest and
# largest memory sizes.
FULL_CONFIGS := host:tsan:build/host/tsan/ktest-host@spinlock,torture,slab,kmalloc,leak,smp,stress \
	qemu:rv64:8:512M:build/rv64/test/kernel.elf@spinlock,torture,task,slab \
	qemu:rv64:8:256M:build/rv64/test/kernel.elf@smp \
	qemu:rv32:4:128M:build/rv32/nolock/kernel.elf@torture \
	qemu:rv32:2:32M:build/rv32/test/kernel.elf@boot,page,malloc,slab,kmalloc \
	qemu:rv64:2:1G:build/rv64/test/kernel.elf@boot,page,malloc,torture

test: lint test-images host-tests
	$(if $(filter all,$(T)),python3 tools/bench_check.py)
	python3 tools/ktest.py --filter $(T) \
		$(if $(filter all,$(T)),--selftest $(FULL_CONFIGS)) $(TEST_CONFIGS)
	$(if $(filter all,$(T)),python3 tools/mutants.py)

# A soak: every stress pattern (lib/stress.c) for DURATION seconds on 4
# harts, in tasks and the timer interrupt, with every memory debugging
# feature on (mm.debug=FZPUL).  It prints the fragmentation series and
# the summary (docs/stress.md); the verdict is the run's own checks, the
# time only says when to stop.
DURATION ?= 600
stress: build/rv64/test/kernel.elf
	python3 tools/ktest.py --filter stress:soak \
		--timeout $$(( 2 * $(DURATION) + 300 )) --verbose \
		--bootargs "ktest.scale=$(DURATION) mm.debug=FZPUL" \
		qemu:rv64:4:256M:$<

# Bugs put in on purpose, one at a time: the tests must catch each.
mutants:
	python3 tools/mutants.py

# Instructions of every operation under -icount shift=0 on one hart
# (exact: run twice, and the output says the counts are the same), at
# three memory sizes and without lock statistics; then SMP scaling over
# 1-8 harts under multi-threaded TCG (tools/bench.py).  Writes
# build/bench/results.json and prints the tables from it.
BENCH_JSON := build/bench/results.json
bench: build/$(ARCH)/test/kernel.elf build/$(ARCH)/nostats/kernel.elf \
		$(BENCH_NOCACHE)
	python3 tools/bench.py $(ARCH) $(wordlist 1,2,$^) \
		--nocache build/$(ARCH)/nocache/kernel.elf --out $(BENCH_JSON)

# RVOS's kmalloc on the host next to glibc, jemalloc, tcmalloc and
# mimalloc, in one run: callgrind instructions, ns, two threads and memory
# on a 64-byte pair and on the random trace (tools/bench_host.py).  The
# libraries come from Debian packages (install-deps.sh --bench); one that
# cannot be had is skipped and named.  Adds to build/bench/results.json.
bench-host: build/host/bench/malloc-bench
	bash scripts/install-deps.sh --bench || \
		echo "bench-host: could not install every library; missing ones are skipped"
	python3 tools/bench_host.py $< --out $(BENCH_JSON)

# docs/performance.md remade in one command: make bench, make bench-host
# (one after the other: timed runs must not share the machine), then its
# tables, docs/performance/results.json and the plots (tools/bench_docs.py).
bench-docs:
	$(MAKE) bench
	$(MAKE) bench-host
	python3 tools/bench_docs.py $(BENCH_JSON)

LINT_FILES := $(shell git ls-files '*.c' '*.h' 2>/dev/null)
lint:
	$(call say,FORMAT,$(words $(LINT_FILES)) files)
	$(Q)clang-format --dry-run -Werror $(LINT_FILES)
	$(call say,CPPCHECK,$(words $(LINT_FILES)) files)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem \
		--suppressions-list=.cppcheck-suppressions \
		-Iinclude -Iarch/riscv/include -D__riscv_xlen=32 $(LINT_FILES)

clean:
	rm -rf build
