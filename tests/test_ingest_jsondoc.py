"""JSON document exports (``rcakit.ingest._jsondoc``, format ``json``)."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcakit._text import ESCAPE_SEQUENCES
from rcakit.ingest import _csv_export, _jsondoc, _jsonl
from rcakit.ingest._base import RECORD_COLUMNS, ParseOptions
from rcakit.ingest._detect import sample_lines

OPTS = ParseOptions(tz="UTC", year=2024)


def n_physical(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") or not text else 1)


def parse(text: str) -> pl.DataFrame:
    out = _jsondoc.FORMAT.parse(text, OPTS)
    assert out.schema == RECORD_COLUMNS
    assert out["n_lines"].sum() == n_physical(text), "every physical line must be in exactly one record"
    if out.height:
        # the records owning lines tile the file; a record owning none starts on the line
        # of the record before it
        owning = out.filter(pl.col("n_lines") > 0)
        assert owning["line_no"].to_list() == [1, *(owning["line_no"] + owning["n_lines"]).to_list()[:-1]]
        rows = out.select("line_no", "n_lines").rows()
        for (prev_line, _), (line, n) in itertools.pairwise(rows):
            assert n > 0 or line == prev_line
    return out


def attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def sniff(text: str) -> float:
    return _jsondoc.FORMAT.sniff(sample_lines(text))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


RECORDS = [
    {
        "@timestamp": "2025-03-04T07:31:02.114Z",
        "log": {"level": "error", "logger": "checkout.pay"},
        "message": "payment call failed status=500 \u2192 retry",
        "service": {"name": "checkout"},
        "trace": {"id": "0af7651916cd43dd8448eb211c80319c"},
        "http": {"request": {"method": "POST"}, "response": {"status_code": 500}},
    },
    {
        "@timestamp": "2025-03-04T07:31:03.000Z",
        "message": "2025-03-04 07:31:03,000 WARN [cart.api] [trace_id=4f1c0a9be2d34f5a8c7d6e5f4a3b2c1d] - slow call 812ms",
        "kubernetes": {"pod": {"name": "cart-7d4b9c8f6d-x2q4z"}},
        "tags": ["a", "b"],
    },
    {"ts": 1741073464, "level": "info", "msg": 'quoted "name" caf\u00e9 \u2713', "app": "search"},
]


def check_records(out: pl.DataFrame) -> None:
    rows = out.to_dicts()
    assert len(rows) == 3
    assert rows[0]["timestamp"] == utc(2025, 3, 4, 7, 31, 2, 114000)
    assert (rows[0]["severity_text"], rows[0]["service"]) == ("ERROR", "checkout")
    assert rows[0]["body"] == "payment call failed status=500 \u2192 retry"
    assert rows[0]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert attrs(rows[0]) == {"logger": "checkout.pay", "http.request.method": "POST", "http.response.status_code": "500"}
    # a raw app line as message: read like a shipper envelope in JSON lines
    assert (rows[1]["severity_text"], rows[1]["body"]) == ("WARN", "slow call 812ms")
    assert rows[1]["timestamp"] == utc(2025, 3, 4, 7, 31, 3)
    assert rows[1]["service"] == "cart"
    assert rows[1]["trace_id"] == "4f1c0a9be2d34f5a8c7d6e5f4a3b2c1d"
    assert json.loads(attrs(rows[1])["tags"]) == ["a", "b"]
    assert rows[2]["body"] == 'quoted "name" caf\u00e9 \u2713'
    assert rows[2]["timestamp"] == utc(2025, 3, 4, 7, 31, 4)
    assert out["parse_error"].null_count() == 3


@pytest.mark.parametrize("indent", [None, 2, 4], ids=["compact", "indent2", "indent4"])
def test_array_of_records_pretty_and_compact(indent):
    text = json.dumps(RECORDS, indent=indent) + "\n"
    assert sniff(text) == 1.0
    out = parse(text)
    check_records(out)
    if indent is None:
        assert out["line_no"].to_list() == [1, 1, 1]
        assert out["n_lines"].to_list() == [1, 0, 0]
    else:
        starts = [i + 1 for i, line in enumerate(text.splitlines()) if line == " " * indent + "{"]
        assert out["line_no"].to_list() == [1, *starts[1:]]


def test_same_mapping_as_json_lines():
    ndjson = "\n".join(json.dumps(r) for r in RECORDS)
    lines = _jsonl.parse_json_records(pl.Series(ndjson.split("\n")), OPTS)
    doc = parse(json.dumps(RECORDS, indent=2))
    assert doc.drop("line_no", "n_lines").equals(lines.drop("line_no", "n_lines"))


def test_unicode_escapes_are_decoded():
    text = '[\n  {"time": "2024-03-05T14:03:12Z", "level": "warn", "msg": "caf\\u00e9 \\ud83d\\ude80 \\"q\\" tab\\tend"}\n]'
    row = parse(text).row(0, named=True)
    assert row["body"] == 'caf\u00e9 \U0001f680 "q" tab\tend'
    assert row["severity_text"] == "WARN"


def es_response(hits: list[dict]) -> dict:
    return {
        "took": 5,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": None, "hits": hits},
    }


@pytest.mark.parametrize("indent", [None, 2])
def test_elasticsearch_search_response(indent):
    hits = [{"_index": "logs-2025.03.04", "_id": f"id{i}", "_score": None, "_source": r} for i, r in enumerate(RECORDS)]
    text = json.dumps(es_response(hits), indent=indent)
    assert sniff(text) == 1.0
    assert _jsonl.FORMAT.sniff(sample_lines(text)) == 0.0  # not taken as one JSON line
    out = parse(text)
    check_records(out.with_columns(pl.col("attributes").str.replace(r'"es\.index":"[^"]*","es\.id":"[^"]*",?', "")))
    assert [attrs(r)["es.id"] for r in out.to_dicts()] == ["id0", "id1", "id2"]
    assert attrs(out.row(0, named=True))["es.index"] == "logs-2025.03.04"


def test_elasticsearch_hits_with_docvalue_fields():
    hits = [{"_index": "x", "_id": "1", "fields": {"@timestamp": ["2025-03-04T07:31:02Z"], "message": ["disk full"], "host.name": ["db-1", "db-2"]}}]
    row = parse(json.dumps(es_response(hits), indent=1)).row(0, named=True)
    assert (row["timestamp"], row["body"]) == (utc(2025, 3, 4, 7, 31, 2), "disk full")
    assert json.loads(attrs(row)["host.name"]) == ["db-1", "db-2"]


@pytest.mark.parametrize("indent", [None, 4])
def test_cloudwatch_filter_log_events(indent):
    doc = {
        "events": [
            {"logStreamName": "ecs/payment/abc", "timestamp": 1700000000000, "message": '{"level":"error","msg":"db timeout","service":"payment"}', "ingestionTime": 1700000000100, "eventId": "1"},
            {"logStreamName": "ecs/payment/abc", "timestamp": 1700000001500, "message": "2023-11-14 22:13:21.500 INFO charge ok id=7\n", "ingestionTime": 1700000001600, "eventId": "2"},
            {"logStreamName": "ecs/payment/abc", "timestamp": 1700000002000, "message": "REPORT RequestId: 1f Duration: 2.1 ms", "ingestionTime": 1700000002100, "eventId": "3"},
        ],
        "searchedLogStreams": [{"logStreamName": "ecs/payment/abc", "searchedCompletely": True}],
    }
    text = json.dumps(doc, indent=indent)
    assert sniff(text) == 1.0
    rows = parse(text).to_dicts()
    assert [r["timestamp"] for r in rows] == [utc(2023, 11, 14, 22, 13, 20), utc(2023, 11, 14, 22, 13, 21, 500000), utc(2023, 11, 14, 22, 13, 22)]
    assert [(r["severity_text"], r["body"]) for r in rows] == [("ERROR", "db timeout"), ("INFO", "charge ok id=7"), (None, "REPORT RequestId: 1f Duration: 2.1 ms")]
    assert rows[0]["service"] == "payment"
    assert attrs(rows[2]) == {"logStreamName": "ecs/payment/abc", "ingestionTime": "1700000002100", "eventId": "3"}


@pytest.mark.parametrize("indent", [None, 2])
def test_loki_query_response(indent):
    doc = {
        "status": "success",
        "data": {
            "resultType": "streams",
            "result": [
                {"stream": {"service_name": "cart", "namespace": "shop"}, "values": [["1700000000000000000", "added item sku=1"], ["1700000000500000000", '{"level":"warn","msg":"stock low","sku":"2"}']]},
                {"stream": {"app": "pay", "level": "info"}, "values": [["1700000001000000000", "2023-11-14 22:13:21,000 ERROR [pay.core] - declined", {"trace_id": "0af7651916cd43dd8448eb211c80319c"}], ["1700000001200000000", "charge ok"]]},
            ],
            "stats": {"summary": {"bytesProcessedPerSecond": 1}},
        },
    }
    text = json.dumps(doc, indent=indent)
    assert sniff(text) == 1.0
    rows = parse(text).to_dicts()
    assert [r["service"] for r in rows] == ["cart", "cart", "pay", "pay"]
    assert [r["body"] for r in rows] == ["added item sku=1", "stock low", "declined", "charge ok"]
    # the line's own level first, the stream's level label when the line has none
    assert [r["severity_text"] for r in rows] == [None, "WARN", "ERROR", "INFO"]
    assert [r["severity_number"] for r in rows] == [None, 13, 17, 9]
    assert rows[1]["timestamp"] == utc(2023, 11, 14, 22, 13, 20, 500000)
    assert attrs(rows[0]) == {"namespace": "shop"}
    assert attrs(rows[1])["sku"] == "2"
    assert rows[2]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    if indent is not None:
        lines = text.split("\n")
        # each record starts at the "[" of its value pair
        assert [lines[r["line_no"] - 1].strip()[:1] for r in rows[1:]] == ["[", "[", "["]


def _loki_frame(rows: list[tuple[int, str, dict]]) -> dict:
    """A Loki data frame as Grafana's query inspector writes it (column by column)."""
    return {
        "schema": {
            "refId": "A",
            "meta": {"typeVersion": [0, 0], "custom": {"frameType": "LabeledTimeValues"}},
            "fields": [
                {"name": "labels", "type": "other", "typeInfo": {"frame": "json.RawMessage"}},
                {"name": "Time", "type": "time", "typeInfo": {"frame": "time.Time"}},
                {"name": "Line", "type": "string", "typeInfo": {"frame": "string"}},
                {"name": "tsNs", "type": "string", "typeInfo": {"frame": "string"}},
                {"name": "labelTypes", "type": "other", "typeInfo": {"frame": "json.RawMessage", "nullable": True}},
                {"name": "id", "type": "string", "typeInfo": {"frame": "string"}},
            ],
        },
        "data": {
            "values": [
                [labels for _, _, labels in rows],
                [ns // 1_000_000 for ns, _, _ in rows],
                [line for _, line, _ in rows],
                [str(ns) for ns, _, _ in rows],
                [{"app": "I"} for _ in rows],
                [f"{ns}_{i}" for i, (ns, _, _) in enumerate(rows)],
            ],
            "nanos": [None, [ns % 1_000_000 for ns, _, _ in rows], None, None, None, None],
        },
    }


@pytest.mark.parametrize("shape", ["frame", "list", "ds_query"])
@pytest.mark.parametrize("indent", [None, 2])
def test_grafana_data_frames(shape, indent):
    first = _loki_frame([
        (1700000000123456789, "2023-11-14 22:13:20,123 ERROR [pay.core] - declined", {"app": "pay", "namespace": "shop"}),
        (1700000000500000000, "charge ok", {"app": "pay", "namespace": "shop", "detected_level": "info"}),
    ])
    second = _loki_frame([(1700000001000000000, '{"level":"warn","msg":"stock low","sku":"2"}', {"service_name": "cart"})])
    if shape == "frame":
        doc, expected = first, 2
    elif shape == "list":
        doc, expected = [first, second], 3
    else:
        doc, expected = {"results": {"A": {"status": 200, "frames": [first]}, "B": {"status": 200, "frames": [second]}}}, 3
    text = json.dumps(doc, indent=indent)
    assert sniff(text) == 1.0
    rows = parse(text).to_dicts()
    assert len(rows) == expected
    assert [r["body"] for r in rows] == ["declined", "charge ok", "stock low"][:expected]
    # the line's own level first, a level label when it has none; tsNs keeps the nanoseconds
    assert [r["severity_text"] for r in rows] == ["ERROR", "INFO", "WARN"][:expected]
    assert rows[1]["timestamp"] == utc(2023, 11, 14, 22, 13, 20, 500000)
    assert [r["service"] for r in rows] == ["pay", "pay", "cart"][:expected]
    assert attrs(rows[0]) == {"namespace": "shop", "id": "1700000000123456789_0", "logger": "pay.core"}  # no labelTypes
    assert all(r["parse_error"] is None for r in rows)
    if indent is not None:
        # each record starts at its line in the Line column
        lines = text.split("\n")
        for row in rows[1:]:
            assert '"' in lines[row["line_no"] - 1]
            assert json.loads(lines[row["line_no"] - 1].strip().rstrip(","))[:5] in ("2023-", "charg", '{"lev')


@pytest.mark.parametrize("text", ["[]", "[\n]\n", '{"hits": {"total": {"value": 0}, "hits": []}}', '{\n  "events": [],\n  "searchedLogStreams": []\n}\n'])
def test_empty_record_list_is_one_record_with_parse_error(text):
    out = parse(text)
    assert out.height == 1
    row = out.row(0, named=True)
    assert row["body"] == text.strip()
    assert "without any" in row["parse_error"]


def test_empty_file():
    assert parse("").height == 0


def test_invalid_json_falls_back_to_lines_with_the_position():
    text = "[\n" + ",\n".join(json.dumps(r, indent=2) for r in RECORDS[:2]) + '\n  {"msg": "x"}\n]\n'
    out = parse(text)
    assert out.height == n_physical(text)
    assert out["body"].to_list() == text.split("\n")[:-1]
    bad_line = text.split("\n").index('  {"msg": "x"}') + 1
    assert out["parse_error"].unique().to_list() == [f"json: expected ',' or ']' at line {bad_line} col 3"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{\n  "a": 1\n  "b": 2\n}', "json: expected ',' or '}' at line 3 col 3"),
        ('[\n  {"a" 1}\n]', "json: expected ':' after a property name at line 2 col 8"),
        ('[\n  {"msg": "cut', "json: expected a closing '\"' (unterminated string) at line 2 col 11"),
        ("[\n  {\"msg\": 'x'}\n]", "json: expected a value at line 2 col 11"),
    ],
)
def test_invalid_json_messages(text, expected):
    out = parse(text)
    assert out["parse_error"].unique().to_list() == [expected]
    assert out["n_lines"].to_list() == [1] * n_physical(text)


