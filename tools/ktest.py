#!/usr/bin/env python3
"""ktest.py - run the RVOS ktest suites in QEMU or on the host, judge KTAP.

Usage: tools/ktest.py [--filter F] [--timeout S] [-j N] [--bootargs A]
                      [--selftest | --selftest-only] [--verbose] CONFIG...

CONFIG is qemu:ARCH:SMP:MEM:ELF (ARCH rv32 or rv64) or host:NAME:BINARY,
optionally followed by @FILTER: that config then always runs FILTER (for
special builds such as the lock-less torture image) and takes no part in
the self-test, and then by +ARG for each more word of the kernel command
line (+mm.debug=FZPUL: every memory debugging feature on; the host runner
gets mm.debug= as RVOS_MM_DEBUG).  --bootargs adds words to every
config's command line (make stress: "ktest.scale=600 mm.debug=FZPUL").
Each config is booted (or run) once with ktest=F; the KTAP it prints is
parsed and classified.  Cases flagged "# SKIP expects panic" are then run
one per boot with filter suite:case and pass only if the kernel panics.
Before it runs an expect-panic case the kernel prints "# ktest: expecting
a panic from SUITE:CASE"; a panic after that line, before the case's
result line, passes the case and ends the boot without failing it (cases
the filter selected after it did not run and count as failed).  Any other
panic the run does not survive, a time-out or a missing "# ktest: done"
line fails the boot (the host runner survives panics in cases and reports
them in KTAP).  In QEMU a panic must also print one whole report (see
panic_report_problem): however many harts fail, one "KERNEL PANIC:" line
opens it, its backtrace is the only one, and nothing else is mixed in.  --selftest also checks, with the kernel's manual
selftest:* cases, that such failures are really caught; --selftest-only
does just that.

The last line printed is "N passed, M failed[, K skipped]"; the exit
status is 0 if nothing failed, 1 if something did, 2 on a setup error.
"""

import argparse
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

PANIC_MARK = "KERNEL PANIC:"
EXPECT_PANIC_REASON = "expects panic"
DONE_GRACE_S = 5.0  # after "# ktest: done", wait this long for the exit
SELFTEST_HANG_TIMEOUT_S = 20.0
CONTEXT_LINES = 30

RESULT_RE = re.compile(r"^(\s*)(not ok|ok)\s+(\d+)\s+(?:-\s+)?([^#\s]+)\s*(?:#\s*(.*))?$")
SUBTEST_RE = re.compile(r"^\s+#\s*Subtest:\s*(\S+)")
PLAN_RE = re.compile(r"^(\s*)1\.\.(\d+)\s*$")
DIAG_RE = re.compile(r"^\s+#")
DONE_RE = re.compile(r"^#\s*ktest:\s*done\b")
# Printed by kernel/ktest.c run_case just before an expect-panic case runs.
# With KTEST_PANICS it also names the words the panic line must hold.
EXPECTING_RE = re.compile(
    r'^\s+#\s*ktest:\s*expecting a panic from\s+(\S+)(?:\s+saying\s+"(.*)")?')
# A kernel panic report (kernel/panic.c), which must come out whole and
# once however many harts fail: the panic line first, where, the
# registers of a fault, the backtrace (the only one in the output); after
# it only the other harts' one-line notes.
REPORT_HEAD_RE = re.compile(r"^KERNEL PANIC: \S.*$")
REPORT_WHERE_RE = re.compile(r"^  on hart \d+, task \S+$")
REPORT_REGS_RE = re.compile(
    r"^  mcause \d+ mepc 0x[0-9a-f]+ mtval 0x[0-9a-f]+ ra 0x[0-9a-f]+( .*)?$")
REPORT_BACKTRACE_RE = re.compile(r"^  backtrace \(riscv64-unknown-elf-addr2line -e <elf> ADDR\):$")
REPORT_FRAME_RE = re.compile(r"^    #\d+ 0x[0-9a-f]+( \S+)?$")  # maybe a name
REPORT_TAIL_RE = re.compile(r"^(hart \d+ also (faulted|panicked): \S.*"
                            r"|  failed again during the report: .*"
                            r"|System halted \(panic=halt\).*)$")


class SetupError(Exception):
    """A problem with the command line or the machine, not with a test."""


