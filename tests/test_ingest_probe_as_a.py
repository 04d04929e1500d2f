"""Findings of a blind probe (probe AS): WebLogic's long zone names, ..."""

from __future__ import annotations

from datetime import UTC, datetime

from tests._reading import attrs, read_lines


def test_weblogic_long_zone_names(tmp_path):
    """WebLogic writes Java's long zone name after its stamp ("Coordinated Universal Time",
    "Central European Summer Time"): read as that zone's offset; the abbreviations still
    read as before."""
    tail = "<wls01.shop.local> <AdminServer> <[ACTIVE] ExecuteThread: '5'> <<WLS Kernel>> <> <> <1796032840456> <[severity-value: 8] > <BEA-101020> <Servlet failed>"
    frame = read_lines(tmp_path, "AdminServer.log", [
        f"####<Nov 30, 2026 10:00:40,456 AM Coordinated Universal Time> <Error> <HTTP> {tail}",
        f"####<Jul 30, 2026 12:00:41,456 PM Central European Summer Time> <Warning> <HTTP> {tail}",
        f"####<Nov 30, 2026 5:00:42,456 AM Eastern Standard Time> <Error> <HTTP> {tail}",
        f"####<Nov 30, 2026 11:00:43,456 AM CET> <Error> <HTTP> {tail}",
    ])
    assert frame["timestamp"].to_list() == [
        datetime(2026, 11, 30, 10, 0, 40, 456000, tzinfo=UTC),
        datetime(2026, 7, 30, 10, 0, 41, 456000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 42, 456000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 43, 456000, tzinfo=UTC),
    ]
    assert frame["severity_text"].to_list() == ["ERROR", "WARN", "ERROR", "ERROR"]
    assert frame["body"].to_list()[0] == "Servlet failed"


def test_aws_logs_tail_platform_lines_keep_their_text(tmp_path):
    """``aws logs tail`` of a Lambda function: the platform's START/END/REPORT lines keep
    their whole text as the body (END's was empty), as in the runtime's own log."""
    stream = "2026/11/30/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    rid = "8f0c3a1e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
    frame = read_lines(tmp_path, "orders-tail.log", [
        f"2026-11-30T10:00:00.100000+00:00 {stream} START RequestId: {rid} Version: $LATEST",
        f"2026-11-30T10:00:00.250000+00:00 {stream} 2026-11-30T10:00:00.250Z\t{rid}\tINFO\tprocessing order 4711",
        f"2026-11-30T10:00:00.600000+00:00 {stream} END RequestId: {rid}",
        f"2026-11-30T10:00:00.600000+00:00 {stream} REPORT RequestId: {rid}\tDuration: 2.34 ms\tBilled Duration: 3 ms",
    ])
    assert frame["body"].to_list() == [
        f"START RequestId: {rid} Version: $LATEST",
        "processing order 4711",
        f"END RequestId: {rid}",
        f"REPORT RequestId: {rid}\tDuration: 2.34 ms\tBilled Duration: 3 ms",
    ]
    assert frame["severity_text"].to_list()[1] == "INFO"


