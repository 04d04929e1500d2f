"""JSON lines and docker json-file parsing (``rcakit.ingest._jsonl``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcakit
from rcakit import read_logs
from rcakit.ingest import _access, _cri, _csv_export, _jsonl, _logfmt
from rcakit.ingest._base import RECORD_COLUMNS, ParseOptions
from rcakit.ingest._files import lines_frame

OPTS = ParseOptions(tz="UTC", year=2024)


def parse(fmt, text: str, options: ParseOptions = OPTS) -> pl.DataFrame:
    out = fmt.parse(lines_frame(text).lazy(), options).collect()
    assert out.schema == RECORD_COLUMNS
    n_physical = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    assert out["n_lines"].sum() == n_physical, "every physical line must be in exactly one record"
    return out


def attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


APP_LOG = "\n".join(
    [
        # structlog / pino / zap / ECS / bunyan / python-json-logger spellings
        '{"ts":"2024-03-05T14:03:12.345Z","level":"info","msg":"order placed","service":"checkout","order_id":"o-981","http":{"status":200,"route":"/api/orders"}}',
        '{"@timestamp":"2024-03-05T14:03:13.001+01:00","log.level":"ERROR","message":"payment call failed status=500","service.name":"checkout","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","error":{"type":"HttpError","stack":"x\\n  at y"}}',
        '{"time":1709647394123,"level":50,"msg":"db timeout","name":"payment-api","hostname":"pay-1","pid":17}',
        '{"timestamp":"2024-03-05 14:03:15,250","levelname":"WARNING","message":"retrying \\"charge\\" in 2s \\u2192 attempt 3","logger_name":"app.retry","application":"payment"}',
        '{"t":"2024-03-05T14:03:16Z","lvl":"dbug","text":"cache miss","tags":["a","b"],"ok":false,"n":null,"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}',
        '{"date":"1709647397","severity":"CRITICAL","event":"disk full","log":{"logger":"fs"},"dd.trace_id":"1234567890"}',
    ]
)


def test_common_key_spellings_map_to_the_record_fields():
    out = parse(_jsonl.FORMAT, APP_LOG + "\n")
    rows = out.to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "ERROR", "WARN", "DEBUG", "FATAL"]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345000, tzinfo=UTC)
    assert rows[1]["timestamp"] == datetime(2024, 3, 5, 13, 3, 13, 1000, tzinfo=UTC)  # +01:00
    assert rows[2]["timestamp"] == datetime(2024, 3, 5, 14, 3, 14, 123000, tzinfo=UTC)  # epoch ms
    assert rows[5]["timestamp"] == datetime(2024, 3, 5, 14, 3, 17, tzinfo=UTC)  # epoch s as text
    assert [r["body"] for r in rows] == [
        "order placed",
        "payment call failed status=500\nx\n  at y",  # its error's stack trace below it
        "db timeout",
        'retrying "charge" in 2s → attempt 3',
        "cache miss",
        "disk full",
    ]
    assert [r["service"] for r in rows] == ["checkout", "checkout", None, "payment", None, None]
    assert rows[1]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert rows[4]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"  # from W3C traceparent
    assert rows[5]["trace_id"] == "1234567890"
    assert all(r["parse_error"] is None for r in rows)


def test_stack_traces_follow_the_message_as_in_a_text_log(tmp_path):
    # the same application's records read alike whichever encoder wrote them: the
    # exception below the message (logstash-logback-encoder, pino, python-json-logger,
    # ECS); nested objects whose strings hold tabs and backslashes are flattened exactly
    trace = "java.lang.IllegalStateException: pool exhausted\n\tat c.e.Pool.get(Pool.java:10)"
    lines = [
        {"@timestamp": "2024-03-01T10:00:00Z", "level": "ERROR", "message": "charge failed", "stack_trace": trace},
        {"time": 1709287201000, "level": 50, "msg": "request failed",
         "err": {"type": "Error", "stack": "Error: connect ECONNREFUSED 10.0.0.1:5432\n    at afterConnect"}},
        {"asctime": "2024-03-01 10:00:02,000", "levelname": "ERROR", "message": "job crashed",
         "exc_info": "Traceback (most recent call last):\n  File \"a.py\", line 1\nZeroDivisionError: division by zero"},
        {"@timestamp": "2024-03-01T10:00:03Z", "log.level": "error", "message": "query failed",
         "error": {"type": "java.sql.SQLException", "stack_trace": "java.sql.SQLException: timeout\n\tat x.y(Z.java:1)",
                   "path": "C:\\app\\db.cfg"}},
        {"ts": "2024-03-01T10:00:04Z", "level": "info", "msg": "deployed", "stack": "prod-eu"},
    ]
    path = tmp_path / "app.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    rows = read_logs(path).to_dicts()
    assert [r["body"] for r in rows] == [
        "charge failed\n" + trace,
        "request failed\nError: connect ECONNREFUSED 10.0.0.1:5432\n    at afterConnect",
        'job crashed\nTraceback (most recent call last):\n  File "a.py", line 1\nZeroDivisionError: division by zero',
        "query failed\njava.sql.SQLException: timeout\n\tat x.y(Z.java:1)",
        "deployed",
    ]
    assert attrs(rows[1]) == {"err.type": "Error"}
    assert attrs(rows[3]) == {"error.type": "java.sql.SQLException", "error.path": "C:\\app\\db.cfg"}
    assert attrs(rows[4]) == {"stack": "prod-eu"}  # a deployment's name, not a trace
    assert [r["n_lines"] for r in rows] == [1] * 5


def test_nested_objects_are_flattened_and_other_keys_kept_as_attributes():
    rows = parse(_jsonl.FORMAT, APP_LOG).to_dicts()
    assert attrs(rows[0]) == {"order_id": "o-981", "http.status": "200", "http.route": "/api/orders"}
    a1 = attrs(rows[1])
    assert a1["error.type"] == "HttpError"
    assert "error.stack" not in a1  # in the body
    assert attrs(rows[2]) == {"logger": "payment-api", "hostname": "pay-1", "pid": "17"}
    assert attrs(rows[3])["logger"] == "app.retry"
    a4 = attrs(rows[4])
    assert json.loads(a4["tags"]) == ["a", "b"]
    assert a4["ok"] == "false"
    assert "n" not in a4  # null values carry nothing
    assert attrs(rows[5]) == {"logger": "fs"}
    # the role keys themselves are not repeated in attributes
    assert not {"msg", "ts", "level"} & set(attrs(rows[0]))


def test_queryable_attributes():
    out = parse(_jsonl.FORMAT, APP_LOG)
    status = out.select(pl.col("attributes").str.json_path_match("$['http.status']"))["attributes"]
    assert status.to_list()[0] == "200"


def test_garbage_lines_are_kept_with_parse_error():
    text = "\n".join(
        [
            '{"level":"info","msg":"ok"}',
            "java.lang.IllegalStateException: boom",
            '{"level":"info","msg":"truncated',
            "[1, 2, 3]",
            '{"level":"error","msg":"after garbage"}',
        ]
    )
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert len(rows) == 5
    bad = [r for r in rows if r["parse_error"]]
    assert [r["line_no"] for r in bad] == [2, 3, 4]
    assert [r["body"] for r in bad] == [
        "java.lang.IllegalStateException: boom",
        '{"level":"info","msg":"truncated',
        "[1, 2, 3]",
    ]
    assert all("JSON object" in r["parse_error"] for r in bad)
    assert (rows[4]["severity_text"], rows[4]["body"]) == ("ERROR", "after garbage")


def test_blank_lines_crlf_and_missing_final_newline():
    text = '\n{"msg":"a"}\r\n\r\n{"msg":"b"}'
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 1), (2, 2), (4, 1)]
    assert rows[0]["parse_error"] == "blank line before the first record"
    assert [r["body"] for r in rows[1:]] == ["a", "b"]


def test_empty_input():
    assert parse(_jsonl.FORMAT, "").height == 0


def test_object_without_message_keeps_the_line_as_body():
    rows = parse(_jsonl.FORMAT, '{"ts":"2024-01-02T03:04:05Z","level":"warn","queue":"q1","depth":900}').to_dicts()
    assert rows[0]["body"] == '{"ts":"2024-01-02T03:04:05Z","level":"warn","queue":"q1","depth":900}'
    assert rows[0]["severity_text"] == "WARN"
    assert attrs(rows[0]) == {"queue": "q1", "depth": "900"}


def test_heterogeneous_types_for_one_key_do_not_break_decoding():
    text = "\n".join(
        [
            '{"msg":"a","detail":{"code":1}}',
            '{"msg":"b","detail":"plain text"}',
            '{"msg":"c","detail":[1,{"x":2}]}',
            '{"msg":"d","detail":3.5}',
        ]
    )
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert [attrs(r) for r in rows] == [
        {"detail.code": "1"},
        {"detail": "plain text"},
        {"detail": '[1, {"x": 2}]'},
        {"detail": "3.5"},
    ]


DOCKER = "\n".join(
    [
        '{"log":"2024-03-05 14:03:12.345 ERROR 1 --- [nio-8080-exec-1] c.e.PaymentController : charge failed\\n","stream":"stderr","time":"2024-03-05T14:03:12.345678901Z"}',
        '{"log":"{\\"level\\":\\"warn\\",\\"msg\\":\\"slow query\\",\\"ms\\":1200,\\"service\\":\\"orders\\"}\\n","stream":"stdout","time":"2024-03-05T14:03:13Z"}',
        '{"log":"' + "x" * 16384 + '","stream":"stdout","time":"2024-03-05T14:03:14Z"}',
        '{"log":"' + "y" * 100 + '\\n","stream":"stdout","time":"2024-03-05T14:03:14Z"}',
        '{"log":"level=info msg=\\"cache warm\\" keys=812\\n","stream":"stdout","time":"2024-03-05T14:03:15Z"}',
        '{"log":"plain line without head\\n","stream":"stdout","time":"2024-03-05T14:03:16Z"}',
    ]
)


def test_docker_json_file_inner_lines_and_chunk_joining():
    rows = parse(_jsonl.DOCKER_FORMAT, DOCKER + "\n").to_dicts()
    assert len(rows) == 5
    r0, r1, r2, r3, r4 = rows
    # the runtime's timestamp wins (UTC, ns precision truncated to µs)
    assert r0["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345678, tzinfo=UTC)
    assert r0["severity_text"] == "ERROR"
    assert r0["body"] == "charge failed"
    assert attrs(r0)["logger"] == "c.e.PaymentController"
    assert attrs(r0)["stream"] == "stderr"
    assert (r1["severity_text"], r1["body"], r1["service"]) == ("WARN", "slow query", "orders")
    assert attrs(r1) == {"stream": "stdout", "ms": "1200"}
    # two 16 KiB chunks -> one record of two physical lines
    assert (r2["line_no"], r2["n_lines"]) == (3, 2)
    assert r2["body"] == "x" * 16384 + "y" * 100
    assert attrs(r2)["docker.chunks"] == 2
    assert (r3["severity_text"], r3["body"]) == ("INFO", "cache warm")
    assert attrs(r3)["keys"] == "812"
    assert (r4["severity_text"], r4["body"]) == (None, "plain line without head")


def test_jsonl_parser_also_reads_docker_files():
    # the docker format is a refinement of JSON lines: the jsonl parser treats it the same
    a = parse(_jsonl.FORMAT, DOCKER)
    b = parse(_jsonl.DOCKER_FORMAT, DOCKER)
    assert a.equals(b)


def test_sniff_recognises_jsonl_and_docker_and_rejects_others():
    app = APP_LOG.splitlines()
    docker = DOCKER.splitlines()
    assert _jsonl.FORMAT.sniff(app) == 1.0
    assert _jsonl.DOCKER_FORMAT.sniff(app) == 0.0
    assert _jsonl.DOCKER_FORMAT.sniff(docker) == 1.0
    assert _jsonl.FORMAT.sniff(docker) < _jsonl.DOCKER_FORMAT.sniff(docker)
    for other in (_logfmt.FORMAT, _access.FORMAT, _cri.FORMAT, _csv_export.FORMAT):
        assert other.sniff(app) == 0.0, other.name
        assert other.sniff(docker) == 0.0, other.name
    text_lines = ["2024-01-02 03:04:05,123 ERROR [main] c.x.Y - {json: maybe}", "level=info msg=x"]
    assert _jsonl.FORMAT.sniff(text_lines) == 0.0


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.dictionaries(st.sampled_from(["msg", "level", "ts", "x", "a.b", "log", "stream"]), _json_values, max_size=5).map(json.dumps),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30),
        ),
        max_size=25,
    )
)
def test_every_line_is_accounted_for_on_random_input(lines):
    text = "\n".join(lines)
    out = parse(_jsonl.FORMAT, text)  # asserts the n_lines invariant
    # every line that is not a JSON object is kept verbatim in the body of an error record
    # (the lines under a non-JSON line that look like its continuation join it) or of a
    # crash report
    from rcakit.ingest._multiline import CRASH_HEAD

    foreign = out.filter(pl.col("parse_error").is_not_null() | pl.col("body").str.contains(CRASH_HEAD))
    kept = {piece for body in foreign["body"].to_list() for piece in body.split("\n")}
    for line in lines:
        if line.strip() and not line.strip().startswith("{"):
            assert line in kept


def test_a_nested_key_that_holds_a_backslash_or_a_quote_is_read():
    """polars' JSONPath cannot address such a key: its value keeps the reader's text (found
    by the property test above: ``{"msg": {"\\": {"\x1f": null}}}``)."""
    lines = [json.dumps({"msg": {key: {"\x1f": None}}}) for key in ("\\", '"', 'a\\"b')]
    lines += [json.dumps({"msg": {"\\": {"\x1f": None, "t": "a\tb"}}, "level": "warn"})]
    out = parse(_jsonl.FORMAT, "\n".join(lines))
    assert out["parse_error"].to_list() == [None] * 4
    assert out["severity_text"].to_list()[-1] == "WARN"


def test_a_line_of_only_a_level_word_among_json_lines_keeps_its_text():
    """Found by the property test above: ``SEVERE`` alone was read as an ERROR record with an
    empty message, its text gone; a line saying nothing but a level stays a line that failed
    to parse (a text line with a message is still read as one: see the istio-proxy test)."""
    out = parse(_jsonl.FORMAT, 'SEVERE\n{"msg": "x", "level": "info"}\nINFO\n')
    assert out["body"].to_list() == ["SEVERE", "x", "INFO"]
    assert out["parse_error"].is_null().to_list() == [False, True, False]


def test_a_crash_report_after_json_records_is_one_record(tmp_path):
    """kubectl logs --previous of a Node pod: pino records, then what node printed as it
    died. The crash is one ERROR record (not six parse errors), and a short file like this
    is still JSON lines (the crash's frames do not count against the format)."""
    records = [
        {"level": 30, "time": 1732874401123, "msg": "worker starting"},
        {"level": 30, "time": 1732874401200, "msg": "connecting to redis"},
        {"level": 40, "time": 1732874402000, "msg": "redis slow to answer"},
        {"level": 50, "time": 1732874403002, "msg": "redis unavailable"},
    ]
    crash = [
        "Error: Cannot find module '/app/dist/worker.js'",
        "    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15)",
        "    at node:internal/main/run_main_module:28:49 {",
        "  code: 'MODULE_NOT_FOUND',",
        "  requireStack: []",
        "}",
    ]
    path = tmp_path / "worker.log"
    path.write_text("\n".join([*(json.dumps(r) for r in records), *crash]) + "\n")
    assert rcakit.detect_format(path) == "jsonl"
    rows = rcakit.read_logs(path).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (1, 1, "INFO"), (2, 1, "INFO"), (3, 1, "WARN"), (4, 1, "ERROR"), (5, 6, "ERROR"),
    ]
    assert rows[4]["body"] == "\n".join(crash)
    assert rows[4]["parse_error"] is None
    # a stray non-JSON line and the frames under it are one record, kept with its parse error
    text = "\n".join([json.dumps(records[0]), "java.lang.IllegalStateException: boom", "\tat com.x.Y.z(Y.java:1)", json.dumps(records[1])])
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 1), (2, 2), (4, 1)]
    assert rows[1]["parse_error"]
    assert rows[0]["body"] == "worker starting"


