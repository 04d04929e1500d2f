"""What a blind probe of an online brokerage's incidents (probe BR) found: a leak dated by
its warnings, a database's migration rooted at the database, a callee that slowed beside its
caller, a zap field named by its unit, a service's own word, an upstream failing before it
logs anything."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from tests._estates import analyze_quietly, write_deploys

from rcakit.correlate._services import _names
from rcakit.detect._params import attribute_numbers

T0 = datetime(2026, 11, 4, 13, 0, tzinfo=UTC)


def _clef(t: datetime, level: str, template: str, **fields: object) -> str:
    return json.dumps({"@t": f"{t:%Y-%m-%dT%H:%M:%S.%f}0Z", "@mt": template, "@l": level, **fields})


def _leak_estate(root: Path, gc_from: datetime) -> None:
    """Three hours of a .NET risk service (Serilog compact JSON) and a Go orders service:
    from ``gc_from`` the risk service warns of long GC pauses twice a minute, dies of
    OutOfMemoryException 7 min later, restarts, warns again and dies again 23 min later;
    its margin checks slow down from 13 min after ``gc_from``. Its deploy was 16 min before."""
    rnd = random.Random(19)
    risk, orders = [], []
    crashes = [gc_from + timedelta(minutes=7), gc_from + timedelta(minutes=30)]
    for second in range(0, 3 * 3600, 5):
        t = T0 + timedelta(seconds=second + rnd.random())
        slow = 6.0 if t >= gc_from + timedelta(minutes=13) else 1.0
        down = any(c <= t < c + timedelta(seconds=40) for c in crashes)
        if not down:
            risk.append(
                _clef(t, "Information", "Margin check for {Account} passed in {Elapsed} ms",
                      Account=f"AC{rnd.randint(10000, 99999)}", Elapsed=round(9 * slow * rnd.lognormvariate(0, 0.3), 1))
            )
        heap = (t - gc_from).total_seconds() % (23 * 60)
        if t >= gc_from and second % 30 == 0 and not down and heap < 8 * 60:
            risk.append(_clef(t, "Warning", "GC pause {PauseMs} ms (gen2), heap {HeapMb} MB of 2048 MB",
                              PauseMs=rnd.randint(800, 990), HeapMb=rnd.randint(1600, 2000)))
        orders.append(json.dumps({"level": "info", "ts": t.timestamp(), "msg": "order accepted", "id": rnd.getrandbits(40)}))
    for c in crashes:
        risk.append(_clef(c, "Fatal", "Unhandled exception, process terminating",
                          **{"@x": "System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown."}))
        risk.append(_clef(c + timedelta(seconds=41), "Information", "Now listening on: {Address}", Address="http://[::]:8080"))
    risk.sort()
    (root / "risk").mkdir(parents=True)
    (root / "risk" / "risk.clef").write_text("\n".join(risk) + "\n")
    (root / "orders").mkdir()
    (root / "orders" / "orders.json").write_text("\n".join(orders) + "\n")
    write_deploys(
        root,
        (gc_from - timedelta(minutes=16), "risk", "3.26.0", "DEP-11", "deploy", "Deploy risk 3.26.0"),
        (gc_from - timedelta(minutes=5), "notifications", "2.11.0", "DEP-12", "deploy", "Deploy notifications 2.11.0"),
    )


@pytest.mark.slow
def test_a_leaks_warnings_that_come_back_after_each_crash_date_the_incident(tmp_path):
    """A new warning twice a minute that returns after the process died of out-of-memory is
    the leak, not a schedule's chatter: the incident starts with it (probe BR's inc19: 32 min
    late, at the second crash, after the margin checks slowed)."""
    gc_from = T0 + timedelta(minutes=124, seconds=10)
    _leak_estate(tmp_path, gc_from)
    report = analyze_quietly(tmp_path)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == "risk"
    assert inc.cause == "DEP-11"
    assert abs((inc.start - gc_from).total_seconds()) <= 120


def _ingress_line(
    t: datetime, client: str, request: str, status: int, size: int, agent: str, length: int, ms: float, svc: str,
    peer: str, sent: int, req_id: int,
) -> str:
    """One ingress-nginx controller access line, as the container runtime wrote it (CRI):
    ``ms`` the request's time, its upstream ``prod-<svc>-8080`` at ``peer``."""
    return (
        f'{t:%Y-%m-%dT%H:%M:%S.%f}000Z stdout F {client} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{request} HTTP/2.0" '
        f'{status} {size} "-" "{agent}" {length} {ms / 1000:.3f} [prod-{svc}-8080] [] {peer}:8080 {sent} '
        f"{ms / 1000 - 0.001:.3f} {status} {req_id:032x}"
    )


