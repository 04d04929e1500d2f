"""Envoy / Istio sidecar access logs (``rcakit.ingest._envoy``, format ``envoy``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcakit
from rcakit.ingest import _access, _envoy
from rcakit.ingest._text import TEXT

from ._ingest_helpers import OPTS, attrs, parse_lines

ENVOY = (
    '[2024-03-01T10:00:01.123Z] "GET /api/pay HTTP/1.1" 503 UF 0 91 30 - "10.0.0.1" "curl/7.68.0" '
    '"f1c2e3d4-aaaa-bbbb-cccc-111122223333" "payments:8080" "10.0.0.2:8080"\n'
    '[2024-03-01T10:00:02.123Z] "POST /api/order HTTP/1.1" 200 - 120 45 12 11 "10.0.0.1" "okhttp/4.9" '
    '"f1c2e3d4-aaaa-bbbb-cccc-111122223334" "orders:8080" "10.0.0.3:8080"\n'
)
ISTIO = (
    '[2024-03-01T10:00:03.123Z] "GET /api/pay?x=1 HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" '
    '"curl/7.68.0" "abc" "payments.shop:8080" "-" outbound|8080||payments.shop.svc.cluster.local - '
    "10.96.0.12:8080 10.0.0.1:50000 - default\n"
    '[2024-03-01T10:00:04.123Z] "- - -" 0 UF,URX - - "-" 0 0 1001 - "-" "-" "-" "-" "10.0.0.9:5432" '
    "outbound|5432||db.shop.svc.cluster.local - 10.96.0.5:5432 10.0.0.1:50001 - -\n"
    '[2024-03-01T10:00:05.123Z] "GET /health HTTP/1.1" 200 - via_upstream - "-" 0 2 1 1 "-" "kube-probe/1.27" '
    '"def" "10.0.0.1:8080" "127.0.0.1:8080" inbound|8080|| 127.0.0.1:40000 10.0.0.1:8080 10.0.0.254:50000 - default\n'
)


def test_envoy_default_format():
    rows = parse_lines(_envoy.FORMAT, ENVOY, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("ERROR", "GET /api/pay 503 UF"), ("INFO", "POST /api/order 200")]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC)
    a = attrs(rows[0])
    assert (a["status"], a["response_flags"], a["response_time_ms"], a["authority"]) == (503, "UF", 30, "payments:8080")
    assert "upstream_service_time_ms" not in a  # "-"
    assert attrs(rows[1])["upstream_service_time_ms"] == 11


def test_istio_format_and_tcp_lines():
    rows = parse_lines(_envoy.FORMAT, ISTIO, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("ERROR", "GET /api/pay 503 UH"),
        ("ERROR", "TCP db.shop.svc.cluster.local UF,URX"),
        ("INFO", "GET /health 200"),
    ]
    a = attrs(rows[0])
    assert (a["query"], a["response_code_details"], a["upstream_cluster"]) == (
        "x=1", "no_healthy_upstream", "outbound|8080||payments.shop.svc.cluster.local",
    )
    assert all(r["parse_error"] is None for r in rows)


def test_detection_and_other_formats_leave_it_alone(tmp_path):
    path = tmp_path / "istio-proxy.log"
    path.write_text(ENVOY + ISTIO)
    assert rcakit.detect_format(path) == "envoy"
    lines = (ENVOY + ISTIO).splitlines()
    assert _envoy.FORMAT.sniff(lines) == 1.0
    assert _envoy.FORMAT.sniff(lines) > TEXT.sniff(lines)
    assert _access.FORMAT.sniff(lines) == 0.0
    access = ['10.0.0.1 - - [01/Mar/2024:10:00:01 +0000] "GET / HTTP/1.1" 200 12']
    assert _envoy.FORMAT.sniff(access) == 0.0


def test_bad_line_is_kept():
    rows = parse_lines(_envoy.FORMAT, ENVOY + "[not] an envoy line\n", OPTS).to_dicts()
    assert rows[-1]["body"] == "[not] an envoy line"
    assert "Envoy" in rows[-1]["parse_error"]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([*ENVOY.splitlines(), *ISTIO.splitlines(), "", "garbage", '[x] "y" 1'])))
def test_every_line_is_accounted_for(lines):
    parse_lines(_envoy.FORMAT, "\n".join(lines), OPTS)


@pytest.mark.parametrize("columns", [("timestamp", "severity_text", "body"), ("body", "attributes", "line_no")])
def test_projected_read_equals_full_read(tmp_path, columns):
    path = tmp_path / "proxy.log"
    path.write_text(ENVOY + ISTIO)
    full = rcakit.read_logs(path)
    part = rcakit.read_logs(path, columns=list(columns))
    assert part.columns == list(columns)
    for c in part.columns:
        assert part[c].equals(full[c]), c