@pytest.mark.parametrize("fmt", [_jsonl.FORMAT, _jsonl.DOCKER_FORMAT])
def test_end_to_end_through_read_logs(tmp_path, fmt):
    import rcakit
    from rcakit.ingest import FORMATS

    if fmt.name not in FORMATS:
        pytest.skip(f"format {fmt.name!r} not registered in rcakit.ingest.FORMATS yet")
    path = tmp_path / ("checkout.jsonl" if fmt is _jsonl.FORMAT else "0.log")
    path.write_text((APP_LOG if fmt is _jsonl.FORMAT else DOCKER) + "\n")
    assert rcakit.detect_format(path) == fmt.name
    out = rcakit.read_logs(path)
    assert out["n_lines"].sum() == 6
    assert out["parse_error"].null_count() == out.height
    if fmt is _jsonl.FORMAT:
        # the record's service wins; the file name fills in the rest
        assert out["service"].to_list() == ["checkout", "checkout", "checkout", "payment", "checkout", "checkout"]



def test_a_go_panic_longer_than_the_json_records_before_it(tmp_path):
    """kubectl logs --previous of a Go pod: three slog records, then a panic and its
    goroutine dump, more lines than the records. Still JSON lines, the dump one FATAL record."""
    records = [
        {"time": "2024-03-05T10:00:01.123456789+01:00", "level": "INFO", "msg": "ledger started", "workers": 4},
        {"time": "2024-03-05T10:00:02.5+01:00", "level": "WARN+2", "msg": "batch slow", "batch": 77},
        {"time": "2024-03-05T10:00:03+01:00", "level": "ERROR", "msg": "posting failed", "err": "pq: deadlock detected"},
    ]
    crash = [
        "panic: runtime error: index out of range [3] with length 3",
        "",
        "goroutine 41 [running]:",
        "main.(*ledger).post(0xc0000a6000, {0xc0001c0000, 0x3, 0x3})",
        "\t/app/ledger.go:88 +0x1d4",
        "main.worker(0xc0000a6000)",
        "\t/app/worker.go:31 +0x85",
        "created by main.main in goroutine 1",
        "\t/app/main.go:22 +0x1a5",
        "exit status 2",
    ]
    path = tmp_path / "ledger.json"
    path.write_text("\n".join([*(json.dumps(r) for r in records), *crash]) + "\n")
    assert rcakit.detect_format(path) == "jsonl"
    rows = rcakit.read_logs(path).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (1, 1, "INFO"), (2, 1, "WARN"), (3, 1, "ERROR"), (4, 10, "FATAL"),
    ]
    assert rows[3]["body"].startswith("panic: runtime error")
    assert rows[3]["parse_error"] is None


