"""Findings of a blind probe (probe AP, second part): HTCondor's two-digit-year MM/dd/yy
stamps, ``kubectl get events`` tables, ``wevtutil qe /f:text`` blocks, log4net's XmlLayout
and SCCM's CMTrace lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rcakit.ingest import read_logs


def _read(tmp_path, name: str, lines: list[str], **kw):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kw.setdefault("year", 2024)
    frame = read_logs(path, **kw)
    assert frame["n_lines"].sum() == len(lines)
    assert frame["parse_error"].null_count() == len(frame)
    return frame


def _attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def test_two_digit_year_month_first_when_nearer(tmp_path):
    """``03/01/24 09:58:15`` reads yy/MM/dd (2003-01-24) and MM/dd/yy (2024-03-01): the order
    that puts the file's dates nearer to the year given (else now) wins; Spark's
    ``24/03/05`` (no month 24) and Loghub's ``17/06/09`` stay yy/MM/dd."""
    condor = [
        "03/01/24 09:58:15 Number of Active Workers 2",
        "03/01/24 09:58:16 Negotiating for owner: cms001@cluster.local",
        "03/02/24 00:00:01 slot1_7: Called deactivate_claim_forcibly()",
    ]
    for year in (2024, None):
        frame = _read(tmp_path, "condor.log", condor, year=year)
        assert frame["timestamp"].to_list()[0] == datetime(2024, 3, 1, 9, 58, 15, tzinfo=UTC)
        assert frame["timestamp"].to_list()[2] == datetime(2024, 3, 2, 0, 0, 1, tzinfo=UTC)
    spark = ["24/03/05 10:00:00 INFO TaskSetManager: Finished task 0.0", "24/03/05 10:00:01 WARN Foo: bar"]
    assert _read(tmp_path, "spark.log", spark)["timestamp"][0] == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    loghub = ["17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers"]
    assert _read(tmp_path, "spark2.log", loghub)["timestamp"][0] == datetime(2017, 6, 9, 20, 10, 40, tzinfo=UTC)
    # (a year given near the yy/MM/dd reading keeps it)
    assert _read(tmp_path, "condor.log", condor, year=2003)["timestamp"][0] == datetime(2003, 1, 24, 9, 58, 15, tzinfo=UTC)


def test_kubectl_get_events_table(tmp_path):
    """``kubectl get events``: one record per row, the header joining the first; TYPE is the
    level, the object's workload the service, MESSAGE the body; no time (ages are relative)."""
    frame = _read(tmp_path, "events.txt", [
        "LAST SEEN   TYPE      REASON              OBJECT                          MESSAGE",
        "2m          Warning   BackOff             pod/payments-5f6d7c8b9-qxzrt    Back-off restarting failed container",
        "90s         Normal    ScalingReplicaSet   deployment/payments             Scaled up replica set payments-5f6d7c8b9 to 3",
    ])
    rows = frame.to_dicts()
    assert frame["format"].to_list() == ["k8s-events"] * 2
    assert [r["n_lines"] for r in rows] == [2, 1]
    assert [r["severity_text"] for r in rows] == ["WARN", "INFO"]
    assert [r["service"] for r in rows] == ["payments", "payments"]
    assert rows[0]["body"] == "Back-off restarting failed container"
    assert rows[0]["timestamp"] is None
    assert _attrs(rows[0]) == {"reason": "BackOff", "kind": "pod", "name": "payments-5f6d7c8b9-qxzrt", "age": "2m"}
    frame = _read(tmp_path, "events-all.txt", [
        "NAMESPACE   LAST SEEN   TYPE      REASON      OBJECT                       MESSAGE",
        "prod        5m          Warning   Unhealthy   pod/cart-6f7d8b9c5-x2kzq     Readiness probe failed: HTTP probe failed with statuscode: 503",
    ])
    row = frame.to_dicts()[0]
    assert (row["service"], row["severity_text"], _attrs(row)["namespace"]) == ("cart", "WARN", "prod")


