#!/usr/bin/env python3
"""memviz.py - pictures of RVOS's memory: page maps and fragmentation.

Usage: tools/memviz.py LOG OUTDIR
       tools/memviz.py --run LOG OUTDIR [--arch rv64] [--smp 4] [--seconds 20]

Reads a console log (what `make run` printed) and makes PNG files with
matplotlib (Debian's python3-matplotlib; scripts/ensure-deps.sh
matplotlib installs it):

  memmap-LABEL.png   each `memmap raw` dump in the log as a coloured
                     image, one pixel a page, a row 1 MiB (256 pages),
                     with the busiest 4 MiB beside it, larger.  LABEL is
                     the last "memviz: LABEL" line before the dump (an
                     `echo memviz: LABEL`), or "dump-N".
  stress.png         the fragmentation series of a `stress` run (its
                     "frag,..." lines, docs/stress.md): memory in use
                     (the managed pages buddyinfo gives, less the free
                     ones), and the fragmentation with the unusable
                     free space index of orders 0, 4 and 9, against the
                     run's time.

With --run it first makes the log: it boots `make run` with a pipe for
its input (as tools/run_test.py does), types a hands-on session (alloc,
kmalloc, and frees that leave holes), `memmap raw` before and after, and
`stress SECONDS`, and saves what the kernel printed to LOG.  make memviz
runs it so.  The format of memmap raw is in docs/handson.md.
"""

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from plotting import need_matplotlib  # noqa: E402

need_matplotlib("memviz", "scripts/ensure-deps.sh matplotlib")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

# memmap raw's kinds, in the order of the legend, and their colours.
KINDS = [
    ("kernel", "kernel image", "#404040"),
    ("dtb", "device tree", "#8e44ad"),
    ("bitmaps", "page bitmaps", "#a0522d"),
    ("reserved", "reserved", "#000000"),
    ("free", "free", "#f4f4f4"),
    ("magazine", "magazine (per-hart)", "#f1c40f"),
    ("page", "page_alloc", "#2e86de"),
    ("slab", "slab", "#27ae60"),
    ("kmalloc", "large kmalloc", "#e74c3c"),
]
KIND_INDEX = {name: i for i, (name, _, _) in enumerate(KINDS)}
ROW_PAGES = 256  # 1 MiB of 4 KiB pages a row
ZOOM_PAGES = 1024  # the busiest 4 MiB
ZOOM_ROW = 32
METADATA = {"Software": None}  # no matplotlib version: the files stay put


def parse_log(lines):
    """[(label, start, page_size, [kind index a page])] and the frag
    series [{column: value}] of a console log."""
    dumps, series, label, cur = [], [], None, None
    header = None
    for line in lines:
        line = line.rstrip("\r\n")
        if line.startswith("memviz: "):
            label = line[len("memviz: "):].strip()
            continue
        m = re.match(r"memmap raw 1: start (0x[0-9a-f]+) pages (\d+) "
                     r"page-size (\d+)$", line)
        if m:
            cur = (int(m[1], 16), int(m[2]), int(m[3]), [])
            continue
        if cur is not None:
            if line == "memmap raw end":
                start, pages, size, kinds = cur
                if len(kinds) != pages:
                    sys.exit(f"memviz: a dump has {len(kinds)} pages, "
                             f"its header says {pages}")
                dumps.append((label or f"dump-{len(dumps) + 1}", start, size,
                              kinds))
                label, cur = None, None
                continue
            m = re.match(r"(0x[0-9a-f]+) (\d+) ([a-z]+)$", line)
            if not m or m[3] not in KIND_INDEX:
                sys.exit(f"memviz: {line!r} is no line of memmap raw")
            cur[3].extend([KIND_INDEX[m[3]]] * int(m[2]))
            continue
        # The series: a header line, then "frag,..." lines (a ktest log
        # puts "| " before them).
        m = re.search(r"(frag,.*)$", line)
        if m and m[1].startswith("frag,ms,"):
            header = m[1].split(",")
        elif m and header:
            values = m[1].split(",")
            if len(values) == len(header):
                series.append({k: int(v) for k, v in zip(header[1:],
                                                          values[1:])})
    return dumps, series


def busiest_window(kinds):
    """The first page of the ZOOM_PAGES window with the most pages in
    use (not free, not the kernel image), on a ZOOM_ROW boundary."""
    used = [k not in (KIND_INDEX["free"], KIND_INDEX["kernel"]) for k in kinds]
    best, best_at, run = -1, 0, sum(used[:ZOOM_PAGES])
    for at in range(0, max(1, len(kinds) - ZOOM_PAGES + 1), ZOOM_ROW):
        if at:
            run += sum(used[at + ZOOM_PAGES - ZOOM_ROW:at + ZOOM_PAGES]) - \
                sum(used[at - ZOOM_ROW:at])
        if run > best:
            best, best_at = run, at
    return best_at


def grid(kinds, row):
    """kinds as rows of row pages; the last row padded with free."""
    rows = (len(kinds) + row - 1) // row
    padded = kinds + [KIND_INDEX["free"]] * (rows * row - len(kinds))
    return [padded[r * row:(r + 1) * row] for r in range(rows)]


