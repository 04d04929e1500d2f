"""``read_logs(columns=...)`` and ``scan_logs`` projections: the parsers skip the work for the
columns left out, and every column that is read is exactly what a full read gives. Also, on
the same nested exports (a container record inside a CSV row...): every ``attributes`` object
has each key once."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from tests.test_ingest_invariants import REALISTIC

from rcakit.errors import ConfigError
from rcakit.ingest import read_logs, scan_logs
from rcakit.schemas import LOG_RECORDS

SAMPLE = Path(__file__).resolve().parents[1] / "sample_logs" / "checkout-incident"

# what `rcakit templates` reads, and a few other cuts (the costly columns alone, or left out)
PROJECTIONS = [
    ["timestamp", "severity_text", "severity_number", "service", "body", "source", "line_no"],
    ["body"],
    ["trace_id", "body"],
    ["attributes"],
    ["line_no", "n_lines", "parse_error"],
]


def _app_lines() -> list[str]:
    return [
        "2024-01-02 03:04:05,123 INFO [catalog.api] [trace_id=4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a] - served SKU-1 took 5ms",
        "2024-01-02 03:04:06,001 ERROR [pay] [main] c.s.Pay : charge failed trace_id=0af7651916cd43dd8448eb211c80319c",
        "\tat com.shop.Pay.charge(Pay.java:42)",
        'level=warn msg="slow call" took_ms=1200 trace_id=abcdefabcdefabcdefabcdefabcdefab user=7',
        '{"ts":"2024-01-02T03:04:07Z","level":"error","msg":"boom","service":"cart","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","k":1}',
        "plain text without a head",
    ]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Files in the structured formats whose parsers skip work: container runtimes (CRI,
    docker) and a Kibana CSV export carrying app lines, JSON lines, an access log."""
    root = tmp_path_factory.mktemp("exports")
    app = _app_lines()
    stamp = "2024-01-02T03:04:05.123456789Z"
    (root / "pod.log").write_text(
        "".join(f"{stamp} {'stderr' if i % 2 else 'stdout'} F {line}\n" for i, line in enumerate(app))
        + f"{stamp} stdout P part one \n{stamp} stdout F and two\nnot a cri line\n"
    )
    (root / "container-json.log").write_text(
        "".join(json.dumps({"log": line + "\n", "stream": "stdout", "time": stamp}) + "\n" for line in app)
        + json.dumps({"log": "chunk ", "stream": "stdout", "time": stamp}) + "\n"
        + json.dumps({"log": "end\n", "stream": "stdout", "time": stamp}) + "\n"
    )
    rows = ["@timestamp,kubernetes.pod_name,stream,level,message"]
    for i, line in enumerate(app):
        # (the container record says stderr where the export's column says stdout: the column wins)
        inner = json.dumps({"log": line + "\n", "stream": "stderr", "time": stamp}) if i % 2 else line
        rows.append(f'2024-01-02T03:04:0{i}.000Z,shop-cart-7d9f8b6c5d-x2k4q,stdout,{"error" if i == 1 else ""},"{inner.replace(chr(34), chr(34) * 2)}"')
    rows.append('2024-01-02T03:04:09.000Z,shop-cart-7d9f8b6c5d-x2k4q,stdout,,"multi\nline message"')
    (root / "export.csv").write_text("\n".join(rows) + "\n")
    (root / "app.jsonl").write_text(
        "".join(
            json.dumps({"time": f"2024-01-02T03:04:0{i}Z", "level": "info", "message": line, "user": i, "trace_id": f"{i:032x}"}) + "\n"
            for i, line in enumerate(app)
        )
        + '{"message": "2024-01-02 03:04:05 ERROR [main] shipped by filebeat"}\nnot json\n'
    )
    (root / "edge.access.log").write_text(
        '10.0.0.1 - - [02/Jan/2024:03:04:05 +0000] "GET /api/pay?id=7 HTTP/1.1" 500 12 "-" "curl/8" 0.120\n'
        'shop.example.com 2001:db8::1 - bob [02/Jan/2024:03:04:06 +0000] "POST /cart HTTP/2.0" 201 - "https://x/" "Mozilla \\"q\\"" rt=0.004 urt="0.003"\n'
        "junk line\n"
    )
    (root / "mixed.log").write_text("\n".join(REALISTIC) + "\n")
    return sorted(root.iterdir())


