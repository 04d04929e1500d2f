"""Application log layouts from common logging libraries and platforms: log4j2's JSON layout,
Serilog's compact JSON, structlog's console renderer, AWS Lambda runtime lines, Celery."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

from rcakit.ingest import _jsonl, read_logs
from rcakit.ingest._text import TEXT

from ._ingest_helpers import OPTS, attrs, parse_lines


def test_log4j2_json_layout():
    lines = [
        {"instant": {"epochSecond": 1709287201, "nanoOfSecond": 123456000}, "thread": "main", "level": "ERROR",
         "loggerName": "com.x.Pay", "message": "payment declined", "endOfBatch": False, "threadId": 1},
        {"timeMillis": 1709287202500, "thread": "main", "level": "INFO", "loggerName": "com.x.Pay", "message": "ok"},
    ]
    rows = parse_lines(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines), OPTS).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows] == [
        (datetime(2024, 3, 1, 10, 0, 1, 123456, tzinfo=UTC), "ERROR", "payment declined"),
        (datetime(2024, 3, 1, 10, 0, 2, 500000, tzinfo=UTC), "INFO", "ok"),
    ]
    assert attrs(rows[0])["logger"] == "com.x.Pay"
    assert "instant.epochSecond" not in attrs(rows[0])


def test_log4j2_thrown_and_context_map_bunyan_name_gelf_and_winston_levels():
    """What each JSON logger calls its exception, trace id, service and levels (found by a
    blind probe: log4j2's "thrown" was dropped, bunyan's "name" ignored, GELF's
    short_message lost under full_message, winston's http/silly levels null)."""
    thrown = {
        "name": "java.sql.SQLTransientConnectionException", "message": "Connection is not available",
        "extendedStackTrace": [
            {"class": "com.zaxxer.hikari.pool.HikariPool", "method": "createTimeoutException", "file": "HikariPool.java", "line": 696},
            {"class": "com.shop.OrderRepository", "method": "save", "file": "OrderRepository.java", "line": 57},
        ],
    }
    lines = [
        {"timeMillis": 1709287202500, "level": "ERROR", "loggerName": "com.shop.OrderRepository",
         "message": "could not save order 42", "thrown": thrown, "contextMap": {"traceId": "4bf92f3577b34da6a3ce929d0e0e4736"}},
    ]
    row = parse_lines(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines), OPTS).to_dicts()[0]
    assert row["body"] == (
        "could not save order 42\njava.sql.SQLTransientConnectionException: Connection is not available\n"
        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
        "\tat com.shop.OrderRepository.save(OrderRepository.java:57)"
    )
    assert row["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    bunyan = {"name": "orders-svc", "hostname": "orders-7d9c", "pid": 1, "level": 40, "msg": "slow", "time": "2024-11-29T10:00:02Z", "v": 0}
    row = parse_lines(_jsonl.FORMAT, json.dumps(bunyan) + "\n", OPTS).to_dicts()[0]
    assert (row["service"], row["severity_text"]) == ("orders-svc", "WARN")
    gelf = {"version": "1.1", "host": "api-01", "short_message": "NullPointerException in OrderService", "timestamp": 1732874402.5,
            "level": 3, "full_message": "java.lang.NullPointerException: null\n\tat com.shop.OrderService.place(OrderService.java:77)"}
    row = parse_lines(_jsonl.FORMAT, json.dumps(gelf) + "\n", OPTS).to_dicts()[0]
    assert row["body"].split("\n") == [
        "NullPointerException in OrderService", "java.lang.NullPointerException: null", "\tat com.shop.OrderService.place(OrderService.java:77)",
    ]
    winston = [{"level": lvl, "message": "m", "timestamp": "2024-11-29T10:00:02Z"} for lvl in ("http", "silly", "verbose")]
    rows = parse_lines(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in winston), OPTS).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "TRACE", "DEBUG"]


def test_serilog_compact_json():
    lines = [
        {"@t": "2024-03-01T10:00:01.1234567Z", "@mt": "Payment {OrderId} declined", "@l": "Error",
         "@x": "System.InvalidOperationException: boom", "OrderId": 123, "SourceContext": "Shop.Payments"},
        {"@t": "2024-03-01T10:00:02Z", "@mt": "Charge ok for {OrderId}", "OrderId": 124},  # no @l: Information
        {"@t": "2024-03-01T10:00:03Z", "@m": "Cache warmed in 12 ms", "@mt": "Cache warmed in {Ms} ms", "@l": "Debug"},
    ]
    rows = parse_lines(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines), OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("ERROR", "Payment 123 declined\nSystem.InvalidOperationException: boom"),  # @x: the exception
        ("INFO", "Charge ok for 124"),  # the template rendered with the record's properties
        ("DEBUG", "Cache warmed in 12 ms"),  # the rendered message when there is one
    ]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123456, tzinfo=UTC)
    assert attrs(rows[0])["logger"] == "Shop.Payments"
    assert "@x" not in attrs(rows[0])
    # a .NET exception's text has Windows line ends: the body's lines do not keep the "\r"
    crlf = {"@t": "2024-03-01T10:00:04Z", "@mt": "Order {OrderId} failed", "@l": "Error", "OrderId": 7,
            "@x": "System.NullReferenceException: Object reference not set to an instance of an object.\r\n"
                  "   at Shop.Orders.Place(Order o) in C:\\src\\Orders.cs:line 42\r\n"}
    row = parse_lines(_jsonl.FORMAT, json.dumps(crlf) + "\n", OPTS).to_dicts()[0]
    assert row["body"].split("\n") == [
        "Order 7 failed",
        "System.NullReferenceException: Object reference not set to an instance of an object.",
        "   at Shop.Orders.Place(Order o) in C:\\src\\Orders.cs:line 42",
    ]


def test_structlog_console_padded_level():
    text = (
        "2024-03-01 10:00:01 [error    ] payment declined               order=123\n"
        "2024-03-01 10:00:02 [info     ] charge ok                      order=124\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [r["severity_text"] for r in rows] == ["ERROR", "INFO"]
    assert rows[0]["body"].split() == ["payment", "declined", "order=123"]


LAMBDA = (
    "START RequestId: 8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a Version: $LATEST\n"
    "2024-03-01T10:00:01.123Z\t8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tERROR\tpayment declined for order 123\n"
    "2024-03-01T10:00:01.200Z\t8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tINFO\tretrying\n"
    # Node.js' unhandled error: a tab inside the message, and a level word in it
    '2024-03-01T10:00:01.300Z\t8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tERROR\tInvoke Error \t{"errorType":"TypeError"}\n'
    "END RequestId: 8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\n"
    "REPORT RequestId: 8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tDuration: 102.11 ms\tBilled Duration: 103 ms\n"
)


def test_aws_lambda_runtime_lines(tmp_path):
    path = tmp_path / "checkout-fn.log"
    path.write_text(LAMBDA)
    rows = read_logs(path).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows][1:3] == [
        ("ERROR", "payment declined for order 123"),
        ("INFO", "retrying"),
    ]
    assert attrs(rows[1])["thread"] == "8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a"
    # the request id ends at its tab (it once ran on into "ERROR\tInvoke" and the level
    # came from "Error" in the message)
    assert (rows[3]["severity_text"], rows[3]["body"]) == ("ERROR", 'Invoke Error \t{"errorType":"TypeError"}')
    assert attrs(rows[3])["thread"] == "8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a"
    assert [attrs(r).get("logger") for r in rows] == ["START", None, None, None, "END", "REPORT"]
    assert all(r["parse_error"] is None for r in rows)
    # `aws logs tail` prefixes each event with its stamp and log stream
    stream = "2024/11/29/[$LATEST]5d2f0a1b9c8e4f7a"
    tail = tmp_path / "orders-tail.txt"
    tail.write_text(
        "".join(f"2024-03-01T10:00:0{i}.000000+00:00 {stream} {line}\n" for i, line in enumerate(LAMBDA.splitlines()))
        + f"2024-03-01T10:00:09.000000+00:00 {stream} [ERROR] Runtime.ImportModuleError: No module named 'requests'\n"
    )
    got = read_logs(tail).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in got][1:3] == [("ERROR", "payment declined for order 123"), ("INFO", "retrying")]
    assert attrs(got[1])["mdc"] == stream
    assert attrs(got[0])["logger"] == "START"
    assert (got[-1]["severity_text"], got[-1]["body"]) == ("ERROR", "Runtime.ImportModuleError: No module named 'requests'")


def test_aws_lambda_lines_inside_a_cloudwatch_export():
    events = [
        {"timestamp": 1709287201123, "message": "2024-03-01T10:00:01.123Z\t8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tERROR\tpayment declined\n"},
        {"timestamp": 1709287201200, "message": "2024-03-01T10:00:01.200Z\t8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tno level in this line\n"},
    ]
    rows = parse_lines(_jsonl.FORMAT, "".join(json.dumps(e) + "\n" for e in events), OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("ERROR", "payment declined"),
        # the request id is only head before a level: kept in the message otherwise
        (None, "8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a\tno level in this line"),
    ]


def test_celery_worker_lines():
    text = (
        "[2024-03-01 10:00:01,123: INFO/MainProcess] Task tasks.send_mail[4f1c] succeeded in 0.01s: None\n"
        "[2024-03-01 10:00:02,456: ERROR/ForkPoolWorker-2] Task tasks.charge[9a7b] raised unexpected: TimeoutError()\n"
        "Traceback (most recent call last):\n"
        '  File "/app/tasks.py", line 12, in charge\n'
        "TimeoutError\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"].splitlines()[0], r["n_lines"]) for r in rows] == [
        ("INFO", "Task tasks.send_mail[4f1c] succeeded in 0.01s: None", 1),
        ("ERROR", "Task tasks.charge[9a7b] raised unexpected: TimeoutError()", 4),
    ]
    assert attrs(rows[1])["thread"] == "ForkPoolWorker-2"
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 10, 0, 2, 456000, tzinfo=UTC)


def test_tomcat_catalina_out():
    text = (
        "01-Mar-2024 10:00:01.123 SEVERE [main] org.apache.catalina.startup.Catalina.start Server startup failed\n"
        "01-Mar-2024 10:00:02.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [1234] milliseconds\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("ERROR", "Server startup failed"),
        ("INFO", "Server startup in [1234] milliseconds"),
    ]
    assert attrs(rows[0]) == {"logger": "org.apache.catalina.startup.Catalina.start", "thread": "main"}
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC)


def test_mongodb_before_4_4():
    text = (
        "2024-03-01T10:00:01.123+0000 I NETWORK  [conn123] end connection 10.0.0.1:5000 (3 connections now open)\n"
        "2024-03-01T10:00:02.123+0000 E QUERY    [conn124] Error: socket exception\n"
        "2024-03-01T10:00:03.123+0000 W -        [main] server is running without access control\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("INFO", "end connection 10.0.0.1:5000 (3 connections now open)"),
        ("ERROR", "Error: socket exception"),
        ("WARN", "server is running without access control"),
    ]
    assert attrs(rows[0]) == {"logger": "NETWORK", "thread": "conn123"}


