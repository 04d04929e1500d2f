"""Exports that start shortly before the incident: little history, and changes older than the logs."""

from __future__ import annotations

import warnings
from datetime import timedelta

import polars as pl
import pytest

import rcakit
from rcakit.errors import RcakitWarning
from rcakit.report import analyze, build_report
from rcakit.simulate import trim_logs


def _report(tmp_path, fault: str, seed: int, *, before: float | None = None, after: float | None = None):
    """A 3-hour scenario cut to ``before`` minutes before the true onset and/or ``after``
    minutes after it (a short export, or one taken during the incident), analysed with all
    defaults; returns (truth, report)."""
    sc = rcakit.generate_incident(tmp_path / fault, fault=fault, seed=seed, hours=3)
    onset = sc.truth.onset
    trim_logs(
        sc,
        start=onset - timedelta(minutes=before) if before is not None else None,
        end=onset + timedelta(minutes=after) if after is not None else None,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return sc.truth, analyze(sc.out_dir, deploys=sc.out_dir / "deploys.csv")


def _right_incident(truth, report):
    """The report's first incident, asserted to name the true root and cause."""
    inc = report.incidents[0]
    assert inc.root_service == truth.root_service
    assert inc.cause == truth.cause_change_id
    return inc


@pytest.mark.slow
def test_hang_that_starts_in_the_first_minutes_of_the_export(tmp_path):
    # inventory hangs 87 s after its deploy, 10 min into the export: its silence starts
    # inside detection's own first part (its baseline), so the export starts busy and is
    # compared with its calm end; its callers' failures name it from the first minute. An
    # older deploy of inventory precedes the logs.
    truth, report = _report(tmp_path, "hang", 4, before=10)
    inc = _right_incident(truth, report)
    assert inc.symptom == "silence"
    root = next(r for r in inc.roles if r.role == "root")
    assert any("logs nothing" in e.text or "stopped logging" in e.text for e in root.evidence)
    older = next(s for s in inc.suspects if s.change.id != inc.cause and s.change.service == inc.root_service)
    assert any(e.text.startswith(f"no logs of {inc.root_service} before the change") for e in older.evidence)


@pytest.mark.slow
def test_cause_deployed_before_the_export_starts(tmp_path):
    # a slow leak deployed 37 min before the onset, the export starting 20 min before it:
    # the deploy's effect cannot be compared, but it is the root's latest change
    truth, report = _report(tmp_path, "slow_leak", 4, before=20)
    inc = _right_incident(truth, report)
    assert "cannot be compared" in inc.cause_reason


@pytest.mark.slow
def test_cause_deployed_moments_after_the_export_starts(tmp_path):
    # the export starts 2 min before a hang that begins 68 s after billing's deploy: the
    # handful of billing records before the deploy cannot show what it did (before, the
    # comparison over them dismissed the deploy), so it is the root's latest change
    truth, report = _report(tmp_path, "hang", 12, before=2)
    inc = _right_incident(truth, report)
    assert "its logs start just before the change" in inc.cause_reason
    cause = next(s for s in inc.suspects if s.change.id == inc.cause)
    assert any(e.text.startswith(f"too few logs of {inc.root_service} before the change") for e in cause.evidence)


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "seed"), [("hang", 4), ("latency", 5)])
def test_export_taken_five_minutes_into_the_incident(tmp_path, fault, seed):
    # the logs end 5 min after the onset: a hung root is silent to the end of the export
    # (its last minutes look like a file that ends early), and a slow-down 2 min after a
    # deploy fills only part of the "after the change" period
    truth, report = _report(tmp_path, fault, seed, after=5)
    inc = _right_incident(truth, report)
    assert inc.cause == truth.cause_change_id
    cause = next(s for s in inc.suspects if s.change.id == inc.cause)
    if fault == "hang":
        assert any("stopped logging" in e.text for e in cause.evidence)
    else:
        # the slowed variable, compared after the change (or from the onset)
        assert any("median" in e.text for e in cause.evidence)


