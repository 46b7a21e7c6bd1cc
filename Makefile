# RVOS - one Makefile for the kernel, its tests and the host test runner.
#
#   make run   [ARCH=rv32|rv64] [SMP=1..8] [MEM=128M] [BOOTARGS=...]  the shell
#   make test  [T=suite[:case]]                         every test, every config
#   make test-soak [RUNS=5] [HOGS=2]                    make test beside CPU hogs
#   make debug                                          QEMU waits for gdb
#   make lint                                           clang-format + cppcheck
#   make deps                                           install missing tools
#
# Objects go to build/<arch>/<image>/ (image: run, test, nolock, nostats)
# and build/host/.

ARCH ?= rv32
SMP ?= 4
MEM ?= 128M
BOOTARGS ?=
T ?= all
RUNS ?= 5
HOGS ?= 2

CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
OBJDUMP := $(CROSS)objdump
HOSTCC ?= gcc

QEMU_rv32 := qemu-system-riscv32
QEMU_rv64 := qemu-system-riscv64
MARCH_rv32 := -march=rv32imac_zicsr_zifencei -mabi=ilp32
MARCH_rv64 := -march=rv64imac_zicsr_zifencei -mabi=lp64
# GCC picks the libgcc multilib by the plain ISA string only.  Evaluated
# late (=), because on a fresh machine the compiler comes with make deps.
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
# Everything that builds or runs depends on the stamp, so a fresh machine
# gets its tools first; once they are there the stamp keeps it quiet.
DEPS_STAMP := build/.deps-ok
$(DEPS_STAMP): scripts/ensure-deps.sh scripts/install-deps.sh
	@scripts/ensure-deps.sh
	@mkdir -p $(@D) && touch $@

# --- Sources ------------------------------------------------------------
ARCH_OBJS := arch/riscv/start.o arch/riscv/trap_entry.o arch/riscv/switch.o \
	arch/riscv/machine.o
KERNEL_OBJS := kernel/main.o kernel/cmdline.o kernel/console.o kernel/printk.o \
	kernel/panic.o kernel/trap.o kernel/timer.o kernel/task.o \
	kernel/shell.o kernel/spinlock.o kernel/lockstat.o mm/buddyinfo.o \
	mm/slabinfo.o
DRIVER_OBJS := drivers/uart.o drivers/plic.o drivers/clint.o \
	drivers/virt_test.o
MM_OBJS := mm/page.o mm/page_validate.o mm/slab.o mm/kmalloc.o mm/malloc.o
LIB_OBJS := lib/string.o lib/vsnprintf.o lib/bitmap.o lib/prng.o lib/fdt.o

# Tests of lib/ and mm/ build for both the kernel and the host.
PORTABLE_TESTS := tests/lib/string_test.o tests/lib/printk_test.o \
	tests/lib/list_test.o tests/lib/bitmap_test.o tests/lib/prng_test.o \
	tests/lib/fdt_test.o tests/kernel/spinlock_test.o tests/mm/page_test.o \
	tests/mm/malloc_test.o tests/mm/torture_test.o tests/mm/slab_test.o \
	tests/mm/kmalloc_test.o \
	tests/selftest/harness_test.o
KERNEL_TESTS := tests/kernel/boot_test.o tests/kernel/timer_test.o \
	tests/kernel/trap_test.o \
	tests/kernel/task_test.o tests/bench/lock_bench.o \
	tests/bench/page_bench.o tests/bench/linear_page.o \
	tests/bench/firstfit_malloc.o tests/bench/slab_bench.o
KTEST_OBJS := kernel/ktest.o kernel/ktest_kernel.o

RUN_OBJS := $(ARCH_OBJS) $(KERNEL_OBJS) $(DRIVER_OBJS) $(MM_OBJS) $(LIB_OBJS)
TEST_OBJS := $(RUN_OBJS) $(KTEST_OBJS) $(PORTABLE_TESTS) $(KERNEL_TESTS)

