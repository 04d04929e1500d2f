"""Sparse logs: a low-traffic estate (0.15 requests/s, a few records a minute per service)
where a new failure repeats every few minutes, never five times in one minute."""

from __future__ import annotations

import warnings
from datetime import timedelta

import polars as pl
import pytest

import rcakit
from rcakit.correlate._windows import _new_and_repeating
from rcakit.detect._results import Contribution
from rcakit.errors import RcakitWarning

MINUTE = timedelta(minutes=1)


def _analyze(out_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return rcakit.analyze(out_dir)


@pytest.mark.slow
@pytest.mark.parametrize(
    "seed",
    [
        41,  # the new error: 7 times in 28 min, 3 within its first 4 min
        46,  # 10 times in 26 min, only 2 within its first 5 min
    ],
)
def test_a_new_error_that_repeats_every_few_minutes_is_an_incident(tmp_path, seed):
    sc = rcakit.generate_incident(tmp_path / "sparse", fault="new_error", seed=seed, hours=4, rate=0.15)
    report = _analyze(sc.out_dir)
    truth = sc.truth
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    assert abs((inc.start - truth.onset).total_seconds()) < 60


@pytest.mark.slow
def test_a_quiet_normal_day_has_no_incident(tmp_path):
    # the same estate's background warnings come every 10-20 min; one that first shows up an
    # hour into the logs is not new enough to be a failure
    sc = rcakit.generate_incident(tmp_path / "quiet", fault="none", seed=41, hours=4, rate=0.15)
    assert _analyze(sc.out_dir).incidents == ()


def _records(history_min: int, hits_min: tuple[int, ...], severity: int = 17) -> pl.DataFrame:
    """A service writing 4 records a minute for ``history_min`` minutes and 30 more, with
    template ``x-new`` (an ERROR unless ``severity`` says otherwise) at ``history_min + m``
    for every m of ``hits_min``."""
    t0 = pl.datetime(2024, 5, 1, time_zone="UTC")
    n = (history_min + 30) * 4
    base = pl.select(
        (t0 + pl.duration(seconds=pl.int_range(n) * 15)).alias("timestamp"),
        pl.lit("orders").alias("service"),
        pl.lit("x-ok").alias("template_id"),
        pl.lit(9, dtype=pl.UInt8).alias("severity_number"),
    )
    hits = pl.select(
        (t0 + pl.duration(minutes=pl.Series([history_min + m for m in hits_min]), seconds=7)).alias("timestamp"),
        pl.lit("orders").alias("service"),
        pl.lit("x-new").alias("template_id"),
        pl.lit(severity, dtype=pl.UInt8).alias("severity_number"),
    )
    return pl.concat([base, hits]).sort("timestamp")


def _contribution(recs: pl.DataFrame) -> Contribution:
    first = recs.filter(pl.col("template_id") == "x-new").get_column("timestamp").min()
    return Contribution(
        kind="new", service="orders", template_id="x-new", template="x", score=6.0,
        baseline_rate=0.0, observed_rate=1.0, first_seen=first, onset=first,
    )


@pytest.mark.parametrize(
    ("history_min", "kept"),
    [(180, True), (30, False)],  # 3 h of history without it, or half an hour
)
def test_a_sparse_new_template_needs_a_history_that_would_show_it(history_min, kept):
    recs = _records(history_min, (0, 3, 9, 15, 24))
    c = _contribution(recs)
    assert _new_and_repeating(c, recs, c.onset, min_events=5, window=MINUTE) is kept
    # a new warning as rare is not kept: a background message whose first one came late
    warn = _records(history_min, (0, 3, 9, 15, 24), severity=13)
    assert not _new_and_repeating(_contribution(warn), warn, c.onset, min_events=5, window=MINUTE)
    # four records are a one-off's repeats, not a failure's
    recs = _records(history_min, (0, 3, 9, 15))
    assert not _new_and_repeating(_contribution(recs), recs, c.onset, min_events=5, window=MINUTE)
    # a service writing 4 records a minute logs little; one writing 40 does not: its new
    # template must show min_events in one window
    busy = _records(history_min, (0, 3, 9, 15, 24))
    busy = pl.concat([busy] + [busy.filter(pl.col("template_id") == "x-ok")] * 9).sort("timestamp")
    assert not _new_and_repeating(_contribution(busy), busy, c.onset, min_events=5, window=MINUTE)


def test_a_busy_services_new_error_that_trickles_on_every_minute_or_two_is_kept():
    # a SIP proxy writing 40 records a minute fails the calls of one trunk of several: one
    # or two new errors a minute for half an hour, never five in one minute
    trickle = tuple(range(0, 26, 2))
    busy = _records(180, trickle)
    busy = pl.concat([busy] + [busy.filter(pl.col("template_id") == "x-ok")] * 9).sort("timestamp")
    c = _contribution(busy)
    assert _new_and_repeating(c, busy, c.onset, min_events=5, window=MINUTE)
    # as a warning it is not (a background message whose first one came late)
    warn = _records(180, trickle, severity=13)
    warn = pl.concat([warn] + [warn.filter(pl.col("template_id") == "x-ok")] * 9).sort("timestamp")
    assert not _new_and_repeating(_contribution(warn), warn, c.onset, min_events=5, window=MINUTE)


def test_a_new_fatal_template_repeating_needs_no_long_history():
    # a service dying (an out-of-memory crash) three times in 20 minutes, half an hour
    # into its logs: a healthy service never says that, however short its history
    recs = _records(30, (0, 10, 20), severity=21)
    c = _contribution(recs)
    assert _new_and_repeating(c, recs, c.onset, min_events=5, window=MINUTE)
    # as an ERROR the same three records are a background message's, first seen late
    err = _records(30, (0, 10, 20))
    assert not _new_and_repeating(_contribution(err), err, c.onset, min_events=5, window=MINUTE)
    # and one crash, or two, are not yet a crash loop
    once = _records(30, (0, 10), severity=21)
    assert not _new_and_repeating(_contribution(once), once, c.onset, min_events=5, window=MINUTE)


def test_a_crash_loop_logged_on_stderr_inside_a_json_log_is_an_incident(tmp_path):
    # a Node service's pino JSON log, two records a minute, with V8's out-of-memory dump
    # written to the same file by the runtime (no JSON, no time of its own) every ten
    # minutes once the heap is full; nothing else shows it
    import json
    from datetime import UTC, datetime

    t0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    lines = []
    for s in range(0, 150 * 60, 30):
        ms = int((t0 + timedelta(seconds=s)).timestamp() * 1000)
        rec = {"level": 30, "time": ms, "pid": 17, "name": "ssr-renderer", "msg": "request completed",
               "req": {"method": "GET", "url": f"/story-{s % 97}"}, "res": {"statusCode": 200}, "responseTime": 120 + s % 50}
        lines.append(json.dumps(rec))
        if s >= 100 * 60 and s % 600 == 0:
            lines += [
                "",
                "<--- Last few GCs --->",
                "[17:0x5d1c2a0]  1589064 ms: Mark-Compact 1498.2 (1536.0) -> 1497.9 (1536.0) MB, allocation failure",
                "",
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            ]
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "ssr-renderer.log").write_text("\n".join(lines) + "\n")
    report = _analyze(logs)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == "ssr-renderer"
    assert abs((inc.start - (t0 + timedelta(minutes=100))).total_seconds()) <= 60