def draw_map(label, start, size, kinds, path):
    cmap = ListedColormap([c for _, _, c in KINDS])
    fig, (whole, zoom) = plt.subplots(
        1, 2, figsize=(11, 6.2), gridspec_kw={"width_ratios": [3, 2]})
    mib = len(kinds) * size >> 20
    whole.imshow(grid(kinds, ROW_PAGES), cmap=cmap, vmin=0,
                 vmax=len(KINDS) - 1, interpolation="nearest", aspect="auto")
    whole.set_title(f"{mib} MiB from {start:#x}, a row 1 MiB ({ROW_PAGES} pages)")
    whole.set_xlabel("page in the row")
    whole.set_ylabel("MiB from the start")
    at = busiest_window(kinds)
    zoom.imshow(grid(kinds[at:at + ZOOM_PAGES], ZOOM_ROW), cmap=cmap, vmin=0,
                vmax=len(KINDS) - 1, interpolation="nearest", aspect="auto")
    zoom.set_title(f"the busiest 4 MiB, from {start + at * size:#x}\n"
                   f"a row {ZOOM_ROW} pages")
    zoom.set_xlabel("page in the row")
    zoom.set_yticks([])
    count = [kinds.count(i) for i in range(len(KINDS))]
    fig.legend(handles=[Patch(facecolor=c, edgecolor="#888888",
                              label=f"{legend} ({count[i]})")
                        for i, (_, legend, c) in enumerate(KINDS)],
               loc="lower center", ncol=5, fontsize=8, frameon=False)
    fig.suptitle(f"RVOS physical memory: {label} (pages of each kind in the legend)")
    fig.tight_layout(rect=(0, 0.08, 1, 0.97))
    fig.savefig(path, dpi=100, metadata=METADATA)
    plt.close(fig)


def draw_series(series, total, path):
    t = [s["ms"] / 1000 for s in series]
    fig, (use, frag) = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    if total:
        use.plot(t, [(total - s["free_pages"]) * 4 / 1024 for s in series],
                 marker=".")
        use.set_ylabel("MiB in use")
    use.set_title("stress on every hart: memory in use and its fragmentation")
    frag.plot(t, [s["fragmentation"] / 1000 for s in series], marker=".",
              label="fragmentation (1 - largest free block / free)",
              linewidth=2)
    for k in (0, 4, 9):
        key = f"unusable_{k}"
        if key in series[0]:
            frag.plot(t, [s[key] / 1000 for s in series], linestyle="--",
                      label=f"unusable index of order {k} "
                      f"({1 << k} page{'s' if k else ''})")
    frag.set_ylabel("share of the free pages")
    frag.set_xlabel("seconds since the run began")
    frag.set_ylim(bottom=0)
    frag.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata=METADATA)
    plt.close(fig)


def managed_total(lines):
    """The managed pages buddyinfo gives ("free F of T pages"), or None."""
    for line in lines:
        m = re.match(r"\s*free \d+ of (\d+) pages", line)
        if m:
            return int(m[1])
    return None


def hands_on_steps(seconds):
    """The session --run types: allocations that leave holes, maps before
    and after, and the stress run."""
    def freed(lines, what, every):
        pattern = r"(alloc|kmalloc): .* at (0x[0-9a-f]+)"
        got = [re.match(pattern, line) for line in lines]
        addrs = [m[2] for m in got if m and m[1] == what]
        return [f"{'free' if what == 'alloc' else 'kfree'} {a}"
                for a in addrs[::every]]

    def holes(lines):
        return freed(lines, "alloc", 2) + freed(lines, "kmalloc", 3) + \
            ["echo memviz: handson", "memmap raw"]

    def clean(lines):
        """Give back what the shell still holds, then stress."""
        cmds = []
        for line in lines:
            m = re.match(r"(alloc|kmalloc): .* at (0x[0-9a-f]+)", line)
            if m and f"at {m[2]} given back" not in "\n".join(lines):
                cmds.append(f"{'free' if m[1] == 'alloc' else 'kfree'} {m[2]}")
        return cmds + [f"stress {seconds}", "echo memviz: after-stress",
                       "memmap raw", "buddyinfo"]
    return [["echo memviz: boot", "buddyinfo", "memmap raw"],
            ["alloc 8"] * 24 + ["alloc 1"] * 16 + ["kmalloc 3000"] * 6 +
            ["kmalloc 1000"] * 12,
            holes, clean, ["poweroff"]]


def run_session(args):
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from run_test import Run, session  # noqa: E402

    first, answer = session(hands_on_steps(args.seconds))
    run = Run("make", [f"ARCH={args.arch}", f"SMP={args.smp}", "MEM=128M"],
              first, args.timeout, answer=answer)
    os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
    with open(args.log, "w") as f:
        f.write("\n".join(run.lines) + "\n")
    if run.status != 0:
        sys.exit(f"memviz: make run ended with {run.how_it_ended()} "
                 f"(the log is {args.log})")
    if not any(line == "stress: passed" for line in run.lines):
        sys.exit(f"memviz: the stress run did not pass (see {args.log})")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("outdir")
    ap.add_argument("--run", action="store_true",
                    help="boot make run and capture the log first")
    ap.add_argument("--arch", default="rv64")
    ap.add_argument("--smp", default="4")
    ap.add_argument("--seconds", type=int, default=20,
                    help="how long the stress run of --run lasts")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="seconds before a --run that does not end is killed")
    args = ap.parse_args(argv)
    if args.run:
        run_session(args)
    with open(args.log, errors="replace") as f:
        lines = f.read().splitlines()
    dumps, series = parse_log(lines)
    if not dumps and not series:
        sys.exit(f"memviz: {args.log} has no memmap raw dump and no stress series")
    os.makedirs(args.outdir, exist_ok=True)
    for label, start, size, kinds in dumps:
        path = os.path.join(args.outdir, f"memmap-{label}.png")
        draw_map(label, start, size, kinds, path)
        print(f"memviz: {path}")
    if series:
        path = os.path.join(args.outdir, "stress.png")
        draw_series(series, managed_total(lines), path)
        print(f"memviz: {path} ({len(series)} samples)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
