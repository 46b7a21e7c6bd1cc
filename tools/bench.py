#!/usr/bin/env python3
"""bench.py - run the RVOS benchmarks in QEMU (make bench).

Usage: tools/bench.py ARCH TEST_ELF NOSTATS_ELF [--nocache ELF]
                      [--out FILE] [--smp-runs N] [--harts 1,2,4,8] [--no-smp]

Two parts:

1. Deterministic: the suite "bench" (tests/bench/) on one hart under
   qemu -icount shift=0,sleep=off, where minstret counts instructions
   exactly and timer ticks land on the same instruction every run: the
   test image at 32, 128 and 512 MiB and the image without lock
   statistics at 128 MiB.  Every operation is measured on its own (mean
   and worst).  The whole part runs twice, and the output says whether
   the two gave identical counts (the exit status is 1 if not).

2. SMP scaling: the suite "bench_smp" (tests/bench/smp_bench.c) with 1,
   2, 4 and 8 harts under multi-threaded TCG, several boots each; the
   figures are medians.  Wall-clock figures are noisy; the lock counts
   are not.  The same runs on an image without per-hart caches, if
   --nocache names one that exists (default build/ARCH/nocache/kernel.elf);
   otherwise the table says that column is absent.

Writes the "qemu" part of results.json (default build/bench/results.json,
keeping the "host" part of make bench-host) and prints the tables from
that file (tools/benchdata.py).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_check  # noqa: E402
import benchdata  # noqa: E402

MEMS = ["32M", "128M", "512M"]
DETAIL_MEM = "128M"
SMP_MEM = "256M"
LINE = re.compile(r"^\s*# bench: (\w+)\|(.*)$")
WARNING = re.compile(r"^\s*# bench: (?!\w+\|)(.*)$")


def qemu_for(arch):
    return f"qemu-system-riscv{arch[2:]}"


def boot(arch, elf, mem, harts, test_filter, icount, timeout=300, bootargs=""):
    cmd = [qemu_for(arch), "-machine", "virt", "-bios", "none", "-m", mem,
           "-smp", str(harts), "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-kernel", elf, "-append",
           f"ktest={test_filter} {bootargs}".strip()]
    if icount:  # one instruction a virtual ns; idle time does not count
        cmd += ["-icount", "shift=0,sleep=off"]
    else:  # every hart a host thread
        cmd += ["-accel", "tcg,thread=multi"]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=timeout).stdout
    if "not ok" in out or "# ktest: done" not in out:
        sys.exit(f"bench: the boot of {elf} (mem {mem}, {harts} harts, "
                 f"ktest={test_filter}) failed:\n{out[-3000:]}")
    return out


def parse(out):
    """The '# bench:' lines of one boot, by kind, fields split."""
    found = {}
    for text in out.splitlines():
        m = LINE.match(text)
        if m:
            found.setdefault(m.group(1), []).append(m.group(2).split("|"))
            continue
        w = WARNING.match(text)
        if w:
            print(f"bench: warning from the kernel: {w.group(1)}")
    return found


def deterministic_boot(arch, elf, mem):
    return parse(boot(arch, elf, mem, 1, "bench", icount=True))


def counts(fields):
    """A row's raw figures: count, total, worst for alloc and free."""
    n0, t0, w0, n1, t1, w1, dropped = (int(x) for x in fields)
    return {"count": [n0, n1], "total": [t0, t1], "worst": [w0, w1],
            "dropped": dropped}


def mean(unit, c):
    n0, n1 = c["count"]
    t0, t1 = c["total"]
    if unit == "pair":
        return (t0 / n0 if n0 else 0) + (t1 / n1 if n1 else 0)
    return (t0 + t1) / (n0 + n1) if n0 + n1 else 0


