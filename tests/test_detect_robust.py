"""Detection on inputs shaped unlike the usual export: an incident early in the logs, tiny inputs.

Early incidents: an on-call export often starts minutes before the incident. The default
baseline (the first ``warmup`` share of the windows) would contain it; the second pass scores
those windows against the later, quiet ones. Simulated incidents are cut so the onset falls at
15-20 % of the logs; normal days (cut the same way and uncut) must stay quiet.
"""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

import rcakit
from rcakit.errors import ConfigError, InputError, RcakitWarning

W = timedelta(minutes=1)


def _records(tmp_path_factory, fault: str, seed: int) -> tuple[pl.DataFrame, dict]:
    out = tmp_path_factory.mktemp(f"{fault}-{seed}")
    scenario = rcakit.generate_incident(out / "logs", fault=fault, seed=seed, hours=3.0, rate=2.0)
    scenario.write_truth(out / "truth.json")
    files = [str(p) for p in sorted((out / "logs").iterdir()) if p.name != "deploys.csv"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)  # the simulated Kibana export has odd lines on purpose
        logs = rcakit.read_logs(files)
    return logs, json.loads((out / "truth.json").read_text())


def _cut(logs: pl.DataFrame, at: datetime, share: float) -> pl.DataFrame:
    """Keep the logs from the time that puts ``at`` at ``share`` of the remaining span."""
    last = logs["timestamp"].max()
    cut = at - (last - at) * share / (1 - share)
    return logs.filter(pl.col("timestamp").is_null() | (pl.col("timestamp") >= cut))


@pytest.mark.parametrize(("fault", "seed", "share"), [("new_error", 1, 0.15), ("config_change", 2, 0.2), ("latency", 3, 0.17)])
def test_incident_in_the_first_fifth_is_found_with_its_onset(tmp_path_factory, fault, seed, share):
    logs, truth = _records(tmp_path_factory, fault, seed)
    onset = datetime.fromisoformat(truth["onset"])
    early = _cut(logs, onset, share)
    span = early["timestamp"].max() - early["timestamp"].min()
    assert (onset - early["timestamp"].min()) / span < 0.21  # the incident is inside the old warmup
    result = rcakit.detect_anomalies(rcakit.mine_templates(early))
    assert onset < result.study_start  # the first pass alone could not have seen the onset
    end = datetime.fromisoformat(truth["end"])
    matched = [w for w in result.windows if w.start <= end and w.end >= onset - W]
    assert matched, result.summary()
    first = matched[0]
    onset_window = onset.replace(second=0, microsecond=0)
    assert abs((first.start - onset_window) / W) <= 1, result.summary()
    assert truth["root_service"] in first.services
    # the window is one incident, not a warmup part plus a study part
    assert first.end >= result.study_start
    # the early windows' evidence is in the scores frame, once per window/detector/series
    early_scores = result.scores.filter(pl.col("window_start") < result.study_start)
    assert early_scores.filter(pl.col("flagged")).height > 0
    assert early_scores.filter(pl.col("flagged"))["kind"].is_in(["rate_drop", "gone"]).sum() == 0
    # every flagged contribution's onset lies in the anomaly window
    for c in first.contributions:
        assert first.start <= c.onset < first.end


@pytest.mark.parametrize("seed", [1, 4])
def test_normal_days_stay_quiet_uncut_and_cut(tmp_path_factory, seed):
    logs, truth = _records(tmp_path_factory, "none", seed)
    assert truth["onset"] is None
    lo, hi = logs["timestamp"].min(), logs["timestamp"].max()
    for frame in (logs, _cut(logs, lo + (hi - lo) / 2, 0.2)):
        result = rcakit.detect_anomalies(rcakit.mine_templates(frame))
        assert result.windows == (), result.summary()


def _tiny(n: int, *, every: timedelta, t0: datetime = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)) -> pl.DataFrame:
    rows = [
        {
            "timestamp": t0 + i * every,
            "severity_text": "ERROR" if i % 3 == 0 else "INFO",
            "severity_number": 17 if i % 3 == 0 else 9,
            "service": "checkout",
            "body": f"payment call failed status={500 + i % 3}" if i % 3 == 0 else f"order {1000 + i} placed",
            "source": "checkout.log",
            "line_no": i + 1,
        }
        for i in range(n)
    ]
    return pl.DataFrame(rows, schema_overrides={"timestamp": pl.Datetime("us", "UTC")})


def test_one_window_of_logs_is_an_answer_not_an_error():
    frame = _tiny(40, every=timedelta(seconds=1))
    result = rcakit.detect_anomalies(frame)
    assert result.windows == ()
    assert result.note is not None
    assert result.note.startswith("not enough data to compare (40 record(s) over 1 window(s) of 1m)")
    assert "no incident detected" in result.note
    assert result.note in result.summary()
    assert result.to_dict()["note"] == result.note
    assert result.counts["n_events"].sum() == 40
    assert result.contributions_frame().height == 0


def test_records_without_any_time_are_an_answer_not_an_error():
    frame = _tiny(5, every=timedelta(seconds=1)).with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("timestamp"))
    with pytest.warns(rcakit.RcakitWarning, match="no timestamp"):
        result = rcakit.detect_anomalies(frame)
    assert result.windows == ()
    assert result.note is not None
    assert "5 record(s), none with a time" in result.note


def test_enough_windows_give_no_note():
    result = rcakit.detect_anomalies(_tiny(600, every=timedelta(seconds=2)))
    assert result.note is None
    assert "note" not in result.to_dict()


