#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the "@bench" records of a benchmark console log into a report.

  report.py --kernel REL --date DATE --out DIR [--wall S] [--vm-rc N] LOG

Writes to DIR: SCENARIO_CC.json (every repetition, derived metrics and
their medians), summary.json (configuration, calibration, accept rates,
dump times at scale), results.md (the comparison table, the dump times),
and the data files plots.gp reads
(loss.dat, buffer.dat). Exits 1 when a run failed (it is also left out of
the medians), when the log has no run at all, or when the VM did not
finish cleanly (--vm-rc); the numbers themselves are never judged.
"""

import argparse
import json
import math
import os
import statistics
import sys

CC_ORDER = ["bbrx", "bbr", "cubic"]
MSS = 1448


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    v = sorted(values)
    k = max(0, math.ceil(p / 100.0 * len(v)) - 1)
    return v[k]


def median(values):
    values = [x for x in values if x is not None]
    return statistics.median(values) if values else None


def derive(rec):
    """Metrics of one repetition."""
    flows = [f for f in rec.get("flows", []) if isinstance(f.get("bps"), (int, float))]
    m = {}
    rates = [f["bps"] / 1e6 for f in flows]
    m["goodput_mbps"] = sum(rates) if rates else None
    m["link_pct"] = (m["goodput_mbps"] / rec["rate_mbit"] * 100) if rates else None
    base = [x for x in rec.get("base_ping_ms", []) if x is not None]
    load = [x for x in rec.get("ping_ms", []) if x is not None]
    m["base_rtt_ms"] = min(base) if base else (min(load) if load else None)
    m["rtt_median_ms"] = statistics.median(load) if load else None
    m["rtt_p95_ms"] = percentile(load, 95) if load else None
    m["ping_samples"] = len(load)
    if m["base_rtt_ms"] and load:
        m["rtt_median_inflation"] = m["rtt_median_ms"] / m["base_rtt_ms"]
        m["rtt_p95_inflation"] = m["rtt_p95_ms"] / m["base_rtt_ms"]
    else:
        m["rtt_median_inflation"] = m["rtt_p95_inflation"] = None
    out, rtx = rec.get("out_segs", 0), rec.get("retrans_segs", 0)
    m["retrans_pct"] = rtx / out * 100 if out > 0 else None
    # iperf3's counts leave out the first (omitted) second, STARTUP's:
    # retransmits / (segments delivered + retransmits), segments of MSS
    # bytes (1500-byte MTU with TCP timestamps).
    if flows and all(isinstance(f.get("retrans"), int) and
                     isinstance(f.get("bytes"), int) for f in flows):
        r = sum(f["retrans"] for f in flows)
        segs = sum(f["bytes"] for f in flows) / MSS + r
        m["retrans_after_1s_pct"] = r / segs * 100 if segs > 0 else None
    if len(rates) == 2 and sum(rates) > 0:
        a, b = rates
        m["jain"] = (a + b) ** 2 / (2 * (a * a + b * b))
        m["share_first"] = a / (a + b)
    fct = [x for x in rec.get("fct_ms", []) if isinstance(x, (int, float))]
    if fct:
        m["fct_median_ms"] = statistics.median(fct)
        m["fct_p95_ms"] = percentile(fct, 95)
    seen = [f.get("cc") for f in rec.get("flows", [])]
    m["cc_seen"] = seen
    return m


# Other processes' CPU (cores, steal included) above which QEMU, which runs
# the guest on one host thread (TCG), has to share its core: the guest then
# stalls, emulated link included. Measured on a 2-core host (2026-12-05,
# clean link, medians of 3 x 10 s per CC): one busy loop beside the VM
# changed nothing, two took bbrx from 95 to 77-84% of the link, bbr from 93
# to 84-87%, cubic from 95 to 91-94% (performance.rst, "Host load").
HOST_SPARE_CORES = 0.25


def host_load(path, runs):
    """What the host's other processes took while the VM ran, from the
    samples of bench.sh's host_sampler; None without samples. Adds
    metrics["host_others_cores"] to each run (its time in the guest, t_ms,
    mapped onto the host's clock from the first sample, taken as QEMU
    started: the guest's clock is the host's under TCG)."""
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    cpus, hz, model, samples = None, None, None, []
    for line in lines:
        w = line.split()
        if len(w) == 5 and w[0] == "#" and w[1] == "cpus" and w[3] == "ticks":
            cpus, hz = int(w[2]), int(w[4])
        elif len(w) > 2 and w[0] == "#" and w[1] == "model":
            model = " ".join(w[2:])
        elif len(w) == 3:
            try:
                samples.append((float(w[0]), int(w[1]), int(w[2])))
            except ValueError:
                pass
    if not cpus or not hz or len(samples) < 2:
        return None
    # Intervals (start, end, others, qemu) in cores; none across QEMU's exit.
    iv = []
    for (t0, b0, q0), (t1, b1, q1) in zip(samples, samples[1:]):
        if t1 <= t0 or q1 < q0 or q1 == 0:
            continue
        dt = (t1 - t0) * hz
        iv.append((t0, t1, max(0.0, (b1 - b0 - (q1 - q0)) / dt), (q1 - q0) / dt))
    if not iv:
        return None

    def mean_over(a, b, k):
        """Time-weighted mean of column k (2: others, 3: QEMU) over [a, b]."""
        parts = [(min(b, v[1]) - max(a, v[0]), v[k]) for v in iv]
        parts = [(w, x) for w, x in parts if w > 0]
        total = sum(w for w, _ in parts)
        return sum(w * x for w, x in parts) / total if total > 0 else None

    vm0 = samples[0][0]
    limit = cpus - 1 + HOST_SPARE_CORES
    busy = []
    for r in runs:
        t = r.get("t_ms")
        if not (isinstance(t, list) and len(t) == 2):
            continue
        o = mean_over(vm0 + t[0] / 1000, vm0 + t[1] / 1000, 2)
        r["metrics"]["host_others_cores"] = o
        if o is not None and o > limit:
            busy.append(f"{r['scenario']} rep {r['rep']} {r['cc']} ({o:.2f})")
    start, end = iv[0][0], iv[-1][1]
    windows = [mean_over(v[0], v[0] + 30, 2) for v in iv if v[0] + 30 <= end]
    worst = max(windows) if windows else mean_over(start, end, 2)
    return {"cpus": cpus, "model": model, "limit_cores": limit,
            "others_cores_mean": mean_over(start, end, 2),
            "others_cores_max_30s": worst,
            "qemu_cores_mean": mean_over(start, end, 3),
            "busy_runs": busy}


def fmt(v, nd=2):
    if v is None:
        return "–"
    return f"{v:.{nd}f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "–"
    return f"{a / b:.2f}"


# Rows of the table: (key, label, digits, shown for kinds).
METRICS = [
    ("goodput_mbps", "goodput Mbit/s", 2, None),
    ("link_pct", "goodput % of link", 0, None),
    ("rtt_median_ms", "RTT median ms", 1, None),
    ("rtt_median_inflation", "RTT median / base", 2, None),
    ("rtt_p95_inflation", "RTT p95 / base", 2, None),
    ("retrans_pct", "retransmits %", 2, None),
    ("retrans_after_1s_pct", "retransmits % after 1st s", 2, None),
    ("jain", "Jain fairness (2 flows)", 3, {"fair2"}),
    ("share_first", "share of CC vs cubic", 3, {"vscubic"}),
    ("fct_median_ms", "short flow FCT median ms", 0, {"short", "idle"}),
    ("fct_p95_ms", "short flow FCT p95 ms", 0, {"short", "idle"}),
]


# Readers timed by the "dump" record: key, label.
DUMP_READERS = [
    ("proc_timewait", "cat /proc/net/tcptune/timewait"),
    ("proc_stats", "cat /proc/net/tcptune/stats"),
    ("tcptunectl_j_timewait", "tcptunectl -j timewait"),
    ("tcptunectl_j_timewait_by_remote", "tcptunectl -j timewait by remote"),
    ("tcptunectl_j_timewait_by_local", "tcptunectl -j timewait by local"),
    ("tcptunectl_j_timewait_by_local_top1000", "tcptunectl -j timewait by local top 1000"),
    ("inet_diag_count", "tw_gen -c (inet_diag count, for comparison)"),
    ("ss_time_wait", "ss -Htan state time-wait (for comparison)"),
    ("tcptunectl_j_listeners", "tcptunectl -j listeners"),
    ("tcptunectl_listeners", "tcptunectl listeners"),
    ("proc_listeners", "cat /proc/net/tcptune/listeners"),
    ("ss_listening", "ss -Htln (for comparison)"),
]


def dump_tables(dump):
    """(title, intro, rows) per part of a "dump" record; rows are
    (reader, lines, ms at scale, ms in the empty namespace)."""
    def ms(t):
        if not isinstance(t, dict):
            return "–"
        if t["ms_min"] == t["ms_max"]:
            return f"{t['ms_min']:.0f}"
        return f"{t['ms_min']:.0f} / {t['ms_median']:.0f} / {t['ms_max']:.0f}"

    def rows(part):
        out = []
        got, empty = part.get("ms") or {}, part.get("empty_ms") or {}
        for key, label in DUMP_READERS:
            if key not in got:
                continue
            t = got[key]
            lines = str(t["lines"]) if isinstance(t, dict) else "–"
            out.append((label, lines, ms(t), ms(empty.get(key)) if key in empty else "–"))
        return out

    reps = dump.get("reps", "?")
    parts = []
    tw = dump.get("timewait")
    if tw:
        intro = (f"{tw['n']} timewait sockets in one namespace (tw_gen -r: "
                 f"{tw.get('rate')}/s, made in {tw['gen_ms'] / 1000:.1f} s). Read "
                 f"{tw['read_at_ms'] / 1000:.1f} s after the first was made: sockstat tw "
                 f"{tw.get('sockstat_before')}, TimeWaitCurrent {tw.get('current')}, sockstat tw "
                 f"{tw.get('sockstat_after')}, inet_diag {tw.get('inet_diag')}; procfs "
                 f"header \"{tw.get('proc_header', '?')}\"; "
                 f"{tw.get('current_after_timings')} left when the timings ended, "
                 f"{tw['timings_end_ms'] / 1000:.1f} s after the start (a timewait socket "
                 f"lives 60 s). Module defaults (timewait_top 10, timewait_max_keys 4096): "
                 f"a walk allocates at most {tw.get('walk_bytes_max')} bytes (peak "
                 f"{tw.get('walk_bytes_peak')}); a timewait socket is {tw.get('tw_sock_bytes')} "
                 f"bytes of slab.")
        parts.append(("TIME_WAIT", intro, rows(tw)))
    ls = dump.get("listeners")
    if ls and ls.get("ms"):
        parts.append(("Listeners", f"{ls['n']} listening sockets in one namespace "
                      "(tcpbench listen).", rows(ls)))
    return reps, parts


def conditions(rec):
    c = f"{rec['rate_mbit']} Mbit/s, RTT {rec['rtt_ms']} ms, buffer {rec['buf_bdp']:g} BDP"
    if rec["loss_pct"]:
        c += f", loss {rec['loss_pct']:g}%"
    if rec["kind"] == "fair2":
        c += ", 2 flows same CC"
    elif rec["kind"] == "vscubic":
        c += ", CC vs 1 cubic flow"
    elif rec["kind"] == "short":
        c += f", {rec.get('short_kb', 100)} KB flows over a bulk flow"
    elif rec["kind"] == "idle":
        c += f", {rec.get('short_kb', 100)} KB flows alone"
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--date", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--wall", type=int, default=None)
    ap.add_argument("--vm-rc", type=int, default=0)
    ap.add_argument("--host", default=None,
                    help="bench.sh's host CPU samples taken while the VM ran")
    ap.add_argument("log")
    a = ap.parse_args()

    records, bad_lines, ended = [], 0, False
    with open(a.log, errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line == "@bench-end":
                ended = True
            if not line.startswith("@bench "):
                continue
            try:
                records.append(json.loads(line[len("@bench "):]))
            except json.JSONDecodeError:
                bad_lines += 1

    config = next((r for r in records if r.get("type") == "config"), {})
    calib = next((r for r in records if r.get("type") == "calibration"), None)
    accept = next((r for r in records if r.get("type") == "accept"), None)
    dump = next((r for r in records if r.get("type") == "dump"), None)
    syn = next((r for r in records if r.get("type") == "synflood"), None)
    runs = [r for r in records if r.get("type") == "run"]

    problems = []
    if a.vm_rc != 0:
        problems.append(f"the VM did not finish cleanly (run-vm.sh exit {a.vm_rc})")
    if not ended:
        problems.append("no @bench-end marker: the run was cut short")
    if bad_lines:
        problems.append(f"{bad_lines} garbled @bench line(s) ignored")
    if not runs:
        problems.append("no run produced a record")

    groups = {}
    for r in runs:
        m = derive(r)
        r["metrics"] = m
        # An idle run has no bulk flow: its data are the completion times.
        key = "fct_median_ms" if r["kind"] == "idle" else "goodput_mbps"
        if not r.get("ok") or m.get(key) is None:
            problems.append(f"{r['scenario']} {r['cc']} rep {r['rep']}: failed, "
                            "left out of the medians")
        groups.setdefault((r["scenario"], r["cc"]), []).append(r)

    scen_order = []
    for r in runs:
        if r["scenario"] not in scen_order:
            scen_order.append(r["scenario"])
    ccs = [c for c in CC_ORDER if any(k[1] == c for k in groups)]
    ccs += sorted({k[1] for k in groups} - set(ccs))

    host = host_load(a.host, runs) if a.host else None

    os.makedirs(a.out, exist_ok=True)
    med = {}
    for (sc, cc), reps in groups.items():
        # A run that failed (listed in problems) does not feed the medians:
        # a fair2 run whose second flow failed has half the goodput.
        good = [r for r in reps if r.get("ok")]
        keys = {k for r in good for k, v in r["metrics"].items()
                if isinstance(v, (int, float))}
        med[(sc, cc)] = {k: median([r["metrics"].get(k) for r in good]) for k in sorted(keys)}
        doc = {"kernel": a.kernel, "date": a.date, "scenario": sc, "cc": cc,
               "kind": reps[0]["kind"], "conditions": conditions(reps[0]),
               "repetitions": reps, "median": med[(sc, cc)]}
        with open(os.path.join(a.out, f"{sc}_{cc}.json"), "w") as f:
            json.dump(doc, f, indent=1)

    acc = None
    if accept and accept.get("unloaded") and accept.get("loaded"):
        off = [x for x in accept["unloaded"] if x]
        on = [x for x in accept["loaded"] if x]
        pairs = [b / x for x, b in zip(accept["unloaded"], accept["loaded"]) if x and b]
        if pairs:
            acc = {"unloaded_median": median(off), "loaded_median": median(on),
                   "ratio_median": median(pairs), "ratio_min": min(pairs),
                   "ratio_max": max(pairs), "rounds": len(pairs),
                   "seconds": accept.get("seconds")}

    synsum = None
    if syn and syn.get("unloaded") and syn.get("loaded"):
        pairs = [b / x for x, b in zip(syn["unloaded"], syn["loaded"]) if x and b]
        cpu = [b - x for x, b in zip(syn.get("cpu_ns_unloaded", []),
                                     syn.get("cpu_ns_loaded", []))
               if x is not None and b is not None]
        if pairs:
            synsum = {"unloaded_median": median([x for x in syn["unloaded"] if x]),
                      "loaded_median": median([x for x in syn["loaded"] if x]),
                      "ratio_median": median(pairs), "ratio_min": min(pairs),
                      "ratio_max": max(pairs), "rounds": len(pairs),
                      "seconds": syn.get("seconds"),
                      "cpu_ns_unloaded_median": median([x for x in syn.get("cpu_ns_unloaded", []) if x]),
                      "cpu_ns_loaded_median": median([x for x in syn.get("cpu_ns_loaded", []) if x]),
                      "cpu_ns_added_median": median(cpu) if cpu else None,
                      "cpu_ns_added_min": min(cpu) if cpu else None,
                      "cpu_ns_added_max": max(cpu) if cpu else None}

    summary = {"kernel": a.kernel, "date": a.date, "config": config,
               "calibration": calib, "accept": accept, "accept_summary": acc,
               "synflood": syn, "synflood_summary": synsum, "dump": dump,
               "wall_seconds": a.wall, "host": host, "problems": problems}
    with open(os.path.join(a.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)

    # --- results.md ---
    L = []
    L.append(f"# tcptune benchmark: bbrx, bbr, cubic on {a.kernel}")
    L.append("")
    L.append(f"- date (UTC): {a.date}")
    L.append(f"- guest: QEMU TCG, {config.get('cpus', '?')} vCPUs; "
             f"{'QUICK subset' if config.get('quick') else 'full matrix'}, "
             f"{config.get('reps', '?')} repetition(s) of {config.get('seconds', '?')} s "
             f"(+1 s omitted) per CC; medians over repetitions")
    if a.wall is not None:
        L.append(f"- wall time of the VM: {a.wall} s")
    if calib:
        link, unshaped = calib["link_mbit"], calib["unshaped_mbps"]
        share = f"{link / unshaped * 100:.0f}%" if unshaped else "?"
        verdict = "ok (at most 1/3)" if calib["ok"] else \
            "**WARNING: more than 1/3, the guest's CPU may be the bottleneck**"
        L.append(f"- calibration: unshaped veth path {unshaped} Mbit/s (one cubic "
                 f"flow); link {link} Mbit/s = {share} of it: {verdict}")
    # The host line, and its warning when some runs had a busy host.
    host_line = host_warning = None
    if host:
        host_line = (
            f"host ({host['cpus']} cores"
            + (f", {host['model']}" if host["model"] else "") +
            "): while the VM ran, other processes took "
            f"{host['others_cores_mean']:.2f} cores on average (steal included), "
            f"{host['others_cores_max_30s']:.2f} at most over 30 s; QEMU itself "
            f"{host['qemu_cores_mean']:.2f}")
        if host["busy_runs"]:
            host_warning = (
                f"WARNING: the host was busy during {len(host['busy_runs'])} run(s), "
                f"other processes taking more than {host['limit_cores']:.2f} cores: "
                + ", ".join(host["busy_runs"]) + ". QEMU then shares its core and "
                "the guest stalls, emulated link included; paced flows (bbrx, bbr) "
                "lose the most: those figures are not the CC's")
    if host_line:
        L.append(f"- {host_line}")
    if host_warning:
        L.append(f"- **{host_warning}**")
    L.append("- RTT: busybox ping every 0.2 s during the transfer, through the "
             "bottleneck queue; base = lowest of 5 pings before it")
    L.append("- retransmits: RetransSegs / OutSegs of the sender's namespace, over the "
             "whole transfer including the first second; \"after 1st s\": iperf3's "
             f"own count, which leaves that second (STARTUP) out, over the segments "
             f"delivered (bytes / {MSS}) plus those retransmits")
    for p in problems:
        L.append(f"- **problem: {p}**")
    L.append("")
    hdr = "| scenario | metric | " + " | ".join(ccs)
    ratios = []
    if "bbrx" in ccs and "cubic" in ccs:
        ratios.append(("bbrx", "cubic"))
    if "bbrx" in ccs and "bbr" in ccs:
        ratios.append(("bbrx", "bbr"))
    hdr += "".join(f" | {x}/{y}" for x, y in ratios) + " |"
    L.append(hdr)
    L.append("|" + "---|" * (2 + len(ccs) + len(ratios)))
    for sc in scen_order:
        first = next(r for r in runs if r["scenario"] == sc)
        first_row = True
        for key, label, nd, kinds in METRICS:
            if kinds and first["kind"] not in kinds:
                continue
            vals = {cc: med.get((sc, cc), {}).get(key) for cc in ccs}
            if all(v is None for v in vals.values()):
                continue
            name = f"**{sc}**<br>{conditions(first)}" if first_row else ""
            first_row = False
            row = f"| {name} | {label} | " + " | ".join(fmt(vals[c], nd) for c in ccs)
            row += "".join(f" | {ratio(vals[x], vals[y])}" for x, y in ratios) + " |"
            L.append(row)
    L.append("")
    if acc:
        L.append("## Instrumentation overhead")
        L.append("")
        L.append(f"Connections per second (connect, send nothing, close) through the "
                 f"unshaped path, {acc['rounds']} alternated rounds of {acc['seconds']} s: "
                 f"tcptune unloaded {acc['unloaded_median']:.0f}/s, loaded "
                 f"{acc['loaded_median']:.0f}/s (medians); loaded/unloaded ratio "
                 f"{acc['ratio_median']:.3f} (rounds: {acc['ratio_min']:.3f} to "
                 f"{acc['ratio_max']:.3f}).")
        L.append("")
    if synsum:
        if not acc:
            L.append("## Instrumentation overhead")
            L.append("")
        s = synsum
        line = (f"SYN flood (raw SYNs from random sources, tcp_syncookies=2: every SYN "
                f"answered with a cookie), {s['rounds']} alternated rounds of "
                f"{s['seconds']} s: SYNs handled per second, tcptune unloaded "
                f"{s['unloaded_median']:.0f}/s, loaded {s['loaded_median']:.0f}/s (medians); "
                f"loaded/unloaded ratio {s['ratio_median']:.3f} (rounds: "
                f"{s['ratio_min']:.3f} to {s['ratio_max']:.3f}).")
        if s["cpu_ns_added_median"] is not None:
            line += (f" Guest CPU time per SYN handled (both ends): unloaded "
                     f"{s['cpu_ns_unloaded_median']:.0f} ns, loaded "
                     f"{s['cpu_ns_loaded_median']:.0f} ns; added by tcptune "
                     f"{s['cpu_ns_added_median']:.0f} ns per SYN (rounds: "
                     f"{s['cpu_ns_added_min']:.0f} to {s['cpu_ns_added_max']:.0f}; TCG, "
                     f"about 15 times slower than hardware).")
        L.append(line)
        L.append("")
    if dump:
        reps, parts = dump_tables(dump)
        L.append("## Dump times at scale")
        L.append("")
        L.append(f"Wall time of each reader, with its exec, in ms (fastest / median / "
                 f"slowest of {reps}), and the same in an empty namespace (the cost of "
                 f"the exec alone).")
        L.append("")
        for title, intro, rows in parts:
            L.append(f"{title}: {intro}")
            L.append("")
            L.append("| reader | lines | ms | ms, empty namespace |")
            L.append("|---|---|---|---|")
            for r in rows:
                L.append("| " + " | ".join(r) + " |")
            L.append("")
    plots = [("goodput_vs_loss.png", "goodput vs random loss"),
             ("rtt_vs_buffer.png", "RTT inflation per buffer size"),
             ("retrans_vs_buffer.png", "retransmits per buffer size")]
    L.append("Plots: " + ", ".join(f"[{t}]({p})" for p, t in plots) + ".")
    L.append("")
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(L))

    # --- results.rst: the same table for the Sphinx documentation ---
    R = [f"{a.kernel}, {a.date} (UTC), QEMU TCG, {config.get('cpus', '?')} vCPUs, "
         f"{config.get('reps', '?')} repetition(s) of {config.get('seconds', '?')} s per CC"
         + (f"; calibration: unshaped path {calib['unshaped_mbps']} Mbit/s, link "
            f"{calib['link_mbit']} Mbit/s" if calib else "") + ".", ""]
    if acc:
        R += [f"Connection rate, tcptune loaded / unloaded: {acc['ratio_median']:.3f} "
              f"(rounds {acc['ratio_min']:.3f} to {acc['ratio_max']:.3f}; "
              f"{acc['unloaded_median']:.0f}/s unloaded).", ""]
    if synsum:
        R += [f"SYN-flood handling rate, tcptune loaded / unloaded: "
              f"{synsum['ratio_median']:.3f} (rounds {synsum['ratio_min']:.3f} to "
              f"{synsum['ratio_max']:.3f}; {synsum['unloaded_median']:.0f} SYN/s "
              f"unloaded).", ""]
    for h in (host_line, host_warning):
        if h:
            R += [f"{h[0].upper()}{h[1:]}.", ""]
    for p in problems:
        R += [f"Problem: {p}.", ""]
    R += [".. list-table::", "   :header-rows: 1", "",
          "   * - scenario", "     - metric"]
    R += [f"     - {c}" for c in ccs] + [f"     - {x}/{y}" for x, y in ratios]
    for sc in scen_order:
        first = next(r for r in runs if r["scenario"] == sc)
        first_row = True
        for key, label, nd, kinds in METRICS:
            if kinds and first["kind"] not in kinds:
                continue
            vals = {cc: med.get((sc, cc), {}).get(key) for cc in ccs}
            if all(v is None for v in vals.values()):
                continue
            R.append(f"   * - {sc + ': ' + conditions(first) if first_row else ''}".rstrip())
            first_row = False
            R.append(f"     - {label}")
            R += [f"     - {fmt(vals[c], nd)}" for c in ccs]
            R += [f"     - {ratio(vals[x], vals[y])}" for x, y in ratios]
    R.append("")
    if dump:
        reps, parts = dump_tables(dump)
        R += [f"Dump times at scale: wall time of each reader, with its exec, in ms "
              f"(fastest / median / slowest of {reps}), and in an empty namespace "
              f"(the exec alone).", ""]
        for title, intro, rows in parts:
            R += [f"{title}: {intro}", "", ".. list-table::", "   :header-rows: 1", "",
                  "   * - reader", "     - lines", "     - ms", "     - ms, empty namespace"]
            for r in rows:
                R.append(f"   * - ``{r[0]}``")
                R += [f"     - {x}".rstrip() for x in r[1:]]
            R.append("")
    with open(os.path.join(a.out, "results.rst"), "w") as f:
        f.write("\n".join(R))

    # --- plot data: CC columns in CC_ORDER, NaN where missing ---
    def default_bulk(r):
        return r["kind"] == "bulk" and r["rtt_ms"] == config.get("rtt_ms", r["rtt_ms"])

    def series(select, xkey):
        pts = {}
        for (sc, cc), reps in groups.items():
            r = reps[0]
            if select(r):
                pts.setdefault(r[xkey], {})[cc] = med[(sc, cc)]
        return sorted(pts.items())

    def col(d, cc, key):
        v = d.get(cc, {}).get(key)
        return "NaN" if v is None else f"{v:.4f}"

    loss = series(lambda r: default_bulk(r) and
                  r["buf_bytes"] == r["rate_mbit"] * r["rtt_ms"] * 125 * config.get("buf_pct", 100) // 100,
                  "loss_pct")
    with open(os.path.join(a.out, "loss.dat"), "w") as f:
        f.write("# loss_pct " + " ".join(CC_ORDER) + "  (goodput Mbit/s)\n")
        for x, d in loss:
            f.write(f"\"{x:g}%\" " + " ".join(col(d, c, "goodput_mbps") for c in CC_ORDER) + "\n")
    buf = series(lambda r: default_bulk(r) and not r["loss_pct"], "buf_bdp")
    with open(os.path.join(a.out, "buffer.dat"), "w") as f:
        f.write("# buf_bdp " + " ".join(f"{c}_rtt_med {c}_rtt_p95 {c}_retrans" for c in CC_ORDER) + "\n")
        for x, d in buf:
            f.write(f"\"{x:g} BDP\" " + " ".join(
                f"{col(d, c, 'rtt_median_inflation')} {col(d, c, 'rtt_p95_inflation')} "
                f"{col(d, c, 'retrans_pct')}" for c in CC_ORDER) + "\n")

    print("\n".join(L))
    if problems:
        print("report: " + "; ".join(problems), file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
