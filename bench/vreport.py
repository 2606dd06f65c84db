#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The virtio phase of `make bench`: turn the @@BENCH lines of the virtio
scenario's bench run (hdmabuf-vbench) into OUT.json and OUT.txt, print the
tables and then the key ratios as the last lines.  docs/performance.rst.
"""
import sys

from benchlib import (add_table, latency_rows, now_utc, parse_args, print_results,
                      read_packages, read_records, size_name, write_results)

METHODS = ("serial", "ours")


def main():
    a = parse_args()
    recs = read_records(a.raw, "vreport")
    pkgs = read_packages(a.packages)
    guests = [r for r in recs if r.get("type") == "guest"]
    rtt = next((r for r in recs if r.get("type") == "vrtt"), {})
    lat = {(r["method"], r["size"]): r for r in recs if r.get("type") == "vlatency"}
    st = [r for r in recs if r.get("type") == "vstream"]
    sizes = sorted({s for (_, s) in lat})
    config = {
        "date": now_utc(),
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
    rows, summary = latency_rows(lat, sizes, METHODS, ("serial",))
    rst = {}
    add_table(out, rst, "virtio-latency", "virtio latency: exporter has a filled buffer -> importer has it and read its last byte", head, rows)

    if st:
        h2 = ["method", "frame", "frames/s", "frames", "seconds"]
        r2 = [[("virtio-serial" if r["method"] == "serial" else r["method"]), size_name(r["size"]),
               "%.1f" % r["fps"], r["frames"], "%.1f" % r["seconds"]] for r in st]
        add_table(out, rst, "virtio-stream", "virtio sustained 8 MiB frames, one frame in flight", h2, r2)

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

    write_results(a.out, config, summary, ratios, recs, out, rst)
    print_results(a.out, "json,txt", out, ratios)
    return 0 if lat else 1


if __name__ == "__main__":
    sys.exit(main())
