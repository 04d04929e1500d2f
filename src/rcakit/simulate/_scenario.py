"""``generate_incident``: write one seeded scenario (logs + ``deploys.csv``) and its truth."""

from __future__ import annotations

import csv
import io
import json
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from rcakit.errors import ConfigError, InputError, RcakitWarning
from rcakit.simulate import _render
from rcakit.simulate._estate import APP_ROLES, LANGUAGE, ROLES, Estate, callers_of, make_estate
from rcakit.simulate._exceptions import bug_text, config_text, leak_text
from rcakit.simulate._messages import (
    _DB_REASON,
    _main_op,
    app_records,
    db_records,
    edge_records,
    pods_for,
)
from rcakit.simulate._plan import FAULT_KINDS, HANG_TIMEOUT_MS, SEED_ORDER, Plan, plan_scenario
from rcakit.simulate._traffic import simulate_traffic

__all__ = ["Scenario", "ServiceLog", "Truth", "generate_incident", "generate_suite", "read_truth"]

US = 1_000_000
TRUTH_SCHEMA_VERSION = 1
_DEFAULT_RATE = 1.0


def _dt(t_us: int | None) -> datetime | None:
    return None if t_us is None else datetime.fromtimestamp(t_us / US, tz=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """What really happened in a scenario: the answer key for detection and RCA.

    Attributes
    ----------
    fault
        One of :data:`FAULT_KINDS`.
    onset, end
        When the fault first shows in the logs and when it stops acting (UTC), ``None`` on a
        quiet day. The onset is the start of the first operation that fails because of the
        fault (for ``latency``: when the slowdown starts); for ``slow_leak`` that is when the
        errors start (the leak began at ``leak_start``).
    root_service
        The service where the fault is (``None`` on a quiet day).
    affected_services
        The root and every caller whose logs show the fault, measured on the simulated
        traffic: it logs errors caused by it, or (``latency``) one of its operations is at
        least 1.5x slower (median) than in the same time before the onset.
    cause_change_id
        ``id`` in ``deploys.csv`` of the change that caused the incident; ``None`` when no
        change explains it (``dependency_outage``, ``none``).
    decoy_change_ids
        Changes placed minutes before the onset that did *not* cause it.
    signature
        A text that appears in the root service's logs only while the fault acts (the new
        exception, the refused connection), or ``None`` when the fault logs no new text.
        Database clients quote the server's error, so for ``dependency_outage`` it also
        appears in their lines, next to the database's name.
    """

    schema_version: int = TRUTH_SCHEMA_VERSION
    fault: str
    seed: int
    onset: datetime | None
    end: datetime | None
    root_service: str | None
    root_role: str | None  # the root's role in the estate (edge, checkout, payment, ..., db)
    affected_services: tuple[str, ...]
    cause_change_id: str | None
    decoy_change_ids: tuple[str, ...]
    description: str
    signature: str | None
    leak_start: datetime | None = None
    latency_factor: float | None = None
    failed_share: float | None = None  # share of the root's faulty calls that failed
    failed_requests: int = 0  # edge requests answered 5xx while the fault acted
    log_start: datetime
    log_end: datetime
    services: Mapping[str, str] = field(default_factory=dict, hash=False)  # service -> format

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (datetimes as ISO 8601 UTC strings)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, datetime):
                out[key] = value.isoformat().replace("+00:00", "Z")
            elif isinstance(value, tuple):
                out[key] = list(value)
            elif isinstance(value, Mapping):
                out[key] = dict(value)
        return out

    def to_json(self) -> str:
        """The truth as pretty JSON (stable key order)."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Truth:
        """Rebuild a truth from :meth:`to_dict` output (e.g. a ``*.truth.json`` file).

        Raises
        ------
        InputError
            When the data is not a truth of a known ``schema_version``.
        """
        if not isinstance(data, Mapping) or data.get("schema_version") != TRUTH_SCHEMA_VERSION:
            version = data.get("schema_version") if isinstance(data, Mapping) else None
            msg = f"not a simulator truth of schema_version {TRUTH_SCHEMA_VERSION} (got schema_version={version!r}); regenerate it with this rcakit"
            raise InputError(msg)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            msg = f"unknown truth fields {unknown}; expected only {sorted(known)}"
            raise InputError(msg)
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("onset", "end", "leak_start", "log_start", "log_end") and value is not None:
                value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            elif key in ("affected_services", "decoy_change_ids"):
                value = tuple(value)
            values[key] = value
        return cls(**values)

    def write(self, path: str | PathLike[str]) -> Path:
        """Write :meth:`to_json` to ``path`` and return it."""
        out = Path(path)
        out.write_text(self.to_json(), encoding="utf-8")
        return out


def read_truth(path: str | PathLike[str]) -> Truth:
    """Load a truth written by :meth:`Scenario.write_truth` (plain JSON, never executed).

    Raises
    ------
    InputError
        When the file is not valid JSON or not a truth of a known ``schema_version``.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        msg = f"{p}: not a JSON truth file ({exc})"
        raise InputError(msg) from exc
    try:
        return Truth.from_dict(data)
    except InputError as exc:
        msg = f"{p}: {exc}"
        raise InputError(msg) from exc


