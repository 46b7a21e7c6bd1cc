#!/usr/bin/env python3
"""bench_host.py - RVOS's kmalloc next to glibc, jemalloc, tcmalloc and
mimalloc on the host (make bench-host).

Usage: tools/bench_host.py BENCH [--out FILE] [--runs N]

BENCH is build/host/bench/malloc-bench (tests/host/malloc_bench.c: RVOS's
allocators at -O2 without sanitizers).  For each allocator, in one run:

  pair    alloc(64) + free with one object resident: callgrind
          instructions, (Ir(N=11000) - Ir(N=1000)) / 10000, and ns (the
          median of --runs timed runs of 1,000,000 pairs);
  trace   the seeded random trace of tests/bench/trace.h (200,000
          operations, at most 10,000 blocks live): callgrind instructions
          per operation, (Ir(run) - Ir(set-up only)) / 200,000, and ns per
          operation (median);
  2-thread  two threads each run the trace at once: operations per second
          in all (median);
  memory  the trace writing every byte it gets: peak growth of the
          resident set over the peak of live bytes requested (the same
          measure for all five); for RVOS also its pages taken.

The other libraries come in through LD_PRELOAD from the Debian packages
(scripts/install-deps.sh --bench installs them); a library that is not
there is skipped, and the table names it and the package to install.

Writes the "host" part of results.json (default build/bench/results.json,
keeping the "qemu" part of make bench) and prints the table from it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_check  # noqa: E402
import benchdata  # noqa: E402

N1, N2 = 1000, 11000

# name, mode, library (under the multiarch directory), Debian package
ALLOCATORS = [
    ("rvos kmalloc/kfree", "rvos", None, None),
    ("glibc", "libc", None, None),
    ("jemalloc", "libc", "libjemalloc.so.2", "libjemalloc2"),
    ("tcmalloc (minimal)", "libc", "libtcmalloc_minimal.so.4",
     "libtcmalloc-minimal4"),
    ("mimalloc", "libc", "libmimalloc.so.2", "libmimalloc2.0"),
]


def libdir():
    try:
        arch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                              text=True).stdout.strip()
    except OSError:
        arch = ""
    return os.environ.get("BENCH_LIBDIR",
                          f"/usr/lib/{arch or 'x86_64-linux-gnu'}")


def env_for(preload):
    env = dict(os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
    return env


def run(bench, preload, *args):
    """Run the bench natively; its "key value..." lines as a dict."""
    out = subprocess.run([bench, *args], env=env_for(preload),
                         capture_output=True, text=True, check=True).stdout
    values = {}
    for line in out.splitlines():
        key, _, rest = line.partition(" ")
        values.setdefault(key, []).append(rest.split())
    return values


def callgrind(bench, preload, *args):
    """Total instructions of one run under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
             bench, *args], env=env_for(preload), capture_output=True,
            text=True)
        if proc.returncode:
            sys.exit(f"bench-host: callgrind failed on {args}:\n"
                     f"{proc.stderr[-2000:]}")
        with open(out) as f:
            for line in f:
                if line.startswith("summary:"):
                    return int(line.split()[1])
    sys.exit("bench-host: no summary in callgrind's output")


def count(bench, mode, preload, ops):
    """Callgrind figures of one allocator: pair and trace."""
    jobs = [(mode, "pair", str(N1)), (mode, "pair", str(N2)),
            (mode, "trace", "run"), (mode, "trace", "dry")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        ir = list(pool.map(lambda a: callgrind(bench, preload, *a), jobs))
    return {"pair_ir": round((ir[1] - ir[0]) / (N2 - N1), 2),
            "trace_ir": round((ir[2] - ir[3]) / ops, 2)}


def timed(bench, mode, preload, runs):
    pair, trace, threads = [], [], []
    for _ in range(runs):
        v = run(bench, preload, mode, "time")
        pair.append(float(v["pair_ns"][0][0]))
        trace.append(float(v["trace_ns"][0][0]))
        threads.append(float(run(bench, preload, mode,
                                 "threads")["threads_ops_per_s"][0][0]))
    return {"pair_ns": round(statistics.median(pair), 2),
            "trace_ns": round(statistics.median(trace), 2),
            "mt_mops": round(statistics.median(threads) / 1e6, 3),
            "pair_ns_runs": pair, "trace_ns_runs": trace,
            "mt_ops_per_s_runs": threads}


def memory(bench, mode, preload):
    v = run(bench, preload, mode, "memory")
    live = int(v["peak_live_bytes"][0][0])
    rss = int(v["peak_rss_delta"][0][0])
    rec = {"peak_live_bytes": live, "peak_rss_delta": rss,
           "peak_live_kib": round(live / 1024, 3),
           "peak_rss_kib": round(rss / 1024, 3),
           "rss_ratio": round(rss / live, 4),
           "peak_reset": v["peak_reset"][0][0] == "1",
           "samples": [[int(x) for x in s] for s in v.get("sample", [])]}
    if "peak_taken_bytes" in v:
        taken = int(v["peak_taken_bytes"][0][0])
        rec.update({"peak_taken_bytes": taken,
                    "peak_taken_kib": round(taken / 1024, 3),
                    "taken_ratio": round(taken / live, 4)})
    trace = [int(x) for x in v["trace"][0]]
    return rec, dict(zip(["ops", "max_live", "min_size", "max_size",
                          "seed"], trace))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bench")
    ap.add_argument("--out", default="build/bench/results.json")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    started = time.monotonic()
    for tool in ("valgrind",):
        if subprocess.run(["sh", "-c", f"command -v {tool}"],
                          capture_output=True).returncode:
            sys.exit(f"bench-host: {tool} is missing "
                     "(scripts/install-deps.sh --bench installs it)")
    lib = libdir()
    allocators, rows, trace = [], [], None
    for name, mode, so, package in ALLOCATORS:
        preload = os.path.join(lib, so) if so else None
        present = preload is None or os.path.exists(preload)
        allocators.append({
            "name": name, "library": so or "(built in)", "present": present,
            "why_absent": None if present else
            f"{preload} missing (apt-get install {package})"})
        if not present:
            continue
        print(f"bench-host: {name} ...", file=sys.stderr)
        rec = {"label": name, "mode": mode, "library": so}
        mem, trace = memory(args.bench, mode, preload)
        rec.update(mem)
        rec.update(count(args.bench, mode, preload, trace["ops"]))
        rec.update(timed(args.bench, mode, preload, args.runs))
        if "taken_ratio" in rec:
            rec["taken_label"] = f"{name}, pages taken"
        rows.append(rec)
    data = benchdata.load(args.out)
    data["host"] = {"allocators": allocators, "rows": rows, "trace": trace,
                    "timing_runs": args.runs, "pair_counts": [N1, N2]}
    data.setdefault("machine", {}).update(benchdata.machine_info({
        "host gcc": ["gcc", "-dumpversion"],
        "valgrind": ["valgrind", "--version"]}))
    benchdata.save(args.out, data)
    print("\n".join(benchdata.render(data, parts=("host",))))
    problems = bench_check.check_tables(data, benchdata.render(data))
    for p in problems:
        print(f"bench-host: {p}")
    print(f"\nbench-host: wrote {args.out} in "
          f"{time.monotonic() - started:.0f} s; "
          f"{'every row printed is in it' if not problems else 'BROKEN'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
