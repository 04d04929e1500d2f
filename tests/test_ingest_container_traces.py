"""Stack traces inside container logs (CRI, docker json-file, kubectl/docker --timestamps).

A container runtime wraps every line the application wrote, so a stack trace arrives as one
runtime record per frame. The reader joins them back to the log line they belong to, per
output stream, with the same continuation rule as text files.
"""

from __future__ import annotations

import json
import os

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rcakit
from rcakit.ingest import _cri, _jsonl
from rcakit.ingest._base import ParseOptions

from ._ingest_helpers import attrs, parse_lines

OPTS = ParseOptions(tz="UTC", year=2024)

JAVA_APP = [
    ("stdout", "2024-03-05 14:03:12,345 INFO [main] c.x.Checkout - order o-1 placed"),
    ("stderr", "2024-03-05 14:03:13,000 ERROR [pool-1] c.x.Payment - charge failed for order o-2"),
    ("stderr", "java.lang.IllegalStateException: card declined"),
    ("stderr", "\tat com.x.Payment.charge(Payment.java:42)"),
    # another thread's line on the other stream, in the middle of the trace
    ("stdout", "2024-03-05 14:03:13,001 INFO [main] c.x.Checkout - order o-3 placed"),
    ("stderr", "\tat com.x.Checkout.run(Checkout.java:7)"),
    ("stderr", "Caused by: java.net.SocketTimeoutException: Read timed out"),
    ("stderr", "\t... 12 more"),
    ("stderr", "2024-03-05 14:03:14,000 INFO [pool-1] c.x.Payment - retry scheduled"),
]
TRACE = (
    "charge failed for order o-2\n"
    "java.lang.IllegalStateException: card declined\n"
    "\tat com.x.Payment.charge(Payment.java:42)\n"
    "\tat com.x.Checkout.run(Checkout.java:7)\n"
    "Caused by: java.net.SocketTimeoutException: Read timed out\n"
    "\t... 12 more"
)


def _stamp(i: int) -> str:
    """Line i's runtime stamp: a millisecond apart, as a runtime stamps one write's lines."""
    return f"2024-03-05T14:03:{12 + i // 1000:02d}.{i % 1000:03d}000000Z"


def cri_text(lines: list[tuple[str, str]]) -> str:
    return "\n".join(f"{_stamp(i)} {stream} F {msg}" for i, (stream, msg) in enumerate(lines)) + "\n"


def docker_text(lines: list[tuple[str, str]]) -> str:
    return "".join(
        json.dumps({"log": msg + "\n", "stream": stream, "time": _stamp(i)}) + "\n" for i, (stream, msg) in enumerate(lines)
    )


def kubectl_text(lines: list[tuple[str, str]]) -> str:
    return "".join(f"{_stamp(i)} {msg}\n" for i, (_stream, msg) in enumerate(lines))


def _check_java(out: pl.DataFrame, *, streams: bool) -> None:
    rows = out.to_dicts()
    if streams:
        # the stdout line in the middle stays its own record; the stderr frames join the ERROR line
        assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 1), (2, 6), (5, 1), (9, 1)]
        assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "INFO", "INFO"]
        assert rows[1]["body"] == TRACE
        assert attrs(rows[1])["stream"] == "stderr"
    else:
        # without streams (kubectl merges them) the other thread's line ends the trace: the
        # frames after it have no anchor of their own and join the line before them
        assert sum(r["n_lines"] for r in rows) == len(JAVA_APP)
        assert rows[1]["body"].startswith("charge failed for order o-2\njava.lang.IllegalStateException")
        assert rows[1]["severity_text"] == "ERROR"
    assert all(r["parse_error"] is None for r in rows)


def test_cri_java_trace_is_one_record_per_stream():
    _check_java(parse_lines(_cri.FORMAT, cri_text(JAVA_APP), OPTS), streams=True)


def test_docker_java_trace_is_one_record_per_stream():
    _check_java(parse_lines(_jsonl.DOCKER_FORMAT, docker_text(JAVA_APP), OPTS), streams=True)


