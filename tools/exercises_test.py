#!/usr/bin/env python3
"""exercises_test.py - check that every exercise in the docs still does what
its page says.

Usage: tools/exercises_test.py [--list] [FILE...]

Each exercise ends with a fenced block of the info string
"exercise-check", one "key: value" a line:

    boot: arch=rv32 smp=4 mem=128M bootargs=mm.debug=P
                    boot build/<arch>/run/kernel.elf as make run does
                    (every word optional; these are the defaults)
    type: LINE      a line typed at the shell prompt (any number; the
                    check types "poweroff" after the last)
    run: COMMAND    or: a command run with bash from the top of the tree
    expect: TEXT    the output must contain TEXT
    expect-re: RE   the output must match the regular expression RE
    expect-not: TEXT the output must not contain TEXT

A block with "type:" lines boots QEMU; one with "run:" runs its command;
a block has one or the other.  Every numbered exercise of a page's
Exercises section must end with a check.  With no FILE named, the check
"views: the figures reconcile" also boots once more to see that the
figures of docs/views.md add up.  Checks run one after another, so that
only one QEMU runs at a time.  Each prints one line, "ok" or "FAIL" with
what was missing; the last line is "exercises_test: N passed, M failed"
and the exit status is 1 if any failed (2 if an image or the docs are
missing).
"""

import argparse
import glob
import os
import re
import shlex
import signal
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = {"rv32": "qemu-system-riscv32", "rv64": "qemu-system-riscv64"}
FENCE = "```exercise-check"
TIMEOUT = 120  # seconds for one check; a boot takes 1 to 3, a stress 10
# A process group, not a session: under Linux's autogroup a session is a
# scheduling group of its own (tools/ktest.py does the same).
OWN_PROCESS_GROUP = (dict(process_group=0) if sys.version_info >= (3, 11)
                     else dict(preexec_fn=os.setpgrp))


class Check:
    def __init__(self, path, line):
        self.path, self.line = path, line
        self.boot = {"arch": "rv32", "smp": "4", "mem": "128M",
                     "bootargs": ""}
        self.typed, self.run = [], None
        self.expect, self.expect_re, self.expect_not = [], [], []

    def name(self):
        return "%s:%d" % (os.path.relpath(self.path, ROOT), self.line)


def parse(path):
    """The checks of one page, and an error text for a malformed one."""
    checks, errors, cur = [], [], None
    with open(path) as f:
        lines = f.read().splitlines()
    for n, text in enumerate(lines, 1):
        stripped = text.strip()
        if cur is None:
            # Indented by 4 or more, it is code showing a block: no check.
            if stripped == FENCE and len(text) - len(text.lstrip()) < 4:
                cur = Check(path, n)
            continue
        if stripped.startswith("```"):
            if bool(cur.typed) == bool(cur.run) or not (
                    cur.expect or cur.expect_re or cur.expect_not):
                errors.append("%s: needs type: or run:, and an expect"
                              % cur.name())
            checks.append(cur)
            cur = None
            continue
        key, sep, value = stripped.partition(": ")
        if not sep and stripped.endswith(":"):
            key, value = stripped[:-1], ""
        elif not sep:
            errors.append("%s:%d: not 'key: value': %r" % (path, n, text))
            continue
        if key == "boot":
            for word in shlex.split(value):
                k, _, v = word.partition("=")
                if k not in cur.boot:
                    errors.append("%s:%d: no boot option %r" % (path, n, k))
                cur.boot[k] = v
        elif key == "type":
            cur.typed.append(value)
        elif key == "run":
            cur.run = value
        elif key == "expect":
            cur.expect.append(value)
        elif key == "expect-re":
            cur.expect_re.append(value)
        elif key == "expect-not":
            cur.expect_not.append(value)
        else:
            errors.append("%s:%d: unknown key %r" % (path, n, key))
    if cur is not None:
        errors.append("%s: an exercise-check block is not closed" % cur.name())
    return checks, errors


def run_capture(cmd, text="", cwd=ROOT):
    """cmd's output; the whole group is killed if it runs too long."""
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, **OWN_PROCESS_GROUP)
    try:
        return p.communicate(text, timeout=TIMEOUT)[0]
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise


def boot(arch, smp, mem, bootargs, typed):
    """What the console printed for the lines typed, then poweroff."""
    image = os.path.join(ROOT, "build", arch, "run", "kernel.elf")
    if not os.path.exists(image):
        raise FileNotFoundError("%s is not built (make run-images)" % image)
    cmd = [QEMU[arch], "-machine", "virt", "-bios", "none", "-m", mem,
           "-smp", smp, "-nographic", "-kernel", image]
    if bootargs:
        cmd += ["-append", bootargs]
    text = "".join(line + "\n" for line in typed + ["poweroff"])
    return run_capture(cmd, text)


def output_of(check):
    if check.typed:
        b = check.boot
        return boot(b["arch"], b["smp"], b["mem"], b["bootargs"],
                    check.typed)
    return run_capture(["bash", "-c", check.run])


