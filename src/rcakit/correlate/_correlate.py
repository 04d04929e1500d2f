"""The entry point :func:`correlate_changes`: incidents, root service, suspects, cause."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

import polars as pl

from rcakit._fields import AttributeReader
from rcakit.correlate._impact import LOW_CEILING, _impact, _severity
from rcakit.correlate._incident import (
    _absorb_precursors,
    _anomaly_findings,
    _refine_onset,
    _summary,
    _symptom,
    _traffic_ratio,
    blamed_onset,
    quiet_onset,
)
from rcakit.correlate._records import prepare_records
from rcakit.correlate._results import (
    TRAFFIC_SURGE,
    Correlation,
    Evidence,
    Incident,
    ServiceRole,
    Suspect,
)
from rcakit.correlate._root import (
    _CALL_FAILED,
    _FAILURES,
    THEIR_CERTIFICATE,
    _root_service,
    certificate_expired,
    certificate_note,
    collapsed,
)
from rcakit.correlate._services import (
    NAME_RESOLUTION,
    NOT_ANSWERING,
    REFUSED_FOR_STATE,
    UNAVAILABLE,
    _reach,
    calls_no_anomalous,
    change_keys,
    dependency_graph,
    match_service,
    named_in_change,
    node_services,
    reports_dependency_failure,
    trace_cover,
    url_services,
)
from rcakit.correlate._shifts import _compare
from rcakit.correlate._suspects import (
    QUIET_MARK,
    _decide,
    _first_out_of_memory,
    _rate_changes,
    _score_suspect,
    statement_client,
    undone_cause,
)
from rcakit.correlate._units import _fmt_dt, names_key, parse_duration, tmax, tmin
from rcakit.correlate._windows import (
    _dedupe_contributions,
    _material_windows,
    _merge_windows,
    _template_shares,
    maintenance_windows,
    went_quiet,
)
from rcakit.detect._results import AnomalyWindow, Contribution, DetectionResult
from rcakit.errors import ConfigError
from rcakit.schemas import CHANGES, check_schema

#: a failure goes on while its records come at most this far apart
_PERSIST_GAP = timedelta(minutes=10)


def _new_failures(group: Sequence[AnomalyWindow], error_share: dict[tuple[str, str], float]) -> frozenset[tuple[str, str]]:
    """``(service, template id)`` of the group's new failures (templates of errors first
    seen in it)."""
    return frozenset(
        (c.service, c.template_id)
        for w in group for c in w.contributions
        if c.kind == "new" and c.service and c.template_id and error_share.get((c.service, c.template_id), 0.0) >= 0.5
    )


def _failure_persists(
    keys: frozenset[tuple[str, str]], end: datetime, recs: pl.DataFrame, gap: timedelta
) -> datetime | None:
    """The last record of the failures ``keys`` (see :func:`_new_failures`) that go on after
    ``end`` (a group's last window) with no pause longer than ``max(gap, 10 min)``, when it is
    after ``end``; else ``None``. An hour-long failure at a steady rate stops being anomalous
    when the baseline gets used to it; the failure has not ended."""
    if not keys:
        return None
    pause = max(gap, _PERSIST_GAP)
    ts = pl.col("timestamp")
    mine = pl.any_horizontal([(pl.col("service") == svc) & (pl.col("template_id") == tid) for svc, tid in sorted(keys)])
    times = recs.filter((ts > end) & mine).get_column("timestamp").drop_nulls().sort()
    if times.is_empty() or times[0] - end > pause:
        return None
    # (the first pause too long ends it: the record before that pause is the last)
    breaks = (times.diff().slice(1) > pause).arg_true()
    return times[int(breaks[0])] if breaks.len() else times[-1]


def _persisting_groups(
    groups: list[list[AnomalyWindow]], persists: Callable[[Sequence[AnomalyWindow]], datetime | None], gap: timedelta
) -> list[list[AnomalyWindow]]:
    """Groups of windows joined where the earlier one's new failures go on up to the later
    one's start (``persists``, see :func:`_failure_persists`): one failure that lasts, not
    two incidents (an expired certificate's failed logins for an hour, the later windows its
    callers' slower pages)."""
    out: list[list[AnomalyWindow]] = []
    for group in groups:
        if out:
            last = persists(out[-1])
            if last is not None and min(w.start for w in group) <= last + gap:
                out[-1] = [*out[-1], *group]
                continue
        out.append(group)
    return out


def correlate_changes(
    records: pl.DataFrame,
    detection: DetectionResult,
    *,
    changes: pl.DataFrame | None = None,
    merge_gap: str = "10m",
    max_lag: str = "6h",
    compare_span: str = "30m",
    cause_threshold: float = 0.45,
    min_events: int = 5,
) -> Correlation:
    """Group anomaly windows into incidents and relate them to change events.

    Parameters
    ----------
    records
        Templated records (``TEMPLATED_RECORDS``: ``timestamp``, ``service``,
        ``severity_number``, ``body``, ``template_id``, ``template``, ``params``; ``trace_id``
        and ``attributes`` are used when present).
    detection
        The result of :func:`rcakit.detect_anomalies` on the same records.
    changes
        Change events (schema ``CHANGES``), or None.
    merge_gap
        Anomaly windows closer than this are one incident.
    max_lag
        Changes older than this before an incident's onset are not suspects.
    compare_span
        Length of the period before a change that its "after" period is compared with.
    cause_threshold
        Minimum suspect score (0-1) for a change to be named the cause.
    min_events
        A template-level anomaly (new template, rate spike, parameter shift) needs at least
        this many events inside its window to count; windows left without anomalies are
        dropped (one odd line is not an incident).

    Returns
    -------
    Correlation
        Incidents (most severe first) and a rating for every change in the period.
    """
    if not 0 < cause_threshold < 1:
        msg = f"cause_threshold must be between 0 and 1, got {cause_threshold!r}"
        raise ConfigError(msg)
    gap = parse_duration(merge_gap, name="merge_gap")
    lag_max = parse_duration(max_lag, name="max_lag")
    span_cmp = parse_duration(compare_span, name="compare_span")
    window = parse_duration(detection.window, name="window")
    recs = prepare_records(records)
    if changes is None:
        changes = pl.DataFrame(schema=CHANGES)
    check_schema(changes, CHANGES, stage="correlate_changes")
    period_start = tmin(recs["timestamp"]) if recs.height else None
    period_end = tmax(recs["timestamp"]) if recs.height else None
    logged = {s for s in recs["service"].unique().to_list() if s and s != "(unknown)"}
    # services named by callers' request URLs count even when they write no logs
    hosted = {h for h in url_services(recs) if match_service(h, sorted(logged)) == h}
    # (a change list's spelling of a logging service, "Payments-Service" for payments-service,
    # is that service, not one more that callers' messages would seem to name)
    # (... and a change of an application whose numbered nodes log, "ehr-web" of ehr-web01 and
    # ehr-web02, is theirs: see below)
    # (... and a CMDB item the change's description or the logs' file names say is a logging
    # service's, OLBPRD1 of oracle-olbprd/alert_OLBPRD1.log: see _named_services)
    named = _named_services(changes, recs, sorted(logged))
    spelled = [
        named.get((s, d)) or match_service(s, sorted(logged))
        for s, d in changes.filter(pl.col("service").is_not_null()).select("service", "description").unique().iter_rows()
    ]
    changed = {s for s in spelled if len(node_services(s, sorted(logged))) < 2}
    known = sorted(logged | hosted | {s for s in changed if s})
    by_service = {k[0]: g for k, g in recs.partition_by("service", as_dict=True).items()} if recs.height else {}
    n_given = changes.height  # (changes outside the period were still given)
    if period_start is not None and period_end is not None:
        # "every change in the analysed period" (plus the look-back allowed for suspects)
        changes = changes.filter(
            (pl.col("time") >= period_start - lag_max) & (pl.col("time") <= period_end)
        )
    change_rows = changes.sort("time", maintain_order=True).to_dicts()
    logging_services = sorted(by_service)
    for row in change_rows:
        # the change list may spell a service differently ("payment-service" vs "payment")
        row["service_raw"] = row["service"]
        row["service"] = match_service(row["service"], logging_services)
        if (found := named.get((row["service_raw"], row["description"]))) is not None:
            # (the report shows the service it is, as later steps match the name it shows)
            row["service"] = row["service_raw"] = found
    # a change of an application that logs as numbered nodes (ehr-web01, ehr-web02) is a
    # change of each node: one row per node, the same change (suspects and ratings keep its
    # best row)
    per_node = []
    for row in change_rows:
        nodes = [] if row["service"] in by_service else node_services(row["service"], logging_services)
        per_node += [{**row, "service": node} for node in nodes] or [row]
    change_rows = per_node
    graph = dependency_graph(recs, known)
    covers = trace_cover(recs, mutual=True)
    # services that answer requests (access logs): their 5xx answers echo what they call
    answering = set(recs.filter(pl.col("status").is_not_null())["service"].drop_nulls().unique().to_list())

    incidents: list[Incident] = []
    blips: dict[str, Evidence] = {}  # change id -> what its rollout did (see _rollout_blip)
    tids = sorted({c.template_id for w in detection.windows for c in w.contributions if c.template_id})
    badness, error_share = _template_shares(recs, tids)
    material = _material_windows(
        detection.windows, recs, min_events=min_events, badness=badness, window=window,
        planned=maintenance_windows(change_rows), changed=[row["time"] for row in change_rows],
    )
    ctx = _Context(
        recs=recs, badness=badness, logging_services=logging_services, known=known, change_rows=change_rows,
        by_service=by_service, window=window, lag_max=lag_max, span_cmp=span_cmp, cause_threshold=cause_threshold,
        n_given=n_given,
    )
    persisted: dict[tuple[datetime, frozenset[tuple[str, str]]], datetime | None] = {}

    def persists(group: Sequence[AnomalyWindow]) -> datetime | None:
        """The last record of the group's new failures going on after it (computed once a
        group: the grouping and the analysis both ask)."""
        key = (max(w.end for w in group), _new_failures(group, error_share))
        if key not in persisted:
            persisted[key] = _failure_persists(key[1], key[0], recs, gap)
        return persisted[key]

    def analyse(group: list[AnomalyWindow], *, split: bool = True) -> list[Incident | tuple[str, Evidence]]:
        """The incident a group of anomaly windows makes (or the rollout blip it is), or two
        when it holds a second problem (see :func:`_second_problem`), or a rollout blip and
        the incident after it (see :func:`_after_a_quiet_gap`)."""
        if split and (halves := _after_a_quiet_gap(group, window) or _after_a_quiet_stretch(group, window, recs)):
            head = analyse(halves[0], split=False)
            if head and not any(isinstance(h, Incident) for h in head):
                return head + analyse(halves[1])
        start = min(w.start for w in group)
        end = max(w.end for w in group)
        # (the failures that made it go on after its last anomalous window: the baseline
        # got used to them, the failure did not stop)
        last = persists(group)
        shown_end = max(end, last + window) if last is not None else end
        det_score = max(w.score for w in group)
        contribs = _dedupe_contributions(group)
        span = recs.filter((pl.col("timestamp") >= start) & (pl.col("timestamp") < end))
        # an incident in the busy start of logs that start during it has no normal "before":
        # its services are compared with the calm period after it, as detection did
        calm = detection.calm_from
        reference = (calm, calm + span_cmp) if calm is not None and end <= calm else None
        anomalous = {c.service for c in contribs if c.service}
        scan = {
            svc: _compare(
                frame, start, before_span=span_cmp, after_end=min(end, start + span_cmp),
                services=known, service=svc, reference=reference,
                certificates_are_others=not calls_no_anomalous(graph, svc, anomalous),
            )
            for svc, frame in by_service.items()
            if svc != "(unknown)"
        }
        # (services changed shortly before the incident: what their callers' failures name
        # there may be their change's doing, however usual the rest of their logs look)
        changed = frozenset(
            r["service"] for r in change_rows
            if r["service"] and start - _CHANGED_BEFORE <= r["time"] <= start + window
        )
        root, roles, names_of, healthy, external = _root_service(
            contribs, span, known, window, scan=scan, graph=graph, frames=by_service, covers=covers, changed_before=changed
        )
        first_root = root
        services = tuple(
            dict.fromkeys(
                [r.service for r in roles]
                + [s for w in group for s in w.services if s]
            )
        )
        # ---- anomalies with counts before/during
        anomalies = _anomaly_findings(contribs, recs, start, end, end - start, names_of)

        cause_with = partial(
            _cause_with, contribs=contribs, names_of=names_of, healthy=healthy, external=external, span=span,
            start=start, end=end, scan=scan, services=services, ctx=ctx, graph=graph,
        )
        found = cause_with(root)
        other = _close_call(found, roles, logging_services)
        if other is not None:
            alt = cause_with(other)
            if alt.cause is not None and alt.cause == found.suspects[0].change.id:
                found, root, roles = alt, other, _reroot(roles, other, alt.cause)
        loud = _loud_change_beside(found, roles, logging_services)
        if loud is not None:
            svc, by = loud
            alt = cause_with(svc)
            if alt.cause == by.change.id:
                why = (
                    f"{by.change.id} changed {svc} {_fmt_dt(by.lag_seconds)} before the onset and {svc}'s own logs changed "
                    f"right after it, while {found.cause}, {root}'s change, served quietly until the onset: "
                    f"the fault is in {svc}"
                )
                found, root, roles = alt, svc, _reroot(roles, svc, alt.cause, why=why)
        dep = _changed_dependency(found, roles, logging_services, window)
        if dep is not None:
            alt = cause_with(dep)
            if alt.cause is not None and alt.cause == found.cause:
                why = (
                    f"{alt.cause} changed {dep}, which {root}'s failures name, and {dep}'s own logs changed "
                    f"from the onset: the fault is in {dep}, {root} reports it"
                )
                found, root, roles = alt, dep, _reroot(roles, dep, alt.cause, why=why)
        amplifying = _amplifying_caller(found, roles, contribs, graph, error_share, window, logging_services)
        if amplifying is not None:
            caller, by = amplifying
            alt = cause_with(caller)
            best_id = by.change.id
            why = (
                f"{best_id} changed {caller}, which calls {root}, {_fmt_dt(by.lag_seconds)} before "
                f"the onset; {caller} then did something new (not failures) before {root} failed, while no change "
                f"explains {root}: {caller}'s change drove the load (retries, more calls)"
            )
            if (
                alt.cause is None and alt.suspects and alt.suspects[0].change.id == best_id
                and alt.suspects[0].score >= cause_threshold
            ):
                # (its new lines name the callee, "retrying ocs balance query": read as a
                # dependency's failures, they are what the caller's change made it do)
                alt = alt._replace(cause=best_id, reason=why)
            if alt.cause is not None and alt.cause == best_id:
                found, root, roles = alt, caller, _reroot(roles, caller, alt.cause, why=why)
        capacity = _capacity_client(found, roles, contribs, graph, window, logging_services)
        if capacity is not None:
            client, by, refusal = capacity
            why = (
                f"{by.change.id} changed {client}, a client of {root}, {_fmt_dt(by.lag_seconds)} before the onset, "
                f"and {root} then refused connections for want of capacity ('{refusal}'), while no change explains "
                f"{root}: {client}'s change opened more connections than {root} takes (a pool or worker count raised)"
            )
            alt = cause_with(client)._replace(cause=by.change.id, reason=why)
            found, root, roles = alt, client, _reroot(roles, client, by.change.id, why=why)
        if split:
            for second in _second_problem(roles, change_rows, window, contribs):
                alt = cause_with(second.service)
                if alt.cause is None or alt.cause == found.cause or next(
                    (r["service"] for r in change_rows if r["id"] == alt.cause), None
                ) != second.service:
                    continue
                later = {r.service for r in roles if r.onset is not None and r.onset >= (second.onset or end)}
                parts = cut(group, later, roots={second.service}, cause=alt.cause)
                if parts:
                    return parts
            later = _failures_after_warnings(root, roles, contribs, badness, error_share, window, graph, names_of)
            if later and (parts := cut(group, later, roots=later)):
                return parts
        root_names, onset, suspects, cause, reason = found.names, found.onset, list(found.suspects), found.cause, found.reason
        traffic = _traffic_ratio(scan)
        if cause is not None and traffic >= TRAFFIC_SURGE:
            cause, reason = _surge_over_quiet_change(suspects[0], traffic) or (cause, reason)
        impact = _impact(
            recs.filter((pl.col("timestamp") >= onset) & (pl.col("timestamp") < shown_end)), services, onset, shown_end, graph
        )
        # (a root whose failures are all a callee's 5xx answers, naming no service, shows its
        # callee's restart as an edge does: "Scheduler call POST /api/bookings failed with 503")
        # (and so does a caller between the edge and the restarting service, whose failures
        # are all its calls failing: the portal between IIS and the scheduler)
        answers = answering | ({root} if root is not None and not root_names and _answers_only(span, root) else set())
        answers |= {r.service for r in roles if r.service != root and r.service not in answers and _answers_only(span, r.service)}
        first_failure = (
            tmin(span.filter((pl.col("service") == root) & pl.col("is_error"))["timestamp"]) if root in answers else None
        )
        blip = _rollout_blip(
            root, roles, root_names, change_rows, onset=onset, start=start, end=end, window=window,
            period_end=period_end, graph=graph, answering=answers, n_failed=impact.n_failed, unit=impact.unit,
            first_failure=first_failure, contribs=contribs, edge=root in answering,
        )
        if blip is not None:
            return [blip]
        severity, label = _severity(impact, len(services), det_score)
        inc_id = f"inc-{onset:%Y%m%dT%H%M}"
        root_quiet = any(c.service == root and went_quiet(c) for c in contribs) or (
            root is not None and collapsed(scan.get(root))
        )
        symptom = _symptom(contribs, badness, error_share, root_quiet=root_quiet)
        if symptom == "warnings":
            # nothing failed, nothing slowed down: worth a look, not an emergency
            severity, label = min(severity, LOW_CEILING), "low"
        # (the hosts outside the logs that the root's failures name, when it is still the
        # service they were found for)
        outside = tuple(external) if root == first_root else ()
        expired = certificate_note(roles) if root == first_root else None
        summary = _summary(
            root, services, onset, shown_end, suspects, cause, impact, root_quiet=root_quiet, symptom=symptom,
            traffic_ratio=traffic, external=outside, expired=expired,
        )
        return [
            Incident(
                id=inc_id,
                start=onset,
                end=shown_end,
                severity=severity,
                severity_label=label,
                services=services,
                root_service=root,
                roles=tuple(roles),
                anomalies=tuple(anomalies),
                suspects=tuple(suspects),
                cause=cause,
                cause_reason=reason,
                impact=impact,
                summary=summary,
                detection_score=float(det_score),
                symptom=symptom,
                traffic_ratio=traffic,
                external_hosts=outside,
            )
        ]

    def cut(
        group: list[AnomalyWindow], later: set[str], *, roots: set[str], cause: str | None = None
    ) -> list[Incident | tuple[str, Evidence]]:
        """``group`` analysed as two: the anomalies of ``later``'s services and the rest, when
        the later part makes an incident rooted in ``roots`` (with ``cause`` as its cause, when
        given); else empty (it is one incident)."""
        first_part, second_part = _split_group(group, later)
        if not first_part or not second_part:
            return []
        parts = analyse(second_part, split=False)
        if not any(
            isinstance(i, Incident) and i.root_service in roots and (cause is None or i.cause == cause) for i in parts
        ):
            return []
        return analyse(first_part, split=False) + parts

    for group in _persisting_groups(_merge_windows(material, gap), persists, gap):
        for outcome in analyse(group):
            if isinstance(outcome, Incident):
                taken = {i.id for i in incidents}
                if outcome.id in taken:  # (two problems of one minute, with windows under a minute)
                    n = 2
                    while f"{outcome.id}-{n}" in taken:
                        n += 1
                    outcome = replace(outcome, id=f"{outcome.id}-{n}")
                incidents.append(outcome)
            else:
                blips[outcome[0]] = outcome[1]
    # (an incident in which its root ran out of memory is a failure of its own, not a slow
    # burn's first symptoms: a leak's first crash before a larger second one)
    crashed = frozenset(
        inc.id for inc in incidents
        if inc.root_service in by_service
        # (a crash line without a time of its own takes the record's before it: a window back)
        and _first_out_of_memory(by_service[inc.root_service], inc.start - window, inc.end + window) is not None
    )
    incidents = _absorb_precursors(incidents, gap=6 * gap, failures=crashed)
    suspect_by_change: dict[str, tuple[float, str, tuple[Evidence, ...]]] = {}
    for inc in incidents:
        for s in inc.suspects:
            prev = suspect_by_change.get(s.change.id)
            if prev is None or s.score > prev[0]:
                suspect_by_change[s.change.id] = (s.score, inc.id, s.evidence)
    incidents.sort(key=lambda i: (-i.severity, i.start))
    ratings = _rate_changes(change_rows, suspect_by_change, by_service, known, span_cmp, period_end, incidents, blips)
    return Correlation(
        incidents=tuple(incidents),
        changes=tuple(ratings),
        period_start=period_start,
        period_end=period_end,
        services=tuple(known),
    )


def _host_counts(recs: pl.DataFrame, logged: Sequence[str]) -> pl.DataFrame:
    """Records per (``host`` field, logging service): one pass, for every change to look up."""
    host = AttributeReader(recs)("host")
    return (
        recs.filter(pl.col("service").is_in(logged))
        .select("service", host.alias("host"))
        .drop_nulls("host")
        .group_by("host", "service")
        .len()
    )


def _service_on_host(by_host: pl.DataFrame, host: str) -> str | None:
    """The service that logs most from the host a change names (a configuration job on
    ``mta-04``, the syslog host of postfix's lines there; its short name when the change
    gives it qualified, ``mta-04.example.net``), or None when no record comes from it;
    ``by_host``: :func:`_host_counts`."""
    counts = (
        by_host.filter(pl.col("host").is_in([host, host.split(".", 1)[0]]))
        .group_by("service")
        .agg(pl.col("len").sum())
    )
    if counts.height == 0:
        return None
    return str(counts.sort(["len", "service"], descending=[True, False])["service"][0])


def _named_services(
    changes: pl.DataFrame, recs: pl.DataFrame, logged: Sequence[str]
) -> dict[tuple[str | None, str | None], str]:
    """The logging service of each change (by service and description) whose service field
    matches none (:func:`match_service`) but that names one otherwise (:func:`named_in_change`),
    or whose item half or more of one service's records carry in their text or fields
    (:data:`_CARRIED_SHARE`): a queue manager, ``QMBANK1``, is in each entry of the MQ error
    log (``QMgr(QMBANK1)``, read into the field ``qmgr``), so
    it is that log's service, while the applications that put to it name it now and then."""
    named: dict[tuple[str | None, str | None], str] = {}
    # a change with no service whose description names exactly one logging service as a
    # whole name (an Ansible job's "Apply php-fpm pool tuning from group_vars", "Set an LMS
    # feature flag") is that service's; one naming none or several stays a global change
    unnamed = changes.filter(pl.col("service").is_null() & pl.col("description").is_not_null())
    for d in unnamed["description"].unique().sort().to_list():
        if (found := named_in_change("", d, logged)) is not None:
            named[(None, d)] = found
    # ... and a feature flag naming none or several is the one service that logs its key (below)
    flags = [
        (None, d)
        for d in unnamed.filter(pl.col("kind") == "feature_flag")["description"].unique().sort().to_list()
        if (None, d) not in named
    ] if "kind" in unnamed.columns else []
    rows = changes.filter(pl.col("service").is_not_null()).select("service", "description").unique().iter_rows()
    todo = [(s, d) for s, d in rows if match_service(s, logged) not in logged and len(node_services(s, logged)) < 2]
    if not todo and not flags:
        return named
    sources: dict[str, list[str]] = {}
    weights: dict[str, int] = {}
    if todo and "source" in recs.columns:
        pairs = recs.select("service", "source").drop_nulls().group_by("service", "source").len().iter_rows()
        for svc, src, n in pairs:
            sources.setdefault(svc, []).append(src)
            weights[svc] = weights.get(svc, 0) + n
    # (a share is told by a few hundred records of each service: a change list of fifty CMDB
    # items must not read a day's millions of records fifty times)
    sample = recs.filter(pl.col("service").is_in(logged)).group_by("service", maintain_order=True).head(_CARRIED_SAMPLE) if todo else recs.head(0)
    by_host = _host_counts(recs, logged) if todo and "attributes" in recs.columns else None
    for s, d in todo:
        found = named_in_change(s, d, logged, sources=sources, weights=weights)
        if found is None and by_host is not None and re.fullmatch(r"[\w.-]+", s):
            found = _service_on_host(by_host, s)
        if found is None and len(s) >= 4 and re.fullmatch(r"[\w.-]+", s):
            word = rf"(?i)(?:^|[^\w.-]){re.escape(s)}(?:$|[^\w-])"
            # (in the text or in the fields a reader took out of it: {"qmgr":"QMBANK1"})
            carries = pl.col("body").str.contains(word).fill_null(False)
            if "attributes" in recs.columns:
                carries = carries | pl.col("attributes").str.contains(word).fill_null(False)
            carried = (
                sample.group_by("service")
                .agg(carries.mean().alias("share"))
                .filter(pl.col("share") >= _CARRIED_SHARE)["service"].to_list()
            )
            found = carried[0] if len(carried) == 1 else None
        if found is not None:
            named[(s, d)] = found
    # a key quoted in a change's description (a feature flag's, "Turned on flag
    # `raw-scan-fallback`", a setting's) that the records of one service only name (it logs
    # "flag updated key=raw-scan-fallback", or its SDK's {"flagKey": "raw-scan-fallback"}) is
    # that service's: the project or CMDB item the change list gives (LaunchDarkly's
    # "analytics-platform") writes no logs, and a flag whose description names two services
    # ("Lobby: cross-platform matchmaking pools") has none (blind probe BI)
    keyed = {(s, d): keys for s, d in [*todo, *flags] if (s, d) not in named and d and (keys := change_keys(d))}
    wanted = sorted({k for keys in keyed.values() for k in keys}, key=lambda k: (-len(k), k))
    if wanted:
        text = pl.col("body").fill_null("")
        if "attributes" in recs.columns:
            text = pl.concat_str(text, pl.lit(" "), pl.col("attributes").fill_null(""))
        seen = (
            recs.filter(pl.col("service").is_in(logged))
            .select("service", text.str.extract_all("|".join(re.escape(k) for k in wanted)).alias("key"))
            .explode("key")
            .drop_nulls()
            .unique()
        )
        holders: dict[str, set[str]] = {}
        for svc, key in seen.iter_rows():
            holders.setdefault(key, set()).add(svc)
        for pair, keys in keyed.items():
            owners = {svc for k in keys for svc in holders.get(k, ())}
            if len(owners) == 1:
                named[pair] = owners.pop()
    return named



#: the share of a service's records that carry a CMDB item's name for the item to be the
#: service's (an MQ error log names its queue manager in every entry's header)
_CARRIED_SHARE = 0.5
#: ... among the first this many records of each service
_CARRIED_SAMPLE = 500

#: the distinct field sets of the root's failing records read with their lines
_FIELD_SAMPLE = 50

#: how long before the onset a client's schema migration may have started (a long ALTER waits
#: for its lock, then holds it; see :func:`_migrating_client`)
_MIGRATION_LEAD = timedelta(minutes=10)


def _migrating_client(
    root: str | None,
    contribs: Sequence[Contribution],
    names_of: dict[str, tuple[str, ...]],
    change_rows: Sequence[dict[str, Any]],
    onset: datetime,
    window: timedelta,
    ddl: Sequence[datetime] = (),
) -> frozenset[str]:
    """The one client of the root (a database) whose schema migration started within
    :data:`_MIGRATION_LEAD` before the onset while its own failures name the root; a
    deploy of it counts as one when the root logged a schema statement (``ddl``: the times
    of its ``ALTER TABLE``, ``CREATE INDEX``...) within :data:`_MIGRATION_RUN` after it (a
    Helm pre-upgrade hook, an init container, a release's ``db:migrate`` run the migration).

    A migration is registered under the service whose code holds it (Flyway's
    ``V64__add_purpose_code.sql`` of payments-service) but runs in the database: its ALTER
    TABLE takes locks every client waits on. The database may log nothing of it (an Oracle
    alert log), so :func:`statement_client` cannot tell; the change's kind and its service's
    failures naming the root do.
    """
    if root is None:
        return frozenset()
    naming = {
        c.service
        for c in contribs
        if c.service and c.service != root and c.kind in _FAILURES
        and root in names_of.get(names_key(c), ())
    }
    found = {
        row["service"]
        for row in change_rows
        if row.get("service") in naming
        and onset - _MIGRATION_LEAD <= row["time"] <= onset + window
        and (
            row.get("kind") == "migration"
            or (row.get("kind") in ("deploy", "release", "upgrade") and any(row["time"] <= d <= row["time"] + _MIGRATION_RUN for d in ddl))
        )
    }
    return frozenset(found) if len(found) == 1 else frozenset()


#: how soon after a deploy a schema statement the database logs is that deploy's migration
_MIGRATION_RUN = timedelta(minutes=3)
#: a schema statement in a database's log (PostgreSQL's and MySQL's statement logging)
_DDL = r"(?i)\b(?:ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?INDEX|DROP\s+(?:TABLE|INDEX|COLUMN)|ADD\s+COLUMN|RENAME\s+(?:TABLE|COLUMN))\b"


class _Context(NamedTuple):
    """What every incident's cause search shares (see :func:`_cause_with`)."""

    recs: pl.DataFrame
    badness: dict[tuple[str, str], float]
    logging_services: Sequence[str]
    known: Sequence[str]
    change_rows: list[dict[str, Any]]
    by_service: dict[str, pl.DataFrame]
    window: timedelta
    lag_max: timedelta
    span_cmp: timedelta
    cause_threshold: float
    n_given: int | None


class _Cause(NamedTuple):
    """The cause found for one choice of root (see ``correlate_changes``)."""

    root: str | None
    names: set[str]  # dependencies whose changes may be the cause
    onset: datetime
    suspects: tuple[Suspect, ...]
    cause: str | None
    reason: str


def _cause_with(
    root: str | None,
    *,
    contribs: Sequence[Contribution],
    names_of: dict[str, tuple[str, ...]],
    healthy: dict[str, frozenset[str]],
    external: Sequence[str],
    span: pl.DataFrame,
    start: datetime,
    end: datetime,
    scan: dict[str, Any],
    services: Sequence[str],
    ctx: _Context,
    graph: dict[str, set[str]],
) -> _Cause:
    """Onset, suspects and cause of an incident whose root is ``root``."""
    def failure(c: Contribution) -> bool:
        """A failure anomaly (its template mostly WARN or worse), whose names count."""
        return c.kind in _FAILURES and (
            c.template_id is None or ctx.badness.get((c.service or "", c.template_id), 0.0) >= 0.5
        )

    # dependencies the root's *failures* name ("db timeout"): a change there may be the
    # cause; names in its ordinary lines ("connection from order_svc") are not failures
    root_names: set[str] = set()
    for c in contribs:
        if c.service == root and failure(c):
            root_names.update(names_of.get(names_key(c), ()))
    failing = {c.template_id for c in contribs if c.service == root and c.template_id and c.kind in _FAILURES}
    root_clients = statement_client(span, root, failing, ctx.logging_services) - root_names
    # (when the root's failing statements are new to it, a query that was never run before:
    # their first record)
    new_statements = min(
        (c.first_seen or c.onset for c in contribs if c.service == root and c.kind == "new" and c.template_id in failing),
        default=None,
    ) if root_clients else None
    onset = _refine_onset(contribs, ctx.recs, root, start, end, ctx.window, scan.get(root) if root else None)
    onset = quiet_onset(contribs, ctx.recs, root, onset, start, ctx.window)
    # (the failures of the others that name the root, or, without a template (an access
    # log's error share), of the services that call it: they may date it before it logs)
    blaming = [
        c for c in contribs
        if c.service != root and failure(c)
        and (root in names_of.get(names_key(c), ()) if c.template_id else root in graph.get(c.service or "", ()))
    ]
    onset = blamed_onset(ctx.recs, root, onset, start, ctx.window, blaming)
    if not root_clients:
        # (the root's own records of those minutes, then the statements among them: not a
        # regex over every record of the day for each root tried)
        frame = ctx.by_service.get(root or "")
        ddl = (
            frame.filter(pl.col("timestamp").is_between(onset - _MIGRATION_LEAD - _MIGRATION_RUN, onset + ctx.window))
            .filter(pl.col("body").str.contains(_DDL).fill_null(False))
            .get_column("timestamp").to_list()
            if frame is not None and "body" in frame.columns
            else []
        )
        root_clients = _migrating_client(root, contribs, names_of, ctx.change_rows, onset, ctx.window, ddl) - root_names
    # ---- suspects
    # (failures of the root that name a dependency which logs as usual are its own: what
    # follows a change of the root counts as the root's behaviour)
    own_names = healthy.get(root or "", frozenset())
    known_for_root = [k for k in ctx.known if k not in own_names]
    suspects: list[Suspect] = []
    # (proxies whose 5xx answers carry their upstream's response time relay them)
    relays = frozenset(s for s, sh in scan.items() if s != root and sh is not None and sh.relay_share >= 0.5)
    # (other services' failures name the root: it is their dependency)
    root_blamed = root is not None and any(
        c.service != root and failure(c) and root in names_of.get(names_key(c), ()) for c in contribs
    )
    # (... or the root's answers to its callers refuse for a state of its own: out of memory)
    refusing = next(
        (m.group() for c in contribs if c.service != root and failure(c) and root in names_of.get(names_key(c), ())
         for text in (*c.examples, c.template or "") if (m := REFUSED_FOR_STATE.search(text))),
        None,
    )
    # (the incident's failure lines, where a change's version may show: a firmware pushed to
    # devices that log nothing here, "fw=5.2.0" in every payload a server rejects)
    failing_texts = tuple(text for c in contribs if failure(c) for text in (*c.examples, c.template or ""))
    # (the root's own failures, lines and the fields a reader took out of them, where an
    # identifier a change names may show: winston's "token verification failed" holds its
    # error, "no matching key found in JWKS for kid k-2026-03", in a field)
    own = [c for c in contribs if failure(c) and c.service == root]
    root_lines = tuple(text for c in own for text in (*c.examples, c.template or ""))
    root_failing = root_lines
    tids = sorted({c.template_id for c in own if c.template_id})
    if tids and {"attributes", "template_id"} <= set(span.columns):
        fields = (
            span.filter((pl.col("service") == root) & pl.col("template_id").is_in(tids))
            .get_column("attributes").drop_nulls().unique(maintain_order=True).head(_FIELD_SAMPLE).to_list()
        )
        root_failing += tuple(f for f in fields if f not in ("", "{}"))
    # (... host names that do not resolve: a change to DNS is theirs; also in the fields of
    # the failures, logfmt's error="lookup bankgw.tax.local: no such host")
    resolving = next((text for text in failing_texts if NAME_RESOLUTION.search(text)), None)
    failing_services = sorted({c.service for c in contribs if failure(c) and c.service})
    if resolving is None and failing_services and {"attributes", "is_error"} <= set(span.columns):
        said = (
            span.filter(pl.col("service").is_in(failing_services) & pl.col("is_error"))
            .filter(pl.col("attributes").str.contains(NAME_RESOLUTION.pattern).fill_null(False))
            .get_column("attributes").head(1).to_list()
        )
        resolving = said[0] if said else None
    # (the root's failures are a host outside the estate answering that it is unavailable,
    # or not answering: its calls to it time out or are refused)
    # (in their lines, or in the fields a reader took out of them: logfmt's msg="push failed"
    # error="Post \"https://fcm.googleapis.com/...\": context deadline exceeded")
    unavailable = next(
        (_the_field(text, external) for text in root_failing
         if any(h in text for h in external) and (UNAVAILABLE.search(text) or NOT_ANSWERING.search(text))),
        None,
    ) if external else None
    # (the lines of what began or surged at the onset, where a change's campaign or key may show)
    news = tuple(
        (c.service, text) for c in contribs if c.service and c.kind in ("new", "rate_spike")
        for text in (*c.examples[:3], c.template or "")
    )
    for row in ctx.change_rows:
        t = row["time"]
        if t > onset + ctx.window or t < onset - ctx.lag_max:
            continue
        sus = _score_suspect(
            row, onset=onset, end=end, root=root, services=services, root_names=root_names,
            by_service=ctx.by_service, known=known_for_root, span_cmp=ctx.span_cmp, window=ctx.window,
            changes=ctx.change_rows, first_sign=start, root_clients=root_clients, relays=relays, root_blamed=root_blamed,
            resolving=resolving, refusing=refusing, failing_texts=failing_texts, root_failing=root_failing,
            news=news, new_statements=new_statements,
        )
        suspects.append(sus)
    suspects.sort(key=lambda s: (-s.score, abs(s.lag_seconds)))
    # (a change of several nodes is scored on each: its best node's row stands for it)
    best: dict[str, Suspect] = {}
    for s in suspects:
        best.setdefault(s.change.id, s)
    suspects = list(best.values())
    cause, reason = _decide(
        suspects, root=root, root_names=root_names, threshold=ctx.cause_threshold, services=ctx.logging_services,
        n_changes=ctx.n_given, external=external, root_clients=root_clients, unavailable=unavailable,
        peer_expired=certificate_expired(root_lines) == THEIR_CERTIFICATE,
    )
    if cause is None:
        cause, reason = undone_cause(
            suspects, root=root, root_names=root_names, threshold=ctx.cause_threshold, services=ctx.logging_services,
            root_clients=root_clients,
        ) or (cause, reason)
    # (the cause leads the suspects, though another scored higher: a closer change that the
    # failures do not carry)
    suspects.sort(key=lambda s: s.change.id != cause)
    return _Cause(root, root_names | own_names, onset, tuple(suspects), cause, reason)


def _the_field(text: str, hosts: Sequence[str]) -> str:
    """The field of a record's fields (a JSON object) that names one of ``hosts``, as the
    reason quotes it; ``text`` itself when it is a line, or no field names them."""
    if not text.startswith("{"):
        return text
    try:
        fields = json.loads(text)
    except ValueError:
        return text
    values = fields.values() if isinstance(fields, dict) else ()
    return next((v for v in values if isinstance(v, str) and any(h in v for h in hosts)), text)


def _surge_over_quiet_change(best: Suspect, traffic: float) -> tuple[None, str] | None:
    """``(None, why)`` when traffic rose at the onset and the change that would be named
    served quietly before it (its evidence says so): the surge explains an onset 30 minutes
    after a change better than that change does. ``None`` otherwise (a change within its
    rollout, or one its service already showed, may cause the load itself: a retry storm)."""
    quiet = next((e.text for e in best.evidence if e.kind == "pre_existing" and e.text.startswith(QUIET_MARK)), None)
    if quiet is None:
        return None
    return None, (
        f"traffic rose x{traffic:.1f} at the onset, and {best.change.id} ({_fmt_dt(best.lag_seconds)} before it) "
        f"served quietly until then ({quiet}): the load explains the incident better than the change; "
        "no change explains it (look at traffic and capacity)"
    )


#: a service scoring at least this share of the root's score is a close call
_CLOSE_CALL = 0.85


def _loud_change_beside(
    found: _Cause, roles: Sequence[ServiceRole], services: Sequence[str]
) -> tuple[str, Suspect] | None:
    """``(service, suspect)`` to try as root and cause when the cause found is a change of the
    root that served quietly until the onset (its evidence says "no visible change in ...")
    while another service of the incident (not a victim) was changed within a rollout's time
    of the onset and its own logs changed right after it (new templates, its volume): a
    migration rebuilding an index 2 minutes before the orders service's queries slow down,
    against the gateway's release 27 minutes before that served quietly (probe CF c06)."""
    if found.cause is None or not found.suspects or found.root is None:
        return None
    best = next((s for s in found.suspects if s.change.id == found.cause), None)
    if best is None or not any(e.kind == "pre_existing" and e.text.startswith(QUIET_MARK) for e in best.evidence):
        return None
    by = {r.service: r for r in roles}
    for s in found.suspects:
        svc = match_service(s.change.service, services)
        role = by.get(svc or "")
        if (
            svc is None or role is None or svc == found.root or role.role == "victim"
            or not 0 <= s.lag_seconds <= _ROLLOUT.total_seconds() or s.lag_seconds >= best.lag_seconds / 2
        ):
            continue
        if any(e.kind in ("new_template", "volume", "error_ratio", "parameter_shift") and e.weight > 0.1 for e in s.evidence):
            return svc, s
    return None


def _close_call(found: _Cause, roles: Sequence[ServiceRole], services: Sequence[str]) -> str | None:
    """The service to try as root instead when no change explains the incident but the best
    suspect changed a service that scores nearly as high as the root (a victim excepted).

    Two services failing on their own from the same window, neither naming the other (a
    config that overloads a shared database: the changed caller and another of its clients
    both fail), are a close call the logs cannot settle; the one changed just before the
    onset is the likelier origin, as an engineer asking "what changed?" would conclude.
    """
    if found.cause is not None or not found.suspects or found.root is None:
        return None
    other = match_service(found.suspects[0].change.service, services)
    by = {r.service: r for r in roles}
    top, cand = by.get(found.root), by.get(other or "")
    if top is None or cand is None or cand.service == found.root or cand.role == "victim" or top.score <= 0:
        return None
    return cand.service if cand.score >= _CLOSE_CALL * top.score else None


def _changed_dependency(
    found: _Cause, roles: Sequence[ServiceRole], services: Sequence[str], window: timedelta
) -> str | None:
    """The dependency to try as root when the cause found is a change to it: a service the
    root's failures name, whose own logs changed no later than the root's (its own
    anomalies, not a victim's), and which logs here. A migration that drops an index makes
    the database's statements slow and its callers time out: the callers report the
    database's fault (probe BR: the ledger as root beside "CHG... changed postgres")."""
    if found.cause is None or found.root is None or not found.suspects:
        return None
    best = next((s for s in found.suspects if s.change.id == found.cause), None)
    dep = match_service(best.change.service, services) if best is not None else None
    if dep is None or dep == found.root or dep not in found.names:
        return None
    by = {r.service: r for r in roles}
    top, cand = by.get(found.root), by.get(dep)
    if top is None or cand is None or cand.role == "victim" or cand.score <= 0:
        return None
    if cand.onset is None or (top.onset is not None and cand.onset > top.onset + window):
        return None
    return dep


def _reroot(roles: Sequence[ServiceRole], new_root: str, cause: str, *, why: str | None = None) -> list[ServiceRole]:
    """``roles`` with ``new_root`` as the root (first) and the former root as affected."""
    old = next(r for r in roles if r.role == "root")
    new = next(r for r in roles if r.service == new_root)
    note = Evidence(
        kind="timing",
        text=why or (
            f"{new_root} scores close to {old.service} ({new.score:.2f} vs {old.score:.2f}) and {cause} changed "
            f"{new_root} just before the onset, while no change explains {old.service}: the close call goes to "
            "the service that changed"
        ),
        weight=0.0,
    )
    out = [replace(new, role="root", evidence=(*new.evidence, note)), replace(old, role="affected")]
    return out + [r for r in roles if r.service not in {new_root, old.service}]


def _amplifying_caller(
    found: _Cause,
    roles: Sequence[ServiceRole],
    contribs: Sequence[Contribution],
    graph: dict[str, set[str]],
    error_share: dict[tuple[str, str], float],
    window: timedelta,
    services: Sequence[str],
) -> tuple[str, Suspect] | None:
    """The caller to try as root, and its change, when no change explains the root but a
    suspect changed a service that calls it, which then did something new before the root
    failed.

    A gateway's retry setting raised from 2 to 6: from its change it logs thousands of new
    "retrying upstream request" warnings, and a minute later the service behind it, now
    getting three times the calls, slows down and fails. The root's logs name no change (its
    own deploy an hour and a half earlier, quiet since, may still rank first); the caller's
    change (within a rollout's time before the root's onset, or in its first window) followed
    at once (within two windows, a new template counted from its first record, and two
    windows at most after the root's onset) by a new template or surge of the caller's that
    is not failures is what drove the load."""
    onset = _root_onset(roles)
    if onset is None:
        return None
    for caller, best in _changed_callers(found, roles, graph, window, services):
        t = best.change.time
        # (the new behaviour starts with the change, as a retry setting applies: a surge that
        # starts with the root's trouble ten minutes after a deploy is the trouble's echo)
        new = [
            c for c in contribs
            if c.service == caller and c.kind in {"new", "rate_spike"} and c.template_id
            and error_share.get((caller, c.template_id), 0.0) < 0.5
            and t - window <= _began(c) <= min(onset + 2 * window, t + 2 * window)
        ]
        if new:
            return caller, best
    return None


#: a datastore or broker refusing a connection for want of capacity (PostgreSQL's "sorry, too
#: many clients already", MySQL's "Too many connections", Redis' "max number of clients
#: reached", a pool's "connection limit exceeded")
_CAPACITY_REFUSED = re.compile(
    r"(?i)too many (?:clients|connections)|remaining connection slots are reserved|max(?:imum)? number of clients"
    r"|connection limit (?:exceeded|reached)|max_connections|ER_CON_COUNT_ERROR"
)


#: a change that raises a concurrency: workers, a pool, threads, connections, replicas
_CONCURRENCY = re.compile(
    r"(?i)worker|pool|thread|\bconn(?:ection)?s?\b|max_?open|concurren|parallel|replica|\bscal(?:e|ed|ing)\b"
)


def _capacity_client(
    found: _Cause,
    roles: Sequence[ServiceRole],
    contribs: Sequence[Contribution],
    graph: dict[str, set[str]],
    window: timedelta,
    services: Sequence[str],
) -> tuple[str, Suspect, str] | None:
    """The client to try as root, its change and the refusal's words, when no change explains
    the root, the root refuses connections for want of capacity, and exactly one of its
    clients changed within a rollout's time before the root's onset.

    A consumer's database workers raised from 8 to 48: two minutes later PostgreSQL answers
    "sorry, too many clients already" to every client, the changed one among them. Its
    clients' failures alike, PostgreSQL logging no client's name, the root is the database and
    no change of its explains it; the one client that changed just before is what opened the
    connections it lacks, as an engineer asking "what changed?" concludes. The change must say
    it raised a concurrency (its version or description names workers, a pool, threads,
    connections, replicas or parallelism: ``DB_WORKERS 8 -> 48``): a routine release of a
    client minutes before the database fails on its own is no cause. Two clients changed in
    that time: the logs cannot tell which, none is named."""
    changed = _changed_callers(found, roles, graph, window, services)
    if not changed:
        return None
    refusal = next(
        (m.group() for c in contribs for text in (c.template or "", *c.examples) if (m := _CAPACITY_REFUSED.search(text))),
        None,
    )
    if refusal is None:
        return None
    clients: dict[str, Suspect] = {}
    for client, best in changed:
        clients.setdefault(client, best)
    if len(clients) != 1:
        return None
    client, best = next(iter(clients.items()))
    said = f"{best.change.version or ''} {best.change.description or ''}"
    # (the service's own name is no word of what changed: "release worker-service v1")
    if best.change.service:
        said = re.sub(re.escape(best.change.service), " ", said, flags=re.IGNORECASE)
    return (client, best, refusal) if _CONCURRENCY.search(said) else None


def _changed_callers(
    found: _Cause,
    roles: Sequence[ServiceRole],
    graph: dict[str, set[str]],
    window: timedelta,
    services: Sequence[str],
) -> list[tuple[str, Suspect]]:
    """The suspects, best first, that changed a service calling the root (the logs' call
    graph, the service among the incident's roles) within a rollout's time before the root's
    onset or in its first window, with that service; none when a change already explains
    the root. (The root's onset is its first anomalous window's start: a change inside that
    window may be what made it, the calls it added its first sign.)"""
    onset = _root_onset(roles)
    if found.cause is not None or not found.suspects or found.root is None or onset is None:
        return []
    in_roles = {r.service for r in roles}
    out = []
    for best in found.suspects:
        caller = match_service(best.change.service, services)
        if caller is None or caller == found.root or caller not in in_roles or found.root not in graph.get(caller, set()):
            continue
        if onset - _ROLLOUT <= best.change.time <= onset + window:
            out.append((caller, best))
    return out


def _root_onset(roles: Sequence[ServiceRole]) -> datetime | None:
    """The onset of the incident's root service (``None`` without one)."""
    return next((r.onset for r in roles if r.role == "root"), None)


def _began(c: Contribution) -> datetime:
    """When an anomaly began: a new template's first record, else its window's onset."""
    return c.first_seen if c.kind == "new" and c.first_seen is not None else c.onset


#: a rollout's time: a caller's change this long before the root's onset may drive its load
_ROLLOUT = timedelta(minutes=10)


def _second_problem(
    roles: Sequence[ServiceRole],
    change_rows: list[dict[str, Any]],
    window: timedelta,
    contribs: Sequence[Contribution],
) -> list[ServiceRole]:
    """Services that may be a second problem inside an incident.

    An hourly job failing against a database and, a minute or two later, a deploy's new
    exception in the catalog are two problems a 10-minute merge gap joins into one incident;
    the root found (the database) hides the catalog's change, though the users' failures
    come from it. A service is tried as the origin of a second problem when it fails on its
    own (``affected``, not a victim naming the root, a positive root score, its failures not
    read as failed calls: no time-outs, refused connections or upstream errors), became
    anomalous a window or more after the root, and changed between the root's onset (a
    window earlier) and its own onset, at most :data:`_SECOND_LAG` before it: its trouble followed its own change, not the
    root's. Best score first.
    """
    root = next((r for r in roles if r.role == "root"), None)
    if root is None or root.onset is None:
        return []
    out = []
    for r in roles:
        if r.role != "affected" or r.score <= 0 or r.onset is None or r.onset < root.onset + window:
            continue
        if not any(
            c["service"] == r.service and max(root.onset - window, r.onset - _SECOND_LAG) <= c["time"] <= r.onset
            for c in change_rows
        ):
            continue
        texts = [c.template for c in contribs if c.service == r.service and c.kind in _FAILURES and c.template]
        calls = sum(bool(_CALL_FAILED.search(t)) or reports_dependency_failure(t) for t in texts)
        if texts and 2 * calls < len(texts):
            out.append(r)
    return sorted(out, key=lambda r: -r.score)


def _failures_after_warnings(
    root: str | None,
    roles: Sequence[ServiceRole],
    contribs: Sequence[Contribution],
    warn_share: dict[tuple[str, str], float],
    error_share: dict[tuple[str, str], float],
    window: timedelta,
    graph: dict[str, set[str]],
    names_of: dict[str, tuple[str, ...]],
) -> set[str]:
    """The services to cut off as an incident of their own when the root only logged new
    warnings and, a window or more later, other services failed with no tie to it.

    A noisy deploy's warnings (0 errors) three minutes before a broker outage are not its
    cause: the merge gap joined them by time alone. Cut off when the anomalies of the root
    and of the services anomalous with it are warnings, the services anomalous a window or
    more after it fail (errors), and none
    of them calls the root or is called by it (the logs' call graph, their anomalies'
    names). Empty otherwise."""
    top = next((r for r in roles if r.role == "root"), None)
    if root is None or top is None or top.onset is None:
        return set()
    later = {r.service for r in roles if r.onset is not None and r.onset >= top.onset + window and r.service != root}
    # (the root and everything anomalous with it: warnings only, no failure)
    own = [c for c in contribs if c.service not in later]
    if not own or _symptom(own, warn_share, error_share, root_quiet=False) != "warnings":
        return set()
    theirs = [c for c in contribs if c.service in later]
    if not theirs or _symptom(theirs, warn_share, error_share, root_quiet=False) != "errors":
        return set()
    named = {n for k, v in names_of.items() if k.split("|")[1] in later for n in v}
    tied = root in named or any(root in _reach(graph, s) or s in _reach(graph, root) for s in later)
    return set() if tied else later


#: a second problem's change lands at most this long before its own onset (a deploy's new
#: exception shows within minutes; a quiet change ten minutes before a cascade reaches its
#: service is a bystander)
_SECOND_LAG = timedelta(minutes=5)


def _after_a_quiet_gap(
    group: Sequence[AnomalyWindow], window: timedelta
) -> tuple[list[AnomalyWindow], list[AnomalyWindow]] | None:
    """The group's windows before and after its first stretch of a window or more without
    any anomaly (None: there is none): a deploy's restart blip (three failed answers at
    09:23, then calm) that the window gap joined to another failure five minutes later (an
    SMS provider timing out at 09:28)."""
    ordered = sorted(group, key=lambda w: (w.start, w.end))
    end = ordered[0].end
    for i, w in enumerate(ordered[1:], start=1):
        if w.start >= end + window:
            return ordered[:i], ordered[i:]
        end = max(end, w.end)
    return None


def _after_a_quiet_stretch(
    group: Sequence[AnomalyWindow], window: timedelta, recs: pl.DataFrame
) -> tuple[list[AnomalyWindow], list[AnomalyWindow]] | None:
    """The group cut where its anomalies' onsets leave two windows or more between them and
    the records of the earlier anomalies (their template's, or their service's errors for an
    error share) end a window or more before the later ones begin (None: no such cut): a
    deploy's restart blip at the edge (502s for 25 s at 23:57) that detection's window
    joined to another service's failure three minutes later (a pool running dry at 00:00)."""
    contribs = [c for w in group for c in w.contributions]
    onsets = sorted({c.onset for c in contribs})
    cut = next((b for a, b in itertools.pairwise(onsets) if b - a >= 2 * window), None)
    if cut is None:
        return None
    start = min(w.start for w in group)
    before = recs.filter(pl.col("timestamp").is_between(start, cut, closed="left"))
    ended = start
    for c in contribs:
        if c.onset >= cut:
            continue
        mine = before.filter(pl.col("service") == c.service)
        if c.template_id is not None and "template_id" in mine.columns:
            mine = mine.filter(pl.col("template_id") == c.template_id)
        elif c.kind == "error_ratio" and "is_error" in mine.columns:
            mine = mine.filter(pl.col("is_error"))
        else:
            return None
        last = tmax(mine["timestamp"])
        if last is not None and last >= cut - window:
            return None
        ended = max(ended, last or c.onset)
    # (the head ends a window after its last record: a blip's length is its own)
    head_end = min(cut, ended.replace(second=0, microsecond=0) + window)
    head, tail = [], []
    for w in group:
        early = tuple(c for c in w.contributions if c.onset < cut)
        late = tuple(c for c in w.contributions if c.onset >= cut)
        if early:
            head.append(replace(w, end=min(w.end, max(head_end, w.start + window)), services=tuple(dict.fromkeys(c.service for c in early if c.service)), contributions=early))
        if late:
            tail.append(replace(w, start=max(w.start, cut), services=tuple(dict.fromkeys(c.service for c in late if c.service)), contributions=late))
    return (head, tail) if head and tail else None


def _split_group(
    group: Sequence[AnomalyWindow], later: set[str]
) -> tuple[list[AnomalyWindow], list[AnomalyWindow]]:
    """``group``'s windows cut in two: the anomalies of services not in ``later``, and those of
    services in it (each window starting at its first anomaly's onset)."""
    first: list[AnomalyWindow] = []
    second: list[AnomalyWindow] = []
    for w in group:
        for part, keep in ((first, False), (second, True)):
            own = tuple(c for c in w.contributions if (c.service in later) == keep)
            if not own:
                continue
            start = max(w.start, min(c.onset for c in own))
            svcs = tuple(s for s in w.services if (s in later) == keep)
            part.append(replace(w, start=min(start, w.end), services=svcs, contributions=own))
    return first, second


def _answers_only(span: pl.DataFrame, root: str) -> bool:
    """Whether every failure ``root`` logs in ``span`` reports a callee's failed answer
    (:func:`reports_dependency_failure`: a 5xx, unavailable, a reset connection)."""
    texts = span.filter((pl.col("service") == root) & pl.col("is_error")).get_column("body").drop_nulls().unique().to_list()
    return bool(texts) and all(reports_dependency_failure(t) or _CALL_FAILED.search(t) for t in texts[:200])


#: an incident no longer than this many detection windows can be a rollout's blip
_BLIP_WINDOWS = 2
#: ... and its change came at most this many windows before its first sign: pods restart a
#: minute or two after the deploy lands (its first 502 66 s after it, in the window after)
_BLIP_LEAD = 2
#: anomaly kinds that show no failure (volume, numbers)
_NO_FAILURE = frozenset({"rate_spike", "rate_drop", "parameter"})
#: how long before an incident a change to a service its callers' failures name keeps
#: that service from counting as healthy (see _root._own_failures)
_CHANGED_BEFORE = timedelta(minutes=10)

#: clocks of the change list and the logs may disagree by this much
_BLIP_SKEW = timedelta(seconds=10)


def _rollout_blip(
    root: str | None,
    roles: Sequence[ServiceRole],
    named: set[str] | frozenset[str],
    change_rows: list[dict],
    *,
    onset: datetime,
    start: datetime,
    end: datetime,
    window: timedelta,
    period_end: datetime | None,
    graph: dict[str, set[str]],
    answering: set[str],
    n_failed: int,
    unit: str,
    first_failure: datetime | None = None,
    contribs: Sequence[Contribution] = (),
    edge: bool = True,
) -> tuple[str, Evidence] | None:
    """``(change id, evidence)`` when an incident is only a rollout's blip, else None.

    A service restarting for its deploy refuses connections for a few seconds: its callers
    log a handful of failures naming it (or it logs its own), and a minute later all is
    well. That is not an incident (nothing broke, no change needs rolling back) but the
    change's doing, reported with the change ("N requests failed during its rollout").
    Taken when the service is the root or the one its failures name, every other service
    in the incident is a victim (failures that name another) or calls it or answers
    requests (an edge proxy's 5xx answers) or is a bystander (its anomalies, volume or
    numbers only, began a window or more before the blip's onset: a database's busy minute
    that the window group happened to hold), the service has changes from
    :data:`_BLIP_LEAD` windows before the first sign to one window after the end (one change: a second so
    soon is a rollback), the incident lasts at most :data:`_BLIP_WINDOWS` windows, and the
    logs go on, calm, for two windows after it.

    An edge whose access log names no upstream (no ``$upstream_addr``) shows only its 5xx
    answers: when it is the incident's root and every other service a victim, the one
    service with a change from a window before the first sign up to its first failed
    answer (a few seconds of clock skew allowed) is the one that was restarting. So is a
    root whose failures all report a callee's failed answer without naming it (``edge``
    false: "Scheduler call POST /api/bookings failed with 503").
    """
    if root is None or period_end is None or period_end - end < 2 * window:
        return None
    # (a service whose anomalies are numbers or volume only, or none, fails nobody: a
    # database reading more rows in the minute of a restart's retries)
    unfailing = {r.service for r in roles if all(c.kind in _NO_FAILURE for c in contribs if c.service == r.service)}
    if (
        root in answering
        and first_failure is not None
        and end - onset <= _BLIP_WINDOWS * window
        and not any(r["service"] in (root, *named) and start - _BLIP_LEAD * window <= r["time"] <= end + window for r in change_rows)
        # (the other nodes of a farm answer 5xx as well: iis-web01 and iis-web02)
        and all(
            r.service == root or r.role == "victim" or (edge and r.service in answering) or r.service in unfailing
            for r in roles
        )
    ):
        near = [
            r for r in change_rows
            if r["service"] and r["service"] != root and start - _BLIP_LEAD * window <= r["time"] <= first_failure + _BLIP_SKEW
        ]
        near = list({r["id"]: r for r in near}.values())  # (a change of several nodes once)
        if len(near) > 1:
            # (a feature flag turned on at the same minute restarts nothing: the deploy did)
            near = [r for r in near if r.get("kind") != "feature_flag"]
        if len(near) == 1:
            svc = near[0]["service"]
            what = f"{root} answered 5xx" if edge else f"{root}'s calls failed"
            text = (
                f"{n_failed} {unit} failed during its rollout ({onset:%H:%M:%S} to {end:%H:%M:%S}): {what} "
                f"while {svc} restarted, then recovered (reported with the change, not as an incident)"
            )
            return near[0]["id"], Evidence(kind="rollout", text=text, weight=0.0)
    bystanders = {
        r.service for r in roles
        if (own := [c for c in contribs if c.service == r.service])
        and all(c.kind in _NO_FAILURE and c.onset <= onset - window for c in own)
    }
    for svc in (root, *sorted(named)):
        rows = [r for r in change_rows if r["service"] == svc and start - _BLIP_LEAD * window <= r["time"] <= end + window]
        if not rows:
            continue
        if end - onset > _BLIP_WINDOWS * window or len(rows) > 1:
            return None  # (a second change so soon is a rollback: something was wrong)
        if any(
            r.role == "affected" and r.service != svc and svc not in _reach(graph, r.service) and r.service not in answering
            and r.service not in bystanders
            for r in roles
        ):
            return None  # (a proxy answering 5xx for it while it restarts: its answers are the blip)
        who = f"{svc} failed while it restarted" if svc == root else f"{root}'s calls to {svc} failed while it restarted"
        text = (
            f"{n_failed} {unit} failed during its rollout ({onset:%H:%M:%S} to {end:%H:%M:%S}): {who}, "
            "then recovered (reported with the change, not as an incident)"
        )
        return rows[0]["id"], Evidence(kind="rollout", text=text, weight=0.0)
    return None