def raw_figures(boots):
    """Every integer of the deterministic part, keyed, for comparing runs."""
    figures = {}
    for column, found in boots.items():
        for kind, rows in found.items():
            for fields in rows:
                key = (column, kind, fields[0] if len(fields) > 1 else "",
                       fields[1] if kind == "row" else "")
                if kind == "sample":
                    key += (fields[1],)
                for i, v in enumerate(fields):
                    if v.isdigit():
                        figures[key + (i,)] = int(v)
    return figures


def compare(first, second):
    keys = sorted(set(first) | set(second), key=str)
    diffs = [f"{'/'.join(str(k) for k in key)}: {first.get(key)} vs "
             f"{second.get(key)}"
             for key in keys if first.get(key) != second.get(key)]
    return len(keys), diffs


def run_deterministic(arch, elf, nostats):
    """Both passes, two boots at a time; returns (columns, repeatable)."""
    jobs = [(elf, m, m) for m in MEMS] + [(nostats, DETAIL_MEM, "nostats")]
    passes = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(2):
            results = pool.map(lambda j: deterministic_boot(arch, j[0], j[1]),
                               jobs)
            passes.append(dict(zip((j[2] for j in jobs), results)))
    figures, diffs = compare(raw_figures(passes[0]), raw_figures(passes[1]))
    repeatable = {"runs": 2, "identical": not diffs, "figures": figures,
                  "differences": diffs[:20]}
    return passes[0], repeatable


def build_rows(columns):
    rows = []
    order = [f[1] for f in columns[MEMS[0]]["row"]]
    for label in order:
        rec = {"label": label, "by_mem": {}}
        for column, found in columns.items():
            for f in found.get("row", []):
                if f[1] != label:
                    continue
                rec["section"], rec["unit"] = f[0], f[2]
                c = counts(f[3:])
                c["mean"] = round(mean(rec["unit"], c), 3)
                if column == "nostats":
                    rec["nostats"] = c
                else:
                    rec["by_mem"][column] = c
        means = [rec["by_mem"][m]["mean"] for m in MEMS
                 if m in rec["by_mem"]]
        rec["spread"] = (round(max(means) / min(means), 3)
                         if means and min(means) > 0 else None)
        detail = rec["by_mem"].get(DETAIL_MEM, {"worst": [None, None]})
        rec["worst_alloc"], rec["worst_free"] = detail["worst"]
        rows.append(rec)
    return rows


def build_footprint(found, rows):
    by_label = {r["label"]: r for r in rows}
    samples = {}
    for f in found.get("sample", []):
        samples.setdefault(f[0], []).append([int(x) for x in f[1:]])
    out = []
    for f in found.get("footprint", []):
        name = f[0]
        live, blocks, pages, page_size = (int(x) for x in f[1:])
        row = by_label[name]["by_mem"][DETAIL_MEM]
        out.append({
            "label": name.replace(", random trace", ""),
            "row": name,
            "peak_live_bytes": live, "peak_live_blocks": blocks,
            "peak_taken_bytes": pages * page_size,
            "peak_live_kib": round(live / 1024, 3),
            "peak_taken_kib": round(pages * page_size / 1024, 3),
            "ratio": round(pages * page_size / live, 4) if live else None,
            "mean": row["mean"], "worst_alloc": row["worst"][0],
            "worst_free": row["worst"][1],
            "samples": [[s[0], s[1], s[2] * page_size]
                        for s in samples.get(name, [])],
        })
    return out