def test_docker_python_traceback():
    lines = [
        ("stderr", "2024-03-05 14:03:13,000 ERROR payments: charge failed"),
        ("stderr", "Traceback (most recent call last):"),
        ("stderr", '  File "/app/pay.py", line 10, in charge'),
        ("stderr", '    raise ValueError("declined")'),
        ("stderr", "ValueError: declined"),
        ("stderr", "2024-03-05 14:03:14,000 INFO payments: charge ok"),
    ]
    rows = parse_lines(_jsonl.DOCKER_FORMAT, docker_text(lines), OPTS).to_dicts()
    assert [(r["line_no"], r["n_lines"]) for r in rows] == [(1, 5), (6, 1)]
    assert rows[0]["body"].splitlines()[1:] == [m for _, m in lines[1:5]]


def test_go_panic_after_a_text_line_is_joined_and_blank_lines_kept_inside():
    lines = [
        ("stderr", "2024/03/05 14:03:13 ERROR worker crashed"),
        ("stderr", "panic: runtime error: index out of range [3] with length 3"),
        ("stderr", ""),
        ("stderr", "goroutine 1 [running]:"),
        ("stderr", "main.main()"),
        ("stderr", "\t/app/main.go:10 +0x1d"),
    ]
    rows = parse_lines(_cri.FORMAT, cri_text(lines), OPTS).to_dicts()
    # "panic:" is a level head (PANIC): it starts a record of its own, which the rest joins
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [(1, 1, "ERROR"), (2, 5, "FATAL")]
    assert rows[1]["body"].endswith("\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d")
    # (its "panic: " stays the message's start, as in a text or JSON lines file: probe AL)
    assert rows[1]["body"].startswith("panic: runtime error: index out of range [3] with length 3\n")


def test_a_headless_line_written_later_does_not_join_a_trace():
    lines = [
        "2024-03-05T14:03:12.000000001Z stderr F 2024/03/05 14:03:12 ERROR worker crashed",
        "2024-03-05T14:03:12.000000002Z stderr F goroutine 1 [running]:",
        "2024-03-05T14:03:12.000000003Z stderr F main.main()",  # same write: part of the trace
        "2024-03-05T14:03:15.000000000Z stderr F worker restarted",  # three seconds later
        "2024-03-05T14:03:15.000000001Z stderr F config reloaded",  # soon after that line: still not the trace
    ]
    rows = parse_lines(_cri.FORMAT, "\n".join(lines) + "\n", OPTS).to_dicts()
    assert [(r["n_lines"], r["body"].splitlines()[-1]) for r in rows] == [
        (3, "main.main()"),
        (1, "worker restarted"),
        (1, "config reloaded"),
    ]


def test_lines_after_json_records_and_headless_apps_are_not_joined():
    json_app = [
        ("stderr", '{"level":"error","msg":"charge failed"}'),
        ("stderr", "\tat com.x.Payment.charge(Payment.java:42)"),
    ]
    rows = parse_lines(_cri.FORMAT, cri_text(json_app), OPTS).to_dicts()
    assert [r["n_lines"] for r in rows] == [1, 1]
    # an app that never writes a timestamp or level: its indented lines are its own records
    plain_app = [("stdout", "Usage: tool [options]"), ("stdout", "  -h  help"), ("stdout", "  -v  verbose")]
    rows = parse_lines(_cri.FORMAT, cri_text(plain_app), OPTS).to_dicts()
    assert [r["body"] for r in rows] == [m for _, m in plain_app]
    # a headless line that is not a continuation stays its own record
    text_app = [("stdout", "2024-03-05 14:03:12 INFO ready"), ("stdout", "listening on :8080")]
    rows = parse_lines(_jsonl.DOCKER_FORMAT, docker_text(text_app), OPTS).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("INFO", "ready"), (None, "listening on :8080")]


