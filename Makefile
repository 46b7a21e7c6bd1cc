# RVOS - one Makefile for the kernel, its tests and the host test runner.
#
#   make run   [ARCH=rv32|rv64] [SMP=1..8] [MEM=128M]   boot to the shell
#              [BOOTARGS="mm.debug=L panic=halt"]       kernel command line
#              (ARGS= is the same)
#   make test  [T=suite[:case]]                         every test, every config
#   make test-soak [RUNS=5] [HOGS=2]                    make test beside CPU hogs
#   make debug                                          QEMU waits for gdb
#   make lint                                           clang-format + cppcheck
#   make format                                         clang-format -i, as lint checks
#   make deps                                           install missing tools
#   make fuzz  [FUZZ_S=600]                             the fuzz targets, longer
#   make coverage                                       gcov/lcov of the host runs
#
# Objects go to build/<arch>/<image>/ (image: run, test, nolock, nostats)
# and build/host/.

ARCH ?= rv32
SMP ?= 4
MEM ?= 128M
ARGS ?=
BOOTARGS ?= $(ARGS)
T ?= all
RUNS ?= 5
HOGS ?= 2

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

# --- Configurations: answer a bad one here, with what is accepted --------
ifeq ($(filter rv32 rv64,$(ARCH)),)
$(error ARCH must be rv32 or rv64, not '$(ARCH)')
endif
ifneq ($(filter run debug,$(MAKECMDGOALS)),)
ifeq ($(filter 1 2 3 4 5 6 7 8,$(SMP)),)
$(error SMP must be a number of harts from 1 to 8, not '$(SMP)')
endif
ifneq ($(shell echo '$(MEM)' | grep -Ex '[1-9][0-9]*[MG]'),$(MEM))
$(error MEM must be a size in MiB or GiB such as 128M or 1G, not '$(MEM)')
endif
MEM_MIB := $(shell echo $$(( $(patsubst %G,%*1024,$(patsubst %M,%,$(MEM))) )))
ifeq ($(shell [ $(MEM_MIB) -ge 4 ] && echo ok),)
$(error MEM must be at least 4M, not '$(MEM)')
endif
# RAM starts at 2 GiB, and an rv32 pointer ends at 4 GiB.
ifeq ($(ARCH)$(shell [ $(MEM_MIB) -ge 2048 ] && echo big),rv32big)
$(error ARCH=rv32 reaches RAM only below 4 GiB: MEM must be at most 2047M, not '$(MEM)')
endif
endif

# --- Tools: make deps installs what is missing (scripts/ensure-deps.sh) ---
# Everything that builds, runs or checks depends on the stamp (order
# only), so a fresh machine gets its tools first, as an ordinary
# prerequisite; once they are there the stamp keeps it quiet.
DEPS_STAMP := build/.deps-ok
$(DEPS_STAMP): scripts/ensure-deps.sh scripts/install-deps.sh
	@scripts/ensure-deps.sh
	@mkdir -p $(@D) && touch $@

# --- Sources ------------------------------------------------------------
ARCH_OBJS := arch/riscv/start.o arch/riscv/trap_entry.o arch/riscv/switch.o \
	arch/riscv/machine.o arch/riscv/watch.o arch/riscv/watch_probe.o
KERNEL_OBJS := kernel/main.o kernel/cmdline.o kernel/console.o kernel/printk.o \
	kernel/panic.o kernel/trap.o kernel/timer.o kernel/task.o \
	kernel/shell.o kernel/spinlock.o kernel/lockstat.o kernel/buddyinfo.o \
	kernel/slabinfo.o kernel/meminfo.o kernel/memdebug.o kernel/memcheck.o \
	kernel/allocs.o kernel/periodic.o kernel/faultinject.o \
	kernel/leaks.o kernel/stress.o kernel/handson.o kernel/memmap.o
DRIVER_OBJS := drivers/uart.o drivers/plic.o drivers/clint.o \
	drivers/virt_test.o