@dataclass(frozen=True, slots=True)
class ServiceLog:
    """One written log file."""

    service: str
    role: str
    format: str
    path: Path
    n_lines: int


@dataclass(frozen=True, slots=True)
class Scenario:
    """A written scenario: the files, the change list and the truth."""

    out_dir: Path
    files: tuple[Path, ...]
    deploys_path: Path
    truth: Truth
    logs: tuple[ServiceLog, ...]

    @property
    def n_lines(self) -> int:
        """Physical lines written over all log files (CSV: data rows, header excluded)."""
        return sum(s.n_lines for s in self.logs)

    def write_truth(self, path: str | PathLike[str]) -> Path:
        """Write the truth JSON to ``path`` (keep it outside the log directory)."""
        return self.truth.write(path)


def _default_start(seed: int) -> datetime:
    rng = np.random.default_rng([seed, 17])
    day = datetime(2025, 3, 3, tzinfo=UTC) + timedelta(days=int(rng.integers(0, 365)))
    return day + timedelta(hours=int(rng.integers(6, 11)), minutes=int(rng.integers(0, 60)))


def _file_name(service: str, fmt: str) -> str:
    return {"nginx": f"{service}.access.log", "jsonl": f"{service}.jsonl", "kibana_csv": f"{service}.csv"}.get(fmt, f"{service}.log")


def _assign_pods(rng: np.random.Generator, frame: pl.DataFrame, role: str, estate: Estate, plan: Plan) -> pl.DataFrame:
    starts, periods = pods_for(rng, role, estate, plan)
    flat = [p for period in periods for p in period]
    offsets = np.cumsum([0] + [len(p) for p in periods[:-1]])
    t = frame["t_us"].to_numpy()
    period = np.searchsorted(starts, t, side="right") - 1
    k = rng.integers(0, estate.pods[role], len(t))
    return frame.with_columns(pod=pl.Series(np.array(flat, dtype=object)[offsets[period] + k], dtype=pl.String))


def _write_lines(path: Path, lines: pl.Series) -> int:
    """Write records one per line (a record may hold newlines); return the physical lines."""
    pl.DataFrame({"line": lines}).write_csv(path, include_header=False, quote_style="never")
    return int(lines.str.count_matches("\n", literal=True).sum() or 0) + len(lines)