def test_kubectl_timestamps_format_detection_and_parse(tmp_path):
    path = tmp_path / "payment.log"
    path.write_text(kubectl_text(JAVA_APP))
    assert rcakit.detect_format(path) == "kubectl"
    out = rcakit.read_logs(path)
    _check_java(out, streams=False)
    assert out["timestamp"][0].isoformat() == "2024-03-05T14:03:12+00:00"  # the runtime's stamp
    assert out["service"].unique().to_list() == ["payment"]
    # docker logs --timestamps around JSON app lines
    docker_t = tmp_path / "api.log"
    docker_t.write_text(
        '2024-03-05T14:03:12.123456789Z {"level":"warn","msg":"slow query","ms":900}\n'
        '2024-03-05T14:03:13.123456789Z {"level":"info","msg":"ok"}\n'
    )
    assert rcakit.detect_format(docker_t) == "kubectl"
    rows = rcakit.read_logs(docker_t).to_dicts()
    assert [(r["severity_text"], r["body"]) for r in rows] == [("WARN", "slow query"), ("INFO", "ok")]
    assert attrs(rows[0]) == {"ms": "900"}


@pytest.mark.parametrize(
    "lines",
    [
        # an app's own ISO stamps with a level: a text log
        ["2024-03-05T14:03:12.345Z INFO [main] c.x.Y - started", "2024-03-05T14:03:13.345Z WARN [main] c.x.Y - slow"],
        # stack frames without a stamp: the app wrote the stamps
        [
            "2024-03-05T14:03:12.345678901Z ERROR failed",
            "java.lang.IllegalStateException: x",
            "\tat a.b.C.d(C.java:1)",
        ],
    ],
)
def test_kubectl_format_leaves_text_logs_alone(lines):
    assert _cri.TIMESTAMPED_FORMAT.sniff(lines) == 0.0


def test_kubectl_bad_line_is_kept_with_a_reason():
    text = "2024-03-05T14:03:12.123456789Z ok\nnot stamped\n"
    rows = parse_lines(_cri.TIMESTAMPED_FORMAT, text, OPTS).to_dicts()
    assert rows[1]["body"] == "not stamped"
    assert "timestamped container line" in rows[1]["parse_error"]


_APP_LINES = st.sampled_from(
    [
        "2024-03-05 14:03:12 ERROR failed",
        "2024-03-05 14:03:12 INFO ok",
        "java.lang.IllegalStateException: x",
        "\tat a.b.C.d(C.java:1)",
        "Caused by: y",
        '{"level":"info","msg":"j"}',
        "level=warn msg=lf",
        "plain words",
        "",
        "  indented",
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["stdout", "stderr"]), _APP_LINES), max_size=25))
def test_every_line_is_accounted_for_and_nothing_is_lost(lines):
    for fmt, text in (
        (_cri.FORMAT, cri_text(lines)),
        (_jsonl.DOCKER_FORMAT, docker_text(lines)),
        (_cri.TIMESTAMPED_FORMAT, kubectl_text(lines)),
    ):
        out = parse_lines(fmt, text if lines else "", OPTS)  # checks sum(n_lines) == lines
        # every non-blank app line's text is in some record's body
        bodies = "\n".join(out["body"].to_list())
        for _stream, msg in lines:
            if msg.strip() and not msg.startswith(("{", "level=")):
                assert msg.split(" ", 3)[-1].strip() in bodies
        assert out["line_no"].is_unique().all()


def test_loki_logcli_output(tmp_path):
    """``logcli query`` prints ``<time> {labels} <line>``: labels give service, level and
    attributes; the line is read as an app line."""
    path = tmp_path / "query.log"
    path.write_text(
        '2024-03-01T10:00:01Z {app="payments", namespace="prod"} level=error msg="payment declined" order=123 namespace=app\n'
        '2024-03-01T10:00:02.5Z {app="payments", namespace="prod", level="warn"} retry budget low\n'
        '2024-03-01T10:00:03Z {service_name="checkout"} 2024-03-01 10:00:03,000 INFO [main] c.x.Cart - ok\n'
    )
    assert rcakit.detect_format(path) == "kubectl"
    rows = rcakit.read_logs(path).to_dicts()
    assert [(r["service"], r["severity_text"], r["body"]) for r in rows] == [
        ("payments", "ERROR", "payment declined"),
        ("payments", "WARN", "retry budget low"),
        ("checkout", "INFO", "ok"),
    ]
    # the label wins over the line's key of the same name, written once
    assert attrs(rows[0]) == {"namespace": "prod", "order": "123"}
    assert rows[1]["timestamp"].isoformat() == "2024-03-01T10:00:02.500000+00:00"