def test_shipper_envelopes_filebeat_fluentbit_gcp():
    text = "\n".join(
        [
            # filebeat: the app line unparsed in "message"
            '{"@timestamp":"2024-03-05T14:03:12.400Z","message":"2024-03-05 14:03:12,345 ERROR [http-nio-8080-exec-3] c.a.pay.RiskScorer - score failed traceId=4bf92f3577b34da6a3ce929d0e0e4736","log":{"file":{"path":"/var/log/payment/app.log"}},"host":{"name":"pay-1"}}',
            # fluent-bit with kubernetes metadata: the pod's workload is the service
            '{"date":1709647393.25,"log":"WARN pool exhausted, waiting","stream":"stderr","time":"2024-03-05T14:03:13.25Z","kubernetes":{"pod_name":"checkout-7d4b9c8f6d-x2q4z","namespace_name":"shop","container_name":"app"}}',
            # Google Cloud Logging export
            '{"insertId":"abc","jsonPayload":{"message":"cache refreshed","entries":12},"severity":"INFO","timestamp":"2024-03-05T14:03:14Z","resource":{"type":"k8s_container","labels":{"container_name":"catalog","pod_name":"catalog-5b6c7d8f9-qz2fw"}}}',
        ]
    )
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    r0 = rows[0]
    assert (r0["severity_text"], r0["trace_id"]) == ("ERROR", "4bf92f3577b34da6a3ce929d0e0e4736")
    assert r0["body"].startswith("score failed")  # thread and logger are head, not message
    assert attrs(r0)["logger"] == "c.a.pay.RiskScorer"
    assert r0["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 400000, tzinfo=UTC)  # the record's own time wins
    assert attrs(r0)["log.file.path"] == "/var/log/payment/app.log"
    r1 = rows[1]
    assert (r1["service"], r1["severity_text"], r1["body"]) == ("checkout", "WARN", "pool exhausted, waiting")
    assert attrs(r1)["kubernetes.namespace_name"] == "shop"
    r2 = rows[2]
    assert (r2["service"], r2["severity_text"], r2["body"]) == ("catalog", "INFO", "cache refreshed")
    assert attrs(r2)["jsonPayload.entries"] == "12"


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=12)),
            st.one_of(st.none(), st.integers(-(10**12), 10**12)),
            st.one_of(st.none(), st.text(alphabet='"k:nul,\\{}\x00', max_size=10)),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_encode_attributes_is_valid_json_without_nulls(rows):
    frame = pl.DataFrame(rows, schema={"a": pl.String, "n": pl.Int64, "k": pl.String}, orient="row")
    out = frame.select(
        _jsonl.encode_attributes({"a": pl.col("a"), "n": pl.col("n"), '"k":null': pl.col("k")}, numbers=("n",))
    )["attributes"].to_list()
    for (a, n, k), enc in zip(rows, out, strict=True):
        expected = {key: v for key, v in (("a", a), ("n", n), ('"k":null', k)) if v is not None}
        assert (json.loads(enc) if enc is not None else {}) == expected


def test_bracketed_logger_and_mdc_after_the_level_are_head_not_body():
    texts = pl.Series(
        [
            "2025-03-04 07:31:02,114 INFO [catalog.api] [trace_id=4f1c0a9be2d34f5a8c7d6e5f4a3b2c1d] - served product list in 12ms",
            "2025-03-04 07:31:03,001 WARN [payment.client] [traceId=0af7651916cd43dd8448eb211c80319c] [user=42]: retry 2 of 3",
            "ERROR [main] c.a.Checkout - failed",  # log4j "[%t] %c - ": thread, then the logger
            "ERROR [worker-3] [orders] [trace_id=abc-1]: bad order",
            "plain text [x] - no level",
            "INFO [catalog.jobs] [trace_id=0] - index refreshed",
        ]
    )
    out = _jsonl.parse_inner_messages(texts, OPTS).to_dicts()
    assert out[0]["body"] == "served product list in 12ms"
    assert out[0]["trace_id"] == "4f1c0a9be2d34f5a8c7d6e5f4a3b2c1d"
    assert attrs(out[0]) == {"logger": "catalog.api"}
    assert out[0]["severity_text"] == "INFO"
    assert out[1]["body"] == "retry 2 of 3"
    assert out[1]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert attrs(out[1]) == {"logger": "payment.client", "context": "user=42"}
    assert out[2]["body"] == "failed"
    assert attrs(out[2]) == {"logger": "c.a.Checkout", "thread": "main"}
    # a non-hex trace id still goes to trace_id; a second plain group is kept as context
    assert out[3]["body"] == "bad order"
    assert out[3]["trace_id"] == "abc-1"
    assert attrs(out[3]) == {"logger": "worker-3", "context": "orders"}
    assert out[4]["body"] == "plain text [x] - no level"
    assert out[4]["severity_text"] is None
    # "trace_id=0" is the no-trace placeholder: neither a trace id nor context
    assert (out[5]["body"], out[5]["trace_id"], attrs(out[5])) == ("index refreshed", None, {"logger": "catalog.jobs"})


def test_bracketed_prefix_in_docker_and_shipper_messages():
    text = "\n".join(
        [
            json.dumps({"log": "2025-03-04 07:31:02,114 INFO [catalog.api] [trace_id=4f1c0a9be2d34f5a8c7d6e5f4a3b2c1d] - served in 12ms\n", "stream": "stdout", "time": "2025-03-04T07:31:02.114Z"}),
            json.dumps({"log": "2025-03-04 07:31:02,200 ERROR [catalog.db]: pool exhausted\n", "stream": "stderr", "time": "2025-03-04T07:31:02.200Z"}),
        ]
    )
    rows = parse(_jsonl.DOCKER_FORMAT, text).to_dicts()
    assert [r["body"] for r in rows] == ["served in 12ms", "pool exhausted"]
    assert [attrs(r)["logger"] for r in rows] == ["catalog.api", "catalog.db"]
    assert attrs(rows[1])["stream"] == "stderr"
    assert rows[0]["trace_id"] == "4f1c0a9be2d34f5a8c7d6e5f4a3b2c1d"
    shipped = json.dumps({"@timestamp": "2025-03-04T07:31:02.114Z", "message": "2025-03-04 07:31:02,114 WARN [cart] - slow call 812ms"})
    row = parse(_jsonl.FORMAT, shipped).row(0, named=True)
    assert (row["severity_text"], row["body"], attrs(row)["logger"]) == ("WARN", "slow call 812ms", "cart")


