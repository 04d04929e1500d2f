"""Layouts a blind probe (probe AL) found misread: Spring Boot 3.2's console with the
application's name and Micrometer's correlation, klog lines dated in a file of other stamps,
Lambda's Python lines in a Logs Insights export, time-of-day lines in catalina.out, Fluent
Bit's and fluentd's stdout outputs, stern's output with its stderr."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from rcakit.ingest import read_logs


def _write(tmp_path, name: str, lines: list[str], mtime: datetime | None = None):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return path


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def _attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def test_spring_boot_32_application_name_and_correlation(tmp_path):
    """Spring Boot 3.2's default console pattern: "[<application>] [<thread>]" after "---", and
    with Micrometer tracing "[<traceId>-<spanId>]" (blanks without a trace) after the thread.
    The application's bracket was taken for the thread and the rest left in the message."""
    frame = read_logs(_write(tmp_path, "orders-7d4b9c8f6d-x2q4z.log", [
        "2024-03-05T11:00:00.123+01:00  INFO 1 --- [orders-api] [           main] c.s.orders.OrdersApplication"
        "             : Starting OrdersApplication v1.4.2 using Java 21.0.2 with PID 1",
        "2024-03-05T11:00:10.456+01:00  INFO 1 --- [orders-api] [nio-8080-exec-1] "
        "[8173a47a34880b91f0624855b493f23b-f08b77965e8b759d] c.s.orders.web.OrderController          : order 0 accepted",
        "2024-03-05T11:00:11.456+01:00  INFO 1 --- [orders-api] [nio-8080-exec-2] "
        "[3f4060a26a6dc0223f64544f4babf142-f1e7e30159a8fa4a] c.s.orders.web.OrderController          : order 1 accepted",
        "2024-03-05T11:00:12.456+01:00  WARN 1 --- [orders-api] [   scheduling-1] "
        "[                                                 ] c.s.orders.jobs.Reconciler               : 3 orders stale",
        "2024-03-05T11:00:20.789+01:00 ERROR 1 --- [orders-api] [nio-8080-exec-7] "
        "[5be1068cf493e280b260aa65322c6338-2db407044d958150] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : "
        "Servlet.service() for servlet [dispatcherServlet] threw exception",
        "java.lang.IllegalStateException: duplicate order",
        "\tat c.s.orders.OrderService.save(OrderService.java:42)",
    ]))
    rows = frame.to_dicts()
    assert frame["n_lines"].sum() == 7
    assert frame["parse_error"].null_count() == frame.height
    assert [(r["timestamp"], r["severity_text"], r["trace_id"], r["body"].split("\n")[0]) for r in rows] == [
        (_at(2024, 3, 5, 10, 0, 0, 123000), "INFO", None, "Starting OrdersApplication v1.4.2 using Java 21.0.2 with PID 1"),
        (_at(2024, 3, 5, 10, 0, 10, 456000), "INFO", "8173a47a34880b91f0624855b493f23b", "order 0 accepted"),
        (_at(2024, 3, 5, 10, 0, 11, 456000), "INFO", "3f4060a26a6dc0223f64544f4babf142", "order 1 accepted"),
        (_at(2024, 3, 5, 10, 0, 12, 456000), "WARN", None, "3 orders stale"),
        (_at(2024, 3, 5, 10, 0, 20, 789000), "ERROR", "5be1068cf493e280b260aa65322c6338",
         "Servlet.service() for servlet [dispatcherServlet] threw exception"),
    ]
    assert [_attrs(r)["thread"] for r in rows] == ["main", "nio-8080-exec-1", "nio-8080-exec-2", "scheduling-1", "nio-8080-exec-7"]
    assert _attrs(rows[1])["logger"] == "c.s.orders.web.OrderController"
    assert "mdc" not in _attrs(rows[3])
    assert rows[4]["n_lines"] == 3

    # before 3.2 (no application bracket): Tomcat's servlet logger with its container path
    older = read_logs(_write(tmp_path, "orders.log", [
        "2024-03-05T11:00:20.789+01:00 ERROR 1 --- [nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : "
        "Servlet.service() for servlet [dispatcherServlet] threw exception",
        "2024-03-05T11:00:21.001+01:00  INFO 1 --- [nio-8080-exec-8] c.s.orders.web.OrderController           : order 9 accepted",
    ])).to_dicts()
    assert [r["body"] for r in older] == ["Servlet.service() for servlet [dispatcherServlet] threw exception", "order 9 accepted"]
    assert _attrs(older[0])["logger"] == "o.a.c.c.C.[.[.[/].[dispatcherServlet]"