def test_mysql_error_log():
    # 8.0: thread id, priority, error code, subsystem; System and Note are informational
    mysql8 = (
        "2024-03-01T10:00:01.123456Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.0.35'\n"
        "2024-03-01T10:00:02.123456Z 12 [Warning] [MY-010055] [Server] IP address '10.0.0.5' could not be resolved\n"
        "2024-03-01T10:00:03.123456Z 15 [ERROR] [MY-012592] [InnoDB] Operating system error number 28 in a file operation.\n"
        "2024-03-01T10:00:04.123456Z 0 [Note] [MY-011953] [InnoDB] Page cleaner took 4375ms to flush 121 pages\n"
    )
    rows = parse_lines(TEXT, mysql8, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("INFO", "/usr/sbin/mysqld: ready for connections. Version: '8.0.35'"),
        ("WARN", "IP address '10.0.0.5' could not be resolved"),
        ("ERROR", "Operating system error number 28 in a file operation."),
        ("INFO", "Page cleaner took 4375ms to flush 121 pages"),
    ]
    assert attrs(rows[2]) == {"logger": "InnoDB", "thread": "15", "code": "MY-012592"}
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123456, tzinfo=UTC)
    # 5.7: no code or subsystem
    mysql57 = (
        "2024-03-01T10:00:01.123456Z 0 [Note] InnoDB: Buffer pool(s) load completed at 240301 10:00:01\n"
        "2024-03-01T10:00:02.123456Z 7 [Warning] Aborted connection 7 to db: 'shop' user: 'app' (Got timeout reading communication packets)\n"
    )
    rows = parse_lines(TEXT, mysql57, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"][:20]) for r in rows] == [("INFO", "InnoDB: Buffer pool("), ("WARN", "Aborted connection 7")]
    assert attrs(rows[1]) == {"thread": "7"}


def test_level_and_thread_before_the_stamp_cassandra():
    text = (
        "INFO  [main] 2024-03-01 10:00:01,123 CassandraDaemon.java:123 - Startup complete\n"
        "ERROR [CompactionExecutor:1] 2024-03-01 10:00:02,123 CassandraDaemon.java:244 - Exception in thread\n"
        "java.lang.RuntimeException: boom\n"
        "\tat org.apache.cassandra.db.Compaction.run(Compaction.java:10)\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("INFO", 1), ("ERROR", 3)]
    assert rows[0]["body"] == "Startup complete"
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 10, 0, 2, 123000, tzinfo=UTC)
    assert attrs(rows[1]) == {"logger": "CassandraDaemon.java:244", "thread": "CompactionExecutor:1"}


def test_zookeeper_thread_names_nest_brackets_holding_equals():
    text = (
        "2024-03-01 10:00:00,130 [myid:1] - INFO  [main:o.a.z.s.q.QuorumPeerConfig@451] - clientPortAddress is 0.0.0.0:2181\n"
        "2024-03-01 10:00:01,001 [myid:1] - INFO  [QuorumPeer[myid=1](plain=0.0.0.0:2181)(secure=disabled)"
        ":o.a.z.s.q.QuorumPeer@1438] - LOOKING\n"
        "2024-03-01 10:00:01,070 [myid:1] - WARN  [QuorumConnectionThread-[myid=1]-2:o.a.z.s.q.QuorumCnxManager@401]"
        " - Cannot open channel to 3 at election address zk-3/10.244.2.17:3888\n"
        "java.net.ConnectException: Connection refused\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("INFO", 1), ("INFO", 1), ("WARN", 2)]
    assert [r["body"].split("\n")[0] for r in rows] == [
        "clientPortAddress is 0.0.0.0:2181",
        "LOOKING",
        "Cannot open channel to 3 at election address zk-3/10.244.2.17:3888",
    ]


def test_one_name_in_brackets_after_the_level_python_and_wildfly():
    """Python's "%(asctime)s %(levelname)s [%(name)s] %(message)s" and WildFly's
    "[%c] (%t) ": the bracket is the logger, not the message's start; Kafka's bracket with
    blanks and "=" stays the message's."""
    python = (
        "2024-11-29 10:00:01,123 INFO [orders.api] listening on 0.0.0.0:8000\n"
        "2024-11-29 10:00:03,500 ERROR [orders.db] query failed\n"
        "Traceback (most recent call last):\n"
        "psycopg2.OperationalError: server closed the connection\n"
    )
    rows = parse_lines(TEXT, python, OPTS).to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("INFO", 1), ("ERROR", 3)]
    assert rows[1]["body"].startswith("query failed\nTraceback")
    assert attrs(rows[1]) == {"logger": "orders.db"}
    wildfly = (
        '2024-11-29 10:00:04,000 INFO  [org.jboss.as.server] (ServerService Thread Pool -- 45) WFLYSRV0010: Deployed "shop.war"\n'
        "2024-11-29 10:00:05,456 ERROR [org.jboss.as.controller] (Controller Boot Thread) WFLYCTL0013: Operation failed\n"
    )
    rows = parse_lines(TEXT, wildfly, OPTS).to_dicts()
    assert rows[0]["body"] == 'WFLYSRV0010: Deployed "shop.war"'
    assert attrs(rows[0]) == {"logger": "org.jboss.as.server", "thread": "ServerService Thread Pool -- 45"}
    assert attrs(rows[1])["thread"] == "Controller Boot Thread"
    kafka = "2024-11-29 10:00:05,000 INFO [KafkaServer id=1] started (kafka.server.KafkaServer)\n"
    assert parse_lines(TEXT, kafka, OPTS)["body"][0] == "[KafkaServer id=1] started (kafka.server.KafkaServer)"


def test_trace_ids_in_sleuth_log4j_mdc_and_python_context_heads():
    """Three common heads that carry a trace id (found by a blind probe: the head was left
    in the message, or the level missed, and the service took no part in trace evidence)."""
    sleuth = (
        "2025-08-20 14:15:09.193 ERROR [orders,9e2a36f5d9fa232980048c53eff09876,9e2a36f5d9fa2329] 1 --- "
        "[nio-8080-exec-7] c.a.orders.web.RequestController         : downstream call failed\n"
    )
    log4j = "2025-08-20T15:44:46,764 [http-nio-8080-exec-11] ERROR com.acme.stock.Service traceId=5b577e71e5572475 - stock query failed\n"
    python = "2025-08-20 14:15:09,193 - inventory.app - ERROR [trace=9e2a36f5d9fa2329] - stock query failed\n"
    got = [parse_lines(TEXT, text, OPTS).to_dicts()[0] for text in (sleuth, log4j, python)]
    assert [(r["severity_text"], r["trace_id"], r["body"]) for r in got] == [
        ("ERROR", "9e2a36f5d9fa232980048c53eff09876", "downstream call failed"),
        ("ERROR", "5b577e71e5572475", "stock query failed"),
        ("ERROR", "9e2a36f5d9fa2329", "stock query failed"),
    ]
    assert attrs(got[0])["logger"] == "c.a.orders.web.RequestController"
    assert attrs(got[1])["logger"] == "com.acme.stock.Service"


def test_sql_server_errorlog(tmp_path):
    """SQL Server writes its ERRORLOG in UTF-16: "<stamp> <source> message", the source a
    process (spid55), Server or Logon; "Error: N, Severity: S" is ERROR from severity 11,
    FATAL from 20."""
    path = tmp_path / "ERRORLOG"
    path.write_text(
        "2024-11-29 10:00:01.12 Server      Microsoft SQL Server 2019 (RTM-CU22) - 15.0.4322.2 (X64) \n"
        "\tCopyright (C) 2019 Microsoft Corporation\n"
        "2024-11-29 10:05:12.45 Logon       Error: 18456, Severity: 14, State: 8.\n"
        "2024-11-29 10:05:12.45 Logon       Login failed for user 'sa'. [CLIENT: 203.0.113.5]\n"
        "2024-11-29 10:07:00.00 spid60      Error: 9002, Severity: 21, State: 4.\n",
        encoding="utf-16",
    )
    rows = read_logs(path).to_dicts()
    assert [(r["n_lines"], r["severity_text"], attrs(r)["thread"]) for r in rows] == [
        (2, None, "Server"), (1, "ERROR", "Logon"), (1, None, "Logon"), (1, "FATAL", "spid60"),
    ]
    assert rows[0]["body"].startswith("Microsoft SQL Server 2019")
    assert rows[0]["timestamp"] == datetime(2024, 11, 29, 10, 0, 1, 120000, tzinfo=UTC)


def test_bind_named_category_and_severity():
    text = (
        "29-Nov-2024 10:00:01.123 general: info: zone example.com/IN: loaded serial 2024112901\n"
        "29-Nov-2024 10:00:04.000 security: error: client @0x7f8b2c0a1b21 203.0.113.5#4444: zone transfer denied\n"
        "29-Nov-2024 10:00:06.000 general: critical: exiting (due to fatal error in library)\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], attrs(r)["logger"]) for r in rows] == [("INFO", "general"), ("ERROR", "security"), ("FATAL", "general")]
    assert rows[0]["body"] == "zone example.com/IN: loaded serial 2024112901"
    assert rows[0]["timestamp"] == datetime(2024, 11, 29, 10, 0, 1, 123000, tzinfo=UTC)


def test_dotnet_console_logger():
    text = (
        "info: Microsoft.Hosting.Lifetime[14]\n"
        "      Now listening on: http://[::]:8080\n"
        "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]\n"
        "      An unhandled exception has occurred while executing the request.\n"
        "      System.InvalidOperationException: boom\n"
        "         at Shop.Api.OrdersController.Get() in /src/OrdersController.cs:line 12\n"
        "warn: Shop.Api.OrdersController[7]\n"
        "      Order 12 is slow\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    # the message is the indented line after the head, not the category
    assert [(r["severity_text"], r["n_lines"], r["body"].splitlines()[0]) for r in rows] == [
        ("INFO", 2, "Now listening on: http://[::]:8080"),
        ("ERROR", 4, "An unhandled exception has occurred while executing the request."),
        ("WARN", 2, "Order 12 is slow"),
    ]
    assert rows[1]["body"].splitlines()[1] == "      System.InvalidOperationException: boom"
    assert attrs(rows[1]) == {"logger": "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", "code": "1"}


def test_dotnet_console_logger_with_a_timestamp_format():
    # (before: "fail:" after a stamp was no level, and the failure joined the record above)
    text = (
        "2025-01-22T10:08:25.843Z info: Catalog.Api.Controllers.ProductsController[0]\n"
        "      Served product 2403 (cache miss) in 9 ms\n"
        "2025-01-22T10:08:28.448Z fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[0]\n"
        "      An unhandled exception has occurred while executing the request.\n"
        "      System.NullReferenceException: Object reference not set to an instance of an object.\n"
        "         at Catalog.Api.Pricing.PriceResolverV2.Resolve(Product product) in /src/PriceResolverV2.cs:line 57\n"
        "[2025-01-22 10:08:29] warn: Catalog.Api.Controllers.ProductsController[7]\n"
        "      Product 12 is slow\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["n_lines"], r["body"].splitlines()[0]) for r in rows] == [
        ("INFO", 2, "Served product 2403 (cache miss) in 9 ms"),
        ("ERROR", 4, "An unhandled exception has occurred while executing the request."),
        ("WARN", 2, "Product 12 is slow"),
    ]
    assert rows[1]["timestamp"] == datetime(2025, 1, 22, 10, 8, 28, 448000, tzinfo=UTC)


def test_php_error_log():
    text = (
        "[29-Nov-2024 08:00:01 UTC] PHP Fatal error:  Uncaught Exception: boom in /var/www/x.php:12\n"
        "[29-Nov-2024 08:00:02 UTC] PHP Warning:  Undefined variable $x in /var/www/y.php on line 3\n"
        "[29-Nov-2024 08:00:03 UTC] PHP Deprecated:  Function each() is deprecated in /var/www/z.php on line 2\n"
        # PHP-FPM's own log in the same file
        "[29-Nov-2024 08:00:04] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("FATAL", "Uncaught Exception: boom in /var/www/x.php:12"),
        ("WARN", "Undefined variable $x in /var/www/y.php on line 3"),
        ("INFO", "Function each() is deprecated in /var/www/z.php on line 2"),
        ("WARN", "[pool www] server reached pm.max_children setting (5), consider raising it"),
    ]
    assert rows[0]["timestamp"] == datetime(2024, 11, 29, 8, 0, 1, tzinfo=UTC)
    # date.timezone written as an IANA name: local time of that zone (CET in November,
    # CEST in July), whatever tz says; a name the zone database does not know is left to tz
    zoned = (
        "[29-Nov-2024 11:00:01 Europe/Berlin] PHP Warning:  slow\n"
        "[01-Jul-2024 11:00:02 Europe/Berlin] PHP Warning:  slow\n"
        "[29-Nov-2024 11:00:03 Mars/Olympus_Mons] PHP Warning:  slow\n"
    )
    stamps = parse_lines(TEXT, zoned, OPTS)["timestamp"].to_list()
    assert stamps == [
        datetime(2024, 11, 29, 10, 0, 1, tzinfo=UTC), datetime(2024, 7, 1, 9, 0, 2, tzinfo=UTC),
        datetime(2024, 11, 29, 11, 0, 3, tzinfo=UTC),
    ]


def test_loguru_default_format_and_a_level_column_with_a_bar():
    text = (
        "2024-11-29 08:00:00.123 | INFO     | shop.pay:charge:42 - charge 1 done\n"
        "2024-11-29 08:00:01.456 | ERROR    | shop.pay:charge:57 - charge 2 failed\n"
        "Traceback (most recent call last):\n"
        '  File "/app/pay.py", line 57, in charge\n'
        "ValueError: boom\n"
        "2024-11-29 08:00:02.000 | WARNING  | __main__:<module>:12 - slow\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"].splitlines()[0], r["n_lines"]) for r in rows] == [
        ("INFO", "charge 1 done", 1),
        ("ERROR", "charge 2 failed", 4),
        ("WARN", "slow", 1),
    ]
    assert attrs(rows[2])["logger"] == "__main__:<module>:12"
    rows = parse_lines(TEXT, "INFO    | starting\nERROR   | failed to bind :8080\n", OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("INFO", "starting"), ("ERROR", "failed to bind :8080")]


def test_epoch_time_first(tmp_path):
    # Squid's native access log, a Zeek TSV log, a script printing milliseconds and a level
    squid = (
        "1704164645.123    123 10.0.0.1 TCP_MISS/200 1234 GET http://example.com/index.html - HIER_DIRECT/93.184.216.34 text/html\n"
        "1704164647.789   3012 10.0.0.3 TCP_MISS/503 0 CONNECT api.example.com:443 - HIER_DIRECT/10.1.1.1 -\n"
    )
    rows = parse_lines(TEXT, squid, OPTS).to_dicts()
    assert [r["timestamp"] for r in rows] == [
        datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC),
        datetime(2024, 1, 2, 3, 4, 7, 789000, tzinfo=UTC),
    ]
    assert rows[1]["body"] == "3012 10.0.0.3 TCP_MISS/503 0 CONNECT api.example.com:443 - HIER_DIRECT/10.1.1.1 -"
    assert all(r["parse_error"] is None for r in rows)
    zeek = "1704164645.123456\tCabc1\t10.0.0.1\t52311\t10.0.0.2\t443\ttcp\tssl\t0.52\tSF\n"
    assert parse_lines(TEXT, zeek, OPTS)["timestamp"].to_list() == [datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)]
    path = tmp_path / "worker.log"
    path.write_text("1704164645123 INFO started worker 3\n1704164646456 ERROR worker 3 crashed: boom\n")
    out = read_logs(path)
    assert out["severity_text"].to_list() == ["INFO", "ERROR"]
    assert out["body"].to_list() == ["started worker 3", "worker 3 crashed: boom"]
    assert out["timestamp"][1] == datetime(2024, 1, 2, 3, 4, 6, 456000, tzinfo=UTC)


