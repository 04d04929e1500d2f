"""Layouts a blind probe (probe AI) found read as ``raw``: stamps with a comma between the date
and the time, compact and year-first stamps, year-less stamps without a syslog host; IIS
files without a ``date`` field; epoch seconds under a JSON key naming a time; stack traces
in a file read as ``raw``."""

from __future__ import annotations

from datetime import UTC, datetime

from rcakit.ingest import read_logs


def _read(tmp_path, name: str, lines: list[str], **kw):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_logs(path, year=2024, **kw)


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def test_comma_between_date_and_time(tmp_path):
    """JavaScript's toLocaleString ("03/05/2024, 10:00:31 AM": NestJS' ConsoleLogger) and Open
    Liberty's "[3/5/24, 10:00:31:123 UTC]" put a comma after the date; the files were raw."""
    nest = _read(tmp_path, "orders-nest.log", [
        "[Nest] 4321  - 03/05/2024, 10:00:00 AM     LOG [NestFactory] Starting Nest application... +0ms",
        "[Nest] 4321  - 03/05/2024, 10:00:01 AM     LOG [RoutesResolver] OrdersController {/api/orders}: +2ms",
        "[Nest] 4321  - 03/05/2024, 10:00:31 AM   ERROR [ExceptionsHandler] charge failed: upstream 504 +5012ms",
        "Error: charge failed: upstream 504",
        "    at PaymentService.charge (/app/dist/payment/payment.service.js:41:19)",
        "    at async OrdersController.create (/app/dist/orders/orders.controller.js:28:9)",
        "[Nest] 4321  - 03/05/2024, 01:15:00 PM    WARN [PaymentService] retry budget low +2ms",
        "[Nest] 4321  - 03/05/2024, 01:15:01 PM VERBOSE [CartService] cache hit cart:8812 +2ms",
    ])
    assert nest["format"][0] == "text"
    rows = nest.to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (_at(2024, 3, 5, 10, 0, 0), "INFO", 1),
        (_at(2024, 3, 5, 10, 0, 1), "INFO", 1),
        (_at(2024, 3, 5, 10, 0, 31), "ERROR", 4),
        (_at(2024, 3, 5, 13, 15, 0), "WARN", 1),
        (_at(2024, 3, 5, 13, 15, 1), "TRACE", 1),
    ]
    assert rows[2]["body"].startswith("charge failed: upstream 504 +5012ms\nError: charge failed")
    assert '"logger":"ExceptionsHandler"' in rows[2]["attributes"]

    liberty = _read(tmp_path, "messages.log", [
        "[3/5/24, 10:00:00:000 UTC] 0000002a com.ibm.ws.app.manager.AppMessageHelper      A CWWKZ0001I: Application shop started.",
        "[3/5/24, 10:00:31:123 UTC] 00000045 com.ibm.ws.webcontainer.servlet              E SRVE0777E: Exception thrown",
        "java.lang.IllegalStateException: payment gateway timeout",
        "\tat com.shop.web.PayServlet.doPost(PayServlet.java:88)",
        "[3/5/24, 10:00:32:500 UTC] 0000004b com.ibm.ws.rsadapter.impl.WSManagedConnectionFactoryImpl W DSRA8020E: Warning",
    ])
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in liberty.to_dicts()] == [
        (_at(2024, 3, 5, 10, 0, 0), "INFO", 1),
        (_at(2024, 3, 5, 10, 0, 31, 123000), "ERROR", 3),
        (_at(2024, 3, 5, 10, 0, 32, 500000), "WARN", 1),
    ]

    bare = _read(tmp_path, "us.log", [
        "03/05/2024, 10:00:31 AM ERROR charge failed",
        "03/05/2024, 10:00:32 AM WARN retry",
        "03/05/2024, 1:00:33 PM INFO ok",
    ])
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in bare.to_dicts()] == [
        (_at(2024, 3, 5, 10, 0, 31), "ERROR", "charge failed"),
        (_at(2024, 3, 5, 10, 0, 32), "WARN", "retry"),
        (_at(2024, 3, 5, 13, 0, 33), "INFO", "ok"),
    ]


