#!/usr/bin/env python3
"""gdb_test.py - the gdb commands of tools/gdb/rvos.py print what the kernel
itself reports.

Usage: tools/gdb_test.py [--timeout S] [--verbose] [ARCH...]   (rv32 rv64)

For each architecture the run image (build/ARCH/run/kernel.elf, make
run-images) boots twice in QEMU, halted at the start (-S) with a gdb stub
on a free port, its console on a pipe; gdb-multiarch, with rvos.py
loaded, is driven command by command through its standard input (not
-batch: the shell's input must go in while gdb waits at a "continue").
Two checks per architecture, check_boot_and_shell (boot, shell, locks
below) and check_tracking (track):

  boot        a breakpoint on print_banner, after memory initialisation:
              rvos-buddyinfo and rvos-meminfo must give the free and total
              pages that the banner line then prints ("N of M pages free").
  shell       after the boot's allocations (tasks, their stacks, slabs)
              and those gdb makes at the first stop (ALLOCATIONS: pages
              and an object allocated and freed, so that a magazine holds
              a page), each of buddyinfo, slabinfo, meminfo, ps and
              lockstat is typed at the shell, with a breakpoint on the
              command's function: there gdb's rvos-buddyinfo,
              rvos-slabinfo and rvos-meminfo must print the very lines
              the shell then prints, rvos-tasks the same tasks, states
              and harts as ps, and rvos-locks lockstat's locks and
              levels.
  locks       a breakpoint on __largest_free_block, which page_pool_stats
              calls with the pool lock held: rvos-locks must name the
              "page" lock as held by the stopped hart, taken in
              page_pool_stats, and the hart's chain must hold it.  Then
              another hart is made to wait for it (check_waiter): rvos-locks
              must count two tickets and say that hart waits for "page".
  track       booted with mm.debug=U: rvos-page on the shell's stack (a
              run of pages) and on its struct task (an object of the
              task cache) must say what the shell's "allocs ADDRESS"
              says: the block, its size, and the site, hart and time of
              its allocation.

Nothing is timed: a wait that does not end within --timeout seconds is a
hang, and fails.  The last line is "gdb_test: N passed, M failed"; the
exit status is 0 only if every check passed.
"""

import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROMPT = "rvos> "
QEMU = {"rv32": ("qemu-system-riscv32", "128M"),
        "rv64": ("qemu-system-riscv64", "256M")}


# Allocations and frees made by gdb on the stopped shell's hart, alone and
# with its interrupts off (so that each call returns on the hart it began
# on).  A page freed goes to that hart's magazine, which so holds at least
# one page however many it held before; an object freed goes to its
# cache's magazine.
ALLOCATIONS = ["set scheduler-locking on", "set $rvos_mstatus = $mstatus",
               "set $mstatus = $mstatus & ~8",
               "set $rvos_page = page_alloc(1)", "call (void)page_alloc(1)",
               "call (void)page_alloc(3)", "call (void)page_free($rvos_page)",
               "set $rvos_obj = kmalloc(100)", "call (void)kmalloc(100)",
               "call (void)kfree($rvos_obj)",
               "set $mstatus = $rvos_mstatus", "set scheduler-locking off"]


class Hang(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stream:
    """Everything a child writes to one pipe, read by a thread."""

    def __init__(self, pipe):
        self.text = ""
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(pipe,),
                                       daemon=True)
        self.thread.start()

    def _read(self, pipe):
        while True:
            data = os.read(pipe.fileno(), 4096)
            with self.cond:
                if not data:
                    self.text += "\0"  # the end
                    self.cond.notify_all()
                    return
                self.text += data.decode(errors="replace").replace("\r", "")
                self.cond.notify_all()

    def wait_for(self, pattern, start, timeout, what):
        """The text from start to the end of the first match at or after
        it, and where that ends."""
        rx = re.compile(pattern)
        with self.cond:
            m = None

            def found():
                nonlocal m
                m = rx.search(self.text, start)
                return m or "\0" in self.text

            if not self.cond.wait_for(found, timeout) or not m:
                raise Hang("%s: no %r within %d s (output ends: %r)" % (
                    what, pattern, timeout, self.text[-300:]))
            return self.text[start:m.end()], m.end()


