#!/usr/bin/env python3
"""run_test.py - what a user of `make run` sees: every keystroke answered,
a panic that ends the run, and a clear answer to a bad configuration.

Usage: tools/run_test.py [--timeout S] [--verbose] [--make MAKE] [CHECK...]

Each check runs `make run` itself, as a user would, with a pipe for its
standard input (the kernels must be built first: make run-images):

  input-rv32-1, input-rv32-8, input-rv64-1, input-rv64-8
        Commands go into the pipe as QEMU starts, before the kernel runs,
        then a paste of 200 commands with no pause, then poweroff.  Every
        command must come back at the prompt exactly as typed, every echo
        must answer with its words, and make must exit with status 0.
        The shell reads nothing of the paste until it has filled the input
        buffer (inputfull): the paste is longer than the buffer, so the
        rest must wait in the UART, and none of it be lost.
  panic The `panic` command: one whole report (as tools/ktest.py checks
        it), and make run ends by itself with a failure status.
  panic-halt
        The same with BOOTARGS=panic=halt: the machine stays halted after
        the report, until Ctrl-A X quits QEMU (status 0).
  configs
        SMP=0, SMP=9, SMP=foo, MEM=foo and MEM=2G on rv32: make refuses
        at once with the accepted values; good ones get through.
  qemu-direct
        QEMU started by hand with 9 harts and 2G on rv32: the kernel says
        in one boot line each that it runs 8 harts and uses the RAM below
        4 GiB, and boots to the shell.
  fail-boot
        BOOTARGS="fail.slab=... fail.page=bad": the slab knobs are armed
        (faultinject shows them), and the bad value is answered in one
        line.
  handson
        alloc 3 and its free, kmalloc 100, kmalloc 8000 and their kfree,
        each followed by buddyinfo, slabinfo, meminfo and memmap raw:
        each view changes as it should and comes back; free and kfree of
        the kernel's own blocks, of the kernel image and of junk are
        refused in one line naming the address, and change nothing; and
        every memmap raw parses and agrees with buddyinfo (free and
        magazine pages) and meminfo (Slab, KmallocLarge, PageAlloc).

Nothing is timed: a run that does not end is killed after --timeout
seconds, and fails.  The last line is "N passed, M failed"; the exit
status is 0 only if every check passed.
"""

import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from ktest import OWN_PROCESS_GROUP, panic_report_problem  # noqa: E402

PROMPT = "rvos> "
EARLY = ["echo typed-before-boot", "harts", "echo second line", "inputfull"]
# 4,400 bytes: more than kernel/console.c's 4 KiB input ring holds.
PASTE = [f"echo paste-{i:03d} of 200" for i in range(1, 201)]
CTRL_A_X = "\x01x"

# (make arguments, words the refusal must hold)
BAD_CONFIGS = [
    (["SMP=0"], "SMP must be a number of harts from 1 to 8, not '0'"),
    (["SMP=9"], "SMP must be a number of harts from 1 to 8, not '9'"),
    (["SMP=foo"], "SMP must be a number of harts from 1 to 8, not 'foo'"),
    (["MEM=foo"], "MEM must be a size in MiB or GiB such as 128M or 1G, not 'foo'"),
    (["ARCH=rv32", "MEM=2G"],
     "ARCH=rv32 reaches RAM only below 4 GiB: MEM must be at most 2047M, not '2G'"),
    (["ARCH=rv9"], "ARCH must be rv32 or rv64, not 'rv9'"),
]
GOOD_CONFIGS = [["SMP=1", "MEM=4M"], ["SMP=8", "MEM=2047M"],
                ["ARCH=rv64", "SMP=8", "MEM=4G"]]


def child_env():
    """The environment for a make of our own, not part of a parent make."""
    env = dict(os.environ)
    for key in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"):
        env.pop(key, None)
    return env


