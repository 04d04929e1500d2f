"""BGL (Loghub 2k): 20-line windows, baseline = first half, scored = second half.

Labels (first field, ``-`` = normal) are read only to score the predictions. A window is
anomalous when any of its 20 lines is labelled; it is predicted anomalous when any detector
flags it. Templates are mined with ``rcakit.mine_templates`` on the raw contents (no labels).

Usage: ``python benchmarks/bench_detect_bgl.py [--quick]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rcakit
from _detect_common import bootstrap_prf, prf, shared_or_exit, write_markdown
from rcakit.schemas import LOG_RECORDS

LEVELS = {"FATAL": 21, "ERROR": 17, "SEVERE": 17, "FAILURE": 21, "WARNING": 13, "INFO": 9}
WINDOW = 20


def read_bgl(path: Path) -> tuple[pl.DataFrame, np.ndarray]:
    """BGL lines -> LOG_RECORDS frame (service = component) and the per-line labels."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    parts = [ln.split(None, 9) for ln in lines]
    labels = np.array([p[0] != "-" for p in parts])
    frame = pl.DataFrame(
        {
            "time": [p[4] for p in parts],
            "severity_text": [p[8] for p in parts],
            "service": [p[7] for p in parts],
            "body": [p[9] if len(p) > 9 else "" for p in parts],
        }
    ).with_columns(
        pl.col("time").str.strptime(pl.Datetime("us"), "%Y-%m-%d-%H.%M.%S%.f").dt.replace_time_zone("UTC").alias("timestamp"),
        pl.col("severity_text").replace_strict(LEVELS, default=9, return_dtype=pl.UInt8).alias("severity_number"),
        pl.lit(None, dtype=pl.String).alias("trace_id"),
        pl.lit("{}").alias("attributes"),
        pl.lit(str(path.name)).alias("source"),
        pl.int_range(1, len(lines) + 1).cast(pl.UInt32).alias("line_no"),
        pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
        pl.lit("bgl").alias("format"),
        pl.lit(None, dtype=pl.String).alias("parse_error"),
    )
    return frame.select(LOG_RECORDS.names()).cast(dict(LOG_RECORDS)), labels


def predict(study: pl.DataFrame, base: pl.DataFrame, **options: object) -> np.ndarray:
    """Per 20-line window of ``study``: flagged by any detector?"""
    return _run(study, base, **options)[0]


def _run(study: pl.DataFrame, base: pl.DataFrame, **options: object) -> tuple[np.ndarray, list[str], pl.DataFrame]:
    """Flags per window, the window starts, and the flagged scores."""
    result = rcakit.detect_anomalies(study, baseline=base, window=f"{WINDOW}i", **options)  # type: ignore[arg-type]
    starts = result.counts.filter(pl.col("period") == "study").get_column("window_start").unique().sort()
    flagged = result.scores.filter(pl.col("flagged"))
    hit = set(flagged.get_column("window_start").to_list())
    return np.array([w in hit for w in starts.to_list()]), starts.to_list(), flagged


