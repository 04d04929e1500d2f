"""Property tests: whatever the bytes, every physical line ends up in exactly one record."""

from __future__ import annotations

import warnings

import polars as pl
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rcakit.errors import RcakitWarning
from rcakit.ingest import FORMATS, read_logs
from rcakit.ingest._files import utf16_text
from rcakit.schemas import LOG_RECORDS

REALISTIC = [
    "2024-01-02 03:04:05,123 ERROR [main] com.shop.pay.RiskScorer - score failed",
    "java.lang.NullPointerException: null",
    "\tat com.shop.pay.RiskScorer.score(RiskScorer.java:42)",
    "Caused by: java.io.IOException: reset",
    "\t... 3 more",
    "2024-01-02 03:04:05,123 - checkout - WARNING - slow call 1200 ms",
    "Traceback (most recent call last):",
    '  File "x.py", line 1, in <module>',
    "ValueError: bad",
    '{"ts":"2024-01-02T03:04:05Z","level":"error","msg":"boom \\"q\\"","service":"cart"}',
    '{"time": 1704164645123, "severity": "INFO", "message": "ok", "nested": {"a": [1, 2]}}',
    '{"log":"hello\\n","stream":"stdout","time":"2024-01-02T03:04:05.123456789Z"}',
    'time="2024-01-02T03:04:05Z" level=error msg="failed" user=3',
    "<34>Oct 11 22:14:15 mymachine su[123]: 'su root' failed",
    '<165>1 2003-10-11T22:14:15.003Z host app - ID47 [a@1 k="v\\]"] msg',
    '127.0.0.1 - - [02/Jan/2024:03:04:05 +0000] "GET /pay HTTP/1.1" 500 12 "-" "curl/8"',
    "2024-01-02T03:04:05.123456789Z stdout F partial line",
    "",
    "   ",
    "}",
    "garbage \x1b[31mred\x1b[0m",
    "E0102 03:04:05.123456   12345 controller.go:123] sync failed",
]


def physical_lines(data: bytes) -> int:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif (text := utf16_text(data)) is not None:  # lines of UTF-16 text are counted in it
        data = text.encode("utf-8")
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


# formats of this module's owner; the structured formats have their own test modules
CORE_FORMATS = {"raw", "text", "syslog", "pattern"}


def read_checked(path, **kwargs) -> pl.DataFrame:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_logs(path, **kwargs)
    for w in caught:
        assert issubclass(w.category, RcakitWarning), w
    fell_back = [str(w.message) for w in caught if "could not read this file" in str(w.message)]
    # the raw fallback exists for parser bugs: the core formats must never need it (a
    # structured parser that does still loses no line, which check_accounting verifies)
    if kwargs.get("format", "auto") in CORE_FORMATS or "log_format" in kwargs:
        assert not fell_back, fell_back
    return frame


def check_accounting(frame: pl.DataFrame, expected: int) -> None:
    assert frame.schema == LOG_RECORDS
    assert int(frame["n_lines"].sum() or 0) == expected
    starts = frame["line_no"].to_list()
    counts = frame["n_lines"].to_list()
    covered = [i for s, c in zip(starts, counts, strict=True) for i in range(s, s + c)]
    assert covered == list(range(1, expected + 1))
    assert all(c >= 1 for c in counts)
    # a record is either parsed or carries its raw text with a reason
    assert frame.filter(pl.col("parse_error").is_not_null() & pl.col("body").is_null()).height == 0


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(data=st.binary(max_size=400).filter(lambda b: not b.startswith(b"\x1f\x8b")))
@example(data=b"\x1b@")  # a last line holding only a terminal escape (it was lost)
@example(data=b"ok\n\x1b[0m")
def test_random_bytes_lose_no_line(tmp_path, data):
    path = tmp_path / "random.log"
    path.write_bytes(data)
    frame = read_checked(path)
    check_accounting(frame, physical_lines(data))


@SETTINGS
@given(
    lines=st.lists(st.one_of(st.sampled_from(REALISTIC), st.text(max_size=30)), max_size=40),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    fmt=st.sampled_from(["auto", *sorted(n for n in FORMATS if n != "pattern")]),
)
# (a stack trace's line right after an access line: it joined the text record above that
# line, so that record claimed a line it did not hold)
@example(
    lines=["2024-01-02 03:04:05,123 ERROR [main] com.shop.pay.RiskScorer - score failed",
           '127.0.0.1 - - [02/Jan/2024:03:04:05 +0000] "GET /pay HTTP/1.1" 500 12 "-" "curl/8"',
           "java.lang.NullPointerException: null"],
    crlf=False, final_newline=False, fmt="auto",
)
def test_mixed_format_files_lose_no_line(tmp_path, lines, crlf, final_newline, fmt):
    # text strategies may produce line breaks of their own: they are physical lines too
    text = ("\r\n" if crlf else "\n").join(lines)
    if final_newline and text:
        text += "\r\n" if crlf else "\n"
    data = text.encode("utf-8", errors="surrogatepass")
    path = tmp_path / "mixed.log"
    path.write_bytes(data)
    frame = read_checked(path, format=fmt)
    check_accounting(frame, physical_lines(data))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.sampled_from(REALISTIC), min_size=1, max_size=30),
)
def test_pattern_format_loses_no_line(tmp_path, lines):
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "p.log"
    path.write_bytes(data)
    frame = read_checked(path, log_format="<Date> <Time> <Level> <Content>")
    check_accounting(frame, physical_lines(data))