# The figures a reader looks for first, each taken from the rows above:
# (label, how, rows).  "mean" is a row's mean at DETAIL_MEM, "nostats" its
# mean without lock statistics, "worst_alloc"/"worst_free" the largest of
# that figure over the rows named, "ratio" a footprint's.
KEY_FIGURES = [
    ("kmem_cache_alloc+free, hit", "mean",
     ["kmem_cache_alloc+free (64 B), hit"]),
    ("kmalloc(64)+kfree, hit", "mean", ["kmalloc(64)+kfree, cache hit"]),
    ("page_alloc(1)+page_free, hit", "mean",
     ["page_alloc(1)+page_free, cache hit"]),
    ("acquire+release, lock statistics on", "mean", ["acquire+release"]),
    ("acquire+release, lock statistics off", "nostats",
     ["acquire+release"]),
    ("kmem_cache pair, 1000 objects live", "mean",
     ["kmem_cache_alloc+free (64 B), 1000 live"]),
    ("worst single kmalloc <= 2 KiB", "worst_alloc",
     ["kmalloc(8)+kfree, cache hit", "kmalloc(64)+kfree, cache hit",
      "kmalloc(256)+kfree, cache hit", "kmalloc(1024)+kfree, cache hit",
      "kmalloc(2048)+kfree, cache hit", "kmalloc(64)+kfree, 1000 live",
      "kmalloc 8..2048 B, 48 KiB each, then kfree",
      "kmalloc+kfree, random trace"]),
    ("worst single page_alloc(1)", "worst_alloc",
     ["page_alloc(1)+page_free, cache hit",
      "page_alloc(1) x4096, page_free in random order"]),
    ("worst single page_free of one page", "worst_free",
     ["page_alloc(1)+page_free, cache hit",
      "page_alloc(1) x4096, page_free in random order"]),
    ("random trace: kmalloc instructions per op", "mean",
     ["kmalloc+kfree, random trace"]),
    ("random trace: kmalloc footprint ratio", "ratio", ["kmalloc+kfree"]),
]


def key_figures(rows, footprint):
    by_label = {r["label"]: r for r in rows}
    by_label.update({f["label"]: f for f in footprint})
    out = []
    for label, how, names in KEY_FIGURES:
        found = [by_label[n] for n in names if n in by_label]
        if how == "mean":
            values = [r["by_mem"][DETAIL_MEM]["mean"] for r in found]
        elif how == "nostats":
            values = [r["nostats"]["mean"] for r in found if "nostats" in r]
        else:
            values = [r[how] for r in found]
        out.append({"label": label, "value": max(values) if values else None,
                    "how": how, "rows": names})
    return out


# --- SMP scaling -------------------------------------------------------------

def smp_boot(arch, elf, harts):
    found = parse(boot(arch, elf, SMP_MEM, harts, "bench_smp", icount=False,
                       timeout=120))
    loops = {}
    for f in found.get("smp", []):
        per_hart = [tuple(int(x) for x in h.split(":"))
                    for h in f[2].split(",")]
        loops[f[0]] = {"harts": int(f[1]), "per_hart": per_hart,
                       "locks": {}}
    for f in found.get("smp_lock", []):
        loops[f[0]]["locks"][f[2]] = [f[1], int(f[3]), int(f[4])]
    return loops


def summarize_smp(loop, harts, image, runs):
    per_run = []
    for r in runs:
        rates = [ops / ns * 1e9 for ops, ns in r["per_hart"] if ns]
        ops = sum(o for o, _ in r["per_hart"])
        level = {"page": [0, 0], "cache": [0, 0]}
        for lvl, acq, cont in r["locks"].values():
            level[lvl][0] += acq
            level[lvl][1] += cont
        per_run.append({
            "ops": ops,
            "ops_per_s_per_hart": statistics.mean(rates) if rates else 0,
            "ops_per_s_total": sum(rates),
            "page_acq": 1000 * level["page"][0] / ops if ops else 0,
            "cache_acq": 1000 * level["cache"][0] / ops if ops else 0,
            "page_contended": 1000 * level["page"][1] / ops if ops else 0,
            "cache_contended": 1000 * level["cache"][1] / ops if ops else 0,
            "locks": {k: v[1:] for k, v in sorted(r["locks"].items())},
        })

    def med(key, digits=1):
        return round(statistics.median(p[key] for p in per_run), digits)

    same_ops = len({p["ops"] for p in per_run}) == 1
    same_locks = len({str(p["locks"]) for p in per_run}) == 1
    if not same_ops:
        same = "cut"  # the time limit stopped some runs early
    else:
        same = "yes" if same_locks else "no"
    # Per-hart cache hits: an operation the magazine served takes no lock,
    # and a miss takes the lock behind that cache once (a slab's growth
    # takes the page lock inside the cache lock, on a miss already
    # counted).  Page runs never go through a cache.
    guard = {"kmalloc": "cache_acq", "kmem_cache": "cache_acq",
             "page": "page_acq"}.get(loop)
    hit = round(max(0.0, 100 - med(guard, 3) / 10), 1) if guard else None
    return {
        "label": f"{loop}, {harts} hart{'s' if harts > 1 else ''}"
                 + ("" if image == "caches" else ", no caches"),
        "loop": loop, "harts": harts, "image": image,
        "ops_per_s_per_hart": med("ops_per_s_per_hart", 0),
        "ops_per_s_total": med("ops_per_s_total", 0),
        "page_acq": med("page_acq", 3), "cache_acq": med("cache_acq", 3),
        "page_contended": med("page_contended", 3),
        "cache_contended": med("cache_contended", 3),
        "acq_identical": same,
        "hit_pct": hit,
        "per_run": per_run,
    }


