"""Findings of a blind probe (probe AS) and an incident probe (AQ) on JSON and application
layouts: Serilog's compact JSON (CLEF) without a rendered message and its JsonFormatter,
Serilog's trace ids and ``Application`` property."""

from __future__ import annotations

import pytest
from tests._reading import attrs, read_lines

from rcakit.errors import RcakitWarning


def test_serilog_clef_template_rendered(tmp_path):
    """CLEF without ``@m``: the body is ``@mt`` with each hole filled by the record's property
    as written (``{Name}``, ``{Name:format}``, ``{@Name}``, ``{$Name}``, ``{Name,10}``); a
    hole without its property stays, ``{{``/``}}`` are braces; the template is an attribute."""
    lines = [
        '{"@t": "2026-12-15T07:13:04.3101940Z", "@mt": "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms", "RequestMethod": "POST", "RequestPath": "/api/appointments", "StatusCode": 500, "Elapsed": 31.3004, "SourceContext": "Serilog.AspNetCore.RequestLoggingMiddleware", "Application": "PatientPortal.Api"}',
        '{"@t": "2026-12-15T07:13:05.0000000Z", "@mt": "Scheduler call {Method} {Path} failed with {StatusCode}", "@l": "Error", "Method": "POST", "Path": "/slots", "StatusCode": 503, "Application": "PatientPortal.Api"}',
        '{"@t": "2026-12-15T07:13:06.0000000Z", "@mt": "User {@User} on {$Host,10} sent {{raw}} {Missing}", "@l": "Warning", "User": "alice", "Host": "web-1$0"}',
        '{"@t": "2026-12-15T07:13:07.0000000Z", "@m": "already rendered", "@mt": "already {What}", "What": "x"}',
    ]
    frame = read_lines(tmp_path, "portal.json", lines)
    rows = frame.to_dicts()
    assert [r["body"] for r in rows] == [
        "HTTP POST /api/appointments responded 500 in 31.3004 ms",
        "Scheduler call POST /slots failed with 503",
        "User alice on web-1$0 sent {raw} {Missing}",
        "already rendered",
    ]
    assert attrs(rows[1])["message_template"] == "Scheduler call {Method} {Path} failed with {StatusCode}"
    assert rows[1]["severity_text"] == "ERROR"
    # the Application enricher names the service when no service key is there
    assert rows[0]["service"] == "PatientPortal.Api"
    assert rows[2]["service"] == "portal"


def test_serilog_trace_ids(tmp_path):
    """CLEF's ``@tr`` and the ``TraceId`` property (top level since Serilog 3.1) fill trace_id."""
    lines = [
        '{"@t": "2026-11-30T10:00:07.6234567Z", "@mt": "Stock low for {Sku}: {Left} left", "@l": "Warning", "Sku": "SKU-1", "Left": 2, "TraceId": "4bf92f3577b34da6a3ce929d0e0e4703", "SpanId": "00f067aa0ba902b7"}',
        '{"@t": "2026-11-30T10:00:08.6234567Z", "@mt": "Stock ok for {Sku}", "Sku": "SKU-2", "@tr": "4bf92f3577b34da6a3ce929d0e0e4704", "@sp": "00f067aa0ba902b7"}',
    ]
    frame = read_lines(tmp_path, "inventory.json", lines)
    assert frame["trace_id"].to_list() == ["4bf92f3577b34da6a3ce929d0e0e4703", "4bf92f3577b34da6a3ce929d0e0e4704"]
    assert frame["body"].to_list() == ["Stock low for SKU-1: 2 left", "Stock ok for SKU-2"]


