"""benchdata.py - the benchmarks' results.json and the tables printed from it.

tools/bench.py (make bench) fills the "qemu" part, tools/bench_host.py
(make bench-host) the "host" part; each keeps the other's.  Every table
that either prints is made here, from the file alone, by render(): a
figure that is not in results.json cannot be printed.  tools/bench_check.py
(run by make test) checks that, and that docs/performance.md shows the
tables of docs/performance/results.json.

Layout (figures are instructions unless named otherwise):

  machine     where it ran: cpu, cores, os, qemu, compilers
  qemu        arch, overhead (instructions of one empty measurement),
              mems (memory sizes, in order), detail_mem (the size whose
              worst cases the table shows), repeatable (the deterministic
              part run twice: identical or not, and what differed),
              rows: one per benchmark row, each with
                label, section, unit ("pair" or "op"),
                by_mem {MEM: {count, total, worst: [alloc, free],
                              dropped, mean}}, nostats {the same, one size},
                spread (max / min of the means over mems),
                worst_alloc, worst_free (at detail_mem)
              footprint: per allocator of the random trace: label,
                peak_live_bytes, peak_live_blocks, peak_taken_bytes,
                ratio (taken / live), mean, worst_alloc, worst_free,
                samples [[ops, live_bytes, taken_bytes], ...]
              key_figures: label, value, how ("mean", "nostats",
                "worst_alloc", "worst_free" or "ratio") and rows (the rows
                it comes from: a worst is the largest over them)
              smp: images {caches: ELF, nocache: ELF or null}, runs,
                rows: label, loop, harts, image, ops_per_s_per_hart,
                ops_per_s_total (medians over runs), page_acq, cache_acq,
                page_contended, cache_contended (per 1,000 operations,
                medians), acq_identical ("yes": the same counts in every
                run, "no": not, "cut": a run was stopped by the time limit),
                per_run [...], locks {name: [acquisitions, contended]}
  host        allocators [{name, library, present, why_absent}], trace
              (its parameters), timing_runs, pair_counts (the two N),
              rows: label, pair_ir, trace_ir (callgrind instructions per
                pair / per operation), pair_ns, trace_ns (median ns),
                mt_mops (two threads, millions of operations per second,
                median), the runs behind each median, peak_live_bytes,
                peak_rss_delta, rss_ratio (and the same in KiB), and for
                RVOS taken_label, peak_taken_bytes and taken_ratio;
                samples [[ops, live_bytes, rss_bytes], ...]

Every row that a table prints has a "label", unique in the file.
"""

import json
import os
import platform
import subprocess

SECTIONS = [
    ("lock", "spinlocks"),
    ("page", "page allocator"),
    ("slab", "slab caches and kmalloc"),
    ("worst", "worst cases: sequences through the slow paths"),
    ("trace", "the random trace"),
    ("reference", "REFERENCE: the allocators RVOS started with (the roadmap's before)"),
]
NAME_WIDTH = 50


