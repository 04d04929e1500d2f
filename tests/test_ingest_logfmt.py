"""logfmt parsing (``rcakit.ingest._logfmt``)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcakit.ingest import _access, _cri, _csv_export, _jsonl, _logfmt
from rcakit.ingest._base import ParseOptions

from ._ingest_helpers import attrs, parse_lines

OPTS = ParseOptions(tz="UTC", year=2024)


def parse(text: str, options: ParseOptions = OPTS) -> pl.DataFrame:
    return parse_lines(_logfmt.FORMAT, text, options)


LOGFMT = "\n".join(
    [
        # Go (go-kit / logrus text / slog TextHandler), Heroku router, Grafana Loki itself
        'time=2024-03-05T14:03:12.345Z level=info msg="order placed" service=checkout order_id=o-981 duration=12ms',
        'ts=2024-03-05T14:03:13.001+01:00 lvl=eror msg="payment call failed: \\"status=500\\"" caller=client.go:88 trace_id=4bf92f3577b34da6',
        'time="2024-03-05 14:03:14" level=warning msg="retrying in 2s" attempt=3 err="context deadline exceeded"',
        'level=debug ts=2024-03-05T14:03:15Z caller=flush.go:12 component=ingester msg="flushing stream" labels="{app=\\"checkout\\"}" empty=',
        'at=error code=H12 desc="Request timeout" method=GET path="/api/orders?id=7" host=shop.example.com status=503 service=30001ms',
    ]
)


def test_pairs_map_to_record_fields():
    rows = parse(LOGFMT + "\n").to_dicts()
    # (the Heroku router line has no level key: its HTTP status 503 is the severity)
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "WARN", "DEBUG", "ERROR"]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 14, 3, 12, 345000, tzinfo=UTC)
    assert rows[1]["timestamp"] == datetime(2024, 3, 5, 13, 3, 13, 1000, tzinfo=UTC)
    assert rows[2]["timestamp"] == datetime(2024, 3, 5, 14, 3, 14, tzinfo=UTC)
    assert rows[0]["body"] == "order placed"
    assert rows[1]["body"] == 'payment call failed: "status=500"'  # escaped quotes, and a k=v inside
    assert rows[0]["service"] == "checkout"
    assert rows[1]["trace_id"] == "4bf92f3577b34da6"
    assert attrs(rows[0]) == {"order_id": "o-981", "duration": "12ms"}
    assert attrs(rows[2]) == {"attempt": "3", "err": "context deadline exceeded"}
    a3 = attrs(rows[3])
    assert a3["labels"] == '{app="checkout"}'
    assert a3["empty"] == ""
    assert rows[3]["service"] == "ingester"  # "component"


def test_line_without_message_key_uses_the_pairs_without_time_and_level():
    row = parse(LOGFMT).to_dicts()[4]
    assert row["body"].startswith("at=error code=H12")
    assert attrs(row)["status"] == "503"
    # Heroku's "service" is the service time: a duration is never taken as a service name
    assert row["service"] is None
    assert attrs(row)["service"] == "30001ms"
    assert row["parse_error"] is None


def test_quoted_value_hides_keys_inside_it():
    row = parse('msg="level=error inside" level=info').to_dicts()[0]
    assert (row["severity_text"], row["body"]) == ("INFO", "level=error inside")


def test_single_quoted_values_structlog_key_value_renderer():
    """structlog's KeyValueRenderer writes Python reprs: single quotes, escaped inside."""
    text = (
        "timestamp='2024-11-29T10:00:03.000000Z' level='error' event='payment failed' order_id=42 logger='shop.pay'\n"
        "timestamp='2024-11-29T10:00:04.000000Z' level='critical' event=\"can't reach database\" note='it\\'s down' user=o'brien\n"
    )
    rows = parse(text).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("ERROR", "payment failed"), ("FATAL", "can't reach database")]
    assert attrs(rows[0])["order_id"] == "42"
    assert attrs(rows[1])["note"] == "it's down"
    assert attrs(rows[1])["user"] == "o'brien"


