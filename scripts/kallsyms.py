#!/usr/bin/env python3
"""kallsyms.py - the table that lets the kernel name its own code addresses.

Usage: scripts/kallsyms.py --empty -o TABLE.S
       scripts/kallsyms.py --nm NM [--anchor NAME] ELF -o TABLE.S
       scripts/kallsyms.py --nm NM --check FIRST_ELF ELF

The Makefile links every image twice, as Linux does for kallsyms: first
with an empty table, then with the table this script makes from `nm` of
the first link.  The table is assembly (TABLE.S) holding one symbol,
kallsyms_table, in a section of its own, .kallsyms, which the linker puts
after the code (the kernel's linker script: after everything), so that
its size moves no code.  --check compares the functions nm finds in the
two links and fails if one moved: an image whose table does not describe
it is never kept.

A function is a code symbol (nm types t, T, w, W) with a size.  Labels
without one (_kernel_start, park, _init) are not functions: lib/kallsyms.c
names the addresses they mark after the function around them, or not at
all.  Aliases (one address, two names) keep one name: global before
local, then the fewest leading underscores, then the alphabet.  Bytes
between two functions (alignment, code without a symbol) become an entry
with no name, so that no function is said to run past its end.

The table's layout is drawn in lib/kallsyms.c, which reads it.
"""

import argparse
import subprocess
import sys

CODE_TYPES = "tTwW"


def read_functions(nm, elf):
    """[(address, size, name)] of the functions in elf, sorted, one a place."""
    out = subprocess.run([nm, "-S", "-n", "--defined-only", elf],
                         check=True, capture_output=True, text=True).stdout
    found = []
    for line in out.splitlines():
        fields = line.split()
        # With a size: "address size type name"; without: three fields.
        if len(fields) != 4 or fields[2] not in CODE_TYPES:
            continue
        size = int(fields[1], 16)
        if size:
            found.append((int(fields[0], 16), size, fields[2], fields[3]))
    found.sort(key=lambda f: (f[0], f[2].islower(), len(f[3]) -
                              len(f[3].lstrip("_")), f[3]))
    functions = []
    for addr, size, _, name in found:
        if functions and functions[-1][0] == addr:
            continue  # an alias: the first name, by the order above, stays
        if functions and addr < functions[-1][0] + functions[-1][1]:
            prev = functions[-1]
            sys.exit("kallsyms: %s at %#x overlaps %s (%#x, %#x bytes) in %s"
                     % (name, addr, prev[2], prev[0], prev[1], elf))
        functions.append((addr, size, name))
    return functions


def make_table(functions, anchor):
    """(words, names): the table's words and its name blob."""
    if not functions:
        return [0, 0, 0], b""
    base = functions[0][0]
    starts, names, blob, where = [], [], bytearray(b"\0"), {}
    for i, (addr, size, name) in enumerate(functions):
        starts.append(addr - base)
        if name not in where:
            where[name] = len(blob)
            blob += name.encode() + b"\0"
        names.append(where[name])
        end = addr + size
        if i + 1 < len(functions) and end < functions[i + 1][0]:
            starts.append(end - base)  # the bytes up to the next function
            names.append(0)
    starts.append(functions[-1][0] + functions[-1][1] - base)
    if starts[-1] >= 1 << 32:
        sys.exit("kallsyms: the code spans more than 4 GiB")
    anchors = [addr for addr, _, name in functions if name == anchor]
    if len(anchors) != 1:
        sys.exit("kallsyms: the anchor %s is defined %d times, not once"
                 % (anchor, len(anchors)))
    return [len(names), anchors[0] - base] + starts + names, bytes(blob)


def assembly(words, blob):
    """The table as assembly for the target's and the host's assembler."""
    n = words[0]
    names = words[3 + n:]
    label = [blob[o:blob.index(b"\0", o)].decode() or "(between functions)"
             for o in names] + ["(end of the code)"]
    lines = ["/* Made by scripts/kallsyms.py from nm of the first link. */",
             '\t.section .kallsyms, "a"',
             "\t.balign 4",
             "\t.globl kallsyms_table",
             "kallsyms_table:",
             "\t.4byte %d\t/* entries */" % n,
             "\t.4byte %#x\t/* the anchor */" % words[1]]
    lines += ["\t.4byte %#x\t/* %s */" % (w, label[i])
              for i, w in enumerate(words[2:3 + n])]
    lines += ["\t.4byte %d" % w for w in names]
    lines += ['\t.ascii "%s"' % blob[o:o + 64].decode().replace("\0", "\\0")
              for o in range(0, len(blob), 64)]
    # No executable stack: the host's linker asks each object.
    lines.append('\t.section .note.GNU-stack, "", @progbits')
    return "\n".join(lines) + "\n"


def check(first, final, elf):
    """Fail unless the two links' functions are the same, at the same places."""
    for one, two in zip(first, final):
        if one != two:
            sys.exit("kallsyms: %s: code moved between the links: %s at %#x "
                     "(%#x bytes) in the first, %s at %#x (%#x bytes) in the "
                     "second; not kept" % (elf, one[2], one[0], one[1],
                                           two[2], two[0], two[1]))
    if len(first) != len(final):
        sys.exit("kallsyms: %s: %d functions in the first link, %d in the "
                 "second; not kept" % (elf, len(first), len(final)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--empty", action="store_true",
                    help="the table of the first link, with no entries")
    ap.add_argument("--nm", help="the nm that reads ELF")
    ap.add_argument("--anchor", default="kallsyms_lookup")
    ap.add_argument("-o", "--output", help="write the table here")
    ap.add_argument("--check", metavar="FIRST_ELF",
                    help="fail unless ELF's code is where it was in FIRST_ELF")
    ap.add_argument("elf", nargs="?")
    args = ap.parse_args()

    if args.empty and args.output:
        words, blob = [0, 0, 0], b""
    elif args.nm and args.elf and (args.output or args.check):
        functions = read_functions(args.nm, args.elf)
        words, blob = make_table(functions, args.anchor)
    else:
        ap.error("give --empty -o, or --nm, an ELF and one of -o and --check")

    if args.check:
        check(read_functions(args.nm, args.check), functions, args.elf)
        print("  %-8s %s: %d entries, %d bytes" % (
            "KALLSYMS", args.elf, words[0], 4 * len(words) + len(blob)))
        return 0
    with open(args.output, "w") as fh:
        fh.write(assembly(words, blob))
    return 0


if __name__ == "__main__":
    sys.exit(main())
