#!/usr/bin/env python3
"""bench_plot.py - the benchmark plots, as PNG files, from results.json.

Usage: tools/bench_plot.py [RESULTS] [OUTDIR]
       (default build/bench/results.json and build/bench)

Makes, with matplotlib (Debian's python3-matplotlib; scripts/
install-deps.sh --bench installs it):

  instructions-vs-memory.png  instructions per operation at each memory
        size (make bench): the buddy allocator's rows stay flat, the
        REFERENCE linear scan grows with memory;
  smp-scaling.png             operations per second over all harts, and
        acquisitions of the page and cache locks per 1,000 operations,
        against harts (make bench);
  footprint.png               memory over the random trace: bytes live and
        what each allocator holds, on the host (make bench-host) and, for
        RVOS against the first-fit REFERENCE, in QEMU (make bench).

A part whose figures results.json does not have is left out, and said so.
When the python3 that runs it has no matplotlib, it runs itself again
with Debian's /usr/bin/python3, which python3-matplotlib installs into.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchdata  # noqa: E402

from plotting import need_matplotlib  # noqa: E402

need_matplotlib("bench-plot", "scripts/install-deps.sh --bench")
import matplotlib.pyplot as plt  # noqa: E402

# The rows drawn against memory size: those whose cost could depend on it.
MEMORY_ROWS = [
    "page_alloc(1)+page_free, cache hit",
    "page_alloc(16)+page_free",
    "page_alloc(1000)+page_free",
    "global path, 10 splits + 10 merges",
    "kmalloc(64)+kfree, cache hit",
    "kmalloc+kfree, random trace",
    "REFERENCE first-fit, random trace",
    "REFERENCE linear scan: alloc(1)+free, filling",
]
METADATA = {"Software": None}  # no matplotlib version: the files stay put


def mem_mib(mem):
    return int(mem[:-1]) * (1024 if mem.endswith("G") else 1)


def plot_memory(q, path):
    fig, ax = plt.subplots(figsize=(10, 5))
    xs = [mem_mib(m) for m in q["mems"]]
    for row in q["rows"]:
        if row["label"] not in MEMORY_ROWS:
            continue
        ys = [row["by_mem"][m]["mean"] for m in q["mems"]]
        style = "--" if row["label"].startswith("REFERENCE") else "-"
        ax.plot(xs, ys, style, marker="o", label=row["label"])
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(xs, [f"{m} MiB" for m in xs])
    ax.set_xlabel("memory (QEMU -m)")
    ax.set_ylabel("instructions per pair or operation (mean)")
    ax.set_title(f"Instructions against memory size ({q['arch']}, "
                 "qemu -icount, one hart)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=METADATA)
    plt.close(fig)


def plot_smp(q, path):
    smp = q["smp"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    loops = []
    for r in smp["rows"]:
        if r["loop"] not in loops:
            loops.append(r["loop"])
    for image, style in (("caches", "-"), ("nocache", ":")):
        for i, loop in enumerate(loops):
            rows = [r for r in smp["rows"]
                    if r["loop"] == loop and r["image"] == image]
            if not rows:
                continue
            harts = [r["harts"] for r in rows]
            color = f"C{i}"
            suffix = "" if image == "caches" else ", caches off"
            left.plot(harts, [r["ops_per_s_total"] for r in rows], style,
                      marker="o", color=color, label=loop + suffix)
            right.plot(harts, [r["page_acq"] + r["cache_acq"] for r in rows],
                       style, marker="o", color=color, label=loop + suffix)
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 2, 4, 8], ["1", "2", "4", "8"])
        ax.set_xlabel("harts")
        ax.grid(True, which="both", alpha=0.3)
    left.set_yscale("log")
    left.set_ylabel("operations per second, all harts (median)")
    left.set_title(f"Throughput (wall clock; host has {smp['host_cpus']} "
                   "CPUs)", fontsize=10)
    right.set_yscale("symlog", linthresh=1)
    right.set_ylim(bottom=0)
    right.set_ylabel("page + cache lock acquisitions per 1,000 ops")
    right.set_title("Global lock acquisitions (counts, not time)",
                    fontsize=10)
    right.legend(fontsize=7)
    fig.suptitle(f"SMP scaling ({q['arch']}, multi-threaded TCG)")
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=METADATA)
    plt.close(fig)


def plot_footprint(data, path):
    host, q = data.get("host"), data.get("qemu")
    panels = [p for p in (host, q and q.get("footprint")) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5),
                             squeeze=False)
    axes = axes[0]
    if host:
        ax = axes[0]
        live = None
        for r in host["rows"]:
            s = r["samples"]
            live = live or s
            ax.plot([x[0] for x in s], [x[2] / 1024 for x in s],
                    label=f"{r['label']} (peak {r['rss_ratio']:.2f}x)")
        if live:
            ax.plot([x[0] for x in live], [x[1] / 1024 for x in live], "k--",
                    label="live bytes requested")
        t = host["trace"]
        ax.set_title(f"Host: resident set growth over the trace "
                     f"({t['max_live']} live at most)", fontsize=10)
        ax.set_xlabel("operations done")
        ax.set_ylabel("KiB")
        ax.legend(fontsize=7)
        ax.grid(True, alpha=0.3)
    if q and q.get("footprint"):
        ax = axes[-1]
        for f in q["footprint"]:
            s = f["samples"]
            ax.plot([x[0] for x in s], [x[2] / 1024 for x in s],
                    label=f"{f['label']}: pages taken (peak {f['ratio']:.2f}x)")
        s = q["footprint"][0]["samples"]
        ax.plot([x[0] for x in s], [x[1] / 1024 for x in s], "k--",
                label="live bytes requested")
        ax.set_title(f"QEMU ({q['arch']}): pages taken over the trace "
                     f"({q['trace']['max_live']} live at most)", fontsize=10)
        ax.set_xlabel("operations done")
        ax.set_ylabel("KiB")
        ax.legend(fontsize=7)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=METADATA)
    plt.close(fig)


def main(argv):
    results = argv[0] if argv else "build/bench/results.json"
    outdir = argv[1] if len(argv) > 1 else "build/bench"
    data = benchdata.load(results)
    os.makedirs(outdir, exist_ok=True)
    q = data.get("qemu")
    made = []
    if q:
        plot_memory(q, os.path.join(outdir, "instructions-vs-memory.png"))
        made.append("instructions-vs-memory.png")
        if q.get("smp", {}).get("rows"):
            plot_smp(q, os.path.join(outdir, "smp-scaling.png"))
            made.append("smp-scaling.png")
        else:
            print("bench-plot: no SMP figures: smp-scaling.png not made")
    else:
        print("bench-plot: no make bench figures in " + results)
    if data.get("host") or (q and q.get("footprint")):
        plot_footprint(data, os.path.join(outdir, "footprint.png"))
        made.append("footprint.png")
    print(f"bench-plot: {', '.join(made) or 'nothing'} in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