@dataclass
class Config:
    kind: str  # "qemu" or "host"
    path: str  # the kernel ELF or the host test binary
    arch: str = ""
    smp: int = 1
    mem: str = ""
    name: str = ""
    fixed_filter: str = ""
    bootargs: str = ""  # more of the kernel command line (host: mm.debug)

    @property
    def label(self):
        if self.kind == "qemu":
            label = f"qemu {self.arch} smp={self.smp} mem={self.mem}"
        else:
            label = f"host {self.name}"
        if self.fixed_filter:
            if self.kind == "qemu":  # name the image: test, nolock, ...
                label += f" {os.path.basename(os.path.dirname(self.path))}"
            label += f" ktest={self.fixed_filter}"
        if self.bootargs:
            label += f" {self.bootargs}"
        return label

    def command(self, test_filter):
        if self.kind == "host":
            # The host runner reads the debugging switches from its
            # environment: mm.debug=LETTERS becomes RVOS_MM_DEBUG=LETTERS.
            env = [f"RVOS_MM_DEBUG={arg.partition('=')[2]}"
                   for arg in self.bootargs.split() if arg.startswith("mm.debug=")]
            return (["env"] + env if env else []) + [os.path.abspath(self.path), test_filter]
        return [f"qemu-system-riscv{self.arch[2:]}", "-machine", "virt",
                "-bios", "none", "-m", self.mem, "-smp", str(self.smp),
                "-display", "none", "-serial", "stdio", "-monitor", "none",
                "-kernel", self.path, "-append",
                f"ktest={test_filter} {self.bootargs}".strip()]


def parse_config(text):
    text, *bootargs = text.split("+")
    config = parse_config_base(text.rpartition("@")[0] if "@" in text else text)
    config.bootargs = " ".join(bootargs)
    if "@" in text:
        config.fixed_filter = text.rpartition("@")[2]
    return config


def parse_config_base(text):
    kind = text.split(":", 1)[0]
    if kind == "qemu":
        parts = text.split(":", 4)
        if len(parts) != 5 or parts[1] not in ("rv32", "rv64") or not parts[2].isdigit():
            raise SetupError(f"bad config '{text}': want qemu:rv32|rv64:SMP:MEM:ELF")
        return Config("qemu", parts[4], arch=parts[1], smp=int(parts[2]), mem=parts[3])
    if kind == "host":
        parts = text.split(":", 2)
        if len(parts) != 3 or not parts[1]:
            raise SetupError(f"bad config '{text}': want host:NAME:BINARY")
        return Config("host", parts[2], name=parts[1])
    raise SetupError(f"bad config '{text}': must start with qemu: or host:")


def check_config(config):
    program = config.command("all")[0]
    if config.kind == "qemu" and shutil.which(program) is None:
        raise SetupError(f"{program} not found on PATH; install QEMU "
                         "(scripts/install-deps.sh)")
    if not os.path.isfile(config.path):
        what = "kernel ELF" if config.kind == "qemu" else "host test binary"
        raise SetupError(f"{what} '{config.path}' not found; build it first")
    if config.kind == "host" and not os.access(config.path, os.X_OK):
        raise SetupError(f"host test binary '{config.path}' is not executable")


# ---------------------------------------------------------------- processes

@dataclass
class Boot:
    """The raw outcome of one boot (or one run of a host binary)."""
    kind: str  # "qemu" or "host", as the config's
    test_filter: str
    lines: list
    exit_status: int  # negative: killed by that signal
    timed_out: bool
    duration: float
    idle: float  # seconds since the last output when it ended


# A boot gets a process group of its own, so that it can be killed whole,
# but stays in our session.  A session of its own (setsid) would also be
# a scheduling group of its own wherever Linux groups tasks by session
# (CONFIG_SCHED_AUTOGROUP, on in Debian's kernels): QEMU's vCPU threads
# would then share one task's CPU time against the rest of a busy machine.
# Measured beside two CPU hogs on 2 cores: the 8-hart boot of spinlock,
# torture, task and slab takes 11-25 s in our session, and had not ended
# after 200 s in a session of its own.
OWN_PROCESS_GROUP = (dict(process_group=0) if sys.version_info >= (3, 11)
                     else dict(preexec_fn=os.setpgrp))


