"""CSV exports from log platforms (``rcakit.ingest._csv_export``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcakit.ingest import _access, _cri, _csv_export, _jsonl, _logfmt
from rcakit.ingest._base import RECORD_COLUMNS, ParseOptions
from rcakit.ingest._detect import sample_lines

OPTS = ParseOptions(tz="UTC", year=2024)


def parse(text: str) -> pl.DataFrame:
    out = _csv_export.FORMAT.parse(text, OPTS)
    assert out.schema == RECORD_COLUMNS
    n_physical = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    assert out["n_lines"].sum() == n_physical
    # the records tile the file: each starts where the previous one ended
    if out.height:
        starts = out["line_no"].to_list()
        ends = (out["line_no"] + out["n_lines"]).to_list()
        assert starts[0] == 1
        assert starts[1:] == ends[:-1]
    return out


def attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def to_csv(header: list[str], rows: list[list[str]], *, bom: bool = False, crlf: bool = False) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows([header, *rows])
    return ("\ufeff" if bom else "") + buf.getvalue()


STACK = (
    'java.lang.NullPointerException: Cannot invoke "RiskScore.value()"\n'
    "\tat com.acme.risk.RiskScorer.score(RiskScorer.java:88)\n"
    "\tat com.acme.pay.PaymentService.charge(PaymentService.java:41)"
)

KIBANA = to_csv(
    ["@timestamp", "kubernetes.pod.name", "kubernetes.namespace", "log.level", "message", "host.name"],
    [
        ["Mar 5, 2024 @ 14:03:12.345", "ts-travel-service-64469b5b48-25zj6", "train", "ERROR", STACK, "node-1"],
        [
            "Mar 5, 2024 @ 14:03:13.000",
            "ts-order-service-7c9d8f6b5d-x2q4z",
            "train",
            "",
            json.dumps({"log": "2024-03-05 14:03:12.990  WARN 1 --- [main] c.a.OrderService : slow \"risk\" call\n", "stream": "stdout", "time": "2024-03-05T14:03:12.99Z"}),
            "node-2",
        ],
        ["2024-03-05T14:03:14.000Z", "kafka-0", "infra", "info", '{"level":"info","msg":"leader elected","partition":3}', "node-3"],
    ],
    bom=True,
)


def test_kibana_export_with_multiline_fields_container_json_and_pods():
    rows = parse(KIBANA).to_dicts()
    assert len(rows) == 3
    r0, r1, r2 = rows
    # header + a 3-line quoted stack trace -> first record covers lines 1..4
    assert (r0["line_no"], r0["n_lines"]) == (1, 4)
    assert (r1["line_no"], r2["line_no"]) == (5, 6)
    assert r0["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345000, tzinfo=UTC)
    assert r0["body"] == STACK
    assert (r0["severity_text"], r0["service"]) == ("ERROR", "ts-travel-service")
    a0 = attrs(r0)
    assert a0 == {
        "kubernetes.pod.name": "ts-travel-service-64469b5b48-25zj6",
        "kubernetes.namespace": "train",
        "host.name": "node-1",
    }
    # container-runtime JSON inside the message: the app line inside is read too
    assert r1["service"] == "ts-order-service"
    assert r1["severity_text"] == "WARN"
    # Spring Boot head (pid, thread, logger) is not message
    assert r1["body"] == 'slow "risk" call'
    assert attrs(r1)["logger"] == "c.a.OrderService"
    assert attrs(r1)["stream"] == "stdout"
    assert (r2["service"], r2["severity_text"], r2["body"]) == ("kafka", "INFO", "leader elected")
    assert attrs(r2)["partition"] == "3"
    assert all(r["parse_error"] is None for r in rows)


def test_splunk_export_reads_level_from_raw():
    text = to_csv(
        ["_time", "host", "source", "sourcetype", "_raw"],
        [
            ["2024-03-05T14:03:12.000+00:00", "web-1", "/var/log/payment/app.log", "log4j", "2024-03-05 14:03:12,000 ERROR [pool-1] c.a.Pay - payment declined id=42"],
            ["2024-03-05T14:03:13.000+00:00", "web-1", "/var/log/payment/app.log", "log4j", "2024-03-05 14:03:13,000 INFO  [pool-1] c.a.Pay - ok"],
        ],
    )
    rows = parse(text).to_dicts()
    assert [r["severity_text"] for r in rows] == ["ERROR", "INFO"]
    assert rows[0]["body"] == "payment declined id=42"
    assert attrs(rows[0]) == {
        "host": "web-1", "source": "/var/log/payment/app.log", "sourcetype": "log4j", "logger": "c.a.Pay", "thread": "pool-1",
    }


def test_windows_event_viewer_csv_source_is_the_service():
    """Event Viewer's "Save All Events As" CSV: Source is the provider (as the XML export's
    service); the message is the unnamed last column. A Splunk "source" (a file) is not."""
    text = (
        "Level,Date and Time,Source,Event ID,Task Category\n"
        'Error,11/29/2024 10:00:01 AM,Service Control Manager,7034,None,"The Print Spooler service terminated unexpectedly."\n'
        'Warning,11/29/2024 1:00:02 PM,Microsoft-Windows-Time-Service,36,None,"The time service has not synchronized."\n'
    )
    rows = parse(text).to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows] == [
        ("Service Control Manager", "ERROR"), ("Microsoft-Windows-Time-Service", "WARN"),
    ]
    assert rows[0]["body"] == "The Print Spooler service terminated unexpectedly."
    assert rows[1]["timestamp"] == datetime(2024, 11, 29, 13, 0, 2, tzinfo=UTC)


def test_loki_export_with_labels_json_and_epoch_ns():
    text = to_csv(
        ["labels", "Time", "Line", "tsNs", "id"],
        [
            [json.dumps({"app": "checkout", "pod": "checkout-7d4b9c8f6d-x2q4z", "namespace": "shop"}), "", 'level=warn msg="retrying payment" attempt=2', "1709647392123456789", "1709647392123456789_a1"],
        ],
    )
    row = parse(text).to_dicts()[0]
    assert row["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 123456, tzinfo=UTC)
    assert (row["service"], row["severity_text"], row["body"]) == ("checkout", "WARN", "retrying payment")
    a = attrs(row)
    assert a["pod"] == "checkout-7d4b9c8f6d-x2q4z"
    assert a["namespace"] == "shop"
    assert a["attempt"] == "2"


def test_datadog_export_status_is_the_level():
    text = to_csv(
        ["Date", "Host", "Service", "Status", "Message"],
        [
            ["2024-03-05T14:03:12.000Z", "i-0abc", "payment", "error", "Payment failed for order 42"],
            ["2024-03-05T14:03:13.000Z", "i-0abc", "payment", "200", "GET /health"],
        ],
    )
    rows = parse(text).to_dicts()
    assert [r["severity_text"] for r in rows] == ["ERROR", None]
    assert [r["service"] for r in rows] == ["payment", "payment"]
    assert attrs(rows[0]) == {"Host": "i-0abc"}
    assert attrs(rows[1]) == {"Host": "i-0abc", "Status": "200"}  # not a level: kept


def test_crlf_blank_lines_column_less_row_and_header_only():
    text = to_csv(["time", "message"], [["2024-03-05T14:03:12Z", "a\r\nb"], ["2024-03-05T14:03:13Z", "c"]], crlf=True)
    text += "\r\njust some text\r\n2024-03-05T14:03:14Z,d"
    rows = parse(text).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 3), (4, 2), (6, 1), (7, 1)]
    assert [r["body"] for r in rows] == ["a\nb", "c", "just some text", "d"]
    assert "one field" in rows[2]["parse_error"]
    assert [r["parse_error"] is None for r in rows] == [True, True, False, True]
    only = parse("time,message\n").to_dicts()
    assert len(only) == 1
    assert (only[0]["line_no"], only[0]["n_lines"], only[0]["body"]) == (1, 1, "time,message")
    assert "no data rows" in only[0]["parse_error"]
    assert parse("").height == 0


def test_semicolon_separated_export():
    rows = parse("Timestamp;Level;Message\n2024-03-05 14:03:12;ERROR;boom; really\n").to_dicts()
    assert (rows[0]["severity_text"], rows[0]["timestamp"]) == ("ERROR", datetime(2024, 3, 5, 14, 3, 12, tzinfo=UTC))
    assert rows[0]["body"].startswith("boom")


def test_sniff_recognises_exports_and_rejects_others():
    assert _csv_export.FORMAT.sniff(sample_lines(KIBANA)) == 1.0
    for other in (_jsonl.FORMAT, _jsonl.DOCKER_FORMAT, _logfmt.FORMAT, _access.FORMAT, _cri.FORMAT):
        assert other.sniff(sample_lines(KIBANA)) < 0.5, other.name
    not_csv = [
        ["2024-03-05 14:03:12,000 INFO [main] c.a.App - started, message queue ready"],
        ['{"time":"2024-03-05T14:03:12Z","message":"x"}'],
        ["level=info msg=x time=2024"],
        ["a,b,c", "1,2,3"],  # a CSV without log columns is not a log export
    ]
    for sample in not_csv:
        assert _csv_export.FORMAT.sniff(sample) == 0.0, sample


_field = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"), max_size=15)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(_field, min_size=1, max_size=4), max_size=12), st.booleans())
def test_every_line_is_accounted_for_on_random_rows(rows, crlf):
    text = to_csv(["time", "level", "message", "pod"], rows, crlf=crlf)
    out = parse(text)
    # one record per row, except rows written as a whitespace-only line (a single field
    # such as "\x0c"): those are blank lines and belong to the record above. Python's
    # str.strip also strips the ASCII separators \x1c-\x1f, which are not Unicode
    # White_Space (nor blank to the reader): a row "\x1f" is a record.
    separators = dict.fromkeys(range(0x1C, 0x20), "x")
    blank_rows = sum(1 for r in rows if to_csv(r, []).translate(separators).strip() == "")
    assert out.height == max(1, len(rows) - blank_rows)


def test_end_to_end_through_read_logs(tmp_path):
    import rcakit
    from rcakit.ingest import FORMATS

    if "csv" not in FORMATS:
        pytest.skip("format 'csv' not registered in rcakit.ingest.FORMATS yet")
    path = tmp_path / "kibana-export.csv"
    path.write_bytes(KIBANA.encode())
    assert rcakit.detect_format(path) == "csv"
    out = rcakit.read_logs(path)
    assert out["n_lines"].sum() == 6
    assert out["service"].to_list() == ["ts-travel-service", "ts-order-service", "kafka"]


def test_separate_date_and_time_columns_are_joined():
    text = to_csv(
        ["LineId", "Month", "Date", "Time", "Level", "Content"],
        [["1", "Jun", "14", "15:16:01", "error", "authentication failure; rhost=218.188.2.4"]],
    )
    row = _csv_export.FORMAT.parse(text, ParseOptions(tz="UTC", year=2005)).to_dicts()[0]
    assert row["timestamp"] == datetime(2005, 6, 14, 15, 16, 1, tzinfo=UTC)
    assert (row["severity_text"], row["body"]) == ("ERROR", "authentication failure; rhost=218.188.2.4")
    assert attrs(row) == {"LineId": "1", "Month": "Jun"}  # Date and Time are the timestamp


@pytest.mark.shared
@pytest.mark.parametrize("system", ["Apache", "Android", "Windows", "Zookeeper"])
def test_loghub_structured_csv_reads_content_and_time(shared_data, system):
    path = shared_data / "loghub-2k" / system / f"{system}_2k.log_structured.csv"
    out = _csv_export.FORMAT.parse(path.read_text(), ParseOptions(tz="UTC", year=2024))
    truth = pl.read_csv(path, infer_schema=False)
    assert out.height == truth.height
    assert out["n_lines"].sum() == path.read_text().count("\n")
    assert out["body"].to_list() == truth["Content"].to_list()
    assert out["timestamp"].null_count() == 0


def test_long_fields_and_a_stray_quote_lose_no_text():
    long_trace = "java.lang.OutOfMemoryError\n" + "\tat a.B.c(B.java:1)\n" * 8000  # > csv module's 128 KiB limit
    text = to_csv(["time", "message"], [["2024-03-05T14:03:12Z", long_trace]])
    text += '2024-03-05T14:03:13Z,ok "stray\n2024-03-05T14:03:14Z,fine\n'
    rows = parse(text).to_dicts()
    assert rows[0]["body"] == long_trace.removesuffix("\n")  # a final newline is not part of a message
    assert rows[0]["parse_error"] is None
    # the unbalanced quote joins the next line into its record: the text is kept, flagged
    assert rows[-1]["body"] == '2024-03-05T14:03:13Z,ok "stray\n2024-03-05T14:03:14Z,fine'
    assert "unbalanced" in rows[-1]["parse_error"]


def test_kibana_sample_container_messages_lose_their_bracketed_prefix(sample_logs):
    out = _csv_export.FORMAT.parse((sample_logs / "checkout-incident" / "catalog.csv").read_text(), OPTS)
    assert out["parse_error"].null_count() == out.height
    # the app lines are "<time> <LEVEL> [catalog.api] [trace_id=<hex>] - <message>"
    assert not out["body"].str.starts_with("[").any()
    assert not out["body"].str.contains("trace_id=").any()
    loggers = out["attributes"].str.json_path_match("$.logger")
    assert loggers.null_count() == 0
    assert loggers.str.starts_with("catalog.").all()
    traced = out.filter(pl.col("trace_id").is_not_null())
    assert traced.height > out.height // 2
    assert traced["trace_id"].str.contains(r"^[0-9a-f]{32}$").all()


def test_bracketed_prefix_in_a_plain_message_column():
    text = to_csv(
        ["@timestamp", "message"],
        [["2025-03-04T07:31:02.114Z", "2025-03-04 07:31:02,114 ERROR [checkout.pay] [traceId=0af7651916cd43dd8448eb211c80319c] - payment call failed status=500"]],
    )
    row = parse(text).row(0, named=True)
    assert row["body"] == "payment call failed status=500"
    assert row["severity_text"] == "ERROR"
    assert row["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert attrs(row)["logger"] == "checkout.pay"


def test_spring_boot_lines_inside_a_kibana_export(tmp_path):
    """TrainTicket-style exports: container JSON holding Spring Boot console lines. The pid,
    thread and logger are head, not message (otherwise every template starts with them)."""
    import json

    from rcakit import read_logs

    def row(ts, pod, line):
        log = json.dumps({"log": line + "\n", "stream": "stdout", "time": ts})
        return f'{ts},{pod},"{log.replace(chr(34), chr(34) * 2)}"'

    lines = [
        "@timestamp,kubernetes.pod.name,message",
        row("2022-07-08T06:23:41.123Z", "ts-travel-service-64469b5b48-25zj6",
            "2022-07-08 06:23:41.123  INFO 1 --- [nio-8080-exec-1] c.s.t.TravelController           : [queryInfo][Query TripResponse] trip G1234"),
        row("2022-07-08T06:23:42.456Z", "ts-order-service-7d9f8c6b5-x2q4z",
            "2022-07-08 06:23:42.456 ERROR 1 --- [order] [nio-8080-exec-7] o.s.web.servlet.DispatcherServlet : Request processing failed"),
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_logs(path)
    assert frame["n_lines"].sum() == 3
    assert frame["service"].to_list() == ["ts-travel-service", "ts-order-service"]
    assert frame["body"].to_list() == ["[queryInfo][Query TripResponse] trip G1234", "Request processing failed"]
    assert frame["severity_text"].to_list() == ["INFO", "ERROR"]
    loggers = frame["attributes"].str.json_path_match("$.logger").to_list()
    assert loggers == ["c.s.t.TravelController", "o.s.web.servlet.DispatcherServlet"]
    assert frame["attributes"].str.json_path_match("$.thread").to_list() == ["nio-8080-exec-1", "nio-8080-exec-7"]


@pytest.mark.parametrize("crlf", [False, True])
def test_the_reader_hands_the_parser_bytes_with_the_same_result(tmp_path, crlf):
    # read_logs gives the CSV parser the file's bytes (BOM removed), tests above give it str
    from polars.testing import assert_frame_equal

    from rcakit.ingest import read_logs

    text = KIBANA.replace("\n", "\r\n") if crlf else KIBANA
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    via_file = read_logs(path, year=2024).select(list(RECORD_COLUMNS))
    assert_frame_equal(via_file, parse(text).select(list(RECORD_COLUMNS)))
    assert via_file.height == 3


def test_a_blank_line_above_the_header_belongs_to_the_first_record(tmp_path):
    # (the record numbering underflowed an unsigned count here: the header was read as data)
    from rcakit.ingest import read_logs

    path = tmp_path / "export.csv"
    path.write_text("\n@timestamp,message\n2024-01-02T03:04:05Z,hello\n2024-01-02T03:04:06Z,bye\n")
    rows = read_logs(path).to_dicts()
    assert [r["body"] for r in rows] == ["hello", "bye"]
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 3), (4, 1)]
    assert rows[0]["timestamp"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_powershell_export_csv_of_windows_events(tmp_path):
    # Get-WinEvent | Export-Csv (PowerShell 5): a "#TYPE" line above the header, TimeCreated on
    # a 12-hour clock, the level in LevelDisplayName (Level is Windows' number)
    from rcakit.ingest import detect_format, read_logs

    text = (
        "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n"
        '"Message","Id","Level","ProviderName","MachineName","TimeCreated","LevelDisplayName"\r\n'
        '"The Windows Update service entered the stopped state.","7036","4","Service Control Manager","WEB01","11/2/2024 12:00:01 AM","Information"\r\n'
        '"The Application Pool \'ShopPool\' was disabled due to a series of failures.","5002","2","Microsoft-Windows-WAS","WEB01","11/2/2024 1:05:09 PM","Error"\r\n'
    )
    path = tmp_path / "web01-system.csv"
    path.write_text(text, newline="")
    assert detect_format(path) == "csv"
    rows = read_logs(path).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR"]
    assert [r["timestamp"] for r in rows] == [
        datetime(2024, 11, 2, 0, 0, 1, tzinfo=UTC),
        datetime(2024, 11, 2, 13, 5, 9, tzinfo=UTC),
    ]
    assert rows[1]["body"] == "The Application Pool 'ShopPool' was disabled due to a series of failures."
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 3), (4, 1)]
    # the provider is the service (no longer an attribute), as Event Viewer's "Source" column is
    assert [r["service"] for r in rows] == ["Service Control Manager", "Microsoft-Windows-WAS"]


def test_azure_monitor_query_export(tmp_path):
    # Log Analytics / Application Insights "Export to CSV": the zone in the time column's name,
    # a 12-hour clock, SeverityLevel 0 (Verbose) .. 4 (Critical), the app's role as service
    from rcakit.ingest import read_logs

    path = tmp_path / "query_data.csv"
    path.write_text(
        "TimeGenerated [UTC],Message,SeverityLevel,AppRoleName,OperationId,ItemType\n"
        '"11/2/2024, 12:00:01.123 AM",Order 42 placed,1,checkout-api,0af7651916cd43dd8448eb211c80319c,trace\n'
        '"11/2/2024, 12:00:02.500 AM",Payment gateway timeout after 30000 ms,3,checkout-api,1af7651916cd43dd8448eb211c80319c,trace\n'
        '"11/2/2024, 12:00:03.000 AM",Process crashed,4,checkout-worker,,trace\n'
    )
    rows = read_logs(path).to_dicts()
    assert [r["format"] for r in rows] == ["csv"] * 3
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "FATAL"]
    assert [r["service"] for r in rows] == ["checkout-api", "checkout-api", "checkout-worker"]
    assert rows[1]["trace_id"] == "1af7651916cd43dd8448eb211c80319c"
    assert rows[0]["timestamp"] == datetime(2024, 11, 2, 0, 0, 1, 123000, tzinfo=UTC)
    assert attrs(rows[0]) == {"ItemType": "trace"}


def test_sumo_logic_export():
    text = (
        '"_messagetime","_messagetimems","_raw","_sourcecategory","_sourcehost"\n'
        '"03/01/2024 10:00:01.123 +0000","1709287201123","2024-03-01 10:00:01,123 ERROR [main] c.x.Pay - payment declined","prod/payments","node-1"\n'
        '"03/01/2024 10:00:02.500 +0000","1709287202500","plain line without a head","prod/payments","node-1"\n'
    )
    rows = parse(text).to_dicts()
    assert [(r["service"], r["severity_text"], r["body"]) for r in rows] == [
        ("prod/payments", "ERROR", "payment declined"),
        ("prod/payments", None, "plain line without a head"),
    ]
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 10, 0, 2, 500000, tzinfo=UTC)
    assert attrs(rows[0])["_sourcehost"] == "node-1"


def test_cloudwatch_logs_insights_export_service_from_log_group():
    """Logs Insights across several log groups: ``@log`` names the function (its last path
    segment); a service the message names itself wins over it."""
    text = to_csv(
        ["@timestamp", "@message", "@logStream", "@log"],
        [
            ["2024-03-05 14:03:12.000", "ERROR payment declined id=42", "2024/03/05/[$LATEST]ab12", "123456789012:/aws/lambda/payment-fn"],
            ["2024-03-05 14:03:13.000", "INFO cart updated", "2024/03/05/[$LATEST]cd34", "123456789012:/aws/lambda/cart-fn"],
            ["2024-03-05 14:03:14.000", '{"level":"warn","msg":"slow","service":"search"}', "x", "123456789012:/aws/lambda/search-fn"],
        ],
    )
    rows = parse(text).to_dicts()
    assert [(r["service"], r["severity_text"], r["body"]) for r in rows] == [
        ("payment-fn", "ERROR", "payment declined id=42"),
        ("cart-fn", "INFO", "cart updated"),
        ("search", "WARN", "slow"),
    ]
    assert attrs(rows[0])["@log"] == "123456789012:/aws/lambda/payment-fn"  # kept as an attribute


def test_log_group_in_json_records_is_the_last_resort():
    records = [
        {"@timestamp": "2024-03-05T14:03:12Z", "@message": "payment declined", "@log": "123456789012:/ecs/payment"},
        {"@timestamp": "2024-03-05T14:03:13Z", "@message": '{"level":"info","msg":"ok","service":"cart"}', "@log": "123456789012:/ecs/cart-svc"},
        {"@timestamp": "2024-03-05T14:03:14Z", "message": "x", "kubernetes": {"pod_name": "api-7d9f8b6c5-x2x4z"}, "@log": "/aws/containerinsights/prod/application"},
    ]
    out = _jsonl.parse_json_records(pl.Series([json.dumps(r) for r in records]), OPTS)
    assert out["service"].to_list() == ["payment", "cart", "api"]


def test_azure_monitor_container_log_v2():
    # Log Analytics "export to CSV" of ContainerLogV2: LogMessage holds the app line
    header = ["TimeGenerated [UTC]", "Computer", "ContainerId", "ContainerName", "PodName", "PodNamespace", "LogMessage", "LogSource"]
    rows = [
        ["11/29/2024, 8:00:01.123 AM", "aks-node-1", "c1", "orders", "orders-6f7d8b9c4-k2xbz", "prod",
         '{"level":"error","msg":"db timeout after 5000ms"}', "stderr"],
        ["11/29/2024, 8:00:02.456 AM", "aks-node-1", "c1", "orders", "orders-6f7d8b9c4-k2xbz", "prod",
         "2024-11-29 08:00:02,456 INFO [main] c.x.Orders - order 7 placed", "stdout"],
    ]
    out = parse(to_csv(header, rows)).to_dicts()
    assert [(r["severity_text"], r["service"], r["body"]) for r in out] == [
        ("ERROR", "orders", "db timeout after 5000ms"),
        ("INFO", "orders", "order 7 placed"),
    ]
    assert out[0]["timestamp"] == datetime(2024, 11, 29, 8, 0, 1, 123000, tzinfo=UTC)
    assert attrs(out[0])["Computer"] == "aks-node-1"


def test_windows_event_viewer_csv_with_its_unnamed_message_column():
    text = (
        "Level,Date and Time,Source,Event ID,Task Category\n"
        'Error,11/29/2024 8:00:01 AM,Service Control Manager,7031,None,"The Shop service terminated unexpectedly."\n'
        'Information,11/29/2024 8:00:02 AM,Service Control Manager,7036,None,"The Shop service entered the running state."\n'
    )
    out = parse(text).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in out] == [
        ("ERROR", "The Shop service terminated unexpectedly."),
        ("INFO", "The Shop service entered the running state."),
    ]
    assert attrs(out[0])["Event ID"] == "7031"


def test_kibana_dash_for_a_missing_trace_id():
    """Kibana's CSV export writes '-' for a field a document lacks: it is no trace id."""
    text = (
        '"@timestamp","kubernetes.pod.name","log.level",message,"trace.id"\n'
        '"Mar 1, 2024 @ 10:00:05.123","payments-6f7d8c9b5-x2q4z",ERROR,"Charge failed",4bf92f3577b34da6a3ce929d0e0e4736\n'
        '"Mar 1, 2024 @ 10:00:04.000","payments-6f7d8c9b5-x2q4z",WARN,"slow gateway",-\n'
    )
    rows = parse(text).to_dicts()
    assert [r["trace_id"] for r in rows] == ["4bf92f3577b34da6a3ce929d0e0e4736", None]


