"""Findings of a blind probe (probe AP): logcat's ``time`` format, stamps at a line's head
that were not read (Oracle's listener log, a fixed-width batch log), CSV exports with
free-form column names, S3 server access logs, log4j's ``%c{1}:`` logger (Spark, Hadoop)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rcakit.ingest import read_logs


def _read(tmp_path, name: str, lines: list[str], **kw):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_logs(path, year=2024, **kw)
    assert frame["n_lines"].sum() == len(lines)
    assert frame["parse_error"].null_count() == len(frame)
    return frame


def _attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def test_logcat_time_format(tmp_path):
    """``logcat -v time``: the level letter and the tag before the pid in parentheses, as
    threadtime's level and tag are read."""
    frame = _read(tmp_path, "logcat-time.txt", [
        "03-05 10:00:00.780 I/ActivityManager(  812): Start proc 1234:com.shop/u0a123 for activity {com.shop/.Main}",
        "03-05 10:00:00.877 D/OkHttp  ( 1234): <-- 200 https://api.shop.example.com/v2/cart (92ms)",
        "03-05 10:00:11.500 E/AndroidRuntime( 1234): FATAL EXCEPTION: main",
        "03-05 10:00:11.500 W/System.err( 1234): java.net.SocketTimeoutException: timeout",
    ])
    rows = frame.to_dicts()
    assert [r["severity_text"] for r in rows] == ["INFO", "DEBUG", "ERROR", "WARN"]
    assert rows[2]["body"] == "FATAL EXCEPTION: main"
    assert rows[2]["timestamp"] == datetime(2024, 3, 5, 10, 0, 11, 500000, tzinfo=UTC)
    assert _attrs(rows[2]) == {"logger": "AndroidRuntime", "pid": "1234"}
    assert _attrs(rows[1])["logger"] == "OkHttp"
