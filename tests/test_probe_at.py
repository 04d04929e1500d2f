"""Probe AT's findings (an airline's serverless estate on AWS): a CloudWatch Logs export to
S3 of a Lambda function, and a poison message retried once a minute."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

import rcakit


def _lambda_export(path: Path, *, t0: datetime, minutes: int, poison_from: int | None = None) -> None:
    """A Python function's CloudWatch Logs export to S3 (``000000.gz``): each line the
    event's stamp, then Lambda's START/END/REPORT lines or the function's Powertools JSON."""
    def stamp(dt: datetime) -> str:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"

    def event(level: str, message: str, dt: datetime, rid: str, **extra: str) -> str:
        doc = {"level": level, "location": "consumer:22", "message": message,
               "timestamp": dt.strftime("%Y-%m-%d %H:%M:%S,") + f"{dt.microsecond // 1000:03d}+0000",
               "service": "ticketing-worker", "cold_start": False, "function_request_id": rid, **extra}
        return f"{stamp(dt)} {json.dumps(doc)}"

    lines = []
    for m in range(minutes):
        for k in range(3):
            t = t0 + timedelta(minutes=m, seconds=15 * k + 1)
            rid = f"{m:08x}-{k:04x}-4000-8000-{m * 3 + k:012x}"
            lines.append(f"{stamp(t)} START RequestId: {rid} Version: 31")
            lines.append(event("INFO", f"received batch of {1 + (m + k) % 4} records from booking-events", t + timedelta(milliseconds=2), rid))
            if poison_from is not None and m >= poison_from and k == 0 and m < poison_from + 8:
                lines.append(event("ERROR", "failed to issue e-ticket for messageId=a750ee5b-c51c-4a12-7877-9d2264578f75",
                                   t + timedelta(milliseconds=40), rid, exception_name="UnicodeEncodeError"))
                lines.append(event("ERROR", f"batch failed, {1 + m - poison_from} records returned to queue booking-events",
                                   t + timedelta(milliseconds=45), rid))
            else:
                lines.append(event("INFO", f"issued e-ticket 125{m:07d}{k} for booking PNR{m % 97:03d}", t + timedelta(milliseconds=30), rid))
            lines.append(f"{stamp(t + timedelta(milliseconds=60))} END RequestId: {rid}")
            lines.append(f"{stamp(t + timedelta(milliseconds=61))} REPORT RequestId: {rid}\tDuration: {50 + k}.01 ms\t"
                         f"Billed Duration: {51 + k} ms\tMemory Size: 512 MB\tMax Memory Used: 175 MB\t")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def test_a_cloudwatch_export_of_a_lambda_reads_its_json_events(tmp_path: Path) -> None:
    """``<stamp> START RequestId: ...`` around ``<stamp> {"level": "INFO", ...}``: the
    function's JSON is read (level, message, attributes), Lambda's own lines are messages
    (probe AT: every line one text record without a level)."""
    path = tmp_path / "ticketing-worker" / "000000.gz"
    _lambda_export(path, t0=datetime(2026, 11, 28, 4, 26, tzinfo=UTC), minutes=20, poison_from=10)
    frame = rcakit.read_logs(path)
    assert frame["n_lines"].sum() == len(gzip.decompress(path.read_bytes()).splitlines())
    errors = frame.filter(pl.col("severity_text") == "ERROR")
    assert errors.height == 16
    assert errors["body"][0] == "failed to issue e-ticket for messageId=a750ee5b-c51c-4a12-7877-9d2264578f75"
    assert errors["attributes"][0] is not None
    assert "UnicodeEncodeError" in errors["attributes"][0]
    assert frame.filter(pl.col("body").str.starts_with("REPORT RequestId:")).height == 60
    assert set(frame["service"].unique()) == {"ticketing-worker"}


def test_a_new_error_retried_once_a_minute_is_an_incident(tmp_path: Path) -> None:
    """A poison message: the worker fails on it once a minute (two new ERROR lines each
    time) for eight minutes, then dead-letters it. Never five records of it in one window,
    but a new error repeating: an incident rooted in the worker with no change (probe AT:
    no incident, its lines read without their level)."""
    t0 = datetime(2026, 11, 28, 4, 26, tzinfo=UTC)
    _lambda_export(tmp_path / "ticketing-worker" / "000000.gz", t0=t0, minutes=300, poison_from=280)
    report = rcakit.analyze(tmp_path)
    (inc,) = report.incidents
    assert inc.root_service == "ticketing-worker"
    assert inc.cause is None
    assert abs(inc.start - (t0 + timedelta(minutes=280))) <= timedelta(minutes=2)


