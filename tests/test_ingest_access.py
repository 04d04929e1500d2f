"""Apache / Nginx access-log parsing (``rcakit.ingest._access``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcakit.ingest import _access, _cri, _csv_export, _jsonl, _logfmt, read_logs
from rcakit.ingest._base import ParseOptions

from ._ingest_helpers import attrs, parse_lines

OPTS = ParseOptions(tz="UTC", year=2024)


def parse(text: str) -> pl.DataFrame:
    return parse_lines(_access.FORMAT, text, OPTS)


ACCESS = "\n".join(
    [
        # Apache common
        '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
        # nginx combined + $request_time + $upstream_response_time, IPv6 client
        '2001:db8:85a3::8a2e:370:7334 - - [05/Mar/2024:14:03:12 +0000] "POST /api/pay?order=981&retry=1 HTTP/1.1" 502 157 "https://shop.example.com/checkout" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36" 0.532 0.530',
        # Apache vhost_combined + %D (microseconds)
        'shop.example.com:443 10.0.0.5 - - [05/Mar/2024:14:03:13 +0000] "GET /api/cart/123 HTTP/2.0" 404 57 "-" "curl/8.5.0" 1532',
        # "-" request, "-" bytes, escaped quotes in the user agent
        '10.1.1.1 - - [05/Mar/2024:14:03:14 +0000] "-" 408 - "-" "Go \\"probe\\" 1.0"',
        # TLS handshake bytes sent to a plain-HTTP port, nginx key=value timings
        '10.1.1.2 - - [05/Mar/2024:14:03:15 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01" 400 157 "-" "-" rt=0.000 uct="-" uht="-" urt="-"',
        '192.168.1.20 - admin [05/Mar/2024:14:03:16 +0000] "DELETE /api/users/42 HTTP/1.1" 204 0 "-" "python-requests/2.31" request_time=0.012 upstream_response_time=0.010 "203.0.113.9"',
    ]
)


def test_fields_map_to_record_and_attributes():
    rows = parse(ACCESS + "\n").to_dicts()
    assert [r["body"] for r in rows] == [
        "GET /apache_pb.gif 200",
        "POST /api/pay 502",
        "GET /api/cart/123 404",
        "- 408",
        "\\x16\\x03\\x01\\x02\\x00\\x01 400",
        "DELETE /api/users/42 204",
    ]
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN", "WARN", "WARN", "INFO"]
    assert [r["severity_number"] for r in rows] == [9, 17, 13, 13, 13, 9]
    assert rows[0]["timestamp"] == datetime(2000, 10, 10, 20, 55, 36, tzinfo=UTC)
    assert all(r["parse_error"] is None for r in rows)
    assert attrs(rows[0]) == {
        "client": "127.0.0.1", "user": "frank", "method": "GET", "path": "/apache_pb.gif",
        "protocol": "HTTP/1.0", "status": 200, "bytes": 2326,
    }
    a1 = attrs(rows[1])
    assert a1["client"] == "2001:db8:85a3::8a2e:370:7334"
    assert a1["query"] == "order=981&retry=1"
    assert a1["referer"] == "https://shop.example.com/checkout"
    assert a1["user_agent"].startswith("Mozilla/5.0 (X11")
    assert a1["response_time_ms"] == pytest.approx(532.0)
    a2 = attrs(rows[2])
    assert a2["vhost"] == "shop.example.com:443"
    assert a2["client"] == "10.0.0.5"
    assert a2["response_time_ms"] == pytest.approx(1.532)  # %D microseconds
    assert "referer" not in a2  # "-" is no value
    a3 = attrs(rows[3])
    assert "bytes" not in a3
    assert "method" not in a3
    assert a3["user_agent"] == 'Go "probe" 1.0'
    assert attrs(rows[4])["response_time_ms"] == 0.0
    a5 = attrs(rows[5])
    assert a5["user"] == "admin"
    assert a5["response_time_ms"] == pytest.approx(12.0)
    assert a5["upstream_response_time_ms"] == pytest.approx(10.0)
    assert a5["extra"] == "203.0.113.9"


def test_client_field_holding_an_x_forwarded_for_list(tmp_path):
    """Apache's ``LogFormat "%{X-Forwarded-For}i %l %u %t ..."`` (probe AI): the client field
    is the header's list; its first address is the client, the list is kept as
    ``forwarded_for`` (it was a parse error with three addresses, and with two the proxy
    was the client and the first address a vhost with a comma)."""
    text = (
        '203.0.113.7 - - [05/Mar/2024:10:00:00 +0000] "GET /shop/ HTTP/1.1" 200 157 "-" "Mozilla/5.0 (X11; Linux x86_64)" 5012\n'
        '203.0.113.17, 10.0.0.2 - - [05/Mar/2024:10:00:01 +0000] "GET /shop/cart HTTP/1.1" 200 157 "-" "Mozilla/5.0 (X11; Linux x86_64)" 5012\n'
        '203.0.113.9, 198.51.100.7, 10.0.0.2 - - [05/Mar/2024:10:00:31 +0000] "POST /shop/checkout HTTP/1.1" 500 157 "-" "Mozilla/5.0" 5012\n'
        'unknown, 10.0.0.2 - - [05/Mar/2024:10:00:32 +0000] "GET /shop/cart HTTP/1.1" 200 157 "-" "Mozilla/5.0" 5012\n'
        'shop.example.com:443 203.0.113.5, 10.0.0.2 - - [05/Mar/2024:10:00:33 +0000] "GET /shop/ HTTP/2.0" 200 157 "-" "curl/8.5.0" 5012\n'
    )
    rows = parse(text).to_dicts()
    assert [r["parse_error"] for r in rows] == [None] * 5
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows][2] == (
        datetime(2024, 3, 5, 10, 0, 31, tzinfo=UTC), "ERROR", "POST /shop/checkout 500"
    )
    got = [(attrs(r).get("vhost"), attrs(r).get("client"), attrs(r).get("forwarded_for")) for r in rows]
    assert got == [
        (None, "203.0.113.7", None),
        (None, "203.0.113.17", "203.0.113.17, 10.0.0.2"),
        (None, "203.0.113.9", "203.0.113.9, 198.51.100.7, 10.0.0.2"),
        (None, "unknown", "unknown, 10.0.0.2"),
        ("shop.example.com:443", "203.0.113.5", "203.0.113.5, 10.0.0.2"),
    ]
    # a file of such lines is detected as an access log
    path = tmp_path / "shop-xff_access.log"
    path.write_text("".join(line + "\n" for line in text.splitlines()[2:3] * 4))
    assert read_logs(path)["format"].to_list() == ["access"] * 4


def test_the_ingress_nginx_controllers_default_log_format(tmp_path):
    """ingress-nginx writes ``$request_length $request_time [$proxy_upstream_name]
    [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
    $upstream_response_time $upstream_status $req_id`` after the user agent (probe BE): the
    first bare number is the request's length, not a time (635 bytes had been read as 635 µs,
    so latencies followed the requests' sizes); the request time is the next one, the
    upstream's time the first of its list (a retried request lists each attempt), and the
    upstream, the Kubernetes service called, is kept."""
    text = (
        '2026-03-10T14:00:44.394967609Z stdout F 80.148.199.21 - - [10/Mar/2026:14:00:44 +0000] "GET /api/v1/rides/rd_WDWamercFt/eta HTTP/2.0" 200 233 "-" "RideCo/7.13.2 (Android 13; SM-G991B; okhttp/4.11.0)" 635 0.083 [prod-eta-8080] [] 10.244.7.90:8080 233 0.082 200 3fbed176262354d93198a6ced8bf950a\n'
        '2026-03-10T14:00:45.000000000Z stdout F 80.148.199.22 - - [10/Mar/2026:14:00:45 +0000] "POST /api/v1/orders HTTP/1.1" 200 90 "-" "curl/8.4.0" 512 1.204 [prod-orders-8080] [] 10.244.1.5:8080, 10.244.1.6:8080 0, 90 1.001, 0.200 502, 200 7d0a9c7ea8b5b2f4e8f0c0d1a2b3c4d5\n'
        '2026-03-10T14:00:46.000000000Z stdout F 10.0.0.1 - - [10/Mar/2026:14:00:46 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.29" 120 0.000 [] [] - - - - 0b6f6c1d2e3f4a5b6c7d8e9f0a1b2c3d\n'
    )
    path = tmp_path / "ingress-nginx-controller-4kwbh6zwh8-8m9kg.log"
    path.write_text(text)
    rows = read_logs(path).to_dicts()
    assert [r["parse_error"] for r in rows] == [None] * 3
    assert rows[0]["body"] == "GET /api/v1/rides/rd_WDWamercFt/eta 200"
    got = [
        (attrs(r).get("response_time_ms"), attrs(r).get("upstream_response_time_ms"), attrs(r).get("upstream"))
        for r in rows
    ]
    assert got[0] == (83.0, 82.0, "prod-eta-8080")
    assert got[1][0] == 1204.0
    assert got[1][1] == pytest.approx(1001.0)
    assert got[1][2] == "prod-orders-8080"
    assert got[2] == (0.0, None, None)
    # plain nginx with $request_time after the user agent is read as before
    plain = parse('10.0.0.9 - - [05/Mar/2024:14:03:12 +0000] "GET /x HTTP/1.1" 200 5 "-" "curl/8" 0.532 0.530\n')
    assert attrs(plain.row(0, named=True)).get("response_time_ms") == 532.0


def test_status_is_queryable_as_a_number():
    out = parse(ACCESS)
    errors = out.filter(pl.col("attributes").str.json_path_match("$.status").cast(pl.Int64) >= 500)
    assert errors["line_no"].to_list() == [2]


def test_garbage_and_blank_lines_are_kept():
    text = "\n".join(
        [
            "",
            '10.0.0.1 - - [05/Mar/2024:14:03:12 +0000] "GET / HTTP/1.1" 200 5',
            "",
            '2024/03/05 14:03:13 [error] 1234#0: *5 connect() failed (111: Connection refused) while connecting to upstream',
            '10.0.0.1 - - [05/Mar/2024:14:03:14 +0000] "GET / HTTP/1.1" 200 5',
        ]
    )
    rows = parse(text).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 1), (2, 2), (4, 1), (5, 1)]
    assert rows[0]["parse_error"] == "blank line before the first record"
    # nginx's error log line between the requests is read as one (see the mixed-file test)
    # (its "1234#0: *5" prefix, pid#tid and connection, goes to the attributes as in nginx's error log)
    assert rows[2]["body"].startswith("connect() failed")
    assert (rows[2]["severity_text"], rows[2]["parse_error"]) == ("ERROR", None)
    junk = parse('10.0.0.1 - - [05/Mar/2024:14:03:12 +0000] "GET / HTTP/1.1" 200 5\n\x00\x01 garbage').to_dicts()
    assert "access-log" in junk[1]["parse_error"]


def test_sniff_recognises_access_logs_and_rejects_others():
    lines = ACCESS.splitlines()
    assert _access.FORMAT.sniff(lines) == 1.0
    for other in (_jsonl.FORMAT, _jsonl.DOCKER_FORMAT, _logfmt.FORMAT, _cri.FORMAT, _csv_export.FORMAT):
        assert other.sniff(lines) == 0.0, other.name
    others = [
        "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
        "Jan  2 03:04:05 web-1 nginx[123]: 10.0.0.1 GET /",
        '{"remote_addr":"10.0.0.1","request":"GET / HTTP/1.1","status":200}',
        "2024-01-02 03:04:05,123 INFO [main] c.x.Y - GET /api 200",
        '2024/03/05 14:03:13 [error] 1234#0: *5 connect() failed while connecting to upstream',
    ]
    assert _access.FORMAT.sniff(others) == 0.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(ACCESS.splitlines()),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=40),
        ),
        max_size=20,
    )
)
def test_every_line_is_accounted_for_on_random_input(lines):
    out = parse("\n".join(lines))
    errors = dict(zip(out["line_no"].to_list(), out["parse_error"].to_list(), strict=True))
    good = set(ACCESS.splitlines())
    for i, line in enumerate(lines, 1):
        if line in good:
            assert errors[i] is None
        elif line.strip() and not _access._COMPILED.match(line):
            assert errors[i] is not None


def test_end_to_end_through_read_logs(tmp_path):
    import rcakit
    from rcakit.ingest import FORMATS

    if "access" not in FORMATS:
        pytest.skip("format 'access' not registered in rcakit.ingest.FORMATS yet")
    path = tmp_path / "frontend.access.log"
    path.write_text(ACCESS + "\n")
    assert rcakit.detect_format(path) == "access"
    out = rcakit.read_logs(path)
    assert out["service"].unique().to_list() == ["frontend"]
    assert out["n_lines"].sum() == 6


def test_access_lines_mixed_into_an_application_log(tmp_path):
    """gunicorn with its access log on stdout, the ingress-nginx controller (klog, nginx
    error and access lines): each line read by its own layout, in line order; the
    application's traceback stays whole and the request after it is a record of its own."""
    path = tmp_path / "gunicorn.log"
    path.write_text(
        "[2024-03-01 10:00:00 +0000] [1] [INFO] Starting gunicorn 21.2.0\n"
        '10.0.1.12 - - [01/Mar/2024:10:00:05 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.28"\n'
        "[2024-03-01 10:00:07 +0000] [8] [ERROR] Error handling request /api/orders\n"
        "Traceback (most recent call last):\n"
        '  File "/app/shop/orders.py", line 88, in create_order\n'
        "psycopg2.OperationalError: server closed the connection unexpectedly\n"
        '10.0.1.21 - - [01/Mar/2024:10:00:07 +0000] "POST /api/orders HTTP/1.1" 500 141 "-" "Mozilla/5.0"\n'
        "[2024-03-01 10:00:40 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:9)\n"
    )
    rows = read_logs(path).to_dicts()
    assert [(r["severity_text"], r["body"].split("\n")[0], r["n_lines"]) for r in rows] == [
        ("INFO", "Starting gunicorn 21.2.0", 1),
        ("INFO", "GET /health 200", 1),
        ("ERROR", "Error handling request /api/orders", 4),
        ("ERROR", "POST /api/orders 500", 1),
        ("FATAL", "WORKER TIMEOUT (pid:9)", 1),
    ]
    assert all(r["timestamp"] is not None and r["parse_error"] is None for r in rows)
    ingress = tmp_path / "ingress-nginx-controller.log"
    ingress.write_text(
        '203.0.113.8 - - [01/Mar/2024:10:00:05 +0000] "GET /api/orders HTTP/2.0" 200 512 "-" "curl/8.0" 36 0.012\n'
        '203.0.113.9 - - [01/Mar/2024:10:00:06 +0000] "POST /api/orders HTTP/2.0" 502 150 "-" "Mozilla/5.0" 312 0.003\n'
        "2024/03/01 10:00:06 [error] 31#31: *1234 connect() failed (111: Connection refused) while connecting to upstream\n"
        '203.0.113.9 - - [01/Mar/2024:10:00:07 +0000] "POST /api/orders HTTP/2.0" 503 190 "-" "Mozilla/5.0" 312 0.000\n'
        'E0301 10:00:08.100000       7 controller.go:1102] Error obtaining Endpoints for Service "shop/checkout"\n'
    )
    rows = read_logs(ingress, year=2024).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "ERROR", "ERROR", "ERROR"]
    assert [r["line_no"] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[2]["body"].startswith("connect() failed")  # (pid#tid and connection: attributes)
    assert all(r["parse_error"] is None for r in rows)


def test_a_gateways_json_access_log_is_the_gateways_and_names_its_upstream(tmp_path):
    # Kong's file-log plugin: "service" is the object of the service the request was proxied
    # to (name, host, port, protocol), not the writer: the records are the gateway's (its
    # folder names it) and the service proxied to is kept as the upstream
    def kong(i: int, upstream: str, status: int) -> str:
        return json.dumps({
            "request": {"method": "GET", "uri": f"/{upstream}/v1/x/{i}", "size": 400},
            "response": {"status": status, "size": 120},
            "upstream_uri": f"/v1/x/{i}",
            "service": {"name": upstream, "host": f"{upstream}.shop.svc", "port": 8080, "protocol": "http"},
            "route": {"name": f"{upstream}-route"},
            "latencies": {"kong": 1, "proxy": 20, "request": 22},
            "started_at": 1709632800123 + i * 1000,
        })

    (tmp_path / "kong").mkdir()
    (tmp_path / "kong" / "file-log.json").write_text(
        "\n".join(kong(i, "billing-api" if i % 2 else "orders-api", 502 if i == 3 else 200) for i in range(6)) + "\n"
    )
    (tmp_path / "orders").mkdir()
    (tmp_path / "orders" / "app.log").write_text("2024-03-05 10:00:00,123 INFO [main] c.x.Y - ok\n")
    frame = read_logs(tmp_path).filter(pl.col("source").str.contains("kong"))
    assert frame["service"].unique().to_list() == ["kong"]
    ups = [json.loads(a)["upstream"] for a in frame["attributes"]]
    assert ups == ["orders-api", "billing-api"] * 3
    failed = frame.row(3, named=True)
    assert (failed["severity_text"], failed["body"]) == ("ERROR", "GET /billing-api/v1/x/3 502")
    # the writer's own service object (ECS, OpenTelemetry: no host, port or protocol) still
    # names the record's service, request or not
    ecs = tmp_path / "ecs.json"
    ecs.write_text(json.dumps({
        "@timestamp": "2024-03-05T10:00:00Z", "service": {"name": "checkout", "version": "1.2"},
        "http": {"request": {"method": "GET"}, "response": {"status_code": 200}}, "url": {"path": "/cart"},
    }) + "\n")
    assert read_logs(ecs)["service"].to_list() == ["checkout"]
