#!/usr/bin/env python3
"""mutants.py - show that the tests catch the bugs they exist for.

Usage: tools/mutants.py [-j N] [--list] [NAME...]

Each mutant below puts one bug into a copy of the tree on purpose: it
takes out a check, or breaks what a check guards.  The copy is built, the
suites the mutant names are run on it (tools/ktest.py), and at least one
case must fail, or the run must panic or hang: the mutant is "killed".
A mutant of a check made at build time instead names the words the
build must fail with.
A mutant that survives is a checker that cannot fail, and the run fails
naming it.  So does a mutant whose text is no longer in its file: the
list must keep up with the code.

Runners: "asan" and "tsan" are the host builds (tests/host/), "rv32"
the QEMU test image on 4 harts, "run" tools/run_test.py (make run
itself; "suites" then names its checks), "fuzz" a fuzz target
(tests/fuzz/; its "suites" is the target's name, killed when make
fuzz-check-NAME finds a bug in the runs make test does: the same bounded
number, the same seed), and "tool" a checking script with no build (its
"suites" is the script and its arguments, killed when it exits with 1;
its "target" names the built images it reads, copied from this tree).
A mutant may need more than one edit (more=[(file, find, replace),
...]).  The last line printed is "N killed, M survived"; the exit status
is 0 if every mutant was killed.
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
    runner: str  # asan, tsan, rv32, fuzz or tool
    suites: str  # the ktest filter
    guards: str  # what the check guards, for the report
    timeout: int = 120  # seconds before a hung run counts as killed
    build_fails: str = ""  # a build-time check: the build fails saying this
    more: list = field(default_factory=list)  # further (file, find, replace)
    target: str = ""  # what to build, if not the runner's own


MUTANTS = [
    Mutant("slab-free-key-unchecked", "mm/slab.h",
           "\t\t\t   __atomic_load_n(key, __ATOMIC_RELAXED) !=\n\t\t\t\t   key_of(obj))) {",
           "\t\t\t   1)) {",
           "asan", "slab,kmalloc", "double frees seen by the free key"),
    Mutant("slab-free-key-not-set", "mm/slab.h",
           "\t\t\t*key = key_of(obj);\n\t\t\ttop = mag_push(m, top, obj);",
           "\t\t\ttop = mag_push(m, top, obj);",
           "asan", "slab", "the key that marks a freed object"),
    Mutant("slab-suspect-never-free", "mm/slab.c",
           "is_free = *free_key(c, obj) == key_of(obj) && __object_is_free(c, obj);",
           "is_free = *free_key(c, obj) == key_of(obj) && __object_is_free(c, obj) && 0;",
           "asan", "slab", "the slow path's double-free verdict"),
    Mutant("slab-suspect-trusts-the-key", "mm/slab.c",
           "is_free = *free_key(c, obj) == key_of(obj) && __object_is_free(c, obj);",
           "is_free = *free_key(c, obj) == key_of(obj);",
           "asan", "slab", "live data that looks like a free key"),
    Mutant("slab-scan-own-magazine-only", "mm/magazine.c",
           "if (h == self && !__atomic_load_n(&m->top, __ATOMIC_RELAXED))",
           "if (h != self || !__atomic_load_n(&m->top, __ATOMIC_RELAXED))",
           "asan", "slab", "double frees into another hart's magazine"),
    Mutant("slab-no-object-start-check", "mm/slab.h",
           "\treturn object_start_ok(c->off_magic,",
           "\treturn 1 || object_start_ok(c->off_magic,",
           "asan", "slab,kmalloc", "frees of pointers inside objects"),
    Mutant("slab-objects-never-handed-out-accepted", "mm/slab.c",
           "\ts->reach = 0;", "\ts->reach = c->objects * c->off_step;",
           "asan", "slab:free_of_an_object_never_handed_out_is_refused",
           "frees of objects the lazy carving never handed out"),
    Mutant("slab-offset-magic-unfixed", "mm/slab.c",
           "\tif ((uint32_t)(m * c->stride) == 0)\n\t\tm++;\n", "",
           "asan", "slab", "the object-start check for power-of-two strides"),
    Mutant("slab-no-wrong-cache-check", "mm/slab.c",
           "if (likely(s && s->cache == c &&",
           "if (likely(s &&",
           "asan", "slab", "frees to the wrong cache"),
    Mutant("slab-keeps-every-empty-slab", "mm/slab.c",
           "return c->nr_empty > MAX_EMPTY && c->nr_slabs > 1;",
           "return c->nr_empty > MAX_EMPTY && c->nr_slabs > 1 && 0;",
           "asan", "slab", "giving empty slabs back"),
    Mutant("slab-link-in-constructed-payload", "mm/slab.c",
           "c->link_offset = ctor ? ALIGN_UP(size, sizeof(void *)) : 0;",
           "c->link_offset = 0;",
           "asan", "slab", "constructed state while objects are free"),
    Mutant("slab-free-list-links-unchecked", "mm/slab.c",
           "if (unlikely(!free_rest_ok(c, s, obj))) {",
           "if (0) {",
           "asan", "slab:a_free_list_broken_by_a_write_after_free_is_given_up",
           "free lists broken by a write after free"),
    Mutant("magazine-unlocked", "mm/magazine.h",
           "return __atomic_exchange_n(&(*m)->top, NULL, __ATOMIC_ACQUIRE);",
           "return __atomic_load_n(&(*m)->top, __ATOMIC_ACQUIRE);",
           "asan", "magazine:an_open_magazine_reads_as_held_until_it_is_closed",
           "the magazine lock against remote drains"),
    Mutant("ksize-of-a-freed-block", "mm/kmalloc.c",
           "\t    slab_object_is_free(s->cache, (void *)p))",
           "\t    (slab_object_is_free(s->cache, (void *)p) && 0))",
           "asan", "kmalloc", "krealloc of a block already freed"),
    Mutant("krealloc-never-shrinks", "mm/kmalloc.c",
           "(size > old / 2 || usable_size_for(size) == old))",
           "(1 || usable_size_for(size) == old))",
           "asan", "kmalloc:krealloc_below_half_moves_to_a_smaller_block",
           "giving space back when a block shrinks below half"),
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
           timeout=30),
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
    Mutant("slab-create-unchecked", "mm/slab.c",
           "if (!name || size == 0 || size > SLAB_MAX_OBJECT ||\n"
           "\t    (align & (align - 1)) || align > SLAB_MAX_OBJECT ||\n"
           "\t    (flags & ~(features | SLAB_NO_DEBUG))) {",
           "if (0) {",
           "asan", "slab:create_refuses_bad_sizes_and_alignments",
           "caches of impossible sizes"),
    Mutant("slab-null-cache-followed", "mm/slab.c",
           "\tif (s->cache != c) {", "\tif (s->cache != c && c) {",
           "asan", "slab:free_with_a_bad_cache_or_pointer_is_refused",
           "kmem_cache_free with no cache"),
    Mutant("slab-destroy-with-objects", "mm/slab.c",
           "\tif (active) {", "\tif (active && 0) {",
           "asan", "slab:destroy_refuses_while_objects_are_allocated",
           "destroying a cache whose objects are in use"),
    Mutant("ksize-of-an-interior-pointer", "mm/kmalloc.c",
           "if (!object_in_use_range(s->cache, s, (void *)p) ||",
           "if ((!object_in_use_range(s->cache, s, (void *)p) && 0) ||",
           "asan", "kmalloc", "krealloc of a pointer inside a block"),
    Mutant("page-zero-pages-served", "mm/page.c",
           "if (unlikely(npages == 0 || npages > pool->nr_total)) {",
           "if (unlikely(npages > pool->nr_total)) {",
           "asan", "page", "a request for no pages"),
    Mutant("page-order-unchecked", "mm/page.c",
           "\tif (order > MAX_ORDER) {\n\t\t/* No 1 << order",
           "\tif (0) {\n\t\t/* No 1 << order",
           "asan", "page", "orders above the largest block"),
    Mutant("page-unaligned-free", "mm/page.c",
           "\t    !IS_ALIGNED((uintptr_t)p, PAGE_SIZE) ||\n", "",
           "asan", "page", "frees of pointers inside a page"),
    Mutant("page-fast-double-free", "mm/page.c",
           "\t\t   test_and_clear_bit(i, pool->single_map))) {",
           "\t\t   (test_and_clear_bit(i, pool->single_map), 1))) {",
           "asan", "page", "double frees of single pages, fast path"),
    Mutant("bench-table-figure-not-in-results", "tools/benchdata.py",
           'fmt(r["ops_per_s_total"]),',
           'fmt(r["ops_per_s_per_hart"] * r["harts"]),',
           "tool", "tools/bench_check.py",
           "benchmark tables printed from results.json"),
    Mutant("bench-docs-out-of-step", "docs/performance/results.json",
           '"arch": "rv32"', '"arch": "rv64"',
           "tool", "tools/bench_check.py",
           "docs/performance.md showing the tables of its results"),
    Mutant("page-locked-double-free", "mm/page.c",
           "\t\t   test_and_clear_bit(i, pool->single_map)) {\n\t\t/*",
           "\t\t   (test_and_clear_bit(i, pool->single_map) || 1)) {\n\t\t/*",
           "asan", "page", "double frees of single pages, locked path"),
    Mutant("sibling-calls-optimized", "Makefile",
           "-fno-toplevel-reorder -fno-optimize-sibling-calls \\\n\t-fno-builtin",
           "-fno-toplevel-reorder \\\n\t-fno-builtin",
           "rv32", "kallsyms:a_caller_is_named_through_a_call_that_ends_a_function",
           "callers named through a call that ends a function"),
    Mutant("kallsyms-search-misses-starts", "lib/kallsyms.c",
           "if (start[mid] <= off)", "if (start[mid] < off)",
           "asan", "kallsyms", "the first byte of each function"),
    Mutant("kallsyms-search-misses-last-function", "lib/kallsyms.c",
           "uint32_t lo = 0, hi = n;", "uint32_t lo = 0, hi = n - 1;",
           "asan", "kallsyms", "the last function of the code"),
    Mutant("kallsyms-end-of-code-named", "lib/kallsyms.c",
           "if (off >= start[n])", "if (off > start[n])",
           "asan", "kallsyms", "the byte after the code"),
    Mutant("kallsyms-padding-named", "lib/kallsyms.c",
           "\tif (entry_names()[lo] == 0)\n\t\treturn NULL;\n", "",
           "asan", "kallsyms", "bytes between functions"),
    Mutant("kallsyms-functions-run-to-the-next", "scripts/kallsyms.py",
           "if i + 1 < len(functions) and end < functions[i + 1][0]:",
           "if False:",
           "asan", "kallsyms", "a function's end, from its size"),
    Mutant("percent-pb-as-percent-ps", "lib/vsnprintf.c",
           "kallsyms_lookup(addr - is_return,", "kallsyms_lookup(addr,",
           "asan", "kallsyms", "return addresses one past a function"),
    Mutant("exception-report-unnamed", "kernel/panic.c",
           '"%s at %pS", what', '"%s at %p", what',
           "rv32", "trap", "the function an exception happened in"),
    Mutant("slab-validate-free-list-count-unchecked", "mm/slab_validate.c",
           "\tif (listed + s->inuse != carved) {",
           "\tif (0) {",
           "asan", "slab:validate_names_each_broken_part",
           "a slab's free list that lost objects"),
    Mutant("slab-described-free-as-live", "mm/slab.c",
           "is_free = *free_key(c, (void *)start) == key_of(start);",
           "is_free = false;",
           "asan", "slab:an_address_is_described_by_what_holds_it",
           "what allocs ADDR says of a free object"),
    Mutant("page-split-frees-a-page-of-the-run", "mm/page.c",
           "__free_range(pool, (size_t)i + npages,\n"
           "\t\t\t\t     ((size_t)1 << order) - npages);",
           "__free_range(pool, (size_t)i + npages - 1,\n"
           "\t\t\t\t     ((size_t)1 << order) - npages + 1);",
           "fuzz", "page", "runs split off a block without their last page"),
    Mutant("page-stats-forget-the-magazines", "mm/stats.c",
           "st->free = pool->nr_free + in_magazines;",
           "st->free = pool->nr_free;",
           "fuzz", "page", "free pages counted in the statistics"),
    Mutant("slab-double-free-into-a-magazine", "mm/slab.c",
           "\t__mag_for_each(&c->mags, match_object, &wanted);\n"
           "\tif (!wanted)\n",
           "\t__mag_for_each(&c->mags, match_object, &wanted);\n"
           "\tif (!wanted && 0)\n",
           "fuzz", "slab", "double frees of objects in a magazine"),
    Mutant("krealloc-grows-past-the-block", "mm/kmalloc.c",
           "if (size <= old && (size > old / 2",
           "if (size <= old + 8 && (size > old / 2",
           "fuzz", "kmalloc", "krealloc keeping a block too small in place"),
    Mutant("leak-every-block-referenced", "mm/leak.c",
           "if (b->colour != WHITE)\n\t\t\tcontinue;\n\t\tif (!b->alloc.uptime_ms)",
           "if (b->colour != WHITE || 1)\n\t\t\tcontinue;\n\t\tif (!b->alloc.uptime_ms)",
           "asan", "leak", "the leak scanner's verdict"),
    Mutant("leak-not-transitive", "mm/leak.c",
           "\t\tb->colour = BLACK;\n\t\tscan_words(s, b->start, b->end);\n",
           "\t\tb->colour = BLACK;\n",
           "asan", "leak", "blocks that only other live blocks point to"),
    Mutant("leak-globals-not-roots", "mm/leak.c",
           "\tif (kind == MEM_ROOT_STACK && z > a) {",
           "\tif (kind == MEM_ROOT_DATA)\n\t\treturn;\n"
           "\tif (kind == MEM_ROOT_STACK && z > a) {",
           "asan", "leak", "blocks that a global points to"),
    Mutant("leak-stacks-not-roots", "mm/leak.c",
           "\tif (kind == MEM_ROOT_STACK && z > a) {",
           "\tif (kind == MEM_ROOT_STACK)\n\t\treturn;\n"
           "\tif (kind == MEM_ROOT_STACK && z > a) {",
           "asan", "leak", "blocks that another hart's stack points to"),
    Mutant("leak-saved-registers-not-roots", "mm/leak.c",
           "\tif (kind == MEM_ROOT_STACK && z > a) {",
           "\tif (kind == MEM_ROOT_REGISTERS)\n\t\treturn;\n"
           "\tif (kind == MEM_ROOT_STACK && z > a) {",
           "rv32", "leak", "blocks that a sleeping task's register holds"),
    Mutant("leak-reported-at-every-scan", "mm/leak.c",
           "\tif (mb->track->flags & MM_TRACK_LEAK_REPORTED)\n\t\treturn;\n",
           "",
           "asan", "leak:a_block_nothing_points_to_is_reported_once",
           "reporting each leak once"),
    Mutant("kallsyms-table-among-the-code", "arch/riscv/kernel.ld",
           "\t\tKEEP(*(.text.boot))\n",
           "\t\tKEEP(*(.text.boot))\n\t\tKEEP(*(.kallsyms))\n",
           "rv32", "-", "code that moves between the two links",
           build_fails="code moved between the links"),
    Mutant("debug-double-free-key-not-atomic", "mm/slab_debug.c",
           "if (__atomic_exchange_n(key, key_of(obj), __ATOMIC_ACQ_REL) ==\n"
           "\t    key_of(obj)) {",
           "if (*key == key_of(obj) || (*key = key_of(obj), 0)) {",
           "tsan", "debug:racing_double_frees_on_two_harts_are_all_caught",
           "one verdict when two harts free one object at once"),
    Mutant("debug-red-zones-unchecked", "mm/slab_debug.c",
           "if (bad_left < 0 && bad_right < 0)", "if (1)",
           "asan", "debug:a_one_byte_overflow_hits_the_red_zone",
           "writes past either end of an object"),
    Mutant("debug-poison-unchecked", "mm/slab_debug.c",
           "bad = first_wrong(obj, c->size, POISON_FREE);", "bad = -1;",
           "asan", "debug:a_write_after_free_is_seen_when_the_object_comes_back",
           "writes after free, seen when the object is handed out"),
    Mutant("debug-new-memory-unfilled", "mm/slab_debug.c",
           "\t\tfill(obj, c->size, POISON_NEW);\n", "",
           "rv32", "debug:new_objects_hold_the_uninitialised_pattern,trap",
           "the pattern that shows a read of memory never written"),
    Mutant("debug-scrubber-blind", "mm/scrub.c",
           "if (w[i] != POISON_FREE)", "if (0)",
           "asan", "debug", "the scrubber's check of free memory"),
    Mutant("debug-sites-unrecorded", "mm/report.c",
           "\tt->site = site;", "\tt->site = site & 0;",
           "asan", "debug:double_free_of_an_object_names_all_three_sites",
           "where a block was allocated and freed"),
    Mutant("debug-free-list-unwalked", "mm/slab.c",
           "!slab_intact(c, s, obj, caller)) {",
           "0 && !slab_intact(c, s, obj, caller)) {",
           "asan", "debug:checks_find_a_broken_free_list",
           "frees onto a slab whose free list is broken (F)"),
    Mutant("address-kind-unknown", "mm/address.c",
           "switch (mem_kind_of(p)) {", "switch (MEM_OTHER) {",
           "asan", "debug", "frees of stack and global addresses, named"),
    Mutant("page-owner-unchecked", "mm/page.c",
           "\t\tif (was == owner) {", "\t\tif (1) {",
           "asan", "debug:page_free_refuses_a_slab_page_and_kfree_a_page_run",
           "page_free of a slab's page, kfree of a page run"),
    Mutant("exception-poison-unexplained", "kernel/trap.c",
           "		   poison_explains(f->mtval));", "		   NULL);",
           "rv32", "trap", "a fault at a memory pattern, explained"),
    Mutant("stats-failure-unreported", "mm/page.c",
           "mm_report_failure(pool, owner_names[owner], npages, 0, caller,\n"
           "\t\t\t\t  injected);",
           "(void)injected;",
           "asan", "stats:a_failed_allocation_is_counted_and_reported",
           "the report of a failed allocation"),
    Mutant("stats-cache-peak-not-kept", "mm/slab.c",
           "if (c->nr_slabs > c->peak_slabs) {", "if (0) {",
           "asan", "stats:a_cache_watermark_holds_its_peak_until_reset",
           "a cache's watermark"),
    Mutant("stats-fragmentation-ignores-the-largest-block", "mm/stats.c",
           "(s->free - largest) * 1000", "(s->free - (largest & 1)) * 1000",
           "asan", "stats:fragmentation_matches_a_layout_worked_out_by_hand",
           "fragmentation, 1 - largest free block / free pages"),
    Mutant("periodic-task-per-set", "kernel/periodic.c",
           "start = interval_ms && !p->has_task;", "start = interval_ms;",
           "rv32", "periodic", "one task for each piece of background work"),
    Mutant("fault-nth-never-fails", "mm/fault_inject.c",
           "\t\tnow = --nth_left == 0;", "\t\tnow = --nth_left == ~0UL;",
           "asan", "fault", "fail-nth, the walk through every allocation"),
    Mutant("fault-times-unbounded", "mm/fault_inject.c",
           "\tif (k->times == 0)\n\t\treturn false;\n", "",
           "asan", "fault:times_bounds_the_failures", "the times knob"),
    Mutant("slab-header-failure-leaks-its-pages", "mm/slab.c",
           "\t\t\tpage_free_as(base, PAGE_OWNER_SLAB, CALLER_ADDR);\n", "",
           "asan", "fault:slab_growth_copes_with_each_failure",
           "pages given back when a new slab cannot get its header"),
    # Simulated hardware errors (suite flip): each hardening check.
    Mutant("slab-taken-link-unmarked", "mm/slab.c",
           "		*link_of(c, obj) = LINK_TAKEN;\n", "",
           "asan", "flip:a_slab_free_list_link",
           "a free list bent back on itself by a flipped bit"),
    Mutant("slab-bump-trusted", "mm/slab.c",
           "		__bump_sound(c, s);\n", "		(void)__bump_sound;\n",
           "asan", "flip:a_slabs_bump", "a slab's bump moved by a flipped bit"),
    Mutant("page-lists-not-rebuilt", "mm/page.c",
           "if (unlikely(!node_ok(pool, first) || !__is_free_block(pool, i, o))) {",
           "if (0) {",
           "asan", "flip:a_free_blocks_header",
           "a free block's header broken by a flipped bit", timeout=60),
    Mutant("kmalloc-too-large-in-pages", "mm/internal.h",
           "return bytes / PAGE_SIZE + (bytes % PAGE_SIZE != 0);",
           "return (bytes + PAGE_SIZE - 1) / PAGE_SIZE;",
           "asan", "kmalloc:a_request_larger_than_memory_is_refused_in_its_bytes",
           "a request larger than memory, refused in its own bytes",
           timeout=60),
    Mutant("page-flush-unbounded", "mm/page.c",
           "while (k < n && merges < MAX_ORDER)",
           "while (k < n)",
           "asan", "page:a_flush_stops_once_its_merges_reach_the_top_order",
           "the bound on the merges of one magazine flush", timeout=60),
    Mutant("page-list-links-trusted", "mm/page.c",
           "return IS_ALIGNED((uintptr_t)p, PAGE_SIZE) && i < pool->span &&",
           "return 1 || i < pool->span ||",
           "asan", "flip,page",
           "a free block's list links, checked before they are followed",
           timeout=60),
    Mutant("slab-header-failure-reported-under-lock", "mm/slab.c",
           "if (c != &slab_header_cache)",
           "if (1)",
           "asan", "fault:a_failed_slab_header_is_reported_once_by_its_cache",
           "a slab header's failure, reported under its cache's lock",
           timeout=60),
    Mutant("own-magazine-waited-for", "mm/magazine.c",
           "if (h == self && !__atomic_load_n(&m->top, __ATOMIC_RELAXED))",
           "if (h == self && 0)",
           "asan", "flip:a_free_blocks_header",
           "a list rebuild from inside a refill (it would wait for itself)",
           timeout=60),
    Mutant("slab-magazine-entries-unchecked", "mm/slab_validate.c",
           "problems += (int)__mag_filter(&c->mags, entry_ok, c);",
           "(void)entry_ok;",
           "asan", "flip:a_per_hart_magazine_entry",
           "a per-hart slab magazine entry moved by a flipped bit"),
    Mutant("page-magazine-entries-unchecked", "mm/page_validate.c",
           "if (__mag_filter(&pool->mags, magazine_page_ok, pool) +",
           "if ((void)magazine_page_ok, 0 +",
           "asan", "flip:a_page_magazine_entry",
           "a per-hart page magazine entry moved by a flipped bit"),
    Mutant("magazine-duplicates-kept", "mm/magazine.c",
           "		if (twice) {\n			dropped",
           "		if (0 && twice) {\n			dropped",
           "asan", "flip:a_page_magazine_entry",
           "a page held twice by the per-hart magazines"),
    # The depot (mm/magazine.c): tests/mm/magazine_test.c on an owner of
    # its own, and the slab and page cases that walk a real one.
    Mutant("magazine-depot-never-parks", "mm/magazine.c",
           "\tif (mags->depot_n >= mags->depot_max)\n\t\treturn 0;",
           "\tif (1)\n\t\treturn 0;",
           "asan", "magazine:a_full_magazine_parks_its_batch_in_the_depot",
           "a full magazine's batch parked in the depot, not flushed"),
    Mutant("magazine-depot-never-taken", "mm/magazine.c",
           "\t\tn = depot_take(mags, m->slot, mags->batch);",
           "\t\tn = 0 * depot_take(mags, m->slot, 0);",
           "asan",
           "magazine:an_empty_magazine_takes_the_newest_batch_from_the_depot",
           "a refill from the depot before the owner"),
    Mutant("magazine-depot-unbounded", "mm/magazine.c",
           "\tn = MIN(n, mags->depot_max - mags->depot_n);\n", "",
           "asan",
           "magazine:a_full_depot_leaves_the_rest_of_a_batch_to_the_owner",
           "the depot's bound"),
    Mutant("magazine-drain-keeps-the-depot", "mm/magazine.c",
           "\tmags->depot_n = 0;\n\tflush_all(mags, owner, objs, n);",
           "\tn = 0;\n\tflush_all(mags, owner, objs, n);",
           "asan", "magazine:a_drain_empties_the_depot,"
           "slab:an_object_in_the_depot_is_counted_and_refused_twice,"
           "page:pages_in_a_depot_are_free_cached_and_drained",
           "drains (memory short, a shrink) that empty the depot too"),
    Mutant("magazine-snapshot-forgets-the-depot", "mm/magazine.c",
           "\ttotal += mags->depot_n;\n", "",
           "asan", "magazine:a_drain_empties_the_depot,"
           "slab:an_object_in_the_depot_is_counted_and_refused_twice",
           "the statistics' count of cached objects"),
    Mutant("magazine-slow-free-uncounted", "mm/magazine.c",
           "\tm->gives++;\n\tmag_unlock(m, n);",
           "\tmag_unlock(m, n);",
           "asan", "magazine:a_full_magazine_parks_its_batch_in_the_depot,"
           "slab:an_object_in_the_depot_is_counted_and_refused_twice",
           "the statistics' count of frees through a full magazine"),
    Mutant("magazine-filter-skips-the-depot", "mm/magazine.c",
           "\tkept = keep_only(mags->depot, mags->depot_n, keep, arg);",
           "\tkept = mags->depot_n;",
           "asan", "magazine:the_walks_see_the_depot",
           "validation's check of each depot entry"),
    Mutant("magazine-depot-duplicates-kept", "mm/magazine.c",
           "\tmags->depot_n =\n\t\t(unsigned int)drop_repeats(mags, MAX_HARTS, n, mags->depot,\n"
           "\t\t\t\t\t   mags->depot_n, dropped, arg, &count);\n",
           "",
           "asan", "magazine:the_walks_see_the_depot",
           "an object held twice in a magazine and the depot"),
    Mutant("magazine-for-each-skips-the-depot", "mm/magazine.c",
           "\tfor (i = 0; i < mags->depot_n; i++)\n\t\tfn(mags->depot[i], arg);",
           "",
           "asan", "magazine:the_walks_see_the_depot,"
           "slab:an_object_in_the_depot_is_counted_and_refused_twice",
           "a double free of an object in the depot"),
    Mutant("magazine-no-magazines-keep-a-depot", "mm/magazine.c",
           "mags->depot_max = limit ? MIN(depot, (unsigned int)DEPOT_SLOTS) : 0;",
           "mags->depot_max = MIN(depot, (unsigned int)DEPOT_SLOTS);",
           "asan", "magazine:no_magazines_means_no_depot",
           "a cache with no magazines (debugged) keeping none in a depot"),
    Mutant("slab-depot-unbounded-in-bytes", "mm/slab.c",
           "MIN(MAX(by_use, DEPOT_BYTES / c->stride),",
           "MIN(MAX(by_use, (size_t)want),",
           "asan", "slab:a_quiet_cache_of_large_objects_parks_little",
           "the bound in bytes on a slab cache's depot"),
    Mutant("page-validate-forgets-the-depot", "mm/page_validate.c",
           "\t*pages += pool->mags.depot_n;\n", "",
           "asan", "page:pages_in_a_depot_are_free_cached_and_drained",
           "page_validate's count of the free pages in the depot"),
    Mutant("page-map-forgets-the-depot", "mm/page_map.c",
           "\tmap_cached(pool->mags.depot, pool->mags.depot_n, addr, npages, kind);",
           "",
           "asan", "page:pages_in_a_depot_are_free_cached_and_drained",
           "page_map's cached pages in the depot"),
    # make run itself, panics, input, timers and tasks (issue: no verdict from the clock).
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
    Mutant("boot-fault-options-ignored", "kernel/main.c",
           "	fault_inject_boot();	 /* fail.slab=, fail.page= */\n",
           "	(void)fault_inject_boot;\n",
           "run", "fail-boot", "fail.slab= and fail.page= at boot"),
    Mutant("page-map-no-look-back", "mm/page_map.c",
           "owner = run_kind(pool, run_start(pool, i));",
           "owner = run_kind(pool, i);",
           "asan", "page", "page_map's owner of a run seen from its middle"),
    Mutant("shell-free-unguarded", "kernel/handson.c",
           "\t\tif (addr && table[k].addr == addr)",
           "\t\tif (addr)",
           "run", "handson",
           "the shell's guard: only blocks it was given are freed from it"),
    Mutant("memmap-magazine-pages-free", "mm/page_map.c",
           "kind[(a - addr) / PAGE_SIZE] = PAGE_KIND_CACHED;",
           "kind[(a - addr) / PAGE_SIZE] = PAGE_KIND_FREE;",
           "run", "handson", "memmap's pages in the per-hart magazines"),
    Mutant("memmap-slab-runs-as-pages", "mm/page_map.c",
           "[PAGE_OWNER_SLAB] = PAGE_KIND_SLAB,",
           "[PAGE_OWNER_SLAB] = PAGE_KIND_PAGE,",
           "run", "handson", "memmap's slab pages, told by the slab_run bits"),
    Mutant("gdb-buddyinfo-forgets-magazines", "tools/gdb/rvos.py",
           '"free": int(pool["nr_free"]) + in_mags,',
           '"free": int(pool["nr_free"]),',
           "tool", "tools/gdb_test.py rv32",
           "rvos-buddyinfo's free pages, the magazines' included",
           target="build/rv32/run/kernel.elf"),
    Mutant("gdb-page-run-one-too-long", "tools/gdb/rvos.py",
           "    return j - i\n", "    return j - i + 1\n",
           "tool", "tools/gdb_test.py rv32",
           "rvos-page's run of pages, as allocs ADDRESS gives it",
           target="build/rv32/run/kernel.elf"),
    Mutant("gdb-locks-holder-not-queued", "tools/gdb/rvos.py",
           "queued = ((word >> 16) - word) & 0xFFFF",
           "queued = ((word >> 16) - word - 1) & 0xFFFF",
           "tool", "tools/gdb_test.py rv32",
           "rvos-locks' tickets of the holder and its waiters",
           target="build/rv32/run/kernel.elf"),
    Mutant("exercises-expect-a-wrong-figure", "docs/views.md",
           "   expect: hart 0 magazine: 3 pages\n",
           "   expect: hart 0 magazine: 4 pages\n",
           "tool", "tools/exercises_test.py docs/views.md",
           "the docs' exercises against what the kernel prints",
           target="build/rv32/run/kernel.elf"),
    # Stress, concurrency, fragmentation and fault walks: each new check.
    Mutant("ownership-claim-blind", "tests/mm/ownership.c",
           "\t\tif (was)\n", "\t\tif (0 && was)\n",
           "asan", "smp:the_checks_see_a_block_handed_out_twice_or_overwritten",
           "the ownership map: no block handed out twice"),
    Mutant("ownership-stamps-unchecked", "tests/mm/ownership.c",
           "\tif (i >= words && w[words - 1] == stamp)",
           "\tif (i >= words || 1)",
           "asan", "smp:the_checks_see_a_block_handed_out_twice_or_overwritten",
           "the stamps that name each block's owner"),
    Mutant("smp-block-handed-out-twice", "mm/slab.h",
           "\t\t*obj = *--top;\n",
           "\t\t*obj = *--top;\n\t\ttop += top - m->slot == 3;\n",
           "asan", "smp:pages_kmalloc_and_caches_on_every_hart_and_in_the_timer_interrupt",
           "an object handed out twice, seen by the ownership map"),
    Mutant("stress-leaks-its-page-runs", "lib/stress.c",
           "\tif (b->kind == BLOCK_PAGES)\n\t\tpage_free(b->p);",
           "\tif (b->kind == BLOCK_PAGES)\n\t\t(void)b->p;",
           "asan", "stress:every_pattern_on_every_hart_gives_every_page_back",
           "every page back: get_memory_stats equal to the start"),
    Mutant("stress-fill-unchecked", "lib/stress.c",
           "\tlong at = first_change(b);", "\tlong at = (first_change(b), -1);",
           "asan", "stress:a_block_changed_behind_the_allocators_back_is_caught",
           "each block's fill, checked before its free"),
    Mutant("stats-unusable-index-counts-every-order", "mm/stats.c",
           "\tfor (o = order; o < PAGE_ORDERS; o++)",
           "\tfor (o = order > 1 ? 1 : order; o < PAGE_ORDERS; o++)",
           "asan", "stats:fragmentation_of_blocks_of_every_order_matches_the_hand_figures",
           "the unusable free space index, order by order"),
    Mutant("leak-scan-unsorted-without-merge-pages", "mm/leak.c",
           "\t\tsort(s->b, s->n, sizeof(*s->b), by_start);", "",
           "asan", "fault:the_leak_scan_copes_with_each_failure",
           "the leak scan's own way when its merge pages fail"),
    Mutant("scrubber-red-zones-unchecked", "mm/scrub.c",
           "			if (!red_zones_intact(c, obj, 0))",
           "			if (0 && !red_zones_intact(c, obj, 0))",
           "asan", "debug:the_scrubber_finds_an_overflow_of_a_live_object",
           "the scrubber's check of live objects' red zones"),
    Mutant("watch-compressed-base-misread", "arch/riscv/watch.c",
           "return reg(f, 8 + ((insn >> 7) & 7)) + imm;",
           "return reg(f, 8 + ((insn >> 2) & 7)) + imm;",
           "rv32", "watch,store_decode",
           "the decoding of a compressed load's or store's address"),
    Mutant("watch-report-names-the-return-address", "arch/riscv/watch.c",
           "struct mm_watch_hit hit = { .pc = f->mepc };",
           "struct mm_watch_hit hit = { .pc = f->regs[0] }; /* ra */",
           "rv32", "watch:plain_store_into_a_freed_object_is_stopped",
           "the store's own instruction named (pc_in), not its caller"),
    Mutant("watch-armed-for-loads", "arch/riscv/watch.c",
           "#define MCONTROL_STORE (1UL << 1)",
           "#define MCONTROL_STORE (1UL << 0)",
           "rv32", "watch", "the arming of a trigger for stores"),
    Mutant("watched-pages-uncounted", "mm/page_validate.c",
           "pages += pool->nr_watched; /* held back, on no list */",
           "/* held back: not counted */",
           "rv32", "watch:pages_held_back_are_counted_and_come_back",
           "pages held back while watched, in page_validate's count"),
    Mutant("watched-pages-kept", "mm/watch.c",
           "h->ops->give_back(h->owner, h->addr, h->bytes);",
           "(void)h;",
           "rv32", "watch:pages_held_back_are_counted_and_come_back",
           "held pages, given back when their watch ends"),
    Mutant("watched-page-report-untracked", "mm/page_debug.c",
           "\tif (page_track(pool, i, 0)) {",
           "\tif (0) {",
           "rv32", "watch:store_into_a_freed_page_is_stopped",
           "the free site in the report of a write into a held page"),
    Mutant("watch-hit-anywhere-in-a-block", "mm/watch.c",
           "hit->addr < (uintptr_t)h.addr + WATCH_WINDOW)",
           "hit->addr < (uintptr_t)h.addr + h.bytes + WATCH_WINDOW)",
           "rv32", "watch:a_hit_past_a_held_runs_first_word_is_no_bug",
           "a stale watch's hit inside a held run, taken for a bug"),
    Mutant("hart-id-never-put-in-tp", "arch/riscv/start.S",
           "\tmv\ttp, a0\t\t\t/* this_hart() reads it (asm/machine.h) */\n",
           "",
           "rv32", "task:runs_on_every_hart",
           "every hart taking its own id (in tp) at boot"),
    Mutant("trap-restores-tp", "arch/riscv/trap_entry.S",
           "\t/* Not x4, tp: it holds this hart's id, and the task may have moved. */\n",
           "\tREG_L\tx4, 4*SZREG(sp)\n",
           "rv32", "task:a_task_moved_by_a_tick_knows_its_new_hart",
           "a task moved to another hart by a tick taking that hart's id"),
    Mutant("kmalloc-key-offset-assumed-wrong", "mm/slab.h",
           "#define PLAIN_KEY_OFFSET sizeof(void *)",
           "#define PLAIN_KEY_OFFSET 0",
           "asan", "kmalloc",
           "the free key kmalloc's fast paths count on, checked at boot"),
    Mutant("kmalloc-cache-with-its-key-apart-gets-magazines", "mm/slab.c",
           "\t\tc->mag_max = 0;\n",
           "",
           "asan", "debug:a_kmalloc_cache_made_with_checks_still_sees_a_double_free_without",
           "a kmalloc cache whose key is where kfree does not look"),
    Mutant("watch-reported-under-a-leaf-lock", "mm/watch.c",
           "if (!may_acquire_level(LOCK_LEVEL_LEAF)) {",
           "if (0) {",
           "rv32", "watch:a_store_under_a_leaf_lock_is_counted_not_reported",
           "a hit under a leaf lock, reported (the lock order broken)"),
    Mutant("watch-loads-never-armed", "arch/riscv/watch.c",
           "(loads ? MCONTROL_LOAD : 0));",
           "(loads && 0 ? MCONTROL_LOAD : 0));",
           "rv32", "watch:a_load_is_stopped_only_when_loads_are_watched",
           "the arming of a trigger for loads, when asked"),
    Mutant("watch-loads-switch-ignored", "mm/watch.c",
           "return __atomic_load_n(&loads, __ATOMIC_RELAXED);",
           "return 1;",
           "rv32", "watch:a_load_is_stopped_only_when_loads_are_watched",
           "loads watched only when asked"),
    Mutant("watched-read-reported-as-write", "mm/watch.c",
           "hit->load ? MM_WATCHED_READ : MM_WATCHED_WRITE,",
           "MM_WATCHED_WRITE,",
           "rv32", "watch:a_load_is_stopped_only_when_loads_are_watched",
           "a load reported as a read, not a write"),
    Mutant("load-decode-lwsp-offset", "arch/riscv/watch.c",
           "imm |= ((insn >> 4) & 7) << 2 | ((insn >> 2) & 3) << 6;",
           "imm |= ((insn >> 4) & 7) << 2 | ((insn >> 2) & 3) << 5;",
           "rv32", "store_decode:every_load_form_gives_address_and_width",
           "the offset of a c.lwsp"),
    Mutant("store-decode-swsp-offset", "arch/riscv/watch.c",
           "((insn >> 7) & 3) << 6;", "((insn >> 7) & 3) << 5;",
           "rv32", "store_decode", "the offset of a c.swsp"),
]

TARGETS = {
    "asan": "build/host/asan/ktest-host",
    "tsan": "build/host/tsan/ktest-host",
    "rv32": "build/rv32/test/kernel.elf",
    "run": "build/rv32/run/kernel.elf",
    "fuzz": "build/fuzz/%s-fuzz",  # % the target's name
    "tool": None,
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


def run_tool(m, tmp):
    """A checking script: killed when it exits with 1."""
    run = subprocess.run([sys.executable, *m.suites.split()], cwd=tmp,
                         capture_output=True, text=True)
    if run.returncode == 1:
        said = run.stdout.strip().splitlines()
        return "killed", "; ".join(
            [line for line in said if "FAIL" in line][:2] or said[:2])
    if run.returncode == 0:
        return "survived", "%s found nothing" % m.suites
    return "error", (run.stdout + run.stderr)[-2000:]


def run_fuzz(m, tmp):
    """A fuzz target: killed when make test's runs of it find a bug."""
    try:
        run = subprocess.run(["make", "-s", "fuzz-check-" + m.suites],
                             cwd=tmp, capture_output=True, text=True,
                             timeout=m.timeout)
    except subprocess.TimeoutExpired:
        return "killed", "fuzz-check-%s hangs" % m.suites
    found = [line.strip() for line in run.stdout.splitlines()
             if "FUZZ FAIL" in line or "ERROR:" in line]
    if run.returncode and "found a bug" in run.stdout:
        return "killed", "; ".join(found[:2]) or run.stdout[-300:]
    if run.returncode == 0:
        return "survived", "fuzz-check-%s found nothing" % m.suites
    return "error", (run.stdout + run.stderr)[-2000:]