def test_month_name_day_comma_twelve_hour_clock_without_year(tmp_path):
    """Netlify's function log, as copied from its console: "Mar 5, 10:00:31 AM: <request> ..."."""
    frame = _read(tmp_path, "pay-fn.log", [
        "Mar 5, 10:00:00 AM: 1e2f3a00 INFO   cart loaded items=0",
        "Mar 5, 10:00:31 AM: 9a8b7c6d ERROR  charge failed: upstream 504",
        "Mar 5, 10:00:33 PM: 9a8b7c6d Duration: 5012.34 ms\tMemory Usage: 81 MB",
    ])
    assert frame["format"][0] == "text"
    assert frame["timestamp"].to_list() == [_at(2024, 3, 5, 10, 0, 0), _at(2024, 3, 5, 10, 0, 31), _at(2024, 3, 5, 22, 0, 33)]


def test_compact_and_year_first_stamps(tmp_path):
    """MariaDB's audit log (yyyyMMdd HH:mm:ss and comma-separated fields), Chromium's
    [pid:tid:MMdd/HHmmss.micro:LEVEL:file(line)] and TIBCO BusinessWorks' "2024 Mar 05
    10:00:31:123 GMT +1" were read as raw."""
    audit = _read(tmp_path, "server_audit.log", [
        "20240305 10:00:00,db01,shop_app,10.0.4.17,1200,88000,QUERY,shop,'SELECT * FROM orders WHERE id=0',0",
        "20240305 10:00:31,db01,shop_app,10.0.4.17,1234,88123,QUERY,shop,'UPDATE orders SET status=1 WHERE id=8812',1205",
        "20240305 10:00:32,db01,root,203.0.113.9,1240,0,FAILED_CONNECT,,,1045",
    ])
    assert audit["format"][0] == "text"
    assert audit["timestamp"].to_list() == [_at(2024, 3, 5, 10, 0, 0), _at(2024, 3, 5, 10, 0, 31), _at(2024, 3, 5, 10, 0, 32)]
    assert audit["body"][2] == "db01,root,203.0.113.9,1240,0,FAILED_CONNECT,,,1045"

    chrome = _read(tmp_path, "chrome_debug.log", [
        '[4321:1234:0305/100000.000000:INFO:CONSOLE(12)] "cart 0 loaded", source: https://app.example.com/main.js (12)',
        "[4321:1260:0305/100031.123456:ERROR:ssl_client_socket_impl.cc(983)] handshake failed; returned -1",
        "[4330:1:20240305/100033.000000:FATAL:gpu_data_manager_impl_private.cc(448)] GPU process isn't usable. Goodbye.",
    ])
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in chrome.to_dicts()] == [
        (_at(2024, 3, 5, 10, 0, 0), "INFO", '"cart 0 loaded", source: https://app.example.com/main.js (12)'),
        (_at(2024, 3, 5, 10, 0, 31, 123456), "ERROR", "handshake failed; returned -1"),
        (_at(2024, 3, 5, 10, 0, 33), "FATAL", "GPU process isn't usable. Goodbye."),
    ]

    tibco = _read(tmp_path, "OrdersApp-Process_Archive.log", [
        "2024 Mar 05 10:00:00:000 GMT +1 BW.OrdersApp-Process_Archive Info [BW-User] BW-EXT-LOG-100000 Job-1000 Order 0 accepted",
        "2024 Mar 05 10:00:31:123 GMT +1 BW.OrdersApp-Process_Archive Error [BW-User] BW-HTTP-100118 Job-12345 Connection refused",
        "2024 Mar 05 10:00:32:000 GMT +1 BW.OrdersApp-Process_Archive Warn [BW-User] BW-JMS-100005 Job-12346 JMS server reconnecting",
    ])
    assert [(r["timestamp"], r["severity_text"]) for r in tibco.to_dicts()] == [
        (_at(2024, 3, 5, 9, 0, 0), "INFO"),
        (_at(2024, 3, 5, 9, 0, 31, 123000), "ERROR"),
        (_at(2024, 3, 5, 9, 0, 32), "WARN"),
    ]
    assert tibco["body"][1] == "BW-HTTP-100118 Job-12345 Connection refused"