def _ledger_estate(root: Path, slow_from: datetime) -> None:
    """Two hours of a ledger (logfmt, timing nothing) querying PostgreSQL, whose log writes
    slow statements only, and a quotes service, both behind an ingress-nginx controller; from ``slow_from`` (a migration dropped an index a minute before) its portfolio
    query takes seconds, PostgreSQL logs it and cancels some, and the ledger's queries time
    out naming postgres."""
    rnd = random.Random(14)
    ledger, pg, edge, quotes = [], [], [], []
    sql = "SELECT p.symbol, sum(p.qty) FROM positions p JOIN journal_entries j ON j.position_id = p.id WHERE p.account_id = $1"
    for second in range(0, 2 * 3600, 4):
        t = T0 + timedelta(seconds=second + rnd.random())
        late = t >= slow_from
        ms = rnd.lognormvariate(0, 0.3) * (1500 if late else 8)
        stamp = f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"
        if late and rnd.random() < 0.15:
            ledger.append(f'ts={stamp} level=error msg="portfolio query failed" err="postgres: canceling statement due to statement timeout"')
            pg.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" UTC [{rnd.randint(1000, 9999)}] ERROR:  canceling statement due to statement timeout")
        else:
            ledger.append(f'ts={stamp} level=info msg="portfolio served" account=AC{rnd.randint(10000, 99999)}')
        for svc, took in (("ledger", ms + 3), ("quotes", 20 * rnd.lognormvariate(0, 0.25))):
            edge.append(_ingress_line(
                t, f"10.0.3.{rnd.randint(2, 250)}", f"GET /api/v1/{svc}/AC{rnd.randint(10000, 99999)}", 200, 233,
                "Trade/5.2", 311, took, svc, f"10.244.7.{rnd.randint(2, 99)}", 233, rnd.getrandbits(128),
            ))
        quotes.append(json.dumps({"level": "info", "ts": t.timestamp(), "msg": "quote served", "symbol": "SPY"}))
        if ms > 250:
            pg.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" UTC [{rnd.randint(1000, 9999)}] LOG:  duration: {ms:.3f} ms  statement: {sql}")
        if second % 600 == 0:
            pg.append(f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3] + f" UTC [{rnd.randint(1000, 9999)}] LOG:  checkpoint starting: time")
    pg.sort()
    (root / "ledger").mkdir(parents=True)
    (root / "ledger" / "ledger.log").write_text("\n".join(ledger) + "\n")
    (root / "ingress-nginx").mkdir()
    (root / "ingress-nginx" / "controller.log").write_text("\n".join(edge) + "\n")
    (root / "quotes").mkdir()
    (root / "quotes" / "quotes.json").write_text("\n".join(quotes) + "\n")
    (root / "postgres").mkdir()
    (root / "postgres" / "postgresql.log").write_text("\n".join(pg) + "\n")
    write_deploys(
        root,
        (slow_from - timedelta(minutes=50), "ledger", "4.1.0", "CHG-60", "deploy", "Deploy ledger 4.1.0"),
        (slow_from - timedelta(seconds=66), "postgres", "-", "CHG-62", "migration", "drop unused index on journal_entries"),
    )


@pytest.mark.slow
def test_a_migration_of_the_database_its_callers_name_roots_the_incident_at_the_database(tmp_path):
    """The cause is a change of the database the root's failures name, and the database's own
    log changed from the onset: the fault is the database's, the ledger reports it (probe
    BR's inc14: root ledger beside "CHG... (migration of postgres)", a report at odds with
    itself)."""
    slow_from = T0 + timedelta(minutes=80)
    _ledger_estate(tmp_path, slow_from)
    report = analyze_quietly(tmp_path)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.cause == "CHG-62"
    assert inc.root_service == "postgres"


