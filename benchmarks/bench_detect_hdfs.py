"""HDFS sessions (loghub HDFS_v1 subset): unsupervised session-level detection.

Part 1 uses ``hdfs_100k_sessions.csv`` (event sequences per block, deep-loglizer's split):
fit :class:`rcakit.detect.SessionDetector` on the train split *without labels*, score the
test split. Part 2 runs end to end from the raw ``HDFS_20k.log``: ``read_logs`` ->
``mine_templates`` -> ``count_sessions(pattern=r"blk_-?\\d+")`` -> ``SessionDetector``.
Read ``../shared/data/hdfs-100k/README.md``: truncated sessions cap F1 near 0.69.

Usage: ``python benchmarks/bench_detect_hdfs.py [--quick]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rcakit
from _detect_common import bootstrap_prf, prf, shared_or_exit, write_markdown
from rcakit.detect import SessionDetector, count_sessions


def session_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Long session x event-id counts from the EventSequence column."""
    return (
        frame.select(pl.col("BlockId").alias("session_id"), pl.col("EventSequence").str.split(" ").alias("template_id"))
        .explode("template_id")
        .group_by("session_id", "template_id")
        .agg(pl.len().cast(pl.UInt32).alias("n_events"))
    )


def vector_keys(counts: pl.DataFrame) -> pl.DataFrame:
    """A canonical string of each session's event-count vector."""
    return (
        counts.sort("session_id", "template_id")
        .group_by("session_id", maintain_order=True)
        .agg(pl.format("{}:{}", "template_id", "n_events").str.join(" ").alias("vector"))
    )


def evaluate(scored: pl.DataFrame, labels: pl.DataFrame, threshold: float, n_boot: int) -> dict[str, object]:
    j = labels.join(scored, on="session_id", how="left")
    pred = ((j.get_column("score").fill_null(0.0) >= threshold) | (j.get_column("n_new_events").fill_null(0) > 0)).to_numpy()
    truth = (j.get_column("Label") == "Anomaly").to_numpy()
    p, r, f = prf(pred, truth)
    return {"p": p, "r": r, "f1": f, "ci": bootstrap_prf(pred, truth, n=n_boot), "n": len(truth), "pos": int(truth.sum()), "flagged": int(pred.sum())}


