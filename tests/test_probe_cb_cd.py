"""Rules from the thirty-sixth session's blind probes: CB (a sports-betting operator on a
match night) and CD (a city's public transport through its rush hours)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import polars as pl

from rcakit.correlate._windows import _count_with_traffic, _is_count
from rcakit.detect._results import Contribution
from rcakit.ingest._service import service_from_path

T0 = datetime(2025, 1, 14, 18, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _own(template_id: str, severity: int, *, hours: int = 3) -> pl.DataFrame:
    """A service's records: one line of the template every 10 s, at ``severity``, beside
    an INFO heartbeat."""
    n = hours * 360
    ts = [T0 + timedelta(seconds=10 * i) for i in range(n)]
    return pl.DataFrame(
        {
            "timestamp": ts + ts,
            "template_id": [template_id] * n + ["heartbeat"] * n,
            "severity_number": [severity] * n + [9] * n,
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"))


def _shift(template: str, feature: str, observed: float, expected: float, *, at: timedelta = timedelta(hours=2)) -> Contribution:
    return Contribution(
        kind="parameter", service="trading-engine", template_id="t", template=template, score=9.0,
        baseline_rate=6, observed_rate=6, first_seen=T0 + at, onset=T0 + at,
        extra={"feature": feature, "peak_observed": observed, "peak_expected": expected,
               "base_q95": expected * 1.2, "window_q95": observed * 1.1},
    )


def test_a_number_before_a_plural_noun_counts_things():
    """Probe CB's trading engine logs ``Applied <NUM> price updates``; probe CD's trip
    planner ``Applied <NUM> of <NUM> trip updates``: counts, whatever the noun. A unit of
    time, a word whose final s is no plural's, a time, are not."""
    assert _is_count("Applied <NUM> price updates from odds.updates (partitions=<NUM>, lag=<NUM>)", "$1")
    assert _is_count("Published <NUM> outbox messages to taps in <NUM> ms", "$1")
    assert _is_count("Authorised <NUM> EMV taps", "$1")
    assert _is_count("(Runnable.java:<NUM>) Applied <NUM> of <NUM> trip updates", "$2")
    assert _is_count("(Runnable.java:<NUM>) Applied <NUM> of <NUM> trip updates", "$3")
    assert not _is_count("(Runnable.java:<NUM>) Applied <NUM> of <NUM> trip updates", "$1")
    assert not _is_count("Published <NUM> outbox messages to taps in <NUM> ms", "$2")
    assert not _is_count("waited <NUM> seconds for a connection", "$1")
    assert not _is_count("retried <NUM> times", "$1")
    assert not _is_count("status <NUM> success", "$1")
    assert not _is_count("page <NUM> of <NUM>", "$1")


def test_plain_work_that_grows_or_shrinks_is_no_symptom():
    """In play, a trading engine applies ten times the price updates it did before kick-off
    (probe CB: every normal match night rooted an incident at it); at the end of the rush a
    back office publishes half the outbox messages (probe CD). INFO lines counting work that
    neither failed nor waits: the day's business, not trouble, whatever the estate's request
    volume did. A count that says things failed, or a consumer's batch, which a backlog
    grows, is judged as before; so is a feed whose count falls to nearly nothing."""
    own = _own("t", 9)
    flat = own.select("timestamp")  # the estate's traffic: steady
    updates = "Applied <NUM> price updates from odds.updates (partitions=<NUM>, lag=<NUM>)"
    assert _count_with_traffic(_shift(updates, "$1", 3281.0, 254.0), flat, own, MINUTE)
    outbox = "Published <NUM> outbox messages to taps in <NUM> ms"
    assert _count_with_traffic(_shift(outbox, "$1", 13.5, 28.0), flat, own, MINUTE)
    # ... not: a feed that nearly stops
    assert not _count_with_traffic(_shift(outbox, "$1", 3.0, 28.0), flat, own, MINUTE)
    # ... not: a count of failures (a WARN line), nor failures counted in an INFO line
    assert not _count_with_traffic(_shift(updates, "$1", 3281.0, 254.0), flat, _own("t", 13), MINUTE)
    failed = "Applied <NUM> of <NUM> trip updates (<NUM> failed: NO_SERVICE_ON_DATE <NUM>)"
    assert not _count_with_traffic(_shift(failed, "$3", 300.0, 20.0), flat, own, MINUTE)
    # ... not: a consumer's batch, which grows as it falls behind
    assert not _count_with_traffic(_shift("processed batch of <NUM> records", "$1", 60.0, 10.0), flat, own, MINUTE)
    assert not _count_with_traffic(_shift("fetched <NUM> records from orders", "$1", 60.0, 10.0), flat, own, MINUTE)