def test_a_single_pretty_object_is_one_record_and_lists_inside_a_record_stay_attributes():
    record = {"time": "2024-03-05T14:03:12Z", "level": "error", "message": "batch failed", "items": [{"id": 1}, {"id": 2}]}
    text = "\n\n" + json.dumps(record, indent=2) + "\n\n"
    out = parse(text)
    assert out.height == 1
    row = out.row(0, named=True)
    assert (row["line_no"], row["n_lines"], row["body"]) == (1, n_physical(text), "batch failed")
    assert json.loads(attrs(row)["items"]) == [{"id": 1}, {"id": 2}]


def test_concatenated_documents_jq_stream():
    text = "\n".join(json.dumps(r, indent=2) for r in RECORDS) + "\n"
    assert sniff(text) == 1.0
    check_records(parse(text))


def test_array_elements_that_are_not_objects_are_kept():
    out = parse('[\n  "plain line",\n  42,\n  {"msg": "ok"}\n]')
    assert out["body"].to_list() == ["plain line", "42", "ok"]
    assert out["n_lines"].to_list() == [2, 1, 2]


def test_datadog_v2_logs():
    doc = {"data": [{"id": "AQAA", "type": "log", "attributes": {"timestamp": "2025-03-04T07:31:02Z", "status": "error", "service": "pay", "message": "timeout", "attributes": {"http": {"status_code": 504}}}}]}
    row = parse(json.dumps(doc, indent=2)).row(0, named=True)
    assert (row["service"], row["body"], row["timestamp"]) == ("pay", "timeout", utc(2025, 3, 4, 7, 31, 2))
    assert attrs(row)["attributes.http.status_code"] == "504"