def test_german_event_viewer_csv():
    """Event Viewer on a German Windows names its columns in German ("Ebene", "Datum und
    Uhrzeit", "Quelle", "Ereignis-ID") and its levels too ("Fehler", "Informationen")."""
    import rcakit

    text = (
        "\ufeffEbene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie\n"
        'Fehler,05.03.2024 10:00:01,Service Control Manager,7031,Keine,"Der Dienst ""ShopWorker"" wurde unerwartet beendet."\n'
        'Informationen,05.03.2024 10:00:09,Microsoft-Windows-Kernel-General,16,Keine,"Der Zugriffsverlauf wurde bereinigt."\n'
        'Kritisch,05.03.2024 10:00:12,Microsoft-Windows-Kernel-Power,41,(63),"Das System wurde neu gestartet."\n'
    )
    assert _csv_export.FORMAT.sniff(sample_lines(text)) > 0.5
    rows = parse(text).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 1, tzinfo=UTC), "ERROR", "Service Control Manager"),
        (datetime(2024, 3, 5, 10, 0, 9, tzinfo=UTC), "INFO", "Microsoft-Windows-Kernel-General"),
        (datetime(2024, 3, 5, 10, 0, 12, tzinfo=UTC), "FATAL", "Microsoft-Windows-Kernel-Power"),
    ]
    assert rows[0]["body"] == 'Der Dienst "ShopWorker" wurde unerwartet beendet.'
    assert rcakit.ingest._detect.detect_text_format(text, formats=rcakit.ingest.FORMATS) == "csv"


