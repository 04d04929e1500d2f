"""A caller whose failures name no dependency ("upstream request failed", "upstream
responded 500", a pino-http "request completed" at level 50 with res.statusCode 502) reports
a dependency's failure: it is not the root, even when it logs first in the shared traces."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np

from ._estates import analyze_quietly, write_deploys

T0 = datetime(2025, 5, 11, 8, 0, tzinfo=UTC)


def _estate(tmp_path, *, minutes=150, fault_from=110, seed=0):
    rng = np.random.default_rng(seed)
    gateway, accounts = [], []
    for s in range(minutes * 60):
        if rng.random() > 0.8:
            continue
        t = T0 + timedelta(seconds=s, milliseconds=int(rng.integers(0, 900)))
        ms = int(t.timestamp() * 1000)
        trace = f"{rng.integers(0, 2**63):016x}{rng.integers(0, 2**63):016x}"
        failing = s >= fault_from * 60 and rng.random() < 0.4
        took = int(rng.gamma(4.0, 5.0))
        stamp = t.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        # the gateway logs its failure report a millisecond before the callee's own error
        if failing:
            gateway.append({"level": 50, "time": ms, "err": {"type": "Error", "message": "upstream responded 500"}, "trace_id": trace, "msg": "upstream request failed"})
            gateway.append({"level": 50, "time": ms, "req": {"method": "GET", "url": "/api/account"}, "res": {"statusCode": 502}, "responseTime": took, "trace_id": trace, "msg": "request completed"})
            later = (t + timedelta(milliseconds=1)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
            accounts.append(f"{later} ERROR [accounts.auth] [trace_id={trace}] token validation failed: signature key kid-{s % 7} not found")
        else:
            gateway.append({"level": 30, "time": ms, "req": {"method": "GET", "url": "/api/account"}, "res": {"statusCode": 200}, "responseTime": took, "trace_id": trace, "msg": "request completed"})
            accounts.append(f"{stamp} INFO [accounts.auth] [trace_id={trace}] session validated for user u{int(rng.integers(1, 5000))} in {took} ms")
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "api-gateway.json").write_text("".join(json.dumps(r) + "\n" for r in gateway))
    (tmp_path / "accounts.log").write_text("\n".join(accounts) + "\n")
    at = T0 + timedelta(minutes=fault_from - 2)
    write_deploys(
        tmp_path,
        (T0 + timedelta(minutes=40), "api-gateway", "3.1.0", "chg-1", "deploy", "gateway 3.1.0"),
        (at, "accounts", "7.4.2", "chg-2", "deploy", "accounts 7.4.2"),
    )
    return tmp_path


def test_a_callers_unnamed_report_of_a_failing_dependency_is_not_the_root(tmp_path):
    path = _estate(tmp_path)
    report = analyze_quietly(path)
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == ("accounts", "chg-2")
    gateway = next(r for r in inc.roles if r.service == "api-gateway")
    assert any("report a failing dependency without naming it" in e.text and e.weight < 0 for e in gateway.evidence)
    assert not any(e.text.startswith("first to log an error") and e.weight > 0 for e in gateway.evidence)