def test_kubernetes_events_list():
    """``kubectl get events -o json``: time, Normal/Warning, the object's workload, the message."""
    event = {
        "apiVersion": "v1", "kind": "Event", "count": 12, "eventTime": None,
        "firstTimestamp": "2024-03-01T09:58:01Z", "lastTimestamp": "2024-03-01T10:00:01Z",
        "involvedObject": {"kind": "Pod", "name": "payments-7d9f8b6c5d-x2x9z", "namespace": "prod"},
        "message": "Back-off restarting failed container payments", "reason": "BackOff",
        "source": {"component": "kubelet", "host": "node-1"}, "type": "Warning",
    }
    normal = {
        **event, "type": "Normal", "lastTimestamp": "2024-03-01T09:57:00Z", "reason": "ScalingReplicaSet",
        "involvedObject": {"kind": "Deployment", "name": "payments", "namespace": "prod"},
        "message": "Scaled up replica set payments-7d9f8b6c5d to 3",
    }
    doc = {"apiVersion": "v1", "items": [event, normal], "kind": "List", "metadata": {"resourceVersion": ""}}
    rows = parse(json.dumps(doc, indent=4)).to_dicts()
    assert [(r["timestamp"], r["severity_text"], r["service"]) for r in rows] == [
        (utc(2024, 3, 1, 10, 0, 1), "WARN", "payments"),
        (utc(2024, 3, 1, 9, 57, 0), "INFO", "payments"),
    ]
    assert rows[0]["body"] == "Back-off restarting failed container payments"
    assert attrs(rows[0])["reason"] == "BackOff"
    # another record's "type" that is not an event type stays an attribute
    other = parse(json.dumps([{"ts": "2024-03-01T10:00:00Z", "type": "request", "msg": "x"}])).row(0, named=True)
    assert (other["severity_text"], attrs(other)["type"]) == (None, "request")