def test_serilog_json_formatter(tmp_path):
    """Serilog's JsonFormatter: the body is ``RenderedMessage`` (else the template rendered
    from ``Properties``), the properties are the record's keys (``TraceId`` the trace,
    ``SourceContext`` the logger, ``Application`` the service)."""
    lines = [
        '{"Timestamp": "2026-11-30T11:00:02.3234570+01:00", "Level": "Warning", "MessageTemplate": "Price for {Sku} is {Price}", "RenderedMessage": "Price for \\"SKU-2\\" is 12", "Properties": {"Sku": "SKU-2", "Price": 12, "SourceContext": "Pricing.Engine", "TraceId": "0af7651916cd43dd8448eb211c803192", "SpanId": "b7ad6b7169203331"}}',
        '{"Timestamp": "2026-11-30T11:00:03.0000000+01:00", "Level": "Error", "MessageTemplate": "Price for {Sku} is {Price}", "Properties": {"Sku": "SKU-3", "Price": 13, "Application": "Pricing"}}',
    ]
    frame = read_lines(tmp_path, "pricing.log", lines)
    rows = frame.to_dicts()
    assert [r["body"] for r in rows] == ['Price for "SKU-2" is 12', "Price for SKU-3 is 13"]
    assert rows[0]["trace_id"] == "0af7651916cd43dd8448eb211c803192"
    assert [r["severity_text"] for r in rows] == ["WARN", "ERROR"]
    assert attrs(rows[0])["logger"] == "Pricing.Engine"
    assert attrs(rows[0])["message_template"] == "Price for {Sku} is {Price}"
    assert [r["service"] for r in rows] == ["pricing", "Pricing"]


def test_containerlogv2_pod_named_after_its_container(tmp_path):
    """Azure's ContainerLogV2 export: a pod name whose suffix is no Kubernetes hash but which
    starts with the row's container name gives that name (a real hash still gives the
    workload)."""
    lines = [
        '"TimeGenerated [UTC]",Computer,ContainerId,ContainerName,PodName,PodNamespace,LogMessage,LogSource,Type',
        '"11/30/2026, 10:00:01.123 AM",aks-nodepool1-12345-vmss000000,0a1b2c3d4e5f,orders,orders-6d5f7c8b9-abcde,shop,"GET /health 200",stdout,ContainerLogV2',
        '"11/30/2026, 1:00:01.123 PM",aks-nodepool1-12345-vmss000000,0a1b2c3d4e5f,orders,orders-6d5f7c8b9-abcde,shop,"ERROR payment declined for order 4712",stderr,ContainerLogV2',
        '"11/30/2026, 1:00:02.123 PM",aks-nodepool1-12345-vmss000000,1a1b2c3d4e5f,app,cart-7d4b9c8f6d-x2q4z,shop,"cart saved",stdout,ContainerLogV2',
    ]
    frame = read_lines(tmp_path, "law.csv", lines)
    assert frame["service"].to_list() == ["orders", "orders", "cart"]
    assert frame["severity_text"][1] == "ERROR"


def test_pino_pretty_name_is_the_service(tmp_path):
    """pino-pretty's ``(checkout/17 on host)``: pino's ``name`` is the application's, the
    service (as in pino's JSON lines); also its short form ``[10:00:00.123] INFO (checkout/1234):``."""
    lines = [
        "[2026-11-30 10:00:00.000 +0000] INFO (checkout/17 on checkout-5c7d9-abcde): request completed",
        '    reqId: "req-0"',
        "[2026-11-30 10:00:06.030 +0000] ERROR (checkout/17 on checkout-5c7d9-abcde): payment provider error",
    ]
    frame = read_lines(tmp_path, "web-pretty.log", lines)
    assert frame["service"].to_list() == ["checkout", "checkout"]
    assert frame["body"][1] == "payment provider error"
    short = ["[10:00:00.123] INFO (cart/1234): cart saved", "[10:00:01.500] WARN (cart/1234): cart slow"]
    with pytest.warns(RcakitWarning, match="times of day"):
        frame = read_lines(tmp_path, "web-short.log", short)
    assert frame["service"].to_list() == ["cart", "cart"]
    assert frame["severity_text"].to_list() == ["INFO", "WARN"]
    assert frame["body"].to_list() == ["cart saved", "cart slow"]


