"""A deploy makes a service four times slower and logs no error. Its latency is not in the
message ("session validated") but in a field of the record (logrus' ``duration_ms=4``, a JSON
logger's ``"responseTime"``): the before/after comparison reads those numbers too, so the
deploy is the cause and the incident is dated from the slow-down."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from ._estates import analyze_quietly, write_deploys

T0 = datetime(2025, 3, 3, 17, 0, tzinfo=UTC)
DEPLOY, SLOW = 150, 151  # minutes from T0


def _estate(tmp_path, layout: str, *, minutes=190, seed=5):
    rng = np.random.default_rng(seed)
    accounts, gateway = [], []
    for s in range(minutes * 60):
        if rng.random() > 0.4:
            continue
        t = T0 + timedelta(seconds=s, milliseconds=int(rng.integers(0, 900)))
        took = int(rng.gamma(5.0, 1.0)) + 1
        if s >= SLOW * 60:
            took = int(took * 4.2) + int(rng.integers(0, 5))
        user = f"u-{int(rng.integers(100_000, 140_000))}"
        msg = "session validated" if rng.random() < 0.6 else "profile served"
        if layout == "logfmt":
            accounts.append(f'time="{t:%Y-%m-%dT%H:%M:%SZ}" level=info msg="{msg}" user_id={user} duration_ms={took}')
        else:
            ms = int(t.timestamp() * 1000)
            accounts.append(json.dumps({"level": 30, "time": ms, "msg": msg, "userId": user, "responseTime": took}))
        gateway.append(f"{t:%Y-%m-%d %H:%M:%S} INFO [gateway] GET /api/account -> 200 (upstream accounts)")
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / ("accounts.log" if layout == "logfmt" else "accounts.json")).write_text("\n".join(accounts) + "\n")
    (tmp_path / "gateway.log").write_text("\n".join(gateway) + "\n")
    write_deploys(
        tmp_path,
        (T0 + timedelta(minutes=60), "gateway", "cfg-9", "chg-1", "config", "raise log sampling"),
        (T0 + timedelta(minutes=DEPLOY), "accounts", "4.5.0", "chg-2", "deploy", "switch ORM query builder"),
    )
    return tmp_path


@pytest.mark.parametrize("layout", ["logfmt", "json"])
def test_a_slower_deploy_whose_latency_is_a_field_of_the_record_is_the_cause(tmp_path, layout):
    path = _estate(tmp_path, layout)
    report = analyze_quietly(path)
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == ("accounts", "chg-2")
    key = "duration_ms" if layout == "logfmt" else "responseTime"
    shift = [e for e in inc.suspects[0].evidence if e.kind == "parameter_shift"]
    assert shift
    assert key in shift[0].text
    # dated from the slow-down (the first window is 17:00; the slow-down starts at 19:31)
    assert abs((inc.start - (T0 + timedelta(minutes=SLOW))).total_seconds()) <= 120