@pytest.mark.parametrize(
    "text",
    [
        '{"ts":"2024-03-05T14:03:12Z","level":"info","msg":"a"}\n{"ts":"2024-03-05T14:03:13Z","level":"info","msg":"b"}\n',
        '{"ts":"2024-03-05T14:03:12Z","level":"info","msg":"one line","events":[{"a":1}]}\n',
        '{"event":"batch done","data":[{"id":1},{"id":2}]}\n',
        "[2024-03-05 14:03:12] ERROR payment failed\n[2024-03-05 14:03:13] INFO ok\n",
        "[INFO] starting\n[WARN] slow\n",
        "{main} started\n",
        "@timestamp,message\n2024-03-05T14:03:12Z,hello\n",
        "plain text\n",
    ],
)
def test_sniff_leaves_json_lines_text_and_csv_alone(text):
    assert sniff(text) == 0.0


def test_json_lines_still_win_detection():
    text = '{"ts":"2024-03-05T14:03:12Z","level":"info","msg":"a"}\n'
    sample = sample_lines(text)
    assert _jsonl.FORMAT.sniff(sample) == 1.0
    assert _jsondoc.FORMAT.sniff(sample) == 0.0
    assert _csv_export.FORMAT.sniff(sample_lines(json.dumps(RECORDS, indent=2))) < 0.5


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_RECORD = st.fixed_dictionaries({"msg": _TEXT}, optional={"level": st.sampled_from(["info", "error", "warn"]), "n": st.integers(), "nested": st.dictionaries(st.sampled_from(["a", "b"]), _TEXT, max_size=2)})


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(_RECORD, max_size=8),
    indent=st.one_of(st.none(), st.integers(0, 3)),
    envelope=st.sampled_from(["array", "es", "cloudwatch", "loki", "grafana", "stream"]),
    pad=st.tuples(st.sampled_from(["", "\n", "\n\n  ", "\r\n"]), st.sampled_from(["", "\n", "\n\n", "  \n"])),
)
def test_line_accounting_property(records, indent, envelope, pad):
    if envelope == "array":
        text = json.dumps(records, indent=indent)
    elif envelope == "es":
        text = json.dumps(es_response([{"_id": str(i), "_source": r} for i, r in enumerate(records)]), indent=indent)
    elif envelope == "cloudwatch":
        text = json.dumps({"events": [{"timestamp": 1700000000000 + i, "message": r["msg"]} for i, r in enumerate(records)]}, indent=indent)
    elif envelope == "loki":
        values = [[str(1700000000000000000 + i), r["msg"]] for i, r in enumerate(records)]
        text = json.dumps({"status": "success", "data": {"resultType": "streams", "result": [{"stream": {"app": "x"}, "values": values}]}}, indent=indent)
    elif envelope == "grafana":
        text = json.dumps([_loki_frame([(1700000000000000000 + i, r["msg"], {"app": "x"}) for i, r in enumerate(records)])], indent=indent)
    else:
        if not records:
            return
        text = "\n".join(json.dumps(r, indent=indent if indent is not None else 1) for r in records)
    text = pad[0] + text + pad[1]
    out = parse(text)
    assert out["parse_error"].null_count() == (out.height if records else 0)
    if records:
        assert out.height == len(records)
        # the body is the message (the jsonl mapping; an empty message counts as none), less
        # any terminal escape sequence (removed as from a text file)
        for row, record in zip(out.to_dicts(), records, strict=True):
            msg = re.sub(ESCAPE_SEQUENCES, "", record["msg"])
            if msg.strip() and envelope not in ("loki", "cloudwatch", "grafana"):
                assert msg.strip() in row["body"] or row["body"] in msg


