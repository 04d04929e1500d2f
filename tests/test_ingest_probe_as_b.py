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