def test_trim_logs_keeps_whole_records_and_csv_headers(tmp_path):
    sc = rcakit.generate_incident(tmp_path / "day", fault="new_error", seed=0, hours=1)
    before = rcakit.read_logs([log.path for log in sc.logs])
    start, end = sc.truth.onset - timedelta(minutes=10), sc.truth.onset + timedelta(minutes=5)
    lines = trim_logs(sc, start=start, end=end)
    after = rcakit.read_logs([log.path for log in sc.logs])
    expected = before.filter(pl.col("timestamp").is_null() | pl.col("timestamp").is_between(start, end, closed="left"))
    assert after.height == expected.height
    assert after["parse_error"].null_count() == after.height
    assert after["n_lines"].sum() == lines  # every line accounted for (a CSV header is in its first record)
    assert sorted(after["body"].to_list()) == sorted(expected["body"].to_list())


@pytest.mark.slow
def test_no_incident_after_a_long_flood_ends(tmp_path):
    # a 34-minute database outage floods postgres' log with FATAL lines; once it is over,
    # postgres' normal volume must not read as a drop against a history that kept the flood
    truth, report = _report(tmp_path, "dependency_outage", 11, before=30)
    assert len(report.incidents) == 1
    assert _right_incident(truth, report).cause is None


@pytest.mark.slow
def test_hung_service_that_only_the_edge_calls(tmp_path):
    # the hung service (catalog) is called only by the edge, whose access log names no
    # upstream, and its silence starts inside detection's own first part (its baseline).
    truth, report = _report(tmp_path, "hang", 13, before=10)
    # the export starts busy and ends calm: detection compares its start with its end and
    # sees the silence itself
    inc = _right_incident(truth, report)
    root = next(r for r in inc.roles if r.role == "root")
    assert any("stopped logging" in e.text for e in root.evidence)
    # without that comparison (a longer first part: the start is only compared with what
    # came before), the edge's 504s are all detection shows; the catalog's collapsed volume
    # at the onset still makes it the root
    events = rcakit.mine_templates(rcakit.read_logs(sorted(p for p in (tmp_path / "hang").iterdir() if p.name != "deploys.csv")))
    detection = rcakit.detect_anomalies(events, warmup=0.3)
    assert detection.calm_from is None
    changes = rcakit.read_changes(tmp_path / "hang" / "deploys.csv")
    inc = _right_incident(truth, build_report(events, detection, changes=changes))
    root = next(r for r in inc.roles if r.role == "root")
    assert any("of its usual volume from the incident's start" in e.text for e in root.evidence)


@pytest.mark.slow
def test_a_change_older_than_an_hour_of_steady_logs_is_not_the_cause(tmp_path):
    # an outage with no change behind it, in an export that starts an hour before the onset;
    # the root's last deploy was hours before the export: its logs cannot be compared with
    # before it, but an hour of them with nothing growing clears it (a slow burn would show)
    sc = rcakit.generate_incident(tmp_path / "outage", fault="dependency_outage", seed=3, hours=3)
    onset = sc.truth.onset
    trim_logs(sc, start=onset - timedelta(minutes=60))
    deploys = sc.out_dir / "deploys.csv"
    old = pl.read_csv(deploys, infer_schema=False)
    stamp = (onset - timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    extra = dict.fromkeys(old.columns, "") | {"time": stamp, "service": sc.truth.root_service, "id": "DEP-OLD"}
    pl.concat([old, pl.DataFrame([extra])]).write_csv(deploys)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = analyze(sc.out_dir, deploys=deploys)
    inc = report.incidents[0]
    assert inc.root_service == sc.truth.root_service
    assert inc.cause is None
    older = next(s for s in inc.suspects if s.change.id == "DEP-OLD")
    assert any(e.text.startswith(f"no visible change in {inc.root_service}'s logs in the") for e in older.evidence)


def test_a_count_scaled_by_the_traffic_makes_no_shift_its_raw_values_lack(tmp_path):
    """A search's ``hits=<NUM>`` whose medians happened to rise and fall with the traffic is
    judged per unit of traffic; scaled, the quiet first minutes of the export read as a
    3.5x shift while the raw hit counts never moved (a false 'latency' incident on held-out
    seed 252). Scaling may explain a shift away, never make one."""
    truth, report = _report(tmp_path, "config_change", 252, after=10)
    _right_incident(truth, report)
    assert [i.root_service for i in report.incidents] == [truth.root_service], [
        (i.id, i.root_service, [a.detail[:80] for a in i.anomalies[:2]]) for i in report.incidents
    ]