def test_end_to_end_through_read_logs(tmp_path):
    import rcakit

    hits = [{"_index": "logs", "_id": str(i), "_source": r} for i, r in enumerate(RECORDS)]
    (tmp_path / "search.json").write_text(json.dumps(es_response(hits)))  # curl output: one line
    (tmp_path / "export.json").write_text(json.dumps(RECORDS, indent=2))
    (tmp_path / "app.jsonl").write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n")
    (tmp_path / "broken.json").write_text('[\n  {"msg": "a"}\n  {"msg": "b"}\n]\n')
    if "json" not in rcakit.ingest.FORMATS:
        pytest.skip("the json format is not registered in rcakit.ingest.FORMATS")
    assert rcakit.detect_format(tmp_path / "search.json") == "json"
    assert rcakit.detect_format(tmp_path / "export.json") == "json"
    assert rcakit.detect_format(tmp_path / "app.jsonl") == "jsonl"
    logs = rcakit.read_logs(tmp_path)
    by_file = {s.rsplit("/", 1)[-1]: g for (s,), g in logs.group_by("source")}
    for name in ("search.json", "export.json"):
        check_records(by_file[name].select(RECORD_COLUMNS.names()).with_columns(pl.col("attributes").str.replace(r'"es\.index":"[^"]*","es\.id":"[^"]*",?', "")))
    assert by_file["broken.json"].height == 4
    assert by_file["broken.json"]["parse_error"].str.starts_with("json: expected ',' or ']' at line 3").all()
    assert by_file["export.json"]["format"].unique().to_list() == ["json"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('[]{}",: \n\r\t\\u0aé\u2028{"a":1}')), max_size=60))