def test_stack_trace_lines_continue_the_record_and_garbage_is_kept():
    text = "\n".join(
        [
            'level=error msg="unhandled exception" service=billing',
            "    at com.acme.Billing.charge(Billing.java:42)",
            "\tat com.acme.Api.handle(Api.java:7)",
            "panic: runtime error: index out of range",
            "level=info msg=recovered",
        ]
    )
    rows = parse(text).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 3), (4, 1), (5, 1)]
    assert rows[0]["body"] == (
        "unhandled exception\n    at com.acme.Billing.charge(Billing.java:42)\n\tat com.acme.Api.handle(Api.java:7)"
    )
    # a Go panic is the process's crash report, a record at FATAL, not a line that failed
    assert (rows[1]["body"], rows[1]["severity_text"]) == ("panic: runtime error: index out of range", "FATAL")
    assert rows[1]["parse_error"] is None
    assert rows[2]["parse_error"] is None
    garbage = parse('level=info msg=a\nnot a pair at all\n  indented under it\nlevel=info msg=b').to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in garbage] == [(1, 1), (2, 2), (4, 1)]
    assert "logfmt" in garbage[1]["parse_error"]


def test_crlf_blank_and_empty():
    rows = parse('level=info msg=a\r\n\r\nlevel=warn msg=b').to_dicts()
    assert [r["body"] for r in rows] == ["a", "", "b"]
    assert rows[1]["parse_error"] is not None  # a blank line that is not indented is not logfmt
    assert parse("").height == 0


def test_sniff_recognises_logfmt_and_rejects_others():
    lines = LOGFMT.splitlines()
    assert _logfmt.FORMAT.sniff(lines) == 1.0
    for other in (_jsonl.FORMAT, _jsonl.DOCKER_FORMAT, _access.FORMAT, _cri.FORMAT, _csv_export.FORMAT):
        assert other.sniff(lines) == 0.0, other.name
    not_logfmt = [
        '{"level":"info","msg":"x=1 y=2"}',
        '127.0.0.1 - - [02/Jan/2024:03:04:05 +0000] "GET /a?x=1&y=2 HTTP/1.1" 200 5',
        "2024-01-02 03:04:05,123 INFO [main] c.x.Y - user=alice action=login result=ok",
        "<34>1 2024-01-02T03:04:05Z host app 123 ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"App\"] msg",
        "2024-01-02T03:04:05.123456789Z stdout F level=info msg=x",
    ]
    assert _logfmt.FORMAT.sniff(not_logfmt) == 0.0


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(
                lambda k, v, q: f'{k}="{v}"' if q else f"{k}={v}",
                st.sampled_from(["level", "msg", "ts", "x", "a.b"]),
                st.text(alphabet="ab =\"\\\t.:", max_size=8),
                st.booleans(),
            ),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=20),
        ),
        max_size=20,
    )
)
def test_every_line_is_accounted_for_on_random_input(lines):
    parse("\n".join(lines))


def test_end_to_end_through_read_logs(tmp_path):
    import rcakit
    from rcakit.ingest import FORMATS

    if "logfmt" not in FORMATS:
        pytest.skip("format 'logfmt' not registered in rcakit.ingest.FORMATS yet")
    path = tmp_path / "router.log"
    path.write_text(LOGFMT + "\n")
    assert rcakit.detect_format(path) == "logfmt"
    out = rcakit.read_logs(path)
    assert out["n_lines"].sum() == 5
    assert out["service"].to_list() == ["checkout", "router", "router", "ingester", "router"]


def test_attribute_order_is_deterministic():
    # equally frequent keys keep the order they first appear in (the column order used to
    # come from a hash grouping, so ties could come out in any order)
    text = "\n".join(f"level=info msg=m{i} zeta={i} alpha={i} mid={i} beta={i}" for i in range(200)) + "\n"
    first = parse(text).row(0, named=True)
    assert list(attrs(first)) == ["zeta", "alpha", "mid", "beta"]
    assert all(parse(text)["attributes"].equals(parse(text)["attributes"]) for _ in range(3))


def _general_path(monkeypatch, texts: pl.Series) -> tuple[pl.DataFrame, pl.Series]:
    with monkeypatch.context() as m:
        m.setattr(_logfmt, "_common_prefix", lambda _texts: [])
        return _logfmt.logfmt_columns(texts)