def test_the_hadoop_familys_daemon_logs_are_named_by_the_daemon():
    """Probe BY's Flink files, ``flink-<user>-<daemon>-<n>-<host>.log``, were each a service
    named after a host."""
    assert service_from_path("logs/flink-flink-taskexecutor-0-tm-2.rtb.internal.log") == "flink-taskexecutor"
    assert service_from_path("hadoop-yarn-resourcemanager-rm1.log.1") == "hadoop-resourcemanager"


def test_a_peers_expired_certificate_is_no_release_of_the_roots():
    """Probe CD: the back office's calls to the card acquirer fail with .NET's "The remote
    certificate is invalid because of errors in the certificate chain: NotTimeValid" 42 min
    after a release of the back office, and the GTFS-RT publisher's partner feed with Node's
    "certificate has expired" 8 min after its own: no release lets another's certificate
    expire (both were named). A change of certificates or of what the root trusts still may
    be the cause; a failure that is no expiry leaves the release named."""
    from rcakit.correlate._results import ChangeRef, Evidence, Suspect
    from rcakit.correlate._root import THEIR_CERTIFICATE, certificate_expired
    from rcakit.correlate._suspects import _decide

    net = (
        "Acquirer authorisation call failed System.Net.Http.HttpRequestException: The SSL connection could not be "
        "established, see inner exception. ---> System.Security.Authentication.AuthenticationException: The remote "
        "certificate is invalid because of errors in the certificate chain: NotTimeValid"
    )
    assert certificate_expired([net]) == THEIR_CERTIFICATE
    release = Suspect(
        change=ChangeRef(id="DEP-49801", time=T0, service="abt-backoffice", version="3.13.3", kind="deploy"),
        score=0.9,
        lag_seconds=2520.0,
        evidence=(
            Evidence(kind="service", text="same service as the root (abt-backoffice)", weight=0.3),
            Evidence(kind="new_template", text="2 template(s) new in abt-backoffice after the change (480 events, 480 errors)", weight=0.5),
        ),
    )
    common = {"root": "abt-backoffice", "root_names": set(), "threshold": 0.45, "services": ["abt-backoffice", "validatord"]}
    cause, reason = _decide([release], **common, peer_expired=True)
    assert cause is None
    assert "certificate has expired" in reason
    assert _decide([release], **common)[0] == "DEP-49801"
    trust = Suspect(
        change=ChangeRef(id="DEP-49802", time=T0, service="abt-backoffice", version="3.13.4", kind="deploy",
                         description="rebuild on a slimmer base image: new CA bundle"),
        score=0.9, lag_seconds=2520.0, evidence=release.evidence,
    )
    assert _decide([trust], **common, peer_expired=True)[0] == "DEP-49802"


def test_a_plural_key_counts_and_a_count_that_is_mostly_nothing_may_wobble():
    """Probe CD's validators at night: ``upload ok batch=<NUM> taps=<NUM>`` uploads 0 taps a
    batch, then the first riders' 1 to 3: a plural key is a count, and a count whose median
    is 0 moved by its tail by one or two, or plain work beginning, is no symptom."""
    assert _is_count("upload ok batch=<NUM> taps=<NUM> status=<NUM> rtt=<DURATION>", "$2")
    assert not _is_count("upload ok batch=<NUM> taps=<NUM> status=<NUM> rtt=<DURATION>", "$3")
    assert not _is_count("request done secs=<NUM>", "$1")
    own = _own("t", 9)
    flat = own.select("timestamp")
    night = _shift("upload ok batch=<NUM> taps=<NUM> status=<NUM>", "$2", 0.0, 0.0)
    night.extra.update(base_q95=1.0, window_q95=3.0)
    assert _count_with_traffic(night, flat, own, MINUTE)
    begun = _shift("uploaded <NUM> taps in <NUM> ms", "$1", 3.0, 0.0)
    begun.extra.update(base_q95=2.0, window_q95=9.0)
    assert _count_with_traffic(begun, flat, own, MINUTE)


