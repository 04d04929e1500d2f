"""A deploy's restart that makes callers fail for a few seconds is the change's blip, not an
incident; the same failures with no change of the service they name are an incident."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest

import rcakit
from rcakit.errors import RcakitWarning
from rcakit.report import analyze

from ._estates import insert_records

T0 = datetime(2025, 10, 8, 10, 30, 30, tzinfo=UTC)


def _add_blip(out_dir, *, upstream: bool = True) -> None:
    """16 s of refused connections to pay from T0, as the storefront's nginx logs them (its
    access log, and its error log naming the upstream when ``upstream``)."""
    access, errors = [], []
    for i in range(8):
        t = T0 + timedelta(seconds=2 * i)
        access.append(f'10.0.0.{i} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "POST /api/payments HTTP/1.1" 502 157 "-" "ShopApp/5.12.1" 0.001\n')
        errors.append(
            f"{t:%Y/%m/%d %H:%M:%S} [error] 31#31: *{900 + i} connect() failed (111: Connection refused) while "
            f'connecting to upstream, client: 10.0.0.{i}, server: shop, request: "POST /api/payments HTTP/1.1", '
            f'upstream: "http://pay:8080/api/payments", host: "shop.example.com"\n'
        )
    with (out_dir / "storefront.access.log").open("a") as f:
        f.writelines(access)
    if upstream:
        (out_dir / "storefront.error.log").write_text("".join(errors))


def _add_deploy(out_dir, at: datetime) -> None:
    with (out_dir / "deploys.csv").open("a") as f:
        f.write(f"{at:%Y-%m-%dT%H:%M:%SZ},pay,v4.9.0-1,chg-9999,deploy,release pay v4.9.0-1\n")


def _normal_day_with_a_blip(path, *, deploy: bool, upstream: bool = True, at: datetime = T0 + timedelta(seconds=1)):
    sc = rcakit.generate_incident(path, fault="none", seed=5, hours=3)
    _add_blip(sc.out_dir, upstream=upstream)
    if deploy:
        _add_deploy(sc.out_dir, at)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return analyze(sc.out_dir)


@pytest.mark.slow
def test_a_rollout_blip_is_reported_with_its_change_not_as_an_incident(tmp_path):
    report = _normal_day_with_a_blip(tmp_path / "deploy", deploy=True)
    assert report.incidents == ()
    rating = next(c for c in report.changes if c.change.id == "chg-9999")
    assert rating.evidence[0].kind == "rollout"
    assert rating.evidence[0].text.startswith("8 requests failed during its rollout")
    # (pay, changed just before and named by the edge's failures, is the root, or the edge
    # whose calls to it failed)
    assert "pay failed while it restarted" in rating.evidence[0].text
    # the same failures with no change of pay: an incident, rooted at the edge
    report = _normal_day_with_a_blip(tmp_path / "none", deploy=False)
    assert [(i.start <= T0 + timedelta(minutes=1), i.end >= T0) for i in report.incidents] == [(True, True)]


@pytest.mark.slow
def test_an_edge_naming_no_upstream_blips_with_the_one_change_as_it_begins(tmp_path):
    """The edge's access log alone (no error log naming the upstream): 8 answers 502 in 16 s
    as pay deploys. The one change from a window before the first 502 up to it is the
    restart; a change of pay a minute after the 502s began did not cause them."""
    report = _normal_day_with_a_blip(tmp_path / "edge", deploy=True, upstream=False)
    assert report.incidents == ()
    rating = next(c for c in report.changes if c.change.id == "chg-9999")
    assert "storefront answered 5xx while pay restarted" in rating.evidence[0].text
    late = _normal_day_with_a_blip(tmp_path / "late", deploy=True, upstream=False, at=T0 + timedelta(seconds=70))
    assert len(late.incidents) == 1


def test_rollout_blip_rules():
    """The restarting service may be the root itself; a proxy answering 5xx for it is part
    of the blip; an unrelated service in trouble, a longer incident, or logs that end before
    a calm follows make it an incident."""
    from rcakit.correlate._correlate import _rollout_blip
    from rcakit.correlate._results import ServiceRole

    w = timedelta(minutes=1)
    t = T0
    change = [{"id": "c1", "service": "stock", "time": t + timedelta(seconds=1)}]

    def role(s, r):
        return ServiceRole(service=s, role=r, onset=t, score=1.0, evidence=())

    def blip(roles, *, end=t + timedelta(seconds=70), period_end=t + timedelta(hours=1), changes=change, contribs=()):
        return _rollout_blip(
            "stock", roles, set(), changes, onset=t, start=t, end=end, window=w, period_end=period_end,
            graph={"storefront": {"stock"}}, answering={"edge"}, n_failed=19, unit="requests", contribs=contribs,
        )

    roles = [role("stock", "root"), role("edge", "affected"), role("storefront", "victim")]
    found = blip(roles)
    assert found is not None
    assert found[0] == "c1"
    assert found[1].text.startswith("19 requests failed during its rollout")
    assert "stock failed while it restarted" in found[1].text
    assert blip([*roles, role("billing", "affected")]) is None  # something else is wrong too
    # ... unless all it shows is a busy spell (volume, numbers) that began before the blip:
    # a database's slow-statement burst two minutes earlier is not the restart's doing
    from rcakit.detect._results import Contribution

    def busy(kind, before):
        return Contribution(
            kind=kind, service="catalog-db", template_id=None, template=None, score=10.0, baseline_rate=5.0,
            observed_rate=30.0, first_seen=t - before, onset=t - before, examples=(),
        )

    db = [*roles, role("catalog-db", "affected")]
    assert blip(db, contribs=[busy("rate_spike", timedelta(minutes=2))]) is not None
    assert blip(db, contribs=[busy("rate_spike", timedelta(seconds=0))]) is None  # began with the blip
    assert blip(db, contribs=[busy("error_ratio", timedelta(minutes=2))]) is None  # failing: in trouble too
    assert blip(roles, end=t + timedelta(minutes=4)) is None  # too long for a restart
    # a second change of the service within the incident is a rollback: something was wrong
    two = [*change, {"id": "c2", "service": "stock", "time": t + timedelta(seconds=50)}]
    assert blip(roles, changes=two) is None
    assert blip(roles, period_end=t + timedelta(seconds=100)) is None  # no calm seen after it
    assert blip(roles, changes=[{**change[0], "service": "pricing"}]) is None  # no change of stock


@pytest.mark.slow
def test_a_rollout_blip_minutes_before_another_services_failure_is_not_its_cause(tmp_path):
    """pay's deploy blip (8 refused calls in 16 s, then calm) five minutes before identity's
    calls to an SMS provider outside start timing out: the window gap joined them, and the
    blip's service, first anomalous, was taken for the root and its deploy for the cause
    (probe AY: "roll back REL-31991" of a healthy release). The blip goes with its change;
    the incident is identity's."""
    sc = rcakit.generate_incident(tmp_path / "estate", fault="none", seed=5, hours=3)
    _add_blip(sc.out_dir)
    _add_deploy(sc.out_dir, T0 + timedelta(seconds=1))
    # identity's new failures from five minutes later, two a minute for 25 minutes
    onset = T0 + timedelta(minutes=5)
    timeouts = [
        f"{onset + timedelta(seconds=30 * i):%Y-%m-%d %H:%M:%S}.{i % 1000:03d} ERROR [http-nio-8080-exec-{i % 20}] "
        f"c.s.auth.otp.SmsSender [trace_id={i:032x}] - failed to send OTP: Read timed out after 5000ms calling "
        "https://api.sms-gateway.example.net/v2/messages"
        for i in range(50)
    ]
    insert_records(sc.out_dir / "identity.log", timeouts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = analyze(sc.out_dir)
    assert [(i.root_service, i.cause) for i in report.incidents] == [("identity", None)]
    assert abs((report.incidents[0].start - onset).total_seconds()) <= 60
    rating = next(c for c in report.changes if c.change.id == "chg-9999")
    assert rating.evidence[0].kind == "rollout"


def test_an_edge_blip_beside_a_flag_and_a_busy_database_is_still_the_deploys():
    """Envoy's access log names its upstream by address only: its 503s while dashboard-api
    restarts are that deploy's blip even when a feature flag was turned on the same minute
    (it restarts nothing) and a database read more rows in that minute (numbers, no failure).
    Probe BC: five routine rollouts read as incidents of the edge, one on a normal day."""
    from rcakit.correlate._correlate import _rollout_blip
    from rcakit.correlate._results import ServiceRole
    from rcakit.detect._results import Contribution

    w = timedelta(minutes=1)
    t = T0
    changes = [
        {"id": "dashboard-api.v84", "service": "dashboard-api", "kind": "deploy", "time": t - timedelta(seconds=23)},
        {"id": "ld-ed30988d", "service": "analytics-platform", "kind": "feature_flag", "time": t - timedelta(seconds=22)},
    ]

    def role(s, r):
        return ServiceRole(service=s, role=r, onset=t, score=1.0, evidence=())

    def shift(service, kind):
        return Contribution(
            kind=kind, service=service, template_id="x", template="Read <NUM> rows", score=10.0, baseline_rate=5.0,
            observed_rate=30.0, first_seen=t, onset=t, examples=(),
        )

    def blip(roles, contribs, rows=changes):
        return _rollout_blip(
            "envoy-front", roles, set(), rows, onset=t, start=t - timedelta(seconds=30), end=t + timedelta(seconds=80),
            window=w, period_end=t + timedelta(hours=1), graph={}, answering={"envoy-front"}, n_failed=9,
            unit="requests", first_failure=t, contribs=contribs,
        )

    roles = [role("envoy-front", "root"), role("clickhouse-server", "affected")]
    found = blip(roles, [shift("clickhouse-server", "parameter")])
    assert found is not None
    assert found[0] == "dashboard-api.v84"
    assert "envoy-front answered 5xx while dashboard-api restarted" in found[1].text
    # ... but not when the database fails too, nor with two deploys to choose from
    assert blip(roles, [shift("clickhouse-server", "error_ratio")]) is None
    other = {"id": "query-svc.v9", "service": "query-svc", "kind": "deploy", "time": t - timedelta(seconds=10)}
    assert blip(roles, [], rows=[*changes, other]) is None