def run_smp(arch, images, harts_list, nruns):
    rows = []
    for image, elf in images.items():
        for harts in harts_list:
            runs = [smp_boot(arch, elf, harts) for _ in range(nruns)]
            for loop in runs[0]:
                rows.append(summarize_smp(loop, harts, image,
                                          [r[loop] for r in runs]))
    return rows


# --- Putting it together ---------------------------------------------------

def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("arch", choices=["rv32", "rv64"])
    ap.add_argument("elf")
    ap.add_argument("nostats")
    ap.add_argument("--nocache", help="image without per-hart caches")
    ap.add_argument("--out", default="build/bench/results.json")
    ap.add_argument("--smp-runs", type=int, default=3)
    ap.add_argument("--harts", default="1,2,4,8")
    ap.add_argument("--no-smp", action="store_true")
    args = ap.parse_args(argv)
    nocache = args.nocache or f"build/{args.arch}/nocache/kernel.elf"
    started = time.monotonic()

    columns, repeatable = run_deterministic(args.arch, args.elf, args.nostats)
    rows = build_rows(columns)
    trace = columns[DETAIL_MEM].get("trace", [None])[0]
    q = {
        "arch": args.arch, "mems": MEMS, "detail_mem": DETAIL_MEM,
        "overhead": int(columns[DETAIL_MEM]["overhead"][0][0]),
        "rows": rows,
        "footprint": build_footprint(columns[DETAIL_MEM], rows),
        "trace": trace and dict(zip(["ops", "max_live", "min_size",
                                     "max_size", "seed"],
                                    (int(x) for x in trace))),
        "repeatable": repeatable,
    }
    q["key_figures"] = key_figures(rows, q["footprint"])
    if not args.no_smp:
        images = {"caches": args.elf}
        if os.path.exists(nocache):
            images["nocache"] = nocache
        harts = [int(h) for h in args.harts.split(",")]
        q["smp"] = {"images": {"caches": args.elf,
                               "nocache": images.get("nocache")},
                    "nocache_path": nocache, "runs": args.smp_runs,
                    "mem": SMP_MEM, "host_cpus": os.cpu_count(),
                    "rows": run_smp(args.arch, images, harts,
                                    args.smp_runs)}
    data = benchdata.load(args.out)
    data["qemu"] = q
    data.setdefault("machine", {}).update(benchdata.machine_info({
        "qemu": [qemu_for(args.arch), "--version"],
        "cross gcc": ["riscv64-unknown-elf-gcc", "-dumpversion"]}))
    benchdata.save(args.out, data)
    print("\n".join(benchdata.render(data, parts=("qemu",))))
    problems = bench_check.check_tables(data, benchdata.render(data))
    for p in problems:
        print(f"bench: {p}")
    print(f"\nbench: wrote {args.out} in {time.monotonic() - started:.0f} s;"
          f" {'every row printed is in it' if not problems else 'BROKEN'}")
    return 0 if repeatable["identical"] and not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