def test_rusts_allocator_failure_is_a_crash_record(tmp_path):
    """Rust's allocator failing ("memory allocation of 4194304 bytes failed") and Go's
    "fatal error: runtime: out of memory" print no stamp: each is a FATAL record of its own
    (blind probe BI: a leak's crash joined an INFO line as its continuation), with no
    timestamp (counting places it after the record above it)."""
    rust = (
        "2026-03-01T13:58:45.675161Z  INFO store::entitlements: entitlements loaded count=76\n"
        "memory allocation of 4194304 bytes failed\n"
        "2026-03-01T13:59:05.368691Z  INFO store: starting store-service version=0.50.0\n"
    )
    go = (
        '{"level":"info","ts":1774454389.3914273,"logger":"http","msg":"request completed","status":200}\n'
        "fatal error: runtime: out of memory\n"
        "\n"
        "runtime stack:\n"
        "runtime.throw({0x10f3a61?, 0x2000?})\n"
        '{"level":"info","ts":1774454395.5,"logger":"main","msg":"starting auth-service"}\n'
    )
    (tmp_path / "store.log").write_text(rust)
    (tmp_path / "auth.log").write_text(go)
    store = rcakit.read_logs(tmp_path / "store.log").to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in store] == [("INFO", 1), ("FATAL", 1), ("INFO", 1)]
    assert store[1]["body"] == "memory allocation of 4194304 bytes failed"
    assert store[1]["timestamp"] is None
    auth = rcakit.read_logs(tmp_path / "auth.log").to_dicts()
    crash = [r for r in auth if r["severity_text"] == "FATAL"]
    assert len(crash) == 1
    assert crash[0]["body"].startswith("fatal error: runtime: out of memory")
    assert crash[0]["timestamp"] is None


def test_elixir_runtime_lines_without_metadata_are_records_of_their_own(tmp_path):
    """Blind probe BL: a Phoenix log whose request lines all carry "request_id=" for its
    first few hundred lines; the runtime's own lines later have no metadata ("Running
    ...Endpoint", ":alarm_handler:") and were glued to the request record above as INFO, and
    the Erlang VM's out-of-memory crash with them: the leak's crash never showed."""
    lines = [
        f"09:{i // 60:02d}:{i % 60:02d}.{i % 1000:03d} request_id=F{i:031x} [info] Sent 200 in {10 + i % 40}ms"
        for i in range(400)
    ]
    lines[300:300] = ["09:05:00.100 [warning] :alarm_handler: {:set, {:process_memory_high_watermark, #PID<0.2411.0>}}"]
    lines[350:350] = [
        "",
        'eheap_alloc: Cannot allocate 3936326656 bytes of memory (of type "old_heap").',
        "",
        "Crash dump is being written to: erl_crash.dump...done",
        "09:05:51.589 [info] Running VideoSessionWeb.Endpoint with Bandit 1.2.3 at :::4000 (http)",
    ]
    path = tmp_path / "video_session.log"
    path.write_text("\n".join(lines) + "\n")
    os.utime(path, (1773050400, 1773050400))  # 2026-03-09 10:00 UTC: the day of the times
    with pytest.warns(rcakit.RcakitWarning, match="times of day without a date"):
        rows = rcakit.read_logs(path).to_dicts()
    assert sum(r["n_lines"] for r in rows) == len(lines)  # (every line accounted for)
    by_body = {r["body"].splitlines()[0]: r for r in rows}
    alarm = by_body[":alarm_handler: {:set, {:process_memory_high_watermark, #PID<0.2411.0>}}"]
    assert alarm["severity_text"] == "WARN"
    crash = by_body['eheap_alloc: Cannot allocate 3936326656 bytes of memory (of type "old_heap").']
    assert crash["severity_text"] == "FATAL"
    assert crash["timestamp"] is None
    start = by_body["Running VideoSessionWeb.Endpoint with Bandit 1.2.3 at :::4000 (http)"]
    assert (start["severity_text"], start["n_lines"]) == ("INFO", 1)
    assert all("\n" not in r["body"] for r in rows if r["body"].startswith("Sent 200"))