def test_the_cause_a_change_of_a_dependency_whose_own_logs_changed_moves_the_root_there():
    """The rule behind it, where the logs leave the caller ahead (probe BR's inc14: the
    ingress timed the ledger's answers, the ledger timed nothing): a cause that changed a
    service the root's failures name, whose own anomalies start with the root's, is tried as
    root; a victim, a later one, or one the root does not name is not."""
    from rcakit.correlate._correlate import _Cause, _changed_dependency
    from rcakit.correlate._results import ChangeRef, Evidence, ServiceRole, Suspect

    onset = T0 + timedelta(minutes=80)
    change = ChangeRef(id="CHG-62", time=onset - timedelta(seconds=66), service="postgres", version=None, kind="migration")
    found = _Cause(
        root="ledger", names={"postgres"}, onset=onset, cause="CHG-62", reason="",
        suspects=(Suspect(change=change, score=0.9, lag_seconds=66.0, evidence=()),),
    )
    ev = (Evidence(kind="timing", text="-", weight=1.0),)

    def roles(pg_role: str, pg_onset: datetime) -> list[ServiceRole]:
        return [
            ServiceRole(service="ledger", role="root", onset=onset, score=4.8, evidence=ev),
            ServiceRole(service="postgres", role=pg_role, onset=pg_onset, score=4.0, evidence=ev),  # type: ignore[arg-type]
        ]

    services = ["ledger", "postgres", "ingress-nginx"]
    window = timedelta(minutes=1)
    assert _changed_dependency(found, roles("affected", onset), services, window) == "postgres"
    assert _changed_dependency(found, roles("victim", onset), services, window) is None
    assert _changed_dependency(found, roles("affected", onset + timedelta(minutes=9)), services, window) is None
    assert _changed_dependency(found._replace(names=set()), roles("affected", onset), services, window) is None
    assert _changed_dependency(found._replace(cause=None), roles("affected", onset), services, window) is None


def test_a_zap_field_named_by_its_unit_of_time_is_a_measure():
    """``route_ms``, ``routeMs``, ``db.wait_us``: a field named by what it times and its unit
    (probe BR's order router: its routing time x8 went unseen); ``items`` is no time."""
    frame = pl.DataFrame(
        {"attributes": ['{"route_ms":12.5,"items":3,"routeMs":4,"ITEMS":5,"db.wait_us":"7","lockWaitMillis":2}']}
    )
    got = dict(attribute_numbers(frame, []).select("feature", "value").iter_rows())
    assert got == {
        "attributes.route_ms": 12.5, "attributes.routeMs": 4.0, "attributes.db.wait_us": 7.0,
        "attributes.lockWaitMillis": 2.0,
    }


def test_a_word_of_a_services_own_name_names_no_other_service():
    """The order router's "order routed" is about its own work, not a call to order-service
    (probe BR: its slow-down read as order-service's failures); a service named by the word
    alone, or named in full, still is."""
    services = ["order-router", "order-service", "payment", "payment-worker"]
    assert _names("order routed", services, exclude="order-router") == ()
    assert _names("routing failed: order-service timed out", services, exclude="order-router") == ("order-service",)
    assert _names("order accepted", services, exclude="payment") == ("order-service",)
    assert _names("payment timed out", services, exclude="payment-worker") == ("payment",)


def _ingress_estate(root: Path, failing: str, fail_from: datetime) -> None:
    """Three hours of an ingress-nginx controller in front of eta, orders and ``failing``;
    from ``fail_from`` 40 % of the requests to ``failing`` get a 502 (it answered nothing
    usable), and its own log shows heap warnings from 7 min later. Its deploy was 20 min
    before ``fail_from``."""
    rnd = random.Random(5)
    logs = root / "logs"
    logs.mkdir(parents=True)
    t0 = fail_from - timedelta(hours=2)
    ingress: list[str] = []
    own: dict[str, list[str]] = {"eta": [], "orders": [], failing: []}
    paths = {"eta": "/api/v1/rides/{}/eta", "orders": "/api/v1/orders/{}", failing: "/api/v1/queue/{}"}
    for second in range(0, 3 * 3600, 2):
        t = t0 + timedelta(seconds=second + rnd.random())
        svc = rnd.choices(["eta", "orders", failing], weights=[4, 6, 6])[0]
        if rnd.random() > 0.55:
            continue
        ms = 30 * rnd.lognormvariate(0, 0.25)
        ride = "".join(rnd.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(10))
        bad = svc == failing and t >= fail_from and rnd.random() < 0.4
        status, size = (502, 150) if bad else (200, 233)
        ingress.append(_ingress_line(
            t, f"10.0.{rnd.randint(0, 9)}.{rnd.randint(2, 250)}", f"GET {paths[svc].format(ride)}", status, size,
            "Tix/7.14.0", rnd.randint(200, 900), ms, svc, f"10.244.7.{rnd.randint(2, 99)}", 0 if bad else 233,
            rnd.getrandbits(128),
        ))
        if not bad:
            own[svc].append(json.dumps({"level": "info", "ts": t.timestamp(), "msg": f"{svc} request served", "id": ride}))
        if svc == failing and t >= fail_from + timedelta(minutes=7) and rnd.random() < 0.5:
            own[svc].append(json.dumps({"level": "warn", "ts": t.timestamp(), "msg": f"heap usage {rnd.randint(91, 99)}% after full GC"}))
    (logs / "ingress-nginx-controller-7d9c6b8f5-x2x9k.log").write_text("\n".join(ingress) + "\n")
    for svc, lines in own.items():
        (logs / f"{svc}-64469b5b48-25zj6.log").write_text("\n".join(lines) + "\n")
    write_deploys(
        logs,
        (fail_from - timedelta(minutes=40), "orders", "2.18.1", "chg-1", "deploy", "-"),
        (fail_from - timedelta(minutes=20), failing, "1.10.0", "chg-2", "deploy", "-"),
    )