# --- Compiler flags -------------------------------------------------------
# For every C build (kernel, host tests, host benchmark).
# -fno-optimize-sibling-calls: a call stays a call, so every return
# address names the real caller (reports and backtraces), and GCC can
# shrink-wrap a fast path's frame onto the calls of its slow path.
CFLAGS_ALL := -std=gnu11 -g -Wall -Wextra -Werror -fno-optimize-sibling-calls \
	-Iinclude
# For the kernel and the host tests: KTEST cases stay in source order in
# their section, and backtraces have frame pointers to follow.
CFLAGS_TESTS := -fno-toplevel-reorder -fno-omit-frame-pointer
# Lock statistics (lockstat) are on; the benchmark also builds without.
KCONFIG := -DCONFIG_LOCK_STATS
KCFLAGS := -O2 $(CFLAGS_ALL) $(CFLAGS_TESTS) -ffreestanding -fno-builtin \
	-fno-common -fno-pie -fno-stack-protector \
	-fno-tree-loop-distribute-patterns -mcmodel=medany \
	-Iarch/riscv/include -MMD -MP $(KCONFIG)
KLDFLAGS := -nostdlib -static -T arch/riscv/kernel.ld -Wl,--no-warn-rwx-segments
HOST_CFLAGS := $(CFLAGS_ALL) -pthread -U_FORTIFY_SOURCE -Itests/host/include \
	-DHOST_TEST -DCONFIG_LOCK_STATS

# Quiet by default ("  CC  file"); make V=1 shows whole commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-8s %s\n' '$(1)' '$(2)'
endif

# --- Kernel images --------------------------------------------------------
# run: the shell.  test: the test runner instead.  nolock: the allocator
# locks compiled out, the torture's proof that it can fail.  nostats:
# locks without statistics, the benchmark's second column.
IMAGES := run test nolock nostats
IMAGE_OBJS_run := $(RUN_OBJS)
IMAGE_OBJS_test := $(TEST_OBJS)
IMAGE_OBJS_nolock := $(TEST_OBJS)
IMAGE_OBJS_nostats := $(TEST_OBJS)
IMAGE_FLAGS_test := -DCONFIG_KTEST
IMAGE_FLAGS_nolock := -DCONFIG_KTEST -DCONFIG_MM_NOLOCK
IMAGE_FLAGS_nostats := -DCONFIG_KTEST -UCONFIG_LOCK_STATS

# $(1) = arch, $(2) = image.  Objects depend on a file holding their
# flags, rewritten only when the flags change, so that a change of flags
# rebuilds everything it affects.
define kernel_image
FLAGS_$(1)_$(2) := $$(MARCH_$(1)) $$(KCFLAGS) $$(IMAGE_FLAGS_$(2))
build/$(1)/$(2)/.flags: FORCE
	@mkdir -p $$(@D)
	@echo '$$(FLAGS_$(1)_$(2))' | cmp -s - $$@ || echo '$$(FLAGS_$(1)_$(2))' > $$@