MM_OBJS := mm/magazine.o mm/page.o mm/page_debug.o mm/page_validate.o \
	mm/page_map.o \
	mm/fault_inject.o \
	mm/slab.o mm/slab_debug.o mm/kmalloc.o mm/malloc.o mm/report.o \
	mm/debug.o mm/address.o mm/stats.o mm/failure.o mm/tracked.o \
	mm/scrub.o mm/sites.o mm/leak.o mm/slab_validate.o mm/watch.o
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
	tests/mm/flip_test.o tests/mm/watch_test.o tests/mm/magazine_test.o \
	tests/mm/kmalloc_test.o tests/mm/stress_test.o tests/mm/smp_test.o \
	tests/selftest/harness_test.o
# The benchmarks run in this order; trace_bench.o must come before
# slab_bench.o, whose first-fit cases leave arenas behind.
KERNEL_TESTS := tests/kernel/boot_test.o tests/kernel/timer_test.o \
	tests/kernel/task_test.o tests/kernel/trap_test.o \
	tests/kernel/periodic_test.o tests/kernel/task_fault_test.o \
	tests/kernel/leak_roots_test.o tests/kernel/store_decode_test.o \
	tests/bench/bench.o \
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
# -fno-tree-loop-distribute-patterns: else GCC makes lib/string.c's
# memset and memcpy loops into calls to memset and memcpy, themselves.
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
build/$(1)/$(2)/%.o: %.c build/$(1)/$(2)/.flags | $$(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)
	$$(Q)$$(CC) $$(MARCH_$(1)) $$(KCFLAGS) $(4) -c $$< -o $$@
build/$(1)/$(2)/%.o: %.S build/$(1)/$(2)/.flags | $$(DEPS_STAMP)
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
# The SMP benchmark's "per-hart caches off" column: every magazine's
# limit 0 (mm/magazine.c), so each allocation and free takes the owner's
# lock, as before the caches.
NOCACHE_FLAGS ?= -DCONFIG_MM_NO_MAGAZINES
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
# make coverage: gcov's counts (atomic: harts are threads), no sanitizer.
HOSTFLAGS_cov := $(filter-out -O1,$(HOST_CFLAGS)) -O0 --coverage \
	-fprofile-update=atomic -DHOST_COVERAGE

# Objects depend on a file of their flags, as the kernel's do.
HOSTFLAGS_ALL = $(HOSTFLAGS_asan) $(HOSTFLAGS_tsan) $(HOSTFLAGS_bench) \
	$(HOSTFLAGS_cov)
build/host/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(HOSTFLAGS_ALL)' | cmp -s - $@ || echo '$(HOSTFLAGS_ALL)' > $@

# $(1) = build (asan, tsan or bench), $(2) = its sources, $(3) = its program
define host_build
build/host/$(1)/%.o: %.c build/host/flags | $$(DEPS_STAMP)
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
$(eval $(call host_build,cov,$(HOST_SRCS),ktest-host))
# Without rename.h, so that it can call the C library's malloc as well as
# kmalloc.
build/host/bench/tests/host/malloc_bench.o: tests/host/malloc_bench.c build/host/flags | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(BENCH_HOST_CFLAGS) -MMD -MP -c $< -o $@

# --- Fuzz targets (tests/fuzz/): libFuzzer, from clang ------------------
# The host runner's sources, built by clang with libFuzzer's coverage,
# AddressSanitizer and UBSan, and linked with each target.  One thread:
# hart 0.  The table of names is the empty one (names are not needed).
FUZZ_TARGETS := page slab kmalloc
FUZZ_CC ?= clang
FUZZ_SRCS := $(LIB_OBJS:.o=.c) $(MM_OBJS:.o=.c) kernel/spinlock.c \
	kernel/printk.c tests/host/machine.c tests/fuzz/fuzz.c
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Werror -pthread \
	-fno-optimize-sibling-calls -U_FORTIFY_SOURCE -fno-omit-frame-pointer \
	-Iinclude -Itests/host/include -include tests/host/rename.h \
	-DHOST_TEST -DCONFIG_LOCK_STATS -fsanitize=fuzzer-no-link \
	$(ASAN_FLAGS)
