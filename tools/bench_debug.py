#!/usr/bin/env python3
"""bench_debug.py - what each memory debugging feature costs when it is on.

Usage: tools/bench_debug.py [ARCH] [TEST_ELF]

Boots the test image (default build/rv32/test/kernel.elf) on one hart
under qemu -icount shift=0 once per mm.debug= setting (none, then each
letter alone, then all of them) and runs the benchmark cases of the pairs
(bench:kmalloc_pairs, bench:page_pairs), whose instruction counts are
exact.  Prints one table: instructions per alloc+free pair, mean and
worst, and the ratio to the run with nothing on.  Nothing is timed.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SETTINGS = ["", "F", "Z", "P", "U", "L", "FZPUL"]
ROWS = ["kmem_cache_alloc+free (64 B), hit", "kmalloc(64)+kfree, cache hit",
        "page_alloc(1)+page_free, cache hit",
        "kmalloc(64)+kfree, 1000 live"]


def pairs(arch, elf, letters):
    out = bench.boot(arch, elf, "128M", 1, "bench:kmalloc_pairs,bench:page_pairs",
                     icount=True,
                     bootargs=f"mm.debug={letters}" if letters else "")
    figures = {}
    for fields in bench.parse(out).get("row", []):
        label, unit, raw = fields[1], fields[2], fields[3:]
        c = bench.counts(raw)
        worst = c["worst"][0] + c["worst"][1] if unit == "pair" else max(c["worst"])
        figures[label] = (bench.mean(unit, c), worst)
    return figures


def main(argv):
    arch = argv[1] if len(argv) > 1 else "rv32"
    elf = argv[2] if len(argv) > 2 else f"build/{arch}/test/kernel.elf"
    runs = {s: pairs(arch, elf, s) for s in SETTINGS}
    base = runs[""]
    print(f"instructions per pair on {arch}, one hart (mean / worst; x: mean "
          "against nothing on)")
    head = "| pair | " + " | ".join(f"mm.debug={s}" if s else "none"
                                   for s in SETTINGS) + " |"
    print(head)
    print("| --- |" + " ---: |" * len(SETTINGS))
    for row in ROWS:
        if row not in base:
            continue
        cells = []
        for s in SETTINGS:
            m, w = runs[s].get(row, (0, 0))
            ratio = m / base[row][0] if base[row][0] else 0
            cells.append(f"{m:.0f} / {w} ({ratio:.1f}x)" if s else f"{m:.0f} / {w}")
        print(f"| {row} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