def _encode_reference(frame: pl.DataFrame, names: list[str], numbers: tuple[str, ...], nullable) -> list:
    """The original one-pass encoding: struct.json_encode, then the null members cut out."""
    fields = [
        (pl.when(pl.col(c).cast(pl.Float64, strict=False).is_finite()).then(pl.col(c)) if c in numbers else pl.col(c).cast(pl.String)).alias(c)
        for c in names
    ]
    cut = [json.dumps(c, ensure_ascii=False) + ":null" for c in names if nullable is None or c in nullable or c in numbers]
    enc = pl.struct(fields).struct.json_encode()
    if cut:
        enc = enc.str.replace_many(cut, ["\x00"] * len(cut), leftmost=True).str.replace_many(
            ["\x00,", ",\x00", "\x00"], ["", "", ""], leftmost=True
        )
    return frame.select(pl.when(enc != "{}").then(enc)).to_series().to_list()


@pytest.mark.parametrize("max_masks", [0, 16, 1 << 20])
@pytest.mark.parametrize("nullable", [None, ["agent", "bytes"]])
def test_encode_attributes_large_batches_match_the_one_pass_encoding(monkeypatch, max_masks, nullable):
    # access-log-like attributes: repeated user agents and paths (encoded once per distinct
    # value), unique clients, numbers (ints, floats incl. -0.0 and non-finite), nulls in
    # several columns and one column null everywhere; rows grouped by their missing members
    # (max_masks > 0) or encoded member by member (0) must give the same text
    monkeypatch.setattr(_jsonl, "_MAX_MASKS", max_masks)
    n = 12_000
    agents = ["Mozilla/5.0 (X11; Linux x86_64)", 'curl/8.1 "quoted"', "é\u2028\\ agent", None]
    frame = pl.DataFrame(
        {
            "client": [f"10.0.{i // 250}.{i % 250}" for i in range(n)],
            "path": [f"/api/items/{i % 37}" if i % 11 else None for i in range(n)],
            "never": pl.Series([None] * n, dtype=pl.String),
            "status": [200 + (i % 5) * 100 if i % 13 else None for i in range(n)],
            "bytes": [i * 7 if i % 17 else None for i in range(n)],
            "agent": [agents[i % 4] for i in range(n)],
            "took": [[0.5, -0.0, float("inf"), None, 1e21, 0.1 + 0.2][i % 6] for i in range(n)],
        }
    )
    names = frame.columns
    numbers = ("status", "bytes", "took")
    got = frame.select(_jsonl.encode_attributes({c: pl.col(c) for c in names}, numbers=numbers, nullable=nullable))
    assert got.to_series().to_list() == _encode_reference(frame, names, numbers, nullable)
    first = json.loads(got.to_series()[1])
    if nullable is None:
        assert list(first) == ["client", "path", "status", "bytes", "agent", "took"]
    else:  # members not declared nullable are written even when null
        assert list(first) == ["client", "path", "never", "status", "bytes", "agent", "took"]
        assert first["never"] is None


def test_by_distinct_equals_the_row_wise_expression():
    from rcakit.ingest._base import by_distinct
    from rcakit.ingest._service import workload_from_pod

    pods = [f"checkout-7d9c{i % 3}b5f6b-{'xk2pq' if i % 2 else 'zz9rt'}" for i in range(40)] + ["kafka-0", None]
    frame = pl.DataFrame({"pod": [pods[i % len(pods)] for i in range(20_000)], "ns": ["prod", "dev"] * 10_000})
    expr = pl.concat_str(workload_from_pod(pl.col("pod")), pl.lit("@"), pl.col("ns")).alias("svc")
    assert by_distinct(frame, expr).equals(frame.select(expr).to_series())
    # a literal is broadcast, also when every row is distinct
    lit = pl.lit(None, dtype=pl.String).alias("x")
    assert by_distinct(frame, lit).len() == frame.height
    unique = pl.DataFrame({"pod": [f"p-{i}" for i in range(10_000)]})
    assert by_distinct(unique, workload_from_pod(pl.col("pod"))).equals(unique.select(workload_from_pod(pl.col("pod"))).to_series())


