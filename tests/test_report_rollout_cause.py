"""A producer's deploy changes what it sends, not what it logs: its consumer fails on every
message from the moment the new version comes up. The producer's own logs look the same
before and after, apart from its restart; the deploy that restarted the root as the trouble
began is the cause. A deploy of the root that served for half an hour before the trouble,
its logs unchanged, is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from ._estates import analyze_quietly, write_deploys

T0 = datetime(2026, 12, 18, 13, 0, tzinfo=UTC)


def _estate(tmp_path, *, deploy_at: int, fault_at: int, minutes: int = 150, seed: int = 4):
    rng = np.random.default_rng(seed)
    api, worker = [], []
    down = (deploy_at * 60 + 10, deploy_at * 60 + 18)  # the restart: 8 s without a line
    for s in range(minutes * 60):
        if rng.random() > 0.5 or down[0] <= s < down[1]:
            continue
        t = T0 + timedelta(seconds=s, milliseconds=int(rng.integers(0, 900)))
        stamp = t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        claim = f"CLM-2026-{rng.integers(100000, 999999)}"
        api.append(f"{stamp} INFO [Claims.Intake] Claim {claim} submitted, published ClaimSubmitted ({int(rng.integers(2, 40))} ms)")
        if s >= fault_at * 60 and rng.random() < 0.9:
            worker.append(f"{stamp} ERROR [Worker] ClaimSubmitted for {claim} published by claims-api could not be deserialized: "
                          "The JSON value could not be converted to System.Decimal. Path: $.reserve")
        else:
            worker.append(f"{stamp} INFO [Worker] Reserve set for {claim} in {int(rng.integers(5, 60))} ms")
    stop = (T0 + timedelta(seconds=down[0])).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    start = (T0 + timedelta(seconds=down[1])).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    at = next(i for i, line in enumerate(api) if line[:23] > stop)
    api[at:at] = [f"{stop} INFO [Lifetime] Application is shutting down...",
                  f"{start} INFO [Lifetime] Now listening on: http://[::]:8080",
                  f"{start} INFO [Lifetime] Application started. Press Ctrl+C to shut down."]
    (tmp_path / "claims-api.log").write_text("\n".join(api) + "\n")
    (tmp_path / "claims-worker.log").write_text("\n".join(worker) + "\n")
    write_deploys(
        tmp_path,
        (T0 + timedelta(minutes=20), "claims-worker", "3.2.0", "chg-1", "deploy", "worker 3.2.0"),
        (T0 + timedelta(minutes=deploy_at), "claims-api", "4.19.0", "chg-2", "deploy", "claims-api 4.19.0"),
    )
    return tmp_path


def test_the_deploy_that_restarted_the_root_as_the_trouble_began_is_the_cause(tmp_path):
    report = analyze_quietly(_estate(tmp_path, deploy_at=110, fault_at=110))
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == ("claims-api", "chg-2")
    best = inc.suspects[0]
    assert any(e.kind == "restart" and "came up" in e.text for e in best.evidence)


def test_a_deploy_that_served_quietly_for_half_an_hour_is_not(tmp_path):
    report = analyze_quietly(_estate(tmp_path, deploy_at=80, fault_at=110))
    inc = report.incidents[0]
    # (the worker's failures name claims-api, which logs as usual: the worker's own side)
    assert inc.cause is None
    assert "chg-2" in {s.change.id for s in inc.suspects}