build/$(1)/$(2)/%.o: %.c build/$(1)/$(2)/.flags | $$(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(call say,CC,$$@)
	$$(Q)$$(CC) $$(FLAGS_$(1)_$(2)) -c $$< -o $$@
build/$(1)/$(2)/%.o: %.S build/$(1)/$(2)/.flags | $$(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(call say,AS,$$@)
	$$(Q)$$(CC) $$(FLAGS_$(1)_$(2)) -c $$< -o $$@
build/$(1)/$(2)/kernel.elf: $$(addprefix build/$(1)/$(2)/,$$(IMAGE_OBJS_$(2))) arch/riscv/kernel.ld
	$$(call say,LD,$$@)
	$$(Q)$$(CC) $$(MARCH_$(1)) $$(KLDFLAGS) $$(filter %.o,$$^) $$(LIBGCC_$(1)) -o $$@
-include $$(patsubst %.o,build/$(1)/$(2)/%.d,$$(IMAGE_OBJS_$(2)))
endef

$(foreach a,rv32 rv64,$(foreach i,$(IMAGES),$(eval $(call kernel_image,$(a),$(i)))))

KERNEL := build/$(ARCH)/run/kernel.elf
TEST_KERNEL := build/$(ARCH)/test/kernel.elf

# --- Host test runner (lib/ and mm/ under sanitizers) -------------------
HOST_SRCS := $(LIB_OBJS:.o=.c) $(MM_OBJS:.o=.c) kernel/spinlock.c \
	kernel/printk.c kernel/ktest.c $(PORTABLE_TESTS:.o=.c) tests/host/main.c \
	tests/host/machine.c
HOST_TEST_CFLAGS := -O1 $(HOST_CFLAGS) $(CFLAGS_TESTS) \
	-include tests/host/rename.h
SANITIZE_asan := -fsanitize=address,undefined -fno-sanitize-recover=all
SANITIZE_tsan := -fsanitize=thread
HOST_DEPS := $(HOST_SRCS) $(wildcard include/kernel/*.h tests/host/*.h \
	tests/host/include/asm/*.h mm/*.h)

build/host/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(HOST_TEST_CFLAGS) $(SANITIZE_asan) $(SANITIZE_tsan)' | cmp -s - $@ || \
		echo '$(HOST_TEST_CFLAGS) $(SANITIZE_asan) $(SANITIZE_tsan)' > $@

# build/host/asan/ktest-host and build/host/tsan/ktest-host
build/host/%/ktest-host: $(HOST_DEPS) build/host/flags | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(HOST_TEST_CFLAGS) $(SANITIZE_$*) $(HOST_SRCS) -o $@

# The host benchmark (tools/bench-host.sh): the allocators at -O2 without
# sanitizers.  malloc_bench.c is compiled without rename.h, so it can call
# the C library's malloc as well as kmalloc.
BENCH_HOST_SRCS := $(LIB_OBJS:.o=.c) $(MM_OBJS:.o=.c) kernel/spinlock.c \
	kernel/printk.c tests/host/machine.c
BENCH_HOST_CFLAGS := -O2 $(HOST_CFLAGS)

build/host/bench/malloc-bench: $(BENCH_HOST_SRCS) tests/host/malloc_bench.c \
		$(wildcard include/kernel/*.h tests/host/*.h tests/host/include/asm/*.h \
		mm/*.h) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(call say,HOSTCC,$@)
	$(Q)$(HOSTCC) $(BENCH_HOST_CFLAGS) -c tests/host/malloc_bench.c \
		-o $(@D)/malloc_bench.o
	$(Q)$(HOSTCC) $(BENCH_HOST_CFLAGS) -include tests/host/rename.h \
		$(BENCH_HOST_SRCS) $(@D)/malloc_bench.o -o $@

# --- Commands -------------------------------------------------------------
QEMU_FLAGS = -machine virt -bios none -m $(MEM) -smp $(SMP) -nographic \
	-kernel $(1)$(if $(BOOTARGS), -append '$(BOOTARGS)')

.PHONY: all deps run debug test test-soak mutants bench bench-host lint \
	host-tests test-images run-images clean FORCE
all: $(KERNEL)

# Check the tools, install what is missing, and renew the stamp.
deps:
	@scripts/ensure-deps.sh
	@mkdir -p $(dir $(DEPS_STAMP)) && touch $(DEPS_STAMP)

# A panic ends the run with exit status 1 (BOOTARGS=panic=halt: it stays).
run: $(KERNEL) | $(DEPS_STAMP)
	@echo "RVOS: booting $(ARCH) with $(SMP) harts and $(MEM) (quit: poweroff, or Ctrl-A X)"
	$(QEMU_$(ARCH)) $(call QEMU_FLAGS,$(KERNEL))

# QEMU waits for gdb in the background (its console goes to a file, since
# gdb has the terminal); gdb-multiarch starts with the symbols loaded and
# connected.  A panic leaves the machine as it was (panic=halt), for gdb
# to look at.  Quitting gdb stops QEMU.
DEBUG_LOG := build/$(ARCH)/debug-console.log
debug: $(KERNEL) | $(DEPS_STAMP)
	@scripts/ensure-deps.sh gdb-multiarch
	@echo "RVOS: QEMU waits for gdb on :1234; console output goes to $(DEBUG_LOG)"
	@echo "      (follow it with: tail -f $(DEBUG_LOG)); quit gdb to stop QEMU"
	@$(QEMU_$(ARCH)) -machine virt -bios none -m $(MEM) -smp $(SMP) \
		-display none -monitor none -serial file:$(DEBUG_LOG) \
		-kernel $(KERNEL) -append '$(strip panic=halt $(BOOTARGS))' \
		-S -gdb tcp::1234 & qemu=$$!; \
	gdb-multiarch -q -ex 'set confirm off' -ex 'target remote :1234' \
		$(KERNEL); kill $$qemu 2>/dev/null; true

test-images: build/rv32/test/kernel.elf build/rv64/test/kernel.elf \
	build/rv32/nolock/kernel.elf
host-tests: build/host/asan/ktest-host build/host/tsan/ktest-host
run-images: build/rv32/run/kernel.elf build/rv64/run/kernel.elf

TEST_CONFIGS := host:asan:build/host/asan/ktest-host \
	qemu:rv32:1:128M:build/rv32/test/kernel.elf \
	qemu:rv32:4:128M:build/rv32/test/kernel.elf \
	qemu:rv64:4:256M:build/rv64/test/kernel.elf
# Whole runs only: the concurrency suites under ThreadSanitizer, 8 harts,
# the lock-less torture that must find the races, and the smallest and
# largest memory sizes.
FULL_CONFIGS := host:tsan:build/host/tsan/ktest-host@spinlock,torture,slab,kmalloc \
	qemu:rv64:8:512M:build/rv64/test/kernel.elf@spinlock,torture,task,slab \
	qemu:rv32:4:128M:build/rv32/nolock/kernel.elf@torture \
	qemu:rv32:2:32M:build/rv32/test/kernel.elf@boot,page,malloc,slab,kmalloc \
	qemu:rv64:2:1G:build/rv64/test/kernel.elf@boot,page,malloc,torture

# With T=all, also what make run does with input, panics and bad
# configurations (tools/run_test.py), and the mutants.
test: lint test-images host-tests run-images | $(DEPS_STAMP)
	python3 tools/ktest.py --filter $(T) \
		$(if $(filter all,$(T)),--selftest $(FULL_CONFIGS)) $(TEST_CONFIGS)
	$(if $(filter all,$(T)),python3 tools/run_test.py)
	$(if $(filter all,$(T)),python3 tools/mutants.py)

# make test RUNS times beside HOGS busy processes: how many runs pass.
test-soak: | $(DEPS_STAMP)
	bash tools/soak.sh $(RUNS) $(HOGS)

# Bugs put in on purpose, one at a time: the tests must catch each.
mutants:
	python3 tools/mutants.py

# Instructions under -icount shift=0 on one hart (exact, repeatable), at
# three memory sizes and without lock statistics (tools/bench.py).
bench: build/$(ARCH)/test/kernel.elf build/$(ARCH)/nostats/kernel.elf | $(DEPS_STAMP)
	python3 tools/bench.py $(ARCH) $^

# Instructions per 64-byte kmalloc/kfree pair on the host under callgrind,
# next to glibc, jemalloc, tcmalloc and mimalloc (tools/bench-host.sh).
bench-host: build/host/bench/malloc-bench
	bash tools/bench-host.sh build/host/bench/malloc-bench

LINT_FILES := $(shell git ls-files '*.c' '*.h' 2>/dev/null)
lint: | $(DEPS_STAMP)
	$(call say,FORMAT,$(words $(LINT_FILES)) files)
	$(Q)clang-format --dry-run -Werror $(LINT_FILES)
	$(call say,CPPCHECK,$(words $(LINT_FILES)) files)
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem \
		--suppressions-list=.cppcheck-suppressions \
		-Iinclude -Iarch/riscv/include -D__riscv_xlen=32 $(LINT_FILES)

clean:
	rm -rf build