def test_french_and_japanese_event_viewer_csv():
    """Event Viewer on a French or Japanese Windows (probe AI): the column names in its
    language ("Niveau,Date et heure,Source,ID de l'événement", "レベル,日付と時刻,ソース,イベント ID"),
    read as the English and German ones; the French date is day first, as the language of
    the header says ("05/03/2024" is 5 March, "04/03/2024" the 4th)."""
    import rcakit

    french = (
        "\ufeffNiveau,Date et heure,Source,ID de l'événement,Catégorie de la tâche\r\n"
        'Erreur,05/03/2024 10:00:31,Application Error,1000,(100),"Nom de l\'application défaillante : ShopWorker.exe, version : 1.4.2.0"\r\n'
        'Avertissement,05/03/2024 10:01:02,Microsoft-Windows-Time-Service,36,Aucun,"Le service de temps n\'a pas synchronisé l\'heure."\r\n'
        'Information,04/03/2024 23:02:15,Service Control Manager,7036,Aucun,"Le service ShopWorker est entré dans l\'état : arrêté."\r\n'
        'Critique,04/03/2024 22:03:00,Microsoft-Windows-Kernel-Power,41,(63),"Le système a redémarré sans arrêt correct préalable."\r\n'
    )
    assert rcakit.ingest._detect.detect_text_format(french, formats=rcakit.ingest.FORMATS) == "csv"
    rows = parse(french).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 31, tzinfo=UTC), "ERROR", "Application Error"),
        (datetime(2024, 3, 5, 10, 1, 2, tzinfo=UTC), "WARN", "Microsoft-Windows-Time-Service"),
        (datetime(2024, 3, 4, 23, 2, 15, tzinfo=UTC), "INFO", "Service Control Manager"),
        (datetime(2024, 3, 4, 22, 3, tzinfo=UTC), "FATAL", "Microsoft-Windows-Kernel-Power"),
    ]
    assert rows[0]["body"] == "Nom de l'application défaillante : ShopWorker.exe, version : 1.4.2.0"
    assert attrs(rows[0])["ID de l'événement"] == "1000"
    japanese = (
        "\ufeffレベル,日付と時刻,ソース,イベント ID,タスクのカテゴリ\r\n"
        "エラー,2024/03/05 10:00:31,Application Error,1000,(100),障害が発生しているアプリケーション名: ShopWorker.exe\r\n"
        "警告,2024/03/05 10:01:02,Microsoft-Windows-Time-Service,36,なし,タイム サービスは時刻を同期していません。\r\n"
        "情報,2024/03/05 10:02:15,Service Control Manager,7036,なし,ShopWorker サービスは 停止 状態に移行しました。\r\n"
    )
    assert rcakit.ingest._detect.detect_text_format(japanese, formats=rcakit.ingest.FORMATS) == "csv"
    rows = parse(japanese).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 31, tzinfo=UTC), "ERROR", "Application Error"),
        (datetime(2024, 3, 5, 10, 1, 2, tzinfo=UTC), "WARN", "Microsoft-Windows-Time-Service"),
        (datetime(2024, 3, 5, 10, 2, 15, tzinfo=UTC), "INFO", "Service Control Manager"),
    ]
    assert rows[2]["body"] == "ShopWorker サービスは 停止 状態に移行しました。"