def test_yearless_stamp_without_syslog_host(tmp_path):
    """yum.log and strongSwan's charon.log start with a syslog stamp and no host and tag (they
    were raw); "Mar 05 10:00:31 ERROR msg" was syslog from a host called ERROR."""
    yum = _read(tmp_path, "yum.log", [
        "Mar 05 10:00:00 Installed: libfoo0-1.0-0.el7.x86_64",
        "Mar 05 10:00:31 Updated: 1:openssl-libs-1.0.2k-26.el7_9.x86_64",
    ])
    assert yum["format"][0] == "text"
    assert [(r["timestamp"], r["body"]) for r in yum.to_dicts()] == [
        (_at(2024, 3, 5, 10, 0, 0), "Installed: libfoo0-1.0-0.el7.x86_64"),
        (_at(2024, 3, 5, 10, 0, 31), "Updated: 1:openssl-libs-1.0.2k-26.el7_9.x86_64"),
    ]
    charon = _read(tmp_path, "charon.log", [
        "Mar  5 10:00:18 00[NET] <site-b|18> sending packet: from 198.51.100.1[500] to 203.0.113.18[500] (236 bytes)",
        "Mar  5 10:00:31 12[IKE] <site-b|3> received AUTHENTICATION_FAILED notify error",
    ])
    assert charon["timestamp"].to_list() == [_at(2024, 3, 5, 10, 0, 18), _at(2024, 3, 5, 10, 0, 31)]
    app = _read(tmp_path, "app.log", [
        "Mar 05 10:00:31 ERROR charge failed",
        "Mar 05 10:00:32 WARN retry",
    ])
    assert app["format"][0] == "text"
    assert [(r["severity_text"], r["body"]) for r in app.to_dicts()] == [("ERROR", "charge failed"), ("WARN", "retry")]
    # a syslog file with a stack trace under one of its lines stays syslog
    syslog = _read(tmp_path, "messages", [
        "Mar  5 10:00:01 web1 shop[412]: order 12 placed",
        "Mar  5 10:00:02 web1 shop[412]: charge failed",
        "java.lang.IllegalStateException: gateway timeout",
        "\tat com.shop.Pay.charge(Pay.java:41)",
        "\tat com.shop.Orders.place(Orders.java:88)",
        "Mar  5 10:00:03 web1 sshd[77]: Accepted publickey for deploy",
    ])
    assert syslog["format"][0] == "syslog"
    assert syslog["service"].to_list() == ["shop", "shop", "sshd"]


def test_raw_file_keeps_stack_traces_together(tmp_path):
    """A file no format recognises was one record per line, its stack traces split frame by
    frame; now a trace's lines join the line above them (Java's exception line and frames,
    Python's traceback, Node's frames under their "Error: ..." line), and nothing else does.
    ``format="raw"`` still keeps one record per line."""
    lines = [
        "5012 [pool-2-thread-1] ERROR com.shop.batch.Exporter  - export of batch 77 failed",
        "java.io.IOException: No space left on device",
        "\tat java.io.FileOutputStream.writeBytes(Native Method)",
        "\tat com.shop.batch.Exporter.write(Exporter.java:142)",
        "Caused by: java.lang.IllegalStateException: disk full",
        "\t... 3 more",
        "5020 [pool-2-thread-1] WARN  com.shop.batch.Exporter  - retrying batch 77 in 30s",
        "GET /api/orders/17 200 20.1712 ms - 157",
        "Error: charge failed: upstream 504",
        "    at charge (/app/src/pay.js:41:11)",
        "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "POST /api/pay 500 5012.345 ms - 35",
        "worker 3 crashed",
        "Traceback (most recent call last):",
        '  File "/app/worker.py", line 12, in run',
        "    charge(order)",
        "ValueError: amount must be positive",
        "config:",
        "  retries: 3",
        "NullPointerException seen 3 times today",
    ]
    frame = _read(tmp_path, "batch.txt", lines)
    assert frame["format"][0] == "raw"
    assert [(r["line_no"], r["n_lines"]) for r in frame.to_dicts()] == [
        (1, 6), (7, 1), (8, 1), (9, 3), (12, 1), (13, 5), (18, 1), (19, 1), (20, 1),
    ]
    assert frame["body"][0] == "\n".join(lines[:6])
    assert frame["parse_error"].null_count() == frame.height
    strict = read_logs(tmp_path / "batch.txt", format="raw")
    assert strict.height == len(lines)