def test_yearless_stamps_beside_dated_ones_take_their_neighbours_year(tmp_path):
    """The ingress-nginx controller's log: klog lines ("I0305 10:00:00.123456 ...", no year)
    among nginx's dated error lines and access lines. The klog lines were dated in the
    current year (not the year of the file's other lines); alone in a file they are dated
    by its modification time, as before."""
    lines = [
        "I0305 10:00:00.123456       7 main.go:205] \"Creating API client\" host=\"https://10.96.0.1:443\"",
        "W0305 10:00:00.223456       7 client_config.go:618] Neither --kubeconfig nor --master was specified.",
        '10.0.0.2 - - [05/Mar/2024:10:00:11 +0000] "POST /api/pay HTTP/1.1" 502 150 "-" "okhttp/4.12.0" 512 0.252 '
        "[shop-payments-8080] [] 10.1.2.3:8080 0 0.249 502 64c6383ff47093577b697f58431322",
        "2024/03/05 10:00:11 [error] 31#31: *902 upstream prematurely closed connection while reading response header "
        'from upstream, client: 10.0.0.2, server: shop.example.com, request: "POST /api/pay HTTP/1.1"',
        '10.0.0.3 - - [05/Mar/2024:10:00:16 +0000] "POST /api/pay HTTP/1.1" 200 48 "-" "okhttp/4.12.0" 512 0.253 '
        "[shop-payments-8080] [] 10.1.2.3:8080 0 0.249 200 82c616f9240c362d2c92292384a4db57",
        "I0305 10:01:02.000123       7 controller.go:210] \"Backend successfully reloaded\"",
    ]
    # (copied a year later without its modification time: the dated lines decide)
    frame = read_logs(_write(tmp_path, "ingress-nginx-controller-7d9f8c6b5-x7k2p.log", lines, mtime=_at(2025, 6, 1)))
    assert frame["n_lines"].sum() == 6
    assert frame["timestamp"].to_list() == [
        _at(2024, 3, 5, 10, 0, 0, 123456), _at(2024, 3, 5, 10, 0, 0, 223456), _at(2024, 3, 5, 10, 0, 11),
        _at(2024, 3, 5, 10, 0, 11), _at(2024, 3, 5, 10, 0, 16), _at(2024, 3, 5, 10, 1, 2, 123),
    ]
    # a text log too: year-less glog lines in a Python service's log
    mixed = read_logs(_write(tmp_path, "ranker.log", [
        "2023-12-31 23:59:58,001 INFO ranker.main starting",
        "I1231 23:59:59.500000 12 model.cc:301] model loaded",
        "I0101 00:00:01.000000 12 model.cc:320] first request",
        "2024-01-01 00:00:02,001 INFO ranker.main ready",
    ], mtime=_at(2026, 2, 1)))
    assert mixed["timestamp"].to_list() == [
        _at(2023, 12, 31, 23, 59, 58, 1000), _at(2023, 12, 31, 23, 59, 59, 500000), _at(2024, 1, 1, 0, 0, 1),
        _at(2024, 1, 1, 0, 0, 2, 1000),
    ]
    alone = read_logs(_write(tmp_path, "klog/controller.log", [lines[0], lines[1], lines[-1]], mtime=_at(2024, 3, 5, 12)))
    assert alone["timestamp"].dt.year().to_list() == [2024, 2024, 2024]