class Runner:
    """Runs boots, at most `jobs` at once, and can kill them all."""

    def __init__(self, jobs):
        self.slots = threading.Semaphore(jobs)
        self.live = set()
        self.lock = threading.Lock()
        self.stopped = False

    def boot(self, config, test_filter, timeout):
        with self.slots:
            return self._run(config.kind, config.command(test_filter), test_filter, timeout)

    def stop(self):
        """Kill every running boot and start no more (on Ctrl-C)."""
        with self.lock:
            self.stopped = True
            for proc in self.live:
                kill_group(proc)

    def _run(self, kind, cmd, test_filter, timeout):
        start = time.monotonic()
        with self.lock:
            if self.stopped:
                raise KeyboardInterrupt
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, **OWN_PROCESS_GROUP)
            except OSError as err:
                return Boot(kind, test_filter, [f"ktest: cannot run {cmd[0]}: {err}"], 127,
                            False, 0.0, 0.0)
            self.live.add(proc)
        lines, timed_out, last_output = read_console(proc, start + timeout)
        try:
            proc.wait(timeout=0 if timed_out else 1)
        except subprocess.TimeoutExpired:
            pass
        kill_group(proc)
        proc.wait()
        proc.stdout.close()
        with self.lock:
            self.live.discard(proc)
        end = time.monotonic()
        return Boot(kind, test_filter, lines, proc.returncode, timed_out, end - start,
                    end - last_output)


def read_console(proc, deadline):
    """Collect the output lines until EOF, the deadline, or a short grace
    period after the done line.  A panic ends the run by itself (QEMU
    exits through the test finisher), so after one the whole report is
    read, however long the host takes to run it.  Returns (lines,
    timed_out, time of the last output)."""
    lines, pending, last_output = [], b"", time.monotonic()
    stop_at = deadline  # brought forward by a panic or the done line
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while time.monotonic() < stop_at:
            if not sel.select(stop_at - time.monotonic()):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            last_output = time.monotonic()
            *complete, pending = (pending + chunk).split(b"\n")
            for raw in complete:
                lines.append(raw.decode("utf-8", "replace").rstrip("\r"))
                if stop_at == deadline and DONE_RE.match(lines[-1]):
                    stop_at = min(deadline, last_output + DONE_GRACE_S)
    if pending:
        lines.append(pending.decode("utf-8", "replace").rstrip("\r"))
    return lines, time.monotonic() >= deadline, last_output


def kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------- KTAP

@dataclass
class Case:
    suite: str
    name: str
    status: str  # "pass", "fail", "skip" or "expect-panic" (still to run)
    detail: list = field(default_factory=list)  # diagnostics and output

    @property
    def full_name(self):
        return f"{self.suite}:{self.name}"


@dataclass
class Suite:
    name: str
    plan: int = -1  # -1: no "1..N" line seen
    cases: list = field(default_factory=list)
    finished: bool = False  # its top-level "ok N name" line was seen
    reported_ok: bool = True  # what that line said

    @property
    def unfinished(self):
        if self.plan >= 0:
            return max(self.plan - len(self.cases), 0)
        return 0 if self.finished else 1


@dataclass
class Report:
    """What one boot says: its suites and what went wrong with the boot."""
    boot: Boot
    suites: list = field(default_factory=list)
    planned_suites: int = -1
    done_at: int = -1  # index of the last "# ktest: done" line, or -1
    panics: list = field(default_factory=list)  # indexes of the panic lines
    # Indexes of the panic lines printed while an announced expect-panic
    # case ran (after its "expecting a panic" line, before its result).
    expected_panics: list = field(default_factory=list)
    # SUITE:CASE whose expected panic ended the boot before it printed the
    # case's result line, or "".  That case passed; nothing ran after it.
    ended_by_expected_panic: str = ""
    # The panic line of an expect-panic case that did not say what the
    # case expects, or "": the right kind of stop for the wrong reason.
    wrong_panic: str = ""
    problems: list = field(default_factory=list)  # (headline, output lines)

    @property
    def fatal_panic_at(self):
        """The first panic the run did not survive (none came back to the
        done line) and no case expected, or -1.  The host runner survives
        panics in cases; their results are then in the KTAP."""
        return next((i for i in self.panics
                     if i > self.done_at and i not in self.expected_panics), -1)

    def cases(self):
        return [case for suite in self.suites for case in suite.cases]

    def count(self, status):
        return sum(1 for case in self.cases() if case.status == status)

    def failures(self):
        missing_suites = max(self.planned_suites - len(self.suites), 0)
        n = self.count("fail") + sum(s.unfinished for s in self.suites) + missing_suites
        return max(n, 1 if self.problems else 0)