def generate_incident(
    out_dir: str | PathLike[str],
    *,
    fault: str = "new_error",
    seed: int = 0,
    start: datetime | None = None,
    hours: float = 6.0,
    rate: float = _DEFAULT_RATE,
    formats: str | Mapping[str, str] | None = None,
    root: str | None = None,
) -> Scenario:
    """Write a simulated incident (logs of a micro-service estate + ``deploys.csv``).

    The estate is an nginx edge in front of checkout, payment, inventory, catalog and auth
    services backed by a postgres database; each service writes a different log format.
    Traffic follows a daily curve with noise; requests share trace ids across services;
    callers retry failed calls and log failures naming the dependency. Deterministic: the
    same arguments give the same bytes.

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing). Only logs and ``deploys.csv`` go
        there; write the truth elsewhere with :meth:`Scenario.write_truth`.
    fault
        One of :data:`rcakit.simulate.FAULT_KINDS`.
    seed
        Seeds everything: names, formats, start time, onset, root, traffic. Seed 0 keeps the
        canonical names and formats (frontend-nginx, checkout, payment, ...).
    start
        First log time (UTC; a naive datetime is read as UTC). Default: drawn from the seed.
    hours
        Length of the logs. Large values with a large ``rate`` give millions of lines.
    rate
        Mean requests per second at the edge over a day (the daily curve goes from about
        0.4x at night to 1.6x in the afternoon). Each request writes 1-6 lines.
    formats
        Override the log formats: one application format for every application service
        (e.g. ``"jsonl"``), or a mapping from role or service name to format (see
        :data:`rcakit.simulate.FORMATS`).
    root
        Role or service name of the root for faults that need one (default: from the seed).
        Ignored by ``dependency_outage`` (the database) and ``none``.

    Returns
    -------
    Scenario
        Paths of the written files and the frozen :class:`Truth`.

    Raises
    ------
    ConfigError
        For an unknown fault, format or root, a non-positive rate, or too few hours.
    """
    if fault not in FAULT_KINDS:
        msg = f"unknown fault {fault!r}; choose one of {list(FAULT_KINDS)}"
        raise ConfigError(msg)
    if not rate > 0:
        msg = f"rate must be > 0 requests per second, got {rate!r}"
        raise ConfigError(msg)
    if not isinstance(seed, int | np.integer) or seed < 0:
        msg = f"seed must be a non-negative integer, got {seed!r}"
        raise ConfigError(msg)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(5)]
    start_dt = _default_start(int(seed)) if start is None else (start if start.tzinfo else start.replace(tzinfo=UTC))
    start_us = round(start_dt.timestamp() * US)
    end_us = start_us + round(hours * 3600 * US)
    estate = make_estate(streams[0], formats=formats, canonical=seed == 0)
    # the plan also depends on the fault kind, so one seed's faults do not share an onset
    plan_rng = np.random.default_rng(np.random.SeedSequence([int(seed), SEED_ORDER.index(fault)]))
    plan = plan_scenario(plan_rng, fault=fault, estate=estate, start_us=start_us, hours=hours, root=root)
    traffic = simulate_traffic(
        streams[3], start_us=start_us, hours=hours, rate=rate, make_fault=lambda u: plan.hook(streams[2], u)
    )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = streams[4]
    logs: list[ServiceLog] = []
    for role in ROLES:
        service, fmt = estate.names[role], estate.formats[role]
        path = out / _file_name(service, fmt)
        if role == "edge":
            frame = edge_records(rng, traffic, start_us=start_us, end_us=end_us)
        elif role == "db":
            frame = db_records(rng, traffic, plan, start_us=start_us, end_us=end_us)
        else:
            frame = app_records(rng, role, traffic, estate, plan, start_us=start_us, end_us=end_us)
        frame = frame.filter((pl.col("t_us") >= start_us) & (pl.col("t_us") < end_us)).sort("t_us", maintain_order=True)
        if role in APP_ROLES:
            frame = _assign_pods(rng, frame, role, estate, plan)
        if fmt == "kibana_csv":
            export = _render.render_kibana_csv(frame, namespace="shop-prod", container=service)
            export.write_csv(path)
            n_lines = export.height
        else:
            if fmt == "nginx":
                lines = _render.render_nginx(frame)
            elif fmt == "jsonl":
                lines = _render.render_jsonl(frame, service=service, style=estate.json_style)
            elif fmt == "logback":
                lines = _render.render_logback(frame)
            elif fmt == "python":
                lines = _render.render_python(frame)
            elif fmt == "logfmt":
                lines = _render.render_logfmt(frame, service=service)
            elif fmt in ("cri", "docker"):
                lines = _render.render_container(frame, runtime=fmt)
            else:
                lines = _render.render_syslog(frame, app=service, host=f"{service}-0", rfc=3164 if fmt == "syslog3164" else 5424)
            n_lines = _write_lines(path, lines)
        logs.append(ServiceLog(service=service, role=role, format=fmt, path=path, n_lines=n_lines))
    deploys_path = out / "deploys.csv"
    _write_deploys(deploys_path, plan)
    stray = sorted(p.name for p in out.iterdir() if p not in {deploys_path, *(s.path for s in logs)})
    if stray:
        msg = f"{out}: also holds {stray}, which this scenario did not write; a reader of the directory will mix them in (use an empty directory)"
        warnings.warn(msg, RcakitWarning, stacklevel=2)
    truth = _truth(plan, estate, traffic, seed=int(seed), start_us=start_us, end_us=end_us)
    return Scenario(out_dir=out, files=tuple(s.path for s in logs), deploys_path=deploys_path, truth=truth, logs=tuple(logs))


