"""rvos.py - gdb commands that read RVOS's memory manager, tasks and locks
from a stopped machine (make debug loads this file).

    rvos-meminfo      the shell's meminfo, computed from memory
    rvos-buddyinfo    the shell's buddyinfo: free blocks per order, magazines
    rvos-slabinfo     the shell's slabinfo: one line per slab cache
    rvos-tasks        the shell's ps, with each task's stack and its wait
    rvos-locks        the lock registry: who holds each lock, how many wait,
                      and each hart's chain of held locks
    rvos-page ADDR    which allocator owns ADDR, its bits, its state, and
                      where it was allocated when tracking (mm.debug=U) is on

Nothing here calls the kernel: every figure is read from the kernel's own
variables (kernel_pool in mm/page.c, all_caches in mm/slab.c, all_tasks in
kernel/task.c, the "spinlocks" section and hart_locks in kernel/spinlock.c)
and computed as mm/stats.c computes it, so a machine stopped anywhere,
even with a lock held or a hart wedged, can be looked at.  The first three
print the same lines as the shell's commands (kernel/buddyinfo.c,
kernel/slabinfo.c, kernel/meminfo.c): tools/gdb_test.py compares them.

Sizes come from the program's types (rv32 and rv64 alike); the layout
constants (MAX_HARTS, PAGE_ORDERS, MAG_SLOTS) from its arrays.
"""

import gdb

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
PAGE_OWNER_PAGE, PAGE_OWNER_SLAB, PAGE_OWNER_KMALLOC = 0, 1, 2
OWNER_NAMES = ("page", "slab", "kmalloc")
FREE_BLOCK_MAGIC = 0xF4EEB10C
MM_DEBUG_TRACK = 1 << 3
DEBUG_LETTERS = "FZPUL"  # bit i is DEBUG_LETTERS[i] (mm/debug.c)
TASK_STATES = ("runnable", "running", "sleeping", "blocked", "zombie")
TASK_RUNNING, TASK_SLEEPING, TASK_BLOCKED = 1, 2, 3


# --- Reading the kernel's variables ---------------------------------------


def var(name, file=None):
    """A global or file-static variable, as a gdb.Value."""
    if file:
        return gdb.parse_and_eval("'%s'::%s" % (file, name))
    return gdb.parse_and_eval(name)


def nelems(array):
    """Elements of an array value (from its type, not from a constant)."""
    lo, hi = array.type.strip_typedefs().range()
    return hi - lo + 1


def addr(value):
    return int(value.cast(gdb.lookup_type("unsigned long")))