def test_times_of_day_between_dated_lines_take_their_date(tmp_path):
    """catalina.out: Tomcat's JULI lines are dated, the app's logback console lines
    (``%d{HH:mm:ss.SSS}``) only timed. Those had no timestamp; they take the date of the
    dated line above them (the next day past midnight), of the one below before the first."""
    frame = read_logs(_write(tmp_path, "tomcat/catalina.out", [
        "10:00:00.001 [main] INFO  c.s.store.Boot - context starting",
        "05-Mar-2024 23:59:58.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [4567] milliseconds",
        "23:59:59.456 [http-nio-8080-exec-0] INFO  c.s.store.web.ProductController - product 0 viewed",
        "00:00:01.456 [http-nio-8080-exec-1] WARN  c.s.store.web.ProductController - product 1 slow",
        "06-Mar-2024 00:00:30.789 SEVERE [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke "
        "Servlet.service() for servlet [dispatcher] threw exception",
        "\tjava.lang.IllegalArgumentException: bad sku",
        "\t\tat com.shop.store.web.ProductController.show(ProductController.java:52)",
        "00:00:31.000 [http-nio-8080-exec-4] INFO  c.s.store.web.ProductController - product 2 viewed",
    ], mtime=_at(2026, 1, 1)))
    assert frame["n_lines"].sum() == 8
    assert frame["parse_error"].null_count() == frame.height
    assert [(r["timestamp"], r["severity_text"]) for r in frame.to_dicts()] == [
        (_at(2024, 3, 5, 10, 0, 0, 1000), "INFO"),
        (_at(2024, 3, 5, 23, 59, 58, 123000), "INFO"),
        (_at(2024, 3, 5, 23, 59, 59, 456000), "INFO"),
        (_at(2024, 3, 6, 0, 0, 1, 456000), "WARN"),
        (_at(2024, 3, 6, 0, 0, 30, 789000), "ERROR"),
        (_at(2024, 3, 6, 0, 0, 31), "INFO"),
    ]
    # in the reader's zone: the date is the dated line's local date
    berlin = read_logs(tmp_path / "tomcat/catalina.out", tz="Europe/Berlin")
    assert berlin["timestamp"][3] == _at(2024, 3, 5, 23, 0, 1, 456000)


def test_lambda_python_runtime_lines_in_a_logs_insights_export(tmp_path):
    """A Logs Insights CSV of Python Lambda functions: the runtime writes "[LEVEL]\\t<stamp>\\t
    <request id>\\t<message>"; the stamp and request id were left in the body."""
    path = tmp_path / "logs-insights-results.csv"
    path.write_text(
        "@timestamp,@message,@logStream,@log\n"
        "2024-03-05 10:04:59.870,START RequestId: c4be1253-4ea2-42d4-2957-d6a2ea5a36c9 Version: $LATEST,"
        "2024/03/05/[$LATEST]54091d6cfbb2d5e08447c55046b98c93,123456789012:/aws/lambda/refund-fn\n"
        "2024-03-05 10:04:42.833,[INFO]\t2024-03-05T10:04:42.833Z\td1d681ad-b65c-7028-4da6-2dde6c24ead7\tcharging order "
        "ord-1001 amount=42.50 EUR,2024/03/05/[$LATEST]2d82bae25d54f6582619606cb0898555,123456789012:/aws/lambda/payment-fn\n"
        "2024-03-05 10:04:25.796,[WARNING]\t2024-03-05T10:04:25.796Z\tb6ded572-3e3f-1d07-3ed5-22d3e8d09319\tretrying stripe "
        "call attempt=2,2024/03/05/[$LATEST]f09bd1ed659229ed96f56556eebc8715,123456789012:/aws/lambda/payment-fn\n"
        '2024-03-05 10:04:08.759,"[ERROR] KeyError: \'order_id\'\nTraceback (most recent call last):\n'
        '  File ""/var/task/handler.py"", line 41, in lambda_handler\n    oid = event[""order_id""]",'
        "2024/03/05/[$LATEST]26266097acba1f6cc31174aad2507aa9,123456789012:/aws/lambda/refund-fn\n",
        encoding="utf-8",
    )
    frame = read_logs(path)
    rows = frame.to_dicts()
    assert frame["n_lines"].sum() == 8
    assert [(r["severity_text"], r["service"], r["body"].split("\n")[0]) for r in rows] == [
        (None, "refund-fn", "START RequestId: c4be1253-4ea2-42d4-2957-d6a2ea5a36c9 Version: $LATEST"),
        ("INFO", "payment-fn", "charging order ord-1001 amount=42.50 EUR"),
        ("WARN", "payment-fn", "retrying stripe call attempt=2"),
        ("ERROR", "refund-fn", "KeyError: 'order_id'"),
    ]
    assert rows[1]["timestamp"] == _at(2024, 3, 5, 10, 4, 42, 833000)
    assert "request_id=d1d681ad-b65c-7028-4da6-2dde6c24ead7" in rows[1]["attributes"]


