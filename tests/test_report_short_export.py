"""Exports that start shortly before the incident: little history, and changes older than the logs."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest

import rcakit
from rcakit.report import analyze


def _cut(sc: rcakit.simulate.Scenario, minutes: float) -> None:
    """Keep each log's records from ``minutes`` before the true onset (a short export)."""
    start = sc.truth.onset - timedelta(minutes=minutes)
    for log in sc.logs:
        frame = rcakit.read_logs(log.path, columns=["timestamp", "line_no", "n_lines"])
        lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)
        keep = lines[: frame["line_no"].min() - 1]  # a CSV header
        for ts, first, n in frame.select("timestamp", "line_no", "n_lines").iter_rows():
            if ts is None or ts >= start:
                keep.extend(lines[first - 1 : first - 1 + n])
        log.path.write_text("".join(keep), encoding="utf-8")


def _analyze(sc: rcakit.simulate.Scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyze(sc.out_dir, deploys=sc.out_dir / "deploys.csv")


@pytest.mark.slow
def test_hang_that_starts_in_the_first_minutes_of_the_export(tmp_path):
    # inventory hangs 87 s after its deploy, 10 min into the export: its silence starts
    # inside detection's own baseline, so detection sees it late; its callers' failures
    # name it from the first minute. An older deploy of inventory precedes the logs.
    sc = rcakit.generate_incident(tmp_path / "hang", fault="hang", seed=4, hours=3)
    _cut(sc, 10)
    report = _analyze(sc)
    inc = report.incidents[0]
    assert inc.root_service == sc.truth.root_service
    assert inc.cause == sc.truth.cause_change_id
    root = next(r for r in inc.roles if r.role == "root")
    assert any("logs nothing" in e.text for e in root.evidence)
    older = next(s for s in inc.suspects if s.change.id != inc.cause and s.change.service == inc.root_service)
    assert any(e.text.startswith(f"no logs of {inc.root_service} before the change") for e in older.evidence)


@pytest.mark.slow
def test_cause_deployed_before_the_export_starts(tmp_path):
    # a slow leak deployed 37 min before the onset, the export starting 20 min before it:
    # the deploy's effect cannot be compared, but it is the root's latest change
    sc = rcakit.generate_incident(tmp_path / "leak", fault="slow_leak", seed=4, hours=3)
    _cut(sc, 20)
    report = _analyze(sc)
    inc = report.incidents[0]
    assert inc.root_service == sc.truth.root_service
    assert inc.cause == sc.truth.cause_change_id
    assert "cannot be compared" in inc.cause_reason