def test_a_handful_of_failed_requests_is_no_incident_unless_a_change_came_then():
    """Probe CD: three 502s at the edge in an hour of the morning rush (0.02 % of its
    requests) and four in a night were medium incidents by their error share alone (from
    nothing before). Fewer than ``min_events`` error records are no symptom, unless a change
    came within a window of them: then the rollout-blip rules decide (reported with the
    change)."""
    from rcakit.correlate._windows import _material_windows
    from rcakit.detect._results import AnomalyWindow

    onset = T0 + timedelta(hours=1)
    errors = Contribution(
        kind="error_ratio", service="ingress-nginx", template_id=None, template=None, score=7.2,
        baseline_rate=0.0, observed_rate=0.04, first_seen=None, onset=onset,
    )
    minutes = 180
    sev = [17 if m in (60, 61, 95) else 9 for m in range(minutes)]
    recs = pl.DataFrame(
        {"timestamp": [T0 + timedelta(minutes=m) for m in range(minutes)], "service": ["ingress-nginx"] * minutes,
         "template_id": ["t"] * minutes, "severity_number": sev, "body": ["GET /api/v1/tickets 200"] * minutes},
        schema_overrides={"severity_number": pl.UInt8},
    )
    win = AnomalyWindow(start=onset, end=onset + timedelta(minutes=70), score=7.2, services=("ingress-nginx",), contributions=(errors,))
    assert _material_windows([win], recs, min_events=5, badness={}, window=MINUTE) == []
    kept = _material_windows([win], recs, min_events=5, badness={}, window=MINUTE, changed=[onset - timedelta(seconds=9)])
    assert [c.kind for c in kept[0].contributions] == ["error_ratio"]
    assert kept[0].end == T0 + timedelta(minutes=96)  # (it ends with its last failure, a window on)
    # ... and five failures or more are a symptom, change or not
    many = recs.with_columns(severity_number=pl.when(pl.int_range(pl.len()).is_between(60, 64)).then(17).otherwise(9).cast(pl.UInt8))
    assert len(_material_windows([win], many, min_events=5, badness={}, window=MINUTE)) == 1


def test_the_kernels_and_systemds_crash_reports_are_errors(tmp_path):
    """Probe CD's validators: a syslog file without PRIs where the validators' daemon
    crashes; only the kernel ("validatord[875]: segfault at 18 ...") and systemd ("Main
    process exited, code=dumped") say so, with no level word: ERROR, not nothing."""
    import rcakit

    path = tmp_path / "validators.log"
    path.write_text(
        "Mar  5 04:45:54 val-b1067-02 kernel: [95415.617176] validatord[875]: segfault at 18 ip 00007f6c1a76b2 "
        "sp 00007ffdb3a3ea29 error 4 in libemvl2.so.4[7f53fcdc8000+3c000]\n"
        "Mar  5 04:45:54 val-b1067-02 systemd[1]: validatord.service: Main process exited, code=dumped, status=11/SEGV\n"
        "Mar  5 04:45:54 val-b1067-02 systemd[1]: validatord.service: Failed with result 'core-dump'.\n"
        "Mar  5 04:45:55 val-b1067-02 kernel: [95416.1] Out of memory: Killed process 812 (gpsd) total-vm:10240kB\n"
        "Mar  5 04:46:04 val-b1067-02 systemd[1]: validatord.service: Scheduled restart job, restart counter is at 1.\n"
        "Mar  5 04:46:05 val-b1067-02 validatord[901]: config loaded: upload_url=https://abt.example/api\n"
    )
    frame = rcakit.read_logs(path)
    assert frame["severity_text"].to_list() == ["ERROR", "ERROR", "ERROR", "ERROR", None, None]


def test_a_change_names_the_service_whose_folder_it_is(tmp_path):
    """Probe CD's ServiceNow items are folders of the export: ``fare-validators`` holds
    ``validators.log``, a syslog file whose programs are services of their own (the
    validators' daemon, the kernel, systemd); ``gate-controller`` holds a folder per station.
    The change is the service with most of the folder's records, or its one service."""
    from rcakit.correlate._services import named_in_change

    services = ["validatord", "kernel", "systemd", "gatectl", "ticket-api"]
    sources = {
        "validatord": [f"{tmp_path}/logs/fare-validators/validators.log"],
        "kernel": [f"{tmp_path}/logs/fare-validators/validators.log"],
        "systemd": [f"{tmp_path}/logs/fare-validators/validators.log"],
        "gatectl": [f"{tmp_path}/logs/gate-controller/hbf/gatectl.log", f"{tmp_path}/logs/gate-controller/markt/gatectl.log"],
        "ticket-api": [f"{tmp_path}/logs/ticket-api/ticket-api-zw6nq-srjt6.log"],
    }
    weights = {"validatord": 9000, "kernel": 300, "systemd": 500, "gatectl": 4000, "ticket-api": 8000}
    assert named_in_change("fare-validators", "Bus validator firmware 4.2.1 rollout wave 1", services, sources=sources, weights=weights) == "validatord"
    assert named_in_change("fare-validators", "firmware", services, sources=sources) is None  # (three services, no weights)
    assert named_in_change("gate-controller", "Rotate QR key set", services, sources=sources) == "gatectl"


