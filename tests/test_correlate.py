"""correlate_changes on hand-built detection results over synthetic multi-service logs."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

import rcakit
from rcakit import mine_templates
from rcakit.correlate import _names, correlate_changes, parse_duration
from rcakit.detect._results import AnomalyWindow, Contribution, DetectionResult
from rcakit.errors import ConfigError, SchemaError

from . import _scenarios as _sc

T0, detection_for, make_changes, make_records = _sc.T0, _sc.detection_for, _sc.make_changes, _sc.make_records


@pytest.fixture(scope="module", params=["new_error", "slow_leak", "dependency_outage", "none"])
def scenario(request):
    fault = request.param
    records, _truth = make_records(fault, seed=3)
    changes = make_changes(fault)
    corr = correlate_changes(records, detection_for(records, fault), changes=changes)
    return fault, records, changes, corr


def test_root_service_is_the_callee_not_the_loudest_caller(scenario):
    fault, records, _changes, corr = scenario
    if fault == "none":
        assert corr.incidents == ()
        return
    (inc,) = corr.incidents
    # checkout logs 3x more errors than payment (retries) ...
    errs = records.filter(pl.col("severity_number") >= 17).group_by("service").len()
    n = dict(errs.iter_rows())
    assert n["checkout"] > 2 * n["payment"]
    # ... yet payment is the root and checkout a victim
    assert inc.root_service == "payment"
    roles = {r.service: r.role for r in inc.roles}
    assert roles == {"payment": "root", "checkout": "victim"}


def test_cause_is_named_or_null(scenario):
    fault, _records, _changes, corr = scenario
    if fault == "none":
        return
    (inc,) = corr.incidents
    expected = {"new_error": "chg-pay", "slow_leak": "chg-pay", "dependency_outage": None}[fault]
    assert inc.cause == expected
    if expected:
        assert inc.suspects[0].change.id == expected
        kinds = {e.kind for e in inc.suspects[0].evidence if e.weight > 0}
        assert "new_template" in kinds
    else:
        assert "no change explains" in inc.cause_reason


def test_slow_burn_beats_a_closer_unrelated_deploy():
    records, _ = make_records("slow_leak", seed=5)
    corr = correlate_changes(records, detection_for(records, "slow_leak"), changes=make_changes("slow_leak"))
    (inc,) = corr.incidents
    ids = [s.change.id for s in inc.suspects]
    # the inventory deploy 3 min before the onset is closer, the 40-min-old payment deploy wins
    assert ids[0] == "chg-pay"
    assert "chg-inv2" in ids
    lag = {s.change.id: s.lag_seconds for s in inc.suspects}
    assert lag["chg-inv2"] < lag["chg-pay"]
    shift = [e for e in inc.suspects[0].evidence if e.kind == "parameter_shift"]
    assert shift
    assert "heap used" in shift[0].text


def test_every_change_in_the_period_is_rated(scenario):
    fault, _records, changes, corr = scenario
    assert {c.change.id for c in corr.changes} == set(changes["id"])
    for c in corr.changes:
        assert 0.0 <= c.impact_score <= 1.0
        assert c.evidence
    cause = next((i.cause for i in corr.incidents if i.cause), None)
    if cause:
        top = max(corr.changes, key=lambda c: c.impact_score)
        assert top.change.id == cause
    if fault == "none":
        assert all(c.impact_score < 0.3 for c in corr.changes)


def test_changes_after_the_onset_are_not_suspects():
    records, _ = make_records("new_error", seed=1)
    changes = make_changes("new_error").vstack(
        pl.DataFrame(
            [{"time": T0 + timedelta(minutes=80), "service": "payment", "version": "v2.3.2",
              "id": "chg-late", "kind": "deploy", "description": "hotfix"}],
            schema=make_changes("new_error").schema,
        )
    )
    corr = correlate_changes(records, detection_for(records, "new_error"), changes=changes)
    (inc,) = corr.incidents
    assert "chg-late" not in {s.change.id for s in inc.suspects}
    assert "chg-late" in {c.change.id for c in corr.changes}


def test_no_changes_at_all_gives_null_cause():
    records, _ = make_records("new_error", seed=2)
    corr = correlate_changes(records, detection_for(records, "new_error"), changes=None)
    (inc,) = corr.incidents
    assert inc.cause is None
    assert inc.suspects == ()
    assert corr.changes == ()


def test_windows_close_together_merge_into_one_incident():
    records, _ = make_records("new_error", seed=0)
    det = detection_for(records, "new_error")
    w = det.windows[0]
    a = AnomalyWindow(start=w.start, end=w.start + timedelta(minutes=5), score=5.0, services=w.services, contributions=w.contributions)
    b = AnomalyWindow(start=w.start + timedelta(minutes=9), end=w.end, score=9.0, services=w.services, contributions=w.contributions[:1])
    far = AnomalyWindow(
        start=w.end + timedelta(hours=2), end=w.end + timedelta(hours=2, minutes=3), score=1.0,
        services=("inventory",),
        contributions=(Contribution(kind="rate_drop", service="inventory", template_id="x", template="reserved <*> items for order <*>",
                                    score=1.0, baseline_rate=10, observed_rate=1, first_seen=None, onset=w.end + timedelta(hours=2)),),
    )
    det2 = DetectionResult(windows=(a, b, far), counts=det.counts, scores=det.scores, window="1m",
                           baseline_start=None, baseline_end=None, study_start=None, study_end=None)
    corr = correlate_changes(records, det2, changes=make_changes("new_error"))
    assert len(corr.incidents) == 2
    main = next(i for i in corr.incidents if i.root_service == "payment")
    # the onset is dated to the first record of the template new in the root service
    first_npe = records.filter(pl.col("template").str.starts_with("NullPointerException"))["timestamp"].min()
    assert main.start == first_npe
    assert w.start <= main.start < w.start + timedelta(minutes=1)
    assert main.end == w.end
    assert corr.incidents[0] is main  # most severe first


def test_traffic_alone_is_not_an_incident():
    records, _ = make_records("none", seed=6)
    tpl = "charge ok order=<*> took <*> ms"
    onset = T0 + timedelta(minutes=70)
    busy = Contribution(kind="rate_spike", service="payment", template_id=_sc.tid(tpl), template=tpl, score=30.0,
                        baseline_rate=12, observed_rate=30, first_seen=T0, onset=onset)
    det = DetectionResult(
        windows=(AnomalyWindow(start=onset, end=onset + timedelta(minutes=5), score=30.0, services=("payment",), contributions=(busy,)),),
        counts=pl.DataFrame(), scores=pl.DataFrame(), window="1m",
        baseline_start=None, baseline_end=None, study_start=None, study_end=None,
    )
    # more successful charges than usual is context, not a symptom
    assert correlate_changes(records, det, changes=make_changes("none")).incidents == ()


def test_impact_counts_failed_requests():
    records, _ = make_records("new_error", seed=4)
    corr = correlate_changes(records, detection_for(records, "new_error"), changes=make_changes("new_error"))
    im = corr.incidents[0].impact
    span = records.filter(pl.col("timestamp") >= corr.incidents[0].start)
    statuses = span["attributes"].str.json_path_match("$.status").cast(pl.Int32, strict=False)
    assert im.unit == "requests"
    assert im.n_requests == int(statuses.is_not_null().sum())
    assert im.n_failed == int((statuses >= 500).sum())
    assert im.endpoints[0][0] == "POST /checkout"


def test_service_names_in_messages():
    services = ["payment-service", "checkout-service", "orders", "orders-db"]
    assert _names("payment call failed status=500", services, exclude="checkout-service") == ("payment-service",)
    assert _names("orders-db connection refused", services, exclude="orders") == ("orders-db",)
    assert _names("order 12 placed", services, exclude="orders") == ()
    assert _names("repayment scheduled", services, exclude=None) == ()
    # a source file's folders in a stack frame are the code's, not a service called
    frame = (
        "System.InvalidOperationException: Sequence contains no elements at Bank.Api.Payments.Eligibility.Evaluate()"
        " in /src/Bank.Api/Payment/Eligibility.cs:line 48"
    )
    assert _names(frame, services, exclude="checkout-service") == ()
    assert _names('File "/app/payment/client.py", line 3, in charge', services, exclude=None) == ()
    assert _names("POST http://payment:8080/v1/app.js failed", services, exclude=None) == ("payment-service",)
    # the client a server names is its caller, not a service it calls
    assert _names("session opened client=10.0.2.5:59002 cn=orders.shop.svc tls=TLSv1.3", services, exclude=None) == ()
    # a numbered node of a service names it (a cluster's member, a StatefulSet's pod)
    nodes = ["hss", "redis", "kafka", "orders"]
    assert _names("Error sending UAR to hss02.ims.example.org: timeout", nodes, exclude=None) == ("hss",)
    assert _names("dial tcp redis-0:6379: connection refused", nodes, exclude=None) == ("redis",)
    assert _names("broker kafka-2 is not available", nodes, exclude=None) == ("kafka",)
    assert _names("order 12 placed", nodes, exclude=None) == ()
    # Redis's own error replies, quoted by its clients, name it
    oom = "Failed to store Gx session: OOM command not allowed when used memory > 'maxmemory'."
    assert _names(oom, ["pcrf", "redis-sessions"], exclude="pcrf") == ("redis-sessions",)


def test_options_are_validated():
    records, _ = make_records("none")
    det = detection_for(records, "none")
    with pytest.raises(ConfigError, match="merge_gap"):
        correlate_changes(records, det, merge_gap="soon")
    with pytest.raises(ConfigError, match="cause_threshold"):
        correlate_changes(records, det, cause_threshold=2)
    with pytest.raises(SchemaError, match="correlate_changes"):
        correlate_changes(records, det, changes=pl.DataFrame({"time": [1]}))
    assert parse_duration("1h30m") == timedelta(minutes=90)


def test_change_service_spelled_differently_still_matches():
    records, _ = make_records("new_error", seed=8)
    changes = make_changes("new_error").with_columns(
        service=pl.when(pl.col("service") == "payment").then(pl.lit("Payment-Service")).otherwise(pl.col("service"))
    )
    corr = correlate_changes(records, detection_for(records, "new_error"), changes=changes)
    (inc,) = corr.incidents
    assert inc.cause == "chg-pay"
    assert inc.suspects[0].change.service == "Payment-Service"  # shown as given
    # the change list's spelling is that service, not one more that callers' failures name
    logging = set(records["service"].unique().to_list())
    for spelled in ("Payment", "PAYMENT", "Payment-Service"):
        changes = make_changes("new_error").with_columns(
            service=pl.when(pl.col("service") == "payment").then(pl.lit(spelled)).otherwise(pl.col("service"))
        )
        (inc,) = correlate_changes(records, detection_for(records, "new_error"), changes=changes).incidents
        assert (inc.root_service, inc.cause) == ("payment", "chg-pay")
        assert {r.service for r in inc.roles} <= logging, (spelled, [r.service for r in inc.roles])


_PRECURSOR_TEMPLATE = "heap used <*> MB"


def _slow_leak_with_precursor() -> tuple[pl.DataFrame, DetectionResult, DetectionResult, datetime]:
    """The slow-leak scenario's records, its detection, and that detection with a window of
    the payment service's heap numbers 50 minutes in (an 8-minute slow-burn sign) added,
    and that window's start."""
    records, _ = make_records("slow_leak", seed=9)
    det = detection_for(records, "slow_leak")
    tpl = _PRECURSOR_TEMPLATE
    pre_at = T0 + timedelta(minutes=50)
    precursor = AnomalyWindow(
        start=pre_at, end=pre_at + timedelta(minutes=8), score=7.0, services=("payment",),
        contributions=(Contribution(kind="parameter", service="payment", template_id=_sc.tid(tpl), template=tpl,
                                    score=7.0, baseline_rate=1, observed_rate=1, first_seen=T0, onset=pre_at),),
    )
    det2 = DetectionResult(windows=(precursor, *det.windows), counts=det.counts, scores=det.scores, window="1m",
                           baseline_start=None, baseline_end=None, study_start=None, study_end=None)
    return records, det, det2, pre_at


def test_slow_burn_precursor_is_folded_into_the_incident():
    records, det, det2, _ = _slow_leak_with_precursor()
    tpl = _PRECURSOR_TEMPLATE
    corr = correlate_changes(records, det2, changes=make_changes("slow_leak"))
    (inc,) = corr.incidents  # no second alarm 12 minutes before the failure
    assert inc.start >= det.windows[0].start
    assert inc.cause == "chg-pay"
    assert any(a.template == tpl for a in inc.anomalies)
    root = next(r for r in inc.roles if r.role == "root")
    assert any("precursor" in e.text for e in root.evidence)


def test_service_names_in_urls_sql_and_identifiers():
    services = ["payments", "orders", "inventory"]
    # the host of a URL names a service, port or not
    assert _names("Connection refused calling http://payments:8080/v1/charges", services, exclude="orders") == ("payments",)
    assert _names("GET http://payments.shop.svc.cluster.local:8080/x", services, exclude="orders") == ("payments",)
    # a table of an SQL statement, or a word of a snake_case identifier, does not
    assert _names("statement: SELECT * FROM orders WHERE id = $1", services, exclude=None) == ()
    assert _names('INSERT INTO payments (id) VALUES ($1); UPDATE "orders" SET x = 1', services, exclude=None) == ()
    assert _names('violates unique constraint "payments_idempotency_key"', services, exclude=None) == ()
    assert _names("payments:42 order=7", services, exclude=None) == ()  # a field, as before
    # ... but a host before its port is named, scheme or not
    assert _names("Error 111 connecting to payments:6379. Connection refused.", services, exclude=None) == ("payments",)
    assert _names("dial tcp inventory:8080: connect: connection refused", services, exclude=None) == ("inventory",)
    assert _names("LOG:  duration: 3012 ms  orders@ordersdb statement: SELECT 1", services, exclude=None) == ()
    # an entity before its masked id, SQL's ORDER BY, a generic stem ("api" of "api-gateway")
    more = ["order-service", "api-gateway", "catalog-service"]
    assert _names("order ord-<NUM> marked as PAID", more, exclude=None) == ()
    assert _names("SELECT h, count(*) FROM t GROUP BY 1 ORDER BY 1", more, exclude=None) == ()
    assert _names('  File "/app/catalog/api/items.py", line 131', more, exclude="catalog-service") == ()
    assert _names("order service unavailable; api-gateway timed out", more, exclude=None) == ("api-gateway", "order-service")