FUZZERS := $(FUZZ_TARGETS:%=build/fuzz/%-fuzz)
# make test's runs: each target replays its corpus, then mutates it for
# this many runs in all, from a fixed seed (a count, never a time).
FUZZ_RUNS ?= 1000
# make fuzz: seconds per target.
FUZZ_S ?= 1800
# Inputs up to this many bytes: a few hundred operations.
FUZZ_FLAGS := -max_len=1024 -close_fd_mask=1 -artifact_prefix=build/fuzz/

.PRECIOUS: build/fuzz/obj/%.o
build/fuzz/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' | cmp -s - $@ || \
		echo '$(FUZZ_CC) $(FUZZ_CFLAGS)' > $@
build/fuzz/obj/%.o: %.c build/fuzz/flags | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/obj/kallsyms-empty.o: build/kallsyms-empty.S build/fuzz/flags | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) -c $< -o $@
build/fuzz/%-fuzz: build/fuzz/obj/tests/fuzz/%_fuzz.o \
		$(FUZZ_SRCS:%.c=build/fuzz/obj/%.o) build/fuzz/obj/kallsyms-empty.o
	$(call say,FUZZLD,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -o $@
-include $(patsubst %.c,build/fuzz/obj/%.d,$(FUZZ_SRCS) \
	$(FUZZ_TARGETS:%=tests/fuzz/%_fuzz.c))
# For make coverage: GCC's build of each target, with a main that
# replays its corpus (tests/fuzz/replay.c).
COV_REPLAY_SRCS = $(FUZZ_SRCS) tests/fuzz/$(1)_fuzz.c tests/fuzz/replay.c
$(foreach t,$(FUZZ_TARGETS),$(eval $(call host_build,cov,$(call \
	COV_REPLAY_SRCS,$(t)),$(t)-replay)))

# $(1) = target, $(2) = how long (-runs=N or -max_total_time=S), $(3) =
# the corpus it grows (the committed one is read, never written).  A bug
# found fails the make, naming the log; the input is kept in build/fuzz/.
define fuzz_run
	@mkdir -p $(3)
	$(call say,FUZZ,$(1) $(2))
	@build/fuzz/$(1)-fuzz $(FUZZ_FLAGS) -seed=1 $(2) $(3) \
		tests/fuzz/corpus/$(1) > build/fuzz/$(1).log 2>&1 || \
		{ grep -A12 'FUZZ FAIL\|ERROR:' build/fuzz/$(1).log | head -30; \
		  echo "fuzz: $(1) found a bug: build/fuzz/$(1).log"; exit 1; }
	@tail -1 build/fuzz/$(1).log | sed 's/^/  /'
	@grep -o 'exec/s: [0-9]*' build/fuzz/$(1).log | tail -1 | \
		sed 's/^/  $(1): /'
endef

# --- Commands -------------------------------------------------------------
QEMU_FLAGS = -machine virt -bios none -m $(MEM) -smp $(SMP) -nographic \
	-kernel $(1)$(if $(BOOTARGS), -append '$(BOOTARGS)')

.PHONY: all deps run debug test test-soak mutants stress bench bench-host \
	bench-docs lint format host-tests test-images run-images fuzz memviz \
	fuzz-check fuzz-merge coverage clean FORCE
all: $(KERNEL)

# Check every tool make test and make run need; install what is missing.
deps:
	@scripts/ensure-deps.sh
	@mkdir -p $(dir $(DEPS_STAMP)) && touch $(DEPS_STAMP)

# A panic ends the run with exit status 1 (BOOTARGS=panic=halt: it stays).
run: $(KERNEL) | $(DEPS_STAMP)
	@echo "RVOS: booting $(ARCH) with $(SMP) harts and $(MEM) (quit: poweroff, or Ctrl-A X)"
	$(QEMU_$(ARCH)) $(call QEMU_FLAGS,$(KERNEL))

# QEMU waits for gdb in the background (its console goes to a file, since
# gdb has the terminal); gdb-multiarch starts with the symbols loaded,
# the rvos-* commands of tools/gdb/rvos.py (rvos-meminfo, rvos-page ADDR,
# ...; "apropos rvos" lists them) and connected.  A panic leaves the
# machine as it was (panic=halt), for gdb to look at.  Quitting gdb stops
# QEMU.
DEBUG_LOG := build/$(ARCH)/debug-console.log
# Another port when two debugging sessions share a machine.
GDB_PORT ?= 1234
debug: $(KERNEL) | $(DEPS_STAMP)
	@scripts/ensure-deps.sh gdb-multiarch
	@echo "RVOS: QEMU waits for gdb on :$(GDB_PORT); console output goes to $(DEBUG_LOG)"
	@echo "      (follow it with: tail -f $(DEBUG_LOG)); quit gdb to stop QEMU"
	@$(QEMU_$(ARCH)) -machine virt -bios none -m $(MEM) -smp $(SMP) \
		-display none -monitor none -serial file:$(DEBUG_LOG) \
		-kernel $(KERNEL) -append '$(strip panic=halt $(BOOTARGS))' \
		-S -gdb tcp::$(GDB_PORT) & qemu=$$!; \
	gdb-multiarch -q -ex 'set confirm off' -x tools/gdb/rvos.py \
		-ex 'target remote :$(GDB_PORT)' $(KERNEL); kill $$qemu 2>/dev/null; true

run-images: build/rv32/run/kernel.elf build/rv64/run/kernel.elf

test-images: build/rv32/test/kernel.elf build/rv64/test/kernel.elf \
	build/rv32/nolock/kernel.elf
host-tests: build/host/asan/ktest-host build/host/tsan/ktest-host

TEST_CONFIGS := host:asan:build/host/asan/ktest-host \
	qemu:rv32:1:128M:build/rv32/test/kernel.elf \
	qemu:rv32:4:128M:build/rv32/test/kernel.elf \
	qemu:rv64:4:256M:build/rv64/test/kernel.elf
# The torture and the model check again with every mm.debug feature on:
# they must pass, and cause not one report.
DEBUG_SUITES := torture:pages_and_malloc_on_every_hart_and_in_interrupts,page:random_operations_match_a_reference_model
DEBUG_CONFIGS := host:asan:build/host/asan/ktest-host@$(DEBUG_SUITES)+mm.debug=FZPUL \
	qemu:rv32:4:128M:build/rv32/test/kernel.elf@$(DEBUG_SUITES)+mm.debug=FZPUL \
	qemu:rv64:4:256M:build/rv64/test/kernel.elf@$(DEBUG_SUITES)+mm.debug=FZPUL
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
	qemu:rv64:2:1G:build/rv64/test/kernel.elf@boot,page,malloc,torture \
	$(DEBUG_CONFIGS)

# With T=all, also what make run does with input, panics and bad
# configurations (tools/run_test.py), each fuzz target's corpus and
# 1000 inputs more (fuzz-check), the gdb commands of make debug
# against the kernel's own figures (tools/gdb_test.py), the docs'
# exercises (tools/exercises_test.py, a few seconds), and the mutants.
test: lint test-images host-tests run-images \
		$(if $(filter all,$(T)),$(FUZZERS)) | $(DEPS_STAMP)
	$(if $(filter all,$(T)),python3 tools/bench_check.py)
	python3 tools/ktest.py --filter $(T) \
		$(if $(filter all,$(T)),--selftest $(FULL_CONFIGS)) $(TEST_CONFIGS)
	$(if $(filter all,$(T)),$(MAKE) -s -j2 fuzz-check)
	$(if $(filter all,$(T)),python3 tools/run_test.py)
	$(if $(filter all,$(T)),python3 tools/gdb_test.py)
	$(if $(filter all,$(T)),python3 tools/exercises_test.py)
	$(if $(filter all,$(T)),python3 tools/mutants.py)

# make test RUNS times beside HOGS busy processes: how many runs pass.
test-soak: | $(DEPS_STAMP)
	bash tools/soak.sh $(RUNS) $(HOGS)

# The fuzz targets (tests/fuzz/): fuzz-check replays each corpus and runs
# FUZZ_RUNS inputs more (make test); fuzz runs each for FUZZ_S seconds,
# growing build/fuzz/corpus/; fuzz-merge makes the committed corpora anew
# from those, minimised (docs/testing.md).
fuzz-check: $(FUZZ_TARGETS:%=fuzz-check-%)
fuzz-check-%: build/fuzz/%-fuzz
	@rm -rf build/fuzz/scratch/$*
	$(call fuzz_run,$*,-runs=$(FUZZ_RUNS),build/fuzz/scratch/$*)

fuzz: $(FUZZ_TARGETS:%=fuzz-long-%)
fuzz-long-%: build/fuzz/%-fuzz
	$(call fuzz_run,$*,-max_total_time=$(FUZZ_S),build/fuzz/corpus/$*)

fuzz-merge: $(FUZZERS)
	@for t in $(FUZZ_TARGETS); do \
		rm -rf tests/fuzz/corpus/$$t && mkdir -p tests/fuzz/corpus/$$t && \
		build/fuzz/$$t-fuzz $(FUZZ_FLAGS) -set_cover_merge=1 -use_counters=0 \
			tests/fuzz/corpus/$$t build/fuzz/corpus/$$t \
			> build/fuzz/$$t-merge.log 2>&1 || exit 1; \
		echo "  $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs," \
			"$$(cat tests/fuzz/corpus/$$t/* | wc -c) bytes"; \
	done

# Line and branch coverage of mm/ and kernel/spinlock.c (gcov, lcov):
# every suite of the host runner, then the fuzz corpora replayed.  The
# HTML report goes to build/coverage/; the figures are printed.
COV_DIR := build/coverage
COV_FILES := '$(CURDIR)/mm/*' '$(CURDIR)/kernel/spinlock.c'
# The allocators' suites once more as if booted with mm.debug=FZPU: the
# paths that only boot-time debugging takes (kmalloc's caches debugged).
COV_DEBUG := FZPU
COV_DEBUG_SUITES := page,slab,kmalloc,debug,stats
# lcov 1.16's geninfo warns of its own subroutines, redefined: not ours.
# lcov --list heads its table with the common directory, [dir/]: cut.
LCOV := lcov --rc lcov_branch_coverage=1
coverage: build/host/cov/ktest-host $(FUZZ_TARGETS:%=build/host/cov/%-replay)
	@scripts/ensure-deps.sh gcov lcov genhtml
	@mkdir -p $(COV_DIR)
	$(Q)$(LCOV) --zerocounters --directory build/host/cov
	$(call say,RUN,build/host/cov/ktest-host all)
	$(Q)build/host/cov/ktest-host all > $(COV_DIR)/ktest.log 2>&1 || \
		{ grep 'not ok' $(COV_DIR)/ktest.log; echo "coverage: a case" \
		  "failed ($(COV_DIR)/ktest.log); the figures count what ran"; }
	$(call say,RUN,RVOS_MM_DEBUG=$(COV_DEBUG) ... $(COV_DEBUG_SUITES))
	$(Q)RVOS_MM_DEBUG=$(COV_DEBUG) build/host/cov/ktest-host \
		$(COV_DEBUG_SUITES) > $(COV_DIR)/ktest-debug.log 2>&1 || \
		{ grep 'not ok' $(COV_DIR)/ktest-debug.log; echo "coverage: a" \
		  "case failed ($(COV_DIR)/ktest-debug.log)"; }
	$(Q)for t in $(FUZZ_TARGETS); do \
		printf '  %-8s %s\n' RUN "build/host/cov/$$t-replay"; \
		build/host/cov/$$t-replay tests/fuzz/corpus/$$t \
			> $(COV_DIR)/$$t.log 2>&1 || exit 1; \
	done
	$(Q)$(LCOV) --quiet --capture --directory build/host/cov \
		--output-file $(COV_DIR)/all.info 2>&1 | grep -v 'redefined at' || true
	$(Q)$(LCOV) --quiet --extract $(COV_DIR)/all.info $(COV_FILES) \
		--output-file $(COV_DIR)/mm.info
	$(Q)genhtml --quiet --branch-coverage --prefix $(CURDIR) \
		--output-directory $(COV_DIR) $(COV_DIR)/mm.info
	$(Q)$(LCOV) --list $(COV_DIR)/mm.info | sed -e 's|$(CURDIR)/||' -e '/^\[\]$$/d'
	$(Q)$(LCOV) --summary $(COV_DIR)/mm.info 2>&1 | \
		grep -E '^ *(lines|branches)' | \
		sed 's/^ */coverage of mm\/ and kernel\/spinlock.c: /'
	@echo "coverage: the report is $(COV_DIR)/index.html"

# A soak: every stress pattern (lib/stress.c) for DURATION seconds on 4
# harts, in tasks and the timer interrupt, with every memory debugging
# feature on (mm.debug=FZPUL).  It prints the fragmentation series and
# the summary (docs/stress.md); the verdict is the run's own checks, the
# time only says when to stop.
DURATION ?= 600
stress: build/rv64/test/kernel.elf | $(DEPS_STAMP)
	python3 tools/ktest.py --filter stress:soak \
		--timeout $$(( 2 * $(DURATION) + 300 )) --verbose \
		--bootargs "ktest.scale=$(DURATION) mm.debug=FZPUL" \
		qemu:rv64:4:256M:$<

# Bugs put in on purpose, one at a time: the tests must catch each.

# Pictures of memory (tools/memviz.py): a hands-on session and a 20 s
# stress run on QEMU rv64 with 4 harts, then the page maps and the
# fragmentation series as PNG files in docs/images/ (the console log is
# build/memviz/console.log).  Only this needs matplotlib.
memviz: build/rv64/run/kernel.elf | $(DEPS_STAMP)
	@scripts/ensure-deps.sh matplotlib
	python3 tools/memviz.py --run build/memviz/console.log docs/images
mutants:
	python3 tools/mutants.py

# Instructions of every operation under -icount shift=0 on one hart
# (exact: run twice, and the output says the counts are the same), at
# three memory sizes and without lock statistics; then SMP scaling over
# 1-8 harts under multi-threaded TCG (tools/bench.py).  Writes
# build/bench/results.json and prints the tables from it.
BENCH_JSON := build/bench/results.json
bench: build/$(ARCH)/test/kernel.elf build/$(ARCH)/nostats/kernel.elf \
		$(BENCH_NOCACHE) | $(DEPS_STAMP)
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
lint: | $(DEPS_STAMP)
	$(call say,FORMAT,$(words $(LINT_FILES)) files)
	$(Q)clang-format --dry-run -Werror $(LINT_FILES) || { \
		echo "lint: run 'make format' (clang-format -i on the same files), then make test" >&2; \
		exit 1; }
	$(call say,CPPCHECK,$(words $(LINT_FILES)) files)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem \
		--suppressions-list=.cppcheck-suppressions \
		-Iinclude -Iarch/riscv/include -D__riscv_xlen=32 $(LINT_FILES)

# The files make lint checks, formatted in place by .clang-format.
format: | $(DEPS_STAMP)
	$(call say,FORMAT,$(words $(LINT_FILES)) files)
	$(Q)clang-format -i $(LINT_FILES)

clean:
	rm -rf build
