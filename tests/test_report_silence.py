"""Incidents whose loudest sign is a service that stops logging (hung or crashed process)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest

import rcakit
from rcakit.errors import RcakitWarning
from rcakit.report import analyze


def _analyze(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return analyze(path)


@pytest.mark.slow
def test_hung_service_after_its_deploy(tmp_path):
    sc = rcakit.generate_incident(tmp_path / "hang", fault="hang", seed=3, hours=3)
    truth = sc.truth
    report = _analyze(sc.out_dir)
    hits = [i for i in report.incidents if i.start <= truth.end and i.end >= truth.onset]
    assert len(report.incidents) == 1
    assert hits
    inc = hits[0]
    assert inc.root_service == truth.root_service
    assert inc.cause == truth.cause_change_id
    # callers see the hang when their timeout fires: well inside the first window
    assert abs((inc.start - truth.onset).total_seconds()) <= 60
    assert "went (nearly) silent" in inc.summary
    root = next(r for r in inc.roles if r.service == truth.root_service)
    assert any("stopped logging" in e.text for e in root.evidence)


@pytest.mark.slow
def test_a_service_that_stops_logging_is_an_incident(tmp_path):
    """A normal day, then one service's lines of 20 minutes are cut out (a hung process
    nobody calls in that time): nothing else changes, and that alone is an incident."""
    sc = rcakit.generate_incident(tmp_path / "day", fault="none", seed=5, hours=3)
    log = next(s for s in sc.logs if s.role == "payment")
    frame = rcakit.read_logs(log.path)
    t0 = frame["timestamp"].min() + timedelta(minutes=110)
    cut = frame.filter(frame["timestamp"].is_between(t0, t0 + timedelta(minutes=20), closed="left"))
    drop = {n for a, k in zip(cut["line_no"], cut["n_lines"], strict=True) for n in range(a, a + k)}
    assert len(drop) > 50
    lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)
    log.path.write_text("".join(x for i, x in enumerate(lines, start=1) if i not in drop), encoding="utf-8")

    report = _analyze(sc.out_dir)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == log.service
    assert abs((inc.start - t0).total_seconds()) <= 60
    assert inc.cause is None
    assert "went (nearly) silent" in inc.summary
    root = next(r for r in inc.roles if r.service == log.service)
    assert any(e.text.startswith(f"{log.service} ") and "stopped logging" in e.text for e in root.evidence)
    md = report.to_markdown()
    assert "(all records of the service)" in md
    assert "count before / during: 0 / 0" not in md


@pytest.mark.slow
@pytest.mark.parametrize("seed", [18, 19])
def test_hung_service_with_the_services_behind_it_quiet_too(tmp_path, seed):
    """A hung service's own callees go quiet with it (nobody calls them): several services
    are silent at once. The one the others stand behind (its logs name them, or they log
    only within the requests it handles: shared trace ids) is the root, not a callee nor
    the edge answering 503s."""
    sc = rcakit.generate_incident(tmp_path / "hang", fault="hang", seed=seed, hours=3)
    truth = sc.truth
    report = _analyze(sc.out_dir)
    hits = [i for i in report.incidents if i.start <= truth.end and i.end >= truth.onset]
    assert len(hits) == 1
    inc = hits[0]
    quiet = [r.service for r in inc.roles if any("stopped logging" in e.text for e in r.evidence)]
    assert len(quiet) >= 2
    assert inc.root_service == truth.root_service
    assert inc.cause == truth.cause_change_id
    root = next(r for r in inc.roles if r.service == truth.root_service)
    assert any("the services quiet with it wait on it" in e.text and e.weight > 0 for e in root.evidence)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 4])
def test_hung_service_whose_callers_never_name_it(tmp_path, seed):
    """The callers' errors say only "downstream call failed ... 504" (their logs never name
    the hung service; shared trace ids or a call graph link them): the service that went
    quiet while its callers' calls fail is the root, not the caller logging the failures."""
    import re

    sc = rcakit.generate_incident(tmp_path / "hang", fault="hang", seed=seed, hours=3)
    root = sc.truth.root_service
    stem = re.split(r"[-_]", root)[0]
    for log in sc.logs:
        if log.service != root:
            text = log.path.read_text(encoding="utf-8")
            log.path.write_text(re.sub(rf"(?i)\b{re.escape(root)}\b|\b{re.escape(stem)}(?:-\w+)?\b", "downstream", text), encoding="utf-8")
    report = _analyze(sc.out_dir)
    hits = [i for i in report.incidents if i.start <= sc.truth.end and i.end >= sc.truth.onset]
    assert len(hits) == 1
    assert (hits[0].root_service, hits[0].cause) == (root, sc.truth.cause_change_id)
    evidence = next(r for r in hits[0].roles if r.service == root).evidence
    assert any("(time out, refused, backlog) while it is quiet" in e.text for e in evidence)


def _queue_estate(path, *, consumer_stops: bool):
    """orders publishes to order-events, worker consumes it (its lines name the queue; no
    call links them). The worker goes quiet at 11:00; orders warns of the backlog from
    11:05 and its publishes are rejected from 11:12 (the same warnings and errors, with no
    quiet consumer, are orders' own trouble)."""
    import json
    import random

    rng = random.Random(4)
    t0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    stop = datetime(2025, 3, 1, 11, 0, tzinfo=UTC)
    path.mkdir()
    orders, worker = [], []
    for i in range(3 * 3600 // 5):
        t = t0 + timedelta(seconds=5 * i + rng.random())
        order = f"ord-{rng.randrange(10**6):06d}"
        level, msg = "INFO", f"order {order} placed, published to order-events in {rng.randrange(2, 9)}ms"
        if t >= stop + timedelta(minutes=12):
            level, msg = "ERROR", f"publish to order-events rejected: queue full (order {order})"
        elif t >= stop + timedelta(minutes=5) and i % 6 == 0:
            level, msg = "WARN", f"order-events backlog high depth={rng.randrange(5000, 9000)} consumers=0"
        orders.append(json.dumps({"ts": t.isoformat(), "level": level, "service": "orders", "msg": msg}))
        if not (consumer_stops and t >= stop) and i % 2 == 0:
            wt = t + timedelta(seconds=2)
            worker.append(f"time={wt.isoformat()} level=info msg=\"processed order-events message order={order} in {rng.randrange(20, 60)}ms\"")
    (path / "orders.jsonl").write_text("\n".join(orders) + "\n")
    (path / "worker.log").write_text("\n".join(worker) + "\n")
    return _analyze(path)


@pytest.mark.slow
def test_a_quiet_queue_consumer_is_the_root_of_its_publishers_backlog(tmp_path):
    report = _queue_estate(tmp_path / "stuck", consumer_stops=True)
    assert [i.root_service for i in report.incidents] == ["worker"]
    evidence = next(r for r in report.incidents[0].roles if r.service == "worker").evidence
    assert any("feeding its queue" in e.text and e.weight > 0 for e in evidence)
    # the worker keeps consuming: the rejected publishes are orders' own
    report = _queue_estate(tmp_path / "live", consumer_stops=False)
    assert [i.root_service for i in report.incidents] == ["orders"]