def test_a_request_refused_as_invalid_is_the_senders_fault():
    from datetime import UTC, datetime

    from rcakit.correlate._root import _root_service
    from rcakit.correlate._services import callers_fault

    assert callers_fault("payments rejected charge: HTTP 400 Bad Request from http://payments:8080/v1")
    assert callers_fault("rejected charge request: validation failed: field 'amount' must be a decimal")
    assert callers_fault("POST /v1/charges answered status=422")
    assert not callers_fault("charge failed: HTTP 503 Service Unavailable from http://payments:8080/v1")
    assert not callers_fault("reserved 400 items for order 12")
    # an expired server certificate fails the caller's certificate *path* validation: the
    # callee's fault, not a request refused as invalid
    assert not callers_fault(
        'I/O error on POST request for "https://auth-gw:8443/v1/introspect": PKIX path validation failed: '
        "java.security.cert.CertPathValidatorException: validity check failed"
    )
    # a host that does not resolve: the resolver's fault, the named service was never reached
    assert callers_fault("I/O error on GET for http://inventory:8080/v1: inventory: Temporary failure in name resolution")
    assert callers_fault("java.net.UnknownHostException: inventory")
    assert callers_fault("dial tcp: lookup payments on 10.96.0.10:53: no such host")
    # a deadlock: the clients' transactions took locks in opposite orders; the database
    # that picked a victim is doing its job (a lock wait timeout is not: a lock held long)
    assert callers_fault(
        "Microsoft.Data.SqlClient.SqlException (0x80131904): Transaction (Process ID 110) was deadlocked on lock "
        "resources with another process and has been chosen as the deadlock victim. Rerun the transaction."
    )
    assert callers_fault("Mysql2::Error: Deadlock found when trying to get lock; try restarting transaction")
    assert callers_fault("org.postgresql.util.PSQLException: ERROR: deadlock detected")
    assert not callers_fault("Mysql2::Error::TimeoutError: Lock wait timeout exceeded; try restarting transaction")
    # mutual TLS: the callee rejected the caller's client certificate (the callee's own
    # certificate failing the caller's check is the callee's fault)
    assert callers_fault(
        "SSL_do_handshake() failed (SSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48)"
        " while SSL handshaking to upstream, client: 203.0.113.9"
    )
    assert callers_fault("http: TLS handshake error from 10.42.0.9:38031: tls: failed to verify certificate: x509")
    assert not callers_fault("upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream")
    assert not callers_fault("http: TLS handshake error from 10.1.2.3:5000: remote error: tls: bad certificate")
    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def contribution(service: str, template: str) -> Contribution:
        return Contribution(
            kind="new", service=service, template_id=service, template=template, score=8.0,
            baseline_rate=0.0, observed_rate=20.0, first_seen=t0, onset=t0,
        )

    span = pl.DataFrame(
        {"timestamp": [t0, t0 + timedelta(minutes=5)] * 2, "service": ["orders", "orders", "payments", "payments"]}
    )
    known = ["orders", "payments"]
    bad_request = contribution("orders", "charge for order <ID> failed: HTTP 400 Bad Request from http://payments:8080/v1/charges")
    refused = contribution("payments", "rejected charge request for order <ID>: validation failed: field 'amount'")
    root = _root_service([bad_request, refused], span, known, timedelta(minutes=1)).root
    assert root == "orders"
    # the same callers' errors with a server error name the callee as the failing dependency
    unavailable = contribution("orders", "charge for order <ID> failed: HTTP 503 from http://payments:8080/v1/charges")
    crashed = contribution("payments", "charge handler crashed: NullPointerException")
    root = _root_service([unavailable, crashed], span, known, timedelta(minutes=1)).root
    assert root == "payments"


def test_impact_counts_the_edge_once_and_groups_endpoints_by_template():
    from datetime import UTC, datetime

    from rcakit.correlate._impact import _impact

    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    # the gateway's failed requests, and the same failures again in payments' JSON access
    # records (behind the gateway: each request also retried once)
    gateway = [("gateway", f"GET /api/inventory/SKU-{10120 + i}", 502) for i in range(10)] + [
        ("gateway", "POST /api/orders", 200)
    ] * 30
    payments = [("payments", "POST /v1/charges", 500)] * 20 + [("payments", "POST /v1/charges", 200)] * 60
    rows = gateway + payments
    span = pl.DataFrame(
        {
            "timestamp": [t0] * len(rows),
            "service": [r[0] for r in rows],
            "endpoint": [r[1] for r in rows],
            "status": [r[2] for r in rows],
            "is_error": [r[2] >= 500 for r in rows],
        }
    )
    end = t0 + timedelta(minutes=10)
    im = _impact(span, ["gateway", "payments"], t0, end, {"gateway": {"orders"}, "orders": {"payments"}})
    assert (im.n_requests, im.n_failed) == (40, 10)
    assert im.endpoints == (("GET /api/inventory/{id}", 10),)
    # without a call graph every access record counts, as before
    assert _impact(span, ["gateway", "payments"], t0, end).n_failed == 30


def test_call_graph_reads_the_urls_and_paths_a_template_masks():
    from rcakit.correlate import dependency_graph

    recs = pl.DataFrame(
        {
            "service": ["gateway"] * 3 + ["orders"] * 3,
            "template_id": ["a"] * 3 + ["b"] * 3,
            "template": ["GET <PATH> <NUM>"] * 3 + ["charge failed calling <URL>"] * 3,
            "body": ["GET /api/orders/12 200"] * 3 + ["charge failed calling http://payments:8080/v1/charges"] * 3,
        }
    )
    assert dependency_graph(recs, ["gateway", "orders", "payments"]) == {"gateway": {"orders"}, "orders": {"payments"}}
    # structured logs name the callee in an attribute (logfmt's upstream=, OpenTelemetry's
    # peer.service), not in the message
    recs = pl.DataFrame(
        {
            "service": ["gateway"] * 3,
            "template_id": ["c"] * 3,
            "template": ["upstream error"] * 3,
            "body": ["upstream error"] * 3,
            "attributes": ['{"method":"POST","upstream":"orders","status":"504"}'] * 3,
        }
    )
    assert dependency_graph(recs, ["gateway", "orders", "payments"]) == {"gateway": {"orders"}}
    # a proxy's access log names where it sent the request: HAProxy's backend and server
    # (``be_cardauth/cardauth-3``), Envoy's upstream cluster
    recs = pl.DataFrame(
        {
            "service": ["haproxy"] * 3 + ["sidecar"] * 3,
            "template_id": ["d"] * 3 + ["e"] * 3,
            "template": ["POST <PATH> <NUM>"] * 3 + ["GET <PATH> <NUM>"] * 3,
            "body": ["POST /v1/authorizations 200"] * 3 + ["GET /v1/keys 200"] * 3,
            "attributes": ['{"haproxy.frontend":"fe_switch~","haproxy.backend":"be_cardauth","haproxy.server":"cardauth-3"}'] * 3
            + ['{"upstream_cluster":"outbound|8443||drm-license.media.svc.cluster.local"}'] * 3,
        }
    )
    assert dependency_graph(recs, ["haproxy", "card-auth", "sidecar", "drm-license"]) == {
        "haproxy": {"card-auth"},
        "sidecar": {"drm-license"},
    }


def test_services_from_urls_and_the_change_list():
    from rcakit.correlate._services import match_service, url_services

    bodies = ["(Background on this error at: https://sqlalche.me/e/20/3o7r)"] * 6 + ["GET http://payments.shop:8080/v1"] * 6
    assert url_services(pl.DataFrame({"body": bodies})) == ["payments"]  # '.me' is a domain, not a namespace
    # a change to "ingress-nginx" is to the service its access log is named after
    assert match_service("ingress-nginx", ["ingress-nginx-access", "api-gateway"]) == "ingress-nginx-access"


def test_external_hosts_are_names_outside_the_estate():
    from rcakit.correlate._services import external_hosts

    texts = [
        "PSP call failed: HTTPSConnectionPool(host='api.psp.example.com', port=443): Read timed out",
        "POST https://api.psp.example.com/v1/charges timed out",
        "calling http://payments.shop.svc.cluster.local:8080/x and http://10.0.3.7:8080/y",
        "GET http://payments:8080/v1 failed; token from https://idp.internal/v2",
        "see https://status.stripe.com for details",
    ]
    # (an intranet's name outside the logs counts: the identity provider no service logs for)
    assert external_hosts(texts, ["payments", "orders"]) == ["api.psp.example.com", "idp.internal", "status.stripe.com"]
    assert external_hosts(["GET http://orders.prod.example.com/x"], ["orders"]) == []  # a service's own name


def test_a_publisher_blocked_by_rabbitmqs_resource_alarm_names_rabbitmq():
    # RabbitMQ blocks its publishers while a disk or memory alarm is set; they say "blocked
    # by broker (resource-alarm: disk)", never "rabbitmq". Before: nothing named it, and the
    # publisher was the root.
    from rcakit.correlate._services import REFUSED_FOR_STATE

    line = "Publish timeout: channel blocked by broker (resource-alarm: disk)"
    assert _names(line, ["checkout", "rabbitmq", "notifier"], exclude="checkout") == ("rabbitmq",)
    assert REFUSED_FOR_STATE.search(line)
    assert _names("AMQP connection.blocked: low on memory", ["orders", "rabbitmq"], exclude="orders") == ("rabbitmq",)


def test_a_providers_host_holding_a_services_word_is_the_providers():
    # Adyen-style "checkout-live.<provider>": the provider's host, not the checkout service.
    # Before: it was checkout (its word with "live"), no host was outside, and payments'
    # failures "named checkout", which was blamed.
    from rcakit.correlate._services import external_hosts

    services = ["checkout", "payments", "notifier"]
    line = (
        "PSP authorize failed order=ORD-24649141 host=checkout-live.pspgate.example.com "
        "error=OpenSSL::SSL::SSLError: SSL_read: tlsv1 alert certificate expired"
    )
    assert external_hosts([line], services) == ["checkout-live.pspgate.example.com"]
    assert _names(line, services, exclude="payments") == ()
    # (the service's own name as a host still names it, on the intranet or a public domain)
    assert _names("POST https://checkout.shop.example.com/v1 timed out", services, exclude="payments") == ("checkout",)
    assert _names("dial tcp checkout-live.shop.internal:443: i/o timeout", services, exclude="payments") == ("checkout",)


def test_a_service_whose_silence_is_its_own_is_the_root():
    # a queue consumer stops (nothing calls it: its silence is not a lost caller's), while the
    # producer logs a new "lag" warning: the consumer is the root; the same silence in a
    # service that an anomalous service calls is only told (services behind a hung one go quiet)
    from datetime import UTC, datetime

    from rcakit.correlate._root import _root_service

    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    quiet = Contribution(
        kind="rate_drop", service="fulfillment", template_id=None, template=None, score=9.0,
        baseline_rate=17.7, observed_rate=0.1, first_seen=None, onset=t0,
    )
    lag = Contribution(
        kind="new", service="orders", template_id="lag", template="consumer group lag above threshold: <NUM>",
        score=6.0, baseline_rate=0.0, observed_rate=3.0, first_seen=t0, onset=t0 + timedelta(minutes=1),
    )
    span = pl.DataFrame({"timestamp": [t0, t0 + timedelta(minutes=5)], "service": ["orders", "orders"]})
    known = ["fulfillment", "orders"]
    found = _root_service([quiet, lag], span, known, timedelta(minutes=1))
    root, roles = found.root, found.roles
    assert root == "fulfillment"
    told = next(r for r in roles if r.service == "fulfillment").evidence
    assert any("the silence is its own" in e.text and e.weight > 0 for e in told)
    roles = _root_service([quiet, lag], span, known, timedelta(minutes=1), graph={"orders": {"fulfillment"}}).roles
    told = next(r for r in roles if r.service == "fulfillment").evidence
    assert [e.weight for e in told if "stopped logging" in e.text] == [0.0]


def test_a_count_that_rises_with_the_traffic_is_load_not_a_symptom():
    from rcakit.correlate._windows import _count_with_traffic, _is_count

    assert _is_count("processed batch of <NUM> records in <DURATION>", "$1")
    assert _is_count("cache stats: hits=<NUM> misses=<NUM>", "$2")
    assert not _is_count("processed batch of <NUM> records in <DURATION>", "$2")
    assert not _is_count("Fetched order ord-<NUM> (status=<*>) in <NUM> ms", "$3")
    assert not _is_count("[<*> request <*>: <*>]", "$3")  # a bare number may be a time
    # an hour at one record a second, then twice that: batches grow from 10 to 18 records
    t0 = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
    ts = [t0 + timedelta(seconds=s) for s in range(3600)] + [
        t0 + timedelta(hours=1, milliseconds=500 * i) for i in range(1200)
    ]
    volume = pl.DataFrame({"timestamp": ts}).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))

    def batch(template: str, feature: str, observed: float) -> Contribution:
        return Contribution(
            kind="parameter", service="worker", template_id="b", template=template, score=9.0,
            baseline_rate=1, observed_rate=1, first_seen=t0, onset=t0 + timedelta(hours=1),
            extra={"feature": feature, "peak_observed": observed, "peak_expected": 10.0},
        )

    minute = timedelta(minutes=1)
    assert _count_with_traffic(batch("processed batch of <NUM> records", "$1", 18.0), volume, volume, minute)
    assert not _count_with_traffic(batch("processed batch of <NUM> records", "$1", 60.0), volume, volume, minute)
    assert not _count_with_traffic(batch("processed batch in <NUM> ms", "$1", 18.0), volume, volume, minute)
    assert not _count_with_traffic(batch("[<*> request <*>: <*>]", "$3", 18.0), volume, volume, minute)
    flat = volume.filter(pl.col("timestamp") < t0 + timedelta(minutes=59))
    assert not _count_with_traffic(batch("processed batch of <NUM> records", "$1", 18.0), flat, flat, minute)
    # ... but a median batch of 12 records instead of 10 is a wobble, not a symptom
    assert _count_with_traffic(batch("processed batch of <NUM> records", "$1", 12.0), flat, flat, minute)
    # the export starts busy: the windows after the onset's are the reference
    busy = pl.DataFrame({"timestamp": [t0 + timedelta(hours=1, milliseconds=500 * i) for i in range(1200)]
                         + [t0 + timedelta(hours=1, minutes=10, seconds=s) for s in range(3600)]})
    busy = busy.with_columns(pl.col("timestamp").dt.cast_time_unit("us"))
    assert _count_with_traffic(batch("processed batch of <NUM> records", "$1", 18.0), busy, busy, minute)


def test_a_count_whose_tail_alone_rises_by_one_or_two_is_a_wobble():
    """An SQS consumer's ``received batch of <NUM> records``: the median batch stays 1, its
    95th percentile goes from 2 to 4 for two minutes of busier traffic; no symptom (probe
    AT: a normal day's false incident). A backlog that grows the tail by many still is."""
    from rcakit.correlate._windows import _count_with_traffic

    t0 = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
    ts = [t0 + timedelta(seconds=20 * s) for s in range(4 * 180)]
    volume = pl.DataFrame({"timestamp": ts}).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))

    def batch(q95: float) -> Contribution:
        return Contribution(
            kind="parameter", service="ticketing-worker", template_id="b", template="received batch of <NUM> records from booking-events",
            score=6.1, baseline_rate=1, observed_rate=1, first_seen=t0, onset=t0 + timedelta(hours=3),
            extra={"feature": "$1", "peak_observed": 1.0, "peak_expected": 1.0, "base_q95": 2.0, "window_q95": q95},
        )

    minute = timedelta(minutes=1)
    assert _count_with_traffic(batch(4.0), volume, volume, minute)
    assert not _count_with_traffic(batch(10.0), volume, volume, minute)


def test_a_time_that_rises_with_a_count_of_the_same_message_is_load():
    """``Processed batch of <NUM> records in <NUM> ms``: batches of 22 records take longer
    than batches of 13; the time rising no more than 1.5x the count did is more work per
    message, not a slow-down. The same time rising with batches as large as before is one."""
    from rcakit.correlate._windows import _measure_with_count

    t0 = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
    minute = timedelta(minutes=1)
    template = "Processed batch of <NUM> records from <*> in <NUM> ms"

    def consumer(grow: float) -> pl.DataFrame:
        ts = [t0 + timedelta(seconds=2 * i) for i in range(2400)]
        size = [13.0 if t < t0 + timedelta(hours=1) else 13.0 * grow for t in ts]
        took = [20.0 if t < t0 + timedelta(hours=1) else 20.0 * 1.6 for t in ts]
        return pl.DataFrame(
            {"timestamp": ts, "template_id": "b", "num_params": [[s, 3.0, m] for s, m in zip(size, took, strict=True)]}
        ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))

    slow = Contribution(
        kind="parameter", service="consumer", template_id="b", template=template, score=9.0,
        baseline_rate=1, observed_rate=1, first_seen=t0, onset=t0 + timedelta(hours=1),
        extra={"feature": "$3", "peak_observed": 32.0, "peak_expected": 20.0},
    )
    assert _measure_with_count(slow, consumer(1.7), minute)
    assert not _measure_with_count(slow, consumer(1.0), minute)


