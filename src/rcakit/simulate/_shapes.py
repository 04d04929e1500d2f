"""Incident shapes the main generator does not make: a TrainTicket-style Spring Boot estate.

:func:`generate_shape` writes the logs of a train-booking micro-service estate (16 Spring
Boot services named ``ts-<name>-service``, pods named ``<service>-<rs hash>-<pod hash>``)
with one chaos-style fault, in the export formats L2 engineers get: one Kibana CSV export
for every service (newest first, stack traces inside quoted fields), one Loki/Grafana CSV
export, or ``kubectl logs`` plain text per pod. There is no access log. The change list is
short or absent. The returned truth is the answer key; the analysis never sees it.

Shapes (:data:`SHAPES`):

``kibana_exception``
    A deploy adds a ``NullPointerException`` to ``ts-route-service``; callers log
    ``Call ts-route-service failed ... status 500`` and fail in turn, up the call chain (the
    top callers are the loudest). The change list holds only that deploy.
``kubectl_network_delay``
    Network delay injected into ``ts-station-service``'s pod: no errors anywhere, only the
    ``took`` times of its callers rise (its own processing time does not change). No change
    list.
``kubectl_pod_kill``
    ``ts-order-service``'s pod is killed: no logs for 2-3 minutes, callers log ``Connection
    refused`` naming it, then a new pod starts (Spring Boot banner lines, a new pod name).
    No change list.
``silent_dependency``
    ``ts-price-service`` (it has no logs in the export) times out; its caller
    ``ts-basic-service`` logs ``Read timed out`` naming it and fails its callers. A
    harmless deploy of ``ts-basic-service`` lands minutes before: no change explains it.
``loki_cpu_stress``
    CPU stress on ``ts-travel-service``: its own ``took`` times rise 3-5x, so do its
    callers'; no errors. Loki CSV export, no change list.
``kibana_packet_loss``
    Packet loss into ``ts-seat-service``'s pod: a third of its callers' calls end in
    ``Connection reset`` or ``Read timed out`` naming it (some after it did the work), others
    are slowed by retransmits; its own lines look normal, only fewer. The change list holds an
    unrelated deploy an hour before: no change explains it.
``kubectl_oom_restart``
    A deploy of ``ts-travel-service`` leaks memory: its ``took`` times climb (garbage
    collection), then some requests fail with ``java.lang.OutOfMemoryError``, then the pod is
    OOM-killed (callers get ``Connection refused``) and a new pod starts. A harmless deploy of
    another service lands closer to the onset.
``loki_pool_config``
    A configuration change shrinks ``ts-order-service``'s database connection pool: its
    requests wait for a connection (slower), some time out with Hikari's
    ``SQLTransientConnectionException`` stack trace and its callers fail with status 500. The
    change list also holds a deploy of another service minutes before.
``kubectl_disk_full``
    A configuration change turns on ``ts-food-service``'s audit file and debug logging (new
    DEBUG lines at once); about an hour later its volume is full and most of its requests fail
    with ``No space left on device``, its callers with status 500. A deploy of a service it
    calls lands minutes before the onset.
``loki_traffic_surge``
    Traffic triples for 20 minutes; ``ts-seat-service``'s thread pool saturates: it slows
    down and rejects a share of its requests, its callers fail. No change explains it (a
    deploy of a service it calls lands minutes before).

Unlike :func:`rcakit.generate_incident` (vectorised), this generator walks each request's
call tree in Python: it is for evaluation sets of tens of thousands of lines, not millions.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from os import PathLike
from pathlib import Path

import numpy as np

__all__ = ["SHAPES", "ShapeScenario", "ShapeTruth", "generate_shape"]

SHAPES = (
    "kibana_exception",
    "kubectl_network_delay",
    "kubectl_pod_kill",
    "silent_dependency",
    "loki_cpu_stress",
    "kibana_packet_loss",
    "kubectl_oom_restart",
    "loki_pool_config",
    "kubectl_disk_full",
    "loki_traffic_surge",
)

_PORTS = {
    "ts-preserve-service": 14568, "ts-travel-service": 12346, "ts-basic-service": 15680,
    "ts-station-service": 12345, "ts-train-service": 14567, "ts-route-service": 11178,
    "ts-price-service": 16579, "ts-seat-service": 18898, "ts-order-service": 12031,
    "ts-config-service": 15679, "ts-contacts-service": 12347, "ts-security-service": 11188,
    "ts-food-service": 18856, "ts-auth-service": 12340, "ts-user-service": 12342,
    "ts-verification-code-service": 15678, "ts-assurance-service": 18888,
}
_CLASS = {s: s[3:-8].replace("-", "").capitalize() for s in _PORTS}

# service -> (operation, [callees]) ; own time (ms, median)
_CALLS: dict[str, tuple[str, tuple[str, ...], float]] = {
    "ts-preserve-service": ("preserve", ("ts-security-service", "ts-contacts-service", "ts-travel-service", "ts-seat-service", "ts-order-service", "ts-food-service", "ts-assurance-service"), 12.0),
    "ts-travel-service": ("getTripAllDetailInfo", ("ts-basic-service", "ts-seat-service"), 8.0),
    "ts-basic-service": ("queryForTravel", ("ts-station-service", "ts-station-service", "ts-train-service", "ts-route-service", "ts-price-service"), 6.0),
    "ts-station-service": ("queryForStationId", (), 4.0),
    "ts-train-service": ("retrieve", (), 4.0),
    "ts-route-service": ("getRouteById", (), 5.0),
    "ts-price-service": ("findByRouteIdAndTrainType", (), 4.0),
    "ts-seat-service": ("getLeftTicketOfInterval", ("ts-order-service", "ts-config-service"), 7.0),
    "ts-order-service": ("getTicketListByDateAndTripId", (), 9.0),
    "ts-config-service": ("retrieve", (), 3.0),
    "ts-contacts-service": ("findContactsById", (), 4.0),
    "ts-security-service": ("check", ("ts-order-service",), 5.0),
    "ts-food-service": ("getAllFood", ("ts-station-service",), 6.0),
    "ts-assurance-service": ("getAllAssuranceType", (), 3.0),
    "ts-auth-service": ("getToken", ("ts-user-service", "ts-verification-code-service"), 10.0),
    "ts-user-service": ("getUserByUserName", (), 4.0),
    "ts-verification-code-service": ("verifyCode", (), 2.0),
}
# entry points and their share of requests
_ENTRIES = (("ts-travel-service", 0.45), ("ts-preserve-service", 0.15), ("ts-auth-service", 0.2),
            ("ts-order-service", 0.1), ("ts-station-service", 0.1))
_HASH = "bcdfghjklmnpqrstvwxz2456789"
_DESCRIPTIONS = {
    "kibana_exception": "a deploy adds a NullPointerException to ts-route-service; callers fail up the chain",
    "kubectl_network_delay": "network delay into ts-station-service's pod; no errors, callers' took times rise",
    "kubectl_pod_kill": "ts-order-service's pod is killed; callers get connection refused; a new pod starts",
    "silent_dependency": "ts-price-service (no logs) times out; ts-basic-service names it; a harmless basic deploy",
    "loki_cpu_stress": "CPU stress on ts-travel-service: its took times rise 3-5x, callers' too; no errors",
    "kibana_packet_loss": "packet loss into ts-seat-service's pod: callers' calls reset or time out; an old unrelated deploy",
    "kubectl_oom_restart": "a ts-travel-service deploy leaks memory: slower, OutOfMemoryError, OOM-killed, restarted",
    "loki_pool_config": "a config change shrinks ts-order-service's DB pool: waits, Hikari timeouts, callers fail",
    "kubectl_disk_full": "a config change turns on ts-food-service's audit file and debug logs; an hour later its disk is full",
    "loki_traffic_surge": "traffic triples; ts-seat-service's thread pool saturates, slows and rejects requests",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ShapeTruth:
    """The answer key of one shape."""

    shape: str
    seed: int
    onset: datetime
    end: datetime
    root_service: str
    cause_change_id: str | None
    has_change_file: bool
    description: str

    def to_json(self) -> str:
        d = asdict(self)
        d["onset"] = self.onset.isoformat().replace("+00:00", "Z")
        d["end"] = self.end.isoformat().replace("+00:00", "Z")
        return json.dumps(d, indent=2)


@dataclass(frozen=True, slots=True, kw_only=True)
class ShapeScenario:
    """What :func:`generate_shape` wrote."""

    log_dir: Path  # the logs (``<out_dir>/logs``)
    deploys_path: Path | None
    truth: ShapeTruth


@dataclass(frozen=True, slots=True, kw_only=True)
class _Fault:
    kind: str  # exception / delay / kill / timeout / cpu / loss / oom / pool
    service: str
    onset: datetime
    end: datetime
    rate: float = 0.4  # share of the root's calls that fail
    down_at: datetime | None = None  # (oom) the pod is killed from here to ``end``
    debug_from: datetime | None = None  # (disk) the service logs DEBUG lines from here

    def down(self, t: datetime, service: str) -> bool:
        """Whether ``service`` has no running pod at ``t``."""
        if service != self.service or not self.onset <= t < self.end:
            return False
        return self.kind == "kill" or (self.down_at is not None and t >= self.down_at)


#: the stack traces of the faults that make a service fail on its own
_TRACES = {
    "exception": (
        "java.lang.NullPointerException: null\n"
        "\tat route.service.RouteServiceImpl.getRouteById(RouteServiceImpl.java:{line})\n"
        "\tat route.controller.RouteController.queryById(RouteController.java:71)\n"
        "\tat sun.reflect.GeneratedMethodAccessor93.invoke(Unknown Source)"
    ),
    "oom": (
        "java.lang.OutOfMemoryError: Java heap space\n"
        "\tat java.util.Arrays.copyOf(Arrays.java:3332)\n"
        "\tat java.lang.AbstractStringBuilder.ensureCapacityInternal(AbstractStringBuilder.java:124)\n"
        "\tat travel.service.TravelServiceImpl.getTripAllDetailInfo(TravelServiceImpl.java:312)"
    ),
    "disk": (
        "java.io.IOException: No space left on device\n"
        "\tat java.io.FileOutputStream.writeBytes(Native Method)\n"
        "\tat java.io.FileOutputStream.write(FileOutputStream.java:326)\n"
        "\tat food.service.FoodServiceImpl.writeAudit(FoodServiceImpl.java:140)"
    ),
    "pool": (
        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request "
        "timed out after 3000ms.\n"
        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:197)\n"
        "\tat order.service.OrderServiceImpl.getTicketListByDateAndTripId(OrderServiceImpl.java:88)"
    ),
}


def _pod(rng: np.random.Generator, service: str) -> str:
    rs = "".join(rng.choice(list(_HASH), 10))
    return f"{service}-{rs}-{''.join(rng.choice(list(_HASH), 5))}"


class _Writer:
    """Collects (time, service, level, thread, message) records of the estate."""

    def __init__(self, rng: np.random.Generator, silent: set[str]) -> None:
        self.rng = rng
        self.silent = silent
        self.rows: list[tuple[datetime, str, str, str, str]] = []

    def log(self, t: datetime, service: str, level: str, message: str) -> None:
        if service in self.silent:
            return
        thread = f"http-nio-{_PORTS[service]}-exec-{int(self.rng.integers(1, 11))}"
        self.rows.append((t, service, level, thread, message))


def _call(
    w: _Writer, rng: np.random.Generator, service: str, t: datetime, fault: _Fault, depth: int
) -> tuple[float, bool]:
    """Handle one call of ``service`` at ``t``; returns (elapsed ms, failed)."""
    op, callees, own_ms = _CALLS[service]
    cls = _CLASS[service]
    active = fault.onset <= t < fault.end
    if fault.down(t, service):
        return 1.0, True  # no pod: requests from the UI fail at the gateway, nothing logs here
    oid = f"{int(rng.integers(0, 16**8)):08x}-{int(rng.integers(0, 16**4)):04x}"
    own = float(rng.lognormal(np.log(own_ms), 0.35))
    mine = active and service == fault.service
    if mine and fault.kind == "cpu":
        own *= float(rng.uniform(3.0, 5.0))
    leak = 0.0
    if mine and fault.kind == "oom" and fault.down_at is not None:
        # garbage collection takes more of the time as the heap fills up
        leak = min(1.0, (t - fault.onset) / (fault.down_at - fault.onset))
        own *= 1.6 + 4.0 * leak
    if mine and fault.kind == "pool":
        own += float(rng.uniform(150, 2500))  # waiting for a free connection
    if mine and fault.kind == "surge":
        own *= float(rng.uniform(2.0, 4.0))  # queued behind a saturated thread pool
    w.log(t, service, "INFO", f"[{op}][{cls} request received][id: {oid}]")
    if fault.debug_from is not None and service == fault.service and t >= fault.debug_from:
        w.log(t, service, "DEBUG", f"[{op}][Audit record written][file: /data/audit/{service}.log, bytes: {int(rng.integers(300, 2000))}]")
    if mine and fault.kind == "surge" and rng.random() < fault.rate:
        w.log(
            t, service, "ERROR",
            f"[{op}][Request rejected][Executor is exhausted: rejected execution of task, pool size 200, "
            f"active threads 200, queued tasks {int(rng.integers(990, 1001))}]",
        )
        return own, True
    elapsed = own
    for callee in callees:
        tc = t + timedelta(milliseconds=elapsed)
        url = f"http://{callee}:{_PORTS[callee]}/api/v1/{callee[3:-8].replace('-', '')}service/{op.lower()}"
        if rng.random() < 0.3:
            w.log(tc, service, "INFO", f"[{op}][Calling {callee}][url: {url}]")
        c_active = fault.onset <= tc < fault.end and callee == fault.service
        if fault.down(tc, callee):
            elapsed += float(rng.uniform(1, 5))
            w.log(
                t + timedelta(milliseconds=elapsed), service, "ERROR",
                f'[{op}][Call {callee} failed][I/O error on GET request for "{url}": Connection refused '
                "(Connection refused); nested exception is java.net.ConnectException: Connection refused]",
            )
            return elapsed, True
        if c_active and fault.kind == "timeout" and rng.random() < fault.rate:
            elapsed += 5000.0
            w.log(
                t + timedelta(milliseconds=elapsed), service, "ERROR",
                f'[{op}][Call {callee} failed][I/O error on GET request for "{url}": Read timed out; '
                "nested exception is java.net.SocketTimeoutException: Read timed out]",
            )
            return elapsed, True
        if c_active and fault.kind == "loss" and rng.random() < fault.rate:
            # the request or its answer is lost: the caller's socket gives up (the callee
            # sometimes did the work, its answer never came back)
            if rng.random() < 0.5:
                _call(w, rng, callee, tc + timedelta(milliseconds=float(rng.uniform(200, 1200))), fault, depth + 1)
            reset = rng.random() < 0.5
            elapsed += float(rng.uniform(300, 1500)) if reset else 3000.0
            why = "Connection reset; nested exception is java.net.SocketException: Connection reset" if reset else (
                "Read timed out; nested exception is java.net.SocketTimeoutException: Read timed out"
            )
            w.log(
                t + timedelta(milliseconds=elapsed), service, "ERROR",
                f'[{op}][Call {callee} failed][I/O error on POST request for "{url}": {why}]',
            )
            return elapsed, True
        delay = float(rng.uniform(800, 1500)) if c_active and fault.kind == "delay" else 0.0
        if c_active and fault.kind == "loss" and rng.random() < 0.4:
            delay = float(rng.uniform(200, 1000))  # retransmits
        c_ms, c_failed = _call(w, rng, callee, tc + timedelta(milliseconds=delay / 2), fault, depth + 1)
        elapsed += c_ms + delay
        if c_failed:
            w.log(
                t + timedelta(milliseconds=elapsed), service, "ERROR",
                f"[{op}][Call {callee} failed][url: {url}, status: 500 Internal Server Error]",
            )
            return elapsed, True
    # the service's own failure: a stack trace under "Unexpected error" (and how long it
    # waited before failing)
    failure: tuple[str, float] | None = None
    if mine and fault.kind == "oom" and leak > 0.6 and rng.random() < fault.rate * (leak - 0.6) / 0.4:
        failure = _TRACES["oom"], 0.0
    elif mine and fault.kind == "disk" and rng.random() < fault.rate:
        failure = _TRACES["disk"], 0.0
    elif mine and fault.kind == "pool" and rng.random() < fault.rate:
        failure = _TRACES["pool"], 3000.0
    elif mine and fault.kind == "exception" and rng.random() < fault.rate:
        failure = _TRACES["exception"].format(line=int(rng.integers(60, 64))), 0.0
    if failure is not None:
        trace, wait = failure
        elapsed += wait
        w.log(t + timedelta(milliseconds=elapsed), service, "ERROR", f"[{op}][Unexpected error][id: {oid}]\n{trace}")
        return elapsed, True
    # business noise: a rare warning of every service
    if rng.random() < 0.01:
        w.log(t + timedelta(milliseconds=elapsed), service, "WARN", f"[{op}][{cls} not found][id: {oid}]")
    w.log(t + timedelta(milliseconds=elapsed), service, "INFO", f"[{op}][{cls} request done][took: {elapsed:.0f}ms]")
    return elapsed, False


def _fmt_spring(t: datetime, level: str, thread: str, service: str, message: str) -> str:
    logger = f"{service[3:-8].replace('-', '')}.service.{_CLASS[service]}ServiceImpl"
    return f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d} {level:>5} 1 --- [{thread}] {logger:<40.40} : {message}"


def generate_shape(
    out_dir: str | PathLike[str], *, shape: str, seed: int = 0, hours: float = 3.0, rate: float = 1.0
) -> ShapeScenario:
    """Write one incident shape (logs + maybe ``deploys.csv``) and return its truth.

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing): the logs go to ``<out_dir>/logs/``, the
        change file (when the shape has one) to ``<out_dir>/deploys.csv``.
    shape
        One of :data:`SHAPES`.
    seed
        Seeds traffic, pod names, onset and fault details.
    hours
        Length of the logs; the fault starts between 60 % and 75 % of the span.
    rate
        Requests per second at the entry services.

    Returns
    -------
    ShapeScenario
        The log directory, the change file (``None`` when the shape has none) and the truth.
    """
    if shape not in SHAPES:
        msg = f"shape={shape!r} is unknown; use one of {', '.join(SHAPES)}"
        raise ValueError(msg)
    rng = np.random.default_rng([seed, SHAPES.index(shape)])
    base = Path(out_dir)
    out = base / "logs"
    out.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC) + timedelta(minutes=int(rng.integers(0, 600)))
    span = timedelta(hours=hours)
    onset = start + span * float(rng.uniform(0.6, 0.75))
    onset = onset.replace(microsecond=0)
    kind, root, dur = {
        "kibana_exception": ("exception", "ts-route-service", 25),
        "kubectl_network_delay": ("delay", "ts-station-service", 20),
        "kubectl_pod_kill": ("kill", "ts-order-service", 0),
        "silent_dependency": ("timeout", "ts-price-service", 20),
        "loki_cpu_stress": ("cpu", "ts-travel-service", 20),
        "kibana_packet_loss": ("loss", "ts-seat-service", 20),
        "kubectl_oom_restart": ("oom", "ts-travel-service", 15),
        "loki_pool_config": ("pool", "ts-order-service", 25),
        "kubectl_disk_full": ("disk", "ts-food-service", 30),
        "loki_traffic_surge": ("surge", "ts-seat-service", 20),
    }[shape]
    end = onset + (timedelta(seconds=float(rng.uniform(120, 180))) if kind == "kill" else timedelta(minutes=dur))
    down_at: datetime | None = None
    if kind == "oom":  # killed at the end of the leak, up again 40-70 s later
        down_at = end
        end = down_at + timedelta(seconds=float(rng.uniform(40, 70)))
    debug_from = onset - timedelta(minutes=float(rng.uniform(45, 75))) if kind == "disk" else None
    rates = {"exception": 0.4, "loss": 0.35, "oom": 0.3, "pool": 0.3, "disk": 0.6, "surge": 0.15}
    fault = _Fault(
        kind=kind, service=root, onset=onset, end=end, rate=rates.get(kind, 0.5), down_at=down_at,
        debug_from=debug_from,
    )
    w = _Writer(rng, silent={"ts-price-service"} if shape == "silent_dependency" else set())
    # Poisson arrivals with a slow wave in the rate
    n = int(rng.poisson(rate * span.total_seconds()))
    offs = np.sort(rng.uniform(0, span.total_seconds(), n))
    if kind == "surge":  # twice as many requests again while it lasts
        extra = int(rng.poisson(2 * rate * (end - onset).total_seconds()))
        surge = rng.uniform((onset - start).total_seconds(), (end - start).total_seconds(), extra)
        offs = np.sort(np.concatenate([offs, surge]))
        n += extra
    entries = rng.choice(len(_ENTRIES), n, p=[p for _, p in _ENTRIES])
    for off, e in zip(offs.tolist(), entries.tolist(), strict=True):
        _call(w, rng, _ENTRIES[e][0], start + timedelta(seconds=off), fault, 0)
    # background: scheduled jobs, so quiet services are not empty
    for m in range(int(span.total_seconds() // 300)):
        t = start + timedelta(minutes=5 * m, seconds=int(rng.integers(0, 60)))
        w.log(t, "ts-config-service", "INFO", "[scheduled][Config cache refreshed][entries: 12]")
    pods = {s: _pod(rng, s) for s in _PORTS}
    restart_pod: str | None = None
    if kind in ("kill", "oom"):
        restart_pod = _pod(rng, root)
        t = end - timedelta(seconds=25)
        app = f"{_CLASS[root]}Application"
        for i, line in enumerate((
            f"Starting {app} v1.0 on {restart_pod} with PID 1 (/app/{root}-1.0.jar started by root in /app)",
            "No active profile set, falling back to default profiles: default",
            f"Tomcat initialized with port(s): {_PORTS[root]} (http)",
            "Initializing Spring embedded WebApplicationContext",
            f"Tomcat started on port(s): {_PORTS[root]} (http) with context path ''",
            f"Started {app} in 23.47 seconds (JVM running for 24.9)",
        )):
            w.rows.append((t + timedelta(seconds=4 * i), root, "INFO", "main", line))
    w.rows.sort(key=lambda r: r[0])
    # ---- write
    if shape in ("kibana_exception", "silent_dependency", "kibana_packet_loss"):
        path = out / "kibana-export.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            cw = csv.writer(fh)
            cw.writerow(["@timestamp", "kubernetes.pod.name", "kubernetes.namespace", "message"])
            for t, s, lvl, th, msg in reversed(w.rows):  # Kibana exports newest first
                ts = f"{t:%b} {t.day}, {t:%Y @ %H:%M:%S}.{t.microsecond // 1000:03d}"
                cw.writerow([ts, pods[s], "train-ticket", _fmt_spring(t, lvl, th, s, msg)])
    elif shape in ("loki_cpu_stress", "loki_pool_config", "loki_traffic_surge"):
        path = out / "explore-logs.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            cw = csv.writer(fh)
            cw.writerow(["labels", "Time", "Line", "tsNs", "id"])
            for i, (t, s, lvl, th, msg) in enumerate(reversed(w.rows)):
                labels = json.dumps({"app": s, "namespace": "train-ticket", "pod": pods[s]})
                ns = int(t.timestamp()) * 10**9 + t.microsecond * 1000
                cw.writerow([labels, f"{t:%Y-%m-%d %H:%M:%S}.{t.microsecond // 1000:03d}", _fmt_spring(t, lvl, th, s, msg), ns, f"{ns}_{i:x}"])
    else:
        per: dict[str, list[str]] = {}
        for t, s, lvl, th, msg in w.rows:
            pod = restart_pod if restart_pod and s == root and t >= end - timedelta(seconds=30) else pods[s]
            per.setdefault(pod, []).append(_fmt_spring(t, lvl, th, s, msg))
        for pod, lines in per.items():
            (out / f"{pod}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # ---- changes
    deploys: Path | None = None
    cause: str | None = None
    if shape == "kibana_exception":
        deploys = base / "deploys.csv"
        cause = "ts-route-1.4.2"
        t = onset - timedelta(seconds=int(rng.integers(60, 300)))
        deploys.write_text(f"time,service,version,id\n{t:%Y-%m-%dT%H:%M:%SZ},ts-route-service,1.4.2,{cause}\n")
    elif shape == "silent_dependency":
        deploys = base / "deploys.csv"
        t1 = onset - timedelta(seconds=int(rng.integers(180, 600)))
        t0 = start + timedelta(minutes=20)
        deploys.write_text(
            "time,service,version,id,kind\n"
            f"{t0:%Y-%m-%dT%H:%M:%SZ},ts-food-service,2.0.1,food-2.0.1,deploy\n"
            f"{t1:%Y-%m-%dT%H:%M:%SZ},ts-basic-service,1.7.0,basic-1.7.0,deploy\n"
        )
    elif shape == "kibana_packet_loss":
        deploys = base / "deploys.csv"
        t = onset - timedelta(minutes=int(rng.integers(50, 80)))
        deploys.write_text(f"time,service,version,id\n{t:%Y-%m-%dT%H:%M:%SZ},ts-seat-service,3.1.0,seat-3.1.0\n")
    elif shape == "kubectl_oom_restart":
        deploys = base / "deploys.csv"
        cause = "travel-2.4.0"
        t1 = onset - timedelta(minutes=int(rng.integers(8, 20)))
        t2 = onset - timedelta(seconds=int(rng.integers(60, 240)))
        deploys.write_text(
            "time,service,version,id,kind\n"
            f"{t1:%Y-%m-%dT%H:%M:%SZ},ts-travel-service,2.4.0,{cause},deploy\n"
            f"{t2:%Y-%m-%dT%H:%M:%SZ},ts-contacts-service,1.9.3,contacts-1.9.3,deploy\n"
        )
    elif shape == "loki_pool_config":
        deploys = base / "deploys.csv"
        cause = "cfg-order-pool"
        t1 = onset - timedelta(seconds=int(rng.integers(30, 180)))
        t2 = onset - timedelta(minutes=int(rng.integers(5, 15)))
        rows = sorted([
            (t1, f"ts-order-service,,{cause},config,spring.datasource.hikari.maximum-pool-size 20 -> 2"),
            (t2, "ts-food-service,2.2.0,food-2.2.0,deploy,"),
        ])
        deploys.write_text(
            "time,service,version,id,kind,description\n"
            + "".join(f"{t:%Y-%m-%dT%H:%M:%SZ},{r}\n" for t, r in rows)
        )
    elif shape == "kubectl_disk_full":
        assert debug_from is not None
        deploys = base / "deploys.csv"
        cause = "cfg-food-audit"
        t2 = onset - timedelta(seconds=int(rng.integers(120, 360)))
        deploys.write_text(
            "time,service,version,id,kind,description\n"
            f"{debug_from - timedelta(seconds=30):%Y-%m-%dT%H:%M:%SZ},ts-food-service,,{cause},config,"
            "audit.file.enabled=true logging.level.food=DEBUG\n"
            f"{t2:%Y-%m-%dT%H:%M:%SZ},ts-station-service,4.0.2,station-4.0.2,deploy,\n"
        )
    elif shape == "loki_traffic_surge":
        deploys = base / "deploys.csv"
        t2 = onset - timedelta(seconds=int(rng.integers(180, 420)))
        deploys.write_text(f"time,service,version,id\n{t2:%Y-%m-%dT%H:%M:%SZ},ts-config-service,2.8.1,config-2.8.1\n")
    truth = ShapeTruth(
        shape=shape, seed=seed, onset=onset, end=end, root_service=root, cause_change_id=cause,
        has_change_file=deploys is not None, description=_DESCRIPTIONS[shape],
    )
    return ShapeScenario(log_dir=out, deploys_path=deploys, truth=truth)

