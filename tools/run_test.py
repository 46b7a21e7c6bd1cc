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
        (regex, more text): when a line matches, the text is written too."""
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
                    if answer and re.search(answer[0], self.lines[-1]):
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