@pytest.mark.slow
def test_an_upstream_failing_before_it_logs_anything_is_dated_by_the_502s_it_caused(tmp_path):
    """The waiting room fails its requests from 16:41 (the ingress answers 502 for it) and
    logs its first heap warning at 16:48: the incident starts with the 502s (it had started
    at the root's first own line, 7 min late)."""
    fail_from = datetime(2026, 3, 10, 16, 41, tzinfo=UTC)
    _ingress_estate(tmp_path, "waiting-room", fail_from)
    report = analyze_quietly(tmp_path / "logs")
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == "waiting-room"
    assert inc.cause == "chg-2"
    assert inc.start - fail_from <= timedelta(minutes=2)


def _caller_callee_estate(root: Path, slow_from: datetime) -> None:
    """Two hours of an ingress-nginx controller in front of orders and quotes; orders calls
    risk for every order (its log never says so). Both time their own work; from
    ``slow_from`` risk's margin checks take 7 times as long and orders' orders 3 times (the
    checks are part of them). risk was deployed 2 min before, orders 40 min before."""
    rnd = random.Random(4)
    edge, orders, risk, quotes = [], [], [], []
    for second in range(0, 2 * 3600, 3):
        t = slow_from - timedelta(minutes=75) + timedelta(seconds=second + rnd.random())
        late = t >= slow_from
        check = 9 * rnd.lognormvariate(0, 0.25) * (7 if late else 1)
        took = 18 * rnd.lognormvariate(0, 0.2) + check
        stamp = f"{t:%Y-%m-%d %H:%M:%S.%f}"[:-3]
        risk.append(_clef(t, "Information", "Margin check for {Account} passed in {Elapsed} ms", Account=f"AC{rnd.randint(10000, 99999)}", Elapsed=round(check, 1)))
        orders.append(f"{stamp} INFO  [http-nio-8080-exec-{rnd.randint(1, 40)}] c.t.o.OrderController - Order ORD-{rnd.getrandbits(32):08X} accepted in {took:.0f} ms")
        quotes.append(json.dumps({"level": "info", "ts": t.timestamp(), "msg": "quote served", "symbol": "SPY"}))
        for svc, ms in (("orders", took + 2), ("quotes", 15 * rnd.lognormvariate(0, 0.25))):
            edge.append(_ingress_line(
                t, f"10.0.3.{rnd.randint(2, 250)}", f"POST /api/v1/{svc}/{rnd.getrandbits(32):08x}", 200, 233,
                "Trade/5.2", 311, ms, svc, f"10.244.7.{rnd.randint(2, 99)}", 233, rnd.getrandbits(128),
            ))
    for name, lines, file in (("ingress-nginx", edge, "controller.log"), ("orders", orders, "orders.log"),
                              ("risk", risk, "risk.clef"), ("quotes", quotes, "quotes.json")):
        (root / name).mkdir(parents=True)
        (root / name / file).write_text("\n".join(lines) + "\n")
    write_deploys(
        root,
        (slow_from - timedelta(minutes=40), "orders", "7.2.0", "DEP-40", "deploy", "Deploy orders 7.2.0"),
        (slow_from - timedelta(minutes=2), "risk", "3.12.0", "DEP-41", "deploy", "Deploy risk 3.12.0"),
    )