def test_wevtutil_text_blocks(tmp_path):
    """``wevtutil qe System /f:text``: one record per ``Event[N]:`` block; Date, Level,
    Source (the service) and the description below ``Description:`` as the body."""
    block = [
        "Event[0]:",
        "  Log Name: System",
        "  Source: Service Control Manager",
        "  Date: 2024-03-05T10:01:01.1230000Z",
        "  Event ID: 7034",
        "  Task: N/A",
        "  Level: Error",
        "  Computer: WEB01.corp.example.com",
        "  Description: ",
        "The Shop Order Service service terminated unexpectedly.  It has done this 3 time(s).",
        "",
    ]
    frame = _read(tmp_path, "system.txt", block + [s.replace("Event[0]", "Event[1]").replace("Error", "Information") for s in block])
    rows = frame.to_dicts()
    assert frame["format"][0] == "wevtutil"
    assert [r["n_lines"] for r in rows] == [11, 11]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 10, 1, 1, 123000, tzinfo=UTC)
    assert [r["severity_text"] for r in rows] == ["ERROR", "INFO"]
    assert rows[0]["service"] == "Service Control Manager"
    assert rows[0]["body"].startswith("The Shop Order Service service terminated unexpectedly.")
    assert _attrs(rows[0]) == {"event_id": 7034, "channel": "System", "computer": "WEB01.corp.example.com"}


def test_log4net_xml_layout(tmp_path):
    """log4net's XmlLayout: one record per ``<log4net:event>``, over lines; the exception
    joins the message; logger and thread are attributes."""
    frame = _read(tmp_path, "payments.xml", [
        '<log4net:event logger="Shop.Payments.Gateway" timestamp="2024-03-05T11:00:02.1234567+01:00" level="ERROR" thread="12">',
        "  <log4net:message>Charge failed for order &lt;ORD-2&gt;</log4net:message>",
        "  <log4net:exception>System.Net.WebException: The operation has timed out",
        "   at Shop.Payments.Gateway.Charge(Order o)</log4net:exception>",
        "</log4net:event>",
        '<log4net:event logger="Shop.Payments.Gateway" timestamp="2024-03-05T11:00:03+01:00" level="WARN" thread="13">'
        "<log4net:message>Slow charge</log4net:message></log4net:event>",
    ])
    rows = frame.to_dicts()
    assert frame["format"][0] == "log4xml"
    assert [r["n_lines"] for r in rows] == [5, 1]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 10, 0, 2, 123456, tzinfo=UTC)
    assert [r["severity_text"] for r in rows] == ["ERROR", "WARN"]
    assert rows[0]["body"].startswith("Charge failed for order <ORD-2>\nSystem.Net.WebException: The operation has timed out")
    assert _attrs(rows[0]) == {"logger": "Shop.Payments.Gateway", "thread": "12"}


def test_cmtrace_sccm_log(tmp_path):
    """SCCM's CMTrace layout: the message (maybe over lines) up to ``]LOG]!>``; UTC is the
    local time plus the bias in minutes (``-60``: UTC+1); type 1/2/3 is INFO/WARN/ERROR."""
    frame = _read(tmp_path, "ContentTransferManager.log", [
        '<![LOG[Policy download failed:',
        '  Error 0x87d00215 while contacting mp01]LOG]!><time="10:00:02.900-60" date="03-05-2024" component="PolicyAgent" context="" type="3" thread="3344" file="policyagent.cpp:812">',
        '<![LOG[Distribution point is not available]LOG]!><time="10:00:11.320+300" date="3-5-2024" component="ContentTransferManager" context="" type="2" thread="2126" file="">',
    ])
    rows = frame.to_dicts()
    assert frame["format"][0] == "cmtrace"
    assert [r["n_lines"] for r in rows] == [2, 1]
    assert rows[0]["timestamp"] == datetime(2024, 3, 5, 9, 0, 2, 900000, tzinfo=UTC)
    assert rows[1]["timestamp"] == datetime(2024, 3, 5, 15, 0, 11, 320000, tzinfo=UTC)
    assert [r["severity_text"] for r in rows] == ["ERROR", "WARN"]
    assert rows[0]["body"] == "Policy download failed:\n  Error 0x87d00215 while contacting mp01"
    assert _attrs(rows[0]) == {"logger": "PolicyAgent", "thread": "3344", "code": "policyagent.cpp:812"}