def test_repeating_timestamps_parse_like_one_row_at_a_time():
    from rcakit.ingest._timeparse import infer_timestamp_rules, parse_timestamps

    # second-resolution access-log stamps repeat: parsed once per distinct stamp; the result
    # must not depend on it (a 2k-row slice is below the size where distinct values are used)
    base = ["30/Mar/2025:01:59:59 +0000", "31/Mar/2025:02:30:00 +0200", "garbage", None, "31/Mar/2025:03:00:01 +0200"]
    stamps = pl.Series("t", [base[i % 5] if i % 7 else base[(i // 7) % 3] for i in range(20_000)], dtype=pl.String)
    rules = infer_timestamp_rules([s for s in stamps.head(200).to_list() if s])
    for tz in ("UTC", "Europe/Berlin"):
        expr = parse_timestamps(pl.col("t"), tz=tz, year=2025, rules=rules)
        whole = stamps.to_frame().select(expr).to_series()
        parts = pl.concat([stamps.slice(i, 2000).to_frame().select(expr).to_series() for i in range(0, 20_000, 2000)])
        assert whole.equals(parts)
        assert whole.null_count() == stamps.to_frame().select(pl.col("t").is_in(["garbage"]) | pl.col("t").is_null()).to_series().sum()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11/2/2024 12:00:01 AM", datetime(2024, 11, 2, 0, 0, 1, tzinfo=UTC)),
        ("11/2/2024 12:30:00 PM", datetime(2024, 11, 2, 12, 30, tzinfo=UTC)),
        ("11/2/2024 1:05:09 pm", datetime(2024, 11, 2, 13, 5, 9, tzinfo=UTC)),
        ("11/2/2024 13:05:09 PM", None),  # not a 12-hour clock
        ("02.11.2024 13:05:09", datetime(2024, 11, 2, 13, 5, 9, tzinfo=UTC)),
        ("31.12.2024 23:59:59,123", datetime(2024, 12, 31, 23, 59, 59, 123000, tzinfo=UTC)),
        # compact dates: HealthApp's millis after a colon, ISO 8601's basic form
        ("20171223-22:15:29:606", datetime(2017, 12, 23, 22, 15, 29, 606000, tzinfo=UTC)),
        ("20240102T030405Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("20241302-10:00:00", None),  # no month 13
    ],
)
def test_twelve_hour_clock_and_day_dot_month_stamps(text, expected):
    from rcakit.ingest._timeparse import infer_timestamp_rules, parse_timestamps

    frame = pl.DataFrame({"t": [text]})
    # every rule, and the rules (strptime fast path) inferred from the value itself
    assert frame.select(parse_timestamps("t"))["t"][0] == expected
    rules = infer_timestamp_rules([text])
    assert frame.select(parse_timestamps("t", rules=rules))["t"][0] == expected


def test_systemd_journal_json(tmp_path):
    # journalctl -o json: upper-case keys, a µs epoch, a syslog PRIORITY number, trusted "_" fields
    lines = [
        {"__CURSOR": "s=abc;i=1", "__REALTIME_TIMESTAMP": "1730505601123456", "_BOOT_ID": "b1", "PRIORITY": "6",
         "_HOSTNAME": "web01", "SYSLOG_IDENTIFIER": "nginx", "_SYSTEMD_UNIT": "nginx.service", "_PID": "812",
         "MESSAGE": "worker process 813 exited on signal 9"},
        {"__REALTIME_TIMESTAMP": "1730505602123456", "_SOURCE_REALTIME_TIMESTAMP": "1730505602000001",
         "PRIORITY": "3", "_SYSTEMD_UNIT": "checkout.service", "MESSAGE": "payment gateway timeout after 30000 ms"},
        {"__REALTIME_TIMESTAMP": "1730505603123456", "PRIORITY": "4", "SYSLOG_IDENTIFIER": "kernel", "MESSAGE": [69, 114, 114]},
    ]
    path = tmp_path / "journal.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    from rcakit.ingest import read_logs

    rows = read_logs(path).to_dicts()
    assert [r["format"] for r in rows] == ["jsonl"] * 3
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN"]
    assert [r["service"] for r in rows] == ["nginx", "checkout", "kernel"]  # identifier, else unit
    assert rows[0]["body"] == "worker process 813 exited on signal 9"
    assert rows[0]["timestamp"] == datetime(2024, 11, 2, 0, 0, 1, 123456, tzinfo=UTC)
    assert rows[1]["timestamp"] == datetime(2024, 11, 2, 0, 0, 2, 1, tzinfo=UTC)  # the source's own time
    assert json.loads(rows[0]["attributes"])["_HOSTNAME"] == "web01"
    assert json.loads(rows[0]["attributes"])["_PID"] == "812"


def test_splunk_json_exports(tmp_path):
    from rcakit.ingest import read_logs

    # the search UI's JSON export: one {"preview", "offset", "result": {...}} envelope per line
    lines = [
        {"preview": False, "offset": 0, "result": {"_bkt": "main~1~A", "_raw": "2024-11-02 00:00:01,123 ERROR [main] - charge failed",
                                                    "_time": "2024-11-02T00:00:01.123+00:00", "host": "web01", "source": "/var/log/checkout/app.log"}},
        {"preview": False, "offset": 1, "lastrow": True, "result": {"_raw": "2024-11-02 00:00:02,000 INFO [main] - charge ok",
                                                                    "_time": "2024-11-02T00:00:02.000+00:00", "host": "web01"}},
    ]
    path = tmp_path / "splunk.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rows = read_logs(path).to_dicts()
    assert [r["body"] for r in rows] == ["charge failed", "charge ok"]
    assert [r["severity_text"] for r in rows] == ["ERROR", "INFO"]
    assert rows[0]["timestamp"] == datetime(2024, 11, 2, 0, 0, 1, 123000, tzinfo=UTC)
    first = json.loads(rows[0]["attributes"])
    assert first["host"] == "web01"
    assert "preview" not in first
    assert "result._raw" not in first
    # the REST API's JSON document ("results": a list of events with _raw and _time)
    doc = tmp_path / "splunk-rest.json"
    doc.write_text(json.dumps({"preview": False, "init_offset": 0, "messages": [], "results": [line["result"] for line in lines]}, indent=2))
    assert [r["body"] for r in read_logs(doc).to_dicts()] == ["charge failed", "charge ok"]


def test_application_insights_json(tmp_path):
    from rcakit.ingest import read_logs

    lines = [
        {"TimeGenerated": "2024-11-02T00:00:01.123Z", "Message": "Order 42 placed", "SeverityLevel": 1,
         "AppRoleName": "checkout-api", "OperationId": "0af7651916cd43dd8448eb211c80319c", "ItemType": "trace"},
        {"TimeGenerated": "2024-11-02T00:00:02.5Z", "Message": "Payment gateway timeout", "SeverityLevel": 3,
         "AppRoleName": "checkout-api"},
    ]
    path = tmp_path / "traces.json"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rows = read_logs(path).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR"]
    assert [r["service"] for r in rows] == ["checkout-api", "checkout-api"]
    assert rows[0]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert rows[1]["timestamp"] == datetime(2024, 11, 2, 0, 0, 2, 500000, tzinfo=UTC)


def test_mongodb_structured_log(tmp_path):
    from rcakit.ingest import read_logs

    lines = [
        {"t": {"$date": "2024-11-02T00:00:01.123+00:00"}, "s": "I", "c": "NETWORK", "id": 22943, "ctx": "listener",
         "msg": "Connection accepted", "attr": {"remote": "10.0.0.1:5000"}},
        {"t": {"$date": "2024-11-02T00:00:02.456+00:00"}, "s": "W", "c": "QUERY", "id": 20526, "ctx": "conn12",
         "msg": "Slow query", "attr": {"durationMillis": 1503}},
        {"t": {"$date": "2024-11-02T00:00:03.000+00:00"}, "s": "D2", "c": "COMMAND", "msg": "run command"},
    ]
    path = tmp_path / "mongod.log"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rows = read_logs(path).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN", "DEBUG"]
    assert rows[1]["timestamp"] == datetime(2024, 11, 2, 0, 0, 2, 456000, tzinfo=UTC)
    assert json.loads(rows[1]["attributes"])["attr.durationMillis"] == "1503"
    # another record's "s" that is not a MongoDB severity stays an attribute
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"time": "2024-11-02T00:00:01Z", "msg": "tick", "s": "abc"}) + "\n")
    row = read_logs(other).row(0, named=True)
    assert row["severity_text"] is None
    assert json.loads(row["attributes"]) == {"s": "abc"}


def test_elasticsearch_documents_one_per_line():
    """elasticdump / scroll exports: each line a hit with its ``_source``."""
    text = "\n".join(
        [
            '{"_index":"logs-2024.03.01","_id":"a1","_score":1,"_source":{"@timestamp":"2024-03-01T10:00:01.123Z","log.level":"error","message":"payment declined","service.name":"payments","http":{"status":502}}}',
            '{"_index":"logs-2024.03.01","_id":"a2","_score":1,"_source":{"@timestamp":"2024-03-01T10:00:02Z","log.level":"info","message":"ok","service.name":"payments"}}',
        ]
    )
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert [(r["severity_text"], r["service"], r["body"]) for r in rows] == [
        ("ERROR", "payments", "payment declined"),
        ("INFO", "payments", "ok"),
    ]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC)
    assert attrs(rows[0]) == {"_index": "logs-2024.03.01", "_id": "a1", "_score": "1", "http.status": "502"}


def test_head_never_takes_an_exception_name_or_the_next_line():
    """A logger name is followed by ' - ' or ' : '; an exception name glued to its colon, or
    the first line of a stack trace, is message (a regression: the trace's first line was cut)."""
    texts = pl.Series(
        [
            "ERROR [getRouteById][Unexpected error][id: 143fe324]\njava.lang.NullPointerException: null\n\tat x.Y.z(Y.java:1)",
            "ERROR [main] java.lang.NullPointerException: null",
            "WARN [main] c.x.Pool : pool low",
        ]
    )
    out = _jsonl.parse_inner_messages(texts, OPTS).to_dicts()
    assert out[0]["body"] == texts[0].removeprefix("ERROR ")
    # (one name in brackets is head, as in the text reader: the exception name is message)
    assert (out[1]["body"], attrs(out[1])) == ("java.lang.NullPointerException: null", {"logger": "main"})
    assert (out[2]["body"], attrs(out[2])) == ("pool low", {"logger": "c.x.Pool", "thread": "main"})


def test_json_access_logs_read_like_access_logs():
    lines = [
        # nginx log_format ... escape=json: no message, no level
        {"time_local": "29/Nov/2024:08:00:01 +0000", "remote_addr": "1.2.3.4", "request": "GET /api/items/7?x=1 HTTP/1.1",
         "status": "502", "request_time": "0.012"},
        # Traefik: an empty message and the logger's own level
        {"time": "2024-11-29T08:00:02Z", "level": "info", "msg": "", "RequestMethod": "POST", "RequestPath": "/api/pay",
         "DownstreamStatus": 404, "Duration": 1234567},
        # Google Cloud's httpRequest (full URL), no level
        {"timestamp": "2024-11-29T08:00:03Z", "httpRequest": {"requestMethod": "GET", "requestUrl": "https://shop.example.com/cart#top", "status": 200}},
        # an app log with a message keeps it; its level stays the level
        {"time": "2024-11-29T08:00:04Z", "level": "info", "msg": "request completed", "req": {"method": "GET", "url": "/x"}, "res": {"statusCode": 500}},
        # a business "status" is not an HTTP status
        {"time": "2024-11-29T08:00:05Z", "status": "paid", "order": "o-1"},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines)).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows[:4]] == [
        ("ERROR", "GET /api/items/7 502"),
        ("WARN", "POST /api/pay 404"),
        ("INFO", "GET /cart 200"),
        ("INFO", "request completed"),
    ]
    assert rows[4]["severity_text"] is None
    assert json.loads(rows[4]["body"]) == lines[4]
    assert json.loads(rows[0]["attributes"])["request_time"] == "0.012"


