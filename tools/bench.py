#!/usr/bin/env python3
"""bench.py - run the RVOS benchmarks and print them side by side.

Usage: tools/bench.py ARCH TEST_ELF NOSTATS_ELF

Boots the kernel test image with ktest=bench on one hart under
`qemu -icount shift=0`, where minstret counts instructions exactly and
repeatably, once per memory size (32M, 128M, 512M), and the image built
without lock statistics once at 128M.  Prints instructions per operation
in one table, and for the page allocator how much each figure moves
across memory sizes (max / min).
"""

import re
import subprocess
import sys

MEMS = ["32M", "128M", "512M"]
LINE = re.compile(r"bench: (.+?)\s{2,}\s*([0-9]+\.[0-9])\s*$")


def run(arch, elf, mem):
    qemu = f"qemu-system-riscv{arch[2:]}"
    cmd = [qemu, "-machine", "virt", "-bios", "none", "-m", mem, "-smp", "1",
           "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-icount", "shift=0", "-kernel", elf, "-append", "ktest=bench"]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=600).stdout
    results = {}
    for line in out.splitlines():
        m = LINE.search(line)
        if m:
            results[m.group(1).strip()] = float(m.group(2))
    if "not ok" in out or not results:
        sys.exit(f"bench: the {mem} boot failed:\n{out[-2000:]}")
    return results


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    arch, elf, nostats = argv
    columns = {mem: run(arch, elf, mem) for mem in MEMS}
    columns["128M, no lock stats"] = run(arch, nostats, "128M")
    names = list(columns[MEMS[0]])
    heads = list(columns)
    print(f"instructions per operation, {arch}, qemu -icount shift=0, one hart")
    print(f"{'':46}" + "".join(f"{h:>22}" for h in heads) + f"{'max/min':>10}")
    for name in names:
        values = [columns[h].get(name) for h in heads]
        row = "".join(f"{v:>22.1f}" if v is not None else f"{'-':>22}"
                      for v in values)
        across = [columns[m][name] for m in MEMS if name in columns[m]]
        spread = f"{max(across) / min(across):>10.2f}" if min(across) > 0 else ""
        print(f"{name:46}{row}{spread}")


if __name__ == "__main__":
    main(sys.argv[1:])
