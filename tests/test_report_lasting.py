"""A failure that goes on: the incident lasts as long as its failures do, not as long as
detection's baseline finds them unusual."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest

import rcakit
from rcakit.errors import RcakitWarning

from ._estates import insert_records

ONSET = datetime(2025, 10, 8, 10, 0, 13, tzinfo=UTC)


@pytest.mark.slow
def test_an_incident_lasts_while_its_new_failures_go_on(tmp_path):
    """Blind probe BL s10: Keycloak's logins failed from 13:56 to the end of the export at
    15:34 (an expired LDAPS certificate), at a steady rate; the incident "ended" at 14:25,
    when detection's baseline had got used to the failures, and the same failure came back
    as two more incidents. Here the pay service fails every 30 s for 110 minutes: one
    incident, to the last failure."""
    sc = rcakit.generate_incident(tmp_path, fault="none", seed=5, hours=3)
    failures = [
        f"{ONSET + timedelta(seconds=30 * i):%Y-%m-%d %H:%M:%S},{i % 1000:03d} ERROR [payment.api] "
        f"[trace_id={i:032x}] - charge failed order=ord_{i:012x}: card vault answered 'HSM session expired'"
        for i in range(220)
    ]
    insert_records(sc.out_dir / "pay.log", failures)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(sc.out_dir)
    (inc,) = report.incidents
    assert inc.root_service == "pay"
    assert inc.start <= ONSET + timedelta(minutes=1)
    assert inc.end >= ONSET + timedelta(seconds=30 * 219)
    assert "for 1.8 h" in inc.summary