def test_monolog_laravel_lines():
    text = (
        "[2024-03-01 10:00:01] production.INFO: User 12 logged in\n"
        '[2024-03-01T10:00:02.123456+00:00] app.ERROR: Undefined variable $order {"exception":"[object] (ErrorException(code: 0))\n'
        "[stacktrace]\n"
        "#0 /var/www/app/Http/Controllers/OrderController.php(42): handle()\n"
        "#1 {main}\n"
        '"} \n'
        "[2024-03-01 10:00:03] production.CRITICAL: Database connection lost\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"].splitlines()[0], r["n_lines"]) for r in rows] == [
        ("INFO", "User 12 logged in", 1),
        ("ERROR", 'Undefined variable $order {"exception":"[object] (ErrorException(code: 0))', 5),
        ("FATAL", "Database connection lost", 1),
    ]
    assert attrs(rows[0])["logger"] == "production"
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 10, 0, 2, 123456, tzinfo=UTC)


def test_compact_stamps_start_a_text_line():
    # yyyyMMdd-H:mm:ss:SSS with "|"-separated fields (an Android health app), ISO 8601 basic
    text = (
        "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579\n"
        "20171224-1:12:23:108|Step_SPUtils|30002312|getTodayTotalDetailSteps = 1514045760000##7051\n"
        "20240102T030405.123Z ERROR payment declined\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["body"]) for r in rows] == [
        (datetime(2017, 12, 23, 22, 15, 29, 606000, tzinfo=UTC), None, "Step_LSC|30002312|onStandStepChanged 3579"),
        (datetime(2017, 12, 24, 1, 12, 23, 108000, tzinfo=UTC), None, "Step_SPUtils|30002312|getTodayTotalDetailSteps = 1514045760000##7051"),
        (datetime(2024, 1, 2, 3, 4, 5, 123000, tzinfo=UTC), "ERROR", "payment declined"),
    ]


def test_fields_separated_by_bare_bars():
    # log4j "%d|%p|%c|%m": the field after the level is the logger
    text = (
        "2024-03-01 10:00:01,123|INFO|OrderService|Created order 123\n"
        "2024-03-01 10:00:02,456|ERROR|OrderService|Failed order 124|retry=3\n"
        "java.lang.IllegalStateException: boom\n"
        "\tat com.shop.OrderService.place(OrderService.java:42)\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"].splitlines()[0], r["n_lines"]) for r in rows] == [
        ("INFO", "Created order 123", 1),
        ("ERROR", "Failed order 124|retry=3", 3),
    ]
    assert attrs(rows[1])["logger"] == "OrderService"


def test_elixir_logger_exception_block_joins_its_record(tmp_path):
    p = tmp_path / "shop.log"
    p.write_text(
        "2024-03-01 09:58:01.123 [info] request_id=F000001 GET /api/orders\n"
        "2024-03-01 09:58:02.123 [error] GenServer Shop.Cart.Server terminating\n"
        "** (RuntimeError) cart not found\n"
        "    (shop 0.1.0) lib/shop/cart/server.ex:42: Shop.Cart.Server.handle_call/3\n"
        "    (stdlib 5.2) gen_server.erl:1131: :gen_server.try_handle_call/4\n"
        "2024-03-01 09:58:03.123 [info] request_id=F000003 GET /api/orders\n"
    )
    df = read_logs(p)
    assert df["n_lines"].to_list() == [1, 4, 1]
    assert df["parse_error"].null_count() == 3
    assert df["severity_text"].to_list() == ["INFO", "ERROR", "INFO"]
    assert df["body"][1].startswith("GenServer Shop.Cart.Server terminating\n** (RuntimeError) cart not found")


def test_weblogic_server_log(tmp_path):
    p = tmp_path / "ms1.log"
    p.write_text(
        "####<Mar 1, 2024 9:58:00,123 AM CET> <Info> <Health> <wls-host1> <AdminServer> <weblogic.GCMonitor>"
        " <<anonymous>> <> <abc-0> <1709283480123> <[severity-value: 64] [rid: 0] > <BEA-310002>"
        " <60% of the total memory in the server is free.> \n"
        "####<Mar 1, 2024 1:58:05,123 PM CET> <Error> <HTTP> <wls-host1> <ms1>"
        " <[ACTIVE] ExecuteThread: '7' for queue: 'weblogic.kernel.Default (self-tuning)'> <<WLS Kernel>> <>"
        " <abc-2> <1709283485123> <[severity-value: 8] [rid: 0] > <BEA-101020> <Servlet failed with an Exception\n"
        "java.lang.NullPointerException\n"
        "\tat com.shop.OrderServlet.doPost(OrderServlet.java:57)\n"
        "> \n"
    )
    rows = read_logs(p).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (datetime(2024, 3, 1, 8, 58, 0, 123000, tzinfo=UTC), "INFO", 1),
        (datetime(2024, 3, 1, 12, 58, 5, 123000, tzinfo=UTC), "ERROR", 4),  # 1:58 PM CET
    ]
    assert rows[0]["body"] == "60% of the total memory in the server is free."
    assert rows[1]["body"].startswith("Servlet failed with an Exception\njava.lang.NullPointerException")
    assert rows[1]["body"].endswith("(OrderServlet.java:57)")  # the field's closing '>' is not the message
    assert attrs(rows[1]) == {
        "logger": "HTTP", "mdc": "ms1", "code": "BEA-101020",
        "thread": "[ACTIVE] ExecuteThread: '7' for queue: 'weblogic.kernel.Default (self-tuning)'",
    }


def test_websphere_systemout_log(tmp_path):
    p = tmp_path / "SystemOut.log"
    p.write_text(
        "************ Start Display Current Environment ************\n"
        "[3/1/24 9:58:00:123 CET] 00000045 SystemOut     O Order 5000 accepted\n"
        "[3/1/24 9:58:02:023 CET] 0000004a ConnectionEve W   J2CA0206W: A connection error occurred.\n"
        "[3/1/24 9:58:03:923 CET] 00000051 ServletWrappe E SRVE0068E: An exception was thrown\n"
        "\tat com.shop.OrderServlet.doPost(OrderServlet.java:88)\n"
        "[3/1/24 9:58:04:000 CET] 00000051 SystemErr     R java.io.IOException: broken pipe\n"
    )
    rows = read_logs(p).to_dicts()
    assert rows[0]["parse_error"] is not None  # the banner is kept, as it is
    assert [(r["severity_text"], r["n_lines"]) for r in rows[1:]] == [("INFO", 1), ("WARN", 1), ("ERROR", 2), ("WARN", 1)]
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 8, 58, 0, 123000, tzinfo=UTC)
    assert rows[2]["body"] == "J2CA0206W: A connection error occurred."
    assert attrs(rows[3]) == {"logger": "ServletWrappe", "thread": "00000051"}


def test_airflow_task_log():
    text = (
        "[2024-03-01, 09:58:02 UTC] {standard_task_runner.py:57} INFO - Started process 8001 to run task\n"
        "[2024-03-01, 09:58:06 UTC] {taskinstance.py:2698} ERROR - Task failed with exception\n"
        "Traceback (most recent call last):\n"
        '  File "/opt/airflow/dags/etl.py", line 12, in load\n'
        "ValueError: no rows\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["n_lines"]) for r in rows] == [
        (datetime(2024, 3, 1, 9, 58, 2, tzinfo=UTC), "INFO", 1),
        (datetime(2024, 3, 1, 9, 58, 6, tzinfo=UTC), "ERROR", 4),
    ]
    assert attrs(rows[1])["logger"] == "taskinstance.py:2698"