def parse_ktap(boot):
    report = Report(boot)
    suite, detail = None, []
    # (suite, case name, line index, words the panic must say or None)
    # of an announced expect-panic case
    expecting = None
    for i, line in enumerate(boot.lines):
        if PANIC_MARK in line:
            report.panics.append(i)
            if expecting and expecting[3] and expecting[3] not in line:
                report.wrong_panic = line.strip()
                report.problems.append((
                    f"{expecting[0].name}:{expecting[1]} expected a panic "
                    f'saying "{expecting[3]}", got: {line.strip()}', []))
            elif expecting:
                report.expected_panics.append(i)
        if DONE_RE.match(line):
            report.done_at = i
        elif m := SUBTEST_RE.match(line):
            suite, detail = Suite(m.group(1)), []
            report.suites.append(suite)
        elif m := PLAN_RE.match(line):
            if m.group(1) and suite is not None:
                suite.plan = int(m.group(2))
            elif not m.group(1):
                report.planned_suites = int(m.group(2))
        elif m := RESULT_RE.match(line):
            indent, verdict, _, name, directive = m.groups()
            if not indent:
                if suite is not None and suite.name == name:
                    suite.finished = True
                    suite.reported_ok = verdict == "ok"
                continue
            if suite is None:
                suite = Suite("?")
                report.suites.append(suite)
            suite.cases.append(Case(suite.name, name, case_status(verdict, directive), detail))
            detail, expecting = [], None
        elif suite is not None and not suite.finished and line.strip():
            # Diagnostics ("    # ...") and console output during a case.
            detail.append(line.strip() if DIAG_RE.match(line) else "| " + line)
            if m := EXPECTING_RE.match(line):
                expecting = (suite, m.group(1).partition(":")[2], i, m.group(2))
    if expecting and report.expected_panics and report.expected_panics[-1] > expecting[2]:
        # The case panicked as it should and the kernel never came back to
        # print its result line (the host runner does, and then expecting
        # is None here): the panic is the case's pass.
        suite, name = expecting[0], expecting[1]
        suite.cases.append(Case(suite.name, name, "pass", detail))
        report.ended_by_expected_panic = f"{suite.name}:{name}"
    classify_boot(report)
    return report


def panic_report_problem(lines):
    """What is wrong with the panic report in a kernel's output, or None
    (also when there is no panic)."""
    marks = [i for i, line in enumerate(lines) if "KERNEL PANIC" in line]
    if not marks:
        return None
    if len(marks) > 1:
        return f"{len(marks)} lines say KERNEL PANIC, not one"
    i = marks[0]
    if not REPORT_HEAD_RE.match(lines[i]):
        return "the KERNEL PANIC line is not intact"
    traces = [k for k, line in enumerate(lines) if "backtrace (" in line]
    if len(traces) != 1 or traces[0] < i:
        return (f"{len(traces)} backtraces, {sum(k < i for k in traces)} before "
                "the KERNEL PANIC line: the report must open with it and be the only one")
    rest = lines[i + 1:]
    if not rest or not REPORT_WHERE_RE.match(rest[0]):
        return "no '  on hart N, task T' line after the KERNEL PANIC line"
    rest = rest[1:]
    if rest and REPORT_REGS_RE.match(rest[0]):
        rest = rest[1:]
    if len(rest) < 2 or not REPORT_BACKTRACE_RE.match(rest[0]) \
            or not REPORT_FRAME_RE.match(rest[1]):
        return "the report has no backtrace where it should"
    for line in rest[2:]:
        if not (REPORT_FRAME_RE.match(line) or REPORT_TAIL_RE.match(line)):
            return f"a line that is not part of the report: {line!r}"
    return None


def case_status(verdict, directive):
    directive = (directive or "").strip()
    if verdict == "not ok":
        return "fail"
    if directive.upper().startswith("SKIP"):
        reason = directive[4:].strip().lower()
        return "expect-panic" if reason.startswith(EXPECT_PANIC_REASON) else "skip"
    return "pass"