class Machine:
    """QEMU halted with a gdb stub, and gdb attached with rvos.py."""

    def __init__(self, arch, bootargs, timeout, verbose):
        qemu, mem = QEMU[arch]
        kernel = os.path.join(ROOT, "build", arch, "run", "kernel.elf")
        port = free_port()
        self.timeout, self.verbose, self.arch = timeout, verbose, arch
        cmd = [qemu, "-machine", "virt", "-bios", "none", "-m", mem,
               "-smp", "4", "-display", "none", "-monitor", "none",
               "-serial", "stdio", "-kernel", kernel, "-append",
               bootargs or "panic=halt", "-S", "-gdb", "tcp::%d" % port]
        self.qemu = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.console = Stream(self.qemu.stdout)
        self.seen = 0  # console text read so far
        self.gdb = subprocess.Popen(
            ["gdb-multiarch", "-q", "-nx", "-x",
             os.path.join(ROOT, "tools", "gdb", "rvos.py"), kernel],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self.out = Stream(self.gdb.stdout)
        self.gdb_seen = 0
        self.marks = 0
        for c in ["set confirm off", "set pagination off", "set width 0",
                  "set height 0"]:
            self.run(c)
        # The stub may not listen yet: QEMU opens it as it starts.
        for _ in range(100):
            said = self.run("target remote 127.0.0.1:%d" % port)
            if "Remote debugging using" in said and "refused" not in said:
                break
            time.sleep(0.1)
        else:
            raise Hang("gdb could not connect to QEMU: " + said)

    def send(self, command):
        """Give gdb a command; its output comes before the next mark."""
        self.marks += 1
        self.gdb.stdin.write(("%s\necho @@mark-%d@@\\n\n" % (
            command, self.marks)).encode())
        self.gdb.stdin.flush()
        return self.marks

    def result(self, mark, what):
        text, self.gdb_seen = self.out.wait_for(
            r"@@mark-%d@@\n" % mark, self.gdb_seen, self.timeout, what)
        text = text[:text.rfind("@@mark-")]
        if self.verbose:
            sys.stdout.write("[gdb %s] %s" % (what, text))
        return text.replace("(gdb) ", "")

    def run(self, command):
        return self.result(self.send(command), command)

    def type(self, line):
        self.qemu.stdin.write((line + "\n").encode())
        self.qemu.stdin.flush()

    def console_until(self, pattern, what):
        text, self.seen = self.console.wait_for(pattern, self.seen,
                                                self.timeout, what)
        if self.verbose:
            sys.stdout.write("[console %s] %s\n" % (what, text))
        return text

    def shell(self, line, gdb_command, breakpoint, before=()):
        """Type line at the shell, stopping on breakpoint; there run the
        commands before, then returns what gdb_command (or each of a list
        of them) printed, and what the shell printed after."""
        self.run("delete")
        self.run("break " + breakpoint)
        mark = self.send("continue")
        self.type(line)
        self.result(mark, "stop in " + breakpoint)
        for c in before:
            said = self.run(c)
            if "error" in said.lower() or "signal" in said.lower():
                raise AssertionError("%s: %s" % (c, said))
        if isinstance(gdb_command, list):
            seen = [self.run(c) for c in gdb_command]
        else:
            seen = self.run(gdb_command)
        self.run("delete")
        mark = self.send("continue")
        said = self.console_until(re.escape(PROMPT), line)
        said = said[said.find(line + "\n") + len(line) + 1:-len(PROMPT)]
        self.interrupt(mark)
        return seen, said

    def interrupt(self, mark):
        """Stop the running machine again (gdb's continue returns)."""
        self.gdb.send_signal(2)  # SIGINT: what Ctrl-C does
        self.result(mark, "interrupt")

    def close(self):
        for p in (self.gdb, self.qemu):
            try:
                p.kill()
            except OSError:
                pass
            p.wait()


def lines(text):
    return [l.rstrip() for l in text.strip("\n").split("\n")]


def field(pattern, text, what):
    m = re.search(pattern, text, re.M)
    if not m:
        raise AssertionError("%s: no %r in:\n%s" % (what, pattern, text))
    return m.groups()


def same_lines(seen, said, what):
    if lines(seen) != lines(said):
        raise AssertionError("%s differs:\n--- gdb\n%s\n--- kernel\n%s" % (
            what, seen, said))


def check_boot_and_shell(arch, timeout, verbose):
    m = Machine(arch, "", timeout, verbose)
    try:
        m.run("break print_banner")
        m.run("continue")
        buddy = m.run("rvos-buddyinfo")
        meminfo = m.run("rvos-meminfo")
        m.run("delete")
        mark = m.send("continue")
        banner = m.console_until(re.escape(PROMPT), "the banner")
        free, total = field(r"^  (\d+) of (\d+) pages free", banner, "banner")
        got = field(r"free (\d+) of (\d+) pages", buddy, "rvos-buddyinfo")
        if got != (free, total):
            raise AssertionError("boot: rvos-buddyinfo says %s of %s pages free, the banner %s of %s"
                                 % (got + (free, total)))
        kb = field(r"^MemFree: +(\d+) kB", meminfo, "rvos-meminfo")[0]
        if int(kb) != int(free) * 4:
            raise AssertionError("boot: rvos-meminfo MemFree %s kB, the banner %s pages" % (kb, free))
        m.interrupt(mark)
        results = ["%s boot: %s of %s pages free, as the banner says" % (arch, free, total)]

        for line, command, fn in [("buddyinfo", "rvos-buddyinfo", "cmd_buddyinfo"),
                                  ("slabinfo", "rvos-slabinfo", "cmd_slabinfo"),
                                  ("meminfo", "rvos-meminfo", "cmd_meminfo")]:
            seen, said = m.shell(line, command, fn,
                                 ALLOCATIONS if line == "buddyinfo" else ())
            same_lines(seen, said, "%s %s" % (arch, command))
            results.append("%s shell: %s prints the shell's %s (%d lines)" % (
                arch, command, line, len(lines(said))))
            if line == "buddyinfo":
                after = field(r"free (\d+) of", said, "buddyinfo")[0]
                if after == free:
                    raise AssertionError("shell: no allocation since boot (free %s)" % free)
                if "magazine:" not in said:
                    raise AssertionError("shell: no page in a magazine:\n" + said)
            if line == "slabinfo":
                active = int(field(r"^  task +\d+ +\d+ +(\d+)", said, "slabinfo")[0])
                if active < 1:
                    raise AssertionError("shell: the task cache holds no task")

        seen, said = m.shell("ps", "rvos-tasks", "cmd_ps")
        ps = [l.split()[:4] for l in lines(said)]
        ours = [l.split()[:4] for l in lines(seen)]
        if ps != ours:
            raise AssertionError("%s rvos-tasks differs from ps:\n%s\n---\n%s" % (arch, seen, said))
        results.append("%s shell: rvos-tasks lists ps's %d tasks, states and harts"
                       % (arch, len(ps) - 1))

        seen, said = m.shell("lockstat", "rvos-locks", "cmd_lockstat")
        kernel = [l.split()[:2] for l in lines(said)[1:] if not l.startswith("  (")]
        ours = [l.split()[:2] for l in lines(seen)[1:] if not l.startswith("  hart")]
        if kernel != ours:
            raise AssertionError("%s rvos-locks' locks differ from lockstat's:\n%s\n---\n%s"
                                 % (arch, seen, said))
        results.append("%s shell: rvos-locks lists lockstat's %d locks and levels"
                       % (arch, len(kernel)))

        # The page lock, held where the kernel says it takes it.
        seen, threads, caller = m.shell(
            "buddyinfo", ["rvos-locks", "info threads",
                          "frame function page_pool_stats"],
            "__largest_free_block")[0]
        hart = int(field(r"^\* +(\d+) +Thread", threads, "threads")[0]) - 1
        if "page_pool_stats" not in caller:
            raise AssertionError("%s: __largest_free_block not called from page_pool_stats: %s"
                                 % (arch, caller))
        held = field(r"^  page +2 hart (\d+) +(\S+)", seen, "rvos-locks")
        if int(held[0]) != hart or not held[1].startswith("page_pool_stats+"):
            raise AssertionError("%s: rvos-locks says page is held by hart %s at %s, "
                                 "gdb stopped hart %d in page_pool_stats:\n%s"
                                 % (arch, held[0], held[1], hart, seen))
        chain = field(r"^  hart (%d) holds (.*);" % hart, seen, "rvos-locks")
        if not chain[1].startswith('"page" at page_pool_stats+'):
            raise AssertionError("%s: hart %d's chain is %s" % (arch, hart, chain))
        results.append("%s locks: page held by hart %d, taken at %s, first on its chain"
                       % (arch, hart, held[1]))
        results.append(check_waiter(m, arch))
        return results
    finally:
        m.close()


def check_waiter(m, arch):
    """Stop again with the page lock held, and make another hart wait for
    it: gdb calls acquire on that hart alone, interrupts off, with a
    breakpoint on wait_turn, which the call reaches only once its ticket
    is taken behind the stopped holder.  The machine is left so (the
    waiter's ticket is never given back): the last check of a run."""
    m.run("delete")
    m.run("break __largest_free_block")
    mark = m.send("continue")
    m.type("buddyinfo")
    m.result(mark, "stop in __largest_free_block")
    holder = int(field(r"^\* +(\d+) +Thread", m.run("info threads"), "threads")[0])
    waiter = holder % 4 + 1  # gdb's thread n is hart n - 1
    # The waiter may sleep in wfi, and QEMU runs a sleeping hart only
    # once it has an interrupt to take: the holder sends it one (a
    # software interrupt, which its wfi waits for, as an idle hart's or a
    # parked lock waiter's does), and it takes none with mstatus.MIE off.
    for c in ["set scheduler-locking on",
              "call (void)clint_send_ipi(%d)" % (waiter - 1),
              "thread %d" % waiter, "break wait_turn thread %d" % waiter,
              "set $mstatus = $mstatus & ~8"]:
        said = m.run(c)
        if "error" in said.lower() or "signal" in said.lower():
            raise AssertionError("%s: %s" % (c, said))
    stop = m.run("call (void)acquire(&'page.c'::kernel_pool.lock)")
    if "wait_turn" not in stop:
        raise AssertionError("%s: hart %d's acquire did not stop in wait_turn: %s"
                             % (arch, waiter - 1, stop))
    seen = m.run("rvos-locks")
    page = field(r"^  page +2 hart (\d+) +\S+ +(\d+)", seen, "rvos-locks")
    if page != (str(holder - 1), "2"):
        raise AssertionError("%s: rvos-locks: page held by hart %s with %s tickets queued, not by hart %d with 2:\n%s"
                             % (arch, page[0], page[1], holder - 1, seen))
    if '  hart %d waits for "page"' % (waiter - 1) not in seen:
        raise AssertionError("%s: rvos-locks does not say that hart %d waits for page:\n%s"
                             % (arch, waiter - 1, seen))
    return "%s locks: hart %d waits for page, held by hart %d, 2 tickets queued" % (
        arch, waiter - 1, holder - 1)


def check_tracking(arch, timeout, verbose):
    m = Machine(arch, "mm.debug=U panic=halt", timeout, verbose)
    try:
        mark = m.send("continue")
        m.console_until(re.escape(PROMPT), "the shell")
        m.interrupt(mark)
        seen, said = m.shell("buddyinfo", "rvos-buddyinfo", "cmd_buddyinfo")
        same_lines(seen, said, "%s mm.debug=U rvos-buddyinfo" % arch)
        seen, _ = m.shell("ps", "rvos-tasks", "cmd_ps")
        task, stack = (int(x, 16) for x in field(
            r"^ +\d+ +shell +\S+ +\d+ +\d+ +(0x[0-9a-f]+) +(0x[0-9a-f]+)",
            seen, "rvos-tasks"))
        results = []
        # The shell's stack, a run of pages; its task, an object of a slab.
        for what, a, ours_rx, theirs_rx in [
                ("stack", stack + 8,
                 r"8 bytes into the run of (\d+) pages taken for page at (0x[0-9a-f]+)",
                 r"8 bytes into (\d+) bytes of page at (0x[0-9a-f]+)"),
                ("task", task + 8,
                 r"8 bytes into object \d+ at (0x[0-9a-f]+) \((\d+) bytes\): the object is handed out",
                 r"8 bytes into (\d+) bytes of task at (0x[0-9a-f]+)")]:
            where = m.run("rvos-page 0x%x" % a)
            m.run("delete")
            mark = m.send("continue")
            m.type("allocs 0x%x" % a)
            said = m.console_until(re.escape(PROMPT), "allocs")
            m.interrupt(mark)
            block = field(theirs_rx, said, "allocs")
            ours = field(ours_rx, where, "rvos-page")
            if what == "stack":
                ours = (str(int(ours[0]) * 4096), ours[1])
            else:
                ours = (ours[1], ours[0])
            if int(ours[0]) != int(block[0]) or int(ours[1], 16) != int(block[1], 16):
                raise AssertionError("%s: rvos-page says %s, allocs %s" % (arch, where, said))
            site = field(r"allocated by (\S+) on hart (\d+) at ([\d.]+) s", said, "allocs")
            ours = field(r"^  (?:object )?allocated by (\S+) on hart (\d+) at ([\d.]+) s"
                         if what == "stack" else
                         r"^  object allocated by (\S+) on hart (\d+) at ([\d.]+) s",
                         where, "rvos-page")
            if ours != site:
                raise AssertionError("%s: rvos-page: allocated by %s on hart %s at %s s; allocs: %s on hart %s at %s s"
                                     % ((arch,) + ours + site))
            results.append("%s track: rvos-page and allocs agree on the shell's %s: %s bytes at %s, by %s on hart %s at %s s"
                           % ((arch, what) + block + site))
        return results
    finally:
        m.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=int, default=120,
                    help="seconds before a wait counts as a hang (default 120)")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("arches", nargs="*", default=["rv32", "rv64"])
    args = ap.parse_args()
    passed = failed = 0
    for arch in args.arches:
        for check in (check_boot_and_shell, check_tracking):
            try:
                for line in check(arch, args.timeout, args.verbose):
                    print("ok   " + line)
                passed += 1
            except (AssertionError, Hang) as e:
                print("FAIL %s %s: %s" % (arch, check.__name__, e))
                failed += 1
    print("gdb_test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
