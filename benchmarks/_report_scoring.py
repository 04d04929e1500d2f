"""Scoring one report JSON against a simulated incident's truth (shared by the report benchmarks)."""

from __future__ import annotations

import json
import shutil
import time
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

#: an incident counts as the true one when it overlaps [onset - BEFORE, end + AFTER]
BEFORE = timedelta(minutes=2)
AFTER = timedelta(minutes=15)


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def score_report(doc: dict[str, Any], truth: Any) -> dict[str, object]:
    """Root, cause, onset and false alarms of ``doc`` (report JSON) against ``truth``.

    Also scores two simple baselines on the same incident: the loudest service as the root,
    and the latest change before the onset as the cause. A truth without an onset (a normal
    day) only counts false alarms.
    """
    row: dict[str, object] = {}
    if truth.onset is None:
        row["false_alarms"] = len(doc["incidents"])
        return row
    lo, hi = truth.onset - BEFORE, (truth.end or truth.onset) + AFTER
    hits = [i for i in doc["incidents"] if _t(i["start"]) <= hi and _t(i["end"]) >= lo]
    row["false_alarms"] = len(doc["incidents"]) - len(hits)
    row["found"] = bool(hits)
    if not hits:
        return row
    inc = max(hits, key=lambda i: i["severity"])
    row["root"] = inc["root_service"]
    row["cause"] = inc["cause"]
    row["cause_reason"] = inc.get("cause_reason")
    row["root_ok"] = inc["root_service"] == truth.root_service
    row["cause_ok"] = inc["cause"] == truth.cause_change_id
    row["onset_error_s"] = (_t(inc["start"]) - truth.onset).total_seconds()
    loud: dict[str, int] = {}
    for a in inc["anomalies"]:
        if a["service"] and a["kind"] in {"new", "rate_spike", "error_ratio"}:
            loud[a["service"]] = loud.get(a["service"], 0) + a["observed"]["count"]
    row["base_root_ok"] = bool(loud) and max(loud, key=lambda s: loud[s]) == truth.root_service
    before = [c for c in doc["changes"] if _t(c["time"]) <= _t(inc["start"]) + timedelta(minutes=1)]
    latest = max(before, key=lambda c: c["time"])["id"] if before else None
    row["base_cause_ok"] = latest == truth.cause_change_id
    return row


def analyze_dir(out: Path) -> tuple[dict[str, Any], float]:
    """``rcakit.analyze(out)`` with all defaults (the path ``rcakit report DIR`` takes): its
    JSON report and the seconds it took; ``out`` is removed afterwards."""
    import rcakit

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = rcakit.analyze(out)
    seconds = time.perf_counter() - t0
    doc = json.loads(report.to_json())
    shutil.rmtree(out)
    return doc, seconds


def count_ok(rows: list[dict[str, object]], key: str) -> str:
    """``"k/n"``: how many of ``rows`` have ``key`` true."""
    return f"{sum(bool(r.get(key)) for r in rows)}/{len(rows)}"


def progress_line(label: str, row: dict[str, object]) -> str:
    """One run's result for the terminal while a report benchmark runs."""
    return (
        f"{label} root={row.get('root')!s:16s} (truth {row['truth_root']!s:16s}) "
        f"cause={row.get('cause')!s:10s} (truth {row['truth_cause']!s:10s}) "
        f"false_alarms={row['false_alarms']} {row['seconds']:.1f}s"
    )