def test_datadog_json_export_and_gelf():
    dd = [
        {"id": "AQ1", "type": "log", "attributes": {"timestamp": "2024-11-29T08:00:01.123Z", "status": "error",
         "service": "checkout", "message": "payment call failed", "host": "web-1", "attributes": {"http": {"status_code": 502}}}},
    ]
    row = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in dd)).to_dicts()[0]
    assert (row["severity_text"], row["service"], row["body"]) == ("ERROR", "checkout", "payment call failed")
    assert row["timestamp"] == datetime(2024, 11, 29, 8, 0, 1, 123000, tzinfo=UTC)
    assert attrs(row)["host"] == "web-1"
    gelf = [
        {"version": "1.1", "host": "web-1", "short_message": "payment failed", "timestamp": 1732867201.5, "level": 3,
         "_service": "checkout", "_trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"},
        {"version": "1.1", "host": "web-1", "short_message": "boom", "full_message": "boom\njava.lang.X: y\n\tat a.b(C.java:1)",
         "timestamp": 1732867202, "level": 6},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in gelf)).to_dicts()
    # GELF levels are syslog severities; "_"-prefixed additional fields name the fields
    assert [(r["severity_text"], r["service"], r["body"].splitlines()[0]) for r in rows] == [
        ("ERROR", "checkout", "payment failed"),
        ("INFO", None, "boom"),
    ]
    assert rows[0]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert rows[1]["body"].count("\n") == 2  # the full message, stack trace and all


def _all_null_dropped(frame: pl.DataFrame) -> pl.DataFrame:
    kept = [c for c in frame.columns if frame[c].null_count() < frame.height]
    return frame.select(sorted(kept))


@pytest.mark.parametrize("seed", range(4))
def test_keys_of_the_first_lines_checked_on_every_line(seed):
    # keys are taken from the first lines and checked on the others by counting '":'; keys
    # that come later (top level, null or not, nested, written "k" : v), escaped '\":' and
    # '":null' inside messages and nested nulls must all decode as a search of every line
    import json
    import random

    rnd = random.Random(seed)

    def value(depth: int = 0):
        r = rnd.random()
        if r < 0.15:
            return None
        if r < 0.3:
            return rnd.randint(-5, 10**6)
        if r < 0.45 and depth < 2:
            return {rnd.choice(["a", "level", "x y"]): value(depth + 1) for _ in range(rnd.randint(0, 3))}
        if r < 0.5 and depth < 2:
            return [value(depth + 1) for _ in range(rnd.randint(0, 3))]
        return rnd.choice(["plain", 'say "hi": now', 'k":null', "caf\u00e9", 'x\\":y', '{"in":"str"}', ""])

    lines = []
    for i in range(2500):
        keys = ["ts", "level", "msg", "ctx"][: rnd.randint(1, 4)]
        if i >= _jsonl._KEY_SAMPLE and rnd.random() < 0.01:
            keys.append(rnd.choice(["late", "u", "x y"]))
        obj = {k: value() for k in keys}
        separators = rnd.choice([(",", ":"), (", ", ": "), (",", " : "), (",", "  :")])
        lines.append(json.dumps(obj, separators=separators, ensure_ascii=rnd.random() < 0.5))
    texts = pl.Series(lines)
    fast = _jsonl._decode(texts)
    searched = _jsonl._read_objects(texts, _jsonl._discover_keys(texts))
    assert fast is not None
    assert searched is not None
    assert _all_null_dropped(fast).equals(_all_null_dropped(searched))
    assert {"late", "u", "x y"} & set(_all_null_dropped(fast).columns)


def test_json_stamps_with_a_zone_name(tmp_path):
    p = tmp_path / "app.jsonl"
    p.write_text('{"time": "2024-03-01 09:58:00.123 CET", "level": "info", "msg": "ok"}\n')
    assert read_logs(p)["timestamp"][0] == datetime(2024, 3, 1, 8, 58, 0, 123000, tzinfo=UTC)


def test_colour_codes_written_as_json_escapes_are_removed(tmp_path):
    # a coloured console captured by docker's json-file driver: its level is read again
    p = tmp_path / "payments-json.log"
    p.write_text(
        '{"log":"2024-03-01 10:00:00.123 \\u001b[31mERROR\\u001b[0m [main] c.x.Pay - charge failed\\n",'
        '"stream":"stdout","time":"2024-03-01T10:00:00.123456789Z"}\n'
        '{"log":"2024-03-01 10:00:01.123 \\u001b[32mINFO\\u001b[0m [main] c.x.Pay - ok\\n",'
        '"stream":"stdout","time":"2024-03-01T10:00:01.123456789Z"}\n'
    )
    df = read_logs(p)
    assert df.select("severity_text", "body").rows() == [("ERROR", "charge failed"), ("INFO", "ok")]
    q = tmp_path / "app.jsonl"
    q.write_text('{"ts":"2024-03-01T10:00:00Z","level":"error","msg":"\\u001b[31mcharge failed\\u001b[0m"}\n')
    assert read_logs(q)["body"].to_list() == ["charge failed"]


ES7_SERVER_LOG = """\
{"type": "server", "timestamp": "2024-03-01T10:02:11,222Z", "level": "WARN", "component": "o.e.m.j.JvmGcMonitorService", "node.name": "es-data-0", "message": "[gc][1234] overhead, spent [2.1s] collecting in the last [2.5s]"}
{"type": "server", "timestamp": "2024-03-01T10:02:30,333Z", "level": "ERROR", "component": "o.e.b.ElasticsearchUncaughtExceptionHandler", "node.name": "es-data-0", "message": "fatal error in thread [write], exiting" ,
"stacktrace": ["java.lang.OutOfMemoryError: Java heap space",
"at java.util.Arrays.copyOf(Arrays.java:3537) ~[?:?]",
"at java.lang.Thread.run(Thread.java:1583) [?:?]"] }

{"type": "deprecation.elasticsearch", "timestamp": "2024-03-01T10:04:00,100Z", "level": "DEPRECATION", "component": "o.e.d.r.RestController", "message": "Legacy index templates are deprecated"}
{"type": "server", "timestamp": "2024-03-01T10:05:00,000Z", "level": "INFO", "component": "o.e.c.r.a.AllocationService", "message": "Cluster health status changed from [RED] to [YELLOW]
not json, and never closed
"""


def test_elasticsearch7_objects_with_a_stacktrace_over_several_lines():
    """Elasticsearch 7's server log: one object per line, except that a stack trace array
    runs one element per line; the object is one record with the trace under its message."""
    from rcakit.ingest import FORMATS
    from rcakit.ingest._detect import detect_text_format

    assert detect_text_format(ES7_SERVER_LOG, formats=FORMATS) == "jsonl"
    out = parse(_jsonl.FORMAT, ES7_SERVER_LOG)
    assert out["line_no"].to_list() == [1, 2, 7, 8, 9]
    assert out["n_lines"].to_list() == [1, 5, 1, 1, 1]  # the blank line folds into the record above
    assert out["severity_text"].to_list()[:3] == ["WARN", "ERROR", "INFO"]  # DEPRECATION: informational
    error = out.row(1, named=True)
    assert error["timestamp"] == datetime(2024, 3, 1, 10, 2, 30, 333000, tzinfo=UTC)
    assert error["body"] == (
        "fatal error in thread [write], exiting\njava.lang.OutOfMemoryError: Java heap space\n"
        "at java.util.Arrays.copyOf(Arrays.java:3537) ~[?:?]\nat java.lang.Thread.run(Thread.java:1583) [?:?]"
    )
    assert error["parse_error"] is None
    # an object cut short and the text after it are kept line by line, as before
    assert out["parse_error"].is_not_null().to_list() == [False, False, False, True, True]
    assert out["body"][4] == "not json, and never closed"


