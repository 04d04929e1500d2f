"""A service's calls to a host outside the estate failing for want of a valid certificate:
the report says whose certificate expired and what to renew."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest

import rcakit
from rcakit.correlate._root import OUR_CERTIFICATE, THEIR_CERTIFICATE, certificate_expired
from rcakit.errors import RcakitWarning
from rcakit.report import analyze
from rcakit.report._format import action_parts

from ._estates import insert_records

ONSET = datetime(2025, 10, 8, 10, 30, 13, tzinfo=UTC)


def test_whose_certificate_expired_is_read_from_the_failure():
    # the peer's TLS alert: it rejected the certificate we presented (mutual TLS)
    assert certificate_expired(["javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired"]) == OUR_CERTIFICATE
    assert certificate_expired(["SSL routines:ssl3_read_bytes:tlsv1 alert certificate expired"]) == OUR_CERTIFICATE
    # our side refusing the peer's certificate
    assert certificate_expired(['Post "https://api.psp.example.com/v1": x509: certificate has expired or is not yet valid']) == THEIR_CERTIFICATE
    assert certificate_expired(["java.security.cert.CertificateExpiredException: NotAfter: Wed Oct 08 10:30:00 UTC 2025"]) == THEIR_CERTIFICATE
    assert certificate_expired(["Read timed out calling https://api.psp.example.com/v1"]) is None


def _estate_with_certificate_failures(path, alert: str):
    """The generated shop's pay service failing every charge to its payment provider from
    ONSET on (20 minutes, one every 20 s), with ``alert`` in the stack trace."""
    sc = rcakit.generate_incident(path, fault="none", seed=5, hours=3)
    failures = [
        (
            f"{ONSET + timedelta(seconds=20 * i):%Y-%m-%d %H:%M:%S},{i % 1000:03d} ERROR [payment.api] "
            f"[trace_id={i:032x}] - charge failed order=ord_{i:012x} calling https://api.psp-gateway.example.com/v1/charges",
            alert,
            "\tat com.shop.pay.PspClient.charge(PspClient.java:88)",
        )
        for i in range(60)
    ]
    insert_records(sc.out_dir / "pay.log", ["\n".join(rec) for rec in failures])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return analyze(sc.out_dir)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("alert", "summary", "action"),
    [
        (
            "javax.net.ssl.SSLHandshakeException: Received fatal alert: certificate_expired",
            "api.psp-gateway.example.com rejects the client certificate pay presents as expired (renew it)",
            "renew the client certificate pay presents to api.psp-gateway.example.com",
        ),
        (
            "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: "
            "java.security.cert.CertPathValidatorException: validity check failed; "
            "java.security.cert.CertificateExpiredException: NotAfter: Wed Oct 08 10:30:00 UTC 2025",
            "the certificate of api.psp-gateway.example.com has expired (its owners must renew it)",
            "ask the owners of api.psp-gateway.example.com to renew its expired certificate",
        ),
    ],
)
def test_an_expired_certificate_on_the_way_out_is_named_with_whose_it_is(tmp_path, alert, summary, action):
    """A partner's gateway refusing our client certificate (probe AY: "check the status of
    fps-gw..." sent the engineer to the partner, while our keystore had warned it would
    expire) is ours to renew; a provider's expired certificate is theirs."""
    report = _estate_with_certificate_failures(tmp_path, alert)
    inc = next(i for i in report.incidents if i.root_service == "pay")
    assert inc.cause is None
    assert summary in inc.summary
    assert "".join(text for text, _ in action_parts(inc)).startswith(action)