def test_leading_run_of_keys_reads_as_the_general_path(monkeypatch):
    # most lines start with the same run of keys (read with one capture pattern); others
    # reorder it, repeat a key of the run later, add keys, lack some, break a quote or
    # start indented: all read exactly as the token-by-token path reads them
    lines = []
    for i in range(300):
        kind = i % 10
        if kind < 5:
            lines.append(f'ts=2024-03-05T14:03:{i % 60:02d}Z level=info msg="req {i} ok \\"x=1\\"" dur={i}ms')
        elif kind == 5:
            lines.append(f'ts=2024-03-05T14:03:00Z level=error msg="failed" dur= err="boom {i}" level=debug')
        elif kind == 6:
            lines.append(f'level=warn ts=2024-03-05T14:03:00Z msg=m{i}')
        elif kind == 7:
            lines.append(f'ts=2024-03-05T14:03:00Z level=info msg="unterminated dur={i}')
        elif kind == 8:
            lines.append(f'  ts=x level=info msg=indented{i}')
        else:
            lines.append(f'ts=2024-03-05T14:03:00Z  level=info msg="two spaces" zeta={i}')
    texts = pl.Series([*lines, None, ""], dtype=pl.String)
    assert _logfmt._common_prefix(texts) == ["ts", "level", "msg", "dur"]
    fast, fast_pairs = _logfmt.logfmt_columns(texts)
    slow, slow_pairs = _general_path(monkeypatch, texts)
    assert fast.columns == slow.columns
    assert fast.equals(slow)
    assert fast_pairs.equals(slow_pairs)
    assert fast.row(5, named=True)["level"] == "error"  # the first occurrence wins


def test_leading_run_keeps_the_key_order_of_the_general_path(monkeypatch):
    # "c" is on every line, as often as the run's keys, but not always at the same place:
    # the run is "a b" and ties keep the order keys first appear in (a, b, c)
    shapes = ("a=1 b=2 c=3 x=4", "a=1 b=2 x=4 c=3", "a=1 b=2 y=5 c=3")
    texts = pl.Series([shapes[i % 3] for i in range(90)], dtype=pl.String)
    assert _logfmt._common_prefix(texts) == ["a", "b"]
    fast, _ = _logfmt.logfmt_columns(texts)
    slow, _ = _general_path(monkeypatch, texts)
    assert fast.columns == slow.columns == ["a", "b", "c", "x", "y"]
    assert fast.equals(slow)


def test_auditd_event_time_and_message():
    """auditd's lines carry their time in 'msg=audit(<epoch>:<serial>):': a blind probe
    found every time null and every message the bare id."""
    rows = parse(
        'type=USER_LOGIN msg=audit(1709287201.123:4567): pid=2345 uid=0 auid=4294967295 ses=4294967295 subj=unconfined '
        "msg='op=login acct=\"admin\" exe=\"/usr/sbin/sshd\" hostname=? addr=2001:db8::66 terminal=sshd res=failed'\n"
        'type=SYSCALL msg=audit(1709287205.500:4570): arch=c000003e syscall=59 success=yes exit=0 ppid=2400 pid=2401 '
        'auid=1000 uid=0 comm="systemctl" exe="/usr/bin/systemctl" key="priv_exec"\n'
        'type=EXECVE msg=audit(1709287205.500:4570): argc=3 a0="systemctl" a1="restart" a2="nginx"\n'
    ).to_dicts()
    assert [r["timestamp"] for r in rows] == [
        datetime(2024, 3, 1, 10, 0, 1, 123000, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 5, 500000, tzinfo=UTC),
        datetime(2024, 3, 1, 10, 0, 5, 500000, tzinfo=UTC),
    ]
    assert rows[2]["body"] == 'type=EXECVE argc=3 a0="systemctl" a1="restart" a2="nginx"'
    assert rows[1]["body"].startswith("type=SYSCALL arch=c000003e syscall=59")
    assert attrs(rows[1])["audit_serial"] == "4570"
    assert attrs(rows[1])["comm"] == "systemctl"


def test_crash_report_takes_the_service_of_the_records_above():
    rows = parse(
        'time=2024-03-01T10:00:06Z level=error service=orders msg="ledger mismatch"\n'
        "panic: runtime error: invalid memory address or nil pointer dereference\n"
        "goroutine 1 [running]:\n"
        "main.main()\n"
    ).to_dicts()
    assert [(r["service"], r["severity_text"]) for r in rows] == [("orders", "ERROR"), ("orders", "FATAL")]