def test_java_util_logging_simple_formatter():
    # the level and message on the line below the stamp, class and method
    text = (
        "Mar 01, 2024 9:58:00 AM com.shop.Orders process\n"
        "SEVERE: Order 12 failed\n"
        "java.lang.NullPointerException\n"
        "\tat com.shop.Orders.process(Orders.java:12)\n"
        "Mar 01, 2024 1:58:01 PM org.apache.catalina.startup.Catalina start\n"
        "INFO: Server startup in 1234 ms\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["body"].splitlines()[0], r["n_lines"]) for r in rows] == [
        (datetime(2024, 3, 1, 9, 58, tzinfo=UTC), "ERROR", "Order 12 failed", 4),
        (datetime(2024, 3, 1, 13, 58, 1, tzinfo=UTC), "INFO", "Server startup in 1234 ms", 2),
    ]
    assert attrs(rows[1])["logger"] == "org.apache.catalina.startup.Catalina"


def test_oracle_alert_log_bare_stamp_lines(tmp_path):
    p = tmp_path / "alert_ORCL.log"
    p.write_text(
        "2024-03-01T09:58:00.123456+01:00\n"
        "Thread 1 advanced to log sequence 3000 (LGWR switch)\n"
        "  Current log# 1 seq# 3000 mem# 0: +DATA/ORCL/ONLINELOG/group_1.263.1098765432\n"
        "2024-03-01T09:58:40.123456+01:00\n"
        "Errors in file /u01/app/oracle/diag/rdbms/orcl/ORCL/trace/ORCL_ora_12345.trc  (incident=98765):\n"
        "ORA-00600: internal error code, arguments: [kdsgrp1], [], []\n"
        "2024-03-01T10:00:00.123456+01:00\n"
        "WARNING: inbound connection timed out (ORA-3136)\n"
    )
    df = read_logs(p)
    assert df["n_lines"].to_list() == [3, 3, 2]
    assert df["parse_error"].null_count() == 3
    assert df["timestamp"][0] == datetime(2024, 3, 1, 8, 58, 0, 123456, tzinfo=UTC)
    assert df["severity_text"].to_list() == [None, "ERROR", "WARN"]  # ORA- codes are errors
    assert df["body"][0].startswith("Thread 1 advanced to log sequence 3000")


def test_decorated_heads_env_logger_sidekiq_and_github_actions():
    """Layouts a blind probe found read wrongly: the JDK's unified GC log and Envoy's
    application log (bracketed decorators before the level), Rust's env_logger (stamp, level
    and target in one bracket), Sidekiq (pid= tid= before the level; Ruby backtrace lines
    join), GitHub Actions annotations (##[error])."""
    cases = {
        "[2024-03-01T10:05:03.000+0100][302.9s][error][gc,heap,exit] Heap exhausted: java.lang.OutOfMemoryError":
            (datetime(2024, 3, 1, 9, 5, 3, tzinfo=UTC), "ERROR", "Heap exhausted: java.lang.OutOfMemoryError", "gc,heap,exit"),
        "[2024-03-01 10:00:05.456][15][warning][config] [./source/common/grpc_stream.h:201] gRPC config stream closed":
            (datetime(2024, 3, 1, 10, 0, 5, 456000, tzinfo=UTC), "WARN", "gRPC config stream closed", "config"),
        "[2024-03-01T10:00:00Z ERROR ledger::api] transfer 42 failed: insufficient funds":
            (datetime(2024, 3, 1, 10, 0, tzinfo=UTC), "ERROR", "transfer 42 failed: insufficient funds", "ledger::api"),
        "2024-03-01T10:01:00.000Z pid=7 tid=2ldf class=InvoiceJob jid=b4a1 ERROR: Error fetching job: Redis::CannotConnectError":
            (datetime(2024, 3, 1, 10, 1, tzinfo=UTC), "ERROR", "Error fetching job: Redis::CannotConnectError", "InvoiceJob"),
    }
    for line, (ts, level, body, logger) in cases.items():
        row = parse_lines(TEXT, line + "\n", OPTS).to_dicts()[0]
        assert (row["timestamp"], row["severity_text"], row["body"]) == (ts, level, body), line
        assert attrs(row).get("logger") == logger
    sidekiq = (
        "2024-03-01T10:00:36.003Z pid=7 tid=abc2 WARN: Net::ReadTimeout: Net::ReadTimeout with #<TCPSocket:(closed)>\n"
        "/usr/local/lib/ruby/3.2.0/net/protocol.rb:229:in `rbuf_fill'\n"
        "/app/app/jobs/payment_sync_job.rb:14:in `perform'\n"
        "2024-03-01T10:00:40.000Z pid=7 tid=abc3 class=InvoiceJob jid=d6c3 INFO: start\n"
    )
    rows = parse_lines(TEXT, sidekiq, OPTS).to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("WARN", 3), ("INFO", 1)]
    gha = (
        "2024-03-01T10:00:04.1234567Z ##[group]Run npm test\n"
        "2024-03-01T10:00:30.4444444Z \n"
        "2024-03-01T10:00:30.4444445Z FAIL src/orders.test.js\n"
        "2024-03-01T10:00:31.6666666Z ##[error]Process completed with exit code 1.\n"
        "2024-03-01T10:00:32.0000000Z ##[warning]The `set-output` command is deprecated\n"
    )
    rows = parse_lines(TEXT, gha, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("INFO", "Run npm test"), (None, ""), (None, "FAIL src/orders.test.js"),
        ("ERROR", "Process completed with exit code 1."), ("WARN", "The `set-output` command is deprecated"),
    ]


def test_ansible_and_heroku_levels():
    """Ansible's log_path file (a failed task's "fatal:" and "[WARNING]:" are its levels)
    and Heroku's log stream (the router's at= is its level)."""
    ansible = (
        "2024-03-01 10:00:03,789 p=12345 u=deploy n=ansible | ok: [web1]\n"
        '2024-03-01 10:00:13,790 p=12345 u=deploy n=ansible | fatal: [web2]: UNREACHABLE! => {"changed": false}\n'
        "2024-03-01 10:00:20,500 p=12345 u=deploy n=ansible | [WARNING]: The value 8080 was converted\n"
        "2024-03-01 10:00:21,010 p=12345 u=deploy n=ansible | TASK [app : Restart service] ****\n"
    )
    rows = parse_lines(TEXT, ansible, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"][:13]) for r in rows] == [
        (None, "ok: [web1]"), ("ERROR", "[web2]: UNREA"), ("WARN", "The value 808"), (None, "TASK [app : R"),
    ]
    heroku = (
        "2024-03-01T10:00:10.123456+00:00 heroku[router]: at=info method=GET path=\"/api/orders\" status=200\n"
        "2024-03-01T10:00:40.345678+00:00 heroku[router]: at=error code=H12 desc=\"Request timeout\" status=503\n"
        "2024-03-01T10:00:41.000000+00:00 app[web.1]: [4] * Listening on http://0.0.0.0:31337\n"
    )
    rows = parse_lines(TEXT, heroku, OPTS).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", None]
    assert [attrs(r)["logger"] for r in rows] == ["heroku[router]", "heroku[router]", "app[web.1]"]


def test_an_app_line_inside_a_platform_line_is_read_like_a_containers():
    """Heroku's and Fly.io's log streams: the app's own line (Ruby's Logger, log4j, JSON)
    after the platform's stamp and source gives the level and the message; the platform's
    stamp and source stay the record's, and a platform line of its own is left as it is."""
    heroku = (
        "2024-03-01T10:00:03.123456+00:00 app[web.1]: I, [2024-03-01T10:00:03.123000 #4]  INFO -- : [req-1] Started GET \"/api/items\"\n"
        "2024-03-01T10:00:05.000001+00:00 heroku[web.1]: Error R14 (Memory quota exceeded)\n"
        "2024-03-01T10:00:06.000000+00:00 app[web.1]: E, [2024-03-01T10:00:06.000000 #4] ERROR -- : PG::ConnectionBad: could not connect\n"
        '2024-03-01T10:00:07.000000+00:00 app[worker.1]: {"level":"warn","msg":"queue slow","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}\n'
        "2024-03-01T10:00:08.000000+00:00 app[web.1]: 2024-03-01 10:00:08,000 ERROR [main] c.s.Api - db down\n"
    )
    rows = parse_lines(TEXT, heroku, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [
        ("INFO", 'Started GET "/api/items"'),
        ("ERROR", "Error R14 (Memory quota exceeded)"),  # (Heroku's platform error)
        ("ERROR", "PG::ConnectionBad: could not connect"),
        ("WARN", "queue slow"),
        ("ERROR", "db down"),
    ]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 3, 123456, tzinfo=UTC)  # the platform's stamp
    assert rows[3]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert attrs(rows[4])["logger"] == "app[web.1]"
    fly = (
        "2024-03-01T10:00:05Z app[9080e621c04e87] ams [info]2024-03-01 10:00:05,123 ERROR [main] c.s.Api - db down\n"
        "2024-03-01T10:00:06Z runner[9080e621c04e87] ams [info]Machine started in 1.2s\n"
    )
    rows = parse_lines(TEXT, fly, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("ERROR", "db down"), ("INFO", "Machine started in 1.2s")]
    # Ruby's Logger line inside a container runtime's JSON line too
    docker = '{"log":"E, [2024-03-01T10:00:06.000000 #1] ERROR -- : PG::ConnectionBad: could not connect\\n","stream":"stdout","time":"2024-03-01T10:00:06.000001Z"}\n'
    row = parse_lines(_jsonl.FORMAT, docker, OPTS).to_dicts()[0]
    assert (row["severity_text"], row["body"]) == ("ERROR", "PG::ConnectionBad: could not connect")


UWSGI = """\
*** Starting uWSGI 2.0.23 (64bit) on [Fri Mar  1 10:00:00 2024] ***
compiled with version: 12.2.0 on 15 January 2024 10:20:11
detected number of CPU cores: 2
spawned uWSGI worker 1 (pid: 9, cores: 1)
[pid: 9|app: 0|req: 1/1] 10.0.0.12 () {38 vars in 512 bytes} [Fri Mar  1 10:00:05 2024] GET /health => generated 2 bytes in 1 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on core 0)
Traceback (most recent call last):
  File "/app/shop/orders.py", line 88, in create_order
psycopg2.OperationalError: could not connect to server: Connection refused
[pid: 9|app: 0|req: 2/3] 10.0.0.12 () {40 vars in 701 bytes} [Fri Mar  1 10:00:07 2024] POST /api/orders?x=1 => generated 0 bytes in 2301 msecs (HTTP/1.1 500) 2 headers in 84 bytes (1 switches on core 0)
Fri Mar  1 10:05:00 2024 - *** HARAKIRI ON WORKER 2 (pid: 10, try: 1) ***
DAMN ! worker 2 (pid: 10) died, killed by signal 9 :( trying respawn ...
"""


