# SPDX-License-Identifier: GPL-2.0
"""What the two report scripts of `make bench` share (report.py for the xen
phase, vreport.py for the virtio phase): their arguments, reading the
@@BENCH records and the lab's package list, formatting sizes, times and
tables, and writing OUT.json, OUT.txt and OUT.rst.inc.
"""
import argparse
import datetime
import json
import os
import sys


def size_name(n):
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div and n % div == 0:
            return "%d%s" % (n // div, unit)
    return "%dB" % n


def fmt_us(v):
    if v is None:
        return "-"
    if v >= 100000:
        return "%.0f ms" % (v / 1000)
    if v >= 10000:
        return "%.1f ms" % (v / 1000)
    return "%.0f us" % v


def table(head, rows):
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)] if rows else [len(h) for h in head]
    line = lambda r: "  ".join(str(x).rjust(w[i]) if i else str(x).ljust(w[i]) for i, x in enumerate(r))
    return "\n".join([line(head), line(["-" * x for x in w])] + [line(r) for r in rows])


def rst_table(head, rows):
    w = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    sep = "  ".join("=" * x for x in w)
    line = lambda r: "  ".join(str(x).ljust(w[i]) for i, x in enumerate(r)).rstrip()
    return "\n".join([sep, line(head), sep] + [line(r) for r in rows] + [sep])


def latency_rows(lat, sizes, methods, baselines):
    """The latency table's rows and their summary: per size, every method's
    median (min..max) of @lat[(method, size)], then each of @baselines
    over "ours"."""
    rows, summary = [], []
    for s in sizes:
        row, srow = [size_name(s)], {"size": s}
        for m in methods:
            r = lat.get((m, s))
            if r is None:
                row.append("-")
            elif "error" in r:
                row.append("n/a (%s)" % r["error"])
                srow[m] = {"error": r["error"]}
            else:
                row.append("%s (%s..%s)" % (fmt_us(r["median_us"]), fmt_us(r["min_us"]), fmt_us(r["max_us"])))
                srow[m] = {k: r[k] for k in ("median_us", "min_us", "max_us", "reps")}
        for m in baselines:
            c, o = lat.get((m, s), {}), lat.get(("ours", s), {})
            if "median_us" in c and "median_us" in o and o["median_us"] > 0:
                row.append("%.1fx" % (c["median_us"] / o["median_us"]))
                srow["%s_over_ours" % m] = round(c["median_us"] / o["median_us"], 2)
            else:
                row.append("-")
        rows.append(row)
        summary.append(srow)
    return rows, summary


def add_table(lines, rst, key, title, head, rows):
    """A titled table for OUT.txt (@lines) and for OUT.rst.inc (@rst[@key])."""
    lines.append(title)
    lines.append(table(head, rows))
    lines.append("")
    rst[key] = rst_table(head, rows)


def parse_args():
    """The arguments run.sh and run-virtio.sh pass to their report."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--packages")
    ap.add_argument("--kernel")
    ap.add_argument("--lab-rc", type=int, default=0)
    ap.add_argument("--run-dir")
    ap.add_argument("--config", default="")
    ap.add_argument("--out", required=True)
    return ap.parse_args()


def read_records(path, prog):
    """The JSON records of @path, one a line (none if it does not exist);
    lines that do not parse are reported on stderr as from @prog."""
    recs = []
    if os.path.exists(path):
        with open(path) as f:
            for ln in f:
                ln = ln.strip()
                if not ln:
                    continue
                try:
                    recs.append(json.loads(ln))
                except ValueError:
                    print("%s: unparsable result line: %s" % (prog, ln[:200]), file=sys.stderr)
    return recs


def read_packages(path):
    """The lab root's "package version" list as a dict (empty if none)."""
    pkgs = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for ln in f:
                p = ln.split()
                if len(p) == 2:
                    pkgs[p[0]] = p[1]
    return pkgs


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def write_results(out, config, summary, ratios, recs, lines, rst):
    """OUT.json (configuration, summary, records), OUT.txt (the tables and
    then the ratios) and OUT.rst.inc (the tables for docs/performance.rst)."""
    doc = {"config": config, "summary": {"latency": summary, "ratios": ratios}, "records": recs}
    with open(out + ".json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(out + ".txt", "w") as f:
        f.write("\n".join(lines + ratios) + "\n")
    with open(out + ".rst.inc", "w") as f:
        for k, v in rst.items():
            f.write(".. %s\n\n%s\n\n" % (k, v))


def print_results(out, kinds, lines, ratios):
    """The tables, where the results went (OUT.{@kinds}), the ratios last."""
    print("\n".join(lines))
    print("results: %s.{%s}" % (out, kinds))
    print("\n".join(ratios))
