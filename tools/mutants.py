#!/usr/bin/env python3
"""mutants.py - show that the tests catch the bugs they exist for.

Usage: tools/mutants.py [-j N] [--list] [NAME...]

Each mutant below puts one bug into a copy of the tree on purpose: it
takes out a check, or breaks what a check guards.  The copy is built, the
suites the mutant names are run on it (tools/ktest.py), and at least one
case must fail, or the run must panic or hang: the mutant is "killed".
A mutant that survives is a checker that cannot fail, and the run fails
naming it.  So does a mutant whose text is no longer in its file: the
list must keep up with the code.

Runners: "asan" and "tsan" are the host builds (tests/host/), "rv32"
the QEMU test image on 4 harts, and "run" tools/run_test.py (make run
itself; "suites" then names its checks).  A mutant may need more than one
edit (more=[(file, find, replace), ...]).  The last line printed is "N
killed, M survived"; the exit status is 0 if every mutant was killed.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Mutant:
    name: str
    file: str
    find: str
    replace: str
    runner: str  # asan, tsan or rv32
    suites: str  # the ktest filter
    guards: str  # what the check guards, for the report
    timeout: int = 120  # seconds before a hung run counts as killed
    more: list = field(default_factory=list)  # further (file, find, replace)
    target: str = ""  # what to build, if not the runner's own
    scale: int = 1  # the host runner's RVOS_TEST_SCALE (stress rounds)


MUTANTS = [
    Mutant("slab-free-key-unchecked", "mm/slab.h",
           "if (unlikely(*key == key_of(obj)))", "if (0)",
           "asan", "slab,kmalloc", "double frees seen by the free key"),
    Mutant("slab-free-key-not-set", "mm/slab.h",
           "\t*key = key_of(obj);\n\tflags = irq_save();",
           "\tflags = irq_save();",
           "asan", "slab", "the key that marks a freed object"),
    Mutant("slab-suspect-never-free", "mm/slab.c",
           "is_free = __object_is_free(c, obj);\n\tif (!is_free)",
           "is_free = __object_is_free(c, obj) && false;\n\tif (!is_free)",
           "asan", "slab", "the slow path's double-free verdict"),
    Mutant("slab-suspect-always-free", "mm/slab.c",
           "is_free = __object_is_free(c, obj);\n\tif (!is_free)",
           "is_free = __object_is_free(c, obj) || true;\n\tif (!is_free)",
           "asan", "slab", "live data that looks like a free key"),
    Mutant("slab-scan-own-magazine-only", "mm/slab.c",
           "for (h = 0; h < MAX_HARTS; h++) {\n"
           "\t\tstruct magazine *m = &c->mag[h];\n\t\tbool found",
           "for (h = this_hart(); h == this_hart(); h++) {\n"
           "\t\tstruct magazine *m = &c->mag[h];\n\t\tbool found",
           "asan", "slab", "double frees into another hart's magazine"),
    Mutant("slab-no-object-start-check", "mm/slab.h",
           "if (unlikely(!slab_offset_ok(c->off_magic, c->off_limit, off)))",
           "if (unlikely(!slab_offset_ok(c->off_magic, c->off_limit, off) && 0))",
           "asan", "slab,kmalloc", "frees of pointers inside objects"),
    Mutant("slab-offset-magic-unfixed", "mm/slab.c",
           "\tif ((uint32_t)(m * c->stride) == 0)\n\t\tm++;\n", "",
           "asan", "slab", "the object-start check for power-of-two strides"),
    Mutant("slab-no-wrong-cache-check", "mm/slab.c",
           "if (unlikely(slab_cache_of(obj) != c || !c))",
           "if (unlikely(!slab_cache_of(obj) || !c))",
           "asan", "slab", "frees to the wrong cache"),
    Mutant("slab-keeps-every-empty-slab", "mm/slab.c",
           "if (s->inuse == 0 && c->nr_empty > MAX_EMPTY)", "if (0)",
           "asan", "slab", "giving empty slabs back"),
    Mutant("slab-link-in-constructed-payload", "mm/slab.c",
           "c->link = ctor ? ALIGN_UP(size, sizeof(void *)) : 0;",
           "c->link = 0;",
           "asan", "slab", "constructed state while objects are free"),
    Mutant("slab-free-list-links-unchecked", "mm/slab.c",
           "if (unlikely(!link_ok(c, slab_base(obj), s->free)))",
           "if (unlikely(!link_ok(c, slab_base(obj), s->free) && 0))",
           "asan", "slab", "free lists broken by a write after free"),
    Mutant("slab-magazine-unlocked", "mm/slab.h",
           "return __atomic_exchange_n(&m->count, MAG_LOCKED, __ATOMIC_ACQUIRE);",
           "return __atomic_load_n(&m->count, __ATOMIC_ACQUIRE);",
           "tsan", "slab:drains_race_the_fast_paths",
           "the magazine lock against remote drains (ten times the rounds: "
           "the race needs two threads at once)", scale=10),
    Mutant("ksize-of-a-freed-block", "mm/kmalloc.c",
           "\t    slab_object_is_free(c, (void *)p))",
           "\t    (slab_object_is_free(c, (void *)p) && 0))",
           "asan", "kmalloc", "krealloc of a block already freed"),
    Mutant("spinlock-no-order-check", "kernel/spinlock.c",
           "lock->level < hl->last_held->level",
           "(lock->level < hl->last_held->level || 1)",
           "asan", "spinlock:lock_order_violation_panics",
           "locks taken against the lock order"),
    Mutant("spinlock-test-and-set", "kernel/spinlock.c",
           "\told = __atomic_fetch_add(&lock->word, 1u << 16, __ATOMIC_ACQUIRE);\n",
           "\tdo /* test and set: whoever asks first when it is free */\n"
           "\t\told = __atomic_load_n(&lock->word, __ATOMIC_RELAXED);\n"
           "\twhile ((uint16_t)(old >> 16) != (uint16_t)old ||\n"
           "\t       !__atomic_compare_exchange_n(&lock->word, &old,\n"
           "\t\t\told + (1u << 16), false, __ATOMIC_ACQUIRE,\n"
           "\t\t\t__ATOMIC_RELAXED));\n",
           "asan", "spinlock:waiters_are_served_in_the_order_they_queued",
           "first come, first served (it hangs: no tickets to wait for)",
           timeout=20),
    Mutant("spinlock-recursion-unnamed", "kernel/spinlock.c",
           "\tif (holder_of(lock) == (int)me)\n\t\tlock_misuse(\"recursive acquire\"",
           "\tif (0)\n\t\tlock_misuse(\"recursive acquire\"",
           "asan", "spinlock:recursive_acquire_panics",
           "naming a recursive acquire (not any panic)"),
    Mutant("spinlock-release-unheld-unchecked", "kernel/spinlock.c",
           "if (!forget_held(hl, lock))",
           "if (!forget_held(hl, lock) && 0)",
           "rv32", "spinlock:release_of_unheld_lock_panics",
           "release of a lock this hart does not hold"),
    Mutant("spinlock-pop-off-nesting-unchecked", "kernel/spinlock.c",
           "if (unlikely(hl->depth < 1 || irqs_enabled()))",
           "if (unlikely(irqs_enabled()))",
           "asan", "spinlock:unbalanced_pop_off_panics",
           "a pop_off without its push_off"),
    Mutant("spinlock-pop-off-interrupts-unchecked", "kernel/spinlock.c",
           "if (unlikely(hl->depth < 1 || irqs_enabled()))",
           "if (unlikely(hl->depth < 1))",
           "asan", "spinlock:pop_off_with_interrupts_on_panics",
           "interrupts turned on inside a push_off section"),
    Mutant("spinlock-long-wait-unreported", "kernel/spinlock.c",
           "if (!reported && time_ns() - start > spinlock_report_ns) {",
           "if (!reported && time_ns() - start > spinlock_report_ns && 0) {",
           "asan", "spinlock:a_waiter_stays_out_and_reports_a_long_wait",
           "the report of a long wait (it hangs: the holder waits for it)",
           timeout=20),
    Mutant("spinlock-uninitialised-release-unnamed", "kernel/spinlock.c",
           "if (never_initialised(lock))", "if (0 && never_initialised(lock))",
           "asan", "spinlock:release_of_a_never_initialised_lock_panics",
           "naming a lock that was never initialised"),
    Mutant("spinlock-no-mutual-exclusion", "kernel/spinlock.c",
           "while (!cpu_wait_turn(&lock->tickets.owner, ticket)) {",
           "while (__builtin_memcmp(lock->name, \"test_\", 5) != 0 &&\n"
           "\t       !cpu_wait_turn(&lock->tickets.owner, ticket)) {",
           "asan", "spinlock:a_waiter_stays_out_and_reports_a_long_wait",
           "one holder at a time (the tests' own locks stop excluding)"),
    Mutant("task-sleep-wakes-early", "kernel/task.c",
           "t->wake_time = timer_deadline(ms);",
           "t->wake_time = timer_deadline(ms / 100);",
           "rv32", "task:sleep_wakes_no_earlier_than_asked",
           "a sleep as long as asked"),
    Mutant("task-never-preempted", "kernel/task.c",
           "\tif (h->current != h->idle && READ_ONCE(run_queue.next) != &run_queue)",
           "\tif (0 && h->current != h->idle && READ_ONCE(run_queue.next) != &run_queue)",
           "rv32", "task:busy_task_is_preempted",
           "preemption by the tick (it hangs)", timeout=20),
    Mutant("task-exit-keeps-the-stack", "kernel/task.c",
           "\t\tpage_free(prev->stack);\n", "",
           "rv32", "task:exit_returns_the_stack", "a dead task's stack"),
    Mutant("timer-ticks-on-hart-0-only", "kernel/timer.c",
           "\tcsr_set(mie, MIE_MTIE);",
           "\tif (hart == 0)\n\t\tcsr_set(mie, MIE_MTIE);",
           "rv32", "timer:ticks_advance_on_every_hart",
           "the tick on every hart (it hangs)", timeout=20),
    Mutant("timer-uptime-in-seconds", "kernel/timer.c",
           "return (clint_mtime() - boot_mtime) * 1000 / boot_info.timebase_hz;",
           "return (clint_mtime() - boot_mtime) / boot_info.timebase_hz;",
           "rv32", "timer:uptime_advances_with_mtime", "uptime in milliseconds"),
    Mutant("panic-every-hart-reports", "kernel/panic.c",
           "\tif (!claim(msg))\n\t\tleave_line_and_stop(\"faulted\", msg);\n",
           "\tclaim(msg);\n",
           "rv32", "trap",
           "one report when every hart faults (no owner, no console guard)",
           more=[("kernel/console.c", "\t\tpanic_stop_if_underway();\n", "")]),
    Mutant("panic-exits-with-success", "kernel/panic.c",
           "\tvirt_test_exit(1);\n}", "\tvirt_test_exit(0);\n}",
           "run", "panic", "a failure status for a panic"),
    Mutant("panic-halt-ignored", "kernel/panic.c",
           "\tif (panic_halts) {", "\tif (0) {",
           "run", "panic-halt", "panic=halt keeping the machine"),
    Mutant("console-input-dropped-when-full", "kernel/console.c",
           "\twhile (input_count() < INPUT_SIZE && uart_rx_ready())\n"
           "\t\tinput_ring[input_tail++ % INPUT_SIZE] = uart_getc();\n",
           "\twhile (uart_rx_ready()) {\n\t\tchar c = uart_getc();\n\n"
           "\t\tif (input_count() < INPUT_SIZE)\n"
           "\t\t\tinput_ring[input_tail++ % INPUT_SIZE] = c;\n\t}\n",
           "run", "input-rv32-1",
           "input that comes while the buffer is full (read and dropped, "
           "as it was, and never held in the UART: inputfull hangs)",
           timeout=20,
           more=[("kernel/console.c",
                  "\tif (input_count() == INPUT_SIZE && !input_masked) {\n"
                  "\t\tuart_rx_interrupt(false); /* the rest waits in the UART */\n"
                  "\t\tinput_masked = true;\n\t}\n", "")]),
    Mutant("console-input-never-unmasked", "kernel/console.c",
           "\t\tuart_rx_interrupt(true); /* what waited raises it again */\n", "",
           "run", "input-rv32-1", "input that waited in the UART (it hangs)",
           timeout=20),
    Mutant("boot-rv32-ram-unclamped", "kernel/main.c",
           "if (boot_info.mem_base + boot_info.mem_size > RV32_RAM_END) {",
           "if (0) {",
           "run", "qemu-direct", "rv32 RAM up to 4 GiB, said in one line"),
    Mutant("makefile-smp-unchecked", "Makefile",
           "ifeq ($(filter 1 2 3 4 5 6 7 8,$(SMP)),)", "ifeq (x,)",
           "run", "configs", "make run with a bad SMP", target="build/.deps-ok"),
    Mutant("slab-create-unchecked", "mm/slab.c",
           "if (size == 0 || size > SLAB_MAX_OBJECT || (align & (align - 1)) ||\n"
           "\t    align > SLAB_MAX_OBJECT) {",
           "if (0) {",
           "asan", "slab:create_refuses_bad_sizes_and_alignments",
           "caches of impossible sizes"),
    Mutant("slab-null-cache-followed", "mm/slab.c",
           "slab_cache_of(obj) != c || !c))", "slab_cache_of(obj) != c))",
           "asan", "slab:free_with_a_bad_cache_or_pointer_is_refused",
           "kmem_cache_free with no cache"),
    Mutant("slab-destroy-with-objects", "mm/slab.c",
           "\tif (active) {", "\tif (active && 0) {",
           "asan", "slab:destroy_refuses_while_objects_are_allocated",
           "destroying a cache whose objects are in use"),
    Mutant("ksize-of-an-interior-pointer", "mm/kmalloc.c",
           "(uintptr_t)p & (SLAB_SIZE - 1)) ||",
           "(uintptr_t)p & (SLAB_SIZE - 1) & 0) ||",
           "asan", "kmalloc", "krealloc of a pointer inside a block"),
    Mutant("page-zero-pages-served", "mm/page.c",
           "\tif (unlikely(npages == 0))", "\tif (0)",
           "asan", "page", "a request for no pages"),
    Mutant("page-order-unchecked", "mm/page.c",
           "\tif (order > MAX_ORDER) {\n\t\t/* No 1 << order",
           "\tif (0) {\n\t\t/* No 1 << order",
           "asan", "page", "orders above the largest block"),
    Mutant("page-unaligned-free", "mm/page.c",
           "if (unlikely(!IS_ALIGNED(addr, PAGE_SIZE))) {",
           "if (0) {",
           "asan", "page", "frees of pointers inside a page"),
    Mutant("page-cache-double-free", "mm/page.c",
           "\t\t     map_fetch_set(pool->free_map, i)))",
           "\t\t     (map_fetch_set(pool->free_map, i), false)))",
           "asan", "page", "double frees of single pages"),
    Mutant("page-locked-double-free", "mm/page.c",
           "\tif (map_test(pool->free_map, i) || map_test(pool->inner_map, i)) {\n"
           "\t\tmm_unlock(pool->lock);",
           "\tif (0) {\n\t\tmm_unlock(pool->lock);",
           "asan", "page", "double frees of page runs"),
]

TARGETS = {
    "asan": "build/host/asan/ktest-host",
    "tsan": "build/host/tsan/ktest-host",
    "rv32": "build/rv32/test/kernel.elf",
    "run": "build/rv32/run/kernel.elf",
}


def command(m, timeout):
    """The run that must fail on the mutant."""
    if m.runner == "run":
        return [sys.executable, "tools/run_test.py", "--timeout", str(timeout)] \
            + m.suites.split(",")
    if m.runner == "rv32":
        config = "qemu:rv32:4:128M:" + TARGETS[m.runner]
    else:
        config = "host:%s:%s" % (m.runner, TARGETS[m.runner])
    return [sys.executable, "tools/ktest.py", "--timeout", str(timeout),
            "--filter", m.suites, config]


def tree_files():
    """The files of the tree: tracked ones and new ones not yet ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True).stdout.decode()
    return [f for f in out.split("\0") if f and os.path.isfile(
        os.path.join(ROOT, f))]