@pytest.mark.slow
def test_an_upstream_that_times_its_own_slow_down_gets_little_from_the_ingress_saying_so(tmp_path):
    """The ingress sees orders slow (not risk, which it does not front); orders and risk both
    time their work and slowed from the same minute, risk more, just after risk's deploy.
    The ingress's view of orders adds little to orders' own numbers, and the delay may be in
    what orders calls: 0.3, not the 1.5 it gets for an upstream that times nothing itself
    (probe BR's inc04: that 1.5 made order-service the root over risk-margin, 3.72 to 2.73,
    and risk-margin's deploy "not related"; 2.52 to 2.73 now, the deploy the cause)."""
    slow_from = T0 + timedelta(minutes=75, seconds=43)
    _caller_callee_estate(tmp_path, slow_from)
    report = analyze_quietly(tmp_path)
    assert len(report.incidents) == 1
    orders = next(r for r in report.incidents[0].roles if r.service == "orders")
    seen = [e for e in orders.evidence if "requests to prod-orders-8080 slowed" in e.text]
    assert len(seen) == 1
    assert seen[0].text.endswith("or in what it calls (its own timings slowed too)")
    assert seen[0].weight == pytest.approx(0.3)


def _counts(rows: list[tuple[int, str, str, int]]) -> pl.DataFrame:
    from rcakit.schemas import WINDOW_COUNTS

    return pl.DataFrame(
        [(T0 + timedelta(minutes=w), s, t, n) for w, s, t, n in rows], schema=WINDOW_COUNTS, orient="row"
    )


def test_a_template_that_ticks_like_a_clock_is_not_a_drop_when_the_traffic_surges():
    """A FIX heartbeat or a feed's stats line a minute does not follow the requests: when the
    market opens and they treble, it is not "fewer than the traffic predicted" (probe BR: the
    feed's stats line and the FIX heartbeats as rate drops at 09:30, market-data made the
    root of three incidents); when the clock itself stops, it is."""
    import random

    from rcakit.detect import RateDetector

    rnd = random.Random(3)

    def estate(minutes: range, surge: int, ticks: int) -> list[tuple[int, str, str, int]]:
        rows = []
        for w in minutes:
            k = surge if w >= 60 else 1
            rows += [(w, "md", "req", rnd.randint(15, 25) * k), (w, "md", "quote", rnd.randint(25, 35) * k)]
            rows += [(w, "md", "stats", ticks if w >= 60 else 6)]
        return rows

    base = _counts(estate(range(60), 1, 6))
    det = RateDetector().fit(base)
    surged = det.score(_counts(estate(range(60, 90), 3, 6)))
    flagged = surged.filter(pl.col("flagged") & (pl.col("template_id") == "stats"))
    assert flagged.height == 0
    stopped = det.score(_counts(estate(range(60, 90), 3, 0)))
    assert stopped.filter(pl.col("flagged") & (pl.col("template_id") == "stats")).height > 0


def test_a_count_that_fell_with_the_estates_traffic_is_no_symptom():
    """A market feed's messages a minute before the opening bell, a count far lower than
    after it while the whole estate is quieter (probe BR: a "latency" incident from the
    export's first minute); the same fall while the traffic goes on is a symptom."""
    from rcakit.correlate._windows import _count_with_traffic
    from rcakit.detect._results import Contribution

    minute = timedelta(minutes=1)
    onset = T0 + timedelta(minutes=1)

    def volume(quiet_share: float) -> pl.DataFrame:
        stamps = []
        for m in range(120):
            n = int(30 * (quiet_share if m < 40 else 1.0))
            stamps += [T0 + timedelta(minutes=m, seconds=s * 60 / max(n, 1)) for s in range(n)]
        return pl.DataFrame({"timestamp": stamps}, schema={"timestamp": pl.Datetime("us", "UTC")})

    c = Contribution(
        kind="parameter", service="md", template_id="t", template="feed=SIP msgs=<NUM> gaps=<NUM>", score=39.0,
        baseline_rate=6.0, observed_rate=6.0, first_seen=None, onset=onset,
        extra={"feature": "$1", "peak_observed": 1511.0, "peak_expected": 4228.0},
    )
    assert _count_with_traffic(c, volume(0.4), volume(0.4), minute)
    assert not _count_with_traffic(c, volume(1.0), volume(1.0), minute)