def test_uwsgi_log(tmp_path):
    """uWSGI's log: request lines read like an access log's, its own stamped lines, and the
    unstamped lines it prints at start-up (records of their own before the first head) and
    later (part of the record above)."""
    path = tmp_path / "uwsgi.log"
    path.write_text(UWSGI)
    frame = read_logs(path)
    assert frame["format"].unique().to_list() == ["text"]
    heads = frame.filter(pl.col("parse_error").is_null())
    assert heads["line_no"].to_list() == [5, 9, 10]
    assert heads["n_lines"].to_list() == [4, 1, 2]
    assert heads["body"][1] == "POST /api/orders 500"
    assert heads["severity_text"].to_list() == ["INFO", "ERROR", None]
    assert heads["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 7, tzinfo=UTC)
    assert heads["timestamp"][2] == datetime(2024, 3, 1, 10, 5, tzinfo=UTC)
    request = attrs(heads.row(1, named=True))
    assert (request["method"], request["path"], request["status"]) == ("POST", "/api/orders", 500)
    assert (request["response_time_ms"], request["bytes"]) == (2301.0, 0)
    assert frame.filter(pl.col("parse_error").is_not_null()).height == 4  # the start-up banner
    assert frame["n_lines"].sum() == UWSGI.count("\n")


MYSQL_SLOW = """\
/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:
Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 2024-03-01T10:00:05.123456Z
# User@Host: shop_app[shop_app] @  [10.0.1.21]  Id:    42
# Query_time: 12.345678  Lock_time: 0.000123 Rows_sent: 1  Rows_examined: 5000000
use shop;
SET timestamp=1709287205;
SELECT COUNT(*) FROM orders WHERE customer_email LIKE '%@example.com';
# Time: 2024-03-01T10:01:30.000001Z
# User@Host: report[report] @ reporting-1.internal [10.0.2.5]  Id:    77
# Query_time: 48.000112  Lock_time: 0.000210 Rows_sent: 120034  Rows_examined: 9800211
SET timestamp=1709287290;
SELECT o.id, o.total
  FROM shop.orders o
 ORDER BY o.total DESC;
"""


def test_mysql_slow_query_log(tmp_path):
    """An entry from its "# Time:" line to the next; the statement is the message, the
    user, client and times go to attributes (query_time is then read as a measure)."""
    path = tmp_path / "mysql-slow.log"
    path.write_text(MYSQL_SLOW)
    frame = read_logs(path)
    entries = frame.filter(pl.col("parse_error").is_null())
    assert entries["line_no"].to_list() == [4, 10]
    assert entries["n_lines"].to_list() == [6, 7]
    assert entries["timestamp"].to_list() == [
        datetime(2024, 3, 1, 10, 0, 5, 123456, tzinfo=UTC),
        datetime(2024, 3, 1, 10, 1, 30, 1, tzinfo=UTC),
    ]
    assert entries["body"].to_list() == [
        "SELECT COUNT(*) FROM orders WHERE customer_email LIKE '%@example.com';",
        "SELECT o.id, o.total\n  FROM shop.orders o\n ORDER BY o.total DESC;",
    ]
    first = attrs(entries.row(0, named=True))
    assert (first["user"], first["client"], first["query_time"], first["rows_examined"]) == (
        "shop_app", "10.0.1.21", 12.345678, 5000000,
    )
    assert frame["n_lines"].sum() == MYSQL_SLOW.count("\n")  # the server's banner kept


WINEVENT = (
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Service Control Manager' "
    "Guid='{555908d1-a6d7-4695-8e1e-26931d2012f4}'/><EventID>7034</EventID><Level>2</Level><Task>0</Task>"
    "<TimeCreated SystemTime='2024-03-01T10:00:05.2345678Z'/><EventRecordID>120001</EventRecordID><Channel>System</Channel>"
    "<Computer>WEB01.corp.local</Computer></System><EventData><Data Name='param1'>W3SVC</Data><Data Name='param2'>1</Data>"
    "</EventData><RenderingInfo Culture='en-US'><Message>The World Wide Web Publishing Service service terminated "
    "unexpectedly. It has done this 1 time(s) &amp; more.</Message><Level>Error</Level></RenderingInfo></Event>\n"
    "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Kernel-Power'/>"
    "<EventID>41</EventID><Level>1</Level><TimeCreated SystemTime='2024-03-01T10:01:00.0000000Z'/><Channel>System</Channel>"
    "<Computer>WEB01</Computer></System><EventData><Data Name='BugcheckCode'>0</Data></EventData></Event>\n"
    "not an event\n"
)


def test_windows_events_as_xml(tmp_path):
    """wevtutil's XML, one event per line: provider as service, Level as severity, the
    rendered message (else the event id and data) as body."""
    path = tmp_path / "system.xml"
    path.write_text(WINEVENT)
    frame = read_logs(path)
    assert frame["format"].to_list() == ["winevent"] * 3
    rows = frame.to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows[:2]] == [
        ("Service Control Manager", "ERROR"),
        ("Microsoft-Windows-Kernel-Power", "FATAL"),
    ]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 5, 234567, tzinfo=UTC)
    assert rows[0]["body"] == (
        "The World Wide Web Publishing Service service terminated unexpectedly. It has done this 1 time(s) & more."
    )
    assert rows[1]["body"] == "EventID 41: 0"
    assert attrs(rows[0]) == {
        "event_id": 7034, "channel": "System", "computer": "WEB01.corp.local", "record_id": 120001,
        "task": "0", "data": "W3SVC 1",
    }
    assert rows[2]["parse_error"].startswith("not a Windows event")
    assert rows[2]["body"] == "not an event"