def test_tomcat_localised_months_with_a_dot(tmp_path):
    """Tomcat's OneLineFormatter on a JVM in another language (Java 11+'s CLDR month
    abbreviations): Spanish ``30-nov.-2026``, French ``janv.``, German ``März``, Dutch
    ``mrt.``, Portuguese ``fev.``: the stamp and the localised level are read (the file was
    read as raw, with no time and no level)."""
    logger = "org.apache.catalina.core.StandardContext.startInternal"
    frame = read_lines(tmp_path, "catalina-es.2026-11-30.log", [
        f"30-nov.-2026 10:00:00.500 INFORMACIÓN [main] {logger} Iniciando ProtocolHandler",
        f"30-nov.-2026 10:00:02.500 ADVERTENCIA [main] {logger} La aplicación web [shop] parece haber iniciado un hilo",
        f"30-nov.-2026 10:00:04.500 GRAVE [main] {logger} Excepción al despachar el evento de contexto",
        f"01-dic.-2026 00:00:01.000 INFORMACIÓN [main] {logger} Arranque del servidor",
    ])
    assert frame["format"].to_list() == ["text"] * 4
    assert frame["timestamp"].to_list() == [
        datetime(2026, 11, 30, 10, 0, 0, 500000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 2, 500000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 4, 500000, tzinfo=UTC),
        datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC),
    ]
    assert frame["severity_text"].to_list() == ["INFO", "WARN", "ERROR", "INFO"]
    assert frame["body"].to_list()[2] == "Excepción al despachar el evento de contexto"
    for stamp, expected in [
        ("30-janv.-2026", datetime(2026, 1, 30, 10, 0, 4, 500000, tzinfo=UTC)),
        ("05-März-2026", datetime(2026, 3, 5, 10, 0, 4, 500000, tzinfo=UTC)),
        ("05-mrt.-2026", datetime(2026, 3, 5, 10, 0, 4, 500000, tzinfo=UTC)),
        ("05-fev.-2026", datetime(2026, 2, 5, 10, 0, 4, 500000, tzinfo=UTC)),
        ("05-sept.-2026", datetime(2026, 9, 5, 10, 0, 4, 500000, tzinfo=UTC)),
    ]:
        other = read_lines(tmp_path, "catalina.log", [
            f"{stamp} 10:00:04.500 GRAVE [main] {logger} msg",
            f"{stamp} 10:00:04.500 GRAVE [main] {logger} msg",
        ])
        assert other["timestamp"].to_list() == [expected] * 2, stamp
        assert other["severity_text"].to_list() == ["ERROR"] * 2, stamp


def test_haproxy_accept_date_keeps_milliseconds(tmp_path):
    """HAProxy's HTTP log through rsyslog: the accept date in brackets is the record's time,
    to the millisecond (the syslog head's second was used)."""
    frame = read_lines(tmp_path, "haproxy.log", [
        'Nov 30 10:00:04 lb01 haproxy[2231]: 10.0.0.7:52123 [30/Nov/2026:10:00:04.123] www~ api/srv1 '
        '0/0/1/14/15 503 1236 - - SC-- 12/12/3/1/0 0/0 "GET /api/orders/2 HTTP/1.1"',
        'Nov 30 10:00:06 lb01 haproxy[2231]: 10.0.0.8:53123 [30/Nov/2026:10:00:05.987] www~ api/srv2 '
        '0/0/1/900/901 200 1237 - - ---- 12/12/3/1/0 0/0 "GET /api/orders/3 HTTP/1.1"',
    ])
    # (in the year the syslog head is dated in, 2024 here, as the file's other lines are)
    assert frame["timestamp"].to_list() == [
        datetime(2024, 11, 30, 10, 0, 4, 123000, tzinfo=UTC),
        datetime(2024, 11, 30, 10, 0, 5, 987000, tzinfo=UTC),
    ]
    assert frame["body"].to_list() == ["GET /api/orders/2 503", "GET /api/orders/3 200"]
    assert frame["severity_text"].to_list() == ["ERROR", "INFO"]


def test_traefik_start_utc_keeps_microseconds(tmp_path):
    """Traefik's JSON access log: ``StartUTC`` (the request's start, to the microsecond) is
    the record's time, not the whole-second ``time`` the logger adds."""
    frame = read_lines(tmp_path, "traefik-access.json", [
        '{"ClientHost": "10.0.0.2", "DownstreamStatus": 502, "Duration": 12345678, "RequestMethod": "POST", '
        '"RequestPath": "/api/cart/2", "RequestProtocol": "HTTP/2.0", "ServiceName": "shop-api-80@kubernetescrd", '
        '"StartUTC": "2026-11-30T10:00:01.723456Z", "level": "info", "msg": "", "time": "2026-11-30T10:00:01Z"}',
        '{"ClientHost": "10.0.0.3", "DownstreamStatus": 200, "Duration": 2345678, "RequestMethod": "GET", '
        '"RequestPath": "/api/cart/3", "RequestProtocol": "HTTP/2.0", "ServiceName": "shop-api-80@kubernetescrd", '
        '"StartUTC": "2026-11-30T10:00:01.923456Z", "level": "info", "msg": "", "time": "2026-11-30T10:00:02Z"}',
    ])
    assert frame["timestamp"].to_list() == [
        datetime(2026, 11, 30, 10, 0, 1, 723456, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 1, 923456, tzinfo=UTC),
    ]
    assert frame["body"].to_list() == ["POST /api/cart/2 502", "GET /api/cart/3 200"]
    assert frame["severity_text"].to_list() == ["ERROR", "INFO"]