def test_dotnet_console_logger_inside_cri_lines(tmp_path):
    """Blind probe BL: ASP.NET Core's console logger in a Kubernetes container log. Its
    "fail:" head was no level inside the CRI wrapper, so the block joined the "info:" record
    above (an INFO record holding the NullReferenceException) or became records with no
    level; the category stayed in the body; the runtime's "Unhandled exception." crash had
    no level either."""
    def cri(ms: int, text: str) -> str:
        return f"2026-03-04T11:44:{ms // 1000:02d}.{ms % 1000:03d}000000Z stdout F {text}"

    lines = [
        cri(100, "info: Microsoft.AspNetCore.Hosting.Diagnostics[1]"),
        cri(100, "      Request starting HTTP/1.1 GET http://booking-api:8080/api/clinicians/756/slots - - -"),
        cri(250, "fail: Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware[1]"),
        cri(250, "      An unhandled exception has occurred while executing the request."),
        cri(250, "      System.NullReferenceException: Object reference not set to an instance of an object."),
        cri(250, "         at Telehealth.Booking.Slots.SlotService.GetAsync(Int32 clinicianId) in /src/SlotService.cs:line 41"),
        cri(260, "info: Microsoft.AspNetCore.Hosting.Diagnostics[2]"),
        cri(260, "      Request finished HTTP/1.1 GET http://booking-api:8080/api/clinicians/756/slots - 500 - - 160.2ms"),
        cri(5000, "Unhandled exception. System.OutOfMemoryException: Insufficient memory to continue the execution of the program."),
        cri(5000, "   at System.Text.StringBuilder.ExpandByABlock(Int32 minBlockCharCount)"),
    ]
    path = tmp_path / "booking-api-6f7c9d8b4-gbv86_telehealth_booking-api-c96840e29adc.log"
    path.write_text("\n".join(lines) + "\n")
    rows = rcakit.read_logs(path).to_dicts()
    assert sum(r["n_lines"] for r in rows) == len(lines)
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("INFO", 2), ("ERROR", 4), ("INFO", 2), ("FATAL", 2)]
    assert rows[1]["body"].startswith("An unhandled exception has occurred while executing the request.")
    assert "System.NullReferenceException" in rows[1]["body"]
    assert json.loads(rows[1]["attributes"])["logger"] == "Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware"
    assert rows[0]["body"].startswith("Request starting HTTP/1.1 GET")
    assert rows[3]["body"].startswith("Unhandled exception. System.OutOfMemoryException: Insufficient memory")


def test_times_of_day_are_dated_like_the_other_files_when_the_file_time_is_days_away(tmp_path):
    """Blind probe BL: a Phoenix log (times of day only) copied without its modification
    time was dated by the day of the copy, 266 days after the seven other files of the
    export: two incidents nine months apart, no cause. The other files say which day it is;
    a file whose own date is near theirs keeps it."""
    (tmp_path / "api.log").write_text(
        "".join(f"2026-03-11T10:{m:02d}:00.000Z INFO api served request {m}\n" for m in range(0, 60, 5))
    )
    phoenix = tmp_path / "video_session.log"
    phoenix.write_text("".join(f"10:{m:02d}:30.000 request_id=F{m:04d} [info] Sent 200 in 12ms\n" for m in range(0, 60, 5)))
    os.utime(phoenix, (1795000000, 1795000000))  # 2026-11-18: the day it was copied
    with pytest.warns(rcakit.RcakitWarning) as seen:
        logs = rcakit.read_logs(tmp_path)
    assert any("252 day(s) away from the other files' records" in str(w.message) for w in seen)
    video = logs.filter(pl.col("service") == "video_session")["timestamp"]
    assert video.min().isoformat() == "2026-03-11T10:00:30+00:00"
    assert video.max().isoformat() == "2026-03-11T10:55:30+00:00"
    # (a file written the next morning keeps its own day: one day off is no copy's date)
    os.utime(phoenix, (1773259200, 1773259200))  # 2026-03-11 20:00 UTC
    with pytest.warns(rcakit.RcakitWarning, match="times of day without a date") as seen:
        logs = rcakit.read_logs(tmp_path)
    assert not any("away from the other files" in str(w.message) for w in seen)
    assert logs.filter(pl.col("service") == "video_session")["timestamp"].max().isoformat() == "2026-03-11T10:55:30+00:00"
