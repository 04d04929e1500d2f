"""A root that went quiet dates the incident by its last record, not by the warnings that
follow minutes later (a queue consumer stalls; its publisher's backlog alarm fires 4 min on)."""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np

import rcakit
from rcakit.errors import RcakitWarning

T0 = datetime(2025, 4, 22, 13, 0, tzinfo=UTC)


def _estate(tmp_path, *, minutes=150, stall=(110, 128), seed=0):
    rng = np.random.default_rng(seed)
    orders, consumer, payments = [], [], []
    backlog = 0
    for s in range(minutes * 60):
        t = T0 + timedelta(seconds=s, milliseconds=int(rng.integers(0, 900)))
        stalled = stall[0] * 60 <= s < stall[1] * 60
        if rng.random() < 0.4:
            payments.append(f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} INFO payments.api: charge captured in {int(rng.gamma(3.0, 30.0))} ms")
        if rng.random() < 0.5:
            oid = 100000 + s
            orders.append(f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d}  INFO 1 --- [nio-8080-exec-{s % 9}] c.s.orders.OrderService : order {oid} placed, published to order-events")
            if stalled:
                backlog += 1
            elif backlog:
                backlog = max(0, backlog - 5)
            else:
                consumer.append({"ts": t.isoformat(), "level": "info", "msg": f"order-events message for order {oid}: confirmation sent", "latency_ms": int(rng.gamma(3.0, 20.0))})
        if s % 60 == 0:
            depth = backlog + int(rng.integers(0, 3))
            level, text = ("WARN", f"order-events queue depth {depth} above threshold 100 (consumers=0)") if depth > 100 else ("INFO", f"order-events queue depth {depth} (consumers=1)")
            orders.append(f"{t:%Y-%m-%d %H:%M:%S}.000  {level} 1 --- [   scheduling-1] c.s.orders.QueueMonitor : {text}")
        if backlog and not stalled and s % 2 == 0:
            consumer.append({"ts": t.isoformat(), "level": "info", "msg": "order-events message from backlog: confirmation sent", "latency_ms": 5})
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "orders.log").write_text("\n".join(sorted(orders)) + "\n")
    (tmp_path / "payments.log").write_text("\n".join(payments) + "\n")
    (tmp_path / "notifications.jsonl").write_text("".join(json.dumps(r) + "\n" for r in consumer))
    return tmp_path


def test_a_stalled_consumer_dates_the_incident_by_its_last_record(tmp_path):
    path = _estate(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(path)
    stall = T0 + timedelta(minutes=110)
    inc = next(i for i in report.incidents if i.start <= stall + timedelta(minutes=15) and i.end >= stall)
    assert inc.root_service == "notifications"
    assert abs((inc.start - stall).total_seconds()) <= 30, inc.start