def test_stern_captured_with_its_stderr(tmp_path):
    """stern writes "+ <pod> › <container>" (and "- ..." when a pod goes) to stderr; captured
    with 2>&1 they stopped the file being read as stern's: every line was raw."""
    frame = read_logs(_write(tmp_path, "stern-orders.txt", [
        "+ orders-6b7c8d9f4-tq7wz › orders",
        "+ orders-6b7c8d9f4-m2xbn › orders",
        "orders-6b7c8d9f4-tq7wz orders 2024-03-05 10:00:00.321 INFO  1 --- [nio-8080-exec-0] c.s.orders.OrderService   : order 0 ok",
        "orders-6b7c8d9f4-m2xbn orders 2024-03-05 10:00:02.321 WARN  1 --- [nio-8080-exec-1] c.s.orders.OrderService   : order 1 slow",
        "- orders-6b7c8d9f4-m2xbn › orders",
        "orders-6b7c8d9f4-tq7wz orders 2024-03-05 10:00:06.321 ERROR 1 --- [nio-8080-exec-3] c.s.orders.OrderService   : order 3 failed",
    ]))
    assert frame["format"][0] == "pod-prefix"
    assert frame["n_lines"].sum() == 6
    assert frame["parse_error"].null_count() == frame.height
    rows = frame.to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"], r["body"]) for r in rows] == [
        (None, None, "stern-orders", "+ orders-6b7c8d9f4-tq7wz › orders"),
        (None, None, "stern-orders", "+ orders-6b7c8d9f4-m2xbn › orders"),
        (_at(2024, 3, 5, 10, 0, 0, 321000), "INFO", "orders", "order 0 ok"),
        (_at(2024, 3, 5, 10, 0, 2, 321000), "WARN", "orders", "order 1 slow"),
        (None, None, "stern-orders", "- orders-6b7c8d9f4-m2xbn › orders"),
        (_at(2024, 3, 5, 10, 0, 6, 321000), "ERROR", "orders", "order 3 failed"),
    ]


_TAG = "kube.var.log.containers.api-7d9f8c6b5-kq2mx_shop_api-185a49c819742f129012925e5c1901328894c304f86031cc9f28474c0fd7101e.log"


def test_fluent_bit_stdout_events_are_records(tmp_path):
    """Fluent Bit's stdout output prints each event's msgpack Ruby-style, "[N] <tag>:
    [[<epoch>, {}], {"log"=>"..."}]", between its own log lines: the events were folded into
    the agent's line above them as continuation lines."""
    lines = [
        "[2024/03/05 10:00:00] [ info] [fluent bit] version=3.0.4, commit=2f5ac1e2b5, pid=1",
        f'[0] {_TAG}: [[1709632802.123456001, {{}}], {{"time"=>"2024-03-05T10:00:02.123456789Z", "stream"=>"stdout", '
        '"_p"=>"F", "log"=>"{\\"level\\":\\"info\\",\\"msg\\":\\"served /api/items/0\\",\\"trace_id\\":'
        '\\"33ec9d56c64eabe9b6e836a02c545abd\\"}", "kubernetes"=>{"pod_name"=>"api-7d9f8c6b5-kq2mx", '
        '"namespace_name"=>"shop", "container_name"=>"api"}}]',
        f'[1] {_TAG}: [[1709632805.123456955, {{}}], {{"time"=>"2024-03-05T10:00:05.123457789Z", "stream"=>"stdout", '
        '"_p"=>"F", "log"=>"2024-03-05 10:00:05.123 ERROR [http-1] c.s.api.Gateway - upstream reset"}]',
        # (before Fluent Bit 2.0: no metadata map)
        f'[2] {_TAG}: [1709632806.500000000, {{"log"=>"2024-03-05 10:00:06.500 WARN [http-2] c.s.api.Gateway - slow"}}]',
        "[2024/03/05 10:00:40] [ warn] [engine] failed to flush chunk '1-1709632840.123456789.flb', retry in 9 seconds",
    ]
    frame = read_logs(_write(tmp_path, "fluent-bit-stdout.log", lines))
    assert frame["n_lines"].sum() == 5
    assert frame["parse_error"].null_count() == frame.height
    rows = frame.to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"], r["trace_id"], r["body"]) for r in rows] == [
        (_at(2024, 3, 5, 10), "INFO", "fluent-bit-stdout", None, "[fluent bit] version=3.0.4, commit=2f5ac1e2b5, pid=1"),
        (_at(2024, 3, 5, 10, 0, 2, 123456), "INFO", "api", "33ec9d56c64eabe9b6e836a02c545abd", "served /api/items/0"),
        (_at(2024, 3, 5, 10, 0, 5, 123456), "ERROR", "api", None, "upstream reset"),
        (_at(2024, 3, 5, 10, 0, 6, 500000), "WARN", "api", None, "slow"),
        (_at(2024, 3, 5, 10, 0, 40), "WARN", "fluent-bit-stdout", None,
         "[engine] failed to flush chunk '1-1709632840.123456789.flb', retry in 9 seconds"),
    ]
    assert _attrs(rows[1])["fluentd.tag"] == _TAG
    # events only (no agent line in the capture): read the same way, not as raw lines
    only = read_logs(_write(tmp_path, "events/fluent-bit.log", lines[1:4]))
    assert only["format"][0] == "text"
    assert only["body"].to_list() == ["served /api/items/0", "upstream reset", "slow"]