def test_lambda_runtime_failures_are_errors(tmp_path: Path) -> None:
    """Lambda's runtime writes a function's timeouts and crashes without a level: ``Task
    timed out after 6.00 seconds``, ``Runtime exited with error: signal: killed``. They are
    errors (probe AT: a lowered timeout's 12 timeouts were level-less lines, no incident)."""
    path = tmp_path / "logs-insights-results-checkin.csv"
    rows = ["@timestamp,@message,@logStream,@log"]
    group = "123456789012:/aws/lambda/booking-prod-checkin"
    stream = "2026/11/27/[$LATEST]c9f0f895fb98ab9159f51fd0297e236d"
    rows += [
        f"2026-11-27 08:57:00.100,START RequestId: 6890a6ed-49cd-ed46-cb8c-439a52202360 Version: 23,{stream},{group}",
        f"2026-11-27 08:57:17.408,2026-11-27T08:57:17.408Z 6890a6ed-49cd-ed46-cb8c-439a52202360 Task timed out after 6.00 seconds,{stream},{group}",
        f"2026-11-27 08:58:02.001,RequestId: 7a90a6ed-49cd-ed46-cb8c-439a52202361 Error: Runtime exited with error: signal: killed"
        f"\tRuntime.ExitError,{stream},{group}",
        f"2026-11-27 08:58:03.500,2026-11-27T08:58:03.500Z\t7b90a6ed-49cd-ed46-cb8c-439a52202362\tINFO\tcheck-in accepted for PNR ABC123,{stream},{group}",
        f"2026-11-27 08:58:04.000,REPORT RequestId: 7b90a6ed-49cd-ed46-cb8c-439a52202362\tDuration: 80.10 ms\tBilled Duration: 81 ms"
        f"\tMemory Size: 256 MB\tMax Memory Used: 90 MB\t,{stream},{group}",
    ]
    path.write_text("\n".join(rows) + "\n")
    frame = rcakit.read_logs(path)
    levels = dict(zip(frame["body"], frame["severity_text"], strict=True))
    assert [v for k, v in levels.items() if "timed out" in k] == ["ERROR"]
    assert [v for k, v in levels.items() if "Runtime exited" in k] == ["ERROR"]
    assert [v for k, v in levels.items() if k.startswith("REPORT")] == [None]
    assert [v for k, v in levels.items() if "check-in accepted" in k] == ["INFO"]


def test_a_change_names_a_function_deployed_as_app_stage_function() -> None:
    """Serverless Framework and SAM name a function ``<app>-<stage>-<function>``: the log
    group's ``booking-prod-checkin`` is the change list's ``checkin`` (probe AT: the timeout
    change of checkin was "not related" to the root booking-prod-checkin)."""
    from rcakit.correlate._services import match_service

    services = ["booking-prod-checkin", "booking-prod-ticketing-worker", "search-flights", "payment-service"]
    assert match_service("checkin", services) == "booking-prod-checkin"
    assert match_service("ticketing-worker", services) == "booking-prod-ticketing-worker"
    assert match_service("booking-staging-search-flights", services) == "search-flights"
    assert match_service("booking", services) == "booking"  # the app alone is none of them


def test_a_log_groups_lines_without_a_service_are_its_apps(tmp_path: Path) -> None:
    """A Lambda's log group holds its Powertools JSON (``"service": "checkin"``) and
    Lambda's own lines (START, REPORT, a timeout) that name none: they are all checkin's,
    not split between checkin and the group's ``booking-prod-checkin`` (probe AT: the
    timeouts were another service than the function's own lines)."""
    group = "123456789012:/aws/lambda/booking-prod-checkin"
    stream = "2026/11/27/[$LATEST]c9f0f895fb98ab9159f51fd0297e236d"
    app = json.dumps({"level": "INFO", "message": "check-in request pnr=79C5TH passengers=2", "service": "checkin"})
    other = json.dumps({"level": "INFO", "message": "fares refreshed", "service": "fares-sync"})
    rows = ["@timestamp,@message,@logStream,@log",
            f"2026-11-27 08:57:00.100,START RequestId: 6890a6ed-49cd-ed46-cb8c-439a52202360 Version: 23,{stream},{group}",
            f'2026-11-27 08:57:00.200,"{app.replace(chr(34), chr(34) * 2)}",{stream},{group}',
            f"2026-11-27 08:57:17.408,2026-11-27T08:57:17.408Z 6890a6ed-49cd-ed46-cb8c-439a52202360 Task timed out after 6.00 seconds,{stream},{group}",
            f'2026-11-27 08:57:18.000,"{other.replace(chr(34), chr(34) * 2)}",s2,123456789012:/aws/lambda/booking-prod-fares-sync',
            "2026-11-27 08:57:19.000,START RequestId: 1 Version: 2,s3,123456789012:/aws/lambda/booking-prod-search"]
    path = tmp_path / "logs-insights-results.csv"
    path.write_text("\n".join(rows) + "\n")
    frame = rcakit.read_logs(path)
    assert frame["service"].to_list() == ["checkin", "checkin", "checkin", "fares-sync", "booking-prod-search"]


def test_an_api_gateway_access_log_reads_as_requests(tmp_path: Path) -> None:
    """API Gateway's JSON access log (``httpMethod``, ``path``, ``status``) inside an ``aws
    logs filter-log-events`` export: each record a request, ``GET /v1/flights/search 500``,
    its level from the status (probe AT: the whole JSON was the body, with no level)."""
    def event(i: int, method: str, path: str, status: int) -> dict[str, object]:
        access = {"requestId": f"f292a81a-9680-8ebc-bc6e-{i:012d}", "ip": "86.66.182.89", "httpMethod": method,
                  "resourcePath": path, "path": path, "status": str(status), "responseLatency": str(200 + i),
                  "integrationStatus": "429" if status == 500 else str(status), "stage": "prod"}
        return {"logStreamName": "a87ff679a2f3e71d9181a67b7542122c", "timestamp": 1795838520488 + 1000 * i,
                "message": json.dumps(access), "ingestionTime": 1795838521200 + 1000 * i, "eventId": f"{i:056d}"}
    doc = {"events": [event(0, "POST", "/v1/bookings", 201), event(1, "GET", "/v1/flights/search", 200),
                      event(2, "GET", "/v1/flights/search", 500)]}
    path = tmp_path / "booking-api-access.json"
    path.write_text(json.dumps(doc, indent=4))
    frame = rcakit.read_logs(path)
    assert frame["body"].to_list() == ["POST /v1/bookings 201", "GET /v1/flights/search 200", "GET /v1/flights/search 500"]
    assert frame["severity_text"].to_list() == ["INFO", "INFO", "ERROR"]
