#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the @@BENCH lines of a `make bench` lab run into the results.

Writes OUT.json (every record + the lab configuration + the summary),
OUT.txt (the tables), OUT.png (latency vs size, gnuplot) and prints the
tables, then the key ratios as the last lines.  See docs/performance.rst.
"""
import os
import shutil
import subprocess
import sys

from benchlib import (add_table, fmt_us, latency_rows, now_utc, parse_args, print_results,
                      read_packages, read_records, size_name, write_results)

METHODS = ("copy", "gnt", "ours")
PG = "hyper_dmabuf_xen_pages/stats/"
LABEL = {"copy": "copy (libxenvchan)", "gnt": "userspace grants (gntalloc+gntdev)",
         "ours": "hyper_dmabuf"}


def main():
    a = parse_args()
    recs = read_records(a.raw, "report")
    pkgs = read_packages(a.packages)

    first = lambda t: next((r for r in recs if r.get("type") == t), {})
    xen, exp = first("xen"), first("exporter")
    guests = [r for r in recs if r.get("type") == "guest"]
    rtt = first("rtt")
    lat = {}
    for r in recs:
        if r.get("type") == "latency":
            lat[(r["method"], r["size"])] = r
    sizes = sorted({s for (_, s) in lat})
    config = {
        "date": now_utc(),
        "lab": "xen scenario: Xen under QEMU TCG (-smp 2), PV dom0 + 2 PV domUs (1 vCPU each); "
               "exporter domu1, importer domu2",
        "settings": a.config,
        "guest_kernel": (guests[0]["kernel"] if guests else a.kernel),
        "xen": xen.get("xen_version", "?"),
        "xen_commandline": xen.get("xen_commandline"),
        "qemu": pkgs.get("qemu-system-x86", "?"),
        "xen_package": next((v for k, v in pkgs.items() if k.startswith("xen-hypervisor")), "?"),
        "libxenvchan": next((v for k, v in pkgs.items() if k.startswith("libxenmisc")), "?"),
        "guests": guests,
        "ours_available": bool(exp.get("ours_available")),
        "control_rtt_us": rtt.get("median_us"),
        "lab_exit_status": a.lab_rc,
        "run_dir": a.run_dir,
    }

    out = []
    out.append("hyper_dmabuf benchmark, %s" % config["date"])
    out.append("lab: %s" % config["lab"])
    out.append("guest kernel %s, Xen %s, QEMU %s (TCG), libxenvchan %s" % (
        config["guest_kernel"], config["xen"], config["qemu"], config["libxenvchan"]))
    out.append("settings: %s" % a.config)
    if rtt:
        out.append("control channel round trip (vchan ping-pong): median %.0f us; half of it is "
                   "subtracted from every latency" % rtt["median_us"])
    out.append("")

    # latency table
    head = ["size"] + ["%s median (min..max)" % m for m in METHODS] + ["copy/ours", "gnt/ours"]
    rows, summary = latency_rows(lat, sizes, METHODS, ("copy", "gnt"))
    rst = {}
    add_table(out, rst, "latency", "Latency: exporter has a filled buffer -> importer has it and read its last byte", head, rows)

    # sustained
    st = [r for r in recs if r.get("type") == "stream"]
    if st:
        rows = [[r["method"], size_name(r["size"]) if "size" in r else "-",
                 "%.1f" % r["fps"] if "fps" in r else "n/a (%s)" % r.get("error"),
                 str(r.get("frames", "-")), "%.1f" % r["seconds"] if "seconds" in r else "-"] for r in st]
        h = ["method", "frame", "frames/s", "frames", "seconds"]
        add_table(out, rst, "stream", "Sustained double-buffered producer/consumer", h, rows)

    # per-page cost
    pc = [r for r in recs if r.get("type") == "pagecost"]
    if pc:
        rows, prev = [], None
        for r in pc:
            if "error" in r:
                rows.append([size_name(r["size"]), "-", "n/a (%s)" % r["error"], "-", "-", "-", "-", "-", "-"])
            else:
                # the cost of each page added since the previous size:
                # fixed costs (messages, allocations) cancel out
                marg = "-"
                if prev and r["pages"] > prev["pages"]:
                    marg = "%.0f" % ((r["total_us"] - prev["total_us"]) * 1000.0 / (r["pages"] - prev["pages"]))
                    r["marginal_ns_per_page"] = float(marg)
                prev = r
                ci = r.get("counters", {}).get("importer", {})
                kmap, pmap = ci.get(PG + "map_hypercalls", 0), ci.get(PG + "pte_map_hypercalls", 0)
                rows.append([size_name(r["size"]), str(r["pages"]), fmt_us(r["import_us"]),
                             fmt_us(r["map_touch_us"]), fmt_us(r["total_us"]), "%.0f" % r["per_page_ns"], marg,
                             "%d + %d" % (kmap, pmap),
                             "%.0f" % (2.0 * r["pages"] / (kmap + pmap)) if kmap + pmap else "-"])
        h = ["size", "pages", "IMPORT ioctl", "mmap+touch all", "total", "ns/page", "marginal ns/page",
             "map hypercalls (IMPORT + mmap)", "grant ops per hypercall"]
        add_table(out, rst, "pagecost", "hyper_dmabuf per-page map cost (importer side, medians)", h, rows)

    # where the time of ours goes
    ob = [lat[k] for k in sorted(lat) if k[0] == "ours" and "imp_import_us" in lat[k]]
    if ob:
        rows = []
        for r in ob:
            parts = [r.get("exp_export_us", 0), r["imp_import_us"], r["imp_map_read_us"]]
            ci = r.get("counters", {}).get("importer", {})
            dns, mns = ci.get(PG + "last_map_dir_ns"), ci.get(PG + "last_map_data_ns")
            pages = r["size"] // 4096
            call = r.get("imp_import_call_us")
            rows.append([size_name(r["size"]), fmt_us(r["median_us"]), fmt_us(parts[0]), fmt_us(parts[1]),
                         "%s (%s)" % (fmt_us(max(parts[1] - call, 0)), r.get("imp_import_retries", "?"))
                         if call is not None else "-",
                         fmt_us(dns / 1000.0) if dns is not None else "-",
                         fmt_us(mns / 1000.0) if mns is not None else "-",
                         "%.0f" % (mns / pages) if mns is not None else "-",
                         fmt_us(parts[2]), fmt_us(max(r["median_us"] - sum(parts), 0))])
        h = ["size", "total", "EXPORT ioctl", "IMPORT ioctl", "of it: offer not there yet (retries)",
             "dir walk", "data grant maps",
             "ns/page", "mmap + read", "rest (handle over vchan, waits)"]
        add_table(out, rst, "breakdown", "hyper_dmabuf latency breakdown (medians of each part)", h, rows)

    # messages and hypercalls per import, directory pages
    ours = [lat[k] for k in sorted(lat) if k[0] == "ours" and "counters" in lat[k]]
    if ours:
        rows = []
        for r in ours:
            ce, ci = r["counters"].get("exporter", {}), r["counters"].get("importer", {})
            core = lambda c, n: c.get("hyper_dmabuf/stats/%s" % n, 0)
            ring = lambda c, n: sum(v for k, v in c.items()
                                    if k.startswith("hyper_dmabuf_xen/channels/") and k.endswith("/" + n))
            d = r.get("dir", {})
            rows.append([size_name(r["size"]), str(d.get("data_pages", "?")),
                         "%d/%d" % (core(ce, "tx"), core(ce, "rx")),
                         "%d/%d" % (core(ci, "tx"), core(ci, "rx")),
                         "%d/%d" % (ring(ce, "tx_msgs") + ring(ci, "tx_msgs"),
                                    ring(ce, "tx_waits") + ring(ci, "tx_waits")),
                         "%d + %d" % (ci.get(PG + "map_hypercalls", 0), ci.get(PG + "pte_map_hypercalls", 0)),
                         "%s/%s/%s" % (ce.get(PG + "share_dir_pages", "?"), ci.get(PG + "map_dir_pages", "?"),
                                       d.get("bound", "?"))])
        h = ["size", "pages", "core msgs exporter tx/rx", "importer tx/rx", "ring msgs/waits (both)",
             "importer map hypercalls (IMPORT + mmap)", "dir pages granted/read/bound"]
        add_table(out, rst, "messages", "Messages and hypercalls per export+import (debugfs deltas, last repetition), directory pages", h, rows)

    sc = [r for r in recs if r.get("type") == "scale"]
    if sc:
        rows = [[str(r.get("live", r.get("size"))), fmt_us(r["median_us"]) if "median_us" in r else "n/a (%s)" % r.get("error"),
                 "%s..%s" % (fmt_us(r.get("min_us")), fmt_us(r.get("max_us"))),
                 "%.1f s" % r["setup_s"] if "setup_s" in r else "-"] for r in sc]
        h = ["live exports", "1 MiB export+import median", "min..max", "setting up the live exports"]
        add_table(out, rst, "scale", "Scale: export+import with N live exports on the same pair", h, rows)

    # the key ratios, last
    ratios = []
    for s in sizes:
        if s not in (8 << 20, 32 << 20):
            continue
        for m in ("copy", "gnt"):
            c, o = lat.get((m, s), {}), lat.get(("ours", s), {})
            if "median_us" in c and "median_us" in o and o["median_us"] > 0:
                ratios.append("%s latency ratio %s/ours = %.1fx" % (size_name(s), m, c["median_us"] / o["median_us"]))
            else:
                why = o.get("error") or c.get("error") or "missing"
                ratios.append("%s latency ratio %s/ours = n/a (%s)" % (size_name(s), m, why))
    fps = {r["method"]: r["fps"] for r in st if "fps" in r}
    for m in ("copy", "gnt"):
        if m in fps and "ours" in fps:
            ratios.append("8MiB frames/s ratio ours/%s = %.1fx" % (m, fps["ours"] / fps[m]))
    if not config["ours_available"]:
        ratios.append("ours: not available (no Xen backend registered with hyper_dmabuf in this run)")

    write_results(a.out, config, summary, ratios, recs, out, rst)
    plot(a.out, lat, sizes)
    print_results(a.out, "json,txt,png", out, ratios)
    return 0


def plot(out, lat, sizes):
    if not shutil.which("gnuplot") or not sizes:
        return
    dat = out + ".dat"
    with open(dat, "w") as f:
        f.write("# size_bytes copy_us gnt_us ours_us (median; NaN = not measured)\n")
        for s in sizes:
            v = [lat.get((m, s), {}).get("median_us") for m in METHODS]
            f.write("%d %s\n" % (s, " ".join("NaN" if x is None else "%.1f" % max(x, 0.1) for x in v)))
    tics = ", ".join('"%s" %d' % (size_name(s), s) for s in sizes)
    script = """
set terminal pngcairo noenhanced size 900,560 font ",10"
set output "{out}.png"
set title "Buffer sharing latency between two Xen PV domUs (QEMU TCG): filled buffer -> importer read last byte"
set logscale xy
set xlabel "buffer size"
set ylabel "latency (microseconds, median)"
set xtics ({tics})
set grid
set key top left
set datafile missing "NaN"
plot "{dat}" using 1:2 with linespoints lw 2 title "{l0}", \\
     "" using 1:3 with linespoints lw 2 title "{l1}", \\
     "" using 1:4 with linespoints lw 2 title "{l2}"
""".format(out=out, tics=tics, dat=dat, l0=LABEL["copy"], l1=LABEL["gnt"], l2=LABEL["ours"])
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode:
        print("report: gnuplot failed: %s" % r.stderr.strip(), file=sys.stderr)
    os.unlink(dat)


if __name__ == "__main__":
    sys.exit(main())