def test_day_first_event_viewer_dates_give_way_to_a_month_above_12():
    """The header's language makes a slash date day first only while no date says
    otherwise: a Spanish header over US dates (a second number above 12) stays month first."""
    text = (
        "Nivel,Fecha y hora,Origen,Id. del evento,Categoría de la tarea\n"
        "Error,03/25/2024 10:00:31,Application Error,1000,(100),Nombre de la aplicación con errores: ShopWorker.exe\n"
        "Advertencia,03/05/2024 10:01:02,Microsoft-Windows-Time-Service,36,Ninguno,El servicio de hora no se sincronizó\n"
    )
    rows = parse(text).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"]) for r in rows] == [
        (datetime(2024, 3, 25, 10, 0, 31, tzinfo=UTC), "ERROR", "Application Error"),
        (datetime(2024, 3, 5, 10, 1, 2, tzinfo=UTC), "WARN", "Microsoft-Windows-Time-Service"),
    ]


def test_get_eventlog_csv_source_is_the_service():
    """PowerShell's ``Get-EventLog | Export-Csv``: "Source" is the provider, as in Event
    Viewer's export."""
    text = (
        "#TYPE System.Diagnostics.EventLogEntry#Application/Application Error/1000\n"
        '"EventID","MachineName","EntryType","Message","Source","InstanceId","TimeGenerated"\n'
        '"1000","WEB01","Error","Faulting application name: ShopWorker.exe","Application Error","1000","3/5/2024 10:00:01 AM"\n'
        '"1026","WEB01","Error","Application: ShopWorker.exe","".NET Runtime","1026","3/5/2024 10:00:02 AM"\n'
    ).replace('"".NET', '".NET')
    rows = parse(text).to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows] == [("Application Error", "ERROR"), (".NET Runtime", "ERROR")]