def _read_one(tmp_path, name: str, text: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_logs(path, year=2024)


def test_logrus_tty_dropwizard_tornado_certbot_layouts(tmp_path):
    """Layouts a blind probe found read as raw lines (no time, no level): logrus on a
    terminal, Dropwizard (its '! ' exception lines), Tornado/Jupyter, Python's colon layout."""
    logrus = _read_one(tmp_path, "inv.log", (
        "INFO[0000] Starting inventory-sync                       version=2.3.1\n"
        "WARN[0002] upstream slow                                 host=\"[2001:db8::20]:9000\" latency=1.2s\n"
        "ERRO[0003] sync failed: \"SKU-12\" not found               error=\"404 Not Found\" sku=SKU-12\n"
        "FATA[0007] cannot reach database                         error=\"dial tcp 10.0.0.7:5432: connect: connection refused\"\n"
    ))
    assert logrus["severity_text"].to_list() == ["INFO", "WARN", "ERROR", "FATAL"]
    assert logrus["body"][2].startswith('sync failed: "SKU-12" not found')
    assert logrus["timestamp"].null_count() == 4  # seconds since start, not a time

    dw = _read_one(tmp_path, "shop-api.log", (
        "INFO  [2024-03-01 10:00:00,123] io.dropwizard.server.ServerFactory: Starting shop-api\n"
        "ERROR [2024-03-01 10:00:05,001] io.dropwizard.jersey.errors.LoggingExceptionMapper: Error handling a request: 9f8e7d6c5b4a3f21\n"
        "! java.net.SocketTimeoutException: Read timed out\n"
        "! at java.base/java.net.SocketInputStream.socketRead0(Native Method)\n"
        "! Causing: javax.ws.rs.ProcessingException: java.net.SocketTimeoutException: Read timed out\n"
        "! ... 62 common frames omitted\n"
        "DEBUG [2024-03-01 10:00:07,000] com.example.shop.Cache: evicted 12 entries\n"
    ))
    assert dw["n_lines"].to_list() == [1, 5, 1]
    assert dw["severity_text"].to_list() == ["INFO", "ERROR", "DEBUG"]
    assert dw["body"][1].startswith("Error handling a request: 9f8e7d6c5b4a3f21\n! java.net.SocketTimeoutException")
    assert dw["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 5, 1000, tzinfo=UTC)
    assert attrs(dw.row(0, named=True))["logger"] == "io.dropwizard.server.ServerFactory"

    tornado = _read_one(tmp_path, "web.log", (
        "[I 240301 10:00:00 web:2344] 200 GET /api/items (10.0.0.5) 3.21ms\n"
        "[E 240301 10:00:02 web:1871] Uncaught exception POST /api/pay (10.0.0.5)\n"
        "    Traceback (most recent call last):\n"
        "      File \"/app/handlers.py\", line 22, in post\n"
        "    KeyError: 'amount'\n"
        "[W 2024-03-01 10:00:04.123 ServerApp] Notebook Untitled.ipynb is not trusted\n"
    ))
    assert tornado["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert tornado["n_lines"].to_list() == [1, 4, 1]
    assert tornado["timestamp"].to_list() == [
        datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 2, tzinfo=UTC),
        datetime(2024, 3, 1, 10, 0, 4, 123000, tzinfo=UTC),
    ]
    assert tornado["body"][0] == "200 GET /api/items (10.0.0.5) 3.21ms"

    certbot = _read_one(tmp_path, "letsencrypt.log", (
        "2024-03-01 10:00:00,124:DEBUG:certbot._internal.main:Arguments: ['--nginx', '-d', 'shop.example.com']\n"
        "2024-03-01 10:00:05,000:WARNING:certbot._internal.auth_handler:Challenge failed for domain shop.example.com\n"
        "2024-03-01 10:00:05,001:ERROR:certbot._internal.error_handler:Encountered exception during recovery:\n"
        "Traceback (most recent call last):\n"
        "  File \"/usr/lib/python3/dist-packages/certbot/_internal/auth_handler.py\", line 108, in handle_authorizations\n"
        "certbot.errors.AuthorizationError: Some challenges have failed.\n"
    ))
    assert certbot["severity_text"].to_list() == ["DEBUG", "WARN", "ERROR"]
    assert certbot["body"][0] == "Arguments: ['--nginx', '-d', 'shop.example.com']"
    assert certbot["n_lines"].to_list() == [1, 1, 4]
    assert attrs(certbot.row(2, named=True))["logger"] == "certbot._internal.error_handler"


def test_mariadb_cockroach_linkerd_npm_and_erlang_reports(tmp_path):
    """More layouts the probe found read as raw lines: MariaDB's error log (with the old
    yyMMdd stamps and a crash dump), CockroachDB, linkerd-proxy (uptime, not a time), npm's
    debug log, Erlang/OTP reports."""
    maria = _read_one(tmp_path, "mariadb-error.log", (
        "240301 10:00:00 mysqld_safe Starting mariadbd daemon with databases from /var/lib/mysql\n"
        "2024-03-01 10:00:01 0 [Warning] You need to use --log-bin to make --binlog-format work.\n"
        "2024-03-01 10:00:02 0 [Note] /usr/sbin/mariadbd: ready for connections.\n"
        "Version: '10.11.6-MariaDB-0+deb12u1'  socket: '/run/mysqld/mysqld.sock'  port: 3306  Debian 12\n"
        "2024-03-01 10:00:05 42 [Warning] Aborted connection 42 to db: 'shop' user: 'app' host: '2001:db8::50'\n"
        "240301 10:00:07 [ERROR] mysqld got signal 11 ;\n"
        "Sorry, we probably made a mistake, and this is a bug.\n"
        "\n"
        "Thread pointer: 0x7f1234567890\n"
        "/usr/sbin/mariadbd(handle_fatal_signal+0x475)[0x55d1c2a1b2c3]\n"
        "2024-03-01 10:00:09 0 [Note] InnoDB: Starting crash recovery from checkpoint LSN=123456789\n"
    ))
    assert maria["n_lines"].to_list() == [1, 1, 2, 1, 5, 1]
    assert maria["severity_text"].to_list() == [None, "WARN", "INFO", "WARN", "ERROR", "INFO"]
    assert maria["timestamp"][0] == datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC)
    assert maria["timestamp"][4] == datetime(2024, 3, 1, 10, 0, 7, tzinfo=UTC)
    assert maria["body"][4].startswith("mysqld got signal 11 ;\nSorry")

    crdb = _read_one(tmp_path, "cockroach.log", (
        "I240301 10:00:00.123456 1 util/log/file_sync_buffer.go:238 ⋮ [config]   running on machine: ‹crdb-0›\n"
        "I240301 10:00:01.500000 52 server/server.go:1640 ⋮ [n1] 12  starting grpc/postgres server at ‹[::]:26257›\n"
        "W240301 10:00:05.000000 1234 kv/kvserver/replica_raft.go:1604 ⋮ [n1,s1,r42/1:‹/Table/5{3-4}›,raft] 345  have been waiting 61.00s\n"
        "F240301 10:00:07.000000 3456 storage/pebble.go:1234 ⋮ [n1,s1] 567  disk stall detected\n"
        "I240301 10:00:08.000000 52 1@util/log/event_log.go:32 ⋮ [n1] 678 ={\"EventType\":\"node_restart\",\"NodeID\":1}\n"
    ))
    assert crdb["severity_text"].to_list() == ["INFO", "INFO", "WARN", "FATAL", "INFO"]
    assert crdb["timestamp"][2] == datetime(2024, 3, 1, 10, 0, 5, tzinfo=UTC)
    assert crdb["body"].to_list()[1:4] == ["starting grpc/postgres server at ‹[::]:26257›", "have been waiting 61.00s", "disk stall detected"]
    assert attrs(crdb.row(2, named=True))["logger"] == "kv/kvserver/replica_raft.go:1604"

    linkerd = _read_one(tmp_path, "linkerd-proxy.log", (
        "[     0.001234s]  INFO ThreadId(01) linkerd2_proxy::rt: Using single-threaded proxy runtime\n"
        "[    12.345678s]  WARN ThreadId(01) outbound:proxy{addr=10.0.2.7:8080}:service{ns=shop name=payments port=8080}: "
        "linkerd_reconnect: Failed to connect error=Connection refused (os error 111)\n"
        "[    14.500000s] ERROR ThreadId(01) outbound:proxy{addr=[2001:db8::7]:8080}: linkerd_app_core::errors::respond: "
        "HTTP/1.1 request failed error=logical service payments.shop.svc.cluster.local:8080: service unavailable\n"
    ))
    assert linkerd["severity_text"].to_list() == ["INFO", "WARN", "ERROR"]
    assert linkerd["timestamp"].null_count() == 3
    assert [b.split(" error=")[0] for b in linkerd["body"]] == [
        "Using single-threaded proxy runtime", "Failed to connect", "HTTP/1.1 request failed"]
    assert attrs(linkerd.row(2, named=True))["logger"] == "linkerd_app_core::errors::respond"

    npm = _read_one(tmp_path, "npm-debug.log", (
        "0 verbose cli /usr/local/bin/node /usr/local/bin/npm\n1 info using npm@10.2.4\n"
        "8 warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.\n"
        "11 error code 1\n15 silly logfile done cleaning log files\n"
    ))
    assert npm["severity_text"].to_list() == ["DEBUG", "INFO", "WARN", "ERROR", "TRACE"]
    assert npm["body"][3] == "code 1"

    erl = _read_one(tmp_path, "couch.log", (
        "=INFO REPORT==== 1-Mar-2024::10:00:00.123456 ===\n"
        "    application: couch\n"
        "\n"
        "=ERROR REPORT==== 1-Mar-2024::10:00:05.000001 ===\n"
        "** Generic server couch_replicator_manager terminating \n"
        "** Reason for termination ==\n"
        "** killed\n"
        "\n"
        "=CRASH REPORT==== 1-Mar-2024::10:00:05.000002 ===\n"
        "  crasher:\n"
        "    initial call: couch_replicator_manager:init/1\n"
        "=WARNING REPORT==== 1-Mar-2024::10:00:06 ===\n"
        "Mnesia('couchdb@db1.example.com'): ** WARNING ** Mnesia is overloaded: {dump_log,write_threshold}\n"
    ))
    assert erl["n_lines"].to_list() == [3, 5, 3, 2]
    assert erl["severity_text"].to_list() == ["INFO", "ERROR", "ERROR", "WARN"]
    assert erl["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 5, 1, tzinfo=UTC)
    assert erl["body"][1].startswith("** Generic server couch_replicator_manager terminating")


def test_supervisord_zerolog_fluent_bit_and_slog_levels(tmp_path):
    """Level spellings a blind probe found unread: supervisord's DEBG/ERRO/BLAT, zerolog's
    PNC, Fluent Bit's padded '[ warn]', Go slog's levels between its own (ERROR+4)."""
    sup = _read_one(tmp_path, "supervisord.log", (
        "2024-03-01 10:00:03,500 WARN exited: worker_00 (exit status 1; not expected)\n"
        "2024-03-01 10:00:05,100 DEBG 'nginx' stderr output:\n"
        "2024-03-01 10:00:06,000 ERRO pool nginx event buffer overflowed, discarding event 42\n"
        "2024-03-01 10:00:07,000 BLAT something only visible at blather\n"
    ))
    assert sup["severity_text"].to_list() == ["WARN", "DEBUG", "ERROR", "TRACE"]
    assert sup["body"][2] == "pool nginx event buffer overflowed, discarding event 42"
    zl = _read_one(tmp_path, "orders.log", (
        "2024-03-01T10:00:03+01:00 ERR insert order error=\"pq: duplicate key\" request_id=c3f1\n"
        "2024-03-01T10:00:05+01:00 FTL cannot start error=\"listen tcp :8081: bind: address already in use\"\n"
        "2024-03-01T10:00:07+01:00 PNC unreachable service=orders\n"
    ))
    assert zl["severity_text"].to_list() == ["ERROR", "FATAL", "FATAL"]
    assert zl["body"][2] == "unreachable service=orders"
    fb = _read_one(tmp_path, "fluent-bit.log", (
        "[2024/03/01 10:00:00] [ info] [fluent bit] version=2.2.2, commit=eeea396e88, pid=1\n"
        "[2024/03/01 10:00:05] [error] [output:es:es.0] HTTP status=400 URI=/_bulk, response:\n"
        "[2024/03/01 10:00:05] [ warn] [engine] failed to flush chunk '1-1709287205.123456789.flb', retry in 10 seconds\n"
    ))
    assert fb["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert fb["body"][2].startswith("[engine] failed to flush chunk")
    slog = _read_one(tmp_path, "api.log", (
        'time=2024-03-01T10:00:03.250+01:00 level=ERROR msg="payment failed" order.id=42\n'
        'time=2024-03-01T10:00:04.000+01:00 level=INFO+2 msg="elevated info"\n'
        'time=2024-03-01T10:00:05.000+01:00 level=DEBUG-4 msg="very verbose"\n'
        'time=2024-03-01T10:00:06.000+01:00 level=ERROR+4 msg="critical: ledger mismatch" diff=-12.50\n'
    ))
    assert slog["severity_text"].to_list() == ["ERROR", "INFO", "TRACE", "FATAL"]
    assert slog["severity_number"].to_list() == [17, 11, 1, 21]
    js = _read_one(tmp_path, "api.json", (
        '{"time":"2024-03-01T10:00:04+01:00","level":"INFO+2","msg":"elevated info"}\n'
        '{"time":"2024-03-01T10:00:06+01:00","level":"ERROR+4","msg":"critical: ledger mismatch"}\n'
    ))
    assert [(r["severity_text"], r["body"]) for r in js.to_dicts()] == [("INFO", "elevated info"), ("FATAL", "critical: ledger mismatch")]


def test_clickhouse_levels(tmp_path):
    """Heads whose level a blind probe found unread: ClickHouse's <Error>."""
    ch = _read_one(tmp_path, "clickhouse-server.log", (
        "2024.03.01 10:00:01.000001 [ 4243 ] {} <Warning> Context: Linux transparent hugepages are set to \"always\".\n"
        "2024.03.01 10:00:05.654321 [ 4301 ] {3f9a1c2e-7b8d-4e5f-9a0b-1c2d3e4f5a6b} <Error> executeQuery: Code: 60. "
        "DB::Exception: Table default.orderz does not exist. (UNKNOWN_TABLE), Stack trace (when copying this message, always include the lines below):\n"
        "\n"
        "0. DB::Exception::Exception(DB::Exception::MessageMasked&&, int, bool) @ 0x000000000c4fd597 in /usr/bin/clickhouse\n"
        "\n"
        "2024.03.01 10:00:07.000000 [ 4303 ] {} <Trace> SystemLog (system.query_log): Flushing system log, 12 entries\n"
        "2024.03.01 10:00:08.000000 [ 4304 ] {} <Fatal> BaseDaemon: ########################################\n"
        "2024.03.01 10:00:09.000000 [ 4242 ] {} <Information> Application: Child process was terminated by signal 11.\n"
    ))
    assert ch["severity_text"].to_list() == ["WARN", "ERROR", "TRACE", "FATAL", "INFO"]
    assert ch["n_lines"].to_list() == [1, 4, 1, 1, 1]
    assert ch["body"][1].startswith("Code: 60. DB::Exception: Table default.orderz does not exist.")
    assert ch["body"][2] == "Flushing system log, 12 entries"
    assert attrs(ch.row(2, named=True))["logger"] == "SystemLog (system.query_log)"
    assert ch["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 5, 654321, tzinfo=UTC)


def test_salt_padded_logger_and_level(tmp_path):
    """SaltStack's '[logger  :line][ERROR   ][pid]' head (levels were null)."""
    salt = _read_one(tmp_path, "minion", (
        "2024-03-01 10:00:00,123 [salt.minion                                          :1234][INFO    ][4242] Minion is starting as user 'root'\n"
        "2024-03-01 10:00:01,457 [salt.loaded.int.module.cmdmod                        :893 ][ERROR   ][4250] stderr: Job for nginx.service failed.\n"
        "See \"systemctl status nginx.service\" and \"journalctl -xeu nginx.service\" for details.\n"
        "2024-03-01 10:00:04,000 [salt.minion                                          :1120][CRITICAL][4242] Unexpected exception in minion\n"
        "2024-03-01 10:00:05,000 [salt.loader.10.0.0.1.int.module.network:2001][DEBUG   ][4242] LazyLoaded network.ipaddrs\n"
    ))
    assert salt["severity_text"].to_list() == ["INFO", "ERROR", "FATAL", "DEBUG"]
    assert salt["n_lines"].to_list() == [1, 2, 1, 1]
    assert salt["body"][0] == "Minion is starting as user 'root'"
    assert attrs(salt.row(3, named=True))["logger"] == "salt.loader.10.0.0.1.int.module.network"


def test_elixir_metadata_before_the_level(tmp_path):
    """Elixir's Logger with metadata before '[error]' (levels were null)."""
    ex = _read_one(tmp_path, "shop.log", (
        "2024-03-01 10:00:00.123 [info] Running ShopWeb.Endpoint with cowboy 2.10.0 at :::4000 (http)\n"
        "2024-03-01 10:00:01.456 request_id=F7a1b2c3d4e5f6g7h8i9 [info] GET /api/orders/42\n"
        "2024-03-01 10:00:02.001 request_id=F7a1b2c3d4e5f6g7h8j0 [error] #PID<0.4567.0> running ShopWeb.Endpoint terminated\n"
        "** (exit) an exception was raised:\n"
        "2024-03-01 10:00:03.000 [warning] Postgrex.Protocol (#PID<0.300.0>) disconnected\n"
    ))
    assert ex["severity_text"].to_list() == ["INFO", "INFO", "ERROR", "WARN"]
    assert ex["body"][1] == "GET /api/orders/42"
    assert attrs(ex.row(1, named=True))["mdc"] == "request_id=F7a1b2c3d4e5f6g7h8i9"


def test_airflow_iso_stamp(tmp_path):
    """Airflow's ISO-stamped task log lines (levels were null)."""
    af = _read_one(tmp_path, "attempt=1.log", (
        "[2024-03-01, 09:58:07 UTC] {local_task_job_runner.py:234} INFO - Task exited with return code 1\n"
        "[2024-03-01T09:58:08.123+0000] {logging_mixin.py:188} WARNING - /opt/airflow/x.py:124 DeprecationWarning: Müll\n"
    ))
    assert af["severity_text"].to_list() == ["INFO", "WARN"]
    assert af["body"][1].startswith("/opt/airflow/x.py:124 DeprecationWarning")
    assert af["timestamp"][1] == datetime(2024, 3, 1, 9, 58, 8, 123000, tzinfo=UTC)


def test_jul_method_after_the_class(tmp_path):
    """java.util.logging's method after the class had kept the next line's FINE in the message."""
    jul = _read_one(tmp_path, "vertx.log", (
        "Mar 01, 2024 10:00:00 AM io.vertx.core.impl.launcher.commands.VertxIsolatedDeployer\n"
        "INFO: Succeeded in deploying verticle\n"
        "Mar 01, 2024 10:00:05 AM io.vertx.core.net.impl.ConnectionBase\n"
        "SEVERE: Connection reset by peer\n"
        "Mar 01, 2024 10:00:06 AM io.vertx.core.impl.BlockedThreadChecker\n"
        "WARNING: Thread Thread[vert.x-eventloop-thread-1,5,main] has been blocked for 2734 ms\n"
        "Mar 01, 2024 1:00:07 PM shop.Main lambda$main$0\n"
        "FINE: heartbeat ok\n"
        "Mar 01, 2024 12:30:00 AM shop.Main lambda$main$0\n"
        "CONFIG: config reloaded\n"
    ))
    assert jul["severity_text"].to_list() == ["INFO", "ERROR", "WARN", "DEBUG", "INFO"]
    assert jul["body"].to_list()[3:] == ["heartbeat ok", "config reloaded"]
    assert jul["timestamp"][3] == datetime(2024, 3, 1, 13, 0, 7, tzinfo=UTC)
    assert attrs(jul.row(3, named=True))["logger"] == "shop.Main"


def test_zap_console_caller_and_logger_name(tmp_path):
    """zap's console encoder: the caller (and a named logger) had stayed in the message."""
    zap = _read_one(tmp_path, "payments.log", (
        "2024-03-01T10:00:00.101+0100\tINFO\tpayments/server.go:40\tstarting server\t{\"addr\": \"[::]:8080\", \"version\": \"1.14.2\"}\n"
        "2024-03-01T10:00:00.250+0100\tDEBUG\tpayments.db\tdb/pool.go:77\tpool warmed\t{\"conns\": 10}\n"
        "2024-03-01T10:00:04.017+0100\tERROR\tpayments/charge.go:88\tcharge failed\t{\"order\": 42, \"error\": \"card declined\"}\n"
        "main.(*Server).charge\n"
        "\t/app/payments/charge.go:88\n"
    ))
    # (the JSON fields after the message's tab are attributes: see test_ingest_probe_as_b)
    assert zap["body"].to_list()[:2] == ["starting server", "pool warmed"]
    assert zap["body"][2].startswith("charge failed\nmain.(*Server).charge")
    assert attrs(zap.row(0, named=True))["addr"] == "[::]:8080"
    assert zap["n_lines"].to_list() == [1, 1, 3]
    assert attrs(zap.row(1, named=True))["logger"] == "payments.db"
    assert attrs(zap.row(1, named=True))["code"] == "db/pool.go:77"


def test_pino_pretty_logstash_plugin_id_log4net_ndc_and_flink_empty_mdc(tmp_path):
    """Head text a blind probe found left in the message: pino-pretty's '(name/pid on host):',
    Logstash's plugin id after the pipeline, log4net's '[(null)] - ', Flink's '[] - '."""
    pp = _read_one(tmp_path, "checkout.log", (
        "[2024-03-01 10:00:00.123 +0100] INFO (checkout/1 on checkout-7d9f8b6c5-x2q4z): server listening\n"
        "    port: 3000\n"
        "[2024-03-01 10:00:03.000 +0100] WARN (1 on checkout-7d9f8b6c5-x2q4z): retrying Zürich warehouse\n"
    ))
    assert pp["body"].to_list() == ["server listening\n    port: 3000", "retrying Zürich warehouse"]
    assert attrs(pp.row(0, named=True))["logger"] == "checkout"
    ls = _read_one(tmp_path, "logstash-plain.log", (
        "[2024-03-01T10:00:05,456][INFO ][logstash.javapipeline    ][main] Pipeline started {\"pipeline.id\"=>\"main\"}\n"
        "[2024-03-01T10:00:06,789][WARN ][logstash.outputs.elasticsearch][main][e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2] "
        "Could not index event to Elasticsearch. status: 400\n"
    ))
    assert ls["body"].to_list() == ["Pipeline started {\"pipeline.id\"=>\"main\"}", "Could not index event to Elasticsearch. status: 400"]
    assert attrs(ls.row(1, named=True))["thread"] == "main"
    l4n = _read_one(tmp_path, "shop-web.log", (
        "2024-03-01 10:00:00,123 [1] INFO  Shop.Web.Global [(null)] - Application starting, version 4.2.0.1187\n"
        "2024-03-01 10:00:03,001 [12] ERROR Shop.Payments.Gateway [req-7f3a] - Charge failed for order 42\n"
        "System.Net.WebException: The remote server returned an error: (502) Bad Gateway.\n"
        "   at System.Net.HttpWebRequest.GetResponse()\n"
    ))
    assert l4n["body"][0] == "Application starting, version 4.2.0.1187"
    assert l4n["body"][1].startswith("Charge failed for order 42\nSystem.Net.WebException")
    assert "mdc" not in attrs(l4n.row(0, named=True))
    assert attrs(l4n.row(1, named=True))["mdc"] == "req-7f3a"
    fl = _read_one(tmp_path, "flink-taskexecutor.log", (
        "2024-03-01 10:00:00,123 INFO  org.apache.flink.runtime.taskexecutor.TaskExecutor           [] - Receive slot request 7f3e\n"
        "2024-03-01 10:00:09,100 ERROR org.apache.flink.runtime.checkpoint.CheckpointCoordinator    [jobId=a1b2c3d4] - Failed to trigger checkpoint\n"
    ))
    assert fl["body"].to_list() == ["Receive slot request 7f3e", "Failed to trigger checkpoint"]
    assert attrs(fl.row(0, named=True))["logger"] == "org.apache.flink.runtime.taskexecutor.TaskExecutor"


def test_akka_classic_logger_and_dead_letters(tmp_path):
    """Akka's classic logger: thread and source had stayed in the message, and a dead
    letter's marker before the stamp had lost the record its time."""
    akka = _read_one(tmp_path, "shop-akka.log", (
        "[INFO] [03/01/2024 10:00:00.123] [main] [akka.event.slf4j.Slf4jLogger] Slf4jLogger started\n"
        "[ERROR] [03/01/2024 10:00:06.777] [shop-akka.actor.default-dispatcher-5] [akka://shop/user/payments/worker-3] Charge failed for order 42\n"
        "java.util.concurrent.TimeoutException: Ask timed out on [Actor[akka://shop/user/gateway#-1234]] after [5000 ms].\n"
        "\tat akka.pattern.PromiseActorRef$.$anonfun$defaultOnTimeout$1(AskSupport.scala:675)\n"
        "[INFO] [akkaDeadLetter][03/01/2024 10:00:08.000] [shop-akka.actor.default-dispatcher-2] [akka://shop/user/gateway] "
        "Message [shop.Charge] from Actor[akka://shop/temp/$a] to Actor[akka://shop/user/gateway#-1234] was not delivered.\n"
    ))
    assert akka["severity_text"].to_list() == ["INFO", "ERROR", "INFO"]
    assert akka["n_lines"].to_list() == [1, 3, 1]
    assert akka["body"][0] == "Slf4jLogger started"
    assert akka["body"][1].startswith("Charge failed for order 42\njava.util.concurrent.TimeoutException")
    assert akka["body"][2].startswith("Message [shop.Charge] from")
    assert akka["timestamp"][2] == datetime(2024, 3, 1, 10, 0, 8, tzinfo=UTC)
    assert attrs(akka.row(1, named=True))["logger"] == "akka://shop/user/payments/worker-3"


def test_php_error_log_stamp_with_utc_before_other_lines(tmp_path):
    """WordPress writes its own lines into PHP's error log: 'UTC]' had stayed in their message."""
    wp = _read_one(tmp_path, "debug.log", (
        "[01-Mar-2024 10:00:00 UTC] PHP Warning:  Undefined array key \"order\" in /var/www/html/wp-content/plugins/shop/pay.php on line 41\n"
        "[01-Mar-2024 10:00:01 UTC] WordPress database error Table 'wp_shop.wp_wc_orders' doesn't exist for query SELECT 1\n"
        "[01-Mar-2024 10:00:02 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function wc_get_order()\n"
    ))
    assert wp["body"][1].startswith("WordPress database error Table")
    assert wp["timestamp"][1] == datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC)
    assert wp["severity_text"].to_list() == ["WARN", None, "FATAL"]


def test_flask_and_werkzeug_development_server(tmp_path):
    """Flask's default handler ('ERROR in app:' had stayed in the message) and werkzeug's
    request lines, whose '01/Mar/2024 10:00:03' stamp had been read as no time."""
    fl = _read_one(tmp_path, "shop.log", (
        " * Serving Flask app 'shop'\n"
        "127.0.0.1 - - [01/Mar/2024 10:00:01] \"GET /api/items HTTP/1.1\" 200 -\n"
        "[2024-03-01 10:00:03,123] ERROR in app: Exception on /api/pay [POST]\n"
        "Traceback (most recent call last):\n"
        "  File \"/app/shop/views.py\", line 41, in pay\n"
        "ValueError: bad amount: '12,50 €'\n"
        "127.0.0.1 - - [01/Mar/2024 10:00:03] \"POST /api/pay HTTP/1.1\" 500 -\n"
        "[2024-03-01 10:00:05,000] WARNING in views: slow query took 2.3s\n"
    ))
    rows = fl.filter(pl.col("parse_error").is_null()).to_dicts()
    assert [(r["body"].split("\n")[0], r["severity_text"]) for r in rows] == [
        ("GET /api/items 200", "INFO"), ("Exception on /api/pay [POST]", "ERROR"),
        ("POST /api/pay 500", "ERROR"), ("slow query took 2.3s", "WARN"),
    ]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC)
    assert rows[1]["n_lines"] == 4
    assert attrs(rows[3])["logger"] == "views"


def test_django_development_server(tmp_path):
    """Django's runserver output (a blind probe found it read as raw lines): the request
    lines' time and level (from the status), django.request's failure lines with their
    traceback, whatever the start-up banner."""
    dj = _read_one(tmp_path, "runserver.log", (
        "Watching for file changes with StatReloader\n"
        "Performing system checks...\n"
        "\n"
        "System check identified no issues (0 silenced).\n"
        "March 01, 2024 - 10:00:00\n"
        "Django version 5.0.2, using settings 'shop.settings'\n"
        "Starting development server at http://0.0.0.0:8000/\n"
        "Quit the server with CONTROL-C.\n"
        "\n"
        "[01/Mar/2024 10:00:01] \"GET /api/items/ HTTP/1.1\" 200 1534\n"
        "Internal Server Error: /api/pay/\n"
        "Traceback (most recent call last):\n"
        "  File \"/app/shop/views.py\", line 88, in pay\n"
        "    order = Order.objects.get(pk=order_id)\n"
        "shop.models.Order.DoesNotExist: Order matching query does not exist.\n"
        "[01/Mar/2024 10:00:02] \"POST /api/pay/ HTTP/1.1\" 500 145\n"
        "Not Found: /favicon.ico\n"
        "[01/Mar/2024 10:00:03] \"GET /favicon.ico HTTP/1.1\" 404 2307\n"
    ))
    rows = dj.filter(pl.col("line_no") >= 10).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (10, 1, "INFO"), (11, 5, "ERROR"), (16, 1, "ERROR"), (17, 1, "WARN"), (18, 1, "WARN"),
    ]
    assert rows[0]["body"] == "\"GET /api/items/ HTTP/1.1\" 200 1534"
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC)
    assert rows[1]["body"].startswith("Internal Server Error: /api/pay/\nTraceback")


