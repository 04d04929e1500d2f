"""An hourly batch, a routine deploy's restart and an ITSM change list are no incident; a
real slow-down after a deploy still is (probe AQ: a hospital's .NET estate).

The estate as its services would log it: an appointment scheduler (Serilog's text layout,
a request line a second), the portal calling it (Serilog compact JSON), and an hourly
claims export whose run needs a different number of batches each hour and whose reads slow
the scheduler while it runs. The change list is a ServiceNow export: its ``Type`` is the
approval process (Standard, Normal), its description says what the change does, and its
configuration items are servers (``PORTAL-WEB02``, ``REDIS01``).
"""

from __future__ import annotations

import json
import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

import rcakit
from rcakit.correlate._services import match_service
from rcakit.errors import RcakitWarning

T0 = datetime(2026, 12, 14, 8, 0, tzinfo=UTC)
MINUTES = 200


def _estate(tmp_path, *, restart_at=None, slow_from=None, seed=0, edge=False, portal_restart_at=None):
    """``restart_at``: minute the scheduler restarts for its deploy (10 s without answers:
    the portal logs its calls failing with 503); ``slow_from``: minute from which the
    scheduler's requests take 2.5 times as long; ``edge``: two IIS nodes in front of the
    portal (W3C logs), answering 502 for the portal's failed calls; ``portal_restart_at``:
    minute the portal's app pool restarts (15 s: it logs nothing, the IIS nodes answer 502)."""
    rng = np.random.default_rng(seed)
    sched, portal, claims = [], [], []
    iis: list[list[str]] = [[], []]
    for s in range(MINUTES * 60):
        t = T0 + timedelta(seconds=s, milliseconds=int(rng.integers(0, 999)))
        minute = s // 60
        in_batch = 5 <= minute % 60 < 13
        down = restart_at is not None and restart_at * 60 <= s < restart_at * 60 + 10
        if restart_at is not None and s == restart_at * 60 + 10:
            sched.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + " +00:00 [INF] Application started. Hosting environment: Production")
        recycling = portal_restart_at is not None and portal_restart_at * 60 <= s < portal_restart_at * 60 + 15
        if edge:
            status = 502 if (down and s % 3 == 0) or recycling else 200
            for node in (0, 1):
                iis[node].append(f"{t:%Y-%m-%d %H:%M:%S} 10.40.1.{11 + node} GET /api/appointments - 443 - 86.1.2.3 Mozilla/5.0 - {status} 0 0 {int(rng.integers(20, 90))}")
        if down:
            if s % 3 == 0:
                portal.append(json.dumps({
                    "@t": t.isoformat().replace("+00:00", "Z"), "@mt": "Scheduler call {Method} {Path} failed with {StatusCode}",
                    "@m": "Scheduler call POST /api/bookings failed with 503", "@l": "Error",
                    "Method": "POST", "Path": "/api/bookings", "StatusCode": 503, "Application": "PatientPortal.Api",
                }))
            continue
        took = rng.gamma(6.0, 4.5) * (1.5 if in_batch else 1.0) * (2.5 if slow_from is not None and minute >= slow_from else 1.0)
        sched.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" +00:00 [INF] HTTP GET /api/slots/search responded 200 in {took:.4f} ms")
        if s % 2 == 0 and not recycling:
            portal.append(json.dumps({
                "@t": t.isoformat().replace("+00:00", "Z"), "@mt": "Booked slot {SlotId} for {Patient}",
                "@m": f"Booked slot {100000 + s} for patient{s % 977}", "SlotId": 100000 + s, "Patient": f"patient{s % 977}",
                "Application": "PatientPortal.Api",
            }))
    for run, total in enumerate((44, 41, 34, 37)):
        start = T0 + timedelta(hours=run, minutes=5)
        claims.append(f"{start:%Y-%m-%d %H:%M:%S}.000 +00:00 [INF] Claims export run {start:%Y%m%d-%H%M} started")
        for i in range(total):
            t = start + timedelta(seconds=13 * i + 5)
            claims.append(f"{t:%Y-%m-%d %H:%M:%S}.000 +00:00 [INF] Exported batch {i + 1}/{total}: {int(rng.integers(420, 500))} claims in {rng.uniform(1.5, 4.0):.2f} s")
        end = start + timedelta(seconds=13 * total + 10)
        claims.append(f"{end:%Y-%m-%d %H:%M:%S}.000 +00:00 [INF] Claims export run {start:%Y%m%d-%H%M} finished")
    head = "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
    for node, lines in enumerate(iis if edge else []):
        (tmp_path / f"iis-web0{node + 1}").mkdir(parents=True, exist_ok=True)
        (tmp_path / f"iis-web0{node + 1}" / "u_ex261214.log").write_text(head + "\n".join(lines) + "\n")
    for name, folder, lines in (("AppointmentScheduler-20261214.log", "scheduler", sched),
                                ("PatientPortal.Api-20261214.json", "portal-api", portal),
                                ("ClaimsExport-20261214.log", "claims-export", claims)):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / name).write_text("\n".join(lines) + "\n")
    return tmp_path