def test_gcp_logs_explorer_csv():
    """Google Cloud Logs Explorer's "Download as CSV": the message is ``textPayload`` or
    ``jsonPayload.message`` (whichever the entry has), the service ``resource.labels.service_name``."""
    text = (
        "insertId,logName,receiveTimestamp,resource.labels.project_id,resource.labels.service_name,resource.type,severity,textPayload,jsonPayload.message,timestamp\n"
        '65e6ee21000a1b2c3d4e5f60,projects/shop-prod/logs/run.googleapis.com%2Fstdout,2024-03-05T10:00:01.200000Z,shop-prod,orders,cloud_run_revision,ERROR,"","charge failed: upstream 504",2024-03-05T10:00:01.123456Z\n'
        '65e6ee23000a1b2c3d4e5f62,projects/shop-prod/logs/run.googleapis.com%2Fstderr,2024-03-05T10:00:03.200000Z,shop-prod,inventory,cloud_run_revision,INFO,"GET /stock 200",,2024-03-05T10:00:03Z\n'
    )
    rows = parse(text).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"], r["body"]) for r in rows] == [
        (datetime(2024, 3, 5, 10, 0, 1, 123456, tzinfo=UTC), "ERROR", "orders", "charge failed: upstream 504"),
        (datetime(2024, 3, 5, 10, 0, 3, tzinfo=UTC), "INFO", "inventory", "GET /stock 200"),
    ]