def test_django_request_lines_start_records_in_runserver_output_only(tmp_path):
    """A line that reads like django.request's ('Not Found: ...') inside another log's
    multi-line message stays in that message."""
    other = _read_one(tmp_path, "api.log", (
        "2024-03-01 10:00:00,123 ERROR [main] c.x.Api - lookup failed\n"
        "Not Found: /api/items/999\n"
        "2024-03-01 10:00:01,000 INFO [main] c.x.Api - done\n"
        "2024-03-01 10:00:02,000 INFO [main] c.x.Api - done\n"
    ))
    assert other["n_lines"].to_list() == [2, 1, 1]


def test_a_head_bracket_holding_only_a_trace_id_is_the_trace_id(tmp_path):
    """log4j's ``%d %p [%t] [%X{traceId}] %c - %m`` with a bare W3C trace id: the second
    bracket is the record's trace id (shared with the caller's records), not its thread."""
    log = tmp_path / "drm-license.log"
    log.write_text(
        "2026-03-17 11:25:43,634 INFO  [http-nio-8443-exec-6] [b5409b86bf968255585ba445b86105ae] "
        "c.s.drm.api.LicenseController - License issued keySystem=widevine durationMs=51\n"
        "2026-03-17 11:25:44,101 ERROR [http-nio-8443-exec-7] [9b99c7d13597cbaf] c.s.drm.api.LicenseController - "
        "License request failed\n"
        "2026-03-17 11:25:45,000 INFO  [main] c.s.drm.Cache - cache warmed\n"
    )
    df = read_logs(log)
    assert df["trace_id"].to_list() == ["b5409b86bf968255585ba445b86105ae", "9b99c7d13597cbaf", None]
    assert df["body"][0] == "License issued keySystem=widevine durationMs=51"
    assert df["severity_text"].to_list() == ["INFO", "ERROR", "INFO"]
    assert "b5409b86" not in df["attributes"][0]