def verdict(check, out):
    """What is wrong with out, or an empty list."""
    wrong = ["missing %r" % e for e in check.expect if e not in out]
    wrong += ["no match for %r" % e for e in check.expect_re
              if not re.search(e, out, re.M)]
    wrong += ["unexpected %r" % e for e in check.expect_not if e in out]
    return wrong


def field(pattern, out, what):
    m = re.search(pattern, out, re.M)
    if not m:
        raise ValueError("no %s in the output" % what)
    return [int(g) for g in m.groups()]


def reconcile():
    """docs/views.md's sums: what is wrong, or an empty list."""
    out = boot("rv32", "4", "128M", "", ["buddyinfo", "meminfo",
                                         "slabinfo"])
    wrong = []
    banner_free, total = field(r"^  (\d+) of (\d+) pages free", out,
                               "banner")
    free, = field(r"^  free (\d+) of", out, "buddyinfo free")
    used, = field(r"^MemUsed: +(\d+) kB", out, "MemUsed")
    mfree, = field(r"^MemFree: +(\d+) kB", out, "MemFree")
    slab, = field(r"^Slab: +(\d+) kB", out, "Slab")
    large, = field(r"^KmallocLarge: +(\d+) kB", out, "KmallocLarge")
    pages, = field(r"^PageAlloc: +(\d+) kB", out, "PageAlloc")
    peak, = field(r"^PeakUsed: +(\d+) kB", out, "PeakUsed")
    cached, = field(r"^PerHartCached: +(\d+) kB", out, "PerHartCached")
    mags = sum(int(n) for n in re.findall(
        r"^  hart \d+ magazine: (\d+) pages", out, re.M))
    task_slab_pages, = field(r"^  task +\d+ +\d+ +\d+ +\d+ +\d+ +(\d+) +1 ",
                             out, "the task cache's one slab")
    if mfree != free * 4:
        wrong.append("MemFree %d kB is not buddyinfo's free %d pages"
                     % (mfree, free))
    if used != (total - free) * 4:
        wrong.append("MemUsed %d kB is not total - free" % used)
    if used != slab + large + pages:
        wrong.append("MemUsed %d kB is not Slab + KmallocLarge + PageAlloc"
                     " (%d + %d + %d)" % (used, slab, large, pages))
    if cached != mags * 4:
        wrong.append("PerHartCached %d kB is not the magazines' %d pages"
                     % (cached, mags))
    if banner_free - free != task_slab_pages + 2:
        wrong.append("banner free %d - buddyinfo free %d is not the task "
                     "slab (%d) and the shell's stack (2)"
                     % (banner_free, free, task_slab_pages))
    if peak < used + cached:
        wrong.append("PeakUsed %d kB is below MemUsed + PerHartCached"
                     % peak)
    return wrong


def attempt(fn):
    """fn's list of what is wrong; a hang or a missing figure is wrong too."""
    try:
        return fn()
    except subprocess.TimeoutExpired:
        return ["no end within %d s" % TIMEOUT]
    except ValueError as e:
        return [str(e)]


def exercises_without_checks(paths):
    """Exercises (numbered items of an Exercises section) with no check."""
    bare = []
    for path in paths:
        with open(path) as f:
            text = f.read()
        m = re.search(r"^## Exercises\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        if not m:
            continue
        items = re.split(r"^(?=\d+\. )", m.group(1), flags=re.M)
        numbered = [i for i in items if re.match(r"\d+\. ", i)]
        if not numbered:
            bare.append("%s has no exercise" % os.path.relpath(path, ROOT))
        for item in numbered:
            if FENCE not in item:
                bare.append("%s: exercise %s has no check" % (
                    os.path.relpath(path, ROOT), item.split(".")[0]))
    return bare


def report(name, wrong):
    dots = "." * max(2, 44 - len(name))
    if wrong:
        print("  %s %s FAIL" % (name, dots))
        for w in wrong:
            print("    FAIL %s: %s" % (name, w))
    else:
        print("  %s %s ok" % (name, dots))
    sys.stdout.flush()
    return not wrong


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true",
                    help="list the checks, run nothing")
    ap.add_argument("files", nargs="*", help="pages (default: docs/*.md)")
    args = ap.parse_args()
    whole = not args.files
    paths = args.files or sorted(glob.glob(os.path.join(ROOT, "docs",
                                                        "*.md")))
    paths = [os.path.abspath(p) for p in paths]
    checks, errors = [], []
    for path in paths:
        c, e = parse(path)
        checks += c
        errors += e
    if errors or not checks:
        for e in errors or ["no exercise-check block in %s" % paths]:
            print("exercises_test: %s" % e)
        return 2
    if args.list:
        for c in checks:
            print(c.name(), c.run or "; ".join(c.typed))
        return 0
    results = []
    try:
        for c in checks:
            results.append(report(c.name(), attempt(
                lambda: verdict(c, output_of(c)))))
        if whole:
            results.append(report("views: the figures reconcile",
                                  attempt(reconcile)))
        results.append(report("every exercise has a check",
                              exercises_without_checks(paths)))
    except FileNotFoundError as e:
        print("exercises_test: %s" % e)
        return 2
    passed, failed = results.count(True), results.count(False)
    print("exercises_test: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