def _files() -> list[Path]:
    return sorted(p for p in SAMPLE.iterdir() if p.name != "deploys.csv")


@pytest.mark.parametrize("columns", PROJECTIONS, ids=lambda c: "+".join(c))
def test_projection_equals_the_full_read_on_sample_logs(columns: list[str]) -> None:
    for path in _files():
        full = read_logs(path)
        assert_frame_equal(read_logs(path, columns=columns), full.select(columns), check_exact=True), path


@pytest.mark.parametrize("columns", PROJECTIONS, ids=lambda c: "+".join(c))
def test_projection_equals_the_full_read_on_container_and_export_formats(exports: list[Path], columns: list[str]) -> None:
    for path in exports:
        full = read_logs(path, year=2024)
        assert full["attributes"].is_not_null().any() or path.name == "mixed.log", path  # the cut has work to skip
        assert_frame_equal(read_logs(path, columns=columns, year=2024), full.select(columns)), path


def test_projection_on_a_directory_keeps_the_asked_order_and_file_order() -> None:
    out = read_logs(SAMPLE, columns=["body", "source", "timestamp"])
    assert out.columns == ["body", "source", "timestamp"]
    assert out.schema == pl.Schema({c: LOG_RECORDS[c] for c in out.columns})
    assert_frame_equal(out, read_logs(SAMPLE).select(out.columns))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.sampled_from(REALISTIC + _app_lines()), min_size=1, max_size=30), cut=st.sampled_from(PROJECTIONS))
# (a text line with a stamp among JSON lines is a record: also when only its body is read)
@example(
    lines=['{"ts":"2024-01-02T03:04:05Z","level":"error","msg":"boom","service":"cart"}',
           "2024-01-02T03:04:05.123456789Z stdout F partial line"],
    cut=["body"],
)
def test_projection_equals_the_full_read_on_random_mixes(tmp_path_factory: pytest.TempPathFactory, lines: list[str], cut: list[str]) -> None:
    path = tmp_path_factory.mktemp("mix") / "app.log"
    path.write_text("\n".join(lines) + "\n")
    assert_frame_equal(read_logs(path, columns=cut, year=2024), read_logs(path, year=2024).select(cut))


def test_scan_logs_hands_the_query_columns_to_the_parsers(exports: list[Path]) -> None:
    query = scan_logs(exports, year=2024).filter(pl.col("severity_text") == "ERROR").select("service", "body")
    expected = read_logs(exports, year=2024).filter(pl.col("severity_text") == "ERROR").select("service", "body")
    assert expected.height >= 3
    assert_frame_equal(query.collect(), expected)
    assert_frame_equal(scan_logs(exports, year=2024).head(4).collect(), read_logs(exports, year=2024).head(4))


def test_unknown_or_empty_columns_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown 'message'.*choose from: timestamp"):
        read_logs(SAMPLE, columns=["body", "message"])
    with pytest.raises(ConfigError, match="empty"):
        read_logs(SAMPLE, columns=[])


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys: {keys}"
    return dict(pairs)


def test_attributes_hold_each_key_once(exports: list[Path]) -> None:
    # the CSV export has a "stream" column and container records ({"log", "stream", "time"})
    # in its message; the CRI and docker envelopes carry "stream" too
    frame = read_logs([*exports, *_files()], year=2024)
    objects = [json.loads(a, object_pairs_hook=_unique_keys) for a in frame["attributes"].drop_nulls()]
    assert len(objects) > 1000
    csv_rows = frame.filter(pl.col("source").str.ends_with("export.csv"), pl.col("attributes").str.contains("stream"))
    wrapped = [json.loads(a) for a in csv_rows["attributes"]]
    assert len(wrapped) >= 3
    assert all(a["stream"] == "stdout" for a in wrapped)  # the column's value, once
    assert any("logger" in a for a in wrapped)  # the app line's own attributes are kept