def classify_boot(report):
    boot, panic_at = report.boot, report.fatal_panic_at
    problem = panic_report_problem(boot.lines) if boot.kind == "qemu" else None
    if problem:
        start = max(report.panics[0] - 5, 0) if report.panics else 0
        report.problems.append((f"the panic report is not whole: {problem}",
                                boot.lines[start:][:CONTEXT_LINES]))
    if panic_at >= 0:
        start = max(panic_at - CONTEXT_LINES, 0)
        report.problems.append(("KERNEL PANIC during the boot",
                                boot.lines[start:panic_at + 5]))
    elif report.ended_by_expected_panic:
        # The boot ends there by design: no done line, and QEMU exits with
        # the panic's status.  Only the cases it cut off are problems.
        pass
    elif boot.timed_out:
        report.problems.append((f"hang: time-out after {boot.duration:.0f} s, "
                                f"no output for the last {boot.idle:.0f} s",
                                boot.lines[-CONTEXT_LINES:]))
    elif report.done_at < 0:
        report.problems.append((f"no '# ktest: done' line: the run ended early "
                                f"(exit status {boot.exit_status})",
                                boot.lines[-CONTEXT_LINES:]))
    elif boot.exit_status not in (0, -signal.SIGKILL) and report.count("fail") == 0:
        # It may exit 1 when cases failed; with none failed, that is odd.
        report.problems.append((f"exit status {boot.exit_status} after '# ktest: done' "
                                "with no failed case", boot.lines[-CONTEXT_LINES:]))
    cut_off = (f"did not run: the boot ended in an expected panic from "
               f"{report.ended_by_expected_panic}" if report.ended_by_expected_panic else "")
    for suite in report.suites:
        if suite.unfinished:
            report.problems.append((f"suite {suite.name}: {suite.unfinished} case(s) "
                                    f"{cut_off or 'started but never reported'}", []))
        elif not suite.reported_ok and not any(c.status == "fail" for c in suite.cases):
            report.problems.append((f"suite {suite.name} reported 'not ok' "
                                    "but none of its cases failed", []))
    missing = report.planned_suites - len(report.suites)
    if missing > 0:
        report.problems.append((f"{missing} planned suite(s) {cut_off or 'never started'}", []))


def run_expect_panic(runner, config, case, timeout):
    """Run one expect-panic case in a boot of its own; it must panic while
    it runs (after the kernel announced it), and the boot must be clean
    otherwise."""
    boot = runner.boot(config, case.full_name, timeout)
    report = parse_ktap(boot)
    passed = any(c.full_name == case.full_name and c.status == "pass"
                 for c in report.cases())
    if passed and report.failures() == 0:
        case.status = "pass"
        return boot
    case.status = "fail"
    how = "timed out" if boot.timed_out else f"exit status {boot.exit_status}"
    if report.wrong_panic:
        case.detail = [f"# the panic did not say what the case expects: {report.wrong_panic}"]
    elif not report.panics:
        case.detail = [f"# expected a kernel panic, but none was seen ({how})"]
    elif report.fatal_panic_at >= 0:
        case.detail = ["# the kernel panicked, but not while the case ran"]
    else:
        case.detail = [f"# {headline}" for headline, _ in report.problems]
    # The headlines first; describe_suite shows the last CONTEXT_LINES.
    room = max(CONTEXT_LINES - len(case.detail), 0)
    case.detail += ["| " + line for line in boot.lines[len(boot.lines) - room:]]
    return boot


# ---------------------------------------------------------------- configs

@dataclass
class Outcome:
    label: str
    text: list  # the lines of this config's block, printed together
    passed: int = 0
    failed: int = 0
    skipped: int = 0


def run_tests(runner, config, args):
    out = Outcome(config.label, [f"== {config.label} =="])
    report = parse_ktap(runner.boot(config, config.fixed_filter or args.filter, args.timeout))
    boots = [report.boot]
    waiting = [c for c in report.cases() if c.status == "expect-panic"]
    with ThreadPoolExecutor(max_workers=max(len(waiting), 1)) as pool:
        boots += pool.map(lambda c: run_expect_panic(runner, config, c, args.timeout), waiting)
    for suite in report.suites:
        out.text += describe_suite(suite)
    for headline, lines in report.problems:
        out.text.append(f"  FAIL {headline}")
        out.text += [f"      | {line}" for line in lines]
    out.passed, out.skipped = report.count("pass"), report.count("skip")
    out.failed = report.failures()
    if not report.suites and not report.problems:
        out.text.append("  (no test cases matched)")
    if args.verbose:
        out.text += verbose_output(boots)
    return out


def describe_suite(suite):
    total = max(suite.plan, len(suite.cases))
    passed = sum(1 for c in suite.cases if c.status == "pass")
    failed = sum(1 for c in suite.cases if c.status == "fail") + suite.unfinished
    skipped = sum(1 for c in suite.cases if c.status == "skip")
    line = f"  {suite.name} {'.' * max(40 - len(suite.name), 3)} {passed}/{total} passed"
    line += f", {failed} failed" if failed else ""
    line += f", {skipped} skipped" if skipped else ""
    text = [line]
    for case in suite.cases:
        if case.status == "fail":
            text.append(f"    FAIL {case.full_name}")
            text += [f"      {d}" for d in case.detail[-CONTEXT_LINES:]]
    return text


