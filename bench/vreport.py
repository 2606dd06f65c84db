#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The virtio phase of `make bench`: turn the @@BENCH lines of the virtio
scenario's bench run (hdmabuf-vbench) into OUT.json and OUT.txt, print the
tables and then the key ratios as the last lines.  docs/performance.rst.
"""
import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import size_name, fmt_us, table, rst_table  # noqa: E402

METHODS = ("serial", "ours")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--packages")
    ap.add_argument("--kernel")
    ap.add_argument("--lab-rc", type=int, default=0)
    ap.add_argument("--run-dir")
    ap.add_argument("--config", default="")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    recs = []
    if os.path.exists(a.raw):
        with open(a.raw) as f:
            for ln in f:
                ln = ln.strip()
                if not ln:
                    continue
                try:
                    recs.append(json.loads(ln))
                except ValueError:
                    print("vreport: unparsable result line: %s" % ln[:200], file=sys.stderr)
    pkgs = {}
    if a.packages and os.path.exists(a.packages):
        with open(a.packages) as f:
            for ln in f:
                p = ln.split()
                if len(p) == 2:
                    pkgs[p[0]] = p[1]
    guests = [r for r in recs if r.get("type") == "guest"]
    rtt = next((r for r in recs if r.get("type") == "vrtt"), {})
    lat = {(r["method"], r["size"]): r for r in recs if r.get("type") == "vlatency"}
    st = [r for r in recs if r.get("type") == "vstream"]
    sizes = sorted({s for (_, s) in lat})
    config = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "lab": "virtio scenario: two QEMU TCG guests (1 vCPU, 512 MiB each), hyper_dmabufd "
               "(vhost-user) the device; exporter vm1, importer vm2; virtio-serial ports "
               "relayed by socat on the host",
        "settings": a.config,
        "guest_kernel": (guests[0]["kernel"] if guests else a.kernel),
        "qemu": pkgs.get("qemu-system-x86", "?"),
        "guests": guests,
        "port_rtt_us": rtt.get("median_us"),
        "lab_exit_status": a.lab_rc,
        "run_dir": a.run_dir,
    }
    out = ["hyper_dmabuf benchmark, virtio, %s" % config["date"],
           "lab: %s" % config["lab"],
           "guest kernel %s, QEMU %s (TCG)" % (config["guest_kernel"], config["qemu"]),
           "settings: %s" % a.config]
    if rtt:
        out.append("port round trip (virtio-serial ping-pong through the relay): median %.0f us; "
                   "half of it is subtracted from every latency" % rtt["median_us"])
    out.append("")

    head = ["size", "virtio-serial median (min..max)", "ours median (min..max)", "serial/ours"]
    rows, summary = [], []
    for s in sizes:
        row, srow = [size_name(s)], {"size": s}
        for m in METHODS:
            r = lat.get((m, s))
            if r is None:
                row.append("-")
            else:
                row.append("%s (%s..%s)" % (fmt_us(r["median_us"]), fmt_us(r["min_us"]), fmt_us(r["max_us"])))
                srow[m] = {k: r[k] for k in ("median_us", "min_us", "max_us", "reps")}
        c, o = lat.get(("serial", s), {}), lat.get(("ours", s), {})
        if "median_us" in c and o.get("median_us", 0) > 0:
            row.append("%.1fx" % (c["median_us"] / o["median_us"]))
            srow["serial_over_ours"] = round(c["median_us"] / o["median_us"], 2)
        else:
            row.append("-")
        rows.append(row)
        summary.append(srow)
    out.append("virtio latency: exporter has a filled buffer -> importer has it and read its last byte")
    out.append(table(head, rows))
    out.append("")
    rst = {"virtio-latency": rst_table(head, rows)}

    if st:
        h2 = ["method", "frame", "frames/s", "frames", "seconds"]
        r2 = [[("virtio-serial" if r["method"] == "serial" else r["method"]), size_name(r["size"]),
               "%.1f" % r["fps"], r["frames"], "%.1f" % r["seconds"]] for r in st]
        out.append("virtio sustained 8 MiB frames, one frame in flight")
        out.append(table(h2, r2))
        out.append("")
        rst["virtio-stream"] = rst_table(h2, r2)

    ratios = []
    for s in sizes:
        if s not in (8 << 20, 32 << 20):
            continue
        c, o = lat.get(("serial", s), {}), lat.get(("ours", s), {})
        if "median_us" in c and o.get("median_us", 0) > 0:
            ratios.append("%s latency ratio virtio-serial/ours = %.1fx" % (size_name(s), c["median_us"] / o["median_us"]))
        else:
            ratios.append("%s latency ratio virtio-serial/ours = n/a (missing)" % size_name(s))
    if not any(s == 8 << 20 for s in sizes):
        ratios.append("8MiB latency ratio virtio-serial/ours = n/a (not measured)")
    fps = {r["method"]: r["fps"] for r in st if "fps" in r}
    if "ours" in fps and fps.get("serial"):
        ratios.append("8MiB frames/s ratio virtio ours/virtio-serial = %.1fx" % (fps["ours"] / fps["serial"]))

    doc = {"config": config, "summary": {"latency": summary, "ratios": ratios}, "records": recs}
    with open(a.out + ".json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(a.out + ".txt", "w") as f:
        f.write("\n".join(out + ratios) + "\n")
    with open(a.out + ".rst.inc", "w") as f:
        for k, v in rst.items():
            f.write(".. %s\n\n%s\n\n" % (k, v))
    print("\n".join(out))
    print("results: %s.{json,txt}" % a.out)
    print("\n".join(ratios))
    return 0 if lat else 1


if __name__ == "__main__":
    sys.exit(main())