def test_explicit_user_errors_stay_errors():
    frame = _tiny(40, every=timedelta(seconds=1))
    with pytest.raises(InputError, match="baseline is empty"):
        rcakit.detect_anomalies(frame, baseline=frame.clear())
    with pytest.raises(InputError, match="nothing to study"):
        rcakit.detect_anomalies(frame, baseline="2030-01-01T00:00:00Z")
    with pytest.raises(ConfigError):
        rcakit.detect_anomalies(frame, warmup=1.5)
    with pytest.raises(ConfigError):
        rcakit.detect_anomalies(frame, window="soon")


def test_a_long_outage_ends_where_it_ends(tmp_path):
    # a database down for 45 min floods FATAL lines; a surge "seen before" must be one that
    # ended, not the flood's own earlier windows (capped, they had stayed in the history and
    # the database's normal volume afterwards read as a drop: windows to 15:16 for 13:44)
    sc = rcakit.generate_incident(tmp_path / "logs", fault="dependency_outage", seed=1)
    files = sorted(p for p in sc.out_dir.iterdir() if p.name != "deploys.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        result = rcakit.detect_anomalies(rcakit.mine_templates(rcakit.read_logs(files)))
    truth = sc.truth
    after = [w for w in result.windows if w.end > truth.end + timedelta(minutes=15)]
    assert after == [], [(w.start, w.end, w.services) for w in after]


def _batch_logs(path, *, minutes: int = 240, jump_at: int | None = None, heartbeat: bool = False) -> None:
    """A CDR collector fetching one file per switch per minute, whose record counts follow
    the day's traffic (x2.8 over four hours, as calls do), beside the calls themselves;
    ``jump_at``: from that minute on the files hold three times as many records while the
    traffic goes on as before (a real change); ``heartbeat``: a consumer's heartbeat line a
    minute instead, counting what it posted (``27 results posted in last 60s``)."""
    import random

    r = random.Random(7)
    t0 = datetime(2024, 3, 19, 6, 0, tzinfo=UTC)
    collector, calls = [], []

    def stamp(t: datetime) -> str:
        return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}"

    for m in range(minutes):
        traffic = 0.5 + 0.9 * m / minutes
        extra = 3.0 if jump_at is not None and m >= jump_at else 1.0
        if heartbeat:
            t = t0 + timedelta(minutes=m, seconds=48 + r.uniform(0, 0.2))
            n = int(20 * traffic * extra * r.uniform(0.8, 1.2))
            collector.append((t, f"{stamp(t)} INFO     [labworker.health] heartbeat: consumer on lab.results alive, {n} results posted in last 60s"))
        for switch, size in () if heartbeat else (("msc01", 1.0), ("sbc01", 0.55)):
            t = t0 + timedelta(minutes=m, seconds=r.uniform(0, 50))
            n = int(3000 * traffic * size * extra * r.uniform(0.85, 1.15))
            collector.append((t, f"{stamp(t)} INFO [collector-{switch}] c.t.cdr.SftpCollector - fetched CDR_{switch.upper()}_{t:%Y%m%d%H%M}_{r.randint(1000, 9999)}.dat ({n * 0.00045:.2f} MB, {n} records) from {switch} via sftp"))
            t2 = t + timedelta(milliseconds=r.randint(50, 400))
            collector.append((t2, f"{stamp(t2)} INFO [collector-{switch}] c.t.cdr.KafkaPublisher - published {n} records of CDR_{switch.upper()}.dat to cdr-raw"))
        for _ in range(int(r.gauss(40 * traffic, 3))):
            t = t0 + timedelta(minutes=m, seconds=r.uniform(0, 60))
            calls.append((t, f"{stamp(t)} INFO [worker-{r.randint(1, 8)}] c.t.sip.CallHandler - call {r.getrandbits(48):012x} completed in {int(r.lognormvariate(4.5, 0.3))}ms"))
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in (("cdr-collector.log", collector), ("call-handler.log", calls)):
        (path / name).write_text("\n".join(line for _, line in sorted(rows)) + "\n")


def test_a_batch_size_that_follows_the_traffic_is_not_an_anomaly(tmp_path):
    """Probe AD: a collector's record counts per file grew with the morning's traffic and
    were reported as shifts (before: two anomaly windows, 'median 1800 -> 2461'). A count or
    a size that rises and falls with every service's records is judged per unit of traffic;
    a jump with no traffic behind it still is one."""
    _batch_logs(tmp_path / "day")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        quiet = rcakit.detect_anomalies(rcakit.mine_templates(rcakit.read_logs(tmp_path / "day")))
    assert not quiet.windows, [(w.start, [c.kind for c in w.contributions]) for w in quiet.windows]
    # (probe AG: a heartbeat's count of what it posted, "results", is a count too)
    _batch_logs(tmp_path / "beat", heartbeat=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        quiet = rcakit.detect_anomalies(rcakit.mine_templates(rcakit.read_logs(tmp_path / "beat")))
    assert not quiet.windows, [(w.start, [c.kind for c in w.contributions]) for w in quiet.windows]
    _batch_logs(tmp_path / "jump", jump_at=180)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        found = rcakit.detect_anomalies(rcakit.mine_templates(rcakit.read_logs(tmp_path / "jump")))
    jump = datetime(2024, 3, 19, 9, 0, tzinfo=UTC)
    hits = [w for w in found.windows if w.start <= jump + timedelta(minutes=3) and w.end >= jump]
    assert hits, found.windows
    assert any(c.kind == "parameter" and c.service == "cdr-collector" for c in hits[0].contributions), found.windows