def test_an_error_object_without_a_stack_follows_the_message():
    """pino/bunyan's err, ECS's error, OpenTelemetry's exception with a message and no stack:
    the message is followed by "Type: error message", as the stack's first line would be
    (whom the failure names is there); a message that holds it already is left alone."""
    text = (
        '{"level":50,"time":1737540508448,"err":{"type":"Error","message":"request to http://catalog:8080/api failed, reason: upstream responded 500"},"msg":"upstream request failed"}\n'
        '{"level":50,"time":1737540509448,"error":{"message":"connect ECONNREFUSED 10.0.0.7:5432"},"msg":"db query failed"}\n'
        '{"level":30,"time":1737540510448,"msg":"request completed"}\n'
    )
    out = parse(_jsonl.FORMAT, text)
    assert out["body"].to_list() == [
        "upstream request failed\nError: request to http://catalog:8080/api failed, reason: upstream responded 500",
        "db query failed\nError: connect ECONNREFUSED 10.0.0.7:5432",
        "request completed",
    ]
    ecs = '{"@timestamp":"2025-01-22T10:08:30Z","log.level":"error","error.message":"disk full","message":"write failed: disk full"}\n'
    assert parse(_jsonl.FORMAT, ecs)["body"].to_list() == ["write failed: disk full"]


def test_a_dotted_key_and_a_nested_one_of_the_same_name_are_one_field():
    # (before: polars' DuplicateError, and the whole file was read as raw lines)
    text = (
        '{"time":1737540509448,"level":"error","error":{"message":"connect ECONNREFUSED"},"msg":"db query failed"}\n'
        '{"time":1737540510448,"level":"error","error.message":"disk full","msg":"write failed"}\n'
    )
    out = parse(_jsonl.FORMAT, text)
    assert out["parse_error"].to_list() == [None, None]
    assert out["body"].to_list() == ["db query failed\nError: connect ECONNREFUSED", "write failed\nError: disk full"]
    assert [json.loads(a)["error.message"] for a in out["attributes"]] == ["connect ECONNREFUSED", "disk full"]


def test_hclog_and_postgres_jsonlog_levels():
    """HashiCorp's hclog JSON (Nomad, Consul, Vault, Terraform: '@level', '@module') and
    PostgreSQL's jsonlog ('error_severity'): a blind probe found every level null."""
    nomad = [
        {"@level": "error", "@message": "prestart failed", "@module": "client.alloc_runner.task_runner",
         "@timestamp": "2024-03-01T10:00:02+01:00", "alloc_id": "5b3d7c1e-0f2a-4b6c-8d9e-0a1b2c3d4e5f", "task": "payments"},
        {"@level": "trace", "@message": "next heartbeat", "@module": "client", "@timestamp": "2024-03-01T10:00:04+01:00", "period": "17.5s"},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in nomad)).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("ERROR", "prestart failed"), ("TRACE", "next heartbeat")]
    assert attrs(rows[0])["logger"] == "client.alloc_runner.task_runner"
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 9, 0, 2, tzinfo=UTC)
    pg = [
        {"timestamp": "2024-03-01 10:00:00.123 CET", "pid": 4100, "error_severity": "LOG", "message": "database system is ready to accept connections", "backend_type": "postmaster"},
        {"timestamp": "2024-03-01 10:00:05.456 CET", "user": "app", "dbname": "orders", "pid": 4201, "error_severity": "ERROR", "state_code": "23505",
         "message": "duplicate key value violates unique constraint \"orders_pkey\"", "detail": "Key (id)=(42) already exists."},
        {"timestamp": "2024-03-01 10:00:08.000 CET", "pid": 4204, "error_severity": "PANIC", "message": "could not write to file \"pg_wal/xlogtemp.4204\""},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in pg)).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "FATAL"]
    assert rows[1]["timestamp"] == datetime(2024, 3, 1, 9, 0, 5, 456000, tzinfo=UTC)


def test_envoy_istio_json_access_log_response_code():
    """Envoy's / Istio's JSON access log names the status 'response_code': a blind probe
    found the records' levels null and the whole object as their message."""
    lines = [
        {"authority": "payments:8080", "bytes_sent": 91, "duration": 30, "method": "POST", "path": "/api/pay?order=42",
         "protocol": "HTTP/1.1", "response_code": 503, "response_flags": "UF", "start_time": "2024-03-01T10:00:01.123Z",
         "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "upstream_cluster": "outbound|8080||payments.shop.svc.cluster.local"},
        {"authority": "catalog:8080", "method": "GET", "path": "/api/items/999", "protocol": "HTTP/1.1", "response_code": 404,
         "response_flags": "-", "start_time": "2024-03-01T10:00:04.000Z"},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines)).to_dicts()
    assert [(r["body"], r["severity_text"]) for r in rows] == [("POST /api/pay 503 UF", "ERROR"), ("GET /api/items/999 404", "WARN")]
    assert rows[0]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC)


def test_cloudflare_start_time_and_pino_name():
    """A request is placed at its start (Cloudflare's EdgeStartTimestamp, not its
    EdgeEndTimestamp, which came first in the object); pino's 'name' is the service, as
    bunyan's is."""
    cf = {"ClientRequestMethod": "POST", "ClientRequestURI": "/api/pay?order=42", "EdgeEndTimestamp": "2024-03-01T10:00:01Z",
          "EdgeResponseStatus": 502, "EdgeStartTimestamp": "2024-03-01T10:00:00Z", "RayID": "85d2f1a3b4c5d6e7"}
    row = parse(_jsonl.FORMAT, json.dumps(cf) + "\n").to_dicts()[0]
    assert (row["timestamp"], row["body"]) == (datetime(2024, 3, 1, 10, 0, 0, tzinfo=UTC), "POST /api/pay 502")
    pino = [
        {"level": 30, "time": 1709287200123, "pid": 1, "hostname": "checkout-7d9f8b6c5-x2q4z", "name": "checkout", "msg": "server listening"},
        {"level": 50, "time": 1709287202500, "pid": 1, "hostname": "checkout-7d9f8b6c5-x2q4z", "name": "checkout", "msg": "card declined"},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in pino)).to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows] == [("checkout", "INFO"), ("checkout", "ERROR")]
    # (Python's "name" is its logger: no pino levels, no service)
    py = {"asctime": "2024-03-01 10:00:00,123", "levelname": "ERROR", "name": "shop.db", "hostname": "h1", "pid": 7, "message": "boom"}
    row = parse(_jsonl.FORMAT, json.dumps(py) + "\n").to_dicts()[0]
    assert row["service"] is None


def test_crash_report_takes_the_service_of_the_records_above():
    """The Go panic printed after a service's JSON records is that process's: it had been
    given the file's name while every record above named its service."""
    text = (
        '{"level":"error","service":"orders","time":"2024-03-01T10:00:06+01:00","message":"ledger mismatch"}\n'
        '{"level":"panic","service":"orders","time":"2024-03-01T10:00:07+01:00","message":"unreachable"}\n'
        "panic: unreachable\n"
        "\n"
        "goroutine 1 [running]:\n"
        "main.main()\n"
        "\t/app/main.go:57 +0x1a5\n"
    )
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert [(r["service"], r["severity_text"], r["n_lines"]) for r in rows] == [
        ("orders", "ERROR", 1), ("orders", "FATAL", 1), ("orders", "FATAL", 5)]


def test_istio_proxy_tcp_records_and_its_own_text_lines():
    """istio-proxy's container log: a TCP connection's record with response flags (no
    method, status 0) reads as the text access log reads it, at ERROR; Envoy's own
    "<stamp>\twarning\tenvoy config <source>:163\t<msg>" lines among the JSON records are
    records with their time and level, not lines that failed to parse."""
    text = (
        json.dumps({"authority": "-", "bytes_received": 1234, "duration": 10001, "method": None, "path": None, "protocol": None,
                    "response_code": 0, "response_flags": "UF,URX", "start_time": "2024-03-01T10:00:03.500Z",
                    "upstream_cluster": "outbound|5432||db.shop.svc.cluster.local", "upstream_host": None}) + "\n"
        + json.dumps({"authority": "catalog:8080", "method": "GET", "path": "/api/items", "response_code": 200,
                      "response_flags": "-", "start_time": "2024-03-01T10:00:04.000Z"}) + "\n"
        + "2024-03-01T10:00:05.000000Z\twarning\tenvoy config external/envoy/source/common/config/grpc_stream.h:163\t"
        "StreamAggregatedResources gRPC config stream to xds-grpc closed since 1804s ago: 14, connection error\n"
        + "2024-03-01T10:00:06.000000Z\tinfo\txdsproxy\tconnected to upstream XDS server: istiod.istio-system.svc:15012\n"
    )
    rows = parse(_jsonl.FORMAT, text).to_dicts()
    assert [(r["severity_text"], r["parse_error"]) for r in rows] == [("ERROR", None), ("INFO", None), ("WARN", None), ("INFO", None)]
    assert rows[0]["body"] == "TCP db.shop.svc.cluster.local UF,URX"
    assert rows[1]["body"] == "GET /api/items 200"
    assert rows[2]["body"].startswith("StreamAggregatedResources gRPC config stream")
    assert rows[2]["timestamp"] == datetime(2024, 3, 1, 10, 0, 5, tzinfo=UTC)