def test_a_clients_error_quoting_the_servers_failure_names_the_server():
    """pricing's errors carry the database's own words in their err= attribute (Go's
    convention), and the database logs them as its failure: the database is the dependency
    that failed, although no service name is written anywhere. A proxy's error line naming
    the client's request path does not name the service of that path."""
    from datetime import UTC, datetime

    from rcakit.correlate._root import _root_service
    from rcakit.correlate._services import _names, peers_expr

    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    client = Contribution(
        kind="new", service="pricing", template_id="p1", template="price lookup failed sku=<NUM> took=<DURATION>",
        score=8.0, baseline_rate=0.0, observed_rate=20.0, first_seen=t0, onset=t0,
        examples=("price lookup failed sku=1381 took=15ms",),
    )
    server = Contribution(
        kind="new", service="catalog-db", template_id="d1", template="column p.discount does not exist at character <NUM>",
        score=8.0, baseline_rate=0.0, observed_rate=20.0, first_seen=t0, onset=t0,
        examples=("column p.discount does not exist at character 48",),
    )
    err = '{"err":"ERROR: column p.discount does not exist (SQLSTATE 42703)","sku":"1381"}'
    span = pl.DataFrame(
        {
            "timestamp": [t0, t0, t0 + timedelta(minutes=5)],
            "service": ["pricing", "catalog-db", "pricing"],
            "template_id": ["p1", "d1", "p1"],
            "attributes": [err, None, err],
        }
    )
    known = ["catalog-db", "pricing"]
    found = _root_service([client, server], span, known, timedelta(minutes=1))
    assert found.root == "catalog-db"
    assert found.names_of["new|pricing|p1"] == ("catalog-db",)
    # the same words in the client's own template are not a quote (both log it themselves)
    own = dataclasses.replace(client, template="column p.discount does not exist (SQLSTATE <NUM>)")
    found = _root_service([own, server], span.with_columns(attributes=pl.lit(None, pl.String)), known, timedelta(minutes=1))
    assert found.names_of["new|pricing|p1"] == ()
    assert pl.select(peers_expr(pl.lit(err))).item().startswith('"err":"ERROR: column')
    # words every client of a database writes in its own template are nobody's own (an
    # outage's clients do not "quote" each other), unless one service starts its failure with
    # them and the others write them after words of their own: the database, whose message
    # its clients' exceptions carry as constant text
    from rcakit.correlate._root import _error_texts, _quoting

    recovery = [
        dataclasses.replace(server, service=svc, template_id=svc, template=text)
        for svc, text in (
            ("postgres", "FATAL: the database system is in recovery mode"),
            ("orders", "query failed: FATAL: the database system is in recovery mode (attempt <NUM>)"),
            ("billing", "query failed: FATAL: the database system is in recovery mode (attempt <NUM>)"),
        )
    ]
    owned = _error_texts(recovery)
    assert owned["orders"] == owned["billing"] == set()
    assert "the database system is" in owned["postgres"]
    assert _quoting(recovery[1], owned, "") == ("postgres",)
    assert _error_texts(recovery[1:]) == {"orders": set(), "billing": set()}  # the database not in the logs
    line = 'limiting requests, excess: 20.5 by zone "api", client: 203.0.113.9, request: "GET /api/cart HTTP/1.1"'
    assert _names(line, ["cart-svc", "storefront"], exclude="edge-proxy") == ()
    assert _names("upstream cart-svc timed out", ["cart-svc", "storefront"], exclude="edge-proxy") == ("cart-svc",)


def test_a_quiet_deploy_before_an_external_dependencys_failure_is_not_the_cause():
    """pricing deployed 14 min before its calls to a tax provider outside the estate started
    timing out, and served with nothing visible in between: the provider is the likelier
    cause. The same deploy with no external host named is still the root's change."""
    from datetime import UTC, datetime

    from rcakit.correlate._results import ChangeRef, Evidence, Suspect
    from rcakit.correlate._suspects import _decide

    t = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    deploy = Suspect(
        change=ChangeRef(id="CHG-1", time=t, service="pricing", version="v2", kind="deploy"),
        score=0.62,
        lag_seconds=840.0,
        evidence=(
            Evidence(kind="service", text="same service as the root (pricing)", weight=0.3),
            Evidence(kind="new_template", text="2 template(s) new in pricing after the change (80 events, 80 errors)", weight=0.5),
            Evidence(kind="pre_existing", text="no visible change in pricing's logs in the 14m between this change and the onset (strength x0.88)", weight=-0.02),
        ),
    )
    common = {"root": "pricing", "root_names": set(), "threshold": 0.45, "services": ["pricing", "cart"]}
    cause, reason = _decide([deploy], **common, external=["api.taxrates.example.com"])
    assert cause is None
    assert "api.taxrates.example.com" in reason
    assert _decide([deploy], **common)[0] == "CHG-1"


def test_a_change_with_no_service_is_not_the_cause_of_calls_out_of_the_estate_failing():
    """An infra change with no service 6 min before payments' calls to its provider fail
    ("lookup api.paygate-psp.com: no such host"): an outage outside is likelier; the same
    change before failures inside the estate is still named."""
    from datetime import UTC, datetime

    from rcakit.correlate._results import ChangeRef, Evidence, Suspect
    from rcakit.correlate._suspects import _decide

    t = datetime(2025, 1, 28, 20, 13, tzinfo=UTC)
    infra = Suspect(
        change=ChangeRef(id="CR052349", time=t, service=None, version=None, kind="infra", description="update prometheus scrape config"),
        score=0.47,
        lag_seconds=360.0,
        evidence=(
            Evidence(kind="service", text="change has no service (global change)", weight=0.0),
            Evidence(kind="new_template", text="1 template(s) new in payments after the change (90 events, 90 errors)", weight=0.5),
        ),
    )
    common = {"root": "payments", "root_names": set(), "threshold": 0.45, "services": ["payments", "orders"]}
    cause, reason = _decide([infra], **common, external=["api.paygate-psp.com"])
    assert cause is None
    assert "check api.paygate-psp.com's status first" in reason
    assert _decide([infra], **common)[0] == "CR052349"
    # ... unless the change is to the way out: DNS, a proxy, egress rules
    dns = dataclasses.replace(
        infra, change=dataclasses.replace(infra.change, description="coredns: forward upstream resolvers moved to 10.40.0.2")
    )
    assert _decide([dns], **common, external=["api.paygate-psp.com"])[0] == "CR052349"


def test_a_databases_failing_statements_of_one_client_relate_that_clients_change():
    """The database's failures are all ledger's statements ("ledger@bankdb ERROR: canceling
    statement"): ledger's change (a schema migration) is related to the database's trouble.
    Every client's statements failing alike (a full disk) relate none of them."""
    from rcakit.correlate._suspects import statement_client

    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    services = ["coredb", "ledger", "transfers"]

    def span(users):
        return pl.DataFrame(
            {
                "timestamp": [t0] * len(users),
                "service": ["coredb"] * len(users),
                "template_id": ["t1"] * len(users),
                "attributes": [json.dumps({"pid": "1", "mdc": f"{u}@bankdb"}) for u in users],
            }
        )

    assert statement_client(span(["ledger"] * 6), "coredb", {"t1"}, services) == {"ledger"}
    assert statement_client(span(["ledger", "transfers"] * 3), "coredb", {"t1"}, services) == frozenset()
    assert statement_client(span(["ledger"] * 3), "coredb", {"t1"}, services) == frozenset()  # too few to tell
    assert statement_client(span(["ledger"] * 6), "coredb", {"other"}, services) == frozenset()
    # (a report running the same query now and then does not make two clients failing alike:
    # probe AN's index dropped by a client's migration, 8,556 of 8,596 slow statements its own)
    assert statement_client(span(["ledger"] * 95 + ["transfers"] * 5), "coredb", {"t1"}, services) == {"ledger"}
    assert statement_client(span(["ledger"] * 80 + ["transfers"] * 20), "coredb", {"t1"}, services) == frozenset()
    # a login that abbreviates the service's first word (probe BA: PostgreSQL's "prov@subscribers
    # FATAL: sorry, too many clients already" of provisioning's new release)
    many = ["coredb", "provisioning", "selfcare-portal", "payments", "payroll"]
    assert statement_client(span(["prov"] * 6), "coredb", {"t1"}, many) == {"provisioning"}
    assert statement_client(span(["pay"] * 6), "coredb", {"t1"}, many) == frozenset()  # payments or payroll?
    # ... but a full disk fails whoever writes: one client's statements meeting it relate none
    full = span(["prov"] * 6).with_columns(pl.lit('could not extend file "base/16384/2619": No space left on device').alias("body"))
    assert statement_client(full, "coredb", {"t1"}, many) == frozenset()


def test_trace_cover_reads_who_stands_behind_whom_from_shared_trace_ids():
    """checkout handles every request; billing logs only in checkout's checkout requests,
    stock in its cart and checkout requests; a job of billing's with no trace id and the
    edge that logs none add nothing. Services always seen together are not ordered."""
    from rcakit.correlate._services import trace_cover

    rows: list[tuple[str, str | None]] = []
    for i in range(40):
        tid = f"{i:032x}"
        rows.append(("checkout", tid))
        rows.append(("stock", tid))  # cart and checkout requests
        if i % 2 == 0:
            rows.append(("billing", tid))  # checkout requests only
        rows.append(("edge", None))
    rows += [("checkout", f"{i:032x}") for i in range(40, 60)]  # order lookups: checkout alone
    rows += [("billing", None)] * 10
    for i in range(100, 110):  # two services that always log together
        rows += [("auth", f"{i:032x}"), ("session", f"{i:032x}")]
    frame = pl.DataFrame(rows, schema={"service": pl.String, "trace_id": pl.String}, orient="row")
    cover = trace_cover(frame)
    assert cover["checkout"] == {"billing", "stock"}
    # billing's traces are all stock's too (a sibling, not a callee: containment cannot tell)
    assert cover["stock"] == {"billing"}
    assert "auth" not in cover
    assert "session" not in cover
    assert "edge" not in cover
    assert "billing" not in cover
    assert trace_cover(frame.with_columns(trace_id=pl.lit(None, pl.String))) == {}


def test_an_http_status_is_a_category_not_a_shifted_measure():
    """'GET <PATH> <NUM>' of an access log: its number is the status; 200 -> 503 is counted
    as errors, not told as the service's own numbers shifting (a scanner's 404s neither)."""
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._shifts import _param_shift

    t0 = datetime(2025, 1, 1, tzinfo=UTC)

    def frame(values: list[float], template: str) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "timestamp": [t0 + timedelta(seconds=i) for i in range(len(values))],
                "template_id": ["t"] * len(values),
                "template": [template] * len(values),
                "num_params": [[None, v] for v in values],
            },
            schema={"timestamp": pl.Datetime("us", "UTC"), "template_id": pl.String, "template": pl.String, "num_params": pl.List(pl.Float64)},
        )

    before = frame([200.0] * 30 + [402.0, 409.0], "GET <PATH> <NUM>")
    assert _param_shift(before, frame([503.0] * 20, "GET <PATH> <NUM>"))[0] == 0.0
    # a duration that happens to sit in the same range (more than 12 values) is a measure
    took = frame([float(120 + (i * 7) % 53) for i in range(32)], "took <PATH> <NUM>")
    assert _param_shift(took, frame([float(480 + i) for i in range(20)], "took <PATH> <NUM>"))[0] > 3


def test_a_hex_id_whose_all_digit_values_read_as_numbers_is_no_measure():
    """An SMSC's ``deliver msgid=4b53ac974d ... attempts=1``: the one message id in seven
    or so that has only digits (``1839405962``) reads as a number; those numbers are no
    measure that shifted, however far apart two periods' few of them are."""
    from datetime import UTC, datetime, timedelta

    from rcakit.correlate._shifts import _param_shift

    t0 = datetime(2025, 1, 1, tzinfo=UTC)

    def frame(n: int, scale: float) -> pl.DataFrame:
        ids = [scale * (1 + (i * 37) % 9) if i % 7 == 0 else None for i in range(n)]
        return pl.DataFrame(
            {
                "timestamp": [t0 + timedelta(seconds=i) for i in range(n)],
                "template_id": ["t"] * n,
                "template": ["deliver msgid=<*> to <NUM> attempts=<NUM>"] * n,
                "num_params": [[v, 4915736268207.0 + i, 1.0] for i, v in enumerate(ids)],
            },
            schema={"timestamp": pl.Datetime("us", "UTC"), "template_id": pl.String, "template": pl.String, "num_params": pl.List(pl.Float64)},
        )

    assert _param_shift(frame(140, 3e8), frame(80, 3e9))[0] == 0.0