def row(name: str, m: dict[str, object], seconds: float) -> str:
    ci = m["ci"]
    return (
        f"| {name} | {m['n']} ({m['pos']} anomalous) | {m['p']:.3f} | {m['r']:.3f} | **{m['f1']:.3f}** "
        f"[{ci['f1'][0]:.2f}, {ci['f1'][1]:.2f}] | {m['flagged']} | {seconds:.2f} |"  # type: ignore[index]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer bootstrap samples")
    args = parser.parse_args()
    n_boot = 300 if args.quick else 2000
    root = shared_or_exit("hdfs-100k")
    sessions = pl.read_csv(root / "hdfs_100k_sessions.csv", infer_schema_length=0)
    counts = session_counts(sessions)
    train_ids = sessions.filter(pl.col("Split") == "train").select(pl.col("BlockId").alias("session_id"))
    test = sessions.filter(pl.col("Split") == "test").select(pl.col("BlockId").alias("session_id"), "Label")
    train_counts = counts.join(train_ids, on="session_id")
    test_counts = counts.join(test.select("session_id"), on="session_id")
    # the distinguishable subset: drop anomalies whose count vector equals some normal session's
    vec = vector_keys(counts).join(sessions.select(pl.col("BlockId").alias("session_id"), "Label"), on="session_id")
    normal_vectors = vec.filter(pl.col("Label") == "Normal").select("vector").unique()
    ambiguous = vec.filter(pl.col("Label") == "Anomaly").join(normal_vectors, on="vector").select("session_id")
    test_dist = test.join(ambiguous, on="session_id", how="anti")

    lines = [
        "| method | test sessions | P | R | F1 [95% CI] | flagged | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    results = {}
    for name, fit_on, threshold in (
        ("PCA residual (raw counts), fit on all train sessions, unsupervised, threshold 3 (default = loglizer alpha=0.001)", train_counts, 3.0),
        ("PCA residual (raw counts), fit on all train sessions, unsupervised, threshold 6", train_counts, 6.0),
    ):
        t0 = time.perf_counter()
        det = SessionDetector(threshold=threshold).fit(fit_on)
        scored = det.score(test_counts)
        dt = time.perf_counter() - t0
        m = evaluate(scored, test, threshold, n_boot)
        md = evaluate(scored, test_dist, threshold, n_boot)
        results[threshold] = m
        lines.append(row(name, m, dt))
        lines.append(row(name + ", distinguishable subset", md, dt))
    from sklearn.ensemble import IsolationForest

    t0 = time.perf_counter()
    det = SessionDetector(model=IsolationForest(random_state=0, contamination="auto")).fit(train_counts)
    scored = det.score(test_counts).with_columns(pl.when(pl.col("flagged")).then(1.0).otherwise(0.0).alias("score"))
    dt = time.perf_counter() - t0
    lines.append(row("IsolationForest (contamination='auto'), unsupervised", evaluate(scored, test, 0.5, n_boot), dt))
    lines.append(row("IsolationForest, distinguishable subset", evaluate(scored, test_dist, 0.5, n_boot), dt))

    # part 2: end to end from the raw log
    t0 = time.perf_counter()
    raw = rcakit.read_logs(str(root / "HDFS_20k.log"))
    templated = rcakit.mine_templates(raw)
    sess = count_sessions(templated, pattern=r"blk_-?\d+")
    labels20 = pl.read_csv(root / "HDFS_20k_anomaly_label.csv").rename({"BlockId": "session_id"})
    e2e = {}
    for threshold in (3.0, 6.0):
        det = SessionDetector(threshold=threshold).fit(sess)
        e2e[threshold] = evaluate(det.score(sess), labels20, threshold, n_boot)
    dt = time.perf_counter() - t0
    lines.append(row("end to end from raw HDFS_20k.log (fit and score all blocks, unsupervised), threshold 3", e2e[3.0], dt))
    lines.append(row("end to end from raw HDFS_20k.log, threshold 6", e2e[6.0], dt))
    print("\n".join(lines))
    n_templates = templated.get_column("template_id").n_unique()
    best = max(m["f1"] for m in results.values())  # type: ignore[type-var]
    body = [
        f"Test split: {test.height} sessions ({int((test['Label'] == 'Anomaly').sum())} anomalous); distinguishable subset: "
        f"{test_dist.height} sessions (anomalies whose event-count vector equals some normal session's are removed: "
        f"{test.height - test_dist.height} of them). Labels are used only for scoring. Sessions with a template never seen "
        "in fit are flagged too. End to end: `read_logs` read HDFS_20k.log as `raw` lines (no timestamps), "
        f"`mine_templates` found {n_templates} templates, {sess.get_column('session_id').n_unique()} block sessions.",
        "",
        *lines,
        "",
        # the dataset README's ceiling is P 1.000, R 0.526, F1 0.690 (0.6897 unrounded: 30 of 57)
        f"Target: reach the ceiling (P 1.000, R 0.526, F1 0.690 in the dataset's README) on the full test split: "
        f"best F1 {best:.4f} ({'met' if round(best, 3) >= 0.690 else 'missed'}).",
        "",
        "IsolationForest rows: an alternative model, not a default. It subsamples rows, so its result depends on the "
        "row order it is fitted on; SessionDetector fits in session-id order (before 2026-11-28 it used the order the "
        "frame came in, which a join does not keep, and this row read F1 0.368 in some runs and 0.180 in others).",
        "",
        "End to end on HDFS_20k: the README notes that 39 of the 43 anomalous blocks in the first 20k lines have an "
        "event-count vector identical to a normal block's (the log stops after 3 minutes of cluster time, so almost every "
        "session is truncated). Recall is therefore capped near 4/43 = 0.093 and F1 near 0.17 for any count-based "
        "detector; fitting and scoring the same 1,782 truncated blocks also leaves the normal space poorly defined, "
        "hence the low precision.",
    ]
    out = write_markdown("detect_hdfs", "Detect: HDFS sessions", "python benchmarks/bench_detect_hdfs.py" + (" --quick" if args.quick else ""), body)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