def test_any_text_forced_as_json_loses_nothing(text):
    out = parse(text)  # checks the schema and that n_lines sums to the physical line count
    if out.height and out["parse_error"].null_count() == out.height:
        json_values = _jsondoc.find_records(text)[1]
        assert len(json_values) == out.height


@pytest.mark.parametrize(("token", "into"), [("true", 2), ("null", 3), ("\\u00e9", 3), ('"msg"', 2), ("1700", 2), (",", 1)])
def test_sniff_on_a_head_cut_anywhere_in_a_large_one_line_document(token, into):
    records = [{"ts": 1700000000 + i, "ok": True, "msg": f"caf\u00e9 {i}", "v": None} for i in range(6000)]
    text = json.dumps(es_response([{"_source": r} for r in records]))
    cut = text.index(token, 200_000) + into  # the reader samples the first ~256 KiB
    head = text[:cut]
    assert _jsondoc.FORMAT.sniff(sample_lines(head)) == 1.0
    assert _jsonl.FORMAT.sniff(sample_lines(head)) == 0.0


def _otlp(service: str, start: int, n: int) -> dict:
    return {
        "resourceLogs": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}},
                                        {"key": "host.name", "value": {"stringValue": "node-1"}}]},
            "scopeLogs": [{
                "scope": {"name": "io.opentelemetry.java"},
                "logRecords": [
                    {"timeUnixNano": str((1732867200 + start + i) * 10**9), "severityNumber": 17 if i % 2 else 9,
                     "body": {"stringValue": f"order {start + i} processed"},
                     "attributes": [{"key": "order.id", "value": {"intValue": str(start + i)}}],
                     "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174"}
                    for i in range(n)
                ],
            }],
        }]
    }


