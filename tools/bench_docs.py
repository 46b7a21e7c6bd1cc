#!/usr/bin/env python3
"""bench_docs.py - put the latest benchmark results into docs/ (make bench-docs).

Usage: tools/bench_docs.py [RESULTS]   (default build/bench/results.json)

Copies RESULTS to docs/performance/results.json, makes the plots there
(tools/bench_plot.py), and writes the tables, printed from that file by
tools/benchdata.py, into docs/performance.md between the markers
"<!-- bench tables: begin -->" and "<!-- bench tables: end -->".
tools/bench_check.py (make test) then finds the two in step.
"""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_check  # noqa: E402
import benchdata  # noqa: E402

DOC = "docs/performance.md"
OUTDIR = "docs/performance"


def main(argv):
    results = argv[0] if argv else "build/bench/results.json"
    data = benchdata.load(results)
    if not data.get("qemu") or not data.get("host"):
        sys.exit(f"bench-docs: {results} lacks the make bench or the make "
                 "bench-host part; run both first")
    os.makedirs(OUTDIR, exist_ok=True)
    copy = os.path.join(OUTDIR, "results.json")
    shutil.copyfile(results, copy)
    subprocess.run([sys.executable, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "bench_plot.py"), copy, OUTDIR],
        check=True)
    with open(DOC) as f:
        doc = f.read()
    start = doc.index(bench_check.BEGIN)
    end = doc.index(bench_check.END) + len(bench_check.END)
    block = bench_check.doc_block(benchdata.render(benchdata.load(copy)))
    with open(DOC, "w") as f:
        f.write(doc[:start] + block + doc[end:])
    print(f"bench-docs: {DOC}, {copy} and the plots in {OUTDIR} are up to "
          "date; commit them")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