def test_zap_console_fields_are_attributes(tmp_path):
    """zap's development console encoder: the JSON fields after the message's tab are
    attributes, the message ends before them, the stack trace below stays in the body."""
    lines = [
        '2026-11-30T10:00:00.000Z\tINFO\tproxy/handler.go:88\trequest served\t{"path": "/api/orders", "status": 200, "latency": "12.3ms"}',
        '2026-11-30T10:00:02.250Z\tERROR\tproxy/handler.go:91\tupstream request failed\t{"path": "/api/orders", "status": 502, "latency": "12.3ms"}',
        "github.com/acme/gateway/proxy.(*Handler).ServeHTTP",
        "\t/src/proxy/handler.go:91",
        "2026-11-30T10:00:03.000Z\tINFO\tpayments.db\tdb/pool.go:77\tpool warmed",
    ]
    frame = read_lines(tmp_path, "gateway.log", lines)
    rows = frame.to_dicts()
    assert [r["body"] for r in rows] == [
        "request served",
        "upstream request failed\ngithub.com/acme/gateway/proxy.(*Handler).ServeHTTP\n\t/src/proxy/handler.go:91",
        "pool warmed",
    ]
    assert attrs(rows[1]) == {"code": "proxy/handler.go:91", "path": "/api/orders", "status": "502", "latency": "12.3ms"}
    assert attrs(rows[2]) == {"logger": "payments.db", "code": "db/pool.go:77"}


def test_request_status_in_app_logs(tmp_path):
    """A request line inside an app's own log gives ``method``, ``path`` and ``status``
    attributes as the access reader does: uvicorn, Django's runserver, Heroku's router,
    Squid's native access log (whose lines have no level: the status's)."""
    uvicorn = [
        "INFO:     Started server process [1]",
        'INFO:     10.0.0.5:52344 - "GET /health HTTP/1.1" 200 OK',
        'INFO:     10.0.0.5:52350 - "GET /orders/7?full=1 HTTP/1.1" 500 Internal Server Error',
    ]
    rows = read_lines(tmp_path, "api.log", uvicorn).to_dicts()
    assert "status" not in attrs(rows[0])
    assert attrs(rows[2]) == {"method": "GET", "path": "/orders/7", "status": 500}
    assert rows[2]["body"] == '10.0.0.5:52350 - "GET /orders/7?full=1 HTTP/1.1" 500 Internal Server Error'
    django = [
        "[30/Nov/2026 10:00:01] \"GET /api/products/ HTTP/1.1\" 200 5120",
        "[30/Nov/2026 10:00:04] \"POST /api/orders/ HTTP/1.1\" 500 145",
    ]
    rows = read_lines(tmp_path, "django.log", django).to_dicts()
    assert [attrs(r)["status"] for r in rows] == [200, 500]
    assert attrs(rows[1])["method"] == "POST"
    heroku = [
        '2026-11-30T10:00:00.123456+00:00 heroku[router]: at=info method=GET path="/api/products" host=shop.herokuapp.com fwd="203.0.113.5" dyno=web.1 connect=0ms service=45ms status=200 bytes=1024 protocol=https',
        "2026-11-30T10:00:01.023456+00:00 app[web.1]: Started GET \"/api/products\" for 203.0.113.5",
        '2026-11-30T10:00:01.923456+00:00 heroku[router]: at=error code=H12 desc="Request timeout" method=POST path="/api/checkout" host=shop.herokuapp.com dyno=web.2 connect=1ms service=30000ms status=503 bytes=0 protocol=https',
    ]
    rows = read_lines(tmp_path, "heroku.log", heroku).to_dicts()
    assert attrs(rows[0])["status"] == 200
    assert "status" not in attrs(rows[1])
    assert {k: attrs(rows[2])[k] for k in ("method", "path", "status", "code")} == {
        "method": "POST", "path": "/api/checkout", "status": 503, "code": "H12"}
    assert rows[2]["severity_text"] == "ERROR"
    squid = [
        "1796032800.000    120 10.0.0.5 TCP_MISS/200 2048 GET http://repo.example.com/pkg/0.tgz - HIER_DIRECT/203.0.113.0 application/octet-stream",
        "1796032802.222    122 10.0.0.7 TCP_DENIED/403 2050 GET http://repo.example.com/pkg/2.tgz - HIER_DIRECT/203.0.113.2 text/html",
        "1796032803.333  30001 10.0.0.8 TCP_MISS/503 0 CONNECT pay.example.com:443 - HIER_NONE/- -",
    ]
    rows = read_lines(tmp_path, "access.log", squid).to_dicts()
    assert [attrs(r)["status"] for r in rows] == [200, 403, 503]
    assert attrs(rows[1])["path"] == "/pkg/2.tgz"
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "ERROR"]