def _venue_outage_estate(root: Path, down_from: datetime) -> None:
    """Two hours of an order service, its router and the FIX engine the router sends orders
    through, in JSON lines; from ``down_from`` the exchange's gateway stops answering the
    engine's logons, the router's orders to it fail and the order service rejects them. No
    line of one service names another; order-router was deployed 5 min before."""
    rnd = random.Random(15)
    logs: dict[str, list[str]] = {"orders": [], "router": [], "fix-engine": []}

    def rec(svc: str, t: datetime, level: str, msg: str, **kw: object) -> None:
        logs[svc].append(json.dumps({"ts": t.isoformat(), "level": level, "msg": msg, **kw}))

    for second in range(0, 2 * 3600, 4):
        t = T0 + timedelta(seconds=second + rnd.random())
        order = f"ORD-{rnd.getrandbits(36):09X}"
        if t >= down_from and rnd.random() < 0.3:
            rec("router", t, "error", "order routing failed", order_id=order, error="session TRADER->NYSE not logged on")
            rec("orders", t + timedelta(milliseconds=5), "error", f"Order {order} rejected: venue NYSE unavailable")
        else:
            rec("router", t, "info", "order routed", order_id=order, venue=rnd.choice(["NYSE", "ARCA", "IEX"]))
            rec("orders", t + timedelta(milliseconds=5), "info", f"Order {order} accepted")
        if second % 30 == 0:
            if t >= down_from:
                rec("fix-engine", t, "error", "Logon timeout: no Logon response from NYSE gateway fixgw.nyse.example.net:4001 within 10s")
            else:
                rec("fix-engine", t, "info", "Heartbeat sent to NYSE")
    for svc, lines in logs.items():
        (root / svc).mkdir(parents=True)
        (root / svc / f"{svc}.json").write_text("\n".join(lines) + "\n")
    write_deploys(
        root,
        (down_from - timedelta(minutes=5), "router", "2.4.1", "DEP-82", "deploy", "Deploy router 2.4.1"),
        (down_from - timedelta(minutes=44), "ledger", "1.9.0", "DEP-86", "deploy", "Deploy ledger 1.9.0"),
    )


@pytest.mark.slow
def test_a_service_whose_calls_outside_go_unanswered_is_where_an_outage_enters(tmp_path):
    """The engine's logons to the exchange's gateway, outside the logs, go unanswered; the
    router's and the order service's failures name nobody and start in the same minute. The
    outage enters the estate at the engine, and no change explains it (probe BR's inc15:
    root order-service)."""
    down_from = T0 + timedelta(minutes=80, seconds=11)
    _venue_outage_estate(tmp_path, down_from)
    report = analyze_quietly(tmp_path)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == "fix-engine"
    assert inc.cause is None
    root = next(r for r in inc.roles if r.service == "fix-engine")
    assert any("fixgw.nyse.example.net, outside the logs, go unanswered" in e.text for e in root.evidence)


@pytest.mark.slow
def test_a_slow_drift_is_dated_by_the_first_window_detection_saw_shifted(tmp_path):
    """A rate engine's quotes take longer and longer from a deploy on (10 % more each
    minute): detection sees the shift within minutes, while the values stay beyond their
    bounds for good only later. The incident starts with detection's first shifted window,
    not at that later point (probe BT's c18: 6.5 min after the root's own anomaly)."""
    rnd = random.Random(18)
    drift_from = T0 + timedelta(minutes=96)
    rates, api = [], []
    for second in range(0, 2 * 3600, 3):
        t = T0 + timedelta(seconds=second + rnd.random())
        grow = 1.1 ** max(0.0, (t - drift_from).total_seconds() / 60)
        ms = 40 * rnd.lognormvariate(0, 0.2) * grow
        rates.append(f"{t:%Y-%m-%dT%H:%M:%S.%f}Z  INFO rate_engine::quote: quote computed hotel={rnd.randint(1, 900)} took_ms={ms:.1f}")
        api.append(json.dumps({"ts": t.isoformat(), "level": "info", "msg": "search served", "hits": rnd.randint(1, 50)}))
    (tmp_path / "rate-engine").mkdir()
    (tmp_path / "rate-engine" / "rate-engine.log").write_text("\n".join(rates) + "\n")
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search.json").write_text("\n".join(api) + "\n")
    write_deploys(tmp_path, (drift_from - timedelta(seconds=50), "rate-engine", "3.9.1", "gh-1503311", "deploy", "-"))
    report = analyze_quietly(tmp_path)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == "rate-engine"
    assert inc.cause == "gh-1503311"
    assert abs((inc.start - drift_from).total_seconds()) <= 3 * 60
