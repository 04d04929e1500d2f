"""Findings of a blind probe (probe AS): WebLogic's long zone names, ..."""

from __future__ import annotations

from datetime import UTC, datetime

from tests._reading import read_lines


def test_weblogic_long_zone_names(tmp_path):
    """WebLogic writes Java's long zone name after its stamp ("Coordinated Universal Time",
    "Central European Summer Time"): read as that zone's offset; the abbreviations still
    read as before."""
    tail = "<wls01.shop.local> <AdminServer> <[ACTIVE] ExecuteThread: '5'> <<WLS Kernel>> <> <> <1796032840456> <[severity-value: 8] > <BEA-101020> <Servlet failed>"
    frame = read_lines(tmp_path, "AdminServer.log", [
        f"####<Nov 30, 2026 10:00:40,456 AM Coordinated Universal Time> <Error> <HTTP> {tail}",
        f"####<Jul 30, 2026 12:00:41,456 PM Central European Summer Time> <Warning> <HTTP> {tail}",
        f"####<Nov 30, 2026 5:00:42,456 AM Eastern Standard Time> <Error> <HTTP> {tail}",
        f"####<Nov 30, 2026 11:00:43,456 AM CET> <Error> <HTTP> {tail}",
    ])
    assert frame["timestamp"].to_list() == [
        datetime(2026, 11, 30, 10, 0, 40, 456000, tzinfo=UTC),
        datetime(2026, 7, 30, 10, 0, 41, 456000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 42, 456000, tzinfo=UTC),
        datetime(2026, 11, 30, 10, 0, 43, 456000, tzinfo=UTC),
    ]
    assert frame["severity_text"].to_list() == ["ERROR", "WARN", "ERROR", "ERROR"]
    assert frame["body"].to_list()[0] == "Servlet failed"


def test_aws_logs_tail_platform_lines_keep_their_text(tmp_path):
    """``aws logs tail`` of a Lambda function: the platform's START/END/REPORT lines keep
    their whole text as the body (END's was empty), as in the runtime's own log."""
    stream = "2026/11/30/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    rid = "8f0c3a1e-1c2d-4e5f-9a8b-7c6d5e4f3a2b"
    frame = read_lines(tmp_path, "orders-tail.log", [
        f"2026-11-30T10:00:00.100000+00:00 {stream} START RequestId: {rid} Version: $LATEST",
        f"2026-11-30T10:00:00.250000+00:00 {stream} 2026-11-30T10:00:00.250Z\t{rid}\tINFO\tprocessing order 4711",
        f"2026-11-30T10:00:00.600000+00:00 {stream} END RequestId: {rid}",
        f"2026-11-30T10:00:00.600000+00:00 {stream} REPORT RequestId: {rid}\tDuration: 2.34 ms\tBilled Duration: 3 ms",
    ])
    assert frame["body"].to_list() == [
        f"START RequestId: {rid} Version: $LATEST",
        "processing order 4711",
        f"END RequestId: {rid}",
        f"REPORT RequestId: {rid}\tDuration: 2.34 ms\tBilled Duration: 3 ms",
    ]
    assert frame["severity_text"].to_list()[1] == "INFO"