class Run:
    """One `make run`: its output lines, stderr and exit status."""

    def __init__(self, make, args, text, timeout, answer=None, cmd=None):
        """Write text into make run's input (or cmd's) at once.  answer is
        (regex, more text): when a line matches, the text is written too;
        or a function of the lines so far, called at each new line, that
        returns more text to write, or None."""
        self.lines, self.timed_out = [], False
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(
                cmd or [make, "--no-print-directory", "-s", "run"] + args, cwd=ROOT,
                env=child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=err, **OWN_PROCESS_GROUP)
            proc.stdin.write(text.encode())
            proc.stdin.flush()
            self._read(proc, time.monotonic() + timeout, answer)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.status = proc.wait()
            proc.stdin.close()
            proc.stdout.close()
            err.seek(0)
            self.stderr = err.read().decode("utf-8", "replace")

    def _read(self, proc, deadline, answer):
        pending = b""
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.timed_out = True
                    return
                if not sel.select(left):
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                *complete, pending = (pending + chunk).split(b"\n")
                for raw in complete:
                    self.lines.append(raw.decode("utf-8", "replace").rstrip("\r"))
                    if callable(answer):
                        more = answer(self.lines)
                        if more:
                            proc.stdin.write(more.encode())
                            proc.stdin.flush()
                    elif answer and re.search(answer[0], self.lines[-1]):
                        proc.stdin.write(answer[1].encode())
                        proc.stdin.flush()
                        answer = None
        if pending:
            self.lines.append(pending.decode("utf-8", "replace").rstrip("\r"))
        proc.wait()

    def how_it_ended(self):
        if self.timed_out:
            return "it did not end (killed)"
        return f"exit status {self.status}"


def check_input(make, arch, smp, timeout):
    commands = EARLY + PASTE + ["poweroff"]
    run = Run(make, [f"ARCH={arch}", f"SMP={smp}", "MEM=128M"],
              "".join(c + "\n" for c in commands), timeout)
    problems = []
    typed = [(i, line[len(PROMPT):]) for i, line in enumerate(run.lines)
             if line.startswith(PROMPT)]
    got = [text for _, text in typed]
    if got != commands:
        first = next((k for k, (a, b) in enumerate(zip(got, commands)) if a != b),
                     min(len(got), len(commands)))
        problems.append(f"command {first + 1} of {len(commands)} came back as "
                        f"{got[first] if first < len(got) else '(nothing)'!r}, "
                        f"typed {commands[first] if first < len(commands) else '(nothing)'!r}")
    for i, text in typed:
        if text.startswith("echo "):
            answer = run.lines[i + 1] if i + 1 < len(run.lines) else "(nothing)"
            if answer != text[len("echo "):]:
                problems.append(f"{text!r} answered {answer!r}")
                break
    if run.status != 0:
        problems.append(f"make run ended with {run.how_it_ended()}, not status 0")
    return problems, run


def check_panic(make, timeout):
    run = Run(make, ["ARCH=rv32", "SMP=4"], "panic\n", timeout)
    problems = []
    report = panic_report_problem(run.lines)
    if not any(line.startswith("KERNEL PANIC: shell: panic on request")
               for line in run.lines):
        problems.append("no 'KERNEL PANIC: shell: panic on request' line")
    elif report:
        problems.append(f"the report is not whole: {report}")
    if run.timed_out or run.status == 0:
        problems.append(f"make run should end by itself with a failure status: "
                        f"{run.how_it_ended()}")
    return problems, run


def check_panic_halt(make, timeout):
    halted = r"^System halted \(panic=halt\)"
    run = Run(make, ["ARCH=rv32", "SMP=4", "BOOTARGS=panic=halt"], "panic\n",
              timeout, answer=(halted, CTRL_A_X))
    problems = []
    at = next((i for i, line in enumerate(run.lines) if re.search(halted, line)), -1)
    # What QEMU says as Ctrl-A X quits it comes after the report.
    report = panic_report_problem(run.lines[:at + 1])
    if at < 0:
        problems.append("no 'System halted (panic=halt)' line")
    elif report:
        problems.append(f"the report is not whole: {report}")
    if run.status != 0:
        problems.append("the machine did not stay halted until Ctrl-A X "
                        f"quit QEMU: {run.how_it_ended()}")
    return problems, run


