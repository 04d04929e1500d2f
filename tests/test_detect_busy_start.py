"""Logs that start during an incident: the start is compared with the calm period after it.

With the default baseline (the history before each window), an export that begins while
something is already broken takes the incident as normal, and the recovery (traffic coming
back) as the anomaly.
"""

from __future__ import annotations

import json
import warnings
from datetime import timedelta

from click.testing import CliRunner

import rcakit
from rcakit.cli import main
from rcakit.errors import RcakitWarning
from rcakit.simulate import trim_logs


def _events(tmp_path, fault: str, seed: int, before: float | None):
    """A 3-hour scenario cut to start ``before`` minutes before the true onset (negative:
    after it), read and templated without its change list."""
    sc = rcakit.generate_incident(tmp_path / f"{fault}-{seed}", fault=fault, seed=seed, hours=3)
    if before is not None:
        trim_logs(sc, start=sc.truth.onset - timedelta(minutes=before))
    files = sorted(p for p in sc.out_dir.iterdir() if p.name != "deploys.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return sc, rcakit.mine_templates(rcakit.read_logs(files))


def test_a_hang_under_way_when_the_export_starts_is_found_against_the_calm_end(tmp_path):
    # the export starts 2 min before a hang: the first quarter of the windows (the initial
    # baseline) is mostly the hang itself
    sc, events = _events(tmp_path, "hang", 11, before=2)
    truth = sc.truth
    result = rcakit.detect_anomalies(events)
    assert result.calm_from is not None
    assert truth.onset < result.calm_from <= truth.end + timedelta(minutes=5)
    first = result.windows[0]
    assert first.start <= truth.onset + timedelta(minutes=2)
    assert truth.root_service in first.services
    # the hung service's silence is what detection shows (not only its callers' errors)
    quiet = [c for c in first.contributions if c.service == truth.root_service and c.kind == "rate_drop"]
    assert quiet
    # the report names the root and the deploy
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(sc.out_dir)
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    # and the CLI says why the start was compared with the end
    out = tmp_path / "anomalies.json"
    res = CliRunner().invoke(main, ["detect", str(sc.out_dir)])
    assert res.exit_code == 0, res.output
    assert "the logs start during an incident" in res.output
    res = CliRunner().invoke(main, ["detect", str(sc.out_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["calm_from"].startswith(f"{result.calm_from:%Y-%m-%dT%H:%M}")


def test_exports_that_start_calm_are_left_as_they_are(tmp_path):
    # a normal day, and an incident in the middle of the export: nothing to swap
    for fault, seed in (("none", 3), ("new_error", 3)):
        _, events = _events(tmp_path, fault, seed, before=None)
        assert rcakit.detect_anomalies(events).calm_from is None


def test_a_slow_down_under_way_when_the_export_starts_is_found_against_the_calm_end(tmp_path):
    # the export starts 5 min after a latency regression began: no errors, only numbers;
    # the first pass took the slow responses as normal and flagged the recovery (after the
    # rollback) as the anomaly, and blamed the rollback
    sc, events = _events(tmp_path, "latency", 12, before=-5)
    truth = sc.truth
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(sc.out_dir)
    result = rcakit.detect_anomalies(events)
    assert result.calm_from is not None
    assert result.calm_reason is not None
    assert result.calm_reason.startswith("higher numbers in their first part: ")
    assert truth.root_service in result.calm_reason
    first = result.windows[0]
    assert first.start <= truth.onset + timedelta(minutes=6)
    assert first.end <= result.calm_from
    assert any(c.kind == "parameter" and c.service == truth.root_service for c in first.contributions)
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    assert "higher numbers" in report.summary


def test_numbers_that_fall_as_errors_rise_at_the_end_are_not_a_slow_start(tmp_path):
    # an edge's access log: 80 calm minutes, then every request fails fast with a small
    # error page until the export ends. Its bytes (and times) are higher in the first part
    # than in the last, as after a slow start; but the errors are at the end: the logs end
    # during an incident, and its start is found against the calm first part
    import random
    from datetime import UTC, datetime

    rng = random.Random(7)
    t0 = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    lines = []
    for i in range(120 * 60):
        failing = i >= 80 * 60
        status, size = (502, 150 + rng.randrange(20)) if failing else (200, 4800 + rng.randrange(400))
        stamp = (t0 + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(json.dumps({"time": stamp, "method": "POST", "path": "/api/orders", "status": status, "bytes": size}))
    path = tmp_path / "edge.log"
    path.write_text("\n".join(lines) + "\n")
    events = rcakit.mine_templates(rcakit.read_logs(path))
    result = rcakit.detect_anomalies(events)
    assert result.calm_from is None
    assert result.windows
    assert abs((result.windows[0].start - (t0 + timedelta(minutes=80))).total_seconds()) <= 120
