"""Small synthetic multi-service incidents for correlate/report unit tests.

A checkout service calls payment and inventory; every request has a trace id. A fault is
injected in payment; checkout only logs the failures of its calls (with 3 retries, so it
logs *more* errors than the root). Detection results are built by hand from the known
fault, so the correlator is tested independently of the detector.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from rcakit.detect._results import AnomalyWindow, Contribution, DetectionResult
from rcakit.schemas import CHANGES, TEMPLATED_RECORDS

T0 = datetime(2024, 5, 1, 13, 0, tzinfo=UTC)


def tid(template: str) -> str:
    return hashlib.sha1(template.encode()).hexdigest()[:12]


def _rec(ts, service, sev, template, params, trace, attrs=None, body=None):
    text = template
    for p in params:
        text = text.replace("<*>", str(p), 1)
    return {
        "timestamp": ts,
        "severity_text": {9: "INFO", 13: "WARN", 17: "ERROR"}[sev],
        "severity_number": sev,
        "service": service,
        "body": body or text,
        "trace_id": trace,
        "attributes": json.dumps(attrs or {}),
        "source": f"{service}.log",
        "line_no": 1,
        "n_lines": 1,
        "format": "jsonl",
        "parse_error": None,
        "template_id": tid(template),
        "template": template,
        "params": [str(p) for p in params],
    }


def make_records(fault: str, *, seed: int = 0, minutes: int = 120) -> tuple[pl.DataFrame, dict]:
    """Return (records, truth) for ``fault`` in new_error / slow_leak / dependency_outage / none."""
    rng = np.random.default_rng(seed)
    rows = []
    onset = T0 + timedelta(minutes=65)
    deploy_at = {"new_error": T0 + timedelta(minutes=63), "slow_leak": T0 + timedelta(minutes=30)}.get(fault)
    oom_at = T0 + timedelta(minutes=70)
    n = 0
    for minute in range(minutes):
        base = T0 + timedelta(minutes=minute)
        # payment heap gauge once per minute
        heap = 400 + rng.normal(0, 10)
        if fault == "slow_leak" and deploy_at is not None and base >= deploy_at:
            heap += 15 * (base - deploy_at).total_seconds() / 60
        rows.append(_rec(base, "payment", 9, "heap used <*> MB", [round(heap, 1)], None))
        for _ in range(12):
            n += 1
            ts = base + timedelta(seconds=float(rng.uniform(0, 59)))
            trace = f"{n:016x}"
            failing = False
            if fault == "new_error" and ts >= onset and rng.random() < 0.3:
                failing = True
                rows.append(_rec(ts, "payment", 17, "NullPointerException in RiskScorer.score order=<*>", [n], trace))
            elif fault == "slow_leak" and ts >= oom_at and rng.random() < 0.4:
                failing = True
                rows.append(_rec(ts, "payment", 17, "java.lang.OutOfMemoryError: Java heap space in <*>", ["ChargeHandler"], trace))
            elif fault == "dependency_outage" and ts >= onset and rng.random() < 0.4:
                failing = True
                rows.append(_rec(ts, "payment", 17, "bank gateway timeout after <*> ms", [5000], trace))
            if failing:
                rows.extend(
                    _rec(ts + timedelta(milliseconds=50 * (k + 1)), "checkout", 17,
                         "payment call failed status=<*> attempt=<*>", [500, k + 1], trace)
                    for k in range(3)
                )
                rows.append(_rec(ts + timedelta(milliseconds=200), "checkout", 9, "order <*> placed in <*> ms", [n, 900], trace,
                                 attrs={"status": 500, "method": "POST", "path": "/checkout"}))
            else:
                ms = int(rng.gamma(4, 10))
                rows.append(_rec(ts, "payment", 9, "charge ok order=<*> took <*> ms", [n, ms], trace))
                rows.append(_rec(ts, "inventory", 9, "reserved <*> items for order <*>", [int(rng.integers(1, 5)), n], trace))
                rows.append(_rec(ts + timedelta(milliseconds=100), "checkout", 9, "order <*> placed in <*> ms", [n, ms + 20], trace,
                                 attrs={"status": 200, "method": "POST", "path": "/checkout"}))
    frame = pl.DataFrame(rows, schema=TEMPLATED_RECORDS).sort("timestamp")
    truth = {"fault": fault, "root_service": "payment" if fault != "none" else None}
    return frame, truth


def make_changes(fault: str) -> pl.DataFrame:
    """The payment deploy (cause for new_error / slow_leak) plus decoys close to the onset."""
    rows = [
        {"time": T0 + timedelta(minutes=64), "service": "inventory", "version": "v7.1.0", "id": "chg-inv", "kind": "deploy", "description": "decoy"},
        {"time": T0 + timedelta(minutes=62), "service": "checkout", "version": "v1.9.0", "id": "chg-chk", "kind": "config", "description": "decoy, a victim service"},
    ]
    if fault == "new_error":
        rows.append({"time": T0 + timedelta(minutes=63), "service": "payment", "version": "v2.3.1", "id": "chg-pay", "kind": "deploy", "description": "risk scorer"})
    if fault == "slow_leak":
        rows.append({"time": T0 + timedelta(minutes=30), "service": "payment", "version": "v2.4.0", "id": "chg-pay", "kind": "deploy", "description": "cache"})
        rows.append({"time": T0 + timedelta(minutes=67), "service": "inventory", "version": "v7.2.0", "id": "chg-inv2", "kind": "deploy", "description": "decoy right before"})
    return pl.DataFrame(rows, schema=CHANGES).sort("time")


def detection_for(records: pl.DataFrame, fault: str) -> DetectionResult:
    """A plausible detector output: new payment template + checkout spike (the spike scores higher)."""
    windows: list[AnomalyWindow] = []
    if fault != "none":
        onset = T0 + timedelta(minutes=70 if fault == "slow_leak" else 65)
        end = T0 + timedelta(minutes=120)
        new_tpl = {
            "new_error": "NullPointerException in RiskScorer.score order=<*>",
            "slow_leak": "java.lang.OutOfMemoryError: Java heap space in <*>",
            "dependency_outage": "bank gateway timeout after <*> ms",
        }[fault]
        spike = "payment call failed status=<*> attempt=<*>"
        ex_new = tuple(records.filter(pl.col("template") == new_tpl)["body"].head(2).to_list())
        ex_spike = tuple(records.filter(pl.col("template") == spike)["body"].head(2).to_list())
        contribs = (
            Contribution(kind="rate_spike", service="checkout", template_id=tid(spike), template=spike, score=40.0,
                         baseline_rate=0.0, observed_rate=11.0, first_seen=onset + timedelta(seconds=3),
                         onset=onset, examples=ex_spike),
            Contribution(kind="new", service="payment", template_id=tid(new_tpl), template=new_tpl, score=25.0,
                         baseline_rate=0.0, observed_rate=3.6, first_seen=onset + timedelta(seconds=1),
                         onset=onset, examples=ex_new),
            Contribution(kind="error_ratio", service="checkout", template_id=None, template=None, score=12.0,
                         baseline_rate=0.0, observed_rate=11.0, first_seen=None, onset=onset),
        )
        windows.append(AnomalyWindow(start=onset, end=end, score=40.0, services=("checkout", "payment"), contributions=contribs))
    return DetectionResult(
        windows=tuple(windows),
        counts=pl.DataFrame(),
        scores=pl.DataFrame(),
        window="1m",
        baseline_start=T0,
        baseline_end=T0 + timedelta(minutes=60),
        study_start=T0 + timedelta(minutes=60),
        study_end=T0 + timedelta(minutes=120),
    )
