"""Detect stage: count matrix, detectors (sklearn-style), merge into anomaly windows."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from rcakit.detect import (
    ErrorRatioDetector,
    MultivariateDetector,
    NewTemplateDetector,
    ParameterShiftDetector,
    PCAResidual,
    RateDetector,
    SessionDetector,
    count_sessions,
    count_windows,
    detect_anomalies,
    extract_parameters,
)
from rcakit.errors import ConfigError, NotFittedError, SchemaError
from rcakit.schemas import WINDOW_COUNTS, check_schema

from ._detect_synth import T0, make_records

ONSET = T0 + timedelta(minutes=80)


@pytest.fixture(scope="module")
def normal() -> pl.DataFrame:
    return make_records(seed=3)


@pytest.fixture(scope="module")
def busier() -> pl.DataFrame:
    """A normal day whose traffic jumps 1.6x at minute 80 (more requests is not an anomaly)."""
    return make_records(seed=4, traffic_jump=1.6)


@pytest.fixture(scope="module")
def new_error() -> pl.DataFrame:
    return make_records(seed=5, fault="new_error")


@pytest.fixture(scope="module")
def latency() -> pl.DataFrame:
    return make_records(seed=6, fault="latency")


@pytest.fixture(scope="module")
def gone() -> pl.DataFrame:
    return make_records(seed=7, fault="gone")


def _split(frame: pl.DataFrame, minutes: int = 60) -> tuple[pl.DataFrame, pl.DataFrame]:
    cut = T0 + timedelta(minutes=minutes)
    counts = count_windows(frame)
    return counts.filter(pl.col("window_start") < cut), counts.filter(pl.col("window_start") >= cut)


# --- count_windows -------------------------------------------------------------------


def test_count_windows_contract_and_totals(normal):
    counts = count_windows(normal, window="1m")
    check_schema(counts, WINDOW_COUNTS, stage="test")
    assert counts.get_column("n_events").sum() == normal.height
    errors = normal.filter(pl.col("severity_number") >= 17).height
    assert counts.get_column("n_errors").sum() == errors
    assert counts.get_column("window_start").n_unique() == 120
    # cells are unique
    assert counts.select("window_start", "service", "template_id").is_unique().all()
    assert (counts.get_column("first_seen") >= counts.get_column("window_start")).all()


def test_count_windows_sizes_agree(normal):
    one = count_windows(normal, window="1m")
    five = count_windows(normal, window="5m")
    assert five.get_column("n_events").sum() == one.get_column("n_events").sum()
    assert five.get_column("window_start").n_unique() == 24


def test_count_windows_record_blocks(normal):
    counts = count_windows(normal.head(1000), window="20i")
    per_window = counts.group_by("window_start").agg(pl.col("n_events").sum())
    assert per_window.height == 50
    assert per_window.get_column("n_events").to_list() == [20] * 50


def test_count_windows_fills_untimed_continuations(normal):
    frame = normal.head(50).with_columns(
        pl.when(pl.col("line_no") % 7 == 0).then(None).otherwise(pl.col("timestamp")).alias("timestamp")
    )
    counts = count_windows(frame)
    assert counts.get_column("n_events").sum() == 50


def test_count_windows_errors(normal):
    with pytest.raises(ConfigError, match="window="):
        count_windows(normal, window="soon")
    with pytest.raises(SchemaError, match="template_id"):
        count_windows(normal.drop("template_id"))


# --- estimator conventions -----------------------------------------------------------


@pytest.mark.parametrize(
    "detector", [RateDetector(), NewTemplateDetector(), ErrorRatioDetector(), ParameterShiftDetector(), MultivariateDetector()]
)
def test_not_fitted_raises(detector, normal):
    counts = count_windows(normal)
    with pytest.raises(NotFittedError):
        detector.score(counts)


@pytest.mark.parametrize("cls", [RateDetector, NewTemplateDetector, ErrorRatioDetector, MultivariateDetector])
def test_fit_returns_self_and_keeps_params(cls, normal):
    base, _ = _split(normal)
    det = cls()
    before = dict(vars(det))
    assert det.fit(base) is det
    assert {k: v for k, v in vars(det).items() if not k.endswith("_")} == before


def test_invalid_params_raise_config_error(normal):
    base, _ = _split(normal)
    with pytest.raises(ConfigError):
        RateDetector(threshold=-1).fit(base)
    with pytest.raises(ConfigError):
        NewTemplateDetector(min_severity="LOUD").fit(base)
    with pytest.raises(ConfigError):
        ErrorRatioDetector(min_severity="DEBUG").fit(base)  # type: ignore[arg-type]


# --- detectors -------------------------------------------------------------------------


def test_rate_quiet_on_normal_and_on_traffic_jump(normal, busier):
    for frame in (normal, busier):
        base, study = _split(frame)
        scores = RateDetector().fit(base).score(study)
        assert not scores.get_column("flagged").any(), scores.filter(pl.col("flagged"))


def test_rate_flags_gone_heartbeat_at_onset(gone):
    base, study = _split(gone, minutes=60)
    scores = RateDetector().fit(base).score(study)
    flagged = scores.filter(pl.col("flagged"))
    assert flagged.height > 0
    assert set(flagged.get_column("kind").unique()) <= {"gone", "rate_drop", "rate_spike"}
    gone_rows = flagged.filter(pl.col("kind") == "gone")
    assert gone_rows.get_column("service").unique().to_list() == ["inventory"]
    assert gone_rows.get_column("window_start").min() >= ONSET


def test_new_template_flags_repeated_error_but_not_one_off(new_error, normal):
    base, study = _split(new_error)
    scores = NewTemplateDetector().fit(base).score(study)
    flagged = scores.filter(pl.col("flagged"))
    assert set(flagged.get_column("service")) == {"payment", "checkout"}
    assert flagged.get_column("window_start").min() == ONSET
    # a one-off error line that never repeats is not an incident
    one_off = normal.head(1).with_columns(
        pl.lit(ONSET + timedelta(seconds=5)).cast(pl.Datetime("us", "UTC")).alias("timestamp"),
        pl.lit("x-one-off").alias("template_id"),
        pl.lit(17, dtype=pl.UInt8).alias("severity_number"),
    )
    base, study = _split(pl.concat([normal, one_off]))
    assert not NewTemplateDetector().fit(base).score(study).get_column("flagged").any()
    assert NewTemplateDetector(min_count=1).fit(base).score(study).get_column("flagged").any()


def _with_repeating_warning(frame: pl.DataFrame, minutes: tuple[int, ...], severity: int = 17) -> pl.DataFrame:
    """``frame`` plus a new template of payment (an ERROR unless ``severity`` says otherwise)
    at ``ONSET + m`` minutes for each m."""
    extra = pl.concat(
        [
            frame.filter(pl.col("service") == "payment").head(1).with_columns(
                pl.lit(ONSET + timedelta(minutes=m, seconds=5)).cast(pl.Datetime("us", "UTC")).alias("timestamp"),
                pl.lit("x-new-warn").alias("template_id"),
                pl.lit(severity, dtype=pl.UInt8).alias("severity_number"),
            )
            for m in minutes
        ]
    )
    return pl.concat([frame, extra]).sort("timestamp")


def test_new_template_span_grows_for_a_service_that_logs_little():
    # a new error every 4 min: three within 5 windows never happens; in a service writing
    # 3 records a minute that is frequent, in one writing 40 a minute it is not
    every_4_min = (0, 4, 8, 12, 16)
    sparse = _with_repeating_warning(make_records(rate=3.0, seed=3), every_4_min)
    base, study = _split(sparse)
    flagged = NewTemplateDetector().fit(base).score(study).filter(pl.col("flagged"))
    assert flagged.get_column("template_id").unique().to_list() == ["x-new-warn"]
    assert flagged.get_column("window_start").min() == ONSET + timedelta(minutes=8)
    assert not NewTemplateDetector(span_records=0).fit(base).score(study).get_column("flagged").any()
    # the wider span is for new errors: a warning as rare keeps the 5-window span
    base, study = _split(_with_repeating_warning(make_records(rate=3.0, seed=3), every_4_min, severity=13))
    assert not NewTemplateDetector().fit(base).score(study).get_column("flagged").any()
    busy = _with_repeating_warning(make_records(rate=40.0, seed=3), every_4_min)
    base, study = _split(busy)
    assert not NewTemplateDetector().fit(base).score(study).get_column("flagged").any()
    with pytest.raises(ConfigError, match="span_records"):
        NewTemplateDetector(span_records=-1).fit(base)


def test_error_ratio_uses_shares(new_error, busier):
    base, study = _split(busier)
    assert not ErrorRatioDetector().fit(base).score(study).get_column("flagged").any()
    base, study = _split(new_error)
    flagged = ErrorRatioDetector().fit(base).score(study).filter(pl.col("flagged"))
    assert set(flagged.get_column("service")) == {"payment", "checkout"}
    assert flagged.get_column("window_start").min() <= ONSET + timedelta(minutes=1)


def test_parameter_shift_catches_latency_without_errors(latency, normal):
    cut = T0 + timedelta(minutes=60)
    values = extract_parameters(latency)
    assert {"$1", "$2"} <= set(values.get_column("feature"))
    det = ParameterShiftDetector().fit(values.filter(pl.col("window_start") < cut))
    flagged = det.score(values.filter(pl.col("window_start") >= cut)).filter(pl.col("flagged"))
    assert set(flagged.get_column("service")) == {"payment"}
    assert set(flagged.get_column("feature")) == {"$2"}  # the latency, not the amount
    assert flagged.get_column("window_start").min() == ONSET
    # ids (random, no trend) and normal latencies stay quiet
    values = extract_parameters(normal)
    det = ParameterShiftDetector().fit(values.filter(pl.col("window_start") < cut))
    assert not det.score(values.filter(pl.col("window_start") >= cut)).get_column("flagged").any()


def test_parameter_skips_counters():
    n = 200
    frame = pl.DataFrame(
        {
            "timestamp": [T0 + timedelta(seconds=10 * i) for i in range(n)],
            "service": ["s"] * n,
            "template_id": ["t"] * n,
            "params": [[str(1000 + i)] for i in range(n)],
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    values = extract_parameters(frame)
    det = ParameterShiftDetector().fit(values.head(100))
    assert det.baseline_.height == 0  # a counter rises by design: not a shift


def test_parameter_shift_must_matter_not_only_be_beyond_the_range():
    # order numbers fetched by users: mostly recent ones, some older; every later window's
    # are beyond the baseline's range (they grow), by far less than 5 % of their size
    rng = np.random.default_rng(3)
    n = 1200
    seq = 965000 + np.arange(n) // 2
    ids = np.where(rng.random(n) < 0.35, seq - 1000 - rng.exponential(8000, n).astype(int), seq - rng.integers(0, 30, n))
    took = rng.gamma(4.0, 3.0, n).round()
    took[n // 2 :] *= 3  # ... while a latency that triples still shows
    frame = pl.DataFrame(
        {
            "timestamp": [T0 + timedelta(seconds=3 * i) for i in range(n)],
            "service": ["orders"] * n,
            "template_id": ["t"] * n,
            "params": [[str(int(a)), str(int(b))] for a, b in zip(ids, took, strict=True)],
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    values = extract_parameters(frame)
    cut = T0 + timedelta(seconds=3 * n // 2)
    det = ParameterShiftDetector().fit(values.filter(pl.col("timestamp") < cut))
    flagged = det.score(values.filter(pl.col("timestamp") >= cut)).filter(pl.col("flagged"))
    assert set(flagged.get_column("feature")) == {"$2"}


def test_parameter_skips_short_ids_but_keeps_measures():
    # a card's last four digits (whole numbers spread evenly, mostly distinct) is an id: its
    # "shifts" are noise; a latency (skewed) is a measure; an HTTP status code (few values,
    # all codes) is a category: a scanner's 404s are no slow-down, 5xx count as errors
    rng = np.random.default_rng(7)
    n = 400
    frame = pl.DataFrame(
        {
            "timestamp": [T0 + timedelta(seconds=10 * i) for i in range(n)],
            "service": ["s"] * n,
            "template_id": ["t"] * n,
            "params": [
                [str(card), f"{ms:.0f}", str(status)]
                for card, ms, status in zip(
                    rng.integers(1000, 10000, n), rng.lognormal(np.log(40), 0.4, n), rng.choice([200, 200, 200, 404, 500], n), strict=True
                )
            ],
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    det = ParameterShiftDetector().fit(extract_parameters(frame))
    assert sorted(det.baseline_.get_column("feature")) == ["$2"]  # not the card digits ($1) nor the status ($3)
    # ... and so is a proxy's status with its "no answer" code (HAProxy's -1, Envoy's 0)
    codes = pl.Series([[str(c)] for c in rng.choice([200, 200, 404, -1, 0], n)])
    frame = frame.with_columns(pl.concat_list(pl.col("params").list.head(2), codes).alias("params"))
    det = ParameterShiftDetector().fit(extract_parameters(frame))
    assert sorted(det.baseline_.get_column("feature")) == ["$2"]
    # ... and an attribute that names a status or a code, whatever its numbers: IIS's
    # sc-win32-status (0, 2 for a file not found, 64, 1236 for a client gone), sc-substatus
    attrs = [
        json.dumps({"time-taken": int(ms), "sc-win32-status": int(w), "sc-substatus": int(sub)})
        for ms, w, sub in zip(rng.lognormal(np.log(40), 0.4, n), rng.choice([0, 0, 0, 2, 64, 1236, 995], n), rng.choice([0, 0, 1, 2, 13], n), strict=True)
    ]
    frame = frame.with_columns(pl.Series("attributes", attrs), pl.lit([], pl.List(pl.String)).alias("params"))
    det = ParameterShiftDetector().fit(extract_parameters(frame))
    assert sorted(det.baseline_.get_column("feature")) == ["attributes.time-taken"]


def test_multivariate_and_pca_residual(new_error):
    base, study = _split(new_error)
    scores = MultivariateDetector().fit(base).score(study)
    assert scores.filter(pl.col("flagged")).get_column("window_start").min() >= ONSET
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 5)) @ np.diag([5, 3, 0.1, 0.1, 0.1])
    model = PCAResidual(variance=0.9).fit(x)
    far = np.array([[0, 0, 3.0, 0, 0], [0, 0, 1.0, 0, 0], [0, 0, 0.1, 0, 0]])
    s = model.score(far)
    assert s[0] > s[1] > s[2]
    assert s[0] > 6


def test_sessions_pca_flags_unusual_and_new_templates():
    rng = np.random.default_rng(1)
    rows = []
    for i in range(300):
        k = int(rng.integers(1, 4))
        rows += [(f"s{i}", "open", 1), (f"s{i}", "write", k), (f"s{i}", "close", 1)]
    rows += [("bad-1", "open", 1), ("bad-1", "write", 2)]  # never closed
    rows += [("bad-2", "open", 1), ("bad-2", "panic", 1), ("bad-2", "close", 1)]  # unseen template
    frame = pl.DataFrame(rows, schema={"session_id": pl.String, "template_id": pl.String, "n_events": pl.UInt32}, orient="row")
    det = SessionDetector().fit(frame.filter(~pl.col("session_id").str.starts_with("bad")))
    scored = det.score(frame)
    flagged = set(scored.filter(pl.col("flagged")).get_column("session_id"))
    assert {"bad-1", "bad-2"} <= flagged
    assert len(flagged) <= 5


def test_count_sessions_by_pattern_counts_every_block():
    frame = pl.DataFrame(
        {
            "body": ["recv blk_1 and blk_-2", "done blk_1", "no block here"],
            "template_id": ["a", "b", "c"],
        }
    )
    sessions = count_sessions(frame, pattern=r"blk_-?\d+")
    assert sorted(sessions.get_column("session_id").unique()) == ["blk_-2", "blk_1"]
    assert sessions.get_column("n_events").sum() == 3


# --- detect_anomalies -------------------------------------------------------------------


def test_detect_quiet_on_normal_days(normal, busier):
    for frame in (normal, busier):
        result = detect_anomalies(frame)
        assert result.windows == (), result.summary()


def test_detect_new_error_window(new_error):
    result = detect_anomalies(new_error)
    assert len(result.windows) == 1, result.summary()
    w = result.windows[0]
    assert w.start == ONSET
    assert set(w.services) == {"payment", "checkout"}
    assert w.end > w.start
    kinds = {c.kind for c in w.contributions}
    assert {"new", "error_ratio"} <= kinds
    scores = [c.score for c in w.contributions]
    assert scores == sorted(scores, reverse=True)
    assert w.score == scores[0]
    npe = next(c for c in w.contributions if c.kind == "new" and c.service == "payment")
    assert npe.template == "NullPointerException in RiskScorer.score order=<NUM>"
    assert npe.baseline_rate == 0.0
    assert npe.observed_rate > 5
    assert npe.first_seen is not None
    assert ONSET <= npe.first_seen < ONSET + timedelta(minutes=1)
    assert npe.examples
    assert all(e.startswith("NullPointerException") for e in npe.examples)
    assert npe.detail
    for c in w.contributions:
        assert c.score >= 6.0
        assert c.onset >= w.start


def test_detect_latency_and_gone(latency, gone):
    result = detect_anomalies(latency)
    assert len(result.windows) == 1, result.summary()
    w = result.windows[0]
    assert abs(w.start - ONSET) <= timedelta(minutes=1)
    assert w.services == ("payment",)
    param = next(c for c in w.contributions if c.kind == "parameter")
    assert "took <NUM>ms" in (param.template or "")
    assert param.extra["window_q95"] > 3 * param.extra["base_q95"]
    result = detect_anomalies(gone)
    assert len(result.windows) == 1, result.summary()
    w = result.windows[0]
    assert w.start == ONSET
    assert any(c.kind == "gone" and c.template == "heartbeat ok" and c.observed_rate == 0 for c in w.contributions)


def test_detect_baseline_forms_agree(new_error):
    cut = T0 + timedelta(minutes=60)
    by_time = detect_anomalies(new_error, baseline=cut)
    by_iso = detect_anomalies(new_error, baseline=cut.isoformat())
    by_range = detect_anomalies(new_error, baseline=(T0, cut))
    by_frame = detect_anomalies(
        new_error.filter(pl.col("timestamp") >= cut), baseline=new_error.filter(pl.col("timestamp") < cut)
    )
    starts = {r.windows[0].start for r in (by_time, by_iso, by_range, by_frame)}
    assert starts == {ONSET}
    assert by_time.baseline_end == cut
    assert by_frame.study_start == cut


def test_detect_result_serialises(new_error):
    result = detect_anomalies(new_error)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema_version"] == 1
    assert data["windows"][0]["start"] == ONSET.isoformat()
    frame = result.contributions_frame()
    assert frame.height == sum(len(w.contributions) for w in result.windows)
    assert "anomaly window" in result.summary()
    assert "DetectionResult(windows=1" in repr(result)
    assert set(result.counts.get_column("period").unique()) == {"baseline", "study"}


def test_detect_options_validated(normal):
    with pytest.raises(ConfigError, match="unknown detector"):
        detect_anomalies(normal, detectors=("magic",))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="warmup"):
        detect_anomalies(normal, warmup=2.0)
    with pytest.raises(ConfigError, match="ISO"):
        detect_anomalies(normal, baseline="yesterday-ish")


def test_detect_mines_templates_for_plain_records():
    frame = make_records(seed=9, fault="new_error", minutes=100, onset_min=70).drop("template_id", "template", "params")
    result = detect_anomalies(frame)
    assert len(result.windows) == 1, result.summary()
    w = result.windows[0]
    assert w.start == T0 + timedelta(minutes=70)
    assert {"payment", "checkout"} <= set(w.services)


def test_daily_curve_alone_is_quiet():
    # a strong daily curve (x3 between trough and peak) with no incident
    frame = make_records(seed=11, minutes=180, rate=30.0)
    t = frame.get_column("timestamp")
    minutes = ((t - T0).dt.total_seconds() / 60).to_numpy()
    keep = np.random.default_rng(0).uniform(size=len(minutes)) < (0.4 + 0.6 * (1 + np.sin(2 * math.pi * minutes / 180)) / 2)
    result = detect_anomalies(frame.filter(pl.Series(keep)))
    assert result.windows == (), result.summary()


def test_sessions_through_detect(new_error):
    frame = new_error.with_columns((pl.lit("t") + (pl.col("line_no") // 3).cast(pl.String)).alias("trace_id"))
    result = detect_anomalies(frame, session_key="trace_id")
    assert result.sessions is not None
    assert result.sessions.filter(pl.col("flagged")).height > 0
    assert result.to_dict()["sessions"]["n_sessions"] == result.sessions.height


def test_counts_are_quick_to_query(normal):
    # the count matrix is a plain frame people chart and query
    counts = detect_anomalies(normal).counts
    per_service = counts.group_by("service").agg(pl.col("n_events").sum()).sort("service")
    assert per_service.get_column("n_events").sum() == normal.height
    assert counts.get_column("window_start").dtype == pl.Datetime("us", "UTC")



def test_ragged_export_edges_are_not_anomalies():
    # one service's export ends 55 s before the others, another's starts 30 s late
    frame = make_records(seed=12, rate=150.0).filter(
        ~((pl.col("service") == "inventory") & (pl.col("timestamp") >= T0 + timedelta(minutes=119, seconds=5)))
        & ~((pl.col("service") == "payment") & (pl.col("timestamp") < T0 + timedelta(seconds=30)))
    )
    result = detect_anomalies(frame, baseline=T0 + timedelta(minutes=60))
    assert result.windows == (), result.summary()


def test_recovery_is_not_a_new_anomaly(new_error):
    # the failure stops at minute 100: errors going away must not open a second window
    stop = T0 + timedelta(minutes=100)
    frame = new_error.filter(~((pl.col("severity_number") >= 17) & (pl.col("timestamp") >= stop)))
    result = detect_anomalies(frame)
    assert len(result.windows) == 1, result.summary()
    assert result.windows[0].start == ONSET
    assert result.windows[0].end <= stop + timedelta(minutes=6)


def test_new_fatal_template_needs_one_line(normal):
    # a process or kernel that dies says so once: one FATAL line of a new template is enough,
    # while a new ERROR must repeat (test above)
    fatal = normal.head(1).with_columns(
        pl.lit(ONSET + timedelta(seconds=5)).cast(pl.Datetime("us", "UTC")).alias("timestamp"),
        pl.lit("x-panic").alias("template_id"),
        pl.lit("kernel panic: Attempted to kill init!").alias("body"),
        pl.lit(21, dtype=pl.UInt8).alias("severity_number"),
        pl.lit("FATAL").alias("severity_text"),
    )
    frame = pl.concat([normal, fatal]).sort("timestamp")
    base, study = _split(frame)
    flagged = NewTemplateDetector().fit(base).score(study).filter(pl.col("flagged"))
    assert flagged.select("window_start", "template_id").rows() == [(ONSET, "x-panic")]
    # the old rule (3 occurrences whatever the level) is one option away
    assert not NewTemplateDetector(fatal_count=3).fit(base).score(study).get_column("flagged").any()
    result = detect_anomalies(frame)
    assert [(w.start, [c.template_id for c in w.contributions if c.kind == "new"]) for w in result.windows] == [(ONSET, ["x-panic"])]
    assert detect_anomalies(frame, min_new_count_fatal=3).windows == ()


def _flooded_estate(*, flood_per_minute: int, minutes: int = 240, start: int = 100, end: int = 130, seed: int = 8) -> pl.DataFrame:
    """Six services logging steadily; ``db`` floods with a FATAL line in [start, end) minutes."""
    rng = np.random.default_rng(seed)
    rows: list[tuple] = []
    for minute in range(minutes):
        at = T0 + timedelta(minutes=minute)
        for service in ("gateway", "orders", "billing", "stock", "catalog", "db"):
            rows.extend((at + timedelta(seconds=float(s)), service, f"{service}-ok", 9) for s in rng.uniform(0, 60, rng.poisson(20)))
        if start <= minute < end:
            rows.extend((at + timedelta(seconds=float(s)), "db", "db-too-many-clients", 21) for s in rng.uniform(0, 60, rng.poisson(flood_per_minute)))
    frame = pl.DataFrame(rows, schema=["timestamp", "service", "template_id", "severity_number"], orient="row")
    return frame.with_columns(pl.col("timestamp").dt.cast_time_unit("us"), pl.col("severity_number").cast(pl.UInt8)).sort("timestamp")


def test_flood_does_not_become_the_baseline():
    # expanding history: a service's flood must not enter its normal level, or the rest of the
    # flood looks normal and its end reads as a drop (a false alarm long after the incident)
    counts = count_windows(_flooded_estate(flood_per_minute=400))
    cut = T0 + timedelta(minutes=60)
    det = RateDetector(update_baseline=True).fit(counts.filter(pl.col("window_start") < cut))
    scores = det.score(counts.filter(pl.col("window_start") >= cut))
    db = scores.filter((pl.col("service") == "db") & pl.col("template_id").is_null() & pl.col("flagged"))
    spikes = db.filter(pl.col("kind") == "rate_spike").get_column("window_start")
    # the whole flood, not only its first minutes (the last-5-windows test may add a window or
    # two just after it)
    flood = [T0 + timedelta(minutes=m) for m in range(100, 130)]
    assert set(flood) <= set(spikes.to_list())
    assert spikes.min() == flood[0]
    assert spikes.max() <= flood[-1] + timedelta(minutes=5)
    assert db.filter(pl.col("kind") != "rate_spike").height == 0, db
    # a real drop after the flood is still one: db goes quiet at minute 200
    frame = _flooded_estate(flood_per_minute=400).filter(
        ~((pl.col("service") == "db") & (pl.col("timestamp") >= T0 + timedelta(minutes=200)))
    )
    counts = count_windows(frame)
    scores = RateDetector(update_baseline=True).fit(counts.filter(pl.col("window_start") < cut)).score(
        counts.filter(pl.col("window_start") >= cut)
    )
    drops = scores.filter((pl.col("service") == "db") & pl.col("flagged") & pl.col("kind").is_in(["rate_drop", "gone"]))
    assert drops.get_column("window_start").min() == T0 + timedelta(minutes=200)


def test_a_number_before_a_state_word_is_a_count():
    """``presence sweep: 626 online``: how many users are in a state follows the traffic
    (probe AM's evening ramp read as a shift of a measure); a duration is no count."""
    from rcakit.detect._params import countable_features

    frame = pl.DataFrame(
        {
            "template_id": ["a", "b", "c"],
            "template": ["presence sweep: <NUM> online, <NUM> stale removed", "request took <NUM> ms", "<NUM> active sessions"],
        }
    )
    assert sorted(countable_features(frame).rows()) == [("a", "$1"), ("c", "$1")]


def test_a_drop_against_the_traffic_says_what_was_expected():
    """A service whose volume stays flat while every other service's triples is flagged
    against the traffic it should have followed: its detail must show that expectation, not
    only "40 -> 40 per window (1.0x)" (probe AY: a login service read as dropping at 1.0x)."""
    frame = make_records(seed=12, traffic_jump=3.0, onset_min=80)
    rng = np.random.default_rng(0)
    later = (pl.col("service") == "inventory") & (pl.col("timestamp") >= ONSET)
    keep = pl.Series(rng.random(frame.height) < 1 / 3)
    frame = frame.filter(~later | keep)
    drops = [
        c
        for w in detect_anomalies(frame).windows
        for c in w.contributions
        if c.service == "inventory" and c.template_id is None and c.kind == "rate_drop"
    ]
    assert drops, "the flat service was not flagged"
    detail = drops[0].detail
    assert 0.67 < drops[0].observed_rate / drops[0].baseline_rate < 1.5, detail
    assert "where the other services' traffic predicted" in detail, detail
    predicted = float(detail.rsplit("predicted ", 1)[1])
    assert predicted > 2 * drops[0].extra["peak_observed"], detail


def test_zerologs_dur_ms_is_a_duration(tmp_path):
    """Go services logging with zerolog write a request's time as ``"dur_ms": 1900.9`` beside a
    constant message (``"message": "request"``): a blind probe's latency regression went
    unseen ("No anomaly found") because the key was not read as a duration."""
    lines = [
        f'{{"level":"info","service":"inventory","time":"2025-03-08T17:{i // 10:02d}:{i % 10 * 6:02d}Z",'
        f'"path":"/v1/stock/{i}","status":200,"dur_ms":{3.1 + i % 5},"message":"request"}}'
        for i in range(100)
    ]
    (tmp_path / "inventory.json").write_text("\n".join(lines) + "\n")
    from rcakit import mine_templates, read_logs

    values = extract_parameters(mine_templates(read_logs(tmp_path)))
    assert values.filter(pl.col("feature") == "attributes.dur_ms").height == 100


def test_a_keyed_number_that_follows_the_traffic_is_load_not_a_shift():
    """``Matchmaking pass ... searching=123 matched=40 took=17ms``: how many players are
    queued rises with the evening's players while nothing is wrong (blind probe BI: read as a
    shift of a measure, false alarms on normal days and the wrong root). A keyed number whose
    key names no time is a count, judged per unit of traffic; ``took`` stays a duration."""
    from rcakit.detect._params import countable_features
    from rcakit.templates import mine_templates

    tpl = pl.DataFrame(
        {
            "template_id": ["a", "b"],
            "template": [
                "Matchmaking pass queue=<ID>/<*> searching=<NUM> matched=<NUM> took=<DURATION>",
                "request done took=<NUM> latency_ms=<NUM> status=<NUM>",
            ],
        }
    )
    assert sorted(countable_features(tpl).rows()) == [("a", "$3"), ("a", "$4"), ("b", "$3")]

    rng = np.random.default_rng(5)
    rows: list[tuple] = []
    for minute in range(240):
        at = T0 + timedelta(minutes=minute)
        load = 20 + 40 * minute / 240  # the evening ramp: 20 -> 60 requests a minute
        rows += [
            (at + timedelta(seconds=float(s)), "lobby", f"GET /v1/lobby/{rng.integers(1000, 9999)} 200 took={rng.integers(3, 9)}ms")
            for s in np.sort(rng.uniform(0, 60, rng.poisson(load)))
        ]
        for k in range(6):  # a pass every 10 s, whatever the load
            searching = max(1, round(load * 3 * rng.lognormal(0, 0.1)))
            rows.append(
                (
                    at + timedelta(seconds=10 * k),
                    "matchmaking",
                    f"Matchmaking pass queue=ranked_5v5/eu-west searching={searching} matched={searching // 3} took={rng.integers(10, 25)}ms",
                )
            )
    frame = pl.DataFrame(rows, schema=["timestamp", "service", "body"], orient="row").with_columns(
        pl.col("timestamp").dt.cast_time_unit("us").dt.replace_time_zone("UTC"),
        pl.lit(9, dtype=pl.UInt8).alias("severity_number"),
    )
    result = detect_anomalies(mine_templates(frame.sort("timestamp")), baseline=T0 + timedelta(minutes=60))
    shifts = [c.detail for w in result.windows for c in w.contributions if c.kind == "parameter"]
    assert shifts == [], shifts


def test_a_responses_bytes_are_no_measure_of_health(tmp_path):
    """An access log's ``bytes`` follow the mix of endpoints (label downloads after a bulk
    import): their median moving is no incident (blind probe BK: 8 of 9 false alarms on
    normal days)."""
    import rcakit

    rng = np.random.default_rng(3)
    lines = []
    for s in range(0, 180 * 60, 2):
        mix = 0.0 if s < 120 * 60 else 0.5  # label downloads in the last hour
        big = rng.random() < mix
        size = int(rng.normal(6_000 if big else 2_000, 300))
        stamp = (T0 + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = "/v1/labels/L" if big else "/v1/parcels/P"
        lines.append(json.dumps({"time": stamp, "method": "GET", "path": path + str(s), "status": 200, "bytes": size,
                                 "response_time_ms": round(float(rng.gamma(6.0, 3.0)), 1)}))
    path = tmp_path / "edge.log"
    path.write_text("\n".join(lines) + "\n")
    result = detect_anomalies(rcakit.mine_templates(rcakit.read_logs(path)), baseline=T0 + timedelta(minutes=60))
    shifts = [c.detail for w in result.windows for c in w.contributions if c.kind == "parameter"]
    assert shifts == [], shifts