def verbose_output(boots):
    text = []
    for boot in boots:
        text.append(f"  -- output of ktest={boot.test_filter} ({boot.duration:.1f} s, "
                    f"exit status {boot.exit_status}) --")
        text += [f"  | {line}" for line in boot.lines]
    return text


SELFTEST_CHECKS = [
    # (case name, filter, timeout or None for the default, caught(report))
    ("harness:catches_failing_case", "selftest:fails", None,
     lambda r: r.count("fail") > 0 and r.failures() > 0),
    ("harness:catches_panic", "selftest:panics", None,
     lambda r: bool(r.panics) and r.failures() > 0),
    ("harness:catches_hang", "selftest:hangs", SELFTEST_HANG_TIMEOUT_S,
     lambda r: r.boot.timed_out and r.failures() > 0),
]


def run_selftest(runner, config, args):
    out = Outcome(f"selftest {config.label}", [f"== selftest: {config.label} =="])
    results = []  # (name, caught, boot)
    for name, test_filter, timeout, caught in SELFTEST_CHECKS:
        timeout = min(timeout or args.timeout, args.timeout)
        report = parse_ktap(runner.boot(config, test_filter, timeout))
        results.append((name, caught(report), report.boot))
    case = Case("selftest", "expected_panic", "expect-panic")
    boot = run_expect_panic(runner, config, case, args.timeout)
    results.append(("harness:catches_missing_panic", case.status == "fail", boot))
    if config.kind == "qemu":  # the host prints no kernel report
        case = Case("selftest", "garbled_panic_report", "expect-panic")
        boot = run_expect_panic(runner, config, case, args.timeout)
        results.append(("harness:catches_garbled_panic_report", case.status == "fail", boot))
    for name, caught, boot in results:
        verdict = "caught" if caught else "MISSED"
        out.text.append(f"  {name} {'.' * max(40 - len(name), 3)} {verdict} "
                        f"(ktest={boot.test_filter})")
        if not caught or args.verbose:
            out.text += [f"      | {line}" for line in boot.lines[-CONTEXT_LINES:]]
        out.passed += caught
        out.failed += not caught
    return out


# ---------------------------------------------------------------- main

def counts(passed, failed, skipped):
    text = f"{passed} passed, {failed} failed"
    return text + (f", {skipped} skipped" if skipped else "")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("configs", nargs="+", metavar="CONFIG",
                        help="qemu:ARCH:SMP:MEM:ELF or host:NAME:BINARY")
    parser.add_argument("--filter", default="all", help="ktest= filter (default: all)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds allowed per boot (default: 300)")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="boots to run at once (default: 1)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--selftest", action="store_true",
                      help="run the tests, then check that the harness catches failures")
    mode.add_argument("--selftest-only", action="store_true",
                      help="only check that the harness catches failures")
    parser.add_argument("--verbose", action="store_true", help="show all console output")
    parser.add_argument("--bootargs", default="",
                        help="more of the kernel command line, after ktest= (QEMU only)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0:
        parser.error("-j and --timeout must be positive")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        configs = [parse_config(text) for text in args.configs]
        for config in configs:
            config.bootargs = " ".join(filter(None, [config.bootargs, args.bootargs]))
            check_config(config)
    except SetupError as err:
        print(f"ktest: error: {err}", file=sys.stderr)
        return 2
    tasks = []
    if not args.selftest_only:
        tasks += [(run_tests, config) for config in configs]
    if args.selftest or args.selftest_only:
        tasks += [(run_selftest, config) for config in configs if not config.fixed_filter]
    runner = Runner(args.jobs)
    outcomes = []
    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(task, runner, config, args) for task, config in tasks]
        try:
            for future in futures:  # print each block whole, in order
                outcomes.append(future.result())
                print("\n".join(outcomes[-1].text), flush=True)
        except KeyboardInterrupt:
            runner.stop()
            print("ktest: interrupted", file=sys.stderr)
            return 130
    print()
    for o in outcomes:
        print(f"summary: {o.label}: {counts(o.passed, o.failed, o.skipped)}")
    totals = [sum(getattr(o, k) for o in outcomes) for k in ("passed", "failed", "skipped")]
    print(counts(*totals), flush=True)
    return 1 if totals[1] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