def check_configs(make, timeout):
    problems, lines = [], []
    for args, words in BAD_CONFIGS:
        p = subprocess.run([make, "--no-print-directory", "-n", "run"] + args,
                           cwd=ROOT, env=child_env(), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
        lines += [f"make run {' '.join(args)}: exit {p.returncode}: {p.stderr.strip()}"]
        if p.returncode == 0 or words not in p.stderr:
            problems.append(f"make run {' '.join(args)} was not refused with "
                            f"\"{words}\"")
    for args in GOOD_CONFIGS:
        p = subprocess.run([make, "--no-print-directory", "-n", "run"] + args,
                           cwd=ROOT, env=child_env(), stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
        lines += [f"make run {' '.join(args)}: exit {p.returncode}"]
        if p.returncode != 0:
            problems.append(f"make run {' '.join(args)} was refused: {p.stderr.strip()}")

    class Lines:  # what the report prints for a failed check
        pass
    run = Lines()
    run.lines, run.stderr = lines, ""
    return problems, run


def check_qemu_direct(make, timeout):
    cmd = ["qemu-system-riscv32", "-machine", "virt", "-bios", "none", "-m", "2G",
           "-smp", "9", "-nographic", "-kernel", "build/rv32/run/kernel.elf"]
    run = Run(make, [], "poweroff\n", timeout, cmd=cmd)
    problems = []
    for words in ("boot: the device tree lists 9 harts; RVOS runs 8 (MAX_HARTS), "
                  "the others stay parked",
                  "boot: rv32 reaches RAM only below 4 GiB: using 2047 of 2048 MiB",
                  "RVOS on QEMU virt (rv32): 8 harts online, 2047 MiB RAM"):
        if words not in run.lines:
            problems.append(f"no line '{words}'")
    if run.status != 0:
        problems.append(f"QEMU ended with {run.how_it_ended()}, not status 0")
    return problems, run


def check_fail_boot(make, timeout):
    """fail.slab= and fail.page= arm the fault injection at boot, and a
    bad value is answered in one line."""
    run = Run(make, ["ARCH=rv32", "SMP=4",
                     "BOOTARGS=fail.slab=1,0,0,-1,7 fail.page=bad"],
              "faultinject\npoweroff\n", timeout)
    problems = []
    want = ("  slab: interval 1, probability 0%, space 0, times -1, seed 7;",
            "boot: fail.page=bad is not interval,probability,space,times[,seed]",
            "  page: off")
    for line in want:
        if not any(got.startswith(line) for got in run.lines):
            problems.append(f"no line '{line}'")
    if run.status != 0:
        problems.append(f"QEMU ended with {run.how_it_ended()}, not status 0")
    return problems, run


# --- handson: alloc/free/kmalloc/kfree change the views; memmap agrees ---

VIEWS = ["buddyinfo", "slabinfo", "meminfo", "memmap raw"]
RAW_KINDS = {"reserved", "bitmaps", "free", "magazine", "page", "slab",
             "kmalloc", "kernel", "dtb"}


def session(steps):
    """The first text to type, and an answer for Run that types step k
    when step k - 1 is done.  A step is a list of commands, or a function
    of the lines so far that returns one; each ends with `echo @step-K`,
    whose answer starts the next."""
    def text(k, lines):
        cmds = steps[k](lines) if callable(steps[k]) else steps[k]
        return "".join(c + "\n" for c in cmds + [f"echo @step-{k}"])
    state = {"next": 1}

    def answer(lines):
        k = state["next"]
        if k < len(steps) and lines[-1] == f"@step-{k - 1}":
            state["next"] += 1
            return text(k, lines)
        return None
    return text(0, []), answer


def replies(lines):
    """[(command, its output lines)] in the order typed."""
    out = []
    for line in lines:
        if line.startswith(PROMPT):
            out.append((line[len(PROMPT):], []))
        elif out:
            out[-1][1].append(line)
    return out


def steps_of(lines):
    """Each step's replies, {command: output} (the last one of a name)."""
    steps, cur = [], {}
    for cmd, out in replies(lines):
        if cmd.startswith("echo @step-"):
            steps.append(cur)
            cur = {}
        else:
            cur[cmd] = out
    steps.append(cur)
    return steps


def parse_raw(out):
    """memmap raw's runs [(start, pages, kind)] and its header, or a
    problem (str)."""
    if not out:
        return "memmap raw printed nothing"
    m = re.fullmatch(r"memmap raw 1: start (0x[0-9a-f]+) pages (\d+) "
                     r"page-size (\d+)", out[0])
    if not m:
        return f"memmap raw's header is {out[0]!r}"
    start, pages, size = int(m[1], 16), int(m[2]), int(m[3])
    if out[-1] != "memmap raw end":
        return f"memmap raw ends with {out[-1]!r}, not 'memmap raw end'"
    runs, at = [], start
    for line in out[1:-1]:
        m = re.fullmatch(r"(0x[0-9a-f]+) (\d+) ([a-z]+)", line)
        if not m or m[3] not in RAW_KINDS or int(m[2]) == 0:
            return f"memmap raw line {line!r} is not 'START PAGES KIND'"
        if int(m[1], 16) != at:
            return f"memmap raw run {line!r} should start at {at:#x}"
        if runs and runs[-1][2] == m[3]:
            return f"memmap raw run {line!r} goes on the run before it"
        runs.append((at, int(m[2]), m[3]))
        at += int(m[2]) * size
    if at != start + pages * size:
        return f"memmap raw's runs cover {(at - start) // size} pages, " \
            f"its header says {pages}"
    return runs, size


def kind_pages(runs):
    count = dict.fromkeys(RAW_KINDS, 0)
    for _, n, kind in runs:
        count[kind] += n
    return count


def kind_at(runs, addr, size):
    """The kinds of the pages from addr on, one a page."""
    for start, n, kind in runs:
        if start <= addr < start + n * size:
            return [kind] * ((start + n * size - addr) // size)
    return []


def figure(out, pattern):
    """The first number pattern's group 1 matches in out, or None."""
    for line in out or []:
        m = re.search(pattern, line)
        if m:
            return int(m[1])
    return None


def views_problems(name, v):
    """memmap raw agrees with buddyinfo and meminfo taken beside it."""
    raw = parse_raw(v.get("memmap raw"))
    if isinstance(raw, str):
        return [f"{name}: {raw}"]
    count = kind_pages(raw[0])
    kb = raw[1] // 1024
    problems = []
    free = figure(v.get("buddyinfo"), r"^  free (\d+) of \d+ pages")
    cached = sum(int(m[1]) for line in v.get("buddyinfo", [])
                 for m in [re.match(r"  hart \d+ magazine: (\d+) pages", line)]
                 if m)
    if free != count["free"] + count["magazine"]:
        problems.append(f"{name}: buddyinfo says {free} pages free, memmap raw "
                        f"{count['free']} free and {count['magazine']} in magazines")
    if cached != count["magazine"]:
        problems.append(f"{name}: buddyinfo's magazines hold {cached} pages, "
                        f"memmap raw says {count['magazine']}")
    for field, kind in (("Slab", "slab"), ("KmallocLarge", "kmalloc"),
                        ("PageAlloc", "page")):
        got = figure(v.get("meminfo"), rf"^{field}:\s+(\d+) kB")
        if got != count[kind] * kb:
            problems.append(f"{name}: meminfo's {field} is {got} kB, memmap "
                            f"raw has {count[kind]} pages of {kind}")
    return problems


def active(out, cache):
    """slabinfo's ACTIVE for cache."""
    return figure(out, rf"^  {re.escape(cache)}\s+\d+\s+\d+\s+(\d+)\s")


def check_handson(make, timeout):
    """The shell's alloc, free, kmalloc and kfree change what buddyinfo,
    slabinfo, meminfo and memmap print, and change it back; a free of a
    block the shell was not given is refused and changes nothing."""
    def own_blocks(lines):
        base = steps_of(lines)[0]
        raw = base["memmap raw"]
        page = next((r.split()[0] for r in raw if r.endswith(" page")), "0x0")
        slab = next((r.split()[0] for r in raw if r.endswith(" slab")), "0x0")
        kernel = next((r.split()[0] for r in raw if r.endswith(" kernel")), "0x0")
        return [f"free {page}", f"kfree {slab}", f"free {kernel}",
                "free 12345", "kfree 0x10"] + VIEWS

    def got(pattern):
        def step(lines):
            m = next((re.match(pattern, line) for line in reversed(lines)
                      if re.match(pattern, line)), None)
            return [f"{'kfree' if 'kmalloc' in pattern else 'free'} "
                    f"{m[1] if m else '0x0'}"] + VIEWS
        return step
    steps = [VIEWS, own_blocks, ["alloc 3"] + VIEWS,
             got(r"alloc: 3 pages at (0x[0-9a-f]+)"),
             ["kmalloc 100"] + VIEWS, got(r"kmalloc: 100 bytes at (0x[0-9a-f]+)"),
             ["kmalloc 8000"] + VIEWS, got(r"kmalloc: 8000 bytes at (0x[0-9a-f]+)"),
             ["poweroff"]]
    first, answer = session(steps)
    run = Run(make, ["ARCH=rv32", "SMP=1", "MEM=128M"], first, timeout,
              answer=answer)
    seen = steps_of(run.lines)
    problems = []
    if run.status != 0:
        problems.append(f"make run ended with {run.how_it_ended()}, not status 0")
    if len(seen) < len(steps):
        return problems + [f"only {len(seen)} of {len(steps)} steps answered"], run
    for k, v in enumerate(seen[:len(steps) - 1]):
        problems += views_problems(f"step {k}", v)
    base, guard = seen[0], seen[1]
    raw0 = parse_raw(base["memmap raw"])
    if isinstance(raw0, str):
        return problems, run
    size = raw0[1]
    # The guard: each free refused, in one line naming the address.
    for cmd, out in guard.items():
        if cmd.split()[0] not in ("free", "kfree"):
            continue
        who = "alloc" if cmd.startswith("free") else "kmalloc"
        want = rf"^{cmd.split()[0]}: 0x[0-9a-f]+ is no block {who} gave the " \
            r"shell: refused, nothing freed$"
        addr = int(cmd.split()[1], 0)
        if len(out) != 1 or not re.match(want, out[0]) or \
                int(out[0].split()[1], 16) != addr:
            problems.append(f"{cmd!r} answered {out!r}, not one refusal "
                            f"naming {addr:#x}")
    for view in VIEWS:
        if guard.get(view) != base.get(view):
            problems.append(f"{view} changed after the refused frees")
    # alloc 3: three pages of page_alloc there, 12 kB less free.
    alloc = seen[2]
    m = re.match(r"alloc: 3 pages at (0x[0-9a-f]+)$",
                 (alloc.get("alloc 3") or [""])[0])
    if not m:
        problems.append(f"alloc 3 answered {alloc.get('alloc 3')!r}")
    else:
        raw = parse_raw(alloc["memmap raw"])
        if not isinstance(raw, str) and \
                kind_at(raw[0], int(m[1], 16), size)[:3] != ["page"] * 3:
            problems.append(f"memmap raw does not show 3 pages of page at {m[1]}")
    free0 = figure(base["buddyinfo"], r"^  free (\d+) of")
    if figure(alloc["buddyinfo"], r"^  free (\d+) of") != free0 - 3:
        problems.append("buddyinfo's free pages did not drop by 3 after alloc 3")
    if figure(alloc["meminfo"], r"^MemFree:\s+(\d+)") != \
            figure(base["meminfo"], r"^MemFree:\s+(\d+)") - 3 * size // 1024:
        problems.append("meminfo's MemFree did not drop by 3 pages after alloc 3")
    freed = seen[3]
    for view in ("buddyinfo", "memmap raw"):
        if freed.get(view) != base.get(view):
            problems.append(f"{view} is not as before alloc 3 after its free "
                            "(the buddies should merge back)")
    # kmalloc 100: one more active object of kmalloc-112, and back.
    a0 = active(base["slabinfo"], "kmalloc-112")
    if active(seen[4]["slabinfo"], "kmalloc-112") != (a0 or 0) + 1:
        problems.append("slabinfo's kmalloc-112 ACTIVE did not grow by 1 "
                        "after kmalloc 100")
    if active(seen[5]["slabinfo"], "kmalloc-112") != a0:
        problems.append("slabinfo's kmalloc-112 ACTIVE is not back after kfree")
    # kmalloc 8000: two pages of kmalloc there, and back.
    m = re.match(r"kmalloc: 8000 bytes at (0x[0-9a-f]+)",
                 (seen[6].get("kmalloc 8000") or [""])[0])
    raw = parse_raw(seen[6]["memmap raw"])
    if not m or isinstance(raw, str) or \
            kind_at(raw[0], int(m[1], 16), size)[:2] != ["kmalloc"] * 2:
        problems.append("memmap raw does not show 2 pages of kmalloc where "
                        "kmalloc 8000 put its block")
    if seen[7].get("memmap raw") != seen[5].get("memmap raw"):
        problems.append("memmap raw is not as before kmalloc 8000 after its kfree")
    return problems, run


def checks(make, timeout):
    out = {}
    for arch in ("rv32", "rv64"):
        for smp in (1, 8):
            out[f"input-{arch}-{smp}"] = (
                lambda a=arch, s=smp: check_input(make, a, s, timeout))
    out["panic"] = lambda: check_panic(make, timeout)
    out["panic-halt"] = lambda: check_panic_halt(make, timeout)
    out["configs"] = lambda: check_configs(make, timeout)
    out["qemu-direct"] = lambda: check_qemu_direct(make, timeout)
    out["fail-boot"] = lambda: check_fail_boot(make, timeout)
    out["handson"] = lambda: check_handson(make, timeout)
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=180.0,
                    help="seconds before a run that does not end is killed")
    ap.add_argument("--verbose", action="store_true", help="show all output")
    ap.add_argument("--make", default="make", help="the make to run")
    ap.add_argument("names", nargs="*", metavar="CHECK")
    args = ap.parse_args(argv)
    table = checks(args.make, args.timeout)
    names = args.names or list(table)
    unknown = [n for n in names if n not in table]
    if unknown:
        ap.error(f"no such check: {', '.join(unknown)} (have: {', '.join(table)})")
    # Build first, once: two make runs at once must not both build.
    build = subprocess.run([args.make, "--no-print-directory", "-s", "run-images"],
                           cwd=ROOT, env=child_env(), stdin=subprocess.DEVNULL)
    if build.returncode:
        print("run_test: error: make run-images failed", file=sys.stderr)
        return 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda n: table[n](), names))
    passed = 0
    for name, (problems, run) in zip(names, results):
        print(f"  {name} {'.' * max(40 - len(name), 3)} {'FAIL' if problems else 'ok'}")
        for p in problems:
            print(f"      # {p}")
        if problems or args.verbose:
            print("\n".join(f"      | {line}" for line in run.lines[-(10**6 if args.verbose else 30):]))
            if run.stderr.strip():
                print("\n".join(f"      ! {line}" for line in run.stderr.strip().splitlines()[-10:]))
        passed += not problems
    print(f"run_test: {passed} passed, {len(names) - passed} failed")
    return 0 if passed == len(names) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
