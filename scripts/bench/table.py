#!/usr/bin/env python3
"""Prints scripts/bench.sh's results table.

    table.py RESULTS.tsv

Each line: role (ferry|base), group, label, seconds, rows, peak_kb, sqlite_bytes, note. Empty
seconds means the tool did not run (the note says why). "ferry ÷" is Ferry's rows/s in the same
group (same SQLite file) divided by the line's rows/s: above 1 means Ferry is faster.
"""
import sys


def num(s):
    return float(s) if s not in ("", "-") else None


def main():
    rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
    ferry_rps = {}
    for role, group, label, sec, n, kb, size, note in rows:
        if role == "ferry" and num(sec):
            ferry_rps[group] = float(n) / float(sec)
    w = max([len(r[2]) for r in rows] + [4])
    print("%-*s %9s %12s %8s %9s %9s" % (w, "tool", "seconds", "rows/s", "MB/s", "peak MB", "ferry ÷"))
    print("-" * (w + 52))
    notes = []
    for role, group, label, sec, n, kb, size, note in rows:
        s = num(sec)
        if s is None:
            print("%-*s %9s %12s %8s %9s %9s" % (w, label, "-", "-", "-", "-", "-"))
        else:
            rps = float(n) / s if s > 0 else 0.0
            mbs = float(size) / 1e6 / s if s > 0 else 0.0
            peak = "%.0f" % (float(kb) / 1024) if num(kb) is not None else "-"
            if role == "ferry":
                ratio = "1.00"
            elif group in ferry_rps and rps > 0:
                ratio = "%.2f" % (ferry_rps[group] / rps)
            else:
                ratio = "-"
            print("%-*s %9.2f %12s %8.1f %9s %9s" % (w, label, s, "{:,.0f}".format(rps), mbs, peak, ratio))
        if note:
            notes.append("  %s: %s" % (label, note))
    if notes:
        print()
        print("\n".join(notes))


if __name__ == "__main__":
    main()