def list_entries(head, type_name, member):
    """The structures on the list at head, as struct list_head links them."""
    t = gdb.lookup_type(type_name)
    offset = next(f.bitpos // 8 for f in t.fields() if f.name == member)
    ptr = t.pointer()
    head_addr = addr(head.address)
    node = head["next"]
    seen = 0
    while addr(node) != head_addr:
        yield gdb.Value(addr(node) - offset).cast(ptr).dereference()
        node = node["next"]
        seen += 1
        if seen > 1000000:
            raise gdb.GdbError("rvos: the list at 0x%x does not end"
                               % head_addr)


def symbol(pc):
    """A code address as printk's %pB prints it: name+0xoff."""
    if pc == 0:
        return "0"
    try:
        text = gdb.execute("info symbol 0x%x" % pc, to_string=True)
    except gdb.error:
        text = ""
    if not text.startswith("No symbol"):
        words = text.split()
        name = words[0]
        off = int(words[2]) if len(words) > 3 and words[1] == "+" else 0
        return "%s+0x%x" % (name, off)
    return "0x%x" % pc


def ptr_size():
    return gdb.lookup_type("void").pointer().sizeof


def ulong_bits():
    return gdb.lookup_type("unsigned long").sizeof * 8


def test_bit(bitmap, i):
    bits = ulong_bits()
    return (int(bitmap[i // bits]) >> (i % bits)) & 1


# --- The page allocator (mm/page.c, mm/stats.c) ------------------------------


def kernel_pool():
    return var("kernel_pool", "page.c")


def magazine_counts(mags):
    """Objects in each hart's magazine (top - slot), or None while held,
    and the objects ever given to all of them."""
    counts, gives = [], 0
    for h in range(nelems(mags["mag"])):
        m = mags["mag"][h]
        top = addr(m["top"])
        if top == 0:
            counts.append(None)  # a drain holds it
        else:
            counts.append((top - addr(m["slot"].address)) // ptr_size())
        gives += int(m["gives"])
    return counts, gives


def is_free_block(pool, i, order):
    """__is_free_block: the buddy bit and a believable header."""
    if i >= int(pool["span"]) or not test_bit(pool["buddy_map"], i):
        return False
    b = free_block_at(pool, i)
    return int(b["order"]) == order and int(b["magic"]) == FREE_BLOCK_MAGIC


def free_block_at(pool, i):
    a = (int(pool["base_pfn"]) + i) << PAGE_SHIFT
    t = gdb.lookup_type("struct free_block").pointer()
    return gdb.Value(a).cast(t).dereference()


def largest_free_block(pool):
    """__largest_free_block: a row of free top-order blocks counts as one."""
    orders = nelems(pool["nr_blocks"])
    top = 1 << (orders - 1)
    longest = row = 0
    i = 0
    span = int(pool["span"])
    while i + top <= span:
        row = row + top if is_free_block(pool, i, orders - 1) else 0
        longest = max(longest, row)
        i += top
    o = orders - 1
    while not longest and o > 0:
        o -= 1
        if int(pool["nr_blocks"][o]):
            longest = 1 << o
    return longest


def page_stats(pool):
    """page_pool_stats, from memory: a dict of struct page_stats."""
    counts, gives = magazine_counts(pool["mags"])
    cached = [c or 0 for c in counts]
    in_mags = sum(cached)
    orders = nelems(pool["nr_blocks"])
    s = {
        "total": int(pool["nr_total"]),
        "blocks": [int(pool["nr_blocks"][o]) for o in range(orders)],
        "largest": largest_free_block(pool),
        "cached": cached,
        "held": [h for h, c in enumerate(counts) if c is None],
        "free": int(pool["nr_free"]) + in_mags,
        "for_slabs": int(pool["owner_pages"][PAGE_OWNER_SLAB]),
        "for_kmalloc": int(pool["owner_pages"][PAGE_OWNER_KMALLOC]),
        "frees": gives + int(pool["run_frees"][PAGE_OWNER_PAGE]),
        "allocs": gives + int(pool["singles_out"]) - in_mags
        + int(pool["run_allocs"][PAGE_OWNER_PAGE]),
        "kmalloc_allocs": int(pool["run_allocs"][PAGE_OWNER_KMALLOC]),
        "kmalloc_frees": int(pool["run_frees"][PAGE_OWNER_KMALLOC]),
        "kmalloc_failures": int(pool["failures"][PAGE_OWNER_KMALLOC]),
        "failures": int(pool["failures"][PAGE_OWNER_PAGE]),
        "refused_frees": int(pool["refused_frees"]),
        "metadata": int(pool["meta_bytes"]),
        "peak_taken": int(pool["peak_taken"]),
        "peak_ms": int(pool["peak_ms"]),
    }
    return s


def unusable_index(s, order):
    usable = sum(s["blocks"][o] << o for o in range(order, len(s["blocks"])))
    return (s["free"] - usable) * 1000 // s["free"] if s["free"] else 0


def fragmentation(s):
    return (s["free"] - s["largest"]) * 1000 // s["free"] if s["free"] else 0


def thousandths(x):
    return "%u.%03u" % (x // 1000, x % 1000)


# --- Slab caches (mm/slab.c, mm/slab.h) --------------------------------------


def caches():
    return list_entries(var("all_caches", "slab.c"), "struct kmem_cache",
                        "caches")


def cache_stats(c):
    """kmem_cache_get_stats, from memory."""
    counts, gives = magazine_counts(c["mags"])
    cached = sum(n or 0 for n in counts)
    active = int(c["objects_out"]) - cached
    return {
        "name": c["name"].string(),
        "size": int(c["size"]),
        "stride": int(c["stride"]),
        "objects": int(c["objects"]),
        "pages": 1 << int(c["order"]),
        "slabs": int(c["nr_slabs"]),
        "total": int(c["nr_slabs"]) * int(c["objects"]),
        "active": active,
        "cached": cached,
        "peak_slabs": int(c["peak_slabs"]),
        "peak_ms": int(c["peak_ms"]),
        "frees": gives,
        "allocs": gives + active,
        "failures": int(c["failures"]),
        "refused": int(c["refused_frees"]),
        "debug": int(c["debug"]),
        "for_kmalloc": bool(c["for_kmalloc"]),
    }


def debug_letters(flags):
    letters = "".join(letter for i, letter in enumerate(DEBUG_LETTERS)
                      if flags & (1 << i))
    return letters or "-"


# --- The commands -----------------------------------------------------------


class Command(gdb.Command):
    """Base: a command without completion whose errors are plain messages."""

    def __init__(self, name):
        super().__init__(name, gdb.COMMAND_DATA, gdb.COMPLETE_NONE)


class Buddyinfo(Command):
    """The shell's buddyinfo, read from kernel_pool.
Free page blocks per order, the pages in each hart's magazine, and how
fragmented the free memory is, in the lines kernel/buddyinfo.c prints."""

    def __init__(self):
        super().__init__("rvos-buddyinfo")

    def invoke(self, arg, from_tty):
        s = page_stats(kernel_pool())
        out = ["  order   blocks   pages   unusable-index"]
        for o, n in enumerate(s["blocks"]):
            out.append("  %5u %8u %7u   %s" % (
                o, n, n << o, thousandths(unusable_index(s, o))))
        for h, n in enumerate(s["cached"]):
            if n:
                out.append("  hart %u magazine: %u pages" % (h, n))
        for h in s["held"]:
            out.append("  hart %u magazine: held by a drain (not counted)" % h)
        out.append(
            "  free %u of %u pages (%u KiB), largest free block %u pages, fragmentation %s"
            % (s["free"], s["total"], s["free"] * (PAGE_SIZE // 1024),
               s["largest"], thousandths(fragmentation(s))))
        out.append("  metadata %u bytes; %u failed allocations, %u refused frees"
                   % (s["metadata"], s["failures"], s["refused_frees"]))
        gdb.write("\n".join(out) + "\n")


class Slabinfo(Command):
    """The shell's slabinfo, read from all_caches.
One line per slab cache, in the columns kernel/slabinfo.c prints."""

    def __init__(self):
        super().__init__("rvos-slabinfo")

    def invoke(self, arg, from_tty):
        out = ["  %-14s %6s %6s %8s %8s %6s %5s %6s %6s %8s %7s %7s %-5s" % (
            "CACHE", "SIZE", "STRIDE", "ACTIVE", "TOTAL", "OBJ/SL", "PG/SL",
            "SLABS", "PEAK", "AT(s)", "CACHED", "REFUSED", "DEBUG")]
        for c in caches():
            s = cache_stats(c)
            out.append("  %-14s %6u %6u %8u %8u %6u %5u %6u %6u %4u.%03u %7u %7u %-5s" % (
                s["name"], s["size"], s["stride"], s["active"], s["total"],
                s["objects"], s["pages"], s["slabs"], s["peak_slabs"],
                s["peak_ms"] // 1000, s["peak_ms"] % 1000, s["cached"],
                s["refused"], debug_letters(s["debug"])))
        gdb.write("\n".join(out) + "\n")


class Meminfo(Command):
    """The shell's meminfo, computed as get_memory_stats computes it.
Every figure of the memory manager, /proc/meminfo style, in the lines
kernel/meminfo.c prints (KmallocAsked only without tracking)."""

    def __init__(self):
        super().__init__("rvos-meminfo")

    def invoke(self, arg, from_tty):
        p = page_stats(kernel_pool())
        kb = lambda pages: pages * (PAGE_SIZE // 1024)
        slab = {"allocs": 0, "frees": 0, "failures": 0, "refused": 0}
        kmc = dict(slab)
        nr_caches = active = total = kbytes = asked = 0
        asked_known = True
        for c in caches():
            s = cache_stats(c)
            nr_caches += 1
            active += s["active"]
            total += s["total"]
            for k in slab:
                slab[k] += s[k]
            if not s["for_kmalloc"]:
                continue
            kbytes += s["active"] * s["size"]
            for k in kmc:
                kmc[k] += s[k]
            if s["debug"] & MM_DEBUG_TRACK:
                asked_known = None  # known to the kernel, not computed here
            elif asked_known is not None:
                asked_known = False
        kbytes += p["for_kmalloc"] * PAGE_SIZE
        kmc["allocs"] += p["kmalloc_allocs"]
        kmc["frees"] += p["kmalloc_frees"]
        kmc["failures"] += p["kmalloc_failures"]
        cached = sum(p["cached"])
        used = p["total"] - p["free"]
        frag = fragmentation(p)
        peak_pages = int(var("kmalloc_peak_pages", "stats.c"))
        peak_ms = int(var("kmalloc_peak_ms", "stats.c"))

        def calls(name, c):
            return ("%-16s %u allocs, %u frees, %u failures, %u refused frees"
                    % (name, c["allocs"], c["frees"], c["failures"],
                       c["refused"]))

        out = [
            "MemTotal:        %8u kB" % kb(p["total"]),
            "MemFree:         %8u kB" % kb(p["free"]),
            "MemUsed:         %8u kB" % kb(used),
            "PerHartCached:   %8u kB" % kb(cached),
            "Slab:            %8u kB" % kb(p["for_slabs"]),
            "KmallocLarge:    %8u kB" % kb(p["for_kmalloc"]),
            "PageAlloc:       %8u kB" % kb(used - p["for_slabs"]
                                             - p["for_kmalloc"]),
            "PageMetadata:    %8u kB" % ((p["metadata"] + 1023) // 1024),
            "SlabCaches:      %8u" % nr_caches,
            "SlabObjects:     %8u of %u" % (active, total),
            "KmallocBytes:    %8u" % kbytes,
        ]
        if asked_known is None:
            # The kernel sums the asked sizes over every tracked object.
            out.append("KmallocAsked:    not read by gdb (the shell's meminfo has it)")
        else:
            out.append("KmallocAsked:    unknown (the kmalloc caches do not track: mm.debug=U)")
        page_calls = {"allocs": p["allocs"], "frees": p["frees"],
                      "failures": p["failures"],
                      "refused": p["refused_frees"]}
        out += [
            calls("PageCalls:", page_calls),
            calls("SlabCalls:", slab),
            calls("KmallocCalls:", kmc),
            "FreeBlocks:       %s" % " ".join(
                "%u:%u" % (o, n) for o, n in enumerate(p["blocks"])),
            "Fragmentation:   %s (largest free block %u kB)" % (
                thousandths(frag), kb(p["largest"])),
            "PeakUsed:        %8u kB at %s s" % (
                kb(p["peak_taken"]), thousandths(p["peak_ms"])),
            "KmallocPeak:     %8u kB at %s s" % (
                kb(peak_pages), thousandths(peak_ms)),
        ]
        gdb.write("\n".join(out) + "\n")


class Tasks(Command):
    """The shell's ps, with each task's stack and where it waits.
PID NAME STATE HART SWITCHES as ps prints them, then the struct task, its
stack and, for a task that is not running, what it waits for and the code
it stopped in."""

    def __init__(self):
        super().__init__("rvos-tasks")

    def invoke(self, arg, from_tty):
        out = ["  PID  NAME             STATE     HART  SWITCHES  TASK"
               "        STACK       WAITS"]
        for t in list_entries(var("all_tasks", "task.c"), "struct task",
                              "all_node"):
            state = int(t["state"])
            waits = []
            if state == TASK_BLOCKED:
                waits.append("on 0x%x" % addr(t["chan"]))
            elif state == TASK_SLEEPING:
                waits.append("until mtime %u" % int(t["wake_time"]))
            if state != TASK_RUNNING:  # its saved ra: where it stopped
                waits.append("in " + symbol(addr(t["ctx"]["ra"])))
            stack = addr(t["stack"])
            out.append("  %3d  %-16s %-9s %4d  %-8u  %-10s  %-10s  %s" % (
                int(t["pid"]), t["name"].string(),
                TASK_STATES[state] if 0 <= state < len(TASK_STATES)
                else "state %d" % state,
                int(t["hart"]), int(t["switches"]), "0x%x" % addr(t.address),
                "0x%x" % stack if stack else "-", " ".join(waits)))
        gdb.write("\n".join(out) + "\n")


def registered_locks():
    """Every lock spinlock_for_each visits: the section, then the list."""
    lock_t = gdb.lookup_type("struct spinlock")
    a = addr(gdb.parse_and_eval("&__start_spinlocks"))
    stop = addr(gdb.parse_and_eval("&__stop_spinlocks"))
    while a < stop:
        yield gdb.Value(a).cast(lock_t.pointer()).dereference()
        a += lock_t.sizeof
    lock = var("registered", "spinlock.c")
    while addr(lock):
        yield lock.dereference()
        lock = lock["next_registered"]


def waiting_harts():
    """hart -> the lock it waits for (None if the compiler kept it in no
    place gdb can read), from each hart's frames: a hart in wait_turn or
    acquire_slow is waiting for its ticket.  gdb's thread n is hart n-1."""
    waits = {}
    selected = gdb.selected_thread()
    frame0 = gdb.selected_frame() if selected else None
    for thread in gdb.selected_inferior().threads():
        thread.switch()
        frame, depth = gdb.newest_frame(), 0
        while frame and depth < 16:
            if frame.name() in ("wait_turn", "acquire_slow"):
                try:
                    waits[thread.num - 1] = addr(frame.read_var("lock"))
                except (ValueError, gdb.error):
                    waits[thread.num - 1] = None
                break
            frame, depth = frame.older(), depth + 1
    if selected:
        selected.switch()
        frame0.select()
    return waits


def lock_name(a):
    t = gdb.lookup_type("struct spinlock").pointer()
    return gdb.Value(a).cast(t)["name"].string()


class Locks(Command):
    """Who holds each lock, where it was taken, and who waits.
The lock registry (lockstat's locks): each lock's level, the hart that
holds it and where it took it, its tickets taken and not yet given back
(the holder's and its waiters'), and its statistics (times in cycles);
then each hart's chain of held locks, newest first, and the harts
stopped waiting for a lock."""

    def __init__(self):
        super().__init__("rvos-locks")

    def invoke(self, arg, from_tty):
        waits = waiting_harts()
        fields = gdb.lookup_type("struct spinlock").fields()
        has_stats = any(f.name == "stats" for f in fields)
        out = ["  %-14s %5s %-6s %-28s %6s %10s %10s" % (
            "LOCK", "LEVEL", "HOLDER", "TAKEN AT", "QUEUED", "ACQUIRED",
            "HOLD-MAX")]
        for lock in registered_locks():
            word = int(lock["word"])  # next ticket << 16 | now serving
            queued = ((word >> 16) - word) & 0xFFFF
            hart = int(lock["hart"])
            line = "  %-14s %5d %-6s %-28s %6d" % (
                lock["name"].string(), int(lock["level"]),
                "hart %d" % hart if hart >= 0 else "-",
                symbol(addr(lock["acquire_pc"])) if hart >= 0 else "",
                queued)
            if has_stats:
                line += " %10u %10u" % (int(lock["stats"]["acquisitions"]),
                                        int(lock["stats"]["hold_max"]))
            out.append(line)
        hl = var("hart_locks", "spinlock.c")
        none = addr(var("no_lock", "spinlock.c").address)
        for h in range(nelems(hl)):
            chain, lock = [], hl[h]["last_held"]
            while addr(lock) and addr(lock) != none and len(chain) < 32:
                chain.append('"%s" at %s' % (lock["name"].string(),
                                             symbol(addr(lock["acquire_pc"]))))
                lock = lock["prev_held"]
            depth = int(hl[h]["depth"])
            if chain or depth:
                out.append("  hart %d holds %s; interrupts off %d deep" % (
                    h, ", ".join(chain) if chain else "no lock", depth))
        for h, lock in sorted(waits.items()):
            if lock is None:
                out.append("  hart %d waits for a lock (which: optimised out)"
                           % h)
            else:
                out.append('  hart %d waits for "%s" at 0x%x'
                           % (h, lock_name(lock), lock))
        gdb.write("\n".join(out) + "\n")


def in_run_tail(pool, i):
    """run_tail: a page of a run that is not its first."""
    return test_bit(pool["tail_map"], i) and test_bit(pool["run_map"], i)


def run_start(pool, i):
    while i > 0 and in_run_tail(pool, i):
        i -= 1
    return i


def run_length(pool, i):
    j, span = i + 1, int(pool["span"])
    while j < span and in_run_tail(pool, j):
        j += 1
    return j - i


def track_text_of(t):
    """A struct mm_track: "by SITE on hart H at T s", or "" if empty."""
    ms = int(t["uptime_ms"])
    if not ms and not addr(t["site"]):
        return ""
    return "by %s on hart %u at %s s" % (symbol(addr(t["site"])),
                                         int(t["hart"]), thousandths(ms))


def track_text(pool, i, which):
    """Page i's alloc (which 0) or free (1) track, as page_track finds
    it, or None if the pool keeps no tracks."""
    if not addr(pool["tracks"]):
        return None
    return track_text_of(pool["tracks"][2 * i + which])


class Page(Command):
    """rvos-page ADDR: which allocator owns ADDR, and where it was allocated.
The page's bits in single_map, run_map, tail_map, buddy_map and the slab
and kmalloc owner maps (mm/internal.h), its state (a run, a single page,
a slab and its object, a free block and its order, a hart's magazine),
and, with tracking on (mm.debug=U), where it was allocated or freed."""

    def __init__(self):
        super().__init__("rvos-page")

    def invoke(self, arg, from_tty):
        if not arg.strip():
            raise gdb.GdbError("usage: rvos-page ADDR")
        a = addr(gdb.parse_and_eval(arg))
        pool = kernel_pool()
        base = int(pool["base_pfn"])
        i = (a >> PAGE_SHIFT) - base
        off = a % PAGE_SIZE
        regions = [(addr(pool["regions"][k]["start"]),
                    addr(pool["regions"][k]["end"]))
                   for k in range(int(pool["nr_regions"]))]
        if not any(lo <= a < hi for lo, hi in regions):
            gdb.write("0x%x: outside the memory the page allocator manages (%s)\n" % (
                a, ", ".join("0x%x-0x%x" % r for r in regions)))
            return
        bits = {n: test_bit(pool[n + "_map"], i)
                for n in ("single", "run", "tail", "buddy", "slab_run",
                          "kmalloc_run")}
        page = (base + i) << PAGE_SHIFT
        out = ["0x%x: page %u of the pool, at 0x%x; bits: %s" % (
            a, i, page, " ".join("%s %d" % (n, b) for n, b in bits.items()))]
        if bits["run"]:
            first = run_start(pool, i)
            owner = PAGE_OWNER_PAGE
            if test_bit(pool["slab_run_map"], first):
                owner = PAGE_OWNER_SLAB
            elif test_bit(pool["kmalloc_run_map"], first):
                owner = PAGE_OWNER_KMALLOC
            start = (base + first) << PAGE_SHIFT
            out.append("  allocated: %u bytes into the run of %u pages taken for %s at 0x%x" % (
                a - start, run_length(pool, first), OWNER_NAMES[owner], start))
            out.append(alloc_track_line(pool, first))
            if owner == PAGE_OWNER_SLAB:
                out += ["  " + line for line in slab_lines(a)]
        elif bits["single"]:
            out.append("  allocated: %u bytes into a single page from page_alloc" % off)
            out.append(alloc_track_line(pool, i))
        elif bits["tail"]:
            out.append("  no region covers it: never free, never allocated")
        else:
            out.append("  free: " + free_text(pool, i))
            text = track_text(pool, i, 1)
            if text:
                out.append("  a run that started here was last freed %s" % text)
        gdb.write("\n".join(out) + "\n")


def alloc_track_line(pool, first):
    """Where the run (or single page) at first was allocated."""
    text = track_text(pool, first, 0)
    if text is None:
        return "  where it was allocated: not tracked (boot with mm.debug=U)"
    if not text:
        return "  allocated before tracking began: no record"
    return "  allocated %s" % text


def free_text(pool, i):
    """A free page is in a buddy block (found from the buddy bits and its
    header) or in a hart's magazine."""
    orders = nelems(pool["nr_blocks"])
    for o in range(orders):
        j = i & ~((1 << o) - 1)
        if test_bit(pool["buddy_map"], j):
            b = free_block_at(pool, j)
            order = int(b["order"])
            if order >= o and j + (1 << order) > i:
                bad = int(b["magic"]) != FREE_BLOCK_MAGIC
                start = (int(pool["base_pfn"]) + j) << PAGE_SHIFT
                return "page %u of a free block of order %u (%u pages) at 0x%x%s" % (
                    i - j, order, 1 << order, start,
                    " (its header's magic is wrong)" if bad else "")
    page = (int(pool["base_pfn"]) + i) << PAGE_SHIFT
    mags = pool["mags"]
    ptr = gdb.lookup_type("void").pointer().sizeof
    for h in range(nelems(mags["mag"])):
        m = mags["mag"][h]
        top = addr(m["top"])
        if not top:
            continue
        for k in range((top - addr(m["slot"].address)) // ptr):
            if addr(m["slot"][k]) == page:
                return "a single page in hart %u's magazine (slot %u)" % (h, k)
    return "on no buddy list and in no magazine (a magazine held by a drain, or lost)"


def slab_lines(a):
    """What the slab map says of a page of a slab run, and of the object
    that holds a: handed out or free, and its tracks when its cache keeps
    them (mm/slab_debug.c's layout: the red zone before the object, the
    tracks at track_offset)."""
    sm = var("slab_map")
    i = (a >> PAGE_SHIFT) - int(sm["first_pfn"])
    s = sm["slab_of"][i] if 0 <= i < int(sm["pages"]) else None
    if s is None or not addr(s):
        return ["slab: none in the slab map"]
    c = s["cache"]
    base, stride = addr(s["base"]), int(c["stride"])
    left, objects = int(c["left"]), int(c["objects"])
    out = ['slab of cache "%s": %u of %u objects off the slab' % (
        c["name"].string(), int(s["inuse"]), objects)]
    k = (a - (base - left)) // stride if a >= base - left else -1
    if not 0 <= k < objects:
        out.append("in no object: the slab's header or its unused end")
        return out
    obj = base + k * stride
    where = "%u bytes into object %u at 0x%x (%u bytes)" % (
        a - obj, k, obj, int(c["size"])) if a >= obj else \
        "in the red zone before object %u at 0x%x" % (k, obj)
    ulong = gdb.lookup_type("unsigned long")
    key = int(gdb.Value(obj + int(c["key_offset"])).cast(
        ulong.pointer()).dereference())
    if obj >= addr(s["bump"]):
        state = "never handed out"
    elif key == ~obj & ((1 << ulong_bits()) - 1):
        state = "free (it carries its free key)"
    else:
        state = "handed out"
    state = "the object is " + state
    out.append("%s: %s" % (where, state))
    if int(c["debug"]) & MM_DEBUG_TRACK:
        tracks = gdb.Value(obj + int(c["track_offset"])).cast(
            gdb.lookup_type("struct mm_track").pointer())
        for which, verb in ((0, "allocated"), (1, "last freed")):
            text = track_text_of(tracks[which])
            if text:
                out.append("object %s %s" % (verb, text))
    return out


Buddyinfo()
Slabinfo()
Meminfo()
Tasks()
Locks()
Page()
