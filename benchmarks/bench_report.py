"""Root-cause evaluation of ``rcakit.analyze`` (= ``rcakit report``) on simulated incidents.

For every fault kind of :data:`rcakit.simulate.FAULT_KINDS` and several seeds, a 6-hour
multi-service estate is generated with ``rcakit.generate_incident`` (logs + ``deploys.csv``
in one directory, with decoy deploys), then analysed exactly as ``rcakit report DIR -o
report.json`` does (``rcakit.analyze(DIR)``: the change file is found in the directory,
every other file is read as a log). The JSON report (``to_json()``, the documented
contract) is scored against ``scenario.truth``, which the analysis never sees.

Scored per run:

* **incident found**: an incident overlaps the truth (onset - 2 min .. end + 15 min);
* **root service**: that incident's ``root_service`` equals ``truth.root_service``;
* **top-1 cause**: its ``cause`` equals ``truth.cause_change_id`` (for ``dependency_outage``
  the truth is ``null``: "no change explains this" is the right answer);
* **onset error**: incident ``start`` minus ``truth.onset``;
* **false alarms**: incidents that do not overlap the truth (on normal days: any incident).

Baselines measured on the same reports: *loudest service* (the service with the most
anomalous events in the incident, i.e. counts alone) for the root, and *latest change
before the onset* for the cause.

Generated data goes to ``benchmarks/_work/report/`` (not committed).

Usage: ``python benchmarks/bench_report.py [--quick] [--seeds N] [--none-days N]``
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import rcakit
from _detect_common import kept_notes
from _report_scoring import analyze_dir, progress_line, score_report
from rcakit.simulate import FAULT_KINDS

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "report"
RESULTS = HERE / "results"

#: How to read the figures (kept with the script so the results file is self-contained).
NOTES = """
Notes. The analysis sees only the logs and `deploys.csv`; decoys (an unrelated deploy minutes
before the onset, an earlier deploy of the same service, a rollback after it) are in every
change list. A wrong root service or cause is counted as wrong even when the right answer is
second. Failures here are end-to-end: a log format that the reader does not parse yet (its
records have no timestamp) hides that service from detection and correlation, so its
incidents cannot be explained; the per-run table shows which runs those are.
"""


#: Other shapes of the same estate: less traffic, one log format everywhere, shorter logs.
VARIANTS: dict[str, dict[str, object]] = {
    "default": {},
    "low traffic (rate=0.4)": {"rate": 0.4},
    "very low traffic (rate=0.15)": {"rate": 0.15},
    "all logfmt": {"formats": "logfmt"},
    "3 hours of logs": {"hours": 3.0},
}


def run_one(fault: str, seed: int, variant: str = "default") -> dict[str, object]:
    out = WORK / f"{fault}-{seed}"
    if out.exists():
        shutil.rmtree(out)
    scenario = rcakit.generate_incident(out, fault=fault, seed=seed, **VARIANTS[variant])  # type: ignore[arg-type]
    truth = scenario.truth
    doc, seconds = analyze_dir(out)
    row: dict[str, object] = {
        "variant": variant,
        "fault": fault,
        "seed": seed,
        "seconds": seconds,
        "records": doc["inputs"]["records"],
        "incidents": len(doc["incidents"]),
        "truth_root": truth.root_service,
        "truth_cause": truth.cause_change_id,
    }
    row.update(score_report(doc, truth))
    return row


def _frac(rows: list[dict[str, object]], key: str) -> str:
    vals = [bool(r.get(key)) for r in rows if key in r or "found" in r]
    n_ok = sum(vals)
    return f"{n_ok}/{len(vals)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 seed per fault kind, 2 normal days")
    ap.add_argument("--seeds", type=int, default=4, help="seeds per fault kind (default 4)")
    ap.add_argument("--none-days", type=int, default=6, help="normal days (fault 'none')")
    ap.add_argument(
        "--variants", type=int, default=0,
        help="also run N seeds (from 101) of every fault kind in each non-default variant",
    )
    args = ap.parse_args()
    seeds = 1 if args.quick else args.seeds
    none_days = 2 if args.quick else args.none_days
    WORK.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    started = time.perf_counter()
    for fault in FAULT_KINDS:
        n = none_days if fault == "none" else seeds
        for seed in range(1, n + 1):
            row = run_one(fault, seed)
            rows.append(row)
            print(progress_line(f"{fault:18s} seed={seed:<3d}", row), flush=True)
    variant_rows: list[dict[str, object]] = []
    for variant in list(VARIANTS)[1:] if args.variants else []:
        for fault in FAULT_KINDS:
            for seed in range(101, 101 + args.variants):
                row = run_one(fault, seed, variant)
                variant_rows.append(row)
                print(progress_line(f"[{variant}] {fault:18s} seed={seed}", row), flush=True)
    total = time.perf_counter() - started

    header = (
        "| fault | runs | incident found | root service | top-1 cause | median onset error (s) | "
        "max abs onset error (s) | false-alarm incidents | baseline root: loudest service | "
        "baseline cause: latest change | analyze s (median) |"
    )
    lines = [header, "|" + "---|" * 11]
    for fault in FAULT_KINDS:
        fr = [r for r in rows if r["fault"] == fault]
        secs = statistics.median(float(r["seconds"]) for r in fr)  # type: ignore[arg-type]
        if fault == "none":
            fa = sum(int(r["false_alarms"]) for r in fr)  # type: ignore[arg-type]
            days = sum(1 for r in fr if int(r["false_alarms"]) > 0)  # type: ignore[arg-type]
            lines.append(
                f"| none (normal day) | {len(fr)} | - | - | - | - | - | {fa} ({days} of {len(fr)} days with any) | - | - | {secs:.1f} |"
            )
            continue
        errs = [float(r["onset_error_s"]) for r in fr if "onset_error_s" in r]  # type: ignore[arg-type]
        fa = sum(int(r["false_alarms"]) for r in fr)  # type: ignore[arg-type]
        med = f"{statistics.median(errs):+.0f}" if errs else "-"
        mx = f"{max(abs(e) for e in errs):.0f}" if errs else "-"
        lines.append(
            f"| {fault} | {len(fr)} | {sum(bool(r.get('found')) for r in fr)}/{len(fr)} | "
            f"{sum(bool(r.get('root_ok')) for r in fr)}/{len(fr)} | {sum(bool(r.get('cause_ok')) for r in fr)}/{len(fr)} | "
            f"{med} | {mx} | {fa} | {sum(bool(r.get('base_root_ok')) for r in fr)}/{len(fr)} | "
            f"{sum(bool(r.get('base_cause_ok')) for r in fr)}/{len(fr)} | {secs:.1f} |"
        )
    inc_rows = [r for r in rows if r["fault"] != "none"]
    change_rows = [r for r in inc_rows if r["truth_cause"] is not None]
    null_rows = [r for r in inc_rows if r["truth_cause"] is None]
    n_inc = len(inc_rows)
    root_acc = sum(bool(r.get("root_ok")) for r in inc_rows) / n_inc if n_inc else 0.0
    base_root = sum(bool(r.get("base_root_ok")) for r in inc_rows) / n_inc if n_inc else 0.0
    cause_acc = sum(bool(r.get("cause_ok")) for r in change_rows) / len(change_rows) if change_rows else 0.0
    base_cause = sum(bool(r.get("base_cause_ok")) for r in change_rows) / len(change_rows) if change_rows else 0.0
    null_acc = sum(bool(r.get("cause_ok")) for r in null_rows) / len(null_rows) if null_rows else 0.0
    false_alarms = sum(int(r["false_alarms"]) for r in rows)  # type: ignore[arg-type]
    summary = [
        f"- top-1 cause accuracy (incidents caused by a change): **{cause_acc:.1%}** "
        f"(baseline 'latest change before the onset': {base_cause:.1%}; ratio "
        f"{(cause_acc / base_cause) if base_cause else float('inf'):.2f}x)",
        f"- 'no cause' accuracy (dependency outages): **{null_acc:.1%}**",
        f"- root-service accuracy: **{root_acc:.1%}** (baseline 'loudest service': {base_root:.1%}; "
        f"ratio {(root_acc / base_root) if base_root else float('inf'):.2f}x)",
        f"- false-alarm incidents, all runs: **{false_alarms}**",
        f"- total wall time {total:.0f} s for {len(rows)} runs",
    ]
    target_ok = root_acc == 1.0 and cause_acc == 1.0 and null_acc == 1.0 and false_alarms == 0
    target = (
        "Target (100 % top-1 cause and root service, zero false alarms): **met**."
        if target_ok
        else "Target (100 % top-1 cause and root service, zero false alarms): **missed**; "
        "see the per-run table and the notes below for the reasons."
    )
    per_run = ["| fault | seed | root (truth) | cause (truth) | onset error s | false alarms | s |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        oe = f"{float(r['onset_error_s']):+.0f}" if "onset_error_s" in r else "-"  # type: ignore[arg-type]
        found = "" if r.get("found", True) else " (no incident)"
        per_run.append(
            f"| {r['fault']} | {r['seed']} | {r.get('root')} ({r['truth_root']}){found} | "
            f"{r.get('cause')} ({r['truth_cause']}) | {oe} | {r['false_alarms']} | {float(r['seconds']):.1f} |"  # type: ignore[arg-type]
        )
    cmd = "python benchmarks/bench_report.py" + (" --quick" if args.quick else f" --seeds {seeds} --none-days {none_days}")
    if args.variants:
        cmd += f" --variants {args.variants}"
    var_lines: list[str] = []
    if variant_rows:
        var_lines = [
            f"Variants ({args.variants} seed(s) from 101 per fault kind and variant; `generate_incident` options in brackets):",
            "",
            "| variant | runs | root service | top-1 cause (change-caused) | 'no cause' right (outages) | false-alarm incidents |",
            "|---|---|---|---|---|---|",
        ]
        for variant in list(VARIANTS)[1:]:
            vr = [r for r in variant_rows if r["variant"] == variant]
            inc = [r for r in vr if r["fault"] != "none"]
            chg = [r for r in inc if r["truth_cause"] is not None]
            nul = [r for r in inc if r["truth_cause"] is None]
            var_lines.append(
                f"| {variant} {VARIANTS[variant]} | {len(vr)} | {sum(bool(r.get('root_ok')) for r in inc)}/{len(inc)} | "
                f"{sum(bool(r.get('cause_ok')) for r in chg)}/{len(chg)} | {sum(bool(r.get('cause_ok')) for r in nul)}/{len(nul)} | "
                f"{sum(int(r['false_alarms']) for r in vr)} |"  # type: ignore[arg-type]
            )
        var_lines.append("")
        per_run += [
            f"| {r['fault']} [{r['variant']}] | {r['seed']} | {r.get('root')} ({r['truth_root']}) | "
            f"{r.get('cause')} ({r['truth_cause']}) | "
            + (f"{float(r['onset_error_s']):+.0f}" if "onset_error_s" in r else "-")  # type: ignore[arg-type]
            + f" | {r['false_alarms']} | {float(r['seconds']):.1f} |"  # type: ignore[arg-type]
            for r in variant_rows
        ]
    md = [
        "## Report: root cause on simulated incidents",
        "",
        f"Command: `{cmd}`  ",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        "(shared with other jobs while measured: wall-clock figures are noisy)  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"{seeds} seed(s) per fault kind and {none_days} normal days; 6 hours of logs per run "
        "(`generate_incident` defaults: 7 services in different formats, decoy deploys), analysed "
        "with `rcakit.analyze(DIR)` and all defaults (the path `rcakit report DIR` takes), scored on "
        "the JSON report.",
        "",
        *summary,
        "",
        target,
        "",
        *lines,
        "",
        *var_lines,
        "<details><summary>Per run</summary>",
        "",
        *per_run,
        "",
        "</details>",
        "",
    ]
    md += [NOTES.strip(), ""]
    text = "\n".join(md)
    print()
    print("\n".join(summary))
    print(target)
    print("\n".join(lines))
    print("\n".join(var_lines))
    RESULTS.mkdir(exist_ok=True)
    notes = kept_notes(RESULTS / "report.md")
    (RESULTS / "report.md").write_text(text + ("\n" + notes.rstrip() + "\n" if notes else ""), encoding="utf-8")
    print(f"\nwrote {RESULTS / 'report.md'}")


if __name__ == "__main__":
    main()