def generate_suite(
    out_dir: str | PathLike[str],
    *,
    faults: Sequence[str] = FAULT_KINDS,
    seeds: Iterable[int] = range(10),
    **options: Any,
) -> tuple[Scenario, ...]:
    """Write one scenario per (fault, seed), for evaluations across many incidents.

    Scenario ``(fault, seed)`` goes to ``out_dir/<fault>-<seed>/`` and its truth to
    ``out_dir/<fault>-<seed>.truth.json`` (beside, not inside, the log directory).

    Parameters
    ----------
    out_dir
        Parent directory (created if missing).
    faults
        Fault kinds to generate (default: all of :data:`FAULT_KINDS`).
    seeds
        Seeds to generate for every fault.
    **options
        Passed on to :func:`generate_incident` (``hours``, ``rate``, ``formats``, ...).

    Returns
    -------
    tuple of Scenario
        In the order fault-major, seed-minor.
    """
    root = Path(out_dir)
    seeds = list(seeds)
    out = []
    for fault in faults:
        for seed in seeds:
            sc = generate_incident(root / f"{fault}-{seed}", fault=fault, seed=seed, **options)
            sc.write_truth(root / f"{fault}-{seed}.truth.json")
            out.append(sc)
    return tuple(out)


def _write_deploys(path: Path, plan: Plan) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["time", "service", "version", "id", "kind", "description"])
    for c in plan.changes:
        when = datetime.fromtimestamp(c.time_us // US, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        writer.writerow([when, c.service, c.version, c.id, c.kind, c.description])
    path.write_text(buf.getvalue(), encoding="utf-8")


def _affected_roles(plan: Plan, traffic: Any) -> set[str]:
    """Roles whose logs show the fault: they log its errors, or (latency) slow down 1.5x."""
    if plan.onset_us is None or plan.end_us is None:
        return set()
    t = pl.col("start_us")
    in_window = (t >= plan.onset_us) & (t < plan.end_us)
    spans, calls = traffic.spans, traffic.calls
    if plan.fault == "latency":
        before = (t >= 2 * plan.onset_us - plan.end_us) & (t < plan.onset_us)
        med = (
            spans.group_by("role", "op")
            .agg(
                now=pl.col("dur_us").filter(in_window).median(),
                was=pl.col("dur_us").filter(before).median(),
                n=in_window.sum(),
            )
            .filter((pl.col("n") >= 5) & (pl.col("now") >= 1.5 * pl.col("was")))
        )
        return set(med["role"].to_list())
    failing = spans.filter(in_window & pl.col("err").is_between(1, 6))["role"].unique().to_list()
    calling = calls.filter((pl.col("t_us") >= plan.onset_us) & (pl.col("t_us") < plan.end_us) & (pl.col("status") >= 500))
    return set(failing) | set(calling["caller"].unique().to_list())


def _truth(plan: Plan, estate: Estate, traffic: Any, *, seed: int, start_us: int, end_us: int) -> Truth:
    names = estate.names
    cause = next((c for c in plan.changes if c.purpose == "cause"), None)
    decoys = tuple(c.id for c in plan.changes if c.purpose == "decoy")
    services = {names[r]: estate.formats[r] for r in ROLES}
    if plan.root is None or plan.onset_us is None or plan.end_us is None:
        return Truth(
            fault=plan.fault, seed=seed, onset=None, end=None, root_service=None, root_role=None, affected_services=(),
            cause_change_id=None, decoy_change_ids=decoys, signature=None,
            description="A normal day: traffic follows its daily curve and the changes in deploys.csv land without harm. No incident.",
            log_start=_dt(start_us), log_end=_dt(end_us), services=services,  # type: ignore[arg-type]
        )
    root = plan.root
    hit = _affected_roles(plan, traffic)
    affected = tuple(names[r] for r in ROLES if r == root or (r in hit and r in callers_of(root)))
    lang = LANGUAGE.get(estate.formats[root], "java")
    signature = {
        "new_error": lambda: bug_text(root, _main_op(root), lang)[0],
        "config_change": lambda: config_text(root, lang)[0],
        "slow_leak": lambda: leak_text(lang, pool_max=20)[0],
        "dependency_outage": lambda: _DB_REASON[plan.variant].removeprefix("FATAL: "),
        "latency": lambda: None,
        "hang": lambda: None,  # a hung service logs nothing
    }[plan.fault]()
    spans = traffic.spans
    in_window = (pl.col("start_us") >= plan.onset_us) & (pl.col("start_us") < plan.end_us)
    edge = spans.filter((pl.col("role") == "edge") & in_window)
    failed = int(edge.filter(pl.col("status") >= 500).height)
    own = spans.filter((pl.col("role") == root) & (pl.col("attempt") == 1) & in_window)
    share = float(own.filter(pl.col("status") >= 500).height / own.height) if own.height else 0.0
    # the onset is when the fault first shows: its first failing operation (the fault may be
    # active a little earlier without a request hitting it); latency: when it starts
    first = spans.filter(in_window & (pl.col("err").is_between(1, 4) | (pl.col("err") == 6)))["start_us"].min()
    onset_us = int(first) if plan.fault != "latency" and first is not None else plan.onset_us
    when = _dt(onset_us).strftime("%H:%M:%S")  # type: ignore[union-attr]
    until = _dt(plan.end_us).strftime("%H:%M:%S")  # type: ignore[union-attr]
    rname = names[root]
    callers = [s for s in affected if s != rname]
    edge_name = names["edge"]
    app_callers = [s for s in callers if s != edge_name]
    verbs = "retries and fails" if len(app_callers) == 1 else "retry and fail"
    cascade = (f"{', '.join(app_callers)} {verbs}; " if app_callers else "") + f"{edge_name} answers 5xx"
    if plan.fault == "new_error" and cause is not None:
        text = f"{cause.service} {cause.version} ({cause.id}) introduced a new exception ({signature}) that fails {share:.0%} of its requests from {when}; {cascade}. Rolled back; errors stop at {until}."
    elif plan.fault == "latency" and cause is not None:
        text = f"{cause.service} {cause.version} ({cause.id}) made {rname} about {plan.factor:.1f}x slower from {when} without logging errors; callers {', '.join(callers)} slow down. Rolled back at {until}."
    elif plan.fault == "hang" and cause is not None:
        text = f"{cause.service} {cause.version} ({cause.id}) makes {rname} hang from {when}: it stops answering and stops logging, its callers time out after {HANG_TIMEOUT_MS / 1000:g}s (status=504); {cascade}. Rolled back at {until}."
    elif plan.fault == "slow_leak" and cause is not None:
        text = f"{cause.service} {cause.version} ({cause.id}, deployed {_dt(cause.time_us).strftime('%H:%M:%S')}) leaks database connections: pool warnings grow until requests start failing at {when} ({signature}); {cascade}. A later, unrelated deploy lands minutes before the errors. Rolled back at {until}."  # type: ignore[union-attr]
    elif plan.fault == "config_change" and cause is not None:
        text = f"Config change {cause.id} ({cause.description}) breaks {rname} from {when}: {signature}; {cascade}. Reverted at {until}."
    else:
        text = f"{rname} fails from {when} to {until} ({signature}) with no change behind it; every service that queries it ({', '.join(callers)}) logs errors naming {rname}. No change explains this incident."
    return Truth(
        fault=plan.fault,
        seed=seed,
        onset=_dt(onset_us),
        end=_dt(plan.end_us),
        root_service=rname,
        root_role=root,
        affected_services=affected,
        cause_change_id=cause.id if cause is not None else None,
        decoy_change_ids=decoys,
        description=text,
        signature=signature,
        leak_start=_dt(plan.leak_start_us),
        latency_factor=round(plan.factor, 2) if plan.fault == "latency" else None,
        failed_share=round(share, 4),
        failed_requests=failed,
        log_start=_dt(start_us),  # type: ignore[arg-type]
        log_end=_dt(end_us),  # type: ignore[arg-type]
        services=services,
    )
