#!/usr/bin/env python3
"""bench_check.py - every figure the benchmark tables print is in results.json.

Usage: tools/bench_check.py [RESULTS] [--doc DOC]
       (default docs/performance/results.json and docs/performance.md)

make test runs it (no QEMU, no timing: it reads files).  It renders the
tables of RESULTS with tools/benchdata.py, as make bench and make
bench-host print them, and checks, without trusting the renderer:

  - every record that has a label is printed on exactly one row, and
    every row that starts with a label belongs to that record;
  - every figure on such a row is a value of that record (at the
    precision printed), or "-" for none; every word is one of its
    strings.  A figure worked out at print time, which results.json would
    not hold, fails;
  - labels are unique;
  - DOC shows those very tables, between the markers
    "<!-- bench tables: begin -->" and "<!-- bench tables: end -->".

The last line is "bench-check: ok ..." or the problems found; the exit
status is 0 only if there were none.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchdata  # noqa: E402

BEGIN = "<!-- bench tables: begin -->"
END = "<!-- bench tables: end -->"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
# Long series that no table prints.
NOT_PRINTED = {"samples", "per_run", "locks", "pair_ns_runs",
               "trace_ns_runs", "mt_ops_per_s_runs"}


def records(node, found):
    """Every dict with a label, under each of its labels."""
    if isinstance(node, dict):
        labels = [v for k, v in node.items()
                  if (k == "label" or k.endswith("_label"))
                  and isinstance(v, str)]
        for label in labels:
            found.setdefault(label, []).append(node)
        for k, v in node.items():
            if k not in NOT_PRINTED:
                records(v, found)
    elif isinstance(node, list):
        for v in node:
            records(v, found)
    return found


def values(node, numbers, words):
    """The numbers and strings of a record, nested dicts included."""
    if isinstance(node, bool):
        words.add("yes" if node else "no")
    elif isinstance(node, (int, float)):
        numbers.append(node)
    elif isinstance(node, str):
        words.add(node)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k not in NOT_PRINTED:
                values(v, numbers, words)
    elif isinstance(node, list):
        for v in node:
            values(v, numbers, words)


def token_ok(token, numbers, words):
    if token == "-" or token in words:
        return True
    if not NUMBER.match(token):
        return False
    decimals = len(token.split(".")[1]) if "." in token else 0
    return any(f"{v:.{decimals}f}" == token for v in numbers)


def row_label(line, labels):
    """The longest label the line starts with, followed by a space or end."""
    best = None
    for label in labels:
        if line.startswith(label) and (len(line) == len(label)
                                       or line[len(label)] == " "):
            if best is None or len(label) > len(best):
                best = label
    return best


def check_tables(data, text):
    """Problems with the rendered text against data; [] if none."""
    problems = []
    found = records(data, {})
    for label, recs in found.items():
        if len(recs) > 1:
            problems.append(f"label {label!r} is used {len(recs)} times")
    printed = {}
    for line in text:
        label = row_label(line, found)
        if label is None:
            continue
        printed[label] = printed.get(label, 0) + 1
        numbers, words = [], set()
        values(found[label][0], numbers, words)
        for token in line[len(label):].split():
            if not token_ok(token, numbers, words):
                problems.append(f"row {label!r} prints {token!r}, which "
                                "its record in results.json does not hold")
    for label in found:
        if printed.get(label, 0) != 1:
            problems.append(f"record {label!r} is printed "
                            f"{printed.get(label, 0)} times, not once")
    return problems


def doc_block(text):
    return "\n".join([BEGIN, "```", *text, "```", END])


def check_doc(doc_path, text):
    try:
        with open(doc_path) as f:
            doc = f.read()
    except OSError as e:
        return [f"cannot read {doc_path}: {e}"]
    if doc_block(text) not in doc:
        return [f"{doc_path} does not show the tables of results.json "
                "(remake both with make bench-docs)"]
    return []


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?",
                    default="docs/performance/results.json")
    ap.add_argument("--doc", default="docs/performance.md")
    args = ap.parse_args(argv)
    data = benchdata.load(args.results)
    if not data:
        print(f"bench-check: {args.results} is missing or empty")
        return 1
    text = benchdata.render(data)
    problems = check_tables(data, text) + check_doc(args.doc, text)
    for p in problems:
        print(f"bench-check: {p}")
    if problems:
        print(f"bench-check: {len(problems)} problems")
        return 1
    rows = len(records(data, {}))
    print(f"bench-check: ok: {rows} rows printed, each once, every figure "
          f"in {args.results}; {args.doc} shows the same tables")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