def test_a_grpc_server_error_in_the_records_fields_is_an_error_whatever_its_level():
    """A gRPC server logs every finished call at INFO and its failures at WARN, the code in a
    field (``"grpc_code": "Internal"``): those are failed calls, as an HTTP 5xx is; a
    client's cancelled call or a not-found answer is not."""
    from rcakit.correlate._records import prepare_records

    t0 = datetime(2024, 5, 7, 19, 43, tzinfo=UTC)
    codes = ['"grpc_code": "OK"', '"grpc_code": "Internal"', '"grpc.code": "UNAVAILABLE"', '"grpc_code": "NotFound"',
             '"rpc.grpc.status_code": 14', '"grpc_code": "Canceled"', '"grpc_code": "DEADLINE_EXCEEDED"']
    frame = pl.DataFrame(
        {
            "timestamp": [t0 + timedelta(seconds=i) for i in range(len(codes))],
            "service": "geo-service",
            "severity_number": [9, 13, 13, 9, 13, 9, 13],
            "body": "finished unary call",
            "attributes": ["{" + c + ', "method": "/geo.v1.Geo/ETA"}' for c in codes],
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"), pl.col("severity_number").cast(pl.UInt8))
    assert prepare_records(frame)["is_error"].to_list() == [False, True, True, False, True, False, True]


def test_a_datastore_is_named_by_its_clients_libraries():
    """``Mysql2::Error``, ``pymysql.err``, ``org.postgresql.util.PSQLException``,
    ``redis.exceptions``: a client's failure names the one service of the estate whose name
    holds that product's word; with two such services, neither."""
    from rcakit.correlate._services import _names

    estate = ["mysql", "dispatch", "rider-api", "orders-postgres", "redis-cache"]
    cases = {
        "Mysql2::Error: Lock wait timeout exceeded; try restarting transaction": ("mysql",),
        'pymysql.err.OperationalError: (1205, "Lock wait timeout exceeded")': ("mysql",),
        "org.postgresql.util.PSQLException: ERROR: deadlock detected": ("orders-postgres",),
        "redis.exceptions.ConnectionError: Error 111 connecting": ("redis-cache",),
        "persist match failed: context deadline exceeded": (),
    }
    for text, named in cases.items():
        assert _names(text, estate, exclude="dispatch") == named, text
    # Oracle's errors carry its ORA- codes whichever client reports them
    ora = "Payment order 17 failed: java.sql.SQLException: ORA-01653: unable to extend table PAYMENTS.ORDERS"
    assert _names(ora, ["oracle", "payments-service"], exclude="payments-service") == ("oracle",)
    two = ["mysql-orders", "mysql-trips", "dispatch"]
    assert _names("Mysql2::Error: Lock wait timeout exceeded", two, exclude="dispatch") == ()


def test_a_login_a_database_or_a_namespace_is_not_a_service_named():
    """A database's or a broker's log names its client as a login ("Login failed for user
    'claims-api'", "user 'claims-api' authenticated"), and holds objects named like the
    business (database 'Claims', queue claims.submitted); a .NET namespace starts with the
    business word (Claims.Api.Services): none is a call to the service claims-api. Client
    libraries of SQL Server, RabbitMQ and Kafka name their server's service."""
    from rcakit.correlate._services import _names

    estate = ["claims-api", "sqlserver", "rabbitmq", "kafka-broker", "claims-worker"]
    quiet = [
        "Login failed for user 'claims-api'. Reason: Failed to open the explicitly specified database 'Claims'.",
        "accepting AMQP connection <0.123.0> (10.0.0.5:5672 -> 10.0.0.9:5672), user 'claims-api' authenticated",
        "closing AMQP connection <0.26082.0> (10.30.0.60:51630 -> 10.30.0.40:5672, vhost: 'claims', user: 'claims-api')",
        "Claims.Api.Services.ClaimIntakeService: failed to publish to queue claims.submitted",
    ]
    for text in quiet:
        assert "claims-api" not in _names(text, estate, exclude="claims-worker"), text
    named = {
        "GET http://claims-api:8080/v1/claims failed: 503": ("claims-api",),
        "call to claims-api failed: connection refused": ("claims-api",),
        "Microsoft.Data.SqlClient.SqlException (0x80131904): The transaction log is full": ("sqlserver",),
        "RabbitMQ.Client.Exceptions.BrokerUnreachableException: None of the endpoints were reachable": ("rabbitmq",),
        "org.apache.kafka.common.errors.TimeoutException: Expiring 3 record(s)": ("kafka-broker",),
    }
    for text, services in named.items():
        assert _names(text, estate, exclude="claims-worker") == services, text
    # a product two services hold (redis-server logs, "redis" in the change list) names
    # neither of them, and the others go on naming theirs
    both = [*estate, "redis-cache", "redis-sessions"]
    assert _names("at RabbitMQ.Client.Impl.ModelBase.WaitForConfirmsOrDie(TimeSpan timeout)", both, exclude="claims-worker") == ("rabbitmq",)


def test_a_burst_of_404s_for_paths_never_served_is_a_scanner_not_an_incident():
    """An edge answers 404 to ``/.env``, ``/wp-login.php`` ... 80 times a minute: a client
    probing for what was never served. 404s on a route that was served before (a broken
    route) stay a symptom."""
    from rcakit.correlate._windows import _probing

    t0 = datetime(2024, 5, 9, 18, 0, tzinfo=UTC)
    onset = t0 + timedelta(hours=1)
    served = [(t0 + timedelta(seconds=s), f"GET /v1/rides/{1000 + s}", 200, "ok") for s in range(3600)]
    scan = ["/.env", "/.git/config", "/wp-login.php", "/phpmyadmin/", "/admin.php"]
    probe = [(onset + timedelta(seconds=i), f"GET {scan[i % 5]}", 404, "scan") for i in range(60)]
    broken = [(onset + timedelta(seconds=i), f"GET /v1/rides/{9000 + i}", 404, "scan") for i in range(60)]

    def frame(rows):
        return pl.DataFrame(rows, schema=["timestamp", "endpoint", "status", "template_id"], orient="row").with_columns(
            pl.col("timestamp").dt.cast_time_unit("us").dt.replace_time_zone("UTC"), pl.col("status").cast(pl.Int32)
        )

    burst = Contribution(
        kind="new", service="edge", template_id="scan", template="GET <PATH> <NUM> NR", score=9.0,
        baseline_rate=0, observed_rate=60, first_seen=onset, onset=onset,
    )
    minute = timedelta(minutes=1)
    assert _probing(burst, frame(served + probe), minute)
    assert not _probing(burst, frame(served + broken), minute)
    assert not _probing(burst, frame(probe), minute)  # no history: cannot tell


def test_a_dependency_that_logs_little_cannot_show_it_serves_as_usual():
    """A database whose logs are its slow-query and error logs (57 lines in 3 hours) cannot
    show that it serves as usual: callers' failures naming it are not put down to them."""
    from rcakit.correlate._root import _logs_enough

    t0 = datetime(2024, 5, 8, 15, 0, tzinfo=UTC)

    def every(seconds: int, n: int) -> pl.DataFrame:
        return pl.DataFrame({"timestamp": [t0 + timedelta(seconds=seconds * i) for i in range(n)]})

    assert not _logs_enough(every(190, 57))  # 57 lines over 3 hours
    assert _logs_enough(every(30, 360))  # two a minute


def test_a_close_call_between_two_roots_goes_to_the_service_changed_before_the_onset():
    """pricing's cache-TTL config overloads the shared database: pricing fails (its own new
    errors), stock slows down and logs less; neither names the other or the database, and
    stock scores slightly higher. No change explains stock, the best suspect changed pricing
    (4.69 vs 5.14: within 15 %): pricing is tried as the root. A victim, or a service far
    behind the root, is never tried."""
    from rcakit.correlate._correlate import _Cause, _close_call, _reroot
    from rcakit.correlate._results import ChangeRef, Evidence, ServiceRole, Suspect

    t0 = datetime(2026, 3, 26, 20, 8, tzinfo=UTC)

    def role(service: str, kind: str, score: float) -> ServiceRole:
        return ServiceRole(service=service, role=kind, onset=t0, score=score, evidence=(Evidence(kind="onset", text="x", weight=1.0),))

    change = ChangeRef(id="CHG-99140", time=t0 - timedelta(seconds=40), service="pricing", version=None, kind="config")
    suspect = Suspect(change=change, score=0.3, lag_seconds=40.0, evidence=())
    found = _Cause("stock", set(), t0, (suspect,), None, "no change explains it")
    services = ["stock", "pricing", "cart-svc"]
    roles = [role("stock", "root", 5.14), role("pricing", "affected", 4.69), role("cart-svc", "victim", 0.2)]
    assert _close_call(found, roles, services) == "pricing"
    rerooted = _reroot(roles, "pricing", "CHG-99140")
    assert [(r.service, r.role) for r in rerooted] == [("pricing", "root"), ("stock", "affected"), ("cart-svc", "victim")]
    assert "close call" in rerooted[0].evidence[-1].text
    # far behind the root, a victim, or a cause already found: the root stays
    assert _close_call(found, [role("stock", "root", 5.14), role("pricing", "affected", 3.0)], services) is None
    assert _close_call(found, [role("stock", "root", 5.14), role("pricing", "victim", 5.0)], services) is None
    assert _close_call(found._replace(cause="CHG-1"), roles, services) is None


def test_a_traffic_surge_explains_an_onset_better_than_a_change_that_served_quietly():
    """Traffic rose x2.9 at the onset; the flag changed 32 min before served with nothing
    visible until then: the surge, not the flag, explains the incident. A change without
    that mark (within its rollout, or one its service already showed) keeps its place."""
    from rcakit.correlate._correlate import _surge_over_quiet_change
    from rcakit.correlate._results import ChangeRef, Evidence, Suspect

    t0 = datetime(2026, 12, 8, 12, 43, tzinfo=UTC)
    change = ChangeRef(id="CHG0030820", time=t0, service="claims-api", version=None, kind="feature_flag")
    quiet = Evidence(kind="pre_existing", text="no visible change in claims-api's logs in the 32 min between this change and the onset (strength x0.40)", weight=-0.1)
    flag = Suspect(change=change, score=0.55, lag_seconds=1895.0, evidence=(Evidence(kind="timing", text="32 min before the onset", weight=0.09), quiet))
    cause, why = _surge_over_quiet_change(flag, 2.9)
    assert cause is None
    assert "traffic rose x2.9" in why
    assert "CHG0030820" in why
    fresh = Suspect(change=change, score=0.8, lag_seconds=120.0, evidence=(Evidence(kind="timing", text="2 min before the onset", weight=0.15),))
    assert _surge_over_quiet_change(fresh, 2.9) is None


def test_a_second_problem_with_its_own_change_is_split_from_the_incident_it_fell_into():
    """An hourly export job fails against orders-db from 10:00; catalog's deploy at 09:59:47
    throws a new exception from 10:02 and the edge fails with it. The 10-minute merge gap
    joins them; orders-db is the root and no change explains it. catalog (its own failures,
    a window after the root, its change between the root's onset and its own) is tried as a
    second problem, and the windows are cut by who became anomalous with it. A victim, a
    service whose failures read as failed calls, one without a change there, or one
    anomalous with the root, is not tried."""
    from rcakit.correlate._correlate import _second_problem, _split_group
    from rcakit.correlate._results import Evidence, ServiceRole

    t0 = datetime(2025, 4, 17, 10, 0, tzinfo=UTC)
    window = timedelta(minutes=1)

    def role(service: str, kind: str, score: float, minutes: int) -> ServiceRole:
        ev = (Evidence(kind="onset", text="x", weight=1.0),)
        return ServiceRole(service=service, role=kind, onset=t0 + timedelta(minutes=minutes), score=score, evidence=ev)

    def contrib(service: str, template: str, minutes: int) -> Contribution:
        return Contribution(kind="new", service=service, template_id=service + template[:3], template=template, score=9.0,
                            baseline_rate=0, observed_rate=5, first_seen=None, onset=t0 + timedelta(minutes=minutes))

    roles = [
        role("orders-db", "root", 4.07, 0), role("report-export", "victim", 2.2, 0),
        role("catalog", "affected", 1.55, 2), role("edge-nginx", "affected", -0.66, 2),
    ]
    changes = [
        {"id": "CHG-5182", "service": "orders", "time": t0 - timedelta(minutes=50)},
        {"id": "CHG-5216", "service": "catalog", "time": t0 - timedelta(seconds=13)},
    ]
    contribs = [
        contrib("orders-db", "canceling statement due to statement timeout", 0),
        contrib("report-export", "export failed: canceling statement due to statement timeout", 0),
        contrib("catalog", "An unhandled exception has occurred: System.NullReferenceException", 2),
        contrib("edge-nginx", "GET /api/products <NUM>", 2),
    ]
    assert [r.service for r in _second_problem(roles, changes, window, contribs)] == ["catalog"]
    # its failures read as failed calls (a time-out): the root's cascade, not a second problem
    timeouts = [*contribs[:2], contrib("catalog", "query failed: connection timed out after <NUM> ms", 2)]
    assert _second_problem(roles, changes, window, timeouts) == []
    # anomalous with the root, or changed long before the root's onset: not tried
    same = [*roles[:2], role("catalog", "affected", 1.55, 0)]
    assert _second_problem(same, changes, window, contribs) == []
    early = [changes[0], {**changes[1], "time": t0 - timedelta(minutes=5)}]
    assert _second_problem(roles, early, window, contribs) == []
    # changed more than 5 min before its own onset: a bystander the cascade reached later
    late = [role("orders-db", "root", 4.07, 0), role("catalog", "affected", 1.55, 12)]
    quiet = [changes[0], {**changes[1], "time": t0 + timedelta(minutes=2)}]
    assert _second_problem(late, quiet, window, contribs) == []
    assert [r.service for r in _second_problem(late, [{**changes[1], "time": t0 + timedelta(minutes=8)}], window, contribs)] == ["catalog"]
    assert _second_problem([*roles[:2], role("catalog", "victim", 1.55, 2)], changes, window, contribs) == []

    w = AnomalyWindow(start=t0, end=t0 + timedelta(minutes=9), score=9.0,
                      services=("orders-db", "report-export", "catalog", "edge-nginx"), contributions=tuple(contribs))
    first, second = _split_group([w], {"catalog", "edge-nginx"})
    assert [c.service for c in first[0].contributions] == ["orders-db", "report-export"]
    assert first[0].start == t0
    assert [c.service for c in second[0].contributions] == ["catalog", "edge-nginx"]
    assert second[0].services == ("catalog", "edge-nginx")
    assert second[0].start == t0 + timedelta(minutes=2)
    assert second[0].end == w.end


def test_a_long_burst_of_throttled_warnings_among_other_records_does_not_crash():
    """A service refusing requests for load ("semaphore timed out ... rate limited") for
    five windows, 40 % of its records: not a short burst, nor a small share, so the check
    goes on to whether the burst holds errors. It read the service's own timestamps
    against the template's severities (two lengths): polars raised a ShapeError and the
    report died."""
    from rcakit.correlate._windows import _burst_seen_before

    t0 = datetime(2026, 5, 1, 14, 0, tzinfo=UTC)
    tpl = "request rate limited: semaphore timed out after <NUM> ms"
    stamps = [t0 + timedelta(seconds=10 * i) for i in range(30)]
    sub = pl.DataFrame({
        "timestamp": stamps, "service": ["scylla"] * 30, "template_id": ["t1"] * 30, "sev": [13] * 30,
    }, schema_overrides={"timestamp": pl.Datetime("us", "UTC")})
    own = pl.DataFrame({"timestamp": stamps + [t0 + timedelta(seconds=7 * i) for i in range(45)]},
                       schema_overrides={"timestamp": pl.Datetime("us", "UTC")})
    c = Contribution(kind="rate_spike", service="scylla", template_id="t1", template=tpl, score=9.0,
                     baseline_rate=0.1, observed_rate=6, first_seen=None, onset=t0)
    assert _burst_seen_before(c, sub, own, timedelta(minutes=1)) is False


def test_a_change_when_the_root_writes_no_logs_is_scored_without_crashing():
    """The root is a datastore its callers name by host ("scylla-0.scylla:9042 timed out")
    that writes no logs in the exports; a change of another service without logs (an
    infrastructure plan) has no logs to compare before and after: scored on timing and
    relation alone. It looked the root's records up and raised KeyError."""
    from rcakit.correlate._suspects import _score_suspect

    t0 = datetime(2026, 5, 1, 14, 0, tzinfo=UTC)
    playback = pl.DataFrame({"timestamp": [t0 - timedelta(minutes=30) + timedelta(seconds=20 * i) for i in range(200)]},
                            schema_overrides={"timestamp": pl.Datetime("us", "UTC")})
    row = {"id": "chg-1", "time": t0 - timedelta(minutes=12), "service": "terraform", "service_raw": "terraform",
           "version": None, "kind": "infra", "description": "apply plan"}
    sus = _score_suspect(
        row, onset=t0, end=t0 + timedelta(minutes=20), root="scylla", services=["scylla", "playback"],
        root_names=set(), by_service={"playback": playback}, known=["playback", "scylla", "terraform"],
        span_cmp=timedelta(minutes=30), window=timedelta(minutes=1), changes=[row],
    )
    assert sus.change.id == "chg-1"
    assert 0 <= sus.score < 0.45
    assert any("writes no logs" in e.text for e in sus.evidence)


def test_an_http_clients_error_for_a_5xx_answer_reports_a_dependency_and_its_url_names_it():
    """got's ``HTTPError: Response code 503 (Service Unavailable)`` (the callee only in the
    error's ``url`` field), axios's ``Request failed with status code 502``, requests' ``503
    Server Error``: a caller's report of a failing dependency, and the absolute URL in the
    record's fields names it. A service's own ``Internal Server Error: /path`` (Django) is
    not a report, and an access log's own relative ``url`` names nobody."""
    from rcakit.correlate._services import peers_expr, reports_dependency_failure

    assert reports_dependency_failure("drm key request failed\nHTTPError: Response code 503 Service Unavailable")
    assert reports_dependency_failure("Error: Request failed with status code 502")
    assert reports_dependency_failure("requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url")
    assert not reports_dependency_failure("Internal Server Error: /api/orders/42")
    assert not reports_dependency_failure("order 42 failed validation")
    attrs = pl.DataFrame({"attributes": [
        '{"err.type":"HTTPError","err.url":"https://drm-license:8443/v1/keys"}', '{"url":"/api/catalog/items","status":"200"}',
    ]})
    peers = attrs.select(peers_expr(pl.col("attributes")))["attributes"].to_list()
    assert "//drm-license:8443" in peers[0]
    assert _names(peers[0], ["drm-license", "playback", "catalog"], exclude="playback") == ("drm-license",)
    assert peers[1] == ""


def test_a_database_login_that_is_a_services_short_name_is_that_services():
    """PostgreSQL names each statement's login (``drm@entitlements``): ``drm`` is the one
    service whose name starts with it, ``drm-license``; two such services name neither."""
    from rcakit.correlate._suspects import _user_service

    services = ["drm-license", "playback", "postgres"]
    assert _user_service("drm", services) == "drm-license"
    assert _user_service("playback", services) == "playback"
    assert _user_service("drm", [*services, "drm-keys"]) is None
    assert _user_service("reports", services) is None


def test_the_change_of_the_client_whose_statements_fail_at_the_database_counts_its_failures_naming_it():
    """drm-license runs a migration (ALTER TABLE takes a lock); from then on postgres cancels
    drm's statements and drm-license logs failures naming postgres. Outside the root such
    failures are a dependency's, not the change's; but drm-license is the client whose
    statements fail at the root (the database), so they are what its change did: the
    migration is the cause."""
    from rcakit.correlate._records import prepare_records
    from rcakit.correlate._suspects import _score_suspect

    t0 = datetime(2026, 3, 17, 13, 15, 11, tzinfo=UTC)
    rows = []
    for i in range(240):  # 40 min before, 20 min after the change, a record every 15 s
        ts = t0 - timedelta(minutes=40) + timedelta(seconds=15 * i)
        failing = ts > t0 + timedelta(seconds=30) and i % 2 == 0
        body = ("License request failed: postgres query canceled (entitlements lookup timed out)" if failing
                else f"license issued for asset as{i} in {20 + i % 7} ms")
        rows.append({"timestamp": ts, "service": "drm-license", "severity_number": 17 if failing else 9, "body": body})
    records = mine_templates(pl.DataFrame(rows, schema_overrides={"timestamp": pl.Datetime("us", "UTC")}))
    frame = prepare_records(records.with_columns(attributes=pl.lit("{}")))
    row = {"id": "chg-8724", "time": t0, "service": "drm-license", "service_raw": "drm-license", "version": None,
           "kind": "migration", "description": "Flyway V42 ALTER TABLE entitlements"}
    args = {
        "onset": t0 + timedelta(seconds=31), "end": t0 + timedelta(minutes=20), "root": "postgres",
        "services": ["postgres", "drm-license", "playback"], "root_names": set(), "by_service": {"drm-license": frame},
        "known": ["drm-license", "playback", "postgres"], "span_cmp": timedelta(minutes=30),
        "window": timedelta(minutes=1), "changes": [row],
    }
    client = _score_suspect(row, **args, root_clients=frozenset({"drm-license"}))
    other = _score_suspect(row, **args)
    assert client.score >= 0.45, client.evidence
    assert other.score < client.score


def test_cassandras_drivers_name_a_scylla_service_and_elasticsearchs_clients_name_theirs():
    """ScyllaDB speaks Cassandra's protocol: a client's ``cassandra.Unavailable: Error from
    server`` names the ``scylla`` service (it logs its outage at INFO/WARN, so the client's
    errors must point at it)."""
    services = ["recommendations", "scylla", "playback", "search-es"]
    text = "feature fetch failed cassandra.Unavailable: Error from server: code=1000 [Unavailable exception]"
    assert _names(text, services, exclude="recommendations") == ("scylla",)
    assert _names("NoHostAvailableException: All host(s) tried for query failed", services, exclude="playback") == ("scylla",)
    assert _names("elasticsearch.exceptions.ConnectionTimeout: timed out", services, exclude="playback") == ("search-es",)
    assert _names("cassandra keyspace recs ready", services, exclude="playback") == ()


def test_new_warnings_before_an_unrelated_outage_are_not_its_root():
    """recommendations' noisy deploy logs new warnings (no error) from 09:22; from 09:26 kafka
    fails and transcoder's errors name it. Neither calls the other: the warnings are an
    incident of their own, kafka's outage another. A tie between them (the later services
    name the root, or the call graph links them), errors in the root, or failures that start
    with the root keep them together."""
    from rcakit.correlate._correlate import _failures_after_warnings
    from rcakit.correlate._results import Evidence, ServiceRole

    t0 = datetime(2026, 3, 9, 9, 22, tzinfo=UTC)
    window = timedelta(minutes=1)

    def role(service: str, kind: str, minutes: int) -> ServiceRole:
        return ServiceRole(service=service, role=kind, onset=t0 + timedelta(minutes=minutes), score=1.0,
                           evidence=(Evidence(kind="onset", text="x", weight=1.0),))

    def contrib(service: str, tid: str, minutes: int) -> Contribution:
        return Contribution(kind="new", service=service, template_id=tid, template=tid, score=9.0, baseline_rate=0,
                            observed_rate=9, first_seen=None, onset=t0 + timedelta(minutes=minutes))

    roles = [role("recommendations", "root", 0), role("kafka", "victim", 4), role("transcoder", "victim", 4)]
    contribs = [contrib("recommendations", "w1", 0), contrib("kafka", "k1", 4), contrib("transcoder", "e1", 4)]
    warn = {("recommendations", "w1"): 1.0, ("kafka", "k1"): 1.0, ("transcoder", "e1"): 1.0}
    err = {("recommendations", "w1"): 0.0, ("kafka", "k1"): 0.2, ("transcoder", "e1"): 1.0}
    names = {"new|transcoder|e1": ("kafka",), "new|kafka|k1": (), "new|recommendations|w1": ()}
    graph: dict[str, set[str]] = {"transcoder": {"kafka"}, "playback": {"kafka", "recommendations"}}
    assert _failures_after_warnings("recommendations", roles, contribs, warn, err, window, graph, names) == {"kafka", "transcoder"}
    # tied: the later services call the root, or their failures name it
    tied = {**graph, "transcoder": {"kafka", "recommendations"}}
    assert _failures_after_warnings("recommendations", roles, contribs, warn, err, window, tied, names) == set()
    named = {**names, "new|transcoder|e1": ("kafka", "recommendations")}
    assert _failures_after_warnings("recommendations", roles, contribs, warn, err, window, graph, named) == set()
    # the root logs errors itself, or the others fail with it
    assert _failures_after_warnings(
        "recommendations", roles, contribs, warn, {**err, ("recommendations", "w1"): 1.0}, window, graph, names
    ) == set()
    together = [roles[0], role("kafka", "victim", 0), role("transcoder", "victim", 0)]
    assert _failures_after_warnings("recommendations", together, contribs, warn, err, window, graph, names) == set()
    # a service anomalous with the root fails: the first part is no mere warnings
    failing = [*roles, role("payments", "victim", 0)]
    with_errors = [*contribs, contrib("payments", "p1", 0)]
    shares = ({**warn, ("payments", "p1"): 1.0}, {**err, ("payments", "p1"): 1.0})
    assert _failures_after_warnings("recommendations", failing, with_errors, *shares, window, graph, names) == set()


def test_a_callers_change_that_drives_the_roots_load_is_tried_as_the_root():
    """The gateway's retries raised from 2 to 6 at 19:59: from 20:00 it logs thousands of new
    'retrying upstream request' warnings, and playback, behind it, fails from 20:01. No
    change explains playback; the best suspect changed its caller, which did something new
    (not failures) before playback failed: the gateway is tried as the root. A change of a
    service that does not call the root, one long before the onset, or a caller whose only
    new lines are failures, is not."""
    from rcakit.correlate._correlate import _amplifying_caller, _Cause
    from rcakit.correlate._results import ChangeRef, Evidence, ServiceRole, Suspect

    t0 = datetime(2026, 3, 17, 20, 1, tzinfo=UTC)
    window = timedelta(minutes=1)

    def role(service: str, kind: str, minutes: int) -> ServiceRole:
        return ServiceRole(service=service, role=kind, onset=t0 + timedelta(minutes=minutes), score=1.0,
                           evidence=(Evidence(kind="onset", text="x", weight=1.0),))

    def found(service: str, minutes: float) -> _Cause:
        change = ChangeRef(id="CHG0047701", time=t0 + timedelta(minutes=minutes), service=service, version=None, kind="config")
        return _Cause("playback", set(), t0, (Suspect(change=change, score=0.32, lag_seconds=-60 * minutes, evidence=()),),
                      None, "no change explains it")

    roles = [role("playback", "root", 0), role("api-gateway", "victim", -1), role("edge", "victim", 0)]
    retry = Contribution(kind="new", service="api-gateway", template_id="r1", template="retrying upstream request", score=9.0,
                         baseline_rate=0, observed_rate=300, first_seen=None, onset=t0 - timedelta(minutes=1))
    graph = {"api-gateway": {"playback", "recommendations"}, "edge": {"api-gateway"}}
    services = ["api-gateway", "edge", "playback", "recommendations"]
    shares = {("api-gateway", "r1"): 0.0}
    amplifying = _amplifying_caller(found("api-gateway", -2), roles, [retry], graph, shares, window, services)
    assert amplifying is not None
    assert (amplifying[0], amplifying[1].change.id) == ("api-gateway", "CHG0047701")
    assert _amplifying_caller(found("api-gateway", -40), roles, [retry], graph, shares, window, services) is None
    # probe AD: the root's own deploy of 90 min ago, quiet since, ranks first; the caller's
    # change (in the root's first window, its new retries 40 s later) is still the one tried
    quiet_deploy = Suspect(
        change=ChangeRef(id="CHG924360", time=t0 - timedelta(minutes=90), service="playback", version="7.5.0", kind="deploy"),
        score=0.35, lag_seconds=5400.0, evidence=(),
    )
    inside = found("api-gateway", 0.75)
    late = dataclasses.replace(retry, first_seen=t0 + timedelta(seconds=85), onset=t0 + timedelta(minutes=1))
    second = inside._replace(suspects=(quiet_deploy, *inside.suspects))
    amplifying = _amplifying_caller(second, roles, [late], graph, shares, window, services)
    assert amplifying is not None
    assert amplifying[1].change.id == "CHG0047701"
    assert _amplifying_caller(found("api-gateway", -2), roles, [retry], {"edge": {"playback"}}, shares, window, services) is None
    failing = {("api-gateway", "r1"): 1.0}
    assert _amplifying_caller(found("api-gateway", -2), roles, [retry], graph, failing, window, services) is None
    # the retries were logged long before the change: they surge with the trouble, not with it
    old = dataclasses.replace(retry, first_seen=t0 - timedelta(minutes=50))
    assert _amplifying_caller(found("api-gateway", -2), roles, [old], graph, shares, window, services) is None
    assert _amplifying_caller(found("api-gateway", -2)._replace(cause="CHG1"), roles, [retry], graph, shares, window, services) is None


def test_a_clients_schema_migration_is_the_databases_change():
    """A Flyway migration is registered under the service whose code holds it, but its
    ALTER TABLE runs in the database, which may log nothing of it (an Oracle alert log):
    the one client whose failures name the database and whose migration started shortly
    before the onset is the database's client, as when the database names its statements."""
    from rcakit.correlate._correlate import _migrating_client

    onset = datetime(2026, 11, 24, 8, 53, tzinfo=UTC)
    window = timedelta(minutes=1)

    def fails(service: str, tid: str) -> Contribution:
        return Contribution(
            kind="new", service=service, template_id=tid, template="ORA-<NUM>: timeout waiting to lock object",
            score=9.0, baseline_rate=0.0, observed_rate=5.0, first_seen=onset, onset=onset,
        )

    contribs = [fails("payments-service", "t1"), fails("online-banking-api", "t2")]
    names_of = {"new|payments-service|t1": ("oracle",), "new|online-banking-api|t2": ("payments-service",)}

    def change(service: str, kind: str, minutes_before: float) -> dict:
        return {"service": service, "kind": kind, "time": onset - timedelta(minutes=minutes_before)}

    migration = change("payments-service", "migration", 1)
    assert _migrating_client("oracle", contribs, names_of, [migration], onset, window) == {"payments-service"}
    # a deploy is not a migration; a migration long before, or of a service whose failures
    # do not name the database, is not this one
    assert not _migrating_client("oracle", contribs, names_of, [change("payments-service", "deploy", 1)], onset, window)
    assert not _migrating_client("oracle", contribs, names_of, [change("payments-service", "migration", 40)], onset, window)
    assert not _migrating_client("oracle", contribs, names_of, [change("online-banking-api", "migration", 1)], onset, window)


def test_a_debug_lines_numbers_do_not_date_a_slow_down():
    """A connection pool shrunk by a config change: its DEBUG stats line shows the new size
    (``Pool stats (total=6, ...)``) minutes before requests slow down and fail. The stats
    are diagnostics, not a slow-down: the onset is the first failure, as it would be without
    them; an INFO line's numbers (a request's latency) still date a slow-down before it."""
    from rcakit.correlate._incident import _refine_onset
    from rcakit.correlate._shifts import _Shift

    t0 = datetime(2026, 11, 7, 9, 0, tzinfo=UTC)
    window = timedelta(minutes=1)
    first_failure = t0 + timedelta(minutes=5, seconds=3)
    rows = [(t0 - timedelta(minutes=40) + timedelta(seconds=30 * i), "stats", 5, False) for i in range(120)]
    rows += [(t0 - timedelta(minutes=40) + timedelta(seconds=20 * i), "latency", 9, False) for i in range(180)]
    rows += [(first_failure + timedelta(seconds=10 * i), "failed", 17, True) for i in range(30)]
    recs = pl.DataFrame(
        rows, schema={"timestamp": pl.Datetime("us", "UTC"), "template_id": pl.String, "severity_number": pl.Int32, "is_error": pl.Boolean},
        orient="row",
    ).with_columns(service=pl.lit("payments"))

    def contribution(kind: str, tid: str, onset: datetime) -> Contribution:
        return Contribution(
            kind=kind, service="payments", template_id=tid, template=tid, score=20.0,
            baseline_rate=1.0, observed_rate=2.0, first_seen=t0 - timedelta(minutes=40), onset=onset,
        )

    shift = _Shift(n_before=100, n_after=100, err_before=0.0, err_after=0.2, err_z=9.0, new_templates=(),
                   param_z=9.0, param_text="", rate_ratio=1.0, version_share=None, param_ratio=100.0)
    new = contribution("new", "failed", first_failure)
    stats = contribution("parameter", "stats", t0 + timedelta(minutes=1))
    start = t0 + timedelta(minutes=1)
    end = t0 + timedelta(minutes=30)
    assert _refine_onset([new, stats], recs, "payments", start, end, window, shift) == first_failure
    latency = contribution("parameter", "latency", t0 + timedelta(minutes=1))
    assert _refine_onset([new, latency], recs, "payments", start, end, window, shift) == t0 + timedelta(minutes=1)


def test_a_change_of_an_application_is_a_change_of_its_numbered_nodes_and_its_windows_service(tmp_path):
    """The change list says ``ehr-web`` (the application), the logs come from ``ehr-web01/``
    and ``ehr-web02/`` (its nodes): the change is each node's, not infrastructure's that
    "writes no logs here"; the Event Log's source ``RxDispenseSvc`` is the CMDB's
    ``RxDispense``."""
    import random
    import warnings

    import rcakit
    from rcakit.correlate._services import match_service, node_services

    assert node_services("ehr-web", ["ehr-web01", "ehr-web02", "haproxy", "ehr-webhooks"]) == ["ehr-web01", "ehr-web02"]
    assert match_service("ehr-web", ["ehr-web01", "haproxy"]) == "ehr-web01"
    assert match_service("RxDispense", ["RxDispenseSvc", "Schannel"]) == "RxDispenseSvc"
    assert match_service("payments", ["paymentsvc", "orders"]) == "payments"  # (no CamelCase suffix)

    rnd = random.Random(5)
    t0 = datetime(2024, 3, 4, 8, 0, 0)
    deploy = t0 + timedelta(hours=2, minutes=3)
    for node in ("ehr-web01", "ehr-web02"):
        (tmp_path / "logs" / node).mkdir(parents=True)
        lines, t = [], t0
        while t < t0 + timedelta(hours=3):
            t += timedelta(seconds=rnd.uniform(0.5, 2.5))
            stamp = t.strftime("%d-%b-%Y %H:%M:%S.") + f"{t.microsecond // 1000:03d}"
            thread = f"[http-nio-8443-exec-{rnd.randint(1, 9)}] org.ehr.orders.OrderController.place"
            if t > deploy + timedelta(seconds=40) and rnd.random() < 0.3:
                lines.append(f"{stamp} SEVERE {thread} Order placement failed: java.lang.NullPointerException: ward is null")
            else:
                lines.append(f"{stamp} INFO {thread} Order {rnd.randint(10000, 99999)} placed in {rnd.randint(5, 80)} ms")
        (tmp_path / "logs" / node / "catalina.out").write_text("\n".join(lines) + "\n")
    (tmp_path / "changes.csv").write_text(
        "time,service,version,id,kind,description\n"
        f"{(t0 + timedelta(minutes=20)).isoformat()}Z,haproxy,cfg-2,CHG100,config,haproxy: raise timeouts\n"
        f"{deploy.isoformat()}Z,ehr-web,24.3.1,CHG200,deploy,EHR 24.3.1: ward codes on order placement\n"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = rcakit.analyze(tmp_path / "logs", deploys=tmp_path / "changes.csv")
    (inc,) = report.incidents
    assert inc.cause == "CHG200"
    best = inc.suspects[0]
    assert best.change.service == "ehr-web"  # (as the change list spells it)
    assert any(e.kind == "service" and e.weight > 0 and "same service as the root" in e.text for e in best.evidence), best.evidence
    # one row per change in the suspects and the change list, however many nodes it touched
    assert [s.change.id for s in inc.suspects].count("CHG200") == 1
    assert [c.change.id for c in report.changes] == ["CHG100", "CHG200"]


def test_the_status_of_w3c_and_load_balancer_records_is_their_http_status(tmp_path):
    """IIS writes its answer's status as ``sc-status``, an AWS load balancer as
    ``elb_status_code``: their 5xx answers are an access log's, like nginx's ``status``
    (probe AG: IIS's 500s during a callee's restart were not read as answers, so the
    restart's blip was an incident)."""
    import rcakit
    from rcakit.correlate._records import prepare_records

    lines = [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Date: 2024-03-18 08:00:00",
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken",
        "2024-03-18 08:00:01 10.20.1.15 GET /portal/api/results pid=1 443 10.0.0.7 Mozilla/5.0 200 0 0 65",
        "2024-03-18 08:00:02 10.20.1.15 GET /portal/api/results pid=2 443 10.0.0.8 Mozilla/5.0 500 0 0 12",
    ]
    (tmp_path / "u_ex240318.log").write_text("\r\n".join(lines) + "\r\n")
    recs = prepare_records(rcakit.read_logs(tmp_path / "u_ex240318.log"))
    assert recs["status"].to_list() == [200, 500]
    assert recs["is_error"].to_list() == [False, True]


def test_a_tls_client_rejecting_the_servers_certificate_reports_the_servers_failure():
    """Probe AG: Keycloak's certificate expired; its callers logged ``failed to turn code into
    token javax.net.ssl.SSLHandshakeException: PKIX path validation failed ... Caused by:
    java.security.cert.CertificateExpiredException`` and one of them, naming nobody, was
    made the root. A client rejecting the server's certificate reports the server's failure;
    a server rejecting its client's certificate (the client's fault) is not that."""
    from rcakit.correlate._services import callers_fault, reports_dependency_failure

    assert reports_dependency_failure(
        "failed to turn code into token\njavax.net.ssl.SSLHandshakeException: PKIX path validation failed: "
        "java.security.cert.CertPathValidatorException: validity check failed"
    )
    assert reports_dependency_failure("Caused by: java.security.cert.CertificateExpiredException: NotAfter: Sun Mar 17 23:59:59 UTC 2024")
    assert reports_dependency_failure('Get "https://vault:8200/v1/sys/health": x509: certificate has expired or is not yet valid')
    server_side = "http: TLS handshake error from 10.0.0.7:51234: tls: failed to verify certificate: x509: certificate signed by unknown authority"
    assert not reports_dependency_failure(server_side)
    assert callers_fault(server_side)


def test_the_requester_a_server_logs_is_no_dependency_it_names():
    """HAPI FHIR logs each request's user agent (``UA[lab-worker]``), Keycloak each login's
    client (``clientId="patient-portal"``): who called, not a dependency (probe AG: the
    slowed FHIR server was a 'victim' whose anomaly named lab-worker, its caller)."""
    services = ["fhir-api", "lab-worker", "patient-portal", "keycloak"]
    assert _names("Path[/Observation] Operation[create Observation] UA[lab-worker] Time[312ms]", services, exclude="fhir-api") == ()
    assert _names('type="LOGIN", realmId="clinical", clientId="patient-portal"', services, exclude="keycloak") == ()
    assert _names("request from user_agent=lab-worker/2.3 took 900 ms", services, exclude="fhir-api") == ()
    assert _names("calling lab-worker failed: timeout", services, exclude="fhir-api") == ("lab-worker",)


def test_change_list_spellings_in_camel_case_or_with_a_host_name() -> None:
    """A change list names the applications as its CMDB spells them (``RoutePlanner``,
    ``TrackingAPI``, ``scan-gw``) or by a node's fully qualified host name: each is the
    logging service of that name (probe AJ), not infrastructure that "writes no logs here"."""
    from rcakit.correlate._services import match_service

    services = ["route-planner", "driver-api", "tracking-api", "scan-gateway", "trk-api02", "parcel-wms", "payment"]
    assert match_service("RoutePlanner", services) == "route-planner"
    assert match_service("DriverApi", services) == "driver-api"
    assert match_service("TrackingAPI", services) == "tracking-api"
    assert match_service("ScanGateway", services) == "scan-gateway"
    assert match_service("scan-gw", services) == "scan-gateway"
    assert match_service("ParcelWMS", services) == "parcel-wms"
    assert match_service("trk-api02.parcelco.internal", services) == "trk-api02"
    # (names that are no spelling of a logging service stay as given)
    assert match_service("WMS", services) == "WMS"
    assert match_service("10.20.0.31", services) == "10.20.0.31"
    assert match_service("geocoder.example.com", services) == "geocoder.example.com"


def test_an_entity_before_its_short_id_names_no_service() -> None:
    """``route for driver D-1814 (DEP-SHF2) failed: geocoder unavailable``: a driver is the
    business entity, not ``driver-api`` (probe AJ); the geocoder is named."""
    services = ["route-planner", "driver-api", "geocoder", "payment"]
    text = "route for driver D-1814 (DEP-SHF2) failed: geocoder unavailable, returning 502"
    assert _names(text, services, exclude="route-planner") == ("geocoder",)
    assert _names("payment PAY-77 declined by issuer", services, exclude=None) == ()
    assert _names("driver D1424 has no route", services, exclude=None) == ()
    assert _names("call to driver-api failed: 503", services, exclude=None) == ("driver-api",)
    assert _names("payment gateway timeout after 30s", services, exclude=None) == ("payment",)


def test_a_clients_change_before_the_database_runs_out_of_connections_is_the_cause():
    """A consumer's database workers raised from 8 to 48 at 08:36:44; from 08:39 PostgreSQL
    answers "sorry, too many clients already" to every client, the changed one among them
    (probe AJ). No change explains PostgreSQL; the one client that changed just before it
    refused connections for want of capacity is tried as the root with its change. Two
    clients changed in that time, a change long before, a failure that is no capacity
    refusal, a change that does not say it raised a concurrency (a routine release: probe
    AJ's first version named one in the simulated database outage), or a changed service
    that does not use the database: none is."""
    from rcakit.correlate._correlate import _capacity_client, _Cause
    from rcakit.correlate._results import ChangeRef, Evidence, ServiceRole, Suspect

    t0 = datetime(2025, 3, 19, 8, 39, tzinfo=UTC)
    window = timedelta(minutes=1)

    def role(service: str, kind: str) -> ServiceRole:
        return ServiceRole(service=service, role=kind, onset=t0, score=1.0, evidence=(Evidence(kind="onset", text="x", weight=1.0),))

    said = {"CHG0041700": ("cfg-workers-48", "depot-consumer: DB_WORKERS 8 -> 48"), "CHG2": ("v2.4.1", "release tracking-api v2.4.1"),
            "CHG3": ("cfg", "raise the worker pool"), "CHG4": ("cfg", "more geocoder threads"),
            "CHG5": ("v3.16.0", "release depot-consumer v3.16.0")}

    def suspect(cid: str, service: str, minutes: float) -> Suspect:
        version, description = said[cid]
        change = ChangeRef(id=cid, time=t0 + timedelta(minutes=minutes), service=service, version=version, kind="config",
                           description=description)
        return Suspect(change=change, score=0.29, lag_seconds=-60 * minutes, evidence=())

    def found(*suspects: Suspect) -> _Cause:
        return _Cause("postgresql", set(), t0, suspects, None, "no change explains it")

    roles = [role("postgresql", "root"), role("depot-consumer", "victim"), role("tracking-api", "victim"), role("route-planner", "victim")]
    refused = Contribution(kind="new", service="postgresql", template_id="p1", template="FATAL: sorry, too many clients already",
                           score=9.0, baseline_rate=0, observed_rate=40, first_seen=t0, onset=t0)
    graph = {"depot-consumer": {"postgresql"}, "tracking-api": {"postgresql"}, "route-planner": {"postgresql", "geocoder"}}
    services = ["postgresql", "depot-consumer", "tracking-api", "route-planner", "geocoder"]
    change = suspect("CHG0041700", "DepotConsumer", -2.3)
    got = _capacity_client(found(change), roles, [refused], graph, window, services)
    assert got is not None
    assert (got[0], got[1].change.id, got[2]) == ("depot-consumer", "CHG0041700", "too many clients")
    # two clients changed just before: which one opened the connections, the logs cannot tell
    both = found(change, suspect("CHG2", "tracking-api", -4))
    assert _capacity_client(both, roles, [refused], graph, window, services) is None
    assert _capacity_client(found(suspect("CHG3", "depot-consumer", -50)), roles, [refused], graph, window, services) is None
    # a routine release of a client minutes before the database fails on its own is no cause
    assert _capacity_client(found(suspect("CHG5", "depot-consumer", -6)), roles, [refused], graph, window, services) is None
    other = dataclasses.replace(refused, template="FATAL: could not write to file: No space left on device")
    assert _capacity_client(found(change), roles, [other], graph, window, services) is None
    assert _capacity_client(found(suspect("CHG4", "geocoder", -2)), roles, [refused], graph, window, services) is None


def test_a_change_tickets_cluster_and_environment_words_and_more_drivers():
    """``redis-cluster-b`` and ``payments-prod`` in a change list are the logs' ``redis-b``
    and ``payments``; Elixir's Xandra driver and Cassandra's own "Cannot achieve consistency
    level" name a cassandra service (probe AM)."""
    from rcakit.correlate._services import match_service

    services = ["redis-b", "payments", "kafka", "chat", "cassandra", "cluster-autoscaler"]
    assert match_service("redis-cluster-b", services) == "redis-b"
    assert match_service("payments-prod", services) == "payments"
    assert match_service("kafka-cluster", services) == "kafka"
    assert match_service("cluster-autoscaler", services) == "cluster-autoscaler"
    assert match_service("vault-prod", services) == "vault-prod"
    text = '%Xandra.Error{reason: :unavailable, message: "Cannot achieve consistency level QUORUM"}'
    assert _names(text, services, exclude="chat") == ("cassandra",)


def test_a_change_ticket_naming_a_datastore_by_its_product_and_role():
    """``redis-cache-01`` and ``timescaledb-prod`` in a change list are the logs' one
    ``redis`` and ``postgresql`` (probe AN); another product of the same family
    (``kafka-connect``) or an application's own database (``orders-db``) is not."""
    from rcakit.correlate._services import match_service

    services = ["redis", "postgresql", "kafka", "orders", "headend"]
    assert match_service("redis-cache-01", services) == "redis"
    assert match_service("timescaledb-prod", services) == "postgresql"
    assert match_service("pg-primary", services) == "postgresql"
    assert match_service("kafka-connect", services) == "kafka-connect"
    assert match_service("orders-db", services) == "orders-db"
    # (two services of the product: which one is not said)
    assert match_service("redis-cache-01", [*services, "redis-sessions"]) == "redis-cache-01"
    # (a search cluster's ticket: its product's short name and what it is for, probe BG)
    assert match_service("ES-Search-Prod", [*services, "elasticsearch"]) == "elasticsearch"


def test_less_of_anything_inside_a_planned_maintenance_window_is_no_symptom():
    """A maintenance change whose description gives its window ("05:00-06:00 UTC: login,
    matchmaking and store closed") or its length plans the quiet inside it: services going
    silent, fewer players online (probe AM: the closed hour was an incident, its onset an
    hour before the real one when players came back). Errors in it stay symptoms."""
    from rcakit.correlate._windows import _material_windows, maintenance_windows

    t0 = datetime(2025, 6, 12, 4, 59, tzinfo=UTC)
    rows = [
        {"kind": "maintenance", "time": t0, "description": "weekly maintenance window 05:00-06:00 UTC: store closed"},
        {"kind": "maintenance", "time": t0, "description": "failover test for 45 minutes"},
        {"kind": "maintenance", "time": t0, "description": "VACUUM ANALYZE billing (weekly)"},
        {"kind": "config", "time": t0, "description": "rate limit 05:00-06:00"},
        {"kind": "maintenance", "time": datetime(2025, 6, 12, 23, 50, tzinfo=UTC), "description": "window 00:00-02:00"},
    ]
    planned = maintenance_windows(rows)
    hour = timedelta(hours=1)
    assert planned == [
        (t0.replace(hour=5, minute=0), t0.replace(hour=6, minute=0)),
        (t0, t0 + timedelta(minutes=45)),
        (datetime(2025, 6, 13, 0, 0, tzinfo=UTC), datetime(2025, 6, 13, 2, 0, tzinfo=UTC)),
    ]

    def contribution(kind, onset, **extra):
        return Contribution(
            kind=kind, service="chat", template_id=None, template=None, score=20.0, baseline_rate=20.0,
            observed_rate=0.5, first_seen=None, onset=onset, extra=extra,
        )

    five = t0.replace(hour=5, minute=4)
    quiet = contribution("rate_drop", five)
    errors = contribution("error_ratio", t0.replace(hour=5, minute=30))
    recs = pl.DataFrame(
        {"timestamp": [t0 + timedelta(minutes=m) for m in range(180)], "service": ["chat"] * 180,
         "template_id": ["t"] * 180, "severity_number": [9] * 90 + [17] * 90, "body": ["x"] * 180},  # (failing from 5:30)
        schema_overrides={"severity_number": pl.UInt8},
    )
    win = AnomalyWindow(start=five, end=t0 + 2 * hour, score=20.0, services=("chat",), contributions=(quiet,))
    kept = _material_windows([win], recs, min_events=5, badness={}, window=timedelta(minutes=1))
    assert len(kept) == 1  # (nobody planned it: a silence of an hour)
    assert _material_windows([win], recs, min_events=5, badness={}, window=timedelta(minutes=1), planned=planned[:1]) == []
    both = dataclasses.replace(win, contributions=(quiet, errors))
    kept = _material_windows([both], recs, min_events=5, badness={}, window=timedelta(minutes=1), planned=planned[:1])
    assert [c.kind for c in kept[0].contributions] == ["error_ratio"]
    assert kept[0].start == errors.onset


def test_external_hosts_named_outside_urls_by_port_or_by_the_word_before_them():
    """A vendor system or a provider's API appears in callers' errors without a URL: .NET's
    socket errors put ``(host:port)`` after the text, mailers say "via <host>"."""
    from rcakit.correlate._services import external_hosts

    services = ["LabResults.Service", "NotificationService", "payments"]
    refused = (
        "LIS request for order ORD3845949 failed\nSystem.Net.Http.HttpRequestException: No connection could be "
        "made because the target machine actively refused it. (lis-api.labnet.local:443)\n"
        "   at LabResults.Service.Lis.LisClient.GetDiagnosticReportsAsync(String orderId) in D:\\a\\src\\LisClient.cs:line 88"
    )
    assert external_hosts([refused], services) == ["lis-api.labnet.local"]
    assert external_hosts(["Sending e-mail via api.sendgrid.com failed: 503 Service Unavailable"], services) == ["api.sendgrid.com"]
    assert external_hosts(["dial tcp api.fx.example.net:443: i/o timeout"], services) == ["api.fx.example.net"]
    # not hosts: source files with a line, Java frames and packages, config files, queues and
    # topics, the cluster's own names, cloud node names, an address, a mail address
    not_hosts = [
        "panic: nil map at handler.go:57 reading config.yaml",
        "at com.example.foo.Bar.run(Bar.java:10) at java.base/java.lang.Thread.run(Thread.java:829)",
        "received from queue.orders on topic payments.events",
        "dial tcp catalog-db.shop.svc.cluster.local:5432: connection refused",
        "kubelet on ip-10-0-1-2.ec2.internal:10250 at 10.0.0.1:8080",
        "bounce for bob@mail.example.com:25",
        "upstream connect error to payments.internal:8080",  # a logging service's own name
    ]
    assert external_hosts(not_hosts, services) == []


def test_a_vendor_system_outside_the_logs_is_named_in_the_incident(tmp_path):
    """A caller's calls to a system that logs nothing fail (its host in a socket error, no
    URL): the incident names the host, its summary and action say to check it."""
    import rcakit

    t0 = datetime(2026, 11, 11, 7, 0, tzinfo=UTC)
    logs = {"portal": [], "results": [], "scheduler": []}
    for i in range(4 * 60 * 6):  # 4 h, every 10 s
        t = t0 + timedelta(seconds=10 * i)
        ts = f"{t:%Y-%m-%d %H:%M:%S},{i % 1000:03d}"
        failing = t >= t0 + timedelta(hours=3, minutes=32)
        status = 502 if failing else 200
        logs["portal"].append(f"{ts} INFO portal GET /api/results/{1000 + i} responded {status} in {40 + i % 17} ms")
        if failing:
            logs["results"].append(
                f"{ts} ERROR results LIS request for order ORD{3800000 + i} failed: HttpRequestException: No connection "
                "could be made because the target machine actively refused it. (lis-api.labnet.local:443)"
            )
        else:
            logs["results"].append(f"{ts} INFO results LIS returned {i % 7 + 1} reports for order ORD{3800000 + i} in {30 + i % 13} ms")
        logs["scheduler"].append(f"{ts} INFO scheduler Booked slot {i} for patient P{5000 + i % 300}")
    for name, lines in logs.items():
        (tmp_path / f"{name}.log").write_text("\n".join(lines) + "\n")
    report = rcakit.analyze(tmp_path)
    inc = next(i for i in report.incidents if i.root_service == "results")
    assert inc.cause is None
    assert inc.external_hosts == ("lis-api.labnet.local",)
    assert "lis-api.labnet.local" in inc.summary
    assert "outside these logs" in inc.summary
    assert "check the status of `lis-api.labnet.local`" in report.to_markdown()
    assert json.loads(report.to_json())["incidents"][0]["external_hosts"] == ["lis-api.labnet.local"]


def _provider_timeouts(tmp_path, description: str, at: str = "10:25:00"):
    """A paywall whose calls to its payment provider time out from 10:32, after a deploy of
    the paywall at ``at`` described as ``description``."""
    import rcakit

    t0 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    logs: dict[str, list[str]] = {"edge": [], "paywall": [], "search": []}
    for i in range(4 * 60 * 6):  # 4 h, every 10 s
        t = t0 + timedelta(seconds=10 * i)
        ts = f"{t:%Y-%m-%d %H:%M:%S},{i % 1000:03d}"
        failing = t >= t0 + timedelta(hours=3, minutes=32)
        logs["edge"].append(f"{ts} INFO edge POST /api/subscribe responded {502 if failing else 200} in {40 + i % 17} ms")
        if failing:
            logs["paywall"].append(
                f"{ts} ERROR paywall payment authorisation failed: java.net.SocketTimeoutException: Read timed out "
                f"calling https://checkout-live.adyenpayments.com/v71/payments (order {880000 + i})"
            )
        else:
            logs["paywall"].append(f"{ts} INFO paywall payment authorised for order {880000 + i} in {120 + i % 31} ms")
        logs["search"].append(f"{ts} INFO search query served in {20 + i % 9} ms")
    for name, lines in logs.items():
        (tmp_path / f"{name}.log").write_text("\n".join(lines) + "\n")
    (tmp_path.parent / "changes.csv").write_text(
        "time,service,version,id,kind,description\n"
        f"2026-11-24T{at}Z,paywall,2.40.7,CHG-28518,deploy,{description}\n"
    )
    report = rcakit.analyze(tmp_path, deploys=tmp_path.parent / "changes.csv")
    return next(i for i in report.incidents if i.root_service == "paywall")


def test_a_provider_that_stops_answering_is_likelier_than_an_unrelated_deploy(tmp_path):
    """The paywall's calls to the payment provider time out 7 minutes after a copy change
    of the paywall: the provider, outside these logs, is likelier than the change (probe AW:
    the deploy was named, 0.98); a change that says it set the calls' timeout is named, and
    so is one seconds before the timeouts start (probe AT: a feature flag 15 s before)."""
    logs = tmp_path / "a" / "logs"
    logs.mkdir(parents=True)
    inc = _provider_timeouts(logs, "copy change on the offer page")
    assert inc.external_hosts == ("checkout-live.adyenpayments.com",)
    assert inc.cause is None
    logs = tmp_path / "b" / "logs"
    logs.mkdir(parents=True)
    assert _provider_timeouts(logs, "lower the PSP client timeout to 2 s").cause == "CHG-28518"
    # ... and so is a change seconds before the calls start timing out (a flag turning on a
    # new call to the provider)
    logs = tmp_path / "c" / "logs"
    logs.mkdir(parents=True)
    assert _provider_timeouts(logs, "feature flag instant-checkout enabled 100%", at="10:31:45").cause == "CHG-28518"


def test_anomalies_naming_only_a_dependency_that_serves_as_usual_are_the_callers_own():
    """The edge's failures and its slower calls both name mobile-api, which logs as usual:
    with mobile-api cleared, no anomaly of the edge names anything (probe AY rendered "1 of 2
    anomalies of edge-nginx name  (failures of a dependency)", naming nobody)."""
    from rcakit.correlate._root import _own_failures, _ServiceView

    t0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    frame = pl.DataFrame({"timestamp": [t0 + timedelta(seconds=20 * i) for i in range(600)], "service": ["mobile-api"] * 600})
    edge = _ServiceView(
        service="edge-nginx", names={"mobile-api"}, failure_names={"mobile-api"}, n_contrib=2, n_naming=2,
        failure_sets=[frozenset({"mobile-api"})],
    )
    views = {"edge-nginx": edge}
    _own_failures(views, {}, {"edge-nginx", "mobile-api"}, {"mobile-api": frame})
    assert edge.healthy_named == {"mobile-api"}
    assert (edge.n_naming, edge.own, edge.names) == (0, 2, set())

def test_a_cmdb_item_holding_all_words_of_one_logging_service_is_that_service():
    """ServiceNow's ``cmdb_ci`` adds words to the application's name (``OLB-Web-Liberty``,
    the logs' ``olb-liberty``, probe AY); a name holding two services' words, or only a
    one-word service's (``payments-db`` is the database, not payments), stays unmatched."""
    from rcakit.correlate._services import match_service

    services = ["olb-liberty", "oracle-olbprd", "payments", "mobile-api"]
    assert match_service("OLB-Web-Liberty", services) == "olb-liberty"
    assert match_service("OLB-Liberty-Mobile-API", services) == "OLB-Liberty-Mobile-API"
    assert match_service("payments-db", services) == "payments-db"


def _bank_estate(root: Path, changes: str) -> rcakit.RcaReport:
    """Two hours of a bank's web banking (Liberty), its Oracle database (alert log named by
    its SID), its MQ queue manager (every entry's header names it), payments and its news
    site (WordPress's ``wordpress/php-error.log``); and its ServiceNow change list
    (``changes``: rows after the header)."""
    import random
    import warnings

    rnd = random.Random(3)
    t0 = datetime(2026, 11, 18, 8, 0, 0)
    logs = root / "logs"
    for d in ("olb-liberty", "oracle-olbprd", "ibm-mq", "payments", "wordpress"):
        (logs / d).mkdir(parents=True)
    lib, ora, mq, pay, php = [], [], [], [], []
    for i in range(480):
        t = t0 + timedelta(seconds=15 * i)
        lib.append(
            f"[{t:%m/%d/%y %H:%M:%S}:{rnd.randint(0, 999):03d} GMT] 0000004{rnd.randint(1, 9)} "
            f"com.bank.olb.AccountService I OLB0100I: getAccountSummary served in {rnd.randint(20, 90)} ms"
        )
        pay.append(
            f"{t:%Y-%m-%d %H:%M:%S},{rnd.randint(0, 999):03d} INFO [pool-1-thread-{rnd.randint(1, 8)}] "
            f"c.b.p.PaymentController - payment {rnd.randint(10000, 99999)} accepted"
        )
        if i % 10 == 0:
            php.append(f"[{t:%d-%b-%Y %H:%M:%S} UTC] PHP Notice:  Undefined index: byline in /var/www/html/wp-content/themes/newsroom/single.php on line {rnd.randint(40, 90)}")
        if i % 8 == 0:
            ora.append(f"{t:%Y-%m-%dT%H:%M:%S}.000000+00:00\nThread 1 advanced to log sequence {1200 + i} (LGWR switch)")
        if i % 12 == 0:
            mq.append(
                f"{t:%m/%d/%Y %I:%M:%S %p} - Process(5783.22) User(mqm) Program(amqrmppa)\n"
                "                    Host(mqprd01) Installation(Installation1)\n"
                "                    VRMF(9.3.0.10) QMgr(QMBANK1)\n"
                f"                    Time({t:%Y-%m-%dT%H:%M:%S}.000Z)\n"
                "                    CommentInsert1(MON.SVRCONN)\n\n"
                "AMQ9999I: Channel 'MON.SVRCONN' to host 'mon-agent01' ended normally.\n\n"
                "----- amqrmrsa.c : 938 --------------------------------------------------------"
            )
    (logs / "olb-liberty" / "messages.log").write_text("\n".join(lib) + "\n")
    (logs / "oracle-olbprd" / "alert_OLBPRD1.log").write_text("\n".join(ora) + "\n")
    (logs / "ibm-mq" / "AMQERR01.LOG").write_text("\n".join(mq) + "\n")
    (logs / "payments" / "payments.log").write_text("\n".join(pay) + "\n")
    (logs / "wordpress" / "php-error.log").write_text("\n".join(php) + "\n")
    (root / "changes.csv").write_text("number,type,cmdb_ci,short_description,actual_start\n" + changes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return rcakit.analyze(logs, deploys=root / "changes.csv")


def test_a_cmdb_item_is_the_service_its_description_its_log_file_or_its_records_name(tmp_path):
    """A change list's CMDB items are not the logs' service names (probe AY): the Oracle SID
    ``OLBPRD1`` is in the database's log file name (``alert_OLBPRD1.log``), the queue manager
    ``QMBANK1`` in each entry of the MQ log (``QMgr(QMBANK1)``), the application
    ``wordpress`` in the directory of its PHP error log (the service ``php-error``, read from
    ``wordpress/php-error.log``), and a release's description
    says which application it ships ("Release olb-liberty 5.27.4"). Before, each "writes no
    logs in these exports (infrastructure?)" and could take any service's failures for its
    own; a description naming two services says nothing."""
    report = _bank_estate(
        tmp_path,
        "CHG0040734,Standard,OLBPRD1,Rotate application log files,2026-11-18 08:40:00\n"
        "CHG0040708,Standard,QMBANK1,Update monitoring agent KB,2026-11-18 08:50:00\n"
        "REL-22050,Deployment,OLB-Mobile-Gateway,Release olb-liberty 5.27.4 via Azure DevOps pipeline,2026-11-18 09:00:00\n"
        "REL-22051,Deployment,OLB-Mobile-Gateway,Release olb-liberty 5.27.5 and payments 2.1.0,2026-11-18 09:10:00\n"
        "CHG-37422,Standard,wordpress,wp plugin update liveblog 2.2.4 -> 2.3.0,2026-11-18 09:20:00\n",
    )
    seen = {c.change.id: (c.change.service, c.evidence[0].text) for c in report.changes}
    assert seen["CHG0040734"] == ("oracle-olbprd", "oracle-olbprd's logs look the same before and after")
    assert seen["CHG0040708"] == ("ibm-mq", "ibm-mq's logs look the same before and after")
    assert seen["REL-22050"] == ("olb-liberty", "olb-liberty's logs look the same before and after")
    assert seen["CHG-37422"] == ("php-error", "php-error's logs look the same before and after")
    assert seen["REL-22051"][0] == "OLB-Mobile-Gateway"
    assert "olb-liberty's logs" not in seen["REL-22051"][1]


def test_a_change_of_an_application_is_the_service_logging_in_its_directory():
    """GitLab deploys ``production/grading-worker``; the export holds its worker's log as
    ``grading-worker/celery.log``, which the reader names ``celery`` (probe BD). The
    directory's whole name is the application's: the deploy is celery's (before, only the
    directory's words, ``grading`` and ``worker``, were looked at, and the deploy "writes no
    logs in these exports"). A name that two directories hold matches none."""
    from rcakit.correlate._services import named_in_change

    services = ["celery", "grading-api", "lms"]
    sources = {
        "celery": ["exports/grading-worker/celery.log"],
        "grading-api": ["exports/grading-api/grading-api.log"],
        "lms": ["exports/lms/lms-2026-03-23.log"],
    }
    desc = "Merge branch 'retry-backoff' into 'main' / production/grading-worker / by deploy-bot"
    assert named_in_change("grading-worker", desc, services, sources=sources) == "celery"
    assert named_in_change("grading-worker", None, services, sources=sources) == "celery"
    assert named_in_change("grading", None, services, sources=sources) is None  # celery's and grading-api's
    assert named_in_change("grading-worker", None, services) is None  # no sources, nothing to go by


def test_a_cmdb_display_name_is_the_one_service_one_of_its_words_names():
    """Jira's ``Affected services`` spells a database ``SubsDB PostgreSQL`` (probe BA): its one
    word that names a logging service is that service; words naming none, or two services,
    match nothing."""
    from rcakit.correlate._services import match_service

    services = ["postgresql", "radius", "bearerbox", "selfcare-portal"]
    assert match_service("SubsDB PostgreSQL", services) == "postgresql"
    assert match_service("Kannel SMS GW", services) == "Kannel SMS GW"
    assert match_service("FreeRADIUS AAA", services) == "FreeRADIUS AAA"
    assert match_service("AAA radius postgresql", services) == "AAA radius postgresql"


def test_a_service_named_for_a_common_word_is_not_named_by_that_word():
    """``query-svc`` is named by its name, not by every failure that says "query" (probe BC:
    Trino's "Query exceeded per-node memory limit" made query-svc the root of Trino's OOM)."""
    from rcakit.correlate._services import _names

    services = ["query-svc", "trino", "payments-svc"]
    assert _names("query failed for tenant t-0305: timeout waiting for trino", services, exclude="trino") == ()
    assert _names("call to query-svc failed: 503", services, exclude=None) == ("query-svc",)
    assert _names("payments call failed", services, exclude=None) == ("payments-svc",)


def test_a_flag_key_one_service_logs_makes_the_flag_that_services_change():
    """LaunchDarkly's audit names a flag's project (``analytics-platform``), which writes no
    logs; the service that logs the flag's key (``flag updated key=raw-scan-fallback``) is the
    one whose code it switches (probe BC: the flag that caused the incident scored 0.39 as
    of an unlogged project)."""
    from rcakit.correlate._correlate import _named_services

    t0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    recs = pl.DataFrame(
        {
            "timestamp": [t0 + timedelta(seconds=i) for i in range(6)],
            "service": ["query-svc", "query-svc", "dashboard-api", "dashboard-api", "auth", "query-svc"],
            "body": [
                "query finished elapsed_ms=263",
                "flag updated key=raw-scan-fallback value=true",
                "GET /api/widgets 200",
                "flag updated key=dark-mode-default value=true",
                "token issued",
                "query finished elapsed_ms=12",
            ],
        }
    )
    changes = pl.DataFrame(
        {
            "service": ["analytics-platform", "analytics-platform", "analytics-platform"],
            "description": [
                "Turned on flag `raw-scan-fallback` in `Production`",
                "Turned on flag `dark-mode-default` in `Production`",
                "Turned on flag `billing-banner` in `Production`",
            ],
        }
    )
    named = _named_services(changes, recs, ["query-svc", "dashboard-api", "auth"])
    assert named == {
        ("analytics-platform", "Turned on flag `raw-scan-fallback` in `Production`"): "query-svc",
        ("analytics-platform", "Turned on flag `dark-mode-default` in `Production`"): "dashboard-api",
    }


def test_a_deploy_the_database_logs_a_schema_statement_after_is_a_migration():
    """A Helm pre-upgrade hook runs the release's migration: the change list says only
    "deploy", the database logs the ``ALTER TABLE`` 2 s later and every query then waits on
    its lock (probe BC: the release was "not related", no cause named). A schema statement
    long after the deploy is not its migration."""
    from rcakit.correlate._correlate import _DDL, _migrating_client

    onset = datetime(2026, 3, 14, 14, 20, 48, tzinfo=UTC)
    window = timedelta(minutes=1)
    fails = Contribution(
        kind="new", service="dashboard-api", template_id="t1", template="request failed", score=9.0,
        baseline_rate=0.0, observed_rate=5.0, first_seen=onset, onset=onset,
    )
    names_of = {"new|dashboard-api|t1": ("postgresql",)}
    deploy = {"service": "dashboard-api", "kind": "deploy", "time": onset - timedelta(seconds=42)}
    alter = "statement: ALTER TABLE dashboards ADD COLUMN layout_v2 jsonb NOT NULL DEFAULT '{}'::jsonb"
    assert re.search(_DDL, alter)
    assert not re.search(_DDL, "statement: SELECT d.id FROM dashboards d WHERE d.id = $1")
    ddl = [onset - timedelta(seconds=40)]
    assert _migrating_client("postgresql", [fails], names_of, [deploy], onset, window, ddl) == {"dashboard-api"}
    assert not _migrating_client("postgresql", [fails], names_of, [deploy], onset, window)
    late = [deploy["time"] + timedelta(minutes=5)]
    assert not _migrating_client("postgresql", [fails], names_of, [deploy], onset, window, late)


def test_an_identifier_a_change_names_in_the_incidents_failures_ties_it():
    """A signing-key rotation (a Terraform run on the auth workspace, "Rotate JWT signing
    key (kid k-2026-03)") whose new key id every failure of the API names, in the record's
    error field ("no matching key found in JWKS for kid k-2026-03"): those failures are its
    doing (probe BC: the rotation scored 0.17, "not related"). Dates and numbers are no
    identifiers."""
    from rcakit.correlate._suspects import _id_in

    fields = '{"url":"/api/v1/widgets/1035/data","status":"401","error":"JsonWebTokenError: no matching key found in JWKS for kid k-2026-03"}'
    found = _id_in("Rotate JWT signing key (kid k-2026-03)", ["token verification failed", fields])
    assert found is not None
    assert found[0] == "k-2026-03"
    assert found[1].endswith("for kid k-2026-03\"}")
    assert _id_in("Rotate JWT signing key (kid k-2026-03)", ["token verification failed", "kid k-2026-030 unknown"]) is None
    assert _id_in("maintenance window 2026-03-20 14:00", ["deadline 2026-03-20 exceeded"]) is None
    assert _id_in("raise pool size to 20000", ["pool of 20000 exhausted"]) is None
    assert _id_in("enable queue orders-v2", ["consumer of orders-v2 lagging"]) == ("orders-v2", "consumer of orders-v2 lagging")


def test_the_client_of_a_service_that_failed_names_it():
    """A Rails app's error names the client class that failed, not the service: a blind
    probe's storefront logged ``Faraday::ServerError`` from
    ``app/services/inventory_client.rb:42:in `reserve!'`, and was rooted before inventory,
    whose deploy broke reservations. A source file's folders still name nothing, nor does a
    client file of no service."""
    from rcakit.correlate._services import _names

    services = ["inventory", "storefront-web", "pricing-api", "payments-gateway"]
    frame = "[9f1c] app/services/inventory_client.rb:42:in `reserve!'"
    assert _names(frame, services, exclude="storefront-web") == ("inventory",)
    assert _names("InventoryClient.reserve failed after 3 attempts", services, exclude="storefront-web") == ("inventory",)
    assert _names("payments-gateway-client: read timed out", services, exclude="storefront-web") == ("payments-gateway",)
    assert _names('File "/app/inventory/handlers.py", line 4', services, exclude="storefront-web") == ()
    assert _names('File "/app/pricing/http_client.py", line 9', services, exclude="storefront-web") == ()
    assert _names("inventory_id=5 inventory_clients_total=3", services, exclude="storefront-web") == ()


def test_pgbouncers_own_errors_name_it():
    """PgBouncer answers a client it cannot serve in time with ``query_wait_timeout``: a Go
    service's ``db query failed`` with ``ERROR: query_wait_timeout (SQLSTATE 08P01)`` names
    the pool, not the database behind it (a blind probe's pool exhaustion was rooted at the
    service once its callers' errors named it)."""
    from rcakit.correlate._services import _names

    services = ["inventory", "pgbouncer", "postgresql"]
    assert _names("db query failed: ERROR: query_wait_timeout (SQLSTATE 08P01)", services, exclude="inventory") == ("pgbouncer",)
    assert _names("no more connections allowed (max_client_conn)", services, exclude="inventory") == ("pgbouncer",)
    assert _names("db query failed: canceling statement due to statement timeout", services, exclude="inventory") == ()


def test_a_start_up_line_naming_a_dependency_is_no_dependency_failing():
    """After a deploy, 'connected to redis' names another service but is no failure of it
    (blind probe BI: start-up INFO lines cited as "a dependency failing, not X itself");
    an error that names one still is."""
    from datetime import UTC, datetime

    from rcakit.correlate._shifts import _Shift, _shift_evidence

    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def shift(*templates):
        return _Shift(
            n_before=500, n_after=500, err_before=0.0, err_after=0.0, err_z=0.0, new_templates=templates,
            param_z=0.0, param_text="", rate_ratio=1.0, version_share=None,
        )

    started = ("store::db: connected to redis host=<HOST>", 2, 0, at, True, 0)
    failing = ("redis: connection refused host=<HOST>", 40, 40, at, True, 0)
    assert [e for e in _shift_evidence(shift(started), service="store", after_label="after the change") if e.kind == "dependency"] == []
    dep = [e for e in _shift_evidence(shift(started, failing), service="store", after_label="after the change") if e.kind == "dependency"]
    assert len(dep) == 1
    assert "1 new template(s)" in dep[0].text
    assert "connection refused" in dep[0].text


@pytest.mark.parametrize(
    ("line", "start"),
    [
        ("store: starting store-service version=0.50.0 git_sha=1", True),
        ("Starting OrdersApp v1.0 on pod-1 with PID 1", True),
        ("Tomcat started on port(s): 8080 (http)", True),
        ("Started OrdersApp in 23.47 seconds (JVM running for 24.9)", True),
        ("HTTP server started on 0.0.0.0:8080", True),
        ("Index build: starting", False),
        ("checkpoint starting: time", False),
        ("Reconciliation run started for carrier DHL", False),
    ],
)
def test_a_start_line_is_the_processs_not_a_task_of_it(line, start):
    """A restart is told by the process's own start line, not by a task the running process
    starts (blind probe BK: MongoDB's 'Index build: starting' and a job's 'Reconciliation ...
    started' were read as restarts)."""
    from rcakit.correlate._services import _START_LINE

    assert pl.DataFrame({"t": [line]}).select(pl.col("t").str.contains(_START_LINE)).item() is start


def test_a_flag_that_names_no_service_is_the_one_whose_logs_hold_its_key():
    """A LaunchDarkly change whose description names two services ("Lobby: cross-platform
    matchmaking pools") has no service; the one service whose SDK logs the flag's key
    (``"flagKey": "lobby-crossplay-matching"``) owns it (blind probe BI); none when several
    or none do."""
    from rcakit.correlate._correlate import _named_services

    recs = pl.DataFrame(
        {
            "service": ["lobby", "lobby", "matchmaking"],
            "body": ["feature flag updated", "party created", "Matchmaking pass queue=ranked searching=12"],
            "attributes": ['{"flagKey":"lobby-crossplay-matching","value":true}', '{"partyId":"pty_1"}', None],
        }
    )
    desc = "Turned on flag `lobby-crossplay-matching` (Lobby: cross-platform matchmaking pools) in production"
    other = "Turned on flag `auth-device-login` in production"

    def owner(frame, description):
        changes = pl.DataFrame({"service": [None], "description": [description], "kind": ["feature_flag"]},
                               schema={"service": pl.String, "description": pl.String, "kind": pl.String})
        return _named_services(changes, frame, ["lobby", "matchmaking"]).get((None, description))

    assert owner(recs, desc) == "lobby"
    both = recs.with_columns(pl.lit('{"flagKey":"lobby-crossplay-matching"}').alias("attributes"))
    assert owner(both, desc) is None
    assert owner(recs, other) is None


def test_a_datastores_lines_name_its_clients_not_services_it_calls():
    """Blind probe BL: MySQL's "Aborted connection ... to db: 'booking' user: 'booking_app'"
    made the call graph read "mysql calls booking-api", and with mysql's crash lines gone
    (an OOM kill) its failures "named a dependency": the root went to a consumer that only
    went quiet. A datastore's or broker's own lines name its clients; only another
    datastore (a replica, PgBouncer's PostgreSQL) is one it calls."""
    from rcakit.correlate import dependency_graph

    services = ["mysql", "booking-api", "rabbitmq", "pgbouncer", "postgres"]
    recs = pl.DataFrame(
        {
            "service": ["mysql"] * 3 + ["rabbitmq"] * 3 + ["pgbouncer"] * 3 + ["booking-api"] * 3,
            "template_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 3,
            "template": [
                "Aborted connection <NUM> to db: '<*>' user: '<*>' host: '<IP>' (Got an error reading communication packets)"
            ] * 3 + ["closing AMQP connection <*> (<*>, vhost: '/', user: '<*>')"] * 3
            + ["S-<*>: postgres/<*>@<IP>:<NUM> new connection to server"] * 3
            + ["MySqlConnector.MySqlException: Unable to connect to any of the specified MySQL hosts."] * 3,
            "body": [
                "Aborted connection 1234 to db: 'booking' user: 'booking_app' host: '10.0.0.5' "
                "(Got an error reading communication packets)"
            ] * 3 + ["closing AMQP connection <0.812.0> (10.0.0.7:41234 -> 10.0.0.9:5672, vhost: '/', user: 'booking-api')"] * 3
            + ["S-0x1a2b: postgres/booking@10.0.0.3:5432 new connection to server"] * 3
            + ["MySqlConnector.MySqlException: Unable to connect to any of the specified MySQL hosts."] * 3,
        }
    )
    assert dependency_graph(recs, services) == {"pgbouncer": {"postgres"}, "booking-api": {"mysql"}}


@pytest.mark.parametrize("stamped", [True, False])
def test_a_leaks_first_crash_is_no_precursor_of_the_next(stamped):
    """Blind probes BL s05 and BI s27: a leak's first out-of-memory crash, 35-40 minutes
    before a larger second one, was folded into it as its "precursor": the first failure
    (its 502s) went unreported and the onset was the second crash's. An incident in which
    its root ran out of memory is a failure of its own. (Rust's "memory allocation of N
    bytes failed" has no time of its own: it takes the record's before it, which may be
    seconds before the incident's first window.)"""
    records, _, det2, pre_at = _slow_leak_with_precursor()
    if stamped:
        crash = records.filter(pl.col("service") == "payment").head(1).with_columns(
            timestamp=pl.lit(pre_at + timedelta(minutes=6)).cast(records.schema["timestamp"]),
            body=pl.lit("java.lang.OutOfMemoryError: Java heap space"),
        )
        records = pl.concat([records, crash]).sort("timestamp")
    else:
        # (right after the service's last record before the window, its time that record's)
        records = records.sort("timestamp")
        before = records.with_row_index("_i").filter(
            (pl.col("service") == "payment") & (pl.col("timestamp") < pre_at - timedelta(seconds=20))
        )["_i"].max()
        crash = records.slice(before, 1).with_columns(
            timestamp=pl.lit(None).cast(records.schema["timestamp"]),
            body=pl.lit("memory allocation of 4194304 bytes failed"),
        )
        records = pl.concat([records.head(before + 1), crash, records.slice(before + 1)])
    corr = correlate_changes(records, det2, changes=make_changes("slow_leak"))
    assert len(corr.incidents) == 2
    first = min(corr.incidents, key=lambda i: i.start)
    assert first.start <= pre_at + timedelta(minutes=1)
    assert first.root_service == "payment"


def test_a_median_that_fell_while_the_tail_stayed_is_a_change_of_mix():
    """Blind probe BL s18 (a normal day from the clinics' morning ramp): ASP.NET Core's one
    "Request finished HTTP/1.1 GET <URL> ... <DURATION>" template holds the kubelet's
    0.4 ms health checks and the 15 ms API calls; as the share of probes moved, its median
    fell 15.83 -> 0.98 ms while its p95 stayed (40 -> 37): a "latency" incident on a normal
    day. A median that fell with its tail is the requests answered faster; one that fell
    alone is more of the fast kind."""
    from rcakit.correlate._windows import _is_trouble

    def shift(med: tuple[float, float], p95: tuple[float, float]) -> Contribution:
        tpl = "Request finished HTTP/<NUM> GET <URL> - <NUM> - <*> <DURATION>"
        return Contribution(
            kind="parameter", service="booking-api", template_id=_sc.tid(tpl), template=tpl, score=6.4,
            baseline_rate=40, observed_rate=40, first_seen=T0, onset=T0,
            extra={"peak_expected": med[0], "peak_observed": med[1], "base_q95": p95[0], "window_q95": p95[1],
                   "fraction_beyond": 0.27},
        )

    assert not _is_trouble(shift((15.83, 0.9766), (39.99, 36.96)), {})
    assert _is_trouble(shift((15.83, 4.1), (39.99, 9.5)), {})  # (everything faster: a shift)
    assert _is_trouble(shift((15.83, 41.0), (39.99, 120.0)), {})  # (slower: the usual symptom)


def test_a_spring_server_refusing_a_request_it_cannot_read_is_the_callers_fault():
    """Blind probe BI s10: a feature flag made lobby send matchmaking a field it does not
    know; matchmaking logged Spring's "Resolved [...HttpMessageNotReadableException: JSON
    parse error: Unrecognized field ...]" (a 400) and was made the root, lobby's axios 400s
    its victims. A server refusing a request it cannot read or bind reports its caller's
    fault, as "bad request" does."""
    from rcakit.correlate._services import callers_fault

    refused = (
        "Resolved [org.springframework.http.converter.HttpMessageNotReadableException: JSON parse error: "
        'Unrecognized field "crossplayPool" (class com.ironclash.mm.api.CreateTicketRequest), not marked as ignorable]'
    )
    assert callers_fault(refused)
    assert callers_fault("Resolved [org.springframework.web.bind.MethodArgumentNotValidException: Validation failed for argument [0]]")
    assert not callers_fault("Resolved [java.lang.IllegalStateException: pool exhausted]")