def explain(study: pl.DataFrame, base: pl.DataFrame, truth: np.ndarray, sev: np.ndarray) -> list[str]:
    """The default's wrong windows: which detector flagged each false positive, what each miss held."""
    pred, starts, flagged = _run(study, base)
    names = study.select("template_id", "template").unique("template_id")
    flagged = flagged.join(names, on="template_id", how="left")
    out = ["| window (study lines) | labelled | flagged | by (detector: service, template, count) | worst level in window |", "|---|---|---|---|---|"]
    levels = {21: "FATAL", 17: "ERROR/SEVERE", 13: "WARNING", 9: "INFO"}
    for i, w in enumerate(starts):
        if pred[i] == truth[i]:
            continue
        rows = flagged.filter(pl.col("window_start") == w)
        why = "; ".join(
            f"{r['detector']}: {r['service']}, {('`' + (r['template'] or '')[:60] + '`') if r['template_id'] is not None else '(service total)'}, {int(r['observed'])}"
            for r in rows.iter_rows(named=True)
        )
        lo = i * WINDOW
        out.append(
            f"| {i} ({lo + 1}-{lo + WINDOW}) | {'anomalous' if truth[i] else 'normal'} | {'yes' if pred[i] else 'no'} | {why or '-'} "
            f"| {levels.get(int(sev[i].max()), str(int(sev[i].max())))} |"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer bootstrap samples")
    args = parser.parse_args()
    path = shared_or_exit("loghub-2k/BGL/BGL_2k.log")
    records, labels = read_bgl(path)
    templated = rcakit.mine_templates(records)
    half = len(records) // 2
    base, study = templated.head(half), templated.slice(half)
    truth = labels[half:].reshape(-1, WINDOW).any(axis=1)
    sev = records.get_column("severity_number").to_numpy()[half:].reshape(-1, WINDOW)
    n_boot = 300 if args.quick else 2000
    configs = [
        ("rule: any FATAL/ERROR line in the window (reference)", (sev >= 17).any(axis=1), None),
        ("rule: any FATAL line in the window", (sev >= 21).any(axis=1), None),
        ("detect_anomalies, all default detectors (default: a new FATAL template needs 1 line, others 3)", None, {}),
        ("detect_anomalies, all default detectors, min_new_count_fatal=3 (the previous default: 3 lines at every level)", None, {"min_new_count_fatal": 3}),
        ("detect_anomalies, all default detectors, min_new_count=1", None, {"min_new_count": 1}),
        ("detect_anomalies, all default detectors, min_severity='ERROR'", None, {"min_severity": "ERROR"}),
        ("detect_anomalies, detectors=('new', 'error_ratio', 'parameter') (no rate) [tried]", None, {"detectors": ("new", "error_ratio", "parameter")}),
        ("detect_anomalies, detectors=('new',) [tried]", None, {"detectors": ("new",)}),
        ("detect_anomalies, detectors=('new',), min_new_count=1 (min_severity WARN)", None, {"detectors": ("new",), "min_new_count": 1}),
        (
            "detect_anomalies, detectors=('new',), min_new_count=1, min_severity='FATAL' [chosen with labels in view]",
            None,
            {"detectors": ("new",), "min_severity": "FATAL", "min_new_count": 1},
        ),
        ("detect_anomalies, detectors=('multivariate',) (PCA residual)", None, {"detectors": ("multivariate",)}),
    ]
    rows = []
    for name, pred, options in configs:
        t0 = time.perf_counter()
        if pred is None:
            pred = predict(study, base, **options)
        dt = time.perf_counter() - t0
        p, r, f = prf(pred, truth)
        ci = bootstrap_prf(pred, truth, n=n_boot)
        rows.append((name, p, r, f, ci, int(pred.sum()), dt))
    header = "| method | P | R | F1 (95% bootstrap CI) | windows flagged | seconds |"
    table = [header, "|---|---|---|---|---|---|"]
    for name, p, r, f, ci, n, dt in rows:
        table.append(
            f"| {name} | {p:.3f} [{ci['p'][0]:.2f}, {ci['p'][1]:.2f}] | {r:.3f} [{ci['r'][0]:.2f}, {ci['r'][1]:.2f}] "
            f"| **{f:.3f}** [{ci['f1'][0]:.2f}, {ci['f1'][1]:.2f}] | {n} | {dt:.2f} |"
        )
    print("\n".join(table))
    honest = [r for r in rows[2:] if "labels in view" not in r[0]]
    best = max(honest, key=lambda r: r[3])
    default, previous = rows[2], rows[3]
    body = [
        f"BGL_2k, {len(truth)} scored windows of {WINDOW} lines ({int(truth.sum())} anomalous), baseline = the first "
        f"{half} lines. Bootstrap: {n_boot} resamples of the scored windows. Templates: `rcakit.mine_templates` on the raw "
        "contents. Labels are used only for scoring.",
        "",
        *table,
        "",
        f"Target F1 >= 0.90 without reading the labels: default detectors reach F1 {default[3]:.3f}"
        f" ({'met' if default[3] >= 0.9 else 'missed'}; previous default {previous[3]:.3f}); best row not chosen with the"
        f" labels in view: {best[0]} with F1 {best[3]:.3f} ({'met' if best[3] >= 0.9 else 'missed'}).",
        "",
        "Which rows were chosen how. The default rule (the evidence a new template needs scales with its severity: one "
        "FATAL line, three of anything lower) was motivated by this benchmark's misses, which are single FATAL lines "
        "(`rts: kernel terminated for reason ...`, `Lustre mount FAILED`, `Error receiving packet on tree network`), so "
        "this data set is in-sample for it; it was checked on data it was not tuned on (simulated incidents and normal "
        "days, early incidents, report benchmarks: see `detect_incidents.md`, `detect_early.md`, `report.md`, "
        "`report_shapes.md`) and uses no labels at run time. Rows marked [tried] are there to show what each detector "
        "adds here; they are not proposed defaults (the rate detector is needed for traffic-shaped incidents elsewhere). "
        "The row marked [chosen with labels in view] uses no labels at run time, but was picked while looking at this "
        "data set's label breakdown, so its F1 is optimistic.",
        "",
        "The default's wrong windows (the labels are read here only to list them):",
        "",
        *explain(study, base, truth, sev),
        "",
        "Why no honest default reaches 0.90 here: BGL's labels mark alert categories, not novelty. Every remaining false "
        "positive of the default holds an ERROR or FATAL line of a template never seen in the first half, or a burst of "
        "one component's FATAL lines: `idoproxydb hit ASSERT condition` (ERROR, 2-18 lines a window), `Node card status: "
        "... PGOOD IS NOT ASSERTED ...` (ERROR), `ciod: Error loading ... invalid or missing program image` and "
        "`ciod: LOGIN chdir(...) failed` (FATAL, the APP component's share of the window jumping from about 1% to 15-85%). "
        "BGL labels all of these normal. An on-call engineer shown a new ASSERT error repeated 18 times, or a burst of "
        "FATAL program-load failures, would want to see it; a rule that stayed quiet on them would have to ignore new "
        "ERROR templates or component floods in general, which is exactly what the incidents elsewhere are made of. With "
        "recall at 1.0, 0.90 needs at most 3 false positives out of 33 normal windows; the default has 7, and at least 4 "
        "of them (new ERROR templates repeated 2-18 times, new FATAL lines) are flagged by any detector of 'what is "
        "different' that also catches a new failing error elsewhere. Checked but not adopted: a severity or share "
        "condition on the rate detector (its only false positive of its own, window 13, is a burst of FATAL lines, not "
        "INFO churn; the INFO rate spikes it raises here, `CE sym ...`, are all in labelled windows); counting a template "
        "absent from a given baseline as new only in its first 5 windows, as the history baseline does (measured: 4 false "
        "positives instead of 7, but 3 labelled windows missed, whose FATAL templates had first appeared earlier in the "
        "second half: F1 0.800; and a persistent new error would stop being an anomaly after 5 windows).",
    ]
    out = write_markdown("detect_bgl", "Detect: BGL 2k windows", "python benchmarks/bench_detect_bgl.py" + (" --quick" if args.quick else ""), body)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
