"""Layouts, levels and heads a blind probe (Q) found read wrongly: each test holds lines as
the product writes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

from rcakit.ingest import read_logs

from ._ingest_helpers import attrs


def _read_one(tmp_path, name: str, text: str) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = read_logs(path, year=2024)
    assert out["n_lines"].sum() == text.count("\n") + (0 if text.endswith("\n") else 1)
    return out


def test_dotnet_json_console_loglevel_and_nginx_time_iso8601(tmp_path):
    """.NET's JSON console formatter names its level "LogLevel"; nginx's escape=json
    log_format names its time by the variable "time_iso8601"."""
    dotnet = _read_one(tmp_path, "identity.json.log", "".join(json.dumps(r) + "\n" for r in [
        {"Timestamp": "2024-03-01T10:00:01.123Z", "EventId": 14, "LogLevel": "Information",
         "Category": "Microsoft.Hosting.Lifetime", "Message": "Now listening on: http://[::]:8080"},
        {"Timestamp": "2024-03-01T10:00:03.456Z", "EventId": 3, "LogLevel": "Error",
         "Category": "Identity.Store.UserStore", "Message": "Lookup of user 42 failed"},
        {"Timestamp": "2024-03-01T10:00:05.000Z", "EventId": 0, "LogLevel": "Critical",
         "Category": "Identity.Program", "Message": "Key vault unreachable"},
    ]))
    assert dotnet["severity_text"].to_list() == ["INFO", "ERROR", "FATAL"]
    assert dotnet["body"][1] == "Lookup of user 42 failed"
    nginx = _read_one(tmp_path, "edge.access.json", "".join(json.dumps(r) + "\n" for r in [
        {"time_iso8601": "2024-03-01T10:00:01+00:00", "remote_addr": "203.0.113.5", "request_method": "GET",
         "request_uri": "/api/items?page=2", "status": "200", "request_time": "0.012"},
        {"time_iso8601": "2024-03-01T11:00:03+01:00", "remote_addr": "203.0.113.5", "request_method": "POST",
         "request_uri": "/api/pay", "status": "502", "request_time": "30.001"},
    ]))
    assert nginx["timestamp"].to_list() == [
        datetime(2024, 3, 1, 10, 0, 1, tzinfo=UTC), datetime(2024, 3, 1, 10, 0, 3, tzinfo=UTC),
    ]
    assert nginx["body"].to_list() == ["GET /api/items 200", "POST /api/pay 502"]
    assert "time_iso8601" not in attrs(nginx.row(0, named=True))
