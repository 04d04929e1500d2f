"""Root cause on the exports a support engineer is really handed: short, or taken mid-incident.

The main report benchmark (``bench_report.py``) gives the analysis hours of logs before the
onset and the whole incident up to its rollback. At 3 a.m. the export is often shorter: it
starts a few minutes before the trouble (the last hour from Kibana), or it ends while the
incident is still going on (the logs pulled to find out what is happening). Changes older
than the logs are still in the change list.

For every fault kind with an incident and several seeds, a 3-hour scenario is generated
(``rcakit.generate_incident``) and its logs are cut with ``rcakit.simulate.trim_logs``:

* **starts N min before**: the records from N minutes before the true onset (N = 2, 10, 20,
  30), and an export pulled when the incident was already under way (**starts 5 min
  after**: no record from before the onset);
* **ends N min after**: the records up to N minutes after the true onset (N = 5, 10, 20).

Normal days are cut the same way around their middle (false alarms). Each cut is analysed
with ``rcakit.analyze(DIR)`` and all defaults (the change file found in the directory) and
scored on the JSON report like ``bench_report.py`` (root service, top-1 cause, false alarms).

Generated data goes to ``benchmarks/_work/report_exports/`` (not committed).

Usage: ``python benchmarks/bench_report_exports.py [--seeds N] [--first-seed S] [--quick]``
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import rcakit
from _detect_common import kept_notes
from _report_scoring import analyze_dir, count_ok, progress_line, score_report
from rcakit.simulate import FAULT_KINDS, trim_logs

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "report_exports"
RESULTS = HERE / "results"

#: (label, minutes before the onset the export starts, minutes after the onset it ends)
CUTS: tuple[tuple[str, float | None, float | None], ...] = (
    ("starts 30 min before", 30, None),
    ("starts 20 min before", 20, None),
    ("starts 10 min before", 10, None),
    ("starts 2 min before", 2, None),
    ("starts 5 min after", -5, None),
    ("ends 20 min after", None, 20),
    ("ends 10 min after", None, 10),
    ("ends 5 min after", None, 5),
)


def run_one(fault: str, seed: int, cut: tuple[str, float | None, float | None]) -> dict[str, object]:
    label, before, after = cut
    out = WORK / f"{fault}-{seed}"
    if out.exists():
        shutil.rmtree(out)
    scenario = rcakit.generate_incident(out, fault=fault, seed=seed, hours=3)
    truth = scenario.truth
    anchor = truth.onset
    if anchor is None:  # a normal day: cut around the middle of its logs
        times = rcakit.read_logs([log.path for log in scenario.logs], columns=["timestamp"])["timestamp"]
        anchor = times.min() + (times.max() - times.min()) / 2  # type: ignore[operator]
    trim_logs(
        scenario,
        start=anchor - timedelta(minutes=before) if before is not None else None,
        end=anchor + timedelta(minutes=after) if after is not None else None,
    )
    doc, seconds = analyze_dir(out)
    row: dict[str, object] = {
        "fault": fault,
        "seed": seed,
        "cut": label,
        "seconds": seconds,
        "truth_root": truth.root_service,
        "truth_cause": truth.cause_change_id,
    }
    row.update(score_report(doc, truth))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3, help="seeds per fault kind (default 3)")
    ap.add_argument("--first-seed", type=int, default=11, help="first seed (default 11)")
    ap.add_argument("--quick", action="store_true", help="one seed per fault kind")
    args = ap.parse_args()
    if args.quick:
        args.seeds = 1
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    WORK.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    for fault in FAULT_KINDS:
        for seed in seeds:
            for cut in CUTS:
                row = run_one(fault, seed, cut)
                rows.append(row)
                print(progress_line(f"{fault:18s} seed={seed:<3d} {cut[0]:22s}", row), flush=True)
    total = time.perf_counter() - started

    incidents = [r for r in rows if r["fault"] != "none"]
    by_cut = ["| export | runs | incident found | root service | top-1 cause | false-alarm incidents |", "|---|---|---|---|---|---|"]
    for label, _, _ in CUTS:
        cr = [r for r in incidents if r["cut"] == label]
        fa = sum(int(r["false_alarms"]) for r in rows if r["cut"] == label)  # type: ignore[arg-type]
        by_cut.append(f"| {label} | {len(cr)} | {count_ok(cr, 'found')} | {count_ok(cr, 'root_ok')} | {count_ok(cr, 'cause_ok')} | {fa} |")
    by_fault = ["| fault | runs | incident found | root service | top-1 cause | false-alarm incidents |", "|---|---|---|---|---|---|"]
    for fault in FAULT_KINDS:
        fr = [r for r in rows if r["fault"] == fault]
        fa = sum(int(r["false_alarms"]) for r in fr)  # type: ignore[arg-type]
        if fault == "none":
            by_fault.append(f"| none (normal day) | {len(fr)} | - | - | - | {fa} |")
        else:
            by_fault.append(f"| {fault} | {len(fr)} | {count_ok(fr, 'found')} | {count_ok(fr, 'root_ok')} | {count_ok(fr, 'cause_ok')} | {fa} |")
    n_root = sum(bool(r.get("root_ok")) for r in incidents)
    n_cause = sum(bool(r.get("cause_ok")) for r in incidents)
    false_alarms = sum(int(r["false_alarms"]) for r in rows)  # type: ignore[arg-type]
    wrong = [r for r in incidents if not (r.get("root_ok") and r.get("cause_ok"))]
    per_wrong = ["| fault | seed | export | root (truth) | cause (truth) | false alarms |", "|---|---|---|---|---|---|"] + [
        f"| {r['fault']} | {r['seed']} | {r['cut']} | {r.get('root')} ({r['truth_root']}) | {r.get('cause')} ({r['truth_cause']}) | {r['false_alarms']} |"
        for r in wrong
    ]
    cmd = f"python benchmarks/bench_report_exports.py --seeds {args.seeds} --first-seed {args.first_seed}"
    md = [
        "## Report: root cause on short exports and exports taken during the incident",
        "",
        f"Command: `{cmd}`  ",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        "(shared with other jobs while measured)  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"Seeds {seeds.start}-{seeds.stop - 1} of every fault kind, 3 hours of logs each, cut with "
        "`rcakit.simulate.trim_logs` as below (the change list keeps every change, older ones "
        "included), analysed with `rcakit.analyze(DIR)` and all defaults, scored on the JSON report "
        "(`_report_scoring.py`, as in `report.md`).",
        "",
        f"- root service right: **{n_root}/{len(incidents)}**; top-1 cause right (a change, or "
        f"'no change explains it' for the outages): **{n_cause}/{len(incidents)}**",
        f"- false-alarm incidents, all runs: **{false_alarms}**",
        f"- total wall time {total:.0f} s for {len(rows)} runs",
        "",
        *by_cut,
        "",
        *by_fault,
        "",
        "Runs with a wrong root or cause:" if wrong else "No run with a wrong root or cause.",
        "",
        *(per_wrong if wrong else []),
        "",
    ]
    out = RESULTS / "report_exports.md"
    RESULTS.mkdir(exist_ok=True)
    notes = kept_notes(out)
    out.write_text("\n".join(md) + ("\n" + notes if notes else ""), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