def test_fluentd_stdout_events_are_records(tmp_path):
    """fluentd's out_stdout: "<time> +0000 <tag>: {<record>}" between its own "[info]: #0"
    lines; the tag and the record were the body."""
    tag = "kubernetes.var.log.containers.web-5f6d7c8b9-x2k4q_shop_web-ebfc003cf0f49a41abf2848fbcd8b79e00ee0b52a4f9cc1c858421f20bd4066e.log"
    frame = read_logs(_write(tmp_path, "fluentd-stdout.log", [
        "2024-03-05 10:00:00 +0000 [info]: #0 starting fluentd worker pid=17 ppid=7 worker=0",
        f'2024-03-05 10:00:01.123456000 +0000 {tag}: {{"log":"2024-03-05 10:00:01,123 - shop.views - INFO - rendered /cart/0\\n",'
        '"stream":"stderr","kubernetes":{"container_name":"web","namespace_name":"shop"}}',
        f'2024-03-05 10:00:05.125456000 +0000 {tag}: {{"log":"2024-03-05 10:00:05,125 - shop.views - ERROR - payment backend '
        'unavailable (order 2)\\n","stream":"stderr"}',
        '2024-03-05 10:00:30 +0000 [warn]: #0 [out_es] failed to flush the buffer. retry_times=1 error="[503] {}"',
    ]))
    assert frame["n_lines"].sum() == 4
    assert frame["parse_error"].null_count() == frame.height
    assert [(r["timestamp"], r["severity_text"], r["service"], r["body"]) for r in frame.to_dicts()] == [
        (_at(2024, 3, 5, 10), "INFO", "fluentd-stdout", "#0 starting fluentd worker pid=17 ppid=7 worker=0"),
        (_at(2024, 3, 5, 10, 0, 1, 123456), "INFO", "web", "rendered /cart/0"),
        (_at(2024, 3, 5, 10, 0, 5, 125456), "ERROR", "web", "payment backend unavailable (order 2)"),
        (_at(2024, 3, 5, 10, 0, 30), "WARN", "fluentd-stdout",
         '#0 [out_es] failed to flush the buffer. retry_times=1 error="[503] {}"'),
    ]


def test_spring_boot_32_correlation_in_container_lines(tmp_path):
    """The same console inside a container runtime's lines (here `kubectl logs --timestamps`):
    the correlation bracket was taken for the thread and its trace id lost."""
    frame = read_logs(_write(tmp_path, "orders.log", [
        "2024-03-05T10:00:10.456789012Z 2024-03-05T11:00:10.456+01:00  INFO 1 --- [orders-api] [nio-8080-exec-1] "
        "[8173a47a34880b91f0624855b493f23b-f08b77965e8b759d] c.s.orders.web.OrderController          : order 0 accepted",
        "2024-03-05T10:00:11.456789012Z 2024-03-05T11:00:11.456+01:00  WARN 1 --- [orders-api] [   scheduling-1] "
        "[                                                 ] c.s.orders.jobs.Reconciler               : 3 orders stale",
        "2024-03-05T10:00:12.456789012Z 2024-03-05T11:00:12.456+01:00  INFO 1 --- [orders-api] [           main] "
        "c.s.orders.OrdersApplication             : Started OrdersApplication in 6.1 seconds",
    ]))
    assert frame["format"][0] == "kubectl"
    rows = frame.to_dicts()
    assert [(r["trace_id"], r["body"], _attrs(r)["thread"]) for r in rows] == [
        ("8173a47a34880b91f0624855b493f23b", "order 0 accepted", "nio-8080-exec-1"),
        (None, "3 orders stale", "scheduling-1"),
        (None, "Started OrdersApplication in 6.1 seconds", "main"),
    ]