def test_rust_tracing_json_message_is_under_fields(tmp_path):
    # tracing-subscriber's fmt().json(): the event's message is a field like the others
    path = tmp_path / "gateway.jsonl"
    path.write_text(
        '{"timestamp":"2024-03-03T13:02:03.123456Z","level":"INFO","fields":{"message":"listening on 0.0.0.0:8080"},'
        '"target":"gateway"}\n'
        '{"timestamp":"2024-03-03T13:02:04.000001Z","level":"WARN","fields":{"message":"upstream slow","elapsed_ms":812},'
        '"target":"gateway::proxy","span":{"name":"request","method":"GET"}}\n'
    )
    rows = read_logs(path).to_dicts()
    assert [r["body"] for r in rows] == ["listening on 0.0.0.0:8080", "upstream slow"]
    assert [r["severity_text"] for r in rows] == ["INFO", "WARN"]


def test_bunyan_name_is_the_service_beside_a_child_loggers_component():
    """bunyan's ``name`` is the application; a child logger's ``component`` on some records
    (``log.child({component: "cache"})``) does not make those another service."""
    lines = [
        {"name": "cart", "hostname": "cart-7d9c", "pid": 18, "level": 30, "msg": "listening on :3000", "time": "2024-03-05T10:00:01.123Z", "v": 0},
        {"name": "cart", "hostname": "cart-7d9c", "pid": 18, "level": 20, "component": "cache", "msg": "cache hit", "time": "2024-03-05T10:00:05.000Z", "v": 0},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines)).to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows] == [("cart", "INFO"), ("cart", "DEBUG")]
    assert attrs(rows[1])["component"] == "cache"


def test_monolog_json_level_name_is_the_level():
    """Monolog's JsonFormatter: ``level`` is its number (100 DEBUG .. 600 EMERGENCY),
    ``level_name`` the word."""
    lines = [
        {"message": "Order 8812 created", "context": {}, "level": 200, "level_name": "INFO", "channel": "app", "datetime": "2024-03-05T10:00:01.123456+01:00", "extra": {}},
        {"message": "Payment capture failed", "context": {}, "level": 400, "level_name": "ERROR", "channel": "app", "datetime": "2024-03-05T10:00:02.000000+01:00", "extra": {}},
        {"message": "Login throttled", "context": {}, "level": 300, "level_name": "WARNING", "channel": "security", "datetime": "2024-03-05T10:00:03.000000+01:00", "extra": {}},
        {"message": "Disk full", "context": {}, "level": 550, "channel": "app", "datetime": "2024-03-05T10:00:04.000000+01:00", "extra": {}},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines)).to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN", "FATAL"]
    assert rows[1]["timestamp"] == datetime(2024, 3, 5, 9, 0, 2, tzinfo=UTC)


def test_loki_logcli_jsonl_line_and_labels():
    """Loki's ``logcli query --output=jsonl`` (probe AI): the app line is under ``line`` (a
    text line or the app's own JSON line, each read as an inner line), the service is the
    stream's ``app`` label; a number under ``line`` elsewhere is a source line, not the message."""
    labels = {"app": "orders", "namespace": "prod", "pod": "orders-6c9f8d7b5-bcdfg", "container": "orders"}
    lines = [
        {"labels": labels, "line": "2024-03-05 10:00:30,000 INFO  [http-2] c.s.o.Api - GET /api/orders/2 200", "timestamp": "2024-03-05T10:00:30.000000000Z"},
        {"labels": labels, "line": "2024-03-05 10:00:31,123 ERROR [http-3] c.s.o.Pay - charge failed: 504", "timestamp": "2024-03-05T10:00:31.123456789Z"},
        {
            "labels": {"app": "inventory", "namespace": "prod", "pod": "inventory-5d8f7c9b4-qxzrt", "container": "inventory"},
            "line": '{"level":"warn","ts":"2024-03-05T10:00:32Z","msg":"stock low","sku":"A-1"}',
            "timestamp": "2024-03-05T10:00:32.000000000Z",
        },
        {"labels": {"pod": "billing-7f9c6d5b8-k2x9z"}, "line": "invoice 77 sent", "timestamp": "2024-03-05T10:00:33Z"},
    ]
    rows = parse(_jsonl.FORMAT, "".join(json.dumps(x) + "\n" for x in lines)).to_dicts()
    assert [(r["severity_text"], r["service"], r["body"]) for r in rows] == [
        ("INFO", "orders", "GET /api/orders/2 200"),
        ("ERROR", "orders", "charge failed: 504"),
        ("WARN", "inventory", "stock low"),
        (None, "billing", "invoice 77 sent"),
    ]
    assert rows[1]["timestamp"] == datetime(2024, 3, 5, 10, 0, 31, 123456, tzinfo=UTC)
    assert attrs(rows[2])["sku"] == "A-1"
    assert attrs(rows[2])["labels.namespace"] == "prod"
    caller = '{"level":"error","file":"pay.go","line":42,"time":"2024-03-05T10:00:34Z"}'
    row = parse(_jsonl.FORMAT, caller + "\n").to_dicts()[0]
    assert row["body"] == caller
    assert attrs(row)["line"] == "42"


def test_elasticsearchs_json_logs_are_elasticsearchs_whatever_logger_wrote_them(tmp_path) -> None:
    """Elasticsearch 7's JSON server log and slow log write the logger as ``component``
    (``o.e.c.m.MetadataMappingService``, ``r.suppressed``): it is the logger, not a service
    (a blind probe saw five "services" of one cluster); both files are the product's, as its
    callers and change tickets name it (OpenSearch's, ``o.o.*`` loggers, are opensearch's)."""
    head = '"cluster.name": "grocery-search", "node.name": "es-data-1", "cluster.uuid": "Zr3Hq8xWTe", "node.id": "c0Qk7bq2"'
    (tmp_path / "grocery-search_server.json").write_text(
        '{"type": "server", "timestamp": "2025-03-08T17:00:19,801Z", "level": "INFO", '
        f'"component": "o.e.c.m.MetadataMappingService", {head}, "message": "[products_v6/3qZ2] update_mapping [_doc]"}}\n'
        '{"type": "server", "timestamp": "2025-03-08T17:02:45,372Z", "level": "WARN", '
        f'"component": "r.suppressed", {head}, "message": "path: /products/_search, params: {{index=products}}"}}\n'
    )
    (tmp_path / "grocery-search_index_search_slowlog.json").write_text(
        '{"type": "index_search_slowlog", "timestamp": "2025-03-08T16:11:28,260Z", "level": "INFO", '
        f'"component": "i.s.s.query", {head}, "message": "[products_v6][0]", "took": "0.9s", "took_millis": "862"}}\n'
    )
    frame = read_logs(tmp_path)
    assert frame["service"].to_list() == ["elasticsearch"] * 3
    loggers = {json.loads(a)["logger"] for a in frame["attributes"]}
    assert loggers == {"o.e.c.m.MetadataMappingService", "r.suppressed", "i.s.s.query"}
    (tmp_path / "grocery-search_index_search_slowlog.json").unlink()
    (tmp_path / "grocery-search_server.json").write_text(
        '{"type": "server", "timestamp": "2025-03-08T17:00:19,801Z", "level": "INFO", '
        f'"component": "o.o.c.m.MetadataMappingService", {head}, "message": "update_mapping [_doc]"}}\n'
    )
    assert read_logs(tmp_path)["service"].to_list() == ["opensearch"]