def _changes(tmp_path, *rows):
    """A ServiceNow export: (minute, description, type, configuration item) per change."""
    text = "Number,Short description,Type,Category,Configuration item,Actual start,State\n" + "".join(
        f'CHG00{41000 + i},"{d}",{kind},Software,{ci},{T0 + timedelta(minutes=m):%Y-%m-%d %H:%M:%S},Closed Complete\n'
        for i, (m, d, kind, ci) in enumerate(rows)
    )
    (tmp_path / "changes.csv").write_text(text)
    return tmp_path / "changes.csv"


def _analyze(path, deploys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return rcakit.analyze(path, deploys=deploys)


_ROUTINE = (
    (25, "Deploy ClaimsExport 2.5.1 (payer mapping update)", "Standard", "ClaimsExport"),
    (70, "Rotate RabbitMQ management UI certificate", "Standard", "RABBITMQ01"),
)


@pytest.mark.slow
def test_an_hourly_batch_and_a_routine_deploy_s_restart_are_no_incident(tmp_path):
    path = _estate(tmp_path, restart_at=140)
    deploys = _changes(path, *_ROUTINE, (140, "Deploy AppointmentScheduler 3.26.2 to PROD (release 771)", "Normal", "AppointmentScheduler"))
    report = _analyze(path, deploys)
    assert report.incidents == (), [(i.start, i.root_service, i.summary) for i in report.incidents]
    deploy = next(c for c in report.changes if c.change.service == "AppointmentScheduler")
    assert deploy.change.kind == "deploy"
    assert any(e.kind == "rollout" for e in deploy.evidence), deploy.evidence


@pytest.mark.slow
def test_the_restart_behind_a_farm_of_edges_and_a_caller_is_no_incident(tmp_path):
    """Both IIS nodes answer 502 while the portal's calls to the restarting scheduler fail:
    the edges and the caller only relay the restart."""
    path = _estate(tmp_path, restart_at=140, edge=True)
    deploys = _changes(path, *_ROUTINE, (140, "Deploy AppointmentScheduler 3.26.2 to PROD (release 771)", "Normal", "AppointmentScheduler"))
    report = _analyze(path, deploys)
    assert report.incidents == (), [(i.start, i.root_service, i.summary) for i in report.incidents]
    deploy = next(c for c in report.changes if c.change.service == "AppointmentScheduler")
    assert any(e.kind == "rollout" for e in deploy.evidence), deploy.evidence


@pytest.mark.slow
def test_the_edges_answering_502_while_the_app_behind_them_restarts_is_no_incident(tmp_path):
    """Probe AQ: both IIS nodes answered 502 for 10 s while the portal's app pool restarted
    for its deploy: one node was taken for the root, the other for an affected service."""
    path = _estate(tmp_path, portal_restart_at=140, edge=True)
    deploys = _changes(path, *_ROUTINE, (140, "Deploy PatientPortal.Api 3.23.8 to PROD (release 576)", "Normal", "PatientPortal.Api"))
    report = _analyze(path, deploys)
    assert report.incidents == (), [(i.start, i.root_service, [(r.service, r.role) for r in i.service_roles]) for i in report.incidents]


@pytest.mark.slow
def test_a_slow_down_after_a_deploy_is_still_an_incident_beside_the_batch(tmp_path):
    path = _estate(tmp_path, slow_from=142)
    deploys = _changes(path, *_ROUTINE, (140, "Deploy AppointmentScheduler 3.27.0 to PROD (release 772)", "Normal", "AppointmentScheduler"))
    report = _analyze(path, deploys)
    assert len(report.incidents) == 1, [(i.start, i.root_service, i.summary) for i in report.incidents]
    inc = report.incidents[0]
    assert inc.root_service == "AppointmentScheduler"
    assert inc.cause == "CHG0041002"
    assert T0 + timedelta(minutes=140) <= inc.start <= T0 + timedelta(minutes=146)


def test_an_itsm_change_s_approval_type_is_not_its_kind(tmp_path):
    """ServiceNow's Standard / Normal / Emergency say how a change was approved; its
    description says what it does."""
    deploys = _changes(
        tmp_path,
        (0, "Deploy AppointmentScheduler 3.26.2 to PROD (release 771)", "Normal", "AppointmentScheduler"),
        (1, "Planned restart of NotificationService app pool (maintenance window)", "Standard", "NotificationService"),
        (2, "Mirth: update SIU_Scheduling_Out destination timeout 30s -> 60s", "Standard", "Mirth Connect PROD"),
        (3, "Rollback AppointmentScheduler to 3.26.1", "Emergency", "AppointmentScheduler"),
        (4, "Quarterly access review", "Standard", "AD01"),
    )
    kinds = rcakit.read_changes(deploys).sort("time")["kind"].to_list()
    assert kinds == ["deploy", "maintenance", "config", "rollback", "standard"]


def test_a_change_list_names_servers_the_logs_name_by_role():
    services = ["iis-web01", "iis-web02", "mirth", "redis", "rabbitmq", "sqlserver", "PatientPortal", "AppointmentScheduler"]
    assert match_service("PORTAL-WEB02", services) == "iis-web02"
    assert match_service("REDIS01", services) == "redis"
    assert match_service("RABBITMQ01", services) == "rabbitmq"
    assert match_service("SQLPROD01", services) == "sqlserver"
    assert match_service("Mirth Connect PROD", services) == "mirth"
    assert match_service("PatientPortal.Api", services) == "PatientPortal"
    # (no such node, no such product: unchanged)
    assert match_service("PORTAL-WEB03", services) == "PORTAL-WEB03"
    assert match_service("Azure Front Door", services) == "Azure Front Door"


def test_a_progress_total_is_no_measure():
    """``Exported batch 3/44``: 44 is the run's total, not a number that shifts."""
    from rcakit.detect._params import progress_totals

    frame = pl.DataFrame({
        "template_id": ["a", "b", "c"],
        "template": ["Exported batch <NUM>/<NUM>: <NUM> claims in <NUM> s", "attempt <NUM> of <NUM> failed", "took <NUM> ms"],
    })
    assert sorted(progress_totals(frame).iter_rows()) == [("a", "$2"), ("b", "$2")]


def test_a_callers_own_pool_running_dry_is_its_fault_not_the_database_s():
    """Probe AQ: LabResults' ``Max Pool Size=10`` made its queries wait for a connection; its
    errors named SQL Server (an SqlClient exception), which was fine."""
    from rcakit.correlate._services import callers_fault

    assert callers_fault(
        "Failed to load results for order 77 System.InvalidOperationException: Timeout expired.  The timeout period "
        "elapsed prior to obtaining a connection from the pool.  This may have occurred because all pooled connections "
        "were in use and max pool size was reached. at Microsoft.Data.SqlClient.SqlConnection.Open()"
    )
    assert callers_fault("HikariPool-1 - Connection is not available, request timed out after 30000ms.")
    assert callers_fault("sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, connection timed out")
    # (a query that ran too long is the database's to answer for)
    assert not callers_fault("Execution Timeout Expired.  The timeout period elapsed prior to completion of the operation")


def test_dotnet_s_out_of_memory_exception_is_memory_exhausted():
    """Probe AQ: a leak's deploy was marked down as quiet, its service's
    ``System.OutOfMemoryException`` not read as the memory running out."""
    import re

    from rcakit.correlate._services import MEMORY_EXHAUSTED

    assert re.search(MEMORY_EXHAUSTED, "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.")
    assert re.search(MEMORY_EXHAUSTED, "java.lang.OutOfMemoryError: Java heap space")


def test_rates_that_follow_the_afternoons_traffic_are_no_shift(tmp_path):
    """PgBouncer writes ``stats: 11 xacts/s, 25 queries/s, ...`` once a minute; the rates
    follow the traffic, which grows through the afternoon. A blind probe (BG) had them
    flagged as a parameter shift in the first minutes of every export (a false incident on
    two normal days of six): a rate is the traffic, not a measure of health. The durations
    beside them (``xact <NUM> us``) are still measures."""
    import random

    rng = random.Random(5)
    t0 = datetime(2025, 3, 28, 16, 0, tzinfo=UTC)
    lines = []
    for minute in range(180):
        x = rng.gauss(11 * (1.0 + minute / 300), 1.0)
        t = t0 + timedelta(minutes=minute)
        lines.append(
            f"{t:%Y-%m-%d %H:%M:%S}.200 UTC [1] LOG stats: {x:.0f} xacts/s, {x * 2.6 + rng.gauss(0, 2):.0f} queries/s, "
            f"{x * 12 + rng.gauss(0, 8):.0f} client parses/s, 0 server parses/s, 0 binds/s, in {x * 150:.0f} B/s, "
            f"out {x * 960:.0f} B/s, xact {rng.gauss(2700, 500):.0f} us, query {rng.gauss(1000, 180):.0f} us, "
            f"wait {rng.gauss(24, 7):.0f} us"
        )
        if minute % 7 == 3:
            lines.append(
                f"{t + timedelta(seconds=rng.uniform(1, 58)):%Y-%m-%d %H:%M:%S}.{rng.randrange(1000):03d} UTC [1] LOG "
                f"C-0x{rng.randrange(16**12):012x}: grocery/app@10.42.{rng.randrange(8)}.{rng.randrange(256)}:"
                f"{rng.randrange(30000, 60000)} login attempt: db=grocery user=app tls=no"
            )
    (tmp_path / "pgbouncer.log").write_text("\n".join(sorted(lines)) + "\n")
    events = rcakit.mine_templates(rcakit.read_logs(tmp_path))
    assert rcakit.detect_anomalies(events).windows == ()
    from rcakit.detect._params import rate_features

    stats = events.filter(pl.col("body").str.starts_with("stats:")).select("template_id", "template").head(1)
    assert sorted(f for _, f in rate_features(stats).iter_rows()) == ["$1", "$2", "$3", "$4", "$5", "$6", "$7"]
