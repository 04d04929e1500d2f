"""Simulated incidents: onset, services and false alarms of ``detect_anomalies`` over many seeds.

For every fault kind of :data:`rcakit.simulate.FAULT_KINDS` and several seeds, a 6-hour
multi-service estate is generated (``rcakit.generate_incident``), read with
``rcakit.read_logs`` (every log file, not ``deploys.csv``), templated with
``rcakit.mine_templates`` and passed to ``rcakit.detect_anomalies`` with all defaults (no
baseline given: each window is compared with the history before it). The truth is read
only to score the result. Generated data goes to ``benchmarks/_work/`` (not committed).

Usage: ``python benchmarks/bench_detect_incidents.py [--quick] [--seeds N] [--none-days N]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rcakit
from _detect_common import HERE, write_markdown
from rcakit.simulate import FAULT_KINDS

WINDOW = timedelta(minutes=1)
AFTER = timedelta(minutes=15)  # recovery effects after the truth end still belong to the incident


def run_one(fault: str, seed: int, work: Path) -> dict[str, object]:
    out = work / f"{fault}-{seed}"
    if out.exists():
        shutil.rmtree(out)
    scenario = rcakit.generate_incident(out, fault=fault, seed=seed)
    truth = scenario.truth
    files = [str(p) for p in sorted(out.iterdir()) if p.is_file() and p.name != "deploys.csv"]
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logs = rcakit.read_logs(files)
        t_read = time.perf_counter()
        events = rcakit.mine_templates(logs)
        t_mine = time.perf_counter()
        result = rcakit.detect_anomalies(events)
        t_detect = time.perf_counter()
    shutil.rmtree(out)
    row: dict[str, object] = {
        "fault": fault,
        "seed": seed,
        "lines": logs.height,
        "untimed": logs.get_column("timestamp").null_count(),
        "windows": len(result.windows),
        "seconds_detect": t_detect - t_mine,
        "seconds_total": t_detect - t0,
        "seconds_read": t_read - t0,
    }
    if truth.onset is None:
        row["false_alarms"] = len(result.windows)
        return row
    start = min(truth.onset, truth.leak_start or truth.onset)
    end = truth.end or result.study_end
    lo, hi = start - WINDOW, end + AFTER
    matched = [w for w in result.windows if w.start <= end + WINDOW and w.end >= lo]
    row["false_alarms"] = sum(1 for w in result.windows if not (w.start <= hi and w.end >= lo))
    row["detected"] = bool(matched)
    if matched:
        w = min(matched, key=lambda w: abs((w.start - truth.onset).total_seconds()))
        onset_window = truth.onset.replace(second=0, microsecond=0)
        err = (w.start - onset_window) / WINDOW
        row["onset_error_windows"] = err
        row["onset_ok"] = abs(err) <= 1
        if truth.end is not None:
            row["end_error_min"] = (max(m.end for m in matched) - truth.end).total_seconds() / 60.0
        services = set().union(*(m.services for m in matched))
        affected = set(truth.affected_services)
        row["root_ok"] = truth.root_service in services
        row["top_is_root"] = bool(w.services) and w.services[0] == truth.root_service
        row["svc_recall"] = len(services & affected) / len(affected) if affected else 1.0
        row["svc_precision"] = len(services & affected) / len(services) if services else 0.0
    return row


def summarise(rows: list[dict[str, object]]) -> list[str]:
    lines = [
        "| fault | runs | detected | onset within 1 window | median onset error (windows) | root among services | "
        "root ranked first | services recall | services precision | median end error (min) | max end error (min) | "
        "false-alarm windows | detect s (median) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for fault in FAULT_KINDS:
        rs = [r for r in rows if r["fault"] == fault]
        if not rs:
            continue
        fa = sum(int(r["false_alarms"]) for r in rs)  # type: ignore[call-overload]
        sec = statistics.median(float(r["seconds_detect"]) for r in rs)  # type: ignore[arg-type]
        if fault == "none":
            days_with = sum(1 for r in rs if int(r["false_alarms"]) > 0)  # type: ignore[call-overload]
            lines.append(
                f"| none (normal day) | {len(rs)} | - | - | - | - | - | - | - | - | - | {fa} windows; {days_with} of {len(rs)} days with any | {sec:.2f} |"
            )
            continue
        det = [r for r in rs if r.get("detected")]

        def share(key: str, rs: list[dict[str, object]] = det) -> str:
            return f"{sum(1 for r in rs if r.get(key))}/{len(rs)}"

        med = statistics.median(float(r["onset_error_windows"]) for r in det) if det else float("nan")  # type: ignore[arg-type]
        rec = statistics.mean(float(r["svc_recall"]) for r in det) if det else 0.0  # type: ignore[arg-type]
        prec = statistics.mean(float(r["svc_precision"]) for r in det) if det else 0.0  # type: ignore[arg-type]
        ends = [float(r["end_error_min"]) for r in det if "end_error_min" in r]  # type: ignore[arg-type]
        end_med = f"{statistics.median(ends):+.0f}" if ends else "-"
        end_max = f"{max(ends, key=abs):+.0f}" if ends else "-"
        lines.append(
            f"| {fault} | {len(rs)} | {len(det)}/{len(rs)} | {share('onset_ok')} | {med:+.1f} | {share('root_ok')} | "
            f"{share('top_is_root')} | {rec:.2f} | {prec:.2f} | {end_med} | {end_max} | {fa} | {sec:.2f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed per fault and 3 normal days")
    parser.add_argument("--seeds", type=int, default=None, help="seeds per fault kind (default 5)")
    parser.add_argument("--none-days", type=int, default=None, help="normal days (default 20)")
    parser.add_argument("--first-seed", type=int, default=1, help="first seed (use e.g. 101 for a held-out set)")
    parser.add_argument("--topic", default="detect_incidents", help="results file name (benchmarks/results/<topic>.md)")
    args = parser.parse_args()
    seeds = args.seeds or (1 if args.quick else 5)
    none_days = args.none_days or (3 if args.quick else 20)
    work = HERE / "_work" / "detect_incidents"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    first = args.first_seed
    plan = [(f, s) for f in FAULT_KINDS if f != "none" for s in range(first, first + seeds)]
    plan += [("none", s) for s in range(first, first + none_days)]
    for fault, seed in plan:
        row = run_one(fault, seed, work)
        rows.append(row)
        print(
            f"{fault:18s} seed {seed:3d}: windows {row['windows']}, detected {row.get('detected', '-')}, "
            f"onset err {row.get('onset_error_windows', '-')}, root {row.get('root_ok', '-')}, false alarms {row['false_alarms']}, "
            f"untimed {row['untimed']}/{row['lines']}, detect {float(row['seconds_detect']):.2f}s",  # type: ignore[arg-type]
            flush=True,
        )
    table = summarise(rows)
    print("\n".join(table))
    untimed = sum(int(r["untimed"]) for r in rows) / max(sum(int(r["lines"]) for r in rows), 1)  # type: ignore[call-overload]
    nones = [r for r in rows if r["fault"] == "none"]
    fa_days = sum(1 for r in nones if int(r["false_alarms"]) > 0)  # type: ignore[call-overload]
    body = [
        f"{seeds} seed(s) per fault kind ({first}..{first + seeds - 1}), {none_days} normal days "
        f"(seeds {first}..{first + none_days - 1}); 6 hours of logs per run (`generate_incident` defaults), "
        "1-minute windows, all defaults (no baseline given). The onset error is the anomaly window's start minus the "
        "truth onset's window (negative = early). Services: union over the anomaly windows that overlap the incident "
        "(truth onset - 1 window .. end + 15 minutes), compared with `truth.affected_services`; windows outside it "
        "count as false alarms. End error: the last matched anomaly window's end minus the truth's end (how long "
        "after the incident the anomaly is said to last; a window that outlives the incident by more than 15 minutes "
        "inflates the duration a report states).",
        "",
        *table,
        "",
        f"False-alarm target (at most 1 normal day in 20 with an anomaly window; aim 0): {fa_days} of {len(nones)} "
        f"normal days had one ({'met' if fa_days * 20 <= len(nones) else 'missed'}).",
        f"Records without a timestamp (left out of the count matrix, as read by the current `read_logs`): {untimed:.1%}.",
        "",
        (
            "Note: seeds 1-5 and normal days 1-20 were used while developing (normal day 14 exposed a one-window "
            "parameter dip that was then fixed), so these figures are in-sample; `detect_incidents_heldout.md` has "
            "seeds never looked at before that run."
            if first == 1
            else "These seeds were not looked at while developing: a held-out check of the same defaults."
        ),
    ]
    extra = "" if first == 1 else f" --first-seed {first} --topic {args.topic}"
    title = "Detect: simulated incidents" + ("" if first == 1 else f" (held-out seeds from {first})")
    out = write_markdown(
        args.topic,
        title,
        "python benchmarks/bench_detect_incidents.py" + (" --quick" if args.quick else "") + extra,
        body,
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