def test_w3c_without_date_field_takes_the_date_directive(tmp_path):
    """IIS with only "time" ticked of the date and time fields: the rows had no timestamp; the
    W3C format dates them by the #Date directive above them (a day later past midnight)."""
    frame = _read(tmp_path, "u_ex240305.log", [
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Date: 2024-03-05 23:59:00",
        "#Fields: time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status sc-substatus sc-win32-status time-taken",
        "23:59:58 10.0.0.5 GET /health - 443 10.0.9.0 200 0 0 3",
        "00:00:31 10.0.0.5 POST /api/pay - 443 203.0.113.9 500 0 0 5012",
        "#Software: Microsoft Internet Information Services 10.0",
        "#Version: 1.0",
        "#Date: 2024-03-07 08:00:00",
        "#Fields: time s-ip cs-method cs-uri-stem cs-uri-query s-port c-ip sc-status sc-substatus sc-win32-status time-taken",
        "08:00:01 10.0.0.5 GET /api/orders id=8812 443 203.0.113.9 404 0 2 15",
    ])
    assert frame["format"][0] == "w3c"
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in frame.to_dicts()] == [
        (_at(2024, 3, 5, 23, 59, 58), "INFO", "GET /health 200"),
        (_at(2024, 3, 6, 0, 0, 31), "ERROR", "POST /api/pay 500"),
        (_at(2024, 3, 7, 8, 0, 1), "WARN", "GET /api/orders 404"),
    ]


def test_epoch_under_a_key_naming_a_time_in_epoch_units(tmp_path):
    """Akamai DataStream 2 writes its request time as "reqTimeSec": epoch seconds, a string or
    a number; the records had no timestamp. A key naming a time in epoch units is one when its
    values are epoch seconds or milliseconds of this century; a duration is not."""
    lines = [
        '{"cp": "123456", "reqTimeSec": "1709632831.123", "statusCode": "503", "turnAroundTimeMSec": "5012"}',
        '{"cp": "123456", "reqTimeSec": 1709632832.5, "statusCode": "404", "turnAroundTimeMSec": "15"}',
    ]
    frame = _read(tmp_path, "ak-datastream.json", lines)
    assert frame["format"][0] == "jsonl"
    assert frame["timestamp"].to_list() == [_at(2024, 3, 5, 10, 0, 31, 123000), _at(2024, 3, 5, 10, 0, 32, 500000)]
    millis = _read(tmp_path, "jobs.json", ['{"startTimeMillis": 1709632831123, "job": "export"}'])
    assert millis["timestamp"].to_list() == [_at(2024, 3, 5, 10, 0, 31, 123000)]
    # a duration, or a number that is no epoch time of this century, is no time
    for record in ('{"transferTimeMSec": "1709632831", "job": "x"}', '{"timeSec": "5012", "job": "x"}'):
        assert _read(tmp_path, "t.json", [record])["timestamp"].to_list() == [None]


def test_log4j_ttcc_layout_milliseconds_since_start(tmp_path):
    """log4j 1.x's TTCCLayout ("%r [%t] %-5p %c %x - %m", BasicConfigurator's) starts with the
    milliseconds since start, no time: the file was raw. Its level, logger and thread are read,
    the record has no time, the stack trace joins its record."""
    frame = _read(tmp_path, "batch.log", [
        "120 [main] INFO  com.shop.batch.Loader  - loaded chunk 0",
        "5012 [pool-2-thread-1] ERROR com.shop.batch.Exporter  - export of batch 77 failed",
        "java.io.IOException: No space left on device",
        "\tat java.io.FileOutputStream.writeBytes(Native Method)",
        "5020 [pool-2-thread-1] WARN  com.shop.batch.Exporter job-77 - retrying batch 77 in 30s",
        "5031 [main] FATAL com.shop.batch.Main  - giving up after 3 attempts",
    ])
    assert frame["format"][0] == "text"
    assert [(r["severity_text"], r["body"].split("\n")[0], r["n_lines"]) for r in frame.to_dicts()] == [
        ("INFO", "loaded chunk 0", 1),
        ("ERROR", "export of batch 77 failed", 3),
        ("WARN", "retrying batch 77 in 30s", 1),
        ("FATAL", "giving up after 3 attempts", 1),
    ]
    assert frame["timestamp"].null_count() == 4
    assert '"logger":"com.shop.batch.Exporter"' in frame["attributes"][1]