def test_winston_simple_format_meta(tmp_path):
    """winston's ``format.combine(timestamp(), simple())``: the info object's other keys are
    JSON after the message; its ``timestamp`` is the time, its ``service`` (``defaultMeta``)
    the service, the message alone the body, the other keys attributes (the time was null,
    the JSON kept in the body)."""
    frame = read_lines(tmp_path, "notifier-winston.log", [
        'info: Email queued {"service":"notifier","timestamp":"2026-11-30T10:00:00.000Z"}',
        'warn: SMTP slow response {"service":"notifier","timestamp":"2026-11-30T10:00:19.000Z"}',
        'error: Failed to send email to user 42 {"service":"notifier","timestamp":"2026-11-30T10:00:28.500Z","code":"ETIMEDOUT"}',
        'http: POST /notify 202 14ms {"service":"notifier","timestamp":"2026-11-30T10:00:38.000Z"}',
    ])
    rows = frame.to_dicts()
    assert [r["timestamp"] for r in rows] == [
        datetime(2026, 11, 30, 10, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 19, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 28, 500000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 38, tzinfo=UTC),
    ]
    assert [r["body"] for r in rows] == [
        "Email queued", "SMTP slow response", "Failed to send email to user 42", "POST /notify 202 14ms",
    ]
    assert [r["service"] for r in rows] == ["notifier"] * 4
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "ERROR", "INFO"]
    assert attrs(rows[2]) == {"code": "ETIMEDOUT"}
    # (an object without those keys after a level-first message stays in it)
    plain = read_lines(tmp_path, "worker.log", ['ERROR: payload rejected {"order":4711}', 'INFO: done {"n":2}'])
    assert plain["body"].to_list() == ['payload rejected {"order":4711}', 'done {"n":2}']


def test_papertrail_archive_tsv(tmp_path):
    """Papertrail's daily archive (headerless TSV: id, generated_at, received_at, source id,
    source name, source IP, facility, severity, program, message): the time is generated_at,
    the severity its column, the program the service, the message the body (the event id
    was read as epoch milliseconds and the row kept whole)."""
    frame = read_lines(tmp_path, "papertrail-archive.tsv", [
        "1500000000000\t2026-11-30T10:00:00Z\t2026-11-30T10:00:01Z\t12345\tshop-prod\t203.0.113.9\tLocal7\tInfo\tapp/web.1\tStarted GET /",
        "1500000000003\t2026-11-30T10:00:06Z\t2026-11-30T10:00:07Z\t12345\tshop-prod\t203.0.113.9\tLocal7\tError\tapp/web.2\t"
        "PG::ConnectionBad: could not connect to server",
        "50342052\t2011-02-10 00:19:36 -0800\t2011-02-10 00:19:36 -0800\t42424\tmysystem\t208.122.34.202\tUser\tWarning\t"
        "testprogram\tLorem ipsum dolor sit amet",
    ])
    rows = frame.to_dicts()
    assert [r["timestamp"] for r in rows] == [
        datetime(2026, 11, 30, 10, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 6, tzinfo=UTC),
        datetime(2011, 2, 10, 8, 19, 36, tzinfo=UTC),
    ]
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN"]
    # (a Heroku dyno's program, "app/web.2", is its process type: its dynos are one workload)
    assert [r["service"] for r in rows] == ["web", "web", "testprogram"]
    assert [r["body"] for r in rows] == [
        "Started GET /", "PG::ConnectionBad: could not connect to server", "Lorem ipsum dolor sit amet",
    ]
    assert attrs(rows[0])["mdc"] == "shop-prod"