def run_mutant(m, files, timeout):
    """Returns (verdict, detail): killed, survived or error."""
    with tempfile.TemporaryDirectory(prefix="rvos-mutant-") as tmp:
        for f in files:
            os.makedirs(os.path.join(tmp, os.path.dirname(f)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), os.path.join(tmp, f))
        # A kernel image's objects come along, so that only what the
        # mutant changes is compiled again (make compares the times).
        images = [os.path.dirname(m.target or TARGETS[m.runner])]
        if m.runner == "run":  # run_test.py builds both run images
            images += ["build/rv64/run"]
        for image in images:
            if image.startswith("build/rv") and os.path.isdir(os.path.join(ROOT, image)):
                shutil.copytree(os.path.join(ROOT, image), os.path.join(tmp, image))
        for file, find, replace in [(m.file, m.find, m.replace)] + m.more:
            path = os.path.join(tmp, file)
            with open(path) as fh:
                text = fh.read()
            if text.count(find) != 1:
                return "error", "its text is in %s %d times, not once" % (
                    file, text.count(find))
            with open(path, "w") as fh:
                fh.write(text.replace(find, replace))
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        build = subprocess.run(["make", "-s", "-j2", m.target or TARGETS[m.runner]],
                               cwd=tmp, env=env,
                               capture_output=True, text=True)
        if build.returncode:
            return "error", "does not build:\n" + build.stderr[-2000:]
        run = subprocess.run(command(m, min(timeout, m.timeout)), cwd=tmp,
                             env=dict(env, RVOS_TEST_SCALE=str(m.scale)),
                             capture_output=True, text=True)
        failed = [line.strip() for line in run.stdout.splitlines()
                  if "FAIL" in line or "not ok" in line or "panic" in line]
        if run.returncode == 1:
            return "killed", "; ".join(failed[:3]) or run.stdout[-300:]
        if run.returncode == 0:
            return "survived", "every case of %s passed" % m.suites
        return "error", "ktest.py: " + (run.stdout + run.stderr)[-2000:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=120,
                    help="seconds allowed per run (default: 120)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()

    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    if args.list or not chosen:
        for m in MUTANTS:
            print("%-34s %-5s %-14s %s" % (m.name, m.runner, m.suites,
                                           m.guards))
        return 0 if args.list else 2
    files = tree_files()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(
            lambda m: run_mutant(m, files, args.timeout), chosen))
    killed = 0
    for m, (verdict, detail) in zip(chosen, results):
        killed += verdict == "killed"
        print("%-8s %-34s (%s)" % (verdict, m.name, m.guards))
        print("         " + detail.replace("\n", "\n         "))
    print("%d killed, %d survived" % (killed, len(chosen) - killed))
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