def load(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def save(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


def machine_info(tools):
    """The host: CPU, how many, OS; and the first line of each tool's
    version ({key: command})."""
    info = {"cpu": "unknown", "host CPUs": os.cpu_count(),
            "os": platform.system()}
    for path, key, field in (("/proc/cpuinfo", "model name", "cpu"),
                             ("/etc/os-release", "PRETTY_NAME", "os")):
        try:
            with open(path) as f:
                for text in f:
                    if text.startswith(key):
                        value = text[len(key):].lstrip(" \t:=").strip()
                        info[field] = value.strip('"')
                        break
        except OSError:
            pass
    for key, cmd in tools.items():
        try:
            out = subprocess.run(cmd, capture_output=True, text=True).stdout
        except OSError:
            out = ""
        info[key] = (out.splitlines()[0].replace("QEMU emulator version ", "")
                     if out else "unknown")
    return info


def fmt(value, decimals=0):
    """A figure as the tables print it; "-" where there is none."""
    if value is None:
        return "-"
    return f"{value:.{decimals}f}"


def line(label, cells, widths):
    return f"{label:<{NAME_WIDTH}}" + "".join(
        f"{c:>{w}}" for c, w in zip(cells, widths))


def render_machine(data):
    m = data.get("machine", {})
    if not m:
        return []
    return ["machine: " + "; ".join(f"{k} {m[k]}" for k in sorted(m))]


def render_rows(q):
    mems = q["mems"]
    widths = [6] + [10] * len(mems) + [8, 9, 9, 10]
    out = [
        f"instructions per operation: {q['arch']}, qemu -icount shift=0,sleep=off, "
        f"one hart; {q['overhead']} instructions of measurement "
        "subtracted from each",
        f"mean per pair (alloc + free) or per op; worst: the worst single "
        f"alloc and free at {q['detail_mem']}; the last column is built "
        "without lock statistics",
        "",
        line("", ["", *(["mean"] * len(mems)), "max/", "worst", "worst",
                  "no stats"], widths),
        line("row", ["unit", *mems, "min", "alloc", "free", "mean"],
             widths),
    ]
    for section, title in SECTIONS:
        rows = [r for r in q["rows"] if r["section"] == section]
        if not rows:
            continue
        out.append(f"-- {title}")
        for r in rows:
            cells = [r["unit"]]
            cells += [fmt(r["by_mem"].get(m, {}).get("mean"), 1)
                      for m in mems]
            cells += [fmt(r["spread"], 2), fmt(r["worst_alloc"]),
                      fmt(r["worst_free"]),
                      fmt(r.get("nostats", {}).get("mean"), 1)]
            out.append(line(r["label"], cells, widths))
    return out


def render_key_figures(q):
    out = [f"key figures ({q['arch']}, {q['detail_mem']}; instructions, "
           "means of pairs unless named; each from the rows below)"]
    for k in q["key_figures"]:
        decimals = 2 if k["how"] == "ratio" else (
            0 if k["how"].startswith("worst") else 1)
        out.append(line(k["label"], [fmt(k["value"], decimals)], [10]))
    return out


def render_footprint(q, trace):
    widths = [9, 9, 9, 11, 11, 8]
    out = [
        f"the random trace at {q['detail_mem']}: {trace['ops']} operations, "
        f"at most {trace['max_live']} blocks live, sizes "
        f"{trace['min_size']}..{trace['max_size'] - 1} bytes log-uniform, "
        f"seed {trace['seed']}",
        "taken: pages taken from the page allocator (per-hart caches "
        "included) at the peak; ratio: taken / live, each at its peak",
        "",
        line("allocator", ["mean/op", "worst", "worst", "peak live",
                           "peak taken", "ratio"], widths),
        line("", ["", "alloc", "free", "KiB", "KiB", ""], widths),
    ]
    for f in q["footprint"]:
        out.append(line(f["label"], [
            fmt(f["mean"], 1), fmt(f["worst_alloc"]), fmt(f["worst_free"]),
            fmt(f["peak_live_kib"], 1), fmt(f["peak_taken_kib"], 1),
            fmt(f["ratio"], 2)], widths))
    return out


def render_repeatable(q):
    rep = q.get("repeatable")
    if not rep:
        return []
    if rep["identical"]:
        return [f"repeatable: the deterministic part ran {rep['runs']} "
                f"times and gave identical instruction counts "
                f"({rep['figures']} figures compared)"]
    return [f"NOT REPEATABLE: the deterministic part ran {rep['runs']} "
            f"times and {len(rep['differences'])} of {rep['figures']} "
            "figures differed, first: " + "; ".join(rep["differences"][:3])]


def render_smp(q):
    smp = q.get("smp")
    if not smp:
        return ["SMP scaling: not run"]
    images = [i for i in ("caches", "nocache") if smp["images"].get(i)]
    out = [
        f"SMP scaling: {q['arch']}, multi-threaded TCG (no -icount), "
        f"{smp['mem']}, medians of {smp['runs']} boots; an operation is "
        "one alloc or one free",
        "ops/s are wall-clock and noisy; acq: acquisitions of the page "
        "lock and of cache locks per 1,000 operations; cont: contended "
        "ones",
        f"the host has {smp['host_cpus']} CPUs: with more harts than that, "
        "harts share host CPUs, so ops/s per hart fall even when nothing "
        "is contended (read the total)",
    ]
    if not smp["images"].get("nocache"):
        out.append("per-hart caches off: absent (no image "
                   f"{smp['nocache_path']}; build one to fill the column)")
    widths = [12, 12, 9, 9, 9, 9, 6, 6]
    for image in images:
        title = ("per-hart caches on" if image == "caches"
                 else "per-hart caches off")
        out += ["", f"-- {title} ({smp['images'][image]})",
                line("loop, harts", ["ops/s/hart", "ops/s total", "page",
                                     "cache", "page", "cache", "same",
                                     "hit"],
                     widths),
                line("", ["", "", "acq", "acq", "cont", "cont", "acq", "%"],
                     widths)]
        for r in smp["rows"]:
            if r["image"] != image:
                continue
            out.append(line(r["label"], [
                fmt(r["ops_per_s_per_hart"]), fmt(r["ops_per_s_total"]),
                fmt(r["page_acq"], 1), fmt(r["cache_acq"], 1),
                fmt(r["page_contended"], 1), fmt(r["cache_contended"], 1),
                r["acq_identical"],
                "-" if r.get("hit_pct") is None else fmt(r["hit_pct"], 1)],
                widths))
    out.append("hit %: operations the per-hart caches served, from the "
               "lock counts: a miss takes the lock behind the cache (100 - "
               "its acquisitions / 10; a lower bound where a miss takes it "
               "twice); page runs bypass the caches")
    out.append("same acq: yes if every run took the locks as often (the "
               "counts follow the operations, not the timing); no if harts "
               "raced for the same slabs differently; cut if the 1 s limit "
               "stopped a loop early")
    return out


def render_qemu(data):
    q = data.get("qemu")
    if not q:
        return []
    out = ["== make bench (QEMU) =="]
    if q.get("key_figures"):
        out += render_key_figures(q) + [""]
    out += render_rows(q) + [""]
    if q.get("trace"):
        out += render_footprint(q, q["trace"]) + [""]
    out += render_repeatable(q) + [""] + render_smp(q)
    return out


def render_host(data):
    h = data.get("host")
    if not h:
        return []
    trace = h["trace"]
    widths = [9, 9, 9, 9, 11, 11, 11, 8]
    out = [
        "== make bench-host (x86-64) ==",
        "pair: alloc(64) + free with one object resident; trace: "
        f"{trace['ops']} operations, at most {trace['max_live']} blocks "
        f"live, sizes {trace['min_size']}..{trace['max_size'] - 1} bytes",
        "ir: callgrind instructions (loop included); ns: median of "
        f"{h['timing_runs']} runs; 2-thread: both threads run the trace, "
        "operations per second (median)",
        "memory: peak resident set growth over the trace / peak live "
        "bytes; RVOS: also pages taken / live",
        "",
        line("allocator", ["pair", "pair", "trace", "trace", "2-thread",
                           "peak live", "peak RSS", "ratio"], widths),
        line("", ["ir", "ns", "ir/op", "ns/op", "Mops/s", "KiB", "KiB",
                  ""], widths),
    ]
    for r in h["rows"]:
        out.append(line(r["label"], [
            fmt(r["pair_ir"], 1), fmt(r["pair_ns"], 1),
            fmt(r["trace_ir"], 1), fmt(r["trace_ns"], 1),
            fmt(r["mt_mops"], 2), fmt(r["peak_live_kib"], 1),
            fmt(r["peak_rss_kib"], 1), fmt(r["rss_ratio"], 2)], widths))
        if r.get("taken_ratio") is not None:
            out.append(line(r["taken_label"], [
                "", "", "", "", "", fmt(r["peak_live_kib"], 1),
                fmt(r["peak_taken_kib"], 1), fmt(r["taken_ratio"], 2)],
                widths))
    for a in h["allocators"]:
        if not a["present"]:
            out.append(f"skipped: {a['name']}: {a['why_absent']}")
    return out


def render(data, parts=("qemu", "host")):
    """The tables of results.json, as lines of text."""
    out = render_machine(data)
    if "qemu" in parts:
        out += [""] + render_qemu(data)
    if "host" in parts and data.get("host"):
        out += [""] + render_host(data)
    return out
