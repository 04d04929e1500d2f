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
    result = rcakit.detect_anomalies(study, baseline=base, window=f"{WINDOW}i", **options)  # type: ignore[arg-type]
    starts = result.counts.filter(pl.col("period") == "study").get_column("window_start").unique().sort()
    flagged = set(result.scores.filter(pl.col("flagged")).get_column("window_start").to_list())
    return np.array([w in flagged for w in starts.to_list()])


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
        ("detect_anomalies, all default detectors", None, {}),
        ("detect_anomalies, all default detectors, min_new_count=1", None, {"min_new_count": 1}),
        ("detect_anomalies, detectors=('new',), min_new_count=1 (min_severity WARN)", None, {"detectors": ("new",), "min_new_count": 1}),
        (
            "detect_anomalies, detectors=('new',), min_new_count=1, min_severity='FATAL'",
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
    best = max(rows[2:], key=lambda r: r[3])
    default = rows[2]
    body = [
        f"BGL_2k, {len(truth)} scored windows of {WINDOW} lines ({int(truth.sum())} anomalous), baseline = the first "
        f"{half} lines. Bootstrap: {n_boot} resamples of the scored windows. Templates: `rcakit.mine_templates` on the raw "
        "contents. Labels are used only for scoring.",
        "",
        *table,
        "",
        f"Target F1 >= 0.90 without reading the labels: default detectors reach F1 {default[3]:.3f}"
        f" ({'met' if default[3] >= 0.9 else 'missed'}); best configuration: {best[0]} with F1 {best[3]:.3f}"
        f" ({'met' if best[3] >= 0.9 else 'missed'}).",
        "",
        "Why the defaults fall short here: BGL's labels mark alert categories, not novelty. In the second half many "
        "templates never seen in the first half are labelled normal (e.g. ERROR `idoproxydb hit ASSERT condition`, "
        "FATAL `ciod: Error loading ... invalid or missing program image`), and normal INFO templates change with the "
        "workload, so any detector of 'what is different' also flags those windows. Restricting to new FATAL "
        "templates removes most of them. Caveat: that configuration uses no labels at run time, but it was chosen "
        "while developing with this data set's label breakdown in view, so its F1 is optimistic; the default-detector "
        "rows are the unbiased figures.",
    ]
    out = write_markdown("detect_bgl", "Detect: BGL 2k windows", "python benchmarks/bench_detect_bgl.py" + (" --quick" if args.quick else ""), body)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