def prebuilt(m, target):
    """What of this tree's build the mutant's build can start from."""
    shared = ["build/.deps-ok", "build/kallsyms-empty.S"]
    if target.startswith("build/host/"):
        return shared + ["build/host/flags", os.path.dirname(target)]
    if target.startswith("build/fuzz/"):
        return shared + ["build/fuzz/flags", "build/fuzz/obj"]
    images = [os.path.dirname(target)]
    if m.runner == "run":  # run_test.py builds both run images
        images += ["build/rv64/run"]
    return shared + images


def run_mutant(m, files, timeout):
    """Returns (verdict, detail): killed, survived or error."""
    with tempfile.TemporaryDirectory(prefix="rvos-mutant-") as tmp:
        for f in files:
            os.makedirs(os.path.join(tmp, os.path.dirname(f)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, f), os.path.join(tmp, f))
        for file, find, replace in [(m.file, m.find, m.replace)] + m.more:
            path = os.path.join(tmp, file)
            with open(path) as fh:
                text = fh.read()
            if text.count(find) != 1:
                return "error", "its text is in %s %d times, not once" % (
                    file, text.count(find))
            with open(path, "w") as fh:
                fh.write(text.replace(find, replace))
        if m.runner == "tool":
            for image in m.target.split():
                shutil.copytree(os.path.join(ROOT, os.path.dirname(image)),
                                os.path.join(tmp, os.path.dirname(image)))
            return run_tool(m, tmp)
        target = m.target or TARGETS[m.runner]
        if m.runner == "fuzz":
            target = target % m.suites
        # The build's objects come along (with the flags files and the
        # stamps they depend on), so that only what the mutant changes is
        # compiled again: make compares the times, which copy2 keeps.
        for built in prebuilt(m, target):
            src = os.path.join(ROOT, built)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(tmp, built),
                                dirs_exist_ok=True)
            elif os.path.isfile(src):
                os.makedirs(os.path.dirname(os.path.join(tmp, built)),
                            exist_ok=True)
                shutil.copy2(src, os.path.join(tmp, built))
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        build = subprocess.run(["make", "-s", "-j2", target],
                               cwd=tmp, env=env,
                               capture_output=True, text=True)
        if m.build_fails:
            if build.returncode and m.build_fails in build.stderr:
                return "killed", m.build_fails
            if build.returncode == 0:
                return "survived", "the build passed"
        if build.returncode:
            return "error", "does not build:\n" + build.stderr[-2000:]
        if m.runner == "fuzz":
            return run_fuzz(m, tmp)
        # The cases at their own scale, whatever the caller's is.
        run = subprocess.run(command(m, min(timeout, m.timeout)), cwd=tmp,
                             env=dict(env, RVOS_TEST_SCALE="1"),
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