def _shop_with(path, inserts: dict[str, list[str]]):
    """The generated shop (a normal day) with ``inserts`` (file name -> text records) put
    into its logs, analysed."""
    sc = rcakit.generate_incident(path, fault="none", seed=5, hours=3)
    for name, records in inserts.items():
        insert_records(sc.out_dir / name, records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return analyze(sc.out_dir)


def _identity_errors(message: str, *, every: int, n: int) -> list[str]:
    """``n`` logback ERROR records of the shop's identity service, ``message`` and an order
    id, one every ``every`` seconds from 70 s after ONSET."""
    return [
        f"{ONSET + timedelta(seconds=70 + every * i):%Y-%m-%d %H:%M:%S}.{i % 1000:03d} ERROR [http-nio-8080-exec-3] "
        f"c.s.auth.web.RequestHandler [trace_id={i + 500:032x}] - {message} ord_{i:012x}"
        for i in range(n)
    ]


def _says_no_change(inc, root: str, *, summary: str, action: str) -> None:
    """``inc`` is rooted at ``root``, names no change, and its summary and suggested action
    say ``summary`` and start with ``action``."""
    assert inc.root_service == root
    assert inc.cause is None
    assert summary in inc.summary
    assert "".join(text for text, _ in action_parts(inc)).startswith(action)


def _incident_at_onset(report):
    """The report's incident that holds the minute after ONSET."""
    return next(i for i in report.incidents if i.start <= ONSET + timedelta(minutes=2) <= i.end)


@pytest.mark.slow
def test_an_expired_certificate_of_a_server_outside_the_logs_that_no_failure_names(tmp_path):
    """Probe BK s28: a label worker's uploads to its print partner failed with "PKIX path
    validation failed ... CertificateExpiredException", naming no host; the API waiting for
    those labels timed out a minute later and was made the root (a deploy of it 15 min
    before, the cause), the worker read as "reporting a failing dependency it does not
    name". A TLS client that calls no anomalous service is the nearest root: the server is
    outside the logs."""
    pay = [
        "\n".join((
            f"{ONSET + timedelta(seconds=15 * i):%Y-%m-%d %H:%M:%S},{i % 1000:03d} ERROR [payment.api] "
            f"[trace_id={i:032x}] - charge failed order=ord_{i:012x}, sending it to the retry queue",
            "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: "
            "java.security.cert.CertPathValidatorException: validity check failed",
            "\tat com.shop.pay.PspClient.charge(PspClient.java:88)",
            "Caused by: java.security.cert.CertificateExpiredException: NotAfter: Wed Oct 08 10:30:00 UTC 2025",
        ))
        for i in range(80)
    ]
    identity = _identity_errors("session upgrade failed: timed out after 10 s waiting for the receipt of order", every=15, n=76)
    inc = _incident_at_onset(_shop_with(tmp_path, {"pay.log": pay, "identity.log": identity}))
    _says_no_change(
        inc, "pay", summary="pay's TLS calls reject the server's certificate as expired",
        action="find the server whose certificate the TLS calls of pay",
    )


@pytest.mark.slow
def test_a_servers_expired_certificate_makes_it_the_root_though_it_logs_as_usual(tmp_path):
    """Probe BK s22: the driver backend's calls to the routing service failed with Go's
    "x509: certificate has expired" naming https://routing-service...; the routing service
    logged as usual (a server does not log the handshakes its clients abort), so the rule
    "a dependency that logs as usual: the failure is the caller's own" made the caller the
    root. The server presenting the expired certificate is the root."""
    catalog = [
        f"ts={ONSET + timedelta(seconds=20 * i):%Y-%m-%dT%H:%M:%S}.{i % 1000:03d}Z level=error service=catalog "
        f'caller=stock.go:41 trace_id={i + 900:032x} msg="stock lookup failed: Get \\"https://warehouse:8443/v1/stock/'
        f'SKU-{10000 + i}\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid"'
        for i in range(60)
    ]
    inc = _incident_at_onset(_shop_with(tmp_path, {"catalog.log": catalog}))
    _says_no_change(
        inc, "warehouse", summary="the TLS certificate of warehouse has expired and its callers reject it",
        action="renew the TLS certificate of warehouse",
    )


@pytest.mark.slow
def test_a_service_timing_out_waiting_for_anothers_work_reports_its_failure(tmp_path):
    """Probe BK s03: the label worker slowed (its consumer lagging after a deploy) and the
    API timed out a minute later "waiting for label of shipment ...": a wait for another
    party's work, naming no service. The API, with more errors, was made the root; a timed
    out wait for something another service makes reports that service's failure."""
    pay = [
        f"{ONSET + timedelta(seconds=30 * i):%Y-%m-%d %H:%M:%S},{i % 1000:03d} ERROR [payment.worker] "
        f"[trace_id={i + 300:032x}] - receipt batch {i} stalled: partition rebalance in progress, {i % 7 + 2} pending"
        for i in range(40)
    ]
    identity = _identity_errors("Timed out after 10 s waiting for receipt of order", every=6, n=190)
    inc = _incident_at_onset(_shop_with(tmp_path, {"pay.log": pay, "identity.log": identity}))
    assert inc.root_service == "pay"


def test_a_timed_out_wait_for_a_resource_of_its_own_is_no_report_of_another():
    from rcakit.correlate._services import reports_dependency_failure

    assert reports_dependency_failure('Timed out after 10 s waiting for label of shipment "shp_01"')
    assert reports_dependency_failure("timeout waiting for reply from the pricing engine")
    # (its own pool, lock or permit: its capacity, not another service's work)
    assert not reports_dependency_failure("Timed out waiting for a database connection from the pool")
    assert not reports_dependency_failure("timed out after 5000 ms waiting for the lock on order 17")
    assert not reports_dependency_failure("Timeout waiting for idle object")


@pytest.mark.slow
def test_a_version_in_the_failing_records_fields_ties_its_change(tmp_path):
    """Blind probe BN s21: after a firmware campaign (a change of devices, which log nothing
    here) every failing record of the ingest service carried `"fw":"3.8.0"` in its JSON
    fields; the version rule read only the failures' messages, so the campaign scored
    0.48 (s01, s11: just over the threshold) or lost to a deploy minutes before (s21)."""
    sc = rcakit.generate_incident(tmp_path, fault="none", seed=5, hours=3)
    failures = [
        f'{{"timestamp":"{ONSET + timedelta(seconds=10 * i):%Y-%m-%dT%H:%M:%S}.{i % 1000:03d}Z","severity":"ERROR",'
        f'"service":"warehouse","logger":"inventory.ingest","message":"failed to decode stock report",'
        f'"device":"scanner-{i % 40:03d}","fw":"3.8.0","trace_id":"{i + 700:032x}"}}'
        for i in range(120)
    ]
    insert_records(sc.out_dir / "warehouse.jsonl", failures)
    with (sc.out_dir / "deploys.csv").open("a") as f:
        f.write(f"{ONSET - timedelta(minutes=2):%Y-%m-%dT%H:%M:%SZ},,3.8.0,fwc-38,deploy,handheld scanner firmware 3.8.0 staged rollout\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = analyze(sc.out_dir)
    inc = _incident_at_onset(report)
    assert inc.root_service == "warehouse"
    fw = next(s for s in inc.suspects if s.change.id == "fwc-38")
    assert any("the incident's failures carry its version 3.8.0" in e.text for e in fw.evidence)
    assert inc.cause == "fwc-38"