def test_winston_simple_format_http_and_silly_levels():
    """winston's ``format.simple()``: "<level>: <message> <meta JSON>"; its own levels
    ``http`` (INFO) and ``silly`` (TRACE) are levels like ``info:`` and ``warn:``."""
    text = (
        'info: Server listening on 3000 {"service":"gateway"}\n'
        'http: GET /health 200 2ms {"service":"gateway"}\n'
        'warn: upstream slow {"service":"gateway","ms":2300}\n'
        'silly: cache probe {"service":"gateway"}\n'
        "2024-03-05T10:00:04.000Z http: POST /api/pay 502 31ms\n"
    )
    rows = parse_lines(TEXT, text).to_dicts()
    assert [(r["severity_text"], r["parse_error"]) for r in rows] == [
        ("INFO", None), ("INFO", None), ("WARN", None), ("TRACE", None), ("INFO", None)]
    assert rows[1]["body"].startswith("GET /health 200 2ms")
    assert rows[4]["timestamp"] == datetime(2024, 3, 5, 10, 0, 4, tzinfo=UTC)
    assert rows[4]["body"] == "POST /api/pay 502 31ms"


def test_node_error_stack_under_a_winston_text_record_joins_it():
    """A Node stack ("Error: msg" and its "    at" frames) printed under a winston record
    is that record's, not a record of its own at level ERROR."""
    text = (
        "2024-03-05T10:00:01.123Z info: Server listening on 3000\n"
        "2024-03-05T10:00:02.500Z error: upstream timeout\n"
        "Error: upstream timeout\n"
        "    at Timeout._onTimeout (/app/src/proxy.js:41:19)\n"
        "    at listOnTimeout (node:internal/timers:573:17)\n"
        "    at process.processTimers (node:internal/timers:514:7)\n"
        "2024-03-05T10:00:03.000Z warn: retrying /api/pay attempt=2\n"
        "2024-03-05T10:00:04.000Z verbose: pool stats idle=3 busy=7\n"
    )
    rows = parse_lines(TEXT, text).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (1, 1, "INFO"), (2, 5, "ERROR"), (7, 1, "WARN"), (8, 1, "DEBUG")]
    assert rows[1]["body"].splitlines()[:2] == ["upstream timeout", "Error: upstream timeout"]


def test_jdk_unified_logging_with_the_default_decorators():
    """``-Xlog:gc*:file=gc.log`` writes uptime, level and tags only: the level and the tags
    are read, the message is the rest, and the uptime is no time (null)."""
    text = (
        "[0.012s][info][gc] Using G1\n"
        "[0.015s][info][gc,init] Version: 21.0.2+13-LTS (release)\n"
        "[12.345s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 512M->128M(1024M) 12.345ms\n"
        "[301.200s][warning][gc,alloc] GC(88) To-space exhausted\n"
        "[301.450s][info   ][gc,start    ] GC(89) Pause Full (G1 Compaction Pause)\n"
        "[302900ms][error][gc,heap,exit] Heap exhausted, terminating\n"
    )
    assert TEXT.sniff(text.splitlines()) == 0.95  # (every line a head)
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [(r["severity_text"], r["body"], attrs(r).get("logger")) for r in rows] == [
        ("INFO", "Using G1", "gc"),
        ("INFO", "Version: 21.0.2+13-LTS (release)", "gc,init"),
        ("INFO", "GC(12) Pause Young (Normal) (G1 Evacuation Pause) 512M->128M(1024M) 12.345ms", "gc"),
        ("WARN", "GC(88) To-space exhausted", "gc,alloc"),
        ("INFO", "GC(89) Pause Full (G1 Compaction Pause)", "gc,start"),
        ("ERROR", "Heap exhausted, terminating", "gc,heap,exit"),
    ]
    assert all(r["timestamp"] is None and r["parse_error"] is None for r in rows)


def test_a_sidekiq_jobs_pairs_are_its_fields_and_elapsed_the_time_it_took():
    """Sidekiq's ``pid= tid= class= jid= elapsed=`` pairs were one opaque ``mdc`` string: a
    blind probe's worker went from 0.2 s to 100 s a job (``elapsed=105.860``) and nothing
    saw it. The job's class is its logger, the job id its trace (start, done and fail
    lines), ``elapsed`` a number of seconds; other pairs stay ``mdc``."""
    text = (
        "2025-03-15T07:00:00.500Z pid=1 tid=7fc0 class=OrderConfirmationJob jid=41431b48 INFO: start\n"
        "2025-03-15T07:01:45.560Z pid=1 tid=7fc0 class=OrderConfirmationJob jid=41431b48 elapsed=105.860 INFO: done\n"
        "2025-03-15T07:01:46.000Z pid=1 tid=8ab1 class=PickListJob jid=77aa bid=b-91 elapsed=0.25 INFO: done\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [r["trace_id"] for r in rows] == ["41431b48", "41431b48", "77aa"]
    fields = [attrs(r) for r in rows]
    assert [f.get("logger") for f in fields] == ["OrderConfirmationJob", "OrderConfirmationJob", "PickListJob"]
    assert [f.get("elapsed") for f in fields] == [None, 105.86, 0.25]
    assert [f.get("mdc") for f in fields] == [None, None, "bid=b-91"]
    assert (fields[1]["thread"], fields[1]["pid"]) == ("7fc0", "1")


def test_serilog_compact_json_with_many_properties(tmp_path):
    """A service's CLEF events hold many property names between them: each hole is filled
    in its own step (blind probe BK: an expression that doubled with every name took 1.6 GB
    to read seven lines holding 16 names, and the report never finished)."""
    names = [f"Prop{k:02d}" for k in range(24)]
    lines = [
        {"@t": f"2024-03-01T10:00:{i % 60:02d}Z", "@mt": f"Step {{{a}}} then {{{b}}} for {{Missing}}", a: i, b: f"v{i}"}
        for i, (a, b) in enumerate(zip(names, names[1:] + names[:1], strict=True))
    ]
    path = tmp_path / "tracking-api.clef"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    rows = read_logs(path).to_dicts()
    assert [r["body"] for r in rows[:2]] == ["Step 0 then v0 for {Missing}", "Step 1 then v1 for {Missing}"]
    assert len(rows) == 24


def test_a_rails_exception_logged_line_by_line_is_one_record(tmp_path):
    """Blind probe BL: Rails (ActionDispatch's DebugExceptions) logs an exception one tagged
    FATAL line at a time: a blank line, the exception, the template's source extract, the
    backtrace. Each was a FATAL record of its own (842 error records for 165 failed
    requests). The lines of one block, same level, same tags, one after the other, are one
    record; another request's lines between them start their own."""
    rid, other = "90d0812f7ac6a5b7b3d13f176d859a1f", "e89e12e2a3bb825fa4f3cdf1c1ebd215"
    log = (
        f"I, [2026-03-19T10:12:13.244964 #24]  INFO -- : [{rid}] Completed 500 Internal Server Error in 48ms\n"
        f"F, [2026-03-19T10:12:13.245064 #24] FATAL -- : [{rid}]   \n"
        f"F, [2026-03-19T10:12:13.245074 #24] FATAL -- : [{rid}] ActionView::Template::Error (undefined method `display_name' for nil):\n"
        f"F, [2026-03-19T10:12:13.245084 #24] FATAL -- : [{rid}]     12:       <td><%= appt.clinician.display_name %></td>\n"
        f"F, [2026-03-19T10:12:13.245094 #24] FATAL -- : [{rid}]   \n"
        f"F, [2026-03-19T10:12:13.245104 #24] FATAL -- : [{rid}] app/views/appointments/_row.html.erb:12\n"
        f"I, [2026-03-19T10:12:14.025444 #24]  INFO -- : [{other}] Started GET \"/portal/appointments\" for 10.1.135.28\n"
        f"F, [2026-03-19T10:12:15.100000 #24] FATAL -- : [{other}]   \n"
        f"F, [2026-03-19T10:12:15.100010 #24] FATAL -- : [{other}] ActionController::RoutingError (No route matches [GET] \"/wp-login.php\"):\n"
    )
    (tmp_path / "production.log").write_text(log)
    rows = read_logs(tmp_path / "production.log").to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("INFO", 1), ("FATAL", 5), ("INFO", 1), ("FATAL", 2)]
    assert "ActionView::Template::Error (undefined method `display_name' for nil):" in rows[1]["body"]
    assert rows[1]["body"].splitlines()[-1] == "app/views/appointments/_row.html.erb:12"
    assert "RoutingError" in rows[3]["body"]