def test_a_dependency_that_only_logs_news_after_its_clients_failures_logs_as_usual():
    """Probe CB c03: a consumer's poll timeout cut by a config change; its commits fail with
    sarama's "kafka server: The provided member is not known in the current generation" and
    the broker, three minutes later, logs only INFO lines of the group rebalancing. The
    failures naming kafka are the consumer's own (root: the consumer, whose change is then
    the cause), as when the named dependency shows no anomaly at all; a broker that warned,
    or whose anomalies came first, is still the dependency that failed."""
    from rcakit.correlate._root import _own_failures, _ServiceView

    onset = T0 + timedelta(hours=2)
    client = _ServiceView(service="odds-feed-ingestor", onset=onset, names={"kafka"}, failure_names={"kafka"},
                          n_contrib=9, n_naming=2, own=7, failure_sets=[frozenset({"kafka"})] * 2)
    broker = _ServiceView(service="kafka", onset=onset + timedelta(minutes=3), n_contrib=2, own=2)
    frames = {"kafka": _own("t", 9).rename({"template_id": "template"})}

    def run(calm):
        views = {"odds-feed-ingestor": dataclasses.replace(client, names={"kafka"}, failure_names={"kafka"}),
                 "kafka": broker}
        _own_failures(views, {}, {"kafka", "odds-feed-ingestor"}, frames, calm=calm, window=MINUTE)
        return views["odds-feed-ingestor"]

    assert run({"kafka": broker.onset}).healthy_named == {"kafka"}
    assert run({}).healthy_named == set()  # (it warned: a broker in trouble)
    assert run({"kafka": onset}).healthy_named == set()  # (its own news came with the failures)


def test_a_change_of_what_is_logged_is_no_cause_of_failures_it_cannot_make():
    """Probe CD c16: "Serilog: enable request body logging for /api/v2/accounts" on the back
    office 7 min before the clearing house answers 429 Too Many Requests: named as the
    cause. A config change of what is logged changes no answer; it still may be the cause
    of a full disk, and a change that also changes a setting of behaviour, or a release, is
    judged as before."""
    from rcakit.correlate._results import ChangeRef
    from rcakit.correlate._suspects import _logging_only

    def change(description: str, kind: str = "config") -> ChangeRef:
        return ChangeRef(id="DEP-46544", time=T0, service="abt-backoffice", version=None, kind=kind, description=description)

    rejected = ["Clearing house rejected submission 3/5: 429 Too Many Requests from https://api.clearing.example/v1 (retry after 30 s)"]
    assert _logging_only(change("Serilog: enable request body logging for /api/v2/accounts (support ticket INC0088121)"), rejected)
    assert _logging_only(change("set log level to DEBUG for the settlement job"), rejected)
    assert not _logging_only(change("set log level to DEBUG"), ["write error: No space left on device"])
    assert not _logging_only(change("raise connection pool to 40; enable debug logging"), rejected)
    assert not _logging_only(change("Release 3.2: structured request logging", kind="deploy"), rejected)
    assert not _logging_only(change("Raise clearing submission rate to 20/s"), rejected)


def test_a_feature_flag_of_no_service_does_not_touch_a_server_product():
    """Probe CB c04: PgBouncer's pool cut 38 min before kick-off fails only under the
    kick-off load; a LaunchDarkly default-rule change on ``trading-auto-suspend-v3`` (its key
    in no log) 14 min before tied with it as "a change with no service may touch every
    service" and won on time. A flag switches code in the applications that read it; a
    pooler, a database, a broker reads none."""
    from rcakit.correlate._services import server_product

    for product in ("pgbouncer", "redis-odds-cache", "postgres-bets", "kafka", "ingress-nginx"):
        assert server_product(product), product
    for application in ("cashout-service", "trading-engine", None):
        assert not server_product(application), application