@pytest.mark.parametrize("indent", [None, 2])
def test_opentelemetry_otlp_json(indent, tmp_path):
    import rcakit

    if indent is None:  # the collector's file exporter: one payload per line
        text = json.dumps(_otlp("orders", 0, 3)) + "\n" + json.dumps(_otlp("payments", 3, 2)) + "\n"
    else:
        text = json.dumps(_otlp("orders", 0, 3), indent=indent) + "\n"
    path = tmp_path / "otel.json"
    path.write_text(text)
    assert rcakit.detect_format(path) == "json"
    rows = parse(text).to_dicts()
    expected = [("INFO", "orders", "order 0 processed"), ("ERROR", "orders", "order 1 processed"), ("INFO", "orders", "order 2 processed")]
    if indent is None:
        expected += [("INFO", "payments", "order 3 processed"), ("ERROR", "payments", "order 4 processed")]
    assert [(r["severity_text"], r["service"], r["body"]) for r in rows] == expected
    assert rows[1]["timestamp"] == utc(2024, 11, 29, 8, 0, 1)
    assert rows[0]["trace_id"] == "5b8efff798038103d269b633813fc60c"
    assert attrs(rows[0])["order.id"] == "0"
    assert attrs(rows[0])["host.name"] == "node-1"


def test_otlp_time_unix_nano_zero_is_unset_and_the_observed_time_stands_in():
    # the collector's file exporter: a log bridged without an event time has
    # "timeUnixNano": "0" (OTLP's "unset") and the time the collector saw it
    payload = {"resourceLogs": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "payments"}}]},
        "scopeLogs": [{"logRecords": [
            {"timeUnixNano": "1709470923000000000", "observedTimeUnixNano": "1709470923100000000",
             "severityText": "INFO", "body": {"stringValue": "Charge accepted"}},
            {"timeUnixNano": "0", "observedTimeUnixNano": "1709470925000000000",
             "severityText": "WARN", "body": {"stringValue": "Card network slow"}},
        ]}],
    }]}
    rows = parse(json.dumps(payload) + "\n").to_dicts()
    assert [r["timestamp"] for r in rows] == [utc(2024, 3, 3, 13, 2, 3), utc(2024, 3, 3, 13, 2, 5)]
    assert [r["body"] for r in rows] == ["Charge accepted", "Card network slow"]


def test_datadog_v2_status_is_the_level():
    doc = [{"id": "AQ1", "type": "log", "attributes": {"timestamp": "2024-11-29T08:00:01Z", "status": "error",
            "service": "checkout", "message": "payment call failed"}}]
    row = parse(json.dumps(doc, indent=2)).to_dicts()[0]
    assert (row["severity_text"], row["service"], row["body"]) == ("ERROR", "checkout", "payment call failed")


def test_cloudtrail_records_are_api_calls():
    """AWS CloudTrail's file: {"Records": [...]} (a capitalised list key); each record is
    the call made, WARN when it failed, under the AWS service called."""
    calls = [
        {"eventTime": "2024-03-01T10:00:05Z", "eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances",
         "awsRegion": "eu-west-1", "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::1:assumed-role/Deploy/a"}},
        {"eventTime": "2024-03-01T10:02:00Z", "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
         "awsRegion": "eu-west-1", "errorCode": "AccessDenied", "errorMessage": "Access Denied"},
    ]
    text = json.dumps({"Records": calls}, indent=2)
    out = parse(text)
    assert out.height == 2
    assert out["service"].to_list() == ["ec2", "s3"]
    assert out["severity_text"].to_list() == ["INFO", "WARN"]
    assert out["body"].to_list() == ["DescribeInstances", "GetObject failed: AccessDenied: Access Denied"]
    assert out["timestamp"][1] == datetime(2024, 3, 1, 10, 2, tzinfo=UTC)
    assert json.loads(out["attributes"][0])["userIdentity.type"] == "AssumedRole"
